/**
 * Reads over one version of the tree: raw points, window statistics, counts, nearest points and
 * the diff of two versions. Window statistics come from the parents' per-child statistics wherever
 * a child lies wholly inside one window, so leaves are read only where a window edge cuts them.
 *
 * Paged reads restart from the root for each page at the first window (or range) the previous
 * page did not finish, so paging costs a descent per page and nothing is held between pages.
 */
import { MAX_TIME, MIN_TIME } from "../../internal/protocol.js"
import {
  EMPTY,
  FANOUT,
  FANOUT_BITS,
  type InternalNode,
  type LeafNode,
  lowerBound,
  type NodeStore,
  ROOT_PW,
  ROOT_START,
  S_ADDR,
  S_COUNT,
  Summary,
  type TreeNode
} from "./node.js"
import type { Columns, RangeColumns, RawPageBuilder, StatColumns } from "./types.js"

// ---------------------------------------------------------------------------------------------
// Raw values

/**
 * Yields, in time order, every leaf with points in [s, e) with the index range [a, b) of those
 * points. Iterative (explicit stack). With `transient`, leaves come from
 * {@link NodeStore.getTransient}: a yielded leaf is valid only until the consumer (or anyone)
 * calls into the store again, resuming this generator included.
 */
export function* leafRanges(
  store: NodeStore,
  root: number,
  s: bigint,
  e: bigint,
  transient = false
): Generator<readonly [LeafNode, number, number], void, undefined> {
  if (root === EMPTY) return
  const get = transient && store.getTransient !== undefined ?
    (addr: number) => store.getTransient!(addr) :
    (addr: number) => store.get(addr)
  const nodes: Array<TreeNode> = [get(root)]
  const next: Array<number> = [-1]
  const last: Array<number> = [-1]
  while (nodes.length > 0) {
    const top = nodes.length - 1
    const node = nodes[top]
    if (node.kind === 0) {
      nodes.pop()
      next.pop()
      last.pop()
      const times = node.times
      const n = times.length
      if (n === 0) continue
      // A leaf wholly inside [s, e), the common case of a long read, needs no search.
      const a = times[0] >= s ? 0 : lowerBound(times, s, 0, n)
      const b = times[n - 1] < e ? n : lowerBound(times, e, a, n)
      if (a < b) yield [node, a, b]
      continue
    }
    const cpwB = BigInt(node.pw - FANOUT_BITS)
    if (next[top] < 0) {
      const ns = node.start
      const ne = ns + (1n << BigInt(node.pw))
      next[top] = s <= ns ? 0 : Number((s - ns) >> cpwB)
      last[top] = e >= ne ? FANOUT - 1 : Number((e - 1n - ns) >> cpwB)
    }
    let c = next[top]
    const c1 = last[top]
    const slots = node.slots
    while (c <= c1 && slots[S_COUNT + c] === 0) c++
    if (c > c1) {
      nodes.pop()
      next.pop()
      last.pop()
      continue
    }
    next[top] = c + 1
    nodes.push(get(slots[S_ADDR + c]))
    next.push(-1)
    last.push(-1)
  }
}

/**
 * Pages of the points in [s, e), ascending, at most `pageSize` each, made by `builder`; at least one page. Leaves
 * are read transient (see {@link leafRanges}) and handed to the builder, which copies what it keeps; what a full
 * page leaves of a leaf is copied out before the page is yielded, since the consumer may call into the store while
 * the page is out.
 */
export function* rawPages<P>(
  store: NodeStore,
  root: number,
  s: bigint,
  e: bigint,
  pageSize: number,
  builder: RawPageBuilder<P>
): Generator<P, void, undefined> {
  let n = 0
  let sent = false
  for (const [leaf, a, b0] of leafRanges(store, root, s, e, true)) {
    let lt = leaf.times
    let lv = leaf.values
    // the range ends inside this leaf: no later leaf has points in it
    const endsHere = b0 < lt.length
    let i = a
    let b = b0
    while (i < b) {
      const k = Math.min(b - i, pageSize - n)
      builder.add(lt, lv, i, i + k, endsHere && i + k === b)
      n += k
      i += k
      if (n === pageSize) {
        if (i < b) {
          lt = lt.slice(i, b)
          lv = lv.slice(i, b)
          b -= i
          i = 0
        }
        sent = true
        n = 0
        yield builder.take()
      }
    }
  }
  if (n > 0 || !sent) yield builder.take()
}

const NO_TIMES = new BigInt64Array(0)
const NO_VALUES = new Float64Array(0)

/**
 * Makes raw pages as columns. A page whose one run is the read's last (a short read in one leaf) gets columns of its
 * size, any other a whole page's; columns filled are handed out as they are, others as a copy of what they hold.
 */
export class ColumnsPageBuilder implements RawPageBuilder<Columns> {
  private times = NO_TIMES
  private values = NO_VALUES
  private n = 0

  constructor(private readonly pageSize: number) {}

  add(times: BigInt64Array, values: Float64Array, from: number, to: number, last: boolean): void {
    if (this.times === NO_TIMES) {
      const size = last ? to - from : this.pageSize
      this.times = new BigInt64Array(size)
      this.values = new Float64Array(size)
    }
    this.times.set(times.subarray(from, to), this.n)
    this.values.set(values.subarray(from, to), this.n)
    this.n += to - from
  }

  take(): Columns {
    const { n, times, values } = this
    this.times = NO_TIMES
    this.values = NO_VALUES
    this.n = 0
    return n === times.length ? { times, values } : { times: times.slice(0, n), values: values.slice(0, n) }
  }
}

// ---------------------------------------------------------------------------------------------
// Windows

/** A scan computed a page at a time, each page ending where the next one starts. */
interface PagedScan<P> {
  /** Computes the page starting at `from`. */
  page(from: bigint): P
  /** Where the page just computed stopped (the next page starts there), or undefined when it was the last. */
  readonly next: bigint | undefined
}

/** The pages of `scan` from `first`: at least one, each computed when pulled. */
function* scanPages<P>(scan: PagedScan<P>, first: bigint): Generator<P, void, undefined> {
  let from: bigint | undefined = first
  while (from !== undefined) {
    yield scan.page(from)
    from = scan.next
  }
}

/**
 * Computes statistics over the windows [qs + k·width, qs + (k+1)·width) that lie in [qs, qe).
 * With `emitEmpty`, windows without points are produced (count 0, every statistic 0); otherwise
 * they are left out (aligned windows).
 */
export class WindowSweep {
  private readonly acc = new Summary()
  private readonly cur = new Summary()
  // Per-page state.
  private lo = 0n
  private stopped = false
  private resume = 0n
  private hasCur = false
  private curW = 0n
  private nextEmpty = 0n
  private n = 0
  private pTimes = new BigInt64Array(0)
  private pMin = new Float64Array(0)
  private pMean = new Float64Array(0)
  private pMax = new Float64Array(0)
  private pCount = new BigUint64Array(0)
  private pStd = new Float64Array(0)

  constructor(
    private readonly store: NodeStore,
    private readonly root: number,
    private readonly qs: bigint,
    private readonly qe: bigint,
    private readonly width: bigint,
    private readonly emitEmpty: boolean,
    private readonly pageSize: number
  ) {}

  /** The pages; at least one. */
  pages(): Generator<StatColumns, void, undefined> {
    return scanPages(this, this.qs)
  }

  /** Where the page just computed stopped, or undefined when it was the last. */
  get next(): bigint | undefined {
    return this.stopped ? this.resume : undefined
  }

  /** Computes one page starting at window start `from`. */
  page(from: bigint): StatColumns {
    // no more than the windows left in the range: a short read's columns are its own size, not a whole page's
    const left = this.qe > from ? (this.qe - from + this.width - 1n) / this.width : 0n
    const size = left < BigInt(this.pageSize) ? Number(left) : this.pageSize
    this.lo = from
    this.stopped = false
    this.resume = this.qe
    this.hasCur = false
    this.nextEmpty = from
    this.n = 0
    this.pTimes = new BigInt64Array(size)
    this.pMin = new Float64Array(size)
    this.pMean = new Float64Array(size)
    this.pMax = new Float64Array(size)
    this.pCount = new BigUint64Array(size)
    this.pStd = new Float64Array(size)
    if (this.root !== EMPTY && from < this.qe) this.visit(this.store.get(this.root))
    if (!this.stopped) {
      if (this.hasCur) this.emitCur()
      if (this.emitEmpty) this.fillEmpty(this.qe)
    }
    const n = this.n
    const full = n === size
    return {
      times: full ? this.pTimes : this.pTimes.slice(0, n),
      min: full ? this.pMin : this.pMin.slice(0, n),
      mean: full ? this.pMean : this.pMean.slice(0, n),
      max: full ? this.pMax : this.pMax.slice(0, n),
      count: full ? this.pCount : this.pCount.slice(0, n),
      stddev: full ? this.pStd : this.pStd.slice(0, n)
    }
  }

  private windowStart(t: bigint): bigint {
    return this.qs + ((t - this.qs) / this.width) * this.width
  }

  private visit(node: TreeNode): void {
    if (node.kind === 0) this.visitLeaf(node)
    else this.visitInternal(node.start, node.pw, node.slots)
  }

  private visitLeaf(leaf: LeafNode): void {
    const times = leaf.times
    const n = times.length
    const i0 = lowerBound(times, this.lo, 0, n)
    const b = lowerBound(times, this.qe, i0, n)
    let i = i0
    while (i < b && !this.stopped) {
      const w = this.windowStart(times[i])
      const j = lowerBound(times, w + this.width, i + 1, b)
      this.acc.ofValues(leaf.values, i, j)
      this.contribute(w, this.acc)
      i = j
    }
  }

  private visitInternal(ns: bigint, pw: number, slots: Float64Array): void {
    const lo = this.lo
    const hi = this.qe
    const ne = ns + (1n << BigInt(pw))
    if (ne <= lo || ns >= hi) return
    const cpwB = BigInt(pw - FANOUT_BITS)
    const cw = 1n << cpwB
    let c = lo <= ns ? 0 : Number((lo - ns) >> cpwB)
    const cLast = hi >= ne ? FANOUT - 1 : Number((hi - 1n - ns) >> cpwB)
    const acc = this.acc
    while (c <= cLast && !this.stopped) {
      if (slots[S_COUNT + c] === 0) {
        c++
        continue
      }
      const cs = ns + (BigInt(c) << cpwB)
      const ce = cs + cw
      if (cs >= lo && ce <= hi) {
        const w = this.windowStart(cs)
        const we = w + this.width
        if (ce <= we) {
          // Children c..k lie wholly inside window w: use their statistics.
          const lim = we < hi ? we : hi
          let k = Number((lim - ns) >> cpwB) - 1
          if (k > cLast) k = cLast
          acc.reset()
          for (let x = c; x <= k; x++) if (slots[S_COUNT + x] > 0) acc.mergeSlot(slots, x)
          this.contribute(w, acc)
          c = k + 1
          continue
        }
      }
      this.visit(this.store.get(slots[S_ADDR + c]))
      c++
    }
  }

  private stop(resume: bigint): void {
    this.stopped = true
    this.resume = resume
  }

  private fillEmpty(until: bigint): void {
    while (this.nextEmpty < until) {
      if (this.n === this.pTimes.length) {
        this.stop(this.nextEmpty)
        return
      }
      const i = this.n++
      this.pTimes[i] = this.nextEmpty
      this.nextEmpty += this.width
    }
  }

  private contribute(w: bigint, s: Summary): void {
    if (this.stopped || s.count === 0) return
    if (this.hasCur) {
      if (w === this.curW) {
        this.cur.mergeSummary(s)
        return
      }
      this.emitCur()
    }
    if (this.emitEmpty) {
      this.fillEmpty(w)
      if (this.stopped) return
    }
    if (this.n === this.pTimes.length) {
      this.stop(w)
      return
    }
    this.hasCur = true
    this.curW = w
    this.cur.copy(s)
  }

  private emitCur(): void {
    const i = this.n++
    const s = this.cur
    this.pTimes[i] = this.curW
    this.pMin[i] = s.min
    this.pMean[i] = s.mean
    this.pMax[i] = s.max
    this.pCount[i] = BigInt(s.count)
    this.pStd[i] = s.stddev()
    this.nextEmpty = this.curW + this.width
    this.hasCur = false
  }
}

// ---------------------------------------------------------------------------------------------
// Count and nearest

/** Exact number of points in [s, e) below `addr` (a node at ns, pw). */
export const countRange = (store: NodeStore, addr: number, s: bigint, e: bigint): number => {
  if (addr === EMPTY) return 0
  const node = store.get(addr)
  if (node.kind === 0) {
    const n = node.times.length
    const a = lowerBound(node.times, s, 0, n)
    return lowerBound(node.times, e, a, n) - a
  }
  const ns = node.start
  const ne = ns + (1n << BigInt(node.pw))
  if (e <= ns || s >= ne) return 0
  const slots = node.slots
  const cpwB = BigInt(node.pw - FANOUT_BITS)
  const cw = 1n << cpwB
  const c0 = s <= ns ? 0 : Number((s - ns) >> cpwB)
  const c1 = e >= ne ? FANOUT - 1 : Number((e - 1n - ns) >> cpwB)
  let total = 0
  for (let c = c0 + 1; c < c1; c++) total += slots[S_COUNT + c]
  for (const c of c0 === c1 ? [c0] : [c0, c1]) {
    if (slots[S_COUNT + c] === 0) continue
    const cs = ns + (BigInt(c) << cpwB)
    if (s <= cs && e >= cs + cw) total += slots[S_COUNT + c]
    else total += countRange(store, slots[S_ADDR + c], s, e)
  }
  return total
}

/** A found point. */
export interface Point {
  readonly time: bigint
  readonly value: number
}

/** The first point with t ≥ time (the earliest stored of equal times), or null. */
export const nearestForward = (store: NodeStore, addr: number, time: bigint): Point | null => {
  if (addr === EMPTY) return null
  const node = store.get(addr)
  if (node.kind === 0) {
    const i = lowerBound(node.times, time, 0, node.times.length)
    return i < node.times.length ? { time: node.times[i], value: node.values[i] } : null
  }
  const ns = node.start
  const ne = ns + (1n << BigInt(node.pw))
  if (time >= ne) return null
  const cpwB = BigInt(node.pw - FANOUT_BITS)
  const slots = node.slots
  for (let c = time <= ns ? 0 : Number((time - ns) >> cpwB); c < FANOUT; c++) {
    if (slots[S_COUNT + c] === 0) continue
    const r = nearestForward(store, slots[S_ADDR + c], time)
    if (r !== null) return r
  }
  return null
}

/** The last point with t < time (the latest stored of equal times), or null. */
export const nearestBackward = (store: NodeStore, addr: number, time: bigint): Point | null => {
  if (addr === EMPTY) return null
  const node = store.get(addr)
  if (node.kind === 0) {
    const i = lowerBound(node.times, time, 0, node.times.length) - 1
    return i >= 0 ? { time: node.times[i], value: node.values[i] } : null
  }
  const ns = node.start
  const ne = ns + (1n << BigInt(node.pw))
  if (time <= ns) return null
  const cpwB = BigInt(node.pw - FANOUT_BITS)
  const slots = node.slots
  for (let c = time >= ne ? FANOUT - 1 : Number((time - 1n - ns) >> cpwB); c >= 0; c--) {
    if (slots[S_COUNT + c] === 0) continue
    const r = nearestBackward(store, slots[S_ADDR + c], time)
    if (r !== null) return r
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Changes

/**
 * The time ranges that any of several commits changed: the union of the diffs of the tree pairs
 * (before, after) given, one pair per commit. The trees are walked together from the root, and a
 * subtree is entered only where some pair's addresses differ, so the cost follows what the commits
 * changed, not the stream's size. Where a pair differs, the points are compared as multisets per
 * timestamp (time and value bits), each differing timestamp is floored to 2^resolution, clamped to
 * [MIN_TIME, MAX_TIME), and the buckets are merged where they overlap or touch. Once a bucket is
 * reported, the rest of it is not inspected.
 */
export class ChangesScan {
  private readonly mask: bigint
  private readonly bucket: bigint
  private lo = 0n
  private stopped = false
  private resume = 0n
  private hasCur = false
  private curStart = 0n
  private curEnd = 0n
  private starts: Array<bigint> = []
  private ends: Array<bigint> = []

  /** Set while the times a pair reports are gathered (see `diffMany`) instead of merged. */
  private gathered: Array<bigint> | null = null

  constructor(
    private readonly store: NodeStore,
    private readonly pairs: ReadonlyArray<readonly [before: number, after: number]>,
    resolution: number,
    private readonly pageSize: number
  ) {
    this.bucket = 1n << BigInt(resolution)
    this.mask = this.bucket - 1n
  }

  /** The pages; at least one. */
  pages(): Generator<RangeColumns, void, undefined> {
    return scanPages(this, MIN_TIME)
  }

  /** Where the page just computed stopped, or undefined when it was the last. */
  get next(): bigint | undefined {
    return this.stopped ? this.resume : undefined
  }

  /** Computes one page of ranges starting at `from` (a bucket start). */
  page(from: bigint): RangeColumns {
    this.lo = from
    this.stopped = false
    this.hasCur = false
    this.starts = []
    this.ends = []
    this.diffMany(this.pairs, ROOT_START, ROOT_PW)
    if (!this.stopped && this.hasCur) this.push()
    return { start: BigInt64Array.from(this.starts), end: BigInt64Array.from(this.ends) }
  }

  private covered(): bigint {
    return this.hasCur && this.curEnd > this.lo ? this.curEnd : this.lo
  }

  private push(): void {
    if (this.starts.length === this.pageSize) {
      this.stopped = true
      this.resume = this.curStart
      return
    }
    this.starts.push(this.curStart)
    this.ends.push(this.curEnd)
    this.hasCur = false
  }

  private report(t: bigint): void {
    if (this.gathered !== null) {
      this.gathered.push(t)
      return
    }
    let bs = t & ~this.mask
    if (bs < MIN_TIME) bs = MIN_TIME
    let be = (t & ~this.mask) + this.bucket
    if (be > MAX_TIME) be = MAX_TIME
    if (this.hasCur) {
      if (bs <= this.curEnd) {
        if (be > this.curEnd) this.curEnd = be
        return
      }
      this.push()
      if (this.stopped) return
    }
    this.hasCur = true
    this.curStart = bs
    this.curEnd = be
  }

  /**
   * Diffs several pairs over the node range starting at `ns` of 2^`pw` ns. While some side is an
   * inner node, the pairs are walked together, child by child (a leaf met higher up goes down as
   * the run of its points in each child's range), so each subtree is entered once for all of
   * them. Where no side is an inner node any more (a leaf's range: few points), each pair's runs
   * are compared with the times gathered, then reported in ascending order.
   */
  private diffMany(pairs: ReadonlyArray<readonly [Side, Side]>, ns: bigint, pw: number): void {
    if (this.stopped) return
    const live = pairs.filter(([x, y]) => !sameSide(x, y))
    if (live.length === 0 || ns + (1n << BigInt(pw)) <= this.covered()) return
    if (live.length === 1) {
      const [x, y] = live[0]
      if (typeof x === "number" && typeof y === "number") return this.diff(x, y, ns, pw)
    }
    const sides = live.map(([x, y]) => [this.resolve(x), this.resolve(y)] as const)
    if (!sides.some(([x, y]) => "slots" in x || "slots" in y)) {
      return this.gather(sides as ReadonlyArray<readonly [Run, Run]>)
    }
    const cpwB = BigInt(pw - FANOUT_BITS)
    const from = this.covered()
    for (let c = from <= ns ? 0 : Number((from - ns) >> cpwB); c < FANOUT && !this.stopped; c++) {
      const cs = ns + (BigInt(c) << cpwB)
      const ce = cs + (1n << cpwB)
      const children: Array<readonly [Side, Side]> = []
      for (const [x, y] of sides) {
        if ("slots" in x && "slots" in y && x.slots[S_ADDR + c] === y.slots[S_ADDR + c]) continue
        const pair = [childOf(x, c, cs, ce), childOf(y, c, cs, ce)] as const
        if (!sameSide(pair[0], pair[1])) children.push(pair)
      }
      if (children.length > 0) this.diffMany(children, cs, pw - FANOUT_BITS)
    }
  }

  /** A side as an inner node or a run of points (an empty subtree is an empty run, a leaf all its points). */
  private resolve(side: Side): InternalNode | Run {
    if (typeof side !== "number") return side
    if (side === EMPTY) return NO_POINTS
    const node = this.store.get(side)
    return node.kind === 1 ? node : { times: node.times, values: node.values, a: 0, b: node.times.length }
  }

  /** Compares each pair's runs with the times they differ at gathered, then reports those in order. */
  private gather(pairs: ReadonlyArray<readonly [Run, Run]>): void {
    const times: Array<bigint> = []
    this.gathered = times
    try {
      for (const [x, y] of pairs) this.compare(x.times, x.values, x.a, x.b, y.times, y.values, y.a, y.b)
    } finally {
      this.gathered = null
    }
    times.sort((p, q) => (p < q ? -1 : p > q ? 1 : 0))
    for (let i = 0; i < times.length && !this.stopped; i++) {
      if (i === 0 || times[i] !== times[i - 1]) this.report(times[i])
    }
  }

  private diff(a: number, b: number, ns: bigint, pw: number): void {
    if (this.stopped || a === b) return
    const ne = ns + (1n << BigInt(pw))
    if (ne <= this.covered()) return
    if (a === EMPTY) return this.all(this.store.get(b))
    if (b === EMPTY) return this.all(this.store.get(a))
    const na = this.store.get(a)
    const nb = this.store.get(b)
    if (na.kind === 1 && nb.kind === 1) {
      const cpw = pw - FANOUT_BITS
      const cpwB = BigInt(cpw)
      const from = this.covered()
      const sa = na.slots
      const sb = nb.slots
      for (let c = from <= ns ? 0 : Number((from - ns) >> cpwB); c < FANOUT && !this.stopped; c++) {
        if (sa[S_ADDR + c] !== sb[S_ADDR + c]) this.diff(sa[S_ADDR + c], sb[S_ADDR + c], ns + (BigInt(c) << cpwB), cpw)
      }
      return
    }
    if (na.kind === 0 && nb.kind === 0) {
      return this.compare(na.times, na.values, 0, na.times.length, nb.times, nb.values, 0, nb.times.length)
    }
    if (na.kind === 0) return this.slice(na.times, na.values, 0, na.times.length, nb)
    if (nb.kind === 0) return this.slice(nb.times, nb.values, 0, nb.times.length, na)
  }

  /** Every point below `node` is a change. */
  private all(node: TreeNode): void {
    if (node.kind === 0) return this.points(node.times, 0, node.times.length)
    const ns = node.start
    const cpwB = BigInt(node.pw - FANOUT_BITS)
    const cw = 1n << cpwB
    const slots = node.slots
    for (let c = 0; c < FANOUT && !this.stopped; c++) {
      if (slots[S_COUNT + c] === 0) continue
      if (ns + (BigInt(c) << cpwB) + cw <= this.covered()) continue
      this.all(this.store.get(slots[S_ADDR + c]))
    }
  }

  /** Every point of times[a, b) is a change. */
  private points(times: BigInt64Array, a: number, b: number): void {
    let i = lowerBound(times, this.covered(), a, b)
    while (i < b && !this.stopped) {
      this.report(times[i])
      i = lowerBound(times, this.covered(), i + 1, b)
    }
  }

  /** Diffs the sorted points [a, b) (the content of a leaf in one version) against a node of the other. */
  private slice(times: BigInt64Array, values: Float64Array, a: number, b: number, node: TreeNode): void {
    if (this.stopped) return
    if (node.kind === 0) return this.compare(times, values, a, b, node.times, node.values, 0, node.times.length)
    const ns = node.start
    const cpwB = BigInt(node.pw - FANOUT_BITS)
    const cw = 1n << cpwB
    const slots = node.slots
    let i = a
    for (let c = 0; c < FANOUT && !this.stopped; c++) {
      const ce = ns + (BigInt(c) << cpwB) + cw
      const j = c === FANOUT - 1 ? b : lowerBound(times, ce, i, b)
      if (ce > this.covered()) {
        if (slots[S_COUNT + c] === 0) this.points(times, i, j)
        else this.slice(times, values, i, j, this.store.get(slots[S_ADDR + c]))
      }
      i = j
    }
  }

  /** Compares two sorted point runs as multisets per timestamp. */
  private compare(
    ta: BigInt64Array,
    va: Float64Array,
    a0: number,
    a1: number,
    tb: BigInt64Array,
    vb: Float64Array,
    b0: number,
    b1: number
  ): void {
    let from = this.covered()
    let i = lowerBound(ta, from, a0, a1)
    let j = lowerBound(tb, from, b0, b1)
    while ((i < a1 || j < b1) && !this.stopped) {
      let t: bigint
      if (i >= a1) t = tb[j]
      else if (j >= b1) t = ta[i]
      else t = ta[i] < tb[j] ? ta[i] : tb[j]
      let i2 = i
      while (i2 < a1 && ta[i2] === t) i2++
      let j2 = j
      while (j2 < b1 && tb[j2] === t) j2++
      if (!sameValues(va, i, i2, vb, j, j2)) {
        this.report(t)
        from = this.covered()
        i = lowerBound(ta, from, i2, a1)
        j = lowerBound(tb, from, j2, b1)
      } else {
        i = i2
        j = j2
      }
    }
  }
}

/** The points `times[a, b)` and `values[a, b)` of a leaf that fall in the range being walked. */
interface Run {
  readonly times: BigInt64Array
  readonly values: Float64Array
  readonly a: number
  readonly b: number
}

/** One side of a pair walked by {@link ChangesScan}: a node's address ({@link EMPTY} for none), or a run. */
type Side = number | Run

const NO_POINTS: Run = { times: new BigInt64Array(0), values: new Float64Array(0), a: 0, b: 0 }

const isEmptySide = (side: Side): boolean => typeof side === "number" ? side === EMPTY : side.a === side.b

/** True when two sides hold the same points for certain (the same node, or the same run of one leaf). */
const sameSide = (x: Side, y: Side): boolean => {
  if (typeof x === "number" && typeof y === "number") return x === y
  if (typeof x !== "number" && typeof y !== "number" && x.times === y.times) return x.a === y.a && x.b === y.b
  return isEmptySide(x) && isEmptySide(y)
}

/** The part of a side in child `c`, spanning [cs, ce), of the node range being walked. */
const childOf = (side: InternalNode | Run, c: number, cs: bigint, ce: bigint): Side => {
  if ("slots" in side) return side.slots[S_ADDR + c]
  const a = lowerBound(side.times, cs, side.a, side.b)
  return { times: side.times, values: side.values, a, b: lowerBound(side.times, ce, a, side.b) }
}

/** True when va[i, i2) and vb[j, j2) hold the same values (bitwise) as multisets. */
const sameValues = (va: Float64Array, i: number, i2: number, vb: Float64Array, j: number, j2: number): boolean => {
  const n = i2 - i
  if (n !== j2 - j) return false
  if (n === 1) return Object.is(va[i], vb[j])
  const x = va.slice(i, i2).sort()
  const y = vb.slice(j, j2).sort()
  for (let k = 0; k < n; k++) if (!Object.is(x[k], y[k])) return false
  return true
}
