/**
 * The code of the worker thread that hosts PGlite for SQLQuery, and the schema of its `streams` table.
 *
 * The worker is plain CommonJS kept in a string (started with `new Worker(source, { eval: true })`) so that it
 * runs the same from TypeScript sources (vitest, tsx) and from the compiled package. It requires PGlite's CJS
 * build by the absolute paths it is given in `workerData`.
 *
 * Why a worker: PGlite runs Postgres in WebAssembly on the calling thread and has no signals, so Postgres's
 * `statement_timeout` never fires (measured: `SET LOCAL statement_timeout = '1s'` did not stop a 54 s query) and
 * a heavy query would block the whole server. In a worker the server stays responsive and a runaway query is
 * stopped by terminating the worker.
 *
 * Messages in (processed strictly in order):
 * - `{ type: "sync", upserts: SqlRow[], deletes: string[] }`
 * - `{ type: "query", id, text, params, batch }`: replies `started`, then opens a read-only transaction, sets the
 *   reader role, declares a cursor for `text` with `params` bound by Postgres (`DECLARE … NO SCROLL CURSOR FOR`),
 *   and fetches the first `batch` rows: replies `rows` (`rows`: JSON texts, `done`) or `error`
 * - `{ type: "fetch", id }`: fetches the next batch of the open cursor: replies `rows` or `error`
 * - `{ type: "cancel", id }`: closes the open cursor (and its transaction); no reply
 * - `{ type: "close" }`
 *
 * Messages out: `ready` (`ms`, `cached`), `started`, `rows`, `error` (`code`, `message`), `fatal` (a sync failed).
 *
 * At most one cursor is open. It stays open (with its transaction) between fetches until it is exhausted
 * (`done: true`: fewer rows than a batch came back), fails, or is cancelled; each of those rolls the transaction
 * back. The engine sends no `sync` while a cursor is open (a write would need the transaction to end); one that
 * came anyway would wait until the cursor closes.
 */

/** The role queries run as: it may only read `streams` (and the catalogs every role can read). */
export const READER_ROLE = "btrdb_sql_reader"

/** The schema, created once per cache tarball. The columns are exactly those of the BTrDB `streams` table. */
export const SCHEMA_SQL = `
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TABLE IF NOT EXISTS streams (
  uuid uuid NOT NULL PRIMARY KEY,
  collection character varying(256) NOT NULL,
  name character varying(256) NOT NULL,
  unit character varying(256) NOT NULL,
  ingress character varying(256) NOT NULL,
  property_version bigint NOT NULL,
  annotations hstore
);
CREATE INDEX IF NOT EXISTS streams_collection ON streams (collection text_pattern_ops);
CREATE ROLE ${READER_ROLE} NOLOGIN;
GRANT SELECT ON streams TO ${READER_ROLE};
`

/** Upserts rows given as a JSON array of {@link SqlRow}. */
export const UPSERT_SQL = `
INSERT INTO streams (uuid, collection, name, unit, ingress, property_version, annotations)
SELECT r.u::uuid, r.c, r.n, r.un, r.i, r.v::bigint,
  COALESCE((SELECT hstore(array_agg(e.key), array_agg(e.value)) FROM json_each_text(r.a) AS e), ''::hstore)
FROM json_to_recordset($1::json) AS r(u text, c text, n text, un text, i text, v text, a json)
ON CONFLICT (uuid) DO UPDATE SET collection = EXCLUDED.collection, name = EXCLUDED.name, unit = EXCLUDED.unit,
  ingress = EXCLUDED.ingress, property_version = EXCLUDED.property_version, annotations = EXCLUDED.annotations
`

/** Deletes the rows whose uuids are given as a JSON array. */
export const DELETE_SQL =
  `DELETE FROM streams WHERE uuid IN (SELECT value::uuid FROM json_array_elements_text($1::json))`

/** The worker's source (CommonJS). */
export const WORKER_SOURCE = `
"use strict"
const { parentPort, workerData, threadId } = require("node:worker_threads")
const fs = require("node:fs")
const { PGlite } = require(workerData.pglite)
const { hstore } = require(workerData.hstore)
const { cacheFile, schema, upsertSql, deleteSql, readerRole } = workerData
const CHUNK = 2000

const fromCache = async () => {
  if (!cacheFile) return undefined
  let bytes
  try {
    bytes = fs.readFileSync(cacheFile)
  } catch {
    return undefined
  }
  let db
  try {
    db = await PGlite.create({ extensions: { hstore }, loadDataDir: new Blob([bytes]) })
    await db.query("SELECT 1 FROM streams LIMIT 0")
    return db
  } catch {
    if (db) await db.close().catch(() => {})
    return undefined
  }
}

const cold = async () => {
  // A 1 MB WAL segment instead of 16 MB keeps the cache tarball (and every instance's memory) small.
  const db = await PGlite.create({ extensions: { hstore }, initDbStartParams: ["--wal-segsize=1"] })
  await db.exec(schema)
  if (cacheFile) {
    try {
      // The template databases are never used here; without them the tarball loads faster.
      await db.exec("UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')")
      await db.exec("DROP DATABASE template0")
      await db.exec("DROP DATABASE template1")
    } catch {}
    try {
      await db.exec("CHECKPOINT")
      const dump = await db.dumpDataDir("none")
      const tmp = cacheFile + "." + process.pid + "." + threadId + ".tmp"
      fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 })
      fs.renameSync(tmp, cacheFile)
    } catch {}
  }
  return db
}

let db
let startError
const started = (async () => {
  const t0 = performance.now()
  try {
    db = await fromCache()
    const cached = db !== undefined
    if (!db) db = await cold()
    parentPort.postMessage({ type: "ready", ms: performance.now() - t0, cached })
  } catch (e) {
    startError = e instanceof Error ? e.message : String(e)
  }
})()

/** The query whose cursor (and read-only transaction) is open: { id, batch }. */
let cursor
/** Syncs that came while a cursor was open; applied when it closes. */
let deferred = []
const CURSOR = "btrdb_cursor"
const messageOf = (e) => (e instanceof Error ? e.message : String(e))

const sync = async (msg) => {
  if (!db) return
  if (cursor !== undefined) {
    deferred.push(msg)
    return
  }
  try {
    if (msg.deletes.length > 0) await db.query(deleteSql, [JSON.stringify(msg.deletes)])
    for (let i = 0; i < msg.upserts.length; i += CHUNK) {
      await db.query(upsertSql, [JSON.stringify(msg.upserts.slice(i, i + CHUNK))])
    }
  } catch (e) {
    parentPort.postMessage({ type: "fatal", message: messageOf(e) })
  }
}

/** Closes the open cursor by ending its transaction, then applies the deferred syncs. */
const endCursor = async () => {
  cursor = undefined
  await db.exec("ROLLBACK").catch(() => {})
  const pending = deferred
  deferred = []
  for (const msg of pending) await sync(msg)
}

const fetchBatch = async (id) => {
  if (cursor === undefined || cursor.id !== id) {
    parentPort.postMessage({ type: "error", id, code: 441, message: "the query's cursor is closed" })
    return
  }
  try {
    const r = await db.query("FETCH FORWARD " + cursor.batch + " FROM " + CURSOR, [], { rowMode: "array" })
    const rows = r.rows.map((row) => row[0])
    const done = rows.length < cursor.batch
    if (done) await endCursor()
    parentPort.postMessage({ type: "rows", id, rows, done })
  } catch (e) {
    await endCursor()
    parentPort.postMessage({ type: "error", id, code: 441, message: messageOf(e) })
  }
}

const query = async (msg) => {
  if (cursor !== undefined) await endCursor()
  if (!db) {
    parentPort.postMessage({ type: "error", id: msg.id, code: 440, message: "metadata SQL engine failed to start: " + startError })
    return
  }
  parentPort.postMessage({ type: "started", id: msg.id })
  try {
    await db.exec("BEGIN READ ONLY")
    cursor = { id: msg.id, batch: msg.batch }
    await db.exec("SET LOCAL ROLE " + readerRole)
    await db.query("DECLARE " + CURSOR + " NO SCROLL CURSOR FOR " + msg.text, msg.params)
  } catch (e) {
    await endCursor()
    parentPort.postMessage({ type: "error", id: msg.id, code: 441, message: messageOf(e) })
    return
  }
  await fetchBatch(msg.id)
}

const cancel = async (msg) => {
  if (cursor !== undefined && cursor.id === msg.id) await endCursor()
}

let chain = started
parentPort.on("message", (msg) => {
  chain = chain.then(async () => {
    if (msg.type === "sync") await sync(msg)
    else if (msg.type === "query") await query(msg)
    else if (msg.type === "fetch") await fetchBatch(msg.id)
    else if (msg.type === "cancel") await cancel(msg)
    else if (msg.type === "close") {
      if (db) await db.close().catch(() => {})
      db = undefined
      parentPort.close()
    }
  })
})
`
