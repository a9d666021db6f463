/**
 * The copy benchmark (`npm run bench:copy`): K streams (default 12) of N points each (default 1 M, at 120 Hz with
 * random values) on one embedded server, copied with `Copy.copyStreams` to a second, empty embedded server (both in
 * this process, on 127.0.0.1, over real gRPC), `--concurrency C` streams at a time (default 4); then the same copy
 * run again, which finds every point already there and only verifies.
 *
 * Figures: reading every source stream's pages alone (the baseline), the copy (read, insert with merge policy
 * retain, verify) in points and megabytes per second, and the second run's time. The servers and the client share
 * this process, so on a 2-core machine they share its cores.
 *
 *   npx tsx bench/copy.ts [--points N] [--streams K] [--concurrency C]
 *
 * Each figure is one JSON line {bench, figure, value, unit, vs, ratio}; a table sums them up.
 */
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import { BTrDB, Copy, Uuid } from "../src/index.js"
import * as EmbeddedServer from "../src/server/EmbeddedServer.js"
import { numberArg } from "./args.js"
import { emit, round, runBench } from "./figures.js"
import { STEP, T0 } from "./series.js"

const N = numberArg("points", 1_000_000)
const K = numberArg("streams", 12)
const C = numberArg("concurrency", 4)
const CHUNK = 250_000

const seconds = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = performance.now()
    const value = yield* effect
    return { value, seconds: (performance.now() - started) / 1000 }
  })

const program = Effect.gen(function*() {
  const a = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", log: () => {} })
  const b = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", log: () => {} })
  const from = yield* BTrDB.make({ endpoint: a.endpoint })
  const to = yield* BTrDB.make({ endpoint: b.endpoint })

  for (let k = 0; k < K; k++) {
    const s = yield* from.create({ uuid: Uuid.random(), collection: "bench/copy", tags: { name: `s${k}` } })
    for (let at = 0; at < N; at += CHUNK) {
      const n = Math.min(CHUNK, N - at)
      yield* s.insert({
        times: BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(at + i) * STEP),
        values: Float64Array.from({ length: n }, () => Math.random() * 1000)
      })
    }
  }
  const total = K * N
  const rate = (s: number) => round(total / s / 1e6, 2)

  const set = yield* from.streamsInCollection("bench/copy")
  const read = yield* seconds(
    Effect.forEach(set.streams, (s) => EStream.runDrain(s.values()), { concurrency: C, discard: true })
  )
  emit({ bench: "copy", figure: "read every source page (baseline)", value: rate(read.seconds), unit: "M points/s" })

  const copy = yield* seconds(Copy.copyStreams({ from, to, collection: "bench/copy", concurrency: C }))
  const differing = copy.value.filter((r) => r.verdict !== "same").length
  if (differing > 0) return yield* Effect.die(`${differing} streams differ after the copy`)
  emit({
    bench: "copy",
    figure: `copyStreams, concurrency ${C} (read, insert, verify)`,
    value: rate(copy.seconds),
    unit: "M points/s",
    vs: "read every source page (baseline)",
    ratio: round(read.seconds / copy.seconds, 3)
  })
  emit({ bench: "copy", figure: "copy bytes", value: round(total * 16 / copy.seconds / 1e6, 1), unit: "MB/s" })

  const again = yield* seconds(Copy.copyStreams({ from, to, collection: "bench/copy", concurrency: C }))
  emit({ bench: "copy", figure: "run again (nothing to copy, verify)", value: round(again.seconds, 2), unit: "s" })
}).pipe(Effect.scoped)

const main = async () => {
  console.log(
    `copy of ${K} streams × ${N} points (${K * N} points) between two embedded servers in one process, ` +
      `Node ${process.version}`
  )
  await Effect.runPromise(program)
}

runBench(main)
