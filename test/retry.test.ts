import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import * as E from "../src/errors/BTrDBError.js"
import * as Retry from "../src/services/Retry.js"

const unavailable = new E.ConnectionError({ method: "Info", endpoint: "x:4410", detail: "down" })

/** An effect failing with `error` the first `failures` times, recording the clock at every attempt. */
const flaky = (failures: number, error: E.Any) =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make<Array<number>>([])
    const effect = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const seen = yield* Ref.updateAndGet(attempts, (a) => [...a, now])
      if (seen.length <= failures) return yield* Effect.fail(error)
      return "ok"
    })
    return { attempts, effect }
  })

describe("Retry", () => {
  it.effect("python(): 5 attempts in all, waiting 3, 12, 48, 192 seconds", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(10, unavailable)
      const fiber = yield* effect.pipe(Retry.transient(Retry.python()), Effect.flip, Effect.forkChild)
      yield* TestClock.adjust("1 hour")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error, unavailable)
      const times = yield* Ref.get(attempts)
      assert.deepStrictEqual(times, [0, 3_000, 15_000, 63_000, 255_000])
    }))

  it.effect("python() options: retries, delay and backoff", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(10, unavailable)
      const fiber = yield* effect.pipe(
        Retry.transient(Retry.python({ retries: 3, delay: "1 second", backoff: 2 })),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* Ref.get(attempts), [0, 1_000, 3_000])
    }))

  it.effect("a success stops retrying", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(2, unavailable)
      const fiber = yield* effect.pipe(Retry.transient(Retry.python()), Effect.forkChild)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual((yield* Ref.get(attempts)).length, 3)
    }))

  const notTransient = [
    new E.StreamNotFound({ method: "RawValues", detail: "stream does not exist" }),
    new E.InvalidArgument({ method: "create", field: "collection", detail: "empty" }),
    new E.InvalidTimeRange({ method: "RawValues", detail: "start time >= end time" }),
    new E.BadSQLValue({ method: "SQLQuery", detail: "syntax error" }),
    new E.Unauthenticated({ method: "Info", detail: "invalid api key" }),
    new E.BTrDBServerError({ method: "Insert", detail: "Insert too big", code: 414 })
  ]
  for (const error of notTransient) {
    it.effect(`${error._tag} is not retried`, () =>
      Effect.gen(function*() {
        const { attempts, effect } = yield* flaky(10, error)
        const fiber = yield* effect.pipe(Retry.transient(Retry.python()), Effect.flip, Effect.forkChild)
        yield* TestClock.adjust("1 hour")
        assert.strictEqual(yield* Fiber.join(fiber), error)
        assert.strictEqual((yield* Ref.get(attempts)).length, 1)
      }))
  }

  it("isTransient: unavailability, deadline, exhaustion and the transient server codes", () => {
    assert.isTrue(Retry.isTransient(unavailable))
    assert.isTrue(Retry.isTransient(new E.TransportError({ method: "x", grpcCode: 4, detail: "deadline" })))
    assert.isTrue(Retry.isTransient(new E.TransportError({ method: "x", grpcCode: 8, detail: "exhausted" })))
    assert.isFalse(Retry.isTransient(new E.TransportError({ method: "x", grpcCode: 13, detail: "internal" })))
    for (const code of Retry.TRANSIENT_CODES) {
      assert.isTrue(
        Retry.isTransient(new E.BTrDBServerError({ method: "x", detail: "", code })) ||
          Retry.isTransient(new E.BTrDBError({ method: "x", detail: "", code }))
      )
    }
    assert.isFalse(Retry.isTransient(new Error("plain")))
  })

  it.effect("withPolicy overrides the connection default, which applies otherwise", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(10, unavailable)
      const connectionDefault = Retry.policy(Retry.python())
      const call = Retry.applyCurrent(effect, connectionDefault)
      const fiber = yield* call.pipe(
        Retry.withPolicy(Retry.never),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* Ref.get(attempts)).length, 1)

      const second = yield* flaky(10, unavailable)
      const fiber2 = yield* Retry.applyCurrent(second.effect, connectionDefault).pipe(Effect.flip, Effect.forkChild)
      yield* TestClock.adjust(Duration.hours(1))
      yield* Fiber.join(fiber2)
      assert.strictEqual((yield* Ref.get(second.attempts)).length, 5)
    }))

  it.effect("a policy built from the user's own Schedule", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(10, unavailable)
      const mine = Schedule.spaced("1 second").pipe(Schedule.upTo({ times: 2 }))
      const fiber = yield* Retry.applyCurrent(effect, Retry.never).pipe(
        Retry.withPolicy(Retry.policy(mine)),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* Ref.get(attempts), [0, 1_000, 2_000])
    }))

  it.effect("tapFailures sees every failed attempt, the last one included (a Schedule.tap misses the last)", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* flaky(10, unavailable)
      const seen = yield* Ref.make<Array<unknown>>([])
      const tapped = yield* Ref.make(0)
      const schedule = Retry.python({ retries: 3, delay: "1 second" }).pipe(
        Schedule.tap(() => Ref.update(tapped, (n) => n + 1))
      )
      const loud = Retry.tapFailures(Retry.policy(schedule), (e) => Ref.update(seen, (a) => [...a, e]))
      const fiber = yield* Retry.apply(effect, loud).pipe(Effect.flip, Effect.forkChild)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* Fiber.join(fiber), unavailable)
      assert.strictEqual((yield* Ref.get(attempts)).length, 3)
      assert.deepStrictEqual(yield* Ref.get(seen), [unavailable, unavailable, unavailable])
      assert.strictEqual(yield* Ref.get(tapped), 2)

      // a call that is not retried (not transient) is still observed once
      const once = yield* flaky(10, notTransient[0])
      const none = yield* Ref.make(0)
      const observed = Retry.tapFailures(Retry.never, () => Ref.update(none, (n) => n + 1))
      yield* Retry.apply(once.effect, observed).pipe(Effect.flip)
      assert.strictEqual(yield* Ref.get(none), 1)
    }))

  it.effect("CurrentPolicy is a Context.Reference: providing it is withPolicy", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Retry.CurrentPolicy, undefined)
      const p = Retry.policy(Schedule.recurs(1))
      assert.strictEqual(yield* Effect.provideService(Retry.CurrentPolicy, p)(Retry.CurrentPolicy), p)
      assert.strictEqual(yield* Retry.withPolicy(Effect.service(Retry.CurrentPolicy), p), p)
    }))
})
