/**
 * Retries are `Schedule`s. Nothing is retried unless you ask, and only transient failures are (the server
 * unreachable, a deadline, resource exhaustion, the transient server codes), never an answer about the data.
 *
 *   npx tsx examples/retry.ts localhost:4410 [--retries 5] [--delay "3 seconds"]
 *
 * With the defaults this waits as the Python client's `auto_retry=True` does: 3, 12, 48 and 192 seconds.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Duration, Effect, Schedule } from "effect"
import { BTrDB, Retry } from "effect-btrdb"
import { parseArgs } from "node:util"

const { positionals, values: flags } = parseArgs({
  allowPositionals: true,
  options: { retries: { type: "string" }, delay: { type: "string" } }
})
const endpoint = positionals[0] ?? process.env["BTRDB_ENDPOINTS"]?.split(",")[0]?.trim() ?? "localhost:4410"

// 1. the Python client's algorithm (`retries` attempts in all, waiting `delay`, then ×4 each time), with a line
//    on stderr for each failed attempt, the last one included
const python = Retry.tapFailures(
  Retry.policy(Retry.python({
    retries: flags.retries === undefined ? undefined : Number(flags.retries),
    delay: (flags.delay ?? "3 seconds") as Duration.Input
  })),
  (error) => Console.error(`attempt failed: ${error instanceof Error ? error.message : String(error)}`)
)

// 2. any Schedule of your own: every 100 ms with jitter, at most 10 retries and 5 seconds in all
const patient = Schedule.spaced("100 millis").pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 10, duration: "5 seconds" })
)

const program = Effect.gen(function*() {
  const db = yield* BTrDB.BTrDB
  // every call of the connection uses its default policy (given to the layer below)...
  const info = yield* db.info
  yield* Console.log(`connected to ${db.endpoint}: BTrDB ${info.majorVersion}.${info.minorVersion}`)

  // ...unless a call (or a whole block of calls) names another
  const collections = yield* db.listCollections().pipe(Retry.withPolicy(Retry.policy(patient)))
  yield* Console.log(`${collections.length} collections`)

  // an effect of your own that calls BTrDB several times, retried as a whole (its calls not retried one by one, so
  // the retries do not nest)
  const units = yield* Effect.forEach(collections, (c) => db.listUniqueUnits(c)).pipe(
    Retry.withPolicy(Retry.never),
    Retry.transient(patient)
  )
  yield* Console.log(`units: ${[...new Set(units.flat())].filter((u) => u !== "").sort().join(", ") || "(none)"}`)
})

program.pipe(
  // the default policy of the connection; connecting (its first Info call) follows it too, within the layer's
  // `connectTimeout` (10 seconds unless given)
  Effect.provide(BTrDB.layer({ endpoint, retry: python })),
  Effect.catchTag("ConnectionError", (e) =>
    Console.error(`gave up: could not reach ${e.endpoint} (${e.detail})`).pipe(
      Effect.andThen(Effect.sync(() => (process.exitCode = 1)))
    )),
  NodeRuntime.runMain
)
