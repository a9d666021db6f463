/**
 * `btrdb export`: the streams of a collection prefix as one table (`StreamSet.toCsvStream`, `toArrowIpc`,
 * `toArrowBatches`), written in constant memory to standard output or a file:
 *
 * - `csv`: a header `time,<collection/name>…`, then a line per row, times in ns, a missing value an empty field;
 * - `arrow`: an Arrow IPC stream (schema, record batches, end-of-stream), `time: timestamp[ns, UTC]` then `float64`
 *   columns, NaN where missing; `pyarrow.ipc.open_stream` and `apache-arrow`'s `tableFromIPC` read it;
 * - `json`: one object per line (JSON Lines), the time as a string of ns (a JSON number would lose digits), a
 *   missing value `null`.
 *
 * Rows are aligned on time as `StreamSet.rows` aligns them; with `--window`, columns are `collection/name` for one
 * statistic and `collection/name/stat` for several.
 */
import type * as arrow from "apache-arrow"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Sink from "effect/Sink"
import * as EStream from "effect/Stream"
import type { StatName } from "../schema/Points.js"
import { BTrDB } from "../services/BTrDB.js"
import type { WindowsErrors } from "../services/Stream.js"
import type { StreamSet, TransformOptions } from "../services/StreamSet.js"
import { connect, connectionFlags } from "./connection.js"
import { rangeFlags } from "./dataCommands.js"
import { CliError, parseOptionalTime, parseWidth } from "./inputs.js"
import { openOutput } from "./output.js"

const STATS: ReadonlyArray<StatName> = ["min", "mean", "max", "count", "stddev"]

/** `--stat`: one statistic, several separated by commas, or `all`. */
const parseStats = (text: string): Effect.Effect<ReadonlyArray<StatName> | "all", CliError> => {
  if (text.trim() === "all") return Effect.succeed("all")
  const names = text.split(",").map((s) => s.trim())
  const bad = names.find((name) => !STATS.includes(name as StatName))
  return bad === undefined
    ? Effect.succeed(names as ReadonlyArray<StatName>)
    : Effect.fail(
      new CliError({ message: `invalid --stat: ${JSON.stringify(bad)} is not one of ${STATS.join(", ")}, all` })
    )
}

/** The lines of a record batch as JSON Lines: `{"time":"<ns>","<column>":value|null,…}`. */
const jsonLines = (batch: arrow.RecordBatch): string => {
  const fields = batch.schema.fields
  const keys = fields.map((f) => `${JSON.stringify(f.name)}:`)
  const columns = fields.map((_, i) => batch.getChildAt(i)!.toArray() as BigInt64Array | Float64Array)
  let text = ""
  for (let r = 0; r < batch.numRows; r++) {
    let line = `{${keys[0]}"${columns[0]![r]}"`
    for (let c = 1; c < columns.length; c++) {
      const v = columns[c]![r] as number
      line += `,${keys[c]}${v === v ? v : "null"}`
    }
    text += line + "}\n"
  }
  return text
}

/** `[start, end)` of the flags; a missing bound is left open (for windows the SDK finds it in the data). */
const exportRange = (options: { readonly start: Option.Option<string>; readonly end: Option.Option<string> }) =>
  Effect.gen(function*() {
    const start = yield* parseOptionalTime("--start", options.start)
    const end = yield* parseOptionalTime("--end", options.end)
    if (start !== undefined && end !== undefined && end <= start) {
      return yield* new CliError({ message: "--end must be after --start" })
    }
    return { start, end }
  })

/** The chunks of the format, and what the closing message counts: rows, or bytes for Arrow. */
const chunksOf = (
  set: StreamSet,
  format: "csv" | "arrow" | "json",
  options: TransformOptions
): {
  readonly chunks: EStream.Stream<string | Uint8Array, WindowsErrors>
  readonly count: (chunk: string | Uint8Array) => number
  readonly unit: string
} => {
  const lines = (chunk: string | Uint8Array) => {
    let n = 0
    for (let i = (chunk as string).indexOf("\n"); i >= 0; i = (chunk as string).indexOf("\n", i + 1)) n++
    return n
  }
  switch (format) {
    case "csv":
      // the header's line is not a row
      return { chunks: set.toCsvStream(options), count: lines, unit: "rows" }
    case "json":
      return { chunks: EStream.map(set.toArrowBatches(options), jsonLines), count: lines, unit: "rows" }
    case "arrow":
      return { chunks: set.toArrowIpc(options), count: (chunk) => chunk.length, unit: "bytes" }
  }
}

/** `btrdb export --collection PREFIX`. */
export const exportCommand = Command.make(
  "export",
  {
    ...connectionFlags,
    collection: Flag.String("collection").pipe(
      Flag.withDescription("the collection prefix: every stream whose collection starts with it, one column each")
    ),
    ...rangeFlags,
    window: Flag.String("window").pipe(
      Flag.withDescription(
        "instead of the points, windows of this width (ns, 500ms, 1s, 15m, 1h, \"15 minutes\" …) from --start " +
          "(default: the first point) to --end (default: past the last)"
      ),
      Flag.optional
    ),
    stat: Flag.String("stat").pipe(
      Flag.withDescription("with --window: min, mean, max, count or stddev, several separated by commas, or all"),
      Flag.withDefault("mean")
    ),
    format: Flag.Literals("format", ["csv", "arrow", "json"]).pipe(
      Flag.withDescription(
        "csv (a header, then a line per row, times in ns, a missing value empty), arrow (an Arrow IPC stream) or " +
          "json (JSON Lines: an object per line, the time a string of ns, a missing value null)"
      ),
      Flag.withDefault("csv")
    ),
    out: Flag.File("out").pipe(
      Flag.withAlias("o"),
      Flag.withDescription("write to this file instead of standard output"),
      Flag.optional
    )
  },
  (options) =>
    Effect.scoped(Effect.gen(function*() {
      const db = yield* BTrDB
      const set = yield* db.streamsInCollection(options.collection, { isCollectionPrefix: true })
      if (set.length === 0) return yield* new CliError({ message: `no streams in collection ${options.collection}` })
      const width = Option.isSome(options.window) ? yield* parseWidth("--window", options.window.value) : undefined
      const stat = yield* parseStats(options.stat)
      if (width === undefined && options.stat !== "mean") {
        return yield* new CliError({ message: "--stat needs --window" })
      }
      const { end, start } = yield* exportRange(options)
      const filtered = yield* set.filter({ start, end })
      const transform: TransformOptions = width === undefined ? {} : { window: { width }, stat }
      const { chunks, count, unit } = chunksOf(filtered, options.format, transform)
      // the first chunk is read before the file is opened, so a refused read leaves it untouched
      const [first, rest] = yield* EStream.peel(chunks, Sink.take<string | Uint8Array>(1))
      const write = yield* openOutput(options.out)
      let total = options.format === "csv" ? -1 : 0
      yield* EStream.runForEach(EStream.concat(EStream.fromIterable(first), rest), (chunk) => {
        total += count(chunk)
        return write(chunk)
      })
      if (Option.isSome(options.out)) {
        yield* Console.log(`wrote ${total} ${unit} of ${filtered.length} streams to ${options.out.value}`)
      }
    })).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Export the streams of a collection prefix as one table aligned on time (a column per stream, NaN where it has " +
      "no value), or the windows of --window: CSV, an Arrow IPC stream or JSON Lines"
  )
)
