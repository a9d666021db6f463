/**
 * The contract of the StreamSet transformers (`toArrow`, `toArrowBatches`, `toArrowIpc`, `toRecords`, `toColumns`,
 * `toCsv…`, `toText`): written once, run against `BTrDB.layerMemory` and against `BTrDB.layer` over loopback gRPC to
 * the embedded server. Every expected table is computed here from the points the test inserted, with plain loops over
 * `[time, value]` pairs (`expectedTable`), or written out by hand.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Sink from "effect/Sink"
import * as EStream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import type { StatName } from "../../src/schema/Points.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import type * as Stream from "../../src/services/Stream.js"
import * as StreamSet from "../../src/services/StreamSet.js"
import { uniquePrefix } from "../support/layers.js"
import * as Ref from "./reference.js"

type Row = ReadonlyArray<bigint | number>

/** Series aligned by hand: one row per distinct time, NaN where a series has none, the last of equal times winning. */
const expectedTable = (series: ReadonlyArray<ReadonlyArray<Ref.Pair>>): Array<Row> => {
  const times = [...new Set(series.flatMap((s) => s.map(([t]) => t)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const lookups = series.map((s) => new Map(s.map(([t, v]) => [t, v])))
  return times.map((t) => [t, ...lookups.map((m) => m.get(t) ?? NaN)])
}

/** The reference windows of each stream as series of one statistic each: NaN for an empty window but its count. */
const windowSeries = (windows: ReadonlyArray<Ref.RefWindow>, stat: StatName): Array<Ref.Pair> =>
  windows.map((w) => [w.time, w.count === 0 && stat !== "count" ? NaN : w[stat]])

const tableRows = (table: arrow.Table): Array<Row> => {
  const columns = table.schema.fields.map((f) => table.getChild(f.name)!.toArray() as BigInt64Array | Float64Array)
  return Array.from({ length: table.numRows }, (_, r) => columns.map((c) => c[r]!))
}

const assertRows = (got: ReadonlyArray<Row>, want: ReadonlyArray<Row>, message?: string) => {
  assert.strictEqual(got.length, want.length, `${message ?? ""} number of rows`)
  want.forEach((row, r) =>
    row.forEach((v, c) => {
      const g = got[r]![c]!
      if (typeof v === "number" && !Number.isNaN(v) && Math.abs(v) > 1) {
        assert.closeTo(g as number, v, 1e-9 * Math.abs(v), `${message ?? ""} row ${r} column ${c}`)
      } else if (typeof v === "number" && !Number.isNaN(v)) {
        assert.closeTo(g as number, v, 1e-9, `${message ?? ""} row ${r} column ${c}`)
      } else {
        assert.deepStrictEqual(g, v, `${message ?? ""} row ${r} column ${c}`)
      }
    })
  )
}

/** A CSV line of a row as written by hand: ns, then each value, empty where NaN. */
const csvLine = (row: Row) => row.map((v) => (typeof v === "number" && Number.isNaN(v) ? "" : String(v))).join(",")

const flipInvalid = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>, field: string) =>
  Effect.map(Effect.flip(effect), (error) => {
    assert.strictEqual(error._tag, "InvalidArgument", JSON.stringify(error))
    assert.strictEqual((error as unknown as { field: string }).field, field, JSON.stringify(error))
    return (error as unknown as { detail: string }).detail
  })

/** s1 and s2 of PROTOCOL.md §9.3 (L1MAG and C1ANG), and E, a stream without points. */
const threeStreams = Effect.gen(function*() {
  const db = yield* BTrDB
  const root = uniquePrefix("tx")
  const create = (collection: string, name: string) =>
    db.create({ uuid: Uuid.random(), collection: `${root}${collection}`, tags: { name, unit: "volts" } })
  const s1 = yield* create("PMU1", "L1MAG")
  const s2 = yield* create("PMU2", "C1ANG")
  const e = yield* create("PMU3", "E")
  yield* s1.insert(Ref.S1_POINTS)
  yield* s2.insert(Ref.S2_POINTS)
  const set = yield* (yield* db.streams([s1.uuid, s2.uuid, e.uuid])).filter({ start: 100n, end: 121n })
  const names = [`${root}PMU1/L1MAG`, `${root}PMU2/C1ANG`, `${root}PMU3/E`]
  return { db, root, s1, s2, e, set, names }
})

/** Each transformer's table of `set` as rows (the header names checked first), all the same. */
const everyTransformer = (set: StreamSet.StreamSet, options: StreamSet.TransformOptions, names: Array<string>) =>
  Effect.gen(function*() {
    const table = yield* set.toArrow(options)
    assert.deepStrictEqual(table.schema.fields.map((f) => f.name), ["time", ...names])
    assert.isTrue(arrow.DataType.isTimestamp(table.schema.fields[0]!.type))
    assert.strictEqual((table.schema.fields[0]!.type as arrow.Timestamp).unit, arrow.TimeUnit.NANOSECOND)
    for (const field of table.schema.fields.slice(1)) assert.isTrue(arrow.DataType.isFloat(field.type))
    const rows = tableRows(table)

    const batches = yield* EStream.runCollect(set.toArrowBatches(options))
    assert.deepStrictEqual(tableRows(new arrow.Table(table.schema, batches)), rows, "toArrowBatches")

    const ipc = yield* EStream.runCollect(set.toArrowIpc(options))
    const bytes = new Uint8Array(Buffer.concat(ipc))
    const fromIpc = arrow.tableFromIPC(bytes)
    assert.deepStrictEqual(fromIpc.schema.fields.map((f) => f.name), ["time", ...names])
    assert.deepStrictEqual(tableRows(fromIpc), rows, "toArrowIpc")

    const columns = yield* set.toColumns(options)
    assert.deepStrictEqual(Object.keys(columns), ["times", ...names])
    assert.deepStrictEqual(
      Array.from(columns.times, (t, r) => [t, ...names.map((n) => columns[n]![r]!)]),
      rows,
      "toColumns"
    )

    const records = yield* set.toRecords(options)
    assert.deepStrictEqual(records.map((record) => [record.time, ...names.map((n) => record[n]!)]), rows, "toRecords")

    const csv = yield* EStream.mkString(set.toCsvStream(options))
    const viaSink = yield* set.toCsv(Sink.reduce(() => "", (text: string, chunk: string) => text + chunk), options)
    assert.strictEqual(viaSink, csv)
    const [header, ...lines] = csv.split("\n")
    assert.strictEqual(lines.pop(), "", "the text ends with a line break")
    assert.strictEqual(header, ["time", ...names].join(","))
    assert.deepStrictEqual(lines, rows.map(csvLine), "toCsvStream")
    return rows
  })

export const transformersContractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(
    `StreamSet transformers (${label})`,
    (it) => {
      describe("values", () => {
        it.effect("one column per stream named collection/name, aligned on time, NaN for a stream with no points", () =>
          Effect.gen(function*() {
            const { names, set } = yield* threeStreams
            const rows = yield* everyTransformer(set, {}, names)
            assert.deepStrictEqual(rows, Ref.S1_S2_ROWS.map((row) => [...row, NaN]))
            assertRows(rows, expectedTable([Ref.S1_POINTS, Ref.S2_POINTS, []]))
          }))

        it.effect("an empty set: a table with only time; a range without points: the columns and no rows", () =>
          Effect.gen(function*() {
            const empty = StreamSet.make([])
            assert.deepStrictEqual(yield* everyTransformer(empty, {}, []), [])
            assert.strictEqual((yield* empty.toArrow()).numCols, 1)
            assert.deepStrictEqual(yield* empty.toColumns(), { times: new BigInt64Array(0) })
            assert.strictEqual(yield* EStream.mkString(empty.toCsvStream()), "time\n")
            assert.strictEqual(yield* empty.toText(), "time\n----\n[0 rows × 1 column]")
            const windowed = yield* empty.toArrow({ window: { width: 10n }, stat: "all" })
            assert.deepStrictEqual(windowed.schema.fields.map((f) => f.name), ["time"])

            const { names, set } = yield* threeStreams
            const before = yield* set.filter({ start: 0n, end: 50n })
            assert.deepStrictEqual(yield* everyTransformer(before, {}, names), [])
          }))

        it.effect("mixed sampling rates over many pages, read in constant memory as several batches", () =>
          Effect.gen(function*() {
            const db = yield* BTrDB
            const root = `${uniquePrefix("rates")}pmu`
            const base = 1_600_000_000_000_000_000n
            // 120 Hz for 100 s, 50 Hz shifted by 3 ms, and 1 Hz with a time repeated
            const specs = [
              { name: "fast", n: 12_000, step: 8_333_333n, offset: 0n },
              { name: "mid", n: 5_000, step: 20_000_000n, offset: 3_000_000n },
              { name: "slow", n: 100, step: 1_000_000_000n, offset: 0n }
            ]
            const series: Array<Array<Ref.Pair>> = []
            const streams: Array<Stream.Stream> = []
            for (const [j, spec] of specs.entries()) {
              const s = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: spec.name } })
              const points = Array.from(
                { length: spec.n },
                (_, i) => [base + spec.offset + BigInt(i) * spec.step, (i % 97) * (j + 1) + 0.25] as const
              )
              yield* s.insert(points)
              if (spec.name === "slow") {
                // two more points at a time it has: of equal times the last one read wins
                yield* s.insert([[base + 5_000_000_000n, -1], [base + 5_000_000_000n, -2]])
                const read = yield* s.valuesCollected()
                series.push(Array.from(read.times, (t, i) => [t, read.values[i]!] as const))
              } else {
                series.push(points)
              }
              streams.push(s)
            }
            const set = yield* StreamSet.make(streams).filter({ start: base, end: base + 100_000_000_000n })
            const want = expectedTable(series)
            const rows = yield* everyTransformer(set, { concurrency: 2 }, specs.map((s) => `${root}/${s.name}`))
            assertRows(rows, want)
            const batches = yield* EStream.runCollect(set.toArrowBatches())
            assert.isAbove(batches.length, 2, "several batches")
            assert.strictEqual(batches.reduce((n, b) => n + b.numRows, 0), want.length)
            // the first batch comes without reading the rest
            const first = yield* EStream.runCollect(EStream.take(set.toArrowBatches(), 1))
            assert.isBelow(first[0]!.numRows, want.length)
          }))

        it.effect("streams at the same times over many pages: one row per time, each stream's value", () =>
          Effect.gen(function*() {
            const db = yield* BTrDB
            const root = `${uniquePrefix("same")}pmu`
            const times = Array.from({ length: 12_000 }, (_, i) => 1_000_000n + BigInt(i) * 1000n)
            const series = [0, 1, 2].map((j) => times.map((t, i) => [t, i * (j + 1) - 0.5] as const))
            const streams = yield* Effect.forEach(series, (points, j) =>
              Effect.tap(
                db.create({ uuid: Uuid.random(), collection: root, tags: { name: `s${j}` } }),
                (s) => s.insert(points)
              ))
            const rows = yield* everyTransformer(StreamSet.make(streams), {}, [0, 1, 2].map((j) => `${root}/s${j}`))
            assertRows(rows, expectedTable(series))
          }))

        it.effect("with a sampling frequency, values snap to its grid as rows snaps them (over several pages)", () =>
          Effect.gen(function*() {
            const db = yield* BTrDB
            const root = `${uniquePrefix("snapx")}pmu`
            const ms = 1_000_000n
            const a = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: "a" } })
            const b = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: "b" } })
            // the hand-built case of the data contract
            yield* a.insert([[500n * ms, 1], [2000n * ms, 2], [2750n * ms, 3]])
            yield* b.insert([[500n * ms - 1n, 10], [1200n * ms, 11], [1600n * ms, 12], [2400n * ms, 13]])
            const set = yield* (yield* db.streams([a.uuid, b.uuid])).filter({
              start: 1000n * ms,
              end: 3000n * ms,
              samplingFrequency: 1
            })
            const rows = yield* everyTransformer(set, {}, [`${root}/a`, `${root}/b`])
            assert.deepStrictEqual(rows, [[1000n * ms, 1, 11], [2000n * ms, 2, 12]])

            // 11 000 jittered points at about 100 Hz snapped to 10 Hz: each grid time takes its nearest point
            const c = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: "c" } })
            const next = Ref.random(7)
            const points = Array.from({ length: 11_000 }, (_, i) => {
              const t = 10_000n * ms + BigInt(i) * 10n * ms + BigInt(Math.floor(next() * 4_000_000))
              return [t, i] as const
            })
            yield* c.insert(points)
            const P = 100n * ms
            const start = 10_000n * ms
            const end = start + 110_000n * ms
            const nearest = new Map<bigint, Ref.Pair>()
            for (const [t, v] of points) {
              const g = ((2n * t + P) / (2n * P)) * P
              if (g < start || g >= end) continue
              const d = (p: bigint) => (p > g ? p - g : g - p)
              const held = nearest.get(g)
              if (held === undefined || d(t) < d(held[0])) nearest.set(g, [t, v])
            }
            const want = [...nearest.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([g, [, v]]) => [g, v])
            const snapped = yield* (yield* db.streams([c.uuid])).filter({ start, end, samplingFrequency: 10 })
            assertRows(yield* everyTransformer(snapped, {}, [`${root}/c`]), want)
          }))
      })

      describe("windows", () => {
        it.effect("all statistics: a column per stream and statistic, NaN for an empty window but its count", () =>
          Effect.gen(function*() {
            const { names, set } = yield* threeStreams
            const stats: ReadonlyArray<StatName> = ["min", "mean", "max", "count", "stddev"]
            const windows = [Ref.S1_POINTS, Ref.S2_POINTS, []].map((p) => Ref.windows(p, 100n, 121n, 4n))
            const want = expectedTable(windows.flatMap((w) => stats.map((stat) => windowSeries(w, stat))))
            const columns = names.flatMap((n) => stats.map((stat) => `${n}/${stat}`))
            assertRows(yield* everyTransformer(set, { window: { width: 4n }, stat: "all" }, columns), want)
            // one statistic (the default: mean): no suffix
            const means = expectedTable(windows.map((w) => windowSeries(w, "mean")))
            assertRows(yield* everyTransformer(set, { window: { width: 4n } }, names), means)
          }))

        it.effect("aligned windows of chosen statistics, NaN where a stream has no window at a time", () =>
          Effect.gen(function*() {
            const { names, set } = yield* threeStreams
            const stats: ReadonlyArray<StatName> = ["max", "count"]
            const windows = [Ref.S1_POINTS, Ref.S2_POINTS, []].map((p) => Ref.alignedWindows(p, 100n, 121n, 2))
            const want = expectedTable(windows.flatMap((w) => stats.map((stat) => windowSeries(w, stat))))
            const columns = names.flatMap((n) => stats.map((stat) => `${n}/${stat}`))
            const rows = yield* everyTransformer(set, { window: { pointwidth: 2 }, stat: stats }, columns)
            assertRows(rows, want)
            // s1 has no window at 116 (from 112 to 120 only 115), s2 one (119); E has none
            assert.deepStrictEqual(rows[4], [116n, NaN, NaN, 9, 1, NaN, NaN])
          }))
      })

      describe("column names", () => {
        it.effect("a function names the columns; a duplicate or `time` is an InvalidArgument naming it", () =>
          Effect.gen(function*() {
            const { set } = yield* threeStreams
            const byName = yield* set.toColumns({ columnName: (stream) => stream.name })
            assert.deepStrictEqual(Object.keys(byName), ["times", "L1MAG", "C1ANG", "E"])
            const withStat = yield* set.toArrow({
              window: { width: 10n },
              stat: ["min", "max"],
              columnName: (stream, stat) => `${stream.name}.${stat}`
            })
            assert.deepStrictEqual(withStat.schema.fields.map((f) => f.name), [
              "time",
              "L1MAG.min",
              "L1MAG.max",
              "C1ANG.min",
              "C1ANG.max",
              "E.min",
              "E.max"
            ])
            const duplicate = yield* flipInvalid(set.toArrow({ columnName: (stream) => stream.unit }), "columnName")
            assert.include(duplicate, "\"volts\"")
            const reserved = yield* flipInvalid(set.toRecords({ columnName: () => "time" }), "columnName")
            assert.include(reserved, "\"time\"")
            const sameStat = set.toCsvStream({ window: { width: 10n }, stat: ["min", "min"] })
            assert.include(yield* flipInvalid(EStream.runDrain(sameStat), "columnName"), "/min\"")
          }))

        it.effect("options are checked before anything is read", () =>
          Effect.gen(function*() {
            const { set } = yield* threeStreams
            yield* flipInvalid(set.toArrow({ stat: "max" }), "stat")
            yield* flipInvalid(set.toArrow({ window: { width: 10n }, stat: "median" as "mean" }), "stat")
            yield* flipInvalid(set.toArrow({ window: { width: 10n }, stat: [] }), "stat")
            yield* flipInvalid(set.toColumns({ concurrency: 0 }), "concurrency")
            yield* flipInvalid(set.toText({ head: -1 }), "head")
            yield* flipInvalid(set.toArrow({ window: { width: 0n } }), "width")
            yield* flipInvalid(EStream.runDrain(set.toArrowBatches({ window: { pointwidth: 99 } })), "pointwidth")
          }))
      })

      describe("files and text", () => {
        it.effect("toCsvFile writes the CSV text to a file", () =>
          Effect.gen(function*() {
            const { names, set } = yield* threeStreams
            const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "btrdb-tx-")))
            const file = path.join(dir, "out.csv")
            yield* set.toCsvFile(file)
            const text = yield* Effect.promise(() => fs.readFile(file, "utf8"))
            yield* Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
            const want = [["time", ...names].join(","), ...Ref.S1_S2_ROWS.map((row) => csvLine([...row, NaN]))]
            assert.strictEqual(text, want.join("\n") + "\n")
          }))

        it.effect("toText shows the first and last rows, … between, and the size", () =>
          Effect.gen(function*() {
            const { set } = yield* threeStreams
            const text = yield* set.toText({ head: 2, tail: 1, columnName: (stream) => stream.name })
            assert.strictEqual(
              text,
              [
                "time                            L1MAG  C1ANG    E",
                "------------------------------  -----  -----  ---",
                "1970-01-01T00:00:00.000000100Z      0    NaN  NaN",
                "1970-01-01T00:00:00.000000101Z    NaN      5  NaN",
                "…                                   …      …    …",
                "1970-01-01T00:00:00.000000120Z      4    NaN  NaN",
                "[9 rows × 4 columns]"
              ].join("\n")
            )
            // every row when they fit
            const all = yield* set.toText({ head: 5, tail: 4, columnName: (stream) => stream.name })
            assert.strictEqual(all.split("\n").length, 2 + 9 + 1)
            assert.notInclude(all, "…")
          }))
      })
    }
  )
