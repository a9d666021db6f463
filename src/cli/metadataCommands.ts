/**
 * The metadata commands: `info`, `collections`, `streams`, `create` and `sql`.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Uuid from "../schema/Uuid.js"
import { BTrDB } from "../services/BTrDB.js"
import { connect, connectionFlags } from "./connection.js"
import { renderTable } from "./table.js"

const pairs = (name: string, description: string) =>
  Flag.KeyValuePair(name).pipe(Flag.withDescription(description), Flag.optional)

const toRecord = (given: Option.Option<Record<string, string>>): Record<string, string> =>
  Option.getOrElse(given, () => ({}))

/** `btrdb info`: what the server says about itself. */
export const info = Command.make("info", connectionFlags, (options) =>
  Effect.gen(function*() {
    const db = yield* BTrDB
    const i = yield* db.info
    yield* Console.log(`BTrDB ${i.majorVersion}.${i.minorVersion} (${i.build}) at ${db.endpoint}`)
    yield* Console.log(`proxy endpoints: ${i.proxy.proxyEndpoints.join(", ")}`)
  }).pipe(Effect.provide(connect(options)))).pipe(Command.withDescription("Show the server's version and endpoints"))

/** `btrdb collections [prefix]`: one collection per line. */
export const collections = Command.make(
  "collections",
  { ...connectionFlags, prefix: Argument.String("prefix").pipe(Argument.optional) },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const found = yield* db.listCollections(Option.getOrElse(options.prefix, () => ""))
      for (const c of found) yield* Console.log(c)
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("List the collections (those starting with prefix)"))

/** `btrdb streams <collection>`: the streams of a collection as a table. */
export const streams = Command.make(
  "streams",
  {
    ...connectionFlags,
    collection: Argument.String("collection"),
    prefix: Flag.Boolean("prefix").pipe(
      Flag.withDescription("treat the collection as a prefix"),
      Flag.withDefault(false)
    ),
    tag: pairs("tag", "only streams with this tag, as key=value (repeatable)"),
    annotation: pairs("annotation", "only streams with this annotation, as key=value (repeatable)")
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const set = yield* db.streamsInCollection(options.collection, {
        isCollectionPrefix: options.prefix,
        tags: toRecord(options.tag),
        annotations: toRecord(options.annotation)
      })
      const rows = set.streams.map((s) => {
        const d = Option.getOrThrow(s.descriptor)
        const annotations = Object.entries(d.annotations).map(([k, v]) => `${k}=${v}`).join(" ")
        return [s.uuid, d.collection, d.name, d.unit, annotations]
      })
      yield* Console.log(renderTable(["uuid", "collection", "name", "unit", "annotations"], rows))
      yield* Console.log(`${rows.length} stream${rows.length === 1 ? "" : "s"}`)
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("List the streams of a collection, filtered by tags and annotations"))

/** `btrdb create <collection> --name …`: creates a stream and prints its uuid. */
export const create = Command.make(
  "create",
  {
    ...connectionFlags,
    collection: Argument.String("collection"),
    name: Flag.String("name").pipe(Flag.withDescription("the name tag")),
    unit: Flag.String("unit").pipe(Flag.withDescription("the unit tag"), Flag.withDefault("")),
    uuid: Flag.String("uuid").pipe(
      Flag.withDescription("the new stream's uuid (default: a random one)"),
      Flag.optional
    ),
    annotation: pairs("annotation", "an annotation, as key=value (repeatable)")
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const stream = yield* db.create({
        uuid: Option.getOrElse(options.uuid, Uuid.random),
        collection: options.collection,
        tags: { name: options.name, unit: options.unit },
        annotations: toRecord(options.annotation)
      })
      yield* Console.log(stream.uuid)
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("Create a stream and print its uuid"))

/** `btrdb sql <statement> [params…]`: one JSON row per line. */
export const sql = Command.make(
  "sql",
  {
    ...connectionFlags,
    statement: Argument.String("statement"),
    params: Argument.String("param").pipe(Argument.variadic())
  },
  (options) =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const rows = yield* db.query(options.statement, options.params)
      for (const row of rows) yield* Console.log(JSON.stringify(row))
    }).pipe(Effect.provide(connect(options)))
).pipe(Command.withDescription("Run a read-only SQL statement on the metadata table streams ($1… are params)"))
