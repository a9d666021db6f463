/**
 * The maintenance commands, which work on a data directory rather than an endpoint: `verify` (every checksum and
 * the tree invariants of every version) and `du` (disk usage per stream). Like every opener they take the
 * directory's lock, so they refuse a directory a server has open.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { diskUsage } from "../engine/data/usage.js"
import { formatFault, formatVersions, verifyDirectory, type VerifyReport } from "../engine/data/verify.js"
import { CliError } from "./inputs.js"
import { type Progress, progress } from "./output.js"
import { renderTable } from "./table.js"

const dataFlag = Flag.Directory("data").pipe(
  Flag.withDescription(
    "the data directory; it must not be in use: a server that has it open must be stopped first (refused otherwise)"
  )
)

const failure = (error: unknown) => new CliError({ message: error instanceof Error ? error.message : String(error) })

/** `12.3 MiB`. */
const human = (bytes: number): string => {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
  let u = 0
  let n = bytes
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024
    u++
  }
  return u === 0 ? `${bytes} bytes` : `${n.toFixed(1)} ${units[u]}`
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`

/** The last line of `btrdb verify`. */
export const summaryLine = (r: VerifyReport): string =>
  `checked ${plural(r.streams, "stream")}${r.obliterated > 0 ? ` (and ${r.obliterated} obliterated)` : ""}, ` +
  `${plural(r.versions, "version")}, ${plural(r.nodes, "node")} (${r.leaves} ${r.leaves === 1 ? "leaf" : "leaves"}), ` +
  `${plural(r.points, "point")} in the latest versions, ${plural(r.bytes, "byte")} in ${r.dir}: ` +
  (r.faultCount === 0 ? "no faults" : plural(r.faultCount, "fault"))

/** Progress of a long verification on a terminal's standard error (nothing when it is not a terminal). */
const onProgress = () => {
  let bar: Progress | undefined
  let last = 0
  return {
    report: (done: number, total: number) => {
      if (process.stderr.isTTY !== true) return
      bar ??= progress("verify", total, "bytes")
      bar.advance(done - last)
      last = done
    },
    done: () => bar?.done()
  }
}

/** `btrdb verify --data DIR`: checks a data directory; exits non-zero when anything is wrong. */
export const verify = Command.make("verify", { data: dataFlag }, (options) =>
  Effect.gen(function*() {
    const shown = onProgress()
    const report = yield* Effect.tryPromise({
      try: (signal) => verifyDirectory(options.data, { signal, onProgress: shown.report }),
      catch: failure
    })
    shown.done()
    for (const f of report.faults) yield* Console.log(`fault: ${formatFault(f)}`)
    if (report.faultCount > report.faults.length) {
      yield* Console.log(`fault: … and ${report.faultCount - report.faults.length} more`)
    }
    for (const d of report.damaged) {
      yield* Console.log(`damaged: stream ${d.stream}: versions ${formatVersions(d.versions)} reach damaged nodes`)
    }
    for (const n of report.notes) yield* Console.log(`note: ${formatFault(n)}`)
    yield* Console.log(summaryLine(report))
    if (report.faultCount > 0) {
      return yield* new CliError({
        message: `${report.dir} failed verification: ${plural(report.faultCount, "fault")} (listed above)`
      })
    }
  })).pipe(
    Command.withDescription(
      "Check a data directory: every checksum (commit log, nodes, metadata log) and the tree of every version of " +
        "every stream (statistics, geometry, point order); prints each fault and a summary, and exits non-zero " +
        "when there is any. Refused while a server has the directory open"
    )
  )

/** `btrdb du --data DIR`: bytes per stream (latest version, all versions) and per kind of file. */
export const du = Command.make(
  "du",
  {
    data: dataFlag,
    format: Flag.Literals("format", ["table", "json"]).pipe(
      Flag.withDescription("table (one row per stream, then the files) or json (one object)"),
      Flag.withDefault("table")
    )
  },
  (options) =>
    Effect.gen(function*() {
      const u = yield* Effect.tryPromise({ try: (signal) => diskUsage(options.data, { signal }), catch: failure })
      if (options.format === "json") {
        yield* Console.log(JSON.stringify(
          {
            ...u,
            streams: u.streams.map((s) => ({ ...s, collection: s.collection ?? null, name: s.name ?? null }))
          },
          null,
          2
        ))
        return
      }
      yield* Console.log(renderTable(
        ["uuid", "stream", "versions", "points", "latest bytes", "all versions bytes"],
        u.streams.map((s) => [
          s.uuid,
          s.collection === undefined ? "?" : `${s.collection}/${s.name}`,
          s.versions,
          s.points,
          s.latestBytes,
          s.allBytes
        ]),
        ["left", "left", "right", "right", "right", "right"]
      ))
      yield* Console.log("")
      yield* Console.log(renderTable(
        ["files", "bytes", "", "what"],
        [
          [
            "segments",
            u.segments.bytes,
            human(u.segments.bytes),
            `${plural(u.segments.files, "file")}; ${u.unreachable} bytes reached by no live stream's version`
          ],
          ["commit log", u.commitLog.bytes, human(u.commitLog.bytes), plural(u.commitLog.records, "record")],
          ["metadata", u.metadata.bytes, human(u.metadata.bytes), plural(u.metadata.files, "file")],
          ["total", u.total, human(u.total), ""],
          [
            "reclaimed",
            u.reclaimed.bytes,
            human(u.reclaimed.bytes),
            `${plural(u.reclaimed.files, "segment file")} deleted by compaction (not in the total)`
          ]
        ],
        ["left", "right", "right", "left"]
      ))
    })
).pipe(
  Command.withDescription(
    "Show a data directory's disk usage: per stream the bytes of the nodes its latest version reaches and of those " +
      "any version reaches, then the segment files, commit log and metadata, and the space compaction gave back. " +
      "Refused while a server has the directory open"
  )
)
