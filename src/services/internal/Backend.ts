/**
 * What the `BTrDB` service needs from a server, one operation per v5api RPC, in the SDK's own types.
 * Two implementations exist: the gRPC one (`grpcBackend.ts`) and the in-memory one (`../memory/`). The service
 * logic above them is written once, so both behave the same.
 */
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { RpcErrors } from "../../errors/internal/rpcErrors.js"
import type { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import type { ChangedRanges, MergePolicy, Points, VersionedPoint, Windows } from "../../schema/Points.js"
import type { ServerInfo } from "../../schema/ServerInfo.js"
import type { Uuid } from "../../schema/Uuid.js"
import type { ClusterState } from "../Cluster.js"

/** A key with an optional value: in filters "key present"; in changes "delete the key". */
export interface KeyOptValue {
  readonly key: string
  readonly value: string | undefined
}

/** The answer of StreamInfo. */
export interface StreamInfo {
  readonly descriptor: StreamDescriptor | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
}

/** Filters of LookupStreams. */
export interface LookupQuery {
  readonly collection: string
  readonly isCollectionPrefix: boolean
  readonly tags: ReadonlyArray<KeyOptValue>
  readonly annotations: ReadonlyArray<KeyOptValue>
}

/** One message of an Arrow read: a complete Arrow IPC stream, and the version that served it (0 when none is sent). */
export interface ArrowMessage {
  readonly bytes: Uint8Array
  readonly version: bigint
}

/** One message of a subscription: new points of a stream as an Arrow IPC stream (PROTOCOL.md §9.5). */
export interface SubscriptionMessage {
  readonly uuid: Uuid
  readonly bytes: Uint8Array
}

/** The server operations behind the `BTrDB` service. */
export interface Backend {
  /** What the backend is connected to, for messages. */
  readonly endpoint: string
  /** The map a routing backend routes by (`cluster/routingBackend.ts`); absent for one endpoint. */
  readonly cluster?: Effect.Effect<Option.Option<ClusterState>> | undefined
  /**
   * True when the backend's streams read nothing from the context they run in (a routing backend's annotate their
   * RPC span): their RPC spans are then not given to each of their pulls (`streamSpan.ts`, `withLeafSpan`).
   */
  readonly contextFreeStreams?: boolean | undefined
  readonly info: Effect.Effect<ServerInfo, RpcErrors<"Info">>
  readonly create: (
    uuid: Uuid,
    collection: string,
    tags: ReadonlyArray<KeyOptValue>,
    annotations: ReadonlyArray<KeyOptValue>
  ) => Effect.Effect<void, RpcErrors<"Create">>
  readonly streamInfo: (
    uuid: Uuid,
    options: { readonly omitDescriptor: boolean; readonly omitVersion: boolean }
  ) => Effect.Effect<StreamInfo, RpcErrors<"StreamInfo">>
  readonly setStreamAnnotations: (
    uuid: Uuid,
    expectedPropertyVersion: bigint,
    changes: ReadonlyArray<KeyOptValue>,
    removals: ReadonlyArray<string>
  ) => Effect.Effect<void, RpcErrors<"SetStreamAnnotations">>
  readonly setStreamTags: (
    uuid: Uuid,
    expectedPropertyVersion: bigint,
    tags: ReadonlyArray<KeyOptValue>,
    collection: string,
    remove: ReadonlyArray<string>
  ) => Effect.Effect<void, RpcErrors<"SetStreamTags">>
  readonly listCollections: (prefix: string) => Stream.Stream<string, RpcErrors<"ListCollections">>
  readonly lookupStreams: (query: LookupQuery) => Stream.Stream<StreamDescriptor, RpcErrors<"LookupStreams">>
  readonly metadataUsage: (prefix: string) => Effect.Effect<MetadataUsage, RpcErrors<"GetMetadataUsage">>
  /** One decoded JSON row per element. */
  readonly sqlQuery: (query: string, params: ReadonlyArray<string>) => Stream.Stream<unknown, RpcErrors<"SQLQuery">>
  readonly obliterate: (uuid: Uuid) => Effect.Effect<void, RpcErrors<"Obliterate">>

  // The data plane. Reads are streams of columnar pages, one per server message, each with the serving version.

  /** One Insert call (at most the server's limit of points); the major version after it. */
  readonly insert: (
    uuid: Uuid,
    times: BigInt64Array,
    values: Float64Array,
    policy: MergePolicy
  ) => Effect.Effect<bigint, RpcErrors<"Insert">>
  readonly rawValues: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    version: bigint
  ) => Stream.Stream<Points, RpcErrors<"RawValues">>
  readonly alignedWindows: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    pointWidth: number,
    version: bigint
  ) => Stream.Stream<Windows, RpcErrors<"AlignedWindows">>
  readonly windows: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    width: bigint,
    depth: number,
    version: bigint
  ) => Stream.Stream<Windows, RpcErrors<"Windows">>
  /** Fails with `NoSuchPoint` (401) when there is none. */
  readonly nearest: (
    uuid: Uuid,
    time: bigint,
    version: bigint,
    backward: boolean
  ) => Effect.Effect<VersionedPoint, RpcErrors<"Nearest">>
  readonly changes: (
    uuid: Uuid,
    fromMajor: bigint,
    toMajor: bigint,
    resolution: number
  ) => Stream.Stream<ChangedRanges, RpcErrors<"Changes">>
  /** The major version after the delete. */
  readonly delete: (uuid: Uuid, start: bigint, end: bigint) => Effect.Effect<bigint, RpcErrors<"Delete">>
  /** The major version after the flush. */
  readonly flush: (uuid: Uuid) => Effect.Effect<bigint, RpcErrors<"Flush">>

  // The Arrow half (PROTOCOL.md §9): every message is a complete IPC stream.

  /** ArrowRawValues; `template` is empty (the default schema) or a schema-only IPC stream. */
  readonly arrowValues: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    version: bigint,
    template: Uint8Array
  ) => Stream.Stream<ArrowMessage, RpcErrors<"ArrowRawValues">>
  /** ArrowMultiValues; `versions` index-aligned with `uuids` (0 = latest). */
  readonly arrowMultiValues: (
    uuids: ReadonlyArray<Uuid>,
    versions: ReadonlyArray<bigint>,
    start: bigint,
    end: bigint,
    snapPeriodNs: bigint,
    template: Uint8Array
  ) => Stream.Stream<ArrowMessage, RpcErrors<"ArrowMultiValues">>
  readonly arrowWindows: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    width: bigint,
    depth: number,
    version: bigint
  ) => Stream.Stream<ArrowMessage, RpcErrors<"ArrowWindows">>
  readonly arrowAlignedWindows: (
    uuid: Uuid,
    start: bigint,
    end: bigint,
    pointWidth: number,
    version: bigint
  ) => Stream.Stream<ArrowMessage, RpcErrors<"ArrowAlignedWindows">>
  /** One ArrowInsert call; the major version after it. */
  readonly arrowInsert: (
    uuid: Uuid,
    arrowBytes: Uint8Array,
    policy: MergePolicy
  ) => Effect.Effect<bigint, RpcErrors<"ArrowInsert">>
  /** Subscribe to the inserts of `uuids` until the stream is interrupted. */
  readonly subscribe: (uuids: ReadonlyArray<Uuid>) => Stream.Stream<SubscriptionMessage, RpcErrors<"Subscribe">>
}
