/**
 * What the data commands read from their command line: times (the SDK's time input: ns, ISO-8601 or date-like
 * text), widths (`1s`, `15m`, `15 minutes` or ns), a stream named by uuid or `collection/name`, and an input file.
 * A bad input fails with a {@link CliError} whose message is the one line `btrdb` prints.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { pipeline } from "node:stream/promises"
import { NanosFromDuration, pointwidthFromNanos, TimeFromInput } from "../schema/Time.js"
import type { Service } from "../services/BTrDB.js"
import type { Stream } from "../services/Stream.js"

/** A mistake on the command line or in an input file, described in one line. */
export class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const describe = (error: Schema.SchemaError): string =>
  formatter(error.issue).issues.map((issue) => issue.message).join("; ")

/** Decodes a time given to `flag` (`--start` …) with the SDK's `TimeFromInput`. */
export const parseTime = (flag: string, text: string): Effect.Effect<bigint, CliError> =>
  Schema.decodeUnknownEffect(TimeFromInput)(text).pipe(
    Effect.mapError((error) => new CliError({ message: `invalid ${flag}: ${describe(error)}` }))
  )

/** Decodes an optional time. */
export const parseOptionalTime = (flag: string, text: Option.Option<string>) =>
  Option.match(text, {
    onNone: () => Effect.succeed(undefined),
    onSome: (t) => parseTime(flag, t)
  })

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
  d: 86400e9,
  w: 604800e9
}

/**
 * Decodes a width: an integer of nanoseconds, a short form (`500ms`, `1s`, `15m`, `1.5h`, `1d`) or an effect
 * duration text (`15 minutes`).
 */
export const parseWidth = (flag: string, text: string): Effect.Effect<bigint, CliError> => {
  const t = text.trim()
  const fail = (why: string) => Effect.fail(new CliError({ message: `invalid ${flag}: "${text}" ${why}` }))
  if (/^\d+$/.test(t)) return BigInt(t) > 0n ? Effect.succeed(BigInt(t)) : fail("is not a positive width")
  const short = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|min|h|d|w)$/.exec(t)
  if (short !== null) {
    const ns = BigInt(Math.round(Number(short[1]) * UNITS[short[2]!]!))
    return ns > 0n ? Effect.succeed(ns) : fail("is not a positive width")
  }
  return Schema.decodeUnknownEffect(NanosFromDuration)(t).pipe(
    Effect.catch(() => fail("is not a width (give ns, or e.g. 500ms, 1s, 15m, 1h, \"15 minutes\")"))
  )
}

/** Formats nanoseconds as a short duration (`1.07 s`, `18.3 min`). */
export const formatDuration = (ns: bigint | number): string => {
  const n = Number(ns)
  const units: ReadonlyArray<readonly [number, string]> = [[86400e9, "d"], [3600e9, "h"], [60e9, "min"], [1e9, "s"], [
    1e6,
    "ms"
  ], [1e3, "µs"]]
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toPrecision(3))} ${unit}`
  }
  return `${n} ns`
}

/** The pointwidth whose aligned windows split `span` ns into about `windows` windows (nearest in log scale). */
export const pointwidthFor = (span: bigint, windows: number): number => {
  const target = span / BigInt(Math.max(1, windows))
  if (target <= 1n) return 0
  const pw = pointwidthFromNanos(target)
  return Number(target) / 2 ** pw > Math.SQRT2 ? Math.min(62, pw + 1) : pw
}

/**
 * The stream a command names: a uuid or `collection/name`, with its metadata (so an unknown uuid fails here with
 * `StreamNotFound`, before anything else happens).
 */
export const resolveStream = (db: Service, identifier: string) =>
  Effect.gen(function*() {
    const set = yield* db.streams(identifier)
    const stream = set.streams[0]!
    return Option.isSome(stream.descriptor) ? stream : yield* stream.refreshMetadata
  })

/** `collection/name` of a stream whose handle holds its metadata (else its uuid). */
export const label = (stream: Stream): string =>
  Option.match(stream.descriptor, { onNone: () => stream.uuid, onSome: (d) => `${d.collection}/${d.name}` })

/** An input file: where to read it, its name in messages (`stdin` for `-`) and its size in bytes. */
export interface InputFile {
  readonly path: string
  readonly name: string
  readonly size: number
}

const reason = (error: unknown) => error instanceof Error ? error.message : String(error)

/**
 * The input file `path` names, to be read more than once: a regular file as it is; `-` (standard input) or another
 * file that is not a regular one (a pipe) is first copied to a temporary file, removed when the scope closes.
 */
export const inputFile = (path: string): Effect.Effect<InputFile, CliError, Scope.Scope> =>
  Effect.gen(function*() {
    const name = path === "-" ? "stdin" : path
    const fail = (what: string) => (error: unknown) => new CliError({ message: `${what}: ${reason(error)}` })
    if (path !== "-") {
      const stat = yield* Effect.tryPromise({ try: () => fsp.stat(path), catch: fail(`could not read ${name}`) })
      if (stat.isFile()) return { path, name, size: stat.size }
      if (stat.isDirectory()) return yield* new CliError({ message: `could not read ${name}: it is a directory` })
    }
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fsp.mkdtemp(nodePath.join(os.tmpdir(), "btrdb-input-")),
        catch: fail(`could not copy ${name} to a temporary file`)
      }),
      (dir) => Effect.promise(() => fsp.rm(dir, { recursive: true, force: true }))
    )
    const copy = nodePath.join(dir, "input.csv")
    yield* Effect.tryPromise({
      try: (signal) =>
        pipeline(path === "-" ? process.stdin : fs.createReadStream(path), fs.createWriteStream(copy), { signal }),
      catch: fail(`could not copy ${name} to ${copy}`)
    })
    const stat = yield* Effect.tryPromise({ try: () => fsp.stat(copy), catch: fail(`could not read ${copy}`) })
    return { path: copy, name, size: stat.size }
  })
