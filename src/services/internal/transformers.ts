/**
 * The Effect edge of the StreamSet transformers (`toArrow`, `toArrowBatches`, `toRecords`, `toColumns`, `toCsv…`,
 * `toText`): the options checked, the columns named, each stream's pages read and the pages merged in constant memory
 * by the plain engine of `tableCodecs.ts`. Every transformer is a consumer of one stream of aligned batches, so all of
 * them agree on rows and columns.
 */
import * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import type * as PlatformError from "effect/PlatformError"
import * as Pull from "effect/Pull"
import * as Schema from "effect/Schema"
import type * as Sink from "effect/Sink"
import * as EStream from "effect/Stream"
import * as E from "../../errors/BTrDBError.js"
import type { StreamDescriptor } from "../../schema/Metadata.js"
import type { StatName } from "../../schema/Points.js"
import { MINIMUM_TIME } from "../../schema/Time.js"
import type { MetadataErrors, Stream, WindowsErrors } from "../Stream.js"
import type { TableColumns, TableRecord, TextOptions, TransformOptions, WindowSpec } from "../StreamSet.js"
import { windowColumn } from "./columns.js"
import { nodeFileSystem } from "./lazy.js"
import {
  columnNamesProblem,
  type Columns,
  concatColumns,
  csvHeader,
  csvLines,
  HeadTail,
  ipcWriter,
  PageSnapper,
  recordBatch,
  records,
  renderText,
  TableMerger,
  tableSchema
} from "./tableCodecs.js"
import { validate } from "./validate.js"

/** What the transformers read of a set: its handles, its filter and the version of each stream. */
export interface SetView {
  readonly streams: ReadonlyArray<Stream>
  readonly start: bigint
  readonly end: bigint
  readonly samplingFrequency: number | undefined
  readonly versionOf: (stream: Stream) => bigint
  readonly defaultConcurrency: number
  /** Runs a transformer as the set's public operation `name` (its span). */
  readonly traced: <A, Err>(name: string, effect: Effect.Effect<A, Err>) => Effect.Effect<A, Err>
  /** Runs a streamed transformer as the set's public operation `name` (its span). */
  readonly tracedStream: <A, Err>(name: string, stream: EStream.Stream<A, Err>) => EStream.Stream<A, Err>
  /** The range of the set's reads of `window`: the filter's, its open bounds found in the data (`set.windows`). */
  readonly windowRange: (
    window: WindowSpec
  ) => Effect.Effect<{ readonly start: bigint | undefined; readonly end: bigint | undefined }, WindowsErrors>
}

/** A set's data as aligned batches: the column names (after `time`) and the batches, read when run. */
export interface Batches {
  readonly names: ReadonlyArray<string>
  readonly batches: EStream.Stream<Columns, WindowsErrors>
}

const ALL_STATS: ReadonlyArray<StatName> = ["min", "mean", "max", "count", "stddev"]
const Stat = Schema.Literals(ALL_STATS)
const StatSelection = Schema.Union([Stat, Schema.Literal("all"), Schema.Array(Stat).check(Schema.isMinLength(1))])
const Concurrency = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const RowCount = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The default column name: `collection/name`, and `/stat` after it when several statistics are written. */
const defaultName = (stream: StreamDescriptor, stat: StatName | undefined, several: boolean) =>
  several && stat !== undefined ? `${stream.collection}/${stream.name}/${stat}` : `${stream.collection}/${stream.name}`

const describe = (stream: Stream): Effect.Effect<StreamDescriptor, MetadataErrors> =>
  stream.descriptor._tag === "Some" ? Effect.succeed(stream.descriptor.value) : stream.metadata

/** The pages of one stream as columns: its values, snapped when the set has a sampling frequency, or its windows. */
const pagesOf = (
  set: SetView,
  stream: Stream,
  stats: ReadonlyArray<StatName> | undefined,
  options: TransformOptions,
  windowRange: { readonly start: bigint | undefined; readonly end: bigint | undefined }
): EStream.Stream<Columns, WindowsErrors> => {
  const range = { start: set.start, end: set.end, version: set.versionOf(stream) }
  const window = options.window
  if (window !== undefined) {
    const windowed = { ...windowRange, version: range.version }
    const pages = "pointwidth" in window
      ? stream.alignedWindows({ ...windowed, pointwidth: window.pointwidth })
      : stream.windows({ ...windowed, width: window.width, depth: window.depth })
    return EStream.map(
      pages,
      (page) => ({ times: page.times, columns: stats!.map((stat) => windowColumn(page, stat)) })
    )
  }
  if (set.samplingFrequency === undefined) {
    return EStream.map(stream.values(range), (page) => ({ times: page.times, columns: [page.values] }))
  }
  // as `rows`: a point snaps to start when it is at most P/2 before it, so read from start - P
  const period = BigInt(Math.max(1, Math.floor(1e9 / set.samplingFrequency)))
  const from = set.start - period < MINIMUM_TIME ? MINIMUM_TIME : set.start - period
  return EStream.suspend(() => {
    const snapper = new PageSnapper(period, set.start, set.end)
    return stream.values({ ...range, start: from }).pipe(
      EStream.map((page) => snapper.push({ times: page.times, columns: [page.values] })),
      EStream.concat(EStream.sync(() => snapper.flush()))
    )
  })
}

/** The pages of several streams merged into aligned batches, pulling `concurrency` streams at a time. */
const merge = (
  sources: ReadonlyArray<EStream.Stream<Columns, WindowsErrors>>,
  width: number,
  concurrency: number
): EStream.Stream<Columns, WindowsErrors> =>
  EStream.unwrap(Effect.gen(function*() {
    const pulls = yield* Effect.forEach(sources, EStream.toPull)
    const merger = new TableMerger(sources.length, width)
    const pullFrom = (j: number) =>
      pulls[j]!.pipe(
        Effect.map((pages) => pages.forEach((page) => merger.push(j, page))),
        Pull.catchDone(() => Effect.sync(() => merger.end(j)))
      )
    const next: Effect.Effect<Columns | undefined, WindowsErrors> = Effect.gen(function*() {
      for (;;) {
        const wanted = merger.wanted()
        if (wanted.length === 0) return merger.take()
        yield* Effect.forEach(wanted, pullFrom, { concurrency, discard: true })
        const batch = merger.take()
        if (batch !== undefined && batch.times.length > 0) return batch
      }
    })
    return EStream.unfold(undefined, () =>
      Effect.map(next, (batch) => batch === undefined ? undefined : [batch, undefined]))
  }))

/**
 * Checks the options, names the columns (fetching the metadata of handles that hold none) and describes the batches;
 * `InvalidArgument` names the option that is wrong, or the duplicate column name.
 */
export const batches = (
  set: SetView,
  method: string,
  options: TransformOptions = {}
): Effect.Effect<Batches, WindowsErrors> =>
  Effect.gen(function*() {
    const concurrency = yield* validate(
      method,
      "concurrency",
      Concurrency,
      options.concurrency ?? set.defaultConcurrency
    )
    let stats: ReadonlyArray<StatName> | undefined
    if (options.window === undefined) {
      if (options.stat !== undefined) {
        return yield* new E.InvalidArgument({ method, field: "stat", detail: "a statistic needs a window" })
      }
    } else {
      const selection = yield* validate(method, "stat", StatSelection, options.stat ?? "mean")
      stats = selection === "all" ? ALL_STATS : typeof selection === "string" ? [selection] : selection
    }
    const columnName = options.columnName
    if (columnName !== undefined && typeof columnName !== "function") {
      return yield* new E.InvalidArgument({ method, field: "columnName", detail: "expected a function" })
    }
    const descriptors = yield* Effect.forEach(set.streams, describe, { concurrency })
    const several = stats !== undefined && stats.length > 1
    const names = descriptors.flatMap((d) =>
      (stats ?? [undefined]).map((stat) =>
        columnName !== undefined ? columnName(d, stat) : defaultName(d, stat, several)
      )
    )
    const problem = columnNamesProblem(names)
    if (problem !== undefined) return yield* new E.InvalidArgument({ method, field: "columnName", detail: problem })
    const width = stats?.length ?? 1
    const windowRange = options.window === undefined
      ? { start: set.start, end: set.end }
      : yield* set.windowRange(options.window)
    const sources = set.streams.map((s) => pagesOf(set, s, stats, options, windowRange))
    return { names, batches: merge(sources, width, concurrency) }
  })

const batchesStream = <A>(
  set: SetView,
  method: string,
  options: TransformOptions | undefined,
  f: (batches: Batches) => EStream.Stream<A, WindowsErrors>
): EStream.Stream<A, WindowsErrors> =>
  set.tracedStream(method, EStream.unwrap(Effect.map(batches(set, method, options), f)))

const collected = <A>(
  set: SetView,
  method: string,
  options: TransformOptions | undefined,
  f: (names: ReadonlyArray<string>, all: Columns) => A
): Effect.Effect<A, WindowsErrors> =>
  set.traced(
    method,
    Effect.flatMap(
      batches(set, method, options),
      ({ batches, names }) =>
        Effect.map(EStream.runCollect(batches), (all) => f(names, concatColumns(all, names.length)))
    )
  )

/** The set as Arrow record batches (`time`, then one `float64` per column), read page by page. */
export const arrowBatches = (
  set: SetView,
  options?: TransformOptions
): EStream.Stream<arrow.RecordBatch, WindowsErrors> =>
  batchesStream(set, "StreamSet.toArrowBatches", options, ({ batches, names }) => {
    const schema = tableSchema(names)
    return EStream.map(batches, (batch) => recordBatch(schema, batch))
  })

/** The set as one Arrow table; an empty set is a table with only `time`. */
export const arrowTable = (set: SetView, options?: TransformOptions): Effect.Effect<arrow.Table, WindowsErrors> =>
  set.traced(
    "StreamSet.toArrow",
    Effect.flatMap(batches(set, "StreamSet.toArrow", options), ({ batches, names }) => {
      const schema = tableSchema(names)
      return Effect.map(
        EStream.runCollect(EStream.map(batches, (batch) => recordBatch(schema, batch))),
        (all) => new arrow.Table(schema, all)
      )
    })
  )

/** The set as an Arrow IPC stream (schema, record batches, end-of-stream), message by message. */
export const arrowIpc = (set: SetView, options?: TransformOptions): EStream.Stream<Uint8Array, WindowsErrors> =>
  batchesStream(set, "StreamSet.toArrowIpc", options, ({ batches, names }) => {
    const writer = ipcWriter(tableSchema(names))
    return EStream.make(writer.start).pipe(
      EStream.concat(EStream.map(batches, writer.batch)),
      EStream.concat(EStream.make(writer.end))
    )
  })

/** The set as records, one per row. */
export const tableRecords = (
  set: SetView,
  options?: TransformOptions
): Effect.Effect<Array<TableRecord>, WindowsErrors> => collected(set, "StreamSet.toRecords", options, records)

/** The set as columns: `times`, then one `Float64Array` per column name. */
export const tableColumns = (set: SetView, options?: TransformOptions): Effect.Effect<TableColumns, WindowsErrors> =>
  collected(set, "StreamSet.toColumns", options, (names, all) => {
    const out: Record<string, Float64Array | BigInt64Array> = { times: all.times }
    names.forEach((name, c) => (out[name] = all.columns[c]!))
    return out as TableColumns
  })

/** The set as CSV text: the header, then the lines of each batch. */
export const csv = (set: SetView, options?: TransformOptions): EStream.Stream<string, WindowsErrors> =>
  batchesStream(
    set,
    "StreamSet.toCsvStream",
    options,
    ({ batches, names }) => EStream.make(csvHeader(names)).pipe(EStream.concat(EStream.map(batches, csvLines)))
  )

/** The CSV text of the set, run into `sink`. */
export const csvToSink = <A, E2, R2>(
  set: SetView,
  sink: Sink.Sink<A, string, unknown, E2, R2>,
  options?: TransformOptions
): Effect.Effect<A, WindowsErrors | E2, R2> => EStream.run(csv(set, options), sink)

/** The CSV text of the set, written to the file at `path` (created or truncated), in UTF-8. */
export const csvToFile = (
  set: SetView,
  path: string,
  options?: TransformOptions
): Effect.Effect<void, WindowsErrors | PlatformError.PlatformError> =>
  set.traced(
    "StreamSet.toCsvFile",
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* EStream.run(EStream.encodeText(csv(set, options)), fs.sink(path))
    }).pipe(Effect.provide(nodeFileSystem))
  )

/** The set as text for a console: the first `head` and last `tail` rows (default 5 each), `…` between. */
export const text = (set: SetView, options: TextOptions = {}): Effect.Effect<string, WindowsErrors> => {
  const method = "StreamSet.toText"
  return Effect.gen(function*() {
    const head = yield* validate(method, "head", RowCount, options.head ?? 5)
    const tail = yield* validate(method, "tail", RowCount, options.tail ?? 5)
    const { batches: pages, names } = yield* batches(set, method, options)
    const shown = new HeadTail(head, tail, names.length)
    yield* EStream.runForEach(pages, (batch) => Effect.sync(() => shown.push(batch)))
    return renderText(names, shown.result())
  }).pipe((effect) => set.traced(method, effect))
}
