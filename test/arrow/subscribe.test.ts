/**
 * Subscribe on the wire (PROTOCOL.md §9.5) with a plain grpc-js client, and through the SDK over gRPC: forwarding,
 * ADD/REMOVE, the UNKNOWN choices (404 then end; half-close ends with OK), a slow subscriber's bounded backlog
 * (426), cancellation seen by the server, and a closing server ending its subscriptions.
 */
import * as grpc from "@grpc/grpc-js"
import * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as EStream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadServiceClient, loadServiceDefinition } from "../../src/internal/grpc/proto.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import * as BTrDB from "../../src/services/BTrDB.js"
import * as Stream from "../../src/services/Stream.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"

const BACKLOG = 40_000

let server: RunningServer
let client: ReturnType<typeof rawClient>
let duplex: grpc.Client

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {}, subscriberBacklogBytes: BACKLOG })
  client = rawClient(server.endpoint)
  duplex = new (loadServiceClient())(server.endpoint, grpc.credentials.createInsecure())
})
afterAll(async () => {
  client.close()
  duplex.close()
  await server.close()
})

const uuidText = (bytes: Buffer) => {
  const h = bytes.toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const create = async () => {
  const uuid = uuidBytes()
  await client.unary("Create", { uuid, collection: "subwire", tags: [{ key: "name", val: { value: uuidText(uuid) } }] })
  return uuid
}

const insert = (uuid: Buffer, points: ReadonlyArray<[number, number]>) =>
  client.unary("Insert", {
    uuid,
    values: points.map(([time, value]) => ({ time: String(time), value })),
    merge_policy: "NEVER"
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await sleep(10)
  return check()
}

/** A Subscribe call recording what it receives. */
const subscribe = () => {
  const m = loadServiceDefinition()["Subscribe"]!
  const call = duplex.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new grpc.Metadata())
  const received: Array<any> = []
  let status: grpc.StatusObject | undefined
  call.on("data", (message) => received.push(message))
  call.on("status", (s: grpc.StatusObject) => (status = s))
  call.on("error", () => {})
  return {
    call,
    received,
    status: () => status,
    add: (...uuids: Array<Buffer>) => call.write({ op: "ADD_UUIDS", uuid: uuids }),
    remove: (...uuids: Array<Buffer>) => call.write({ op: "REMOVE_UUIDS", uuid: uuids })
  }
}

/** Inserts into a probe stream until its points come through: the subscription is live. */
const live = async (sub: ReturnType<typeof subscribe>) => {
  const probe = await create()
  sub.add(probe)
  for (let t = 1;; t++) {
    await insert(probe, [[t, 0]])
    if (await until(() => sub.received.some((m) => m.uuid?.equals(probe)), 100)) break
  }
  sub.received.length = 0
  return probe
}

const pointsOf = (message: any) => {
  const t = arrow.tableFromIPC(message.arrowBytes)
  expect(t.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
    ["time", "Timestamp<NANOSECOND, UTC>", false],
    ["value", "Float64", false]
  ])
  return [...t.getChild("time")!.toArray()].map((time, i) => [Number(time), t.getChild("value")!.get(i)])
}

describe("Subscribe on the wire", () => {
  it("forwards Insert and ArrowInsert in the order received; REMOVE stops; a half-close ends with OK", async () => {
    const a = await create()
    const b = await create()
    const sub = subscribe()
    sub.add(a, b)
    await live(sub)
    await insert(a, [[30, 3], [10, 1], [20, 2]])
    const arrowBytes = Buffer.from(arrow.tableToIPC(
      arrow.tableFromArrays({ time: BigInt64Array.of(9n, 8n), value: Float64Array.of(0.9, 0.8) }),
      "stream"
    ))
    expect((await client.unary("ArrowInsert", { uuid: b, merge_policy: "NEVER", arrowBytes })).stat).toBeNull()
    expect(await until(() => sub.received.length === 2)).toBe(true)
    expect(sub.received.map((m) => [uuidText(m.uuid), m.stat])).toEqual([[uuidText(a), null], [uuidText(b), null]])
    expect(pointsOf(sub.received[0])).toEqual([[30, 3], [10, 1], [20, 2]])
    expect(pointsOf(sub.received[1])).toEqual([[9, 0.9], [8, 0.8]])
    sub.remove(a)
    await sleep(50)
    await insert(a, [[40, 4]])
    await insert(b, [[50, 5]])
    expect(await until(() => sub.received.length === 3)).toBe(true)
    await sleep(50)
    expect(sub.received.length).toBe(3)
    expect(uuidText(sub.received[2].uuid)).toBe(uuidText(b))
    sub.call.end()
    expect(await until(() => sub.status() !== undefined)).toBe(true)
    expect(sub.status()!.code).toBe(grpc.status.OK)
  })

  it("an unknown uuid gets one message holding only stat 404, then the call ends with OK; a bad uuid 421", async () => {
    const a = await create()
    for (const [uuid, code] of [[uuidBytes(), 404], [Buffer.alloc(3), 421]] as const) {
      const sub = subscribe()
      sub.add(a, uuid)
      expect(await until(() => sub.status() !== undefined)).toBe(true)
      expect(sub.status()!.code).toBe(grpc.status.OK)
      expect(sub.received.length).toBe(1)
      expect(sub.received[0].stat.code).toBe(code)
      expect(sub.received[0].arrowBytes.length).toBe(0)
    }
    await until(() => server.stats.activeStreams === 0)
    expect(server.stats.activeStreams).toBe(0)
  })

  it("a subscriber that does not read is ended with 426 once its backlog passes the bound", async () => {
    const a = await create()
    const sub = subscribe()
    sub.add(a)
    await live(sub)
    sub.call.pause()
    const points = Array.from({ length: 1000 }, (_, i) => [i, i] as [number, number]) // ~16 kB per update
    let inserts = 0
    while (inserts < 400) {
      await insert(a, points)
      inserts++
      if (inserts % 20 === 0 && server.stats.activeStreams === 0) break
    }
    expect(server.stats.activeStreams).toBe(0) // the server gave up on the subscriber, the inserts went on
    sub.call.resume()
    expect(await until(() => sub.status() !== undefined)).toBe(true)
    expect(sub.status()!.code).toBe(grpc.status.OK)
    const last = sub.received[sub.received.length - 1]
    expect(last.stat.code).toBe(426)
    expect(last.stat.msg).toContain("subscriber too slow")
    // what came before the end is intact and in order
    const before = sub.received.slice(0, -1)
    expect(before.length).toBeGreaterThan(0)
    expect(before.length).toBeLessThan(inserts)
    for (const m of before) expect(pointsOf(m).length).toBe(1000)
  })

  it("a cancel reaches the server, and a closing server ends its subscriptions with OK", async () => {
    const a = await create()
    const sub = subscribe()
    sub.add(a)
    await live(sub)
    const before = server.stats.cancelled
    sub.call.cancel()
    expect(await until(() => server.stats.cancelled === before + 1 && server.stats.activeStreams === 0)).toBe(true)
    await insert(a, [[1, 1]])

    const other = await start({ listen: "127.0.0.1:0", log: () => {} })
    const c = rawClient(other.endpoint)
    const d = new (loadServiceClient())(other.endpoint, grpc.credentials.createInsecure())
    const uuid = uuidBytes()
    await c.unary("Create", { uuid, collection: "x", tags: [{ key: "name", val: { value: "x" } }] })
    const m = loadServiceDefinition()["Subscribe"]!
    const call = d.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new grpc.Metadata())
    let status: number | undefined
    call.on("status", (s: grpc.StatusObject) => (status = s.code))
    call.on("error", () => {})
    call.on("data", () => {})
    call.write({ op: "ADD_UUIDS", uuid: [uuid] })
    await until(() => other.stats.activeStreams === 1)
    const started = Date.now()
    await other.close(10_000)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(await until(() => status !== undefined)).toBe(true)
    expect(status).toBe(grpc.status.OK)
    c.close()
    d.close()
  })

  it("through the SDK: interrupting a subscription cancels the call, and the server sees it", async () => {
    const program = Effect.gen(function*() {
      const db = yield* BTrDB.BTrDB
      const s = yield* db.create({ uuid: crypto.randomUUID(), collection: "subsdk", tags: { name: "s" } })
      const before = server.stats.cancelled
      const fiber = yield* Stream.subscribe([s]).pipe(EStream.runDrain, Effect.forkChild)
      yield* Effect.promise(() => until(() => server.stats.activeStreams === 1))
      expect(server.stats.activeStreams).toBe(1)
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() =>
        until(() => server.stats.cancelled === before + 1 && server.stats.activeStreams === 0)
      )
      expect(server.stats.cancelled).toBe(before + 1)
      expect(server.stats.activeStreams).toBe(0)
    })
    await Effect.runPromise(program.pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint }))))
  })
})
