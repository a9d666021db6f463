/**
 * Verification of a data directory (`btrdb verify`): every checksum, and the invariants of the tree of every
 * version of every stream, without opening the store (no recovery runs, nothing is written).
 *
 * What it checks:
 * - the commit log: its header, every record's magic number, CRC-32 and kind; that each stream's records go
 *   Create at version 10, then Commits at 11, 12, … and at most one Obliterate; that each node range lies in its
 *   segment file without overlapping another, and that its CRC-32 (kept in the record) matches the bytes;
 * - every node of every segment file, read once in address order: header (magic number, length consistent with
 *   the kind), CRC-32, geometry (pw one of 62, 56, …, 2, start aligned to 2^pw inside the root's span); a leaf's
 *   points sorted by time, inside [start, start + 2^pw), finite, at least one; an internal node's empty slots all
 *   zero and every other slot's child: a node written before it (children always are, nodes being immutable), by
 *   the same stream, spanning exactly the slot's share of the parent, whose count, min and max equal the slot's
 *   and whose mean and M2 equal them within 1e-9 (relative), the child's statistics being recomputed from its
 *   points (a leaf) or from its own children's recomputed statistics (an internal node, so a wrong slot is
 *   reported once, where it is, not again in every ancestor);
 * - every version of every live stream: its root is empty, the previous version's root, or a node its own commit
 *   wrote, spanning the whole time range;
 * - compaction's work (see `compaction.ts`): a node moved by compaction is checked where it is now, under the
 *   address it was first written at (the one its parents and the version roots hold), so the checks above see the
 *   tree as it was written; every live byte of a freed segment has a copy; each copy's range matches the CRC-32 its
 *   Relocate record keeps. Copies made by a compaction that did not finish (their source not freed yet) are checked
 *   against their record's CRC-32 only, and a freed segment whose file is still there (the next open deletes it) is a
 *   note;
 * - the metadata log (`metadata/metadata.log`): its header and every record's checksum and form.
 *
 * A fault names the file and byte offset, the node address, and the stream and version whose commit wrote the node
 * (or that the record commits). Faults in nodes also mark the versions that reach them ({@link VerifyReport.damaged}).
 * Things a crash leaves and the next open cuts off (a torn record at the end of a log, segment bytes past the last
 * commit) are notes, not faults.
 *
 * Memory: the nodes are read sequentially (in the order of their first addresses) through a 1 MiB buffer (a larger
 * node gets a buffer of its own size), and each node, once checked, leaves only an entry of 62 bytes (address,
 * recomputed count/min/max/mean/M2, start, pw, flags, writer) in a table sorted by address, which its parents look
 * their children up in: so each node is read once however many versions share it, and memory grows with the number
 * of nodes (0.4 % of the data for full leaves of 1024 points), never with their bytes. The commit log is kept as one small object per record, as the
 * store itself keeps every version's root.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { FIRST_VERSION } from "../../internal/protocol.js"
import { crc32 } from "../crc32.js"
import { readAt } from "../fileIo.js"
import { decodeLog, type LogRecord } from "../metadata/MetadataLog.js"
import { RecordKind } from "./backend.js"
import {
  type CommitLog,
  INTERNAL_NODE_BYTES,
  leafNodeBytes,
  listSegments,
  METADATA_LOG,
  readCommitLog,
  type SegmentFile,
  withDataDirectory
} from "./dataFiles.js"
import { FILE_LAYOUT } from "./filestore.js"
import {
  EMPTY,
  FANOUT,
  FANOUT_BITS,
  MIN_INTERNAL_PW,
  ROOT_PW,
  ROOT_START,
  S_ADDR,
  S_COUNT,
  S_M2,
  S_MAX,
  S_MEAN,
  S_MIN,
  SLOTS_LEN,
  Summary
} from "./node.js"
import { type Interval, segmentOf, subtract } from "./relocation.js"

const { coreMagic, leafMagic, nodeHeader, segmentHeader, segmentMagic, segmentName, segmentSpan } = FILE_LAYOUT

/** Options of {@link verifyDirectory}. */
export interface VerifyOptions {
  /** Faults kept in the report (the rest are only counted). Default 1000. */
  readonly maxFaults?: number | undefined
  /** Stops the verification (it rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined
  /** Told of the bytes checked so far and the bytes to check, every few MiB. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

/** Something wrong (or, as a note, worth knowing) in a data directory. */
export interface Fault {
  /** The file, relative to the directory. */
  readonly file?: string | undefined
  /** The byte offset in it. */
  readonly offset?: number | undefined
  /** The address of the node at fault. */
  readonly node?: number | undefined
  /** The stream whose commit wrote the node, or that the record is about. */
  readonly stream?: string | undefined
  /** That commit's version. */
  readonly version?: bigint | undefined
  /** What is wrong, and what differs. */
  readonly message: string
}

/** The versions of a stream that reach a damaged node, as inclusive ranges. */
export interface DamagedVersions {
  readonly stream: string
  readonly versions: ReadonlyArray<readonly [bigint, bigint]>
}

/** What {@link verifyDirectory} found. */
export interface VerifyReport {
  /** The directory, absolute. */
  readonly dir: string
  /** Live streams, and obliterated ones. */
  readonly streams: number
  readonly obliterated: number
  /** Versions of the live streams (a new stream has one, 10). */
  readonly versions: number
  /** Nodes checked (every node of every segment file, whichever version or stream it belongs to). */
  readonly nodes: number
  readonly leaves: number
  /** Points in the latest versions of the live streams. */
  readonly points: number
  /** Points in every leaf checked. */
  readonly leafPoints: number
  /** Bytes checked: the segment files, the commit log and the metadata log. */
  readonly bytes: number
  readonly segmentFiles: number
  readonly commitRecords: number
  readonly metadataRecords: number
  /** The faults (at most `maxFaults` of them), and how many there were. */
  readonly faults: ReadonlyArray<Fault>
  readonly faultCount: number
  /** What a crash leaves and the next open repairs, and other remarks. */
  readonly notes: ReadonlyArray<Fault>
  /** The versions that reach damaged nodes, per live stream. */
  readonly damaged: ReadonlyArray<DamagedVersions>
  /** The memory the node table took at its largest, in bytes. */
  readonly tableBytes: number
}

/**
 * Verifies the data directory `dir` (see the module's description), holding its lock meanwhile: fails with a
 * `DirectoryLock.DirectoryInUseError` when a server or any other opener has it, and with a `StatusError` when it is
 * not a data directory. The faults are in the report; it rejects only when it cannot read the files.
 */
export const verifyDirectory = (dir: string, options: VerifyOptions = {}): Promise<VerifyReport> =>
  withDataDirectory(dir, (absolute) => new Verifier(absolute, options).run())

/** One line describing a fault or a note. */
export const formatFault = (f: Fault): string => {
  const where: Array<string> = []
  if (f.node !== undefined) where.push(`node ${f.node}`)
  if (f.stream !== undefined) where.push(`stream ${f.stream}${f.version === undefined ? "" : ` version ${f.version}`}`)
  const file = f.file === undefined ? "" : `${f.file}${f.offset === undefined ? "" : ` @ ${f.offset}`}`
  const head = [file, where.length > 0 ? `(${where.join(", ")})` : ""].filter((s) => s !== "").join(" ")
  return head === "" ? f.message : `${head}: ${f.message}`
}

/** Inclusive version ranges as text: `12-20, 25`. */
export const formatVersions = (ranges: ReadonlyArray<readonly [bigint, bigint]>): string =>
  ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ")

// -------------------------------------------------------------------------------------------------
// The node table

/** The node's own content is wrong (a checksum, its format, or one of its slots). */
const BAD = 1
/** It reaches a node that is bad, missing or unreadable. */
const TAINT = 2
/** No statistics could be recomputed for it (unreadable): its parents' slots are taken as they are. */
const NO_SUMMARY = 4
const LEAF = 8

/**
 * What is kept of each checked node, in columns sorted by address (nodes are checked in address order): its
 * recomputed statistics, geometry, flags and the index of the commit record that wrote it (-1: none).
 */
class NodeTable {
  size = 0
  private cap = 1024
  addr = new Float64Array(this.cap)
  /** count, min, max, mean, M2 (the order of `Summary.merge`). */
  stats = new Float64Array(5 * this.cap)
  start = new BigInt64Array(this.cap)
  pw = new Uint8Array(this.cap)
  flags = new Uint8Array(this.cap)
  writer = new Int32Array(this.cap)

  bytes(): number {
    return this.cap * (8 + 40 + 8 + 1 + 1 + 4)
  }

  add(addr: number, s: Summary, start: bigint, pw: number, flags: number, writer: number): void {
    if (this.size === this.cap) this.grow()
    const i = this.size++
    this.addr[i] = addr
    this.stats[5 * i] = s.count
    this.stats[5 * i + 1] = s.min
    this.stats[5 * i + 2] = s.max
    this.stats[5 * i + 3] = s.mean
    this.stats[5 * i + 4] = s.m2
    this.start[i] = start
    this.pw[i] = pw
    this.flags[i] = flags
    this.writer[i] = writer
  }

  /** The index of the node at `addr`, or -1. */
  find(addr: number): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.addr[mid] < addr) lo = mid + 1
      else hi = mid
    }
    return lo < this.size && this.addr[lo] === addr ? lo : -1
  }

  private grow(): void {
    const cap = this.cap * 2
    const more = <T extends Float64Array | BigInt64Array | Uint8Array | Int32Array>(
      a: T,
      make: (n: number) => T
    ): T => {
      const b = make(a.length * 2)
      b.set(a as never)
      return b
    }
    this.addr = more(this.addr, (n) => new Float64Array(n))
    this.stats = more(this.stats, (n) => new Float64Array(n))
    this.start = more(this.start, (n) => new BigInt64Array(n))
    this.pw = more(this.pw, (n) => new Uint8Array(n))
    this.flags = more(this.flags, (n) => new Uint8Array(n))
    this.writer = more(this.writer, (n) => new Int32Array(n))
    this.cap = cap
  }
}

/** Address ranges [start, end) whose nodes could not be read: references into them are not faults of their own. */
class Damaged {
  private readonly starts: Array<number> = []
  private readonly ends: Array<number> = []

  add(start: number, end: number): void {
    if (end > start) {
      this.starts.push(start)
      this.ends.push(end)
    }
  }

  has(addr: number): boolean {
    for (let i = 0; i < this.starts.length; i++) if (addr >= this.starts[i] && addr < this.ends[i]) return true
    return false
  }
}

// -------------------------------------------------------------------------------------------------
// Sequential reads

const BLOCK = 1 << 20
const YIELD_EVERY = 16 << 20

/** Segment files read forwards through one buffer, one file at a time. */
class SegmentReader {
  buf = new Uint8Array(BLOCK)
  view = new DataView(this.buf.buffer)
  private fd = -1
  private size = 0
  private start = 0
  private end = 0

  /** Reads from the file `fd` of `size` bytes from now on. */
  use(fd: number, size: number): void {
    if (fd === this.fd) return
    this.fd = fd
    this.size = size
    this.start = 0
    this.end = 0
  }

  /** Makes the buffer hold [pos, pos + len) (which must lie in the file); returns where it starts in the buffer. */
  at(pos: number, len: number): number {
    if (pos >= this.start && pos + len <= this.end) return pos - this.start
    if (len > this.buf.length) {
      this.buf = new Uint8Array(len)
      this.view = new DataView(this.buf.buffer)
    }
    const want = Math.min(Math.max(len, BLOCK), this.buf.length, this.size - pos)
    const got = readAt(this.fd, this.buf.subarray(0, want), pos)
    this.start = pos
    this.end = pos + got
    if (got < len) throw new Error(`short read at ${pos}`)
    return 0
  }
}

/** A node range of a commit or of a Relocate record, as the scan meets it. */
interface Range {
  readonly rec: number
  readonly start: number
  readonly end: number
  readonly crc: number
  /** The address its first byte was first written at (its own, unless compaction copied it here). */
  readonly logical: number
  /** Copied here by a compaction that has not freed the source yet: checked against its CRC-32 only. */
  readonly pending: boolean
  /** Something in it was reported already, so a range checksum mismatch says nothing more. */
  faulted: boolean
}

/** Bytes of a segment file, checked as nodes at the addresses they were first written at. */
interface Piece {
  readonly seg: SegmentFile
  readonly start: number
  readonly end: number
  /** The address of the byte at `start`. */
  readonly logical: number
  /** The range the bytes are (undefined: bytes in no record's range). */
  readonly range: Range | undefined
}

/** The range among `ranges` (sorted by start, not overlapping) that holds `addr`. */
const rangeAt = <C extends { readonly start: number; readonly end: number }>(
  ranges: ReadonlyArray<C>,
  addr: number
): C | undefined => {
  let lo = 0
  let hi = ranges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ranges[mid].start <= addr) lo = mid + 1
    else hi = mid
  }
  return lo > 0 && addr < ranges[lo - 1].end ? ranges[lo - 1] : undefined
}

const TWO_62 = 1n << 62n

const validPw = (pw: number, internal: boolean): boolean =>
  Number.isInteger(pw) && pw <= ROOT_PW && pw >= (internal ? MIN_INTERNAL_PW : 2) && (ROOT_PW - pw) % FANOUT_BITS === 0

/** Whether [start, start + 2^pw) is one of the spans the tree's geometry gives nodes of width 2^pw. */
const alignedSpan = (start: bigint, pw: number): boolean => {
  const off = start - ROOT_START
  return off >= 0n && off < TWO_62 && (off & ((1n << BigInt(pw)) - 1n)) === 0n
}

const span = (start: bigint, pw: number): string => `[${start}, ${start + (1n << BigInt(pw))}) (pw ${pw})`

const close = (a: number, b: number, scale: number): boolean => a === b || Math.abs(a - b) <= 1e-9 * scale

const STAT_NAMES = ["count", "min", "max", "mean", "M2"] as const

// -------------------------------------------------------------------------------------------------
// The verifier

interface StreamVersions {
  readonly majors: Array<bigint>
  readonly roots: Array<number>
  /** Index (in the log's well-formed records) of the record of each version, -1 for the creation. */
  readonly recs: Array<number>
}

class Verifier {
  private readonly maxFaults: number
  private readonly faults: Array<Fault> = []
  private faultCount = 0
  private readonly notes: Array<Fault> = []
  private readonly table = new NodeTable()
  private readonly damagedAddrs = new Damaged()
  private log!: CommitLog
  private readonly summary = new Summary()
  private readonly acc = new Summary()
  private nodes = 0
  private leaves = 0
  private leafPoints = 0
  private done = 0
  private total = 0
  private sinceYield = 0
  private segments: Array<SegmentFile> = []
  private metadataRecords = 0
  /** Where the committed nodes end (the next open cuts the segments back to there). */
  private lastSeg = 0
  private lastEnd: number = segmentHeader
  /** The segments compaction freed, and the streams not obliterated. */
  private readonly freed = new Set<number>()
  private live = new Set<string>()
  /** The node range of every commit, by address: whose commit wrote a node that compaction moved. */
  private origins: Array<{ readonly start: number; readonly end: number; readonly rec: number }> = []
  /** Where the piece being scanned lies relative to its nodes' addresses (its offset minus their first address). */
  private shift = 0

  constructor(private readonly dir: string, private readonly options: VerifyOptions) {
    this.maxFaults = options.maxFaults ?? 1000
  }

  private fault(f: Fault): void {
    this.faultCount++
    if (this.faults.length < this.maxFaults) this.faults.push(f)
  }

  private writerOf(rec: number): { stream?: string; version?: bigint } {
    if (rec < 0) return {}
    const r = this.log.records[rec]
    return { stream: r.uuid, version: r.major }
  }

  /** A fault of the node at `addr` (its first address) of the piece being scanned, which says where it is. */
  private nodeFault(addr: number, rec: number, message: string): void {
    const at = addr + this.shift
    const seg = segmentOf(at)
    this.fault({ file: segmentName(seg), offset: at - seg * segmentSpan, node: addr, ...this.writerOf(rec), message })
  }

  private async progress(bytes: number): Promise<void> {
    this.done += bytes
    this.sinceYield += bytes
    if (this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0
      this.options.onProgress?.(this.done, this.total)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    if (this.options.signal?.aborted === true) throw this.options.signal.reason ?? new Error("verification aborted")
  }

  async run(): Promise<VerifyReport> {
    this.log = readCommitLog(this.dir)
    this.segments = listSegments(this.dir)
    const metaPath = path.join(this.dir, METADATA_LOG)
    const metaSize = fs.existsSync(metaPath) ? fs.statSync(metaPath).size : 0
    this.total = this.log.size + metaSize + this.segments.reduce((n, s) => n + s.size, 0)

    this.checkLog()
    const streams = this.replay()
    this.live = new Set(streams.live.keys())
    this.checkFreed(streams.live)
    await this.scanSegments()
    const { damaged, points, versions } = this.checkVersions(streams.live)
    const metaUuids = this.checkMetadata(metaPath)
    if (metaUuids !== undefined) {
      for (const uuid of streams.live.keys()) {
        if (!metaUuids.has(uuid)) {
          this.notes.push({
            stream: uuid,
            message: "the stream has data but no metadata (the server does not list it)"
          })
        }
      }
    }
    this.options.onProgress?.(this.total, this.total)
    return {
      dir: this.dir,
      streams: streams.live.size,
      obliterated: streams.obliterated,
      versions,
      nodes: this.nodes,
      leaves: this.leaves,
      points,
      leafPoints: this.leafPoints,
      bytes: this.total,
      segmentFiles: this.segments.length,
      commitRecords: this.log.records.length + this.log.bad.length,
      metadataRecords: this.metadataRecords,
      faults: this.faults,
      faultCount: this.faultCount,
      notes: this.notes,
      damaged,
      tableBytes: this.table.bytes()
    }
  }

  // --- the commit log ---------------------------------------------------------------------------

  private checkLog(): void {
    const file = FILE_LAYOUT.logFile
    const log = this.log
    if (log.headerFault !== undefined) this.fault({ file, offset: 0, message: log.headerFault })
    const total = log.records.length + log.bad.length
    log.bad.forEach((b, k) => {
      this.fault({
        file,
        offset: b.offset,
        message: `record ${b.index}: ${b.reason}` +
          (k === 0 ? `; opening the directory would drop it and the ${total - b.index - 1} records after it` : "")
      })
    })
    if (log.tornBytes > 0) {
      this.notes.push({
        file,
        offset: log.size - log.tornBytes,
        message: `${log.tornBytes} bytes of a record torn by a crash at the end (cut off at the next open)`
      })
    }
  }

  /** Replays the well-formed records as the store does, checking their order. */
  private replay(): { readonly live: Map<string, StreamVersions>; readonly obliterated: number } {
    const file = FILE_LAYOUT.logFile
    const live = new Map<string, StreamVersions>()
    const tombstones = new Set<string>()
    const firstBad = this.log.bad.length > 0 ? this.log.bad[0].index : Infinity
    this.log.records.forEach((r, k) => {
      // After a damaged record, the one missing may explain a gap in the versions.
      const gapExplained = r.index > firstBad
      const where = { file, offset: r.offset, stream: r.uuid, version: r.major }
      const st = live.get(r.uuid)
      if (r.kind === RecordKind.Create) {
        if (st !== undefined) this.fault({ ...where, message: `record ${r.index} creates a stream that exists` })
        if (tombstones.has(r.uuid)) {
          this.fault({ ...where, message: `record ${r.index} creates a stream that was obliterated` })
        }
        if (r.major !== FIRST_VERSION) {
          this.fault({ ...where, message: `record ${r.index} creates the stream at version ${r.major}, not 10` })
        }
        if (r.rangeEnd !== r.rangeStart || r.root !== EMPTY) {
          this.fault({ ...where, message: `record ${r.index} creates the stream with nodes` })
        }
        live.set(r.uuid, { majors: [r.major], roots: [EMPTY], recs: [k] })
        tombstones.delete(r.uuid)
      } else if (r.kind === RecordKind.Commit) {
        if (st === undefined) {
          if (!gapExplained) {
            this.fault({ ...where, message: `record ${r.index} commits a version of a stream that does not exist` })
          }
          return
        }
        const expected = st.majors[st.majors.length - 1] + 1n
        if (r.major !== expected && !gapExplained) {
          this.fault({ ...where, message: `record ${r.index} commits version ${r.major}, not ${expected}` })
        }
        st.majors.push(r.major)
        st.roots.push(r.root)
        st.recs.push(k)
      } else if (r.kind === RecordKind.Obliterate) {
        if (st === undefined && !gapExplained) {
          this.fault({ ...where, message: `record ${r.index} obliterates a stream that does not exist` })
        }
        live.delete(r.uuid)
        tombstones.add(r.uuid)
      } else if (r.kind === RecordKind.Relocate) {
        if (st === undefined && !tombstones.has(r.uuid) && !gapExplained) {
          this.fault({ ...where, message: `record ${r.index} relocates nodes of a stream that does not exist` })
        }
      } else {
        if (this.freed.has(r.seg)) {
          this.fault({ file, offset: r.offset, message: `record ${r.index} frees ${segmentName(r.seg)} a second time` })
        }
        this.freed.add(r.seg)
      }
    })
    return { live, obliterated: tombstones.size }
  }

  /** Every live byte of a freed segment (a live stream's node range there) has a copy. */
  private checkFreed(live: Map<string, StreamVersions>): void {
    const held = new Map<number, Array<Interval>>()
    const copied = new Map<number, Array<{ start: number; end: number }>>()
    const push = <T>(m: Map<number, Array<T>>, seg: number, v: T) => {
      const list = m.get(seg)
      if (list === undefined) m.set(seg, [v])
      else list.push(v)
    }
    for (const r of this.log.records) {
      if (r.kind === RecordKind.Relocate) {
        const from = segmentOf(r.root)
        const offset = r.root - from * segmentSpan
        if (this.freed.has(from)) push(copied, from, { start: offset, end: offset + r.rangeEnd - r.rangeStart })
      }
      const ranged = r.kind === RecordKind.Commit || r.kind === RecordKind.Relocate
      if (ranged && r.rangeEnd > r.rangeStart && this.freed.has(r.seg) && live.has(r.uuid)) {
        push(held, r.seg, { start: r.rangeStart, end: r.rangeEnd, uuid: r.uuid })
      }
    }
    for (const [seg, intervals] of held) {
      for (const lost of subtract(intervals, copied.get(seg) ?? [])) {
        this.fault({
          file: segmentName(seg),
          offset: lost.start,
          stream: lost.uuid,
          message: `compaction freed the segment without copying ${lost.end - lost.start} bytes of the stream's ` +
            `nodes, [${lost.start}, ${lost.end})`
        })
        this.damagedAddrs.add(seg * segmentSpan + lost.start, seg * segmentSpan + lost.end)
      }
    }
  }

  // --- the segment files ------------------------------------------------------------------------

  /** The node ranges of the well-formed records, per segment, sorted; faults for impossible ones. */
  private ranges(): Map<number, Array<Range>> {
    const sizes = new Map(this.segments.map((s) => [s.index, s.size]))
    const out = new Map<number, Array<Range>>()
    const missing = new Map<number, number>()
    const commits: Array<{ start: number; end: number; rec: number }> = []
    // Per segment, the ranges Relocate records copied nodes to (in log order, so by offset) with their first address.
    const copies = new Map<number, Array<{ start: number; end: number; logical: number }>>()
    this.log.records.forEach((r, k) => {
      if (r.rangeEnd === r.rangeStart) return
      const where = { file: FILE_LAYOUT.logFile, offset: r.offset, stream: r.uuid, version: r.major }
      if (
        !Number.isSafeInteger(r.rangeStart) || !Number.isSafeInteger(r.rangeEnd) || r.rangeStart < segmentHeader ||
        r.rangeEnd < r.rangeStart || r.rangeEnd > segmentSpan
      ) {
        this.fault({
          ...where,
          message: `record ${r.index} has an impossible node range [${r.rangeStart}, ${r.rangeEnd})`
        })
        return
      }
      if (r.seg > this.lastSeg || (r.seg === this.lastSeg && r.rangeEnd > this.lastEnd)) {
        this.lastSeg = r.seg
        this.lastEnd = r.rangeEnd
      }
      const base = r.seg * segmentSpan
      let logical = base + r.rangeStart
      if (r.kind === RecordKind.Relocate) {
        const from = rangeAt(copies.get(segmentOf(r.root)) ?? [], r.root)
        logical = from === undefined ? r.root : from.logical + (r.root - from.start)
        let list = copies.get(r.seg)
        if (list === undefined) copies.set(r.seg, list = [])
        list.push({ start: base + r.rangeStart, end: base + r.rangeEnd, logical })
      } else {
        commits.push({ start: logical, end: base + r.rangeEnd, rec: k })
      }
      // A freed segment's nodes are where its Relocate records put them (checkFreed sees that every live one is).
      if (this.freed.has(r.seg)) return
      const size = sizes.get(r.seg)
      if (size === undefined) {
        missing.set(r.seg, (missing.get(r.seg) ?? 0) + 1)
        this.damagedAddrs.add(base + r.rangeStart, base + r.rangeEnd)
        return
      }
      if (r.rangeEnd > size) {
        this.fault({
          ...where,
          message: `record ${r.index}: its nodes [${r.rangeStart}, ${r.rangeEnd}) go past the end of ` +
            `${segmentName(r.seg)} (${size} bytes)`
        })
        this.damagedAddrs.add(base + Math.max(r.rangeStart, size), base + r.rangeEnd)
        if (r.rangeStart >= size) return
      }
      let list = out.get(r.seg)
      if (list === undefined) out.set(r.seg, list = [])
      list.push({
        rec: k,
        start: r.rangeStart,
        end: Math.min(r.rangeEnd, size),
        crc: r.rangeCrc,
        logical,
        pending: r.kind === RecordKind.Relocate && !this.freed.has(segmentOf(r.root)),
        faulted: r.rangeEnd > size
      })
    })
    this.origins = commits.sort((a, b) => a.start - b.start)
    for (const [seg, n] of missing) {
      this.fault({
        file: segmentName(seg),
        message: `the segment file is missing (${n} commits have their nodes there)`
      })
    }
    for (const [seg, list] of out) {
      list.sort((a, b) => a.start - b.start)
      const kept: Array<Range> = []
      for (const r of list) {
        const prev = kept[kept.length - 1]
        if (prev !== undefined && r.start < prev.end) {
          const rec = this.log.records[r.rec]
          this.fault({
            file: FILE_LAYOUT.logFile,
            offset: rec.offset,
            stream: rec.uuid,
            version: rec.major,
            message: `record ${rec.index}: its nodes [${r.start}, ${r.end}) in ${segmentName(seg)} overlap those of ` +
              `record ${this.log.records[prev.rec].index}`
          })
          continue
        }
        kept.push(r)
      }
      out.set(seg, kept)
    }
    return out
  }

  private async scanSegments(): Promise<void> {
    const ranges = this.ranges()
    const { lastEnd, lastSeg } = this
    const reader = new SegmentReader()
    const fds = new Map<number, number>()
    const pieces: Array<Piece> = []
    const pending: Array<Range> = []
    try {
      for (const s of this.segments) {
        const file = s.name
        if (s.index > lastSeg) {
          this.notes.push({
            file,
            message: `the segment holds no committed nodes (${s.size} bytes; removed at the next open)`
          })
          await this.progress(s.size)
          continue
        }
        if (this.freed.has(s.index)) {
          this.notes.push({
            file,
            message: `compaction freed the segment and copied its live nodes elsewhere (${s.size} bytes; deleted at ` +
              `the next open)`
          })
          await this.progress(s.size)
          continue
        }
        const fd = fs.openSync(path.join(this.dir, file), "r")
        fds.set(s.index, fd)
        reader.use(fd, s.size)
        this.checkSegmentHeader(s, reader)
        const limit = Math.min(s.index === lastSeg ? lastEnd : s.size, s.size)
        const base = s.index * segmentSpan
        let pos: number = segmentHeader
        for (const range of ranges.get(s.index) ?? []) {
          if (range.start >= limit) break
          if (range.start > pos) {
            pieces.push({ seg: s, start: pos, end: range.start, logical: base + pos, range: undefined })
          }
          if (range.pending) pending.push(range)
          else {pieces.push({
              seg: s,
              start: range.start,
              end: Math.min(range.end, limit),
              logical: range.logical,
              range
            })}
          pos = Math.min(range.end, limit)
        }
        if (pos < limit) pieces.push({ seg: s, start: pos, end: limit, logical: base + pos, range: undefined })
        if (s.size > limit) {
          this.notes.push({
            file: s.name,
            offset: limit,
            message: `${s.size - limit} bytes past the last committed node (uncommitted when the writer stopped; ` +
              `cut off at the next open)`
          })
          await this.progress(s.size - limit)
        }
      }
      // In the order the nodes were first written, so that children come before their parents.
      pieces.sort((a, b) => a.logical - b.logical)
      let reached = 0
      for (const piece of pieces) {
        if (piece.logical < reached) {
          this.fault({
            file: piece.seg.name,
            offset: piece.start,
            message: `nodes [${piece.start}, ${piece.end}) are a second copy of the nodes first written at ` +
              `${piece.logical} (two relocations of the same nodes)`
          })
          await this.progress(piece.end - piece.start)
          continue
        }
        reached = piece.logical + piece.end - piece.start
        reader.use(fds.get(piece.seg.index)!, piece.seg.size)
        await this.scanPiece(reader, piece)
      }
      for (const range of pending) {
        const seg = this.segments.find((s) => s.index === this.log.records[range.rec].seg)!
        reader.use(fds.get(seg.index)!, seg.size)
        await this.checkPendingCopy(reader, seg, range)
      }
    } finally {
      for (const fd of fds.values()) fs.closeSync(fd)
    }
  }

  private checkSegmentHeader(s: SegmentFile, reader: SegmentReader): void {
    if (s.size < segmentHeader) {
      this.fault({ file: s.name, offset: 0, message: `the file is ${s.size} bytes, shorter than its header` })
      return
    }
    const at = reader.at(0, segmentHeader)
    const magic = Buffer.from(reader.buf.buffer, reader.buf.byteOffset + at, 8).toString("latin1")
    const version = reader.view.getUint32(at + 8, true)
    const index = reader.view.getUint32(at + 12, true)
    if (magic !== segmentMagic) {
      this.fault({ file: s.name, offset: 0, message: "not a segment file (bad magic number)" })
    } else if (version !== 1) this.fault({ file: s.name, offset: 8, message: `unknown format version ${version}` })
    else if (index !== s.index) {
      this.fault({ file: s.name, offset: 12, message: `the header says segment ${index}, the name ${s.index}` })
    }
  }

  /**
   * Checks the nodes of one piece of a segment (a record's range, or bytes in no range: the nodes of a damaged
   * record, read as nodes too), each under the address it was first written at.
   */
  private async scanPiece(reader: SegmentReader, piece: Piece): Promise<void> {
    const { range, seg } = piece
    const base = seg.index * segmentSpan
    this.shift = base + piece.start - piece.logical
    const moved = range !== undefined && this.log.records[range.rec].kind === RecordKind.Relocate
    let pos = piece.start
    let crc = 0
    while (pos < piece.end) {
      const addr = base + pos - this.shift
      const rec = range === undefined ? -1 : moved ? rangeAt(this.origins, addr)?.rec ?? -1 : range.rec
      const len = this.nodeLength(reader, pos, piece.end)
      if (typeof len === "string") {
        // Lost the thread: the rest of the piece is unreadable.
        if (range !== undefined) {
          range.faulted = true
          this.nodeFault(addr, rec, `${len}; the rest of its commit's nodes, ${piece.end - pos} bytes, cannot be read`)
        } else {
          this.notes.push({
            file: seg.name,
            offset: pos,
            message: `${piece.end - pos} bytes in no commit's node range do not hold nodes (${len})`
          })
        }
        this.damagedAddrs.add(addr, addr + piece.end - pos)
        await this.progress(piece.end - pos)
        pos = piece.end
        continue
      }
      const at = reader.at(pos, len)
      if (range !== undefined) crc = crc32(reader.buf, at, at + len, crc)
      if (!this.checkNode(reader, at, addr, len, rec) && range !== undefined) range.faulted = true
      pos += len
      if (range !== undefined && pos === range.end && !range.faulted && crc !== range.crc) this.rangeCrcFault(range)
      await this.progress(len)
    }
  }

  private rangeCrcFault(range: Range): void {
    const r = this.log.records[range.rec]
    this.fault({
      file: segmentName(r.seg),
      offset: range.start,
      stream: r.uuid,
      version: r.major,
      message: `the nodes of ${r.kind === RecordKind.Relocate ? "relocation" : "commit"} record ${r.index}, ` +
        `[${range.start}, ${range.end}), fail the checksum the record keeps for them, though each node passes its own ` +
        `(damage outside the nodes' checksums)`
    })
  }

  /** The nodes a compaction that did not finish copied: their bytes against the CRC-32 their record keeps. */
  private async checkPendingCopy(reader: SegmentReader, seg: SegmentFile, range: Range): Promise<void> {
    let crc = 0
    for (let pos = range.start; pos < range.end;) {
      const part = Math.min(BLOCK, range.end - pos)
      const at = reader.at(pos, part)
      crc = crc32(reader.buf, at, at + part, crc)
      pos += part
      await this.progress(part)
    }
    const r = this.log.records[range.rec]
    if (crc !== range.crc) {
      this.fault({
        file: seg.name,
        offset: range.start,
        stream: r.uuid,
        message: `the nodes relocation record ${r.index} copied, [${range.start}, ${range.end}), fail the checksum ` +
          `the record keeps for them`
      })
    } else {
      this.notes.push({
        file: seg.name,
        offset: range.start,
        stream: r.uuid,
        message: `${range.end - range.start} bytes of nodes copied by a compaction that did not finish (its next ` +
          `pass uses them)`
      })
    }
  }

  /** The length of the node at `pos`, or why there is no node there whose length can be trusted. */
  private nodeLength(reader: SegmentReader, pos: number, boundary: number): number | string {
    if (pos % 8 !== 0) return "node offset not a multiple of 8"
    if (pos + nodeHeader > boundary) return `${boundary - pos} bytes, too few for a node`
    const at = reader.at(pos, nodeHeader)
    const magic = reader.view.getUint32(at, true)
    const len = reader.view.getUint32(at + 4, true)
    const n = reader.view.getUint32(at + 20, true)
    if (magic !== leafMagic && magic !== coreMagic) return "bad node magic number"
    if (len !== (magic === leafMagic ? leafNodeBytes(n) : INTERNAL_NODE_BYTES)) {
      return `bad node length ${len} for ${magic === leafMagic ? `a leaf of ${n} points` : "an internal node"}`
    }
    if (pos + len > boundary) return `a node of ${len} bytes that goes past the end of its commit's nodes`
    return len
  }

  /** Checks one node (its bytes at `at` in the reader's buffer) and adds it to the table; false when it is bad. */
  private checkNode(reader: SegmentReader, at: number, addr: number, len: number, rec: number): boolean {
    const { buf, view } = reader
    const leaf = view.getUint32(at, true) === leafMagic
    const start = view.getBigInt64(at + 8, true)
    const pw = view.getUint32(at + 16, true)
    this.nodes++
    if (leaf) this.leaves++
    const kindFlag = leaf ? LEAF : 0
    if (crc32(buf, at, at + len - 8) !== view.getUint32(at + len - 8, true)) {
      this.nodeFault(addr, rec, "checksum mismatch")
      this.summary.reset()
      this.table.add(addr, this.summary, start, pw & 0xff, kindFlag | BAD | NO_SUMMARY, rec)
      return false
    }
    if (!validPw(pw, !leaf) || !alignedSpan(start, pw)) {
      this.nodeFault(addr, rec, `impossible ${leaf ? "leaf" : "internal node"} span: start ${start}, pw ${pw}`)
      this.summary.reset()
      this.table.add(addr, this.summary, start, pw & 0xff, kindFlag | BAD | NO_SUMMARY, rec)
      return false
    }
    return leaf ?
      this.checkLeaf(buf, at, addr, start, pw, view.getUint32(at + 20, true), rec) :
      this.checkInternal(buf, at, addr, start, pw, rec)
  }

  private checkLeaf(buf: Uint8Array, at: number, addr: number, start: bigint, pw: number, n: number, rec: number) {
    const from = buf.byteOffset + at + nodeHeader
    const aligned = from % 8 === 0
    const times = aligned ?
      new BigInt64Array(buf.buffer, from, n) :
      new BigInt64Array(buf.slice(at + nodeHeader, at + nodeHeader + 8 * n).buffer)
    const values = aligned ?
      new Float64Array(buf.buffer, from + 8 * n, n) :
      new Float64Array(buf.slice(at + nodeHeader + 8 * n, at + nodeHeader + 16 * n).buffer)
    this.leafPoints += n
    const problems: Array<string> = []
    if (n === 0) problems.push("a leaf without points")
    const end = start + (1n << BigInt(pw))
    let prev = start
    for (let i = 0; i < n; i++) {
      const t = times[i]
      if (t < prev) {
        problems.push(
          i > 0 && t < times[i - 1] ?
            `points not sorted by time: ${times[i - 1]} before ${t} (index ${i})` :
            `point ${i} at ${t} is before the leaf's span ${span(start, pw)}`
        )
        break
      }
      prev = t
    }
    if (n > 0 && times[n - 1] >= end) {
      problems.push(`point ${n - 1} at ${times[n - 1]} is past the leaf's span ${span(start, pw)}`)
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) {
        problems.push(`point ${i} has the value ${values[i]}`)
        break
      }
    }
    for (const p of problems) this.nodeFault(addr, rec, p)
    this.summary.ofValues(values, 0, n)
    this.table.add(addr, this.summary, start, pw, LEAF | (problems.length > 0 ? BAD : 0), rec)
    return problems.length === 0
  }

  private checkInternal(buf: Uint8Array, at: number, addr: number, start: bigint, pw: number, rec: number): boolean {
    const from = buf.byteOffset + at + nodeHeader
    const slots = from % 8 === 0 ?
      new Float64Array(buf.buffer, from, SLOTS_LEN) :
      new Float64Array(buf.slice(at + nodeHeader, at + nodeHeader + 8 * SLOTS_LEN).buffer)
    const t = this.table
    const acc = this.acc
    acc.reset()
    const cpw = pw - FANOUT_BITS
    const cpwB = BigInt(cpw)
    const stream = rec >= 0 ? this.log.records[rec].uuid : undefined
    let bad = false
    let taint = false
    let children = 0
    const problem = (message: string) => {
      bad = true
      this.nodeFault(addr, rec, message)
    }
    for (let c = 0; c < FANOUT; c++) {
      const a = slots[S_ADDR + c]
      const count = slots[S_COUNT + c]
      if (count === 0) {
        if (
          a !== 0 || slots[S_MIN + c] !== 0 || slots[S_MAX + c] !== 0 || slots[S_MEAN + c] !== 0 ||
          slots[S_M2 + c] !== 0
        ) {
          problem(`slot ${c} is empty (count 0) but holds ${a !== 0 ? `the address ${a}` : "statistics"}`)
        }
        continue
      }
      children++
      const fromSlot = () => acc.merge(count, slots[S_MIN + c], slots[S_MAX + c], slots[S_MEAN + c], slots[S_M2 + c])
      if (!(Number.isSafeInteger(count) && count > 0)) {
        problem(`slot ${c} has the count ${count}`)
        continue
      }
      const i = Number.isSafeInteger(a) && a > 0 && a < addr ? t.find(a) : -1
      if (i < 0) {
        // An obliterated stream's node left in a segment not compacted yet may have had its children in a freed one.
        const orphan = stream !== undefined && !this.live.has(stream) && this.freed.has(segmentOf(a))
        if (this.damagedAddrs.has(a)) taint = true
        else if (!orphan) problem(`slot ${c} refers to ${a}, which is not a node written before it`)
        fromSlot()
        continue
      }
      const cs = start + (BigInt(c) << cpwB)
      if (t.start[i] !== cs || t.pw[i] !== cpw) {
        problem(`slot ${c} refers to node ${a}, which spans ${span(t.start[i], t.pw[i])}, not ${span(cs, cpw)}`)
      }
      const w = t.writer[i]
      if (stream !== undefined && w >= 0 && this.log.records[w].uuid !== stream) {
        problem(`slot ${c} refers to node ${a}, written by stream ${this.log.records[w].uuid}`)
      }
      const f = t.flags[i]
      if ((f & (BAD | TAINT)) !== 0) taint = true
      if ((f & NO_SUMMARY) !== 0) {
        fromSlot()
        continue
      }
      const s = 5 * i
      const st = t.stats
      const scale = Math.max(Math.abs(st[s + 1]), Math.abs(st[s + 2]))
      const range = st[s + 2] - st[s + 1]
      const mine = [count, slots[S_MIN + c], slots[S_MAX + c], slots[S_MEAN + c], slots[S_M2 + c]]
      const ok = [
        mine[0] === st[s],
        mine[1] === st[s + 1],
        mine[2] === st[s + 2],
        close(mine[3], st[s + 3], scale),
        close(mine[4], st[s + 4], st[s + 4] + st[s] * range * range)
      ]
      if (ok.includes(false)) {
        const says = ok.flatMap((good, k) => (good ? [] : [`${STAT_NAMES[k]} ${mine[k]}`])).join(", ")
        const has = ok.flatMap((good, k) => (good ? [] : [`${STAT_NAMES[k]} ${st[s + k]}`])).join(", ")
        problem(
          `slot ${c} says ${says}; recomputed from its ${(f & LEAF) !== 0 ? "leaf's points" : "subtree"} ` +
            `(node ${a}): ${has}`
        )
      }
      acc.merge(st[s], st[s + 1], st[s + 2], st[s + 3], st[s + 4])
    }
    if (children === 0) problem("an internal node without children")
    t.add(addr, acc, start, pw, (bad ? BAD : 0) | (taint ? TAINT : 0), rec)
    return !bad
  }

  // --- versions ---------------------------------------------------------------------------------

  private checkVersions(
    live: Map<string, StreamVersions>
  ): { damaged: Array<DamagedVersions>; points: number; versions: number } {
    const t = this.table
    const damaged: Array<DamagedVersions> = []
    let points = 0
    let versions = 0
    for (const [uuid, st] of live) {
      const hurt: Array<[bigint, bigint]> = []
      const mark = (v: bigint) => {
        const last = hurt[hurt.length - 1]
        if (last !== undefined && last[1] + 1n === v) last[1] = v
        else hurt.push([v, v])
      }
      let latestCount = 0
      for (let k = 0; k < st.roots.length; k++) {
        versions++
        const root = st.roots[k]
        const version = st.majors[k]
        latestCount = 0
        if (root === EMPTY) continue
        const rec = this.log.records[st.recs[k]]
        const where = { file: FILE_LAYOUT.logFile, offset: rec.offset, stream: uuid, version }
        const ownStart = rec.seg * segmentSpan + rec.rangeStart
        const ownEnd = rec.seg * segmentSpan + rec.rangeEnd
        // (A version missing before this one, its record damaged, may have made the previous root.)
        const afterGap = k > 0 && st.majors[k] !== st.majors[k - 1] + 1n
        if (!afterGap && !(k > 0 && root === st.roots[k - 1]) && !(root >= ownStart && root < ownEnd)) {
          this.fault({
            ...where,
            message: `the root ${root} is neither the previous version's nor a node this commit wrote`
          })
        }
        const i = Number.isSafeInteger(root) && root > 0 ? t.find(root) : -1
        if (i < 0) {
          if (!this.damagedAddrs.has(root)) this.fault({ ...where, message: `the root ${root} is not a node` })
          mark(version)
          continue
        }
        if (t.start[i] !== ROOT_START || t.pw[i] !== ROOT_PW) {
          this.fault({
            ...where,
            message: `the root ${root} spans ${span(t.start[i], t.pw[i])}, not the whole time range`
          })
          mark(version)
        } else if ((t.flags[i] & (BAD | TAINT)) !== 0) {
          mark(version)
        }
        latestCount = t.stats[5 * i]
      }
      points += latestCount
      if (hurt.length > 0) damaged.push({ stream: uuid, versions: hurt })
    }
    return { damaged, points, versions }
  }

  // --- the metadata log -------------------------------------------------------------------------

  /** Checks the metadata log; returns the uuids of the live streams it holds (undefined when it is unusable). */
  private checkMetadata(file: string): Set<string> | undefined {
    const name = METADATA_LOG
    if (!fs.existsSync(file)) {
      this.notes.push({ file: name, message: "there is no metadata log (a directory written by the data store alone)" })
      return undefined
    }
    const bytes = fs.readFileSync(file)
    this.done += bytes.length
    let records: ReadonlyArray<LogRecord>
    let valid: number
    try {
      const decoded = decodeLog(bytes)
      records = decoded.records
      valid = decoded.validBytes
    } catch (e) {
      this.fault({ file: name, message: e instanceof Error ? e.message : String(e) })
      return undefined
    }
    this.metadataRecords = records.length
    if (valid < bytes.length) {
      const rest = bytes.length - valid
      const len = valid >= 8 && valid + 8 <= bytes.length ? bytes.readUInt32LE(valid) : undefined
      if (valid < 8 || len === undefined || valid + 8 + len > bytes.length) {
        this.notes.push({
          file: name,
          offset: valid,
          message: `${rest} bytes of a record torn by a crash at the end (cut off at the next open)`
        })
      } else {
        this.fault({
          file: name,
          offset: valid,
          message: `a record fails its checksum; opening the directory would cut off the log's ${rest} bytes from it`
        })
      }
    }
    const uuids = new Set<string>()
    for (const r of records) {
      if (r.op === "put") uuids.add(r.uuid)
      else uuids.delete(r.uuid)
    }
    return uuids
  }
}
