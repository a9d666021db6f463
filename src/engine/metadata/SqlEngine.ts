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
 *
 * @internal
 */
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { Worker } from "node:worker_threads"
import { StatusCode } from "../../internal/protocol.js"
import { StatusError } from "../StatusError.js"
import { crc32 } from "./crc32.js"
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

interface Waiter {
  readonly resolve: (rows: ReadonlyArray<string>) => void
  readonly reject: (e: unknown) => void
  timer: NodeJS.Timeout | undefined
}

type FromWorker =
  | { readonly type: "ready"; readonly ms: number; readonly cached: boolean }
  | { readonly type: "started"; readonly id: number }
  | { readonly type: "result"; readonly id: number; readonly rows: ReadonlyArray<string> }
  | { readonly type: "error"; readonly id: number; readonly code: number; readonly message: string }
  | { readonly type: "fatal"; readonly message: string }

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
  private readonly waiting = new Map<number, Waiter>()
  private dirty = new Map<string, SqlRow | null>()
  private flushScheduled = false
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  private startTimer: NodeJS.Timeout | undefined
  /** How the latest worker start went; undefined until one is ready. */
  lastStart: SqlStartInfo | undefined

  constructor(private readonly snapshot: () => Iterable<SqlRow>, private readonly options: SqlEngineOptions) {}

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
      setImmediate(() => this.flush())
    }
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.worker === undefined || this.dirty.size === 0) return
    const upserts: Array<SqlRow> = []
    const deletes: Array<string> = []
    for (const [uuid, row] of this.dirty) {
      if (row === null) deletes.push(uuid)
      else upserts.push(row)
    }
    this.dirty = new Map()
    this.worker.postMessage({ type: "sync", upserts, deletes })
  }

  /**
   * Runs one SELECT and returns its rows as JSON texts. Queries run one at a time, in call order.
   * Bad SQL, bad parameters, non-SELECT statements and timeouts are 441; an engine that cannot run is 440.
   */
  query(text: string, params: ReadonlyArray<string>): Promise<ReadonlyArray<string>> {
    let body: string
    try {
      body = checkSelectStatement(text)
      for (const p of params) {
        if (typeof p !== "string") throw new StatusError(StatusCode.BadSQLValue, "SQL parameters must be strings")
      }
    } catch (e) {
      return Promise.reject(e)
    }
    const run = this.queue.then(() => this.run(wrap(body), params))
    this.queue = run.catch(() => undefined)
    return run
  }

  private run(text: string, params: ReadonlyArray<string>): Promise<ReadonlyArray<string>> {
    if (this.closed) {
      return Promise.reject(new StatusError(StatusCode.MetadataConnectionError, "metadata store is closed"))
    }
    const worker = this.ensureWorker()
    this.flush()
    const id = this.nextId++
    return new Promise<ReadonlyArray<string>>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, timer: undefined })
      worker.ref()
      worker.postMessage({ type: "query", id, text, params: [...params] })
    }).finally(() => {
      if (this.waiting.size === 0) this.worker?.unref()
    })
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
        const w = this.waiting.get(m.id)
        if (w) {
          w.timer = setTimeout(() => {
            this.waiting.delete(m.id)
            w.reject(
              new StatusError(
                StatusCode.BadSQLValue,
                `canceling statement due to statement timeout (${this.options.timeoutMs} ms)`
              )
            )
            this.stop(worker, "metadata SQL engine restarted after a statement timeout")
          }, this.options.timeoutMs)
        }
        return
      }
      case "result":
      case "error": {
        const w = this.waiting.get(m.id)
        if (!w) return
        this.waiting.delete(m.id)
        clearTimeout(w.timer)
        if (m.type === "result") w.resolve(m.rows)
        else w.reject(new StatusError(m.code, m.message))
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
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id)
      clearTimeout(w.timer)
      w.reject(new StatusError(StatusCode.MetadataConnectionError, reason))
    }
    void worker.terminate()
  }

  /** Waits for queued queries, then shuts PGlite down and ends the worker. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue
    const worker = this.worker
    if (!worker) return
    this.worker = undefined
    clearTimeout(this.startTimer)
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
