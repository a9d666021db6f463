/**
 * The Arrow RPCs on the wire (PROTOCOL.md §9, §5.3), with a plain grpc-js client: every successful message is a
 * complete IPC stream (schema, batches, end-of-stream) of at most 50 000 rows with one schema per call; errors are
 * one message holding only `stat`; ArrowInsert reads columns by name or position and refuses nulls.
 */
import * as arrow from "apache-arrow"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, start } from "../../src/server/Server.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"

let server: RunningServer
let client: ReturnType<typeof rawClient>

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  client = rawClient(server.endpoint)
})
afterAll(async () => {
  client.close()
  await server.close()
})

const EOS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])

const uuidText = (bytes: Buffer) => {
  const h = bytes.toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const create = async () => {
  const uuid = uuidBytes()
  await client.unary("Create", {
    uuid,
    collection: "arrowwire",
    tags: [{ key: "name", val: { value: uuidText(uuid) } }]
  })
  return uuid
}

const table = (fields: ReadonlyArray<[string, arrow.DataType, ArrayLike<unknown>, Uint8Array?]>) => {
  const n = fields[0]![2].length
  const schema = new arrow.Schema(
    fields.map(([name, type, , nulls]) => new arrow.Field(name, type, nulls !== undefined))
  )
  const children = fields.map(([, type, data, nulls]) =>
    arrow.makeData({
      type,
      length: n,
      data,
      nullCount: nulls === undefined ? 0 : n - nulls.reduce((a, b) => a + popcount(b), 0),
      ...(nulls === undefined ? {} : { nullBitmap: nulls })
    } as any)
  )
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children })
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)])
}
const popcount = (b: number) => b.toString(2).split("").filter((c) => c === "1").length

const ipc = (t: arrow.Table) => Buffer.from(arrow.tableToIPC(t, "stream"))

const points = (times: ArrayLike<bigint>, values: ArrayLike<number>) =>
  ipc(table([
    ["time", new arrow.TimestampNanosecond("UTC"), BigInt64Array.from(times)],
    ["value", new arrow.Float64(), Float64Array.from(values)]
  ]))

const arrowInsert = (uuid: Buffer, arrowBytes: Buffer, merge_policy = "NEVER") =>
  client.unary("ArrowInsert", { uuid, sync: false, merge_policy, arrowBytes })

const schemaOf = (t: arrow.Table) => t.schema.fields.map((f) => [f.name, String(f.type), f.nullable])

const NS_UTC = "Timestamp<NANOSECOND, UTC>"

/** Checks every message of a successful Arrow read and returns the tables. */
const checkMessages = (messages: ReadonlyArray<any>) => {
  expect(messages.length).toBeGreaterThan(0)
  const tables = messages.map((m) => {
    expect(m.stat).toBeNull()
    expect(Buffer.from(m.arrowBytes).subarray(-8)).toEqual(EOS) // a complete stream: it ends with end-of-stream
    const t = arrow.tableFromIPC(m.arrowBytes)
    expect(t.numRows).toBeLessThanOrEqual(50_000)
    return t
  })
  for (const t of tables) expect(schemaOf(t)).toEqual(schemaOf(tables[0]!))
  return tables
}

const templateOf = (fields: ReadonlyArray<[string, arrow.DataType]>) =>
  Buffer.from(
    arrow.tableToIPC(new arrow.Table(new arrow.Schema(fields.map(([n, t]) => new arrow.Field(n, t, false)))), "stream")
  )

describe("Arrow on the wire", () => {
  it("Info reports 5.34, so the Python client turns its Arrow methods on", async () => {
    const info = await client.unary("Info", {})
    expect(info.majorVersion).toBe(5)
    expect(info.minorVersion).toBe(34)
  })

  it("ArrowRawValues: complete IPC streams of at most 50 000 rows, one schema, versions in every message", async () => {
    const uuid = await create()
    const n = 60_000
    const times = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10n)
    const values = Float64Array.from(times, Number)
    expect((await arrowInsert(uuid, points(times, values))).stat).toBeNull()
    expect((await arrowInsert(uuid, points([5n], [0.5]))).stat).toBeNull()
    const messages = await client.stream("ArrowRawValues", { uuid, start: "0", end: String(n * 10), versionMajor: "0" })
    const tables = checkMessages(messages)
    expect(tables.map((t) => t.numRows)).toEqual([50_000, 10_001])
    expect(schemaOf(tables[0]!)).toEqual([["time", NS_UTC, false], ["value", "Float64", false]])
    for (const m of messages) expect([m.versionMajor, m.versionMinor]).toEqual(["12", "0"])
    const all = new arrow.Table(tables.flatMap((t) => t.batches))
    const wantTimes = BigInt64Array.from([...times.subarray(0, 1), 5n, ...times.subarray(1)])
    const wantValues = Float64Array.from([0, 0.5, ...values.subarray(1)])
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
    expect(bytes(all.getChild("time")!.toArray()).equals(bytes(wantTimes))).toBe(true)
    expect(bytes(all.getChild("value")!.toArray()).equals(bytes(wantValues))).toBe(true)
  })

  it("an empty answer is one message holding the schema and no rows; a template shapes it", async () => {
    const uuid = await create()
    const empty = await client.stream("ArrowRawValues", { uuid, start: "0", end: "10", versionMajor: "0" })
    expect(empty.length).toBe(1)
    const [t] = checkMessages(empty)
    expect(t!.numRows).toBe(0)
    expect(schemaOf(t!)).toEqual([["time", NS_UTC, false], ["value", "Float64", false]])
    expect(empty[0].versionMajor).toBe("10")
    const templateBytes = templateOf([["t", new arrow.Int64()], ["v", new arrow.Float32()]])
    const shaped = await client.stream("ArrowRawValues", { uuid, start: "0", end: "10", templateBytes })
    expect(schemaOf(checkMessages(shaped)[0]!)).toEqual([["t", "Int64", false], ["v", "Float32", false]])
  })

  it("errors are one message holding only stat: 404, 413, 421 for templates that do not fit", async () => {
    const uuid = await create()
    const only = async (rpc: string, request: object) => {
      const messages = await client.stream(rpc, request)
      expect(messages.length).toBe(1)
      expect(messages[0].arrowBytes.length).toBe(0)
      return messages[0].stat.code as number
    }
    const range = { uuid, start: "0", end: "10" }
    expect(await only("ArrowRawValues", { ...range, uuid: uuidBytes() })).toBe(404)
    expect(await only("ArrowRawValues", { ...range, start: "10" })).toBe(413)
    expect(await only("ArrowRawValues", { ...range, versionMajor: "99" })).toBe(450)
    const bad = [
      templateOf([["t", new arrow.Int64()]]),
      templateOf([["t", new arrow.Int64()], ["a", new arrow.Float64()], ["b", new arrow.Float64()]]),
      templateOf([["t", new arrow.Utf8()], ["v", new arrow.Float64()]]),
      templateOf([["t", new arrow.Int64()], ["v", new arrow.Int64()]]),
      templateOf([["t", new arrow.Int64()], ["v", new arrow.Float16()]]),
      Buffer.from("not arrow at all")
    ]
    for (const templateBytes of bad) expect(await only("ArrowRawValues", { ...range, templateBytes })).toBe(421)
    expect(await only("ArrowWindows", { ...range, width: "0" })).toBe(415)
    expect(await only("ArrowAlignedWindows", { ...range, pointWidth: 64 })).toBe(415)
  })

  it("ArrowWindows and ArrowAlignedWindows: §9.2's schema, at most 50 000 windows per message", async () => {
    const uuid = await create()
    await arrowInsert(uuid, points([0n, 5n, 119_999n], [1, 2, 3]))
    const messages = await client.stream("ArrowWindows", { uuid, start: "0", end: "120000", width: "1", depth: 0 })
    const tables = checkMessages(messages)
    expect(tables.map((t) => t.numRows)).toEqual([50_000, 50_000, 20_000])
    expect(schemaOf(tables[0]!)).toEqual([
      ["time", NS_UTC, false],
      ["min", "Float64", false],
      ["mean", "Float64", false],
      ["max", "Float64", false],
      ["count", "Uint64", false],
      ["stddev", "Float64", false]
    ])
    for (const m of messages) expect(m.versionMajor).toBe("11")
    const aligned = checkMessages(
      await client.stream("ArrowAlignedWindows", { uuid, start: "0", end: "131072", pointWidth: 4 })
    )
    const all = new arrow.Table(aligned.flatMap((t) => t.batches))
    expect(all.getChild("time")!.toArray()).toEqual(BigInt64Array.of(0n, 119_984n))
    expect(all.getChild("count")!.toArray()).toEqual(BigUint64Array.of(2n, 1n))
  })

  it("ArrowMultiValues: uuid columns, versions index-aligned (0 or none = latest), no versions back", async () => {
    const a = await create()
    const b = await create()
    const va = (await arrowInsert(a, points([1n, 3n], [1, 3]))).versionMajor
    await arrowInsert(a, points([2n], [2]))
    await arrowInsert(b, points([2n], [20]))
    const request = { uuid: [a, b], start: "0", end: "10", snapPeriodNs: "0" }
    const latest = await client.stream("ArrowMultiValues", { ...request, versionMajor: [] })
    const [t] = checkMessages(latest)
    expect(schemaOf(t!)).toEqual([["time", NS_UTC, false], [uuidText(a), "Float64", false], [
      uuidText(b),
      "Float64",
      false
    ]])
    expect(latest[0].versionMajor).toBeUndefined()
    expect(t!.getChild(uuidText(a))!.toArray()).toEqual(Float64Array.of(1, 2, 3))
    expect(t!.getChild(uuidText(b))!.toArray()).toEqual(Float64Array.of(NaN, 20, NaN))
    const pinned = checkMessages(await client.stream("ArrowMultiValues", { ...request, versionMajor: [va, "0"] }))[0]!
    expect(pinned.getChild("time")!.toArray()).toEqual(BigInt64Array.of(1n, 2n, 3n))
    expect(pinned.getChild(uuidText(a))!.toArray()).toEqual(Float64Array.of(1, NaN, 3))
    const stat = async (extra: object) =>
      (await client.stream("ArrowMultiValues", { ...request, ...extra }))[0].stat?.code
    expect(await stat({ versionMajor: ["0"] })).toBe(421)
    expect(await stat({ uuid: [a, uuidBytes()] })).toBe(404)
    expect(await stat({ snapPeriodNs: "-1" })).toBe(421)
    expect(await stat({ start: "10", end: "10" })).toBe(413)
    expect(await stat({ versionMajor: ["99", "0"] })).toBe(450)
    expect(await stat({ templateBytes: templateOf([["t", new arrow.Int64()], ["v", new arrow.Float64()]]) })).toBe(421)
  })

  it("ArrowInsert: by name or position, any timestamp unit or int64 ns, float32; nulls 425, bad bytes 421, 414", async () => {
    const uuid = await create()
    const ok = async (bytes: Buffer) => {
      const r = await arrowInsert(uuid, bytes)
      expect(r.stat).toBeNull()
      return r.versionMajor
    }
    await ok(ipc(table([
      ["value", new arrow.Float32(), Float32Array.of(2.5)],
      ["time", new arrow.TimestampSecond("Asia/Tokyo"), BigInt64Array.of(2n)]
    ])))
    await ok(
      ipc(table([["a", new arrow.Int64(), BigInt64Array.of(7n)], ["b", new arrow.Float64(), Float64Array.of(7)]]))
    )
    await ok(ipc(table([
      ["time", new arrow.TimestampMicrosecond(), BigInt64Array.of(-3n)],
      ["value", new arrow.Float64(), Float64Array.of(-3), Uint8Array.of(1)] // nullable, no null
    ])))
    const read = await client.stream("RawValues", { uuid, start: "-1000000000", end: "10000000000" })
    expect(read.flatMap((m) => m.values).map((p: any) => [p.time, p.value])).toEqual([
      ["-3000", -3],
      ["7", 7],
      ["2000000000", 2.5]
    ])
    const code = async (bytes: Buffer, id = uuid) => (await arrowInsert(id, bytes)).stat?.code
    const withNull = table([
      ["time", new arrow.Int64(), BigInt64Array.of(1n, 2n)],
      ["value", new arrow.Float64(), Float64Array.of(1, 0), Uint8Array.of(0b01)]
    ])
    expect(await code(ipc(withNull))).toBe(425)
    expect(await code(points([1n], [NaN]))).toBe(425)
    expect(await code(points([1n << 62n], [1]))).toBe(413)
    expect(
      await code(
        ipc(
          table([["time", new arrow.TimestampSecond(), BigInt64Array.of(1n << 60n)], [
            "v",
            new arrow.Float64(),
            Float64Array.of(1)
          ]])
        )
      )
    ).toBe(413)
    expect(await code(Buffer.from("garbage!garbage!"))).toBe(421)
    expect(await code(Buffer.alloc(0))).toBe(421)
    expect(await code(ipc(table([["time", new arrow.Int64(), BigInt64Array.of(1n)]])))).toBe(421)
    expect(
      await code(
        ipc(table([["time", new arrow.Int32(), Int32Array.of(1)], ["value", new arrow.Float64(), Float64Array.of(1)]]))
      )
    ).toBe(421)
    expect(
      await code(
        ipc(
          table([["time", new arrow.Int64(), BigInt64Array.of(1n)], ["value", new arrow.Int64(), BigInt64Array.of(1n)]])
        )
      )
    ).toBe(421)
    const big = 100_001
    expect(await code(points(Array.from({ length: big }, (_, i) => BigInt(i)), new Float64Array(big)))).toBe(414)
    expect(await code(points([1n], [1]), uuidBytes())).toBe(404)
    expect((await client.unary("ArrowInsert", { uuid, merge_policy: 7, arrowBytes: points([1n], [1]) })).stat.code)
      .toBe(421)
    expect((await client.unary("StreamInfo", { uuid })).versionMajor).toBe("13")
  })
})
