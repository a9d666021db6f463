/**
 * The contract suite of the `BTrDB` service: written once, run against `BTrDB.layerMemory` and against
 * `BTrDB.layer` talking to the embedded server over loopback gRPC. Expected values are written out by hand
 * from what each test created.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { MAXIMUM_TIME, MINIMUM_TIME } from "../../src/schema/Time.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { BTrDB } from "../../src/services/BTrDB.js"
import { uniquePrefix } from "../support/layers.js"

const createAll = (
  specs: ReadonlyArray<{
    collection: string
    tags: Record<string, string>
    annotations?: Record<string, string>
  }>
) =>
  Effect.flatMap(
    BTrDB,
    (db) => Effect.forEach(specs, (spec) => db.create({ uuid: Uuid.random(), ...spec }), { concurrency: 4 })
  )

const PMU_NAMES = ["L1MAG", "L1ANG", "C1MAG"]

/** The seed's "sunshine" database under `root`: PMU1 (3 streams, one annotated `foo`) and PMU2 (2 streams). */
const sunshine = (root: string) =>
  createAll([
    ...PMU_NAMES.map((name, i) => ({
      collection: `${root}sunshine/PMU1`,
      tags: { name, unit: name.endsWith("MAG") ? "volts" : "deg" },
      annotations: { location: "berkeley", impedance: "12", ...(i === 0 ? { foo: "bar" } : {}) }
    })),
    ...["L1MAG", "L2MAG"].map((name) => ({
      collection: `${root}sunshine/PMU2`,
      tags: { name, unit: "amps" },
      annotations: { location: "oakland", impedance: "7" }
    }))
  ])

export const contractSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB, unknown>) =>
  layer(makeLayer(), { excludeTestServices: true, timeout: "120 seconds" })(`BTrDB contract (${label})`, (it) => {
    it.effect("info: a v5 server", () =>
      Effect.gen(function*() {
        const db = yield* BTrDB
        const info = yield* db.info
        assert.strictEqual(info.majorVersion, 5)
        assert.isString(info.build)
        assert.isAbove(info.proxy.proxyEndpoints.length, 0)
      }))

    describe("create", () => {
      it.effect("returns a handle holding the given collection, tags and annotations", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const collection = `${uniquePrefix("new")}stream/collection`
          const uuid = Uuid.random()
          const s = yield* db.create({
            uuid,
            collection,
            tags: { name: "foo", unit: "V" },
            annotations: { bar: "baz" }
          })
          assert.strictEqual(s.uuid, uuid)
          assert.strictEqual(String(s), `<Stream collection=${collection} name=foo>`)
          assert.strictEqual(yield* s.collection, collection)
          assert.strictEqual(yield* s.name, "foo")
          assert.strictEqual(yield* s.unit, "V")
          assert.deepStrictEqual(yield* s.tags, { name: "foo", unit: "V", ingress: "" })
          assert.deepStrictEqual(yield* s.annotations, { bar: "baz" })
          assert.strictEqual(yield* s.propertyVersion, 1n)
          assert.isTrue(yield* s.exists)
          assert.strictEqual(yield* s.version, 10n)
        }))

      it.effect("accepts an upper-case uuid and canonicalizes it", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const uuid = Uuid.random()
          const s = yield* db.create({
            uuid: uuid.toUpperCase(),
            collection: uniquePrefix("upper"),
            tags: { name: "a" }
          })
          assert.strictEqual(s.uuid, uuid)
        }))

      it.effect("a duplicate uuid fails with StreamExists (417)", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const uuid = Uuid.random()
          yield* db.create({ uuid, collection: uniquePrefix("dup"), tags: { name: "a" } })
          const error = yield* Effect.flip(db.create({ uuid, collection: uniquePrefix("dup"), tags: { name: "b" } }))
          assert.strictEqual(error._tag, "StreamExists")
          assert.strictEqual((error as { code: number }).code, 417)
          assert.strictEqual(error.uuid, uuid)
        }))

      it.effect("the same collection and tags under a new uuid fail with AmbiguousStream (418)", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const collection = uniquePrefix("amb")
          yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "x", unit: "V" } })
          const error = yield* Effect.flip(
            db.create({ uuid: Uuid.random(), collection, tags: { name: "x", unit: "V" } })
          )
          assert.strictEqual(error._tag, "AmbiguousStream")
        }))

      it.effect("bad input fails with InvalidArgument naming the field, and creates nothing", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("bad")
          const cases = [
            [{ uuid: Uuid.random(), collection: "", tags: { name: "a" } }, "collection"],
            [{ uuid: Uuid.random(), collection: "x".repeat(256), tags: { name: "a" } }, "collection"],
            [{ uuid: Uuid.random(), collection: `${root}a\u0000b`, tags: { name: "a" } }, "collection"],
            [{ uuid: Uuid.random(), collection: root, tags: { color: "red" } }, "tags"],
            [{ uuid: Uuid.random(), collection: root, tags: { name: "n".repeat(256) } }, "tags"],
            [
              { uuid: Uuid.random(), collection: root, tags: { name: "a" }, annotations: { k: "v".repeat(256) } },
              "annotations"
            ],
            [{ uuid: Uuid.random(), collection: root, tags: { name: "a" }, annotations: { "": "v" } }, "annotations"],
            [{ uuid: "not-a-uuid", collection: root, tags: { name: "a" } }, "uuid"]
          ] as const
          for (const [params, field] of cases) {
            const error = yield* Effect.flip(db.create(params))
            assert.strictEqual(error._tag, "InvalidArgument")
            assert.strictEqual((error as { field: string }).field, field)
            assert.strictEqual(error.method, "create")
          }
          assert.deepStrictEqual(yield* db.listCollections(root), [])
        }))
    })

    describe("listCollections", () => {
      it.effect("lists collections by prefix, as the seed's example", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("lc")
          yield* createAll(["foo", "bar", "foo/baz", "bar/baz"].map((c) => ({
            collection: `${root}${c}`,
            tags: { name: "s" }
          })))
          assert.deepStrictEqual(yield* db.listCollections(root), [
            `${root}bar`,
            `${root}bar/baz`,
            `${root}foo`,
            `${root}foo/baz`
          ])
          assert.deepStrictEqual(yield* db.listCollections(`${root}foo`), [`${root}foo`, `${root}foo/baz`])
          const all = yield* db.listCollections()
          assert.includeMembers([...all], [`${root}bar`, `${root}foo/baz`])
        }))
    })

    describe("metadata of a collection prefix (the seed's sunshine examples)", () => {
      it.effect("collectionMetadata counts tags and annotations", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("cm")
          yield* sunshine(root)
          const pmu1 = yield* db.collectionMetadata(`${root}sunshine/PMU1`)
          assert.deepStrictEqual(pmu1.tags, { name: 3, unit: 3, ingress: 0, distiller: 0 })
          assert.deepStrictEqual(pmu1.annotations, { foo: 1, impedance: 3, location: 3 })
          const all = yield* db.collectionMetadata(`${root}sunshine/`)
          assert.deepStrictEqual(all.annotations, { foo: 1, impedance: 5, location: 5 })
          assert.deepStrictEqual(all.tags, { name: 5, unit: 5, ingress: 0, distiller: 0 })
        }))

      it.effect("listUniqueNames / Units / Annotations take the collection as a prefix", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("lu")
          yield* sunshine(root)
          assert.deepStrictEqual(yield* db.listUniqueNames(`${root}sunshine/PMU1`), ["C1MAG", "L1ANG", "L1MAG"])
          assert.deepStrictEqual(yield* db.listUniqueNames(`${root}sunshine/`), ["C1MAG", "L1ANG", "L1MAG", "L2MAG"])
          assert.deepStrictEqual(yield* db.listUniqueUnits(`${root}sunshine/PMU1`), ["deg", "volts"])
          assert.deepStrictEqual(yield* db.listUniqueUnits(`${root}sunshine`), ["amps", "deg", "volts"])
          assert.deepStrictEqual(yield* db.listUniqueAnnotations(`${root}sunshine/PMU2`), ["impedance", "location"])
          assert.deepStrictEqual(yield* db.listUniqueAnnotations(`${root}sunshine/`), ["foo", "impedance", "location"])
          assert.includeMembers([...(yield* db.listUniqueNames())], ["C1MAG", "L2MAG"])
        }))
    })

    describe("query", () => {
      it.effect("runs SQL with $1 parameters, as the seed's examples", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("q")
          const created = yield* sunshine(root)
          assert.deepStrictEqual(
            yield* db.query("SELECT COUNT(uuid) FROM streams WHERE collection=$1::text", [`${root}sunshine/PMU1`]),
            [{ count: 3 }]
          )
          assert.deepStrictEqual(
            yield* db.query(
              "SELECT COUNT(uuid) FROM streams WHERE annotations->$1::text IS NOT NULL AND collection LIKE $2",
              ["foo", `${root}%`]
            ),
            [{ count: 1 }]
          )
          const total = yield* db.query("SELECT COUNT(uuid) FROM streams")
          assert.isAtLeast((total[0] as { count: number }).count, 5)
          const rows = yield* db.query(
            "SELECT uuid, collection, name, unit, ingress, property_version, annotations FROM streams " +
              "WHERE collection = $1 ORDER BY name",
            [`${root}sunshine/PMU2`]
          )
          const byName = [...created].filter((s) => Option.getOrThrow(s.descriptor).collection.endsWith("PMU2"))
            .sort((a, b) => Option.getOrThrow(a.descriptor).name.localeCompare(Option.getOrThrow(b.descriptor).name))
          assert.deepStrictEqual(
            rows,
            byName.map((s) => ({
              uuid: s.uuid,
              collection: `${root}sunshine/PMU2`,
              name: Option.getOrThrow(s.descriptor).name,
              unit: "amps",
              ingress: "",
              property_version: 1,
              annotations: { location: "oakland", impedance: "7" }
            }))
          )
        }))

      it.effect("refuses statements that are not a SELECT, and SQL errors, with BadSQLValue (441)", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("sqlbad")
          yield* sunshine(root)
          for (
            const stmt of [
              "DELETE FROM streams",
              "UPDATE streams SET name = 'x'",
              "DROP TABLE streams",
              "INSERT INTO streams (uuid) VALUES (gen_random_uuid())",
              "SELECT 1; DELETE FROM streams",
              "SELEC nothing",
              "SELECT * FROM no_such_table"
            ]
          ) {
            const error = yield* Effect.flip(db.query(stmt))
            assert.strictEqual(error._tag, "BadSQLValue", stmt)
          }
          assert.deepStrictEqual(
            yield* db.query("SELECT COUNT(uuid) FROM streams WHERE collection LIKE $1", [`${root}%`]),
            [{ count: 5 }]
          )
        }))
    })

    describe("stream handles", () => {
      it.effect("streamFromUuid makes a handle without checking; exists tells", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const unknown = yield* db.streamFromUuid(Uuid.random())
          assert.isTrue(Option.isNone(unknown.descriptor))
          assert.isFalse(yield* unknown.exists)
          const error = yield* Effect.flip(unknown.name)
          assert.strictEqual(error._tag, "StreamNotFound")
          assert.strictEqual(error.uuid, unknown.uuid)
          assert.strictEqual((yield* Effect.flip(unknown.version))._tag, "StreamNotFound")

          const created = yield* db.create({
            uuid: Uuid.random(),
            collection: uniquePrefix("sfu"),
            tags: { name: "n" }
          })
          const handle = yield* db.streamFromUuid(created.uuid)
          assert.isTrue(yield* handle.exists)
          assert.strictEqual(yield* handle.name, "n")
          const refreshed = yield* handle.refreshMetadata
          assert.deepStrictEqual(Option.getOrThrow(refreshed.descriptor), Option.getOrThrow(created.descriptor))

          const bad = yield* Effect.flip(db.streamFromUuid("nope"))
          assert.strictEqual(bad._tag, "InvalidArgument")
        }))
    })

    describe("streams", () => {
      it.effect("resolves uuids and collection/name identifiers, pinning versions", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("st")
          const created = yield* sunshine(root)
          const l1ang = created.find((s) => Option.getOrThrow(s.descriptor).name === "L1ANG")!
          const set = yield* db.streams([created[0]!.uuid, `${root}sunshine/PMU1/L1ANG`], { versions: [12, 0] })
          assert.deepStrictEqual(set.streams.map((s) => s.uuid), [created[0]!.uuid, l1ang.uuid])
          assert.deepStrictEqual([...set.pinned], [[created[0]!.uuid, 12n]])
          assert.deepStrictEqual([...set].map((s) => s.uuid), set.streams.map((s) => s.uuid))
          assert.strictEqual(set.length, 2)

          const one = yield* db.streams(`${root}sunshine/PMU1/L1ANG`)
          assert.strictEqual(yield* one.streams[0]!.unit, "deg")

          const single = yield* db.stream(`${root}sunshine/PMU1/L1ANG`)
          assert.strictEqual(single.uuid, l1ang.uuid)
          assert.strictEqual(yield* single.unit, "deg")
          assert.strictEqual((yield* db.stream(created[0]!.uuid.toUpperCase())).uuid, created[0]!.uuid)
          assert.strictEqual((yield* Effect.flip(db.stream(`${root}sunshine/PMU1/NOPE`)))._tag, "StreamNotFound")
          assert.strictEqual((yield* Effect.flip(db.stream("no-slash-and-no-uuid")))._tag, "InvalidArgument")
        }))

      it.effect("fails with StreamNotFound for no match or several, InvalidArgument for bad input", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("stnf")
          yield* sunshine(root)
          const none = yield* Effect.flip(db.streams(`${root}sunshine/PMU1/NOPE`))
          assert.strictEqual(none._tag, "StreamNotFound")
          const several = yield* Effect.flip(
            db.streams(`${root}sunshine/L1MAG`, { isCollectionPrefix: true })
          )
          assert.strictEqual(several._tag, "StreamNotFound")
          const prefixOne = yield* db.streams(`${root}sunshine/PMU1/L1ANG`, { isCollectionPrefix: true })
          assert.strictEqual(prefixOne.length, 1)
          const mismatch = yield* Effect.flip(db.streams([Uuid.random(), Uuid.random()], { versions: [1] }))
          assert.strictEqual(mismatch._tag, "InvalidArgument")
          assert.strictEqual((mismatch as { field: string }).field, "versions")
          const junk = yield* Effect.flip(db.streams("no-slash-and-no-uuid"))
          assert.strictEqual(junk._tag, "InvalidArgument")
        }))
    })

    describe("streamsInCollection", () => {
      it.effect("prefix or exact, tag and annotation filters, several collections concatenated", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const root = uniquePrefix("sic")
          const created = yield* sunshine(root)
          const uuidsOf = (pmu: string) =>
            created.filter((s) => Option.getOrThrow(s.descriptor).collection.endsWith(pmu)).map((s) => s.uuid).sort()
          const sorted = (set: Iterable<{ uuid: string }>) => [...set].map((s) => s.uuid).sort()

          assert.deepStrictEqual(
            sorted(yield* db.streamsInCollection(`${root}sunshine`)),
            created.map((s) => s.uuid).sort()
          )
          assert.deepStrictEqual(
            sorted(yield* db.streamsInCollection(`${root}sunshine`, { isCollectionPrefix: false })),
            []
          )
          assert.deepStrictEqual(
            sorted(yield* db.streamsInCollection(`${root}sunshine/PMU1`, { isCollectionPrefix: false })),
            uuidsOf("PMU1")
          )
          const volts = yield* db.streamsInCollection(`${root}sunshine`, { tags: { unit: "volts" } })
          assert.deepStrictEqual(yield* Effect.forEach(volts, (s) => s.unit), ["volts", "volts"])
          assert.strictEqual(
            (yield* db.streamsInCollection(`${root}sunshine`, { tags: { unit: "UNKNOWN" } })).length,
            0
          )
          assert.strictEqual(
            (yield* db.streamsInCollection(`${root}sunshine`, { annotations: { foo: null } })).length,
            1
          )
          assert.strictEqual(
            (yield* db.streamsInCollection(`${root}sunshine`, { annotations: { location: "oakland" } })).length,
            2
          )
          const both = yield* db.streamsInCollection([`${root}sunshine/PMU2`, `${root}sunshine/PMU1`])
          assert.deepStrictEqual(both.streams.slice(0, 2).map((s) => s.uuid).sort(), uuidsOf("PMU2"))
          assert.deepStrictEqual(both.streams.slice(2).map((s) => s.uuid).sort(), uuidsOf("PMU1"))
          const all = yield* db.streamsInCollection()
          assert.includeMembers(all.streams.map((s) => s.uuid), created.map((s) => s.uuid))
        }))
    })

    describe("argument validation", () => {
      it.effect("InvalidArgument names the operation and the field, and says what was wrong", () =>
        Effect.gen(function*() {
          const db = yield* BTrDB
          const s = yield* db.create({ uuid: Uuid.random(), collection: uniquePrefix("valid"), tags: { name: "v" } })
          const set = yield* db.streams([s.uuid])
          const BASE = 1_500_000_000_000_000_000n
          const cases: ReadonlyArray<readonly [Effect.Effect<unknown, { readonly _tag: string }>, string, string]> = [
            [db.streamFromUuid("not-a-uuid"), "uuid", "expected a UUID such as f98f4b4e-9fab-46b5-8a80-f282059d69b1"],
            [
              db.create({ uuid: Uuid.random(), collection: "", tags: { name: "a" } }),
              "collection",
              "a collection must be non-empty, shorter than 256 bytes and free of NUL characters"
            ],
            [
              db.create({ uuid: Uuid.random(), collection: "p", tags: { color: "red" } as never }),
              "tags",
              `unknown tag key "color": tags are name, unit, ingress, distiller`
            ],
            [
              db.create({ uuid: Uuid.random(), collection: "p", tags: { name: "n".repeat(256) } }),
              "tags",
              "name: a tag or annotation value must be at most 255 characters, without NUL"
            ],
            [
              db.create({ uuid: Uuid.random(), collection: "p", tags: { name: "a" }, annotations: { "": "v" } }),
              "annotations",
              `annotation key "" must be non-empty, at most 255 characters, without NUL`
            ],
            [s.insert([[BASE, NaN]]), "data", "data[0]: NaN is not finite (NaN and ±Infinity cannot be stored)"],
            [s.insert([["not a time", 1]]), "data", "data[0][0] is not a valid time: not a time"],
            [
              s.insert({ times: [1n << 62n], values: [1] }),
              "times",
              "times[0]: time 4611686018427387904 is after the latest time an insert takes, 3458764513820540926 " +
              "(Time.MAXIMUM_TIME - 1)"
            ],
            [
              s.insert([[BASE, 1]], { merge: "sometimes" as never }),
              "merge",
              `Expected "never" | "equal" | "retain" | "replace", got "sometimes"`
            ],
            [
              s.valuesCollected({ start: "yesterday" }),
              "start",
              `"yesterday" is neither an ISO-8601 date-time nor an integer of nanoseconds`
            ],
            [
              s.valuesCollected({ version: -1n }),
              "version",
              "Expected a value between 0n and 18446744073709551615n, got -1n"
            ],
            [
              s.windowsCollected({ width: 5 as never }),
              "width",
              "a number is ambiguous: give nanoseconds as a bigint, or a Duration"
            ],
            [
              s.windowsCollected({ width: "5 fortnights" as never }),
              "width",
              `expected a positive, finite duration such as "15 minutes"`
            ],
            [s.windowsCollected({ width: 0n }), "width", "0 ns is not a positive width"],
            [
              s.windowsCollected({ width: "52000 weeks" }),
              "width",
              "31449600000000000000 ns overflows the 64-bit nanoseconds of a width: at most 18446744073709551615 ns " +
              "(about 584 years)"
            ],
            [
              s.insert([[MAXIMUM_TIME, 1]]),
              "data",
              "data[0]: time 3458764513820540927 is after the latest time an insert takes, 3458764513820540926 " +
              "(Time.MAXIMUM_TIME - 1)"
            ],
            [
              s.insert({ times: [MINIMUM_TIME - 1n], values: [1] }),
              "times",
              "times[0]: time -1152921504606846977 is before the earliest time a stream holds, -1152921504606846976 " +
              "(Time.MINIMUM_TIME)"
            ],
            [
              s.windowsCollected({ width: "1 minute", depth: 99 }),
              "depth",
              "Expected a value between 0 and 63, got 99"
            ],
            [s.alignedWindowsCollected({ pointwidth: 1.5 }), "pointwidth", "Expected an integer, got 1.5"],
            [s.changesCollected({ resolution: -2 }), "resolution", "Expected a value between 0 and 63, got -2"],
            [
              db.streams([s.uuid], { versions: [-3] }),
              "versions",
              "0: Expected a value greater than or equal to 0, got -3"
            ],
            [set.filter({ samplingFrequency: -1 }), "samplingFrequency", "Expected a value greater than 0, got -1"]
          ]
          for (const [effect, field, detail] of cases) {
            const error = yield* Effect.flip(effect)
            assert.strictEqual(error._tag, "InvalidArgument", JSON.stringify(error))
            const { detail: got, field: named } = error as unknown as {
              readonly field: string
              readonly detail: string
            }
            assert.deepStrictEqual([named, got], [field, detail])
          }
        }))
    })
  })
