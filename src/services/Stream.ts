/**
 * A handle to one BTrDB stream, as `BTrDB.create`, `BTrDB.streamFromUuid`, `BTrDB.streams` and
 * `BTrDB.streamsInCollection` return it: the Python client's `Stream`, in Effect's idiom.
 *
 * A handle is an immutable value: it holds the uuid and, when known, the metadata the server last reported (its
 * descriptor, with the property version that `update` checks against). `refreshMetadata` and `update` return new
 * handles.
 *
 * Reads come in two forms: an effect `Stream` of columnar pages (`values`, `windows`, `alignedWindows`,
 * `changes`), consumed in constant memory, and a collected form (`valuesCollected` …) that joins the pages into
 * one. Times are `bigint` nanoseconds, `Date`s or ISO-8601 text; widths are `bigint` nanoseconds or `Duration`s.
 * The Arrow forms (`arrowValues`, `arrowWindows`, `arrowAlignedWindows`, `arrowInsert`, PROTOCOL.md §9) take and
 * return `apache-arrow` `Table`s, as the Python client's `arrow_*` methods do; `subscribe` streams the points of
 * every new insert.
 *
 * ```ts
 * const stream = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 * yield* stream.insert([[1500000000000000000n, 1.5], [1500000000100000000n, 2.5]])
 * const { times, values } = yield* stream.valuesCollected({ start: "2017-07-14", end: "2017-07-15" })
 * const hourly = yield* stream.windowsCollected({ start: "2017-07-14", end: "2017-07-15", width: "1 hour" })
 * ```
 *
 * Retries: the connection's `Retry` policy (or `Retry.withPolicy`) applies to every operation, except an insert
 * with merge policy `"never"`, which a retry could duplicate. A streamed read that fails with a transient error
 * after some pages resumes where it stopped, pinned to the version that served the first page, so no point is
 * repeated or lost: `values` reopens at the last time seen and skips the points it already gave; `windows` and
 * `alignedWindows` reopen at the next window. `changes` is retried only before its first page.
 *
 * @since 0.1.0
 */
import type * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as EStream from "effect/Stream"
import * as E from "../errors/BTrDBError.js"
import {
  ArrowDataError,
  decodeTable,
  encodePoints,
  encodeSchema,
  encodeStream,
  isSchema,
  isTable,
  multiValuesSchema,
  POINTS_SCHEMA,
  pointsFromTable,
  sortOnFirstColumn,
  tableFromMessages,
  templateProblem,
  WINDOWS_SCHEMA
} from "../internal/arrow.js"
import { MAX_TIME, MIN_TIME } from "../internal/protocol.js"
import { Annotations, Collection, type StreamDescriptor, Tags } from "../schema/Metadata.js"
import {
  type ChangedRanges,
  concatPoints,
  concatRanges,
  concatWindows,
  type EmptyWindows,
  type InsertData,
  type InsertedPoints,
  MergePolicy,
  type Points,
  type VersionedPoint,
  type Windows
} from "../schema/Points.js"
import {
  type DurationInput,
  MAXIMUM_TIME,
  MINIMUM_TIME,
  NanosFromDuration,
  now,
  pointwidthFromNanos,
  TimeFromInput,
  type TimeInput
} from "../schema/Time.js"
import type { Uuid } from "../schema/Uuid.js"
import type { ArrowMessage, KeyOptValue } from "./internal/Backend.js"
import { type Client, currentPolicy, run } from "./internal/Client.js"
import { EMPTY_WINDOWS, treatEmptyWindows } from "./internal/emptyWindows.js"
import { validate, VersionSchema } from "./internal/validate.js"
import * as Retry from "./Retry.js"

/**
 * @example
 * ```ts
 * const isHandle = (u: object) => Stream.TypeId in u
 * ```
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/Stream")

/**
 * @example
 * ```ts
 * const id: Stream.TypeId = Stream.TypeId
 * ```
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

// ---------------------------------------------------------------------------------------------------------------
// Errors

/**
 * What any call can fail with whatever it does: the transport, a server-side failure (`BTrDBServerError`, e.g. 423
 * when a property version does not match), or a status code the operation does not expect (`BTrDBError`).
 *
 * @example
 * ```ts
 * const recover = <A>(self: Effect.Effect<A, Stream.Unexpected>) => Effect.orDie(self)
 * ```
 * @since 0.1.0
 * @category errors
 */
export type Unexpected = E.TransportErrors | E.BTrDBServerError | E.BTrDBError

/**
 * The errors of a metadata read (`metadata`, `version`, `refreshMetadata`, `flush`, `obliterate` …).
 *
 * @example
 * ```ts
 * const name: Effect.Effect<string, Stream.MetadataErrors> = stream.name
 * ```
 * @since 0.1.0
 * @category errors
 */
export type MetadataErrors = E.StreamNotFound | Unexpected

/**
 * The errors of `values`, `nearest`, `earliest`, `latest` and `current`.
 *
 * @example
 * ```ts
 * const points: Effect.Effect<Points.Points, Stream.ReadErrors> = stream.valuesCollected()
 * ```
 * @since 0.1.0
 * @category errors
 */
export type ReadErrors = E.InvalidArgument | E.StreamNotFound | E.InvalidTimeRange | E.VersionNotAvailable | Unexpected

/**
 * The errors of `windows`, `alignedWindows` and `count`.
 *
 * @example
 * ```ts
 * const count: Effect.Effect<bigint, Stream.WindowsErrors> = stream.count()
 * ```
 * @since 0.1.0
 * @category errors
 */
export type WindowsErrors = ReadErrors | E.InvalidPointWidth

/**
 * The errors of `insert` (414 "insert too big" cannot happen: inserts are split into chunks the server accepts).
 *
 * @example
 * ```ts
 * const inserted: Effect.Effect<Stream.InsertResult, Stream.InsertErrors> = stream.insert([[1_000n, 1.5]])
 * ```
 * @since 0.1.0
 * @category errors
 */
export type InsertErrors = E.InvalidArgument | E.StreamNotFound | E.InvalidTimeRange | E.BadValue | Unexpected

/**
 * The errors of `delete`.
 *
 * @example
 * ```ts
 * const deleted: Effect.Effect<bigint, Stream.DeleteErrors> = stream.delete({ start: 0n, end: 1_000n })
 * ```
 * @since 0.1.0
 * @category errors
 */
export type DeleteErrors = E.InvalidArgument | E.StreamNotFound | E.InvalidTimeRange | Unexpected

/**
 * The errors of `changes` (from > to is refused before sending; with `to` 0 the server answers 427).
 *
 * @example
 * ```ts
 * const changes: Effect.Effect<Points.ChangedRanges, Stream.ChangesErrors> = stream.changesCollected({ from: 1n })
 * ```
 * @since 0.1.0
 * @category errors
 */
export type ChangesErrors =
  | E.InvalidArgument
  | E.StreamNotFound
  | E.InvalidPointWidth
  | E.VersionNotAvailable
  | Unexpected

/**
 * The errors of `update`. A concurrent change of the stream's metadata since the handle's property version fails
 * with `BTrDBServerError` code 423 (see {@link isPropertyVersionMismatch}), never a silent overwrite.
 *
 * @example
 * ```ts
 * const updated: Effect.Effect<Stream.Stream, Stream.UpdateErrors> = stream.update({ tags: { unit: "amps" } })
 * ```
 * @since 0.1.0
 * @category errors
 */
export type UpdateErrors =
  | E.InvalidArgument
  | E.StreamNotFound
  | E.InvalidCollection
  | E.InvalidTagKey
  | E.InvalidTagValue
  | E.AmbiguousStream
  | Unexpected

/**
 * True for the failure of an `update` whose property version was out of date (423): someone else changed the
 * stream's metadata since this handle read it. `refreshMetadata` and try again.
 *
 * @example
 * ```ts
 * stream.update({ annotations: { site: "north" } }).pipe(
 *   Effect.retry({ times: 3, while: Stream.isPropertyVersionMismatch })
 * )
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isPropertyVersionMismatch = (u: unknown): u is E.BTrDBServerError =>
  u instanceof E.BTrDBServerError && u.code === 423

// ---------------------------------------------------------------------------------------------------------------
// Options

/**
 * A stream version: `bigint` or a non-negative integer; 0 (the default) means the latest.
 *
 * @example
 * ```ts
 * const version: Stream.VersionInput = 0 // the latest
 * const point = yield* stream.nearest("2024-01-01T00:00:00Z", { version })
 * ```
 * @since 0.1.0
 * @category models
 */
export type VersionInput = bigint | number

/**
 * A half-open time range `[start, end)` read at a version. `start` defaults to `Time.MINIMUM_TIME`, `end` to
 * `Time.MAXIMUM_TIME`, `version` to 0 (the latest).
 *
 * @example
 * ```ts
 * const points = yield* stream.valuesCollected({ start: "2024-01-01T00:00:00Z", end: new Date() })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface RangeOptions {
  readonly start?: TimeInput | undefined
  readonly end?: TimeInput | undefined
  readonly version?: VersionInput | undefined
}

/**
 * Options of `alignedWindows`: windows of 2^`pointwidth` ns aligned to the epoch (0 ≤ pointwidth ≤ 63).
 *
 * @example
 * ```ts
 * const windows = yield* stream.alignedWindowsCollected({ start: 0n, end: Time.now(), pointwidth: 30 })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface AlignedWindowsOptions extends RangeOptions {
  readonly pointwidth: number
}

/**
 * Options of `windows`: windows of `width` starting at `start`; a partial last window is dropped. `depth` (0 to
 * 63, default 0) lets a server answer less precisely; v5 servers accept only 0.
 *
 * A window without points comes as BTrDB sends it, with count 0 and every statistic 0 (`empty: "zeros"`, the
 * default), which a chart shows as real zeros. `empty: "nan"` reads its min, mean, max and stddev as NaN (count
 * stays 0); `empty: "drop"` leaves it out, as aligned windows do.
 *
 * @example
 * ```ts
 * const windows = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 minute" })
 * const gaps = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 minute", empty: "nan" })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface WindowsOptions extends RangeOptions {
  readonly width: DurationInput
  readonly depth?: number | undefined
  /** What to do with windows without points (default `"zeros"`, as BTrDB sends them). @since 0.2.0 */
  readonly empty?: EmptyWindows | undefined
}

/**
 * Options of `nearest`: forward (the default) finds the first point at or after the time, backward the last point
 * strictly before it.
 *
 * @example
 * ```ts
 * const before = yield* stream.nearest(Time.now(), { backward: true })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface NearestOptions {
  readonly version?: VersionInput | undefined
  readonly backward?: boolean | undefined
}

/**
 * Options of `count`, as the Python client's: the sum of the counts of aligned windows of 2^min(pointwidth,
 * ⌊log2(end-start)⌋-1) ns (default pointwidth 62), which may include points just before `start` and leave out
 * points just before `end`; `precise: true` counts exactly (one window of `end - start`).
 *
 * @example
 * ```ts
 * const exact = yield* stream.count({ start: 0n, end: Time.now(), precise: true })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface CountOptions extends RangeOptions {
  readonly pointwidth?: number | undefined
  readonly precise?: boolean | undefined
}

/**
 * Options of `changes`: the ranges changed in versions (`from`, `to`], each at least 2^`resolution` ns wide
 * (0 to 63, default 0). `from` 0 means "since the stream was created", `to` 0 (the default) the latest.
 *
 * The ranges cover everything any commit in (`from`, `to`] changed, as BTrDB reports them: a range changed and
 * changed back (deleted, then inserted again) is still reported, so derived data recomputed over the ranges is
 * right. They may be wider than what changed (at least 2^`resolution`), never narrower.
 *
 * @example
 * ```ts
 * const ranges = yield* stream.changesCollected({ from: 1n, to: 5n })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ChangesOptions {
  readonly from?: VersionInput | undefined
  readonly to?: VersionInput | undefined
  readonly resolution?: number | undefined
}

/**
 * Options of `insert`: the merge policy, `"never"` by default (see `Points.MergePolicy`).
 *
 * @example
 * ```ts
 * yield* stream.insert([[1_000n, 1.5]], { merge: "replace" })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface InsertOptions {
  readonly merge?: MergePolicy | undefined
}

/**
 * The answer of `insert`: the version after the last chunk, and the version after each chunk.
 *
 * @example
 * ```ts
 * const { version } = yield* stream.insert({ times: [1_000n, 2_000n], values: [1.5, 2.5] })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface InsertResult {
  readonly version: bigint
  readonly versions: ReadonlyArray<bigint>
}

/**
 * Options of `update`. At least one of `tags`, `annotations` and `collection` is needed.
 * - `tags` are set (others kept); a new `collection` moves the stream;
 * - `annotations` are set (others kept), or with `replace: true` become exactly the given ones.
 *
 * Values are sent as given (the Python client JSON-encodes annotation values; encode them yourself if you need it).
 *
 * @example
 * ```ts
 * const updated = yield* stream.update({ tags: { unit: "amps" }, annotations: { site: "north" } })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface UpdateOptions {
  readonly tags?: Readonly<Record<string, string>> | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
  readonly collection?: string | undefined
  readonly replace?: boolean | undefined
}

/**
 * Options of `arrowValues`: a range, and optionally the `schema` of the answer (the Python client's `schema`, sent as
 * a template): two fields, the first a `timestamp` of any unit and time zone or an `int64` (ns), the second a
 * `float64` or `float32`. The table then has exactly that schema, names and nullability included.
 *
 * @example
 * ```ts
 * const table = yield* stream.arrowValues({ start: 0n, end: Time.now() })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ArrowValuesOptions extends RangeOptions {
  readonly schema?: arrow.Schema | undefined
}

/**
 * The errors of `subscribe`: an unknown stream (404), bad arguments, or the transport. A subscriber that reads
 * too slowly is ended with `BTrDBServerError` 426 (the server holds a bounded backlog).
 *
 * @example
 * ```ts
 * const updates: EStream.Stream<Points.InsertedPoints, Stream.SubscribeErrors> = stream.subscribe()
 * ```
 * @since 0.1.0
 * @category errors
 */
export type SubscribeErrors = E.InvalidArgument | E.StreamNotFound | Unexpected

/**
 * How many points one Insert call carries, as the Python client sends them.
 *
 * @example
 * ```ts
 * const calls = Math.ceil(1_000_000 / Stream.INSERT_CHUNK_POINTS) // InsertRequests for a million points
 * ```
 * @since 0.1.0
 * @category constants
 */
export const INSERT_CHUNK_POINTS = 50_000

// ---------------------------------------------------------------------------------------------------------------
// The handle

/**
 * A handle to one stream.
 *
 * @example
 * ```ts
 * const db = yield* BTrDB.BTrDB
 * const stream: Stream.Stream = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 * const points = yield* stream.valuesCollected({ start: 0n, end: Time.now() })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  readonly [TypeId]: TypeId
  /** The stream's UUID, in canonical text form. */
  readonly uuid: Uuid
  /** The metadata this handle holds, if it holds any (handles from `streamFromUuid` start without). */
  readonly descriptor: Option.Option<StreamDescriptor>
  /** The metadata this handle holds, or else the server's (one StreamInfo call). */
  readonly metadata: Effect.Effect<StreamDescriptor, MetadataErrors>
  /** The stream's collection. */
  readonly collection: Effect.Effect<string, MetadataErrors>
  /** The `name` tag. */
  readonly name: Effect.Effect<string, MetadataErrors>
  /** The `unit` tag. */
  readonly unit: Effect.Effect<string, MetadataErrors>
  /** The tags (`name`, `unit`, `ingress`, and `distiller` when set). */
  readonly tags: Effect.Effect<Readonly<Record<string, string>>, MetadataErrors>
  /** The annotations. */
  readonly annotations: Effect.Effect<Readonly<Record<string, string>>, MetadataErrors>
  /** The property version of the metadata, which updates are checked against. */
  readonly propertyVersion: Effect.Effect<bigint, MetadataErrors>
  /** A new handle holding the server's current metadata. */
  readonly refreshMetadata: Effect.Effect<Stream, MetadataErrors>
  /** Whether the stream exists on the server (a 404 is `false`, not a failure). */
  readonly exists: Effect.Effect<boolean, Unexpected>
  /** The stream's latest major version. */
  readonly version: Effect.Effect<bigint, MetadataErrors>

  /**
   * Inserts points, given as `[time, value]` pairs or as columns, split into Insert calls of
   * {@link INSERT_CHUNK_POINTS}. NaN or infinite values, times outside [MINIMUM_TIME, MAXIMUM_TIME - 1) and columns
   * of different lengths fail with `InvalidArgument` before anything is sent. Every call with points makes a new
   * version, even when the merge policy keeps none of them; an empty insert returns the current version.
   *
   * ```ts
   * yield* stream.insert({ times: BigInt64Array.of(1n, 2n), values: Float64Array.of(0.5, 0.7) }, { merge: "replace" })
   * ```
   */
  readonly insert: (data: InsertData, options?: InsertOptions) => Effect.Effect<InsertResult, InsertErrors>
  /** The points of `[start, end)`, ascending, as a `Stream` of pages (one per server message). */
  readonly values: (options?: RangeOptions) => EStream.Stream<Points, ReadErrors>
  /** The points of `[start, end)` as one page. */
  readonly valuesCollected: (options?: RangeOptions) => Effect.Effect<Points, ReadErrors>
  /** Statistics of aligned windows (windows without points are left out), as a `Stream` of pages. */
  readonly alignedWindows: (options: AlignedWindowsOptions) => EStream.Stream<Windows, WindowsErrors>
  /** Statistics of aligned windows as one page. */
  readonly alignedWindowsCollected: (options: AlignedWindowsOptions) => Effect.Effect<Windows, WindowsErrors>
  /**
   * Statistics of windows of `width`, as a `Stream` of pages. Windows without points come with count 0 and zeros,
   * unless `empty` says `"nan"` or `"drop"` (see {@link WindowsOptions}).
   */
  readonly windows: (options: WindowsOptions) => EStream.Stream<Windows, WindowsErrors>
  /** Statistics of windows of `width` as one page. */
  readonly windowsCollected: (options: WindowsOptions) => Effect.Effect<Windows, WindowsErrors>
  /** The nearest point to `time` (see {@link NearestOptions}), or none. */
  readonly nearest: (
    time: TimeInput,
    options?: NearestOptions
  ) => Effect.Effect<Option.Option<VersionedPoint>, ReadErrors>
  /** The first point of the stream, or none. */
  readonly earliest: (
    options?: { readonly version?: VersionInput | undefined }
  ) => Effect.Effect<Option.Option<VersionedPoint>, ReadErrors>
  /** The last point of the stream, or none. */
  readonly latest: (
    options?: { readonly version?: VersionInput | undefined }
  ) => Effect.Effect<Option.Option<VersionedPoint>, ReadErrors>
  /** The last point before now, or none. */
  readonly current: (
    options?: { readonly version?: VersionInput | undefined }
  ) => Effect.Effect<Option.Option<VersionedPoint>, ReadErrors>
  /** How many points `[start, end)` holds, with the Python client's semantics (see {@link CountOptions}). */
  readonly count: (options?: CountOptions) => Effect.Effect<bigint, WindowsErrors>
  /**
   * Deletes the points of `[start, end)`; the new version, made even when the range held no point (as BTrDB
   * does), so it is always the one to pin to read the stream without that range. Older versions keep the points.
   */
  readonly delete: (
    options: { readonly start: TimeInput; readonly end: TimeInput }
  ) => Effect.Effect<bigint, DeleteErrors>
  /** Makes buffered points durable; the version. */
  readonly flush: Effect.Effect<bigint, MetadataErrors>
  /** Removes the stream, its data and metadata, for good; its uuid can never be used again. */
  readonly obliterate: Effect.Effect<void, MetadataErrors>
  /** The time ranges changed between two versions, as a `Stream` of pages (the Go client's `Changes`). */
  readonly changes: (options?: ChangesOptions) => EStream.Stream<ChangedRanges, ChangesErrors>
  /** The changed ranges as one page. */
  readonly changesCollected: (options?: ChangesOptions) => Effect.Effect<ChangedRanges, ChangesErrors>
  /**
   * Changes tags, collection and/or annotations, checked against the property version this handle holds (fetched
   * first when it holds none); returns a handle with the new metadata.
   */
  readonly update: (options: UpdateOptions) => Effect.Effect<Stream, UpdateErrors>

  /**
   * The points of `[start, end)` as an `apache-arrow` `Table` (the Python client's `arrow_values`): by default
   * `time: timestamp[ns, UTC]` and `value: float64`, both not null, in time order; with `schema`, exactly that schema.
   *
   * ```ts
   * const table = yield* stream.arrowValues({ start: "2024-05-01", end: "2024-05-02" })
   * const times = table.getChild("time")!.toArray() as BigInt64Array
   * ```
   */
  readonly arrowValues: (options?: ArrowValuesOptions) => Effect.Effect<arrow.Table, ReadErrors>
  /**
   * Windows of `width` as a `Table` sorted by time: `time: timestamp[ns, UTC]`, `min`, `mean`, `max: float64`,
   * `count: uint64`, `stddev: float64`, all not null (the Python client's `arrow_windows`).
   */
  readonly arrowWindows: (options: WindowsOptions) => Effect.Effect<arrow.Table, WindowsErrors>
  /** Aligned windows of 2^`pointwidth` ns as a `Table` sorted by time, in the schema of `arrowWindows`. */
  readonly arrowAlignedWindows: (options: AlignedWindowsOptions) => Effect.Effect<arrow.Table, WindowsErrors>
  /**
   * Inserts the points of a `Table` (the Python client's `arrow_insert`): the columns named `time` and `value`, else
   * the first two; time as a `timestamp` of any unit or `int64` ns, value as `float64` or `float32`. Nulls, NaN,
   * infinities and times outside [MINIMUM_TIME, MAXIMUM_TIME - 1) fail with `InvalidArgument` before anything is
   * sent. Sent in ArrowInsert calls of {@link INSERT_CHUNK_POINTS} rows; `version` is the largest version returned.
   */
  readonly arrowInsert: (table: arrow.Table, options?: InsertOptions) => Effect.Effect<InsertResult, InsertErrors>
  /** The points of every insert into this stream from now on (see {@link subscribe}). */
  readonly subscribe: () => EStream.Stream<InsertedPoints, SubscribeErrors>
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const SmallInt = (max: number) => Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: max }))
const PointWidthSchema = SmallInt(63)

const version = (method: string, value: VersionInput | undefined, field = "version") =>
  Effect.map(validate(method, field, VersionSchema, value ?? 0n), BigInt)

const time = (method: string, field: string, value: TimeInput | undefined, fallback: bigint) =>
  value === undefined ? Effect.succeed(fallback) : validate(method, field, TimeFromInput, value)

const range = Effect.fnUntraced(function*(method: string, options: RangeOptions) {
  const start = yield* time(method, "start", options.start, MINIMUM_TIME)
  const end = yield* time(method, "end", options.end, MAXIMUM_TIME)
  if (start >= end) {
    return yield* new E.InvalidArgument({ method, field: "end", detail: `start ${start} is not before end ${end}` })
  }
  return { start, end, version: yield* version(method, options.version) }
})

const MAX_INSERT_TIME = MAX_TIME - 1n

type Range = { readonly start: bigint; readonly end: bigint }

/**
 * The server's 413 for a range holding no whole window ("start time >= end time"), said before asking it: what is
 * wrong and what would be accepted.
 */
const noWholeWindow = (rpc: string, uuid: string, r: Range, window: string) =>
  Effect.fail(
    new E.InvalidTimeRange({
      method: rpc,
      uuid,
      detail: `[${r.start}, ${r.end}) is ${r.end - r.start} ns wide and holds no whole window: ${window} needs a ` +
        "wider range (or ask for narrower windows)"
    })
  )

/** Fails as the server would when [start, end) holds no window of `width` (PROTOCOL.md §7.5). */
const checkWindows = (rpc: string, uuid: string, r: Range, width: bigint) =>
  r.end - ((r.end - r.start) % width) <= r.start ? noWholeWindow(rpc, uuid, r, `a window of ${width} ns`) : Effect.void

/** Fails as the server would when [start, end) holds no aligned window of 2^pw ns. */
const checkAlignedWindows = (rpc: string, uuid: string, r: Range, pw: number) => {
  const mask = (1n << BigInt(pw)) - 1n
  return (r.start & ~mask) >= (r.end & ~mask) - 1n
    ? noWholeWindow(rpc, uuid, r, `an aligned window of 2^${pw} = ${mask + 1n} ns`)
    : Effect.void
}

const invalid = (method: string, field: string, detail: string) => new E.InvalidArgument({ method, field, detail })

/** The points to insert as two typed columns, checked: equal lengths, finite values, insertable times. */
const columns = (
  method: string,
  data: InsertData
): Effect.Effect<{ readonly times: BigInt64Array; readonly values: Float64Array }, E.InvalidArgument> =>
  Effect.suspend(() => {
    let times: BigInt64Array
    let values: Float64Array
    // where a bad point is reported: the pairs ("data[i]"), or the columns ("times[i]", "values[i]")
    let pairsGiven: boolean
    if (Array.isArray(data)) {
      const pairs = data as ReadonlyArray<readonly [TimeInput, number]>
      times = new BigInt64Array(pairs.length)
      values = new Float64Array(pairs.length)
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i]
        if (!Array.isArray(pair) || pair.length !== 2) {
          return Effect.fail(invalid(method, "data", `data[${i}] is not a [time, value] pair`))
        }
        const [t, v] = pair
        if (typeof t === "bigint") times[i] = t
        else {
          const decoded = Schema.decodeUnknownOption(TimeFromInput)(t)
          if (Option.isNone(decoded)) {
            return Effect.fail(invalid(method, "data", `data[${i}][0] is not a valid time: ${String(t)}`))
          }
          times[i] = decoded.value
        }
        if (typeof v !== "number") return Effect.fail(invalid(method, "data", `data[${i}][1] is not a number`))
        values[i] = v
      }
      pairsGiven = true
    } else {
      if (typeof data !== "object" || data === null || !("times" in data) || !("values" in data)) {
        return Effect.fail(invalid(method, "data", "expected [time, value] pairs or { times, values } columns"))
      }
      if (data.times.length !== data.values.length) {
        return Effect.fail(
          invalid(method, "values", `${data.values.length} values for ${data.times.length} times: lengths differ`)
        )
      }
      if (data.times instanceof BigInt64Array) times = data.times
      else {
        const list = data.times
        times = new BigInt64Array(list.length)
        for (let i = 0; i < list.length; i++) {
          if (typeof list[i] !== "bigint") {
            return Effect.fail(invalid(method, "times", `times[${i}] is not a bigint (nanoseconds)`))
          }
          times[i] = list[i]!
        }
      }
      if (data.values instanceof Float64Array) values = data.values
      else {
        const list = data.values
        values = new Float64Array(list.length)
        for (let i = 0; i < list.length; i++) {
          if (typeof list[i] !== "number") return Effect.fail(invalid(method, "values", `values[${i}] is not a number`))
          values[i] = list[i]!
        }
      }
      pairsGiven = false
    }
    const timeField = pairsGiven ? "data" : "times"
    const valueField = pairsGiven ? "data" : "values"
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!
      if (t < MIN_TIME || t >= MAX_INSERT_TIME) {
        return Effect.fail(
          invalid(
            method,
            timeField,
            t < MIN_TIME
              ? `${timeField}[${i}]: time ${t} is before the earliest time a stream holds, ${MIN_TIME} (Time.MINIMUM_TIME)`
              : `${timeField}[${i}]: time ${t} is after the latest time an insert takes, ${
                MAX_INSERT_TIME - 1n
              } (Time.MAXIMUM_TIME - 1)`
          )
        )
      }
      const v = values[i]!
      if (!Number.isFinite(v)) {
        return Effect.fail(
          invalid(method, valueField, `${valueField}[${i}]: ${v} is not finite (NaN and ±Infinity cannot be stored)`)
        )
      }
    }
    return Effect.succeed({ times, values })
  })

const toPairs = (record: Readonly<Record<string, string>>): Array<KeyOptValue> =>
  Object.entries(record).map(([key, value]) => ({ key, value }))

// ---------------------------------------------------------------------------------------------------------------
// Resumable reads

interface Page {
  readonly times: BigInt64Array
  readonly version: bigint
}

/**
 * A streamed read retried by the policy in effect, resuming after the last page it gave: `open(start, version)`
 * opens the read; `resumeAt(lastTime)` is where to reopen (undefined: nothing is left); with `skipSeen`, the points
 * at the reopening time that were already given are skipped (raw values, where several points may share a time).
 */
const resumable = <P extends Page, Err>(
  client: Client,
  open: (start: bigint, version: bigint) => EStream.Stream<P, Err>,
  initial: { readonly start: bigint; readonly version: bigint },
  resumeAt: (lastTime: bigint) => bigint | undefined,
  drop: (page: P, n: number) => P,
  skipSeen: boolean
): EStream.Stream<P, Err> =>
  EStream.unwrap(Effect.map(currentPolicy(client), (policy) => {
    if (policy === Retry.never) return open(initial.start, initial.version)
    return EStream.suspend(() => {
      let last: bigint | undefined
      let seenAtLast = 0
      let served = initial.version
      const attempt = EStream.suspend(() => {
        let start = initial.start
        let skip = 0
        if (last !== undefined) {
          const at = resumeAt(last)
          if (at === undefined) return EStream.empty
          start = at
          skip = skipSeen && at === last ? seenAtLast : 0
        }
        const skipping = last
        return EStream.map(open(start, last === undefined ? initial.version : served), (received) => {
          let page = received
          if (skip > 0) {
            let k = 0
            while (k < skip && k < page.times.length && page.times[k] === skipping) k++
            skip = k === page.times.length ? skip - k : 0
            if (k > 0) page = drop(page, k)
          }
          served = page.version
          const n = page.times.length
          if (n > 0) {
            const t = page.times[n - 1]!
            if (t === last) seenAtLast += n
            else {
              let run = 1
              while (run < n && page.times[n - 1 - run] === t) run++
              last = t
              seenAtLast = run
            }
          }
          return page
        })
      })
      return retryStream(attempt, policy, policy.while)
    })
  }))

/** A read retried by `policy` while `retryWhile` holds, `policy.onFailure` seeing every failed attempt. */
const retryStream = <A, Err>(
  read: EStream.Stream<A, Err>,
  policy: Retry.Policy,
  retryWhile: (error: unknown) => boolean
): EStream.Stream<A, Err> => {
  const onFailure = policy.onFailure
  const observed = onFailure === undefined ? read : EStream.tapError(read, (error) => onFailure(error))
  return EStream.retry(observed, Schedule.while(policy.schedule, ({ input }) => retryWhile(input)))
}

const dropPoints = (page: Points, n: number): Points => ({
  times: page.times.subarray(n),
  values: page.values.subarray(n),
  version: page.version
})

const EmptyWindowsSchema = Schema.Literals(EMPTY_WINDOWS)

/** A table of `WINDOWS_SCHEMA` with its empty windows treated as `how` says. */
const treatEmptyWindowsInTable = (table: arrow.Table, how: EmptyWindows): arrow.Table => {
  const [times, min, mean, max, count, stddev] = WINDOWS_SCHEMA.fields.map((f) => table.getChild(f.name)!.toArray())
  const treated = treatEmptyWindows({
    times: times as BigInt64Array,
    min: min as Float64Array,
    mean: mean as Float64Array,
    max: max as Float64Array,
    count: count as BigUint64Array,
    stddev: stddev as Float64Array,
    version: 0n
  }, how)
  const columns = [treated.times, treated.min, treated.mean, treated.max, treated.count, treated.stddev]
  return decodeTable(encodeStream(WINDOWS_SCHEMA, columns, treated.times.length))
}

const dropWindows = (page: Windows, n: number): Windows => ({
  times: page.times.subarray(n),
  min: page.min.subarray(n),
  mean: page.mean.subarray(n),
  max: page.max.subarray(n),
  count: page.count.subarray(n),
  stddev: page.stddev.subarray(n),
  version: page.version
})

// ---------------------------------------------------------------------------------------------------------------
// Arrow

const EMPTY_TEMPLATE = new Uint8Array(0)

/** The template bytes of an optional schema of `fieldCount` fields, checked as the server would (§9). */
const templateOf = (
  method: string,
  schema: arrow.Schema | undefined,
  fieldCount: number
): Effect.Effect<Uint8Array, E.InvalidArgument> => {
  if (schema === undefined) return Effect.succeed(EMPTY_TEMPLATE)
  if (!isSchema(schema)) return Effect.fail(invalid(method, "schema", "expected an apache-arrow Schema"))
  const problem = templateProblem(schema, fieldCount)
  return problem === undefined ? Effect.succeed(encodeSchema(schema)) : Effect.fail(invalid(method, "schema", problem))
}

/** A malformed answer (Arrow bytes that cannot be read). */
const badAnswer = (method: string, uuid: string | undefined, error: unknown) =>
  new E.TransportError({
    method,
    uuid,
    grpcCode: 13,
    detail: `the server sent Arrow data that cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    cause: error
  })

/** The messages of an Arrow read joined into one table, `fallback`'s empty table when there are none. */
const arrowTable = (
  method: string,
  uuid: string | undefined,
  messages: ReadonlyArray<ArrowMessage>,
  fallback: arrow.Schema,
  sort: boolean
): Effect.Effect<arrow.Table, E.TransportError> =>
  Effect.try({
    try: () => {
      const table = tableFromMessages(messages.map((m) => m.bytes), fallback)
      return sort ? sortOnFirstColumn(table) : table
    },
    catch: (error) => badAnswer(method, uuid, error)
  })

const FULL_RANGE = { lo: -(1n << 63n), hi: (1n << 63n) - 1n }

/** The handles' shared client; they must all come from one connection. */
const clientOf = (method: string, streams: ReadonlyArray<Stream>): Effect.Effect<Client, E.InvalidArgument> => {
  const impls = streams.filter((s): s is StreamImpl => s instanceof StreamImpl)
  if (impls.length !== streams.length) return Effect.fail(invalid(method, "streams", "expected stream handles"))
  if (impls.length === 0) return Effect.fail(invalid(method, "streams", "give at least one stream"))
  const client = impls[0]!.client
  if (impls.some((s) => s.client !== client)) {
    return Effect.fail(invalid(method, "streams", "the streams come from different connections"))
  }
  return Effect.succeed(client)
}

// ---------------------------------------------------------------------------------------------------------------
// Implementation

class StreamImpl implements Stream {
  readonly [TypeId]: TypeId = TypeId
  constructor(
    readonly client: Client,
    readonly uuid: Uuid,
    readonly descriptor: Option.Option<StreamDescriptor>
  ) {}

  /** The span of a streamed read (the other operations get theirs from `run`). */
  private traced<A, Err>(operation: string) {
    return (stream: EStream.Stream<A, Err>) =>
      EStream.withSpan(stream, `BTrDB.Stream.${operation}`, {
        attributes: { "db.system.name": "btrdb", "btrdb.uuid": this.uuid }
      })
  }

  private fetch(operation: string): Effect.Effect<StreamDescriptor, MetadataErrors> {
    return run(
      this.client,
      operation,
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: false, omitVersion: true }),
        (info) => info.descriptor!
      ),
      this.uuid
    )
  }

  get metadata() {
    return Option.match(this.descriptor, {
      onNone: () => this.fetch("Stream.metadata"),
      onSome: Effect.succeed
    })
  }
  get collection() {
    return Effect.map(this.metadata, (d) => d.collection)
  }
  get name() {
    return Effect.map(this.metadata, (d) => d.name)
  }
  get unit() {
    return Effect.map(this.metadata, (d) => d.unit)
  }
  get tags() {
    return Effect.map(this.metadata, (d) => d.tags)
  }
  get annotations() {
    return Effect.map(this.metadata, (d) => d.annotations)
  }
  get propertyVersion() {
    return Effect.map(this.metadata, (d) => d.propertyVersion)
  }
  get refreshMetadata() {
    return Effect.map(
      this.fetch("Stream.refreshMetadata"),
      (d): Stream => new StreamImpl(this.client, this.uuid, Option.some(d))
    )
  }
  get exists() {
    return run(
      this.client,
      "Stream.exists",
      this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }).pipe(
        Effect.as(true),
        Effect.catchTag("StreamNotFound", () => Effect.succeed(false))
      ),
      this.uuid
    )
  }
  get version() {
    return run(
      this.client,
      "Stream.version",
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }),
        (info) => info.versionMajor
      ),
      this.uuid
    )
  }

  // -- writes

  insert(data: InsertData, options: InsertOptions = {}): Effect.Effect<InsertResult, InsertErrors> {
    const { backend } = this.client
    const uuid = this.uuid
    const client = this.client
    return Effect.gen(function*() {
      const merge = yield* validate("Stream.insert", "merge", MergePolicy, options.merge ?? "never")
      const { times, values } = yield* columns("Stream.insert", data)
      const versions: Array<bigint> = []
      let offset = 0
      do {
        const end = Math.min(times.length, offset + INSERT_CHUNK_POINTS)
        const chunk = backend.insert(uuid, times.subarray(offset, end), values.subarray(offset, end), merge)
        // a retry of a "never" insert whose first attempt was stored would store the points twice
        versions.push(yield* run(client, "Stream.insert", chunk, uuid, merge !== "never"))
        offset = end
      } while (offset < times.length)
      return { version: versions[versions.length - 1]!, versions }
    })
  }

  delete(options: { readonly start: TimeInput; readonly end: TimeInput }): Effect.Effect<bigint, DeleteErrors> {
    return Effect.flatMap(
      range("Stream.delete", { start: options?.start, end: options?.end }),
      ({ end, start }) =>
        run(this.client, "Stream.delete", this.client.backend.delete(this.uuid, start, end), this.uuid)
    )
  }

  get flush() {
    return run(this.client, "Stream.flush", this.client.backend.flush(this.uuid), this.uuid)
  }

  get obliterate() {
    return run(this.client, "Stream.obliterate", this.client.backend.obliterate(this.uuid), this.uuid)
  }

  update(options: UpdateOptions): Effect.Effect<Stream, UpdateErrors> {
    const method = "Stream.update"
    return Effect.gen({ self: this }, function*() {
      if (options.tags === undefined && options.annotations === undefined && options.collection === undefined) {
        return yield* invalid(method, "options", "give tags, annotations or a collection")
      }
      const tags = options.tags === undefined ? undefined : yield* validate(method, "tags", Tags, options.tags)
      const annotations = options.annotations === undefined
        ? undefined
        : yield* validate(method, "annotations", Annotations, options.annotations)
      const collection = options.collection === undefined
        ? undefined
        : yield* validate(method, "collection", Collection, options.collection)
      let current = Option.isSome(this.descriptor) ? this.descriptor.value : yield* this.fetch(method)
      if (tags !== undefined || collection !== undefined) {
        yield* run(
          this.client,
          method,
          this.client.backend.setStreamTags(
            this.uuid,
            current.propertyVersion,
            toPairs((tags ?? current.tags) as Record<string, string>),
            collection ?? current.collection,
            []
          ),
          this.uuid
        )
        current = yield* this.fetch(method)
      }
      if (annotations !== undefined) {
        const removals = options.replace === true
          ? Object.keys(current.annotations).filter((key) => !Object.hasOwn(annotations, key))
          : []
        yield* run(
          this.client,
          method,
          this.client.backend.setStreamAnnotations(this.uuid, current.propertyVersion, toPairs(annotations), removals),
          this.uuid
        )
        current = yield* this.fetch(method)
      }
      return new StreamImpl(this.client, this.uuid, Option.some(current)) as Stream
    })
  }

  // -- reads

  values(options: RangeOptions = {}): EStream.Stream<Points, ReadErrors> {
    const { backend } = this.client
    return EStream.unwrap(Effect.map(range("Stream.values", options), (r) =>
      resumable(
        this.client,
        (start, version) => backend.rawValues(this.uuid, start, r.end, version),
        r,
        (last) => last,
        dropPoints,
        true
      ))).pipe(this.traced("values"))
  }

  valuesCollected(options: RangeOptions = {}) {
    return Effect.map(EStream.runCollect(this.values(options)), concatPoints)
  }

  alignedWindows(options: AlignedWindowsOptions): EStream.Stream<Windows, WindowsErrors> {
    const { backend } = this.client
    const method = "Stream.alignedWindows"
    return EStream.unwrap(
      Effect.gen({ self: this }, function*() {
        const r = yield* range(method, options ?? {})
        const pw = yield* validate(method, "pointwidth", PointWidthSchema, options?.pointwidth)
        const width = 1n << BigInt(pw)
        const alignedEnd = r.end & ~(width - 1n)
        yield* checkAlignedWindows("AlignedWindows", this.uuid, r, pw)
        return resumable(
          this.client,
          (start, version) => backend.alignedWindows(this.uuid, start, r.end, pw, version),
          r,
          (last) => last + width < alignedEnd ? last + width : undefined,
          dropWindows,
          false
        )
      })
    ).pipe(this.traced("alignedWindows"))
  }

  alignedWindowsCollected(options: AlignedWindowsOptions) {
    return Effect.map(EStream.runCollect(this.alignedWindows(options)), concatWindows)
  }

  windows(options: WindowsOptions): EStream.Stream<Windows, WindowsErrors> {
    const { backend } = this.client
    const method = "Stream.windows"
    return EStream.unwrap(
      Effect.gen({ self: this }, function*() {
        const r = yield* range(method, options ?? {})
        const width = yield* validate(method, "width", NanosFromDuration, options?.width)
        const depth = yield* validate(method, "depth", SmallInt(63), options?.depth ?? 0)
        const empty = yield* validate(method, "empty", EmptyWindowsSchema, options?.empty ?? "zeros")
        const lastEnd = r.end - ((r.end - r.start) % width)
        yield* checkWindows("Windows", this.uuid, r, width)
        return resumable(
          this.client,
          (start, version) => backend.windows(this.uuid, start, r.end, width, depth, version),
          r,
          (last) => last + width < lastEnd ? last + width : undefined,
          dropWindows,
          false
        ).pipe(EStream.map((page) => treatEmptyWindows(page, empty)))
      })
    ).pipe(this.traced("windows"))
  }

  windowsCollected(options: WindowsOptions) {
    return Effect.map(EStream.runCollect(this.windows(options)), concatWindows)
  }

  nearest(at: TimeInput, options: NearestOptions = {}): Effect.Effect<Option.Option<VersionedPoint>, ReadErrors> {
    const method = "Stream.nearest"
    return Effect.gen({ self: this }, function*() {
      const t = yield* validate(method, "time", TimeFromInput, at)
      const v = yield* version(method, options.version)
      return yield* this.nearestAt(t, v, options.backward ?? false, method)
    })
  }

  private nearestAt(t: bigint, v: bigint, backward: boolean, method: string) {
    return run(
      this.client,
      method,
      this.client.backend.nearest(this.uuid, t, v, backward).pipe(
        Effect.map(Option.some),
        Effect.catchTag("NoSuchPoint", () => Effect.succeed(Option.none()))
      ),
      this.uuid
    )
  }

  earliest(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.earliest", options.version),
      (v) => this.nearestAt(MIN_TIME, v, false, "Stream.earliest")
    )
  }

  latest(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.latest", options.version),
      (v) => this.nearestAt(MAX_TIME - 1n, v, true, "Stream.latest")
    )
  }

  current(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.current", options.version),
      (v) => this.nearestAt(now(), v, true, "Stream.current")
    )
  }

  count(options: CountOptions = {}): Effect.Effect<bigint, WindowsErrors> {
    const method = "Stream.count"
    return Effect.gen({ self: this }, function*() {
      const r = yield* range(method, options)
      const pointwidth = yield* validate(method, "pointwidth", PointWidthSchema, options.pointwidth ?? 62)
      const windows = options.precise === true
        ? this.windows({ start: r.start, end: r.end, width: r.end - r.start, version: r.version })
        : this.alignedWindows({
          start: r.start,
          end: r.end,
          version: r.version,
          pointwidth: Math.max(0, Math.min(pointwidth, pointwidthFromNanos(r.end - r.start) - 1))
        })
      return yield* EStream.runFold(windows, () => 0n, (sum, page) => {
        let total = sum
        for (const c of page.count) total += c
        return total
      })
    })
  }

  changes(options: ChangesOptions = {}): EStream.Stream<ChangedRanges, ChangesErrors> {
    const method = "Stream.changes"
    return EStream.unwrap(
      Effect.gen({ self: this }, function*() {
        const from = yield* version(method, options.from, "from")
        const to = yield* version(method, options.to, "to")
        const resolution = yield* validate(method, "resolution", SmallInt(63), options.resolution ?? 0)
        if (to !== 0n && from > to) return yield* invalid(method, "from", `version ${from} is after version ${to}`)
        const policy = yield* currentPolicy(this.client)
        const read = this.client.backend.changes(this.uuid, from, to, resolution)
        if (policy === Retry.never) return read
        // ranges have no resumable order key: retry only before the first page
        let started = false
        return retryStream(
          EStream.tap(read, () => Effect.sync(() => (started = true))),
          policy,
          (e) => !started && policy.while(e)
        )
      })
    ).pipe(this.traced("changes"))
  }

  changesCollected(options: ChangesOptions = {}) {
    return Effect.map(EStream.runCollect(this.changes(options)), concatRanges)
  }

  // -- Arrow

  arrowValues(options: ArrowValuesOptions = {}): Effect.Effect<arrow.Table, ReadErrors> {
    const method = "Stream.arrowValues"
    const { backend } = this.client
    return Effect.gen({ self: this }, function*() {
      const r = yield* range(method, options)
      const template = yield* templateOf(method, options.schema, 2)
      const messages = yield* run(
        this.client,
        method,
        EStream.runCollect(backend.arrowValues(this.uuid, r.start, r.end, r.version, template)),
        this.uuid
      )
      return yield* arrowTable(method, this.uuid, messages, options.schema ?? POINTS_SCHEMA, false)
    })
  }

  arrowWindows(options: WindowsOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    const method = "Stream.arrowWindows"
    const { backend } = this.client
    return Effect.gen({ self: this }, function*() {
      const r = yield* range(method, options ?? {})
      const width = yield* validate(method, "width", NanosFromDuration, options?.width)
      const depth = yield* validate(method, "depth", SmallInt(63), options?.depth ?? 0)
      const empty = yield* validate(method, "empty", EmptyWindowsSchema, options?.empty ?? "zeros")
      yield* checkWindows("ArrowWindows", this.uuid, r, width)
      const messages = yield* run(
        this.client,
        method,
        EStream.runCollect(backend.arrowWindows(this.uuid, r.start, r.end, width, depth, r.version)),
        this.uuid
      )
      const table = yield* arrowTable(method, this.uuid, messages, WINDOWS_SCHEMA, true)
      return empty === "zeros" ? table : treatEmptyWindowsInTable(table, empty)
    })
  }

  arrowAlignedWindows(options: AlignedWindowsOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    const method = "Stream.arrowAlignedWindows"
    const { backend } = this.client
    return Effect.gen({ self: this }, function*() {
      const r = yield* range(method, options ?? {})
      const pw = yield* validate(method, "pointwidth", PointWidthSchema, options?.pointwidth)
      yield* checkAlignedWindows("ArrowAlignedWindows", this.uuid, r, pw)
      const messages = yield* run(
        this.client,
        method,
        EStream.runCollect(backend.arrowAlignedWindows(this.uuid, r.start, r.end, pw, r.version)),
        this.uuid
      )
      return yield* arrowTable(method, this.uuid, messages, WINDOWS_SCHEMA, true)
    })
  }

  arrowInsert(table: arrow.Table, options: InsertOptions = {}): Effect.Effect<InsertResult, InsertErrors> {
    const method = "Stream.arrowInsert"
    const { backend } = this.client
    const uuid = this.uuid
    const client = this.client
    return Effect.gen(function*() {
      const merge = yield* validate(method, "merge", MergePolicy, options.merge ?? "never")
      if (!isTable(table)) return yield* invalid(method, "data", "expected an apache-arrow Table")
      const points = yield* Effect.try({
        try: () => pointsFromTable(table, FULL_RANGE),
        catch: (error) => invalid(method, "data", error instanceof ArrowDataError ? error.message : String(error))
      })
      const { times, values } = yield* columns(method, points)
      const versions: Array<bigint> = []
      let offset = 0
      do {
        const end = Math.min(times.length, offset + INSERT_CHUNK_POINTS)
        const bytes = encodePoints(POINTS_SCHEMA, times.subarray(offset, end), [values.subarray(offset, end)])
        // a retry of a "never" insert whose first attempt was stored would store the points twice
        versions.push(yield* run(client, method, backend.arrowInsert(uuid, bytes, merge), uuid, merge !== "never"))
        offset = end
      } while (offset < times.length)
      return { version: versions.reduce((a, b) => (b > a ? b : a)), versions }
    })
  }

  subscribe(): EStream.Stream<InsertedPoints, SubscribeErrors> {
    return subscribe([this])
  }

  toString(): string {
    return Option.match(this.descriptor, {
      onNone: () => `<Stream uuid=${this.uuid}>`,
      onSome: (d) => `<Stream collection=${d.collection} name=${d.name}>`
    })
  }
  toJSON() {
    return { _id: "Stream", uuid: this.uuid, descriptor: Option.getOrUndefined(this.descriptor) }
  }
}

/**
 * A handle on `client` for `uuid`, holding `descriptor` when known.
 *
 * @example
 * ```ts
 * // `client` is the connection's internal client; SDK users get handles from `BTrDB.Service`
 * const stream = Stream.make(client, Uuid.random())
 * ```
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const make = (client: Client, uuid: Uuid, descriptor?: StreamDescriptor): Stream =>
  new StreamImpl(client, uuid, Option.fromUndefinedOr(descriptor))

/**
 * True for a stream handle.
 *
 * @example
 * ```ts
 * if (Stream.isStream(u)) console.log(u.uuid)
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isStream = (u: unknown): u is Stream => typeof u === "object" && u !== null && TypeId in u

/**
 * The points of every insert into `streams` from now on (the server forwards each accepted Insert or ArrowInsert as
 * soon as it is stored, PROTOCOL.md §9.5), as an effect `Stream` that runs until it is interrupted; interrupting it
 * (or taking what you need) cancels the subscription. Fails with `StreamNotFound` for an unknown stream.
 * Over gRPC the server registers the subscription a moment after the stream starts (the protocol has no
 * acknowledgement), so an insert made at the same time may not be seen.
 *
 * @example
 * ```ts
 * const updates = Stream.subscribe([a, b]).pipe(EStream.take(10), EStream.runCollect)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribe = (streams: Iterable<Stream>): EStream.Stream<InsertedPoints, SubscribeErrors> => {
  const method = "Stream.subscribe"
  const handles = Array.from(streams)
  return EStream.unwrap(Effect.map(clientOf(method, handles), (client) => {
    const uuids = handles.map((s) => s.uuid)
    return client.backend.subscribe(uuids).pipe(
      EStream.mapEffect((message) =>
        Effect.try({
          try: (): InsertedPoints => ({
            uuid: message.uuid,
            ...pointsFromTable(decodeTable(message.bytes), FULL_RANGE)
          }),
          catch: (error) => badAnswer(method, message.uuid, error)
        })
      ),
      EStream.withSpan("BTrDB.Stream.subscribe", { attributes: { "db.system.name": "btrdb" } })
    )
  }))
}

/**
 * One ArrowMultiValues call over `streams` (the raw mode of `StreamSet.arrowValues`): one row per distinct time, or
 * per grid time of `snapPeriodNs` when it is positive, one float column per stream (NaN where it has no point).
 *
 * @example
 * ```ts
 * const table = yield* Stream.arrowMultiValues(set.streams, {
 *   versions: [0n, 0n], start: 0n, end: Time.now(), snapPeriodNs: 1_000_000_000n
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const arrowMultiValues = (
  streams: ReadonlyArray<Stream>,
  options: {
    readonly versions: ReadonlyArray<bigint>
    readonly start: bigint
    readonly end: bigint
    readonly snapPeriodNs: bigint
    readonly schema?: arrow.Schema | undefined
  }
): Effect.Effect<arrow.Table, ReadErrors> => {
  const method = "StreamSet.arrowValues"
  return Effect.gen(function*() {
    const client = yield* clientOf(method, streams)
    const uuids = streams.map((s) => s.uuid)
    const template = yield* templateOf(method, options.schema, uuids.length + 1)
    const messages = yield* run(
      client,
      method,
      EStream.runCollect(
        client.backend.arrowMultiValues(
          uuids,
          options.versions,
          options.start,
          options.end,
          options.snapPeriodNs,
          template
        )
      )
    )
    return yield* arrowTable(method, undefined, messages, options.schema ?? multiValuesSchema(uuids), true)
  })
}
