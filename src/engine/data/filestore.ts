/**
 * The on-disk backend.
 *
 * Layout of `dir`:
 * - `seg-NNNNNNNN.dat`: segment files of immutable nodes, appended to and never rewritten. A node's
 *   address is `segment · 2^40 + byte offset`. Every node carries its own CRC-32.
 * - `commits.log`: fixed-size commit records (stream, kind, major version, root address, and the
 *   segment range holding the commit's new nodes with that range's CRC-32), each with its own CRC-32.
 *
 * Write order: a commit's nodes are written to the segment at commit time; its record is written
 * to the log only after the segment has been fsynced, and the log is fsynced after it. So a record
 * that is in the log refers to durable nodes. Records are written by a group commit that runs when
 * a caller asks for durability (`sync` inserts, Flush, Obliterate, close) or at the latest
 * `commitDelayMs` after the first commit that is not durable yet.
 *
 * Failed writes (a full disk, an I/O error): every write appends at the end of its file, and one that fails cuts
 * the file back to where it began. A commit whose nodes cannot be written fails alone, and nothing of it stays. A
 * group commit whose fsync or log write fails rolls back to the last durable state: the segments and the log are
 * cut back to what the last successful group commit made durable, the commits after it are forgotten (the
 * rollback listeners undo them in memory, and the callers waiting for them fail), the cache and read buffers are
 * emptied, and the next write starts a new segment, so the addresses of forgotten nodes are never given to others
 * (a read of a forgotten version still going on fails, never reads other nodes). Nothing stays broken: the next
 * write starts clean, and succeeds once the disk does. Writes and fsyncs ask the optional `DiskFaults` switch first, so tests can make them fail.
 *
 * Reads: a node missing from the cache is read with one `readSync` into a small scratch buffer.
 * When leaf misses walk a segment forwards (a raw scan visits leaves in time order, and sorted
 * inserts append them in that order), the reads become read-ahead: a block that doubles from
 * 64 KiB up to the read-ahead buffer's size (at most 1 MiB) is read at once, and the following
 * misses are served from it without a system call. Every node's CRC-32 is checked before the node
 * is decoded, wherever its bytes come from, so a corrupt byte in a read-ahead block fails exactly
 * the node that holds it, when that node is read. Nodes are decoded by copying their body out of
 * the buffer into arrays of their own (the buffers are reused). The two buffers take an eighth of
 * `cacheBytes`, counted in the cache's bytes and taken from its limit, so nodes plus buffers stay
 * within `cacheBytes`. A run of read-ahead leaves longer than a quarter of the cache is a scan
 * that will not fit: its further leaves are not added to the cache (see `NodeCache` for the
 * cache's own scan resistance), and a reader that asks for them transient (a raw read, which
 * copies their points into its pages at once) gets them as views of the buffer, without a copy.
 *
 * Recovery reads the log up to the first torn or corrupt record, then checks the node range of the
 * newest commits backwards until one checks out (a truncated or damaged segment tail fails the
 * commits whose nodes were there), drops the failing commits, and cuts the log and the segments
 * back to the last good commit. Older damage is caught by the per-node CRC when a node is read.
 *
 * Compaction (`compaction.ts`) gives back the space of obliterated streams: it copies the live
 * nodes of a sparse segment verbatim to the active segment, each copy with a Relocate record (the
 * stream, the address the bytes were at, their new range and its CRC-32, checked and cut off by
 * recovery as a commit's nodes are), then writes a Free record naming the segment and only once
 * that is durable deletes the file. A node keeps its first address for good; a read of an address
 * in a freed segment goes to its copy through the forwarding map (`relocation.ts`) that the
 * Relocate and Free records give, rebuilt at every open. Recovery deletes a freed segment whose
 * file is still there, and never gives a freed segment's index to a new segment. The space of old
 * versions is kept: every version of a live stream stays readable.
 */
import * as fs from "node:fs"
import { endianness } from "node:os"
import * as path from "node:path"
import { StatusCode } from "../../internal/protocol.js"
import { uuidFromBytes, uuidToBytes } from "../../internal/uuidBytes.js"
import { crc32 } from "../crc32.js"
import { type DiskFaults, type DiskFile, writeFailure } from "../DiskFaults.js"
import { fsyncDirectorySync, readAt } from "../fileIo.js"
import { StatusError } from "../StatusError.js"
import { type Backend, type CommitRecord, NodeCache, RecordKind } from "./backend.js"
import {
  type CompactionHost,
  type CompactionOptions,
  type CompactionReport,
  type CompactionStats,
  Compactor
} from "./compaction.js"
import { SLOTS_LEN, type TreeNode } from "./node.js"
import { type Extent, ForwardMap } from "./relocation.js"
import type { CacheStats } from "./types.js"

const SEGMENT_SPAN = 2 ** 40
const SEG_HEADER = 16
const LOG_HEADER = 16
const RECORD_SIZE = 72
const NODE_HEADER = 24
const LEAF_MAGIC = 0x4641454C
const CORE_MAGIC = 0x45524F43
const RECORD_MAGIC = 0x4D4D4F43
const SEG_MAGIC = "BTRDBSEG"
const LOG_MAGIC = "BTRDBLOG"
/** The stream field of a Free record, which is about no stream. */
const NO_STREAM = "00000000-0000-0000-0000-000000000000"
/** A read of one node outside a sequential run covers a full leaf of 1024 points (24 + 16·1024 + 8 bytes). */
const FIRST_READ = 16_416
/** The largest read-ahead buffer. */
const RA_MAX = 1 << 20
/** The smallest the two read buffers can be together (for caches under 8 KiB). */
export const READ_BUFFERS_MIN = 1024
/** The first read-ahead of a sequential run; each further one doubles, up to the buffer's size. */
const RA_FIRST = 64 * 1024
/** A leaf miss at most this far past the end of the previous leaf read continues a sequential run. */
const SEQ_GAP = 64 * 1024

if (endianness() !== "LE") throw new Error("the storage engine needs a little-endian machine")

/** Options of {@link FileBackend.open}. */
export interface FileBackendOptions {
  readonly cacheBytes: number
  readonly commitDelayMs: number
  readonly segmentBytes: number
  readonly compaction?: CompactionOptions | undefined
  /** Test-only: failures to inject into the writes and fsyncs of the segment files and the commit log. */
  readonly faults?: DiskFaults | undefined
}

interface Segment {
  readonly index: number
  readonly fd: number
  /** Logical end: bytes written plus bytes still in the write buffer. */
  size: number
  /** The end of what the last successful group commit (or recovery) made durable: a failed one cuts back to it. */
  durable: number
}

interface RawRecord extends CommitRecord {
  readonly seg: number
  readonly rangeStart: number
  readonly rangeEnd: number
  readonly rangeCrc: number
}

const segName = (index: number): string => `seg-${index.toString().padStart(8, "0")}.dat`

const invariant = (message: string): StatusError => new StatusError(StatusCode.InvariantFailure, message)

const isRecordKind = (kind: number): kind is RecordKind => kind >= RecordKind.Create && kind <= RecordKind.Free

const fsyncAsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())))

/** Writes all of `bytes` at `position` of `fd`, each write allowed by `faults` first. */
const writeFully = (fd: number, bytes: Uint8Array, position: number, file: DiskFile, faults?: DiskFaults): void => {
  let done = 0
  while (done < bytes.length) {
    const allowed = faults?.allowWrite(file, bytes.length - done) ?? bytes.length - done
    done += fs.writeSync(fd, bytes, done, allowed, position + done)
  }
}

/**
 * Sizes of the read-ahead and scratch buffers for a cache limit: together an eighth of it, at
 * least {@link READ_BUFFERS_MIN} and at most 1 MiB for read-ahead plus one leaf's read for scratch.
 */
export const readBufferSizes = (cacheBytes: number): { readonly readAhead: number; readonly scratch: number } => {
  const eighth = Math.floor(Math.min(Math.max(cacheBytes, 0), 8 * (RA_MAX + FIRST_READ)) / 8)
  const total = Math.max(READ_BUFFERS_MIN, (eighth | 0) & ~7)
  const scratch = Math.min(FIRST_READ, (total >>> 1) & ~7)
  return { readAhead: total - scratch, scratch }
}

/** A buffer holding the bytes [start, end) of segment `seg` (none while `seg` is -1). */
class ReadBuffer {
  private buf: Uint8Array | null = null
  private dv: DataView | null = null
  seg = -1
  start = 0
  end = 0

  constructor(readonly size: number) {}

  get bytes(): Uint8Array {
    return this.buf ?? this.alloc().buf!
  }

  get view(): DataView {
    return this.dv ?? this.alloc().dv!
  }

  private alloc(): this {
    this.buf = new Uint8Array(this.size)
    this.dv = new DataView(this.buf.buffer)
    return this
  }

  /** True when the buffer holds bytes [offset, offset + len) of segment `seg`. */
  holds(seg: number, offset: number, len: number): boolean {
    return seg === this.seg && offset >= this.start && offset + len <= this.end
  }
}

/** Nodes in segment files behind a byte-bounded cache, commits in a checksummed log. */
export class FileBackend implements Backend {
  readonly releases = false
  private readonly cache: NodeCache
  private readonly pending = new Map<number, TreeNode>()
  private readonly segments = new Map<number, Segment>()
  private cur: Segment
  private wbuf = new Uint8Array(1 << 20)
  private wview = new DataView(this.wbuf.buffer)
  private wlen = 0
  private wstart = 0
  /** Read-ahead buffer (sequential misses) and scratch buffer (other misses), allocated on first use. */
  private readonly ra: ReadBuffer
  private readonly scratch: ReadBuffer
  /** Segment and offset just past the last leaf read from the file: where a sequential run goes on. */
  private seqSeg = -1
  private seqNext = 0
  /** Size of the next read-ahead. */
  private raWindow = RA_FIRST
  /** Reads of node bytes from segment files, and the bytes they got (see {@link ioStats}). */
  private reads = 0
  private readBytes = 0
  /** Bytes of the leaves read in a row through the read-ahead buffer. */
  private runBytes = 0
  /** A run longer than this stops adding its leaves to the cache: a quarter of the cache's node budget. */
  private readonly scanAdmitBytes: number
  /** Whether the node {@link read} just read goes into the cache. */
  private admit = true
  private records: Array<Uint8Array> = []
  /** The sequence number of the newest commit recorded, and of the newest one made durable. */
  private seq = 0
  private durableUpTo = 0
  /** The callers of {@link durable} waiting: the newest commit each waits for, and the failure that lost it. */
  private readonly waiters = new Set<{ readonly target: number; lost: StatusError | undefined }>()
  /** How many rollbacks there were. */
  private rollbackCount = 0
  private readonly rollbackListeners: Array<(kept: number) => void> = []
  /**
   * Set by a rollback: the next write starts a new segment, so no address a forgotten commit had is ever given to
   * another node (a read of a forgotten version that is still going on fails on it, and reads nothing else).
   */
  private rollPending = false
  private readonly dirty = new Set<Segment>()
  private newFiles = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private chain: Promise<void> = Promise.resolve()
  /** Set when a failed write could not be rolled back: from then on every write fails (reopen to recover). */
  private broken: unknown = null
  private closed = false
  private readonly compactor: Compactor

  private constructor(
    private readonly dir: string,
    private readonly logFd: number,
    private logSize: number,
    segments: Array<Segment>,
    private readonly options: FileBackendOptions,
    private readonly forward: ForwardMap
  ) {
    this.compactor = new Compactor(this.compactionHost(), options.compaction)
    // What a rollback forgot (an obliterate among others) must not count any more: recount from the log.
    this.rollbackListeners.push(() => this.recount())
    const sizes = readBufferSizes(options.cacheBytes)
    this.ra = new ReadBuffer(sizes.readAhead)
    this.scratch = new ReadBuffer(sizes.scratch)
    this.cache = new NodeCache(options.cacheBytes, sizes.readAhead + sizes.scratch)
    this.scanAdmitBytes = Math.max(0, options.cacheBytes - sizes.readAhead - sizes.scratch) / 4
    for (const s of segments) this.segments.set(s.index, s)
    this.cur = segments[segments.length - 1]
  }

  /** Opens (creating if needed) the store in `dir` and recovers its commits, oldest first. */
  static open(
    dir: string,
    options: FileBackendOptions
  ): { readonly backend: FileBackend; readonly records: ReadonlyArray<CommitRecord> } {
    fs.mkdirSync(dir, { recursive: true })
    const logPath = path.join(dir, "commits.log")
    const fresh = !fs.existsSync(logPath)
    const logFd = fs.openSync(logPath, fresh ? "w+" : "r+")
    let log = fs.readFileSync(logPath)
    if (log.length < LOG_HEADER) {
      if (log.length > 0 && log.toString("latin1", 0, Math.min(8, log.length)) !== LOG_MAGIC.slice(0, log.length)) {
        throw invariant(`${logPath} is not a commit log`)
      }
      const h = Buffer.alloc(LOG_HEADER)
      h.write(LOG_MAGIC, 0, "latin1")
      h.writeUInt32LE(1, 8)
      fs.writeSync(logFd, h, 0, LOG_HEADER, 0)
      fs.ftruncateSync(logFd, LOG_HEADER)
      fs.fsyncSync(logFd)
      fsyncDirectorySync(dir)
      log = h
    } else if (log.toString("latin1", 0, 8) !== LOG_MAGIC) {
      throw invariant(`${logPath} is not a commit log`)
    }

    // Records up to the first torn or corrupt one.
    const raw: Array<RawRecord> = []
    for (let at = LOG_HEADER; at + RECORD_SIZE <= log.length; at += RECORD_SIZE) {
      const record = decodeCommitRecord(log, at)
      if (typeof record === "string") break
      raw.push(record)
    }

    // Segments.
    const segs = new Map<number, Segment>()
    for (const name of fs.readdirSync(dir)) {
      const m = /^seg-(\d{8})\.dat$/.exec(name)
      if (m === null) continue
      const index = Number(m[1])
      const fd = fs.openSync(path.join(dir, name), "r+")
      const size = fs.fstatSync(fd).size
      segs.set(index, { index, fd, size, durable: size })
    }

    // Check the newest commits' node ranges until one is intact. A freed segment's nodes were durable before its
    // Free record was written, and so were the records before that one.
    const freed = new Set(raw.filter((r) => r.kind === RecordKind.Free).map((r) => r.seg))
    let keep = raw.length
    for (let k = raw.length - 1; k >= 0; k--) {
      const r = raw[k]
      if (r.rangeEnd === r.rangeStart || freed.has(r.seg)) continue
      if (FileBackend.rangeIntact(segs.get(r.seg), r)) break
      keep = k
    }
    const kept = raw.slice(0, keep)
    const logEnd = LOG_HEADER + keep * RECORD_SIZE
    if (log.length !== logEnd) {
      fs.ftruncateSync(logFd, logEnd)
      fs.fsyncSync(logFd)
    }

    // Cut the segments back to the end of the last kept commit's nodes.
    let lastSeg = 0
    let lastEnd = SEG_HEADER
    for (let k = kept.length - 1; k >= 0; k--) {
      const r = kept[k]
      if (r.rangeEnd !== r.rangeStart) {
        lastSeg = r.seg
        lastEnd = r.rangeEnd
        break
      }
    }
    // A freed segment still there was being deleted when the process stopped.
    const forward = ForwardMap.fromRecords(kept)
    for (const s of [...segs.values()]) {
      if (s.index > lastSeg || forward.isFreed(s.index)) {
        fs.closeSync(s.fd)
        fs.unlinkSync(path.join(dir, segName(s.index)))
        segs.delete(s.index)
      }
    }
    const last = segs.get(lastSeg)
    if (last !== undefined && last.size >= SEG_HEADER && last.size !== lastEnd) {
      fs.ftruncateSync(last.fd, lastEnd)
      fs.fsyncSync(last.fd)
      last.size = last.durable = lastEnd
    }
    // The active segment: the last commit's, unless that one was freed (a freed index is never used again).
    const active = Math.max(lastSeg, forward.maxFreed() + 1)
    let curSeg = segs.get(active)
    if (curSeg === undefined || curSeg.size < SEG_HEADER) {
      if (curSeg !== undefined) fs.closeSync(curSeg.fd)
      curSeg = FileBackend.createSegment(dir, active)
      segs.set(active, curSeg)
      fsyncDirectorySync(dir)
    }
    const ordered = [...segs.values()].sort((a, b) => a.index - b.index)
    ordered.splice(ordered.indexOf(curSeg), 1)
    ordered.push(curSeg)
    const backend = new FileBackend(dir, logFd, logEnd, ordered, options, forward)
    backend.account(kept)
    return {
      backend,
      records: kept.flatMap((r) =>
        r.kind === RecordKind.Relocate || r.kind === RecordKind.Free ?
          [] :
          [{ kind: r.kind, uuid: r.uuid, major: r.major, root: r.root }]
      )
    }
  }

  /** Counts the live and dead bytes of each segment that is still there, for compaction, and resumes it. */
  private account(records: ReadonlyArray<StoredCommitRecord>): void {
    const space = this.compactor.space
    for (const r of records) {
      if (r.kind === RecordKind.Obliterate) space.obliterate(r.uuid)
      else if (r.rangeEnd > r.rangeStart && this.segments.has(r.seg)) {
        space.add(r.seg, r.uuid, r.rangeEnd - r.rangeStart)
      }
    }
    this.compactor.schedule()
  }

  /** Counts the segments' bytes again from the durable log. */
  private recount(): void {
    this.compactor.space.clear()
    for (let position = 0;;) {
      const { next, records } = this.readRecords(position, 1 << 20)
      if (records.length === 0) break
      this.account(records)
      position = next
    }
  }

  private static rangeIntact(seg: Segment | undefined, r: RawRecord): boolean {
    if (seg === undefined || seg.size < r.rangeEnd) return false
    const len = r.rangeEnd - r.rangeStart
    const chunk = new Uint8Array(Math.min(len, 1 << 22))
    let crc = 0
    for (let at = r.rangeStart; at < r.rangeEnd; at += chunk.length) {
      const part = Math.min(chunk.length, r.rangeEnd - at)
      const buf = part === chunk.length ? chunk : chunk.subarray(0, part)
      if (readAt(seg.fd, buf, at) !== part) return false
      crc = crc32(buf, 0, part, crc)
    }
    return crc === r.rangeCrc
  }

  /** Creates segment file `index` with its header, durably; a failure leaves no file behind. */
  private static createSegment(dir: string, index: number, faults?: DiskFaults): Segment {
    const file = path.join(dir, segName(index))
    const fd = fs.openSync(file, "w+")
    try {
      const h = Buffer.alloc(SEG_HEADER)
      h.write(SEG_MAGIC, 0, "latin1")
      h.writeUInt32LE(1, 8)
      h.writeUInt32LE(index, 12)
      writeFully(fd, h, 0, "segment", faults)
      faults?.checkFsync("segment")
      fs.fsyncSync(fd)
    } catch (e) {
      fs.closeSync(fd)
      fs.rmSync(file, { force: true })
      throw writeFailure(e, `a new segment file ${segName(index)}`)
    }
    return { index, fd, size: SEG_HEADER, durable: SEG_HEADER }
  }

  // -------------------------------------------------------------------------------------------
  // Nodes

  get(addr: number): TreeNode {
    return this.lookup(addr, false)
  }

  getTransient(addr: number): TreeNode {
    return this.lookup(addr, true)
  }

  private lookup(addr: number, transient: boolean): TreeNode {
    const p = this.pending.get(addr)
    if (p !== undefined) return p
    const c = this.cache.get(addr)
    if (c !== undefined) return c
    const node = this.read(addr, transient)
    if (this.admit) this.cache.put(addr, node)
    return node
  }

  /**
   * Reads and checks the node at `logical` from its segment file (or from its copy, when compaction
   * freed that segment), and sets {@link admit}. A leaf not to be cached, read for a transient
   * reader, is a view of the read buffer rather than a copy.
   */
  private read(logical: number, transient: boolean): TreeNode {
    const addr = this.forward.resolve(logical)
    if (addr < 0) throw invariant(`node ${logical}: its segment was freed without a copy of it`)
    const segIndex = Math.floor(addr / SEGMENT_SPAN)
    const offset = addr - segIndex * SEGMENT_SPAN
    const seg = this.segments.get(segIndex)
    if (seg === undefined) throw invariant(`node ${addr}: no segment ${segIndex}`)
    // A buffer that holds the whole node already, else a fresh read: read-ahead when the misses walk
    // forwards (or go on past the end of the read-ahead block), else one leaf's worth.
    let rb = this.ra.holds(segIndex, offset, NODE_HEADER) ?
      this.ra :
      this.scratch.holds(segIndex, offset, NODE_HEADER) ?
      this.scratch :
      null
    let random = false
    if (rb === null || !rb.holds(segIndex, offset, rb.view.getUint32(offset - rb.start + 4, true))) {
      const run = rb === this.ra ||
        (segIndex === this.seqSeg && offset >= this.seqNext && offset - this.seqNext <= SEQ_GAP)
      random = !run
      rb = run ? this.ra : this.scratch
      this.fill(rb, seg, offset, run ? this.raWindow : FIRST_READ)
      this.raWindow = run ? Math.min(2 * this.raWindow, this.ra.size) : Math.max(RA_FIRST, this.raWindow >>> 1)
      if (!rb.holds(segIndex, offset, NODE_HEADER)) throw invariant(`node ${addr}: short read`)
    }
    let at = offset - rb.start
    const magic = rb.view.getUint32(at, true)
    const len = rb.view.getUint32(at + 4, true)
    if (
      (magic !== LEAF_MAGIC && magic !== CORE_MAGIC) || len < NODE_HEADER + 8 || len % 8 !== 0 ||
      offset + len > seg.size
    ) {
      throw invariant(`node ${addr}: bad header`)
    }
    if (magic === LEAF_MAGIC) {
      // Runs follow leaves only: a scan reads each internal node (stored after its leaves) between them.
      // A leaf that needed a read of its own ends a run; one found in a buffer goes on with it.
      this.seqSeg = segIndex
      this.seqNext = offset + len
      this.runBytes = random ? 0 : this.runBytes + len
      // A long run of leaves is a scan bigger than the cache: caching its leaves would only make them
      // evict each other (and cost allocation and GC work), so it stops adding them.
      this.admit = this.runBytes <= this.scanAdmitBytes
    } else {
      this.admit = true
    }
    if (!rb.holds(segIndex, offset, len)) {
      if (len > rb.size) return this.readLarge(addr, seg, offset, len, rb)
      this.fill(rb, seg, offset, len)
      if (!rb.holds(segIndex, offset, len)) throw invariant(`node ${addr}: short read`)
      at = 0
    }
    // Check, then decode by copying the body out of the buffer (which is reused).
    const bytes = rb.bytes
    if (crc32(bytes, at, at + len - 8) !== rb.view.getUint32(at + len - 8, true)) {
      throw invariant(`node ${addr}: checksum mismatch`)
    }
    const start = rb.view.getBigInt64(at + 8, true)
    const pw = rb.view.getUint32(at + 16, true)
    const n = rb.view.getUint32(at + 20, true)
    if (magic === LEAF_MAGIC) {
      if (len !== NODE_HEADER + 16 * n + 8) throw invariant(`node ${addr}: bad length`)
      if (transient && !this.admit) {
        // Node offsets, and so `at`, are multiples of 8: the views are aligned.
        const from = bytes.byteOffset + at + NODE_HEADER
        return {
          kind: 0,
          start,
          pw,
          times: new BigInt64Array(bytes.buffer, from, n),
          values: new Float64Array(bytes.buffer, from + 8 * n, n)
        }
      }
      const body = bytes.slice(at + NODE_HEADER, at + NODE_HEADER + 16 * n).buffer
      return { kind: 0, start, pw, times: new BigInt64Array(body, 0, n), values: new Float64Array(body, 8 * n, n) }
    }
    if (len !== NODE_HEADER + 8 * SLOTS_LEN + 8) throw invariant(`node ${addr}: bad length`)
    const body = bytes.slice(at + NODE_HEADER, at + NODE_HEADER + 8 * SLOTS_LEN).buffer
    return { kind: 1, start, pw, slots: new Float64Array(body) }
  }

  /** Reads `want` bytes (fewer at the end of the segment) at `offset` into `rb`. */
  private fill(rb: ReadBuffer, seg: Segment, offset: number, want: number): void {
    const len = Math.max(0, Math.min(want, rb.size, seg.size - offset))
    rb.seg = -1
    const got = readAt(seg.fd, rb.bytes.subarray(0, len), offset)
    this.reads++
    this.readBytes += got
    rb.seg = seg.index
    rb.start = offset
    rb.end = offset + got
  }

  /** A node bigger than the buffer its header is in: read straight into its own bytes, decoded as views. */
  private readLarge(addr: number, seg: Segment, offset: number, len: number, rb: ReadBuffer): TreeNode {
    const bytes = new Uint8Array(len)
    const have = rb.end - offset
    bytes.set(rb.bytes.subarray(offset - rb.start, offset - rb.start + have))
    const got = readAt(seg.fd, bytes.subarray(have), offset + have)
    this.reads++
    this.readBytes += got
    if (got !== len - have) throw invariant(`node ${addr}: short read`)
    const view = new DataView(bytes.buffer)
    if (crc32(bytes, 0, len - 8) !== view.getUint32(len - 8, true)) throw invariant(`node ${addr}: checksum mismatch`)
    const start = view.getBigInt64(8, true)
    const pw = view.getUint32(16, true)
    const n = view.getUint32(20, true)
    if (view.getUint32(0, true) === LEAF_MAGIC) {
      if (len !== NODE_HEADER + 16 * n + 8) throw invariant(`node ${addr}: bad length`)
      return {
        kind: 0,
        start,
        pw,
        times: new BigInt64Array(bytes.buffer, NODE_HEADER, n),
        values: new Float64Array(bytes.buffer, NODE_HEADER + 8 * n, n)
      }
    }
    if (len !== NODE_HEADER + 8 * SLOTS_LEN + 8) throw invariant(`node ${addr}: bad length`)
    return { kind: 1, start, pw, slots: new Float64Array(bytes.buffer, NODE_HEADER, SLOTS_LEN) }
  }

  private checkWritable(): void {
    if (this.closed) throw invariant("data store is closed")
    if (this.broken !== null) throw invariant(`data store failed to write, reopen it: ${String(this.broken)}`)
  }

  /** Starts the next segment file and makes it the active one. */
  private roll(): void {
    const next = FileBackend.createSegment(this.dir, this.cur.index + 1, this.options.faults)
    this.segments.set(next.index, next)
    this.cur = next
    this.newFiles = true
    this.rollPending = false
  }

  /** Rolls to a new segment when the active one is full, or when a rollback gave back addresses a reader may hold. */
  private rollIfDue(): void {
    if (this.rollPending || this.cur.size >= this.options.segmentBytes) this.roll()
  }

  append(node: TreeNode): number {
    this.checkWritable()
    if (this.wlen === 0) {
      this.rollIfDue()
      this.wstart = this.cur.size
    }
    const len = node.kind === 0 ? NODE_HEADER + 16 * node.times.length + 8 : NODE_HEADER + 8 * SLOTS_LEN + 8
    if (this.wlen + len > this.wbuf.length) {
      let size = this.wbuf.length * 2
      while (size < this.wlen + len) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.wbuf.subarray(0, this.wlen))
      this.wbuf = grown
      this.wview = new DataView(grown.buffer)
    }
    const at = this.wlen
    const v = this.wview
    v.setBigInt64(at + 8, node.start, true)
    v.setUint32(at + 16, node.pw, true)
    if (node.kind === 0) {
      const n = node.times.length
      v.setUint32(at, LEAF_MAGIC, true)
      v.setUint32(at + 20, n, true)
      this.wbuf.set(new Uint8Array(node.times.buffer, node.times.byteOffset, 8 * n), at + NODE_HEADER)
      this.wbuf.set(new Uint8Array(node.values.buffer, node.values.byteOffset, 8 * n), at + NODE_HEADER + 8 * n)
    } else {
      v.setUint32(at, CORE_MAGIC, true)
      v.setUint32(at + 20, 0, true)
      this.wbuf.set(new Uint8Array(node.slots.buffer, node.slots.byteOffset, 8 * SLOTS_LEN), at + NODE_HEADER)
    }
    v.setUint32(at + 4, len, true)
    v.setUint32(at + len - 8, crc32(this.wbuf, at, at + len - 8), true)
    v.setUint32(at + len - 4, 0, true)
    const addr = this.cur.index * SEGMENT_SPAN + this.cur.size
    this.cur.size += len
    this.wlen += len
    this.pending.set(addr, node)
    this.cache.put(addr, node)
    return addr
  }

  // -------------------------------------------------------------------------------------------
  // Commits

  commit(kind: RecordKind, uuid: string, major: bigint, root: number): number {
    this.checkWritable()
    let seg = 0
    let start = 0
    let end = 0
    let crc = 0
    if (this.wlen > 0) {
      try {
        this.writeAt("segment", this.cur, this.wbuf.subarray(0, this.wlen), this.wstart)
      } catch (e) {
        // This commit's nodes are dropped (the file was cut back to where they began): the commit never happened.
        for (const addr of this.pending.keys()) this.cache.drop(addr)
        this.pending.clear()
        this.cur.size = this.wstart
        this.wlen = 0
        throw e
      }
      seg = this.cur.index
      start = this.wstart
      end = this.wstart + this.wlen
      crc = crc32(this.wbuf, 0, this.wlen)
      this.dirty.add(this.cur)
      this.wlen = 0
      this.pending.clear()
      if (this.wbuf.length > 1 << 24) {
        this.wbuf = new Uint8Array(1 << 20)
        this.wview = new DataView(this.wbuf.buffer)
      }
    }
    this.record(kind, uuid, major, root, seg, crc, start, end)
    if (end > start) this.compactor.space.add(seg, uuid, end - start)
    if (kind === RecordKind.Obliterate) {
      this.compactor.space.obliterate(uuid)
      this.compactor.schedule()
    }
    return this.seq
  }

  get durableSeq(): number {
    return this.durableUpTo
  }

  onRollback(listener: (kept: number) => void): void {
    this.rollbackListeners.push(listener)
  }

  /**
   * Writes all of `bytes` at `position` of a file, the end of what it holds. When that fails (a full disk, an I/O
   * error), the file is cut back to `position`, so nothing of the write stays, and the error is thrown as the
   * status a caller gets.
   */
  private writeAt(file: DiskFile, target: Segment | "log", bytes: Uint8Array, position: number): void {
    const fd = target === "log" ? this.logFd : target.fd
    try {
      writeFully(fd, bytes, position, file, this.options.faults)
    } catch (e) {
      try {
        fs.ftruncateSync(fd, position)
      } catch (cut) {
        this.broken = cut
      }
      throw writeFailure(e, target === "log" ? "the commit log" : `segment ${segName(target.index)}`)
    }
  }

  private async fsyncFile(file: DiskFile, fd: number): Promise<void> {
    this.options.faults?.checkFsync(file)
    await fsyncAsync(fd)
  }

  /** Queues a record for the next group commit, which the commit delay's timer starts at the latest. */
  private record(
    kind: RecordKind,
    uuid: string,
    major: bigint,
    root: number,
    seg: number,
    crc: number,
    start: number,
    end: number
  ): void {
    const rec = new Uint8Array(RECORD_SIZE)
    const v = new DataView(rec.buffer)
    v.setUint32(0, RECORD_MAGIC, true)
    v.setUint8(4, kind)
    uuidToBytes(uuid, rec, 8)
    v.setBigUint64(24, major, true)
    v.setFloat64(32, root, true)
    v.setUint32(40, seg, true)
    v.setUint32(44, crc, true)
    v.setFloat64(48, start, true)
    v.setFloat64(56, end, true)
    v.setUint32(64, crc32(rec, 0, RECORD_SIZE - 8), true)
    this.records.push(rec)
    this.seq++
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null
        // A failure rolls the store back (see groupCommit); the callers that wait for durability are told.
        this.durable().catch(() => {})
      }, this.options.commitDelayMs)
      this.timer.unref()
    }
  }

  /**
   * Resolves once every commit recorded before the call is durable; rejects when a failed write made the store
   * forget any of them (see {@link groupCommit}).
   */
  durable(): Promise<void> {
    const waiter = { target: this.seq, lost: undefined as StatusError | undefined }
    this.waiters.add(waiter)
    const run = this.chain.then(() => this.groupCommit()).finally(() => this.waiters.delete(waiter)).then(() => {
      if (waiter.lost !== undefined) throw waiter.lost
    })
    this.chain = run.catch(() => {})
    return run
  }

  /**
   * Writes the records queued so far to the log, after fsyncing the segments their nodes are in. When a write or
   * fsync fails, the store goes back to its last durable state: every commit not durable yet is forgotten (its
   * nodes and records cut off the files, its nodes out of the cache, its versions undone by the rollback
   * listeners), so the next write starts clean.
   */
  private async groupCommit(): Promise<void> {
    if (this.broken !== null) throw invariant(`data store failed to write, reopen it: ${String(this.broken)}`)
    try {
      await this.writeRecords()
    } catch (e) {
      const error = writeFailure(e, "the data store")
      this.rollback(error)
      throw error
    }
  }

  private async writeRecords(): Promise<void> {
    const records = this.records
    const upTo = this.seq
    const dirty = [...this.dirty]
    const ends = [...this.segments.values()].map((s) => [s, s.size] as const)
    this.records = []
    this.dirty.clear()
    if (records.length === 0) return
    await Promise.all(dirty.map((s) => this.fsyncFile("segment", s.fd)))
    if (this.newFiles) {
      this.newFiles = false
      fsyncDirectorySync(this.dir)
    }
    const buf = new Uint8Array(records.length * RECORD_SIZE)
    records.forEach((r, i) => buf.set(r, i * RECORD_SIZE))
    this.writeAt("log", "log", buf, this.logSize)
    await this.fsyncFile("log", this.logFd)
    this.logSize += buf.length
    for (const [s, end] of ends) s.durable = Math.max(s.durable, end)
    this.durableUpTo = upTo
  }

  /** Forgets every commit that is not durable: cuts the files back to their durable ends and tells the listeners. */
  private rollback(error: StatusError): void {
    this.rollbackCount++
    for (const w of this.waiters) if (w.target > this.durableUpTo) w.lost ??= error
    this.records = []
    this.dirty.clear()
    this.pending.clear()
    this.wlen = 0
    try {
      for (const s of this.segments.values()) {
        if (s.size > s.durable) {
          fs.ftruncateSync(s.fd, s.durable)
          s.size = s.durable
        }
      }
      fs.ftruncateSync(this.logFd, this.logSize)
    } catch (e) {
      this.broken = e
    }
    this.rollPending = true
    this.cache.clear()
    this.ra.seg = -1
    this.scratch.seg = -1
    this.seqSeg = -1
    for (const listener of this.rollbackListeners) listener(this.durableUpTo)
  }

  release(): void {}

  compact(): Promise<CompactionReport> {
    return this.compactor.compact()
  }

  compactionStats(): CompactionStats {
    return this.compactor.stats()
  }

  /** What compaction uses of the store (kept off its public face). */
  private compactionHost(): CompactionHost {
    return {
      activeSegment: () => this.cur.index,
      segmentSize: (seg) => this.segments.get(seg)?.size,
      seal: () => {
        if (this.closed || this.broken !== null || this.wlen > 0) return false
        this.roll()
        return true
      },
      durable: () => this.durable(),
      rollbacks: () => this.rollbackCount,
      readRecords: (position, maxBytes) => this.readRecords(position, maxBytes),
      readSegment: (seg, buf, offset) => {
        const s = this.segments.get(seg)
        if (s === undefined) throw invariant(`compaction: no segment ${seg}`)
        return readAt(s.fd, buf, offset)
      },
      nodeLength: (bytes, at) => {
        const v = new DataView(bytes.buffer, bytes.byteOffset + at, 8)
        const magic = v.getUint32(0, true)
        const len = v.getUint32(4, true)
        return (magic === LEAF_MAGIC || magic === CORE_MAGIC) && len >= NODE_HEADER + 8 && len % 8 === 0 ? len : -1
      },
      relocate: (uuid, from, bytes) => this.relocate(uuid, from, bytes),
      free: (seg, extents) => this.free(seg, extents)
    }
  }

  /** The durable records from byte `position` of the log (0: the first), at most `maxBytes` of them. */
  private readRecords(position: number, maxBytes: number): { records: Array<StoredCommitRecord>; next: number } {
    const from = Math.max(position, LOG_HEADER)
    const count = Math.min(Math.max(1, Math.floor(maxBytes / RECORD_SIZE)), (this.logSize - from) / RECORD_SIZE)
    if (count <= 0) return { records: [], next: from }
    const buf = new Uint8Array(count * RECORD_SIZE)
    readAt(this.logFd, buf, from)
    const records: Array<StoredCommitRecord> = []
    for (let at = 0; at < buf.length; at += RECORD_SIZE) {
      const r = decodeCommitRecord(buf, at)
      if (typeof r === "string") throw invariant(`compaction: commit record at byte ${from + at}: ${r}`)
      records.push(r)
    }
    return { records, next: from + buf.length }
  }

  /** Writes whole nodes of `uuid` that were at `from` to the end of the active segment, with a Relocate record. */
  private relocate(uuid: string, from: number, bytes: Uint8Array): number {
    this.checkWritable()
    if (this.wlen > 0) throw invariant("compaction: nodes are waiting to be written")
    this.rollIfDue()
    const seg = this.cur
    const at = seg.size
    this.writeAt("segment", seg, bytes, at)
    seg.size += bytes.length
    this.dirty.add(seg)
    this.record(RecordKind.Relocate, uuid, 0n, from, seg.index, crc32(bytes), at, at + bytes.length)
    this.compactor.space.add(seg.index, uuid, bytes.length)
    return seg.index * SEGMENT_SPAN + at
  }

  /**
   * Frees segment `seg`, whose live bytes are at `extents` now: a durable Free record, then reads go to the copies,
   * then the file is deleted. Returns its size.
   */
  private async free(seg: number, extents: ReadonlyArray<Extent>): Promise<number> {
    const s = this.segments.get(seg)
    if (s === undefined || s === this.cur) throw invariant(`compaction: segment ${seg} cannot be freed`)
    this.checkWritable()
    this.record(RecordKind.Free, NO_STREAM, BigInt(s.size), 0, seg, 0, 0, 0)
    await this.durable()
    this.forward.free(seg, extents)
    this.segments.delete(seg)
    fs.closeSync(s.fd)
    fs.unlinkSync(path.join(this.dir, segName(seg)))
    fsyncDirectorySync(this.dir)
    return s.size
  }

  cacheStats(): CacheStats {
    return this.cache.stats()
  }

  /** How many reads of node bytes went to the segment files, and the bytes they got (for tests and benchmarks). */
  ioStats(): { readonly reads: number; readonly bytes: number } {
    return { reads: this.reads, bytes: this.readBytes }
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.compactor.stop()
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    try {
      await this.durable()
    } finally {
      this.closed = true
      for (const s of this.segments.values()) fs.closeSync(s.fd)
      fs.closeSync(this.logFd)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The layout, for tools that read a directory's files themselves (`verify.ts`, `usage.ts`): they
// must not go through FileBackend.open, whose recovery truncates files.

/** The file layout described at the top of this module. */
export const FILE_LAYOUT = {
  /** The commit log's file name. */
  logFile: "commits.log",
  /** A segment file's name for its index, and the pattern of such names (the index in group 1). */
  segmentName: segName,
  segmentPattern: /^seg-(\d{8})\.dat$/,
  /** A node's address is `segment · segmentSpan + byte offset`. */
  segmentSpan: SEGMENT_SPAN,
  /** A segment starts with `segmentMagic` (8 bytes), the format version 1 (u32) and its index (u32). */
  segmentHeader: SEG_HEADER,
  segmentMagic: SEG_MAGIC,
  /** The log starts with `logMagic` (8 bytes) and the format version 1 (u32), then records of `recordSize` bytes. */
  logHeader: LOG_HEADER,
  logMagic: LOG_MAGIC,
  /**
   * A record: magic (u32), kind (u8, `RecordKind`) and 3 zero bytes, the stream's uuid (16 bytes), major version
   * (u64), root address (f64), the segment of its node range (u32), the range's CRC-32 (u32), the range's start and
   * end offsets (f64 each), the CRC-32 of the 64 bytes before it (u32) and 4 zero bytes. A Relocate record holds in
   * `root` the address its nodes were copied from (its major is 0); a Free record names the freed segment in its
   * segment field and that file's size in bytes as its major, with no stream (all zero) and no range.
   */
  recordSize: RECORD_SIZE,
  /**
   * A node: magic (u32: `leafMagic` or `coreMagic`), length in bytes (u32), start (i64), pw (u32), point count
   * (u32, 0 for an internal node), then the body (a leaf's times then values; an internal node's slots), then the
   * CRC-32 of everything before it (u32) and 4 zero bytes.
   */
  nodeHeader: NODE_HEADER,
  leafMagic: LEAF_MAGIC,
  coreMagic: CORE_MAGIC
} as const

/** A commit record as stored: what {@link FileBackend.open} replays, and where the commit's nodes are. */
export interface StoredCommitRecord extends CommitRecord {
  /** The segment of the commit's nodes, the byte range they fill in it (empty when none) and its CRC-32. */
  readonly seg: number
  readonly rangeStart: number
  readonly rangeEnd: number
  readonly rangeCrc: number
}

/**
 * Decodes the commit record at byte `at` of the log's bytes (`RECORD_SIZE` of them must be there), or says why
 * recovery would stop at it: a wrong magic number, a checksum mismatch or an unknown kind.
 */
export const decodeCommitRecord = (
  log: Uint8Array,
  at: number
): StoredCommitRecord | "bad magic number" | "checksum mismatch" | "unknown kind" => {
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength)
  if (view.getUint32(at, true) !== RECORD_MAGIC) return "bad magic number"
  if (crc32(log, at, at + RECORD_SIZE - 8) !== view.getUint32(at + RECORD_SIZE - 8, true)) return "checksum mismatch"
  const kind = view.getUint8(at + 4)
  if (!isRecordKind(kind)) return "unknown kind"
  return {
    kind,
    uuid: uuidFromBytes(log, at + 8),
    major: view.getBigUint64(at + 24, true),
    root: view.getFloat64(at + 32, true),
    seg: view.getUint32(at + 40, true),
    rangeCrc: view.getUint32(at + 44, true),
    rangeStart: view.getFloat64(at + 48, true),
    rangeEnd: view.getFloat64(at + 56, true)
  }
}
