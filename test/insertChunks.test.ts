/**
 * How an insert's chunks are cut and sent (`src/services/internal/stream/insertChunks.ts`), with a `send` the test
 * controls: which chunks are barriers, the bound on calls in flight, barriers waiting for every earlier chunk,
 * versions in chunk order, and what a failure or an interruption leaves. The inserts themselves are tested against
 * both layers in `test/contract/data.ts`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import fc from "fast-check"
import { type Chunk, chunksOf, sendChunks } from "../src/services/internal/stream/insertChunks.js"

const times = (...ts: ReadonlyArray<number>) => BigInt64Array.from(ts, BigInt)

/** A `send` whose calls wait until the test answers them: each chunk's offset, answered with a version. */
const controlled = () => {
  const calls: Array<{ readonly chunk: Chunk; readonly answer: Deferred.Deferred<bigint, string> }> = []
  let inFlight = 0
  let mostInFlight = 0
  const send = (chunk: Chunk) =>
    Effect.gen(function*() {
      const answer = yield* Deferred.make<bigint, string>()
      calls.push({ chunk, answer })
      inFlight++
      mostInFlight = Math.max(mostInFlight, inFlight)
      return yield* Effect.ensuring(
        Deferred.await(answer),
        Effect.sync(() => inFlight--)
      )
    })
  const started = () => calls.map((c) => c.chunk.offset)
  const answer = (offset: number, result: Exit.Exit<bigint, string>) =>
    Deferred.done(calls.find((c) => c.chunk.offset === offset)!.answer, result)
  return { send, started, answer, inFlight: () => inFlight, mostInFlight: () => mostInFlight }
}

describe("chunksOf", () => {
  it("cuts at the chunk size; no points make one empty chunk", () => {
    assert.deepStrictEqual(chunksOf(times(), 2), [{ offset: 0, end: 0, barrier: false }])
    assert.deepStrictEqual(chunksOf(times(1, 2, 3, 4, 5), 2).map((c) => [c.offset, c.end]), [[0, 2], [2, 4], [4, 5]])
  })

  it("a chunk is a barrier when its times may meet an earlier chunk's", () => {
    const barriers = (ts: BigInt64Array) => chunksOf(ts, 2).map((c) => c.barrier)
    assert.deepStrictEqual(barriers(times(1, 2, 3, 4, 5, 6)), [false, false, false], "ascending")
    assert.deepStrictEqual(barriers(times(6, 5, 4, 3, 2, 1)), [false, false, false], "descending")
    assert.deepStrictEqual(barriers(times(1, 2, 2, 3)), [false, true], "a time shared across the cut")
    assert.deepStrictEqual(barriers(times(1, 4, 2, 3)), [false, true], "inside an earlier chunk's span")
    assert.deepStrictEqual(barriers(times(1, 2, 5, 6, 3, 4)), [false, false, true], "between two earlier chunks")
    assert.deepStrictEqual(barriers(times(3, 4, 1, 2, 5, 6)), [false, false, false], "before, then after, all")
  })

  it("barriers as the chunks' spans say, for sorted and unsorted chunks alike", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -5n, max: 5n }), { maxLength: 14 }),
        fc.integer({ min: 1, max: 4 }),
        (ts, size) => {
          const spans = [] as Array<[bigint, bigint]>
          for (let at = 0; at < ts.length; at += size) {
            const part = ts.slice(at, at + size)
            spans.push([part.reduce((a, b) => (b < a ? b : a)), part.reduce((a, b) => (b > a ? b : a))])
          }
          const expected = spans.map(([min, max], k) =>
            k > 0 && min <= spans.slice(0, k).reduce((m, s) => (s[1] > m ? s[1] : m), spans[0]![1]) &&
            max >= spans.slice(0, k).reduce((m, s) => (s[0] < m ? s[0] : m), spans[0]![0])
          )
          const got = chunksOf(BigInt64Array.from(ts), size)
          assert.deepStrictEqual(got.map((c) => c.barrier), ts.length === 0 ? [false] : expected)
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe("sendChunks", () => {
  it.effect("keeps at most maxInFlight calls waiting, starts them in order, and answers versions in chunk order", () =>
    Effect.gen(function*() {
      const c = controlled()
      const chunks = chunksOf(times(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 2)
      const fiber = yield* Effect.forkChild(sendChunks(chunks, 3, c.send))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 4])
      // answered out of order: the versions still come back in chunk order
      yield* c.answer(4, Exit.succeed(11n))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 4, 6])
      yield* c.answer(2, Exit.succeed(12n))
      yield* c.answer(0, Exit.succeed(13n))
      yield* Effect.yieldNow
      yield* c.answer(6, Exit.succeed(14n))
      yield* c.answer(8, Exit.succeed(15n))
      assert.deepStrictEqual(yield* Fiber.join(fiber), [13n, 12n, 11n, 14n, 15n])
      assert.strictEqual(c.mostInFlight(), 3)
    }))

  it.effect("a barrier waits until every earlier chunk is answered; later chunks apart from it go on", () =>
    Effect.gen(function*() {
      const c = controlled()
      // chunks [1,2] [5,6] [2,3] (meets the first: a barrier) [9,10] (after all)
      const chunks = chunksOf(times(1, 2, 5, 6, 2, 3, 9, 10), 2)
      const fiber = yield* Effect.forkChild(sendChunks(chunks, 4, c.send))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 6], "the barrier waits, the chunk after it does not")
      yield* c.answer(0, Exit.succeed(11n))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 6], "one earlier chunk is still in flight")
      yield* c.answer(2, Exit.succeed(12n))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 6, 4])
      yield* c.answer(6, Exit.succeed(13n))
      yield* c.answer(4, Exit.succeed(14n))
      assert.deepStrictEqual(yield* Fiber.join(fiber), [11n, 12n, 14n, 13n])
    }))

  it.effect("after a failure no chunk is started, the calls in flight finish, and the earliest failure is the error", () =>
    Effect.gen(function*() {
      const c = controlled()
      const chunks = chunksOf(times(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 2)
      const fiber = yield* Effect.forkChild(sendChunks(chunks, 3, c.send))
      yield* Effect.yieldNow
      yield* c.answer(2, Exit.fail("second failed"))
      yield* Effect.yieldNow
      // the slot freed by the failure starts nothing
      assert.deepStrictEqual(c.started(), [0, 2, 4])
      yield* c.answer(4, Exit.fail("third failed"))
      yield* Effect.yieldNow
      assert.isUndefined(fiber.pollUnsafe(), "the first chunk is still in flight: it is waited for, not cancelled")
      yield* c.answer(0, Exit.succeed(11n))
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("second failed"))
      assert.deepStrictEqual(c.started(), [0, 2, 4])
    }))

  it.effect("one chunk at a time with maxInFlight 1", () =>
    Effect.gen(function*() {
      const c = controlled()
      const fiber = yield* Effect.forkChild(sendChunks(chunksOf(times(1, 2, 3, 4, 5, 6), 2), 1, c.send))
      for (const [offset, version] of [[0, 11n], [2, 12n], [4, 13n]] as const) {
        yield* Effect.yieldNow
        assert.strictEqual(c.started().at(-1), offset)
        yield* c.answer(offset, Exit.succeed(version))
      }
      assert.deepStrictEqual(yield* Fiber.join(fiber), [11n, 12n, 13n])
      assert.strictEqual(c.mostInFlight(), 1)
    }))

  it.effect("interrupting the insert interrupts the calls in flight", () =>
    Effect.gen(function*() {
      const c = controlled()
      const fiber = yield* Effect.forkChild(sendChunks(chunksOf(times(1, 2, 3, 4, 5, 6), 2), 4, c.send))
      yield* Effect.yieldNow
      assert.deepStrictEqual(c.started(), [0, 2, 4])
      yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.hasInterrupts(yield* Fiber.await(fiber)))
      assert.strictEqual(c.inFlight(), 0, "every call in flight was interrupted")
    }))
})
