/**
 * The row grid of ArrowMultiValues (PROTOCOL.md §9.3): several streams' points merged into one row per time.
 *
 * - Period 0: one row per distinct timestamp of any stream; of several points of one stream at one time, the
 *   last stored wins.
 * - Period P > 0: each point snaps to the nearest multiple of P, `g = floor((2t + P) / 2P)·P` (a half-way point
 *   rounds up; the grid is anchored at the epoch), and is kept only when `start ≤ g < end`. Of several points of one
 *   stream on one grid time, the nearest wins, the earlier on a tie.
 *
 * A stream without a point at a row's time gets NaN; no row is made for a time where every stream is empty.
 */
import { ceilTo, floorDiv } from "../../internal/bigints.js"
import type { Columns } from "../data/DataStore.js"

/** A page of rows: `times[i]` and, per stream `j`, `columns[j][i]` (NaN where stream `j` has no point). */
export interface RowPage {
  readonly times: BigInt64Array
  readonly columns: ReadonlyArray<Float64Array>
}

/** The grid time a point at `t` snaps to with period `p` > 0. */
export const snapTime = (t: bigint, p: bigint): bigint => floorDiv(2n * t + p, 2n * p) * p

/**
 * The times `[lo, hi)` whose points snap into `[start, end)` with period `p` > 0: a point is kept exactly when
 * `lo ≤ t < hi` (the snap is monotonic). With `start` and `end` multiples of `p`, that is `[start - p/2, end - p/2)`.
 */
export const snapReadRange = (start: bigint, end: bigint, p: bigint): { lo: bigint; hi: bigint } => {
  const half = p / 2n
  return { lo: ceilTo(start, p) - half, hi: ceilTo(end, p) - half }
}

/** One stream's points, deduplicated per key (the time, or the grid time), in ascending key order. */
class Cursor {
  private readonly pages: Iterator<Columns>
  private page: Columns | undefined
  private i = 0
  /** The current key, undefined once the stream is exhausted. */
  key: bigint | undefined
  value = NaN

  constructor(
    pages: Iterable<Columns>,
    private readonly period: bigint,
    private readonly start: bigint,
    private readonly end: bigint
  ) {
    this.pages = pages[Symbol.iterator]()
    this.advance()
  }

  /** The next raw point's time, loading pages as needed; undefined at the end. */
  private peek(): bigint | undefined {
    while (this.page === undefined || this.i >= this.page.times.length) {
      const next = this.pages.next()
      if (next.done === true) {
        this.page = undefined
        return undefined
      }
      this.page = next.value
      this.i = 0
    }
    return this.page.times[this.i]!
  }

  /** Moves to the next key, consuming every point that falls on it. */
  advance(): void {
    const p = this.period
    for (;;) {
      const t = this.peek()
      if (t === undefined) {
        this.key = undefined
        return
      }
      const key = p === 0n ? t : snapTime(t, p)
      if (key < this.start) {
        this.i++
        continue
      }
      if (key >= this.end) {
        this.key = undefined
        return
      }
      this.key = key
      let best = -1n
      for (;;) {
        const u = this.peek()
        if (u === undefined) return
        if ((p === 0n ? u : snapTime(u, p)) !== key) return
        const v = this.page!.values[this.i]!
        if (p === 0n) this.value = v // the last stored wins
        else {
          const distance = u > key ? u - key : key - u
          if (best < 0n || distance < best) { // the nearest wins, the earlier on a tie
            best = distance
            this.value = v
          }
        }
        this.i++
      }
    }
  }
}

/**
 * Merges the streams' points (each an ascending, lazily paged read) into pages of at most `pageRows` rows. Yields
 * at least one page, possibly empty.
 */
export function* mergeRows(
  streams: ReadonlyArray<Iterable<Columns>>,
  period: bigint,
  start: bigint,
  end: bigint,
  pageRows: number
): Generator<RowPage, void, undefined> {
  const cursors = streams.map((pages) => new Cursor(pages, period, start, end))
  const k = cursors.length
  let times = new BigInt64Array(pageRows)
  let columns = cursors.map(() => new Float64Array(pageRows))
  let n = 0
  let sent = false
  for (;;) {
    let min: bigint | undefined
    for (const c of cursors) if (c.key !== undefined && (min === undefined || c.key < min)) min = c.key
    if (min === undefined) break
    times[n] = min
    for (let j = 0; j < k; j++) {
      const c = cursors[j]!
      if (c.key === min) {
        columns[j]![n] = c.value
        c.advance()
      } else columns[j]![n] = NaN
    }
    n++
    if (n === pageRows) {
      yield { times, columns }
      sent = true
      times = new BigInt64Array(pageRows)
      columns = cursors.map(() => new Float64Array(pageRows))
      n = 0
    }
  }
  if (n > 0 || !sent) yield { times: times.subarray(0, n), columns: columns.map((c) => c.subarray(0, n)) }
}
