/**
 * The contract of the batching writer (`Writer`): written once, run against `BTrDB.layerMemory` and against
 * `BTrDB.layer` over loopback gRPC to the embedded server. What each stream must hold is computed here from the
 * times the test offered, independently of the writer. No assertion is about timing: batching by age runs on the
 * TestClock, backpressure is seen in the writer's figures and in fibers that have not finished.
 */
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as EStream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import type { InsertData } from "../../src/schema/Points.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import type * as Stream from "../../src/services/Stream.js"
import * as Writer from "../../src/services/Writer.js"
import { uniquePrefix } from "../support/layers.js"

const T0 = 1_600_000_000_000_000_000n
/** 120 Hz. */
const STEP = 8_333_333n

/** The value of sample `i` of stream number `s`: what every test offers and expects. */
const valueOf = (s: number, i: number) => s * 1000 + i * 0.25

/** Samples `from` … `from + count - 1` of stream number `s` as columns. */
const samples = (s: number, from: number, count: number): InsertData => {
  const times = new BigInt64Array(count)
  const values = new Float64Array(count)
  for (let k = 0; k < count; k++) {
    times[k] = T0 + BigInt(from + k) * STEP
    values[k] = valueOf(s, from + k)
  }
  return { times, values }
}

/** Asserts that the stream holds exactly samples 0 … n - 1 of stream number `s`. */
const assertHolds = (stream: Stream.Stream, s: number, n: number) =>
  Effect.gen(function*() {
    const { times, values } = yield* stream.valuesCollected()
    assert.strictEqual(times.length, n, `points of stream ${s}`)
    for (let i = 0; i < n; i++) {
      if (times[i] !== T0 + BigInt(i) * STEP || values[i] !== valueOf(s, i)) {
        assert.fail(
          `stream ${s}, point ${i}: got (${times[i]}, ${values[i]}), want (${T0 + BigInt(i) * STEP}, ${valueOf(s, i)})`
        )
      }
    }
  })

const newStreams = (label: string, n: number) =>
  Effect.flatMap(BTrDB, (db) => {
    const collection = uniquePrefix(label)
    return Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
      db.create({ uuid: Uuid.random(), collection, tags: { name: `s${i}` } }))
  })

/** Lets the other fibers run until they wait. */
const settle = Effect.forEach(Array.from({ length: 20 }), () => Effect.yieldNow, { discard: true })

export const writerContractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(`Writer contract (${label})`, (it) => {
    it.effect("many producers × several streams: after flush each stream holds exactly what was offered", () =>
      Effect.gen(function*() {
        const streams = yield* newStreams("writer-many", 3)
        const writer = yield* Writer.make({
          maxBatchPoints: 64,
          maxBatchAge: "10 millis",
          maxInFlight: 2,
          maxBufferedPoints: 500
        })
        const PRODUCERS = 4
        const CHUNKS = 25
        const CHUNK = 37
        // producer p of stream s offers chunks p, p + 4, p + 8 … of the stream's samples: offer, write, sink, uuid
        const produce = (stream: Stream.Stream, s: number, p: number) => {
          const chunks = Array.from({ length: CHUNKS }, (_, k) => samples(s, (k * PRODUCERS + p) * CHUNK, CHUNK))
          switch (p) {
            case 0:
              return Effect.forEach(chunks, (data) => writer.offer(stream, data), { discard: true })
            case 1:
              return Effect.forEach(chunks, (data) => writer.write(stream, data), { discard: true })
            case 2:
              return EStream.run(EStream.fromIterable(chunks), writer.sink(stream))
            default:
              return writer.offerAll(chunks.map((data) => ({ stream: stream.uuid.toUpperCase(), data })))
          }
        }
        yield* Effect.forEach(
          streams.flatMap((stream, s) => Array.from({ length: PRODUCERS }, (_, p) => produce(stream, s, p))),
          (producer) => producer,
          { concurrency: "unbounded", discard: true }
        )
        yield* writer.flush
        for (const [s, stream] of streams.entries()) yield* assertHolds(stream, s, PRODUCERS * CHUNKS * CHUNK)
        const stats = yield* writer.stats
        assert.strictEqual(stats.pointsWritten, 3 * PRODUCERS * CHUNKS * CHUNK)
        assert.strictEqual(stats.bufferedPoints, 0)
        assert.strictEqual(stats.queuedPoints, 0)
        assert.strictEqual(stats.batchesInFlight, 0)
        assert.strictEqual(stats.failedStreams, 0)
      }).pipe(Effect.scoped))

    it.effect("batches by size: a batch is sealed at maxBatchPoints, one insert (one version) each", () =>
      Effect.gen(function*() {
        const [stream] = yield* newStreams("writer-size", 1)
        const before = yield* stream!.version
        const writer = yield* Writer.make({ maxBatchPoints: 100, maxBatchAge: "1 hour" })
        for (let i = 0; i < 1000; i += 40) yield* writer.offer(stream!, samples(0, i, Math.min(40, 1000 - i)))
        // the tenth batch is full at the last offer: nothing is left for the flush to seal
        yield* writer.flush
        assert.strictEqual((yield* writer.stats).batchesWritten, 10)
        assert.strictEqual((yield* stream!.version) - before, 10n)
        yield* assertHolds(stream!, 0, 1000)
      }).pipe(Effect.scoped))

    it.effect("batches by age: a batch is sealed maxBatchAge after its first point, however small", () =>
      Effect.gen(function*() {
        const [stream] = yield* newStreams("writer-age", 1)
        const before = yield* stream!.version
        const writer = yield* Writer.make({ maxBatchPoints: 50_000, maxBatchAge: "1 minute" })
        yield* writer.offer(stream!, samples(0, 0, 10))
        const stored = yield* Effect.forkChild(writer.write(stream!, samples(0, 10, 5)), { startImmediately: true })
        yield* settle
        assert.strictEqual((yield* writer.stats).queuedPoints, 15, "held until the batch is a minute old")
        assert.strictEqual((yield* writer.stats).batchesWritten, 0)
        yield* TestClock.adjust("59 seconds")
        yield* settle
        assert.strictEqual((yield* writer.stats).batchesWritten, 0)
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(stored)
        assert.strictEqual((yield* writer.stats).batchesWritten, 1)
        assert.strictEqual((yield* stream!.version) - before, 1n)
        yield* assertHolds(stream!, 0, 15)
      }).pipe(Effect.scoped, Effect.provide(TestClock.layer())))

    it.effect("backpressure: a producer waits while the buffer holds maxBufferedPoints", () =>
      Effect.gen(function*() {
        const [stream] = yield* newStreams("writer-bp", 1)
        const writer = yield* Writer.make({ maxBatchPoints: 1000, maxBatchAge: "1 hour", maxBufferedPoints: 100 })
        yield* writer.offer(stream!, samples(0, 0, 100))
        const blocked = yield* Effect.forkChild(writer.offer(stream!, samples(0, 100, 10)), { startImmediately: true })
        yield* settle
        assert.isUndefined(blocked.pollUnsafe(), "the second producer waits for room")
        const stats = yield* writer.stats
        assert.strictEqual(stats.waitingProducers, 1)
        assert.strictEqual(stats.bufferedPoints, 100)
        // the flush sends the full batch, which makes room
        yield* writer.flush
        yield* Fiber.join(blocked)
        yield* writer.flush
        yield* assertHolds(stream!, 0, 110)
      }).pipe(Effect.scoped))

    it.effect("closing the writer's scope flushes what it holds", () =>
      Effect.gen(function*() {
        const streams = yield* newStreams("writer-close", 2)
        const writer = yield* Effect.scoped(Effect.gen(function*() {
          const writer = yield* Writer.make({ maxBatchAge: "1 hour" })
          for (const [s, stream] of streams.entries()) yield* writer.offer(stream, samples(s, 0, 250))
          return writer
        }))
        for (const [s, stream] of streams.entries()) yield* assertHolds(stream, s, 250)
        assert.strictEqual((yield* writer.stats).bufferedPoints, 0)
        const defect = yield* Effect.exit(writer.offer(streams[0]!, samples(0, 250, 1)))
        assert.isTrue(defect._tag === "Failure", "an offer after the scope closed is a defect")
      }))

    it.effect("a permanent failure reaches the producers of that stream as its typed error; the others land", () =>
      Effect.gen(function*() {
        const [gone, kept] = yield* newStreams("writer-fail", 2)
        yield* gone!.obliterate
        const writer = yield* Writer.make({ maxBatchPoints: 50 })
        yield* writer.offer(kept!, samples(1, 0, 120))
        const error = yield* Effect.flip(writer.write(gone!, samples(0, 0, 10)))
        assert.strictEqual(error._tag, "StreamNotFound")
        yield* writer.offer(kept!, samples(1, 120, 80))
        // the lane of the failed stream refuses from then on, with the same error
        assert.strictEqual((yield* Effect.flip(writer.offer(gone!, samples(0, 10, 1))))._tag, "StreamNotFound")
        const sunk = yield* Effect.flip(EStream.run(EStream.make(samples(0, 11, 1)), writer.sink(gone!)))
        assert.strictEqual(sunk._tag, "StreamNotFound")
        // a flush flushes the others, then says what was lost
        assert.strictEqual((yield* Effect.flip(writer.flush))._tag, "StreamNotFound")
        yield* assertHolds(kept!, 1, 200)
        const stats = yield* writer.stats
        assert.strictEqual(stats.failedStreams, 1)
        assert.strictEqual(stats.bufferedPoints, 0)
      }).pipe(Effect.scoped))

    it.effect("a bad offer fails its producer with InvalidArgument and loses no one else's points", () =>
      Effect.gen(function*() {
        const [stream] = yield* newStreams("writer-bad", 1)
        const writer = yield* Writer.make()
        yield* writer.offer(stream!, samples(0, 0, 30))
        const uneven = yield* Effect.flip(
          writer.offer(stream!, { times: BigInt64Array.of(T0), values: Float64Array.of(1, 2) })
        )
        assert.strictEqual(uneven._tag, "InvalidArgument")
        const nan = yield* Effect.flip(
          writer.offer(stream!, { times: BigInt64Array.of(T0), values: Float64Array.of(NaN) })
        )
        assert.strictEqual(nan._tag, "InvalidArgument")
        assert.strictEqual((yield* Effect.flip(writer.offer("not-a-uuid", samples(0, 0, 1))))._tag, "InvalidArgument")
        yield* writer.offer(stream!, samples(0, 30, 30))
        yield* writer.flush
        yield* assertHolds(stream!, 0, 60)
      }).pipe(Effect.scoped))

    it.effect("metrics: points written, batches, queue depth and batches in flight", () =>
      Effect.gen(function*() {
        const streams = yield* newStreams("writer-metrics", 2)
        const attributes = { writer: uniquePrefix("m") }
        const writer = yield* Writer.make({ maxBatchPoints: 100, maxBatchAge: "1 hour", attributes })
        const value = <S>(metric: Metric.Metric<number, S>) => Metric.value(Metric.withAttributes(metric, attributes))
        for (const [s, stream] of streams.entries()) yield* writer.offer(stream, samples(s, 0, 250))
        // two full batches per stream may already be on their way; the last 50 points of each wait for the flush
        assert.isAtLeast((yield* value(Writer.queueDepth)).value, 100)
        yield* writer.flush
        assert.strictEqual((yield* value(Writer.pointsWritten)).count, 500)
        assert.strictEqual((yield* value(Writer.batchesWritten)).count, 6)
        assert.strictEqual((yield* value(Writer.queueDepth)).value, 0)
        assert.strictEqual((yield* value(Writer.batchesInFlight)).value, 0)
        assert.strictEqual((yield* value(Writer.retries)).count, 0)
      }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map())))
  })
