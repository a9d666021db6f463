/**
 * Public value types of the storage engine. Re-exported by `DataStore.ts`.
 */

/**
 * How an insert treats points whose timestamp is already stored (PROTOCOL.md §7.9):
 * - `never`: keep every point, duplicates included;
 * - `equal`: drop a new point when a point with the same time and value exists (stored, or earlier in the batch);
 * - `retain`: at an equal time keep the stored point (and, within one batch, the first);
 * - `replace`: at an equal time the new point replaces every stored one (and, within one batch, the last wins).
 */
export type { MergePolicy } from "../../internal/mergePolicy.js"

/** Points as columns: `times[i]` (ns since the epoch) carries `values[i]`. */
export interface Columns {
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/**
 * Where a raw read puts its points (see `DataStore.rawValuesInto`): it is handed runs of the stored columns in time
 * order, at most a page's worth between two `take`s, and makes each page of them in the form its consumer wants.
 */
export interface RawPageBuilder<P> {
  /**
   * Adds the points `[from, to)` of these columns to the page being built; `last` when no points of the read come
   * after them (false when unknown). The columns may be views of the store's read buffers, valid only until this
   * returns: copy what is kept.
   */
  add(times: BigInt64Array, values: Float64Array, from: number, to: number, last: boolean): void
  /** The page of the points added since the last `take` (none: an empty page); the next page starts empty. */
  take(): P
}

/** Window statistics as columns; `times[i]` is the start of window i, `stddev` the population standard deviation. */
export interface StatColumns {
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: BigUint64Array
  readonly stddev: Float64Array
}

/** Changed time ranges as columns: `[start[i], end[i])`. */
export interface RangeColumns {
  readonly start: BigInt64Array
  readonly end: BigInt64Array
}

/** A stream version. The engine commits every change right away, so `minor` is always 0. */
export interface Version {
  readonly major: bigint
  readonly minor: bigint
}

/**
 * A read result: the version that serves it and its pages, produced lazily while iterating so a
 * consumer can stop early. `pages` can be iterated more than once (each iteration starts over);
 * every successful read yields at least one page, possibly empty.
 */
export interface Paged<P> {
  readonly version: Version
  readonly pages: Iterable<P>
}

/** The node cache's own accounting (see `DataStore.cacheStats`). */
export interface CacheStats {
  /**
   * Bytes of the nodes the cache holds now; for an on-disk store, plus the read buffers (an eighth
   * of the limit, at least 1 KiB), which the limit covers too.
   */
  readonly bytes: number
  /** The largest `bytes` ever reached. */
  readonly peakBytes: number
  /** The configured limit (`Infinity` for a purely in-memory store, which keeps every node). */
  readonly limitBytes: number
  /** Nodes held now. */
  readonly entries: number
  /** Reads served from memory. */
  readonly hits: number
  /** Reads that went to disk. */
  readonly misses: number
}
