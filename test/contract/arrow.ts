/**
 * The Arrow contract of `Stream` and `StreamSet` and of `subscribe` (PROTOCOL.md §9): written once, run against
 * `BTrDB.layerMemory` and against `BTrDB.layer` over loopback gRPC to the embedded server. The cases are the
 * Python client's Arrow tests: default schemas and templates, duplicate timestamps per merge policy, snap rounding
 * at the range edges, empty results with the right schema, and the s1/s2 table.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as arrow from "apache-arrow"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as EStream from "effect/Stream"
import { MAX_TIME } from "../../src/internal/protocol.js"
import * as Points from "../../src/schema/Points.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import * as Stream from "../../src/services/Stream.js"
import { uniquePrefix } from "../support/layers.js"
import { S1_POINTS, S1_S2_ROWS, S2_POINTS } from "./reference.js"

const BASE = 1_500_000_000_000_000_000n
const SECOND = 1_000_000_000n
const NS_UTC = "Timestamp<NANOSECOND, UTC>"

const newStream = (label: string) =>
  Effect.flatMap(
    BTrDB,
    (db) => db.create({ uuid: Uuid.random(), collection: uniquePrefix(label), tags: { name: "s" } })
  )

/** The schema of a table as [name, type, nullable] triples. */
const schemaOf = (table: arrow.Table) => table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])

const column = <A = BigInt64Array>(table: arrow.Table, name: string): A => table.getChild(name)!.toArray() as A

/** The rows of a table as arrays of plain values (bigints for 64-bit integers and timestamps). */
const rowsOf = (table: arrow.Table) => {
  const columns = table.schema.fields.map((_, i) => table.getChildAt(i)!.toArray() as ArrayLike<unknown>)
  return Array.from({ length: table.numRows }, (_, r) => columns.map((c) => c[r]))
}

const tableOf = (fields: ReadonlyArray<[string, arrow.DataType, ArrayLike<unknown>]>, nullable = false) => {
  const n = fields[0]![2].length
  const schema = new arrow.Schema(fields.map(([name, type]) => new arrow.Field(name, type, nullable)))
  const children = fields.map(([, type, data]) => arrow.makeData({ type, length: n, nullCount: 0, data } as any))
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children })
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)])
}

const pointsTable = (times: ReadonlyArray<bigint>, values: ReadonlyArray<number>) =>
  tableOf([
    ["time", new arrow.TimestampNanosecond("UTC"), BigInt64Array.from(times)],
    ["value", new arrow.Float64(), Float64Array.from(values)]
  ])

const flipped = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect)

const assertInvalid = (error: { readonly _tag: string }, field: string) => {
  assert.strictEqual(error._tag, "InvalidArgument", JSON.stringify(error))
  assert.strictEqual((error as unknown as { field: string }).field, field, JSON.stringify(error))
}

/**
 * Subscribes to `streams` plus a probe stream and waits until the subscription is live (a probe insert comes
 * back: the server registers a subscription asynchronously). Returns the queue of the other streams' updates.
 */
const liveSubscription = (streams: ReadonlyArray<Stream.Stream>) =>
  Effect.gen(function*() {
    const probe = yield* newStream("probe")
    const queue = yield* Queue.unbounded<Points.InsertedPoints>()
    const fiber = yield* Stream.subscribe([...streams, probe]).pipe(
      EStream.runForEach((update) => Queue.offer(queue, update)),
      Effect.forkScoped
    )
    for (let t = 1n;; t++) {
      yield* probe.insert([[t, 1]])
      const got = yield* Queue.take(queue).pipe(Effect.timeout("150 millis"), Effect.option)
      if (Option.isSome(got)) break
    }
    const next = (n: number) =>
      Effect.gen(function*() {
        const out: Array<Points.InsertedPoints> = []
        while (out.length < n) {
          const update = yield* Queue.take(queue).pipe(Effect.timeout("10 seconds"))
          if (update.uuid !== probe.uuid) out.push(update)
        }
        return out
      })
    return { fiber, next, queue, probe }
  })

export const arrowContractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(`Arrow contract (${label})`, (it) => {
    it.effect("info: minor version ≥ 30, so clients turn their Arrow methods on", () =>
      Effect.gen(function*() {
        const info = yield* (yield* BTrDB).info
        assert.strictEqual(info.majorVersion, 5)
        assert.isAtLeast(info.minorVersion, 30)
      }))

    describe("arrowValues", () => {
      it.effect("default schema (time: timestamp[ns, UTC], value: float64, not null), rows as values", () =>
        Effect.gen(function*() {
          const s = yield* newStream("av")
          const n = 60_001
          const times = BigInt64Array.from({ length: n }, (_, i) => BASE + BigInt(i) * 1000n)
          const values = Float64Array.from({ length: n }, (_, i) => i / 8)
          const v1 = (yield* s.insert({ times, values })).version
          yield* s.insert([[BASE + 500n, -1]])
          const table = yield* s.arrowValues({ start: BASE, end: BASE + SECOND })
          assert.deepStrictEqual(schemaOf(table), [["time", NS_UTC, false], ["value", "Float64", false]])
          assert.isAtLeast(table.batches.length, 2, "more than 50 000 rows come in several messages")
          const all = yield* s.valuesCollected({ start: BASE, end: BASE + SECOND })
          assert.strictEqual(table.numRows, n + 1)
          assert.deepStrictEqual(column(table, "time"), all.times)
          assert.deepStrictEqual(column<Float64Array>(table, "value"), all.values)
          // an older version, and a sub-range
          const old = yield* s.arrowValues({ start: BASE, end: BASE + 2000n, version: v1 })
          assert.deepStrictEqual(rowsOf(old), [[BASE, 0], [BASE + 1000n, 1 / 8]])
        }))

      it.effect("an empty result has the default schema, or the template's", () =>
        Effect.gen(function*() {
          const s = yield* newStream("avempty")
          const empty = yield* s.arrowValues({ start: 0n, end: 100n })
          assert.strictEqual(empty.numRows, 0)
          assert.deepStrictEqual(schemaOf(empty), [["time", NS_UTC, false], ["value", "Float64", false]])
          const schema = new arrow.Schema([
            new arrow.Field("t", new arrow.Int64(), false),
            new arrow.Field("v", new arrow.Float32(), false)
          ])
          const templated = yield* s.arrowValues({ start: 0n, end: 100n, schema })
          assert.strictEqual(templated.numRows, 0)
          assert.deepStrictEqual(schemaOf(templated), [["t", "Int64", false], ["v", "Float32", false]])
        }))

      it.effect("the template t: int64 not null, v: float32 not null returns exactly those names and types", () =>
        Effect.gen(function*() {
          const s = yield* newStream("avtpl")
          yield* s.insert([[100n, 1.5], [200n, 2.25], [300n, 1 / 3]])
          const schema = new arrow.Schema([
            new arrow.Field("t", new arrow.Int64(), false),
            new arrow.Field("v", new arrow.Float32(), false)
          ])
          const table = yield* s.arrowValues({ start: 0n, end: 1000n, schema })
          assert.deepStrictEqual(schemaOf(table), [["t", "Int64", false], ["v", "Float32", false]])
          assert.deepStrictEqual(column(table, "t"), BigInt64Array.of(100n, 200n, 300n))
          assert.deepStrictEqual(column<Float32Array>(table, "v"), Float32Array.of(1.5, 2.25, 1 / 3))
        }))

      it.effect("timestamp templates of any unit and time zone cast times by floor division", () =>
        Effect.gen(function*() {
          const s = yield* newStream("avunit")
          yield* s.insert([[-1_500_000_000n, 1], [-1n, 2], [0n, 3], [1_999_999_999n, 4]])
          const read = (type: arrow.DataType, nullable: boolean) =>
            s.arrowValues({
              start: -10n * SECOND,
              end: 10n * SECOND,
              schema: new arrow.Schema([
                new arrow.Field("when", type, nullable),
                new arrow.Field("x", new arrow.Float64(), nullable)
              ])
            })
          const seconds = yield* read(new arrow.TimestampSecond("America/New_York"), true)
          assert.deepStrictEqual(schemaOf(seconds), [
            ["when", "Timestamp<SECOND, America/New_York>", true],
            ["x", "Float64", true]
          ])
          assert.deepStrictEqual(column(seconds, "when"), BigInt64Array.of(-2n, -1n, 0n, 1n))
          const millis = yield* read(new arrow.TimestampMillisecond(), false)
          assert.deepStrictEqual(schemaOf(millis)[0], ["when", "Timestamp<MILLISECOND>", false])
          assert.deepStrictEqual(column(millis, "when"), BigInt64Array.of(-1500n, -1n, 0n, 1999n))
          const micros = yield* read(new arrow.TimestampMicrosecond("UTC"), false)
          assert.deepStrictEqual(column(micros, "when"), BigInt64Array.of(-1_500_000n, -1n, 0n, 1_999_999n))
          assert.deepStrictEqual(column<Float64Array>(micros, "x"), Float64Array.of(1, 2, 3, 4))
        }))

      it.effect("a template that does not fit, and bad ranges, fail with typed errors", () =>
        Effect.gen(function*() {
          const s = yield* newStream("avbad")
          const f = (name: string, type: arrow.DataType) => new arrow.Field(name, type, false)
          const schemas = [
            new arrow.Schema([
              f("time", new arrow.TimestampNanosecond()),
              f("a", new arrow.Float64()),
              f("b", new arrow.Float64())
            ]),
            new arrow.Schema([f("time", new arrow.TimestampNanosecond())]),
            new arrow.Schema([f("time", new arrow.Utf8()), f("value", new arrow.Float64())]),
            new arrow.Schema([f("time", new arrow.Int32()), f("value", new arrow.Float64())]),
            new arrow.Schema([f("time", new arrow.Int64()), f("value", new arrow.Int32())]),
            { fields: [] } as unknown as arrow.Schema
          ]
          for (const schema of schemas) {
            assertInvalid(yield* flipped(s.arrowValues({ start: 0n, end: 10n, schema })), "schema")
          }
          assertInvalid(yield* flipped(s.arrowValues({ start: 10n, end: 10n })), "end")
          const unknown = yield* (yield* BTrDB).streamFromUuid(Uuid.random())
          assert.strictEqual((yield* flipped(unknown.arrowValues()))._tag, "StreamNotFound")
          assert.strictEqual((yield* flipped(s.arrowValues({ version: 99 })))._tag, "VersionNotAvailable")
        }))
    })

    describe("arrowWindows and arrowAlignedWindows", () => {
      const example = Array.from({ length: 10 }, (_, k) => [BASE + BigInt(k) * 100_000_000n, k + 1] as const)
      const WINDOWS_SCHEMA = [
        ["time", NS_UTC, false],
        ["min", "Float64", false],
        ["mean", "Float64", false],
        ["max", "Float64", false],
        ["count", "Uint64", false],
        ["stddev", "Float64", false]
      ]

      it.effect("aligned windows: the §7.4 example as a table sorted by time", () =>
        Effect.gen(function*() {
          const s = yield* newStream("aaw")
          yield* s.insert(example)
          const table = yield* s.arrowAlignedWindows({ start: BASE, end: BASE + SECOND, pointwidth: 28 })
          assert.deepStrictEqual(schemaOf(table), WINDOWS_SCHEMA)
          assert.deepStrictEqual(
            column(table, "time"),
            BigInt64Array.of(1499999999814008832n, 1500000000082444288n, 1500000000350879744n, 1500000000619315200n)
          )
          assert.deepStrictEqual(column<Float64Array>(table, "min"), Float64Array.of(1, 2, 5, 8))
          assert.deepStrictEqual(column<Float64Array>(table, "mean"), Float64Array.of(1, 3, 6, 8.5))
          assert.deepStrictEqual(column<Float64Array>(table, "max"), Float64Array.of(1, 4, 7, 9))
          assert.deepStrictEqual(column<BigUint64Array>(table, "count"), BigUint64Array.of(1n, 3n, 3n, 2n))
          const sd = column<Float64Array>(table, "stddev")
          ;[0, 0.816496580927726, 0.816496580927726, 0.5].forEach((want, i) => assert.closeTo(sd[i]!, want, 1e-9))
        }))

      it.effect("windows: the §7.5 example, empty windows with count 0, the same as windowsCollected", () =>
        Effect.gen(function*() {
          const s = yield* newStream("aw")
          yield* s.insert(example)
          const table = yield* s.arrowWindows({ start: BASE, end: BASE + SECOND, width: 300_000_000n })
          assert.deepStrictEqual(schemaOf(table), WINDOWS_SCHEMA)
          assert.deepStrictEqual(column<BigUint64Array>(table, "count"), BigUint64Array.of(3n, 3n, 3n))
          assert.deepStrictEqual(column<Float64Array>(table, "mean"), Float64Array.of(2, 5, 8))
          const wide = { start: BASE - 10n * SECOND, end: BASE + 10n * SECOND, width: 700_000_000n }
          const arrowed = yield* s.arrowWindows(wide)
          const plain = yield* s.windowsCollected(wide)
          assert.deepStrictEqual(column(arrowed, "time"), plain.times)
          assert.deepStrictEqual(column<BigUint64Array>(arrowed, "count"), plain.count)
          for (const stat of ["min", "mean", "max", "stddev"] as const) {
            assert.deepStrictEqual(column<Float64Array>(arrowed, stat), plain[stat], stat)
          }
          assert.isTrue(plain.count.includes(0n), "some windows are empty")
          // empty windows read as NaN or left out, as windowsCollected reads them
          for (const empty of ["nan", "drop"] as const) {
            const treated = yield* s.arrowWindows({ ...wide, empty })
            const want = yield* s.windowsCollected({ ...wide, empty })
            assert.deepStrictEqual(schemaOf(treated), WINDOWS_SCHEMA)
            assert.deepStrictEqual(column(treated, "time"), want.times, empty)
            assert.deepStrictEqual(column<BigUint64Array>(treated, "count"), want.count, empty)
            for (const stat of ["min", "mean", "max", "stddev"] as const) {
              assert.deepStrictEqual(column<Float64Array>(treated, stat), want[stat], `${empty} ${stat}`)
            }
          }
          const withPoints = plain.count.filter((c) => c > 0n).length
          assert.strictEqual((yield* s.arrowWindows({ ...wide, empty: "drop" })).numRows, withPoints)
        }))

      it.effect("no windows: an empty table with the windows schema; bad widths are typed errors", () =>
        Effect.gen(function*() {
          const s = yield* newStream("awempty")
          const empty = yield* s.arrowAlignedWindows({ start: 0n, end: SECOND, pointwidth: 20 })
          assert.strictEqual(empty.numRows, 0)
          assert.deepStrictEqual(schemaOf(empty), WINDOWS_SCHEMA)
          assertInvalid(yield* flipped(s.arrowAlignedWindows({ start: 0n, end: SECOND, pointwidth: 64 })), "pointwidth")
          assertInvalid(yield* flipped(s.arrowWindows({ start: 0n, end: SECOND, width: 0n })), "width")
          assert.strictEqual(
            (yield* flipped(s.arrowWindows({ start: 0n, end: SECOND, width: 2n * SECOND })))._tag,
            "InvalidTimeRange"
          )
        }))
    })

    describe("arrowInsert", () => {
      it.effect("merge policies (the Python test: t = [100, 105, 110, 110, 120], values 0..4, inserted twice)", () =>
        Effect.gen(function*() {
          const table = pointsTable([100n, 105n, 110n, 110n, 120n], [0, 1, 2, 3, 4])
          const want: Record<Points.MergePolicy, Array<[bigint, number]>> = {
            never: [
              [100n, 0],
              [100n, 0],
              [105n, 1],
              [105n, 1],
              [110n, 2],
              [110n, 2],
              [110n, 3],
              [110n, 3],
              [120n, 4],
              [120n, 4]
            ],
            equal: [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]],
            retain: [[100n, 0], [105n, 1], [110n, 2], [120n, 4]],
            replace: [[100n, 0], [105n, 1], [110n, 3], [120n, 4]]
          }
          for (const merge of Points.MergePolicy.literals) {
            const s = yield* newStream(`amerge${merge}`)
            const first = yield* s.arrowInsert(table, { merge })
            assert.strictEqual(first.version, 11n)
            yield* s.arrowInsert(table, { merge })
            const got = rowsOf(yield* s.arrowValues({ start: 0n, end: 1000n })) as Array<[bigint, number]>
            const sorted = (p: Array<[bigint, number]>) =>
              [...p].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1))
            assert.deepStrictEqual(sorted(got), want[merge], merge)
          }
        }))

      it.effect("columns by name, else by position; any timestamp unit or int64 ns; float32 values", () =>
        Effect.gen(function*() {
          const s = yield* newStream("aunits")
          // named, in the other order, milliseconds
          yield* s.arrowInsert(tableOf([
            ["value", new arrow.Float32(), Float32Array.of(0.5, 1.5)],
            ["time", new arrow.TimestampMillisecond("Europe/Paris"), BigInt64Array.of(-2n, 3n)]
          ]))
          // by position: int64 nanoseconds, float64
          yield* s.arrowInsert(tableOf([
            ["t", new arrow.Int64(), BigInt64Array.of(7n)],
            ["v", new arrow.Float64(), Float64Array.of(7.25)]
          ]))
          // seconds, nullable fields without nulls
          yield* s.arrowInsert(
            tableOf([
              ["time", new arrow.TimestampSecond(), BigInt64Array.of(4n)],
              ["value", new arrow.Float64(), Float64Array.of(4)]
            ], true)
          )
          assert.deepStrictEqual(
            Points.toPairs(yield* s.valuesCollected({ start: -10n * SECOND, end: 10n * SECOND })),
            [
              [-2_000_000n, 0.5],
              [7n, 7.25],
              [3_000_000n, 1.5],
              [4n * SECOND, 4]
            ]
          )
        }))

      it.effect("more than 50 000 rows go in several calls (one at a time with maxInFlight: 1), each one's version", () =>
        Effect.gen(function*() {
          const s = yield* newStream("abig")
          const n = 120_001
          const times = Array.from({ length: n }, (_, i) => BASE + BigInt(n - i))
          const result = yield* s.arrowInsert(pointsTable(times, times.map((_, i) => i)), { maxInFlight: 1 })
          assert.deepStrictEqual(result, { version: 13n, versions: [11n, 12n, 13n] })
          for (const maxInFlight of [0, 65]) {
            const bad = yield* Effect.flip(s.arrowInsert(pointsTable(times, times.map((_, i) => i)), { maxInFlight }))
            assert.strictEqual(bad._tag, "InvalidArgument")
            assert.strictEqual((bad as { field?: string }).field, "maxInFlight")
          }
          assert.strictEqual(yield* s.count({ start: BASE, end: BASE + SECOND, precise: true }), BigInt(n))
          assert.deepStrictEqual(yield* s.arrowInsert(pointsTable([], [])), { version: 13n, versions: [13n] })
        }))

      it.effect("bad tables fail with InvalidArgument and nothing is sent", () =>
        Effect.gen(function*() {
          const s = yield* newStream("abad")
          const withNull = tableOf([
            ["time", new arrow.TimestampNanosecond(), BigInt64Array.of(1n, 2n)],
            ["value", new arrow.Float64(), Float64Array.of(1, 2)]
          ], true)
          const nulls = new arrow.Table(
            withNull.schema,
            [
              new arrow.RecordBatch(
                withNull.schema,
                arrow.makeData({
                  type: new arrow.Struct(withNull.schema.fields),
                  length: 2,
                  nullCount: 0,
                  children: [
                    withNull.batches[0]!.data.children[0]!,
                    arrow.makeData({
                      type: new arrow.Float64(),
                      length: 2,
                      nullCount: 1,
                      nullBitmap: Uint8Array.of(1),
                      data: Float64Array.of(1, 0)
                    })
                  ]
                })
              )
            ]
          )
          const cases: Array<[arrow.Table, string]> = [
            [nulls, "data"],
            [pointsTable([1n], [NaN]), "values"],
            [pointsTable([1n], [Infinity]), "values"],
            [pointsTable([MAX_TIME - 1n], [1]), "times"],
            [tableOf([["time", new arrow.Int64(), BigInt64Array.of(1n)], ["value", new arrow.Utf8(), ["x"]]]), "data"],
            [tableOf([["time", new arrow.Int64(), BigInt64Array.of(1n)]]), "data"],
            [
              tableOf([["time", new arrow.TimestampSecond(), BigInt64Array.of(1n << 62n)], [
                "value",
                new arrow.Float64(),
                Float64Array.of(1)
              ]]),
              "data"
            ],
            [{ numRows: 1 } as unknown as arrow.Table, "data"]
          ]
          for (const [table, field] of cases) assertInvalid(yield* flipped(s.arrowInsert(table)), field)
          assertInvalid(
            yield* flipped(s.arrowInsert(pointsTable([1n], [1]), { merge: "x" as Points.MergePolicy })),
            "merge"
          )
          assert.strictEqual(yield* s.version, 10n, "nothing was inserted")
          const unknown = yield* (yield* BTrDB).streamFromUuid(Uuid.random())
          assert.strictEqual((yield* flipped(unknown.arrowInsert(pointsTable([1n], [1]))))._tag, "StreamNotFound")
        }))
    })

    describe("StreamSet.arrowValues", () => {
      const pair = Effect.gen(function*() {
        const s1 = yield* newStream("ms1")
        const s2 = yield* newStream("ms2")
        const v1 = (yield* s1.insert(S1_POINTS)).version
        yield* s2.insert(S2_POINTS)
        const set = yield* (yield* BTrDB).streams([s1.uuid, s2.uuid])
        return { s1, s2, v1, set }
      })

      it.effect("one row per distinct time, NaN where a stream has no point (the s1/s2 table)", () =>
        Effect.gen(function*() {
          const { s1, s2, set } = yield* pair
          const table = yield* (yield* set.filter({ start: 100n, end: 121n })).arrowValues()
          assert.deepStrictEqual(schemaOf(table), [
            ["time", NS_UTC, false],
            [s1.uuid, "Float64", false],
            [s2.uuid, "Float64", false]
          ])
          assert.deepStrictEqual(rowsOf(table), S1_S2_ROWS)
        }))

      it.effect("the template t: timestamp[ns, UTC], a: float64, b: float32 comes back exactly, NaN in the gaps", () =>
        Effect.gen(function*() {
          const { set } = yield* pair
          const schema = new arrow.Schema([
            new arrow.Field("t", new arrow.TimestampNanosecond("UTC"), false),
            new arrow.Field("a", new arrow.Float64(), false),
            new arrow.Field("b", new arrow.Float32(), false)
          ])
          const table = yield* (yield* set.filter({ start: 100n, end: 107n })).arrowValues({ schema })
          assert.deepStrictEqual(schemaOf(table), [["t", NS_UTC, false], ["a", "Float64", false], [
            "b",
            "Float32",
            false
          ]])
          assert.deepStrictEqual(rowsOf(table), [[100n, 0, NaN], [101n, NaN, 5], [105n, 1, NaN], [106n, NaN, 6]])
          assertInvalid(
            yield* flipped(set.arrowValues({ schema: new arrow.Schema(schema.fields.slice(0, 2)) })),
            "schema"
          )
        }))

      it.effect("an empty result has the default schema; pinned versions are read", () =>
        Effect.gen(function*() {
          const { s1, s2, set, v1 } = yield* pair
          const empty = yield* (yield* set.filter({ start: 1000n, end: 2000n })).arrowValues()
          assert.strictEqual(empty.numRows, 0)
          assert.deepStrictEqual(schemaOf(empty), [
            ["time", NS_UTC, false],
            [s1.uuid, "Float64", false],
            [s2.uuid, "Float64", false]
          ])
          yield* s1.insert([[102n, 42]])
          const pinned = yield* (yield* set.filter({ start: 100n, end: 103n })).pinVersions({ [s1.uuid]: v1 })
          assert.deepStrictEqual(rowsOf(yield* pinned.arrowValues()), [[100n, 0, NaN], [101n, NaN, 5]])
          const latest = yield* set.filter({ start: 100n, end: 103n })
          assert.deepStrictEqual(rowsOf(yield* latest.arrowValues()), [[100n, 0, NaN], [101n, NaN, 5], [102n, 42, NaN]])
        }))

      it.effect("sampling frequency: snap rounding at the range edges (P = 1 s over [1 s, 3 s))", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const a = yield* newStream("snapa")
          const b = yield* newStream("snapb")
          const c = yield* newStream("snapc")
          yield* a.insert([[SECOND / 2n, 1], [2n * SECOND, 2]]) // 0.5 s snaps to 1 s: kept
          yield* b.insert([[SECOND / 2n - 1n, 3], [2n * SECOND, 4]]) // 0.5 s - 1 ns snaps to 0: dropped
          yield* c.insert([[SECOND, 5], [2n * SECOND, 6], [2_750_000_000n, 7]]) // 2.75 s snaps to 3 s = end: dropped
          const set = yield* db.streams([a.uuid, b.uuid, c.uuid])
          for (const end of [3n * SECOND, 2_900_000_000n]) {
            const snapped = yield* set.filter({ start: SECOND, end, samplingFrequency: 1 })
            assert.deepStrictEqual(rowsOf(yield* snapped.arrowValues()), [
              [SECOND, 1, NaN, 5],
              [2n * SECOND, 2, 4, 6]
            ])
          }
          // 30 Hz data read at 10 Hz: about a third of the rows, on the 100 ms grid
          const fast = yield* newStream("snap30")
          const p30 = 33_333_333n
          yield* fast.insert(Array.from({ length: 90 }, (_, i) => [BASE + BigInt(i) * p30, i] as const))
          const slow = yield* (yield* db.streams([fast.uuid])).filter({
            start: BASE,
            end: BASE + 3n * SECOND,
            samplingFrequency: 10
          })
          const table = yield* slow.arrowValues()
          assert.strictEqual(table.numRows, 30)
          for (const t of column(table, "time")) assert.strictEqual(t % 100_000_000n, 0n)
        }))

      it.effect("window mode: one call per stream, joined on time, null where a stream has no window", () =>
        Effect.gen(function*() {
          const { s1, s2, set } = yield* pair
          const windowed = yield* set.filter({ start: 100n, end: 120n })
          const table = yield* windowed.arrowValues({ window: { width: 5n } })
          const names = table.schema.fields.map((f) => f.name)
          assert.deepStrictEqual(names, [
            "time",
            ...["min", "mean", "max", "count", "stddev"].map((stat) => `${s1.uuid}/${stat}`),
            ...["min", "mean", "max", "count", "stddev"].map((stat) => `${s2.uuid}/${stat}`)
          ])
          assert.deepStrictEqual(column(table, "time"), BigInt64Array.of(100n, 105n, 110n, 115n))
          assert.deepStrictEqual(rowsOf(table).map((r) => [r[0], r[2], r[4], r[7], r[9]]), [
            [100n, 0, 1n, 5, 1n],
            [105n, 1, 1n, 6, 1n],
            [110n, 2, 1n, 7.5, 2n],
            [115n, 3, 1n, 9, 1n]
          ])
          const aligned = yield* (yield* set.filter({ start: 96n, end: 128n })).arrowValues({
            window: { pointwidth: 4 }
          })
          // s1: 100..115 → window 96 (100, 105, 110), 112 (115, 120); s2 the same windows
          assert.deepStrictEqual(column(aligned, "time"), BigInt64Array.of(96n, 112n))
          assert.strictEqual(aligned.getChild(`${s1.uuid}/count`)!.get(0), 3n)
          // one stream has windows where the other has none: nulls
          const lone = yield* newStream("lone")
          yield* lone.insert([[300n, 1]])
          const mixed = yield* (yield* (yield* BTrDB).streams([s1.uuid, lone.uuid])).filter({ start: 96n, end: 320n })
          const joined = yield* mixed.arrowValues({ window: { pointwidth: 4 } })
          assert.deepStrictEqual(column(joined, "time"), BigInt64Array.of(96n, 112n, 288n))
          const loneMean = joined.getChild(`${lone.uuid}/mean`)!
          assert.deepStrictEqual([loneMean.get(0), loneMean.get(1), loneMean.get(2)], [null, null, 1])
          assert.isTrue(joined.schema.fields[1]!.nullable)
          assertInvalid(
            yield* flipped(set.arrowValues({ window: { width: 5n }, schema: new arrow.Schema([]) })),
            "schema"
          )
        }))

      it.effect("an unknown stream fails with StreamNotFound", () =>
        Effect.gen(function*() {
          const { s1 } = yield* pair
          const set = yield* (yield* BTrDB).streams([s1.uuid, Uuid.random()])
          assert.strictEqual((yield* flipped(set.arrowValues()))._tag, "StreamNotFound")
        }))
    })

    describe("subscribe", () => {
      it.effect("forwards every accepted Insert and ArrowInsert of the subscribed streams, points in the order sent", () =>
        Effect.gen(function*() {
          const a = yield* newStream("suba")
          const b = yield* newStream("subb")
          const other = yield* newStream("subother")
          const { next } = yield* liveSubscription([a, b])
          yield* a.insert([[300n, 3], [100n, 1], [200n, 2]])
          yield* other.insert([[1n, 1]])
          yield* b.arrowInsert(pointsTable([20n, 10n], [2, 1]))
          yield* a.insert([[100n, 9]], { merge: "replace" })
          const updates = yield* next(3)
          assert.deepStrictEqual(
            updates.map((u) => [u.uuid, [...u.times], [...u.values]]),
            [
              [a.uuid, [300n, 100n, 200n], [3, 1, 2]],
              [b.uuid, [20n, 10n], [2, 1]],
              [a.uuid, [100n], [9]]
            ]
          )
          // a big insert comes in messages of at most 50 000 points
          const n = 60_000
          yield* b.insert({
            times: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
            values: Float64Array.from({ length: n }, (_, i) => i)
          })
          const big = yield* next(2)
          assert.deepStrictEqual(big.map((u) => u.times.length), [50_000, 10_000])
          assert.strictEqual(big[1]!.times[0], 50_000n)
        }))

      it.effect("the set's subscribe and take: the stream ends cleanly when it has what it needs", () =>
        Effect.gen(function*() {
          const a = yield* newStream("subtake")
          const set = yield* (yield* BTrDB).streams([a.uuid])
          const fiber = yield* set.subscribe().pipe(EStream.take(2), EStream.runCollect, Effect.forkScoped)
          // insert until both updates arrive (the subscription starts asynchronously)
          for (let t = 1n; fiber.pollUnsafe() === undefined; t++) {
            yield* a.insert([[t, 1]])
            yield* Effect.sleep("20 millis")
          }
          const got = yield* Fiber.join(fiber)
          assert.strictEqual(got.length, 2)
        }))

      it.effect("interruption ends the subscription cleanly", () =>
        Effect.gen(function*() {
          const a = yield* newStream("subint")
          const { fiber } = yield* liveSubscription([a])
          yield* Fiber.interrupt(fiber)
          const exit = yield* Fiber.await(fiber)
          assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
          yield* a.insert([[5n, 5]])
        }))

      it.effect("an unknown stream fails with StreamNotFound; no streams is InvalidArgument", () =>
        Effect.gen(function*() {
          const a = yield* newStream("subnf")
          const unknown = yield* (yield* BTrDB).streamFromUuid(Uuid.random())
          const error = yield* flipped(EStream.runDrain(Stream.subscribe([a, unknown])))
          assert.strictEqual(error._tag, "StreamNotFound")
          assertInvalid(yield* flipped(EStream.runDrain(Stream.subscribe([]))), "streams")
        }))
    })
  })
