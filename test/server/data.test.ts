/**
 * The data-plane RPCs on the wire, checked with a plain grpc-js client: the worked examples of PROTOCOL.md
 * §7.4 and §7.5, paging, versions, and the error codes, each reported as the streaming rules of §5.3 say.
 */
import { describe, expect, it } from "vitest"
import { uuidBytes } from "../support/rawClient.js"
import { useServer } from "../support/server.js"

const wire = useServer()

const BASE = 1_500_000_000_000_000_000n
const newStream = async () => {
  const uuid = uuidBytes()
  await wire.client.unary("Create", {
    uuid,
    collection: `data${Math.random().toString(36).slice(2, 8)}`,
    tags: [{ key: "name", val: { value: "s" } }]
  })
  return uuid
}
const insert = (uuid: Buffer, points: Array<[bigint, number]>, merge_policy = "NEVER") =>
  wire.client.unary("Insert", {
    uuid,
    values: points.map(([t, v]) => ({ time: t.toString(), value: v })),
    merge_policy
  })
/** Values 1..10 at 1.5e18 + k·1e8 ns, the docs' example. */
const example = async () => {
  const uuid = await newStream()
  const response = await insert(uuid, Array.from({ length: 10 }, (_, k) => [BASE + BigInt(k) * 100_000_000n, k + 1]))
  expect(response.stat).toBeNull()
  expect(response.versionMajor).toBe("11")
  return uuid
}
const stats = (messages: Array<any>) =>
  messages.flatMap((m) => m.values).map((p: any) => ({
    time: BigInt(p.time),
    min: p.min,
    mean: p.mean,
    max: p.max,
    count: Number(p.count),
    stddev: p.stddev
  }))

describe("data plane", () => {
  it("RawValues returns the points of [start, end) with the version that served them", async () => {
    const uuid = await example()
    const messages = await wire.client.stream("RawValues", {
      uuid,
      start: BASE.toString(),
      end: (BASE + 500_000_000n).toString()
    })
    expect(messages.length).toBe(1)
    expect(messages[0].stat).toBeNull()
    expect(messages[0].versionMajor).toBe("11")
    expect(messages[0].values.map((p: any) => [p.time, p.value])).toEqual(
      [0, 1, 2, 3, 4].map((k) => [(BASE + BigInt(k) * 100_000_000n).toString(), k + 1])
    )
  })

  it("AlignedWindows: the §7.4 example (pointwidth 28)", async () => {
    const uuid = await example()
    const messages = await wire.client.stream("AlignedWindows", {
      uuid,
      start: BASE.toString(),
      end: (BASE + 1_000_000_000n).toString(),
      pointWidth: 28
    })
    const got = stats(messages)
    expect(got.map((w) => w.time)).toEqual([
      1499999999814008832n,
      1500000000082444288n,
      1500000000350879744n,
      1500000000619315200n
    ])
    expect(got.map((w) => [w.min, w.mean, w.max, w.count])).toEqual([[1, 1, 1, 1], [2, 3, 4, 3], [5, 6, 7, 3], [
      8,
      8.5,
      9,
      2
    ]])
    expect(got[0]!.stddev).toBe(0)
    expect(got[1]!.stddev).toBeCloseTo(0.816496580927726, 12)
    expect(got[3]!.stddev).toBeCloseTo(0.5, 12)
  })

  it("Windows: the §7.5 example (width 3e8, partial last window dropped)", async () => {
    const uuid = await example()
    const messages = await wire.client.stream("Windows", {
      uuid,
      start: BASE.toString(),
      end: (BASE + 1_000_000_000n).toString(),
      width: "300000000",
      depth: 0
    })
    const got = stats(messages)
    expect(got.map((w) => [w.time, w.min, w.mean, w.max, w.count])).toEqual([
      [BASE, 1, 2, 3, 3],
      [BASE + 300_000_000n, 4, 5, 6, 3],
      [BASE + 600_000_000n, 7, 8, 9, 3]
    ])
    for (const w of got) expect(w.stddev).toBeCloseTo(0.816496580927726, 12)
  })

  it("Nearest forward (t ≥ time) and backward (t < time); nothing is 401", async () => {
    const uuid = await example()
    const t3 = BASE + 300_000_000n
    const forward = await wire.client.unary("Nearest", { uuid, time: t3.toString(), backward: false })
    expect([forward.value.time, forward.value.value]).toEqual([t3.toString(), 4])
    const backward = await wire.client.unary("Nearest", { uuid, time: t3.toString(), backward: true })
    expect([backward.value.time, backward.value.value]).toEqual([(t3 - 100_000_000n).toString(), 3])
    expect((await wire.client.unary("Nearest", { uuid, time: BASE.toString(), backward: true })).stat.code).toBe(401)
  })

  it("Delete commits a new version; the old one still holds the points; Changes reports the range", async () => {
    const uuid = await example()
    const deleted = await wire.client.unary("Delete", {
      uuid,
      start: BASE.toString(),
      end: (BASE + 500_000_000n).toString()
    })
    expect(deleted.versionMajor).toBe("12")
    const range = { uuid, start: BASE.toString(), end: (BASE + 1_000_000_000n).toString() }
    const now = await wire.client.stream("RawValues", range)
    expect(now[0].values.map((p: any) => p.value)).toEqual([6, 7, 8, 9, 10])
    const before = await wire.client.stream("RawValues", { ...range, versionMajor: "11" })
    expect(before[0].values.length).toBe(10)
    expect(before[0].versionMajor).toBe("11")
    const changes = await wire.client.stream("Changes", { uuid, fromMajor: "11", toMajor: "12", resolution: 0 })
    expect(changes[0].ranges).toEqual([0n, 1n, 2n, 3n, 4n].map((k) => {
      const t = BASE + k * 100_000_000n
      return { start: t.toString(), end: (t + 1n).toString() }
    }))
    const coarse = await wire.client.stream("Changes", { uuid, fromMajor: "11", toMajor: "12", resolution: 30 })
    const window = 1n << 30n
    const first = (BASE / window) * window
    const last = ((BASE + 400_000_000n) / window) * window
    expect(coarse[0].ranges).toEqual([{ start: first.toString(), end: (last + window).toString() }])
    expect((await wire.client.unary("Flush", { uuid })).versionMajor).toBe("12")
    const info = await wire.client.unary("StreamInfo", { uuid, omitDescriptor: true })
    expect(info.versionMajor).toBe("12")
  })

  it("a Flush covers the writes that arrived before it, answered or not", async () => {
    const uuid = await example()
    // sent one after the other on one connection, the insert not yet answered when the Flush goes
    const inserted = insert(uuid, [[BASE + 1n, 0.5]])
    const flushed = wire.client.unary("Flush", { uuid })
    const [i, f] = await Promise.all([inserted, flushed])
    expect(i.versionMajor).toBe("12")
    expect(f.versionMajor).toBe("12")
  })

  it("REPLACE overwrites equal times; RETAIN keeps the stored value", async () => {
    const uuid = await newStream()
    await insert(uuid, [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]], "NEVER")
    const read = async () =>
      (await wire.client.stream("RawValues", { uuid, start: "0", end: "1000" }))[0].values.map((p: any) => [
        Number(p.time),
        p.value
      ])
    expect(await read()).toEqual([[100, 0], [105, 1], [110, 2], [110, 3], [120, 4]])
    await insert(uuid, [[110n, 9], [120n, 8]], "REPLACE")
    expect(await read()).toEqual([[100, 0], [105, 1], [110, 9], [120, 8]])
    await insert(uuid, [[100n, 7], [130n, 6]], "RETAIN")
    expect(await read()).toEqual([[100, 0], [105, 1], [110, 9], [120, 8], [130, 6]])
  })

  it("RawValues pages at 5000 points per message", async () => {
    const uuid = await newStream()
    const points: Array<[bigint, number]> = Array.from({ length: 12_000 }, (_, i) => [BigInt(i), i])
    await insert(uuid, points)
    const messages = await wire.client.stream("RawValues", { uuid, start: "0", end: "20000" })
    expect(messages.map((m) => m.values.length)).toEqual([5000, 5000, 2000])
    expect(messages.flatMap((m) => m.values).map((p: any) => p.value)).toEqual(points.map(([, v]) => v))
  })

  it("RawValues answers arrive intact to readers fast and slow at once (the server reuses its answers' buffers)", async () => {
    const uuid = await newStream()
    const n = 60_000
    const points: Array<[bigint, number]> = Array.from({ length: n }, (_, i) => [BASE + BigInt(i) * 1000n, i * 1.5 - 7])
    for (let i = 0; i < n; i += 20_000) await insert(uuid, points.slice(i, i + 20_000))
    const request = { uuid, start: BASE.toString(), end: (BASE + BigInt(n) * 1000n).toString() }
    // readers that stop after each message: the server's answers wait in their calls, serialized only later
    const slowly = () => wire.client.streamSlowly("RawValues", request, 3)
    const reads = await Promise.all([
      slowly(),
      wire.client.stream("RawValues", request),
      slowly(),
      wire.client.stream("RawValues", request)
    ])
    for (const messages of reads) {
      expect(messages.map((m) => m.values.length)).toEqual([...Array(12).fill(5000)])
      const got = messages.flatMap((m) => m.values)
      expect(got.map((p: any) => BigInt(p.time))).toEqual(points.map(([t]) => t))
      expect(got.map((p: any) => p.value)).toEqual(points.map(([, v]) => v))
    }
  })

  it("a client that cancels after the first message stops the server's work", async () => {
    const uuid = await example()
    const before = { ...wire.server.stats }
    // a hundred billion windows of 1 ns: an answer no server could build in memory
    const got = await wire.client.firstThenCancel("Windows", { uuid, start: "0", end: "100000000000", width: "1" })
    expect(got.values.length).toBe(5000)
    for (let i = 0; i < 300 && wire.server.stats.cancelled === before.cancelled; i++) {
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(wire.server.stats.cancelled).toBe(before.cancelled + 1)
    expect(wire.server.stats.activeStreams).toBe(0)
  })

  it("errors: 404, 413, 414, 415, 425, 427, 450, each as a message holding only stat", async () => {
    const uuid = await example()
    const code = async (rpc: string, request: object) => {
      const messages = await wire.client.stream(rpc, request)
      expect(messages.length).toBe(1)
      return messages[0].stat?.code
    }
    expect(await code("RawValues", { uuid: uuidBytes(), start: "0", end: "10" })).toBe(404)
    expect(await code("RawValues", { uuid, start: "10", end: "10" })).toBe(413)
    expect(await code("RawValues", { uuid, start: "0", end: "10", versionMajor: "12" })).toBe(450)
    expect(await code("RawValues", { uuid, start: "0", end: "10", versionMajor: "3" })).toBe(450)
    expect(await code("AlignedWindows", { uuid, start: "0", end: "10", pointWidth: 64 })).toBe(415)
    expect(await code("Windows", { uuid, start: "0", end: "10", width: "0" })).toBe(415)
    expect(await code("Changes", { uuid, fromMajor: "12", toMajor: "11" })).toBe(427)
    expect((await insert(uuid, [[1n, Number.NaN]])).stat.code).toBe(425)
    expect((await insert(uuid, [[(48n << 56n) - 1n, 1]])).stat.code).toBe(413)
    const big = await wire.client.unary("Insert", {
      uuid,
      values: Array.from({ length: 100_001 }, (_, i) => ({ time: String(i), value: 1 })),
      merge_policy: "NEVER"
    })
    expect(big.stat.code).toBe(414)
    const info = await wire.client.unary("StreamInfo", { uuid, omitDescriptor: true })
    expect(info.versionMajor).toBe("11")
  })
})
