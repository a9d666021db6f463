/**
 * What the embedded server puts on the wire, checked with a plain grpc-js client (no SDK in between):
 * in-band status codes, the streaming rules of PROTOCOL.md §5.3, and robustness against any request bytes.
 */
import { describe, expect, it } from "vitest"
import { RPC_NAMES } from "../../src/internal/grpc/proto.js"
import { start } from "../../src/server/Server.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"
import { useServer } from "../support/server.js"

const wire = useServer()

const kv = (key: string, value?: string) => ({ key, val: value === undefined ? null : { value } })
const prefix = () => `w${Math.random().toString(36).slice(2, 8)}/`

describe("the metadata plane on the wire", () => {
  it("Info: major 5, a proxy endpoint, and no stat on success", async () => {
    const info = await wire.client.unary("Info", {})
    expect(info.stat).toBeNull()
    expect(info.majorVersion).toBe(5)
    expect(info.minorVersion).toBeGreaterThanOrEqual(30) // the Arrow methods are served (PROTOCOL.md §6)
    expect(info.proxy.proxyEndpoints).toEqual([wire.server.endpoint])
  })

  it("Create: success leaves stat unset; the checks of §8.2 give their codes", async () => {
    const collection = prefix()
    expect((await wire.client.unary("Create", { uuid: uuidBytes(), collection, tags: [kv("name", "a")] })).stat)
      .toBeNull()
    const code = async (request: object) => (await wire.client.unary("Create", request)).stat?.code
    expect(await code({ uuid: Buffer.alloc(15), collection, tags: [] })).toBe(421)
    expect(await code({ uuid: uuidBytes(), collection: "", tags: [] })).toBe(407)
    expect(await code({ uuid: uuidBytes(), collection: "x".repeat(256), tags: [] })).toBe(407)
    expect(await code({ uuid: uuidBytes(), collection, tags: [kv("color", "red")] })).toBe(408)
    expect(await code({ uuid: uuidBytes(), collection, tags: [kv("name", "n".repeat(256))] })).toBe(409)
    expect(
      await code({ uuid: uuidBytes(), collection, tags: [kv("name", "b")], annotations: [kv("k", "v".repeat(256))] })
    )
      .toBe(409)
    expect(await code({ uuid: uuidBytes(), collection, tags: [kv("name", "a")] })).toBe(418)
  })

  it("StreamInfo: 404 for an unknown stream, 421 when both parts are omitted", async () => {
    expect((await wire.client.unary("StreamInfo", { uuid: uuidBytes() })).stat.code).toBe(404)
    const uuid = uuidBytes()
    await wire.client.unary("Create", { uuid, collection: prefix(), tags: [kv("name", "a")] })
    expect((await wire.client.unary("StreamInfo", { uuid, omitVersion: true, omitDescriptor: true })).stat.code).toBe(
      421
    )
    const info = await wire.client.unary("StreamInfo", { uuid })
    expect(info.stat).toBeNull()
    expect(info.versionMajor).toBe("10")
    expect(info.descriptor.propertyVersion).toBe("1")
    expect(info.descriptor.tags).toEqual([kv("name", "a"), kv("unit", ""), kv("ingress", "")])
  })

  it("SetStreamAnnotations: property version checks (423) and +1 per change", async () => {
    const uuid = uuidBytes()
    await wire.client.unary("Create", {
      uuid,
      collection: prefix(),
      tags: [kv("name", "a")],
      annotations: [kv("x", "1")]
    })
    const set = (expectedPropertyVersion: string, changes: Array<object>, removals: Array<string> = []) =>
      wire.client.unary("SetStreamAnnotations", { uuid, expectedPropertyVersion, changes, removals })
    expect((await set("2", [kv("y", "2")])).stat.code).toBe(423)
    expect((await set("1", [kv("y", "2")])).stat).toBeNull()
    expect((await set("0", [kv("x")], ["nothing"])).stat).toBeNull()
    const d = (await wire.client.unary("StreamInfo", { uuid, omitVersion: true })).descriptor
    expect(d.propertyVersion).toBe("3")
    expect(d.annotations).toEqual([kv("y", "2")])
  })

  it("streaming RPCs: at least one message on success; an error is one message holding only stat", async () => {
    const empty = await wire.client.stream("LookupStreams", { collection: prefix(), isCollectionPrefix: true })
    expect(empty.length).toBe(1)
    expect(empty[0].stat).toBeNull()
    expect(empty[0].results).toEqual([])
    const bad = await wire.client.stream("SQLQuery", { query: "DELETE FROM streams", params: [] })
    expect(bad.length).toBe(1)
    expect(bad[0].stat.code).toBe(441)
    expect(bad[0].SQLQueryRow).toEqual([])
    const listBad = await wire.client.stream("ListCollections", { prefix: "a\u0000b" })
    expect(listBad.map((m) => m.stat?.code)).toEqual([407])
  })

  it("Obliterate: the stream is gone, its collection too, and its uuid cannot be reused (429)", async () => {
    const uuid = uuidBytes()
    const collection = prefix()
    await wire.client.unary("Create", { uuid, collection, tags: [kv("name", "a")] })
    expect((await wire.client.unary("Obliterate", { uuid })).stat).toBeNull()
    expect((await wire.client.unary("StreamInfo", { uuid })).stat.code).toBe(404)
    expect((await wire.client.stream("ListCollections", { prefix: collection }))[0].collections).toEqual([])
    expect((await wire.client.unary("Create", { uuid, collection, tags: [kv("name", "a")] })).stat.code).toBe(429)
    expect((await wire.client.unary("Obliterate", { uuid })).stat.code).toBe(404)
  })

  it("FaultInject is disabled (424)", async () => {
    expect((await wire.client.unary("FaultInject", { type: "1" })).stat.code).toBe(424)
  })
})

describe("any request bytes get a status, and the server keeps serving", () => {
  const garbage = (seed: number, length: number): Buffer => {
    const bytes = Buffer.alloc(length)
    let x = seed * 2654435761 + 1
    for (let i = 0; i < length; i++) {
      x = (x * 1103515245 + 12345) >>> 0
      bytes[i] = x >>> 24
    }
    return bytes
  }

  it("random and truncated messages on every RPC", async () => {
    const samples = [
      Buffer.alloc(0),
      Buffer.from([0x0a, 0xff]),
      Buffer.from([0x0a, 0x10, 1, 2, 3]),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      ...Array.from({ length: 12 }, (_, i) => garbage(i, 1 + (i * 37) % 200))
    ]
    let calls = 0
    for (const rpc of RPC_NAMES) {
      for (const bytes of samples) {
        const { code } = await wire.client.rawBytes(rpc, bytes)
        expect(typeof code).toBe("number")
        calls++
      }
    }
    expect(calls).toBe(RPC_NAMES.length * samples.length)
    expect((await wire.client.unary("Info", {})).majorVersion).toBe(5)
  })
})

describe("request size limit", () => {
  it("a request over the configured byte limit is refused with RESOURCE_EXHAUSTED", async () => {
    const small = await start({ listen: "127.0.0.1:0", maxRequestBytes: 64 * 1024, log: () => {} })
    const c = rawClient(small.endpoint)
    try {
      const uuid = uuidBytes()
      await c.unary("Create", { uuid, collection: "limits", tags: [] })
      const values = Array.from({ length: 10_000 }, (_, i) => ({ time: String(i), value: i }))
      const error = await c.unary("Insert", { uuid, values, merge_policy: "NEVER" }).then(() => undefined, (e) => e)
      expect(error?.code).toBe(8)
      const info = await c.unary("StreamInfo", { uuid, omitDescriptor: true })
      expect(info.versionMajor).toBe("10")
    } finally {
      c.close()
      await small.close()
    }
  })
})
