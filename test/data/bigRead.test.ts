/**
 * A read of 10 million points through `Stream.values`, consumed as an effect `Stream`, stays in constant memory:
 * the heap grows by less than 100 MB while the pages flow (the points themselves take 160 MB as columns).
 *
 * Memory is `heapUsed + arrayBuffers` (page columns are array buffers). The baseline is taken after a full GC
 * (`gc` is obtained through `v8.setFlagsFromString("--expose-gc")`), then:
 * - the memory layer: the peak sampled at every page, without forcing any GC (what a process really sees), and
 *   what is left after a GC at the end;
 * - gRPC, with 3 million points (enough for many flow-control windows, and quick in CI): the server runs in the
 *   same process, so its garbage shares the heap; there, the memory retained is sampled after a GC every 25 pages
 *   (the 16 MiB flow-control window lets the server run up to about 800 000 points ahead of the reader).
 */
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import v8 from "node:v8"
import { runInNewContext } from "node:vm"
import * as Uuid from "../../src/schema/Uuid.js"
import { EmbeddedServer } from "../../src/server/EmbeddedServer.js"
import { BTrDB, layerMemory } from "../../src/services/BTrDB.js"
import type * as BTrDBStream from "../../src/services/Stream.js"
import { grpcLayer } from "../support/layers.js"

v8.setFlagsFromString("--expose-gc")
const gc: () => void = runInNewContext("gc")

const BASE = 1_500_000_000_000_000_000n
const MB = 1024 * 1024
const BLOCK = 500_000

/** Full GCs, with turns of the event loop between them (array buffers are freed asynchronously). */
const settle = Effect.promise(async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
})

const used = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * Reads every point of `[BASE, BASE + n µs)`, checking order and values, and measures the memory it takes above a
 * baseline taken after a full GC: the peak over every page (after a full GC every `gcEvery` pages, when given), and
 * what is left after a full GC at the end.
 */
const readAll = (stream: BTrDBStream.Stream, n: number, gcEvery?: number) =>
  Effect.gen(function*() {
    yield* settle
    const base = used()
    let peak = base
    let count = 0
    let pages = 0
    const started = performance.now()
    yield* stream.values({ start: BASE, end: BASE + BigInt(n) * 1000n }).pipe(
      EStream.runForEach((page) =>
        Effect.sync(() => {
          const k = page.times.length
          if (k > 0) {
            // spot checks: the first and last point of every page are where they should be
            assert.strictEqual(page.times[0], BASE + BigInt(count) * 1000n)
            assert.strictEqual(page.values[k - 1], count + k - 1)
          }
          count += k
          pages++
          if (gcEvery !== undefined && pages % gcEvery === 0) gc()
          const now = used()
          if (now > peak) peak = now
        })
      )
    )
    const seconds = (performance.now() - started) / 1000
    yield* settle
    return { count, pages, growthMB: (peak - base) / MB, leftMB: (used() - base) / MB, seconds }
  })

const report = (label: string, r: Effect.Success<ReturnType<typeof readAll>>) =>
  console.log(
    `${label}: ${r.pages} pages in ${r.seconds.toFixed(1)} s, heap growth ${r.growthMB.toFixed(1)} MB at the peak, ` +
      `${r.leftMB.toFixed(1)} MB left after a GC`
  )

layer(layerMemory(), { excludeTestServices: true, timeout: "120 seconds" })("a 10-million-point read", (it) => {
  it.effect("streams through values in constant memory (memory layer)", () =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const s = yield* db.create({ uuid: Uuid.random(), collection: "big/read", tags: { name: "ten-million" } })
      const n = 10_000_000
      for (let offset = 0; offset < n; offset += BLOCK) {
        const times = new BigInt64Array(BLOCK)
        const values = new Float64Array(BLOCK)
        for (let i = 0; i < BLOCK; i++) {
          times[i] = BASE + BigInt(offset + i) * 1000n
          values[i] = offset + i
        }
        yield* s.insert({ times, values })
      }
      const result = yield* readAll(s, n)
      report("10M points through values (memory layer)", result)
      assert.strictEqual(result.count, n)
      assert.isBelow(result.growthMB, 100)
      assert.isBelow(result.leftMB, 10)
    }), { timeout: 120_000 })
})

layer(grpcLayer(), { excludeTestServices: true, timeout: "120 seconds" })("a 3-million-point read over gRPC", (it) => {
  it.effect("streams through values in constant memory (gRPC layer)", () =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const server = yield* EmbeddedServer
      const s = yield* db.create({ uuid: Uuid.random(), collection: "big/grpc", tags: { name: "three-million" } })
      const n = 3_000_000
      // straight into the server's engine: the read is what is measured
      for (let offset = 0; offset < n; offset += 100_000) {
        const times = BigInt64Array.from({ length: 100_000 }, (_, i) => BASE + BigInt(offset + i) * 1000n)
        const values = Float64Array.from({ length: 100_000 }, (_, i) => offset + i)
        yield* Effect.promise(() => server.db.data.insert(s.uuid, { times, values }, { policy: "never" }))
      }
      const result = yield* readAll(s, n, 25)
      report("3M points through values (gRPC)", result)
      assert.strictEqual(result.count, n)
      assert.isBelow(result.growthMB, 100)
      assert.isBelow(result.leftMB, 10)
    }), { timeout: 120_000 })
})
