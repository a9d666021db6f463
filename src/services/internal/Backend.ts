/**
 * What the `BTrDB` service needs from a server, one operation per v5api RPC, in the SDK's own types.
 * Two implementations exist: the gRPC one (`grpcBackend.ts`) and the in-memory one (`../memory/`). The service
 * logic above them is written once, so both behave the same.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as E from "../../errors/BTrDBError.js"
import type { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import type { ServerInfo } from "../../schema/ServerInfo.js"
import type { Uuid } from "../../schema/Uuid.js"

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

/** The server operations behind the `BTrDB` service. */
export interface Backend {
  /** What the backend is connected to, for messages. */
  readonly endpoint: string
  readonly info: Effect.Effect<ServerInfo, E.CallErrors>
  readonly create: (
    uuid: Uuid,
    collection: string,
    tags: ReadonlyArray<KeyOptValue>,
    annotations: ReadonlyArray<KeyOptValue>
  ) => Effect.Effect<void, E.CallErrors>
  readonly streamInfo: (
    uuid: Uuid,
    options: { readonly omitDescriptor: boolean; readonly omitVersion: boolean }
  ) => Effect.Effect<StreamInfo, E.CallErrors>
  readonly setStreamAnnotations: (
    uuid: Uuid,
    expectedPropertyVersion: bigint,
    changes: ReadonlyArray<KeyOptValue>,
    removals: ReadonlyArray<string>
  ) => Effect.Effect<void, E.CallErrors>
  readonly setStreamTags: (
    uuid: Uuid,
    expectedPropertyVersion: bigint,
    tags: ReadonlyArray<KeyOptValue>,
    collection: string,
    remove: ReadonlyArray<string>
  ) => Effect.Effect<void, E.CallErrors>
  readonly listCollections: (prefix: string) => Stream.Stream<string, E.CallErrors>
  readonly lookupStreams: (query: LookupQuery) => Stream.Stream<StreamDescriptor, E.CallErrors>
  readonly metadataUsage: (prefix: string) => Effect.Effect<MetadataUsage, E.CallErrors>
  /** One decoded JSON row per element. */
  readonly sqlQuery: (query: string, params: ReadonlyArray<string>) => Stream.Stream<unknown, E.CallErrors>
  readonly obliterate: (uuid: Uuid) => Effect.Effect<void, E.CallErrors>
}
