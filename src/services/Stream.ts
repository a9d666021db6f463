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
 * const program = Effect.gen(function*() {
 *   const stream = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 *   yield* stream.insert([[1500000000000000000n, 1.5], [1500000000100000000n, 2.5]])
 *   const { times, values } = yield* stream.valuesCollected({ start: "2017-07-14", end: "2017-07-15" })
 *   const hourly = yield* stream.windowsCollected({ start: "2017-07-14", end: "2017-07-15", width: "1 hour" })
 * })
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
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as EStream from "effect/Stream"
import * as E from "../errors/BTrDBError.js"
import { type StreamDescriptor } from "../schema/Metadata.js"
import {
  type ChangedRanges,
  type EmptyWindows,
  type InsertData,
  type InsertedPoints,
  MergePolicy,
  type Points,
  type VersionedPoint,
  type Windows
} from "../schema/Points.js"
import { type DurationInput, type TimeInput } from "../schema/Time.js"
import { type Uuid, UuidFromString } from "../schema/Uuid.js"
import * as Arguments from "./internal/stream/arguments.js"
import * as Handle from "./internal/stream/handle.js"

/**
 * @example
 * ```ts
 * const isHandle = (u: object) => BTrDBStream.TypeId in u
 * ```
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/Stream")

/**
 * @example
 * ```ts
 * const id: BTrDBStream.TypeId = BTrDBStream.TypeId
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
 * const recover = <A>(self: Effect.Effect<A, BTrDBStream.Unexpected>) => Effect.orDie(self)
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
 * const name: Effect.Effect<string, BTrDBStream.MetadataErrors> = stream.name
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
 * const points: Effect.Effect<Points.Points, BTrDBStream.ReadErrors> = stream.valuesCollected()
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
 * const count: Effect.Effect<bigint, BTrDBStream.WindowsErrors> = stream.count()
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
 * const inserted: Effect.Effect<BTrDBStream.InsertResult, BTrDBStream.InsertErrors> = stream.insert([[1_000n, 1.5]])
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
 * const deleted: Effect.Effect<bigint, BTrDBStream.DeleteErrors> = stream.delete({ start: 0n, end: 1_000n })
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
 * const changes: Effect.Effect<Points.ChangedRanges, BTrDBStream.ChangesErrors> = stream.changesCollected({ from: 1n })
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
 * const updated: Effect.Effect<BTrDBStream.Stream, BTrDBStream.UpdateErrors> = stream.update({ tags: { unit: "amps" } })
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
 *   Effect.retry({ times: 3, while: BTrDBStream.isPropertyVersionMismatch })
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
 * const program = Effect.gen(function*() {
 *   const version: BTrDBStream.VersionInput = 0 // the latest
 *   const point = yield* stream.nearest("2024-01-01T00:00:00Z", { version })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type VersionInput = bigint | number

/**
 * A half-open time range `[start, end)` read at a version. `start` defaults to `Time.MINIMUM_TIME`, `end` to
 * `Time.MAXIMUM_TIME`, `version` to 0 (the latest). Window reads default differently: to the data (see
 * {@link WindowsOptions}).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const points = yield* stream.valuesCollected({ start: "2024-01-01T00:00:00Z", end: new Date() })
 * })
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
 * Options of `values`: a range, and how many calls may read it at once. With `parallel` n (1 to 64, default 1), the
 * points between the range's first and last are split by time into n parts read by n calls at once, all at one
 * version (the one given, else the latest when the read starts); the pages still come in time order, and each
 * part runs at most a few pages ahead of the one being given, so memory stays bounded. For long reads over a fast
 * link where one call cannot fill it.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const year = yield* stream.valuesCollected({ start: "2024-01-01", end: "2025-01-01", parallel: 4 })
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ValuesOptions extends RangeOptions {
  readonly parallel?: number | undefined
}

/**
 * Options of `alignedWindows`: windows of 2^`pointwidth` ns aligned to the epoch (0 ≤ pointwidth ≤ 63).
 *
 * Without `start`, the read starts at the stream's first point (at the read's version); without `end`, it ends
 * with the window holding the last point: a read without a range covers the data. A stream with no points there
 * has no windows.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const windows = yield* stream.alignedWindowsCollected({ start: 0n, end: Time.now(), pointwidth: 30 })
 * })
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
 * Without `start`, the windows start at the stream's first point (at the read's version); without `end`, they end
 * with the window holding the last point, so a read without a range covers the data and nothing more (not the
 * 10^8 windows of a minute between `Time.MINIMUM_TIME` and `Time.MAXIMUM_TIME`). A stream with no points there has
 * no windows. The Python client requires both bounds; give them to read a fixed grid.
 *
 * A window without points comes as BTrDB sends it, with count 0 and every statistic 0 (`empty: "zeros"`, the
 * default), which a chart shows as real zeros. `empty: "nan"` reads its min, mean, max and stddev as NaN (count
 * stays 0); `empty: "drop"` leaves it out, as aligned windows do.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const windows = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 minute" })
 *   const gaps = yield* stream.windowsCollected({ start: 0n, end: Time.now(), width: "1 minute", empty: "nan" })
 * })
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
 * const program = Effect.gen(function*() {
 *   const before = yield* stream.nearest(Time.now(), { backward: true })
 * })
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
 * const program = Effect.gen(function*() {
 *   const exact = yield* stream.count({ start: 0n, end: Time.now(), precise: true })
 * })
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
 * const program = Effect.gen(function*() {
 *   const ranges = yield* stream.changesCollected({ from: 1n, to: 5n })
 * })
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
 * Options of `insert` and `arrowInsert`:
 * - `merge`: the merge policy, `"never"` by default (see `Points.MergePolicy`);
 * - `maxInFlight`: how many of the insert's Insert calls ({@link INSERT_CHUNK_POINTS} points each) may wait for
 *   their answers at once, 1 to 64, default 4.
 *
 * Calls in flight together may be applied by the server in any order. That cannot change what is stored when
 * their times are apart, so a chunk whose times may meet an earlier chunk's (points not in time order) is sent
 * only once every earlier chunk is answered: a merge policy sees the points in the order given. Points in time
 * order have no such wait.
 *
 * When a call fails, no later chunk is sent, the calls in flight are answered, and the insert fails with the
 * earliest failed chunk's error: the points of every chunk before it are stored, and so may be those of up to
 * `maxInFlight - 1` chunks after it. With `maxInFlight: 1` the chunks go one at a time, and a failed insert has
 * stored exactly the chunks before the failed one.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   yield* stream.insert([[1_000n, 1.5]], { merge: "replace" })
 *   const columns = { times: BigInt64Array.of(2_000n, 1_000n), values: Float64Array.of(0.5, 0.7) }
 *   yield* stream.insert(columns, { maxInFlight: 1 })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface InsertOptions {
  readonly merge?: MergePolicy | undefined
  /** @since 0.2.0 */
  readonly maxInFlight?: number | undefined
}

/**
 * The answer of `insert`: `versions`, the version each chunk (each Insert call) made, in chunk order; `version`, the
 * largest of them. The server may apply chunks in flight together in another order (see {@link InsertOptions}), so
 * `versions` need not rise.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { version } = yield* stream.insert({ times: [1_000n, 2_000n], values: [1.5, 2.5] })
 * })
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
 * const program = Effect.gen(function*() {
 *   const updated = yield* stream.update({ tags: { unit: "amps" }, annotations: { site: "north" } })
 * })
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
 * const program = Effect.gen(function*() {
 *   const table = yield* stream.arrowValues({ start: 0n, end: Time.now() })
 * })
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
 * const updates: Stream.Stream<Points.InsertedPoints, BTrDBStream.SubscribeErrors> = stream.subscribe()
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
 * const calls = Math.ceil(1_000_000 / BTrDBStream.INSERT_CHUNK_POINTS) // InsertRequests for a million points
 * ```
 * @since 0.1.0
 * @category constants
 */
export const INSERT_CHUNK_POINTS: number = Arguments.INSERT_CHUNK_POINTS

// ---------------------------------------------------------------------------------------------------------------
// The handle

/**
 * A handle to one stream.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.BTrDB
 *   const stream: BTrDBStream.Stream = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 *   const points = yield* stream.valuesCollected({ start: 0n, end: Time.now() })
 * })
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
   * const program = Effect.gen(function*() {
   *   const columns = { times: BigInt64Array.of(1n, 2n), values: Float64Array.of(0.5, 0.7) }
   *   yield* stream.insert(columns, { merge: "replace" })
   * })
   * ```
   */
  readonly insert: (data: InsertData, options?: InsertOptions) => Effect.Effect<InsertResult, InsertErrors>
  /**
   * The points of `[start, end)`, ascending, as a `Stream` of pages (one per server message); with `parallel`,
   * read by several calls at once (see {@link ValuesOptions}).
   */
  readonly values: (options?: ValuesOptions) => EStream.Stream<Points, ReadErrors>
  /** The points of `[start, end)` as one page. */
  readonly valuesCollected: (options?: ValuesOptions) => Effect.Effect<Points, ReadErrors>
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
   * const program = Effect.gen(function*() {
   *   const table = yield* stream.arrowValues({ start: "2024-05-01", end: "2024-05-02" })
   *   const times = table.getChild("time")!.toArray() as BigInt64Array
   * })
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

/**
 * A handle on `client` for `uuid`, holding `descriptor` when known.
 *
 * @example
 * ```ts
 * // `client` is the connection's internal client; SDK users get handles from `BTrDB.Service`
 * declare const client: Parameters<typeof BTrDBStream.make>[0]
 * const stream = BTrDBStream.make(client, Uuid.random())
 * ```
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const make: typeof Handle.make = Handle.make

/**
 * True for a stream handle.
 *
 * @example
 * ```ts
 * const uuidOf = (u: unknown) => BTrDBStream.isStream(u) ? u.uuid : undefined
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
 * const updates = BTrDBStream.subscribe(set).pipe(Stream.take(10), Stream.runCollect) // the next 10 inserts into the set
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribe = (streams: Iterable<Stream>): EStream.Stream<InsertedPoints, SubscribeErrors> =>
  Handle.subscribe(streams)

/**
 * One ArrowMultiValues call over `streams` (the raw mode of `StreamSet.arrowValues`): one row per distinct time, or
 * per grid time of `snapPeriodNs` when it is positive, one float column per stream (NaN where it has no point).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const table = yield* BTrDBStream.arrowMultiValues(set.streams, {
 *     versions: [0n, 0n], start: 0n, end: Time.now(), snapPeriodNs: 1_000_000_000n
 *   })
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const arrowMultiValues: typeof Handle.arrowMultiValues = Handle.arrowMultiValues

/**
 * The members a test double of a stream handle implements (see {@link makeTest}): any of its operations, and the
 * metadata it already knows (`descriptor`, none when not given).
 *
 * @example
 * ```ts
 * const members: BTrDBStream.TestMembers = { exists: Effect.succeed(true) }
 * ```
 * @since 0.2.0
 * @category testing
 */
export type TestMembers = Omit<Layer.PartialEffectful<Stream>, typeof TypeId | "uuid" | "descriptor"> & {
  readonly descriptor?: Option.Option<StreamDescriptor> | undefined
}

class TestDouble extends Context.Service<TestDouble, Stream>()("effect-btrdb/Stream (test double)") {}

/**
 * A test double of a stream handle, for `uuid`, from only the members a test needs: a member you do not give dies
 * with an `UnimplementedError` defect naming it when used. `isStream` is true of it; hand it out from
 * `BTrDB.layerTest` (`streamFromUuid`, `streams` …) or pass it to your code directly.
 *
 * @example
 * ```ts
 * const stream = BTrDBStream.makeTest(Uuid.random(), {
 *   latest: () => Effect.succeed(Option.some({ time: 1_500_000_000_000_000_000n, value: 230.1, version: 10n }))
 * })
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const makeTest = (uuid: string, members: TestMembers = {}): Stream =>
  Effect.runSync(
    Effect.provide(
      TestDouble.useSync((stream) => stream),
      Layer.mock(TestDouble)({
        descriptor: Option.none(),
        ...members,
        [TypeId]: TypeId,
        uuid: Option.getOrElse(Schema.decodeUnknownOption(UuidFromString)(uuid), () => uuid as Uuid)
      } as Layer.PartialEffectful<Stream>)
    )
  )
