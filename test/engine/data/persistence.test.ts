/**
 * The on-disk store: every version survives a reopen, a torn or corrupt tail loses only the
 * damaged commits, a SIGKILLed writer loses nothing it acknowledged, and the node cache stays
 * within its byte limit.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { DataStore } from "../../../src/engine/data/DataStore.js"
import { MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"
import { CRASH_BATCH, CRASH_UUID } from "./fixtures/crash-writer.js"
import { codeOf, columns, expectPoints, rawPoints, scratchDirs, stats, U1, U2 } from "./helpers.js"
import { Model } from "./model.js"

const ALL = [MIN_TIME, MAX_TIME - 1n] as const
const fresh = scratchDirs()

/** Builds a store with several durable commits on U1 (and some on U2); returns U1's model. */
const build = async (dir: string, commits = 8, segmentBytes?: number): Promise<Model> => {
  const ds = await DataStore.open({ dir, leafCapacity: 16, segmentBytes })
  ds.createStream(U1)
  ds.createStream(U2)
  const m = new Model()
  for (let i = 0; i < commits; i++) {
    const pts = Array.from({ length: 40 }, (_, k) => [BigInt(i * 7 + k * 13) * 1000n, i * 100 + k] as const)
    await ds.insert(U1, columns(pts), { policy: i % 2 === 0 ? "never" : "replace", sync: true })
    m.insert(pts.map(([t, v]) => ({ t, v })), i % 2 === 0 ? "never" : "replace")
    if (i === 3) {
      await ds.delete(U1, 20_000n, 90_000n)
      m.delete(20_000n, 90_000n)
    }
    await ds.insert(U2, columns([[BigInt(i), i]]), { policy: "never" })
  }
  await ds.close()
  return m
}

const expectVersions = (ds: DataStore, m: Model, upTo: bigint): void => {
  expect(ds.version(U1).major).toBe(upTo)
  for (let v = 10n; v <= upTo; v++) expectPoints(rawPoints(ds.rawValues(U1, ...ALL, v)), m.at(v))
}

interface Rec {
  readonly kind: number
  readonly major: bigint
  readonly seg: number
  readonly start: number
  readonly end: number
}

/** Reads the commit log's records (format of src/engine/data/filestore.ts). */
const records = (dir: string): Array<Rec> => {
  const b = fs.readFileSync(path.join(dir, "commits.log"))
  const out: Array<Rec> = []
  for (let at = 16; at + 72 <= b.length; at += 72) {
    out.push({
      kind: b.readUInt8(at + 4),
      major: b.readBigUInt64LE(at + 24),
      seg: b.readUInt32LE(at + 40),
      start: b.readDoubleLE(at + 48),
      end: b.readDoubleLE(at + 56)
    })
  }
  return out
}
const segFile = (dir: string): string => path.join(dir, "seg-00000000.dat")

describe("persistence", () => {
  it("reopens every stream at every version; obliteration persists", async () => {
    const dir = fresh("reopen")
    const m = await build(dir)
    const ds = await DataStore.open({ dir, leafCapacity: 16 })
    expectVersions(ds, m, m.latest)
    expect(ds.version(U2).major).toBe(18n)
    await ds.obliterate(U2)
    const v = await ds.insert(U1, columns([[1n, 1]]), { policy: "never" })
    expect(v.major).toBe(m.latest + 1n)
    await ds.close()
    const again = await DataStore.open({ dir, leafCapacity: 16 })
    expect(again.hasStream(U2)).toBe(false)
    expect(await codeOf(() => again.createStream(U2))).toBe(429)
    expect(again.version(U1).major).toBe(m.latest + 1n)
    expectPoints(rawPoints(again.rawValues(U1, ...ALL, m.latest)), m.at(m.latest))
    await again.close()
  })

  it("rolls over to new segment files and recovers across them", async () => {
    const dir = fresh("segments")
    const m = await build(dir, 12, 4096)
    const segs = fs.readdirSync(dir).filter((f) => f.startsWith("seg-")).sort()
    expect(segs.length).toBeGreaterThan(3)
    let ds = await DataStore.open({ dir, leafCapacity: 16, segmentBytes: 4096 })
    expectVersions(ds, m, m.latest)
    await ds.close()
    // Damage the newest segment's last bytes: only the last commit (U2's) goes.
    const last = path.join(dir, segs[segs.length - 1])
    fs.truncateSync(last, fs.statSync(last).size - 3)
    ds = await DataStore.open({ dir, leafCapacity: 16, segmentBytes: 4096 })
    expectVersions(ds, m, m.latest)
    expect(ds.version(U2).major).toBe(21n)
    await ds.close()
  })

  it("a truncated segment tail drops exactly the commits whose nodes were cut", async () => {
    const dir = fresh("trunc")
    const m = await build(dir)
    const recs = records(dir).filter((r) => r.end > r.start)
    const u1 = recs.filter((r) => r.kind === 2)
    // Cut inside the range of the third-newest U1 commit: it and every later commit go.
    const victim = u1[u1.length - 3]
    const idx = recs.indexOf(victim)
    fs.truncateSync(segFile(dir), Math.floor((victim.start + victim.end) / 2))
    const ds = await DataStore.open({ dir, leafCapacity: 16 })
    const keptU1 = recs.slice(0, idx).filter((r) => u1.includes(r))
    const expected = keptU1.length === 0 ? 10n : keptU1.reduce((a, r) => (r.major > a ? r.major : a), 10n)
    expectVersions(ds, m, expected)
    // The store continues from there, and is consistent when reopened again.
    const v = await ds.insert(U1, columns([[5n, 5]]), { policy: "never", sync: true })
    expect(v.major).toBe(expected + 1n)
    await ds.close()
    const again = await DataStore.open({ dir, leafCapacity: 16 })
    expect(again.version(U1).major).toBe(expected + 1n)
    expect(again.count(U1, 5n, 6n, 0n)).toBe(1n)
    await again.close()
  })

  it("a corrupt byte in the segment tail drops only the newest commit", async () => {
    const dir = fresh("corrupt")
    const m = await build(dir)
    const size = fs.statSync(segFile(dir)).size
    const fd = fs.openSync(segFile(dir), "r+")
    fs.writeSync(fd, Buffer.from([0xAB]), 0, 1, size - 40)
    fs.closeSync(fd)
    const last = records(dir).at(-1)!
    const ds = await DataStore.open({ dir, leafCapacity: 16 })
    // The last record is U2's insert (the loop's last step), so U1 keeps every version.
    expect(last.end).toBe(size)
    expectVersions(ds, m, m.latest)
    expect(ds.version(U2).major).toBe(17n)
    await ds.close()
  })

  it("a torn or corrupt commit log tail drops only the damaged records", async () => {
    const dir = fresh("log")
    const m = await build(dir)
    const log = path.join(dir, "commits.log")
    const size = fs.statSync(log).size
    // Torn last record (U2's last insert): U2 loses one version, U1 none.
    fs.truncateSync(log, size - 30)
    let ds = await DataStore.open({ dir, leafCapacity: 16 })
    expectVersions(ds, m, m.latest)
    expect(ds.version(U2).major).toBe(17n)
    await ds.close()
    // Corrupt the (now) last record, which is U1's last insert (U2's previous one precedes it);
    // garbage after it is ignored.
    const n = fs.statSync(log).size
    const fd = fs.openSync(log, "r+")
    fs.writeSync(fd, Buffer.from([0x55]), 0, 1, n - 50)
    fs.writeSync(fd, Buffer.alloc(100, 7), 0, 100, n)
    fs.closeSync(fd)
    ds = await DataStore.open({ dir, leafCapacity: 16 })
    expectVersions(ds, m, m.latest - 1n)
    expect(ds.version(U2).major).toBe(17n)
    await ds.close()
  })

  it("a SIGKILLed writer loses no acknowledged batch and shows no batch it had not started", async () => {
    const dir = fresh("crash")
    const root = fileURLToPath(new URL("../../../", import.meta.url))
    const script = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url))
    const child = spawn(process.execPath, ["--import", "tsx", script, dir], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString()
          // Kill once 25 batches are acknowledged: usually in the middle of the next insert.
          const acks = out.match(/ack \d+\n/g)?.length ?? 0
          if (acks >= 25) {
            child.kill("SIGKILL")
            resolve()
          }
        })
        child.on("exit", () => reject(new Error(`writer exited early: ${err}`)))
      })
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      await exited
    }
    const lines = out.split("\n")
    const acked = lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)))
    const started = lines.filter((l) => l.startsWith("start ")).map((l) => Number(l.slice(6)))
    const lastAck = Math.max(...acked)
    const lastStart = Math.max(...started)
    const ds = await DataStore.open({ dir })
    const pts = rawPoints(ds.rawValues(CRASH_UUID, ...ALL, 0n))
    const perBatch = new Map<number, number>()
    for (const p of pts) perBatch.set(p.v, (perBatch.get(p.v) ?? 0) + 1)
    for (let i = 0; i <= lastAck; i++) expect(perBatch.get(i), `batch ${i}`).toBe(CRASH_BATCH)
    for (const [i, n] of perBatch) {
      expect(i).toBeLessThanOrEqual(lastStart)
      expect(n).toBe(CRASH_BATCH) // batches are atomic
    }
    // Every version is a whole number of batches.
    expect(ds.version(CRASH_UUID).major).toBe(10n + BigInt(perBatch.size))
    await ds.close()
  })

  it("the node cache stays within cacheBytes while millions of points go through it", async () => {
    const dir = fresh("cache")
    const limit = 2 * 1024 * 1024
    const ds = await DataStore.open({ dir, cacheBytes: limit, commitDelayMs: 10 })
    ds.createStream(U1)
    const n = 3_000_000
    const batch = 100_000
    for (let b = 0; b < n; b += batch) {
      const times = new BigInt64Array(batch)
      const values = new Float64Array(batch)
      for (let i = 0; i < batch; i++) {
        times[i] = BigInt(b + i) * 4_000_000n
        values[i] = (b + i) % 1000
      }
      await ds.insert(U1, { times, values }, { policy: "never" })
      expect(ds.cacheStats().bytes).toBeLessThanOrEqual(limit)
    }
    let total = 0
    let sum = 0
    for (const p of ds.rawValues(U1, ...ALL, 0n).pages) {
      total += p.times.length
      for (let i = 0; i < p.values.length; i++) sum += p.values[i]
    }
    expect(total).toBe(n)
    expect(sum).toBe(n / 1000 * 499_500)
    const w = stats(ds.alignedWindows(U1, 0n, 1n << 44n, 34, 0n))
    expect(w.reduce((s, x) => s + x.count, 0)).toBe(n)
    const c = ds.cacheStats()
    expect(c.limitBytes).toBe(limit)
    expect(c.peakBytes).toBeLessThanOrEqual(limit)
    expect(c.misses).toBeGreaterThan(0)
    expect(c.entries).toBeGreaterThan(0)
    await ds.close()
  })
})
