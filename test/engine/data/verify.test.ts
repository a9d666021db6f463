/**
 * `verifyDirectory` and `diskUsage` on real data directories: a directory of deep trees (leaves of 8 points) and
 * many versions verifies with exact counts; a flipped byte in a leaf, a wrong statistic in an internal node's slot
 * (its checksums fixed, so only the invariants can tell), a flipped byte in a commit record and in the metadata log
 * are each reported once, naming the file, offset, node, stream and version; what a crash leaves is a note; a
 * directory in use is refused. Disk usage is checked against a walk of the files done here.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DataStore } from "../../../src/engine/data/DataStore.js"
import { diskUsage } from "../../../src/engine/data/usage.js"
import { formatFault, verifyDirectory, type VerifyReport } from "../../../src/engine/data/verify.js"
import * as DirectoryLock from "../../../src/engine/DirectoryLock.js"
import { MetadataStore } from "../../../src/engine/metadata/MetadataStore.js"
import { columns, rmDir, tmpDir, U1, U2 } from "./helpers.js"

const U3 = "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c03"
const SEG = "seg-00000000.dat"
const T0 = 1_700_000_000_000_000_000n

// -- the files, read here without the engine's code (the layout of src/engine/data/filestore.ts)

interface Rec {
  readonly index: number
  readonly kind: number
  readonly uuid: string
  readonly major: bigint
  readonly root: number
  readonly start: number
  readonly end: number
}

const records = (dir: string): Array<Rec> => {
  const b = fs.readFileSync(path.join(dir, "commits.log"))
  const out: Array<Rec> = []
  for (let at = 16, index = 0; at + 72 <= b.length; at += 72, index++) {
    const h = b.subarray(at + 8, at + 24).toString("hex")
    out.push({
      index,
      kind: b.readUInt8(at + 4),
      uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
      major: b.readBigUInt64LE(at + 24),
      root: b.readDoubleLE(at + 32),
      start: b.readDoubleLE(at + 48),
      end: b.readDoubleLE(at + 56)
    })
  }
  return out
}

interface RawNode {
  readonly offset: number
  readonly kind: 0 | 1
  readonly len: number
  readonly n: number
  readonly slots?: Float64Array
}

/** Every node of the (single) segment file, read one after the other. */
const nodes = (dir: string): Map<number, RawNode> => {
  const b = fs.readFileSync(path.join(dir, SEG))
  const out = new Map<number, RawNode>()
  for (let at = 16; at < b.length;) {
    const kind = b.readUInt32LE(at) === 0x4641454C ? 0 : 1
    const len = b.readUInt32LE(at + 4)
    const slots = kind === 1
      ? new Float64Array(b.buffer.slice(b.byteOffset + at + 24, b.byteOffset + at + 24 + 3072))
      : undefined
    out.set(at, { offset: at, kind, len, n: b.readUInt32LE(at + 20), ...(slots ? { slots } : {}) })
    at += len
  }
  return out
}

/** The nodes reachable from `roots`, with the depth of the deepest. */
const reachable = (all: Map<number, RawNode>, roots: ReadonlyArray<number>) => {
  const seen = new Set<number>()
  let depth = 0
  const visit = (addr: number, d: number) => {
    depth = Math.max(depth, d)
    if (seen.has(addr)) return
    seen.add(addr)
    const node = all.get(addr)!
    if (node.kind === 1) { for (let c = 0; c < 64; c++) if (node.slots![64 + c] > 0) visit(node.slots![c], d + 1) }
  }
  for (const r of roots) if (r !== 0) visit(r, 1)
  return { nodes: seen.size, bytes: [...seen].reduce((n, a) => n + all.get(a)!.len, 0), depth }
}

const fixNodeCrc = (seg: Buffer, node: RawNode) =>
  seg.writeUInt32LE(zlib.crc32(seg.subarray(node.offset, node.offset + node.len - 8)), node.offset + node.len - 8)

/** Makes a commit record agree with its (changed) nodes again: the range's CRC, then the record's own. */
const fixRecordCrcs = (log: Buffer, seg: Buffer, rec: Rec) => {
  const at = 16 + 72 * rec.index
  log.writeUInt32LE(zlib.crc32(seg.subarray(rec.start, rec.end)), at + 44)
  log.writeUInt32LE(zlib.crc32(log.subarray(at, at + 64)), at + 64)
}

// -- the directory

let source: string
const copies: Array<string> = []
/** What was built, counted as it was. */
const built = { versions: 0, points: 0, inserts: new Set<bigint>(), deletes: new Set<bigint>() }

const copy = (tag: string): string => {
  const dir = tmpDir(`verify-${tag}`)
  copies.push(dir)
  fs.cpSync(source, dir, { recursive: true })
  return dir
}

const clean = (r: VerifyReport) => ({
  faults: r.faults.map(formatFault),
  notes: r.notes.map(formatFault)
})

beforeAll(async () => {
  source = tmpDir("verify-source")
  const meta = await MetadataStore.open({ dir: source })
  const ds = await DataStore.open({ dir: source, leafCapacity: 8, commitDelayMs: 5 })
  const times = new Map<string, Set<bigint>>()
  for (const [i, u] of [U1, U2, U3].entries()) {
    await meta.create(u, "verify", [{ key: "name", value: `s${i + 1}` }], [])
    ds.createStream(u)
    times.set(u, new Set())
  }
  const insert = async (u: string, pts: Array<readonly [bigint, number]>) => {
    const v = await ds.insert(u, columns(pts), { policy: "never" })
    for (const [t] of pts) times.get(u)!.add(t)
    return v.major
  }
  // U1: 30 inserts interleaved in time (each touches leaves all over the tree), a delete after every sixth.
  for (let i = 0; i < 30; i++) {
    const pts = Array.from(
      { length: 40 },
      (_, k) => [T0 + BigInt(k * 30 + i) * 3_000_000_000n, Math.sin(i * 40 + k)] as const
    )
    built.inserts.add(await insert(U1, pts))
    if (i % 6 === 5) {
      const from = T0 + BigInt(i * 25) * 3_000_000_000n
      const to = from + 50n * 3_000_000_000n
      built.deletes.add((await ds.delete(U1, from, to)).major)
      for (const t of [...times.get(U1)!]) if (t >= from && t < to) times.get(U1)!.delete(t)
    }
  }
  for (let i = 0; i < 10; i++) {
    await insert(U2, Array.from({ length: 25 }, (_, k) => [T0 + BigInt(i * 25 + k) * 1_000_000n, i + k / 100] as const))
  }
  for (let i = 0; i < 3; i++) await insert(U3, [[T0 + BigInt(i), i]])
  await meta.obliterate(U3)
  await ds.obliterate(U3)
  await ds.close()
  await meta.close()
  built.versions = (1 + 30 + 5) + (1 + 10)
  built.points = times.get(U1)!.size + times.get(U2)!.size
})

afterAll(() => {
  for (const d of [source, ...copies]) rmDir(d)
})

describe("verifyDirectory", () => {
  it("passes a sound directory, with exact counts", async () => {
    const dir = copy("sound")
    const all = nodes(dir)
    const recs = records(dir)
    const u1 = recs.filter((r) => r.uuid === U1 && r.kind === 2).map((r) => r.root)
    expect(reachable(all, [u1[u1.length - 1]]).depth).toBeGreaterThanOrEqual(4)
    const report = await verifyDirectory(dir)
    expect(clean(report)).toEqual({ faults: [], notes: [] })
    expect(report).toMatchObject({
      streams: 2,
      obliterated: 1,
      versions: built.versions,
      points: built.points,
      nodes: all.size,
      leaves: [...all.values()].filter((n) => n.kind === 0).length,
      leafPoints: [...all.values()].reduce((s, n) => s + n.n, 0),
      segmentFiles: 1,
      commitRecords: recs.length,
      metadataRecords: 4,
      faultCount: 0,
      damaged: [],
      bytes: fs.statSync(path.join(dir, SEG)).size + fs.statSync(path.join(dir, "commits.log")).size +
        fs.statSync(path.join(dir, "metadata", "metadata.log")).size
    })
    expect(built.points).toBeLessThan(30 * 40 + 10 * 25) // the deletes removed points
  })

  it("reports a flipped byte in a leaf's points once, as a checksum mismatch, and the versions that reach it", async () => {
    const dir = copy("leaf")
    const recs = records(dir)
    const writer = recs.find((r) => r.uuid === U1 && r.major === 15n)!
    expect(built.inserts.has(15n)).toBe(true)
    const leaf = [...nodes(dir).values()].find((n) =>
      n.kind === 0 && n.offset >= writer.start && n.offset < writer.end
    )!
    const seg = fs.readFileSync(path.join(dir, SEG))
    seg[leaf.offset + 24 + 8 * leaf.n + 3] ^= 0x10 // a byte of the first value
    fs.writeFileSync(path.join(dir, SEG), seg)
    const report = await verifyDirectory(dir)
    expect(report.faultCount).toBe(1)
    expect(report.faults[0]).toEqual({
      file: SEG,
      offset: leaf.offset,
      node: leaf.offset,
      stream: U1,
      version: 15n,
      message: "checksum mismatch"
    })
    expect(formatFault(report.faults[0]!)).toBe(
      `${SEG} @ ${leaf.offset} (node ${leaf.offset}, stream ${U1} version 15): checksum mismatch`
    )
    expect(report.damaged).toHaveLength(1)
    expect(report.damaged[0]!.stream).toBe(U1)
    expect(report.damaged[0]!.versions[0]![0]).toBe(15n)
  })

  for (const [field, block, change] of [["min", 128, -1000], ["count", 64, 1], ["M2", 320, 0.5]] as const) {
    it(`reports a wrong ${field} in an internal node's slot (checksums fixed) where it is, once`, async () => {
      const dir = copy(`slot-${field}`)
      const recs = records(dir)
      const all = nodes(dir)
      const writer = recs.find((r) => r.uuid === U1 && r.major === 20n)!
      expect(built.inserts.has(20n)).toBe(true)
      const node = [...all.values()].find((n) =>
        n.kind === 1 && n.offset >= writer.start && n.offset < writer.end && n.offset !== writer.root
      )!
      const c = [...Array(64).keys()].find((k) => node.slots![64 + k] > 0)!
      const child = all.get(node.slots![c])!
      const old = node.slots![block + c]
      const wrong = field === "M2" ? old + 0.5 + Math.abs(old) : old + change
      const seg = fs.readFileSync(path.join(dir, SEG))
      seg.writeDoubleLE(wrong, node.offset + 24 + 8 * (block + c))
      fixNodeCrc(seg, node)
      const log = fs.readFileSync(path.join(dir, "commits.log"))
      fixRecordCrcs(log, seg, writer)
      fs.writeFileSync(path.join(dir, SEG), seg)
      fs.writeFileSync(path.join(dir, "commits.log"), log)

      const report = await verifyDirectory(dir)
      expect(report.faults.map(formatFault)).toEqual([
        `${SEG} @ ${node.offset} (node ${node.offset}, stream ${U1} version 20): slot ${c} says ${field} ${wrong}; ` +
        `recomputed from its ${child.kind === 0 ? "leaf's points" : "subtree"} (node ${child.offset}): ${field} ${old}`
      ])
      expect(report.damaged[0]!.versions[0]![0]).toBe(20n)
    })
  }

  it("reports a flipped byte in a commit record, and what opening the directory would drop", async () => {
    const dir = copy("log")
    const recs = records(dir)
    const log = fs.readFileSync(path.join(dir, "commits.log"))
    log[16 + 72 * 12 + 30] ^= 0x01 // in the root address
    fs.writeFileSync(path.join(dir, "commits.log"), log)
    const report = await verifyDirectory(dir)
    expect(clean(report)).toEqual({
      faults: [
        `commits.log @ ${16 + 72 * 12}: record 12: checksum mismatch; opening the directory would drop it and the ` +
        `${recs.length - 13} records after it`
      ],
      notes: []
    })
    // its nodes are still checked
    expect(report.nodes).toBe(nodes(dir).size)
  })

  it("reports a flipped byte in the metadata log", async () => {
    const dir = copy("metadata")
    const file = path.join(dir, "metadata", "metadata.log")
    const bytes = fs.readFileSync(file)
    const second = 8 + 8 + bytes.readUInt32LE(8)
    bytes[second + 8 + 5] ^= 0x20
    fs.writeFileSync(file, bytes)
    const report = await verifyDirectory(dir)
    expect(report.faults.map(formatFault)).toEqual([
      `metadata/metadata.log @ ${second}: a record fails its checksum; opening the directory would cut off the ` +
      `log's ${bytes.length - second} bytes from it`
    ])
    // the first record still names U1; U2's (the damaged one) is lost
    expect(report.notes.map(formatFault)).toEqual([
      `(stream ${U2}): the stream has data but no metadata (the server does not list it)`
    ])
  })

  it("finds each of 40 one-bit flips anywhere in the nodes or the commit records, never throwing", async () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 40; i++) {
      const dir = copy(`flip-${i}`)
      const file = path.join(dir, i % 4 === 3 ? "commits.log" : SEG)
      const bytes = fs.readFileSync(file)
      const at = 16 + Math.floor(random() * (bytes.length - 16)) // past the headers' unused bytes
      bytes[at] ^= 1 << (i % 8)
      fs.writeFileSync(file, bytes)
      const report = await verifyDirectory(dir)
      expect(report.faultCount, `${file} @ ${at}`).toBeGreaterThan(0)
      rmDir(dir)
    }
  })

  it("takes what a crash leaves (torn log record, uncommitted segment bytes) as notes, not faults", async () => {
    const dir = copy("torn")
    const seg = fs.statSync(path.join(dir, SEG)).size
    const logSize = fs.statSync(path.join(dir, "commits.log")).size
    fs.appendFileSync(path.join(dir, "commits.log"), Buffer.alloc(40, 7))
    fs.appendFileSync(path.join(dir, SEG), Buffer.alloc(1000, 9))
    const report = await verifyDirectory(dir)
    expect(clean(report)).toEqual({
      faults: [],
      notes: [
        `commits.log @ ${logSize}: 40 bytes of a record torn by a crash at the end (cut off at the next open)`,
        `${SEG} @ ${seg}: 1000 bytes past the last committed node (uncommitted when the writer stopped; cut off at ` +
        `the next open)`
      ]
    })
  })

  it("refuses a directory in use, and a directory that is not a data directory", async () => {
    const dir = copy("locked")
    const lock = DirectoryLock.acquire(dir)
    try {
      const message =
        `the data directory ${dir} is in use by process ${process.pid} (one process at a time may open it)`
      await expect(verifyDirectory(dir)).rejects.toThrow(message)
      await expect(diskUsage(dir)).rejects.toThrow(message)
    } finally {
      lock.release()
    }
    const empty = tmpDir("verify-empty")
    copies.push(empty)
    await expect(verifyDirectory(empty)).rejects.toThrow(
      `${empty} is not a BTrDB data directory (it has no commits.log)`
    )
    expect(fs.readdirSync(empty)).toEqual([])
    await expect(verifyDirectory(path.join(empty, "none"))).rejects.toThrow("there is no data directory")
  })
})

describe("diskUsage", () => {
  it("counts each stream's nodes from its latest version and from all, and the files' sizes", async () => {
    const dir = copy("du")
    const recs = records(dir)
    const all = nodes(dir)
    const u = await diskUsage(dir)
    const size = (f: string) => fs.statSync(path.join(dir, f)).size
    expect(u.streams.map((s) => [s.uuid, s.collection, s.name])).toEqual([[U1, "verify", "s1"], [U2, "verify", "s2"]])
    let reached = 0
    for (const s of u.streams) {
      const roots = recs.filter((r) => r.uuid === s.uuid && r.kind === 2).map((r) => r.root)
      const latest = reachable(all, [roots[roots.length - 1]])
      const every = reachable(all, roots)
      expect(s).toMatchObject({
        versions: roots.length + 1,
        latestNodes: latest.nodes,
        latestBytes: latest.bytes,
        allNodes: every.nodes,
        allBytes: every.bytes
      })
      expect(s.allBytes).toBeGreaterThan(s.latestBytes)
      reached += s.allBytes
    }
    expect(u.streams.reduce((n, s) => n + s.points, 0)).toBe(built.points)
    expect(u.segments).toEqual({ files: 1, bytes: size(SEG) })
    expect(u.commitLog).toEqual({ files: 1, bytes: size("commits.log"), records: recs.length })
    expect(u.metadata).toEqual({ files: 1, bytes: size("metadata/metadata.log") })
    // at least the segment's header and the obliterated stream's nodes
    const u3 = recs.filter((r) => r.uuid === U3 && r.kind === 2).map((r) => r.root)
    expect(u.unreachable).toBe(size(SEG) - reached)
    expect(u.unreachable).toBeGreaterThanOrEqual(16 + reachable(all, u3).bytes)
    expect(u.total).toBe(size(SEG) + size("commits.log") + size("metadata/metadata.log"))
  })
})
