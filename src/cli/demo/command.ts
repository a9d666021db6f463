/**
 * `btrdb demo` (what `npm start` runs): starts the embedded server on a temporary data directory (or `--data`),
 * and through the SDK over gRPC creates the twelve streams of a synthetic micro-PMU in `demo/pmu1`, inserts
 * `--minutes` of `--rate` Hz data with a progress bar, runs the Python client's connection methods, queries
 * statistics at a few resolutions, prints a summary with the throughput reached, and writes an SVG chart of one
 * stream's min/mean/max band. The server stops and the temporary directory is removed on the way out.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as EStream from "effect/Stream"
import * as fsp from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type { Windows } from "../../schema/Points.js"
import { pointwidthFromNanos } from "../../schema/Time.js"
import * as Uuid from "../../schema/Uuid.js"
import * as EmbeddedServer from "../../server/EmbeddedServer.js"
import * as BTrDB from "../../services/BTrDB.js"
import * as Distiller from "../../services/Distiller.js"
import type { DeleteErrors, Stream } from "../../services/Stream.js"
import { bandChart, isoTime as iso, type Span, zoomSpan } from "../bandChart.js"
import { alignedRange, denseWindows, PLOT_WINDOWS } from "../dataCommands.js"
import { CliError, formatDuration, parseTime, pointwidthFor } from "../inputs.js"
import { progress } from "../output.js"
import { renderTable } from "../table.js"
import { CHANNELS, chunk, NOMINAL_VOLTS, type PmuOptions } from "./pmu.js"

/** The demo's collection. */
export const COLLECTION = "demo/pmu1"

/** Points per Insert call, and calls in flight: measured on 2 cores, the server decoding with proto-loader. */
const BATCH = 10_000
const CONCURRENCY = 4

const PHASE_NAMES = ["1", "2", "3"]

const int = (n: number | bigint): string => n.toLocaleString("en-US")
const num = (n: number, digits = 2): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
const rate = (points: number, ms: number): string => {
  const perSecond = points / Math.max(ms, 1e-3) * 1000
  return perSecond >= 1e6 ? `${num(perSecond / 1e6)} M points/s` : `${int(Math.round(perSecond))} points/s`
}
const ms = (d: Duration.Duration): number => Duration.toMillis(d)

const section = (title: string) => Console.log(`\n## ${title}\n`)

/** The statistics of all `windows` together (the demo's data lies inside them). */
const combine = (w: Windows) => {
  let count = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < w.times.length; i++) {
    const n = Number(w.count[i])
    count += n
    sum += w.mean[i]! * n
    min = Math.min(min, w.min[i]!)
    max = Math.max(max, w.max[i]!)
  }
  const mean = count === 0 ? 0 : sum / count
  let squares = 0
  for (let i = 0; i < w.times.length; i++) {
    squares += Number(w.count[i]) * (w.stddev[i]! ** 2 + (w.mean[i]! - mean) ** 2)
  }
  return { count, min, mean, max, stddev: count === 0 ? 0 : Math.sqrt(squares / count) }
}

const dataDirectory = (data: Option.Option<string>) =>
  Option.match(data, {
    onSome: (dir) => Effect.succeed({ dir: path.resolve(dir), temporary: false }),
    onNone: () =>
      Effect.acquireRelease(
        Effect.promise(() => fsp.mkdtemp(path.join(os.tmpdir(), "btrdb-demo-"))),
        (dir) =>
          Effect.promise(() => fsp.rm(dir, { recursive: true, force: true })).pipe(
            Effect.andThen(Console.log(`removed the temporary data directory ${dir}`))
          )
      ).pipe(Effect.map((dir) => ({ dir, temporary: true })))
  })

/** The demo's streams: those already in `--data` are reused (their demo range cleared), the others created. */
const demoStreams = (db: BTrDB.Service, options: PmuOptions, start: bigint, end: bigint) =>
  Effect.gen(function*() {
    const existing = yield* db.streamsInCollection(COLLECTION, { isCollectionPrefix: false })
    const byName = new Map<string, Stream>()
    for (const s of existing.streams) {
      const d = Option.getOrUndefined(s.descriptor)
      if (d !== undefined) byName.set(d.name, s)
    }
    let reused = 0
    const streams = yield* Effect.forEach(
      CHANNELS,
      (channel): Effect.Effect<Stream, DeleteErrors | BTrDB.CreateErrors> => {
        const found = byName.get(channel.name)
        if (found !== undefined) {
          reused++
          return Effect.as(found.delete({ start, end }), found)
        }
        return db.create({
          uuid: Uuid.random(),
          collection: COLLECTION,
          tags: { name: channel.name, unit: channel.unit },
          annotations: {
            device: "upmu-demo",
            phase: PHASE_NAMES[channel.phase]!,
            kind: channel.kind,
            quantity: channel.quantity,
            rate_hz: String(options.rateHz)
          }
        })
      }
    )
    return { streams, reused }
  })

/** Where the demo's distiller writes L1MAG's 1 s means (outside `demo`, which the demo lists). */
export const DISTILLED = "distil/demo/pmu1"

/** The stream `DISTILLED/name`, created on the first run. */
const distilledStream = (db: BTrDB.Service, name: string, unit: string, distiller: string) =>
  Effect.gen(function*() {
    const existing = yield* db.streamsInCollection(DISTILLED, { isCollectionPrefix: false, tags: { name } })
    return existing.streams[0] ?? (yield* db.create({
      uuid: Uuid.random(),
      collection: DISTILLED,
      tags: { name, unit, distiller }
    }))
  })

/**
 * Keeps three distillates of `l1` up to date: `DISTILLED/L1MAG`, its 1 s means (a catch-up run, then one that finds
 * nothing new), `DISTILLED/L1MAG-rms`, its RMS per minute, and `DISTILLED/L1MAG-sag`, 1 for each second whose
 * minimum falls 10 % below nominal: the sag.
 */
const distilDemo = (db: BTrDB.Service, l1: Stream, nominal: number) =>
  Effect.gen(function*() {
    const means = yield* Distiller.make({
      name: "L1MAG-1s",
      inputs: [l1],
      outputs: [yield* distilledStream(db, "L1MAG", "volts", "L1MAG-1s")],
      transform: Distiller.downsample({ width: "1 second", stat: "mean" })
    })
    const [time, first] = yield* Effect.timed(Distiller.runOnce(means))
    const again = yield* Distiller.runOnce(means)
    yield* Console.log(
      `Distiller.runOnce: ${int(first.pointsRead)} points of L1MAG read, ${int(first.pointsWritten)} means of 1 s ` +
        `written to ${DISTILLED}/L1MAG in ${num(ms(time), 0)} ms; run again, it found nothing new ` +
        `(${int(again.pointsRead)} points read)`
    )
    const rmsStream = yield* distilledStream(db, "L1MAG-rms", "volts", "L1MAG-rms")
    const rms = yield* Distiller.runOnce(
      yield* Distiller.make({
        name: "L1MAG-rms",
        inputs: [l1],
        outputs: [rmsStream],
        transform: Distiller.rms({ width: "1 minute" })
      })
    )
    const lastRms = yield* rmsStream.latest()
    yield* Console.log(
      `Distiller.rms: ${int(rms.pointsWritten)} RMS value${rms.pointsWritten === 1 ? "" : "s"} of 1 min written to ` +
        `${DISTILLED}/L1MAG-rms` +
        Option.match(lastRms, { onNone: () => "", onSome: (p) => `, the last ${num(p.value)} volts` })
    )
    const sagStream = yield* distilledStream(db, "L1MAG-sag", "event", "L1MAG-sag")
    yield* Distiller.runOnce(
      yield* Distiller.make({
        name: "L1MAG-sag",
        inputs: [l1],
        outputs: [sagStream],
        transform: Distiller.events({ nominal, threshold: 0.1, width: "1 second" })
      })
    )
    const flags = yield* sagStream.valuesCollected()
    const flagged = flags.times.filter((_, i) => flags.values[i] === 1)
    yield* Console.log(
      flagged.length === 0
        ? `Distiller.events: no second of L1MAG below 90 % of ${int(nominal)} V`
        : `Distiller.events: ${flagged.length} seconds of L1MAG below 90 % of ${int(nominal)} V, from ` +
          `${iso(flagged[0]!)} to ${iso(flagged[flagged.length - 1]! + 1_000_000_000n)}, in ${DISTILLED}/L1MAG-sag`
    )
  }).pipe(Effect.provideService(BTrDB.BTrDB, db))

/** Dense aligned windows of 2^`pointwidth` ns covering `span`. */
const windowsOver = (stream: Stream, span: Span, pointwidth: number) =>
  Effect.map(
    stream.alignedWindowsCollected({ ...alignedRange(span.start, span.end, pointwidth), pointwidth }),
    (w) => ({ series: denseWindows(w, pointwidth), pointwidth })
  )

const windowsText = (pointwidth: number): string =>
  `aligned windows of 2^${pointwidth} ns (${formatDuration(1n << BigInt(pointwidth))})`

/**
 * The demo's chart of `stream` (called `name`, in `unit`) over `[start, end)`: the overview from about 1000 aligned
 * windows and, when the data has an event, a zoom on it. The zoom's span is found twice: in the overview's windows,
 * then more precisely in finer windows over that first span (at least four samples of `rateHz` wide, so that none
 * is empty), which the zoom is drawn from; when those show no event, the zoom is the first span.
 */
const demoChart = (stream: Stream, name: string, unit: string, start: bigint, end: bigint, rateHz: number) =>
  Effect.gen(function*() {
    const overview = yield* windowsOver(stream, { start, end }, pointwidthFor(end - start, PLOT_WINDOWS))
    const around = zoomSpan(overview.series, { start, end })
    let zoom: (Span & { readonly series: Windows; readonly pointwidth: number }) | undefined
    if (around !== undefined) {
      const pointwidth = Math.max(
        pointwidthFor(around.end - around.start, PLOT_WINDOWS),
        Math.ceil(Math.log2(4e9 / rateHz))
      )
      const fine = yield* windowsOver(stream, around, pointwidth)
      const span = zoomSpan(fine.series, around) ?? around
      zoom = { ...fine, ...span }
    }
    const svg = bandChart(overview.series, {
      stream: name,
      unit,
      start,
      end,
      note: `min, mean and max of ${windowsText(overview.pointwidth)}`,
      ...(zoom === undefined
        ? {}
        : { zoom: { ...zoom, note: `windows of ${formatDuration(1n << BigInt(zoom.pointwidth))}` } })
    })
    let windows = 0
    for (const c of overview.series.count) if (c > 0n) windows++
    return { svg, pointwidth: overview.pointwidth, windows, zoom }
  })

const run = (options: {
  readonly data: Option.Option<string>
  readonly minutes: number
  readonly rate: number
  readonly out: string
  readonly start: string
}) =>
  Effect.gen(function*() {
    if (!(options.minutes >= 1 && options.minutes <= 24 * 60)) {
      return yield* new CliError({ message: `invalid --minutes: ${options.minutes} is not within 1 to 1440` })
    }
    if (!(options.rate > 0 && options.rate <= 10_000)) {
      return yield* new CliError({ message: `invalid --rate: ${options.rate} Hz is not within (0, 10000]` })
    }
    const start = yield* parseTime("--start", options.start)
    const seconds = options.minutes * 60
    const perStream = Math.round(seconds * options.rate)
    const end = start + BigInt(seconds) * 1_000_000_000n
    const pmu: PmuOptions = {
      rateHz: options.rate,
      event: { atSeconds: Math.round(seconds * 0.6), durationSeconds: 2, depth: 0.25 }
    }
    const total = perStream * CHANNELS.length

    const data = yield* dataDirectory(options.data)
    yield* Effect.addFinalizer(() => Console.log("btrdb server stopped"))
    const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", dataDir: data.dir })
    const db = yield* BTrDB.make({ endpoint: server.endpoint })
    const info = yield* db.info

    yield* Console.log("effect-btrdb demo: an embedded BTrDB server and a synthetic micro-PMU, through the SDK")
    yield* Console.log("")
    yield* Console.log(
      `server     ${server.endpoint}  (BTrDB ${info.majorVersion}.${info.minorVersion}, ${info.build})`
    )
    yield* Console.log(`data       ${data.dir}${data.temporary ? "  (temporary, removed at the end)" : ""}`)

    const { reused, streams } = yield* demoStreams(db, pmu, start, end)
    yield* Console.log(
      `streams    ${CHANNELS.length} in ${COLLECTION}${reused > 0 ? ` (${reused} reused from --data)` : ""}: ${
        CHANNELS.map((c) => c.name).join(" ")
      }`
    )
    yield* Console.log(
      `samples    ${options.rate} Hz from ${iso(start)} for ${options.minutes} minute${
        options.minutes === 1 ? "" : "s"
      }: ${int(perStream)} points a stream, ${int(total)} in all; a ${pmu.event.depth * 100} % voltage sag at ${
        iso(start + BigInt(pmu.event.atSeconds) * 1_000_000_000n)
      } for ${pmu.event.durationSeconds} s`
    )

    // -- insert
    const tasks: Array<readonly [number, number, number]> = []
    for (let from = 0; from < perStream; from += BATCH) {
      for (let c = 0; c < CHANNELS.length; c++) tasks.push([c, from, Math.min(BATCH, perStream - from)])
    }
    const bar = progress("inserting", total)
    const [insertTime] = yield* Effect.timed(Effect.forEach(
      tasks,
      ([c, from, count]) =>
        Effect.suspend(() => streams[c]!.insert(chunk(c, start, from, count, pmu))).pipe(
          Effect.tap(() => Effect.sync(() => bar.advance(count)))
        ),
      { concurrency: CONCURRENCY, discard: true }
    ))
    bar.done()
    const insertMs = ms(insertTime)
    yield* Console.log(
      `inserted   ${int(total)} points in ${num(insertMs / 1000, 1)} s: ${rate(total, insertMs)}  (${
        int(tasks.length)
      } Insert calls of up to ${int(BATCH)} points, ${CONCURRENCY} at a time)`
    )

    // -- the connection methods
    yield* section("The collection, through the Python client's connection methods")
    const collections = yield* db.listCollections("demo")
    const names = yield* db.listUniqueNames("demo")
    const units = yield* db.listUniqueUnits("demo")
    const annotationKeys = yield* db.listUniqueAnnotations("demo")
    const usage = yield* db.collectionMetadata(COLLECTION)
    const usageText = (r: Readonly<Record<string, number>>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(" ")
    yield* Console.log(renderTable(["method", "result"], [
      ["info()", `BTrDB ${info.majorVersion}.${info.minorVersion}, proxy ${info.proxy.proxyEndpoints.join(" ")}`],
      ["list_collections(\"demo\")", collections.join(" ")],
      ["list_unique_names(\"demo\")", names.join(" ")],
      ["list_unique_units(\"demo\")", units.join(" ")],
      ["list_unique_annotations(\"demo\")", annotationKeys.join(" ")],
      [`collection_metadata("${COLLECTION}")`, `tags: ${usageText(usage.tags)}`],
      ["", `annotations: ${usageText(usage.annotations)}`]
    ]))

    const volts = yield* db.streamsInCollection("demo", { tags: { unit: "volts" } })
    yield* Console.log(`\nstreams_in_collection("demo", tags={"unit": "volts"}): ${volts.streams.length} streams`)
    yield* Console.log(renderTable(
      ["uuid", "collection", "name", "unit", "annotations"],
      volts.streams.map((s) => {
        const d = Option.getOrThrow(s.descriptor)
        return [
          s.uuid,
          d.collection,
          d.name,
          d.unit,
          Object.entries(d.annotations).map(([k, v]) => `${k}=${v}`).join(" ")
        ]
      })
    ))
    const phase1 = yield* db.streamsInCollection(COLLECTION, { annotations: { phase: "1", kind: "current" } })
    yield* Console.log(
      `\nstreams_in_collection("${COLLECTION}", annotations={"phase": "1", "kind": "current"}): ${
        phase1.streams.map((s) => Option.getOrThrow(s.descriptor).name).join(" ")
      }`
    )
    const statement = "SELECT unit, count(*) AS streams FROM streams WHERE collection = $1 GROUP BY unit ORDER BY unit"
    const rows = yield* db.query(statement, [COLLECTION])
    yield* Console.log(`\nquery("${statement}", ["${COLLECTION}"])`)
    yield* Console.log(renderTable(["unit", "streams"], rows.map((r) => [String(r.unit), Number(r.streams)])))

    // -- statistics per stream
    const pointwidth = Math.min(62, pointwidthFromNanos(end - start) + 1)
    yield* section(
      `Statistics per stream: aligned windows of 2^${pointwidth} ns (${
        formatDuration(1n << BigInt(pointwidth))
      }) over the whole range`
    )
    const [statsTime, stats] = yield* Effect.timed(Effect.forEach(
      streams,
      (s) => Effect.map(s.alignedWindowsCollected({ ...alignedRange(start, end, pointwidth), pointwidth }), combine),
      { concurrency: 4 }
    ))
    yield* Console.log(renderTable(
      ["stream", "unit", "points", "min", "mean", "max", "stddev"],
      CHANNELS.map((c, i) => {
        const s = stats[i]!
        return [`${COLLECTION}/${c.name}`, c.unit, int(s.count), num(s.min), num(s.mean), num(s.max), num(s.stddev)]
      }),
      ["left", "left", "right", "right", "right", "right", "right"]
    ))
    const counted = stats.reduce((sum, s) => sum + s.count, 0)
    yield* Console.log(
      `${int(counted)} points in ${streams.length} streams, summarised in ${num(ms(statsTime), 0)} ms`
    )

    // -- window queries
    const l1 = streams[CHANNELS.findIndex((c) => c.name === "L1MAG")]!
    yield* section(`Queries at a few resolutions, on ${COLLECTION}/L1MAG`)
    const queryRows: Array<Array<string>> = []
    const [rawTime, rawCount] = yield* Effect.timed(
      EStream.runFold(l1.values({ start, end }), () => 0, (n, page) => n + page.times.length)
    )
    queryRows.push([
      "values",
      "raw points",
      int(rawCount),
      int(rawCount),
      num(ms(rawTime), 1),
      rate(rawCount, ms(rawTime))
    ])
    const sag = { min: Infinity, first: 0n, last: 0n, windows: 0 }
    const l1Mean = stats[CHANNELS.findIndex((c) => c.name === "L1MAG")]!.mean
    for (
      const [text, width] of [["1 s", 1_000_000_000n], ["1 min", 60_000_000_000n], [
        "15 min",
        900_000_000_000n
      ]] as const
    ) {
      if (width > end - start) continue
      const [t, w] = yield* Effect.timed(l1.windowsCollected({ start, end, width }))
      const c = combine(w)
      if (width === 1_000_000_000n) {
        for (let i = 0; i < w.times.length; i++) {
          if (w.count[i]! === 0n || w.min[i]! >= 0.9 * l1Mean) continue
          if (sag.windows === 0) sag.first = w.times[i]!
          sag.last = w.times[i]! + width
          sag.windows++
          sag.min = Math.min(sag.min, w.min[i]!)
        }
      }
      queryRows.push(["windows", text, int(w.times.length), int(c.count), num(ms(t), 1), rate(c.count, ms(t))])
    }
    for (const pw of [30, 36, 40]) {
      const [t, w] = yield* Effect.timed(
        l1.alignedWindowsCollected({ ...alignedRange(start, end, pw), pointwidth: pw })
      )
      const c = combine(w)
      queryRows.push([
        "aligned_windows",
        `2^${pw} ns (${formatDuration(1n << BigInt(pw))})`,
        int(w.times.length),
        int(c.count),
        num(ms(t), 1),
        rate(c.count, ms(t))
      ])
    }
    yield* Console.log(renderTable(
      ["query", "resolution", "windows", "points covered", "ms", "rate"],
      queryRows,
      ["left", "left", "right", "right", "right", "right"]
    ))
    if (sag.windows > 0) {
      yield* Console.log(
        `\nthe event: ${sag.windows} windows of 1 s, from ${iso(sag.first)} to ${iso(sag.last)}, dip to ` +
          `${num(sag.min)} volts (the mean is ${num(l1Mean)} volts)`
      )
    }

    yield* section("Distillers: L1MAG's 1 s means, RMS and sag, recomputed only where L1MAG changed")
    yield* distilDemo(db, l1, NOMINAL_VOLTS)

    // -- the chart
    yield* section("Chart")
    const chart = yield* demoChart(l1, `${COLLECTION}/L1MAG`, "volts", start, end, options.rate)
    const out = path.resolve(options.out)
    yield* Effect.tryPromise({
      try: () => fsp.writeFile(out, chart.svg),
      catch: (error) => new CliError({ message: `could not write ${out}: ${String(error)}` })
    })
    yield* Console.log(
      `wrote ${out}: the min/mean/max band of ${COLLECTION}/L1MAG, ${chart.windows} ${windowsText(chart.pointwidth)}${
        chart.zoom === undefined
          ? ""
          : `, and a zoom on ${iso(chart.zoom.start)} to ${iso(chart.zoom.end)} in ${
            windowsText(chart.zoom.pointwidth)
          }`
      }`
    )

    // -- throughput
    yield* section("Throughput")
    yield* Console.log(renderTable(["operation", "points", "seconds", "rate"], [
      ["insert (12 streams)", int(total), num(insertMs / 1000, 2), rate(total, insertMs)],
      ["raw values (L1MAG)", int(rawCount), num(ms(rawTime) / 1000, 2), rate(rawCount, ms(rawTime))],
      ["statistics (12 streams)", int(counted), num(ms(statsTime) / 1000, 2), rate(counted, ms(statsTime))]
    ], ["left", "right", "right", "right"]))
    yield* Console.log("")
  }).pipe(Effect.scoped)

/** The `demo` command. */
export const demo = Command.make(
  "demo",
  {
    data: Flag.Directory("data").pipe(
      Flag.withDescription("keep the data in this directory (default: a temporary one, removed at the end)"),
      Flag.optional
    ),
    minutes: Flag.Int("minutes").pipe(
      Flag.withDescription("minutes of data per stream"),
      Flag.withDefault(60)
    ),
    rate: Flag.Finite("rate").pipe(Flag.withDescription("samples per second"), Flag.withDefault(120)),
    out: Flag.File("out").pipe(
      Flag.withDescription("where to write the SVG chart"),
      Flag.withDefault("btrdb-demo.svg")
    ),
    start: Flag.String("start").pipe(
      Flag.withDescription("the time of the first sample (ns or ISO-8601)"),
      Flag.withDefault("2024-05-01T12:00:00Z")
    )
  },
  run
).pipe(
  Command.withDescription(
    "Run the embedded server, fill demo/pmu1 with synthetic micro-PMU data through the SDK, query it, " +
      "print a summary and write an SVG chart"
  )
)
