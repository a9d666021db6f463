/**
 * SQL answers are lazy and bounded: rows come from a cursor in the worker, 1000 at a time, each batch fetched
 * only when the caller gets to it; stopping early closes the cursor at once; a caller that stops reading without
 * closing its iterator is timed out so that later queries still run.
 *
 * Two in-memory stores: one with a long SQL timeout (so a query left waiting on a cursor that was not released
 * would exceed the test's own timeout), one with a short one for the idle timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MetadataStore } from "../../../src/engine/metadata/MetadataStore.js"
import { SQL_BATCH_ROWS } from "../../../src/engine/metadata/SqlEngine.js"
import { expectCode, kv, uuid } from "./helpers.js"

/** 2 000 000 rows from a SELECT, produced lazily by Postgres (a set-returning function in the SELECT list). */
const TWO_MILLION = "SELECT generate_series(1, 2000000) AS g"
const IDLE_TIMEOUT_MS = 1_000

let store: MetadataStore
let quick: MetadataStore

const all = async (s: MetadataStore, query: string, params: ReadonlyArray<string> = []): Promise<Array<any>> => {
  const out: Array<any> = []
  for await (const row of s.sql(query, params)) out.push(JSON.parse(row))
  return out
}

/** The named cursors open in PGlite's session, seen from a new query (which sees its own). */
const cursors = async (s: MetadataStore): Promise<Array<string>> =>
  (await all(s, "SELECT name FROM pg_cursors WHERE name <> '' ORDER BY name")).map((r) => r.name)

beforeAll(async () => {
  store = await MetadataStore.open({ sqlTimeoutMs: 60_000 })
  quick = await MetadataStore.open({ sqlTimeoutMs: IDLE_TIMEOUT_MS })
  await store.create(uuid(1), "cursor/a", kv({ name: "A" }), [])
  await quick.create(uuid(1), "cursor/a", kv({ name: "A" }), [])
  // Start both engines before the tests (PGlite takes seconds to start).
  expect(await all(store, "SELECT 1 AS one")).toEqual([{ one: 1 }])
  expect(await all(quick, "SELECT 1 AS one")).toEqual([{ one: 1 }])
}, 120_000)

afterAll(async () => {
  await store?.close()
  await quick?.close()
})

describe("a 2 000 000-row answer", () => {
  it("is consumed lazily: the heap barely grows while the first batches are read", async () => {
    const batches = 20
    const samples: Array<number> = []
    const before = process.memoryUsage().heapUsed
    let n = 0
    for await (const row of store.sql(TWO_MILLION, [])) {
      n++
      expect(row).toBe(`{"g":${n}}`)
      if (n % SQL_BATCH_ROWS === 0) samples.push(process.memoryUsage().heapUsed)
      if (n === batches * SQL_BATCH_ROWS) break
    }
    expect(n).toBe(batches * SQL_BATCH_ROWS)
    const growthMb = (Math.max(...samples) - before) / 2 ** 20
    // All 2M rows as JS strings would be well over 100 MB; a few batches of 1000 short strings are tens of KB.
    expect(growthMb).toBeLessThan(16)
  })

  it("stopping after 3 batches closes the cursor, and the next query runs at once", async () => {
    let n = 0
    for await (const _ of store.sql(TWO_MILLION, [])) {
      if (++n === 3 * SQL_BATCH_ROWS) break
    }
    // Were the cursor still open, this query would wait for the 60 s timeout (far beyond the test's timeout).
    expect(await cursors(store)).toEqual(["btrdb_cursor"])
    expect(await all(store, "SELECT count(*) AS n FROM streams")).toEqual([{ n: 1 }])
  })

  it("a thrown error in the consumer closes the cursor too", async () => {
    await expect(async () => {
      for await (const row of store.sql(TWO_MILLION, [])) {
        if (row === "{\"g\":1500}") throw new Error("consumer failed")
      }
    }).rejects.toThrow("consumer failed")
    expect(await cursors(store)).toEqual(["btrdb_cursor"])
  })
})

describe("batches", () => {
  it("gives every row, in order, whatever the count relative to the batch size", async () => {
    for (const count of [0, 1, 999, 1000, 1001, 2000, 2500]) {
      const rows = await all(store, "SELECT g FROM generate_series(1, $1::int) AS g ORDER BY g", [String(count)])
      expect(rows.length).toBe(count)
      expect(rows.every((r, i) => r.g === i + 1)).toBe(true)
    }
  })

  it("an error in a later batch ends the rows with 441, after the rows before it", async () => {
    const got: Array<number> = []
    await expectCode(
      async () => {
        for await (const row of store.sql("SELECT 10 / (1500 - g) AS q, g FROM generate_series(1, 3000) AS g", [])) {
          got.push(JSON.parse(row).g)
        }
      },
      441,
      /division by zero/
    )
    expect(got.length).toBeGreaterThan(0)
    expect(got.length).toBeLessThan(1500)
    expect(got.length % SQL_BATCH_ROWS).toBe(0)
    expect(await cursors(store)).toEqual(["btrdb_cursor"])
  })

  it("a mutation while a cursor is open is seen by the next query", async () => {
    const it = store.sql(TWO_MILLION, [])[Symbol.asyncIterator]()
    expect((await it.next()).value).toBe("{\"g\":1}")
    await store.create(uuid(2), "cursor/b", kv({ name: "B" }), kv({ during: "cursor" }))
    await it.return!()
    expect(await all(store, "SELECT name FROM streams WHERE annotations -> 'during' = $1", ["cursor"])).toEqual([
      { name: "B" }
    ])
    await store.obliterate(uuid(2))
    expect(await all(store, "SELECT count(*) AS n FROM streams")).toEqual([{ n: 1 }])
  })

  it("queries that start while one is open wait for it, in order", async () => {
    const first = store.sql(TWO_MILLION, [])[Symbol.asyncIterator]()
    expect((await first.next()).value).toBe("{\"g\":1}")
    const second = all(store, "SELECT 2 AS n")
    const third = all(store, "SELECT 3 AS n")
    let settled = false
    void second.then(() => (settled = true))
    for (let i = 2; i <= 2500; i++) expect((await first.next()).value).toBe(`{"g":${i}}`)
    expect(settled).toBe(false)
    await first.return!()
    expect(await second).toEqual([{ n: 2 }])
    expect(await third).toEqual([{ n: 3 }])
  })
})

describe("a consumer that stops reading without closing its iterator", () => {
  it("is timed out (441), its cursor closed, and later queries run", async () => {
    const stalled = quick.sql(TWO_MILLION, [])[Symbol.asyncIterator]()
    for (let i = 1; i <= SQL_BATCH_ROWS; i++) expect((await stalled.next()).value).toBe(`{"g":${i}}`)
    // This query waits until the idle timeout closes the stalled cursor.
    expect(await cursors(quick)).toEqual(["btrdb_cursor"])
    expect(await all(quick, "SELECT count(*) AS n FROM streams")).toEqual([{ n: 1 }])
    await expectCode(() => stalled.next(), 441, /idle timeout/)
    expect(await stalled.next()).toEqual({ done: true, value: undefined })
  })

  it("a consumer that never asks for its first row holds nothing", async () => {
    const neverStarted = quick.sql(TWO_MILLION, [])[Symbol.asyncIterator]()
    expect(await all(quick, "SELECT 1 AS one")).toEqual([{ one: 1 }])
    // Its query starts only when it asks.
    expect((await neverStarted.next()).value).toBe("{\"g\":1}")
    await neverStarted.return!()
  })

  it("the statement timeout bounds each FETCH: a slow later batch fails with 441 and the engine recovers", async () => {
    const got: Array<number> = []
    await expectCode(
      async () => {
        const slow = "SELECT g, CASE WHEN g = 1500 THEN (SELECT 1 FROM pg_sleep(30)) END AS s " +
          "FROM generate_series(1, 2000) AS g"
        for await (const row of quick.sql(slow, [])) got.push(JSON.parse(row).g)
      },
      441,
      /statement timeout/
    )
    expect(got.length).toBe(SQL_BATCH_ROWS)
    // The worker was terminated; the next query starts a new one, loaded from the store.
    expect(await all(quick, "SELECT name FROM streams")).toEqual([{ name: "A" }])
  }, 60_000)

  it("closing the store fails an open cursor with 440 and does not wait for it", async () => {
    const open = quick.sql(TWO_MILLION, [])[Symbol.asyncIterator]()
    for (let i = 1; i <= SQL_BATCH_ROWS; i++) await open.next()
    const queued = all(quick, "SELECT 1 AS one").then(() => undefined, (e: unknown) => e)
    await quick.close()
    await expectCode(() => open.next(), 440, /closed/)
    await expectCode(async () => {
      throw await queued
    }, 440)
  })
})
