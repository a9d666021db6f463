/**
 * The BTrDB storage engine (data plane): per-stream time-partitioned, copy-on-write,
 * version-annotated 64-ary trees (BTrDB, FAST '16), in memory or in a directory.
 *
 * Every method validates its input before it stores anything and fails with a {@link StatusError}
 * carrying the code of PROTOCOL.md §5 (async methods reject with it).
 *
 * @module
 */
import { isMergePolicy } from "../../internal/mergePolicy.js"
import { FIRST_VERSION, MAX_TIME, MIN_TIME, StatusCode } from "../../internal/protocol.js"
import { firstTimeOutside, isAscending } from "../../internal/timeColumns.js"
import type { DiskFaults } from "../DiskFaults.js"
import { StatusError } from "../StatusError.js"
import { type Backend, MemoryBackend, RecordKind } from "./backend.js"
import type { CompactionOptions, CompactionReport, CompactionStats } from "./compaction.js"
import { FileBackend } from "./filestore.js"
import { DEFAULT_LEAF_CAPACITY, EMPTY, FANOUT, S_ADDR, S_COUNT } from "./node.js"
import {
  ChangesScan,
  ColumnsPageBuilder,
  countRange,
  nearestBackward,
  nearestForward,
  rawPages,
  WindowSweep
} from "./query.js"
import { Tree } from "./tree.js"
import type {
  CacheStats,
  Columns,
  MergePolicy,
  Paged,
  RangeColumns,
  RawPageBuilder,
  StatColumns,
  Version
} from "./types.js"

export type { CompactionOptions, CompactionReport, CompactionStats } from "./compaction.js"
export type {
  CacheStats,
  Columns,
  MergePolicy,
  Paged,
  RangeColumns,
  RawPageBuilder,
  StatColumns,
  Version
} from "./types.js"

/** The most points one insert may carry (PROTOCOL.md §7.9 recommends accepting 100000). */
export const MAX_INSERT_POINTS = 100_000

/** Default size of the node cache of an on-disk store: 256 MiB. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

/** Default bound on how long a commit stays non-durable: 1000 ms. */
export const DEFAULT_COMMIT_DELAY_MS = 1000

/** Default size after which a new segment file is started: 1 GiB. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024

/** Options of {@link DataStore.open}. */
export interface DataStoreOptions {
  /** Directory of an on-disk store (created if missing, recovered if present). Omit for a purely in-memory store. */
  readonly dir?: string | undefined
  /**
   * Byte limit of the node cache of an on-disk store, its read buffers included (default
   * {@link DEFAULT_CACHE_BYTES}).
   */
  readonly cacheBytes?: number | undefined
  /**
   * On-disk store: every commit becomes durable (fsynced, and found again after a crash) at most this
   * many milliseconds after it was made, plus the time the fsyncs take (default
   * {@link DEFAULT_COMMIT_DELAY_MS}). `sync` inserts, Flush, Obliterate and close are durable when they resolve.
   * The timer does not keep the process alive: call {@link DataStore.close} before exiting.
   */
  readonly commitDelayMs?: number | undefined
  /** On-disk store: segment file size after which a new one is started (default {@link DEFAULT_SEGMENT_BYTES}). */
  readonly segmentBytes?: number | undefined
  /**
   * On-disk store: when and how fast the space of obliterated streams is given back (see `compaction.ts`): by
   * default a segment whose live bytes fall under half its size is compacted in the background after an obliterate,
   * 1 MiB per step, a step every 50 ms.
   */
  readonly compaction?: CompactionOptions | undefined
  /** On-disk store, tests only: failures to inject into its writes and fsyncs (see `DiskFaults.ts`). */
  readonly faults?: DiskFaults | undefined
  /**
   * Points a leaf holds before it splits (default 1024). Small values make deep trees from few
   * points, which tests use.
   *
   * @internal
   */
  readonly leafCapacity?: number | undefined
}

/** Options of {@link DataStore.insert}. */
export interface InsertOptions {
  /** What to do with timestamps that are already stored (PROTOCOL.md §7.9). */
  readonly policy: MergePolicy
  /** Resolve only once the insert is durable (on-disk store). */
  readonly sync?: boolean | undefined
  /** Round every timestamp to the nearest multiple of 2^roundBits first: `(t + 2^(bits-1)) & ~(2^bits-1)`. */
  readonly roundBits?: number | undefined
}

/** A point found by {@link DataStore.nearest}. */
export interface NearestResult {
  readonly version: Version
  readonly time: bigint
  readonly value: number
}

interface StreamState {
  /** Root address of each major version, from {@link FIRST_VERSION} on. */
  readonly roots: Array<number>
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MAX_INSERT_TIME = MAX_TIME - 1n
const TWO_63 = 1n << 63n

const fail = (code: number, message: string): never => {
  throw new StatusError(code, message)
}

const checkRange = (start: bigint, end: bigint): void => {
  if (start < MIN_TIME || end >= MAX_TIME) fail(StatusCode.InvalidTimeRange, "time range out of bounds")
  if (start >= end) fail(StatusCode.InvalidTimeRange, "start time >= end time")
}

/** Points (or windows, or ranges) per page of a read unless asked otherwise: BTrDB's 5000 per message (PROTOCOL.md §7.3). */
export const PAGE_SIZE = 5000

const checkPageSize = (pageSize: number): void => {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    fail(StatusCode.WrongArgs, "page size must be a positive integer")
  }
}

const version = (major: bigint): Version => ({ major, minor: 0n })

/**
 * The storage engine: streams of (time, value) points with immutable, numbered versions.
 *
 * Versions: a new stream is at major {@link FIRST_VERSION} (10). Every insert with points and every
 * delete commits major+1 (minor always 0) at once, whether or not it changes anything; an empty
 * insert returns the current version. Reads take a major version, 0n meaning the latest.
 *
 * Reads are synchronous and paged lazily: the pages are computed while they are iterated, from an
 * immutable snapshot, so a consumer may stop at any point and writes never disturb a read.
 *
 * Errors are checked in this order: 404 (unknown stream), then the arguments (413, 414, 415, 421,
 * 425, 427), then 450 (version), then 401 (Nearest found nothing).
 *
 * A write that cannot be made durable (a full disk, an I/O error) fails with 426 (disk full) or 500 (any other
 * error) and changes nothing. A group commit that fails takes the store back to its last durable state: the
 * commits that were not durable yet are undone in memory too (their versions disappear, as after a crash), and the
 * callers waiting for them (`sync` inserts, Flush, Obliterate) fail. The next write starts clean.
 *
 * On disk (`dir`), one process at a time may open a directory. See `filestore.ts` for the layout,
 * durability and recovery rules.
 */
export class DataStore {
  private readonly streams = new Map<string, StreamState>()
  private readonly tombstones = new Set<string>()
  /** How to undo each commit that is not durable yet, oldest first, with its sequence number (see {@link record}). */
  private journal: Array<{ readonly seq: number; readonly undo: () => void }> = []
  private readonly rollbackListeners: Array<() => void> = []
  private readonly tree: Tree
  private closed = false

  private constructor(private readonly backend: Backend, leafCapacity: number) {
    this.tree = new Tree(backend, leafCapacity)
    backend.onRollback((kept) => this.rollback(kept))
  }

  /**
   * Opens a store: in memory when `dir` is undefined, else in `dir`, recovering every stream at its
   * last durable version with all its older versions.
   */
  static open(options: DataStoreOptions = {}): Promise<DataStore> {
    const cap = options.leafCapacity ?? DEFAULT_LEAF_CAPACITY
    if (!Number.isSafeInteger(cap) || cap < 2) {
      return Promise.reject(new StatusError(StatusCode.WrongArgs, "leafCapacity must be an integer >= 2"))
    }
    if (options.dir === undefined) return Promise.resolve(new DataStore(new MemoryBackend(), cap))
    try {
      const { backend, records } = FileBackend.open(options.dir, {
        cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
        commitDelayMs: options.commitDelayMs ?? DEFAULT_COMMIT_DELAY_MS,
        segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
        compaction: options.compaction,
        faults: options.faults
      })
      const store = new DataStore(backend, cap)
      for (const r of records) {
        if (r.kind === RecordKind.Create) {
          store.streams.set(r.uuid, { roots: [EMPTY] })
        } else if (r.kind === RecordKind.Obliterate) {
          store.streams.delete(r.uuid)
          store.tombstones.add(r.uuid)
        } else {
          const st = store.streams.get(r.uuid)
          if (st === undefined || r.major !== FIRST_VERSION + BigInt(st.roots.length)) {
            throw new StatusError(StatusCode.InvariantFailure, `commit log: unexpected version ${r.major} of ${r.uuid}`)
          }
          st.roots.push(r.root)
        }
      }
      return Promise.resolve(store)
    } catch (e) {
      return Promise.reject(e)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Streams and versions

  /**
   * Creates an empty stream at version (10, 0). Errors: 421 for a malformed uuid (lowercase
   * hyphenated form expected), 417 if it exists, 429 if it was obliterated.
   */
  createStream(uuid: string): Version {
    this.open()
    if (!UUID_RE.test(uuid)) fail(StatusCode.WrongArgs, "invalid uuid")
    if (this.streams.has(uuid)) fail(StatusCode.SameStream, "stream already exists")
    if (this.tombstones.has(uuid)) fail(StatusCode.ReusedUUID, "uuid belonged to an obliterated stream")
    this.record(this.backend.commit(RecordKind.Create, uuid, FIRST_VERSION, EMPTY), () => this.streams.delete(uuid))
    this.streams.set(uuid, { roots: [EMPTY] })
    return version(FIRST_VERSION)
  }

  /** True when the stream exists. */
  hasStream(uuid: string): boolean {
    return this.streams.has(uuid)
  }

  /** True when the uuid belonged to an obliterated stream (it can never be created again). */
  isObliterated(uuid: string): boolean {
    return this.tombstones.has(uuid)
  }

  /** The uuids of every stream. */
  streamIds(): Array<string> {
    return [...this.streams.keys()]
  }

  /** The latest version of a stream (404 if unknown). */
  version(uuid: string): Version {
    const st = this.stream(uuid)
    return version(FIRST_VERSION + BigInt(st.roots.length - 1))
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  /**
   * Inserts points (unsorted allowed) under a merge policy and commits a new version, returned,
   * even when the policy reduces the insert to no change (as every Delete does, PROTOCOL.md
   * §7.2: the version an insert returns is always one to pin). An empty insert returns the
   * current version.
   * Errors: 404, 421 (column lengths differ, bad policy or roundBits), 414 (more than
   * {@link MAX_INSERT_POINTS}), 413 (a time, after rounding, outside MIN_TIME ≤ t < MAX_TIME-1),
   * 425 (NaN or ±Inf).
   */
  async insert(uuid: string, data: Columns, options: InsertOptions): Promise<Version> {
    const st = this.stream(uuid)
    const prepared = prepareInsert(data, options)
    if (prepared === null) return this.version(uuid)
    const root = st.roots[st.roots.length - 1]
    const next = this.tree.insert(root, prepared.times, prepared.values, options.policy)
    const v = this.commit(uuid, st, next)
    if (options.sync === true) await this.backend.durable()
    return v
  }

  /**
   * Deletes the points with start ≤ t < end and commits a new version (older ones keep them), even
   * when no point was in the range (PROTOCOL.md §7.10). Errors: 404, 413.
   */
  delete(uuid: string, start: bigint, end: bigint): Promise<Version> {
    try {
      const st = this.stream(uuid)
      checkRange(start, end)
      const next = this.tree.delete(st.roots[st.roots.length - 1], start, end)
      return Promise.resolve(this.commit(uuid, st, next))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /**
   * Makes every commit made so far durable (of every stream) and returns the version the stream
   * was at when it was called: that version is durable. Not the version after the fsyncs, which
   * may count commits made meanwhile, not durable yet (a crash would take it back). Nothing is
   * ever buffered (each change commits at once), so Flush never makes a new version. Errors: 404, and 426 (disk
   * full) or 500 (another write error) when the commits could not be made durable (they are then undone).
   */
  async flush(uuid: string): Promise<Version> {
    const v = this.version(uuid)
    await this.backend.durable()
    return v
  }

  /** Removes a stream and all its versions for good; its uuid can never be created again. Durable when it resolves. Errors: 404. */
  async obliterate(uuid: string): Promise<void> {
    const st = this.stream(uuid)
    const seq = this.backend.commit(RecordKind.Obliterate, uuid, FIRST_VERSION + BigInt(st.roots.length - 1), EMPTY)
    this.record(seq, () => {
      this.tombstones.delete(uuid)
      this.streams.set(uuid, st)
    })
    this.streams.delete(uuid)
    this.tombstones.add(uuid)
    if (this.backend.releases) this.backend.release(this.reachable(st.roots))
    await this.backend.durable()
  }

  /**
   * Gives back the space of obliterated streams now: compacts every segment that qualifies (its live bytes under the
   * `compaction.below` share of its size) at full speed, after any background pass under way. No version of any
   * live stream reads differently. An in-memory store frees an obliterated stream at once and has nothing to do.
   */
  async compact(): Promise<CompactionReport> {
    this.open()
    return await this.backend.compact()
  }

  /** What compaction did since the store was opened (background passes included), and whether a pass is under way. */
  compactionStats(): CompactionStats {
    return this.backend.compactionStats()
  }

  /** Makes everything durable and closes the store's files. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.backend.close()
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  /**
   * The points with start ≤ t < end in ascending time order (equal times in insertion order), in
   * pages of at most `pageSize`. Errors: 404, 413, 450.
   */
  rawValues(uuid: string, start: bigint, end: bigint, version: bigint, pageSize = PAGE_SIZE): Paged<Columns> {
    return this.rawValuesInto(uuid, start, end, version, () => new ColumnsPageBuilder(pageSize), pageSize)
  }

  /**
   * {@link rawValues} with pages made by the builder `pages` gives for the version read: a consumer that sends the
   * points on (the server encoding its responses) writes them straight from the store's columns, without a page of
   * columns in between. One builder per iteration of `pages`. Errors: 404, 413, 450.
   */
  rawValuesInto<P>(
    uuid: string,
    start: bigint,
    end: bigint,
    version: bigint,
    pages: (version: Version) => RawPageBuilder<P>,
    pageSize = PAGE_SIZE
  ): Paged<P> {
    const st = this.stream(uuid)
    checkRange(start, end)
    const [major, root] = this.resolveIn(st, version)
    checkPageSize(pageSize)
    const store = this.backend
    const read = { major, minor: 0n }
    return {
      version: read,
      pages: { [Symbol.iterator]: () => rawPages(store, root, start, end, pageSize, pages(read)) }
    }
  }

  /**
   * Statistics of the windows [t, t+2^pointWidth) aligned to multiples of 2^pointWidth, for
   * s' = start & ~(2^pw-1) ≤ t < e' = end & ~(2^pw-1); windows without points are left out
   * (PROTOCOL.md §7.4). Errors: 404, 415 (pointWidth > 63), 413 (s' < MIN_TIME, e'-1 ≥ MAX_TIME
   * or s' ≥ e'-1), 450.
   */
  alignedWindows(
    uuid: string,
    start: bigint,
    end: bigint,
    pointWidth: number,
    version: bigint,
    pageSize = PAGE_SIZE
  ): Paged<StatColumns> {
    const st = this.stream(uuid)
    if (!Number.isInteger(pointWidth) || pointWidth < 0 || pointWidth > 63) {
      fail(StatusCode.InvalidPointWidth, "pointwidth invalid")
    }
    const mask = (1n << BigInt(pointWidth)) - 1n
    const s = start & ~mask
    const e = end & ~mask
    if (s < MIN_TIME || e - 1n >= MAX_TIME) fail(StatusCode.InvalidTimeRange, "time range out of bounds")
    if (s >= e - 1n) fail(StatusCode.InvalidTimeRange, "start time >= end time")
    const [major, root] = this.resolveIn(st, version)
    checkPageSize(pageSize)
    const store = this.backend
    const width = mask + 1n
    return {
      version: { major, minor: 0n },
      pages: { [Symbol.iterator]: () => new WindowSweep(store, root, s, e, width, false, pageSize).pages() }
    }
  }

  /**
   * Statistics of the windows [start + k·width, start + (k+1)·width) before end' = end - ((end-start)
   * mod width); a partial last window is dropped and windows without points come with count 0 and
   * every statistic 0 (PROTOCOL.md §7.5). Results are always exact, whatever `depth`. Errors: 404,
   * 415 (width 0 or > 2^63, depth > 63), 413 (start < MIN_TIME, end ≥ MAX_TIME or start ≥ end'), 450.
   */
  windows(
    uuid: string,
    start: bigint,
    end: bigint,
    width: bigint,
    depth: number,
    version: bigint,
    pageSize = PAGE_SIZE
  ): Paged<StatColumns> {
    const st = this.stream(uuid)
    if (width <= 0n || width > TWO_63) fail(StatusCode.InvalidPointWidth, "window width invalid")
    if (!Number.isInteger(depth) || depth < 0 || depth > 63) fail(StatusCode.InvalidPointWidth, "depth invalid")
    if (start < MIN_TIME || end >= MAX_TIME) fail(StatusCode.InvalidTimeRange, "time range out of bounds")
    if (start >= end) fail(StatusCode.InvalidTimeRange, "start time >= end time")
    const e = end - ((end - start) % width)
    if (start >= e) fail(StatusCode.InvalidTimeRange, "start time >= end time")
    const [major, root] = this.resolveIn(st, version)
    checkPageSize(pageSize)
    const store = this.backend
    return {
      version: { major, minor: 0n },
      pages: { [Symbol.iterator]: () => new WindowSweep(store, root, start, e, width, true, pageSize).pages() }
    }
  }

  /**
   * Forward: the first point with t ≥ time; backward: the last point with t < time. Of several
   * points at that time, forward gives the first stored and backward the last. Errors: 404,
   * 413 (time outside [MIN_TIME, MAX_TIME)), 450, 401 (no such point).
   */
  nearest(uuid: string, time: bigint, version: bigint, backward: boolean): NearestResult {
    const st = this.stream(uuid)
    if (time < MIN_TIME || time >= MAX_TIME) fail(StatusCode.InvalidTimeRange, "time range out of bounds")
    const [major, root] = this.resolveIn(st, version)
    const p = backward ? nearestBackward(this.backend, root, time) : nearestForward(this.backend, root, time)
    if (p === null) return fail(StatusCode.NoSuchPoint, "no such point")
    return { version: { major, minor: 0n }, time: p.time, value: p.value }
  }

  /** The exact number of points with start ≤ t < end. Errors: 404, 413, 450. */
  count(uuid: string, start: bigint, end: bigint, version: bigint): bigint {
    const st = this.stream(uuid)
    checkRange(start, end)
    const [, root] = this.resolveIn(st, version)
    return BigInt(countRange(this.backend, root, start, end))
  }

  /**
   * The time ranges changed by the commits in (fromMajor, toMajor] (PROTOCOL.md §7.8): the union
   * of what each of those commits changed, so a range changed by one commit and changed back by a
   * later one is still reported. Each commit's changes are the diff of its tree with the one
   * before (subtrees with the same address in both are skipped unread; the commits' trees are
   * walked together). Each differing timestamp is floored to 2^resolution; ranges are sorted,
   * merged where they overlap or touch, and clamped to [MIN_TIME, MAX_TIME).
   * fromMajor 0 (or any version before the stream's first, 10) means "from the empty stream";
   * toMajor 0 means the latest. A stream empty at toMajor yields the single range
   * [MIN_TIME, MAX_TIME). The result's version is toMajor's.
   * Errors: 404, 415 (resolution > 63), 427 (from > to), 450 (to above the latest or below 10).
   */
  changes(
    uuid: string,
    fromMajor: bigint,
    toMajor: bigint,
    resolution: number,
    pageSize = 1000
  ): Paged<RangeColumns> {
    const st = this.stream(uuid)
    if (!Number.isInteger(resolution) || resolution < 0 || resolution > 63) {
      fail(StatusCode.InvalidPointWidth, "resolution invalid")
    }
    const latest = FIRST_VERSION + BigInt(st.roots.length - 1)
    const to = toMajor === 0n ? latest : toMajor
    const from = fromMajor === 0n ? 1n : fromMajor
    if (from > to) fail(StatusCode.InvalidVersions, "start version after end version")
    if (from < 0n || to < FIRST_VERSION || to > latest) fail(StatusCode.VersionNotAvailable, "version not available")
    checkPageSize(pageSize)
    const v = { major: to, minor: 0n }
    if (st.roots[Number(to - FIRST_VERSION)] === EMPTY) {
      const page = { start: BigInt64Array.of(MIN_TIME), end: BigInt64Array.of(MAX_TIME) }
      return { version: v, pages: [page] }
    }
    // version 10 is the empty stream, as every version before it
    const pairs: Array<readonly [number, number]> = []
    for (
      let i = Number((from < FIRST_VERSION ? FIRST_VERSION : from) - FIRST_VERSION);
      i < Number(to - FIRST_VERSION);
      i++
    ) {
      if (st.roots[i] !== st.roots[i + 1]) pairs.push([st.roots[i], st.roots[i + 1]])
    }
    const store = this.backend
    return {
      version: v,
      pages: { [Symbol.iterator]: () => new ChangesScan(store, pairs, resolution, pageSize).pages() }
    }
  }

  /** The node cache's accounting (for an in-memory store: every node, no limit). */
  cacheStats(): CacheStats {
    return this.backend.cacheStats()
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private open(): void {
    if (this.closed) fail(StatusCode.InvariantFailure, "data store is closed")
  }

  private stream(uuid: string): StreamState {
    this.open()
    const st = this.streams.get(uuid)
    if (st === undefined) return fail(StatusCode.NoSuchStream, "stream does not exist")
    return st
  }

  private resolveIn(st: StreamState, v: bigint): readonly [bigint, number] {
    const n = st.roots.length
    if (v === 0n) return [FIRST_VERSION + BigInt(n - 1), st.roots[n - 1]]
    const i = v - FIRST_VERSION
    if (i < 0n || i >= BigInt(n)) fail(StatusCode.VersionNotAvailable, "version not available")
    return [v, st.roots[Number(i)]]
  }

  private commit(uuid: string, st: StreamState, root: number): Version {
    const major = FIRST_VERSION + BigInt(st.roots.length)
    // Record first: if writing fails, the version does not exist in memory either.
    this.record(this.backend.commit(RecordKind.Commit, uuid, major, root), () => st.roots.pop())
    st.roots.push(root)
    return version(major)
  }

  /** Notes how to undo commit `seq` should it never become durable, and forgets the undos of durable commits. */
  private record(seq: number, undo: () => void): void {
    const durable = this.backend.durableSeq
    if (seq <= durable) return
    let k = 0
    while (k < this.journal.length && this.journal[k].seq <= durable) k++
    if (k > 0) this.journal = this.journal.slice(k)
    this.journal.push({ seq, undo })
  }

  /**
   * A failed write made the backend forget every commit after `kept`: undoes them in memory, newest first, so every
   * stream is back at its last durable version (a stream whose create was lost is gone, one whose obliterate was
   * lost is back), then tells the rollback listeners.
   */
  private rollback(kept: number): void {
    while (this.journal.length > 0 && this.journal[this.journal.length - 1].seq > kept) this.journal.pop()!.undo()
    this.journal = []
    for (const listener of this.rollbackListeners) listener()
  }

  /**
   * Calls `listener` after a failed write made the store forget the commits that were not durable yet (on disk
   * only; see `filestore.ts`).
   */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener)
  }

  /** Every node address reachable from the given roots. */
  private reachable(roots: ReadonlyArray<number>): Set<number> {
    const seen = new Set<number>()
    const stack = roots.filter((r) => r !== EMPTY)
    while (stack.length > 0) {
      const a = stack.pop()!
      if (seen.has(a)) continue
      seen.add(a)
      const node = this.backend.get(a)
      if (node.kind === 1) {
        for (let c = 0; c < FANOUT; c++) {
          const child = node.slots[S_ADDR + c]
          if (node.slots[S_COUNT + c] > 0 && !seen.has(child)) stack.push(child)
        }
      }
    }
    return seen
  }
}

/**
 * Validates and normalises an insert: copies, rounds, sorts stably and reduces duplicates within
 * the batch per policy. Returns null for an empty insert.
 */
const prepareInsert = (
  data: Columns,
  options: InsertOptions
): { times: BigInt64Array; values: Float64Array } | null => {
  const n = data.times.length
  if (data.values.length !== n) fail(StatusCode.WrongArgs, "times and values have different lengths")
  if (!isMergePolicy(options.policy)) fail(StatusCode.WrongArgs, "invalid merge policy")
  const bits = options.roundBits ?? 0
  if (!Number.isInteger(bits) || bits < 0 || bits > 62) fail(StatusCode.WrongArgs, "invalid rounding bits")
  if (n > MAX_INSERT_POINTS) fail(StatusCode.InsertTooBig, "Insert too big")
  if (n === 0) return null
  // the caller's columns, copied before anything here would change them (the tree copies what it keeps)
  let times = data.times
  let values = data.values
  const checkTimes = (ts: BigInt64Array) => {
    if (firstTimeOutside(ts, MIN_TIME, MAX_INSERT_TIME - 1n) >= 0) {
      fail(StatusCode.InvalidTimeRange, "insert contains points outside valid time interval")
    }
  }
  checkTimes(times)
  if (bits > 0) {
    const half = 1n << BigInt(bits - 1)
    const mask = ~((1n << BigInt(bits)) - 1n)
    times = new BigInt64Array(n)
    for (let i = 0; i < n; i++) times[i] = (data.times[i] + half) & mask
    checkTimes(times) // rounding may carry a time past the end
  }
  const sorted = isAscending(times)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v !== v) fail(StatusCode.BadValue, "insert contains NaN values")
    if (v === Infinity || v === -Infinity) fail(StatusCode.BadValue, "insert contains Inf values")
  }
  if (!sorted) {
    const order = Array.from({ length: n }, (_, i) => i)
    const t0 = times
    order.sort((a, b) => (t0[a] < t0[b] ? -1 : t0[a] > t0[b] ? 1 : a - b))
    const ts = new BigInt64Array(n)
    const vs = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      ts[i] = t0[order[i]]
      vs[i] = values[order[i]]
    }
    times = ts
    values = vs
  }
  if (options.policy === "never") return { times, values }
  // reducing equal times below changes the columns in place
  if (times === data.times) times = times.slice()
  if (values === data.values) values = values.slice()
  // Reduce equal timestamps within the batch.
  let w = 0
  let g = 0
  for (let i = 0; i < n; i++) {
    const t = times[i]
    if (i === 0 || t !== times[w - 1]) {
      g = w
      times[w] = t
      values[w] = values[i]
      w++
      continue
    }
    const v = values[i]
    switch (options.policy) {
      case "retain":
        break
      case "replace":
        values[w - 1] = v
        break
      case "equal": {
        let dup = false
        for (let k = g; k < w; k++) {
          if (values[k] === v) {
            dup = true
            break
          }
        }
        if (!dup) {
          times[w] = t
          values[w] = v
          w++
        }
        break
      }
    }
  }
  return w === n ? { times, values } : { times: times.slice(0, w), values: values.slice(0, w) }
}
