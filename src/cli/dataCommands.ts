/**
 * The data commands: `insert`, `values`, `windows`, `aligned-windows`, `delete`, `obliterate` and `plot`. A stream
 * is named by uuid or `collection/name`; times are nanoseconds, ISO-8601 or date-like text (see `inputs.ts`); the
 * file formats are described in `csv.ts`.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Sink from "effect/Sink"
import * as EStream from "effect/Stream"
import * as fs from "node:fs"
import * as readline from "node:readline"
import { MERGE_POLICIES } from "../internal/mergePolicy.js"
import { emptyWindows, type Windows } from "../schema/Points.js"
import { MAXIMUM_TIME, MINIMUM_TIME, pointwidthFromNanos } from "../schema/Time.js"
import { BTrDB } from "../services/BTrDB.js"
import { EMPTY_WINDOWS } from "../services/internal/emptyWindows.js"
import { INSERT_CHUNK_POINTS, type Stream } from "../services/Stream.js"
import { bandChart } from "./bandChart.js"
import { connect, connectionFlags } from "./connection.js"
import { type PointBatch, pointsWriter, readPointBatches, SkippedLines, windowsWriter } from "./csv.js"
import {
  CliError,
  formatDuration,
  type InputFile,
  inputFile,
  label,
  parseOptionalTime,
  parseTime,
  parseWidth,
  pointwidthFor,
  resolveStream
} from "./inputs.js"
import { openOutput, progress } from "./output.js"

const streamArg = Argument.String("stream").pipe(Argument.withDescription("the stream: its uuid or collection/name"))

const startFlag = Flag.String("start").pipe(
  Flag.withDescription("the start time (inclusive): ns since the epoch, or ISO-8601 such as 2024-05-01T12:00:00Z")
)
const endFlag = Flag.String("end").pipe(
  Flag.withDescription("the end time (exclusive): ns since the epoch, or ISO-8601")
)

/** `--start` and `--end`, both optional. */
export const rangeFlags = {
  start: startFlag.pipe(Flag.optional),
  end: endFlag.pipe(Flag.optional)
}

const outputFlags = {
  format: Flag.Literals("format", ["csv", "json"]).pipe(
    Flag.withDescription("csv (a header, then one row per line, times in ns) or json (an array of objects)"),
    Flag.withDefault("csv")
  ),
  output: Flag.File("output").pipe(
    Flag.withAlias("o"),
    Flag.withDescription("write to this file instead of standard output"),
    Flag.optional
  )
}

/** Reads `[start, end)` from the flags; a missing bound is the first point, or one past the last. */
const dataRange = (
  stream: Stream,
  options: { readonly start: Option.Option<string>; readonly end: Option.Option<string> }
) =>
  Effect.gen(function*() {
    let start = yield* parseOptionalTime("--start", options.start)
    let end = yield* parseOptionalTime("--end", options.end)
    if (start === undefined) {
      const first = yield* stream.earliest()
      if (Option.isNone(first)) {
        return yield* new CliError({ message: `${label(stream)} has no points: give --start and --end` })
      }
      start = first.value.time
    }
    if (end === undefined) {
      const last = yield* stream.latest()
      end = Option.isNone(last) ? start + 1n : last.value.time + 1n
    }
    if (end <= start) return yield* new CliError({ message: `--end must be after --start` })
    return { start, end }
  })

/** Reads `[start, end)` from the flags; a missing bound is the earliest, or the latest, time there can be. */
const givenRange = (options: { readonly start: Option.Option<string>; readonly end: Option.Option<string> }) =>
  Effect.gen(function*() {
    const start = (yield* parseOptionalTime("--start", options.start)) ?? MINIMUM_TIME
    const end = (yield* parseOptionalTime("--end", options.end)) ?? MAXIMUM_TIME
    if (end <= start) return yield* new CliError({ message: `--end must be after --start` })
    return { start, end }
  })

/**
 * Writes the pages of `pages` with `writer`, and says how many rows went to the file when there is one. The first
 * page is read before the file is opened or anything is written, so a read refused at once (a range holding no
 * window, a server error) leaves standard output empty and the file untouched.
 */
const writePages = <Page extends { readonly times: BigInt64Array }, E, R>(
  pages: EStream.Stream<Page, E, R>,
  writer: { begin: string; page: (p: Page) => string; end: () => string },
  output: Option.Option<string>,
  what: string
) =>
  Effect.scoped(Effect.gen(function*() {
    const [first, rest] = yield* EStream.peel(pages, Sink.take<Page>(1))
    const write = yield* openOutput(output)
    yield* write(writer.begin)
    let rows = 0
    yield* EStream.runForEach(EStream.concat(EStream.fromIterable(first), rest), (page) => {
      rows += page.times.length
      return write(writer.page(page))
    })
    yield* write(writer.end())
    return rows
  })).pipe(
    Effect.tap((rows) => Option.isSome(output) ? Console.log(`wrote ${rows} ${what} to ${output.value}`) : Effect.void)
  )

/**
 * The points of `input` in batches of {@link INSERT_CHUNK_POINTS}, read as a stream; bad lines fail it, unless
 * `skipped` takes them. `onBytes` is told of each chunk read.
 */
const pointBatches = (
  input: InputFile,
  skipped: SkippedLines | undefined,
  onBytes: ((bytes: number) => void) | undefined
) =>
  EStream.suspend(() =>
    EStream.fromAsyncIterable(
      readPointBatches(fs.createReadStream(input.path, { highWaterMark: 1 << 20 }), {
        source: input.name,
        batchSize: INSERT_CHUNK_POINTS,
        skipped,
        onBytes
      }),
      (error) =>
        error instanceof CliError
          ? error
          : new CliError({
            message: `could not read ${input.name}: ${error instanceof Error ? error.message : String(error)}`
          })
    )
  )

/** `btrdb insert <stream> <file.csv>`. */
export const insert = Command.make(
  "insert",
  {
    ...connectionFlags,
    stream: streamArg,
    file: Argument.String("file.csv").pipe(
      Argument.withDescription(
        "CSV lines time,value (time in ns or ISO-8601; a first line such as time,value is a header), - for stdin " +
          "(copied to a temporary file first)"
      )
    ),
    merge: Flag.Literals("merge", MERGE_POLICIES).pipe(
      Flag.withDescription(
        "points at a time already stored: never (keep both, BTrDB's default), equal (drop exact duplicates), " +
          "retain (keep the stored one), replace (keep the new one)"
      ),
      Flag.withDefault("never")
    ),
    skipBad: Flag.Boolean("skip-bad").pipe(
      Flag.withDescription(
        "insert the good lines, skipping the bad ones, and say on standard error how many and which were skipped"
      ),
      Flag.withDefault(false)
    )
  },
  (options) =>
    Effect.scoped(Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const input = yield* inputFile(options.file)
      const skipped = options.skipBad ? new SkippedLines() : undefined
      // one reading of the file, with its progress in bytes on standard error when that is a terminal
      const pass = <E>(what: string, each: (batch: PointBatch) => Effect.Effect<void, E>) =>
        Effect.gen(function*() {
          const bar = process.stderr.isTTY === true ? progress(what, input.size, "bytes") : undefined
          yield* EStream.runForEach(pointBatches(input, skipped, bar?.advance), each)
          bar?.done()
        })
      if (skipped === undefined) yield* pass(`checking ${input.name}`, () => Effect.void)
      let total = 0
      let version = 0n
      yield* pass(`inserting into ${label(stream)}`, (batch) =>
        Effect.map(stream.insert(batch, { merge: options.merge }), (result) => {
          total += batch.times.length
          version = result.version
        }))
      if (skipped !== undefined && skipped.count > 0) {
        yield* Console.error(skipped.summary(input.name))
      }
      yield* Console.log(
        `inserted ${total} point${total === 1 ? "" : "s"} into ${label(stream)} (${stream.uuid})` +
          (total > 0 ? `, now at version ${version}` : "")
      )
    })).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Insert the points of a CSV file (time,value) into a stream, with a merge policy. The file is read twice: " +
      "checked, then inserted in batches, so nothing is inserted when a line is bad (unless --skip-bad: then in " +
      "one reading); stdin is first copied to a temporary file"
  )
)

/** `btrdb values <stream>`. */
export const values = Command.make(
  "values",
  { ...connectionFlags, stream: streamArg, ...rangeFlags, ...outputFlags },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const { end, start } = yield* givenRange(options)
      yield* writePages(stream.values({ start, end }), pointsWriter(options.format), options.output, "points")
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("Write the points of [--start, --end) (default: all) as CSV (time,value) or JSON"))

/** `btrdb windows <stream> --width W`. */
export const windows = Command.make(
  "windows",
  {
    ...connectionFlags,
    stream: streamArg,
    ...rangeFlags,
    width: Flag.String("width").pipe(
      Flag.withDescription("the window width: ns, or 500ms, 1s, 15m, 1h, \"15 minutes\" …")
    ),
    empty: Flag.Literals("empty", EMPTY_WINDOWS).pipe(
      Flag.withDescription(
        "windows without points: zeros (count 0 and every statistic 0, as BTrDB sends them), nan (statistics NaN " +
          "in CSV, null in JSON) or drop (left out)"
      ),
      Flag.withDefault("zeros")
    ),
    ...outputFlags
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const width = yield* parseWidth("--width", options.width)
      const start = yield* parseOptionalTime("--start", options.start)
      const end = yield* parseOptionalTime("--end", options.end)
      yield* writePages(
        stream.windows({ start, end, width, empty: options.empty }),
        windowsWriter(options.format),
        options.output,
        "windows"
      )
    }).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Write the statistics of windows of --width from --start (default: the first point) to --end (default: the " +
      "end of the window holding the last point): time,min,mean,max,count,stddev"
  )
)

/** `btrdb aligned-windows <stream> --pointwidth P`. */
export const alignedWindows = Command.make(
  "aligned-windows",
  {
    ...connectionFlags,
    stream: streamArg,
    ...rangeFlags,
    pointwidth: Flag.Int("pointwidth").pipe(
      Flag.withDescription("windows of 2^pointwidth ns aligned to the epoch (0 to 62)"),
      Flag.optional
    ),
    width: Flag.String("width").pipe(
      Flag.withDescription("instead of --pointwidth: the largest power of two ns not above this width (e.g. 1s)"),
      Flag.optional
    ),
    ...outputFlags
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const pointwidth = yield* Option.match(options.pointwidth, {
        onSome: (pw) =>
          Option.isSome(options.width)
            ? Effect.fail(new CliError({ message: "give --pointwidth or --width, not both" }))
            : Effect.succeed(pw),
        onNone: () =>
          Option.match(options.width, {
            onNone: () => Effect.fail(new CliError({ message: "give --pointwidth or --width" })),
            onSome: (w) => Effect.map(parseWidth("--width", w), pointwidthFromNanos)
          })
      })
      if (pointwidth < 0 || pointwidth > 62) {
        return yield* new CliError({ message: `invalid --pointwidth: ${pointwidth} is not within 0 to 62` })
      }
      const { end, start } = yield* givenRange(options)
      yield* writePages(
        stream.alignedWindows({ start, end, pointwidth }),
        windowsWriter(options.format),
        options.output,
        "windows"
      )
    }).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Write the statistics of the windows of 2^pointwidth ns aligned to the epoch that hold points in " +
      "[--start, --end): time,min,mean,max,count,stddev"
  )
)

/** `btrdb delete <stream> --start --end`. */
export const deleteRange = Command.make(
  "delete",
  { ...connectionFlags, stream: streamArg, start: startFlag, end: endFlag },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const start = yield* parseTime("--start", options.start)
      const end = yield* parseTime("--end", options.end)
      const version = yield* stream.delete({ start, end })
      yield* Console.log(`deleted [${start}, ${end}) from ${label(stream)} (${stream.uuid}), now at version ${version}`)
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("Delete the points of [--start, --end) from a stream (a new version keeps history)"))

const askOnStdin = (question: string): Effect.Effect<string> =>
  Effect.callback<string>((resume) => {
    process.stderr.write(question)
    const rl = readline.createInterface({ input: process.stdin, terminal: false })
    let answered = false
    rl.once("line", (line) => {
      answered = true
      if (process.stdin.isTTY !== true) process.stderr.write("\n")
      rl.close()
      resume(Effect.succeed(line))
    })
    rl.once("close", () => {
      if (answered) return
      process.stderr.write("\n")
      resume(Effect.succeed(""))
    })
    return Effect.sync(() => rl.close())
  })

/** `btrdb obliterate <stream>`. */
export const obliterate = Command.make(
  "obliterate",
  {
    ...connectionFlags,
    stream: streamArg,
    yes: Flag.Boolean("yes").pipe(
      Flag.withAlias("y"),
      Flag.withDescription("do not ask for confirmation"),
      Flag.withDefault(false)
    )
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      if (!options.yes) {
        const answer = yield* askOnStdin(`Obliterate ${stream.uuid}? [y/N] `)
        if (!/^y(es)?$/i.test(answer.trim())) {
          return yield* new CliError({ message: `obliterate: not confirmed, ${label(stream)} is untouched` })
        }
      }
      yield* stream.obliterate
      yield* Console.log(`obliterated ${label(stream)} (${stream.uuid})`)
    }).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Remove a stream, its data and its metadata for good (asks on stdin \"Obliterate <uuid>? [y/N]\" unless --yes)"
  )
)

/** How many windows `plot` and the demo's chart aim for. */
export const PLOT_WINDOWS = 1000

/**
 * Aligned windows from the first to the last with points, every window present: those without points get count 0,
 * so the chart shows a gap there.
 */
export const denseWindows = (w: Windows, pointwidth: number): Windows => {
  const n = w.times.length
  if (n === 0) return emptyWindows(w.version)
  const width = 1n << BigInt(pointwidth)
  const first = w.times[0]!
  const total = Number((w.times[n - 1]! - first) / width) + 1
  if (total === n) return w
  const out = {
    times: new BigInt64Array(total),
    min: new Float64Array(total),
    mean: new Float64Array(total),
    max: new Float64Array(total),
    count: new BigUint64Array(total),
    stddev: new Float64Array(total),
    version: w.version
  }
  for (let k = 0; k < total; k++) out.times[k] = first + BigInt(k) * width
  for (let i = 0; i < n; i++) {
    const k = Number((w.times[i]! - first) / width)
    out.min[k] = w.min[i]!
    out.mean[k] = w.mean[i]!
    out.max[k] = w.max[i]!
    out.count[k] = w.count[i]!
    out.stddev[k] = w.stddev[i]!
  }
  return out
}

/**
 * `[start, end)` widened to whole aligned windows of 2^`pointwidth` ns, so that the windows cover every point of
 * the range (an aligned-windows query rounds both ends down).
 */
export const alignedRange = (start: bigint, end: bigint, pointwidth: number) => {
  const mask = (1n << BigInt(pointwidth)) - 1n
  return { start: start & ~mask, end: end > MAXIMUM_TIME - mask ? end : ((end - 1n) | mask) + 1n }
}

/** The SVG band chart of `stream` over `[start, end)`, one panel from aligned windows sized for about 1000 points. */
export const plotStream = (stream: Stream, start: bigint, end: bigint) =>
  Effect.gen(function*() {
    const pointwidth = pointwidthFor(end - start, PLOT_WINDOWS)
    const windows = denseWindows(
      yield* stream.alignedWindowsCollected({ ...alignedRange(start, end, pointwidth), pointwidth }),
      pointwidth
    )
    const descriptor = yield* stream.metadata
    const svg = bandChart(windows, {
      stream: `${descriptor.collection}/${descriptor.name}`,
      unit: descriptor.unit,
      start,
      end,
      note: `min, mean and max of aligned windows of 2^${pointwidth} ns (${formatDuration(1n << BigInt(pointwidth))})`
    })
    let withPoints = 0
    for (const c of windows.count) if (c > 0n) withPoints++
    return { svg, pointwidth, windows: withPoints }
  })

/** `btrdb plot <stream>`. */
export const plot = Command.make(
  "plot",
  {
    ...connectionFlags,
    stream: streamArg,
    ...rangeFlags,
    output: outputFlags.output
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* resolveStream(db, options.stream)
      const { end, start } = yield* dataRange(stream, options)
      const chart = yield* plotStream(stream, start, end)
      yield* Effect.scoped(Effect.flatMap(openOutput(options.output), (write) => write(chart.svg)))
      if (Option.isSome(options.output)) {
        yield* Console.log(
          `wrote ${options.output.value}: ${chart.windows} windows of 2^${chart.pointwidth} ns (${
            formatDuration(1n << BigInt(chart.pointwidth))
          })`
        )
      }
    }).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Write an SVG chart of the min/mean/max band of a stream over [--start, --end) (default: all its points), " +
      "from aligned windows sized for about 1000 points: one panel, its y axis spanning all the values (no zoom, " +
      "unlike the demo's chart)"
  )
)
