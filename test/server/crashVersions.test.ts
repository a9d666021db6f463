/**
 * Versions after a crash (issue 10.2): two writers insert concurrently into three streams of one server (a shared
 * one and one each), either with `sync: true` or unsynced with a Flush after every 1–4 inserts, and the server is
 * killed with SIGKILL 0.2–3 s in; this repeats on the same data directory. After each restart, every stream's
 * version is at least every acknowledged version, every acknowledged point is there, and a read pinned at each
 * acknowledged version gets exactly the points that version had before the crash.
 *
 * An insert is acknowledged when it returned with `sync: true`, or when a Flush sent after it returned (by either
 * writer, on any stream: Flush covers every commit made before it arrived) came back OK. The content of a version v
 * is known exactly from the inserts whose answers came back (their versions), plus the inserts whose answers the
 * kill cut off (at most one per writer), each of which is either wholly in a version or wholly out of it: version v
 * holds exactly as many of them as there are versions up to v that no answer named.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { DataStore } from "../../src/engine/data/DataStore.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"
import { serveProcess } from "../support/serveProcess.js"

type Client = ReturnType<typeof rawClient>

const dirs: Array<string> = []
const children = new Set<ChildProcess>()
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })))
})

/**
 * The server as `btrdb serve` runs it (`Server.start` on a data directory), started by a short script because it
 * starts faster than the CLI; it exits when the test process does.
 */
const SERVER_SCRIPT = [
  "const { start } = await import('./src/server/Server.ts')",
  "const server = await start({ listen: '127.0.0.1:0', dataDir: process.argv[1] })",
  "console.log(`listening on ${server.endpoint}`)",
  "const parent = process.ppid",
  "setInterval(() => { if (process.ppid !== parent) process.exit(1) }, 500)"
].join("\n")

interface Server {
  readonly child: ChildProcess
  readonly endpoint: string
  readonly exited: Promise<unknown>
}

const track = (child: ChildProcess): Promise<unknown> => {
  children.add(child)
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child)
      resolve(signal ?? code)
    })
  )
}

const startServer = (dataDir: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SERVER_SCRIPT, dataDir], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    const exited = track(child)
    let out = ""
    child.stdout!.on("data", (d) => {
      out += d
      const match = /listening on (\S+)/.exec(out)
      if (match) resolve({ child, endpoint: match[1]!, exited })
    })
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)))
  })

/** The first server of a run is the real `btrdb serve` command. */
const startCli = async (dataDir: string): Promise<Server> => {
  const { child, endpoint } = await serveProcess(dataDir)
  return { child, endpoint, exited: track(child) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Point `id` is at time T0 + 1000·id with value id, so the points of any set of inserts are distinct. */
const T0 = 1_000_000n
const END = String(1n << 60n)
const timeOf = (id: number) => String(T0 + 1000n * BigInt(id))

interface Insert {
  readonly stream: number
  readonly ids: ReadonlyArray<number>
  /** The version the answer named; undefined when the kill cut the answer off. */
  version?: bigint
  /** The test's clock when the answer came back. */
  returnedAt?: number
  acked: boolean
}

type Mode = "sync" | "flush"

const STREAMS = 3

/** Reads a stream's points at `version` (0 = latest): its version and the ids of its points, checked. */
const readAt = async (client: Client, uuid: Buffer, version: bigint) => {
  const messages = await client.stream("RawValues", { uuid, start: "0", end: END, versionMajor: String(version) })
  const failed = messages.find((m) => m.stat !== null)
  if (failed !== undefined) throw new Error(`RawValues at ${version}: ${JSON.stringify(failed.stat)}`)
  const ids: Array<number> = []
  for (const m of messages) {
    for (const p of m.values) {
      expect(p.time).toBe(timeOf(p.value))
      ids.push(p.value)
    }
  }
  return { version: BigInt(messages[0].versionMajor), ids }
}

interface Totals {
  rounds: number
  kills: number
  versionsChecked: number
  pointsChecked: number
  acknowledged: number
}

/** Count, min, max and sum of a set of point ids (values). */
const statsOf = (ids: Iterable<number>) => {
  let count = 0
  let min = Infinity
  let max = -Infinity
  let sum = 0
  for (const id of ids) {
    count++
    min = Math.min(min, id)
    max = Math.max(max, id)
    sum += id
  }
  return { count, min, max, sum }
}

/** Every subset of `items` with `size` elements. */
const subsets = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> =>
  size === 0 ?
    [[]] :
    items.flatMap((item, k) => subsets(items.slice(k + 1), size - 1).map((rest) => [item, ...rest]))

/**
 * Checks one stream after a restart and returns its state (the base of the next round): the version it is at and
 * the ids of its points. `base` is what it held when the round started (all of it with ids below `firstId`),
 * `inserts` the round's inserts into it and `flushed` the versions OK Flushes of it returned.
 */
const checkStream = async (
  client: Client,
  uuid: Buffer,
  base: { version: bigint; ids: ReadonlySet<number> },
  firstId: number,
  inserts: ReadonlyArray<Insert>,
  flushed: ReadonlyArray<bigint>,
  totals: Totals,
  context: string
) => {
  const known = inserts.filter((i) => i.version !== undefined)
  const cut = inserts.filter((i) => i.version === undefined)
  const acked = known.filter((i) => i.acked)
  const ackedVersions = [...new Set([...acked.map((i) => i.version!), ...flushed])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0
  )
  const latest = await readAt(client, uuid, 0n)
  const maxAcked = ackedVersions.length === 0 ? base.version : ackedVersions[ackedVersions.length - 1]!
  const maxInsert = acked.reduce((m, i) => (i.version! > m ? i.version! : m), base.version)
  expect(latest.version, `${context}: version after restart vs highest acknowledged insert`)
    .toBeGreaterThanOrEqual(maxInsert)
  expect(latest.version, `${context}: version after restart vs highest Flush answer`).toBeGreaterThanOrEqual(maxAcked)

  /**
   * What version v held before the crash: the points of `base` and of the inserts that returned a version up to v
   * (`named`), and as many of the inserts whose answers were cut off as there are versions up to v no answer named.
   */
  const before = (v: bigint) => {
    const named = new Set<number>()
    let count = 0
    for (const i of known) {
      if (i.version! <= v) {
        count++
        for (const id of i.ids) named.add(id)
      }
    }
    return { named, unnamed: Number(v - base.version) - count }
  }

  /** Checks all the points read at v against what it held before the crash. */
  const expectContent = (v: bigint, ids: ReadonlyArray<number>) => {
    const where = `${context}, version ${v}`
    expect(new Set(ids).size, `${where}: duplicate points`).toBe(ids.length)
    const { named, unnamed } = before(v)
    for (const id of base.ids) named.add(id)
    const have = new Set(ids)
    expect([...named].filter((id) => !have.has(id)), `${where}: points missing`).toEqual([])
    const extra = new Set(ids.filter((id) => !named.has(id)))
    // the extra points must be exactly `unnamed` whole inserts whose answers were cut off
    const whole = cut.filter((i) => i.ids.some((id) => extra.has(id)))
    for (const i of whole) expect(i.ids.every((id) => extra.has(id)), `${where}: a torn insert`).toBe(true)
    expect(whole.reduce((n, i) => n + i.ids.length, 0), `${where}: points of no insert`).toBe(extra.size)
    expect(whole.length, `${where}: inserts with no version`).toBe(unnamed)
    totals.versionsChecked++
    totals.pointsChecked += ids.length
  }

  /** Checks the statistics of the round's points at v (one exact window over their time range). */
  const expectStats = async (v: bigint) => {
    const where = `${context}, version ${v}`
    const start = timeOf(firstId)
    const answers = await client.stream("Windows", {
      uuid,
      start,
      end: END,
      width: String(BigInt(END) - BigInt(start)),
      versionMajor: String(v),
      depth: 0
    })
    const failed = answers.find((m) => m.stat !== null)
    if (failed !== undefined) throw new Error(`${where}: Windows: ${JSON.stringify(failed.stat)}`)
    const windows = answers.flatMap((m) => m.values)
    expect(windows.length, where).toBeLessThanOrEqual(1)
    const count = windows.length === 0 ? 0 : Number(windows[0].count)
    const got = count === 0 ?
      statsOf([]) :
      { count, min: windows[0].min, max: windows[0].max, sum: windows[0].mean * count }
    const { named, unnamed } = before(v)
    const candidates = subsets(cut, unnamed).map((s) => statsOf([...named, ...s.flatMap((i) => i.ids)]))
    const matches = candidates.some((e) =>
      e.count === got.count && e.min === got.min && e.max === got.max && Math.abs(e.sum - got.sum) < 1e-6 * e.sum + 1e-9
    )
    expect(matches, `${where}: ${JSON.stringify(got)} is none of ${JSON.stringify(candidates)}`).toBe(true)
    totals.versionsChecked++
    totals.pointsChecked += got.count
  }

  expectContent(latest.version, latest.ids)
  const present = new Set(latest.ids)
  for (const i of acked) {
    expect(i.ids.every((id) => present.has(id)), `${context}: acknowledged points missing`).toBe(true)
  }
  if (maxAcked > base.version) expectContent(maxAcked, (await readAt(client, uuid, maxAcked)).ids)
  for (let k = 0; k < ackedVersions.length; k += 16) await Promise.all(ackedVersions.slice(k, k + 16).map(expectStats))
  return { version: latest.version, ids: present }
}

const int = (n: number) => Math.floor(Math.random() * n)

const run = async (mode: Mode, rounds: number): Promise<Totals> => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `btrdb-crashv-${mode}-`))
  dirs.push(dataDir)
  const uuids = Array.from({ length: STREAMS }, () => uuidBytes())
  const totals: Totals = { rounds: 0, kills: 0, versionsChecked: 0, pointsChecked: 0, acknowledged: 0 }
  let server = await startCli(dataDir)
  let client = rawClient(server.endpoint)
  for (const [k, uuid] of uuids.entries()) {
    const created = await client.unary("Create", { uuid, collection: `crashv/${mode}/${k}`, tags: [] })
    expect(created.stat).toBeNull()
  }
  expect((await client.unary("Flush", { uuid: uuids[0] })).stat).toBeNull()
  client.close()
  let bases = uuids.map(() => ({ version: 10n, ids: new Set<number>() as ReadonlySet<number> }))
  let nextId = 0
  try {
    for (let round = 0; round < rounds; round++) {
      const context = `${mode} round ${round}`
      const inserts: Array<Insert> = []
      const flushed = uuids.map((): Array<bigint> => [])
      const firstId = nextId
      const problems: Array<string> = []
      let clock = 0
      const writer = async (w: number) => {
        const writerClient = rawClient(server.endpoint)
        try {
          let untilFlush = 1 + int(4)
          for (;;) {
            const stream = int(2) === 0 ? 0 : 1 + w
            const ids = Array.from({ length: 1 + int(8) }, () => nextId++)
            const insert: Insert = { stream, ids, acked: false }
            inserts.push(insert)
            let response
            try {
              response = await writerClient.unary("Insert", {
                uuid: uuids[stream],
                sync: mode === "sync",
                values: ids.map((id) => ({ time: timeOf(id), value: id })),
                merge_policy: "NEVER"
              })
            } catch {
              return // the server is gone; the answer was cut off
            }
            if (response.stat !== null) {
              problems.push(`Insert failed: ${JSON.stringify(response.stat)}`)
              return
            }
            insert.version = BigInt(response.versionMajor)
            insert.returnedAt = clock++
            if (mode === "sync") {
              insert.acked = true
              continue
            }
            if (--untilFlush > 0) continue
            untilFlush = 1 + int(4)
            const sentAt = clock++
            try {
              const target = int(STREAMS)
              const answer = await writerClient.unary("Flush", { uuid: uuids[target] })
              if (answer.stat !== null) {
                problems.push(`Flush failed: ${JSON.stringify(answer.stat)}`)
                return
              }
              flushed[target]!.push(BigInt(answer.versionMajor))
            } catch {
              return
            }
            for (const i of inserts) if (i.returnedAt !== undefined && i.returnedAt < sentAt) i.acked = true
          }
        } finally {
          writerClient.close()
        }
      }
      const writers = [writer(0), writer(1)]
      await sleep(200 + int(2800))
      server.child.kill("SIGKILL")
      await server.exited
      totals.kills++
      await Promise.all(writers)
      expect(problems, context).toEqual([])

      server = await startServer(dataDir)
      client = rawClient(server.endpoint)
      try {
        const next = []
        for (const [k, uuid] of uuids.entries()) {
          const into = inserts.filter((i) => i.stream === k)
          next.push(
            await checkStream(client, uuid, bases[k]!, firstId, into, flushed[k]!, totals, `${context}, stream ${k}`)
          )
        }
        bases = next
      } finally {
        client.close()
      }
      totals.acknowledged += inserts.filter((i) => i.acked).length
      totals.rounds++
    }
  } finally {
    server.child.kill("SIGTERM")
    await server.exited
  }
  return totals
}

describe.concurrent("versions after a crash", () => {
  for (const [mode, rounds] of [["sync", 11], ["flush", 11]] as const) {
    it(`${mode === "sync" ? "synced inserts" : "unsynced inserts and Flush"}: SIGKILL never takes a version back`, {
      timeout: 120_000
    }, async () => {
      const totals = await run(mode, rounds)
      console.log(`crash versions, ${mode}: ${JSON.stringify(totals)}`)
      expect(totals.kills).toBe(rounds)
    })
  }
})

describe("Flush's answer", () => {
  it("is the version the stream was at when Flush was called, not one committed during its fsyncs", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-flushv-"))
    dirs.push(dir)
    const uuid = crypto.randomUUID()
    const ds = await DataStore.open({ dir, commitDelayMs: 60_000 })
    try {
      ds.createStream(uuid)
      const point = (t: bigint) => ({ times: BigInt64Array.of(t), values: Float64Array.of(1) })
      expect((await ds.insert(uuid, point(1n), { policy: "never" })).major).toBe(11n)
      const flushed = ds.flush(uuid)
      // the group commit has taken the records made so far and waits for its fsyncs: this commit is not in it
      await Promise.resolve()
      expect((await ds.insert(uuid, point(2n), { policy: "never" })).major).toBe(12n)
      expect(await flushed).toEqual({ major: 11n, minor: 0n })
    } finally {
      await ds.close()
    }
  })
})
