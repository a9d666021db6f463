/**
 * The contract of distillers (`Distiller`): written once, run against `BTrDB.layerMemory` and against `BTrDB.layer`
 * over loopback gRPC to the embedded server. Every expected output is recomputed here from scratch, independently of
 * the runner, from the inputs' current points. No assertion is about timing: an interrupt is placed by a Deferred the
 * transform completes, and the work done is counted in points read.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import * as Distiller from "../../src/services/Distiller.js"
import type * as Stream from "../../src/services/Stream.js"
import { uniquePrefix } from "../support/layers.js"
import * as Ref from "./reference.js"

const BASE = 1_500_000_000_000_000_000n
const SECOND = 1_000_000_000n
/** 100 Hz. */
const STEP = 10_000_000n

type Pair = Ref.Pair

const newStream = (label: string, name: string) =>
  Effect.flatMap(BTrDB, (db) => db.create({ uuid: Uuid.random(), collection: uniquePrefix(label), tags: { name } }))

const pointsOf = (s: Stream.Stream) => Effect.map(s.valuesCollected(), (p) => toPairs(p))

const toPairs = (p: { readonly times: BigInt64Array; readonly values: Float64Array }): Array<Pair> =>
  Array.from(p.times, (t, i) => [t, p.values[i]!] as const)

/** Samples `from` … `from + count - 1` at 100 Hz, a slow wave with noise from `seed`. */
const samples = (from: number, count: number, seed: number): Array<Pair> => {
  const next = Ref.random(seed)
  return Array.from({ length: count }, (_, k) => {
    const i = from + k
    return [BASE + BigInt(i) * STEP, 7200 + 100 * Math.sin(i / 50) + Math.round(next() * 80 - 40)] as const
  })
}

// --- the reference: each distiller's output recomputed from the whole input, here

const floorTo = (t: bigint, w: bigint) => {
  const r = t % w
  return r === 0n ? t : t < 0n ? t - r - w : t - r
}

/** Groups points by window of `width`, in time order. */
const byWindow = (points: ReadonlyArray<Pair>, width: bigint): Array<[bigint, Array<number>]> => {
  const groups = new Map<bigint, Array<number>>()
  for (const [t, v] of points) {
    const w = floorTo(t, width)
    const g = groups.get(w)
    if (g === undefined) groups.set(w, [v])
    else g.push(v)
  }
  return Array.from(groups).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

const refMean = (points: ReadonlyArray<Pair>, width: bigint): Array<Pair> =>
  byWindow(points, width).map(([w, vs]) => [w, vs.reduce((a, b) => a + b, 0) / vs.length])

const refRms = (points: ReadonlyArray<Pair>, width: bigint): Array<Pair> =>
  byWindow(points, width).map(([w, vs]) => [w, Math.sqrt(vs.reduce((a, b) => a + b * b, 0) / vs.length)])

const refRange = (points: ReadonlyArray<Pair>, width: bigint): Array<Pair> =>
  byWindow(points, width).map(([w, vs]) => [w, Math.max(...vs) - Math.min(...vs)])

const refEvents = (points: ReadonlyArray<Pair>, width: bigint, limit: number): Array<Pair> =>
  byWindow(points, width).map(([w, vs]) => [w, vs.some((v) => v < limit) ? 1 : 0])

/** At each input time t (once, however many points share it): the sum of the values in `[t - margin, t + margin)`. */
const refNeighbours = (points: ReadonlyArray<Pair>, margin: bigint): Array<Pair> =>
  Array.from(new Set(points.map(([t]) => t))).map((t) => [
    t,
    points.filter(([u]) => u >= t - margin && u < t + margin).reduce((a, [, v]) => a + v, 0)
  ])

/** A transform with a margin: {@link refNeighbours}, computed from a slice. */
const neighbours = (margin: bigint): Distiller.Transform => ({
  inputs: 1,
  outputs: 1,
  margin,
  compute: (slice) =>
    Effect.sync(() => {
      const { times, values } = slice.inputs[0]!
      const outT: Array<bigint> = []
      const outV: Array<number> = []
      for (let i = 0; i < times.length; i++) {
        const t = times[i]!
        if (t < slice.start || t >= slice.end || (i > 0 && times[i - 1] === t)) continue
        let sum = 0
        for (let k = 0; k < times.length; k++) if (times[k]! >= t - margin && times[k]! < t + margin) sum += values[k]!
        outT.push(t)
        outV.push(sum)
      }
      return [{ times: BigInt64Array.from(outT), values: Float64Array.from(outV) }]
    })
})

const assertSeries = (got: ReadonlyArray<Pair>, want: ReadonlyArray<Pair>, what: string) => {
  assert.strictEqual(got.length, want.length, `${what}: number of points`)
  want.forEach(([t, v], i) => {
    assert.strictEqual(got[i]![0], t, `${what}: time of point ${i}`)
    assert.closeTo(got[i]![1], v, 1e-6, `${what}: value of point ${i}`)
  })
}

/** Counts the points each call of a transform is given. */
const counting = (transform: Distiller.Transform, reads: Array<number>): Distiller.Transform => ({
  ...transform,
  compute: (slice) => {
    reads.push(slice.inputs.reduce((n, p) => n + p.times.length, 0))
    return transform.compute(slice)
  }
})

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

export const distilContractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(`Distiller contract (${label})`, (it) => {
    describe("runOnce", () => {
      it.effect("after random inserts, deletes and corrections, the outputs equal a recomputation from scratch", () =>
        Effect.gen(function*() {
          const input = yield* newStream("dist", "volts")
          const names = ["mean", "rms", "range", "events", "neighbours"] as const
          const outputs = yield* Effect.forEach(names, (n) => newStream("dist", n))
          const limit = 7200 * 0.99
          const transforms = [
            Distiller.downsample({ width: "1 second", stat: "mean" }),
            Distiller.rms({ width: "500 millis" }),
            Distiller.range({ width: "2 seconds" }),
            Distiller.events({ nominal: 7200, threshold: 0.01, width: "1 second" }),
            neighbours(35_000_000n)
          ]
          const distillers = yield* Effect.forEach(names, (name, i) =>
            Distiller.make({
              name,
              inputs: [input],
              outputs: [outputs[i]!],
              transform: transforms[i]!,
              maxRangeWidth: "7 seconds"
            }))
          const check = (round: number) =>
            Effect.gen(function*() {
              for (const d of distillers) yield* Distiller.runOnce(d)
              const current = yield* pointsOf(input)
              const want = [
                refMean(current, SECOND),
                refRms(current, SECOND / 2n),
                refRange(current, 2n * SECOND),
                refEvents(current, SECOND, limit),
                refNeighbours(current, 35_000_000n)
              ]
              for (let i = 0; i < names.length; i++) {
                assertSeries(yield* pointsOf(outputs[i]!), want[i]!, `round ${round}, ${names[i]}`)
              }
            })

          // the first run: everything
          yield* input.insert(samples(0, 3000, 1))
          yield* check(0)
          const next = Ref.random(7)
          for (let round = 1; round <= 6; round++) {
            const ops = 1 + Math.floor(next() * 3)
            for (let k = 0; k < ops; k++) {
              const at = Math.floor(next() * 3400)
              const kind = next()
              if (kind < 0.35) {
                // new points, some past the end
                yield* input.insert(samples(at, 1 + Math.floor(next() * 150), round * 10 + k))
              } else if (kind < 0.7) {
                // corrections: the same times, new values (a sag below the event limit, sometimes)
                const fixed = samples(at, 1 + Math.floor(next() * 40), round * 100 + k).map(([t, v]) =>
                  [t, next() < 0.3 ? v - 300 : v + 1] as const
                )
                yield* input.insert(fixed, { merge: "replace" })
              } else {
                const start = BASE + BigInt(at) * STEP + BigInt(Math.floor(next() * 5_000_000))
                yield* input.delete({ start, end: start + BigInt(Math.floor(next() * 200)) * STEP + 1n })
              }
            }
            yield* check(round)
          }

          // the record: the input's version, in each output's annotations
          const version = yield* input.version
          for (let i = 0; i < names.length; i++) {
            const annotations = yield* Effect.flatMap(outputs[i]!.refreshMetadata, (s) => s.annotations)
            assert.deepStrictEqual(JSON.parse(annotations[`distil/${names[i]}/versions`]!), {
              [input.uuid]: version.toString()
            })
          }
        }))

      it.effect("the work is proportional to the changed ranges, not to the stream", () =>
        Effect.gen(function*() {
          const input = yield* newStream("prop", "volts")
          const output = yield* newStream("prop", "mean")
          yield* input.insert(samples(0, 10_000, 3)) // 100 s at 100 Hz
          const reads: Array<number> = []
          const d = yield* Distiller.make({
            name: "mean",
            inputs: [input],
            outputs: [output],
            transform: counting(Distiller.downsample({ width: "1 second", stat: "mean" }), reads),
            resolution: 0 // changed ranges as they are, so the windows recomputed are known exactly
          })
          const first = yield* Distiller.runOnce(d)
          assert.strictEqual(sum(reads), 10_000)
          assert.strictEqual(first.pointsRead, 10_000)
          assert.strictEqual(first.pointsWritten, 100)

          // nothing changed: nothing read
          reads.length = 0
          const idle = yield* Distiller.runOnce(d)
          assert.deepStrictEqual(idle.ranges, [])
          assert.strictEqual(sum(reads), 0)

          // one correction at 42.5 s and a deletion in 70.2 s … 70.4 s: two windows of 1 s, about 200 points
          reads.length = 0
          yield* input.insert([[BASE + 4250n * STEP, 1]], { merge: "replace" })
          yield* input.delete({ start: BASE + 7020n * STEP, end: BASE + 7040n * STEP })
          const second = yield* Distiller.runOnce(d)
          assert.deepStrictEqual(
            second.ranges.map((r) => [r.start - BASE, r.end - BASE]),
            [[42n * SECOND, 43n * SECOND], [70n * SECOND, 71n * SECOND]]
          )
          assert.strictEqual(sum(reads), 100 + 80)
          assert.strictEqual(second.pointsRead, 180)
          assert.strictEqual(second.pointsWritten, 2)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "after the changes")

          // with a margin: the changed range, plus the margin on each side to recompute, plus the margin to read
          const wide = yield* newStream("prop", "neighbours")
          const margin = 50_000_000n // 5 samples
          const reads2: Array<number> = []
          const n = yield* Distiller.make({
            name: "neighbours",
            inputs: [input],
            outputs: [wide],
            transform: counting(neighbours(margin), reads2),
            resolution: 0
          })
          yield* Distiller.runOnce(n)
          reads2.length = 0
          yield* input.insert([[BASE + 5000n * STEP, 2]], { merge: "replace" })
          yield* Distiller.runOnce(n)
          // [t - 2·margin, t + 1 + 2·margin): 10 samples before, the point, 10 after
          assert.strictEqual(sum(reads2), 21)
          assertSeries(yield* pointsOf(wide), refNeighbours(yield* pointsOf(input), margin), "neighbours")
        }))

      it.effect("a run interrupted midway records nothing; the next one reaches the same outputs", () =>
        Effect.gen(function*() {
          const input = yield* newStream("intr", "volts")
          const output = yield* newStream("intr", "mean")
          yield* input.insert(samples(0, 6000, 5)) // 60 s
          const make = (transform: Distiller.Transform) =>
            Distiller.make({
              name: "mean",
              inputs: [input],
              outputs: [output],
              transform,
              maxRangeWidth: "10 seconds",
              resolution: 0
            })
          const mean = Distiller.downsample({ width: "1 second", stat: "mean" })
          const key = `distil/mean/versions`

          /** Runs a distiller that stops for good in its `stopAt`-th range, interrupts it there. */
          const interruptedAt = (stopAt: number) =>
            Effect.gen(function*() {
              const reached = yield* Deferred.make<void>()
              let calls = 0
              const d = yield* make({
                ...mean,
                compute: (slice) => {
                  calls++
                  return calls < stopAt ? mean.compute(slice) : Effect.andThen(
                    Deferred.succeed(reached, undefined),
                    Effect.never
                  )
                }
              })
              const fiber = yield* Effect.forkChild(Distiller.runOnce(d))
              yield* Deferred.await(reached)
              yield* Fiber.interrupt(fiber)
              return calls
            })

          assert.strictEqual(yield* interruptedAt(4), 4)
          // three ranges of 10 s were written, and no record
          assert.strictEqual((yield* pointsOf(output)).length, 30)
          const annotations = yield* Effect.flatMap(output.refreshMetadata, (s) => s.annotations)
          assert.isUndefined(annotations[key])

          const d = yield* make(mean)
          const resumed = yield* Distiller.runOnce(d)
          assert.strictEqual(resumed.ranges.length, 6)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "after the restart")

          // changes, then an interrupt of the run that processes them, then a restart
          yield* input.insert(samples(6000, 3000, 6)) // 30 s more
          yield* input.insert(samples(100, 50, 8).map(([t, v]) => [t, v - 500] as const), { merge: "replace" })
          yield* input.delete({ start: BASE + 2000n * STEP, end: BASE + 2500n * STEP })
          yield* interruptedAt(2)
          const again = yield* Distiller.runOnce(d)
          assert.isAbove(again.ranges.length, 0)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "after the second restart")
          const record = yield* Effect.flatMap(output.refreshMetadata, (s) => s.annotations)
          assert.deepStrictEqual(JSON.parse(record[key]!), { [input.uuid]: (yield* input.version).toString() })
        }))

      it.effect("several inputs and outputs; an output whose record is older makes the run redo the difference", () =>
        Effect.gen(function*() {
          const a = yield* newStream("multi", "a")
          const b = yield* newStream("multi", "b")
          const sumOut = yield* newStream("multi", "sum")
          const diffOut = yield* newStream("multi", "diff")
          // per window of 1 s: the sum of a's mean and b's mean, and their difference
          const both: Distiller.Transform = {
            inputs: 2,
            outputs: 2,
            alignment: "1 second",
            compute: (slice) =>
              Effect.sync(() => {
                const [ma, mb] = slice.inputs.map((p) => new Map(refMean(toPairs(p), slice.alignment)))
                const windows = Array.from(ma!.keys()).filter((w) => mb!.has(w)).sort((x, y) => (x < y ? -1 : 1))
                const times = BigInt64Array.from(windows)
                return [
                  { times, values: Float64Array.from(windows, (w) => ma!.get(w)! + mb!.get(w)!) },
                  { times, values: Float64Array.from(windows, (w) => ma!.get(w)! - mb!.get(w)!) }
                ]
              })
          }
          const d = yield* Distiller.make({
            name: "both",
            inputs: [a, b],
            outputs: [sumOut, diffOut],
            transform: both,
            resolution: 0
          })
          const want = Effect.gen(function*() {
            const ma = new Map(refMean(yield* pointsOf(a), SECOND))
            const mb = new Map(refMean(yield* pointsOf(b), SECOND))
            const windows = Array.from(ma.keys()).filter((w) => mb.has(w)).sort((x, y) => (x < y ? -1 : 1))
            return [
              windows.map((w) => [w, ma.get(w)! + mb.get(w)!] as const),
              windows.map((w) => [w, ma.get(w)! - mb.get(w)!] as const)
            ]
          })
          const check = (what: string) =>
            Effect.gen(function*() {
              const [s, df] = yield* want
              assertSeries(yield* pointsOf(sumOut), s!, `${what}: sum`)
              assertSeries(yield* pointsOf(diffOut), df!, `${what}: diff`)
            })
          yield* a.insert(samples(0, 1000, 11))
          yield* b.insert(samples(500, 1000, 12))
          yield* Distiller.runOnce(d)
          yield* check("first run")
          const recorded = (yield* Effect.flatMap(sumOut.refreshMetadata, (s) =>
            s.annotations))["distil/both/versions"]!

          yield* b.insert(samples(1200, 10, 13).map(([t, v]) => [t, v * 2] as const), { merge: "replace" })
          yield* Distiller.runOnce(d)
          yield* check("second run")
          // as after a crash between the two outputs' records: one output is a run behind
          yield* Effect.flatMap(
            sumOut.refreshMetadata,
            (s) => s.update({ annotations: { "distil/both/versions": recorded } })
          )
          yield* a.delete({ start: BASE + 300n * STEP, end: BASE + 320n * STEP })
          const third = yield* Distiller.runOnce(d)
          // b's change since the older record is done again, with a's deletion
          assert.deepStrictEqual(
            third.ranges.map((r) => [r.start - BASE, r.end - BASE]),
            [[3n * SECOND, 4n * SECOND], [12n * SECOND, 13n * SECOND]]
          )
          yield* check("third run")
        }))
    })

    describe("make", () => {
      it.effect("refuses a bad name, an output that is an input, a wrong count, bad durations and options", () =>
        Effect.gen(function*() {
          const input = yield* newStream("bad", "in")
          const output = yield* newStream("bad", "out")
          const mean = Distiller.downsample({ width: "1 second", stat: "mean" })
          const field = (options: Distiller.Options) =>
            Effect.map(Effect.flip(Distiller.make(options)), (e) => [e._tag, e.field])
          const ok = { name: "ok", inputs: [input], outputs: [output], transform: mean }
          assert.deepStrictEqual(yield* field({ ...ok, name: "two words" }), ["InvalidArgument", "name"])
          assert.deepStrictEqual(yield* field({ ...ok, outputs: [input] }), ["InvalidArgument", "outputs"])
          assert.deepStrictEqual(yield* field({ ...ok, outputs: [output, output] }), ["InvalidArgument", "outputs"])
          assert.deepStrictEqual(yield* field({ ...ok, inputs: [input, output], outputs: [Uuid.random()] }), [
            "InvalidArgument",
            "inputs"
          ])
          assert.deepStrictEqual(yield* field({ ...ok, inputs: [] }), ["InvalidArgument", "inputs"])
          assert.deepStrictEqual(yield* field({ ...ok, outputs: ["not a uuid"] }), ["InvalidArgument", "uuid"])
          assert.deepStrictEqual(
            yield* field({ ...ok, transform: Distiller.downsample({ width: "0 seconds", stat: "mean" }) }),
            ["InvalidArgument", "alignment"]
          )
          assert.deepStrictEqual(yield* field({ ...ok, resolution: 63 }), ["InvalidArgument", "resolution"])
          assert.deepStrictEqual(
            yield* field({ ...ok, transform: Distiller.events({ nominal: 7200, threshold: 2, width: "1 second" }) }),
            ["InvalidArgument", "threshold"]
          )
          const d = yield* Distiller.make(ok)
          assert.strictEqual(d.recordKey, "distil/ok/versions")
          assert.strictEqual(d.alignment, SECOND)
          assert.strictEqual(d.resolution, 29)
        }))

      it.effect("a record that is not one fails the run with InvalidArgument, before anything is written", () =>
        Effect.gen(function*() {
          const input = yield* newStream("rec", "in")
          const output = yield* newStream("rec", "out")
          yield* input.insert(samples(0, 10, 1))
          yield* Effect.flatMap(output.refreshMetadata, (s) => s.update({ annotations: { "distil/r/versions": "{" } }))
          const d = yield* Distiller.make({
            name: "r",
            inputs: [input],
            outputs: [output],
            transform: Distiller.downsample({ width: "1 second", stat: "mean" })
          })
          const error = yield* Effect.flip(Distiller.runOnce(d))
          assert.strictEqual(error._tag, "InvalidArgument")
          assert.strictEqual((yield* pointsOf(output)).length, 0)
        }))
    })

    describe("follow", () => {
      it.effect("keeps the output up to date as points arrive, until interrupted; resumes where it stopped", () =>
        Effect.gen(function*() {
          const input = yield* newStream("follow", "volts")
          const output = yield* newStream("follow", "mean")
          const d = yield* Distiller.make({
            name: "mean",
            inputs: [input],
            outputs: [output],
            transform: Distiller.downsample({ width: "1 second", stat: "mean" })
          })
          /** Waits until a run has processed `version`. */
          const follows = (version: bigint, subscribe: boolean) =>
            Effect.gen(function*() {
              const done = yield* Deferred.make<void>()
              const fiber = yield* Effect.forkChild(Distiller.follow(d, {
                schedule: Schedule.spaced("20 millis"),
                subscribe,
                onRun: (
                  s
                ) => (s.versions[input.uuid]! >= version
                  ? Effect.asVoid(Deferred.succeed(done, undefined))
                  : Effect.void)
              }))
              return { done, fiber }
            })
          const v1 = (yield* input.insert(samples(0, 500, 21))).version
          const first = yield* follows(v1, false)
          yield* Deferred.await(first.done)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "first")
          const v2 = (yield* input.insert(samples(500, 500, 22))).version
          const again = yield* Deferred.make<void>()
          // the same fiber sees the new points
          yield* Effect.gen(function*() {
            while (
              (yield* Effect.flatMap(output.refreshMetadata, (s) => s.annotations))["distil/mean/versions"] !==
                JSON.stringify({ [input.uuid]: v2.toString() })
            ) yield* Effect.sleep("20 millis")
            yield* Deferred.succeed(again, undefined)
          })
          yield* Deferred.await(again)
          yield* Fiber.interrupt(first.fiber)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "second")

          // while nothing follows: a deletion; then a follower with Subscribe resumes
          yield* input.delete({ start: BASE + 100n * STEP, end: BASE + 300n * STEP })
          const v3 = yield* input.version
          const second = yield* follows(v3, true)
          yield* Deferred.await(second.done)
          yield* Fiber.interrupt(second.fiber)
          assertSeries(yield* pointsOf(output), refMean(yield* pointsOf(input), SECOND), "resumed")
        }))
    })
  })
