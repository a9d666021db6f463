/**
 * The columns the server decodes Insert requests into are reused once each write has run (`InsertColumns`): a
 * buffer comes back only when given back, at most `keep` are held, and every point stored is the point sent while
 * the inserts into several streams at once reuse them. Real gRPC on loopback, against the embedded server.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Uuid from "../../src/schema/Uuid.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { INSERT_COLUMNS_POINTS, InsertColumns } from "../../src/server/insertColumns.js"
import { BTrDB } from "../../src/services/BTrDB.js"

describe("InsertColumns", () => {
  it("lends columns of the count asked, reusing a buffer given back, and keeps at most `keep`", () => {
    const columns = new InsertColumns(2, 100)
    const a = columns.lend(100)
    const b = columns.lend(40)
    assert.strictEqual(a.times.length, 100)
    assert.strictEqual(b.values.length, 40)
    assert.notStrictEqual(a.times.buffer, b.times.buffer, "columns lent together have buffers of their own")
    assert.strictEqual(a.times.buffer, a.values.buffer, "a request's two columns share one buffer")
    assert.strictEqual(columns.spareCount, 0)

    columns.giveBack(b.times)
    columns.giveBack(b.times)
    assert.strictEqual(columns.spareCount, 1, "a buffer given back twice is held once")
    assert.strictEqual(columns.lend(7).times.buffer, b.times.buffer, "the buffer given back is lent again")

    columns.giveBack(a.times)
    columns.giveBack(columns.lend(100).times)
    columns.giveBack(new InsertColumns(2, 100).lend(1).times)
    columns.giveBack(new InsertColumns(2, 100).lend(1).times)
    assert.strictEqual(columns.spareCount, 2, "no more than `keep` held")

    const big = columns.lend(101)
    assert.strictEqual(big.times.length, 101, "more points than a buffer holds: new columns")
    assert.notStrictEqual(big.times.buffer, big.values.buffer)
    columns.giveBack(BigInt64Array.of(1n))
    assert.strictEqual(columns.spareCount, 2, "a buffer of another size is not held")
  })

  it.live("inserts into several streams at once through reused columns: every point stored is the point sent", () =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const streams = 3
      const points = 4 * INSERT_COLUMNS_POINTS + 1_234
      // stream s holds the times 0 … points - 1, the value of time t being s * 1e7 + t
      const created = yield* Effect.forEach(
        Array.from({ length: streams }, (_, s) => s),
        (s) => db.create({ uuid: Uuid.random(), collection: "reuse/columns", tags: { name: `s${s}` } })
      )
      yield* Effect.forEach(created, (stream, s) => {
        const times = BigInt64Array.from({ length: points }, (_, i) => BigInt(i))
        const values = Float64Array.from({ length: points }, (_, i) => s * 1e7 + i)
        return stream.insert({ times, values })
      }, { concurrency: "unbounded" })

      for (const [s, stream] of created.entries()) {
        const pages = yield* Stream.runCollect(stream.values({ start: 0n, end: BigInt(points) }))
        let n = 0
        for (const page of pages) {
          for (let i = 0; i < page.times.length; i++, n++) {
            if (page.times[i] !== BigInt(n) || page.values[i] !== s * 1e7 + n) {
              assert.fail(`stream ${s}, point ${n}: (${page.times[i]}, ${page.values[i]})`)
            }
          }
        }
        assert.strictEqual(n, points)
      }
    }).pipe(Effect.provide(EmbeddedServer.layerWithClient())))
})
