/**
 * The SDK benchmark suite (`npm run bench`): against the embedded server over loopback (the `btrdb serve` command
 * in its own process), with the same stream of N points (default 10 M), side by side in one run:
 *
 * - `values` read through the SDK's fast path (hand codecs, columnar pages);
 * - the same read through proto-loader's generic decoding (an object per point; kept here only as the baseline);
 * - a client that only counts the bytes, on a channel with the same options (the limit of the transport);
 * - `arrowValues`, the same points as one apache-arrow Table;
 * - `insert` of the N points from columns, end to end, and the in-process encode rate of InsertParams;
 * - memory retained per point of a collected read.
 *
 *   npx tsx bench/sdk.ts [--points N]
 *
 * Each figure is one JSON line {bench, figure, value, unit, vs, ratio}; a table sums them up. Machines here are
 * shared and noisy: compare the ratios, measured in the same run, rather than the absolute rates.
 */
import * as grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { BTrDB, Uuid } from "../src/index.js"
import { encodeInsertParams, MergePolicyCode } from "../src/internal/grpc/codecs/index.js"
import { CHANNEL_OPTIONS } from "../src/internal/grpc/Connection.js"
import { loadServiceClient, loadServiceDefinition } from "../src/internal/grpc/proto.js"
import { serveProcess } from "../test/support/serveProcess.js"
import { emit, figures, round } from "./figures.js"
import { compareRatio, PREVIOUS, previousFigures } from "./previous.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const N = arg("points", 10_000_000)
/** The name of the SDK's `values` figure in bench/README.md's tables. */
const FAST = "values (SDK fast path)"
const T0 = 1_600_000_000_000_000_000n
const STEP = 8_333_333n

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

const columns = (from: number, count: number) => {
  const times = new BigInt64Array(count)
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    times[i] = T0 + BigInt(from + i) * STEP
    values[i] = Math.sin((from + i) / 1000)
  }
  return { times, values }
}

/** Best of `runs` timings of the synchronous `f`, in seconds. */
const best = (runs: number, f: () => void): number => {
  let min = Infinity
  for (let r = 0; r < runs; r++) {
    const t = performance.now()
    f()
    min = Math.min(min, (performance.now() - t) / 1000)
  }
  return min
}

/** Reads the whole stream with a plain grpc-js client and the given response deserializer; returns what it counts. */
const rawRead = (endpoint: string, uuid: string, deserialize: (b: Buffer) => unknown, count: (m: any) => number) =>
  new Promise<number>((resolve, reject) => {
    const Client = loadServiceClient()
    const client = new Client(endpoint, grpc.credentials.createInsecure(), CHANNEL_OPTIONS)
    const m = loadServiceDefinition()["RawValues"]!
    const call = client.makeServerStreamRequest(m.path, m.requestSerialize, deserialize, {
      uuid: Buffer.from(uuid.replaceAll("-", ""), "hex"),
      start: T0.toString(),
      end: (T0 + BigInt(N) * STEP).toString()
    }, new grpc.Metadata())
    let n = 0
    call.on("data", (message) => (n += count(message)))
    call.on("error", reject)
    call.on("end", () => {
      client.close()
      resolve(n)
    })
  })

/** Full GCs with turns of the event loop between them: array buffers are freed after the GC that finds them. */
const settle = Effect.promise(async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
})

/** Seconds `effect` takes, best of `runs`. */
const timed = <A, E>(runs: number, effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    let min = Infinity
    let result: A | undefined
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      result = yield* effect
      min = Math.min(min, (performance.now() - t) / 1000)
    }
    return { seconds: min, result: result as A }
  })

/** In-process encode rate of InsertParams from columns, chunks of 50 000 points, points per second. */
const encodeRate = () => {
  const { times, values } = columns(0, 1_000_000)
  const uuid = new Uint8Array(16)
  let bytes = 0
  const seconds = best(5, () => {
    for (let offset = 0; offset < times.length; offset += 50_000) {
      bytes += encodeInsertParams({
        uuid,
        sync: false,
        times,
        values,
        mergePolicy: MergePolicyCode.NEVER,
        offset,
        length: 50_000
      }).length
    }
  })
  if (bytes === 0) throw new Error("nothing encoded")
  return times.length / seconds
}

const main = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-"))
  const server = await serveProcess(dataDir)
  const range = { start: T0, end: T0 + BigInt(N) * STEP }
  try {
    const program = Effect.gen(function*() {
      const db = yield* BTrDB.make({ endpoint: server.endpoint })
      const stream = yield* db.create({ uuid: Uuid.random(), collection: "bench", tags: { name: "sdk" } })
      const data = columns(0, N)

      const insert = yield* timed(1, stream.insert(data))
      const fast = yield* timed(3, EStream.runFold(stream.values(range), () => 0, (n, p) => n + p.times.length))
      if (fast.result !== N) throw new Error(`the fast path read ${fast.result} points`)
      const parallel = yield* timed(
        3,
        EStream.runFold(stream.values({ ...range, parallel: 4 }), () => 0, (n, p) => n + p.times.length)
      )
      if (parallel.result !== N) throw new Error(`the parallel read read ${parallel.result} points`)
      const m = loadServiceDefinition()["RawValues"]!
      const generic = yield* timed(
        1,
        Effect.promise(() => rawRead(server.endpoint, stream.uuid, m.responseDeserialize, (msg) => msg.values.length))
      )
      if (generic.result !== N) throw new Error(`the generic path read ${generic.result} points`)
      const arrowValues = yield* timed(2, stream.arrowValues(range))
      if (arrowValues.result.numRows !== N) throw new Error(`arrowValues read ${arrowValues.result.numRows} rows`)
      const bytesOnly = yield* timed(
        3,
        Effect.promise(() => rawRead(server.endpoint, stream.uuid, (b) => b, (b: Buffer) => b.length))
      )

      yield* settle
      const before = process.memoryUsage()
      const collected = yield* stream.valuesCollected(range)
      yield* settle
      const after = process.memoryUsage()
      const retained = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) /
        collected.times.length
      return {
        insert: insert.seconds,
        fast: fast.seconds,
        parallel: parallel.seconds,
        generic: generic.seconds,
        bytesOnly: bytesOnly.seconds,
        arrow: arrowValues.seconds,
        retained
      }
    })
    const r = await Effect.runPromise(Effect.scoped(program))
    const encode = encodeRate()

    const fastRate = N / r.fast
    const genericRate = N / r.generic
    const limitRate = N / r.bytesOnly
    emit({ bench: "read", figure: "values (SDK fast path)", value: round(fastRate / 1e6), unit: "M points/s" })
    emit({
      bench: "read",
      figure: "values with 4 calls at once (parallel: 4)",
      value: round(N / r.parallel / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round((N / r.parallel) / fastRate)
    })
    emit({
      bench: "read",
      figure: "proto-loader generic decoding",
      value: round(genericRate / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round(fastRate / genericRate)
    })
    emit({
      bench: "read",
      figure: "bytes-only client (the limit)",
      value: round(limitRate / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round(fastRate / limitRate)
    })
    emit({
      bench: "read",
      figure: "arrowValues (one Table)",
      value: round(N / r.arrow / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round((N / r.arrow) / fastRate)
    })
    emit({
      bench: "insert",
      figure: "insert from columns, end to end",
      value: round(N / r.insert / 1e6),
      unit: "M points/s",
      vs: "target 2 M points/s",
      ratio: round(N / r.insert / 2e6)
    })
    emit({
      bench: "insert",
      figure: "InsertParams encode, in-process",
      value: round(encode / 1e6),
      unit: "M points/s",
      vs: "target 50 M points/s",
      ratio: round(encode / 50e6)
    })
    emit({
      bench: "memory",
      figure: "retained per point of a collected read",
      value: round(r.retained, 1),
      unit: "bytes/point",
      vs: "target 20 bytes/point",
      ratio: round(r.retained / 20)
    })

    console.log(
      `\n${N.toLocaleString("en")} points, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores\n`
    )
    console.log("| figure | value | vs | ratio |\n|---|---|---|---|")
    for (const f of figures) console.log(`| ${f.figure} | ${f.value} ${f.unit} | ${f.vs ?? ""} | ${f.ratio ?? ""} |`)

    // ratio to ratio against the previous release's run recorded in bench/README.md
    const previous = previousFigures()
    const arrowRate = N / r.arrow
    const insertRate = N / r.insert
    console.log(`\nagainst ${PREVIOUS.release} (${PREVIOUS.section.replace("### ", "")}, bench/README.md):`)
    for (
      const [label, now, numerator, denominator] of [
        ["values ÷ bytes-only client", fastRate / limitRate, FAST, "bytes-only client (the limit)"],
        ["values ÷ generic decoding", fastRate / genericRate, FAST, "proto-loader generic decoding"],
        ["arrowValues ÷ values", arrowRate / fastRate, "arrowValues (one Table)", FAST],
        ["insert ÷ values", insertRate / fastRate, "insert from columns, end to end", FAST],
        ["InsertParams encode ÷ values", encode / fastRate, "InsertParams encode, in-process", FAST]
      ] as const
    ) console.log(`- ${compareRatio(previous, label, now, numerator, denominator)}`)
  } finally {
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.on("exit", resolve))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

void main()
