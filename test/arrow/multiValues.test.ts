/**
 * The row grid of ArrowMultiValues (PROTOCOL.md §9.3) on the engine's merge alone: the pinned examples, the UNKNOWN
 * choices (last stored wins a duplicate at period 0; nearest wins, earlier on a tie, when snapping), and a
 * comparison with a naive model on random points.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { mergeRows, snapReadRange, snapTime } from "../../src/engine/arrow/multiValues.js"
import { S1_POINTS, S1_S2_ROWS, S2_POINTS } from "../contract/reference.js"

const SECOND = 1_000_000_000n

const series = (points: ReadonlyArray<readonly [bigint, number]>) => ({
  times: BigInt64Array.from(points.map((p) => p[0])),
  values: Float64Array.from(points.map((p) => p[1]))
})

/** The points of `[lo, hi)` in pages of `size`, as the data store reads them. */
const pagesOf = (s: ReturnType<typeof series>, lo: bigint, hi: bigint, size = 2) => {
  const keep = Array.from(s.times.keys()).filter((i) => s.times[i]! >= lo && s.times[i]! < hi)
  const pages = []
  for (let i = 0; i < keep.length; i += size) {
    const idx = keep.slice(i, i + size)
    pages.push({
      times: BigInt64Array.from(idx.map((k) => s.times[k]!)),
      values: Float64Array.from(idx.map((k) => s.values[k]!))
    })
  }
  return pages.length === 0 ? [{ times: new BigInt64Array(0), values: new Float64Array(0) }] : pages
}

const rows = (
  streams: ReadonlyArray<ReturnType<typeof series>>,
  start: bigint,
  end: bigint,
  period = 0n,
  pageRows = 50_000
) => {
  const { hi, lo } = period === 0n ? { lo: start, hi: end } : snapReadRange(start, end, period)
  const out: Array<[bigint, ...Array<number>]> = []
  let pages = 0
  for (const page of mergeRows(streams.map((s) => pagesOf(s, lo, hi)), period, start, end, pageRows)) {
    pages++
    page.times.forEach((t, i) => out.push([t, ...page.columns.map((c) => c[i]!)]))
  }
  return { rows: out, pages }
}

describe("ArrowMultiValues grid", () => {
  it("period 0: one row per distinct time, NaN where a stream has no point (the s1/s2 table)", () => {
    expect(rows([series(S1_POINTS), series(S2_POINTS)], 100n, 121n).rows).toEqual(S1_S2_ROWS)
  })

  it("period 0: of duplicates within one stream, the last stored wins", () => {
    const s = series([[100n, 1], [100n, 2], [100n, 3], [101n, 4]])
    expect(rows([s], 0n, 1000n).rows).toEqual([[100n, 3], [101n, 4]])
  })

  it("snap: g = floor((2t + P) / 2P)·P, half-way rounds up, negative times floor", () => {
    expect(snapTime(500_000_000n, SECOND)).toBe(SECOND)
    expect(snapTime(499_999_999n, SECOND)).toBe(0n)
    expect(snapTime(-500_000_000n, SECOND)).toBe(0n)
    expect(snapTime(-500_000_001n, SECOND)).toBe(-SECOND)
    expect(snapTime(7n, 3n)).toBe(6n)
    expect(snapTime(8n, 3n)).toBe(9n)
  })

  it("P = 1 s over [1 s, 3 s): 0.5 s snaps to 1 s and is kept, 0.5 s - 1 ns snaps to 0 and is dropped", () => {
    const a = series([[SECOND / 2n, 1], [2n * SECOND, 2]])
    expect(rows([a], SECOND, 3n * SECOND, SECOND).rows).toEqual([[SECOND, 1], [2n * SECOND, 2]])
    const b = series([[SECOND / 2n - 1n, 1], [2n * SECOND, 2]])
    const c = series([[SECOND, 3]])
    expect(rows([b, c], SECOND, 3n * SECOND, SECOND).rows).toEqual([[SECOND, NaN, 3], [2n * SECOND, 2, NaN]])
  })

  it("points at 1 s, 2 s and 2.75 s with end 3 s (or 2.9 s) give rows [1 s, 2 s]", () => {
    const s = series([[SECOND, 1], [2n * SECOND, 2], [2_750_000_000n, 3]])
    for (const end of [3n * SECOND, 2_900_000_000n]) {
      expect(rows([s], SECOND, end, SECOND).rows.map((r) => r[0])).toEqual([SECOND, 2n * SECOND])
    }
  })

  it("snap: the nearest point wins, the earlier on a tie; a grid time where every stream is empty has no row", () => {
    const s = series([[900n, 1], [1050n, 2], [1100n, 3], [1100n, 4], [3000n, 5]])
    // 900 (distance 100) and 1050 (50) and 1100 (100) snap to 1000: 1050 wins; 3000 is alone at 3000; no row at 2000
    expect(rows([s], 0n, 10_000n, 1000n).rows).toEqual([[1000n, 2], [3000n, 5]])
    const tie = series([[1100n, 7], [1100n, 8]])
    expect(rows([tie], 0n, 10_000n, 1000n).rows).toEqual([[1000n, 7]])
  })

  it("30 Hz data read at f Hz gives about f/30 of the rows", () => {
    const p30 = BigInt(Math.floor(1e9 / 30))
    const s = series(Array.from({ length: 300 }, (_, i) => [BigInt(i) * p30, i] as const)) // 10 s of 30 Hz
    for (const f of [1, 10, 30]) {
      const period = BigInt(Math.floor(1e9 / f))
      const n = rows([s], 0n, 10n * SECOND, period).rows.length
      expect(n).toBeGreaterThanOrEqual(f * 10 - 1)
      expect(n).toBeLessThanOrEqual(f * 10)
    }
  })

  it("pages of at most pageRows rows; an empty merge is one empty page", () => {
    const s = series(Array.from({ length: 7 }, (_, i) => [BigInt(i), i] as const))
    const r = rows([s], 0n, 100n, 0n, 3)
    expect(r.pages).toBe(3)
    expect(r.rows.length).toBe(7)
    expect(rows([series([])], 0n, 100n)).toEqual({ rows: [], pages: 1 })
    expect(rows([], 0n, 100n)).toEqual({ rows: [], pages: 1 })
  })

  it("agrees with a naive model on random points and periods", () => {
    const point = fc.tuple(fc.bigInt({ min: -50n, max: 150n }), fc.integer({ min: -100, max: 100 }))
    fc.assert(
      fc.property(
        fc.array(fc.array(point, { maxLength: 20 }), { minLength: 1, maxLength: 3 }),
        fc.bigInt({ min: 0n, max: 20n }),
        fc.bigInt({ min: -20n, max: 60n }),
        fc.bigInt({ min: 1n, max: 80n }),
        (raw, period, start, span) => {
          const end = start + span
          const streams = raw.map((points) =>
            series([...points].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
          )
          // the model: key every point, keep [start, end), pick per key, rows where any stream has a value
          const picked = streams.map((s) => {
            const best = new Map<bigint, { v: number; d: bigint }>()
            s.times.forEach((t, i) => {
              const g = period === 0n ? t : snapTime(t, period)
              if (g < start || g >= end) return
              const d = t > g ? t - g : g - t
              const cur = best.get(g)
              if (cur === undefined || (period === 0n ? true : d < cur.d)) best.set(g, { v: s.values[i]!, d })
            })
            return best
          })
          const keys = [...new Set(picked.flatMap((m) => [...m.keys()]))].sort((a, b) => (a < b ? -1 : 1))
          const want = keys.map((k) => [k, ...picked.map((m) => m.get(k)?.v ?? NaN)])
          expect(rows(streams, start, end, period, 4).rows).toEqual(want)
        }
      ),
      { numRuns: 300 }
    )
  })
})
