/**
 * Storage-engine benchmark (in-process, one stream).
 *
 *   npx tsx bench/engine.ts [--points N] [--disk] [--cache-mb M] [--compaction-points K]
 *
 * Inserts N points (default 50 M) in sorted batches of 10 000, then measures raw-read throughput
 * (per wall-clock second and per second of the process's CPU time, which a busy machine disturbs
 * less), aligned windows over the whole stream in ~1000 windows (at N/10 and at N points, with the
 * ratio), and heap/RSS (now and peak) while the store holds the N points. `--disk` runs on an
 * on-disk store in a temporary directory with a node cache of M MiB (default 256, read buffers
 * included) instead of in memory.
 *
 * Then the cost of compaction, always on disk (a temporary directory, a 16 MiB node cache so reads go to the
 * files, 8 MiB segments): a stream of K points (default 2 M) written in ten blocks, each between the batches of a
 * victim of K/5 points, which so fill two thirds of their segments. Rounds of work (insert 100 000 points into a
 * fresh stream in batches of 10 000, then read the K points back), each yielding to the event loop between batches
 * and pages as a server does between requests, run in phases after eight rounds of warm-up: ten times, rounds
 * while the background pass (default options) gives a victim's space back, then as many rounds without compaction,
 * so that the machine's drift touches both alike. The median insert and read rates with and without are
 * printed side by side with their ratios.
 *
 * Each figure is one JSON line, next to its target and the BTrDB paper's anchor (FAST '16: 53 M
 * inserted and 119 M queried values per second on a 4-node cluster, ≈ 13 M and 30 M per node).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { DataStore } from "../src/engine/data/DataStore.js"
import { MAX_TIME, MIN_TIME } from "../src/internal/protocol.js"
import { textArg } from "./args.js"

const N = Number(textArg("points") ?? 50_000_000)
const DISK = process.argv.includes("--disk")
const CACHE_MB = Number(textArg("cache-mb") ?? 256)
const COMPACTION_POINTS = Number(textArg("compaction-points") ?? 2_000_000)
const BATCH = 10_000
const T0 = 1_500_000_000_000_000_000n
/** 120 Hz, the rate of the µPMU streams BTrDB was built for. */
const STEP = 8_333_333n
const UUID = "b3c2a1d0-0000-4000-8000-000000000001"

const emit = (o: Record<string, unknown>): void => {
  console.log(JSON.stringify(o, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))
}

const median = (xs: Array<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

/** Aligned windows over the whole stream at the point width giving ~1000 windows; median ms. */
const alignedWholeStream = (ds: DataStore, points: number): { ms: number; windows: number; pw: number } => {
  const span = BigInt(points) * STEP
  const pw = Math.max(0, Math.round(Math.log2(Number(span) / 1000)))
  const end = T0 + span + (1n << BigInt(pw))
  const times: Array<number> = []
  let windows = 0
  for (let r = 0; r < 15; r++) {
    const t = performance.now()
    let n = 0
    let count = 0n
    for (const p of ds.alignedWindows(UUID, T0, end, pw, 0n).pages) {
      n += p.times.length
      for (let i = 0; i < p.count.length; i++) count += p.count[i]
    }
    times.push(performance.now() - t)
    windows = n
    if (count !== BigInt(points)) throw new Error(`aligned windows counted ${count}, expected ${points}`)
  }
  return { ms: median(times), windows, pw }
}

const main = async (): Promise<void> => {
  const dir = DISK ? fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-")) : undefined
  const ds = await DataStore.open({ dir, cacheBytes: CACHE_MB * 1024 * 1024 })
  ds.createStream(UUID)
  emit({ bench: "engine", points: N, batch: BATCH, mode: DISK ? `disk (cache ${CACHE_MB} MiB)` : "memory" })

  // Insert.
  const small = Math.max(BATCH, Math.floor(N / 10 / BATCH) * BATCH)
  let smallAligned: { ms: number; windows: number; pw: number } | null = null
  let insertMs = 0
  const times = new BigInt64Array(BATCH)
  const values = new Float64Array(BATCH)
  const wall = performance.now()
  for (let b = 0; b < N; b += BATCH) {
    let t = T0 + BigInt(b) * STEP
    for (let i = 0; i < BATCH; i++) {
      times[i] = t
      t += STEP
      values[i] = Math.sin((b + i) * 0.001) * 100
    }
    const s = performance.now()
    await ds.insert(UUID, { times, values }, { policy: "never" })
    insertMs += performance.now() - s
    if (b + BATCH === small && small < N) smallAligned = alignedWholeStream(ds, small)
  }
  const wallMs = performance.now() - wall
  await ds.flush(UUID)
  emit({
    metric: "insert",
    points: N,
    pointsPerSec: Math.round(N / (insertMs / 1000)),
    wallPointsPerSec: Math.round(N / (wallMs / 1000)),
    target: ">= 3e6 points/s",
    paper: "53 M inserted values/s on 4 nodes (≈ 13 M per node)"
  })

  // Raw read of everything.
  {
    const s = performance.now()
    const cpu = process.cpuUsage()
    let n = 0
    let sum = 0
    for (const p of ds.rawValues(UUID, MIN_TIME, MAX_TIME - 1n, 0n).pages) {
      n += p.times.length
      sum += p.values[0] ?? 0
    }
    const ms = performance.now() - s
    const used = process.cpuUsage(cpu)
    if (n !== N) throw new Error(`read ${n} points, expected ${N}`)
    emit({
      metric: "raw_read",
      points: n,
      pointsPerSec: Math.round(n / (ms / 1000)),
      // Points per second of this process's CPU time (GC threads included): steadier on a shared machine.
      cpuPointsPerSec: Math.round(n / ((used.user + used.system) / 1e6)),
      checksum: Math.round(sum),
      target: ">= 15e6 points/s",
      paper: "119 M queried values/s on 4 nodes (≈ 30 M per node)"
    })
  }

  // Aligned windows over the whole stream, ~1000 windows.
  const big = alignedWholeStream(ds, N)
  if (smallAligned !== null) {
    emit({
      metric: "aligned_windows_whole_stream",
      points: small,
      windows: smallAligned.windows,
      pointWidth: smallAligned.pw,
      ms: Number(smallAligned.ms.toFixed(3)),
      target: "< 20 ms"
    })
  }
  emit({
    metric: "aligned_windows_whole_stream",
    points: N,
    windows: big.windows,
    pointWidth: big.pw,
    ms: Number(big.ms.toFixed(3)),
    target: "< 20 ms",
    ...(smallAligned !== null ?
      { ratioToTenthOfPoints: Number((big.ms / smallAligned.ms).toFixed(2)), note: "10x the points" } :
      {})
  })

  // Windows (not aligned) over the whole stream, exactly 1000 windows: every window edge cuts a leaf.
  {
    const span = BigInt(N) * STEP
    const width = span / 1000n
    const ms: Array<number> = []
    let n = 0
    for (let r = 0; r < 15; r++) {
      const s = performance.now()
      n = 0
      for (const p of ds.windows(UUID, T0, T0 + width * 1000n, width, 0, 0n).pages) n += p.times.length
      ms.push(performance.now() - s)
    }
    emit({ metric: "windows_whole_stream", points: N, windows: n, ms: Number(median(ms).toFixed(3)) })
  }

  // Memory while holding N points.
  const mem = process.memoryUsage()
  const mb = (x: number): number => Math.round(x / 1024 / 1024)
  emit({
    metric: "memory",
    points: N,
    heapUsedMB: mb(mem.heapUsed),
    arrayBuffersMB: mb(mem.arrayBuffers),
    rssMB: mb(mem.rss),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    rawDataMB: mb(N * 16),
    cache: { ...ds.cacheStats(), limitBytes: String(ds.cacheStats().limitBytes) }
  })
  await ds.close()
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
}

/** Yields to the event loop, as a server does between requests (timers, such as compaction's, run then). */
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Insert and read throughput with and without a background compaction pass running. */
const compactionCost = async (): Promise<void> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-compaction-"))
  try {
    const keep = "b3c2a1d0-0000-4000-8000-000000000002"
    const victims = Array.from(
      { length: 10 },
      (_, k) => `b3c2a1d0-0000-4000-8000-1000000000${k.toString().padStart(2, "0")}`
    )
    const ds = await DataStore.open({
      dir,
      cacheBytes: 16 * 1024 * 1024,
      segmentBytes: 8 * 1024 * 1024,
      compaction: { background: true }
    })
    for (const u of [keep, ...victims]) ds.createStream(u)
    const times = new BigInt64Array(BATCH)
    const values = new Float64Array(BATCH)
    const fill = (from: number): void => {
      for (let i = 0; i < BATCH; i++) {
        times[i] = T0 + BigInt(from + i) * STEP
        values[i] = Math.sin((from + i) * 0.001) * 100
      }
    }
    // Each victim in a block of its own, between batches of the kept stream: two thirds of its segments.
    const block = COMPACTION_POINTS / victims.length
    for (const [k, victim] of victims.entries()) {
      for (let b = k * block; b < (k + 1) * block; b += BATCH) {
        fill(b)
        await ds.insert(keep, { times, values }, { policy: "never" })
        for (const half of [0, 1]) {
          fill(2 * b + half * BATCH)
          await ds.insert(victim, { times, values }, { policy: "never" })
        }
      }
    }
    await ds.flush(keep)

    const INSERTS = 100_000
    let fresh = 0
    /** One round: its insert and read rates (points per second). */
    const round = async (): Promise<{ insert: number; read: number }> => {
      const uuid = `b3c2a1d0-0000-4000-8000-2${(fresh++).toString().padStart(11, "0")}`
      ds.createStream(uuid)
      let s = performance.now()
      for (let b = 0; b < INSERTS; b += BATCH) {
        fill(b)
        await ds.insert(uuid, { times, values }, { policy: "never" })
        await yieldNow()
      }
      const insert = INSERTS / ((performance.now() - s) / 1000)
      s = performance.now()
      let n = 0
      for (const p of ds.rawValues(keep, MIN_TIME, MAX_TIME - 1n, 0n).pages) {
        n += p.times.length
        await yieldNow()
      }
      if (n !== COMPACTION_POINTS) throw new Error(`read ${n} points, expected ${COMPACTION_POINTS}`)
      return { insert, read: n / ((performance.now() - s) / 1000) }
    }
    const segments = (): number => fs.readdirSync(dir).filter((f) => f.endsWith(".dat")).length
    const segmentsBefore = segments()
    const without: Array<{ insert: number; read: number }> = []
    const withCompaction: Array<{ insert: number; read: number }> = []
    for (let r = 0; r < 8; r++) await round() // warm-up, while the disk writes back what filling it wrote
    // Phases with and without compaction in turns, as many rounds each, so that the machine's drift (and the disk's
    // writing back of what a phase wrote) touches both alike.
    for (const victim of victims) {
      const freed = ds.compactionStats().segmentsFreed
      await ds.obliterate(victim)
      // Rounds while the background pass works (it starts one tick after the obliterate).
      let n = 0
      for (; n < 200; n++) {
        withCompaction.push(await round())
        const stats = ds.compactionStats()
        if (!stats.running && stats.segmentsFreed > freed) break
      }
      for (let r = 0; r <= n; r++) without.push(await round())
    }
    const stats = ds.compactionStats()
    const rate = (xs: Array<{ insert: number; read: number }>, k: "insert" | "read") => median(xs.map((x) => x[k]))
    const insert = [rate(without, "insert"), rate(withCompaction, "insert")]
    const read = [rate(without, "read"), rate(withCompaction, "read")]
    emit({
      metric: "compaction_cost",
      points: COMPACTION_POINTS,
      victims: `${victims.length} × ${2 * block} points, obliterated one after the other`,
      roundsWithout: without.length,
      roundsWith: withCompaction.length,
      insertPointsPerSec: { without: Math.round(insert[0]), with: Math.round(insert[1]) },
      insertRatio: Number((insert[1] / insert[0]).toFixed(3)),
      readPointsPerSec: { without: Math.round(read[0]), with: Math.round(read[1]) },
      readRatio: Number((read[1] / read[0]).toFixed(3)),
      compacted: { ...stats, segmentFiles: `${segmentsBefore} → ${segments()}` },
      note: "ratio = with a background compaction pass running / without (1 = no cost)"
    })
    await ds.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
await compactionCost()
