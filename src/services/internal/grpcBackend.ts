/**
 * The `Backend` over the v5api wire: converts between the SDK's types and the proto messages.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BadSQLValue } from "../../errors/BTrDBError.js"
import type { Connection } from "../../internal/grpc/Connection.js"
import { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import { ServerInfo } from "../../schema/ServerInfo.js"
import { fromBytes, toBytes, type Uuid } from "../../schema/Uuid.js"
import type { Backend, KeyOptValue } from "./Backend.js"

interface WireKeyOptValue {
  readonly key: string
  readonly val: { readonly value: string } | null
}

interface WireDescriptor {
  readonly uuid: Buffer
  readonly collection: string
  readonly tags: ReadonlyArray<WireKeyOptValue>
  readonly annotations: ReadonlyArray<WireKeyOptValue>
  readonly propertyVersion: string
}

interface WireStat {
  readonly stat?: { readonly code: number; readonly msg: string } | null
}

const uuidBytes = (uuid: Uuid): Buffer => Buffer.from(toBytes(uuid))

const toWirePairs = (pairs: ReadonlyArray<KeyOptValue>): Array<WireKeyOptValue> =>
  pairs.map(({ key, value }) => ({ key, val: value === undefined ? null : { value } }))

const fromWirePairs = (pairs: ReadonlyArray<WireKeyOptValue>): Record<string, string> => {
  const record: Record<string, string> = {}
  for (const { key, val } of pairs) record[key] = val?.value ?? ""
  return record
}

const descriptorFromWire = (d: WireDescriptor): StreamDescriptor =>
  new StreamDescriptor({
    uuid: fromBytes(d.uuid) ?? ("00000000-0000-0000-0000-000000000000" as Uuid),
    collection: d.collection,
    tags: fromWirePairs(d.tags),
    annotations: fromWirePairs(d.annotations),
    propertyVersion: BigInt(d.propertyVersion)
  })

const countsFromWire = (pairs: ReadonlyArray<{ readonly key: string; readonly count: string }>) => {
  const record: Record<string, number> = {}
  for (const { key, count } of pairs) record[key] = Number(count)
  return record
}

/**
 * A `Backend` that calls the server behind `connection`.
 */
export const make = (connection: Connection): Backend => ({
  endpoint: connection.endpoint,

  info: Effect.map(
    connection.unary<
      WireStat & {
        majorVersion: number
        minorVersion: number
        build: string
        proxy: { proxyEndpoints: Array<string> } | null
      }
    >("Info", {}),
    (r) =>
      new ServerInfo({
        majorVersion: r.majorVersion,
        minorVersion: r.minorVersion,
        build: r.build,
        proxy: { proxyEndpoints: r.proxy?.proxyEndpoints ?? [] }
      })
  ),

  create: (uuid, collection, tags, annotations) =>
    Effect.asVoid(
      connection.unary<WireStat>("Create", {
        uuid: uuidBytes(uuid),
        collection,
        tags: toWirePairs(tags),
        annotations: toWirePairs(annotations)
      }, { uuid })
    ),

  streamInfo: (uuid, { omitDescriptor, omitVersion }) =>
    Effect.map(
      connection.unary<WireStat & { versionMajor: string; versionMinor: string; descriptor: WireDescriptor | null }>(
        "StreamInfo",
        { uuid: uuidBytes(uuid), omitDescriptor, omitVersion },
        { uuid }
      ),
      (r) => ({
        descriptor: r.descriptor === null ? undefined : descriptorFromWire(r.descriptor),
        versionMajor: BigInt(r.versionMajor),
        versionMinor: BigInt(r.versionMinor)
      })
    ),

  setStreamAnnotations: (uuid, expectedPropertyVersion, changes, removals) =>
    Effect.asVoid(
      connection.unary<WireStat>("SetStreamAnnotations", {
        uuid: uuidBytes(uuid),
        expectedPropertyVersion: expectedPropertyVersion.toString(),
        changes: toWirePairs(changes),
        removals
      }, { uuid })
    ),

  setStreamTags: (uuid, expectedPropertyVersion, tags, collection, remove) =>
    Effect.asVoid(
      connection.unary<WireStat>("SetStreamTags", {
        uuid: uuidBytes(uuid),
        expectedPropertyVersion: expectedPropertyVersion.toString(),
        tags: toWirePairs(tags),
        collection,
        remove
      }, { uuid })
    ),

  listCollections: (prefix) =>
    connection.serverStream<WireStat & { collections: Array<string> }>("ListCollections", { prefix }).pipe(
      Stream.mapConcat((r) => r.collections)
    ),

  lookupStreams: (query) =>
    connection.serverStream<WireStat & { results: Array<WireDescriptor> }>("LookupStreams", {
      collection: query.collection,
      isCollectionPrefix: query.isCollectionPrefix,
      tags: toWirePairs(query.tags),
      annotations: toWirePairs(query.annotations)
    }).pipe(Stream.mapConcat((r) => r.results.map(descriptorFromWire))),

  metadataUsage: (prefix) =>
    Effect.map(
      connection.unary<
        WireStat & {
          tags: Array<{ key: string; count: string }>
          annotations: Array<{ key: string; count: string }>
        }
      >("GetMetadataUsage", { prefix }),
      (r) => new MetadataUsage({ tags: countsFromWire(r.tags), annotations: countsFromWire(r.annotations) })
    ),

  sqlQuery: (query, params) =>
    connection.serverStream<WireStat & { SQLQueryRow: Array<Buffer> }>("SQLQuery", { query, params }).pipe(
      Stream.mapConcat((r) => r.SQLQueryRow),
      Stream.mapEffect((row) =>
        Effect.try({
          try: (): unknown => JSON.parse(row.toString("utf8")),
          catch: () => new BadSQLValue({ method: "SQLQuery", detail: "the server sent a row that is not JSON" })
        })
      )
    ),

  obliterate: (uuid) => Effect.asVoid(connection.unary<WireStat>("Obliterate", { uuid: uuidBytes(uuid) }, { uuid }))
})
