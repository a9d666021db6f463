/**
 * Disk usage of a data directory (`btrdb du`): per live stream, the bytes of the nodes its latest version reaches and
 * of those any of its versions reaches (versions share nodes, each counted once); and the files' sizes: segment
 * files, commit log, metadata.
 *
 * The trees are walked from each version's root, newest first, with a set of the nodes seen (one stream at a time),
 * reading internal nodes and only the headers of leaves (a leaf of the smallest width, 2^2 ns, is not read at all:
 * its size follows from its parent's count). A leaf takes 32 + 16·points bytes on disk, an internal node 3104. Nodes
 * that compaction moved are read where they are now. No recovery runs and nothing is written; a damaged node fails
 * the walk naming it (`btrdb verify` says more).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { StatusCode } from "../../internal/protocol.js"
import { decodeLog } from "../metadata/MetadataLog.js"
import { StatusError } from "../StatusError.js"
import { RecordKind } from "./backend.js"
import { leafNodeBytes, listSegments, METADATA_LOG, NodeFiles, readCommitLog, withDataDirectory } from "./dataFiles.js"
import { EMPTY, FANOUT, FANOUT_BITS, S_ADDR, S_COUNT } from "./node.js"
import { ForwardMap } from "./relocation.js"

/** What one live stream takes. */
export interface StreamUsage {
  readonly uuid: string
  /** Its collection and name, from the metadata (undefined when the metadata does not know the stream). */
  readonly collection: string | undefined
  readonly name: string | undefined
  /** Its versions (a new stream has one), and the points in the latest. */
  readonly versions: number
  readonly points: number
  /** Nodes and their bytes reachable from the latest version. */
  readonly latestNodes: number
  readonly latestBytes: number
  /** Nodes and their bytes reachable from any version (at least the latest's). */
  readonly allNodes: number
  readonly allBytes: number
}

/** Files and their bytes. */
export interface FileUsage {
  readonly files: number
  readonly bytes: number
}

/** What {@link diskUsage} measured. */
export interface DiskUsage {
  /** The directory, absolute. */
  readonly dir: string
  /** The live streams, by collection, name and uuid. */
  readonly streams: ReadonlyArray<StreamUsage>
  /** The segment files (`seg-*.dat`). */
  readonly segments: FileUsage
  /** The commit log (`commits.log`) and its records. */
  readonly commitLog: FileUsage & { readonly records: number }
  /** The files under `metadata/`. */
  readonly metadata: FileUsage
  /**
   * Segment bytes that no version of a live stream reaches: obliterated streams' nodes not compacted yet, nodes a
   * commit wrote and then left behind, copies made by a compaction that did not finish, uncommitted bytes at the end,
   * and the segments' headers.
   */
  readonly unreachable: number
  /** The segment files compaction deleted, and the bytes they held (see `compaction.ts`). */
  readonly reclaimed: FileUsage
  /** The segment files, the commit log and the metadata together (the lock files are left out). */
  readonly total: number
}

/** Options of {@link diskUsage}. */
export interface DiskUsageOptions {
  /** Stops the walk (it rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined
}

/**
 * Measures `dir`'s disk usage, holding its lock meanwhile: fails with a `DirectoryLock.DirectoryInUseError` when a
 * server or any other opener has it, and with a `StatusError` when it is not a data directory or a node is damaged.
 */
export const diskUsage = (dir: string, options: DiskUsageOptions = {}): Promise<DiskUsage> =>
  withDataDirectory(dir, (absolute) => measure(absolute, options))

/** The total size of the files under `dir` (none when it does not exist). */
const filesUnder = (dir: string): FileUsage => {
  let files = 0
  let bytes = 0
  const visit = (d: string) => {
    let entries: Array<fs.Dirent>
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) visit(p)
      else if (e.isFile()) {
        files++
        bytes += fs.statSync(p).size
      }
    }
  }
  visit(dir)
  return { files, bytes }
}

/** The collection and name of each live stream, by uuid, from the metadata log (empty when it cannot be read). */
const names = (dir: string): Map<string, { collection: string; name: string }> => {
  const out = new Map<string, { collection: string; name: string }>()
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(path.join(dir, METADATA_LOG))
  } catch {
    return out
  }
  try {
    for (const r of decodeLog(bytes).records) {
      if (r.op === "put") out.set(r.uuid, { collection: r.collection, name: r.tags.name })
      else out.delete(r.uuid)
    }
  } catch {
    // a damaged metadata log: the streams go unnamed
  }
  return out
}

const measure = async (dir: string, options: DiskUsageOptions): Promise<DiskUsage> => {
  const log = readCommitLog(dir)
  const segmentFiles = listSegments(dir)
  // The versions of each live stream, as the store replays them: up to the first damaged record.
  const firstBad = log.bad.length > 0 ? log.bad[0].index : Infinity
  const roots = new Map<string, Array<number>>()
  for (const r of log.records) {
    if (r.index > firstBad) break
    if (r.kind === RecordKind.Create) roots.set(r.uuid, [EMPTY])
    else if (r.kind === RecordKind.Obliterate) roots.delete(r.uuid)
    else if (r.kind === RecordKind.Commit) roots.get(r.uuid)?.push(r.root)
  }
  const present = new Set(segmentFiles.map((s) => s.index))
  const freed = log.records.filter((r) => r.kind === RecordKind.Free && !present.has(r.seg))
  const reclaimed = { files: freed.length, bytes: freed.reduce((n, r) => n + Number(r.major), 0) }
  const known = names(dir)
  const files = new NodeFiles(dir, ForwardMap.fromRecords(log.records))
  const streams: Array<StreamUsage> = []
  let reachable = 0
  try {
    for (const [uuid, versions] of roots) {
      const seen = new Set<number>()
      const walk = new Walk(files, seen, options.signal)
      const latest = versions[versions.length - 1]
      const points = walk.points(latest)
      await walk.from(latest)
      const latestNodes = walk.nodes
      const latestBytes = walk.bytes
      for (let k = versions.length - 2; k >= 0; k--) await walk.from(versions[k])
      reachable += walk.bytes
      const meta = known.get(uuid)
      streams.push({
        uuid,
        collection: meta?.collection,
        name: meta?.name,
        versions: versions.length,
        points,
        latestNodes,
        latestBytes,
        allNodes: walk.nodes,
        allBytes: walk.bytes
      })
    }
  } finally {
    files.close()
  }
  streams.sort((a, b) =>
    (a.collection ?? "\uffff").localeCompare(b.collection ?? "\uffff") || (a.name ?? "").localeCompare(b.name ?? "") ||
    a.uuid.localeCompare(b.uuid)
  )
  const segments = { files: segmentFiles.length, bytes: segmentFiles.reduce((n, s) => n + s.size, 0) }
  const commitLog = { files: 1, bytes: log.size, records: log.records.length + log.bad.length }
  const metadata = filesUnder(path.join(dir, "metadata"))
  return {
    dir,
    streams,
    segments,
    commitLog,
    metadata,
    unreachable: segments.bytes - reachable,
    reclaimed,
    total: segments.bytes + commitLog.bytes + metadata.bytes
  }
}

/** A walk of one stream's trees, counting each node it reaches once. */
class Walk {
  nodes = 0
  bytes = 0
  private sinceYield = 0

  constructor(
    private readonly files: NodeFiles,
    private readonly seen: Set<number>,
    private readonly signal: AbortSignal | undefined
  ) {}

  /** The points of the tree at `root`. */
  points(root: number): number {
    if (root === EMPTY) return 0
    const h = this.files.header(root)
    if (h.kind === 0) return h.n
    const slots = this.files.slots(root)
    let total = 0
    for (let c = 0; c < FANOUT; c++) total += slots[S_COUNT + c]
    if (!Number.isSafeInteger(total)) {
      throw new StatusError(StatusCode.InvariantFailure, `node ${root}: bad point count (run btrdb verify)`)
    }
    return total
  }

  /** Counts the nodes of the tree at `root` not seen yet. */
  async from(root: number): Promise<void> {
    if (root === EMPTY) return
    const stack: Array<number> = [root]
    while (stack.length > 0) {
      const addr = stack.pop()!
      if (this.seen.has(addr)) continue
      this.seen.add(addr)
      const h = this.files.header(addr)
      this.nodes++
      this.bytes += h.len
      if (h.kind === 1) {
        const slots = this.files.slots(addr)
        for (let c = FANOUT - 1; c >= 0; c--) {
          const count = slots[S_COUNT + c]
          if (count === 0) continue
          const child = slots[S_ADDR + c]
          if (h.pw - FANOUT_BITS === 2) {
            // The smallest width: always a leaf, whose size its count gives.
            if (!this.seen.has(child)) {
              this.seen.add(child)
              this.nodes++
              this.bytes += leafNodeBytes(count)
            }
          } else {
            stack.push(child)
          }
        }
      }
      if (++this.sinceYield === 4096) {
        this.sinceYield = 0
        await new Promise<void>((resolve) => setImmediate(resolve))
        if (this.signal?.aborted === true) throw this.signal.reason ?? new Error("disk usage aborted")
      }
    }
  }
}
