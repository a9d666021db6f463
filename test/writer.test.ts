/**
 * The batching writer against stream doubles whose inserts the test controls: retries counted under the SDK's rules,
 * the bound on batches in flight, a stream's batches stored in order, the batch span, and a waiting producer that
 * is interrupted. (Its contract against both layers is `test/contract/writer.ts`.)
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as E from "../src/errors/BTrDBError.js"
import { BTrDB, Retry, Stream, Uuid, Writer } from "../src/index.js"

const unavailable = new E.ConnectionError({ method: "Insert", endpoint: "x:4410", detail: "down" })

/** `n` points from time `from` (ns), value = time. */
const points = (from: number, n: number) => ({
  times: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)),
  values: Float64Array.from({ length: n }, (_, i) => from + i)
})

/**
 * A stream double recording the first time of every insert; its inserts run `behaviour` under the retry policy in
 * effect, as the SDK's handles do (`Retry.applyCurrent`).
 */
const double = (behaviour: (attempt: number, first: bigint) => Effect.Effect<void, Writer.WriteErrors>) => {
  const inserted: Array<bigint> = []
  let attempts = 0
  const stream = Stream.makeTest(Uuid.random(), {
    insert: (data) => {
      const first = (data as { times: BigInt64Array }).times[0]!
      return Retry.applyCurrent(
        Effect.suspend(() => behaviour(++attempts, first)).pipe(
          Effect.andThen(Effect.sync(() => {
            inserted.push(first)
          }))
        ),
        Retry.never
      ).pipe(Effect.as({ version: BigInt(inserted.length), versions: [] }))
    },
    flush: Effect.succeed(1n)
  })
  return { inserted, stream, attempts: () => attempts }
}

const writerTest = <A, E>(effect: Effect.Effect<A, E, BTrDB.BTrDB | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(BTrDB.layerTest()))

describe("Writer", () => {
  it.effect("bad options fail with InvalidArgument naming the option", () =>
    Effect.gen(function*() {
      const bound = yield* Effect.flip(Effect.scoped(Writer.make({ maxBatchPoints: 0 })))
      assert.strictEqual(bound._tag, "InvalidArgument")
      assert.include(bound.message, "maxBatchPoints")
      const age = yield* Effect.flip(Effect.scoped(Writer.make({ maxBatchAge: "soon" as "1 second" })))
      assert.strictEqual(age.field, "maxBatchAge")
    }).pipe(Effect.provide(BTrDB.layerMemory())))

  it.effect("transient failures are retried under the writer's policy and counted", () =>
    writerTest(Effect.gen(function*() {
      const flaky = double((attempt) => attempt <= 2 ? Effect.fail(unavailable) : Effect.void)
      const writer = yield* Writer.make({
        maxBatchPoints: 10,
        merge: "replace",
        retry: Retry.policy(Schedule.recurs(5))
      })
      yield* writer.write(flaky.stream, points(0, 10))
      assert.strictEqual(flaky.attempts(), 3)
      assert.strictEqual((yield* writer.stats).retries, 2)
      assert.deepStrictEqual(flaky.inserted, [0n])
    })))

  it.effect("a failure that outlasts the policy reaches the producer; only the repeats count as retries", () =>
    writerTest(Effect.gen(function*() {
      const down = double(() => Effect.fail(unavailable))
      const writer = yield* Writer.make({
        maxBatchPoints: 10,
        merge: "replace",
        retry: Retry.policy(Schedule.recurs(3))
      })
      const error = yield* Effect.flip(writer.write(down.stream, points(0, 10)))
      assert.strictEqual(error, unavailable)
      assert.strictEqual(down.attempts(), 4)
      assert.strictEqual((yield* writer.stats).retries, 3)
      assert.strictEqual((yield* writer.stats).failedStreams, 1)
      assert.strictEqual((yield* Effect.flip(writer.flush))._tag, "ConnectionError")
    })))

  it.effect("a stream's batches are stored in offer order; at most maxInFlight batches at once", () =>
    writerTest(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let running = 0
      let most = 0
      const held = (first: bigint) =>
        Effect.suspend(() => {
          most = Math.max(most, ++running)
          return Effect.ensuring(
            first === 0n ? Deferred.await(gate) : Effect.yieldNow,
            Effect.sync(() => running--)
          )
        })
      const streams = Array.from({ length: 4 }, () => double((_, first) => held(first)))
      const writer = yield* Writer.make({ maxBatchPoints: 10, maxInFlight: 2, maxBatchAge: "1 hour" })
      for (const { stream } of streams) yield* writer.offer(stream, points(0, 30))
      const flushed = yield* Effect.forkChild(writer.flush)
      yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.yieldNow, { discard: true })
      // every stream's first batch waits at the gate: two in flight, none of the later batches started
      assert.strictEqual((yield* writer.stats).batchesInFlight, 2)
      assert.isTrue(streams.every(({ inserted }) => inserted.length === 0))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(flushed)
      assert.strictEqual(most, 2)
      for (const { inserted } of streams) assert.deepStrictEqual(inserted, [0n, 10n, 20n])
    })))

  it.effect("each batch runs in a span BTrDB.Writer.batch with the stream's uuid and its points", () => {
    const spans: Array<{ name: string; attributes: Map<string, unknown> }> = []
    const tracer = Tracer.make({
      span: (options) => {
        const attributes = new Map<string, unknown>()
        spans.push({ name: options.name, attributes })
        return {
          _tag: "Span",
          name: options.name,
          spanId: String(spans.length),
          traceId: "trace",
          parent: options.parent,
          annotations: options.annotations,
          status: { _tag: "Started", startTime: options.startTime },
          attributes,
          links: options.links,
          sampled: options.sampled,
          kind: options.kind,
          end: () => {},
          attribute: (key, value) => {
            attributes.set(key, value)
          },
          event: () => {},
          addLinks: () => {}
        }
      }
    })
    return writerTest(Effect.gen(function*() {
      const target = double(() => Effect.void)
      const writer = yield* Writer.make({ maxBatchPoints: 25 })
      yield* writer.offer(target.stream, points(0, 40))
      yield* writer.flush
      const batches = spans.filter((s) => s.name === "BTrDB.Writer.batch")
      assert.deepStrictEqual(batches.map((s) => s.attributes.get("btrdb.points")), [25, 15])
      assert.isTrue(batches.every((s) => s.attributes.get("btrdb.uuid") === target.stream.uuid))
    })).pipe(Effect.withTracer(tracer))
  })

  it.effect("a producer interrupted while it waits for room takes none and leaves nothing behind", () =>
    writerTest(Effect.gen(function*() {
      const target = double(() => Effect.void)
      const writer = yield* Writer.make({ maxBatchPoints: 100, maxBatchAge: "1 hour", maxBufferedPoints: 50 })
      yield* writer.offer(target.stream, points(0, 50))
      const waiting = yield* Effect.forkChild(writer.offer(target.stream, points(50, 20)), { startImmediately: true })
      assert.strictEqual((yield* writer.stats).waitingProducers, 1)
      yield* Fiber.interrupt(waiting)
      const stats = yield* writer.stats
      assert.strictEqual(stats.waitingProducers, 0)
      assert.strictEqual(stats.bufferedPoints, 50)
      yield* writer.flush
      assert.strictEqual((yield* writer.stats).bufferedPoints, 0)
      assert.deepStrictEqual(target.inserted, [0n])
    })))
})
