/**
 * Fault injection (off by default): the FaultInject RPC plans failures, delays and dropped streams; the SDK
 * sees typed transport errors and its Retry schedule gets through them.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { BTrDB, Retry } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { faultInject, rawClient, uuidBytes } from "../support/rawClient.js"

const withServer = <A, E>(faultInjection: boolean, f: (endpoint: string) => Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.flatMap(EmbeddedServer.make({ listen: "127.0.0.1:0", faultInjection, log: () => {} }), (s) => f(s.endpoint))
  )

const inject = faultInject

describe("fault injection", () => {
  it.live("is disabled by default (424)", () =>
    withServer(false, (endpoint) =>
      Effect.gen(function*() {
        const response = yield* inject(endpoint, 1, { calls: 1 })
        assert.strictEqual(response.stat.code, 424)
      })))

  it.live("failed calls are ConnectionErrors; a Retry schedule gets through them", () =>
    withServer(true, (endpoint) =>
      Effect.gen(function*() {
        const db = yield* BTrDB.make({ endpoint })
        const planned = yield* inject(endpoint, 1, { calls: 2 })
        assert.isNull(planned.stat)
        assert.deepStrictEqual(JSON.parse(planned.rv.toString()).unavailable, 2)

        const first = yield* Effect.flip(db.info)
        assert.strictEqual(first._tag, "ConnectionError")
        assert.include(first.message, "injected fault")

        const attempts = yield* Ref.make(0)
        const counted = Effect.andThen(Ref.update(attempts, (n) => n + 1), db.info)
        const info = yield* counted.pipe(
          Retry.withPolicy(Retry.policy(Retry.python({ delay: "20 millis", backoff: 2 })))
        )
        assert.strictEqual(info.majorVersion, 5)

        yield* inject(endpoint, 1, { calls: 2 })
        const retried = yield* Retry.applyCurrent(counted, Retry.policy(Retry.python({ delay: "20 millis" })))
        assert.strictEqual(retried.majorVersion, 5)
        assert.strictEqual(yield* Ref.get(attempts), 4)
      }).pipe(Effect.scoped)))

  it.live("a dropped stream fails mid-answer with UNAVAILABLE; delays delay", () =>
    withServer(true, (endpoint) =>
      Effect.promise(async () => {
        const client = rawClient(endpoint)
        try {
          const uuid = uuidBytes()
          await client.unary("Create", { uuid, collection: "faults", tags: [] })
          await client.unary("Insert", {
            uuid,
            values: Array.from({ length: 12_000 }, (_, i) => ({ time: String(i), value: i })),
            merge_policy: "NEVER"
          })
          await client.unary("FaultInject", { type: "3", params: Buffer.from(`{"calls":1,"afterMessages":1}`) })
          const error = await client.stream("RawValues", { uuid, start: "0", end: "20000" }).then(
            () => undefined,
            (e: { code: number; details: string }) => e
          )
          assert.strictEqual(error?.code, 14)
          assert.strictEqual(error?.details, "injected fault: stream dropped")
          const whole = await client.stream("RawValues", { uuid, start: "0", end: "20000" })
          assert.strictEqual(whole.flatMap((m) => m.values).length, 12_000)

          await client.unary("FaultInject", { type: "2", params: Buffer.from(`{"calls":1,"ms":300}`) })
          const t0 = Date.now()
          await client.unary("Info", {})
          assert.isAtLeast(Date.now() - t0, 250)
          const cleared = await client.unary("FaultInject", { type: "0" })
          assert.deepStrictEqual(JSON.parse(cleared.rv.toString()), {
            unavailable: 0,
            delay: { calls: 0, ms: 300 },
            drop: { calls: 0, afterMessages: 1 },
            lostAnswers: 0,
            disk: null
          })
          const bad = await client.unary("FaultInject", { type: "9" })
          assert.strictEqual(bad.stat.code, 421)
        } finally {
          client.close()
        }
      })))
})
