/**
 * Points and window statistics as they cross the API: columns of typed arrays, never an object per point.
 *
 * A read is an effect `Stream` of pages; each page is one server message decoded into columns and carries the
 * version that served it. The `concat*` functions join pages into one (what the `…Collected` operations return).
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const page: Points.Points = yield* stream.valuesCollected({ start: "2024-01-01", end: "2024-01-02" })
 *   for (let i = 0; i < page.times.length; i++) console.log(page.times[i], page.values[i])
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { MERGE_POLICIES } from "../internal/mergePolicy.js"
import type { Uuid } from "./Uuid.js"

/**
 * How an insert treats points whose time is already stored (PROTOCOL.md §7.9):
 * - `"never"` (the default): keep every point, duplicates included;
 * - `"equal"`: drop a new point when one with the same time and value exists;
 * - `"retain"`: at an equal time keep the stored point;
 * - `"replace"`: at an equal time the new point overwrites.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Points.MergePolicy)("replace")
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const MergePolicy = Schema.Literals(MERGE_POLICIES)

/**
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const merge: Points.MergePolicy = "retain"
 *   yield* stream.insert([[1_000n, 1.5]], { merge })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type MergePolicy = typeof MergePolicy.Type

/**
 * One point: a time in nanoseconds and its value.
 *
 * @example
 * ```ts
 * const point: Points.RawPoint = { time: 1_000n, value: 1.5 }
 * ```
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
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const latest = yield* stream.latest() // Option<VersionedPoint>
 *   if (Option.isSome(latest)) console.log(latest.value.time, latest.value.value, latest.value.version)
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface VersionedPoint extends RawPoint {
  readonly version: bigint
}

/**
 * Points as columns: `times[i]` (ns since the epoch, ascending) carries `values[i]`; `version` served them.
 *
 * The two columns of a page may be views of one ArrayBuffer (those of a page read over gRPC are), as a
 * {@link Windows} page's: see there what that means for keeping a column or transferring a page.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { times, values, version } = yield* stream.valuesCollected({ start: 0n, end: Time.now() })
 * })
 * ```
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
 * every statistic 0, as BTrDB sends it; `windows({ …, empty: "nan" })` reads its statistics as NaN and
 * `empty: "drop"` leaves it out (see `Stream.WindowsOptions`).
 *
 * The columns of a page may be views of one ArrayBuffer, each in a part of its own: those of a page read over
 * gRPC are (one allocation a page rather than six, which a short read pays more for than for decoding its
 * windows). So keeping one column alive may keep the whole page's buffer alive (copy it, `mean.slice()`, to keep
 * it alone), and a transfer list for a worker must name each distinct buffer once (`new Set(columns.map((c) =>
 * c.buffer))`): naming one twice is refused. Pages joined by `concatWindows` (collected reads of more than one
 * page) have columns of their own.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { mean, count, times } = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 hour" })
 * })
 * ```
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
 * What a `windows` read does with a window without points: `"zeros"` keeps it as BTrDB sends it (count 0, every
 * statistic 0), `"nan"` reads its min, mean, max and stddev as NaN (count 0), `"drop"` leaves it out.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const empty: Points.EmptyWindows = "nan"
 *   const windows = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 minute", empty })
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export type EmptyWindows = "zeros" | "nan" | "drop"

/**
 * The name of one window statistic.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const stat: Points.StatName = "max"
 *   const rows = yield* set.rows({ window: { width: "1 minute" }, stat })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type StatName = "min" | "mean" | "max" | "count" | "stddev"

/**
 * Changed time ranges as columns: `[start[i], end[i])`, sorted and merged; `version` is the "to" version.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { start, end } = yield* stream.changesCollected({ from: 1n })
 * })
 * ```
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
 * @example
 * ```ts
 * const updates = stream.subscribe().pipe(Stream.map((p: Points.InsertedPoints) => p.times.length))
 * ```
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
 * @example
 * ```ts
 * const data: Points.InsertColumns = { times: BigInt64Array.of(1_000n, 2_000n), values: Float64Array.of(1.5, 2.5) }
 * ```
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
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const rows: Points.InsertData = [[1_000n, 1.5], [new Date(), 2.5], ["2024-01-01T00:00:00Z", 3.5]]
 *   yield* stream.insert(rows)
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type InsertData = InsertColumns | ReadonlyArray<readonly [bigint | Date | string, number]>

/**
 * Empty points served by `version`.
 *
 * @example
 * ```ts
 * Points.emptyPoints().times.length // 0
 * ```
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
 * @example
 * ```ts
 * Points.emptyWindows(3n).version // 3n
 * ```
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
 * @example
 * ```ts
 * const pages = stream.values({ start: 0n, end: Time.now() }).pipe(Stream.runCollect)
 * const all = Effect.map(pages, Points.concatPoints) // one Points, the last page's version
 * ```
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
 * @example
 * ```ts
 * const pages = stream.windows({ start: 0n, end: Time.now(), width: "1 hour" }).pipe(Stream.runCollect)
 * const all = Effect.map(pages, Points.concatWindows)
 * ```
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
 * @example
 * ```ts
 * const pages = stream.changes({ from: 1n }).pipe(Stream.runCollect)
 * const all = Effect.map(pages, Points.concatRanges)
 * ```
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
 * @example
 * ```ts
 * Points.toPairs({ times: BigInt64Array.of(1n), values: Float64Array.of(2.5) }) // [[1n, 2.5]]
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const toPairs = (points: Pick<Points, "times" | "values">): Array<[bigint, number]> =>
  Array.from(points.times, (t, i) => [t, points.values[i]!])

/**
 * One statistic of windows as a `Float64Array` (`count` converted to numbers).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const windows = yield* stream.alignedWindowsCollected({ start: 0n, end: Time.now(), pointwidth: 30 })
 *   const counts = Points.statColumn(windows, "count") // Float64Array
 * })
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const statColumn = (windows: Windows, stat: StatName): Float64Array =>
  stat === "count" ? Float64Array.from(windows.count, Number) : windows[stat]
