/**
 * The nodes of the time-partitioned tree and the per-child statistics an internal node keeps.
 *
 * Geometry: the root spans [MIN_TIME, MAX_TIME), 2^62 ns, and every internal node splits its span
 * into 64 equal children, so a node's width is 2^pw with pw ∈ {62, 56, 50, …, 8, 2}. A node of
 * pw 2 cannot have 64 children, so it is always a leaf (and may exceed the leaf capacity when
 * many points share a few timestamps).
 */
import { MIN_TIME } from "../../internal/protocol.js"

/** Children per internal node. */
export const FANOUT = 64
/** log2 of {@link FANOUT}. */
export const FANOUT_BITS = 6
/** pw of the root node: it spans 2^62 ns. */
export const ROOT_PW = 62
/** The root's start time. */
export const ROOT_START = MIN_TIME
/** The smallest pw an internal node can have (its children have pw 2). */
export const MIN_INTERNAL_PW = 8
/** The address of "no node": an empty subtree. Real addresses are positive. */
export const EMPTY = 0
/** Default number of points a leaf holds before it splits. */
export const DEFAULT_LEAF_CAPACITY = 1024

// Layout of an internal node's slot array: six blocks of 64 float64, one per field.
/** Offset of the child addresses. */
export const S_ADDR = 0
/** Offset of the child point counts. */
export const S_COUNT = 64
/** Offset of the child minima. */
export const S_MIN = 128
/** Offset of the child means. */
export const S_MEAN = 192
/** Offset of the child maxima. */
export const S_MAX = 256
/** Offset of the child M2 (sum of squared deviations from the child mean). */
export const S_M2 = 320
/** Length of a slot array. */
export const SLOTS_LEN = 384

/** A leaf: points sorted by time (ties in insertion order). */
export interface LeafNode {
  readonly kind: 0
  readonly start: bigint
  readonly pw: number
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/** An internal node: 64 children, each with its address and statistics (see the S_* offsets). */
export interface InternalNode {
  readonly kind: 1
  readonly start: bigint
  readonly pw: number
  readonly slots: Float64Array
}

/** A node of the tree. */
export type TreeNode = LeafNode | InternalNode

/** The node storage the tree is built on: immutable nodes, each appended once and then read by address. */
export interface NodeStore {
  /** Reads the node at `addr` (never {@link EMPTY}). */
  get(addr: number): TreeNode
  /**
   * Like {@link get}, for a reader that is done with a leaf before it calls into the store again: a
   * leaf (never an internal node) may then be a view of a buffer the store reuses, valid only until
   * the next call into the store by anyone. Optional: readers use `get` where it is missing.
   */
  getTransient?(addr: number): TreeNode
  /** Stores a new immutable node and returns its address (> 0). */
  append(node: TreeNode): number
}

/** A mutable statistics accumulator: count, min, max, mean and M2 (for the population variance). */
export class Summary {
  count = 0
  min = 0
  max = 0
  mean = 0
  m2 = 0

  /** Empties the accumulator. */
  reset(): void {
    this.count = 0
    this.min = 0
    this.max = 0
    this.mean = 0
    this.m2 = 0
  }

  /** Copies another accumulator. */
  copy(o: Summary): void {
    this.count = o.count
    this.min = o.min
    this.max = o.max
    this.mean = o.mean
    this.m2 = o.m2
  }

  /** Merges a group's statistics (Chan et al. parallel variance). */
  merge(count: number, min: number, max: number, mean: number, m2: number): void {
    if (count === 0) return
    const na = this.count
    if (na === 0) {
      this.count = count
      this.min = min
      this.max = max
      this.mean = mean
      this.m2 = m2
      return
    }
    const n = na + count
    const delta = mean - this.mean
    this.mean += delta * (count / n)
    this.m2 += m2 + delta * delta * (na * count / n)
    this.count = n
    if (min < this.min) this.min = min
    if (max > this.max) this.max = max
  }

  /** Merges another accumulator. */
  mergeSummary(o: Summary): void {
    this.merge(o.count, o.min, o.max, o.mean, o.m2)
  }

  /** Merges child slot `c` of an internal node's slot array. */
  mergeSlot(slots: Float64Array, c: number): void {
    this.merge(slots[S_COUNT + c], slots[S_MIN + c], slots[S_MAX + c], slots[S_MEAN + c], slots[S_M2 + c])
  }

  /** Sets this accumulator to the statistics of `values[i, j)` (two-pass, so M2 is accurate). */
  ofValues(values: Float64Array, i: number, j: number): void {
    const n = j - i
    if (n <= 0) {
      this.reset()
      return
    }
    let sum = 0
    let min = values[i]
    let max = min
    for (let k = i; k < j; k++) {
      const v = values[k]
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
    const mean = sum / n
    let m2 = 0
    for (let k = i; k < j; k++) {
      const d = values[k] - mean
      m2 += d * d
    }
    this.count = n
    this.min = min
    this.max = max
    this.mean = mean
    this.m2 = m2
  }

  /** Sets this accumulator to the merge of every slot of an internal node. */
  ofSlots(slots: Float64Array): void {
    this.reset()
    for (let c = 0; c < FANOUT; c++) if (slots[S_COUNT + c] > 0) this.mergeSlot(slots, c)
  }

  /** Writes this accumulator into slot `c` of `slots` (the address is left alone). */
  store(slots: Float64Array, c: number): void {
    slots[S_COUNT + c] = this.count
    slots[S_MIN + c] = this.min
    slots[S_MAX + c] = this.max
    slots[S_MEAN + c] = this.mean
    slots[S_M2 + c] = this.m2
  }

  /** The population standard deviation. */
  stddev(): number {
    return this.count > 0 && this.m2 > 0 ? Math.sqrt(this.m2 / this.count) : 0
  }
}

/** Clears slot `c` (empty child). */
export const clearSlot = (slots: Float64Array, c: number): void => {
  slots[S_ADDR + c] = EMPTY
  slots[S_COUNT + c] = 0
  slots[S_MIN + c] = 0
  slots[S_MAX + c] = 0
  slots[S_MEAN + c] = 0
  slots[S_M2 + c] = 0
}

/** Total number of points below an internal node. */
export const slotsCount = (slots: Float64Array): number => {
  let n = 0
  for (let c = 0; c < FANOUT; c++) n += slots[S_COUNT + c]
  return n
}

/** First index i in [lo, hi) with a[i] >= key (hi when none). */
export const lowerBound = (a: BigInt64Array, key: bigint, lo: number, hi: number): number => {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A copy of the points `[lo, hi)` as a leaf's columns, both in one buffer, as a leaf read from disk has them: half
 * the allocations of two copies, and half the buffers for the garbage collector to track while the leaf is cached.
 */
export const leafColumns = (
  bt: BigInt64Array,
  bv: Float64Array,
  lo: number,
  hi: number
): { times: BigInt64Array; values: Float64Array } => {
  const n = hi - lo
  const buffer = new ArrayBuffer(16 * n)
  const times = new BigInt64Array(buffer, 0, n)
  const values = new Float64Array(buffer, 8 * n, n)
  times.set(bt.subarray(lo, hi))
  values.set(bv.subarray(lo, hi))
  return { times, values }
}

/** Approximate heap bytes a node occupies (used by the cache accounting). */
export const nodeBytes = (node: TreeNode): number =>
  node.kind === 0 ? 160 + node.times.length * 16 : 160 + SLOTS_LEN * 8
