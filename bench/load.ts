/**
 * Load: N clients, each on its own gRPC channel, insert into their own streams while readers run windows queries;
 * afterwards every stream must hold exactly what was acknowledged. Then the readers run alone for as long, on the
 * full streams, so that their latency under the load is set beside their latency without it. Three processes: the
 * server (the `btrdb serve` command, so its memory and CPU are measured apart), the writing clients (this one), and
 * the readers (this script again, with `--readers-of`), as a dashboard would read apart from the ingest.
 *
 *   npx tsx bench/load.ts [--clients 20] [--points 1000000] [--readers 4] [--batch 50000]
 *
 * Prints one JSON line per figure and a summary table; exits non-zero if anything acknowledged is missing.
 */
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, Uuid } from "../src/index.js"
import { serveProcess } from "../test/support/serveProcess.js"
import { numberArg } from "./args.js"
import { STEP, T0 } from "./series.js"

const CLIENTS = numberArg("clients", 20)
const POINTS = numberArg("points", 1_000_000)
const READERS = numberArg("readers", 4)
const BATCH = numberArg("batch", 50_000)

const emit = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ bench: "load", figure, value, unit, ...extra }))

/** The resident set size of a process, in MB, from /proc. */
const rssMB = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

/** The CPU time a process has used so far, in seconds, from /proc (utime + stime, in clock ticks of 1/100 s). */
const cpuSeconds = (pid: number): number => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The median and 99th percentile of `ms`, rounded to 0.1 ms. */
const percentiles = (ms: ReadonlyArray<number>) => {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1))
  return { p50: at(0.5), p99: at(0.99) }
}

/** The points client c inserts: times on a 120 Hz grid, values a function of (c, i) so they can be checked. */
const batchOf = (c: number, from: number, count: number) => {
  const times = new BigInt64Array(count)
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    times[i] = T0 + BigInt(from + i) * STEP
    values[i] = c * 1000 + ((from + i) % 1000)
  }
  return { times, values }
}

/** Each windows query's latency in ms: while the writers run, then alone. */
interface Latencies {
  readonly loaded: Array<number>
  readonly alone: Array<number>
}

/**
 * The readers' process: READERS readers, each on its own channel, query the streams `uuids` round and round; the
 * line "ready" on stdout says they are connected, "alone" on stdin starts the second phase, "stop" ends it, and
 * the latencies are printed as one JSON line.
 */
const readersOf = async (endpoint: string, uuids: ReadonlyArray<string>) => {
  const latencies: Latencies = { loaded: [], alone: [] }
  let phase: keyof Latencies = "loaded"
  let done = false
  process.stdin.setEncoding("utf8").on("data", (text: string) => {
    if (text.includes("alone")) phase = "alone"
    if (text.includes("stop")) done = true
  })
  const reader = (db: BTrDB.Service, r: number) =>
    Effect.gen(function*() {
      let k = r
      while (!done) {
        const stream = yield* db.streamFromUuid(uuids[k++ % uuids.length]!)
        const t = performance.now()
        yield* stream.windowsCollected({ start: T0, end: T0 + BigInt(POINTS) * STEP, width: 60_000_000_000n })
        const t1 = performance.now()
        yield* stream.alignedWindowsCollected({ start: T0, end: T0 + BigInt(POINTS) * STEP, pointwidth: 36 })
        latencies[phase].push(t1 - t, performance.now() - t1)
      }
    })
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const dbs = yield* Effect.forEach(Array.from({ length: READERS }), () => BTrDB.make({ endpoint }))
    // connected: the writers may start
    process.stdout.write("ready\n")
    yield* Effect.forEach(dbs, reader, { concurrency: "unbounded" })
  })))
  process.stdout.write(`${JSON.stringify(latencies)}\n`)
  process.stdin.destroy()
}

/** Starts the readers' process; its latencies once told to stop. */
const startReaders = (endpoint: string, uuids: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [
    ...process.execArgv,
    process.argv[1]!,
    "--readers-of",
    endpoint,
    uuids.join(","),
    ...process.argv.slice(2)
  ], {
    stdio: ["pipe", "pipe", "inherit"]
  })
  let out = ""
  let onReady = () => {}
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  child.stdout!.on("data", (d) => {
    out += d
    if (out.startsWith("ready\n")) onReady()
  })
  const latencies = new Promise<Latencies>((resolve, reject) => {
    child.on(
      "exit",
      (code) =>
        code === 0
          ? resolve(JSON.parse(out.slice("ready\n".length)) as Latencies)
          : reject(new Error(`readers exited with ${code}`))
    )
  })
  return { child, ready, latencies }
}

const main = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-load-"))
  const server = await serveProcess(dataDir)
  let maxRss = 0
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rssMB(server.child.pid!))
  }, 200)

  const program = Effect.gen(function*() {
    const uuids: Array<string> = []
    const clients = yield* Effect.forEach(Array.from({ length: CLIENTS }, (_, c) => c), (c) =>
      Effect.gen(function*() {
        const db = yield* BTrDB.make({ endpoint: server.endpoint })
        const stream = yield* db.create({ uuid: Uuid.random(), collection: "load", tags: { name: `client${c}` } })
        uuids.push(stream.uuid)
        return { c, db, stream, acknowledged: 0 }
      }))

    const writer = (client: typeof clients[number]) =>
      Effect.gen(function*() {
        for (let from = 0; from < POINTS; from += BATCH) {
          const count = Math.min(BATCH, POINTS - from)
          yield* client.stream.insert(batchOf(client.c, from, count))
          client.acknowledged += count
        }
      })

    const readers = startReaders(server.endpoint, uuids)
    yield* Effect.promise(() => readers.ready)
    const t0 = performance.now()
    const cpu0 = {
      server: cpuSeconds(server.child.pid!),
      client: cpuSeconds(process.pid),
      readers: cpuSeconds(readers.child.pid!)
    }
    yield* Effect.forEach(clients, writer, { concurrency: "unbounded" })
    const seconds = (performance.now() - t0) / 1000
    const busy = {
      server: (cpuSeconds(server.child.pid!) - cpu0.server) / seconds,
      client: (cpuSeconds(process.pid) - cpu0.client) / seconds,
      readers: (cpuSeconds(readers.child.pid!) - cpu0.readers) / seconds
    }
    // the readers alone, for as long (at most 10 s)
    readers.child.stdin!.write("alone\n")
    yield* Effect.sleep(Math.min(seconds, 10) * 1000)
    readers.child.stdin!.write("stop\n")
    const latencies = yield* Effect.promise(() => readers.latencies)

    let lost = 0
    let extra = 0
    for (const client of clients) {
      const read = yield* client.stream.valuesCollected({ start: T0, end: T0 + BigInt(POINTS) * STEP })
      const expected = batchOf(client.c, 0, client.acknowledged)
      let same = read.times.length === expected.times.length
      for (let i = 0; same && i < read.times.length; i++) {
        same = read.times[i] === expected.times[i] && read.values[i] === expected.values[i]
      }
      if (!same) {
        lost += Math.max(0, client.acknowledged - read.times.length)
        extra += Math.max(0, read.times.length - client.acknowledged)
      }
    }
    const total = clients.reduce((s, c) => s + c.acknowledged, 0)
    return { seconds, total, lost, extra, latencies, busy }
  }).pipe(Effect.scoped)

  try {
    const { busy, extra, latencies, lost, seconds, total } = await Effect.runPromise(program)
    const loaded = percentiles(latencies.loaded)
    const alone = percentiles(latencies.alone)
    clearInterval(sampler)
    emit("clients", CLIENTS, "clients")
    emit("points acknowledged", total, "points")
    emit("insert throughput", Math.round(total / seconds), "points/s", { seconds: Number(seconds.toFixed(1)) })
    emit("windows queries during the load", latencies.loaded.length, "queries", {
      perSecond: Math.round(latencies.loaded.length / seconds)
    })
    emit("windows query latency during the load, p50 / p99", loaded.p50, "ms", { p99: loaded.p99 })
    emit("windows query latency, readers alone, p50 / p99", alone.p50, "ms", { p99: alone.p99 })
    emit("CPU used during the load, server process", Number(busy.server.toFixed(2)), "cores")
    emit("CPU used during the load, writers' process", Number(busy.client.toFixed(2)), "cores")
    emit("CPU used during the load, readers' process", Number(busy.readers.toFixed(2)), "cores")
    emit("server RSS max", Math.round(maxRss), "MB")
    emit("points lost", lost, "points")
    emit("points not acknowledged but stored", extra, "points")
    console.log(`\n| figure | value |\n|---|---|`)
    console.log(`| clients × points | ${CLIENTS} × ${POINTS} |`)
    console.log(`| insert throughput | ${Math.round(total / seconds).toLocaleString("en")} points/s |`)
    console.log(
      `| windows queries during the load | ${latencies.loaded.length} (${
        Math.round(latencies.loaded.length / seconds)
      }/s) |`
    )
    console.log(`| windows query latency, p50 / p99, during the load | ${loaded.p50} / ${loaded.p99} ms |`)
    console.log(`| the same, readers alone | ${alone.p50} / ${alone.p99} ms |`)
    console.log(
      `| CPU used during the load, server / writers / readers | ${busy.server.toFixed(2)} / ${
        busy.client.toFixed(2)
      } / ${busy.readers.toFixed(2)} cores |`
    )
    console.log(`| server RSS max | ${Math.round(maxRss)} MB |`)
    console.log(`| lost / extra | ${lost} / ${extra} |`)
    process.exitCode = lost === 0 && extra === 0 ? 0 : 1
  } finally {
    clearInterval(sampler)
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.on("exit", resolve))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

const at = process.argv.indexOf("--readers-of")
if (at >= 0) void readersOf(process.argv[at + 1]!, process.argv[at + 2]!.split(","))
else void main()
