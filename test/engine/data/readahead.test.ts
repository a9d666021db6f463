/**
 * On-disk reads: the CRC-32 implementations agree, the segmented node cache resists scans and
 * counts the read buffers within its limit, and read-ahead serves sequential scans with few system
 * calls, correctly across segment files, interleaved with writes, and without ever serving a
 * corrupt byte that sits inside a read-ahead block.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { crc32, crc32Portable } from "../../../src/engine/crc32.js"
import { NodeCache, RecordKind } from "../../../src/engine/data/backend.js"
import { DataStore } from "../../../src/engine/data/DataStore.js"
import { FileBackend, READ_BUFFERS_MIN, readBufferSizes } from "../../../src/engine/data/filestore.js"
import type { TreeNode } from "../../../src/engine/data/node.js"
import { ColumnsPageBuilder, rawPages } from "../../../src/engine/data/query.js"
import { decodeRawValuesResponse, RawValuesResponseBuilder } from "../../../src/internal/grpc/codecs/index.js"
import { MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"
import { codeOf, columns, expectPoints, rawPoints, rmDir, scratchDirs, stats, U1, U2 } from "./helpers.js"
import { Model, type Pt } from "./model.js"

const ALL = [MIN_TIME, MAX_TIME - 1n] as const
const fresh = scratchDirs()

/** A deterministic pseudo-random generator (xorshift32). */
const rng = (seed: number): () => number => {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 2 ** 32
  }
}

// Points i·256 ns: with a leaf capacity of 64 every leaf spans 2^14 ns and holds exactly 64 points
// (1056 bytes on disk), and 64 leaves make a node of 2^20 ns.
const STEP = 256n
const LEAF_POINTS = 64
const valueOf = (i: number): number => Math.sin(i * 0.01) * 1000 + i
const expected = (from: number, to: number): Array<Pt> =>
  Array.from({ length: to - from }, (_, k) => ({ t: BigInt(from + k) * STEP, v: valueOf(from + k) }))

/** Writes points [0, n) of U1 in sorted batches, then one point of U2, durably; closes the store. */
const build = async (
  dir: string,
  n: number,
  options: { readonly segmentBytes?: number; readonly batch?: number } = {}
): Promise<void> => {
  const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, segmentBytes: options.segmentBytes })
  ds.createStream(U1)
  ds.createStream(U2)
  const batch = options.batch ?? n
  for (let b = 0; b < n; b += batch) {
    const k = Math.min(batch, n - b)
    const times = new BigInt64Array(k)
    const values = new Float64Array(k)
    for (let i = 0; i < k; i++) {
      times[i] = BigInt(b + i) * STEP
      values[i] = valueOf(b + i)
    }
    await ds.insert(U1, { times, values }, { policy: "never" })
  }
  // A later commit, so that recovery does not check (and drop) U1's commits when we damage them.
  await ds.insert(U2, columns([[1n, 1]]), { policy: "never", sync: true })
  await ds.close()
}

/** Opens the file backend itself, for its I/O statistics; returns it and U1's latest root. */
const openBackend = (dir: string, cacheBytes: number, segmentBytes = 1 << 30): { fb: FileBackend; root: number } => {
  const { backend, records } = FileBackend.open(dir, { cacheBytes, commitDelayMs: 1000, segmentBytes })
  const mine = records.filter((r) => r.uuid === U1 && r.kind === RecordKind.Commit)
  return { fb: backend, root: mine[mine.length - 1].root }
}

const pointsOf = (fb: FileBackend, root: number, s: bigint, e: bigint, pageSize = 5000): Array<Pt> => {
  const out: Array<Pt> = []
  for (const p of rawPages(fb, root, s, e, pageSize, new ColumnsPageBuilder(pageSize))) {
    for (let i = 0; i < p.times.length; i++) out.push({ t: p.times[i], v: p.values[i] })
  }
  return out
}

interface StoredNode {
  readonly offset: number
  readonly leaf: boolean
  readonly len: number
  readonly first: bigint
  readonly n: number
}

/** The nodes of a segment file, in file order (format of src/engine/data/filestore.ts). */
const nodesOf = (file: string): Array<StoredNode> => {
  const b = fs.readFileSync(file)
  const out: Array<StoredNode> = []
  for (let at = 16; at + 24 <= b.length;) {
    const leaf = b.readUInt32LE(at) === 0x4641454C
    const len = b.readUInt32LE(at + 4)
    const n = b.readUInt32LE(at + 20)
    out.push({ offset: at, leaf, len, first: leaf ? b.readBigInt64LE(at + 24) : 0n, n })
    at += len
  }
  return out
}

describe("crc32", () => {
  it("the native and the portable implementation agree on every length, alignment and continuation", () => {
    const r = rng(7)
    const buf = new Uint8Array(70_000)
    for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(r() * 256)
    expect(crc32Portable(new TextEncoder().encode("123456789"))).toBe(0xCBF43926)
    expect(crc32Portable(new Uint8Array(0))).toBe(0)
    for (let len = 0; len < 600; len++) {
      const at = len % 13
      expect(crc32(buf, at, at + len)).toBe(crc32Portable(buf, at, at + len))
    }
    for (let k = 0; k < 200; k++) {
      const a = Math.floor(r() * buf.length)
      const b = a + Math.floor(r() * (buf.length - a))
      const c = a + Math.floor(r() * (b - a + 1))
      const whole = crc32Portable(buf, a, b)
      expect(crc32(buf, a, b)).toBe(whole)
      expect(crc32(buf, c, b, crc32(buf, a, c))).toBe(whole)
      expect(crc32Portable(buf, c, b, crc32Portable(buf, a, c))).toBe(whole)
      // Through a view that starts at an odd byte offset of its buffer.
      const view = buf.subarray(a)
      expect(crc32(view, 0, b - a)).toBe(whole)
      expect(crc32Portable(view, 0, b - a)).toBe(whole)
    }
  })
})

describe("NodeCache", () => {
  const leaf = (points: number): TreeNode => ({
    kind: 0,
    start: 0n,
    pw: 2,
    times: new BigInt64Array(points),
    values: new Float64Array(points)
  })
  const SIZE = 160 + 16 * 100 // nodeBytes of a 100-point leaf

  it("counts the reserved bytes, evicts before it inserts and never exceeds the limit", () => {
    const c = new NodeCache(10 * SIZE + 500, 500)
    expect(c.stats().bytes).toBe(500)
    for (let a = 1; a <= 50; a++) {
      c.put(a, leaf(100))
      expect(c.stats().bytes).toBeLessThanOrEqual(10 * SIZE + 500)
    }
    expect(c.stats()).toMatchObject({ bytes: 10 * SIZE + 500, peakBytes: 10 * SIZE + 500, entries: 10 })
    // The ten most recent are there.
    for (let a = 41; a <= 50; a++) expect(c.has(a)).toBe(true)
    c.put(99, leaf(2000)) // bigger than the whole budget: not cached, nothing evicted
    expect(c.has(99)).toBe(false)
    expect(c.stats().entries).toBe(10)
    c.drop(45)
    expect(c.stats()).toMatchObject({ bytes: 9 * SIZE + 500, entries: 9 })
  })

  it("a scan of nodes read once does not evict the nodes read again (segmented LRU)", () => {
    const c = new NodeCache(20 * SIZE)
    // Hot nodes: put, then read again, so they are protected.
    for (let a = 1; a <= 10; a++) c.put(a, leaf(100))
    for (let a = 1; a <= 10; a++) expect(c.get(a)).toBeDefined()
    // A scan of 1000 nodes, each read once.
    for (let a = 1000; a < 2000; a++) {
      expect(c.get(a)).toBeUndefined()
      c.put(a, leaf(100))
      expect(c.stats().bytes).toBeLessThanOrEqual(20 * SIZE)
    }
    for (let a = 1; a <= 10; a++) expect(c.has(a)).toBe(true)
    const s = c.stats()
    expect(s.hits).toBe(10)
    expect(s.misses).toBe(1000)
    expect(s.entries).toBe(20)
  })

  it("the protected segment is bounded: its least recently used nodes fall back to probation", () => {
    const c = new NodeCache(10 * SIZE)
    for (let a = 1; a <= 10; a++) c.put(a, leaf(100))
    for (let a = 1; a <= 10; a++) c.get(a) // at most 8 stay protected; 1 and 2 go back to probation
    c.put(11, leaf(100)) // evicts the least recently used on probation: 1
    expect(c.has(1)).toBe(false)
    expect(c.has(2)).toBe(true)
    expect(c.has(11)).toBe(true)
    c.put(12, leaf(100))
    expect(c.has(2)).toBe(false)
    for (let a = 3; a <= 12; a++) expect(c.has(a)).toBe(true)
  })
})

describe("read buffers", () => {
  it("take an eighth of the cache limit, at least 1 KiB and at most 1 MiB plus one leaf read", () => {
    for (const limit of [0, 100, 1024, 8192, 16 * 1024, 65_536, 1 << 20, 2 << 20, 256 << 20, 1e12, Infinity, NaN, -5]) {
      const { readAhead, scratch } = readBufferSizes(limit)
      expect(readAhead).toBeGreaterThan(0)
      expect(scratch).toBeGreaterThan(0)
      expect(readAhead % 8).toBe(0)
      expect(scratch % 8).toBe(0)
      expect(readAhead + scratch).toBeGreaterThanOrEqual(READ_BUFFERS_MIN)
      expect(readAhead).toBeLessThanOrEqual(1 << 20)
      expect(scratch).toBeLessThanOrEqual(16_416)
      if (limit >= 8 * READ_BUFFERS_MIN) expect(readAhead + scratch).toBeLessThanOrEqual(limit / 8)
    }
    expect(readBufferSizes(256 << 20)).toEqual({ readAhead: 1 << 20, scratch: 16_416 })
  })

  it("are counted in the cache's bytes, which stay within cacheBytes through inserts and scans", async () => {
    const dir = fresh("ra-acct")
    for (const limit of [16 * 1024, 256 * 1024, 2 << 20]) {
      rmDir(dir)
      const { readAhead, scratch } = readBufferSizes(limit)
      const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: limit, commitDelayMs: 5 })
      expect(ds.cacheStats()).toMatchObject({ bytes: readAhead + scratch, entries: 0, limitBytes: limit })
      ds.createStream(U1)
      const n = 60_000
      for (let b = 0; b < n; b += 6000) {
        const times = new BigInt64Array(6000)
        const values = new Float64Array(6000)
        for (let i = 0; i < 6000; i++) {
          times[i] = BigInt(b + i) * STEP
          values[i] = valueOf(b + i)
        }
        await ds.insert(U1, { times, values }, { policy: "never" })
        expect(ds.cacheStats().bytes).toBeLessThanOrEqual(limit)
      }
      await ds.close()
      const again = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: limit })
      let got = 0
      for (const p of again.rawValues(U1, ...ALL, 0n).pages) {
        for (let i = 0; i < p.times.length; i++) {
          if (p.times[i] !== BigInt(got) * STEP || p.values[i] !== valueOf(got)) {
            expect({ i: got, t: p.times[i], v: p.values[i] }).toEqual({
              i: got,
              t: BigInt(got) * STEP,
              v: valueOf(got)
            })
          }
          got++
        }
        expect(again.cacheStats().bytes).toBeLessThanOrEqual(limit)
      }
      expect(got).toBe(n)
      const c = again.cacheStats()
      expect(c.bytes).toBeGreaterThanOrEqual(readAhead + scratch)
      expect(c.peakBytes).toBeLessThanOrEqual(limit)
      expect(c.misses).toBeGreaterThan(0)
      await again.close()
    }
  })
})

describe("read-ahead", () => {
  it("a sequential scan reads many leaves per system call, across segment files", async () => {
    const dir = fresh("ra-seq")
    const n = 200_000 // 3125 leaves of 1 KiB, in ~13 segment files of 256 KiB
    const segmentBytes = 256 * 1024
    await build(dir, n, { segmentBytes, batch: 20_000 })
    const segs = fs.readdirSync(dir).filter((f) => f.startsWith("seg-"))
    expect(segs.length).toBeGreaterThan(8)
    const { fb, root } = openBackend(dir, 1 << 20, segmentBytes)
    try {
      expectPoints(pointsOf(fb, root, ...ALL), expected(0, n))
      const io = fb.ioStats()
      const leaves = n / LEAF_POINTS
      // One read per leaf without any buffering, one per ~15 leaves with only the 16 KiB scratch
      // buffer; with read-ahead blocks of ~112 KiB, under one per 20.
      expect(io.reads).toBeLessThan(leaves / 20)
      // Reads do not run past the end of a segment file, and read little twice.
      const onDisk = segs.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0)
      expect(io.bytes).toBeLessThanOrEqual(1.25 * onDisk)
      // Ranges that start and end anywhere, including at segment boundaries.
      const r = rng(11)
      for (let k = 0; k < 40; k++) {
        const a = Math.floor(r() * n)
        const b = Math.min(n, a + 1 + Math.floor(r() * (k % 2 === 0 ? 300 : 30_000)))
        expectPoints(pointsOf(fb, root, BigInt(a) * STEP, BigInt(b) * STEP, 777), expected(a, b))
      }
      expect(fb.cacheStats().peakBytes).toBeLessThanOrEqual(1 << 20)
    } finally {
      await fb.close()
    }
  })

  it("pages encoded for the wire straight from the read buffers hold every point, in order", async () => {
    const dir = fresh("ra-encoded")
    const n = 100_000
    const segmentBytes = 256 * 1024
    await build(dir, n, { segmentBytes, batch: 20_000 })
    // a cache of 256 KiB: the scan's leaves are not admitted, so they are views of the read buffers
    const { fb, root } = openBackend(dir, 1 << 18, segmentBytes)
    try {
      for (
        const [a, b, pageSize] of [[0, n, 5000], [3, n - 5, 777], [12_345, 12_346, 5000], [
          500,
          500 + LEAF_POINTS * 3,
          64
        ]]
      ) {
        const builder = new RawValuesResponseBuilder({ versionMajor: 7n, versionMinor: 0n }, pageSize)
        const pages = [...rawPages(fb, root, BigInt(a) * STEP, BigInt(b) * STEP, pageSize, builder)].map((bytes) =>
          decodeRawValuesResponse(bytes)
        )
        const sizes = pages.map((p) => p.times.length)
        expect(sizes.slice(0, -1).every((size) => size === pageSize)).toBe(true)
        expect(sizes.reduce((x, y) => x + y, 0)).toBe(b - a)
        expect(pages.every((p) => p.versionMajor === 7n)).toBe(true)
        const got: Array<Pt> = []
        for (const p of pages) for (let i = 0; i < p.times.length; i++) got.push({ t: p.times[i], v: p.values[i] })
        expectPoints(got, expected(a, b))
      }
      expect(fb.cacheStats().peakBytes).toBeLessThanOrEqual(1 << 18)
    } finally {
      await fb.close()
    }
  })

  it("reads correctly with caches too small to hold a leaf", async () => {
    const dir = fresh("ra-tiny")
    const n = 20_000
    await build(dir, n, { segmentBytes: 64 * 1024, batch: 3000 })
    for (const cacheBytes of [0, 1000, 8192, 20_000]) {
      const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes, segmentBytes: 64 * 1024 })
      expectPoints(rawPoints(ds.rawValues(U1, ...ALL, 0n)), expected(0, n))
      expectPoints(rawPoints(ds.rawValues(U1, 5000n * STEP, 12_345n * STEP, 0n)), expected(5000, 12_345))
      expect(stats(ds.alignedWindows(U1, 0n, 1n << 40n, 20, 0n)).reduce((s, w) => s + w.count, 0)).toBe(n)
      await ds.close()
    }
  })

  it("serves new nodes written after a read-ahead block was read from the same segment", async () => {
    const dir = fresh("ra-interleave")
    const ds = await DataStore.open({
      dir,
      leafCapacity: 16,
      cacheBytes: 16 * 1024,
      commitDelayMs: 5,
      segmentBytes: 48 * 1024
    })
    ds.createStream(U1)
    const m = new Model()
    const r = rng(3)
    for (let round = 0; round < 40; round++) {
      const base = round * 400
      const pts = Array.from({ length: 120 }, (_, k) => {
        // Mostly appends, sometimes rewrites of older times (new nodes for old ranges).
        const t = round % 5 === 4 ? BigInt(Math.floor(r() * base + 1)) * 100n : BigInt(base + k * 3) * 100n
        return [t, round * 1000 + k] as const
      })
      await ds.insert(U1, columns(pts), { policy: round % 3 === 0 ? "replace" : "never" })
      m.insert(pts.map(([t, v]) => ({ t, v })), round % 3 === 0 ? "replace" : "never")
      expectPoints(rawPoints(ds.rawValues(U1, ...ALL, 0n)), m.at(m.latest))
      if (round % 7 === 0) {
        const v = m.latest - 1n
        expectPoints(rawPoints(ds.rawValues(U1, ...ALL, v)), m.at(v))
      }
    }
    await ds.close()
    const again = await DataStore.open({ dir, leafCapacity: 16, cacheBytes: 16 * 1024, segmentBytes: 48 * 1024 })
    for (let v = 10n; v <= m.latest; v += 3n) expectPoints(rawPoints(again.rawValues(U1, ...ALL, v)), m.at(v))
    await again.close()
  })

  it("a corrupt byte inside a read-ahead block fails exactly the node holding it, before serving it", async () => {
    const clean = fresh("ra-corrupt-clean")
    const n = 100_000 // one commit: every node of U1 is live, leaves in time order
    await build(clean, n)
    const seg = "seg-00000000.dat"
    const leaves = nodesOf(path.join(clean, seg)).filter((x) => x.leaf && x.n === LEAF_POINTS)
    let servedFromBlock = 0
    // Three neighbouring victims: at most one of them can straddle the end of a read-ahead block.
    for (const k of [700, 701, 702]) {
      const victim = leaves[k]
      const first = Number(victim.first / STEP)
      const dir = fresh("ra-corrupt")
      fs.cpSync(clean, dir, { recursive: true })
      const fd = fs.openSync(path.join(dir, seg), "r+")
      // One value byte in the middle of the leaf.
      fs.writeSync(fd, Buffer.from([0x5A ^ 0xFF]), 0, 1, victim.offset + 24 + 8 * LEAF_POINTS + 8 * 30 + 3)
      fs.closeSync(fd)

      // Through the store: a whole read fails with 500 and never shows a point of the victim.
      const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: 1 << 20 })
      const seen: Array<Pt> = []
      const code = await codeOf(() => {
        for (const p of ds.rawValues(U1, ...ALL, 0n, 1000).pages) {
          for (let i = 0; i < p.times.length; i++) seen.push({ t: p.times[i], v: p.values[i] })
        }
      })
      expect(code).toBe(500)
      expect(seen.length).toBeLessThanOrEqual(first)
      expectPoints(seen, expected(0, seen.length))
      // The nodes around it, read from the same block, are fine; the victim fails every time.
      expectPoints(rawPoints(ds.rawValues(U1, 0n, victim.first, 0n)), expected(0, first))
      expectPoints(rawPoints(ds.rawValues(U1, victim.first + 64n * STEP, ALL[1], 0n)), expected(first + 64, n))
      expect(await codeOf(() => rawPoints(ds.rawValues(U1, victim.first, victim.first + 1n, 0n)))).toBe(500)
      expect(await codeOf(() => ds.count(U1, victim.first + 10n, victim.first + 2000n, 0n))).toBe(500)
      await ds.close()
      // With buffers smaller than a leaf (each leaf read into bytes of its own), the same.
      const tiny = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: 0 })
      expect(await codeOf(() => rawPoints(tiny.rawValues(U1, ...ALL, 0n)))).toBe(500)
      expectPoints(
        rawPoints(tiny.rawValues(U1, victim.first - 100n * STEP, victim.first, 0n)),
        expected(first - 100, first)
      )
      await tiny.close()

      // Through the backend: after reading up to the victim, the victim comes from the block already read.
      const { fb, root } = openBackend(dir, 1 << 20)
      try {
        expectPoints(pointsOf(fb, root, MIN_TIME, victim.first), expected(0, first))
        const before = fb.ioStats().reads
        expect(() => pointsOf(fb, root, victim.first, victim.first + 1n)).toThrow(/checksum mismatch/)
        if (fb.ioStats().reads === before) servedFromBlock++
      } finally {
        await fb.close()
      }
    }
    expect(servedFromBlock).toBeGreaterThanOrEqual(2)
  })

  it("interleaved paged reads stay right while a long scan's leaves are views of the read buffer", async () => {
    const dir = fresh("ra-interleaved-pages")
    const n = 150_000
    await build(dir, n, { batch: 7000 })
    // A 64 KiB cache: past its first ~14 leaves, a raw read's leaves are not cached but read transient.
    const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: 64 * 1024 })
    const ranges: Array<readonly [number, number, number]> = [[0, n, 1000], [31_337, 140_001, 777], [7, 90_000, 4999]]
    const its = ranges.map(([a, b, size]) =>
      ds.rawValues(U1, BigInt(a) * STEP, BigInt(b) * STEP, 0n, size).pages[Symbol.iterator]()
    )
    const got: Array<Array<Pt>> = ranges.map(() => [])
    let live = its.length
    for (let step = 0; live > 0; step++) {
      live = 0
      for (const [k, it] of its.entries()) {
        const r = it.next()
        if (r.done === true) continue
        live++
        for (let i = 0; i < r.value.times.length; i++) got[k].push({ t: r.value.times[i], v: r.value.values[i] })
        // Other reads between the pages, into other parts of the file.
        const at = BigInt((step * 7919 + k * 15_485) % n) * STEP
        expect(ds.count(U1, at, at + 200n * STEP, 0n)).toBe(BigInt(Math.min(200, n - Number(at / STEP))))
        expect(ds.nearest(U1, at, 0n, false).time).toBe(at)
      }
    }
    for (const [k, [a, b]] of ranges.entries()) expectPoints(got[k], expected(a, b))
    expect(ds.cacheStats().peakBytes).toBeLessThanOrEqual(64 * 1024)
    await ds.close()
  })

  it("a short scan is cached whole; a scan much longer than the cache stops filling it with its leaves", async () => {
    const dir = fresh("ra-admit")
    const n = 400_000 // 6250 leaves of 1 KiB
    await build(dir, n, { batch: 10_000 })
    const limit = 2 << 20
    const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: limit })
    // 100 leaves (~100 KiB): read once from disk, then from the cache only.
    const short = (): Array<Pt> => rawPoints(ds.rawValues(U1, 10_000n * STEP, 16_400n * STEP, 0n))
    expectPoints(short(), expected(10_000, 16_400))
    const once = ds.cacheStats()
    expect(once.misses).toBeGreaterThanOrEqual(100)
    expectPoints(short(), expected(10_000, 16_400))
    expect(ds.cacheStats().misses).toBe(once.misses)
    // The whole stream (6.6 MB): the cache keeps the short range and does not fill up with the rest.
    let total = 0
    for (const p of ds.rawValues(U1, ...ALL, 0n).pages) total += p.times.length
    expect(total).toBe(n)
    const after = ds.cacheStats()
    // Read buffers 256 KiB, internal nodes ~320 KiB, the short range ~100 KiB, a quarter of the rest
    // for the scan's first leaves: ~1.1 MiB. Without the cut-off the cache would be full.
    expect(after.bytes).toBeLessThan(0.75 * limit)
    expectPoints(short(), expected(10_000, 16_400))
    expect(ds.cacheStats().misses).toBe(after.misses)
    await ds.close()
  })

  it("a raw scan bigger than the cache leaves the internal nodes that window queries use in it", async () => {
    const dir = fresh("ra-scan")
    const n = 400_000 // 6.6 MB of leaves through a 1 MiB cache
    await build(dir, n, { batch: 10_000 })
    const ds = await DataStore.open({ dir, leafCapacity: LEAF_POINTS, cacheBytes: 1 << 20 })
    // Windows of 2^22 ns are answered from the internal nodes above the leaves (2^16 ns each).
    const windows = (): number => stats(ds.alignedWindows(U1, 0n, 1n << 40n, 22, 0n)).reduce((s, w) => s + w.count, 0)
    expect(windows()).toBe(n)
    expect(windows()).toBe(n)
    const warm = ds.cacheStats()
    let total = 0
    for (const p of ds.rawValues(U1, ...ALL, 0n).pages) total += p.times.length
    expect(total).toBe(n)
    const scanned = ds.cacheStats()
    expect(scanned.misses - warm.misses).toBeGreaterThanOrEqual(n / LEAF_POINTS)
    expect(windows()).toBe(n)
    const after = ds.cacheStats()
    expect(after.misses).toBe(scanned.misses)
    expect(after.peakBytes).toBeLessThanOrEqual(1 << 20)
    await ds.close()
  })
})
