/**
 * SQL on PGlite. One store (with one PGlite) is shared by the whole file because PGlite starts slowly;
 * the tests run in order and each leaves the fixture as it found it, except where noted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MetadataStore } from "../../../src/engine/metadata/MetadataStore.js"
import { expectCode, kv, tempDir, uuid } from "./helpers.js"

const tmp = tempDir()
let store: MetadataStore

/** Runs a query and returns the raw JSON texts. */
const texts = async (query: string, params: ReadonlyArray<string> = []): Promise<Array<string>> => {
  const out: Array<string> = []
  for await (const row of store.sql(query, params)) out.push(row)
  return out
}
/** Runs a query and returns the parsed rows. */
const rows = async (query: string, params: ReadonlyArray<string> = []): Promise<Array<Record<string, unknown>>> =>
  (await texts(query, params)).map((t) => JSON.parse(t))

const count = async (where = "", params: ReadonlyArray<string> = []): Promise<unknown> =>
  (await rows(`SELECT COUNT(uuid) FROM streams ${where}`, params))[0]?.count

const everything = () => texts("SELECT * FROM streams ORDER BY uuid")

const PMU1 = [
  ["L1MAG", "volts"],
  ["L1ANG", "deg"],
  ["C1MAG", "amps"],
  ["LSTATE", "mask"]
] as const

beforeAll(async () => {
  store = await MetadataStore.open({ dir: tmp.dir, sqlTimeoutMs: 2_000 })
  let n = 0
  for (const [name, unit] of PMU1) {
    n++
    await store.create(
      uuid(n),
      "sunshine/PMU1",
      kv({ name, unit }),
      kv({ impedance: "12", location: "roof", ...(n === 1 ? { foo: "bar" } : {}) })
    )
  }
  await store.create(
    uuid(11),
    "sunshine/PMU2",
    kv({ name: "L1MAG", unit: "volts" }),
    kv({ impedance: "7", location: "x" })
  )
  await store.create(
    uuid(12),
    "sunshine/PMU2",
    kv({ name: "L2MAG", unit: "volts", distiller: "d" }),
    kv({ impedance: "7" })
  )
  await store.create(uuid(21), "other/x", kv({ name: "X" }), [])
})

afterAll(async () => {
  await store?.close()
  tmp.remove()
})

describe("the seed's examples", () => {
  it("SELECT COUNT(uuid) FROM streams → {\"count\": n}", async () => {
    expect(await rows("SELECT COUNT(uuid) FROM streams")).toEqual([{ count: 7 }])
  })

  it("counts a collection with $1::text", async () => {
    expect(await count("WHERE collection=$1::text", ["sunshine/PMU1"])).toBe(4)
    expect(await count("WHERE collection=$1::text", ["sunshine"])).toBe(0)
  })

  it("counts streams with an annotation: annotations->$1::text IS NOT NULL", async () => {
    expect(await count("WHERE annotations->$1::text IS NOT NULL", ["foo"])).toBe(1)
    expect(await count("WHERE annotations->$1::text IS NOT NULL", ["impedance"])).toBe(6)
    expect(await count("WHERE annotations->$1::text IS NOT NULL", ["nope"])).toBe(0)
  })

  it("list_unique_names / units / annotations with a LIKE prefix", async () => {
    const names = await rows("select distinct(name) as name from streams where collection like $1", ["sunshine/%"])
    expect(names.map((r) => r.name).sort()).toEqual(["C1MAG", "L1ANG", "L1MAG", "L2MAG", "LSTATE"])
    const units = await rows("select distinct(unit) as unit from streams where collection like $1", ["sunshine/PMU1%"])
    expect(units.map((r) => r.unit).sort()).toEqual(["amps", "deg", "mask", "volts"])
    const keys = await rows(
      "select distinct(skeys(annotations)) as annotations from streams where collection like $1",
      ["sunshine/%"]
    )
    expect(keys.map((r) => r.annotations).sort()).toEqual(["foo", "impedance", "location"])
  })

  it("agrees with collection_metadata (GetMetadataUsage) on annotation counts", async () => {
    const sqlCounts = await rows(
      "SELECT k AS key, COUNT(*) AS n FROM streams, skeys(annotations) AS k WHERE collection LIKE $1 GROUP BY k",
      ["sunshine/%"]
    )
    const usage = store.metadataUsage("sunshine/")
    expect(Object.fromEntries(sqlCounts.map((r) => [r.key, r.n]))).toEqual(usage.annotations)
    expect(usage.annotations).toEqual({ foo: 1, impedance: 6, location: 5 })
    const named = await rows("SELECT COUNT(*) FROM streams WHERE name <> '' AND collection LIKE $1", ["sunshine/%"])
    expect(named).toEqual([{ count: usage.tags.name }])
  })
})

describe("row encoding", () => {
  it("encodes every column: uuid string, varchar, bigint number, hstore object", async () => {
    const [text] = await texts("SELECT * FROM streams WHERE uuid = $1", [uuid(1)])
    expect(JSON.parse(text!)).toEqual({
      uuid: uuid(1),
      collection: "sunshine/PMU1",
      name: "L1MAG",
      unit: "volts",
      ingress: "",
      property_version: 1,
      annotations: { foo: "bar", impedance: "12", location: "roof" }
    })
    expect(text).toContain("\"property_version\":1")
  })

  it("keeps big integers exact in the JSON text and uses output column names", async () => {
    expect(await texts("SELECT 9007199254740993::bigint AS b, 'x' AS \"Mixed Case\"")).toEqual([
      "{\"b\":9007199254740993,\"Mixed Case\":\"x\"}"
    ])
  })

  it("returns no rows as an empty sequence", async () => {
    expect(await texts("SELECT uuid FROM streams WHERE name = $1", ["nobody"])).toEqual([])
  })
})

describe("kept in sync with the store", () => {
  it("sees every mutation, even one not yet awaited", async () => {
    const pending = store.create(uuid(99), "tmp/sql", kv({ name: "T" }), kv({ a: "1" }))
    expect(await rows("SELECT name, annotations FROM streams WHERE uuid = $1", [uuid(99)])).toEqual([
      { name: "T", annotations: { a: "1" } }
    ])
    await pending
    await store.setAnnotations(uuid(99), 1n, kv({ b: "2", a: undefined }), [])
    await store.setTags(uuid(99), 2n, kv({ unit: "U" }), "tmp/moved", [])
    expect(
      await rows("SELECT collection, unit, property_version, annotations FROM streams WHERE uuid = $1", [uuid(99)])
    )
      .toEqual([{ collection: "tmp/moved", unit: "U", property_version: 3, annotations: { b: "2" } }])
    await store.obliterate(uuid(99))
    expect(await count("WHERE uuid = $1", [uuid(99)])).toBe(0)
    expect(await count()).toBe(7)
  })
})

describe("refusals (441, nothing changed)", () => {
  it.each([
    "INSERT INTO streams (uuid, collection, name, unit, ingress, property_version) VALUES (gen_random_uuid(), 'x', 'x', 'x', 'x', 1)",
    "UPDATE streams SET name = 'hacked'",
    "DELETE FROM streams",
    "DROP TABLE streams",
    "CREATE TABLE t (a int)",
    "TRUNCATE streams",
    "select 1; delete from streams",
    "SELECT COUNT(uuid) FROM streams; DROP TABLE streams;",
    "WITH d AS (DELETE FROM streams RETURNING *) SELECT count(*) FROM d",
    "WITH u AS (UPDATE streams SET name = 'x' RETURNING 1) SELECT * FROM u",
    "SELECT * INTO stolen FROM streams",
    "SELECT * FROM streams FOR UPDATE",
    "SELECT set_config('transaction_read_only', 'off', false)",
    "SELECT pg_read_file('PG_VERSION')",
    "SELECT * FROM streams WHERE",
    "SELECT uuid FROM nosuchtable"
  ])("%s", async (query) => {
    const before = await everything()
    await expectCode(() => texts(query), 441)
    expect(await everything()).toEqual(before)
  })

  it("gives Postgres's message for a syntax error", async () => {
    await expectCode(() => texts("SELECT * FROM streams WHERE"), 441, /syntax error/)
    await expectCode(() => texts("SELECT nope FROM streams"), 441, /column "nope" does not exist/)
  })

  it("441 for bad parameters", async () => {
    await expectCode(() => texts("SELECT * FROM streams WHERE uuid = $1", ["not-a-uuid"]), 441, /uuid/)
    await expectCode(() => texts("SELECT $1::text, $2::text", ["only one"]), 441)
    await expectCode(() => texts("SELECT $1::text", ["a", "b"]), 441)
    // parameters are bound, never spliced
    expect(await count("WHERE name = $1", ["x' OR '1'='1"])).toBe(0)
  })
})

describe("statement timeout", () => {
  it("stops a long query with 441 and recovers with the same data", async () => {
    const before = await everything()
    const t0 = Date.now()
    await expectCode(() => texts("SELECT pg_sleep(60)"), 441, /statement timeout/)
    expect(Date.now() - t0).toBeLessThan(20_000)
    // a mutation while the engine is down is picked up by the restarted engine
    await store.setAnnotations(uuid(21), 0n, kv({ after: "timeout" }), [])
    expect(await count("WHERE annotations->$1::text IS NOT NULL", ["after"])).toBe(1)
    await store.setAnnotations(uuid(21), 0n, [], ["after"])
    expect((await everything()).map((t) => JSON.parse(t).uuid)).toEqual(before.map((t) => JSON.parse(t).uuid))
  })
})

describe("restart", () => {
  it("rebuilds the table from the reopened store (runs last: it replaces the shared store)", async () => {
    const before = await everything()
    await store.close()
    await expectCode(() => texts("SELECT 1"), 440)
    store = await MetadataStore.open({ dir: tmp.dir, sqlTimeoutMs: 2_000 })
    await expectCode(() => store.create(uuid(99), "again", [], []), 429)
    expect(await everything()).toEqual(before)
  })
})
