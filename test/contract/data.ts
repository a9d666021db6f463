/**
 * The data contract of `Stream` and `StreamSet`: written once, run against `BTrDB.layerMemory` and against
 * `BTrDB.layer` over loopback gRPC to the embedded server. Every expected value is computed here, independently,
 * from the points the test inserted (see `reference.ts`), or written out by hand.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as EStream from "effect/Stream"
import { MAX_TIME, MIN_TIME } from "../../src/internal/protocol.js"
import * as Points from "../../src/schema/Points.js"
import { MAXIMUM_TIME } from "../../src/schema/Time.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import * as Stream from "../../src/services/Stream.js"
import { uniquePrefix } from "../support/layers.js"
import * as Ref from "./reference.js"

const BASE = 1_500_000_000_000_000_000n
const SECOND = 1_000_000_000n

const newStream = (label: string, tags: Record<string, string> = { name: "s" }) =>
  Effect.flatMap(BTrDB, (db) => db.create({ uuid: Uuid.random(), collection: uniquePrefix(label), tags }))

/** Ascending order of bigints (versions). */
const byValue = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0)
const pairs = (page: Pick<Points.Points, "times" | "values">) => Points.toPairs(page)

/** Random points over [BASE, BASE + span), some sharing a time. */
const randomPoints = (n: number, span: bigint, seed: number): Array<Ref.Pair> => {
  const next = Ref.random(seed)
  return Array.from({ length: n }, () => {
    const t = BASE + BigInt(Math.floor(next() * Number(span)))
    return [t, Math.round(next() * 2000 - 1000) / 8] as const
  })
}

const assertWindows = (got: Points.Windows, want: ReadonlyArray<Ref.RefWindow>) => {
  assert.strictEqual(got.times.length, want.length, "number of windows")
  want.forEach((w, i) => {
    assert.strictEqual(got.times[i], w.time, `time of window ${i}`)
    assert.strictEqual(got.count[i], BigInt(w.count), `count of window ${i}`)
    assert.strictEqual(got.min[i], w.min, `min of window ${i}`)
    assert.strictEqual(got.max[i], w.max, `max of window ${i}`)
    assert.closeTo(got.mean[i]!, w.mean, 1e-9, `mean of window ${i}`)
    assert.closeTo(got.stddev[i]!, w.stddev, 1e-9, `stddev of window ${i}`)
  })
}

const flipTag = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.flip(effect), (e) => e)

const assertInvalid = (error: { readonly _tag: string }, field: string) => {
  assert.strictEqual(error._tag, "InvalidArgument", JSON.stringify(error))
  assert.strictEqual((error as unknown as { field: string }).field, field, JSON.stringify(error))
}

export const dataContractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(`Stream data contract (${label})`, (it) => {
    describe("insert and values", () => {
      it.effect("pairs and columns of any size, chunked at 50 000 points, each chunk's version returned", () =>
        Effect.gen(function*() {
          const s = yield* newStream("ins")
          const n = 120_001
          const times = new BigInt64Array(n)
          const values = new Float64Array(n)
          for (let i = 0; i < n; i++) {
            times[i] = BASE + BigInt(n - i) * 1000n // descending: the server sorts
            values[i] = i / 4
          }
          const result = yield* s.insert({ times, values })
          // chunks in flight together may be applied in any order: each made one version, the largest is `version`
          assert.deepStrictEqual([...result.versions].sort(byValue), [11n, 12n, 13n])
          assert.strictEqual(result.version, 13n)
          assert.strictEqual(yield* s.version, 13n)

          const pages = yield* EStream.runCollect(s.values({ start: BASE, end: BASE + 1_000_000_000n }))
          assert.isAbove(pages.length, 1, "the read comes in several pages")
          for (const page of pages) assert.strictEqual(page.version, 13n)
          const all = Points.concatPoints(pages)
          assert.strictEqual(all.times.length, n)
          for (let i = 0; i < n; i++) {
            assert.strictEqual(all.times[i], BASE + BigInt(i + 1) * 1000n)
            assert.strictEqual(all.values[i], (n - 1 - i) / 4)
          }
          const collected = yield* s.valuesCollected({ start: BASE, end: BASE + 1_000_000_000n })
          assert.deepStrictEqual(collected, all)
        }))

      it.effect("[time, value] pairs take bigint, Date and ISO-8601 times; plain arrays as columns", () =>
        Effect.gen(function*() {
          const s = yield* newStream("pairs")
          yield* s.insert([
            [BASE, 1],
            [new Date("2017-07-14T02:40:01Z"), 2],
            ["2017-07-14T02:40:02.000000007Z", 3],
            ["2017-07-14 04:40:03+02:00", 4]
          ])
          yield* s.insert({ times: [BASE + 4n * SECOND], values: [5] })
          assert.deepStrictEqual(pairs(yield* s.valuesCollected({ start: "2017-07-14", end: "2017-07-15" })), [
            [BASE, 1],
            [BASE + SECOND, 2],
            [BASE + 2n * SECOND + 7n, 3],
            [BASE + 3n * SECOND, 4],
            [BASE + 4n * SECOND, 5]
          ])
          // the same range as Dates
          const byDate = yield* s.valuesCollected({
            start: new Date("2017-07-14T02:40:01Z"),
            end: new Date("2017-07-14T02:40:03Z")
          })
          assert.deepStrictEqual(pairs(byDate), [[BASE + SECOND, 2], [BASE + 2n * SECOND + 7n, 3]])
        }))

      it.effect("with maxInFlight: 1 the chunks go one at a time, their versions in order", () =>
        Effect.gen(function*() {
          const s = yield* newStream("inorder")
          const n = 2 * Stream.INSERT_CHUNK_POINTS + 1
          const times = BigInt64Array.from({ length: n }, (_, i) => BASE + BigInt(i) * 1000n)
          const result = yield* s.insert({ times, values: Float64Array.from(times, (t) => Number(t - BASE)) }, {
            maxInFlight: 1
          })
          assert.deepStrictEqual(result, { version: 13n, versions: [11n, 12n, 13n] })
          assert.strictEqual(yield* s.count({ start: BASE, end: BASE + SECOND, precise: true }), BigInt(n))
        }))

      it.effect("points in flight together are all stored; a chunk meeting an earlier one's times is applied after it", () =>
        Effect.gen(function*() {
          const chunk = Stream.INSERT_CHUNK_POINTS
          // chunks 0..5 apart in time (6 calls in flight at once), then chunk 6 over chunk 0's times again
          const n = 7 * chunk
          const times = new BigInt64Array(n)
          const values = new Float64Array(n)
          for (let i = 0; i < n; i++) {
            times[i] = BASE + BigInt(i < 6 * chunk ? i : i - 6 * chunk) * 1000n
            values[i] = i < 6 * chunk ? i : -1
          }
          for (const [merge, kept] of [["replace", -1], ["retain", 0]] as const) {
            const s = yield* newStream(`flight-${merge}`)
            const result = yield* s.insert({ times, values }, { merge, maxInFlight: 8 })
            assert.deepStrictEqual([...result.versions].sort(byValue), [11n, 12n, 13n, 14n, 15n, 16n, 17n])
            assert.strictEqual(result.versions[6], 17n, "the barrier chunk came last")
            const all = yield* s.valuesCollected({ start: BASE, end: BASE + SECOND })
            assert.strictEqual(all.times.length, 6 * chunk)
            for (let i = 0; i < 6 * chunk; i++) {
              assert.strictEqual(all.times[i], BASE + BigInt(i) * 1000n)
              // the later chunk replaced (or left) the first chunk's points; the others are as inserted
              const expected = i < chunk && kept === -1 ? -1 : i
              if (all.values[i] !== expected) assert.fail(`${merge}: point ${i} is ${all.values[i]}, not ${expected}`)
            }
          }
        }))

      it.effect("maxInFlight is 1 to 64", () =>
        Effect.gen(function*() {
          const s = yield* newStream("inflight-bad")
          for (const maxInFlight of [0, 65, 1.5]) {
            assertInvalid(yield* flipTag(s.insert([[BASE, 1]], { maxInFlight })), "maxInFlight")
          }
          assert.strictEqual(yield* s.count({ start: BASE, end: BASE + SECOND, precise: true }), 0n)
        }))

      it.effect("an empty insert returns the current version", () =>
        Effect.gen(function*() {
          const s = yield* newStream("empty")
          const r = yield* s.insert([])
          assert.deepStrictEqual(r, { version: 10n, versions: [10n] })
        }))

      it.effect("merge policies (the Python test: t = [100, 105, 110, 110, 120], values 0..4, inserted twice)", () =>
        Effect.gen(function*() {
          const data: Array<[bigint, number]> = [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]]
          const read = (s: Stream.Stream) => Effect.map(s.valuesCollected({ start: 0n, end: 1000n }), pairs)
          const want: Record<Points.MergePolicy, Array<[bigint, number]>> = {
            // every point, twice
            never: [
              [100n, 0],
              [100n, 0],
              [105n, 1],
              [105n, 1],
              [110n, 2],
              [110n, 3],
              [110n, 2],
              [110n, 3],
              [120n, 4],
              [120n, 4]
            ],
            // a point equal in time and value to one stored is dropped; 110 keeps both values
            equal: [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]],
            // the stored (first) value wins
            retain: [[100n, 0], [105n, 1], [110n, 2], [120n, 4]],
            // the newest (last) value wins
            replace: [[100n, 0], [105n, 1], [110n, 3], [120n, 4]]
          }
          for (const merge of Points.MergePolicy.literals) {
            const s = yield* newStream(`merge${merge}`)
            yield* s.insert(data, { merge })
            yield* s.insert(data, { merge })
            const got = yield* read(s)
            // points of equal time come back in storage order, which only "never" and "equal" keep
            const sorted = (p: Array<[bigint, number]>) =>
              [...p].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1))
            assert.deepStrictEqual(sorted(got), sorted(want[merge]), merge)
          }
        }))

      it.effect("bad points fail with InvalidArgument naming the field, and nothing is sent", () =>
        Effect.gen(function*() {
          const s = yield* newStream("badins")
          const cases: Array<[Points.InsertData, string, Stream.InsertOptions?]> = [
            [[[BASE, NaN]], "data"],
            [[[BASE, Infinity]], "data"],
            [{ times: [BASE, BASE + 1n], values: [1, -Infinity] }, "values"],
            [{ times: BigInt64Array.of(BASE), values: Float64Array.of(NaN) }, "values"],
            [{ times: [BASE, BASE + 1n], values: [1] }, "values"],
            [{ times: [MAX_TIME - 1n], values: [1] }, "times"],
            [{ times: [MIN_TIME - 1n], values: [1] }, "times"],
            [[[MAXIMUM_TIME, 1]], "data"],
            [[["not a time", 1]], "data"],
            [[[BASE, "1" as unknown as number]], "data"],
            [[[BASE] as unknown as [bigint, number]], "data"],
            [{ times: [1 as unknown as bigint], values: [1] }, "times"],
            [[[BASE, 1]], "merge", { merge: "sometimes" as Points.MergePolicy }]
          ]
          for (const [data, field, options] of cases) {
            assertInvalid(yield* flipTag(s.insert(data, options)), field)
          }
          assert.strictEqual(yield* s.version, 10n, "nothing was inserted")
          assert.strictEqual((yield* s.valuesCollected()).times.length, 0)
          // the largest insertable time is MAX_TIME - 2
          yield* s.insert([[MAX_TIME - 2n, 1], [MIN_TIME, 2]])
          assert.strictEqual(yield* s.count({ precise: true }), 2n)
        }))

      it.effect("values: [start, end), older versions, and typed errors", () =>
        Effect.gen(function*() {
          const s = yield* newStream("vals")
          const first = Array.from({ length: 10 }, (_, k) => [BASE + BigInt(k) * SECOND, k] as const)
          const v1 = (yield* s.insert(first)).version
          const v2 = (yield* s.insert([[BASE + 100n, 100]])).version
          assert.deepStrictEqual(
            pairs(yield* s.valuesCollected({ start: BASE + 2n * SECOND, end: BASE + 5n * SECOND })),
            Ref.rangeOf(first, BASE + 2n * SECOND, BASE + 5n * SECOND)
          )
          const old = yield* s.valuesCollected({ start: BASE, end: BASE + SECOND, version: v1 })
          assert.deepStrictEqual(pairs(old), [[BASE, 0]])
          assert.strictEqual(old.version, v1)
          const latest = yield* s.valuesCollected({ start: BASE, end: BASE + SECOND })
          assert.deepStrictEqual(pairs(latest), [[BASE, 0], [BASE + 100n, 100]])
          assert.strictEqual(latest.version, v2)
          // an empty range is one empty page
          const empty = yield* EStream.runCollect(s.values({ start: 0n, end: 10n }))
          assert.strictEqual(empty.length, 1)
          assert.strictEqual(empty[0]!.times.length, 0)

          const bad = (o: Stream.RangeOptions) => flipTag(s.valuesCollected(o))
          assertInvalid(yield* bad({ start: BASE, end: BASE }), "end")
          assertInvalid(yield* bad({ start: "2017-13-01", end: BASE }), "start")
          assertInvalid(yield* bad({ start: "yesterday", end: BASE }), "start")
          assertInvalid(yield* bad({ start: new Date(NaN), end: BASE }), "start")
          assertInvalid(yield* bad({ start: 5 as unknown as bigint, end: BASE }), "start")
          assertInvalid(yield* bad({ start: 0n, end: MAX_TIME }), "end")
          assertInvalid(yield* bad({ start: MIN_TIME - 1n, end: 1n }), "start")
          assertInvalid(yield* bad({ start: 0n, end: 1n, version: -1 }), "version")
          assertInvalid(yield* bad({ start: 0n, end: 1n, version: 1.5 }), "version")
          assert.strictEqual((yield* bad({ start: 0n, end: 1n, version: v2 + 5n }))._tag, "VersionNotAvailable")
          const unknown = yield* Effect.flatMap(BTrDB, (db) => db.streamFromUuid(Uuid.random()))
          const notFound = yield* flipTag(unknown.valuesCollected({ start: 0n, end: 1n }))
          assert.strictEqual(notFound._tag, "StreamNotFound")
          assert.strictEqual(notFound.uuid, unknown.uuid)
        }))
    })

    describe("interruption", () => {
      // a windows read over the whole time range with one-minute windows has ~7.7e7 windows: far more work than any
      // timeout below, so a read that ignored interruption would run on for minutes
      it.effect("a long collected read ends at its timeout, and the connection serves the next call", () =>
        Effect.gen(function*() {
          const s = yield* newStream("int")
          yield* s.insert([[BASE, 1], [BASE + 3600n * SECOND, 2]])
          const timedOut = yield* s.windowsCollected({ width: "1 minute", start: MIN_TIME, end: MAX_TIME - 1n }).pipe(
            Effect.timeout("300 millis"),
            Effect.exit
          )
          assert.isTrue(Exit.isFailure(timedOut))
          assert.strictEqual(yield* s.version, 11n)
        }))

      it.effect("a streamed read does only the work taken from it", () =>
        Effect.gen(function*() {
          const s = yield* newStream("lazy")
          yield* s.insert([[BASE, 1], [BASE + 3600n * SECOND, 2]])
          const pages = yield* EStream.runCollect(
            s.windows({ width: "1 minute", start: MIN_TIME, end: MAX_TIME - 1n }).pipe(EStream.take(2))
          )
          assert.strictEqual(pages.length, 2)
          assert.isTrue(pages.every((p) => p.times.length > 0 && p.count.every((c) => c === 0n)))
        }))

      it.effect("interrupting the fiber of a read stops it", () =>
        Effect.gen(function*() {
          const s = yield* newStream("fiber")
          yield* s.insert([[BASE, 1]])
          const fiber = yield* Effect.forkChild(
            EStream.runDrain(s.windows({ width: "1 minute", start: MIN_TIME, end: MAX_TIME - 1n }))
          )
          yield* Effect.sleep("100 millis")
          const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
          assert.isTrue(Exit.hasInterrupts(exit))
        }))
    })

    describe("windows", () => {
      it.effect("alignedWindows match the windows recomputed from the inserted points", () =>
        Effect.gen(function*() {
          const s = yield* newStream("aw")
          const points = randomPoints(20_000, 600n * SECOND, 7)
          yield* s.insert(points)
          const start = BASE + 13n * SECOND + 12345n
          const end = BASE + 590n * SECOND
          for (const pw of [30, 34, 36]) {
            const got = yield* s.alignedWindowsCollected({ start, end, pointwidth: pw })
            assertWindows(got, Ref.alignedWindows(points, start, end, pw))
          }
          // a Stream of pages: pw 20 (≈1 ms windows) gives more than one page of 5000
          const pages = yield* EStream.runCollect(s.alignedWindows({ start, end, pointwidth: 20 }))
          assert.isAbove(pages.length, 1)
          assertWindows(Points.concatWindows(pages), Ref.alignedWindows(points, start, end, 20))
        }))

      it.effect("the §7.4 example: values 1..10 every 100 ms, pointwidth 28", () =>
        Effect.gen(function*() {
          const s = yield* newStream("aw74")
          yield* s.insert(Array.from({ length: 10 }, (_, k) => [BASE + BigInt(k) * 100_000_000n, k + 1] as const))
          const got = yield* s.alignedWindowsCollected({ start: BASE, end: BASE + SECOND, pointwidth: 28 })
          assert.deepStrictEqual([...got.times], [
            1499999999814008832n,
            1500000000082444288n,
            1500000000350879744n,
            1500000000619315200n
          ])
          assert.deepStrictEqual([...got.mean], [1, 3, 6, 8.5])
          assert.deepStrictEqual([...got.count], [1n, 3n, 3n, 2n])
        }))

      it.effect("windows of a width (bigint or Duration), empty ones with count 0, partial last one dropped", () =>
        Effect.gen(function*() {
          const s = yield* newStream("win")
          const points = randomPoints(5_000, 100n * SECOND, 11).filter(([t]) =>
            t < BASE + 40n * SECOND || t > BASE + 55n * SECOND
          )
          yield* s.insert(points)
          const start = BASE + 1234n
          const end = BASE + 99n * SECOND + 77n
          const byNanos = yield* s.windowsCollected({ start, end, width: 3n * SECOND })
          assertWindows(byNanos, Ref.windows(points, start, end, 3n * SECOND))
          assert.isTrue([...byNanos.count].includes(0n), "some windows are empty")
          const byDuration = yield* s.windowsCollected({ start, end, width: "3 seconds" })
          assert.deepStrictEqual(byDuration, byNanos)
          const byValue = yield* s.windowsCollected({ start, end, width: Duration.seconds(3), depth: 0 })
          assert.deepStrictEqual(byValue, byNanos)
          const small = yield* EStream.runCollect(s.windows({ start, end, width: "10 millis" }))
          assert.isAbove(small.length, 1)
          assertWindows(Points.concatWindows(small), Ref.windows(points, start, end, 10_000_000n))
        }))

      it.effect("empty windows: zeros as BTrDB sends them, NaN statistics or left out on request", () =>
        Effect.gen(function*() {
          const s = yield* newStream("winempty")
          // points in [0 s, 10 s) and [30 s, 40 s): 1 s windows over [0, 50 s) have 30 empty ones
          const points = randomPoints(3_000, 40n * SECOND, 5).filter(([t]) =>
            t < BASE + 10n * SECOND || t >= BASE + 30n * SECOND
          )
          yield* s.insert(points)
          const range = { start: BASE, end: BASE + 50n * SECOND, width: SECOND }
          const want = Ref.windows(points, range.start, range.end, SECOND)
          assert.strictEqual(want.filter((w) => w.count === 0).length, 30)
          const zeros = yield* s.windowsCollected(range)
          assertWindows(zeros, want)
          assert.deepStrictEqual(yield* s.windowsCollected({ ...range, empty: "zeros" }), zeros)
          const nan = yield* s.windowsCollected({ ...range, empty: "nan" })
          assert.deepStrictEqual(nan.times, zeros.times)
          assert.deepStrictEqual(nan.count, zeros.count)
          for (const stat of ["min", "mean", "max", "stddev"] as const) {
            want.forEach((w, i) => {
              if (w.count === 0) assert.isNaN(nan[stat][i], `${stat} of empty window ${i}`)
              else assert.strictEqual(nan[stat][i], zeros[stat][i], `${stat} of window ${i}`)
            })
          }
          const dropped = yield* s.windowsCollected({ ...range, empty: "drop" })
          assertWindows(dropped, want.filter((w) => w.count > 0))
          // page by page, as a Stream: the same windows
          const pages = yield* EStream.runCollect(s.windows({ ...range, width: "10 millis", empty: "drop" }))
          assertWindows(
            Points.concatWindows(pages),
            Ref.windows(points, range.start, range.end, 10_000_000n).filter((w) => w.count > 0)
          )
          // StreamSet.windows passes the choice on
          const db = yield* BTrDB
          const set = yield* (yield* db.streams([s.uuid])).filter({ start: range.start, end: range.end })
          const fromSet = (yield* set.windows({ width: SECOND, empty: "drop" })).get(s.uuid)
          assert.deepStrictEqual(fromSet, dropped)
          const bad = yield* flipTag(s.windowsCollected({ ...range, empty: "skip" as "drop" }))
          assertInvalid(bad, "empty")
          assert.include((bad as { message: string }).message, "zeros")
        }))

      it.effect("bad window arguments get typed errors", () =>
        Effect.gen(function*() {
          const s = yield* newStream("winbad")
          yield* s.insert([[BASE, 1]])
          const aw = (o: Partial<Stream.AlignedWindowsOptions>) =>
            flipTag(s.alignedWindowsCollected(o as Stream.AlignedWindowsOptions))
          assertInvalid(yield* aw({ start: BASE, end: BASE + SECOND, pointwidth: 64 }), "pointwidth")
          assertInvalid(yield* aw({ start: BASE, end: BASE + SECOND, pointwidth: -1 }), "pointwidth")
          assertInvalid(yield* aw({ start: BASE, end: BASE + SECOND, pointwidth: 2.5 }), "pointwidth")
          assertInvalid(yield* aw({ start: BASE, end: BASE + SECOND }), "pointwidth")
          assertInvalid(yield* aw({ start: BASE + SECOND, end: BASE, pointwidth: 10 }), "end")
          // no whole window in the range: the server's 413, saying why
          const narrow = yield* aw({ start: BASE, end: BASE + 10n, pointwidth: 30 })
          assert.strictEqual(narrow._tag, "InvalidTimeRange")
          assert.include(
            (narrow as { readonly detail: string }).detail,
            `[${BASE}, ${
              BASE + 10n
            }) is 10 ns wide and holds no whole window: an aligned window of 2^30 = 1073741824 ns`
          )

          const w = (o: Partial<Stream.WindowsOptions>) => flipTag(s.windowsCollected(o as Stream.WindowsOptions))
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND, width: 0n }), "width")
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND, width: 1000 as unknown as bigint }), "width")
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND, width: "forever" as "1 second" }), "width")
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND, width: Duration.infinity }), "width")
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND, width: 10n, depth: 64 }), "depth")
          assertInvalid(yield* w({ start: BASE, end: BASE + SECOND }), "width")
          // a range shorter than one window: the server's 413, saying why
          const short = yield* w({ start: BASE, end: BASE + 10n, width: SECOND })
          assert.strictEqual(short._tag, "InvalidTimeRange")
          assert.include(
            (short as { readonly detail: string }).detail,
            `is 10 ns wide and holds no whole window: a window of ${SECOND} ns needs a wider range`
          )
          // one whole window fits: no error
          assert.strictEqual(
            (yield* s.windowsCollected({ start: BASE, end: BASE + SECOND, width: SECOND })).times.length,
            1
          )
        }))
    })

    describe("parallel reads", () => {
      it.effect("values with parallel calls: the same points, in time order, at one version", () =>
        Effect.gen(function*() {
          const s = yield* newStream("par")
          // duplicates at shared times, some of them on the parts' boundaries
          const points = randomPoints(30_000, 40n * SECOND, 11)
          points.push([BASE, 1], [BASE, 2], [BASE + 20n * SECOND, 3], [BASE + 20n * SECOND, 4])
          yield* s.insert(points)
          const pinned = yield* s.version
          yield* s.insert([[BASE + 5n * SECOND, 99]])
          const want = pairs(yield* s.valuesCollected({ version: pinned }))
          assert.strictEqual(want.length, 30_004)
          // the very points inserted (points at one time may come in any order: compare them sorted by value too)
          const byTimeValue = (list: ReadonlyArray<Ref.Pair>) =>
            [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
          assert.deepStrictEqual(byTimeValue(want), byTimeValue(points))
          for (const parallel of [2, 4, 7]) {
            const pages = yield* EStream.runCollect(s.values({ version: pinned, parallel }))
            const got = pairs(Points.concatPoints(pages))
            assert.deepStrictEqual(got, want, `parallel ${parallel}`)
            const times = got.map(([t]) => t)
            assert.isTrue(times.every((t, i) => i === 0 || times[i - 1]! <= t), "ascending")
          }
          // the latest version, and a range
          const latest = yield* s.valuesCollected({ parallel: 3 })
          assert.strictEqual(latest.times.length, 30_005)
          const start = BASE + 10n * SECOND
          const end = BASE + 30n * SECOND
          assert.deepStrictEqual(
            pairs(yield* s.valuesCollected({ start, end, parallel: 5 })),
            pairs(yield* s.valuesCollected({ start, end }))
          )
          assertInvalid(yield* flipTag(s.valuesCollected({ parallel: 0 })), "parallel")
          const empty = yield* newStream("par0")
          assert.strictEqual((yield* empty.valuesCollected({ parallel: 4 })).times.length, 0)
        }))
    })

    describe("window reads without a range", () => {
      // points at 10 s, 10.5 s and 130 s after BASE: minute windows from the first point are [10 s, 70 s) with two,
      // [70 s, 130 s) empty, [130 s, 190 s) with the last
      const points: ReadonlyArray<Ref.Pair> = [[BASE + 10n * SECOND, 1], [BASE + 10_500_000_000n, 3], [
        BASE + 130n * SECOND,
        5
      ]]
      const MINUTE = 60n * SECOND

      it.effect("windows cover the data: from the first point to the window holding the last", () =>
        Effect.gen(function*() {
          const s = yield* newStream("wdef")
          yield* s.insert(points)
          const first = BASE + 10n * SECOND
          const want = Ref.windows(points, first, first + 3n * MINUTE, MINUTE)
          assert.deepStrictEqual(want.map((w) => w.count), [2, 0, 1])
          assertWindows(yield* s.windowsCollected({ width: "1 minute" }), want)
          const table = yield* s.arrowWindows({ width: "1 minute" })
          assert.deepStrictEqual([...table.getChild("count")!.toArray()], [2n, 0n, 1n])
          // only one bound given: the other is found in the data
          const fromZero = yield* s.windowsCollected({ width: MINUTE, start: BASE })
          assertWindows(fromZero, Ref.windows(points, BASE, BASE + 3n * MINUTE, MINUTE))
          const toEnd = yield* s.windowsCollected({ width: MINUTE, end: BASE + 70n * SECOND })
          assertWindows(toEnd, Ref.windows(points, first, BASE + 70n * SECOND, MINUTE))
        }))

      it.effect("aligned windows cover the data, at a pinned version too", () =>
        Effect.gen(function*() {
          const s = yield* newStream("adef")
          yield* s.insert(points)
          const pinned = yield* s.version
          yield* s.insert([[BASE + 3600n * SECOND, 7]])
          const want = Ref.alignedWindows(points, BASE, BASE + 200n * SECOND, 30)
          assertWindows(yield* s.alignedWindowsCollected({ pointwidth: 30, version: pinned }), want)
          const table = yield* s.arrowAlignedWindows({ pointwidth: 30, version: pinned })
          assert.deepStrictEqual([...table.getChild("time")!.toArray()], want.map((w) => w.time))
          const latest = yield* s.alignedWindowsCollected({ pointwidth: 30 })
          assert.deepStrictEqual([...latest.count], [...want.map((w) => BigInt(w.count)), 1n])
        }))

      it.effect("a stream without points has no windows; an empty Arrow table keeps its columns", () =>
        Effect.gen(function*() {
          const s = yield* newStream("wnone")
          assert.strictEqual((yield* s.windowsCollected({ width: "1 minute" })).times.length, 0)
          assert.strictEqual((yield* s.alignedWindowsCollected({ pointwidth: 30 })).times.length, 0)
          const table = yield* s.arrowWindows({ width: "1 minute" })
          assert.strictEqual(table.numRows, 0)
          assert.deepStrictEqual(table.schema.fields.map((f) => f.name), [
            "time",
            "min",
            "mean",
            "max",
            "count",
            "stddev"
          ])
        }))

      it.effect("a set's windows share one grid: from the set's first point to the window of its last", () =>
        Effect.gen(function*() {
          const a = yield* newStream("sdef", { name: "a" })
          const b = yield* newStream("sdef", { name: "b" })
          yield* a.insert([[BASE + 10n * SECOND, 1]])
          yield* b.insert([[BASE + 100n * SECOND, 2]])
          const db = yield* BTrDB
          const set = yield* db.streams([a.uuid, b.uuid])
          const windows = yield* set.windows({ width: "1 minute" })
          const [wa, wb] = [windows.get(a.uuid), windows.get(b.uuid)]
          const grid = [BASE + 10n * SECOND, BASE + 70n * SECOND]
          assert.deepStrictEqual([...wa!.times], grid)
          assert.deepStrictEqual([...wb!.times], grid)
          assert.deepStrictEqual([...wa!.count, ...wb!.count], [1n, 0n, 0n, 1n])
          const rows = yield* set.rows({ window: { width: "1 minute" }, stat: "count" })
          assert.deepStrictEqual([...rows.times], grid)
          const table = yield* set.arrowValues({ window: { width: "1 minute" } })
          assert.deepStrictEqual([...table.getChild("time")!.toArray()], grid)
          // a filter ending before the data: no windows
          const before = yield* set.filter({ end: BASE })
          const none = yield* before.windows({ width: "1 minute" })
          assert.deepStrictEqual(Array.from(none.values(), (w) => w.times.length), [0, 0])
        }))
    })

    describe("nearest, earliest, latest, current, count", () => {
      it.effect("nearest is forward (t ≥ time) or backward (t < time); none when nothing is there", () =>
        Effect.gen(function*() {
          const s = yield* newStream("near")
          const v = (yield* s.insert([[BASE, 1], [BASE + SECOND, 2], [BASE + 2n * SECOND, 3]])).version
          const at = (time: bigint, backward = false) =>
            Effect.map(s.nearest(time, { backward }), Option.map((p) => [p.time, p.value, p.version]))
          assert.deepStrictEqual(yield* at(BASE + SECOND), Option.some([BASE + SECOND, 2, v]))
          assert.deepStrictEqual(yield* at(BASE + SECOND, true), Option.some([BASE, 1, v]))
          assert.deepStrictEqual(yield* at(BASE + 1n), Option.some([BASE + SECOND, 2, v]))
          assert.isTrue(Option.isNone(yield* at(BASE, true)))
          assert.isTrue(Option.isNone(yield* at(BASE + 2n * SECOND + 1n)))
          const byIso = yield* s.nearest("2017-07-14T02:40:00.5Z")
          assert.strictEqual(Option.getOrThrow(byIso).value, 2)

          assert.strictEqual(Option.getOrThrow(yield* s.earliest()).value, 1)
          assert.strictEqual(Option.getOrThrow(yield* s.latest()).value, 3)
          assert.strictEqual(Option.getOrThrow(yield* s.current()).value, 3)
          const future = BigInt(Date.now() + 3_600_000) * 1_000_000n
          yield* s.insert([[future, 4]])
          assert.strictEqual(Option.getOrThrow(yield* s.latest()).value, 4)
          assert.strictEqual(Option.getOrThrow(yield* s.current()).value, 3, "current ignores the future")
          assert.strictEqual(Option.getOrThrow(yield* s.latest({ version: v })).value, 3)

          const empty = yield* newStream("nearempty")
          assert.isTrue(Option.isNone(yield* empty.earliest()))
          assert.isTrue(Option.isNone(yield* empty.latest()))
          assert.isTrue(Option.isNone(yield* empty.current()))

          assertInvalid(yield* flipTag(s.nearest("soon")), "time")
          assertInvalid(yield* flipTag(s.nearest(MAX_TIME)), "time")
          assertInvalid(yield* flipTag(s.nearest(BASE, { version: -3 })), "version")
          assertInvalid(yield* flipTag(s.earliest({ version: "1" as unknown as bigint })), "version")
          assert.strictEqual((yield* flipTag(s.nearest(BASE, { version: 999n })))._tag, "VersionNotAvailable")
          assertInvalid(yield* flipTag(s.latest({ version: -1 })), "version")
          assertInvalid(yield* flipTag(s.current({ version: 2 ** 70 })), "version")
        }))

      it.effect("count follows the Python client: aligned windows by default, exact with precise", () =>
        Effect.gen(function*() {
          const s = yield* newStream("count")
          const points = randomPoints(3_000, 1000n * SECOND, 3)
          yield* s.insert(points)
          assert.strictEqual(yield* s.count(), 3000n)
          assert.strictEqual(yield* s.count({ precise: true }), 3000n)
          const start = BASE + 123n * SECOND + 456n
          const end = BASE + 789n * SECOND
          const exact = BigInt(Ref.rangeOf(points, start, end).length)
          assert.strictEqual(yield* s.count({ start, end, precise: true }), exact)
          // Python: pw = min(pointwidth, floor(log2(end - start)) - 1), sum of the aligned windows' counts
          const pythonCount = (pointwidth: number) => {
            const pw = Math.min(pointwidth, (end - start).toString(2).length - 2)
            return BigInt(Ref.alignedWindows(points, start, end, pw).reduce((a, w) => a + w.count, 0))
          }
          assert.strictEqual(yield* s.count({ start, end }), pythonCount(62))
          assert.strictEqual(yield* s.count({ start, end, pointwidth: 30 }), pythonCount(30))
          assert.notStrictEqual(pythonCount(62), exact, "the example shows the approximation")
          assertInvalid(yield* flipTag(s.count({ start: end, end: start })), "end")
          assertInvalid(yield* flipTag(s.count({ pointwidth: 99 })), "pointwidth")
        }))
    })

    describe("delete, flush, changes, obliterate", () => {
      it.effect("delete commits a version; older versions keep the points; changes reports the ranges", () =>
        Effect.gen(function*() {
          const s = yield* newStream("del")
          const points = Array.from({ length: 100 }, (_, k) => [BASE + BigInt(k) * 1_000_000n, k] as const)
          const inserted = (yield* s.insert(points)).version
          const deleted = yield* s.delete({ start: BASE + 20_000_000n, end: BASE + 30_000_000n })
          assert.strictEqual(deleted, inserted + 1n)
          assert.deepStrictEqual(
            pairs(yield* s.valuesCollected({ start: BASE, end: BASE + SECOND })),
            points.filter(([t]) => t < BASE + 20_000_000n || t >= BASE + 30_000_000n)
          )
          assert.strictEqual(
            (yield* s.valuesCollected({ start: BASE, end: BASE + SECOND, version: inserted })).times.length,
            100
          )

          // the deleted points, at resolutions 0 and 22 (≈4 ms)
          const gone = points.filter(([t]) => t >= BASE + 20_000_000n && t < BASE + 30_000_000n).map(([t]) => t)
          for (const resolution of [0, 22]) {
            const got = yield* s.changesCollected({ from: inserted, to: deleted, resolution })
            assert.deepStrictEqual(
              Array.from(got.start, (t, i) => [t, got.end[i]!]),
              Ref.changedRanges(gone, resolution)
            )
            assert.strictEqual(got.version, deleted)
          }
          // from the creation to the insert: every inserted time; "to" defaults to the latest
          const all = yield* s.changesCollected({ from: 0, to: inserted, resolution: 24 })
          assert.deepStrictEqual(
            Array.from(all.start, (t, i) => [t, all.end[i]!]),
            Ref.changedRanges(points.map(([t]) => t), 24)
          )
          const pages = yield* EStream.runCollect(s.changes({ from: inserted }))
          assert.strictEqual(Points.concatRanges(pages).version, deleted)

          assertInvalid(yield* flipTag(s.delete({ start: BASE, end: BASE })), "end")
          assertInvalid(yield* flipTag(s.delete({ start: "then", end: BASE })), "start")
          assertInvalid(yield* flipTag(s.changesCollected({ from: 12, to: 11 })), "from")
          assertInvalid(yield* flipTag(s.changesCollected({ resolution: 64 })), "resolution")
          assertInvalid(yield* flipTag(s.changesCollected({ to: -1 })), "to")
          assert.strictEqual((yield* flipTag(s.changesCollected({ to: deleted + 10n })))._tag, "VersionNotAvailable")
        }))

      it.effect("every delete and every insert with points makes a version, even when nothing changes", () =>
        Effect.gen(function*() {
          const s = yield* newStream("noop")
          const created = yield* s.version
          assert.strictEqual((yield* s.insert([])).version, created)
          const inserted = (yield* s.insert([[BASE + 1n, 1]])).version
          assert.strictEqual(inserted, created + 1n)
          // a delete of a range without points
          const deleted = yield* s.delete({ start: BASE + 500n, end: BASE + 600n })
          assert.strictEqual(deleted, inserted + 1n)
          assert.strictEqual(yield* s.version, deleted)
          // inserts the merge policy reduces to nothing
          const retained = (yield* s.insert([[BASE + 1n, 2]], { merge: "retain" })).version
          assert.strictEqual(retained, deleted + 1n)
          const equal = (yield* s.insert([[BASE + 1n, 1]], { merge: "equal" })).version
          assert.strictEqual(equal, retained + 1n)
          for (const version of [inserted, deleted, retained, equal]) {
            assert.deepStrictEqual(pairs(yield* s.valuesCollected({ start: BASE, end: BASE + SECOND, version })), [[
              BASE + 1n,
              1
            ]])
          }
          // they changed nothing
          const none = yield* s.changesCollected({ from: inserted, to: equal })
          assert.strictEqual(none.start.length, 0)
        }))

      it.effect("changes reports what a later commit undid: the union of every commit's changes", () =>
        Effect.gen(function*() {
          const s = yield* newStream("undo")
          const created = yield* s.version
          const inserted = (yield* s.insert([[BASE, 1], [BASE + 100n, 2]])).version
          const deleted = yield* s.delete({ start: BASE, end: BASE + 1n })
          const ranges = (r: Points.ChangedRanges) => Array.from(r.start, (t, i) => [t, r.end[i]!])
          assert.deepStrictEqual(ranges(yield* s.changesCollected({ from: created, to: deleted })), [
            [BASE, BASE + 1n],
            [BASE + 100n, BASE + 101n]
          ])
          const again = (yield* s.insert([[BASE, 1]])).version
          // the same points at `inserted` and `again`, but time BASE changed twice in between
          assert.deepStrictEqual(
            pairs(yield* s.valuesCollected({ start: BASE, end: BASE + SECOND, version: again })),
            pairs(yield* s.valuesCollected({ start: BASE, end: BASE + SECOND, version: inserted }))
          )
          assert.deepStrictEqual(ranges(yield* s.changesCollected({ from: inserted, to: again })), [[BASE, BASE + 1n]])
          assert.deepStrictEqual(ranges(yield* s.changesCollected({ from: inserted, to: again, resolution: 10 })), [
            [BASE & ~1023n, (BASE & ~1023n) + 1024n]
          ])
        }))

      it.effect("flush returns the version; obliterate removes the stream for good", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const s = yield* newStream("obl")
          const v = (yield* s.insert([[BASE, 1]])).version
          assert.strictEqual(yield* s.flush, v)
          yield* s.obliterate
          assert.isFalse(yield* s.exists)
          for (
            const op of [
              s.flush,
              s.obliterate,
              s.version,
              s.delete({ start: BASE, end: BASE + 1n }),
              s.insert([[BASE, 1]]),
              s.valuesCollected(),
              s.earliest(),
              s.changesCollected(),
              s.count()
            ] as const
          ) {
            assert.strictEqual((yield* flipTag(op as Effect.Effect<unknown, { _tag: string }>))._tag, "StreamNotFound")
          }
          const again = yield* flipTag(db.create({ uuid: s.uuid, collection: uniquePrefix("re"), tags: { name: "s" } }))
          assert.strictEqual(again._tag, "RecycledUUID")
        }))
    })

    describe("update", () => {
      it.effect("tags, collection and annotations, checked against the handle's property version", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const collection = uniquePrefix("upd")
          const s = yield* db.create({
            uuid: Uuid.random(),
            collection,
            tags: { name: "a" },
            annotations: { x: "1", y: "2" }
          })
          assert.strictEqual(yield* s.propertyVersion, 1n)

          const tagged = yield* s.update({ tags: { name: "a", unit: "volts" } })
          assert.strictEqual(yield* tagged.propertyVersion, 2n)
          assert.strictEqual(yield* tagged.unit, "volts")
          assert.strictEqual(yield* tagged.name, "a")

          // the old handle is out of date: the 423, not a silent overwrite
          const stale = yield* flipTag(s.update({ annotations: { x: "9" } }))
          assert.strictEqual(stale._tag, "BTrDBServerError")
          assert.strictEqual((stale as { code: number }).code, 423)
          assert.isTrue(Stream.isPropertyVersionMismatch(stale))
          assert.deepStrictEqual(yield* (yield* s.refreshMetadata).annotations, { x: "1", y: "2" })

          const moved = yield* tagged.update({ collection: `${collection}moved`, annotations: { z: "3" } })
          assert.strictEqual(yield* moved.propertyVersion, 4n, "a tag call and an annotation call")
          assert.strictEqual(yield* moved.collection, `${collection}moved`)
          assert.deepStrictEqual(yield* moved.annotations, { x: "1", y: "2", z: "3" })
          assert.strictEqual(yield* moved.name, "a")

          const replaced = yield* moved.update({ annotations: { y: "20" }, replace: true })
          assert.deepStrictEqual(yield* replaced.annotations, { y: "20" })
          const emptied = yield* replaced.update({ annotations: {}, replace: true })
          assert.deepStrictEqual(yield* emptied.annotations, {})
          assert.strictEqual(yield* emptied.propertyVersion, 6n)

          // a handle without metadata fetches it first
          const fresh = yield* db.streamFromUuid(s.uuid)
          const viaUuid = yield* fresh.update({ annotations: { w: "4" } })
          assert.deepStrictEqual(yield* viaUuid.annotations, { w: "4" })

          assertInvalid(yield* flipTag(viaUuid.update({})), "options")
          assertInvalid(yield* flipTag(viaUuid.update({ tags: { color: "red" } })), "tags")
          assertInvalid(yield* flipTag(viaUuid.update({ collection: "" })), "collection")
          assertInvalid(yield* flipTag(viaUuid.update({ annotations: { k: "v".repeat(300) } })), "annotations")
          const unknown = yield* db.streamFromUuid(Uuid.random())
          assert.strictEqual((yield* flipTag(unknown.update({ annotations: { a: "b" } })))._tag, "StreamNotFound")
        }))
    })

    describe("StreamSet", () => {
      /** The §9.3 example: s1 at t = 100, 105, 110, 115, 120 (0..4), s2 at 101, 106, 110, 114, 119 (5..9). */
      const twoStreams = Effect.gen(function*() {
        const db = yield* BTrDB
        const collection = uniquePrefix("set")
        const s1 = yield* db.create({
          uuid: Uuid.random(),
          collection: `${collection}PMU1`,
          tags: { name: "L1MAG", unit: "volts" },
          annotations: { phase: "A" }
        })
        const s2 = yield* db.create({
          uuid: Uuid.random(),
          collection: `${collection}PMU2`,
          tags: { name: "C1ANG", unit: "deg" },
          annotations: { phase: "B" }
        })
        yield* s1.insert(Ref.S1_POINTS)
        yield* s2.insert(Ref.S2_POINTS)
        const set = yield* db.streams([s1.uuid, s2.uuid])
        return { db, collection, s1, s2, set }
      })

      it.effect("rows align the streams on time, NaN where a stream has no point (the hand-built table)", () =>
        Effect.gen(function*() {
          const { s1, s2, set } = yield* twoStreams
          const rows = yield* (yield* set.filter({ start: 100n, end: 121n })).rows()
          assert.deepStrictEqual(rows.uuids, [s1.uuid, s2.uuid])
          assert.deepStrictEqual(
            Array.from(rows.times, (t, i) => [t, rows.columns[0]![i]!, rows.columns[1]![i]!]),
            Ref.S1_S2_ROWS
          )
          // a narrower filter
          const narrow = yield* (yield* set.filter({ start: 106n, end: 115n })).rows()
          assert.deepStrictEqual(
            Array.from(narrow.times, (t, i) => [t, narrow.columns[0]![i]!, narrow.columns[1]![i]!]),
            [[106n, NaN, 6], [110n, 2, 7], [114n, NaN, 8]]
          )
          // windows of 10 ns from 100: the mean of each stream per window
          const windowed = yield* (yield* set.filter({ start: 100n, end: 121n })).rows({
            window: { width: 10n },
            stat: "mean"
          })
          assert.deepStrictEqual(
            Array.from(windowed.times, (t, i) => [t, windowed.columns[0]![i]!, windowed.columns[1]![i]!]),
            [[100n, 0.5, 5.5], [110n, 2.5, 8]]
          )
          // windows of 2 ns: an empty window is NaN, except for its count
          const narrowWindows = yield* set.filter({ start: 100n, end: 108n })
          const maxima = yield* narrowWindows.rows({ window: { width: 2n }, stat: "max" })
          assert.deepStrictEqual(
            Array.from(maxima.times, (t, i) => [t, maxima.columns[0]![i]!, maxima.columns[1]![i]!]),
            [[100n, 0, 5], [102n, NaN, NaN], [104n, 1, NaN], [106n, NaN, 6]]
          )
          const counts = yield* narrowWindows.rows({ window: { width: 2n }, stat: "count" })
          assert.deepStrictEqual([...counts.columns[0]!, ...counts.columns[1]!], [1, 0, 1, 0, 1, 0, 0, 1])
          const counted = yield* (yield* set.filter({ start: 96n, end: 128n })).rows({
            window: { pointwidth: 4 },
            stat: "count"
          })
          // 16-ns windows from 96: [96, 112) and [112, 128)
          assert.deepStrictEqual(
            Array.from(counted.times, (t, i) => [t, counted.columns[0]![i]!, counted.columns[1]![i]!]),
            [[96n, 3, 3], [112n, 2, 2]]
          )
        }))

      it.effect("rows with a sampling frequency snap to its grid (PROTOCOL.md §9.3, P = 1 s)", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const collection = uniquePrefix("snap")
          const a = yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "a" } })
          const b = yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "b" } })
          const ms = 1_000_000n
          // a: 0.5 s snaps up to 1 s (half-way); 2.75 s snaps to 3 s = end, so it is left out
          yield* a.insert([[500n * ms, 1], [2000n * ms, 2], [2750n * ms, 3]])
          // b: 0.5 s - 1 ns snaps to 0 (left out); 1.6 s and 2.4 s both snap to 2 s, as near: the earlier wins
          yield* b.insert([[500n * ms - 1n, 10], [1200n * ms, 11], [1600n * ms, 12], [2400n * ms, 13]])
          const set = yield* (yield* db.streams([a.uuid, b.uuid])).filter({
            start: 1000n * ms,
            end: 3000n * ms,
            samplingFrequency: 1
          })
          const rows = yield* set.rows()
          assert.deepStrictEqual(
            Array.from(rows.times, (t, i) => [t, rows.columns[0]![i]!, rows.columns[1]![i]!]),
            [[1000n * ms, 1, 11], [2000n * ms, 2, 12]]
          )
          // at 2 Hz (P = 0.5 s): a's 0.5 s stays before the start; b's 1.2 s snaps to 1 s, 1.6 s to 1.5 s, 2.4 s to 2.5 s
          const faster = yield* (yield* set.filter({ samplingFrequency: 2 })).rows()
          assert.deepStrictEqual(
            Array.from(faster.times, (t, i) => [t, faster.columns[0]![i]!, faster.columns[1]![i]!]),
            [[1000n * ms, NaN, 11], [1500n * ms, NaN, 12], [2000n * ms, 2, NaN], [2500n * ms, NaN, 13]]
          )
        }))

      it.effect("values, windows and alignedWindows per stream; count, earliest, latest over the filter", () =>
        Effect.gen(function*() {
          const { s1, s2, set } = yield* twoStreams
          const filtered = yield* set.filter({ start: 103n, end: 116n })
          // results are keyed by stream, in the set's order
          const values = yield* filtered.values({ concurrency: 1 })
          assert.deepStrictEqual([...values.keys()], [s1.uuid, s2.uuid])
          assert.deepStrictEqual(pairs(values.get(s1.uuid)!), [[105n, 1], [110n, 2], [115n, 3]])
          assert.deepStrictEqual(pairs(values.get(s2.uuid)!), [[106n, 6], [110n, 7], [114n, 8]])
          // a stream named twice is in the set once
          const db = yield* BTrDB
          const twice = yield* db.streams([s1.uuid, s1.uuid, s2.uuid])
          assert.deepStrictEqual(twice.streams.map((s) => s.uuid), [s1.uuid, s2.uuid])
          assert.strictEqual(yield* filtered.count({ precise: true }), 6n)
          assert.strictEqual(yield* set.count(), 10n)
          const timeValue = Option.map((p: Points.VersionedPoint) => [p.time, p.value])
          const first = yield* filtered.earliest()
          assert.deepStrictEqual(Array.from(first, ([uuid, p]) => [uuid, timeValue(p)]), [
            [s1.uuid, Option.some([105n, 1])],
            [s2.uuid, Option.some([106n, 6])]
          ])
          const last = yield* filtered.latest()
          assert.deepStrictEqual(Array.from(last, ([uuid, p]) => [uuid, timeValue(p)]), [
            [s1.uuid, Option.some([115n, 3])],
            [s2.uuid, Option.some([114n, 8])]
          ])
          const none = yield* (yield* set.filter({ start: 0n, end: 50n })).latest()
          assert.deepStrictEqual([...none.values()], [Option.none(), Option.none()])
          const current = yield* set.current()
          assert.deepStrictEqual(current.get(s2.uuid)!.pipe(Option.map((p) => p.value)), Option.some(9))
          assert.deepStrictEqual(current.get(s1.uuid)!.pipe(Option.map((p) => p.value)), Option.some(4))

          const windows = yield* filtered.windows({ width: 5n })
          assertWindows(
            windows.get(s1.uuid)!,
            Ref.windows([[100n, 0], [105n, 1], [110n, 2], [115n, 3], [120n, 4]], 103n, 116n, 5n)
          )
          assertWindows(
            windows.get(s2.uuid)!,
            Ref.windows([[101n, 5], [106n, 6], [110n, 7], [114n, 8], [119n, 9]], 103n, 116n, 5n)
          )
          const aligned = yield* set.filter({ start: 96n, end: 128n }).pipe(
            Effect.flatMap((f) => f.alignedWindows({ pointwidth: 3 }))
          )
          assertWindows(
            aligned.get(s2.uuid)!,
            Ref.alignedWindows([[101n, 5], [106n, 6], [110n, 7], [114n, 8], [119n, 9]], 96n, 128n, 3)
          )
          assert.deepStrictEqual([s1.uuid, s2.uuid], set.streams.map((s) => s.uuid))
        }))

      it.effect("filter by collection, name, unit (exact ignoring case, or RegExp search), tags and annotations", () =>
        Effect.gen(function*() {
          const { collection, s1, s2, set } = yield* twoStreams
          const uuids = (f: typeof set) => f.streams.map((s) => s.uuid)
          assert.deepStrictEqual(uuids(yield* set.filter({ collection: `${collection}pmu1`.toUpperCase() })), [s1.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ collection: /PMU\d$/ })), [s1.uuid, s2.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ collection: "PMU" })), [])
          assert.deepStrictEqual(uuids(yield* set.filter({ name: "l1mag" })), [s1.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ name: /ANG/g })), [s2.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ unit: "DEG" })), [s2.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ tags: { unit: "volts" } })), [s1.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ tags: { unit: "VOLTS" } })), [])
          assert.deepStrictEqual(uuids(yield* set.filter({ annotations: { phase: "B" } })), [s2.uuid])
          assert.deepStrictEqual(uuids(yield* set.filter({ annotations: { phase: "B", other: "x" } })), [])
          // filters compose; a handle without metadata is looked up
          const db = yield* BTrDB
          const bare = yield* db.streams([s1.uuid, s2.uuid])
          assert.isTrue(bare.streams.every((s) => Option.isNone(s.descriptor)))
          const both = yield* bare.filter({ unit: /^(volts|deg)$/ }).pipe(
            Effect.flatMap((f) => f.filter({ name: "c1ang", start: "1970-01-01", end: 1000n }))
          )
          assert.deepStrictEqual(uuids(both), [s2.uuid])
          assert.deepStrictEqual(both.filters, { start: 0n, end: 1000n, samplingFrequency: undefined })
          assert.strictEqual((yield* set.filter({ samplingFrequency: 30 })).filters.samplingFrequency, 30)

          assertInvalid(yield* flipTag(set.filter({ start: 10n, end: 10n })), "end")
          assertInvalid(yield* flipTag((yield* set.filter({ start: 10n })).filter({ end: 5n })), "end")
          assertInvalid(yield* flipTag(set.filter({ start: "noon" })), "start")
          assertInvalid(yield* flipTag(set.filter({ samplingFrequency: -1 })), "samplingFrequency")
          assertInvalid(yield* flipTag(set.filter({ name: 5 as unknown as string })), "name")
          assertInvalid(yield* flipTag(set.filter({ tags: { unit: 5 as unknown as string } })), "tags")
        }))

      it.effect("pinVersions and versions; insert into several streams", () =>
        Effect.gen(function*() {
          const { s1, s2, set } = yield* twoStreams
          const pinned = yield* set.pinVersions()
          assert.deepStrictEqual([...(yield* pinned.versions())], [[s1.uuid, 11n], [s2.uuid, 11n]])
          const inserted = yield* set.insert({
            [s1.uuid]: [[130n, 10]],
            [s2.uuid.toUpperCase()]: { times: [131n], values: [11] }
          }, { merge: "retain" })
          assert.deepStrictEqual([...inserted].sort(), [[s1.uuid, 12n], [s2.uuid, 12n]].sort())
          assert.deepStrictEqual([...(yield* set.versions({ concurrency: 1 }))], [[s1.uuid, 12n], [s2.uuid, 12n]])
          // the pinned set still reads version 11
          const lengths = (pages: ReadonlyMap<string, Points.Points>) =>
            Array.from(pages.values(), (p) => p.times.length)
          assert.deepStrictEqual(lengths(yield* pinned.values()), [5, 5])
          assert.deepStrictEqual(lengths(yield* set.values()), [6, 6])
          assert.strictEqual(yield* pinned.count({ precise: true }), 10n)
          const mixed = yield* set.pinVersions(new Map<string, bigint | number>([[s1.uuid, 11n], [s2.uuid, 0]]))
          assert.deepStrictEqual([...mixed.pinned], [[s1.uuid, 11n]])
          assert.deepStrictEqual([...(yield* mixed.versions())], [[s1.uuid, 11n], [s2.uuid, 12n]])
          assert.deepStrictEqual(lengths(yield* mixed.values()), [5, 6])

          assertInvalid(yield* flipTag(set.pinVersions({ [Uuid.random()]: 3 })), "versions")
          assertInvalid(yield* flipTag(set.pinVersions({ nope: 3 })), "versions")
          assertInvalid(yield* flipTag(set.pinVersions({ [s1.uuid]: -3 })), "versions")
          assertInvalid(yield* flipTag(set.insert({ [Uuid.random()]: [[1n, 1]] })), "data")
          assertInvalid(yield* flipTag(set.insert({ [s1.uuid]: [[1n, NaN]] })), "data")
          assertInvalid(yield* flipTag(set.values({ concurrency: 0 })), "concurrency")
          assert.strictEqual(
            (yield* flipTag(pinned.insert({ [s1.uuid]: [[1n, 1]] }, { merge: "often" as "never" })))._tag,
            "InvalidArgument"
          )
          assertInvalid(yield* flipTag(set.versions({ concurrency: 1.5 })), "concurrency")
          assertInvalid(yield* flipTag(set.count({ concurrency: -1 })), "concurrency")
          assertInvalid(yield* flipTag(set.earliest({ concurrency: 0 })), "concurrency")
          assertInvalid(yield* flipTag(set.rows({ stat: "median" as "mean", window: { width: 5n } })), "stat")
          assertInvalid(yield* flipTag(set.rows({ window: { pointwidth: 99 } })), "pointwidth")
          assertInvalid(yield* flipTag(set.rows({ window: { width: 0n } })), "width")
          assertInvalid(yield* flipTag(set.windows({ width: "1 fortnight" as "1 week" })), "width")
          assertInvalid(yield* flipTag(set.alignedWindows({ pointwidth: -1 })), "pointwidth")
          // now is outside a filter that ended in 1970
          assertInvalid(yield* flipTag((yield* set.filter({ end: 1000n })).current()), "filters")
          assert.strictEqual(
            (yield* flipTag(set.pinVersions({ [s1.uuid]: 99n }).pipe(Effect.flatMap((p) => p.values()))))._tag,
            "VersionNotAvailable"
          )
        }))
    })
  })
