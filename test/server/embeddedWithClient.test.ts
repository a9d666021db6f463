/**
 * EmbeddedServer.layerWithClient: one layer that starts a server and provides a BTrDB client connected to it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Uuid from "../../src/schema/Uuid.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { BTrDB } from "../../src/services/BTrDB.js"

describe("EmbeddedServer.layerWithClient", () => {
  it.effect("provides a client of the server it started, with the server's API key", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer.EmbeddedServer
      const db = yield* BTrDB
      assert.strictEqual(db.endpoint, server.endpoint)
      assert.match(server.endpoint, /^127\.0\.0\.1:\d+$/)
      const stream = yield* db.create({ uuid: Uuid.random(), collection: "embedded/site", tags: { name: "v" } })
      yield* stream.insert({ times: BigInt64Array.of(1n, 2n, 3n), values: Float64Array.of(2, 4, 9) })
      const w = yield* stream.windowsCollected({ start: 0n, end: 4n, width: 4n })
      assert.deepStrictEqual([w.min[0], w.mean[0], w.max[0], w.count[0]], [2, 5, 9, 3n])
      // the server holds the points: read straight from its engine
      const engineCount = server.db.data.rawValues(stream.uuid, 0n, 4n, 0n)
      assert.strictEqual([...engineCount.pages].reduce((n, p) => n + p.times.length, 0), 3)
    }).pipe(Effect.provide(EmbeddedServer.layerWithClient({ apiKey: "secret" }))))

  it.effect("fails with ServerStartError when the server cannot start", () =>
    Effect.gen(function*() {
      const first = yield* EmbeddedServer.make({ listen: "127.0.0.1:0" })
      const error = yield* Effect.flip(Layer.build(EmbeddedServer.layerWithClient({ listen: first.endpoint })))
      assert.strictEqual(error._tag, "ServerStartError")
      assert.include(error.message, first.endpoint)
    }))
})
