/**
 * Ingest a `time,value` CSV file into a stream, creating the stream when it does not exist.
 *
 *   npx tsx examples/ingest-csv.ts readings.csv sensors/site1/temperature [--endpoint host:port] [--merge replace]
 *     [--unit celsius]
 *
 * Times are integer nanoseconds since the epoch (`1714564800000000000`) or ISO-8601 (`2024-05-01T12:00:00.25Z`; no
 * offset means UTC). A header line is skipped. The file is read in batches of 50 000 lines, each parsed into two
 * typed columns (no object per point) and inserted, so memory stays flat however large the file is. A line that
 * is not `time,value` stops the program with its line number (the batches before it stay inserted).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Console, Data, Effect, FileSystem, Schema, Stream } from "effect"
import { BTrDB, Points, Time, Uuid } from "effect-btrdb"
import { parseArgs } from "node:util"

/** A line of the file that is not `time,value`. */
class CsvError extends Data.TaggedError("CsvError")<{
  readonly file: string
  readonly line: number
  readonly detail: string
}> {
  override get message() {
    return `${this.file}: line ${this.line}: ${this.detail}`
  }
}

/** A command line this program does not understand. */
class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {}

const USAGE =
  "usage: ingest-csv <file.csv> <collection/name> [--endpoint host:port] [--merge never|equal|retain|replace] [--unit U]"

const BATCH_LINES = 50_000

const parseTime = (text: string): bigint | undefined => /^[+-]?\d+$/.test(text) ? BigInt(text) : Time.parseIso(text)

/** Parses a batch of lines (the first being line `firstLine` of `file`) into columns. */
const toColumns = (file: string, lines: ReadonlyArray<string>, firstLine: number) =>
  Effect.suspend(() => {
    const times = new BigInt64Array(lines.length)
    const values = new Float64Array(lines.length)
    let n = 0
    let lineNumber = firstLine
    for (const raw of lines) {
      const line = raw.trim()
      const comma = line.indexOf(",")
      const timeText = line.slice(0, comma).trim()
      const valueText = line.slice(comma + 1).trim()
      const time = comma < 0 ? undefined : parseTime(timeText)
      const value = valueText === "" ? NaN : Number(valueText)
      if (line === "" || (lineNumber === 1 && time === undefined)) {
        // an empty line, or the header
      } else if (time === undefined) {
        return Effect.fail(new CsvError({ file, line: lineNumber, detail: `"${timeText}" is not a time` }))
      } else if (!Number.isFinite(value)) {
        return Effect.fail(new CsvError({ file, line: lineNumber, detail: `"${valueText}" is not a finite number` }))
      } else {
        times[n] = time
        values[n] = value
        n++
      }
      lineNumber++
    }
    return Effect.succeed({ times: times.subarray(0, n), values: values.subarray(0, n) })
  })

/** The stream named `collection/name`, created (with a random UUID) when there is none. */
const findOrCreate = (db: BTrDB.Service, identifier: string, unit: string) =>
  db.streams(identifier).pipe(
    Effect.map((set) => set.streams[0]!),
    Effect.catchTag("StreamNotFound", () => {
      const slash = identifier.lastIndexOf("/")
      return db.create({
        uuid: Uuid.random(),
        collection: identifier.slice(0, slash),
        tags: { name: identifier.slice(slash + 1), unit }
      })
    })
  )

const program = Effect.gen(function*() {
  const { positionals, values: flags } = yield* Effect.try({
    try: () =>
      parseArgs({
        allowPositionals: true,
        options: { endpoint: { type: "string" }, merge: { type: "string" }, unit: { type: "string" } }
      }),
    catch: (e) => new UsageError({ detail: String(e) })
  })
  const [file, identifier] = positionals
  if (file === undefined || identifier === undefined || !/^.+\/[^/]+$/.test(identifier)) {
    return yield* new UsageError({ detail: "expected a file and a collection/name" })
  }
  // "replace" makes a second run of the same file change nothing; "never", insert's default, would store every
  // point a second time
  const merge = yield* Schema.decodeUnknownEffect(Points.MergePolicy)(flags.merge ?? "replace").pipe(
    Effect.mapError(() => new UsageError({ detail: `unknown merge policy "${flags.merge}"` }))
  )
  const endpoint = flags.endpoint ?? process.env["BTRDB_ENDPOINTS"]?.split(",")[0]?.trim() ?? "localhost:4410"

  const ingest = Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const fs = yield* FileSystem.FileSystem
    const stream = yield* findOrCreate(db, identifier, flags.unit ?? "")

    const { points, version } = yield* fs.stream(file).pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.grouped(BATCH_LINES),
      Stream.zipWithIndex,
      Stream.mapEffect(([lines, batch]) => toColumns(file, lines, batch * BATCH_LINES + 1)),
      Stream.runFoldEffect(() => ({ points: 0, version: 0n }), (total, columns) =>
        columns.times.length === 0
          ? Effect.succeed(total)
          : Effect.map(stream.insert(columns, { merge }), (inserted) => ({
            points: total.points + columns.times.length,
            version: inserted.version
          })))
    )
    const count = yield* stream.count()

    yield* Console.log(`stream   ${identifier} (${stream.uuid})`)
    yield* Console.log(`inserted ${points} points (merge policy "${merge}")`)
    yield* Console.log(`version  ${version}`)
    yield* Console.log(`count    ${count}`)
  })

  yield* ingest.pipe(Effect.provide(BTrDB.layer({ endpoint })))
})

const failWith = (message: string, exitCode = 1) =>
  Console.error(message).pipe(Effect.andThen(Effect.sync(() => (process.exitCode = exitCode))))

program.pipe(
  Effect.catchTags({
    UsageError: (e) => failWith(`${e.detail}\n${USAGE}`, 2),
    CsvError: (e) => failWith(e.message),
    PlatformError: (e) => failWith(e.message),
    ConnectionError: (e) => failWith(`Could not reach a BTrDB server at ${e.endpoint} (${e.detail}).`),
    InvalidArgument: (e) => failWith(e.message)
  }),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain
)
