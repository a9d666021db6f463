/**
 * The batching writer under live ingest (`npm run bench:writer`): P producers, each owning S/P streams of simulated
 * 120 Hz samples, offer 100 ms of samples (12 points) per stream at a time, as fast as the writer takes them, for D
 * seconds, against the embedded server over loopback (the `btrdb serve` command in its own process). Every 50th
 * offer of a producer is a `write`, which waits until its points are stored: its offer → stored time is a latency
 * sample. At the end a `flush` makes everything durable.
 *
 *   npx tsx bench/writer.ts [--streams 100] [--producers 10] [--seconds 20] [--samples 12]
 *                           [--batch-points 50000] [--batch-age-ms 100] [--in-flight 8] [--buffer 1000000]
 *
 * Each figure is one JSON line {bench, figure, value, unit}; a table sums them up. Machines here are shared and
 * noisy: take the rates as an order of magnitude.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, Uuid, Writer } from "../src/index.js"
import { serveProcess } from "../test/support/serveProcess.js"
import { numberArg } from "./args.js"
import { STEP, T0 } from "./series.js"

const STREAMS = numberArg("streams", 100)
const PRODUCERS = numberArg("producers", 10)
const SECONDS = numberArg("seconds", 20)
const SAMPLES = numberArg("samples", 12)

interface Figure {
  readonly bench: string
  readonly figure: string
  readonly value: number
  readonly unit: string
}
const figures: Array<Figure> = []
const emit = (figure: string, value: number, unit: string) => {
  const f = { bench: "writer", figure, value: Number(value.toFixed(2)), unit }
  figures.push(f)
  console.log(JSON.stringify(f))
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

const main = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-writer-"))
  const server = await serveProcess(dataDir)
  try {
    const program = Effect.gen(function*() {
      const db = yield* BTrDB.make({ endpoint: server.endpoint })
      const streams = yield* Effect.forEach(
        Array.from({ length: STREAMS }, (_, i) => i),
        (i) => db.create({ uuid: Uuid.random(), collection: "bench/writer", tags: { name: `s${i}` } }),
        { concurrency: 8 }
      )
      const writer = yield* Writer.make({
        merge: "replace",
        maxBatchPoints: numberArg("batch-points", 50_000),
        maxBatchAge: Duration.millis(numberArg("batch-age-ms", 100)),
        maxInFlight: numberArg("in-flight", 8),
        maxBufferedPoints: numberArg("buffer", 1_000_000)
      }).pipe(Effect.provideService(BTrDB.BTrDB, db))
      const latencies: Array<number> = []
      let offered = 0
      const offeredTo = new Map<string, number>()
      let mostBuffered = 0
      const start = yield* Clock.currentTimeMillis
      const deadline = start + SECONDS * 1000

      // the figures while running: the most points the writer held
      const sampler = yield* Effect.forkChild(Effect.forever(Effect.andThen(
        Effect.map(writer.stats, (s) => {
          mostBuffered = Math.max(mostBuffered, s.bufferedPoints)
        }),
        Effect.sleep("50 millis")
      )))

      const producer = (p: number) =>
        Effect.gen(function*() {
          const mine = streams.filter((_, i) => i % PRODUCERS === p)
          const pending: Array<Fiber.Fiber<void, Writer.WriteErrors>> = []
          let offers = 0
          for (let tick = 0; (yield* Clock.currentTimeMillis) < deadline; tick++) {
            for (const stream of mine) {
              const times = new BigInt64Array(SAMPLES)
              const values = new Float64Array(SAMPLES)
              for (let k = 0; k < SAMPLES; k++) {
                const i = tick * SAMPLES + k
                times[k] = T0 + BigInt(i) * STEP
                values[k] = 230 + Math.sin(i / 120)
              }
              if (++offers % 50 === 0) {
                const t = performance.now()
                pending.push(
                  yield* Effect.forkChild(
                    Effect.andThen(
                      writer.write(stream, { times, values }),
                      Effect.sync(() => {
                        latencies.push(performance.now() - t)
                      })
                    ),
                    { startImmediately: true }
                  )
                )
              } else {
                yield* writer.offer(stream, { times, values })
              }
              offered += SAMPLES
              offeredTo.set(stream.uuid, (offeredTo.get(stream.uuid) ?? 0) + SAMPLES)
            }
          }
          yield* Fiber.joinAll(pending)
        })

      yield* Effect.forEach(Array.from({ length: PRODUCERS }, (_, p) => p), producer, {
        concurrency: "unbounded",
        discard: true
      })
      const stopped = yield* Clock.currentTimeMillis
      const storedWhileRunning = (yield* writer.stats).pointsWritten
      yield* writer.flush
      const flushed = yield* Clock.currentTimeMillis
      yield* Fiber.interrupt(sampler)
      const stats = yield* writer.stats
      if (stats.pointsWritten !== offered) throw new Error(`offered ${offered} points, stored ${stats.pointsWritten}`)
      // a check of what the server holds: one stream's count
      const one = yield* streams[0]!.count({ precise: true })
      const want = offeredTo.get(streams[0]!.uuid) ?? 0
      if (Number(one) !== want) throw new Error(`stream 0 holds ${one} points, not ${want}`)
      const perStream = offered / STREAMS

      latencies.sort((a, b) => a - b)
      emit("streams", STREAMS, "streams")
      emit("producers", PRODUCERS, "fibers")
      emit("points offered", offered, "points")
      emit("sustained rate (stored while offering)", storedWhileRunning / ((stopped - start) / 1000), "points/s")
      emit("rate to durable (offered / time to final flush)", offered / ((flushed - start) / 1000), "points/s")
      emit("samples per stream per second of wall time", perStream / ((flushed - start) / 1000), "Hz")
      emit("batches", stats.batchesWritten, "batches")
      emit("mean batch", stats.pointsWritten / stats.batchesWritten, "points")
      emit("latency offer → stored p50", percentile(latencies, 50), "ms")
      emit("latency offer → stored p90", percentile(latencies, 90), "ms")
      emit("latency offer → stored p99", percentile(latencies, 99), "ms")
      emit("latency offer → stored max", latencies[latencies.length - 1] ?? NaN, "ms")
      emit("latency samples", latencies.length, "writes")
      emit("final flush", flushed - stopped, "ms")
      emit("most points held", mostBuffered, "points")
      emit("retries", stats.retries, "attempts")
      emit("client rss at end", process.memoryUsage().rss / 2 ** 20, "MiB")
    }).pipe(Effect.scoped)
    await Effect.runPromise(program)
    console.log()
    console.table(figures.map(({ figure, unit, value }) => ({ figure, value, unit })))
  } finally {
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.once("exit", resolve))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
