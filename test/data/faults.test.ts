/**
 * Faults the SDK survives, against the real server with fault injection on: a read dropped mid-answer fails with
 * a typed transport error, and the Retry schedule resumes it without losing or repeating a point; an insert whose
 * answer is lost is retried under "retain" leaving exactly one copy, and not retried under "never"; a server
 * killed and restarted on the same port is reconnected to.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, BTrDBStream, Retry, Uuid } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { planFault } from "../support/rawClient.js"

const inject = planFault

const quickRetry = Retry.policy(Retry.python({ retries: 5, delay: "20 millis", backoff: 2 }))

const N = 12_000
const times = BigInt64Array.from({ length: N }, (_, i) => 1_000_000n + BigInt(i) * 1000n)
const values = Float64Array.from({ length: N }, (_, i) => Math.sin(i / 100))

const setup = Effect.gen(function*() {
  const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", faultInjection: true, log: () => {} })
  const db = yield* BTrDB.make({ endpoint: server.endpoint })
  const stream = yield* db.create({ uuid: Uuid.random(), collection: "faults", tags: { name: "f" } })
  return { server, db, stream }
})

describe("faults the SDK survives", () => {
  it.live("a dropped read fails with ConnectionError; with a Retry schedule it resumes, losing and repeating nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const { server, stream } = yield* setup
      yield* stream.insert({ times, values })
      const range = { start: 0n, end: 1n << 40n }

      yield* inject(server.endpoint, 3, { calls: 1, afterMessages: 1 })
      const error = yield* Effect.flip(stream.valuesCollected(range))
      assert.strictEqual(error._tag, "ConnectionError")
      assert.include(error.message, "injected fault: stream dropped")

      yield* inject(server.endpoint, 3, { calls: 2, afterMessages: 1 })
      const read = yield* stream.valuesCollected(range).pipe(Retry.withPolicy(quickRetry))
      assert.deepStrictEqual([...read.times], [...times])
      assert.deepStrictEqual([...read.values], [...values])
      assert.strictEqual(server.stats.cancelled, 0)
    })))

  it.live("a lost insert answer: retried under retain, one copy; under never, not retried, still one copy", () =>
    Effect.scoped(Effect.gen(function*() {
      const { db, server, stream } = yield* setup
      const other = yield* db.create({ uuid: Uuid.random(), collection: "faults", tags: { name: "g" } })
      const range = { start: 0n, end: 1n << 40n }

      yield* inject(server.endpoint, 4, { calls: 1 })
      yield* stream.insert({ times, values }, { merge: "retain" }).pipe(Retry.withPolicy(quickRetry))
      const retained = yield* stream.valuesCollected(range)
      assert.strictEqual(retained.times.length, N)
      assert.deepStrictEqual([...retained.values], [...values])

      yield* inject(server.endpoint, 4, { calls: 1 })
      const error = yield* Effect.flip(
        other.insert({ times, values }, { merge: "never" }).pipe(Retry.withPolicy(quickRetry))
      )
      assert.strictEqual(error._tag, "ConnectionError")
      const once = yield* other.valuesCollected(range)
      assert.strictEqual(once.times.length, N)
      assert.deepStrictEqual([...once.times], [...times])
    })))

  it.live("a chunk that fails fails the insert and is not sent again: one at a time, nothing after it is sent; four in flight, the others are stored whole", () =>
    Effect.scoped(Effect.gen(function*() {
      const { db, server } = yield* setup
      const chunk = BTrDBStream.INSERT_CHUNK_POINTS
      const n = 4 * chunk
      const big = {
        times: BigInt64Array.from({ length: n }, (_, i) => 1_000_000n + BigInt(i) * 1000n),
        values: Float64Array.from({ length: n }, (_, i) => i)
      }
      const range = { start: 0n, end: 1n << 40n }

      // one call at a time: the first chunk's call fails and nothing else is sent
      const single = yield* db.create({ uuid: Uuid.random(), collection: "faults", tags: { name: "one" } })
      yield* inject(server.endpoint, 1, { calls: 1 })
      assert.strictEqual((yield* Effect.flip(single.insert(big, { maxInFlight: 1 })))._tag, "ConnectionError")
      assert.strictEqual((yield* single.valuesCollected(range)).times.length, 0)

      // four in flight: the call that fails is not sent again, the others are answered and stored whole
      const several = yield* db.create({ uuid: Uuid.random(), collection: "faults", tags: { name: "four" } })
      yield* inject(server.endpoint, 1, { calls: 1 })
      assert.strictEqual((yield* Effect.flip(several.insert(big, { maxInFlight: 4 })))._tag, "ConnectionError")
      const stored = yield* several.valuesCollected(range)
      assert.strictEqual(stored.times.length, 3 * chunk, "three of the four chunks")
      const missing = new Set(Array.from({ length: 4 }, (_, c) => c))
      for (let i = 0; i < stored.times.length; i++) {
        const at = Number((stored.times[i]! - 1_000_000n) / 1000n)
        assert.strictEqual(stored.values[i], at)
        missing.delete(Math.floor(at / chunk))
      }
      assert.strictEqual(missing.size, 1, "one chunk, the failed one, is missing, and not in part")
    })))

  it.live("a server killed and restarted on the same port is reconnected to, with its data", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "btrdb-restart-sdk-")))
      try {
        const first = yield* Effect.promise(() =>
          import("../../src/server/Server.js").then((m) => m.start({ listen: "127.0.0.1:0", dataDir, log: () => {} }))
        )
        const endpoint = first.endpoint
        yield* Effect.scoped(Effect.gen(function*() {
          // gRPC waits about a second before reconnecting to a server that went away: a patient schedule
          const patient = Retry.policy(Retry.python({ retries: 8, delay: "100 millis", backoff: 2 }))
          const db = yield* BTrDB.make({ endpoint, retry: patient })
          const stream = yield* db.create({ uuid: Uuid.random(), collection: "restart", tags: { name: "r" } })
          yield* stream.insert({ times, values }, { merge: "replace" })
          yield* Effect.promise(() => first.close())

          const down = yield* Effect.flip(db.info.pipe(Retry.withPolicy(Retry.never)))
          assert.strictEqual(down._tag, "ConnectionError")

          const second = yield* EmbeddedServer.make({ listen: endpoint, dataDir, log: () => {} })
          assert.strictEqual(second.endpoint, endpoint)
          const read = yield* stream.valuesCollected({ start: 0n, end: 1n << 40n })
          assert.deepStrictEqual([...read.times], [...times])
          assert.strictEqual((yield* db.info).majorVersion, 5)
        }))
      } finally {
        yield* Effect.promise(() => fs.rm(dataDir, { recursive: true, force: true }))
      }
    }))
})
