/**
 * Where nodes and commits live: the {@link Backend} interface, the in-memory backend and the
 * byte-bounded, scan-resistant (segmented LRU) node cache the file backend uses.
 */
import type { CompactionReport, CompactionStats } from "./compaction.js"
import { nodeBytes, type NodeStore, type TreeNode } from "./node.js"
import type { CacheStats } from "./types.js"

/**
 * What a commit record says. Relocate and Free are the file store's own (compaction moved nodes, freed a segment):
 * they are never passed to {@link Backend.commit} nor replayed by the data store.
 */
export const RecordKind = { Create: 1, Commit: 2, Obliterate: 3, Relocate: 4, Free: 5 } as const
/** A commit record kind. */
export type RecordKind = typeof RecordKind[keyof typeof RecordKind]

/** A commit as recovered from storage. */
export interface CommitRecord {
  readonly kind: RecordKind
  readonly uuid: string
  readonly major: bigint
  readonly root: number
}

/** Node storage plus commits and durability. */
export interface Backend extends NodeStore {
  /**
   * Seals the nodes appended since the previous commit and records this commit; returns its sequence number (1, 2,
   * … in the order of the calls). The commit is visible at once and becomes durable at the next {@link durable}
   * (which runs by itself within the commit delay). When its nodes cannot be written, it throws and nothing of it
   * stays.
   */
  commit(kind: RecordKind, uuid: string, major: bigint, root: number): number
  /**
   * Resolves when every commit recorded so far is durable. A write or fsync that fails on the way rolls the backend
   * back to its last durable state: every commit after {@link durableSeq} is forgotten, the rollback listeners are
   * told, and this rejects.
   */
  durable(): Promise<void>
  /** The sequence number of the newest durable commit (every commit up to it is durable). */
  readonly durableSeq: number
  /** Calls `listener` with {@link durableSeq} after each rollback: the commits after it are gone. */
  onRollback(listener: (kept: number) => void): void
  /** Frees nodes nothing refers to any more (an obliterated stream's), where the backend can. */
  release(addrs: Iterable<number>): void
  /** True when {@link release} frees anything (so callers can skip collecting addresses). */
  readonly releases: boolean
  /** Gives back the space of obliterated streams now, where the backend keeps it until it compacts. */
  compact(): Promise<CompactionReport>
  /** What compaction did since the backend was opened. */
  compactionStats(): CompactionStats
  /** The node cache's accounting. */
  cacheStats(): CacheStats
  /** Makes everything durable and closes files. */
  close(): Promise<void>
}

/** Keeps every node in the heap; nothing is durable. */
export class MemoryBackend implements Backend {
  private readonly nodes = new Map<number, TreeNode>()
  private next = 1
  private bytes = 0
  private peak = 0
  readonly releases = true

  get(addr: number): TreeNode {
    const node = this.nodes.get(addr)
    if (node === undefined) throw new Error(`node ${addr} does not exist`)
    return node
  }

  append(node: TreeNode): number {
    const addr = this.next++
    this.nodes.set(addr, node)
    this.bytes += nodeBytes(node)
    if (this.bytes > this.peak) this.peak = this.bytes
    return addr
  }

  private seq = 0

  commit(): number {
    return ++this.seq
  }

  durable(): Promise<void> {
    return Promise.resolve()
  }

  /** Nothing is written, so nothing is rolled back: every commit counts as durable. */
  get durableSeq(): number {
    return this.seq
  }

  onRollback(): void {}

  compact(): Promise<CompactionReport> {
    return Promise.resolve({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
  }

  compactionStats(): CompactionStats {
    return { segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0, running: false }
  }

  release(addrs: Iterable<number>): void {
    for (const a of addrs) {
      const node = this.nodes.get(a)
      if (node !== undefined) {
        this.bytes -= nodeBytes(node)
        this.nodes.delete(a)
      }
    }
  }

  cacheStats(): CacheStats {
    return {
      bytes: this.bytes,
      peakBytes: this.peak,
      limitBytes: Infinity,
      entries: this.nodes.size,
      hits: 0,
      misses: 0
    }
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

interface Entry {
  readonly addr: number
  readonly node: TreeNode
  readonly size: number
  /** In the protected segment (else on probation). */
  prot: boolean
  /** Towards the least recently used end of its segment's list. */
  older: Entry | null
  /** Towards the most recently used end. */
  newer: Entry | null
}

/** A doubly linked list of entries from the least to the most recently used, with its byte total. */
class Lru {
  oldest: Entry | null = null
  newest: Entry | null = null
  bytes = 0

  push(e: Entry): void {
    e.older = this.newest
    e.newer = null
    if (this.newest === null) this.oldest = e
    else this.newest.newer = e
    this.newest = e
    this.bytes += e.size
  }

  remove(e: Entry): void {
    if (e.older === null) this.oldest = e.newer
    else e.older.newer = e.newer
    if (e.newer === null) this.newest = e.older
    else e.newer.older = e.older
    e.older = null
    e.newer = null
    this.bytes -= e.size
  }
}

/** Share of the node budget the protected segment may fill. */
const PROTECTED_SHARE = 0.8

/**
 * A node cache bounded by bytes: a segmented LRU, so one big scan cannot flush what is read again
 * and again (the internal nodes every query descends through). A node enters on probation; a hit
 * there moves it to the protected segment (at most 80% of the budget, whose least recently used
 * nodes fall back to probation). Eviction takes the least recently used node on probation first,
 * then the protected segment's. A scan's nodes, read once, only ever cycle through probation.
 *
 * The limit covers the nodes plus `reservedBytes` that the owner holds for other purposes (the
 * file backend's read buffer): the cache evicts before it inserts, so `bytes` (which includes the
 * reserve) never exceeds the limit unless the reserve alone does. A node bigger than the budget
 * is not cached.
 */
export class NodeCache {
  private readonly map = new Map<number, Entry>()
  private readonly probation = new Lru()
  private readonly protect = new Lru()
  private readonly budget: number
  private readonly protectBudget: number
  private peak: number
  private hits = 0
  private misses = 0

  constructor(readonly limit: number, readonly reservedBytes = 0) {
    this.budget = Math.max(0, limit - reservedBytes)
    this.protectBudget = Math.floor(this.budget * PROTECTED_SHARE)
    this.peak = reservedBytes
  }

  /** The cached node, marked as most recently used. */
  get(addr: number): TreeNode | undefined {
    const e = this.map.get(addr)
    if (e === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    if (e.prot) {
      if (this.protect.newest !== e) {
        this.protect.remove(e)
        this.protect.push(e)
      }
      return e.node
    }
    this.probation.remove(e)
    e.prot = true
    this.protect.push(e)
    while (this.protect.bytes > this.protectBudget) {
      const old = this.protect.oldest!
      this.protect.remove(old)
      old.prot = false
      this.probation.push(old)
    }
    return e.node
  }

  /** Adds a node on probation, evicting the least recently used ones to stay within the limit. */
  put(addr: number, node: TreeNode): void {
    const size = nodeBytes(node)
    if (size > this.budget || this.map.has(addr)) return
    while (this.probation.bytes + this.protect.bytes + size > this.budget) {
      const old = this.probation.oldest ?? this.protect.oldest!
      if (old.prot) this.protect.remove(old)
      else this.probation.remove(old)
      this.map.delete(old.addr)
    }
    const e: Entry = { addr, node, size, prot: false, older: null, newer: null }
    this.map.set(addr, e)
    this.probation.push(e)
    const bytes = this.bytes()
    if (bytes > this.peak) this.peak = bytes
  }

  /** Drops a node. */
  drop(addr: number): void {
    const e = this.map.get(addr)
    if (e === undefined) return
    if (e.prot) this.protect.remove(e)
    else this.probation.remove(e)
    this.map.delete(addr)
  }

  /** Drops every node. */
  clear(): void {
    this.map.clear()
    this.probation.oldest = this.probation.newest = null
    this.probation.bytes = 0
    this.protect.oldest = this.protect.newest = null
    this.protect.bytes = 0
  }

  /** True when the node is cached (without counting a hit or a miss). */
  has(addr: number): boolean {
    return this.map.has(addr)
  }

  private bytes(): number {
    return this.reservedBytes + this.probation.bytes + this.protect.bytes
  }

  /** The accounting. */
  stats(): CacheStats {
    return {
      bytes: this.bytes(),
      peakBytes: this.peak,
      limitBytes: this.limit,
      entries: this.map.size,
      hits: this.hits,
      misses: this.misses
    }
  }
}
