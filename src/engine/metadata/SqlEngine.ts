/**
 * SQLQuery on real PostgreSQL: PGlite (with hstore) in a worker thread, holding a `streams` table that mirrors
 * the metadata store.
 *
 * - Started lazily, at the first query; the store is the source of truth and the table is filled from it.
 * - Started cheaply: the first start on a machine runs initdb (seconds), creates the schema and dumps the data
 *   directory to a cache tarball in `os.tmpdir()` (keyed by PGlite version, schema and user); later starts load
 *   that tarball, which skips initdb.
 * - Kept in sync incrementally: every mutation marks its uuid, and the latest rows are sent to the worker
 *   (batched per tick, and always before the next query).
 * - Queries run one at a time, as one read-only transaction each, as a role that can only read `streams`,
 *   with `$n` parameters bound by Postgres. The time limit is enforced here, by terminating the worker.
 * - Answers are lazy and bounded: the worker declares a cursor for the query and fetches {@link SQL_BATCH_ROWS}
 *   rows at a time, each batch only when this side asks for it (see {@link SqlEngine.query}).
 */
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { Worker } from "node:worker_threads"
import { StatusCode } from "../../internal/protocol.js"
import { crc32 } from "../crc32.js"
import { StatusError } from "../StatusError.js"
import { checkSelectStatement } from "./sqlText.js"
import { DELETE_SQL, READER_ROLE, SCHEMA_SQL, UPSERT_SQL, WORKER_SOURCE } from "./sqlWorker.js"

/** One row of the `streams` table, in the compact form sent to the worker. */
export interface SqlRow {
  /** uuid */
  readonly u: string
  /** collection */
  readonly c: string
  /** name */
  readonly n: string
  /** unit */
  readonly un: string
  /** ingress */
  readonly i: string
  /** property_version, decimal */
  readonly v: string
  /** annotations */
  readonly a: Readonly<Record<string, string>>
}

/** How a worker start went (for diagnostics and measurements). */
export interface SqlStartInfo {
  /** Milliseconds from worker start until PGlite was ready. */
  readonly ms: number
  /** Whether the cache tarball was used (false: initdb ran). */
  readonly cached: boolean
}

/** Options of {@link SqlEngine}. */
export interface SqlEngineOptions {
  /** Longest time one query may run, in milliseconds. */
  readonly timeoutMs: number
  /** Longest time PGlite may take to start, in milliseconds. */
  readonly startTimeoutMs?: number
  /** Where the data directory tarball is cached; undefined = the default under `os.tmpdir()`; null = no cache. */
  readonly cacheFile?: string | null
}

/** Rows per FETCH, and per message from the worker. */
export const SQL_BATCH_ROWS = 1000

/** One batch of rows as JSON texts; `done`: the last one (the worker has closed the cursor). */
interface Batch {
  readonly rows: ReadonlyArray<string>
  readonly done: boolean
}

type FromWorker =
  | { readonly type: "ready"; readonly ms: number; readonly cached: boolean }
  | { readonly type: "started"; readonly id: number }
  | { readonly type: "rows"; readonly id: number; readonly rows: ReadonlyArray<string>; readonly done: boolean }
  | { readonly type: "error"; readonly id: number; readonly code: number; readonly message: string }
  | { readonly type: "fatal"; readonly message: string }

/** What a {@link Cursor} needs from its engine. */
interface CursorHost {
  readonly timeoutMs: number
  /** Posts `message` to `worker` (which then holds a request of `cursor`). */
  post(worker: Worker, message: object): void
  /** The worker no longer holds `cursor`'s query: the next query may go. */
  ended(cursor: Cursor): void
  /** `cursor` has nothing in the worker and nobody to tell: forget it. */
  forget(cursor: Cursor): void
  /** A request of `cursor` overran the statement timeout. */
  timedOut(cursor: Cursor): void
}

/**
 * The main thread's side of one query: the batch being consumed by the caller, and the next one (being fetched
 * by the worker, or received and not yet taken). Taking a batch asks the worker for the next one at once (so the
 * worker works while the caller consumes) and starts the idle timer; the next FETCH is only asked for when that
 * batch is taken in turn.
 */
class Cursor {
  /** Whether the worker holds this query's cursor (and transaction). */
  private open = true
  /** Whether a request of this cursor is in the worker. */
  inFlight = true
  /** Whether the caller is gone (closed the iterator, or it failed): batches that still come are dropped. */
  private abandoned = false
  private ready: Batch | undefined
  private waiter: { readonly resolve: (b: Batch) => void; readonly reject: (e: unknown) => void } | undefined
  private failure: { readonly error: unknown } | undefined
  private fetchTimer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined

  constructor(readonly id: number, readonly worker: Worker, private readonly host: CursorHost) {}

  /** Starts the statement timer of the request in flight. */
  startTimer(): void {
    clearTimeout(this.fetchTimer)
    this.fetchTimer = setTimeout(() => this.host.timedOut(this), this.host.timeoutMs)
  }

  /** The next batch: the one already received, or the one asked for (asking for it if needed). */
  async take(): Promise<Batch> {
    clearTimeout(this.idleTimer)
    let batch = this.ready
    this.ready = undefined
    if (batch === undefined) {
      if (this.failure) throw this.failure.error
      if (!this.open && !this.inFlight) return { rows: [], done: true }
      if (!this.inFlight) this.fetch()
      batch = await new Promise<Batch>((resolve, reject) => {
        this.waiter = { resolve, reject }
      })
    }
    if (!batch.done && this.open) {
      if (!this.inFlight) this.fetch()
      this.idleTimer = setTimeout(() => this.idle(), this.host.timeoutMs)
      this.idleTimer.unref()
    }
    return batch
  }

  private fetch(): void {
    this.inFlight = true
    this.host.post(this.worker, { type: "fetch", id: this.id })
    this.startTimer()
  }

  /** A batch came from the worker. */
  onRows(batch: Batch): void {
    this.inFlight = false
    clearTimeout(this.fetchTimer)
    if (batch.done) this.end()
    if (this.abandoned) {
      this.host.forget(this)
      return
    }
    const waiter = this.waiter
    this.waiter = undefined
    if (waiter) waiter.resolve(batch)
    else this.ready = batch
  }

  /** The request in flight failed (the worker has closed the cursor), or the worker is gone. */
  onError(error: unknown): void {
    this.inFlight = false
    clearTimeout(this.fetchTimer)
    this.end()
    this.host.forget(this)
    if (!this.abandoned) this.fail(error)
  }

  /** The request in flight overran the statement timeout (the engine then stops the worker). */
  onTimeout(error: unknown): void {
    this.onError(error)
  }

  /** The caller is done with the rows (finished, stopped early or failed): close the cursor if it is open. */
  close(): void {
    clearTimeout(this.idleTimer)
    this.abandoned = true
    this.ready = undefined
    if (this.open) {
      this.host.post(this.worker, { type: "cancel", id: this.id })
      this.end()
    }
    if (!this.inFlight) this.host.forget(this)
  }

  /** Stops the timers (the worker is being shut down). */
  dispose(): void {
    clearTimeout(this.fetchTimer)
    clearTimeout(this.idleTimer)
  }

  /** Fails the caller with `error` and closes the cursor (the engine is closing). */
  abort(error: unknown): void {
    if (!this.abandoned) this.fail(error)
    this.close()
  }

  /** The caller asked for no batch within the time limit: close the cursor, and fail the caller's next step. */
  private idle(): void {
    if (!this.open) return
    this.fail(
      new StatusError(
        StatusCode.BadSQLValue,
        `canceling query: no rows were asked for within ${this.host.timeoutMs} ms (idle timeout)`
      )
    )
    this.close()
  }

  private fail(error: unknown): void {
    this.failure ??= { error }
    this.ready = undefined
    clearTimeout(this.idleTimer)
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(error)
  }

  private end(): void {
    if (!this.open) return
    this.open = false
    clearTimeout(this.idleTimer)
    this.host.ended(this)
  }
}

const requireHere = createRequire(import.meta.url)

interface Paths {
  readonly pglite: string
  readonly hstore: string
  readonly version: string
}

let paths: Paths | undefined
const pglitePaths = (): Paths => {
  if (paths) return paths
  const pglite = requireHere.resolve("@electric-sql/pglite")
  const hstore = requireHere.resolve("@electric-sql/pglite/contrib/hstore")
  let version = "unknown"
  try {
    const pkg = JSON.parse(Fs.readFileSync(Path.join(Path.dirname(pglite), "..", "package.json"), "utf8"))
    if (typeof pkg.version === "string") version = pkg.version
  } catch {
    // keep "unknown"
  }
  return (paths = { pglite, hstore, version })
}

/** The default cache tarball path: keyed by PGlite version, schema checksum and user id. */
export const defaultCacheFile = (): string => {
  const { version } = pglitePaths()
  const schema = crc32(Buffer.from(SCHEMA_SQL, "utf8")).toString(16).padStart(8, "0")
  const uid = typeof process.getuid === "function" ? String(process.getuid()) : "u"
  return Path.join(Os.tmpdir(), `effect-btrdb-pglite-${version}-${schema}-${uid}.tar`)
}

/** Wraps a checked SELECT so that each output row comes back as one JSON text, encoded by Postgres. */
const wrap = (body: string): string => `SELECT row_to_json(btrdb_q)::text FROM (\n${body}\n) AS btrdb_q`

/** The PGlite worker and the queue of queries in front of it. */
export class SqlEngine {
  private worker: Worker | undefined
  private nextId = 1
  /** Cursors with a request in the worker or open there, by id. */
  private readonly cursors = new Map<number, Cursor>()
  /** The cursor open in the worker: no sync is sent meanwhile (its transaction is read-only). */
  private openCursor: Cursor | undefined
  /** Releases the queue slot of each cursor. */
  private readonly releases = new Map<Cursor, () => void>()
  private dirty = new Map<string, SqlRow | null>()
  private flushScheduled = false
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  private startTimer: NodeJS.Timeout | undefined
  private readonly host: CursorHost
  /** How the latest worker start went; undefined until one is ready. */
  lastStart: SqlStartInfo | undefined

  constructor(private readonly snapshot: () => Iterable<SqlRow>, private readonly options: SqlEngineOptions) {
    this.host = {
      timeoutMs: options.timeoutMs,
      post: (worker, message) => {
        worker.ref()
        worker.postMessage(message)
      },
      ended: (cursor) => {
        if (this.openCursor === cursor) this.openCursor = undefined
        const release = this.releases.get(cursor)
        this.releases.delete(cursor)
        release?.()
        this.flush()
      },
      forget: (cursor) => {
        if (this.cursors.get(cursor.id) === cursor) this.cursors.delete(cursor.id)
        this.refreshRef()
      },
      timedOut: (cursor) => {
        cursor.onTimeout(
          new StatusError(
            StatusCode.BadSQLValue,
            `canceling statement due to statement timeout (${this.options.timeoutMs} ms)`
          )
        )
        this.stop(cursor.worker, "metadata SQL engine restarted after a statement timeout")
      }
    }
  }

  /** Whether the worker is running (so the table needs updates). */
  get running(): boolean {
    return this.worker !== undefined
  }

  /** Records that the row of `uuid` changed (`null`: deleted). Ignored until the worker is started. */
  changed(uuid: string, row: SqlRow | null): void {
    if (this.worker === undefined) return
    this.dirty.set(uuid, row)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => {
        this.flushScheduled = false
        this.flush()
      })
    }
  }

  /** Sends the changed rows to the worker, unless a cursor is open (then when it closes). */
  private flush(): void {
    if (this.worker === undefined || this.dirty.size === 0 || this.openCursor !== undefined) return
    const upserts: Array<SqlRow> = []
    const deletes: Array<string> = []
    for (const [uuid, row] of this.dirty) {
      if (row === null) deletes.push(uuid)
      else upserts.push(row)
    }
    this.dirty = new Map()
    this.worker.postMessage({ type: "sync", upserts, deletes })
  }

  /** Keeps the process alive while a request is in the worker, and only then. */
  private refreshRef(): void {
    if (this.worker === undefined) return
    for (const c of this.cursors.values()) {
      if (c.inFlight) return
    }
    this.worker.unref()
  }

  /**
   * Runs one SELECT and yields its rows as JSON texts, lazily. Queries run one at a time, in the order their
   * iteration starts; a query holds the engine from its first row asked for until its last row is fetched, its
   * iterator is closed (`return`, e.g. `break` in `for await`), or it fails.
   *
   * Bounded: the worker fetches {@link SQL_BATCH_ROWS} rows at a time from a cursor, the next batch being asked for
   * when the caller starts consuming the previous one; so at most two batches exist at any time (the one being
   * consumed, and the next one: being fetched, or received and waiting).
   *
   * Time limits, both `timeoutMs`: each request to the worker (planning plus the first batch, then each FETCH)
   * must finish in time, else the worker is terminated (and restarted at the next query) and the query fails with
   * 441; and a caller that asks for no next batch within that time (stopped reading without closing the iterator)
   * has its cursor closed, so later queries can run, and its next step fails with 441 (idle timeout).
   *
   * Bad SQL, bad parameters, non-SELECT statements and timeouts are 441 (rows already yielded stay yielded: an
   * error in a later batch ends the rows with the error); an engine that cannot run is 440.
   */
  async *query(text: string, params: ReadonlyArray<string>): AsyncGenerator<string, void, undefined> {
    const body = checkSelectStatement(text)
    for (const p of params) {
      if (typeof p !== "string") throw new StatusError(StatusCode.BadSQLValue, "SQL parameters must be strings")
    }
    const release = await this.turn()
    let cursor: Cursor | undefined
    try {
      cursor = this.open(wrap(body), params, release)
      for (;;) {
        const batch = await cursor.take()
        for (const row of batch.rows) yield row
        if (batch.done) return
      }
    } finally {
      if (cursor) cursor.close()
      else release()
    }
  }

  /** Waits for the previous query to release the engine; resolves with this query's release. */
  private turn(): Promise<() => void> {
    let release!: () => void
    const slot = new Promise<void>((resolve) => {
      release = resolve
    })
    const previous = this.queue
    this.queue = previous.then(() => slot)
    return previous.then(() => release)
  }

  /** Sends a query to the worker: a cursor whose first batch is on its way. */
  private open(text: string, params: ReadonlyArray<string>, release: () => void): Cursor {
    if (this.closed) throw new StatusError(StatusCode.MetadataConnectionError, "metadata store is closed")
    const worker = this.ensureWorker()
    this.flush()
    const cursor = new Cursor(this.nextId++, worker, this.host)
    this.cursors.set(cursor.id, cursor)
    this.releases.set(cursor, release)
    this.openCursor = cursor
    // The statement timer starts when the worker starts the query (PGlite may still be starting).
    this.host.post(worker, { type: "query", id: cursor.id, text, params: [...params], batch: SQL_BATCH_ROWS })
    return cursor
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const p = pglitePaths()
    const cacheFile = this.options.cacheFile === undefined ? defaultCacheFile() : this.options.cacheFile
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        pglite: p.pglite,
        hstore: p.hstore,
        cacheFile,
        schema: SCHEMA_SQL,
        upsertSql: UPSERT_SQL,
        deleteSql: DELETE_SQL,
        readerRole: READER_ROLE
      }
    })
    worker.unref()
    worker.on("message", (m: FromWorker) => this.onMessage(worker, m))
    worker.on("error", (e) => this.stop(worker, `metadata SQL engine failed: ${e.message}`))
    worker.on("exit", (code) => this.stop(worker, `metadata SQL engine stopped (exit code ${code})`))
    this.worker = worker
    this.dirty = new Map()
    const startTimeoutMs = this.options.startTimeoutMs ?? 180_000
    this.startTimer = setTimeout(() => {
      this.stop(worker, `metadata SQL engine did not start within ${startTimeoutMs} ms`)
    }, startTimeoutMs)
    this.startTimer.unref()
    // The initial load: the whole store as it is now. Later changes follow through `changed`.
    worker.postMessage({ type: "sync", upserts: [...this.snapshot()], deletes: [] })
    return worker
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    if (worker !== this.worker) return
    switch (m.type) {
      case "ready": {
        clearTimeout(this.startTimer)
        this.lastStart = { ms: m.ms, cached: m.cached }
        return
      }
      case "started": {
        this.cursors.get(m.id)?.startTimer()
        return
      }
      case "rows": {
        this.cursors.get(m.id)?.onRows({ rows: m.rows, done: m.done })
        this.refreshRef()
        return
      }
      case "error": {
        this.cursors.get(m.id)?.onError(new StatusError(m.code, m.message))
        this.refreshRef()
        return
      }
      case "fatal": {
        // The table may have missed an update: start afresh (and reload from the store) at the next query.
        this.stop(worker, `metadata SQL engine lost sync: ${m.message}`)
        return
      }
    }
  }

  /** Stops `worker` if it is the current one, failing whatever waits on it with 440. */
  private stop(worker: Worker, reason: string): void {
    if (worker !== this.worker) return
    this.worker = undefined
    clearTimeout(this.startTimer)
    this.dirty = new Map()
    for (const cursor of [...this.cursors.values()]) {
      if (cursor.worker === worker) cursor.onError(new StatusError(StatusCode.MetadataConnectionError, reason))
    }
    void worker.terminate()
  }

  /** Closes the open cursor (its caller gets 440), waits for queued queries (which get 440), then shuts PGlite down. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const cursor of [...this.cursors.values()]) {
      cursor.abort(new StatusError(StatusCode.MetadataConnectionError, "metadata store is closed"))
    }
    await this.queue
    const worker = this.worker
    if (!worker) return
    this.worker = undefined
    clearTimeout(this.startTimer)
    // A FETCH still in the worker (of a closed cursor) ends with the worker.
    for (const cursor of this.cursors.values()) cursor.dispose()
    this.cursors.clear()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), 5_000)
      worker.once("exit", () => {
        clearTimeout(timer)
        resolve()
      })
      worker.postMessage({ type: "close" })
    })
  }
}
