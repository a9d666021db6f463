/**
 * Where nodes and commits live: the {@link Backend} interface, the in-memory backend and the
 * byte-bounded LRU node cache the file backend uses.
 *
 * @internal
 */
import { nodeBytes, type NodeStore, type TreeNode } from "./node.js"
import type { CacheStats } from "./types.js"

/** What a commit record says. */
export const RecordKind = { Create: 1, Commit: 2, Obliterate: 3 } as const
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
   * Seals the nodes appended since the previous commit and records this commit. The commit is
   * visible at once and becomes durable at the next {@link durable} (which runs by itself within
   * the commit delay).
   */
  commit(kind: RecordKind, uuid: string, major: bigint, root: number): void
  /** Resolves when every commit recorded so far is durable. */
  durable(): Promise<void>
  /** Frees nodes nothing refers to any more (an obliterated stream's), where the backend can. */
  release(addrs: Iterable<number>): void
  /** True when {@link release} frees anything (so callers can skip collecting addresses). */
  readonly releases: boolean
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

  commit(): void {}

  durable(): Promise<void> {
    return Promise.resolve()
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

/**
 * A least-recently-used node cache bounded by bytes. It evicts before it inserts, so its byte
 * count never exceeds the limit; a node bigger than the whole limit is not cached.
 */
export class NodeCache {
  private readonly map = new Map<number, TreeNode>()
  private bytes = 0
  private peak = 0
  private hits = 0
  private misses = 0

  constructor(readonly limit: number) {}

  /** The cached node, marked as most recently used. */
  get(addr: number): TreeNode | undefined {
    const node = this.map.get(addr)
    if (node === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    this.map.delete(addr)
    this.map.set(addr, node)
    return node
  }

  /** Adds a node, evicting the least recently used ones to stay within the limit. */
  put(addr: number, node: TreeNode): void {
    const size = nodeBytes(node)
    if (size > this.limit || this.map.has(addr)) return
    while (this.bytes + size > this.limit) {
      const oldest = this.map.keys().next()
      if (oldest.done === true) break
      const old = this.map.get(oldest.value)!
      this.map.delete(oldest.value)
      this.bytes -= nodeBytes(old)
    }
    this.map.set(addr, node)
    this.bytes += size
    if (this.bytes > this.peak) this.peak = this.bytes
  }

  /** Drops a node. */
  drop(addr: number): void {
    const node = this.map.get(addr)
    if (node !== undefined) {
      this.map.delete(addr)
      this.bytes -= nodeBytes(node)
    }
  }

  /** The accounting. */
  stats(): CacheStats {
    return {
      bytes: this.bytes,
      peakBytes: this.peak,
      limitBytes: this.limit,
      entries: this.map.size,
      hits: this.hits,
      misses: this.misses
    }
  }
}
