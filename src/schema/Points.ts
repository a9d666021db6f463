/**
 * Points and window statistics as they cross the API: columns of typed arrays, never an object per point.
 *
 * A read is an effect `Stream` of pages; each page is one server message decoded into columns and carries the
 * version that served it. The `concat*` functions join pages into one (what the `…Collected` operations return).
 *
 * ```ts
 * const page: Points.Points = yield* stream.valuesCollected({ start: "2024-01-01", end: "2024-01-02" })
 * for (let i = 0; i < page.times.length; i++) console.log(page.times[i], page.values[i])
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { Uuid } from "./Uuid.js"

/**
 * How an insert treats points whose time is already stored (PROTOCOL.md §7.9):
 * - `"never"` (the default): keep every point, duplicates included;
 * - `"equal"`: drop a new point when one with the same time and value exists;
 * - `"retain"`: at an equal time keep the stored point;
 * - `"replace"`: at an equal time the new point overwrites.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MergePolicy = Schema.Literal("never", "equal", "retain", "replace")

/**
 * @since 0.1.0
 * @category models
 */
export type MergePolicy = typeof MergePolicy.Type

/**
 * One point: a time in nanoseconds and its value.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawPoint {
  readonly time: bigint
  readonly value: number
}

/**
 * A point with the stream version that served it (the answer of `nearest`, `earliest`, `latest`, `current`).
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionedPoint extends RawPoint {
  readonly version: bigint
}

/**
 * Points as columns: `times[i]` (ns since the epoch, ascending) carries `values[i]`; `version` served them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Points {
  readonly times: BigInt64Array
  readonly values: Float64Array
  readonly version: bigint
}

/**
 * Window statistics as columns: window `i` starts at `times[i]`; `count` is exact (`BigUint64Array`, as the wire's
 * fixed64), `stddev` the population standard deviation. An empty window (only `windows` sends them) has count 0 and
 * every statistic 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface Windows {
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: BigUint64Array
  readonly stddev: Float64Array
  readonly version: bigint
}

/**
 * The name of one window statistic.
 *
 * @since 0.1.0
 * @category models
 */
export type StatName = "min" | "mean" | "max" | "count" | "stddev"

/**
 * Changed time ranges as columns: `[start[i], end[i])`, sorted and merged; `version` is the "to" version.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangedRanges {
  readonly start: BigInt64Array
  readonly end: BigInt64Array
  readonly version: bigint
}

/**
 * The points of one accepted insert into stream `uuid`, as a subscription delivers them: in the order the insert
 * carried them (not sorted), `times[i]` (ns) with `values[i]`. An insert of more than 50 000 points may come as
 * several of these.
 *
 * @since 0.1.0
 * @category models
 */
export interface InsertedPoints {
  readonly uuid: Uuid
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/**
 * Points to insert as two columns of equal length. Plain arrays are accepted and copied into typed arrays.
 *
 * @since 0.1.0
 * @category models
 */
export interface InsertColumns {
  readonly times: BigInt64Array | ReadonlyArray<bigint>
  readonly values: Float64Array | ReadonlyArray<number>
}

/**
 * What `insert` accepts: columns, or `[time, value]` pairs (a time as `bigint` ns, `Date` or ISO-8601 text).
 *
 * @since 0.1.0
 * @category models
 */
export type InsertData = InsertColumns | ReadonlyArray<readonly [bigint | Date | string, number]>

/**
 * Empty points served by `version`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyPoints = (version = 0n): Points => ({
  times: new BigInt64Array(0),
  values: new Float64Array(0),
  version
})

/**
 * Empty windows served by `version`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyWindows = (version = 0n): Windows => ({
  times: new BigInt64Array(0),
  min: new Float64Array(0),
  mean: new Float64Array(0),
  max: new Float64Array(0),
  count: new BigUint64Array(0),
  stddev: new Float64Array(0),
  version
})

const join = <A extends BigInt64Array | BigUint64Array | Float64Array>(
  make: new(n: number) => A,
  columns: ReadonlyArray<A>
): A => {
  if (columns.length === 1) return columns[0]!
  let n = 0
  for (const c of columns) n += c.length
  const out = new make(n)
  let offset = 0
  for (const c of columns) {
    ;(out as Float64Array).set(c as Float64Array, offset)
    offset += c.length
  }
  return out
}

const lastVersion = (pages: ReadonlyArray<{ readonly version: bigint }>): bigint =>
  pages.length === 0 ? 0n : pages[pages.length - 1]!.version

/**
 * Joins pages of points into one, in order; the version is the last page's (0 when there is none).
 *
 * @since 0.1.0
 * @category combinators
 */
export const concatPoints = (pages: Iterable<Points>): Points => {
  const all = Array.from(pages)
  return {
    times: join(BigInt64Array, all.map((p) => p.times)),
    values: join(Float64Array, all.map((p) => p.values)),
    version: lastVersion(all)
  }
}

/**
 * Joins pages of windows into one, in order; the version is the last page's (0 when there is none).
 *
 * @since 0.1.0
 * @category combinators
 */
export const concatWindows = (pages: Iterable<Windows>): Windows => {
  const all = Array.from(pages)
  return {
    times: join(BigInt64Array, all.map((p) => p.times)),
    min: join(Float64Array, all.map((p) => p.min)),
    mean: join(Float64Array, all.map((p) => p.mean)),
    max: join(Float64Array, all.map((p) => p.max)),
    count: join(BigUint64Array, all.map((p) => p.count)),
    stddev: join(Float64Array, all.map((p) => p.stddev)),
    version: lastVersion(all)
  }
}

/**
 * Joins pages of changed ranges into one, in order; the version is the last page's (0 when there is none).
 *
 * @since 0.1.0
 * @category combinators
 */
export const concatRanges = (pages: Iterable<ChangedRanges>): ChangedRanges => {
  const all = Array.from(pages)
  return {
    start: join(BigInt64Array, all.map((p) => p.start)),
    end: join(BigInt64Array, all.map((p) => p.end)),
    version: lastVersion(all)
  }
}

/**
 * The points of a page as `[time, value]` pairs (an object per point: for small results and tests).
 *
 * @since 0.1.0
 * @category conversions
 */
export const toPairs = (points: Pick<Points, "times" | "values">): Array<[bigint, number]> =>
  Array.from(points.times, (t, i) => [t, points.values[i]!])

/**
 * One statistic of windows as a `Float64Array` (`count` converted to numbers).
 *
 * @since 0.1.0
 * @category conversions
 */
export const statColumn = (windows: Windows, stat: StatName): Float64Array =>
  stat === "count" ? Float64Array.from(windows.count, Number) : windows[stat]
