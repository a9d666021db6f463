/**
 * Read-only access to the files of a data directory, for the maintenance tools (`verify.ts`, `usage.ts`): the
 * commit log's records as they are stored (each one, or why it is unusable), the segment files, and nodes read by
 * address with their checksum checked. Nothing here writes: unlike `FileBackend.open`, no recovery runs, so a torn
 * tail is seen as it is.
 *
 * {@link withDataDirectory} takes the directory's lock for the duration, as every opener does.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { StatusCode } from "../../internal/protocol.js"
import { crc32 } from "../crc32.js"
import * as DirectoryLock from "../DirectoryLock.js"
import { readAt } from "../fileIo.js"
import { LOG_FILE } from "../metadata/MetadataLog.js"
import { StatusError } from "../StatusError.js"
import { decodeCommitRecord, FILE_LAYOUT, type StoredCommitRecord } from "./filestore.js"
import { SLOTS_LEN } from "./node.js"
import { ForwardMap } from "./relocation.js"

const { coreMagic, leafMagic, logHeader, logMagic, nodeHeader, recordSize, segmentSpan } = FILE_LAYOUT

/** The length of an internal node on disk. */
export const INTERNAL_NODE_BYTES = nodeHeader + 8 * SLOTS_LEN + 8

/** The length of a leaf of `n` points on disk. */
export const leafNodeBytes = (n: number): number => nodeHeader + 16 * n + 8

/** The metadata log, relative to the data directory. */
export const METADATA_LOG = path.join("metadata", LOG_FILE)

/**
 * Runs `f` on `dir` while holding its lock: the directory must exist and hold a commit log (nothing is created), and
 * no other process (nor another open in this one) may have it open, else a `DirectoryLock.DirectoryInUseError`
 * naming the owner.
 */
export const withDataDirectory = async <A>(dir: string, f: (dir: string) => Promise<A>): Promise<A> => {
  const absolute = path.resolve(dir)
  let stat: fs.Stats
  try {
    stat = fs.statSync(absolute)
  } catch {
    throw new StatusError(StatusCode.InvariantFailure, `there is no data directory ${absolute}`)
  }
  if (!stat.isDirectory()) throw new StatusError(StatusCode.InvariantFailure, `${absolute} is not a directory`)
  if (!fs.existsSync(path.join(absolute, FILE_LAYOUT.logFile))) {
    throw new StatusError(
      StatusCode.InvariantFailure,
      `${absolute} is not a BTrDB data directory (it has no ${FILE_LAYOUT.logFile})`
    )
  }
  const lock = DirectoryLock.acquire(absolute)
  try {
    return await f(absolute)
  } finally {
    lock.release()
  }
}

/** A segment file. */
export interface SegmentFile {
  readonly index: number
  readonly name: string
  readonly size: number
}

/** The segment files of `dir`, by index. */
export const listSegments = (dir: string): Array<SegmentFile> => {
  const out: Array<SegmentFile> = []
  for (const name of fs.readdirSync(dir)) {
    const m = FILE_LAYOUT.segmentPattern.exec(name)
    if (m === null) continue
    out.push({ index: Number(m[1]), name, size: fs.statSync(path.join(dir, name)).size })
  }
  return out.sort((a, b) => a.index - b.index)
}

/** A well-formed commit record, with its place in the log. */
export interface LoggedCommit extends StoredCommitRecord {
  /** Its position among the log's records (0 is the first). */
  readonly index: number
  /** Its byte offset in the log. */
  readonly offset: number
}

/** A record that recovery would stop at (and drop, with every record after it). */
export interface BadRecord {
  readonly index: number
  readonly offset: number
  readonly reason: string
}

/** What {@link readCommitLog} found. */
export interface CommitLog {
  /** The log's size in bytes. */
  readonly size: number
  /** What is wrong with the header, if anything. */
  readonly headerFault: string | undefined
  /** Every well-formed record, in log order (including those after a bad one). */
  readonly records: ReadonlyArray<LoggedCommit>
  /** The records that are not. */
  readonly bad: ReadonlyArray<BadRecord>
  /** Bytes after the last whole record: a record torn by a crash, cut off at the next open. */
  readonly tornBytes: number
}

/** Reads and decodes `dir/commits.log`, 1 MiB at a time. */
export const readCommitLog = (dir: string): CommitLog => {
  const file = path.join(dir, FILE_LAYOUT.logFile)
  const fd = fs.openSync(file, "r")
  try {
    const size = fs.fstatSync(fd).size
    const header = Buffer.alloc(logHeader)
    const got = readAt(fd, header, 0)
    let headerFault: string | undefined
    if (got < logHeader) headerFault = `the log is ${size} bytes, shorter than its header`
    else if (header.toString("latin1", 0, 8) !== logMagic) headerFault = "not a commit log (bad magic number)"
    else if (header.readUInt32LE(8) !== 1) headerFault = `unknown format version ${header.readUInt32LE(8)}`
    const records: Array<LoggedCommit> = []
    const bad: Array<BadRecord> = []
    const uuids = new Map<string, string>()
    const whole = Math.max(0, Math.floor((size - logHeader) / recordSize))
    const chunk = Buffer.alloc(recordSize * 14_563) // about 1 MiB
    for (let first = 0; first < whole; first += 14_563) {
      const count = Math.min(14_563, whole - first)
      const offset = logHeader + first * recordSize
      readAt(fd, chunk.subarray(0, count * recordSize), offset)
      for (let k = 0; k < count; k++) {
        const r = decodeCommitRecord(chunk, k * recordSize)
        const index = first + k
        const at = offset + k * recordSize
        if (typeof r === "string") {
          bad.push({ index, offset: at, reason: r })
          continue
        }
        // One string per stream, not per record: a log may hold millions of records.
        let uuid = uuids.get(r.uuid)
        if (uuid === undefined) uuids.set(r.uuid, uuid = r.uuid)
        records.push({ ...r, uuid, index, offset: at })
      }
    }
    return { size, headerFault, records, bad, tornBytes: Math.max(0, size - logHeader - whole * recordSize) }
  } finally {
    fs.closeSync(fd)
  }
}

/** The segment index and byte offset of a node address. */
export const splitAddress = (addr: number): { readonly seg: number; readonly offset: number } => {
  const seg = Math.floor(addr / segmentSpan)
  return { seg, offset: addr - seg * segmentSpan }
}

/** A node's header, as {@link NodeFiles.header} reads it. */
export interface NodeHeader {
  readonly kind: 0 | 1
  readonly len: number
  readonly start: bigint
  readonly pw: number
  /** Points of a leaf (0 for an internal node). */
  readonly n: number
}

/**
 * Random reads of nodes by address, through one block (64 KiB, or the node when larger), so the headers of
 * neighbouring nodes cost one read; a node in a segment compaction freed is read where `forward` says its copy is.
 * Every failure is a `StatusError` naming the node.
 */
export class NodeFiles {
  private readonly fds = new Map<number, { readonly fd: number; readonly size: number }>()
  private buf = new Uint8Array(64 * 1024)
  private view = new DataView(this.buf.buffer)
  private seg = -1
  private start = 0
  private end = 0
  /** Bytes read from the segment files so far. */
  bytesRead = 0

  constructor(private readonly dir: string, private readonly forward: ForwardMap = new ForwardMap()) {}

  private file(seg: number): { readonly fd: number; readonly size: number } {
    let f = this.fds.get(seg)
    if (f === undefined) {
      const name = path.join(this.dir, FILE_LAYOUT.segmentName(seg))
      let fd: number
      try {
        fd = fs.openSync(name, "r")
      } catch {
        throw new StatusError(StatusCode.InvariantFailure, `segment file ${FILE_LAYOUT.segmentName(seg)} is missing`)
      }
      f = { fd, size: fs.fstatSync(fd).size }
      this.fds.set(seg, f)
    }
    return f
  }

  /**
   * Makes the block hold bytes [offset, offset + len) of segment `seg`; returns their position in it. A block read
   * ends just past the node (past a whole internal node for a header) and reaches back 64 KiB: a tree is walked from
   * parents to children, which were written before them, mostly just before.
   */
  private load(addr: number, seg: number, offset: number, len: number): number {
    if (this.seg === seg && offset >= this.start && offset + len <= this.end) return offset - this.start
    const f = this.file(seg)
    if (offset + len > f.size) throw this.fault(addr, "past the end of its segment")
    if (len > this.buf.length) {
      this.buf = new Uint8Array(len)
      this.view = new DataView(this.buf.buffer)
    }
    const end = Math.min(f.size, offset + Math.max(len, INTERNAL_NODE_BYTES))
    const start = Math.min(offset, Math.max(0, end - this.buf.length))
    this.seg = -1
    const got = readAt(f.fd, this.buf.subarray(0, end - start), start)
    this.bytesRead += got
    if (got < offset + len - start) throw this.fault(addr, "short read")
    this.seg = seg
    this.start = start
    this.end = start + got
    return offset - start
  }

  private fault(addr: number, what: string): StatusError {
    const at = this.forward.resolve(addr)
    const { offset, seg } = splitAddress(at < 0 ? addr : at)
    return new StatusError(
      StatusCode.InvariantFailure,
      `node ${addr} (${FILE_LAYOUT.segmentName(seg)} @ ${offset}): ${what} (run btrdb verify)`
    )
  }

  /** Where the node at `addr` is. */
  private locate(addr: number): { readonly seg: number; readonly offset: number } {
    if (!Number.isSafeInteger(addr) || addr <= 0) throw this.fault(addr, "not a node address")
    const at = this.forward.resolve(addr)
    if (at < 0) throw this.fault(addr, "its segment was freed by compaction without a copy of it")
    return splitAddress(at)
  }

  /** The header of the node at `addr`, checked for a known magic number and a consistent length. */
  header(addr: number): NodeHeader {
    const { offset, seg } = this.locate(addr)
    const at = this.load(addr, seg, offset, nodeHeader)
    const magic = this.view.getUint32(at, true)
    const len = this.view.getUint32(at + 4, true)
    const n = this.view.getUint32(at + 20, true)
    const kind = magic === leafMagic ? 0 : magic === coreMagic ? 1 : -1
    if (kind === -1) throw this.fault(addr, "bad magic number")
    if (len !== (kind === 0 ? leafNodeBytes(n) : INTERNAL_NODE_BYTES)) throw this.fault(addr, "bad length")
    return { kind, len, start: this.view.getBigInt64(at + 8, true), pw: this.view.getUint32(at + 16, true), n }
  }

  /** The slots of the internal node at `addr` (a copy), its checksum checked. */
  slots(addr: number): Float64Array {
    const h = this.header(addr)
    if (h.kind !== 1) throw this.fault(addr, "a leaf where an internal node was expected")
    const { offset, seg } = this.locate(addr)
    const at = this.load(addr, seg, offset, h.len)
    if (crc32(this.buf, at, at + h.len - 8) !== this.view.getUint32(at + h.len - 8, true)) {
      throw this.fault(addr, "checksum mismatch")
    }
    return new Float64Array(this.buf.slice(at + nodeHeader, at + nodeHeader + 8 * SLOTS_LEN).buffer)
  }

  /** Closes the files. */
  close(): void {
    for (const f of this.fds.values()) fs.closeSync(f.fd)
    this.fds.clear()
  }
}
