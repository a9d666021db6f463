/**
 * The SDK against the official Python client (btrdb), side by side on one server in one run: each inserts the
 * same N points at 120 Hz into a stream of its own (the SDK from columns, the Python client from its list of
 * (time, value) pairs, each built before the clock starts), then reads them back (`values`) `--reads` times; the
 * two clients in turn, `--runs` times; each figure the best. First `--warmups` untimed runs of each (default 3):
 * the SDK's process, like any long-lived Node service, reaches its steady speed once V8 has compiled its paths,
 * and so does the server's, for both clients: in a fresh process the reads of 2 M points ran at 5-8, then 10-17,
 * then 25-35 M points/s over about ten reads, the server's inserts of 2 M at 3, then 5-6, then 6-8.5 M points/s
 * over eight (bench/README.md). Each Python run is a process of its own, and Python compiles nothing as it runs.
 * Each of the SDK's runs follows a Python run, some ten seconds in which the SDK's process is idle and the server
 * nearly so: V8 then judges both slow allocators and lets their heaps grow little past their live size, which costs
 * the next burst extra full collections (the server's own `serve` process fixes its growth, `src/cli/serverHeap.ts`;
 * the SDK's process keeps V8's defaults, as a user's does).
 * The server is the compiled `btrdb serve` in a process of its own (`npm run bench:python` builds).
 *
 *   PYTHONPATH=<dir holding the btrdb package> npm run bench:python -- [--points 2000000] [--runs 3] [--reads 3]
 *     [--warmups 3]
 *
 * The Python client is not part of this repository; its side is `bench/python/client.py`, run with `python3` (or
 * `$PYTHON`). Prints one JSON line per figure and a table; exits 1 when the Python client cannot be imported.
 *
 * The SDK's columns are built once, before the first run, and every run inserts them into a new stream: nothing
 * of the bench's own is left to collect, and no collection is forced. A forced one (`gc()`) leaves V8 collecting
 * its old space every few tens of milliseconds while external memory (the pages' buffers) is allocated, for the
 * rest of the process: 43 mark-compacts against 2 in 16 reads of 2 M points, the reads at 15 M points/s
 * against 27 (bench/README.md); no user's process pays that.
 */
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import type { BTrDB as Sdk } from "../src/index.js"
import { serveProcess } from "../test/support/serveProcess.js"
import { numberArg } from "./args.js"
import { BTrDB, Uuid } from "./compiled.js"
import { emit, round, runBench } from "./figures.js"
import { series, STEP, T0 } from "./series.js"

const run = promisify(execFile)
const N = numberArg("points", 2_000_000)
const RUNS = numberArg("runs", 3)
const READS = numberArg("reads", 3)
const WARMUPS = numberArg("warmups", 3)
const PYTHON = process.env["PYTHON"] ?? "python3"

interface PythonRun {
  readonly client: string
  readonly insertSeconds: number
  readonly valuesSeconds: number
}

/** One run of the Python client's side: insert N points into a new stream, then read them back READS times. */
const pythonRun = async (endpoint: string): Promise<PythonRun> => {
  const { stdout } = await run(PYTHON, ["bench/python/client.py", endpoint, String(N), Uuid.random(), String(READS)], {
    maxBuffer: 1 << 20
  })
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as PythonRun
}

/**
 * One run of the SDK's side, the same: insert the N points of `data` (columns) into a new stream, then `values`
 * READS times.
 */
const sdkRun = (db: Sdk.Service, data: { readonly times: BigInt64Array; readonly values: Float64Array }) =>
  Effect.gen(function*() {
    const uuid = Uuid.random()
    const stream = yield* db.create({ uuid, collection: "bench/sdk", tags: { name: uuid.slice(0, 8) } })
    let started = performance.now()
    yield* stream.insert(data)
    const insertSeconds = (performance.now() - started) / 1000
    let valuesSeconds = Infinity
    for (let r = 0; r < READS; r++) {
      started = performance.now()
      const read = yield* EStream.runFold(
        stream.values({ start: T0, end: T0 + BigInt(N) * STEP }),
        () => 0,
        (n, page) => n + page.times.length
      )
      valuesSeconds = Math.min(valuesSeconds, (performance.now() - started) / 1000)
      if (read !== N) throw new Error(`read ${read} points of ${N}`)
    }
    return { insertSeconds, valuesSeconds }
  })

const main = async () => {
  try {
    await run(PYTHON, ["-c", "import btrdb"])
  } catch {
    throw new Error(
      `${PYTHON} cannot import the Python client (btrdb): install it, or put the directory holding its btrdb ` +
        "package on PYTHONPATH"
    )
  }
  const data = series(0, N)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-python-"))
  const server = await serveProcess(dataDir, { built: true })
  try {
    const best = { pyInsert: Infinity, pyValues: Infinity, sdkInsert: Infinity, sdkValues: Infinity }
    let client = ""
    await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const db = yield* BTrDB.make({ endpoint: server.endpoint })
      for (let w = 0; w < WARMUPS; w++) {
        yield* Effect.promise(() => pythonRun(server.endpoint))
        yield* sdkRun(db, data)
      }
      for (let r = 0; r < RUNS; r++) {
        const py = yield* Effect.promise(() => pythonRun(server.endpoint))
        client = py.client
        best.pyInsert = Math.min(best.pyInsert, py.insertSeconds)
        best.pyValues = Math.min(best.pyValues, py.valuesSeconds)
        const sdk = yield* sdkRun(db, data)
        best.sdkInsert = Math.min(best.sdkInsert, sdk.insertSeconds)
        best.sdkValues = Math.min(best.sdkValues, sdk.valuesSeconds)
      }
    })))
    const rate = (seconds: number) => round(N / seconds / 1e6)
    const python = `Python client btrdb ${client}`
    for (
      const [what, sdkFigure, pySeconds, sdkSeconds] of [
        ["values", "SDK: values", best.pyValues, best.sdkValues],
        ["insert", "SDK: insert from columns", best.pyInsert, best.sdkInsert]
      ] as const
    ) {
      emit({ bench: "python", figure: `${python}: ${what}`, value: rate(pySeconds), unit: "M points/s" })
      emit({
        bench: "python",
        figure: sdkFigure,
        value: rate(sdkSeconds),
        unit: "M points/s",
        vs: `${python}: ${what}`,
        ratio: round(pySeconds / sdkSeconds, 1)
      })
    }
    console.log(
      `\n${
        N.toLocaleString("en")
      } points, ${WARMUPS} untimed and ${RUNS} timed runs of ${READS} reads, ${os.cpus().length} cores, load average ${
        os.loadavg().map((l) => l.toFixed(2)).join(" ")
      }`
    )
  } finally {
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.on("exit", resolve))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

runBench(main, "SDK ÷ Python")
