/**
 * `btrdb backup --to DIR`: a copy of a database that `btrdb serve --data DIR` opens.
 *
 * - From an endpoint (`--endpoint`, or the environment as every client command): every stream of every collection
 *   is looked up and its version noted first; then each one is created in a new data directory with the same uuid,
 *   collection, tags and annotations, and its points at the noted version are read page by page and inserted (at
 *   most 50 000 points held at a time). So each stream comes back at the version it had when the backup began,
 *   whatever is written meanwhile; its history is not copied (its versions start again at 10, one per 50 000 points)
 *   nor are property versions (back to 1) or obliterated streams.
 * - From a data directory (`--data`), even one a server is serving: a copy of its files, which keeps everything,
 *   versions and history included (see `engine/backup.ts`).
 *
 * A progress line shows on a terminal.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { backupDirectory, openTarget } from "../engine/backup.js"
import { Database } from "../engine/Database.js"
import type { KeyOptValue } from "../engine/metadata/MetadataStore.js"
import { MAX_TIME, MIN_TIME } from "../internal/protocol.js"
import { BTrDB } from "../services/BTrDB.js"
import { rebatch } from "../services/internal/rebatch.js"
import { connect, connectionFlags } from "./connection.js"
import { CliError } from "./inputs.js"
import { type Progress, progress } from "./output.js"

/** Points inserted into the backup at a time. */
const BATCH = 50_000

/** What {@link backupEndpoint} copied. */
export interface EndpointBackup {
  /** The backup, absolute. */
  readonly dir: string
  /** Each stream and the version it was copied at (its version on the server when the backup began). */
  readonly versions: ReadonlyMap<string, bigint>
  /** Points copied. */
  readonly points: number
}

const failure = (error: unknown) => new CliError({ message: error instanceof Error ? error.message : String(error) })

const pairs = (record: Readonly<Record<string, string>>): Array<KeyOptValue> =>
  Object.entries(record).map(([key, value]) => ({ key, value }))

/**
 * Copies every stream the connection's server holds into a new data directory `to` (missing or empty, else it
 * fails): each at the version it had when the backup began, read in pages and inserted in batches of 50 000 points.
 * `onProgress` is told of the points copied so far out of about how many there are (the servers' approximate
 * counts). On failure nothing is left in `to`.
 */
export const backupEndpoint = (
  to: string,
  onProgress?: (copied: number, total: number) => void
): Effect.Effect<EndpointBackup, unknown, BTrDB> =>
  Effect.gen(function*() {
    const db = yield* BTrDB
    const set = yield* db.streamsInCollection()
    const sources = yield* Effect.forEach(
      set,
      (stream) =>
        Effect.map(stream.version, (version) => ({ stream, version })).pipe(
          Effect.flatMap((s) => Effect.map(stream.count({ version: s.version }), (count) => ({ ...s, count })))
        ),
      { concurrency: 8 }
    )
    const total = sources.reduce((n, s) => n + Number(s.count), 0)
    const target = yield* Effect.try({ try: () => openTarget(to), catch: failure })
    const copy = Effect.gen(function*() {
      const backup = yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => Database.open({ dir: target.dir }), catch: failure }),
        (opened) => Effect.promise(() => opened.close())
      )
      let copied = 0
      for (const { stream, version } of sources) {
        const uuid = stream.uuid
        const [collection, tags, annotations] = yield* Effect.all([
          stream.collection,
          stream.tags,
          stream.annotations
        ])
        yield* Effect.tryPromise({
          try: () => backup.create(uuid, collection, pairs(tags), pairs(annotations)),
          catch: failure
        })
        yield* rebatch(
          stream.values({ start: MIN_TIME, end: MAX_TIME - 1n, version }),
          BATCH,
          (batch) =>
            Effect.tryPromise({
              try: () => backup.insert(uuid, batch, { policy: "never" }),
              catch: failure
            }).pipe(Effect.tap(() =>
              Effect.sync(() => {
                copied += batch.times.length
                onProgress?.(copied, total)
              })
            ))
        )
      }
      return copied
    }).pipe(Effect.scoped)
    const copied = yield* copy.pipe(Effect.onError(() => Effect.sync(() => target.discard())))
    return { dir: target.dir, versions: new Map(sources.map((s) => [s.stream.uuid, s.version])), points: copied }
  })

/** A progress line on a terminal's standard error (nothing when it is not one). */
const terminalProgress = (label: string, unit: string) => {
  let bar: Progress | undefined
  let last = 0
  return {
    report: (done: number, total: number) => {
      if (process.stderr.isTTY !== true) return
      bar ??= progress(label, total, unit)
      bar.advance(done - last)
      last = done
    },
    done: () => bar?.done()
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

/** `btrdb backup --to DIR`, from an endpoint or (`--data`) from a data directory. */
export const backup = Command.make(
  "backup",
  {
    ...connectionFlags,
    data: Flag.Directory("data", { mustExist: true }).pipe(
      Flag.withDescription(
        "back up this data directory instead of an endpoint, by copying its files, also while a server serves it; " +
          "keeps every version"
      ),
      Flag.optional
    ),
    to: Flag.Directory("to").pipe(
      Flag.withDescription("where the backup goes: a new or empty directory (refused otherwise)")
    )
  },
  (options) =>
    Effect.gen(function*() {
      const started = performance.now()
      const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
      if (Option.isSome(options.data)) {
        if (Option.isSome(options.endpoint)) {
          return yield* new CliError({ message: "give --data or --endpoint, not both" })
        }
        const source = options.data.value
        const shown = terminalProgress("backup", "bytes")
        const done = yield* Effect.tryPromise({
          try: (signal) => backupDirectory(source, options.to, { signal, onProgress: shown.report }),
          catch: failure
        })
        shown.done()
        yield* Console.log(
          `backed up ${plural(done.versions.size, "stream")} (every version, ${done.bytes} bytes) of ${source} ` +
            `to ${done.dir} in ${seconds()} s`
        )
        return
      }
      const shown = terminalProgress("backup", "points")
      const done = yield* backupEndpoint(options.to, shown.report).pipe(
        Effect.provide(connect(options)),
        Effect.mapError(failure)
      )
      shown.done()
      yield* Console.log(
        `backed up ${plural(done.versions.size, "stream")} (${plural(done.points, "point")}, each at its version ` +
          `when the backup began) to ${done.dir} in ${seconds()} s`
      )
    })
).pipe(
  Command.withDescription(
    "Back up every stream into a new data directory that btrdb serve --data opens: from an endpoint, each stream " +
      "(uuid, collection, tags, annotations) with its points at the version it had when the backup began; or with " +
      "--data, a copy of a data directory's files, every version included, while a server may be serving it"
  )
)
