/**
 * Compaction of the on-disk store: the space of obliterated streams comes back, online and crash-safe.
 *
 * What is garbage. Nodes are immutable and every version of every live stream stays readable, so the only bytes no
 * reader can reach are those of obliterated streams (a node belongs to the one stream whose commit wrote it). Each
 * commit record names the byte range its nodes fill in one segment, so the live and dead bytes of every segment are
 * known from the log alone: {@link SegmentSpace} keeps, per segment, the bytes of each stream's ranges.
 *
 * When. A segment that holds bytes of an obliterated stream and whose live bytes are under `below` (default half)
 * of its size is compacted; the active segment too, after sealing it (writes go on in a new one). An obliterate
 * schedules a background pass, and opening a directory whose compaction was cut short schedules one as well.
 *
 * How (see `filestore.ts` for the records):
 * 1. The log is made durable, so it holds every record with nodes in the segment, then read (the segment's ranges,
 *    and what an earlier, interrupted pass relocated out of it already).
 * 2. The live streams' ranges not yet relocated are copied, whole nodes at a time, verbatim to the end of the active
 *    segment, each copy with a Relocate record: the stream, the old address and the new range with its CRC-32, so
 *    recovery checks and cuts off a torn copy as it does a torn commit. Nothing refers to the copies: a node's
 *    parents and the version roots keep its original address.
 * 3. The copies and their records are made durable; then a Free record naming the segment; then, only then, the
 *    segment file is deleted. From the Free record on, a read of an address in that segment is forwarded to its copy
 *    (`ForwardMap`), which is rebuilt at every open from the log.
 *
 * A kill at any step: copies without a durable record are cut off at the next open (the segment is still there and
 *    still read); durable copies of a segment not freed are duplicates that the next pass skips; a Free record whose
 *    file is still there makes the next open delete the file. Versions never change: the bytes read are the same
 *    bytes, wherever they are.
 *
 * Cost. A pass reads the commit log once per segment and copies the live bytes; it works in steps of at most
 * `bytesPerTick` bytes of reads and writes, then waits `tickMs` (in the background; an explicit {@link
 * Compactor.compact} only yields to the event loop), so reads and inserts keep their pace. Each step is
 * synchronous: no other call into the store sees a step half done.
 */
import { RecordKind } from "./backend.js"
import type { StoredCommitRecord } from "./filestore.js"
import { addressOf, type Extent, extentOf, type Interval, segmentOf, subtract } from "./relocation.js"

/** Options of compaction. */
export interface CompactionOptions {
  /**
   * A segment holding obliterated bytes is compacted when its live bytes are under this fraction of its size
   * (default {@link DEFAULT_COMPACT_BELOW}; 0 never compacts).
   */
  readonly below?: number | undefined
  /** Bytes read and written per step (default {@link DEFAULT_COMPACT_BYTES_PER_TICK}). */
  readonly bytesPerTick?: number | undefined
  /** The pause between two steps of a background pass (default {@link DEFAULT_COMPACT_TICK_MS}). */
  readonly tickMs?: number | undefined
  /** Whether an obliterate starts a background pass (default true); {@link Compactor.compact} runs one anyway. */
  readonly background?: boolean | undefined
}

/** Compact segments whose live bytes are under half their size. */
export const DEFAULT_COMPACT_BELOW = 0.5
/** 1 MiB per step. */
export const DEFAULT_COMPACT_BYTES_PER_TICK = 1 << 20
/** 50 ms between steps: a background pass reads and writes at most about 20 MiB/s. */
export const DEFAULT_COMPACT_TICK_MS = 50

/** What a compaction pass did. */
export interface CompactionReport {
  /** Segment files deleted, and their bytes. */
  readonly segmentsFreed: number
  readonly bytesFreed: number
  /** Live bytes copied out of them. */
  readonly bytesMoved: number
}

/** What compaction did since the store was opened, and whether a pass is under way. */
export interface CompactionStats extends CompactionReport {
  readonly running: boolean
}

/** What the compactor needs of the file store. */
export interface CompactionHost {
  /** The active segment's index. */
  activeSegment(): number
  /** The size of a segment file (undefined when there is none). */
  segmentSize(seg: number): number | undefined
  /** Starts a new active segment; false when it cannot now (nodes are waiting to be written). */
  seal(): boolean
  /** Resolves when every record so far is durable. */
  durable(): Promise<void>
  /**
   * How many times a failed write made the store forget what was not durable yet (the copies made since included):
   * a pass that sees it change frees nothing.
   */
  rollbacks(): number
  /** The durable records from byte `position` of the log, at most `maxBytes` of them; none at the end. */
  readRecords(position: number, maxBytes: number): { records: ReadonlyArray<StoredCommitRecord>; next: number }
  /** Reads bytes of a segment at `offset` into `buf`; returns how many it got. */
  readSegment(seg: number, buf: Uint8Array, offset: number): number
  /** The length of the node whose bytes start at `at` (8 bytes of its header must be there), or -1. */
  nodeLength(bytes: Uint8Array, at: number): number
  /** Writes whole nodes of `uuid`, which were at address `from`, to the active segment with a Relocate record. */
  relocate(uuid: string, from: number, bytes: Uint8Array): number
  /** Records that `seg` is freed (its live bytes are at `extents`), durably, then deletes it; returns its size. */
  free(seg: number, extents: ReadonlyArray<Extent>): Promise<number>
}

/** The bytes of each stream's node ranges in each segment, and which streams are obliterated. */
export class SegmentSpace {
  private readonly bySegment = new Map<number, Map<string, number>>()
  private readonly obliterated = new Set<string>()

  /** Counts a node range of `bytes` written for `uuid` in segment `seg`. */
  add(seg: number, uuid: string, bytes: number): void {
    let streams = this.bySegment.get(seg)
    if (streams === undefined) this.bySegment.set(seg, streams = new Map())
    streams.set(uuid, (streams.get(uuid) ?? 0) + bytes)
  }

  /** Makes every byte of `uuid` dead. */
  obliterate(uuid: string): void {
    this.obliterated.add(uuid)
  }

  isObliterated(uuid: string): boolean {
    return this.obliterated.has(uuid)
  }

  /** Forgets everything (to count again). */
  clear(): void {
    this.bySegment.clear()
    this.obliterated.clear()
  }

  /** Forgets a freed segment. */
  drop(seg: number): void {
    this.bySegment.delete(seg)
  }

  /** The live and dead bytes of a segment's node ranges. */
  usage(seg: number): { readonly live: number; readonly dead: number } {
    let live = 0
    let dead = 0
    for (const [uuid, bytes] of this.bySegment.get(seg) ?? []) {
      if (this.obliterated.has(uuid)) dead += bytes
      else live += bytes
    }
    return { live, dead }
  }

  segments(): IterableIterator<number> {
    return this.bySegment.keys()
  }
}

const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    if (ms > 0) setTimeout(resolve, ms).unref()
    else setImmediate(resolve)
  })

/** Runs compaction passes over a file store, one at a time. */
export class Compactor {
  readonly space = new SegmentSpace()
  private readonly below: number
  private readonly bytesPerTick: number
  private readonly tickMs: number
  private readonly background: boolean
  private chain: Promise<unknown> = Promise.resolve()
  private timer: ReturnType<typeof setTimeout> | null = null
  private scheduled = false
  private stopped = false
  private running = false
  private readonly totals = { segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 }
  private buf = new Uint8Array(64 * 1024)

  constructor(private readonly host: CompactionHost, options: CompactionOptions = {}) {
    this.below = options.below ?? DEFAULT_COMPACT_BELOW
    this.bytesPerTick = Math.max(1, options.bytesPerTick ?? DEFAULT_COMPACT_BYTES_PER_TICK)
    this.tickMs = Math.max(0, options.tickMs ?? DEFAULT_COMPACT_TICK_MS)
    this.background = options.background ?? true
  }

  /** Starts a background pass soon, unless one is waiting to start (a running one is followed by another). */
  schedule(): void {
    if (!this.background || this.stopped || this.scheduled || this.next() === undefined) return
    this.scheduled = true
    this.timer = setTimeout(() => {
      this.timer = null
      this.scheduled = false
      // A failure (a write that failed, a damaged segment) ends the pass; the next obliterate tries again.
      this.enqueue(true).catch(() => {})
    }, this.tickMs)
    this.timer.unref()
  }

  /** Compacts every segment that qualifies now, after any pass under way. */
  compact(): Promise<CompactionReport> {
    return this.enqueue(false)
  }

  /** What compaction did since the store was opened, and whether a pass is under way. */
  stats(): CompactionStats {
    return { ...this.totals, running: this.running }
  }

  /** Stops: no pass starts any more, and the one under way ends after its current step. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.chain
  }

  private enqueue(paced: boolean): Promise<CompactionReport> {
    const run = this.chain.then(() => this.pass(paced))
    this.chain = run.catch(() => {})
    return run
  }

  /** The segment to compact next: the one with the fewest live bytes among those that qualify. */
  private next(): number | undefined {
    let best: number | undefined
    let bestLive = Infinity
    for (const seg of this.space.segments()) {
      const size = this.host.segmentSize(seg)
      if (size === undefined) continue
      const { dead, live } = this.space.usage(seg)
      if (dead > 0 && live < this.below * size && live < bestLive) {
        best = seg
        bestLive = live
      }
    }
    return best
  }

  private async pass(paced: boolean): Promise<CompactionReport> {
    const report = { segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 }
    const budget = { spent: 0, paced }
    this.running = true
    try {
      for (;;) {
        if (this.stopped) break
        const seg = this.next()
        if (seg === undefined) break
        if (seg === this.host.activeSegment() && !this.host.seal()) break
        const done = await this.compactSegment(seg, budget)
        if (done === undefined) break
        for (const r of [report, this.totals]) {
          r.segmentsFreed++
          r.bytesFreed += done.freed
          r.bytesMoved += done.moved
        }
      }
    } finally {
      this.running = false
    }
    return report
  }

  /** Counts bytes of I/O; past the step's budget, waits (paced) or yields. False when stopped meanwhile. */
  private async spend(budget: { spent: number; paced: boolean }, bytes: number): Promise<boolean> {
    budget.spent += bytes
    if (budget.spent >= this.bytesPerTick) {
      budget.spent = 0
      await pause(budget.paced ? this.tickMs : 0)
    }
    return !this.stopped
  }

  /** Moves the live bytes of segment `seg` and frees it; undefined when stopped before the end. */
  private async compactSegment(
    seg: number,
    budget: { spent: number; paced: boolean }
  ): Promise<{ freed: number; moved: number } | undefined> {
    const rollbacks = this.host.rollbacks()
    await this.host.durable()
    const ranges: Array<Interval> = []
    const extents: Array<Extent> = []
    for (let position = 0;;) {
      const { next, records } = this.host.readRecords(position, this.bytesPerTick)
      if (records.length === 0) break
      for (const r of records) {
        const ranged = r.kind === RecordKind.Commit || r.kind === RecordKind.Relocate
        if (ranged && r.seg === seg && r.rangeEnd > r.rangeStart) {
          ranges.push({ start: r.rangeStart, end: r.rangeEnd, uuid: r.uuid, copy: r.kind === RecordKind.Relocate })
        }
        if (r.kind === RecordKind.Relocate && segmentOf(r.root) === seg) extents.push(extentOf(r))
      }
      if (!(await this.spend(budget, next - position))) return undefined
      position = next
    }
    const base = addressOf(seg, 0)
    const live = ranges.filter((r) => !this.space.isObliterated(r.uuid))
    const todo = subtract(live, extents.map((e) => ({ start: e.from - base, end: e.from - base + e.len })))
    let moved = 0
    for (let k = 0; k < todo.length; k++) {
      // Adjacent commits of one stream are copied together; a copy is copied by itself, so that the nodes of every
      // copy were first written at consecutive addresses (which `verify` checks them in the order of).
      const { copy, start, uuid } = todo[k]
      let end = todo[k].end
      while (
        !copy && k + 1 < todo.length && !todo[k + 1].copy && todo[k + 1].uuid === uuid && todo[k + 1].start === end
      ) end = todo[++k].end
      for (let pos = start; pos < end;) {
        const bytes = this.wholeNodes(seg, pos, end)
        const to = this.host.relocate(uuid, base + pos, bytes)
        extents.push({ from: base + pos, len: bytes.length, to })
        pos += bytes.length
        moved += bytes.length
        if (!(await this.spend(budget, 2 * bytes.length))) return undefined
      }
    }
    await this.host.durable()
    // A rollback meanwhile may have forgotten copies, or an obliterate that made ranges look dead: start again.
    if (this.stopped || this.host.rollbacks() !== rollbacks) return undefined
    const freed = await this.host.free(seg, extents)
    this.space.drop(seg)
    return { freed, moved }
  }

  /** The whole nodes from `pos` on, at most a step's worth (at least one node), before `end`. */
  private wholeNodes(seg: number, pos: number, end: number): Uint8Array {
    const want = Math.min(this.bytesPerTick, end - pos)
    let got = this.read(seg, pos, want)
    let len = 0
    while (len + 8 <= got) {
      const n = this.host.nodeLength(this.buf, len)
      if (n < 0) break
      if (len + n > got) {
        if (len > 0) break
        got = this.read(seg, pos, Math.min(n, end - pos))
        if (n > got) break
      }
      len += n
    }
    if (len === 0) {
      throw new Error(`compaction: no whole node at byte ${pos} of segment ${seg} (run btrdb verify)`)
    }
    return this.buf.slice(0, len)
  }

  private read(seg: number, pos: number, len: number): number {
    if (this.buf.length < len) this.buf = new Uint8Array(len)
    return this.host.readSegment(seg, this.buf.subarray(0, len), pos)
  }
}
