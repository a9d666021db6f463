/**
 * Write the statistics of a stream's windows as CSV: `time,min,mean,max,count,stddev`, one row per window (`time` is
 * the window's start in nanoseconds; an empty window has count 0 and no statistics).
 *
 *   npx tsx examples/windows-to-csv.ts sensors/site1/temperature --width "15 minutes" \
 *     [--start 2024-05-01] [--end 2024-05-02] [--out windows.csv] [--endpoint host:port]
 *
 * The stream is given as `collection/name` or as a UUID; `--start` and `--end` (ns or ISO-8601) default to the
 * stream's first and last point. The windows arrive as an effect `Stream` of pages, each written as soon as it
 * arrives, so memory stays flat however many windows there are; interrupting (Ctrl-C) cancels the query.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as NodeSink from "@effect/platform-node/NodeSink"
import { Console, Data, Effect, FileSystem, Option, Schema, Stream } from "effect"
import { BTrDB, type Points, Time } from "effect-btrdb"
import { parseArgs } from "node:util"

class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {}
class OutputError extends Data.TaggedError("OutputError")<{ readonly cause: unknown }> {}

const USAGE =
  "usage: windows-to-csv <collection/name | uuid> --width <duration> [--start T] [--end T] [--out file.csv] " +
  "[--endpoint host:port]"

const HEADER = "time,min,mean,max,count,stddev\n"

/** One page of windows as CSV rows. */
const toCsv = (w: Points.Windows): string => {
  let rows = ""
  for (let i = 0; i < w.times.length; i++) {
    rows += w.count[i] === 0n
      ? `${w.times[i]},,,,0,\n`
      : `${w.times[i]},${w.min[i]},${w.mean[i]},${w.max[i]},${w.count[i]},${w.stddev[i]}\n`
  }
  return rows
}

const failWith = (message: string, exitCode = 1) =>
  Console.error(message).pipe(Effect.andThen(Effect.sync(() => (process.exitCode = exitCode))))

const program = Effect.gen(function*() {
  const { positionals, values: flags } = yield* Effect.try({
    try: () =>
      parseArgs({
        allowPositionals: true,
        options: {
          width: { type: "string" },
          start: { type: "string" },
          end: { type: "string" },
          out: { type: "string" },
          endpoint: { type: "string" }
        }
      }),
    catch: (e) => new UsageError({ detail: String(e) })
  })
  const identifier = positionals[0]
  if (identifier === undefined) return yield* new UsageError({ detail: "which stream?" })
  // "15 minutes", "1 hour", "500 millis": an effect Duration, in nanoseconds
  const width = yield* Schema.decodeUnknownEffect(Time.NanosFromDuration)(flags.width).pipe(
    Effect.mapError(() =>
      new UsageError({ detail: `--width: "${flags.width ?? ""}" is not a duration like "1 minute"` })
    )
  )
  // a time: nanoseconds since the epoch, or ISO-8601
  const time = (flag: "start" | "end") => {
    const text = flags[flag]
    return text === undefined ? Effect.succeed(undefined) : Schema.decodeUnknownEffect(Time.TimeFromInput)(text).pipe(
      Effect.mapError(() => new UsageError({ detail: `--${flag}: "${text}" is neither ISO-8601 nor nanoseconds` }))
    )
  }
  const startFlag = yield* time("start")
  const endFlag = yield* time("end")
  const endpoint = flags.endpoint ?? process.env["BTRDB_ENDPOINTS"]?.split(",")[0]?.trim() ?? "localhost:4410"

  const query = Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const fs = yield* FileSystem.FileSystem
    const stream = (yield* db.streams(identifier)).streams[0]!

    // the range: as given, else from the first point to the end of the window holding the last one
    const start = startFlag ?? Option.getOrUndefined(yield* stream.earliest())?.time
    if (start === undefined) return yield* failWith(`${identifier} holds no points`)
    const end = endFlag ?? (yield* Effect.map(stream.latest(), (latest) => {
      const last = Option.isSome(latest) ? latest.value.time : start
      return start + ((last - start) / width + 1n) * width
    }))

    let windows = 0
    const csv = stream.windows({ start, end, width }).pipe(
      Stream.tap((page) => Effect.sync(() => (windows += page.times.length))),
      Stream.map(toCsv),
      Stream.prepend([HEADER]),
      Stream.encodeText
    )
    yield* flags.out === undefined
      ? Stream.run(
        csv,
        NodeSink.fromWritable({
          evaluate: () => process.stdout,
          onError: (cause) => new OutputError({ cause }),
          endOnDone: false
        })
      )
      : Stream.run(csv, fs.sink(flags.out))
    yield* Console.error(
      `wrote ${windows} windows of ${identifier}${flags.out === undefined ? "" : ` to ${flags.out}`}`
    )
  })

  yield* query.pipe(Effect.provide(BTrDB.layer({ endpoint })))
})

program.pipe(
  Effect.catchTags({
    UsageError: (e) => failWith(`${e.detail}\n${USAGE}`, 2),
    StreamNotFound: (e) => failWith(e.message),
    InvalidArgument: (e) => failWith(e.message),
    ConnectionError: (e) => failWith(`Could not reach a BTrDB server at ${e.endpoint} (${e.detail}).`),
    PlatformError: (e) => failWith(e.message),
    OutputError: (e) => failWith(`could not write: ${String(e.cause)}`)
  }),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain
)
