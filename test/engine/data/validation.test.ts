/**
 * Every validation error of the engine, with its PROTOCOL.md §5 code, raised before anything is stored.
 */
import { describe, expect, it } from "vitest"
import { DataStore, MAX_INSERT_POINTS } from "../../../src/engine/data/DataStore.js"
import { StatusError } from "../../../src/engine/StatusError.js"
import { MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"
import { codeOf, columns, U1, U2 } from "./helpers.js"

const UNKNOWN = "ffffffff-ffff-4fff-8fff-ffffffffffff"

const setup = async (): Promise<DataStore> => {
  const ds = await DataStore.open({})
  ds.createStream(U1)
  await ds.insert(U1, columns([[100n, 1], [200n, 2]]), { policy: "never" }) // version 11
  return ds
}

describe("validation", () => {
  it("404 for an unknown stream, on every method", async () => {
    const ds = await setup()
    const calls: Array<() => unknown> = [
      () => ds.version(UNKNOWN),
      () => ds.insert(UNKNOWN, columns([[1n, 1]]), { policy: "never" }),
      () => ds.rawValues(UNKNOWN, 0n, 10n, 0n),
      () => ds.alignedWindows(UNKNOWN, 0n, 1024n, 4, 0n),
      () => ds.windows(UNKNOWN, 0n, 100n, 10n, 0, 0n),
      () => ds.nearest(UNKNOWN, 0n, 0n, false),
      () => ds.count(UNKNOWN, 0n, 10n, 0n),
      () => ds.changes(UNKNOWN, 0n, 0n, 0),
      () => ds.delete(UNKNOWN, 0n, 10n),
      () => ds.flush(UNKNOWN),
      () => ds.obliterate(UNKNOWN)
    ]
    for (const c of calls) expect(await codeOf(c)).toBe(404)
    try {
      ds.version(UNKNOWN)
    } catch (e) {
      expect(e).toBeInstanceOf(StatusError)
      expect((e as StatusError).message).toBe("stream does not exist")
    }
  })

  it("413 for times out of range or start ≥ end", async () => {
    const ds = await setup()
    for (const [s, e] of [[MIN_TIME - 1n, 0n], [0n, MAX_TIME], [10n, 10n], [11n, 10n]] as const) {
      expect(await codeOf(() => ds.rawValues(U1, s, e, 0n))).toBe(413)
      expect(await codeOf(() => ds.count(U1, s, e, 0n))).toBe(413)
      expect(await codeOf(() => ds.delete(U1, s, e))).toBe(413)
      expect(await codeOf(() => ds.windows(U1, s, e, 1n, 0, 0n))).toBe(413)
    }
    expect(await codeOf(() => ds.rawValues(U1, MIN_TIME, MAX_TIME - 1n, 0n))).toBe(undefined)
    // Insert: MIN_TIME ≤ t < MAX_TIME - 1.
    expect(await codeOf(() => ds.insert(U1, columns([[MAX_TIME - 1n, 1]]), { policy: "never" }))).toBe(413)
    expect(await codeOf(() => ds.insert(U1, columns([[MIN_TIME - 1n, 1]]), { policy: "never" }))).toBe(413)
    expect(await codeOf(() => ds.insert(U1, columns([[MAX_TIME - 2n, 1], [MIN_TIME, 2]]), { policy: "never" })))
      .toBe(undefined)
    // Rounding that pushes a time out of range.
    expect(await codeOf(() => ds.insert(U1, columns([[MAX_TIME - 3n, 1]]), { policy: "never", roundBits: 3 }))).toBe(
      413
    )
    // Aligned windows: s' < MIN_TIME, e' - 1 ≥ MAX_TIME, s' ≥ e' - 1 (no whole window).
    expect(await codeOf(() => ds.alignedWindows(U1, MIN_TIME + 5n, 1024n, 4, 0n))).toBe(undefined)
    expect(await codeOf(() => ds.alignedWindows(U1, MIN_TIME - 1n, 1024n, 4, 0n))).toBe(413)
    expect(await codeOf(() => ds.alignedWindows(U1, 0n, MAX_TIME + 16n, 4, 0n))).toBe(413)
    expect(await codeOf(() => ds.alignedWindows(U1, 0n, MAX_TIME, 4, 0n))).toBe(undefined)
    expect(await codeOf(() => ds.alignedWindows(U1, 3n, 15n, 4, 0n))).toBe(413)
    expect(await codeOf(() => ds.alignedWindows(U1, 5n, 6n, 0, 0n))).toBe(413)
    expect(await codeOf(() => ds.alignedWindows(U1, 5n, 7n, 0, 0n))).toBe(undefined)
    // Windows: end - start < width leaves no whole window.
    expect(await codeOf(() => ds.windows(U1, 0n, 99n, 100n, 0, 0n))).toBe(413)
    // Nearest: time out of [MIN_TIME, MAX_TIME).
    expect(await codeOf(() => ds.nearest(U1, MAX_TIME, 0n, true))).toBe(413)
    expect(await codeOf(() => ds.nearest(U1, MIN_TIME - 1n, 0n, false))).toBe(413)
  })

  it("425 for NaN and ±Inf", async () => {
    const ds = await setup()
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(await codeOf(() => ds.insert(U1, columns([[1n, 1], [2n, v]]), { policy: "never" }))).toBe(425)
    }
  })

  it("415 for pointwidth, width, depth and resolution", async () => {
    const ds = await setup()
    expect(await codeOf(() => ds.alignedWindows(U1, 0n, 1n << 62n, 64, 0n))).toBe(415)
    expect(await codeOf(() => ds.windows(U1, 0n, 100n, 0n, 0, 0n))).toBe(415)
    expect(await codeOf(() => ds.windows(U1, 0n, 100n, (1n << 63n) + 1n, 0, 0n))).toBe(415)
    expect(await codeOf(() => ds.windows(U1, 0n, 100n, 10n, 64, 0n))).toBe(415)
    expect(await codeOf(() => ds.windows(U1, 0n, 100n, 10n, 63, 0n))).toBe(undefined)
    expect(await codeOf(() => ds.changes(U1, 0n, 0n, 64))).toBe(415)
  })

  it("414 for an insert of more than 100000 points", async () => {
    const ds = await setup()
    const n = MAX_INSERT_POINTS + 1
    const big = { times: new BigInt64Array(n).map((_, i) => BigInt(i)), values: new Float64Array(n) }
    expect(await codeOf(() => ds.insert(U1, big, { policy: "never" }))).toBe(414)
    const ok = { times: big.times.subarray(0, n - 1), values: big.values.subarray(0, n - 1) }
    expect(await ds.insert(U1, ok, { policy: "never" })).toEqual({ major: 12n, minor: 0n })
  })

  it("421 for mismatched columns, a bad policy or bad rounding", async () => {
    const ds = await setup()
    const bad = { times: BigInt64Array.of(1n, 2n), values: Float64Array.of(1) }
    expect(await codeOf(() => ds.insert(U1, bad, { policy: "never" }))).toBe(421)
    expect(await codeOf(() => ds.insert(U1, columns([[1n, 1]]), { policy: "sometimes" as never }))).toBe(421)
    expect(await codeOf(() => ds.insert(U1, columns([[1n, 1]]), { policy: "never", roundBits: 70 }))).toBe(421)
    expect(await codeOf(() => ds.rawValues(U1, 0n, 10n, 0n, 0))).toBe(421)
    expect(await codeOf(() => ds.createStream("NOT-A-UUID"))).toBe(421)
  })

  it("450 for a version above the latest or never committed", async () => {
    const ds = await setup()
    for (const v of [12n, 9n, 1n, -1n]) {
      expect(await codeOf(() => ds.rawValues(U1, 0n, 10n, v))).toBe(450)
      expect(await codeOf(() => ds.alignedWindows(U1, 0n, 1024n, 4, v))).toBe(450)
      expect(await codeOf(() => ds.windows(U1, 0n, 100n, 10n, 0, v))).toBe(450)
      expect(await codeOf(() => ds.nearest(U1, 0n, v, false))).toBe(450)
      expect(await codeOf(() => ds.count(U1, 0n, 10n, v))).toBe(450)
    }
    expect(await codeOf(() => ds.changes(U1, 10n, 12n, 0))).toBe(450)
    expect(await codeOf(() => ds.changes(U1, 1n, 5n, 0))).toBe(450)
    expect(await codeOf(() => ds.rawValues(U1, 0n, 10n, 10n))).toBe(undefined)
  })

  it("427 for Changes with from > to", async () => {
    const ds = await setup()
    expect(await codeOf(() => ds.changes(U1, 11n, 10n, 0))).toBe(427)
    expect(await codeOf(() => ds.changes(U1, 12n, 0n, 0))).toBe(427)
  })

  it("401 when Nearest finds nothing", async () => {
    const ds = await setup()
    expect(await codeOf(() => ds.nearest(U1, 201n, 0n, false))).toBe(401)
    expect(await codeOf(() => ds.nearest(U1, 100n, 0n, true))).toBe(401)
    expect(await codeOf(() => ds.nearest(U1, 0n, 10n, false))).toBe(401)
  })

  it("417 and 429 on create", async () => {
    const ds = await setup()
    expect(await codeOf(() => ds.createStream(U1))).toBe(417)
    ds.createStream(U2)
    await ds.obliterate(U2)
    expect(await codeOf(() => ds.createStream(U2))).toBe(429)
    expect(await codeOf(() => ds.rawValues(U2, 0n, 10n, 0n))).toBe(404)
  })

  it("a rejected insert stores nothing", async () => {
    const ds = await setup()
    const before = ds.version(U1)
    await codeOf(() => ds.insert(U1, columns([[5n, 1], [6n, NaN]]), { policy: "never" }))
    await codeOf(() => ds.insert(U1, columns([[5n, 1], [MAX_TIME, 1]]), { policy: "never" }))
    expect(ds.version(U1)).toEqual(before)
    expect(ds.count(U1, MIN_TIME, MAX_TIME - 1n, 0n)).toBe(2n)
  })
})
