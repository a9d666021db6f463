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
import type { ChangedRanges, MergePolicy, Points, Windows } from "../../schema/Points.js"
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

// ---------------------------------------------------------------------------------------------------------------
// Data-plane messages. Each conversion is one small function per message type, so that hand-written codecs can
// replace the proto-loader objects later without touching anything else.

interface WireVersion extends WireStat {
  readonly versionMajor: string
  readonly versionMinor: string
}

/** A RawValuesResponse as proto-loader decodes it. */
export interface WireRawValues extends WireVersion {
  readonly values: ReadonlyArray<{ readonly time: string; readonly value: number }>
}

/** An AlignedWindowsResponse or WindowsResponse as proto-loader decodes it. */
export interface WireStatPoints extends WireVersion {
  readonly values: ReadonlyArray<{
    readonly time: string
    readonly min: number
    readonly mean: number
    readonly max: number
    readonly count: string
    readonly stddev: number
  }>
}

/** A ChangesResponse as proto-loader decodes it. */
export interface WireChanges extends WireVersion {
  readonly ranges: ReadonlyArray<{ readonly start: string; readonly end: string }>
}

/** One RawValuesResponse as one columnar page. */
export const pointsFromWire = (message: WireRawValues): Points => {
  const n = message.values.length
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const p = message.values[i]!
    times[i] = BigInt(p.time)
    values[i] = p.value
  }
  return { times, values, version: BigInt(message.versionMajor) }
}

/** One AlignedWindowsResponse / WindowsResponse as one columnar page. */
export const windowsFromWire = (message: WireStatPoints): Windows => {
  const n = message.values.length
  const times = new BigInt64Array(n)
  const min = new Float64Array(n)
  const mean = new Float64Array(n)
  const max = new Float64Array(n)
  const count = new BigUint64Array(n)
  const stddev = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const p = message.values[i]!
    times[i] = BigInt(p.time)
    min[i] = p.min
    mean[i] = p.mean
    max[i] = p.max
    count[i] = BigInt(p.count)
    stddev[i] = p.stddev
  }
  return { times, min, mean, max, count, stddev, version: BigInt(message.versionMajor) }
}

/** One ChangesResponse as one columnar page. */
export const rangesFromWire = (message: WireChanges): ChangedRanges => {
  const n = message.ranges.length
  const start = new BigInt64Array(n)
  const end = new BigInt64Array(n)
  for (let i = 0; i < n; i++) {
    start[i] = BigInt(message.ranges[i]!.start)
    end[i] = BigInt(message.ranges[i]!.end)
  }
  return { start, end, version: BigInt(message.versionMajor) }
}

/** The InsertParams of one chunk. */
export const insertToWire = (uuid: Uuid, times: BigInt64Array, values: Float64Array, policy: MergePolicy) => {
  const points = new Array<{ time: string; value: number }>(times.length)
  for (let i = 0; i < times.length; i++) points[i] = { time: times[i]!.toString(), value: values[i]! }
  return { uuid: uuidBytes(uuid), sync: false, values: points, merge_policy: policy.toUpperCase() }
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

  obliterate: (uuid) => Effect.asVoid(connection.unary<WireStat>("Obliterate", { uuid: uuidBytes(uuid) }, { uuid })),

  insert: (uuid, times, values, policy) =>
    Effect.map(
      connection.unary<WireVersion>("Insert", insertToWire(uuid, times, values, policy), { uuid }),
      (r) => BigInt(r.versionMajor)
    ),

  rawValues: (uuid, start, end, version) =>
    Stream.map(
      connection.serverStream<WireRawValues>("RawValues", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString()
      }, { uuid }),
      pointsFromWire
    ),

  alignedWindows: (uuid, start, end, pointWidth, version) =>
    Stream.map(
      connection.serverStream<WireStatPoints>("AlignedWindows", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString(),
        pointWidth
      }, { uuid }),
      windowsFromWire
    ),

  windows: (uuid, start, end, width, depth, version) =>
    Stream.map(
      connection.serverStream<WireStatPoints>("Windows", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString(),
        width: width.toString(),
        depth
      }, { uuid }),
      windowsFromWire
    ),

  nearest: (uuid, time, version, backward) =>
    Effect.map(
      connection.unary<WireVersion & { value: { time: string; value: number } | null }>("Nearest", {
        uuid: uuidBytes(uuid),
        time: time.toString(),
        versionMajor: version.toString(),
        backward
      }, { uuid }),
      (r) => ({
        time: BigInt(r.value?.time ?? "0"),
        value: r.value?.value ?? 0,
        version: BigInt(r.versionMajor)
      })
    ),

  changes: (uuid, fromMajor, toMajor, resolution) =>
    Stream.map(
      connection.serverStream<WireChanges>("Changes", {
        uuid: uuidBytes(uuid),
        fromMajor: fromMajor.toString(),
        toMajor: toMajor.toString(),
        resolution
      }, { uuid }),
      rangesFromWire
    ),

  delete: (uuid, start, end) =>
    Effect.map(
      connection.unary<WireVersion>("Delete", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString()
      }, { uuid }),
      (r) => BigInt(r.versionMajor)
    ),

  flush: (uuid) =>
    Effect.map(
      connection.unary<WireVersion>("Flush", { uuid: uuidBytes(uuid) }, { uuid }),
      (r) => BigInt(r.versionMajor)
    )
})
