/**
 * Property tests: random sequences of inserts (every merge policy), deletes and flushes, then every
 * read at random versions and ranges, against a naive model (a sorted array of points per version).
 * A small leaf capacity makes deep trees (splits, collapses, pw-2 leaves) out of few points.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DataStore, type MergePolicy } from "../../../src/engine/data/DataStore.js"
import { FIRST_VERSION, MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"
import { codeOf, columns, expectPoints, expectStats, ranges, rawPoints, rmDir, stats, tmpDir, U1 } from "./helpers.js"
import { Model } from "./model.js"

/** Multiplies every numRuns (e.g. BTRDB_PROPERTY_SCALE=20 for a long soak). */
const SCALE = Number(process.env.BTRDB_PROPERTY_SCALE ?? 1)
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE))

const LAST = MAX_TIME - 2n
const clamp = (t: bigint): bigint => (t < MIN_TIME ? MIN_TIME : t > LAST ? LAST : t)
const CENTERS = [MIN_TIME, MIN_TIME + 70_000n, -4096n, 0n, 1_500_000_000_000_000_000n, LAST - 65_536n, LAST]

/** A small pool of times (with neighbours) so that collisions and adjacent timestamps are common. */
const POOL = [...new Set(CENTERS.flatMap((c) => [0n, 1n, 2n, 3n, 63n, 64n, 100n, -1n].map((d) => clamp(c + d))))]

const timeArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...POOL) },
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom(...CENTERS), fc.integer({ min: -300, max: 300 })).map(([c, o]) =>
      clamp(c + BigInt(o))
    )
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...CENTERS), fc.bigInt({ min: -(1n << 44n), max: 1n << 44n })).map((
      [c, o]
    ) => clamp(c + o))
  },
  { weight: 1, arbitrary: fc.bigInt({ min: MIN_TIME, max: LAST }) }
)
const queryTimeArb = fc.oneof(
  { weight: 5, arbitrary: timeArb },
  { weight: 1, arbitrary: fc.constantFrom(MIN_TIME, MAX_TIME - 1n, MIN_TIME - 1n, MAX_TIME, 0n) }
)
const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 3, arbitrary: fc.integer({ min: -20, max: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 0.5, -2.25, 1e6, 1234.5678) }
)
const policyArb = fc.constantFrom<MergePolicy>("never", "equal", "retain", "replace")

type Op =
  | { kind: "insert"; policy: MergePolicy; points: Array<[bigint, number]>; sync: boolean }
  | { kind: "delete"; a: bigint; b: bigint }
  | { kind: "flush" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      policy: policyArb,
      points: fc.oneof(
        fc.array(fc.tuple(timeArb, valueArb), { maxLength: 3 }),
        fc.array(fc.tuple(timeArb, valueArb), { maxLength: 70, size: "max" })
      ),
      sync: fc.boolean()
    })
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), a: timeArb, b: timeArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flush" as const) }) }
)

type Query =
  | { kind: "raw"; v: number; a: bigint; b: bigint; page: number }
  | { kind: "count"; v: number; a: bigint; b: bigint }
  | { kind: "aligned"; v: number; a: bigint; b: bigint; pw: number; page: number }
  | { kind: "windows"; v: number; a: bigint; b: bigint; k: number; extra: bigint; page: number }
  | { kind: "nearest"; v: number; a: bigint; backward: boolean }
  | { kind: "changes"; from: number; to: number; res: number; page: number }

const vArb = fc.nat({ max: 1000 })
const pageArb = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(5000))
const queryArb: fc.Arbitrary<Query> = fc.oneof(
  fc.record({ kind: fc.constant("raw" as const), v: vArb, a: queryTimeArb, b: queryTimeArb, page: pageArb }),
  fc.record({ kind: fc.constant("count" as const), v: vArb, a: queryTimeArb, b: queryTimeArb }),
  fc.record({
    kind: fc.constant("aligned" as const),
    v: vArb,
    a: queryTimeArb,
    b: queryTimeArb,
    pw: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 12 })),
    page: pageArb
  }),
  fc.record({
    kind: fc.constant("windows" as const),
    v: vArb,
    a: queryTimeArb,
    b: queryTimeArb,
    k: fc.integer({ min: 1, max: 40 }),
    extra: fc.bigInt({ min: 0n, max: 3n }),
    page: pageArb
  }),
  fc.record({ kind: fc.constant("nearest" as const), v: vArb, a: queryTimeArb, backward: fc.boolean() }),
  fc.record({
    kind: fc.constant("changes" as const),
    from: vArb,
    to: vArb,
    res: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 10 })),
    page: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(1000))
  })
)

/** Picks a version: 0 (latest) or one of the committed majors. */
const pickVersion = (m: Model, sel: number): bigint => {
  const n = m.versions.length
  const k = sel % (n + 1)
  return k === 0 ? 0n : FIRST_VERSION + BigInt(k - 1)
}

const order = (a: bigint, b: bigint): [bigint, bigint] => (a <= b ? [a, b] : [b, a])

const apply = async (ds: DataStore, m: Model, op: Op): Promise<void> => {
  if (op.kind === "insert") {
    const v = await ds.insert(U1, columns(op.points), { policy: op.policy, sync: op.sync })
    m.insert(op.points.map(([t, x]) => ({ t, v: x })), op.policy)
    expect(v).toEqual({ major: m.latest, minor: 0n })
  } else if (op.kind === "delete") {
    const [a, b] = order(op.a, op.b)
    if (a === b) {
      expect(await codeOf(() => ds.delete(U1, a, b))).toBe(413)
      return
    }
    const v = await ds.delete(U1, a, b)
    m.delete(a, b)
    expect(v).toEqual({ major: m.latest, minor: 0n })
  } else {
    expect(await ds.flush(U1)).toEqual({ major: m.latest, minor: 0n })
  }
}

const check = async (ds: DataStore, m: Model, q: Query): Promise<void> => {
  switch (q.kind) {
    case "raw": {
      const v = pickVersion(m, q.v)
      const [a, b] = order(q.a, q.b)
      if (a < MIN_TIME || b >= MAX_TIME || a >= b) {
        expect(await codeOf(() => ds.rawValues(U1, a, b, v, q.page))).toBe(413)
        return
      }
      const r = ds.rawValues(U1, a, b, v, q.page)
      expect(r.version.major).toBe(v === 0n ? m.latest : v)
      expectPoints(rawPoints(r, q.page), m.raw(v, a, b))
      return
    }
    case "count": {
      const v = pickVersion(m, q.v)
      const [a, b] = order(q.a, q.b)
      if (a < MIN_TIME || b >= MAX_TIME || a >= b) {
        expect(await codeOf(() => ds.count(U1, a, b, v))).toBe(413)
        return
      }
      expect(ds.count(U1, a, b, v)).toBe(BigInt(m.raw(v, a, b).length))
      return
    }
    case "aligned": {
      const v = pickVersion(m, q.v)
      const [a, b] = order(q.a, q.b)
      const want = m.aligned(v, a, b, q.pw)
      if (typeof want === "number") {
        expect(await codeOf(() => ds.alignedWindows(U1, a, b, q.pw, v, q.page))).toBe(want)
        return
      }
      expectStats(stats(ds.alignedWindows(U1, a, b, q.pw, v, q.page), q.page), want)
      return
    }
    case "windows": {
      const v = pickVersion(m, q.v)
      const [a, b] = order(q.a, q.b)
      let width = (b - a) / BigInt(q.k) + q.extra
      if (width <= 0n) width = 1n
      const want = m.windows(v, a, b, width)
      if (typeof want === "number") {
        expect(await codeOf(() => ds.windows(U1, a, b, width, 0, v, q.page))).toBe(want)
        return
      }
      expectStats(stats(ds.windows(U1, a, b, width, 0, v, q.page), q.page), want)
      return
    }
    case "nearest": {
      const v = pickVersion(m, q.v)
      if (q.a < MIN_TIME || q.a >= MAX_TIME) {
        expect(await codeOf(() => ds.nearest(U1, q.a, v, q.backward))).toBe(413)
        return
      }
      const want = m.nearest(v, q.a, q.backward)
      if (want === null) {
        expect(await codeOf(() => ds.nearest(U1, q.a, v, q.backward))).toBe(401)
        return
      }
      const got = ds.nearest(U1, q.a, v, q.backward)
      expect(got.time).toBe(want.t)
      expect(Object.is(got.value, want.v)).toBe(true)
      return
    }
    case "changes": {
      // from: anything in 0..latest (0 and < 10 mean "from the empty stream"); to: 0 or a committed major.
      const n = m.versions.length
      const fromSel = q.from % (n + 3)
      const from = fromSel === 0 ? 0n : fromSel <= 2 ? BigInt(fromSel * 3) : FIRST_VERSION + BigInt(fromSel - 3)
      const to = pickVersion(m, q.to)
      const toR = to === 0n ? m.latest : to
      const fromR = from === 0n ? 1n : from
      if (fromR > toR) {
        expect(await codeOf(() => ds.changes(U1, from, to, q.res, q.page))).toBe(427)
        return
      }
      const r = ds.changes(U1, from, to, q.res, q.page)
      expect(r.version.major).toBe(toR)
      expect(ranges(r, q.page)).toEqual(m.changes(fromR, toR, q.res))
      return
    }
  }
}

const run = async (ds: DataStore, ops: ReadonlyArray<Op>, queries: ReadonlyArray<Query>): Promise<Model> => {
  const m = new Model()
  expect(ds.createStream(U1)).toEqual({ major: FIRST_VERSION, minor: 0n })
  for (const op of ops) await apply(ds, m, op)
  for (const q of queries) await check(ds, m, q)
  return m
}

describe("DataStore against a naive model", () => {
  it("in memory, leaf capacity 4", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 16, size: "max" }),
        fc.array(queryArb, { maxLength: 30, size: "max" }),
        async (ops, qs) => {
          const ds = await DataStore.open({ leafCapacity: 4 })
          await run(ds, ops, qs)
        }
      ),
      { numRuns: runs(400) }
    )
  })

  it("in memory, leaf capacity 64 and larger batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constant("insert" as const),
            policy: policyArb,
            points: fc.array(fc.tuple(timeArb, valueArb), { maxLength: 400, size: "max" }),
            sync: fc.constant(false)
          }),
          { maxLength: 5 }
        ),
        fc.array(opArb, { maxLength: 6 }),
        fc.array(queryArb, { maxLength: 25 }),
        async (big, ops, qs) => {
          const ds = await DataStore.open({ leafCapacity: 64 })
          await run(ds, [...big, ...ops], qs)
        }
      ),
      { numRuns: runs(60) }
    )
  })

  it("on disk with a tiny cache, then after reopening", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 10, size: "max" }),
        fc.array(queryArb, { maxLength: 15, size: "max" }),
        async (ops, qs) => {
          const dir = tmpDir("prop")
          try {
            const ds = await DataStore.open({ dir, leafCapacity: 4, cacheBytes: 16 * 1024, commitDelayMs: 5 })
            const m = await run(ds, ops, qs)
            await ds.close()
            const again = await DataStore.open({ dir, leafCapacity: 4, cacheBytes: 16 * 1024 })
            expect(again.version(U1).major).toBe(m.latest)
            for (let v = FIRST_VERSION; v <= m.latest; v++) {
              expectPoints(rawPoints(again.rawValues(U1, MIN_TIME, MAX_TIME - 1n, v)), m.at(v))
            }
            for (const q of qs) await check(again, m, q)
            await again.close()
          } finally {
            rmDir(dir)
          }
        }
      ),
      { numRuns: runs(40) }
    )
  })
})
