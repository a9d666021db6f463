/**
 * `btrdb copy --from ENDPOINT --to ENDPOINT`: copies streams between two BTrDB endpoints (the embedded server to a
 * cluster, say) with the SDK's `Copy.copyStreams`, then prints the verification of every stream as a table and exits
 * non-zero when any differs. Run again after an interruption, it finishes the job without duplicating a point.
 *
 * Progress goes to standard error: an updating line on a terminal (points and bytes per second, ETA), otherwise a
 * plain line every few seconds; nothing with `--quiet`.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as BTrDB from "../services/BTrDB.js"
import * as Copy from "../services/Copy.js"
import * as Retry from "../services/Retry.js"
import { CliError } from "./inputs.js"
import { renderTable } from "./table.js"

const compact = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4
    ? `${(n / 1e3).toFixed(1)}k`
    : String(Math.round(n))

/** `12.3 MB`. */
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

/** The text of one progress report: done/total, the rates, and (when asked) the time left. */
export const progressText = (p: Copy.Progress, eta: boolean): string => {
  const seconds = Math.max(1e-3, p.elapsedMillis / 1000)
  const fraction = p.totalPoints === 0 ? 1 : Math.min(1, p.points / p.totalPoints)
  const rate = p.points / seconds
  const left = fraction > 0 && fraction < 1 ? ` eta ${Math.ceil(seconds / fraction * (1 - fraction))}s` : ""
  return `copy: ${Math.floor(fraction * 100)}% ${compact(p.points)}/${compact(p.totalPoints)} points, ` +
    `${p.streamsDone}/${p.streams} streams, ${compact(rate)} points/s, ${megabytes(p.bytes / seconds)}/s` +
    (eta ? left : "")
}

/** Reports progress on standard error: a line redrawn at most ten times a second on a terminal, else every 5 s. */
const progressReporter = (quiet: boolean) => {
  const stderr = process.stderr
  const tty = stderr.isTTY === true
  let last = -Infinity
  let latest: Copy.Progress | undefined
  let drawn = false
  return {
    onProgress: (p: Copy.Progress) =>
      Effect.sync(() => {
        latest = p
        if (quiet) return
        const now = performance.now()
        if (now - last < (tty ? 100 : 5000)) return
        last = now
        if (tty) {
          stderr.write(`\r\x1b[K${progressText(p, true)}`)
          drawn = true
        } else if (p.points > 0) {
          stderr.write(`${progressText(p, false)}\n`)
        }
      }),
    /** On a terminal, the line redrawn with the last report, and ended. */
    done: Effect.sync(() => {
      if (drawn && latest !== undefined) stderr.write(`\r\x1b[K${progressText(latest, false)}\n`)
    })
  }
}

const summaryCell = (s: Copy.Summary) => String(s.count)

/** The verification table `btrdb copy` prints. */
export const reportTable = (reports: ReadonlyArray<Copy.StreamReport>): string =>
  renderTable(
    ["uuid", "stream", "copied", "source count", "target count", "verdict"],
    reports.map((r) => [
      r.uuid,
      `${r.collection}/${r.name}`,
      r.copied,
      summaryCell(r.source),
      summaryCell(r.target),
      r.verdict === "same"
        ? (r.merged ? "same (metadata merged)" : "same")
        : `DIFFERS: ${r.differences.join(", ")}`
    ]),
    ["left", "left", "right", "right", "right", "left"]
  )

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

const endpointSide = (side: "from" | "to", what: string) => ({
  endpoint: Flag.String(side).pipe(Flag.withDescription(`host:port of the ${what} (port 4411 means TLS)`)),
  apiKey: Flag.Redacted(`${side}-api-key`).pipe(Flag.withDescription(`the API key of the ${what}`), Flag.optional)
})

const source = endpointSide("from", "source")
const target = endpointSide("to", "target")

const connectTo = (endpoint: string, apiKey: Option.Option<Redacted.Redacted>) =>
  BTrDB.make({ endpoint, apiKey: Option.getOrUndefined(apiKey) })

/**
 * The copy's calls retry transient failures as the Python client does (5 attempts, waiting 3 s growing 4× between
 * them): its inserts use merge policy retain and its reads resume, so a retry never duplicates a point. Connecting
 * is not retried, so an endpoint that is down is said at once.
 */
const RETRY = Retry.policy(Retry.python())

/** `btrdb copy --from ENDPOINT --to ENDPOINT [--collection PREFIX] [--streams uuid…] [--concurrency N] [--merge]`. */
export const copy = Command.make(
  "copy",
  {
    from: source.endpoint,
    fromApiKey: source.apiKey,
    to: target.endpoint,
    toApiKey: target.apiKey,
    collection: Flag.String("collection").pipe(
      Flag.withDescription("copy the streams of this collection prefix (default: every stream, unless --streams)"),
      Flag.optional
    ),
    streams: Flag.String("streams").pipe(
      Flag.withDescription("copy these streams: uuids or collection/name, comma-separated or repeated"),
      Flag.atLeast(0)
    ),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("how many streams to copy at once"),
      Flag.withDefault(4)
    ),
    merge: Flag.Boolean("merge").pipe(
      Flag.withDescription(
        "copy into a target stream whose collection, tags or annotations differ from the source's (refused otherwise)"
      ),
      Flag.withDefault(false)
    ),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no progress on standard error"), Flag.withDefault(false))
  },
  (options) =>
    Effect.gen(function*() {
      if (options.concurrency < 1) return yield* new CliError({ message: "--concurrency must be at least 1" })
      const streams = options.streams.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "")
      const started = performance.now()
      const shown = progressReporter(options.quiet)
      const reports = yield* Effect.gen(function*() {
        const from = yield* connectTo(options.from, options.fromApiKey)
        const to = yield* connectTo(options.to, options.toApiKey)
        return yield* Copy.copyStreams({
          from,
          to,
          collection: Option.getOrUndefined(options.collection),
          streams: streams.length > 0 ? streams : undefined,
          concurrency: options.concurrency,
          merge: options.merge,
          onProgress: shown.onProgress
        }).pipe(Retry.withPolicy(RETRY))
      }).pipe(Effect.scoped, Effect.ensuring(shown.done))
      const merged = reports.filter((r) => r.merged)
      for (const r of merged) {
        yield* Console.error(
          `copy: ${r.uuid} (${r.collection}/${r.name}): the target's metadata differs; copied into it (--merge)`
        )
      }
      yield* Console.log(reportTable(reports))
      const copied = reports.reduce((n, r) => n + r.copied, 0)
      const seconds = (performance.now() - started) / 1000
      yield* Console.log(
        `copied ${plural(copied, "point")} of ${plural(reports.length, "stream")} from ${options.from} to ` +
          `${options.to} in ${seconds.toFixed(1)} s (${compact(copied / Math.max(1e-3, seconds))} points/s)`
      )
      const differing = reports.filter((r) => r.verdict === "differs").length
      if (differing > 0) {
        return yield* new CliError({
          message: `${plural(differing, "stream")} of ${reports.length} differ on the target (listed above)`
        })
      }
    })
).pipe(
  Command.withDescription(
    "Copy streams from one BTrDB endpoint to another (the embedded server to a cluster, say): each stream is created " +
      "on the target with its uuid, collection, tags and annotations, and every point of its version when the copy " +
      "began is copied (merge policy retain, so running it again after an interruption finishes the job without " +
      "duplicating a point); then both sides are verified (count, min, mean, max) and a table printed. Exits " +
      "non-zero when a stream differs. A target stream whose metadata differs is refused unless --merge"
  )
)
