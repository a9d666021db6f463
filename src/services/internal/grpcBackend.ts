/**
 * The `Backend` over the v5api wire: converts between the SDK's types and the proto messages.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BadSQLValue } from "../../errors/BTrDBError.js"
import {
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeAlignedWindowsParams,
  encodeInsertParams,
  encodeRawValuesParams,
  encodeWindowsParams,
  type InsertParamsInput,
  LentBuffers,
  maxInsertParamsBytes,
  type RawValuesPage,
  type ReadRange,
  type StatPointsPage
} from "../../internal/grpc/codecs/index.js"
import type { Connection, RequestEncoder, ResponseDecoder } from "../../internal/grpc/Connection.js"
import type {
  DecodedResponseOf,
  WireDescriptorOut,
  WireKeyOptValue,
  WireKeyOptValueOut
} from "../../internal/grpc/wireTypes.js"
import { mergePolicyCode, mergePolicyToWire } from "../../internal/mergePolicy.js"
import { uuidToBytes } from "../../internal/uuidBytes.js"
import { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import type { ChangedRanges, Points, Windows } from "../../schema/Points.js"
import { ServerInfo } from "../../schema/ServerInfo.js"
import { fromBytes, toBytes, type Uuid } from "../../schema/Uuid.js"
import type { ArrowMessage, Backend, KeyOptValue } from "./Backend.js"
import { INSERT_CHUNK_POINTS } from "./stream/arguments.js"

const uuidBytes = (uuid: Uuid): Buffer => uuidToBytes(uuid, Buffer.allocUnsafe(16)) as Buffer

const toWirePairs = (pairs: ReadonlyArray<KeyOptValue>): Array<WireKeyOptValue> =>
  pairs.map(({ key, value }) => ({ key, val: value === undefined ? null : { value } }))

const fromWirePairs = (pairs: ReadonlyArray<WireKeyOptValueOut>): Record<string, string> => {
  const record: Record<string, string> = {}
  for (const { key, val } of pairs) record[key] = val?.value ?? ""
  return record
}

const descriptorFromWire = (d: WireDescriptorOut): StreamDescriptor =>
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
// Data-plane messages. The hot ones (RawValues, AlignedWindows, Windows answers and Insert requests) go through
// the hand codecs, straight between bytes and typed-array columns; the rest through proto-loader.

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The read requests, written from `bigint`s by the hand encoders. */
const rawValuesEncoder: RequestEncoder<"RawValues", ReadRange> = { rpc: "RawValues", serialize: encodeRawValuesParams }
const alignedWindowsEncoder: RequestEncoder<"AlignedWindows", ReadRange & { readonly pointWidth: number }> = {
  rpc: "AlignedWindows",
  serialize: encodeAlignedWindowsParams
}
const windowsEncoder: RequestEncoder<"Windows", ReadRange & { readonly width: bigint; readonly depth: number }> = {
  rpc: "Windows",
  serialize: encodeWindowsParams
}

/** One RawValuesResponse as one columnar page. */
const rawValuesDecoder: ResponseDecoder<"RawValues", RawValuesPage, Points> = {
  rpc: "RawValues",
  deserialize: decodeRawValuesResponse,
  page: (page) => ({ times: page.times, values: page.values, version: page.versionMajor })
}

/** One AlignedWindowsResponse / WindowsResponse as one columnar page. */
const statPointsDecoder = <R extends "AlignedWindows" | "Windows">(
  rpc: R
): ResponseDecoder<R, StatPointsPage, Windows> => ({
  rpc,
  deserialize: decodeStatPointsResponse,
  page: (page) => ({
    times: page.times,
    min: page.min,
    mean: page.mean,
    max: page.max,
    count: page.count,
    stddev: page.stddev,
    version: page.versionMajor
  })
})

const alignedWindowsDecoder = statPointsDecoder("AlignedWindows")
const windowsDecoder = statPointsDecoder("Windows")

/** The largest InsertParams of one chunk. */
const INSERT_BUFFER_BYTES = maxInsertParamsBytes(INSERT_CHUNK_POINTS)

/**
 * Encodes one InsertParams from columns, into buffers reused from one call to the next once grpc-js is done with
 * them: a long insert's chunks then take a few warm buffers instead of a new megabyte each (bench/README.md). It
 * keeps one buffer more than an insert has calls in flight by default (4), each at most a full chunk's size: at
 * most 5.3 MB per connection.
 */
const insertEncoder = (): RequestEncoder<"Insert", InsertParamsInput> => {
  const buffers = new LentBuffers(5, INSERT_BUFFER_BYTES)
  return {
    rpc: "Insert",
    serialize: (request) => asBuffer(encodeInsertParams(request, buffers)),
    release: (bytes) => buffers.giveBack(bytes)
  }
}

/** Insert calls, one per chunk, their requests written by one encoder of the connection's own. */
const insertCalls = (connection: Connection): Backend["insert"] => {
  const requests = insertEncoder()
  return (uuid, times, values, policy) =>
    Effect.map(
      connection.unaryEncoded(
        requests,
        {
          uuid: toBytes(uuid),
          sync: false,
          times,
          values,
          mergePolicy: mergePolicyCode(policy)
        },
        { uuid }
      ),
      (r) => BigInt(r.versionMajor)
    )
}

/** One ChangesResponse as one columnar page. */
export const rangesFromWire = (message: DecodedResponseOf<"Changes">): ChangedRanges => {
  const n = message.ranges.length
  const start = new BigInt64Array(n)
  const end = new BigInt64Array(n)
  for (let i = 0; i < n; i++) {
    start[i] = BigInt(message.ranges[i]!.start)
    end[i] = BigInt(message.ranges[i]!.end)
  }
  return { start, end, version: BigInt(message.versionMajor) }
}

/** An Arrow read's answer (ArrowMultiValuesResponse has no version fields). */
const arrowMessage = (r: { readonly versionMajor?: string; readonly arrowBytes: Buffer }): ArrowMessage => ({
  bytes: r.arrowBytes,
  version: BigInt(r.versionMajor ?? 0)
})

/**
 * A `Backend` that calls the server behind `connection`.
 */
export const make = (connection: Connection): Backend => ({
  endpoint: connection.endpoint,
  contextFreeStreams: true,

  info: Effect.map(
    connection.unary("Info", {}),
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
      connection.unary("Create", {
        uuid: uuidBytes(uuid),
        collection,
        tags: toWirePairs(tags),
        annotations: toWirePairs(annotations)
      }, { uuid })
    ),

  streamInfo: (uuid, { omitDescriptor, omitVersion }) =>
    Effect.map(
      connection.unary(
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
      connection.unary("SetStreamAnnotations", {
        uuid: uuidBytes(uuid),
        expectedPropertyVersion: expectedPropertyVersion.toString(),
        changes: toWirePairs(changes),
        removals: [...removals]
      }, { uuid })
    ),

  setStreamTags: (uuid, expectedPropertyVersion, tags, collection, remove) =>
    Effect.asVoid(
      connection.unary("SetStreamTags", {
        uuid: uuidBytes(uuid),
        expectedPropertyVersion: expectedPropertyVersion.toString(),
        tags: toWirePairs(tags),
        collection,
        remove: [...remove]
      }, { uuid })
    ),

  listCollections: (prefix) =>
    connection.serverStream("ListCollections", { prefix })
      .pipe(
        Stream.flatMap((r) => Stream.fromIterable(r.collections))
      ),

  lookupStreams: (query) =>
    connection.serverStream("LookupStreams", {
      collection: query.collection,
      isCollectionPrefix: query.isCollectionPrefix,
      tags: toWirePairs(query.tags),
      annotations: toWirePairs(query.annotations)
    }).pipe(Stream.flatMap((r) => Stream.fromIterable(r.results.map(descriptorFromWire)))),

  metadataUsage: (prefix) =>
    Effect.map(
      connection.unary("GetMetadataUsage", { prefix }),
      (r) => new MetadataUsage({ tags: countsFromWire(r.tags), annotations: countsFromWire(r.annotations) })
    ),

  sqlQuery: (query, params) =>
    connection.serverStream("SQLQuery", { query, params: [...params] }).pipe(
      Stream.flatMap((r) => Stream.fromIterable(r.SQLQueryRow)),
      Stream.mapEffect((row) =>
        Effect.try({
          try: (): unknown => JSON.parse(row.toString("utf8")),
          catch: () => new BadSQLValue({ method: "SQLQuery", detail: "the server sent a row that is not JSON" })
        })
      )
    ),

  obliterate: (uuid) => Effect.asVoid(connection.unary("Obliterate", { uuid: uuidBytes(uuid) }, { uuid })),

  insert: insertCalls(connection),

  rawValues: (uuid, start, end, version) =>
    connection.serverStreamCoded(rawValuesEncoder, rawValuesDecoder, { uuid, start, end, versionMajor: version }, {
      uuid
    }),

  alignedWindows: (uuid, start, end, pointWidth, version) =>
    connection.serverStreamCoded(
      alignedWindowsEncoder,
      alignedWindowsDecoder,
      { uuid, start, end, versionMajor: version, pointWidth },
      { uuid }
    ),

  windows: (uuid, start, end, width, depth, version) =>
    connection.serverStreamCoded(
      windowsEncoder,
      windowsDecoder,
      { uuid, start, end, versionMajor: version, width, depth },
      { uuid }
    ),

  nearest: (uuid, time, version, backward) =>
    Effect.map(
      connection.unary("Nearest", {
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
      connection.serverStream("Changes", {
        uuid: uuidBytes(uuid),
        fromMajor: fromMajor.toString(),
        toMajor: toMajor.toString(),
        resolution
      }, { uuid }),
      rangesFromWire
    ),

  delete: (uuid, start, end) =>
    Effect.map(
      connection.unary("Delete", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString()
      }, { uuid }),
      (r) => BigInt(r.versionMajor)
    ),

  flush: (uuid) =>
    Effect.map(
      connection.unary("Flush", { uuid: uuidBytes(uuid) }, { uuid }),
      (r) => BigInt(r.versionMajor)
    ),

  arrowValues: (uuid, start, end, version, template) =>
    Stream.map(
      connection.serverStream("ArrowRawValues", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString(),
        templateBytes: template
      }, { uuid }),
      arrowMessage
    ),

  arrowMultiValues: (uuids, versions, start, end, snapPeriodNs, template) =>
    Stream.map(
      connection.serverStream("ArrowMultiValues", {
        uuid: uuids.map(uuidBytes),
        versionMajor: versions.map(String),
        start: start.toString(),
        end: end.toString(),
        snapPeriodNs: snapPeriodNs.toString(),
        templateBytes: template
      }),
      arrowMessage
    ),

  arrowWindows: (uuid, start, end, width, depth, version) =>
    Stream.map(
      connection.serverStream("ArrowWindows", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString(),
        width: width.toString(),
        depth
      }, { uuid }),
      arrowMessage
    ),

  arrowAlignedWindows: (uuid, start, end, pointWidth, version) =>
    Stream.map(
      connection.serverStream("ArrowAlignedWindows", {
        uuid: uuidBytes(uuid),
        start: start.toString(),
        end: end.toString(),
        versionMajor: version.toString(),
        pointWidth
      }, { uuid }),
      arrowMessage
    ),

  arrowInsert: (uuid, arrowBytes, policy) =>
    Effect.map(
      connection.unary("ArrowInsert", {
        uuid: uuidBytes(uuid),
        sync: false,
        merge_policy: mergePolicyToWire(policy),
        arrowBytes
      }, { uuid }),
      (r) => BigInt(r.versionMajor)
    ),

  subscribe: (uuids) =>
    Stream.map(
      connection.bidiStream(
        "Subscribe",
        [{ op: "ADD_UUIDS", uuid: uuids.map(uuidBytes) }],
        uuids.length === 1 ? { uuid: uuids[0] } : {}
      ),
      (r) => ({
        uuid: fromBytes(r.uuid) ?? ("00000000-0000-0000-0000-000000000000" as Uuid),
        bytes: r.arrowBytes
      })
    )
})
