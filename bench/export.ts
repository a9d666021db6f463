/**
 * The export benchmark (`npm run bench:export`): a set of K streams (default 12) of N points each (default 1 M, all
 * at 120 Hz) in the memory layer, read through the StreamSet transformers, each in constant memory:
 *
 * - the streams' pages read and dropped (the cost of reading alone, the baseline);
 * - `toArrowBatches`: aligned Arrow record batches;
 * - `toArrowIpc`: the same as Arrow IPC stream bytes;
 * - `toCsvStream`: CSV text;
 * - `toCsvFile`: CSV written to a temporary file (removed);
 *
 * in points per second (K · N points over the better of two runs' time), and the most heap retained while streaming
 * (after a full collection, every 25 chunks of a third run) beyond the stored points: constant, whatever K · N.
 *
 *   npx tsx bench/export.ts [--points N] [--streams K]
 *
 * Each figure is one JSON line {bench, figure, value, unit, vs, ratio}; a table sums them up. Machines here are
 * shared and noisy: compare the ratios, measured in the same run, rather than the absolute rates.
 */
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, StreamSet, Uuid } from "../src/index.js"
import { numberArg } from "./args.js"
import { emit, round, runBench } from "./figures.js"
import { gc } from "./gc.js"
import { STEP, T0 } from "./series.js"

const N = numberArg("points", 1_000_000)
const K = numberArg("streams", 12)
const CHUNK = 250_000

/** The heap in use after a full collection: what is retained. */
const retained = () => {
  gc()
  return process.memoryUsage().heapUsed
}

let sampling = false
let peakHeap = 0
let chunks = 0
/** While sampling, every 25th chunk, the heap retained at that moment. */
const sampleHeap = () => {
  if (sampling && ++chunks % 25 === 0) peakHeap = Math.max(peakHeap, retained())
}

/**
 * Runs `effect` twice and gives the shorter time in seconds; then once more, sampling the heap, for the most heap
 * retained meanwhile beyond what was retained before (the stored points).
 */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    let seconds = Infinity
    let value: A | undefined
    for (let run = 0; run < 2; run++) {
      const t0 = performance.now()
      value = yield* effect
      seconds = Math.min(seconds, (performance.now() - t0) / 1000)
    }
    const before = retained()
    peakHeap = before
    sampling = true
    yield* effect
    sampling = false
    return { seconds, value: value!, heap: peakHeap - before }
  })

const program = Effect.gen(function*() {
  const db = yield* BTrDB.BTrDB
  const streams = []
  for (let j = 0; j < K; j++) {
    const s = yield* db.create({ uuid: Uuid.random(), collection: "bench/export", tags: { name: `S${j}` } })
    for (let from = 0; from < N; from += CHUNK) {
      const count = Math.min(CHUNK, N - from)
      const times = new BigInt64Array(count)
      const values = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        times[i] = T0 + BigInt(from + i) * STEP
        values[i] = 230 + j + Math.sin((from + i) / 100)
      }
      yield* s.insert({ times, values })
    }
    streams.push(s)
  }
  const set = StreamSet.make(streams)
  const total = K * N
  const rate = (seconds: number) => round(total / seconds / 1e6, 3)

  const read = yield* timed(
    Effect.forEach(streams, (s) => EStream.runForEach(s.values(), () => Effect.sync(sampleHeap)), { concurrency: 4 })
  )
  emit({ bench: "read", figure: "pages read and dropped", value: rate(read.seconds), unit: "M points/s" })

  const rows = yield* timed(EStream.runFold(set.toArrowBatches(), () => 0, (n, batch) => {
    sampleHeap()
    return n + batch.numRows
  }))
  if (rows.value !== N) throw new Error(`expected ${N} rows, got ${rows.value}`)
  const versus = (seconds: number) => ({ vs: "read", ratio: round(read.seconds / seconds, 3) })
  emit({
    bench: "arrow",
    figure: "toArrowBatches",
    value: rate(rows.seconds),
    unit: "M points/s",
    ...versus(rows.seconds)
  })
  emit({ bench: "arrow", figure: "heap retained while streaming", value: round(rows.heap / 2 ** 20, 1), unit: "MiB" })

  const ipc = yield* timed(EStream.runFold(set.toArrowIpc(), () => 0, (n, bytes) => {
    sampleHeap()
    return n + bytes.length
  }))
  emit({ bench: "arrow", figure: "toArrowIpc", value: rate(ipc.seconds), unit: "M points/s", ...versus(ipc.seconds) })
  emit({ bench: "arrow", figure: "IPC bytes", value: round(ipc.value / 2 ** 20, 1), unit: "MiB" })

  const csv = yield* timed(EStream.runFold(set.toCsvStream(), () => 0, (n, text) => {
    sampleHeap()
    return n + text.length
  }))
  emit({ bench: "csv", figure: "toCsvStream", value: rate(csv.seconds), unit: "M points/s", ...versus(csv.seconds) })
  emit({ bench: "csv", figure: "CSV text", value: round(csv.value / 2 ** 20, 1), unit: "MiB" })
  emit({ bench: "csv", figure: "heap retained while streaming", value: round(csv.heap / 2 ** 20, 1), unit: "MiB" })

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-export-"))
  try {
    const file = yield* timed(set.toCsvFile(path.join(dir, "export.csv")))
    emit({ bench: "csv", figure: "toCsvFile", value: rate(file.seconds), unit: "M points/s", ...versus(file.seconds) })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

const main = async () => {
  console.log(`export of ${K} streams × ${N} points (${K * N} points), memory layer, Node ${process.version}`)
  await Effect.runPromise(program.pipe(Effect.provide(BTrDB.layerMemory())))
}

runBench(main)
