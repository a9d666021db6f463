/**
 * The metadata store of the embedded BTrDB server: streams' collections, tags, annotations and property
 * versions, tombstones of obliterated streams, and SQL over the `streams` table (PROTOCOL.md §7.10, §8).
 *
 * The store is the source of truth. In memory it keeps every live stream plus indexes by collection and by
 * identity (collection + the four tags). With a directory it is durable: each mutation is appended to a
 * checksummed log and fsynced before its promise resolves, and the log is replayed at open
 * (see `MetadataLog.ts`); a mutation whose record cannot be written (426 disk full, or 500) is undone in memory. SQL runs on PGlite, started at the first query and kept in sync from then on
 * (see `SqlEngine.ts`).
 *
 * Every failure is a {@link StatusError} with the BTrDB code and message of PROTOCOL.md §5.2 / §8.
 */
import * as Path from "node:path"
import { StatusCode } from "../../internal/protocol.js"
import type { DiskFaults } from "../DiskFaults.js"
import { StatusError } from "../StatusError.js"
import { type LogRecord, MetadataLog, type PutRecord } from "./MetadataLog.js"
import { SqlEngine, type SqlRow } from "./SqlEngine.js"
import {
  checkAnnotationKey,
  checkAnnotationValue,
  checkCollection,
  checkCollectionPrefix,
  checkTagKey,
  checkTagValue,
  compareCodePoints,
  isUuid,
  TAG_KEYS,
  type TagKey
} from "./validate.js"

/** A key with an optional value, as in the protocol's `KeyOptValue`. */
export interface KeyOptValue {
  readonly key: string
  /** `undefined` is "val absent" on the wire: in filters "the key exists", in changes "delete the key". */
  readonly value: string | undefined
}

/** What the store knows about one live stream. Descriptors are immutable snapshots. */
export interface StreamDescriptor {
  /** Lowercase, hyphenated. */
  readonly uuid: string
  readonly collection: string
  /** Always `name`, `unit` and `ingress` ("" when unset); `distiller` only when it was set. */
  readonly tags: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  /** 1 at creation, plus 1 for every successful SetStreamTags or SetStreamAnnotations. */
  readonly propertyVersion: bigint
}

/** The filters of LookupStreams. */
export interface LookupQuery {
  /** The collection, or a prefix of it when `isCollectionPrefix` ("" then matches every stream). */
  readonly collection: string
  readonly isCollectionPrefix: boolean
  /** Every filter must hold. A value must match exactly; an absent value means "the tag is non-empty". */
  readonly tags: ReadonlyArray<KeyOptValue>
  /** Every filter must hold. A value must match exactly; an absent value means "the annotation exists". */
  readonly annotations: ReadonlyArray<KeyOptValue>
}

/** The result of GetMetadataUsage: per key, how many streams use it. */
export interface MetadataUsage {
  /** Always the four tag keys, each counting the streams whose value is non-empty. */
  readonly tags: Record<string, number>
  /** Each annotation key in use, with the number of streams that have it. */
  readonly annotations: Record<string, number>
}

/** Options of {@link MetadataStore.open}. */
export interface MetadataStoreOptions {
  /** The data directory; the store lives in `dir/metadata/`. Undefined: in memory only. */
  readonly dir?: string | undefined
  /**
   * Longest time one step of an SQL query may run (planning plus its first 1000 rows, then each next 1000 rows),
   * in milliseconds (default 10 000); a longer one fails with 441. Also the longest time a caller may take before
   * asking for the next rows, after which the query's cursor is closed and it fails with 441 (idle timeout).
   */
  readonly sqlTimeoutMs?: number | undefined
  /**
   * Where PGlite's initialized data directory is cached as a tarball, so that SQL starts without initdb.
   * Undefined: a file under `os.tmpdir()` keyed by PGlite version; null: no cache.
   */
  readonly sqlCacheFile?: string | null | undefined
  /** Tests only: failures to inject into the writes and fsyncs of the log (see `DiskFaults.ts`). */
  readonly faults?: DiskFaults | undefined
}

interface Tags {
  readonly name: string
  readonly unit: string
  readonly ingress: string
  readonly distiller: string | undefined
}

interface Stream {
  readonly uuid: string
  readonly collection: string
  readonly tags: Tags
  readonly annotations: ReadonlyMap<string, string>
  readonly version: bigint
  readonly descriptor: StreamDescriptor
}

interface CollectionEntry {
  readonly uuids: Set<string>
  /** The uuids sorted; replaced (never mutated) when the set changes, so running iterations are unaffected. */
  sorted: ReadonlyArray<string> | undefined
}

const EMPTY_TAGS: Tags = { name: "", unit: "", ingress: "", distiller: undefined }

/** The value a tag has for matching: unset is "". */
const tagValue = (tags: Tags, key: TagKey): string => tags[key] ?? ""

/** Collection + all four tags (unset = ""): two live streams may not share it (418). NUL cannot occur in either. */
const identityKey = (collection: string, tags: Tags): string =>
  `${collection}\0${tags.name}\0${tags.unit}\0${tags.ingress}\0${tags.distiller ?? ""}`

const withTag = (tags: Tags, key: TagKey, value: string | undefined): Tags => {
  if (key === "distiller") return { ...tags, distiller: value }
  return { ...tags, [key]: value ?? "" }
}

const makeStream = (
  uuid: string,
  collection: string,
  tags: Tags,
  annotations: ReadonlyMap<string, string>,
  version: bigint
): Stream => {
  const tagRecord: Record<string, string> = { name: tags.name, unit: tags.unit, ingress: tags.ingress }
  if (tags.distiller !== undefined) tagRecord.distiller = tags.distiller
  const descriptor: StreamDescriptor = Object.freeze({
    uuid,
    collection,
    tags: Object.freeze(tagRecord),
    annotations: Object.freeze(Object.fromEntries(annotations)),
    propertyVersion: version
  })
  return { uuid, collection, tags, annotations, version, descriptor }
}

const toPutRecord = (s: Stream): PutRecord => ({
  op: "put",
  uuid: s.uuid,
  collection: s.collection,
  tags: s.tags.distiller === undefined
    ? { name: s.tags.name, unit: s.tags.unit, ingress: s.tags.ingress }
    : { name: s.tags.name, unit: s.tags.unit, ingress: s.tags.ingress, distiller: s.tags.distiller },
  annotations: [...s.annotations],
  version: s.version.toString()
})

const toSqlRow = (s: Stream): SqlRow => ({
  u: s.uuid,
  c: s.collection,
  n: s.tags.name,
  un: s.tags.unit,
  i: s.tags.ingress,
  v: s.version.toString(),
  a: Object.fromEntries(s.annotations)
})

const notFound = (): StatusError => new StatusError(StatusCode.NoSuchStream, "stream does not exist")

/** The first index of `sorted` whose element is not below `key` in code point order. */
const lowerBound = (sorted: ReadonlyArray<string>, key: string): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareCodePoints(sorted[mid]!, key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Validates tag filters or changes: keys 408, present values 409. */
const checkTagPairs = (pairs: ReadonlyArray<KeyOptValue>): ReadonlyArray<readonly [TagKey, string | undefined]> =>
  pairs.map(({ key, value }) => {
    const k = checkTagKey(key)
    if (value !== undefined) checkTagValue(k, value)
    return [k, value] as const
  })

/** Validates annotation filters or changes: keys 408, present values 409. */
const checkAnnotationPairs = (pairs: ReadonlyArray<KeyOptValue>): void => {
  for (const { key, value } of pairs) {
    checkAnnotationKey(key)
    if (value !== undefined) checkAnnotationValue(key, value)
  }
}

/** The metadata store of the embedded server. Open it with {@link MetadataStore.open}. */
export class MetadataStore {
  private readonly streams = new Map<string, Stream>()
  private readonly tombstones = new Set<string>()
  private readonly identities = new Map<string, string>()
  private readonly collections = new Map<string, CollectionEntry>()
  private sortedCollections: ReadonlyArray<string> | undefined
  private log: MetadataLog | undefined
  private closed = false
  private readonly sqlEngine: SqlEngine

  private constructor(options: MetadataStoreOptions) {
    this.sqlEngine = new SqlEngine(() => this.sqlRows(), {
      timeoutMs: options.sqlTimeoutMs ?? 10_000,
      ...(options.sqlCacheFile !== undefined ? { cacheFile: options.sqlCacheFile } : {})
    })
  }

  /**
   * Opens a store. With `dir`, the store lives in `dir/metadata/` and is replayed from its log (a torn tail is
   * cut off); without, it is in memory only. SQL (PGlite) is not started until the first {@link sql} call.
   */
  static async open(options: MetadataStoreOptions): Promise<MetadataStore> {
    const store = new MetadataStore(options)
    if (options.dir !== undefined) {
      const { log, records } = await MetadataLog.open(Path.join(options.dir, "metadata"), options.faults)
      for (const r of records) store.replay(r)
      store.log = log
      const live = store.streams.size + store.tombstones.size
      if (records.length > 1024 && records.length > 2 * live) await log.compact(store.snapshotRecords())
    }
    return store
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reads

  /** True when the uuid belonged to a stream that was obliterated. */
  isObliterated(uuid: string): boolean {
    return this.tombstones.has(uuid)
  }

  /** The descriptor of a live stream; 404 when it does not exist (or was obliterated). */
  get(uuid: string): StreamDescriptor {
    const s = this.streams.get(uuid)
    if (!s) throw notFound()
    return s.descriptor
  }

  /**
   * The collections that hold at least one live stream and start with `prefix` ("" = all), in byte order.
   * A non-empty invalid prefix is 407 (thrown at the call). Iterated lazily.
   */
  listCollections(prefix: string): Iterable<string> {
    checkCollectionPrefix(prefix)
    return { [Symbol.iterator]: () => this.collectionsWithPrefix(prefix) }
  }

  /**
   * The live streams that match `query`, ordered by collection (byte order) then uuid, produced lazily.
   * Bad collections are 407, bad keys 408, bad values 409, all thrown at the call.
   */
  lookupStreams(query: LookupQuery): Iterable<StreamDescriptor> {
    if (query.isCollectionPrefix) checkCollectionPrefix(query.collection)
    else if (query.collection !== "") checkCollection(query.collection)
    const tagFilters = checkTagPairs(query.tags)
    checkAnnotationPairs(query.annotations)
    const annotationFilters = query.annotations.map(({ key, value }) => [key, value] as const)
    const matches = (s: Stream): boolean =>
      tagFilters.every(([k, v]) => v === undefined ? tagValue(s.tags, k) !== "" : tagValue(s.tags, k) === v) &&
      annotationFilters.every(([k, v]) => v === undefined ? s.annotations.has(k) : s.annotations.get(k) === v)
    const { collection, isCollectionPrefix } = query
    return { [Symbol.iterator]: () => this.lookupGenerator(collection, isCollectionPrefix, matches) }
  }

  private *lookupGenerator(
    collection: string,
    isCollectionPrefix: boolean,
    matches: (s: Stream) => boolean
  ): Generator<StreamDescriptor> {
    const collections = isCollectionPrefix ? this.collectionsWithPrefix(collection) : [collection]
    for (const c of collections) {
      const entry = this.collections.get(c)
      if (!entry) continue
      for (const uuid of this.sortedUuids(entry)) {
        // Re-read: the stream may have moved or gone since the iteration started.
        const s = this.streams.get(uuid)
        if (s && s.collection === c && matches(s)) yield s.descriptor
      }
    }
  }

  /**
   * Key usage of the streams whose collection starts with `prefix`: all four tag keys (counting non-empty
   * values) and every annotation key. A non-empty invalid prefix is 407.
   */
  metadataUsage(prefix: string): MetadataUsage {
    checkCollectionPrefix(prefix)
    const tags = new Map<string, number>(TAG_KEYS.map((k) => [k, 0]))
    const annotations = new Map<string, number>()
    for (const c of this.collectionsWithPrefix(prefix)) {
      for (const uuid of this.collections.get(c)?.uuids ?? []) {
        const s = this.streams.get(uuid)!
        for (const k of TAG_KEYS) if (tagValue(s.tags, k) !== "") tags.set(k, tags.get(k)! + 1)
        for (const k of s.annotations.keys()) annotations.set(k, (annotations.get(k) ?? 0) + 1)
      }
    }
    const sortedAnnotations = [...annotations].sort(([a], [b]) => compareCodePoints(a, b))
    return { tags: Object.fromEntries(tags), annotations: Object.fromEntries(sortedAnnotations) }
  }

  /**
   * Runs one SELECT on the `streams` table (uuid, collection, name, unit, ingress, property_version,
   * annotations hstore) with `params` bound to `$1…`, and yields each row as a UTF-8 JSON text. Runs in a
   * read-only transaction; bad SQL, bad parameters, anything but a single SELECT, and timeouts are 441; an
   * engine that cannot start is 440. The first call starts PGlite. The query runs when iteration starts.
   *
   * Lazy and bounded: rows come from a cursor, 1000 at a time, each batch fetched when the previous one is
   * being consumed. Queries run one at a time, so stop early with `return` (`break` in `for await`), which
   * closes the cursor at once; an iteration left without asking for more rows for `sqlTimeoutMs` has its cursor
   * closed and fails with 441 (idle timeout) at its next step. See `SqlEngine.query`.
   */
  sql(query: string, params: ReadonlyArray<string>): AsyncIterable<string> {
    const engine = this.sqlEngine
    return { [Symbol.asyncIterator]: () => engine.query(query, params) }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Mutations (each is validated and applied at once, and resolves when it is durable)

  /**
   * Creates a stream with property version 1. Checks, in order: uuid (421), collection (407), tags (408/409),
   * annotations (408/409), live uuid (417), obliterated uuid (429), same collection and four tags as another
   * live stream (418). A tag or annotation whose value is absent is not set.
   */
  create(
    uuid: string,
    collection: string,
    tags: ReadonlyArray<KeyOptValue>,
    annotations: ReadonlyArray<KeyOptValue>
  ): Promise<StreamDescriptor> {
    return this.mutate(uuid, () => {
      if (!isUuid(uuid)) throw new StatusError(StatusCode.WrongArgs, "invalid uuid: expected 16 bytes")
      checkCollection(collection)
      let t = EMPTY_TAGS
      for (const [k, v] of checkTagPairs(tags)) t = withTag(t, k, v)
      checkAnnotationPairs(annotations)
      const a = new Map<string, string>()
      for (const { key, value } of annotations) {
        if (value === undefined) a.delete(key)
        else a.set(key, value)
      }
      if (this.streams.has(uuid)) {
        throw new StatusError(StatusCode.SameStream, "a stream with this uuid already exists")
      }
      if (this.tombstones.has(uuid)) {
        throw new StatusError(StatusCode.ReusedUUID, "this uuid belonged to an obliterated stream and cannot be reused")
      }
      this.checkUnique(uuid, collection, t)
      return this.install(makeStream(uuid, collection, t, a, 1n))
    })
  }

  /**
   * Changes annotations: each change sets its key (or deletes it when the value is absent), then each removal
   * deletes its key (a missing key is fine). Checks: keys 408, values 409, stream 404, and
   * `expectedPropertyVersion` (0 = don't check) 423. The property version goes up by 1, even with no change.
   */
  setAnnotations(
    uuid: string,
    expectedPropertyVersion: bigint,
    changes: ReadonlyArray<KeyOptValue>,
    removals: ReadonlyArray<string>
  ): Promise<StreamDescriptor> {
    return this.mutate(uuid, () => {
      checkAnnotationPairs(changes)
      for (const key of removals) checkAnnotationKey(key)
      const s = this.live(uuid, expectedPropertyVersion)
      const a = new Map(s.annotations)
      for (const { key, value } of changes) {
        if (value === undefined) a.delete(key)
        else a.set(key, value)
      }
      for (const key of removals) a.delete(key)
      return this.install(makeStream(uuid, s.collection, s.tags, a, s.version + 1n))
    })
  }

  /**
   * Changes tags and the collection: `tags` are upserted (an absent value deletes), then `remove` deletes keys;
   * a non-empty `collection` moves the stream ("" = unchanged). Checks: collection 407, keys 408, values 409,
   * stream 404, version 423 (0 = don't check), clash with another stream's collection and tags 418.
   * The property version goes up by 1.
   */
  setTags(
    uuid: string,
    expectedPropertyVersion: bigint,
    tags: ReadonlyArray<KeyOptValue>,
    collection: string,
    remove: ReadonlyArray<string>
  ): Promise<StreamDescriptor> {
    return this.mutate(uuid, () => {
      if (collection !== "") checkCollection(collection)
      const changes = checkTagPairs(tags)
      const removals = remove.map(checkTagKey)
      const s = this.live(uuid, expectedPropertyVersion)
      let t = s.tags
      for (const [k, v] of changes) t = withTag(t, k, v)
      for (const k of removals) t = withTag(t, k, undefined)
      const c = collection === "" ? s.collection : collection
      this.checkUnique(uuid, c, t)
      return this.install(makeStream(uuid, c, t, s.annotations, s.version + 1n))
    })
  }

  /** Removes a stream's metadata for good (404 when unknown) and tombstones its uuid: Create then fails with 429. */
  obliterate(uuid: string): Promise<void> {
    return this.mutate(uuid, () => {
      const s = this.streams.get(uuid)
      if (!s) throw notFound()
      this.uninstall(s)
      this.tombstones.add(uuid)
      this.sqlEngine.changed(uuid, null)
      return { record: { op: "obliterate", uuid }, result: undefined }
    })
  }

  /** Waits for pending writes, stops PGlite and closes the log. Mutations afterwards fail with 500. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.sqlEngine.close()
    await this.log?.close()
  }

  // ---------------------------------------------------------------------------------------------------------
  // Internals

  /**
   * Runs `apply` (validation and the in-memory change of stream `uuid`, synchronously), then makes its record
   * durable; when that fails, the stream is put back as it was.
   */
  private async mutate<A>(
    uuid: string,
    apply: () => { readonly record: LogRecord; readonly result: A }
  ): Promise<A> {
    if (this.closed) throw new StatusError(StatusCode.InvariantFailure, "metadata store is closed")
    if (this.log?.failed) throw this.log.failed
    const before = this.streams.get(uuid)
    const tombstoned = this.tombstones.has(uuid)
    const { record, result } = apply()
    if (this.log) await this.log.append(record, () => this.restore(uuid, before, tombstoned))
    return result
  }

  /** Puts stream `uuid` back in the state `before` (undefined: no live stream), tombstoned or not. */
  private restore(uuid: string, before: Stream | undefined, tombstoned: boolean): void {
    const now = this.streams.get(uuid)
    if (now) this.uninstall(now)
    if (before) this.install(before)
    else this.sqlEngine.changed(uuid, null)
    if (!tombstoned) this.tombstones.delete(uuid)
  }

  /** The live stream `uuid` (404) whose version matches `expected` unless it is 0 (423). */
  private live(uuid: string, expected: bigint): Stream {
    const s = this.streams.get(uuid)
    if (!s) throw notFound()
    if (expected !== 0n && expected !== s.version) {
      throw new StatusError(StatusCode.AnnotationVersionMismatch, "stream annotation version does not match")
    }
    return s
  }

  /** 418 when another live stream has this collection and these four tags. */
  private checkUnique(uuid: string, collection: string, tags: Tags): void {
    const other = this.identities.get(identityKey(collection, tags))
    if (other !== undefined && other !== uuid) {
      throw new StatusError(
        StatusCode.AmbiguousStream,
        "another stream already has this collection and the same name, unit, ingress and distiller"
      )
    }
  }

  /** Puts `s` in place of its previous state, updating the indexes and the SQL table. */
  private install(s: Stream): { readonly record: LogRecord; readonly result: StreamDescriptor } {
    const prev = this.streams.get(s.uuid)
    if (prev) this.uninstall(prev)
    this.streams.set(s.uuid, s)
    this.identities.set(identityKey(s.collection, s.tags), s.uuid)
    let entry = this.collections.get(s.collection)
    if (!entry) {
      entry = { uuids: new Set(), sorted: undefined }
      this.collections.set(s.collection, entry)
      this.sortedCollections = undefined
    }
    entry.uuids.add(s.uuid)
    entry.sorted = undefined
    this.sqlEngine.changed(s.uuid, toSqlRow(s))
    return { record: toPutRecord(s), result: s.descriptor }
  }

  /** Takes `s` out of the map and the indexes. */
  private uninstall(s: Stream): void {
    this.streams.delete(s.uuid)
    const key = identityKey(s.collection, s.tags)
    if (this.identities.get(key) === s.uuid) this.identities.delete(key)
    const entry = this.collections.get(s.collection)
    if (entry) {
      entry.uuids.delete(s.uuid)
      entry.sorted = undefined
      if (entry.uuids.size === 0) {
        this.collections.delete(s.collection)
        this.sortedCollections = undefined
      }
    }
  }

  private replay(r: LogRecord): void {
    if (r.op === "obliterate") {
      const s = this.streams.get(r.uuid)
      if (s) this.uninstall(s)
      this.tombstones.add(r.uuid)
      return
    }
    const tags: Tags = {
      name: r.tags.name,
      unit: r.tags.unit,
      ingress: r.tags.ingress,
      distiller: r.tags.distiller
    }
    this.install(makeStream(r.uuid, r.collection, tags, new Map(r.annotations), BigInt(r.version)))
  }

  private *snapshotRecords(): Generator<LogRecord> {
    for (const uuid of this.tombstones) yield { op: "obliterate", uuid }
    for (const s of this.streams.values()) yield toPutRecord(s)
  }

  private *sqlRows(): Generator<SqlRow> {
    for (const s of this.streams.values()) yield toSqlRow(s)
  }

  private sortedUuids(entry: CollectionEntry): ReadonlyArray<string> {
    return (entry.sorted ??= [...entry.uuids].sort())
  }

  /** The live collections starting with `prefix`, in byte order, from a snapshot of the sorted list. */
  private *collectionsWithPrefix(prefix: string): Generator<string> {
    const sorted = (this.sortedCollections ??= [...this.collections.keys()].sort(compareCodePoints))
    for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++) {
      if (this.collections.has(sorted[i]!)) yield sorted[i]!
    }
  }
}
