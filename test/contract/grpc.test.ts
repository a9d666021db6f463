import { assert, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as EStream from "effect/Stream"
import * as Uuid from "../../src/schema/Uuid.js"
import { EmbeddedServer } from "../../src/server/EmbeddedServer.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import { grpcLayer, uniquePrefix } from "../support/layers.js"
import { arrowContractSuite } from "./arrow.js"
import { contractSuite } from "./contract.js"
import { dataContractSuite } from "./data.js"
import { distilContractSuite } from "./distil.js"
import { transformersContractSuite } from "./transformers.js"
import { writerContractSuite } from "./writer.js"

contractSuite("gRPC to the embedded server", () => grpcLayer())
dataContractSuite("gRPC to the embedded server", () => grpcLayer())
arrowContractSuite("gRPC to the embedded server", () => grpcLayer())
writerContractSuite("gRPC to the embedded server", () => grpcLayer())
transformersContractSuite("gRPC to the embedded server", () => grpcLayer())
distilContractSuite("gRPC to the embedded server", () => grpcLayer())

/** Waits (up to 3 s) until `check` holds: a cancel reaches the server asynchronously. */
const eventually = (check: () => boolean) =>
  Effect.suspend(() => (check() ? Effect.void : Effect.fail("not yet"))).pipe(
    Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo({ duration: "3 seconds" }))),
    Effect.catch(() => Effect.void)
  )

layer(grpcLayer(), { excludeTestServices: true })("reads over gRPC are cancelled with their stream", (it) => {
  // windows of 1 ns over 100 s: a hundred billion windows, an answer the server can never finish on its own
  const endless = Effect.gen(function*() {
    const db = yield* BTrDB
    const s = yield* db.create({ uuid: Uuid.random(), collection: uniquePrefix("cancel"), tags: { name: "c" } })
    yield* s.insert([[5n, 1]])
    return s.windows({ start: 0n, end: 100_000_000_000n, width: 1n })
  })

  it.effect("taking the first page cancels the call, and the server sees the cancel", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer
      const windows = yield* endless
      const before = server.stats.cancelled
      const first = yield* windows.pipe(EStream.take(1), EStream.runCollect)
      assert.strictEqual(first[0]!.times.length, 5000)
      yield* eventually(() => server.stats.cancelled === before + 1)
      assert.strictEqual(server.stats.cancelled, before + 1)
      yield* eventually(() => server.stats.activeStreams === 0)
      assert.strictEqual(server.stats.activeStreams, 0)
    }))

  it.effect("a parallel read taken in part cancels every one of its calls", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer
      const db = yield* BTrDB
      const s = yield* db.create({ uuid: Uuid.random(), collection: uniquePrefix("cancelpar"), tags: { name: "p" } })
      const n = 200_000
      yield* s.insert({ times: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), values: new Float64Array(n) })
      const first = yield* s.values({ parallel: 4 }).pipe(EStream.take(1), EStream.runCollect)
      assert.strictEqual(first[0]!.times[0], 0n)
      yield* eventually(() => server.stats.activeStreams === 0)
      assert.strictEqual(server.stats.activeStreams, 0)
    }))

  it.effect("interrupting the fiber that consumes a read cancels the call", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer
      const windows = yield* endless
      const before = server.stats.cancelled
      const started = yield* Deferred.make<void>()
      const fiber = yield* windows.pipe(
        EStream.runForEach(() => Effect.andThen(Deferred.succeed(started, undefined), Effect.sleep("20 millis"))),
        Effect.forkChild
      )
      yield* Deferred.await(started)
      assert.strictEqual(server.stats.activeStreams, 1)
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => server.stats.cancelled === before + 1 && server.stats.activeStreams === 0)
      assert.strictEqual(server.stats.cancelled, before + 1)
      assert.strictEqual(server.stats.activeStreams, 0)
    }))
})
