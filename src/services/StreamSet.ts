/**
 * An immutable set of stream handles, with the versions reads are pinned to and a time filter: the Python
 * client's `StreamSet`. `BTrDB.streams` and `BTrDB.streamsInCollection` return one; it is iterable as its handles.
 * Every operation that changes the set (`filter`, `pinVersions`) returns a new set.
 *
 * Work on several streams runs concurrently, at most `concurrency` streams at a time (default
 * {@link DEFAULT_CONCURRENCY}); results come back in the set's order.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const set = yield* db.streamsInCollection("sunshine/PMU1")
 *   const day = yield* set.filter({ start: "2024-05-01", end: "2024-05-02", unit: "volts" })
 *   const pinned = yield* day.pinVersions()
 *   const table = yield* pinned.rows()            // one row per distinct time, NaN where a stream has no point
 *   const hourly = yield* pinned.windows({ width: "1 hour" })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as PlatformError from "effect/PlatformError"
import * as Schema from "effect/Schema"
import type * as Sink from "effect/Sink"
import type * as EStream from "effect/Stream"
import * as E from "../errors/BTrDBError.js"
import { timeType } from "../internal/arrow.js"
import type { StreamDescriptor } from "../schema/Metadata.js"
import {
  type InsertData,
  type InsertedPoints,
  type MergePolicy,
  type Points,
  type StatName,
  type VersionedPoint,
  type Windows
} from "../schema/Points.js"
import {
  type DurationInput,
  MAXIMUM_TIME,
  MINIMUM_TIME,
  NanosFromDuration,
  now,
  TimeFromInput,
  type TimeInput
} from "../schema/Time.js"
import { type Uuid, UuidFromString } from "../schema/Uuid.js"
import { operation, streamOperation } from "./internal/Client.js"
import { align, joinWindows, snap, windowColumn } from "./internal/columns.js"
import { alignedWindowEnd, PointWidthSchema, windowEnd } from "./internal/stream/arguments.js"
import { connectionOf, subscribe } from "./internal/stream/handle.js"
import * as Transformers from "./internal/transformers.js"
import { validate, VersionSchema } from "./internal/validate.js"
import {
  arrowMultiValues,
  type InsertErrors,
  type MetadataErrors,
  type ReadErrors,
  type Stream,
  type SubscribeErrors,
  type VersionInput,
  type WindowsErrors,
  type WindowsOptions
} from "./Stream.js"

/**
 * @example
 * ```ts
 * const isSet = (u: object) => StreamSet.TypeId in u
 * ```
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/StreamSet")

/**
 * @example
 * ```ts
 * const id: StreamSet.TypeId = StreamSet.TypeId
 * ```
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * How many streams are worked on at once by default.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const all = yield* set.values({ concurrency: StreamSet.DEFAULT_CONCURRENCY * 2 })
 * })
 * ```
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CONCURRENCY = 4

/**
 * The time filter of a set: reads cover `[start, end)` (`Time.MINIMUM_TIME` / `Time.MAXIMUM_TIME` when unset).
 * With `samplingFrequency` (Hz), `rows` and `arrowValues` of raw values snap every time to a grid of
 * P = ⌊1e9 / samplingFrequency⌋ ns (the Arrow multi-stream read's `snapPeriodNs`, PROTOCOL.md §9.3).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const filtered = yield* set.filter({ start: 0n, end: Time.now() })
 *   const { start, end }: StreamSet.Filters = filtered.filters
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Filters {
  readonly start?: bigint | undefined
  readonly end?: bigint | undefined
  readonly samplingFrequency?: number | undefined
}

/**
 * Arguments of `filter`. A string matches exactly, ignoring case; a `RegExp` matches when it finds a match
 * anywhere (`search`). `tags` and `annotations` match when the stream has every given key with exactly that value.
 * Times narrow the set's read range (a later filter's start or end replaces an earlier one).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const volts = yield* set.filter({ unit: "volts", name: /^phase/, start: "2024-01-01T00:00:00Z" })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface FilterOptions {
  readonly start?: TimeInput | undefined
  readonly end?: TimeInput | undefined
  readonly collection?: string | RegExp | undefined
  readonly name?: string | RegExp | undefined
  readonly unit?: string | RegExp | undefined
  readonly tags?: Readonly<Record<string, string>> | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
  readonly samplingFrequency?: number | undefined
}

/**
 * The `concurrency` option of the operations on several streams.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const pages = yield* set.values({ concurrency: 8 })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ConcurrencyOptions {
  readonly concurrency?: number | undefined
}

/**
 * The window reads `rows` can align: windows of `width` (see `Stream.windows`) or aligned windows of
 * 2^`pointwidth` ns.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const spec: StreamSet.WindowSpec = { width: "1 minute" } // or { pointwidth: 36 }
 *   const rows = yield* set.rows({ window: spec, stat: "mean" })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type WindowSpec =
  | { readonly width: DurationInput; readonly depth?: number | undefined }
  | { readonly pointwidth: number }

/**
 * Options of `rows`: raw values by default (snapped to the grid of the filter's `samplingFrequency` when it has
 * one); with `window`, one statistic (`stat`, default `"mean"`) of each window, NaN for an empty window.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const rows = yield* set.rows({ window: { width: "10 seconds" }, stat: "max", concurrency: 4 })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface RowsOptions extends ConcurrencyOptions {
  readonly window?: WindowSpec | undefined
  readonly stat?: StatName | undefined
}

/**
 * Options of `arrowValues`. Without `window`, raw values: one ArrowMultiValues call, snapped to the grid of the
 * filter's `samplingFrequency` when it has one, in the schema `schema` when given (time, then one float field per
 * stream). With `window`, one Arrow windows call per stream, joined on time (`schema` is then refused, as the
 * Python client refuses it).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const table = yield* set.arrowValues({ window: { pointwidth: 30 } })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ArrowValuesOptions extends ConcurrencyOptions {
  readonly window?: WindowSpec | undefined
  readonly schema?: arrow.Schema | undefined
}

/**
 * Points of several streams aligned on time: one row per distinct time of any stream, ascending; `columns[j][i]` is
 * stream `j`'s value at `times[i]`, NaN where it has none (NaN cannot be stored, so it always means "missing"). Of
 * several points of one stream at the same time, the last one is kept.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { columns, times, uuids } = yield* set.rows()
 *   console.log(times.length, uuids.length === columns.length)
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Rows {
  readonly times: BigInt64Array
  readonly uuids: ReadonlyArray<Uuid>
  readonly columns: ReadonlyArray<Float64Array>
}

/**
 * The statistics of windows the transformers write: one, several in the order given, or `"all"` (min, mean, max,
 * count, stddev).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const stat: StreamSet.StatSelection = ["min", "max"]
 *   const table = yield* set.toArrow({ window: { width: "1 minute" }, stat })
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export type StatSelection = StatName | ReadonlyArray<StatName> | "all"

/**
 * Options of the transformers (`toArrow`, `toArrowBatches`, `toRecords`, `toColumns`, `toCsv`, `toCsvStream`,
 * `toCsvFile`, `toText`), which all write the same table: a `time` column (ns), then one column per stream, or, with
 * `window`, one per stream and statistic. Rows are aligned on time as `rows` aligns them: one row per distinct time of
 * any stream, ascending, NaN where a stream has no value (a stream without points in the range is a column of NaN);
 * raw values snap to the grid of the filter's `samplingFrequency` when it has one. With `window`, a window without
 * points is NaN except its count, 0.
 *
 * - `window`: windows of `width` or aligned windows of 2^`pointwidth` ns instead of raw values;
 * - `stat`: with `window`, the statistic(s) written (default `"mean"`), see {@link StatSelection};
 * - `columnName`: the name of a stream's column, given the stream's metadata and, with `window`, the statistic;
 *   by default `collection/name`, and `collection/name/stat` when several statistics are written. Names must differ
 *   from each other and from `time`, else `InvalidArgument` names the duplicate.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const options: StreamSet.TransformOptions = {
 *     window: { width: "1 minute" },
 *     stat: "all",
 *     columnName: (stream, stat) => `${stream.name} (${stream.unit}) ${stat}`
 *   }
 *   const table = yield* set.toArrow(options)
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface TransformOptions extends ConcurrencyOptions {
  readonly window?: WindowSpec | undefined
  readonly stat?: StatSelection | undefined
  readonly columnName?: ((stream: StreamDescriptor, stat: StatName | undefined) => string) | undefined
}

/**
 * Options of `toText`: the first `head` and last `tail` rows are shown (default 5 each), with a row of `…` between
 * when rows are left out.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   console.log(yield* set.toText({ head: 3, tail: 3 }))
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface TextOptions extends TransformOptions {
  readonly head?: number | undefined
  readonly tail?: number | undefined
}

/**
 * One row of a table as `toRecords` gives it: `time` in ns, then each column's value by name (NaN where missing).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const records: ReadonlyArray<StreamSet.TableRecord> = yield* set.toRecords()
 *   for (const { time, ...values } of records) console.log(time, values)
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface TableRecord {
  readonly time: bigint
  readonly [column: string]: number | bigint
}

/**
 * A table as `toColumns` gives it: `times` (ns), then one `Float64Array` per column name.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { times, ...columns } = yield* set.toColumns()
 *   for (const [name, values] of Object.entries(columns)) console.log(name, values.length === times.length)
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface TableColumns {
  readonly times: BigInt64Array
  readonly [column: string]: Float64Array | BigInt64Array
}

/**
 * A set of streams.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const set: StreamSet.StreamSet = yield* db.streamsInCollection("sensors")
 *   for (const stream of set) console.log(stream.uuid)
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface StreamSet extends Iterable<Stream> {
  readonly [TypeId]: TypeId
  /** The handles, in the order they were looked up. */
  readonly streams: ReadonlyArray<Stream>
  /** The versions reads are pinned to, by uuid; streams not in the map read their latest version. */
  readonly pinned: ReadonlyMap<Uuid, bigint>
  /** The time filter of reads. */
  readonly filters: Filters
  /** How many streams the set holds. */
  readonly length: number

  /**
   * A new set of the streams that match, with the time filter narrowed. Fetches the metadata of handles that hold
   * none (the new set keeps it).
   */
  readonly filter: (options: FilterOptions) => Effect.Effect<StreamSet, E.InvalidArgument | MetadataErrors>
  /**
   * A new set pinned to `versions` (uuid → version; 0 means latest), or, without an argument, to the current
   * version of every stream.
   */
  readonly pinVersions: (
    versions?: ReadonlyMap<string, VersionInput> | Readonly<Record<string, VersionInput>>
  ) => Effect.Effect<StreamSet, E.InvalidArgument | MetadataErrors>
  /** The version of every stream: the pinned one, else the latest. */
  readonly versions: (
    options?: ConcurrencyOptions
  ) => Effect.Effect<ReadonlyMap<Uuid, bigint>, E.InvalidArgument | MetadataErrors>
  /** The sum of the streams' `count` over the filter's range, at the pinned versions. */
  readonly count: (
    options?: ConcurrencyOptions & { readonly precise?: boolean | undefined }
  ) => Effect.Effect<bigint, WindowsErrors>
  /** Each stream's first point at or after the filter's start, or none. */
  readonly earliest: (
    options?: ConcurrencyOptions
  ) => Effect.Effect<ReadonlyMap<Uuid, Option.Option<VersionedPoint>>, ReadErrors>
  /** Each stream's last point before the filter's end, or none. */
  readonly latest: (
    options?: ConcurrencyOptions
  ) => Effect.Effect<ReadonlyMap<Uuid, Option.Option<VersionedPoint>>, ReadErrors>
  /** Each stream's last point before now, or none; `InvalidArgument` when now is outside the filter's range. */
  readonly current: (
    options?: ConcurrencyOptions
  ) => Effect.Effect<ReadonlyMap<Uuid, Option.Option<VersionedPoint>>, ReadErrors>
  /** Each stream's points in the filter's range, in the set's order. */
  readonly values: (options?: ConcurrencyOptions) => Effect.Effect<ReadonlyMap<Uuid, Points>, ReadErrors>
  /**
   * Each stream's windows of `width` in the filter's range. Where the filter leaves a bound open, the windows run
   * from the set's first point to the window holding its last, one grid for every stream (see `Stream.windows`).
   */
  readonly windows: (
    options: ConcurrencyOptions & Pick<WindowsOptions, "width" | "depth" | "empty">
  ) => Effect.Effect<ReadonlyMap<Uuid, Windows>, WindowsErrors>
  /** Each stream's aligned windows of 2^`pointwidth` ns in the filter's range (open bounds: the set's data). */
  readonly alignedWindows: (
    options: ConcurrencyOptions & { readonly pointwidth: number }
  ) => Effect.Effect<ReadonlyMap<Uuid, Windows>, WindowsErrors>
  /** The values (or one window statistic) of every stream aligned on time (see {@link Rows}). */
  readonly rows: (options?: RowsOptions) => Effect.Effect<Rows, WindowsErrors>
  /**
   * The set's data as one `apache-arrow` `Table` sorted by time (the Python client's `StreamSet.arrow_values`):
   * - raw values (no `window`): `time: timestamp[ns, UTC]`, then one `float64` column per stream named by its
   *   uuid, all not null, NaN where a stream has no point at a row's time; with the filter's `samplingFrequency`
   *   f, times snap to the nearest multiple of P = ⌊1e9 / f⌋ ns (PROTOCOL.md §9.3);
   * - windows: `time`, then `<uuid>/min`, `<uuid>/mean`, `<uuid>/max`, `<uuid>/count` (uint64) and `<uuid>/stddev`
   *   for every stream, nullable, null where a stream has no window at a row's time.
   */
  readonly arrowValues: (options?: ArrowValuesOptions) => Effect.Effect<arrow.Table, WindowsErrors>
  /**
   * The points of every insert into the set's streams from now on, until interrupted (see `Stream.subscribe`).
   */
  readonly subscribe: () => EStream.Stream<InsertedPoints, SubscribeErrors>
  /** Inserts into several streams of the set (uuid → data); the version of each after its insert. */
  readonly insert: (
    data: ReadonlyMap<string, InsertData> | Readonly<Record<string, InsertData>>,
    options?: ConcurrencyOptions & { readonly merge?: MergePolicy | undefined }
  ) => Effect.Effect<ReadonlyMap<Uuid, bigint>, InsertErrors>
  /**
   * The set as one `apache-arrow` `Table` (the Python client's `to_dataframe`, `to_polars`, `arrow_to_*`): `time:
   * timestamp[ns, UTC]`, then one `float64` column per stream (or per stream and statistic), see
   * {@link TransformOptions}. An empty set gives a table with only `time`.
   */
  readonly toArrow: (options?: TransformOptions) => Effect.Effect<arrow.Table, WindowsErrors>
  /**
   * The same table as a `Stream` of Arrow record batches, read page by page in constant memory: for sets too big to
   * hold.
   */
  readonly toArrowBatches: (options?: TransformOptions) => EStream.Stream<arrow.RecordBatch, WindowsErrors>
  /** The same table as an Arrow IPC stream (schema, record batches, end-of-stream), in constant memory. */
  readonly toArrowIpc: (options?: TransformOptions) => EStream.Stream<Uint8Array, WindowsErrors>
  /** The table as one record per row, `{ time, [column]: value }` (the Python client's `to_dict`). */
  readonly toRecords: (options?: TransformOptions) => Effect.Effect<Array<TableRecord>, WindowsErrors>
  /** The table as columns, `{ times, [column]: Float64Array }` (the Python client's `to_array`, `to_series`). */
  readonly toColumns: (options?: TransformOptions) => Effect.Effect<TableColumns, WindowsErrors>
  /**
   * The table as CSV text in constant memory: a header line `time,<column>…`, then a line per row, times in ns, a
   * missing value an empty field, names quoted when they need it. Chunks of text, one per page read.
   */
  readonly toCsvStream: (options?: TransformOptions) => EStream.Stream<string, WindowsErrors>
  /** The CSV text of `toCsvStream` run into a `Sink` of strings (the Python client's `to_csv`); the sink's result. */
  readonly toCsv: <A, E2, R2>(
    sink: Sink.Sink<A, string, unknown, E2, R2>,
    options?: TransformOptions
  ) => Effect.Effect<A, WindowsErrors | E2, R2>
  /** The CSV text of `toCsvStream` written to the file at `path` (created or truncated) in UTF-8. */
  readonly toCsvFile: (
    path: string,
    options?: TransformOptions
  ) => Effect.Effect<void, WindowsErrors | PlatformError.PlatformError>
  /**
   * The table as text for a console (the Python client's `to_table`): the first and last rows (see
   * {@link TextOptions}), times in ISO-8601 with nine decimals, and a line `[rows × columns]`.
   */
  readonly toText: (options?: TextOptions) => Effect.Effect<string, WindowsErrors>
}

const ConcurrencySchema = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const Frequency = Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(1e9))
const StatSchema = Schema.Literals(["min", "mean", "max", "count", "stddev"])
const StringMap = Schema.Record(Schema.String, Schema.String)

const matches = (pattern: string | RegExp | undefined, value: string): boolean =>
  pattern === undefined ||
  (typeof pattern === "string" ? pattern.toLowerCase() === value.toLowerCase() : value.search(pattern) !== -1)

const subset = (wanted: Readonly<Record<string, string>> | undefined, have: Readonly<Record<string, string>>) =>
  wanted === undefined || Object.entries(wanted).every(([k, v]) => Object.hasOwn(have, k) && have[k] === v)

const entries = <A>(m: ReadonlyMap<string, A> | Readonly<Record<string, A>>): Array<[string, A]> =>
  m instanceof Map ? [...m.entries()] : Object.entries(m as Readonly<Record<string, A>>)

class StreamSetImpl implements StreamSet {
  readonly [TypeId]: TypeId = TypeId
  constructor(
    readonly streams: ReadonlyArray<Stream>,
    readonly pinned: ReadonlyMap<Uuid, bigint>,
    readonly filters: Filters
  ) {}
  get length() {
    return this.streams.length
  }
  [Symbol.iterator]() {
    return this.streams[Symbol.iterator]()
  }

  private get start() {
    return this.filters.start ?? MINIMUM_TIME
  }
  private get end() {
    return this.filters.end ?? MAXIMUM_TIME
  }
  private versionOf(stream: Stream): bigint {
    return this.pinned.get(stream.uuid) ?? 0n
  }

  /** Runs `effect` as the public operation `StreamSet.<name>` (its span, see `Client.operation`). */
  private traced<A, Err>(name: string, effect: Effect.Effect<A, Err>): Effect.Effect<A, Err> {
    return this.view.traced(`StreamSet.${name}`, effect)
  }

  /** {@link each}, each result keyed by its stream's uuid (in the set's order). */
  private eachStream<A, Err>(
    method: string,
    options: ConcurrencyOptions | undefined,
    f: (stream: Stream) => Effect.Effect<A, Err>
  ): Effect.Effect<ReadonlyMap<Uuid, A>, Err | E.InvalidArgument> {
    return Effect.map(
      this.each(method, options, f),
      (results): ReadonlyMap<Uuid, A> => new Map(results.map((a, i) => [this.streams[i]!.uuid, a]))
    )
  }

  /** Runs `f` on every stream, `concurrency` at a time, results in the set's order. */
  private each<A, Err>(
    method: string,
    options: ConcurrencyOptions | undefined,
    f: (stream: Stream) => Effect.Effect<A, Err>
  ): Effect.Effect<Array<A>, Err | E.InvalidArgument> {
    return Effect.flatMap(
      validate(method, "concurrency", ConcurrencySchema, options?.concurrency ?? DEFAULT_CONCURRENCY),
      (concurrency) => Effect.forEach(this.streams, f, { concurrency })
    )
  }

  filter(options: FilterOptions): Effect.Effect<StreamSet, E.InvalidArgument | MetadataErrors> {
    const method = "StreamSet.filter"
    return this.traced(
      "filter",
      Effect.gen({ self: this }, function*() {
        const start = options.start === undefined
          ? this.filters.start
          : yield* validate(method, "start", TimeFromInput, options.start)
        const end = options.end === undefined
          ? this.filters.end
          : yield* validate(method, "end", TimeFromInput, options.end)
        if (start !== undefined && end !== undefined && start >= end) {
          return yield* new E.InvalidArgument({
            method,
            field: "end",
            detail: `start ${start} is not before end ${end}`
          })
        }
        const samplingFrequency = options.samplingFrequency === undefined
          ? this.filters.samplingFrequency
          : yield* validate(method, "samplingFrequency", Frequency, options.samplingFrequency)
        for (const field of ["collection", "name", "unit"] as const) {
          const p = options[field]
          if (p !== undefined && typeof p !== "string" && !(p instanceof RegExp)) {
            return yield* new E.InvalidArgument({ method, field, detail: "expected a string or a RegExp" })
          }
        }
        if (options.tags !== undefined) yield* validate(method, "tags", StringMap, options.tags)
        if (options.annotations !== undefined) yield* validate(method, "annotations", StringMap, options.annotations)
        const byMetadata = options.collection !== undefined || options.name !== undefined ||
          options.unit !== undefined || options.tags !== undefined || options.annotations !== undefined
        let streams = this.streams
        if (byMetadata) {
          const refreshed = yield* Effect.forEach(
            this.streams,
            (s) => Option.isSome(s.descriptor) ? Effect.succeed(s) : s.refreshMetadata,
            { concurrency: DEFAULT_CONCURRENCY }
          )
          streams = refreshed.filter((s) => {
            const d = Option.getOrThrow(s.descriptor)
            return matches(options.collection, d.collection) && matches(options.name, d.name) &&
              matches(options.unit, d.unit) && subset(options.tags, d.tags) &&
              subset(options.annotations, d.annotations)
          })
        }
        const kept = new Set(streams.map((s) => s.uuid))
        const pinned = new Map([...this.pinned].filter(([uuid]) => kept.has(uuid)))
        return new StreamSetImpl(streams, pinned, { start, end, samplingFrequency }) as StreamSet
      })
    )
  }

  pinVersions(
    versions?: ReadonlyMap<string, VersionInput> | Readonly<Record<string, VersionInput>>
  ): Effect.Effect<StreamSet, E.InvalidArgument | MetadataErrors> {
    const method = "StreamSet.pinVersions"
    return this.traced(
      "pinVersions",
      Effect.gen({ self: this }, function*() {
        if (versions === undefined) {
          const latest = yield* this.each(method, undefined, (s) => Effect.map(s.version, (v) => [s.uuid, v] as const))
          return new StreamSetImpl(this.streams, new Map(latest), this.filters) as StreamSet
        }
        const members = new Set<string>(this.streams.map((s) => s.uuid))
        const pinned = new Map<Uuid, bigint>()
        for (const [key, value] of entries(versions)) {
          const uuid = yield* validate(method, "versions", UuidFromString, key)
          if (!members.has(uuid)) {
            return yield* new E.InvalidArgument({ method, field: "versions", detail: `${uuid} is not in this set` })
          }
          const v = yield* validate(method, "versions", VersionSchema, value)
          if (BigInt(v) !== 0n) pinned.set(uuid, BigInt(v))
        }
        return new StreamSetImpl(this.streams, pinned, this.filters) as StreamSet
      })
    )
  }

  versions(options?: ConcurrencyOptions): Effect.Effect<ReadonlyMap<Uuid, bigint>, E.InvalidArgument | MetadataErrors> {
    return this.traced(
      "versions",
      Effect.map(
        this.each(
          "StreamSet.versions",
          options,
          (s) => {
            const pinned = this.pinned.get(s.uuid)
            return Effect.map(pinned === undefined ? s.version : Effect.succeed(pinned), (v) => [s.uuid, v] as const)
          }
        ),
        (pairs): ReadonlyMap<Uuid, bigint> => new Map(pairs)
      )
    )
  }

  count(options?: ConcurrencyOptions & { readonly precise?: boolean | undefined }) {
    return this.traced(
      "count",
      Effect.map(
        this.each("StreamSet.count", options, (s) =>
          s.count({
            start: this.start,
            end: this.end,
            version: this.versionOf(s),
            precise: options?.precise ?? false
          })),
        (counts) => counts.reduce((a, b) => a + b, 0n)
      )
    )
  }

  earliest(options?: ConcurrencyOptions) {
    return this.traced(
      "earliest",
      this.eachStream(
        "StreamSet.earliest",
        options,
        (s) => s.nearest(this.start, { version: this.versionOf(s), backward: false })
      )
    )
  }

  latest(options?: ConcurrencyOptions) {
    return this.traced(
      "latest",
      this.eachStream(
        "StreamSet.latest",
        options,
        (s) => s.nearest(this.end, { version: this.versionOf(s), backward: true })
      )
    )
  }

  current(options?: ConcurrencyOptions) {
    const method = "StreamSet.current"
    return this.traced(
      "current",
      Effect.suspend(() => {
        const t = now()
        if ((this.filters.end !== undefined && this.filters.end <= t) || (this.filters.start ?? t) > t) {
          return Effect.fail(
            new E.InvalidArgument({
              method,
              field: "filters",
              detail: "the current time is outside the filtered range"
            })
          )
        }
        return this.eachStream(method, options, (s) => s.nearest(t, { version: this.versionOf(s), backward: true }))
      })
    )
  }

  values(options?: ConcurrencyOptions) {
    return this.traced(
      "values",
      this.eachStream(
        "StreamSet.values",
        options,
        (s) => s.valuesCollected({ start: this.start, end: this.end, version: this.versionOf(s) })
      )
    )
  }

  windows(options: ConcurrencyOptions & Pick<WindowsOptions, "width" | "depth" | "empty">) {
    const method = "StreamSet.windows"
    return this.traced(
      "windows",
      Effect.gen({ self: this }, function*() {
        const range = yield* this.windowRangeOf(method, { width: options?.width }, options)
        return yield* this.eachStream(method, options, (s) =>
          s.windowsCollected({
            ...range,
            version: this.versionOf(s),
            width: options?.width,
            depth: options?.depth,
            empty: options?.empty
          }))
      })
    )
  }

  alignedWindows(options: ConcurrencyOptions & { readonly pointwidth: number }) {
    const method = "StreamSet.alignedWindows"
    return this.traced(
      "alignedWindows",
      Effect.gen({ self: this }, function*() {
        const range = yield* this.windowRangeOf(method, { pointwidth: options?.pointwidth }, options)
        return yield* this.eachStream(
          method,
          options,
          (s) => s.alignedWindowsCollected({ ...range, version: this.versionOf(s), pointwidth: options?.pointwidth })
        )
      })
    )
  }

  /** {@link windowRange} for the windows of `window`, checked first. */
  private windowRangeOf(method: string, window: WindowSpec, options: ConcurrencyOptions | undefined) {
    return Effect.gen({ self: this }, function*() {
      if ("pointwidth" in window) {
        const pointwidth = yield* validate(method, "pointwidth", PointWidthSchema, window.pointwidth)
        return yield* this.windowRange(options, alignedWindowEnd(pointwidth))
      }
      const width = yield* validate(method, "width", NanosFromDuration, window.width)
      return yield* this.windowRange(options, windowEnd(width))
    })
  }

  /**
   * The range of the set's window reads: the filter's; where it leaves a bound open, from the set's first point to
   * the end of the window holding its last (`endOf`), so that every stream's windows fall on one grid. A bound
   * stays open (each stream then finds none) when no stream has a point.
   */
  private windowRange(
    options: ConcurrencyOptions | undefined,
    endOf: (start: bigint, last: bigint) => bigint
  ): Effect.Effect<{ readonly start: bigint | undefined; readonly end: bigint | undefined }, ReadErrors> {
    return Effect.gen({ self: this }, function*() {
      let { end, start } = this.filters
      const times = (found: ReadonlyMap<Uuid, Option.Option<VersionedPoint>>) =>
        [...found.values()].flatMap((p) => Option.isSome(p) ? [p.value.time] : [])
      if (start === undefined) {
        const firsts = times(yield* this.earliest(options))
        if (firsts.length === 0) return { start, end }
        start = firsts.reduce((a, b) => (b < a ? b : a))
        if (end !== undefined && start >= end) return { start: undefined, end }
      }
      if (end === undefined) {
        const lasts = times(yield* this.latest(options))
        if (lasts.length > 0) end = endOf(start, lasts.reduce((a, b) => (b > a ? b : a)))
      }
      return { start, end }
    })
  }

  rows(options: RowsOptions = {}): Effect.Effect<Rows, WindowsErrors> {
    return this.traced(
      "rows",
      Effect.flatMap(
        validate("StreamSet.rows", "stat", StatSchema, options.stat ?? "mean"),
        (stat) => this.rowsOf(options, stat)
      )
    )
  }

  private rowsOf(options: RowsOptions, stat: StatName): Effect.Effect<Rows, WindowsErrors> {
    const window = options.window
    const frequency = this.filters.samplingFrequency
    let series: Effect.Effect<
      ReadonlyArray<{ readonly times: BigInt64Array; readonly values: Float64Array }>,
      WindowsErrors
    >
    if (window !== undefined) {
      series = Effect.map(
        "pointwidth" in window
          ? this.alignedWindows({ ...options, pointwidth: window.pointwidth })
          : this.windows({ ...options, width: window.width, depth: window.depth }),
        (pages) => Array.from(pages.values(), (w) => ({ times: w.times, values: windowColumn(w, stat) }))
      )
    } else if (frequency === undefined) {
      series = Effect.map(this.values(options), (pages) => [...pages.values()])
    } else {
      // a point snaps to start when it is at most P/2 before it: read from start - P
      const period = BigInt(Math.max(1, Math.floor(1e9 / frequency)))
      const from = this.start - period < MINIMUM_TIME ? MINIMUM_TIME : this.start - period
      series = Effect.map(
        this.each(
          "StreamSet.rows",
          options,
          (s) => s.valuesCollected({ start: from, end: this.end, version: this.versionOf(s) })
        ),
        (pages) => pages.map((p) => snap(p, period, this.start, this.end))
      )
    }
    return Effect.map(series, (s) => ({ ...align(s), uuids: this.streams.map((stream) => stream.uuid) }))
  }

  arrowValues(options: ArrowValuesOptions = {}): Effect.Effect<arrow.Table, WindowsErrors> {
    return this.traced("arrowValues", Effect.suspend(() => this.arrowValuesOf(options)))
  }

  private arrowValuesOf(options: ArrowValuesOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    const method = "StreamSet.arrowValues"
    const window = options.window
    if (window === undefined) {
      if (this.streams.length === 0) {
        return Effect.succeed(new arrow.Table(new arrow.Schema([new arrow.Field("time", timeType(), false)])))
      }
      const frequency = this.filters.samplingFrequency
      return arrowMultiValues(this.streams, {
        versions: this.streams.map((s) => this.versionOf(s)),
        start: this.start,
        end: this.end,
        snapPeriodNs: frequency === undefined ? 0n : BigInt(Math.max(1, Math.floor(1e9 / frequency))),
        schema: options.schema
      })
    }
    if (options.schema !== undefined) {
      return Effect.fail(
        new E.InvalidArgument({ method, field: "schema", detail: "a schema is only supported for raw values" })
      )
    }
    const tables = Effect.gen({ self: this }, function*() {
      const range = yield* this.windowRangeOf(method, window, options)
      return yield* this.each(method, options, (s) => {
        const at = { ...range, version: this.versionOf(s) }
        return "pointwidth" in window
          ? s.arrowAlignedWindows({ ...at, pointwidth: window.pointwidth })
          : s.arrowWindows({ ...at, width: window.width, depth: window.depth })
      })
    })
    return Effect.map(tables, (t) => joinWindows(this.streams.map((s) => s.uuid), t))
  }

  subscribe(): EStream.Stream<InsertedPoints, SubscribeErrors> {
    return subscribe(this.streams, "StreamSet.subscribe")
  }

  insert(
    data: ReadonlyMap<string, InsertData> | Readonly<Record<string, InsertData>>,
    options?: ConcurrencyOptions & { readonly merge?: MergePolicy | undefined }
  ): Effect.Effect<ReadonlyMap<Uuid, bigint>, InsertErrors> {
    const method = "StreamSet.insert"
    return this.traced(
      "insert",
      Effect.gen({ self: this }, function*() {
        const byUuid = new Map(this.streams.map((s) => [s.uuid as string, s]))
        const work: Array<readonly [Stream, InsertData]> = []
        for (const [key, points] of entries(data)) {
          const uuid = yield* validate(method, "data", UuidFromString, key)
          const stream = byUuid.get(uuid)
          if (stream === undefined) {
            return yield* new E.InvalidArgument({ method, field: "data", detail: `${uuid} is not in this set` })
          }
          work.push([stream, points])
        }
        const concurrency = yield* validate(
          method,
          "concurrency",
          ConcurrencySchema,
          options?.concurrency ?? DEFAULT_CONCURRENCY
        )
        const versions = yield* Effect.forEach(
          work,
          ([stream, points]) =>
            Effect.map(stream.insert(points, { merge: options?.merge }), (r) => [stream.uuid, r.version] as const),
          { concurrency }
        )
        return new Map(versions) as ReadonlyMap<Uuid, bigint>
      })
    )
  }

  /** What the transformers read of the set. */
  private get view(): Transformers.SetView {
    return {
      streams: this.streams,
      start: this.start,
      end: this.end,
      samplingFrequency: this.filters.samplingFrequency,
      versionOf: (s) => this.versionOf(s),
      defaultConcurrency: DEFAULT_CONCURRENCY,
      windowRange: (window) => this.windowRangeOf("StreamSet.transform", window, undefined),
      traced: (name, effect) => operation(connectionOf(this.streams), name, effect, this.streams.length),
      tracedStream: (name, stream) => streamOperation(connectionOf(this.streams), name, stream, this.streams.length)
    }
  }

  toArrow(options?: TransformOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    return Transformers.arrowTable(this.view, options)
  }

  toArrowBatches(options?: TransformOptions): EStream.Stream<arrow.RecordBatch, WindowsErrors> {
    return Transformers.arrowBatches(this.view, options)
  }

  toArrowIpc(options?: TransformOptions): EStream.Stream<Uint8Array, WindowsErrors> {
    return Transformers.arrowIpc(this.view, options)
  }

  toRecords(options?: TransformOptions): Effect.Effect<Array<TableRecord>, WindowsErrors> {
    return Transformers.tableRecords(this.view, options)
  }

  toColumns(options?: TransformOptions): Effect.Effect<TableColumns, WindowsErrors> {
    return Transformers.tableColumns(this.view, options)
  }

  toCsvStream(options?: TransformOptions): EStream.Stream<string, WindowsErrors> {
    return Transformers.csv(this.view, options)
  }

  toCsv<A, E2, R2>(
    sink: Sink.Sink<A, string, unknown, E2, R2>,
    options?: TransformOptions
  ): Effect.Effect<A, WindowsErrors | E2, R2> {
    return Transformers.csvToSink(this.view, sink, options)
  }

  toCsvFile(
    path: string,
    options?: TransformOptions
  ): Effect.Effect<void, WindowsErrors | PlatformError.PlatformError> {
    return Transformers.csvToFile(this.view, path, options)
  }

  toText(options?: TextOptions): Effect.Effect<string, WindowsErrors> {
    return Transformers.text(this.view, options)
  }

  toString() {
    return `<StreamSet(${this.streams.length} streams)>`
  }
}

/**
 * A set of `streams` (each once: a stream given again is left out), reads pinned to `pinned` versions and limited
 * to `filters`. The per-stream results of its reads are maps keyed by uuid, in the set's order.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const voltage = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 *   const current = yield* db.streamFromUuid("8e3d0b2e-7c1a-4f5e-9b2d-6a4c3e1f0a9b")
 *   const set = StreamSet.make([voltage, current])
 *   const pages = yield* set.values()
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  streams: ReadonlyArray<Stream>,
  pinned: ReadonlyMap<Uuid, bigint> = new Map(),
  filters: Filters = {}
): StreamSet => {
  const seen = new Set<string>()
  const unique = streams.filter((s) => {
    if (seen.has(s.uuid)) return false
    seen.add(s.uuid)
    return true
  })
  return new StreamSetImpl(unique, pinned, filters)
}

/**
 * True for a stream set.
 *
 * @example
 * ```ts
 * const sizeOf = (u: unknown) => StreamSet.isStreamSet(u) ? u.length : 0
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isStreamSet = (u: unknown): u is StreamSet => typeof u === "object" && u !== null && TypeId in u
