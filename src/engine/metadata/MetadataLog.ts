/**
 * The durable form of the metadata store: an append-only log of checksummed records.
 *
 * File layout: an 8-byte magic header, then records of
 * `[u32 LE payload length][u32 LE CRC-32 of (length bytes ++ payload)][payload: UTF-8 JSON]`.
 * Each record holds the whole state of one stream after a mutation (`put`) or a tombstone (`obliterate`),
 * so replay is a plain "last record wins" per uuid. A record that is cut short or fails its checksum ends the
 * log: it is the torn tail of a write that never completed (and was never acknowledged), and is cut off at open.
 *
 * Appends are group-committed: records queued while a write is in flight go out together in the next
 * write, and every append's promise resolves only after its bytes have been `fdatasync`ed.
 *
 * A write or fdatasync that fails (a full disk, an I/O error) cuts the file back to its last durable end and fails
 * the appends of that write and every append queued after it (their changes may build on the failed ones), each
 * after its `undo` ran, newest first; the log then goes on, clean, with the next append.
 */
import * as FsP from "node:fs/promises"
import * as Path from "node:path"
import { StatusCode } from "../../internal/protocol.js"
import { crc32 } from "../crc32.js"
import { type DiskFaults, writeFailure } from "../DiskFaults.js"
import { fsyncDirectory } from "../fileIo.js"
import { StatusError } from "../StatusError.js"

/** The stream state a `put` record carries. Tag values are stored as given; an absent distiller is unset. */
export interface PutRecord {
  readonly op: "put"
  readonly uuid: string
  readonly collection: string
  readonly tags: { readonly name: string; readonly unit: string; readonly ingress: string; readonly distiller?: string }
  /** Annotations as [key, value] pairs, in insertion order. */
  readonly annotations: ReadonlyArray<readonly [string, string]>
  /** The property version, as a decimal string. */
  readonly version: string
}

/** The stream `uuid` was obliterated: it is gone and tombstoned. */
export interface ObliterateRecord {
  readonly op: "obliterate"
  readonly uuid: string
}

/** One entry of the metadata log. */
export type LogRecord = PutRecord | ObliterateRecord

/** The log file name inside the metadata directory. */
export const LOG_FILE = "metadata.log"

const MAGIC = Buffer.from("BTRDBMD\x01", "latin1")
const HEADER_BYTES = 8
/** A record longer than this is taken as garbage (a torn length field). */
const MAX_RECORD_BYTES = 256 * 1024 * 1024

/** Encodes one record with its length and checksum. */
export const encodeRecord = (record: LogRecord): Buffer => {
  const payload = Buffer.from(JSON.stringify(record), "utf8")
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  out.writeUInt32LE(payload.length, 0)
  payload.copy(out, HEADER_BYTES)
  out.writeUInt32LE(crc32(payload, 0, payload.length, crc32(out.subarray(0, 4))), 4)
  return out
}

/** What {@link decodeLog} found in a log file's bytes. */
export interface DecodedLog {
  readonly records: ReadonlyArray<LogRecord>
  /** The length of the valid prefix of the file (header plus whole, checksummed records). */
  readonly validBytes: number
}

const isRecord = (u: unknown): u is LogRecord => {
  if (typeof u !== "object" || u === null) return false
  const r = u as Record<string, unknown>
  if (typeof r.uuid !== "string") return false
  if (r.op === "obliterate") return true
  return r.op === "put" && typeof r.collection === "string" && typeof r.version === "string" &&
    typeof r.tags === "object" && r.tags !== null && Array.isArray(r.annotations)
}

/**
 * Decodes the bytes of a log file, stopping at the first record that is incomplete or fails its checksum.
 * A file shorter than the header decodes as empty; a wrong magic number throws.
 */
export const decodeLog = (bytes: Uint8Array): DecodedLog => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < HEADER_BYTES) return { records: [], validBytes: 0 }
  if (!buf.subarray(0, HEADER_BYTES).equals(MAGIC)) {
    throw new StatusError(StatusCode.InvariantFailure, "metadata log: not a metadata log file (bad magic number)")
  }
  const records: Array<LogRecord> = []
  let offset = HEADER_BYTES
  while (offset + HEADER_BYTES <= buf.length) {
    const length = buf.readUInt32LE(offset)
    if (length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > buf.length) break
    const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length)
    if (crc32(payload, 0, payload.length, crc32(buf.subarray(offset, offset + 4))) !== buf.readUInt32LE(offset + 4)) {
      break
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(payload.toString("utf8"))
    } catch {
      parsed = undefined
    }
    if (!isRecord(parsed)) {
      throw new StatusError(
        StatusCode.InvariantFailure,
        `metadata log: record at byte ${offset} has a valid checksum but is not a log record`
      )
    }
    records.push(parsed)
    offset += HEADER_BYTES + length
  }
  return { records, validBytes: offset }
}

interface Pending {
  readonly bytes: Buffer
  readonly undo: () => void
  readonly resolve: () => void
  readonly reject: (e: unknown) => void
}

const writeAll = async (handle: FsP.FileHandle, bytes: Buffer, faults?: DiskFaults): Promise<void> => {
  let off = 0
  while (off < bytes.length) {
    const allowed = faults?.allowWrite("metadata", bytes.length - off) ?? bytes.length - off
    const { bytesWritten } = await handle.write(bytes, off, allowed)
    off += bytesWritten
  }
}

/** The result of {@link MetadataLog.open}. */
export interface OpenedLog {
  readonly log: MetadataLog
  /** Every valid record, oldest first. */
  readonly records: ReadonlyArray<LogRecord>
  /** How many bytes of torn tail were cut off. */
  readonly truncatedBytes: number
}

/** An open metadata log file. */
export class MetadataLog {
  private pending: Array<Pending> = []
  private flushing: Promise<void> | undefined
  private failure: StatusError | undefined
  private closed = false

  private constructor(
    private readonly dir: string,
    private handle: FsP.FileHandle,
    /** The file's durable length: where a failed write cuts it back to. */
    private size: number,
    private readonly faults: DiskFaults | undefined
  ) {}

  /**
   * Opens (or creates) `dir/metadata.log`, reads its records and cuts off a torn tail. `faults` (tests only) may
   * make its later writes fail.
   */
  static async open(dir: string, faults?: DiskFaults): Promise<OpenedLog> {
    await FsP.mkdir(dir, { recursive: true })
    const path = Path.join(dir, LOG_FILE)
    let bytes: Buffer
    try {
      bytes = await FsP.readFile(path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
      bytes = Buffer.alloc(0)
    }
    const { records, validBytes } = decodeLog(bytes)
    let truncatedBytes = 0
    if (validBytes === 0) {
      // New file (or one torn before its header was complete): write a fresh header.
      truncatedBytes = bytes.length
      await MetadataLog.writeFileDurably(dir, [MAGIC])
    } else if (validBytes < bytes.length) {
      truncatedBytes = bytes.length - validBytes
      const h = await FsP.open(path, "r+")
      try {
        await h.truncate(validBytes)
        await h.sync()
      } finally {
        await h.close()
      }
    }
    const handle = await FsP.open(path, "a")
    return {
      log: new MetadataLog(dir, handle, validBytes === 0 ? MAGIC.length : validBytes, faults),
      records,
      truncatedBytes
    }
  }

  /** Writes `chunks` to a temporary file, syncs it and renames it over the log. */
  private static async writeFileDurably(dir: string, chunks: Iterable<Buffer>): Promise<void> {
    const path = Path.join(dir, LOG_FILE)
    const tmp = `${path}.${process.pid}.tmp`
    const h = await FsP.open(tmp, "w")
    try {
      for (const chunk of chunks) await writeAll(h, chunk)
      await h.sync()
    } finally {
      await h.close()
    }
    await FsP.rename(tmp, path)
    await fsyncDirectory(dir)
  }

  /** The error that stopped the log, if a failed write could not be cut off: nothing more can be appended. */
  get failed(): StatusError | undefined {
    return this.failure
  }

  /**
   * Appends a record; resolves once it is on disk. When its write fails, `undo` runs (it takes back the change the
   * record describes) and the append rejects with 426 (disk full) or 500.
   */
  append(record: LogRecord, undo: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new StatusError(StatusCode.InvariantFailure, "metadata log is closed"))
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes: encodeRecord(record), undo, resolve, reject })
      this.flushing ??= this.flushLoop()
    })
  }

  private async flushLoop(): Promise<void> {
    // Let the appends of the current tick join this batch.
    await null
    while (this.pending.length > 0) {
      const batch = this.pending
      this.pending = []
      const bytes = Buffer.concat(batch.map((p) => p.bytes))
      try {
        if (this.failure) throw this.failure
        await writeAll(this.handle, bytes, this.faults)
        this.faults?.checkFsync("metadata")
        await this.handle.datasync()
        this.size += bytes.length
        for (const p of batch) p.resolve()
      } catch (e) {
        await this.rollback(batch, writeFailure(e, "the metadata log"))
      }
    }
    this.flushing = undefined
  }

  /** Cuts the file back to its durable end and fails `batch` and every append queued since, undoing them. */
  private async rollback(batch: ReadonlyArray<Pending>, error: StatusError): Promise<void> {
    const failed = [...batch, ...this.pending]
    this.pending = []
    try {
      await this.handle.truncate(this.size)
    } catch (e) {
      this.failure ??= writeFailure(e, "the metadata log")
    }
    for (let k = failed.length - 1; k >= 0; k--) failed[k].undo()
    for (const p of failed) p.reject(this.failure ?? error)
  }

  /** Resolves when every queued append has been written (or has failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  /**
   * Replaces the log with `records` (a snapshot of the current state), atomically: the snapshot is written
   * to a temporary file, synced, and renamed over the log. Waits for queued appends first.
   */
  async compact(records: Iterable<LogRecord>): Promise<void> {
    await this.drain()
    if (this.failure) throw this.failure
    const chunks: Array<Buffer> = [MAGIC]
    for (const r of records) chunks.push(encodeRecord(r))
    await this.handle.close()
    try {
      await MetadataLog.writeFileDurably(this.dir, chunks)
      this.size = chunks.reduce((n, c) => n + c.length, 0)
    } finally {
      this.handle = await FsP.open(Path.join(this.dir, LOG_FILE), "a")
    }
  }

  /** Waits for queued appends and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.drain()
    this.closed = true
    await this.handle.close()
  }
}
