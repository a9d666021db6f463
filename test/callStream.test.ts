/**
 * A call's answers as a Stream (`src/internal/grpc/callStream.ts`), over a Node readable standing for the call:
 * what has arrived is given in one pull, the call is paused while answers wait and resumed when they are taken,
 * answers before an in-band error or a failed call come first, and closing the stream early cancels the call.
 * The same path against real servers: `test/server/cancel.test.ts`, `test/server/slowReader.test.ts`, the contract.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { PassThrough } from "node:stream"
import { type Call, callStream } from "../src/internal/grpc/callStream.js"

/** A stand-in for a call: messages written to it are its answers; `cancel` is counted. */
const fakeCall = () => {
  const call = Object.assign(new PassThrough({ objectMode: true }), { cancelled: 0 })
  ;(call as unknown as { cancel: () => void }).cancel = () => {
    call.cancelled++
    call.destroy()
  }
  return call
}

const open = (call: ReturnType<typeof fakeCall>) =>
  callStream<number, string>(
    () => call as unknown as Call<number>,
    (n) => (n < 0 ? `bad ${n}` : undefined),
    (error) => `failed: ${String(error)}`
  )

describe("callStream", () => {
  it.effect("gives every answer in order, those that arrived together in one pull, and ends with the call", () =>
    Effect.gen(function*() {
      const call = fakeCall()
      call.write(1)
      const pulls: Array<number> = []
      const all = yield* Stream.runCollect(
        open(call).pipe(
          Stream.mapArray((chunk) => {
            pulls.push(chunk.length)
            // four more arrive while the first is being handled
            if (pulls.length === 1) {
              for (const n of [2, 3, 4]) call.write(n)
              call.end(5)
            }
            return chunk
          })
        )
      )
      assert.deepStrictEqual([...all], [1, 2, 3, 4, 5])
      assert.deepStrictEqual(pulls, [1, 4], "the four that arrived meanwhile came in one pull")
    }))

  it.effect("pauses the call while answers wait, and resumes it when they are taken", () =>
    Effect.gen(function*() {
      const call = fakeCall()
      for (let n = 0; n < 10; n++) call.write(n)
      const taken = yield* Stream.runCollect(Stream.take(open(call), 1))
      assert.deepStrictEqual([...taken], [0])
      assert.strictEqual(call.cancelled, 1, "taking fewer than all cancels the call")

      const paused = fakeCall()
      for (let n = 0; n < 10; n++) paused.write(n)
      paused.end()
      const pausedWhileBusy: Array<boolean> = []
      const all = yield* Stream.runCollect(
        open(paused).pipe(Stream.mapEffect((n) =>
          n === 0
            // a slow consumer: the other answers arrive meanwhile
            ? Effect.as(
              Effect.promise(() => new Promise((resolve) => setImmediate(resolve))).pipe(
                Effect.tap(() => Effect.sync(() => pausedWhileBusy.push(paused.isPaused())))
              ),
              n
            )
            : Effect.succeed(n)
        ))
      )
      assert.deepStrictEqual([...all], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      assert.deepStrictEqual(pausedWhileBusy, [true], "paused while four answers waited")
      assert.isFalse(paused.isPaused(), "resumed when they were taken")
    }))

  it.effect("answers before an in-band error come first; the error ends the stream and cancels the call", () =>
    Effect.gen(function*() {
      const call = fakeCall()
      for (const n of [1, 2, -3, 4]) call.write(n)
      const given: Array<number> = []
      const exit = yield* Effect.exit(Stream.runForEach(open(call), (n) => Effect.sync(() => given.push(n))))
      assert.deepStrictEqual(given, [1, 2])
      assert.deepStrictEqual(exit, Exit.fail("bad -3"))
      assert.strictEqual(call.cancelled, 1)
    }))

  it.effect("answers before a failed call come first, then its error", () =>
    Effect.gen(function*() {
      const call = fakeCall()
      call.write(1)
      call.write(2)
      const given: Array<number> = []
      const exit = yield* Effect.exit(Stream.runForEach(open(call), (n) =>
        Effect.sync(() => {
          given.push(n)
          if (n === 2) call.destroy(new Error("reset"))
        })))
      assert.deepStrictEqual(given, [1, 2])
      assert.deepStrictEqual(exit, Exit.fail("failed: Error: reset"))
    }))
})
