/**
 * The embedded database: the metadata store and the data store of one data directory, kept consistent.
 * The gRPC server and the SDK's in-memory layer both drive this one object, so they behave the same.
 */
import { StatusCode } from "../internal/protocol.js"
import { type Columns, DataStore, type InsertOptions, type Version } from "./data/DataStore.js"
import * as DirectoryLock from "./DirectoryLock.js"
import type { DiskFaults } from "./DiskFaults.js"
import { type KeyOptValue, MetadataStore, type StreamDescriptor } from "./metadata/MetadataStore.js"
import { StatusError } from "./StatusError.js"

/** Options of {@link Database.open}. */
export interface DatabaseOptions {
  /** The data directory; everything stays in memory when absent. */
  readonly dir?: string | undefined
  /** The byte limit of the data store's node cache. */
  readonly cacheBytes?: number | undefined
  /** Tests only: failures to inject into the writes and fsyncs of the data directory's files (see `DiskFaults.ts`). */
  readonly faults?: DiskFaults | undefined
}

/** The answer of {@link Database.streamInfo}. */
export interface StreamInfo {
  readonly descriptor: StreamDescriptor | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
}

/**
 * Told about every accepted insert, after it is stored: the stream and the points as the request carried them (in
 * their order, not sorted). It runs synchronously inside {@link Database.insert}: it must not throw, must not
 * keep the arrays (copy or encode them), and should be quick.
 */
export type InsertListener = (uuid: string, points: Columns) => void

/** The metadata and data of every stream. */
export class Database {
  private readonly insertListeners = new Set<InsertListener>()

  private constructor(
    readonly metadata: MetadataStore,
    readonly data: DataStore,
    private readonly lock: DirectoryLock.DirectoryLock | undefined
  ) {}

  /**
   * Opens (or creates) the database in `options.dir`, or in memory. A directory has one owner at a time: opening
   * one that another process, or another open in this process, holds fails at once with a
   * `DirectoryLock.DirectoryInUseError` naming the owner's pid (see `DirectoryLock.ts`); {@link close} gives it up.
   */
  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const lock = options.dir === undefined ? undefined : DirectoryLock.acquire(options.dir)
    let metadata: MetadataStore | undefined
    let data: DataStore | undefined
    try {
      metadata = await MetadataStore.open(options.dir === undefined ? {} : { dir: options.dir, faults: options.faults })
      data = await DataStore.open({
        ...(options.dir === undefined ? {} : { dir: options.dir, faults: options.faults }),
        ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes })
      })
      const db = new Database(metadata, data, lock)
      db.reconcile()
      data.onRollback(() => db.reconcile())
      await db.finishObliterates()
      return db
    } catch (error) {
      await data?.close().catch(() => undefined)
      await metadata?.close().catch(() => undefined)
      lock?.release()
      throw error
    }
  }

  /**
   * Gives every live stream a tree. A crash between the two steps of `create` can leave metadata without data, and
   * so can a failed write that made the data store forget a create that was not durable yet (this runs again after
   * every such rollback); the stream is then simply empty, as it was when created.
   */
  private reconcile(): void {
    for (
      const d of this.metadata.lookupStreams({ collection: "", isCollectionPrefix: true, tags: [], annotations: [] })
    ) {
      if (!this.data.hasStream(d.uuid) && !this.data.isObliterated(d.uuid)) this.data.createStream(d.uuid)
    }
  }

  /** Creates a stream: its metadata, then its empty tree at version 10. */
  async create(
    uuid: string,
    collection: string,
    tags: ReadonlyArray<KeyOptValue>,
    annotations: ReadonlyArray<KeyOptValue>
  ): Promise<StreamDescriptor> {
    const descriptor = await this.metadata.create(uuid, collection, tags, annotations)
    if (!this.data.hasStream(uuid)) this.data.createStream(uuid)
    return descriptor
  }

  /** The descriptor and version of a stream (404 when unknown); either may be omitted, not both (421). */
  streamInfo(uuid: string, omitDescriptor: boolean, omitVersion: boolean): StreamInfo {
    if (omitDescriptor && omitVersion) {
      throw new StatusError(StatusCode.WrongArgs, "you cannot omit descriptor and version")
    }
    const descriptor = this.metadata.get(uuid)
    const version = omitVersion ? { major: 0n, minor: 0n } : this.data.version(uuid)
    return {
      descriptor: omitDescriptor ? undefined : descriptor,
      versionMajor: version.major,
      versionMinor: version.minor
    }
  }

  /**
   * Inserts points as `data.insert` does, then tells the insert listeners (Subscribe, PROTOCOL.md §9.5). Insert and
   * ArrowInsert go through here, from the server and from the memory layer alike.
   */
  async insert(uuid: string, points: Columns, options: InsertOptions): Promise<Version> {
    const version = await this.data.insert(uuid, points, options)
    if (points.times.length > 0) {
      for (const listener of this.insertListeners) {
        try {
          listener(uuid, points)
        } catch {
          // a listener must not fail an insert that is already stored
        }
      }
    }
    return version
  }

  /** Adds a listener of accepted inserts; returns what removes it. */
  onInsert(listener: InsertListener): () => void {
    const entry: InsertListener = (uuid, points) => listener(uuid, points) // the same listener may be added twice
    this.insertListeners.add(entry)
    return () => {
      this.insertListeners.delete(entry)
    }
  }

  /**
   * Removes a stream's data and metadata for good; its uuid can never be created again. When the data's part failed
   * (a failed write) after the metadata's, the stream is already gone from every lookup: obliterating it again
   * finishes the job, and so does the next open.
   */
  async obliterate(uuid: string): Promise<void> {
    const unfinished = this.metadata.isObliterated(uuid) && this.data.hasStream(uuid)
    if (!unfinished) await this.metadata.obliterate(uuid)
    if (this.data.hasStream(uuid)) await this.data.obliterate(uuid)
  }

  /** Obliterates the data of the streams whose metadata was obliterated when the data's part failed. */
  private async finishObliterates(): Promise<void> {
    for (const uuid of this.data.streamIds()) {
      if (this.metadata.isObliterated(uuid)) await this.data.obliterate(uuid)
    }
  }

  /** Closes both stores, making everything acknowledged durable, then gives up the data directory. */
  async close(): Promise<void> {
    try {
      await this.data.close()
      await this.metadata.close()
    } finally {
      this.lock?.release()
    }
  }
}
