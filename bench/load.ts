/**
 * Load: N clients, each on its own gRPC channel, insert into their own streams while readers run windows queries;
 * afterwards every stream must hold exactly what was acknowledged. The server runs as a separate process (the
 * `btrdb serve` command) so its memory is measured apart from the clients'.
 *
 *   npx tsx bench/load.ts [--clients 20] [--points 1000000] [--readers 4] [--batch 50000]
 *
 * Prints one JSON line per figure and a summary table; exits non-zero if anything acknowledged is missing.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, Uuid } from "../src/index.js"
import { serveProcess } from "../test/support/serveProcess.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const CLIENTS = arg("clients", 20)
const POINTS = arg("points", 1_000_000)
const READERS = arg("readers", 4)
const BATCH = arg("batch", 50_000)
const T0 = 1_600_000_000_000_000_000n
const STEP = 8_333_333n

const emit = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ bench: "load", figure, value, unit, ...extra }))

/** The resident set size of a process, in MB, from /proc. */
const rssMB = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
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

const main = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-load-"))
  const server = await serveProcess(dataDir)
  let maxRss = 0
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rssMB(server.child.pid!))
  }, 200)
  let done = false
  let queries = 0

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

    const reader = (r: number) =>
      Effect.gen(function*() {
        const db = yield* BTrDB.make({ endpoint: server.endpoint })
        let k = r
        while (!done) {
          const stream = yield* db.streamFromUuid(uuids[k++ % uuids.length]!)
          yield* stream.windowsCollected({ start: T0, end: T0 + BigInt(POINTS) * STEP, width: 60_000_000_000n })
          yield* stream.alignedWindowsCollected({ start: T0, end: T0 + BigInt(POINTS) * STEP, pointwidth: 36 })
          queries += 2
        }
      })

    const t0 = performance.now()
    const readers = yield* Effect.forkChild(Effect.forEach(Array.from({ length: READERS }, (_, r) => r), reader, {
      concurrency: "unbounded"
    }))
    yield* Effect.forEach(clients, writer, { concurrency: "unbounded" })
    const seconds = (performance.now() - t0) / 1000
    done = true
    yield* Fiber.await(readers)

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
    return { seconds, total, lost, extra }
  }).pipe(Effect.scoped)

  try {
    const { extra, lost, seconds, total } = await Effect.runPromise(program)
    clearInterval(sampler)
    emit("clients", CLIENTS, "clients")
    emit("points acknowledged", total, "points")
    emit("insert throughput", Math.round(total / seconds), "points/s", { seconds: Number(seconds.toFixed(1)) })
    emit("windows queries during the load", queries, "queries")
    emit("server RSS max", Math.round(maxRss), "MB")
    emit("points lost", lost, "points")
    emit("points not acknowledged but stored", extra, "points")
    console.log(`\n| figure | value |\n|---|---|`)
    console.log(`| clients × points | ${CLIENTS} × ${POINTS} |`)
    console.log(`| insert throughput | ${Math.round(total / seconds).toLocaleString("en")} points/s |`)
    console.log(`| windows queries during the load | ${queries} |`)
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

void main()
