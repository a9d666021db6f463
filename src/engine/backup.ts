/**
 * Backups of a data directory, also while a server serves it (`btrdb backup --data SRC --to DIR`), and the target
 * rules every backup follows.
 *
 * A directory backup copies files, so it keeps everything: every stream with all its versions (the same version
 * numbers, old versions readable), its metadata, and the tombstones of obliterated streams. It takes no lock on
 * the source and only reads it, which works because the store only ever appends: the commit log is read first, up
 * to its last whole, checksummed record, and a record is written only after the nodes it names are durable; then
 * each segment file is copied up to the end of the last node range those records name (never a freed segment:
 * compaction may delete it); then the metadata log. The copy is each stream at the last version that was durable
 * when the backup began (a server makes a commit durable within its commit delay, a second by default), opened
 * by `btrdb serve --data DIR` like any data directory. A stream created while the backup runs comes back empty,
 * one obliterated meanwhile comes back obliterated. Should compaction delete a segment file between the log's
 * reading and its copy, the backup starts again, with a fresh reading of the log.
 *
 * Memory stays bounded: files are copied 1 MiB at a time, and the log is read the same way.
 */
import * as fs from "node:fs"
import * as FsP from "node:fs/promises"
import * as path from "node:path"
import { FIRST_VERSION, StatusCode } from "../internal/protocol.js"
import { RecordKind } from "./data/backend.js"
import { METADATA_LOG } from "./data/dataFiles.js"
import { decodeCommitRecord, FILE_LAYOUT } from "./data/filestore.js"
import * as DirectoryLock from "./DirectoryLock.js"
import { fsyncDirectory } from "./fileIo.js"
import { StatusError } from "./StatusError.js"

const CHUNK = 1 << 20
const { logFile, logHeader, recordSize, segmentName } = FILE_LAYOUT
/** Records read per chunk of the log. */
const RECORDS_PER_CHUNK = Math.floor(CHUNK / recordSize)
/** How many times a backup starts again after compaction deleted a segment under it. */
const ATTEMPTS = 5

const failure = (message: string): StatusError => new StatusError(StatusCode.InvariantFailure, message)

/** The directory a backup writes to. */
export interface BackupTarget {
  /** Absolute. */
  readonly dir: string
  /** The backup failed: removes what it wrote (and the directory, when the backup created it). */
  readonly discard: () => void
}

/** Makes `to` ready for a backup: created when missing, refused (a `StatusError` saying so) when it holds anything. */
export const openTarget = (to: string): BackupTarget => {
  const dir = path.resolve(to)
  let created = false
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw failure(`${dir} is not a directory`)
    if (fs.readdirSync(dir).length > 0) {
      throw failure(`${dir} is not empty: a backup goes into a new or empty directory`)
    }
  } else {
    fs.mkdirSync(dir, { recursive: true })
    created = true
  }
  return {
    dir,
    discard: () => {
      if (created) fs.rmSync(dir, { recursive: true, force: true })
      else for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true })
    }
  }
}

/** Options of {@link backupDirectory}. */
export interface DirectoryBackupOptions {
  /** Stops the backup (it then fails, and what it wrote is removed). */
  readonly signal?: AbortSignal | undefined
  /** Told of the bytes copied so far, out of the total. */
  readonly onProgress?: ((copied: number, total: number) => void) | undefined
}

/** What {@link backupDirectory} copied. */
export interface DirectoryBackup {
  /** The backup, absolute. */
  readonly dir: string
  /** Each live stream of the backup and its latest version there (the version it had in the source). */
  readonly versions: ReadonlyMap<string, bigint>
  /** Bytes copied. */
  readonly bytes: number
  /** How many times it had to start again (compaction deleted a segment file it was about to copy). */
  readonly restarts: number
}

/** A segment file to copy, up to `end`. */
interface SegmentCopy {
  readonly index: number
  end: number
}

/** What the commit log's valid prefix says. */
interface LogSnapshot {
  readonly bytes: number
  readonly segments: ReadonlyArray<SegmentCopy>
  readonly versions: ReadonlyMap<string, bigint>
}

/** Signals that the source changed under the backup in a way that a fresh start gets past. */
class SourceMoved extends Error {}

/**
 * Copies the data directory `from` into `to` (new or empty), consistently, while a server may be serving `from`
 * (see the module's description). Fails with a `StatusError` when `from` is not a data directory or `to` is not
 * empty; on any failure nothing is left in `to`.
 */
export const backupDirectory = async (
  from: string,
  to: string,
  options: DirectoryBackupOptions = {}
): Promise<DirectoryBackup> => {
  const source = path.resolve(from)
  if (!fs.existsSync(path.join(source, logFile))) {
    throw failure(`${source} is not a BTrDB data directory (it has no ${logFile})`)
  }
  const target = openTarget(to)
  // Owned while it is written, as every opener of a data directory does, so nobody serves it half written.
  const lock = DirectoryLock.acquire(target.dir)
  try {
    for (let attempt = 0;; attempt++) {
      try {
        const copied = await copyOnce(source, target.dir, options)
        lock.release()
        return { dir: target.dir, versions: copied.versions, bytes: copied.bytes, restarts: attempt }
      } catch (e) {
        if (!(e instanceof SourceMoved) || attempt + 1 >= ATTEMPTS) throw e
        for (const entry of fs.readdirSync(target.dir)) {
          if (!entry.startsWith(DirectoryLock.LOCK_FILE)) fs.rmSync(path.join(target.dir, entry), { recursive: true })
        }
      }
    }
  } catch (e) {
    lock.release()
    target.discard()
    throw e instanceof SourceMoved ? failure(`the source kept changing under the backup: ${e.message}`) : e
  }
}

const copyOnce = async (
  source: string,
  to: string,
  options: DirectoryBackupOptions
): Promise<{ readonly versions: ReadonlyMap<string, bigint>; readonly bytes: number }> => {
  const log = await FsP.open(path.join(source, logFile), "r")
  try {
    const snapshot = await readLog(log, options.signal)
    // Open every segment file now: one that compaction deletes from here on stays readable through its handle.
    const handles: Array<{ readonly copy: SegmentCopy; readonly handle: FsP.FileHandle }> = []
    try {
      for (const copy of snapshot.segments) {
        handles.push({ copy, handle: await openSegment(source, copy.index) })
      }
      const metadataFile = path.join(source, METADATA_LOG)
      const metadataBytes = fs.existsSync(metadataFile) ? fs.statSync(metadataFile).size : 0
      const total = snapshot.bytes + snapshot.segments.reduce((n, s) => n + s.end, 0) + metadataBytes
      let copied = 0
      const advance = (n: number) => {
        copied += n
        options.onProgress?.(copied, total)
      }
      await copyFile(log, path.join(to, logFile), snapshot.bytes, options.signal, advance)
      for (const { copy, handle } of handles) {
        await copyFile(handle, path.join(to, segmentName(copy.index)), copy.end, options.signal, advance)
      }
      if (metadataBytes > 0) {
        fs.mkdirSync(path.join(to, path.dirname(METADATA_LOG)), { recursive: true })
        const metadata = await FsP.open(metadataFile, "r")
        try {
          // Whatever the log holds now; a torn last record is cut off when the backup is opened.
          const size = (await metadata.stat()).size
          await copyFile(metadata, path.join(to, METADATA_LOG), size, options.signal, advance)
        } finally {
          await metadata.close()
        }
        await fsyncDirectory(path.join(to, path.dirname(METADATA_LOG)))
      }
      await fsyncDirectory(to)
      return { versions: snapshot.versions, bytes: copied }
    } finally {
      for (const { handle } of handles) await handle.close()
    }
  } finally {
    await log.close()
  }
}

/**
 * Reads the commit log up to its first torn or corrupt record (where recovery stops too): its length, the segments
 * its records' node ranges are in (with the end of the last range in each, freed segments left out) and the
 * latest version of each live stream.
 */
const readLog = async (log: FsP.FileHandle, signal: AbortSignal | undefined): Promise<LogSnapshot> => {
  const size = (await log.stat()).size
  if (size < logHeader) throw failure(`the commit log is ${size} bytes, shorter than its header`)
  const ends = new Map<number, SegmentCopy>()
  const freed = new Set<number>()
  const versions = new Map<string, bigint>()
  const chunk = Buffer.alloc(RECORDS_PER_CHUNK * recordSize)
  let at = logHeader
  for (;;) {
    signal?.throwIfAborted()
    const want = Math.min(chunk.length, Math.floor((size - at) / recordSize) * recordSize)
    if (want <= 0) break
    const { bytesRead } = await log.read(chunk, 0, want, at)
    let k = 0
    for (; k + recordSize <= bytesRead; k += recordSize) {
      const r = decodeCommitRecord(chunk, k)
      if (typeof r === "string") break
      if (r.kind === RecordKind.Create) versions.set(r.uuid, FIRST_VERSION)
      else if (r.kind === RecordKind.Commit) versions.set(r.uuid, r.major)
      else if (r.kind === RecordKind.Obliterate) versions.delete(r.uuid)
      else if (r.kind === RecordKind.Free) freed.add(r.seg)
      if (r.rangeEnd > r.rangeStart) {
        const s = ends.get(r.seg)
        if (s === undefined) ends.set(r.seg, { index: r.seg, end: r.rangeEnd })
        else s.end = Math.max(s.end, r.rangeEnd)
      }
    }
    at += k
    if (k < want) break
  }
  const segments = [...ends.values()].filter((s) => !freed.has(s.index)).sort((a, b) => a.index - b.index)
  return { bytes: at, segments, versions }
}

const openSegment = async (dir: string, index: number): Promise<FsP.FileHandle> => {
  try {
    return await FsP.open(path.join(dir, segmentName(index)), "r")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SourceMoved(`${segmentName(index)} was deleted (by compaction) as the backup began`)
    }
    throw e
  }
}

/** Copies the first `length` bytes of `from` into a new file `to`, 1 MiB at a time, and makes it durable. */
const copyFile = async (
  from: FsP.FileHandle,
  to: string,
  length: number,
  signal: AbortSignal | undefined,
  advance: (n: number) => void
): Promise<void> => {
  const out = await FsP.open(to, "wx")
  try {
    const buf = Buffer.alloc(Math.min(CHUNK, Math.max(length, 1)))
    for (let at = 0; at < length;) {
      signal?.throwIfAborted()
      const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, length - at), at)
      if (bytesRead === 0) throw new SourceMoved(`${path.basename(to)} is shorter than its commits say`)
      await out.write(buf, 0, bytesRead, at)
      at += bytesRead
      advance(bytesRead)
    }
    await out.sync()
  } finally {
    await out.close()
  }
}
