/**
 * Where compaction moved nodes: the forwarding map from the addresses of a freed segment's nodes to their copies,
 * rebuilt from the commit log's Relocate and Free records, and the interval arithmetic compaction and `verify` share.
 *
 * A node keeps the address it was first written at (its "logical" address) for good: parents and version roots hold
 * it, and nodes are never rewritten. When compaction frees a segment it has copied the segment's live byte ranges
 * into the active segment; each copy is an extent `[from, from + len) → to`, so a node's bytes are found at
 * `to + (addr - from)`. A copy may itself sit in a segment that a later compaction freed: {@link ForwardMap.resolve}
 * follows such chains, one extent per hop.
 */
import { RecordKind } from "./backend.js"

/** 2^40: a node address is `segment · SEGMENT_SPAN + byte offset` (the file store's layout). */
const SEGMENT_SPAN = 2 ** 40

/** The segment of an address. */
export const segmentOf = (addr: number): number => Math.floor(addr / SEGMENT_SPAN)

/** The address of byte `offset` of segment `seg`. */
export const addressOf = (seg: number, offset: number): number => seg * SEGMENT_SPAN + offset

/** A half-open byte range [start, end) of one segment, belonging to one stream. */
export interface Interval {
  readonly start: number
  readonly end: number
  readonly uuid: string
  /** The range of a Relocate record (bytes first written elsewhere), not of a commit. */
  readonly copy?: boolean | undefined
}

/** One copy: the bytes at [from, from + len) are at [to, to + len) now. */
export interface Extent {
  readonly from: number
  readonly len: number
  readonly to: number
}

/** The fields of a commit record that relocation reads. */
export interface RelocationRecord {
  readonly kind: number
  readonly root: number
  readonly seg: number
  readonly rangeStart: number
  readonly rangeEnd: number
}

/** The extent a Relocate record describes: `root` is where its bytes were, its node range where they are. */
export const extentOf = (r: RelocationRecord): Extent => ({
  from: r.root,
  len: r.rangeEnd - r.rangeStart,
  to: addressOf(r.seg, r.rangeStart)
})

interface SegmentExtents {
  readonly from: Float64Array
  readonly len: Float64Array
  readonly to: Float64Array
}

/** The freed segments and, for each, where its live bytes went. */
export class ForwardMap {
  private readonly freed = new Map<number, SegmentExtents>()

  /**
   * The map the log's records make (in log order): every segment a Free record names, with the extents of the
   * Relocate records whose bytes came from it. Relocations out of a segment not freed (a compaction that did not
   * finish) are left out: their source is still read.
   */
  static fromRecords(records: Iterable<RelocationRecord>): ForwardMap {
    const freed = new Set<number>()
    const relocations: Array<Extent> = []
    for (const r of records) {
      if (r.kind === RecordKind.Free) freed.add(r.seg)
      else if (r.kind === RecordKind.Relocate) relocations.push(extentOf(r))
    }
    const bySegment = new Map<number, Array<Extent>>()
    for (const s of freed) bySegment.set(s, [])
    for (const e of relocations) bySegment.get(segmentOf(e.from))?.push(e)
    const map = new ForwardMap()
    for (const [s, extents] of bySegment) map.free(s, extents)
    return map
  }

  /** Records that segment `seg` is freed, its live bytes copied as `extents` (of addresses inside it). */
  free(seg: number, extents: ReadonlyArray<Extent>): void {
    const sorted = [...extents].sort((a, b) => a.from - b.from)
    this.freed.set(seg, {
      from: Float64Array.from(sorted, (e) => e.from),
      len: Float64Array.from(sorted, (e) => e.len),
      to: Float64Array.from(sorted, (e) => e.to)
    })
  }

  /** Whether segment `seg` was freed. */
  isFreed(seg: number): boolean {
    return this.freed.has(seg)
  }

  /** The largest freed segment index, or -1. */
  maxFreed(): number {
    let max = -1
    for (const s of this.freed.keys()) if (s > max) max = s
    return max
  }

  /**
   * Where the node at `addr` is: `addr` itself when its segment was not freed, else its copy (following copies of
   * copies), or -1 when a freed segment holds no copy of it.
   */
  resolve(addr: number): number {
    let a = addr
    for (;;) {
      const extents = this.freed.get(segmentOf(a))
      if (extents === undefined) return a
      const { from, len, to } = extents
      let lo = 0
      let hi = from.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (from[mid] <= a) lo = mid + 1
        else hi = mid
      }
      const i = lo - 1
      if (i < 0 || a >= from[i] + len[i]) return -1
      a = to[i] + (a - from[i])
    }
  }
}

/**
 * The parts of `intervals` that none of `minus` covers (both of one segment); the result is sorted by start and
 * keeps what each part's interval says.
 */
export const subtract = (
  intervals: ReadonlyArray<Interval>,
  minus: ReadonlyArray<{ readonly start: number; readonly end: number }>
): Array<Interval> => {
  const cut = [...minus].sort((a, b) => a.start - b.start)
  const out: Array<Interval> = []
  // Both lists are sorted by start and the cuts do not overlap one another: the first cut that can matter only
  // moves forwards.
  let first = 0
  for (const iv of [...intervals].sort((a, b) => a.start - b.start)) {
    while (first < cut.length && cut[first].end <= iv.start) first++
    let at = iv.start
    for (let k = first; k < cut.length && cut[k].start < iv.end; k++) {
      const c = cut[k]
      if (c.end <= at) continue
      if (c.start > at) out.push({ ...iv, start: at, end: c.start })
      at = c.end
      if (at >= iv.end) break
    }
    if (at < iv.end) out.push({ ...iv, start: at })
  }
  return out
}
