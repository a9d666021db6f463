/**
 * The `Backend` of `BTrDB.layerMemory`: the embedded server's own engine, called in-process instead of over gRPC.
 * The engine enforces every rule and code, so this layer answers as the server does.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Database } from "../../engine/Database.js"
import type * as Metadata from "../../engine/metadata/MetadataStore.js"
import { isStatusError } from "../../engine/StatusError.js"
import type * as E from "../../errors/BTrDBError.js"
import { fromStatus } from "../../errors/fromStatus.js"
import { StatusCode } from "../../internal/protocol.js"
import { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import { ServerInfo } from "../../schema/ServerInfo.js"
import type { Uuid } from "../../schema/Uuid.js"
import type { Backend } from "../internal/Backend.js"

/** The version the memory layer reports: the embedded server's. */
const INFO = new ServerInfo({
  majorVersion: 5,
  minorVersion: 20,
  build: "effect-btrdb 0.1.0 (memory)",
  proxy: { proxyEndpoints: ["memory"] }
})

const failure = (method: string, uuid: string | undefined, error: unknown): E.CallErrors =>
  isStatusError(error)
    ? fromStatus({ method, uuid }, error.code, error.message)
    : fromStatus({ method, uuid }, StatusCode.InvariantFailure, `internal error: ${String(error)}`)

const call = <A>(method: string, uuid: string | undefined, f: () => A | Promise<A>): Effect.Effect<A, E.CallErrors> =>
  Effect.tryPromise({ try: async () => f(), catch: (error) => failure(method, uuid, error) })

const stream = <A>(
  method: string,
  f: () => Iterable<A> | AsyncIterable<A>
): Stream.Stream<A, E.CallErrors> =>
  Stream.suspend(() => {
    try {
      const items = f()
      return Symbol.asyncIterator in items
        ? Stream.fromAsyncIterable(items as AsyncIterable<A>, (error) => failure(method, undefined, error))
        : Stream.fromIterable(items as Iterable<A>)
    } catch (error) {
      return Stream.fail(failure(method, undefined, error))
    }
  })

const toDescriptor = (d: Metadata.StreamDescriptor): StreamDescriptor =>
  new StreamDescriptor({
    uuid: d.uuid as Uuid,
    collection: d.collection,
    tags: { ...d.tags },
    annotations: { ...d.annotations },
    propertyVersion: d.propertyVersion
  })

/** A `Backend` over a fresh in-memory database, closed with the scope. */
export const make = (): Effect.Effect<Backend, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => Database.open()),
      (db) => Effect.promise(() => db.close())
    ),
    (db): Backend => ({
      endpoint: "memory",
      info: Effect.succeed(INFO),
      create: (uuid, collection, tags, annotations) =>
        Effect.asVoid(call("Create", uuid, () => db.create(uuid, collection, tags, annotations))),
      streamInfo: (uuid, { omitDescriptor, omitVersion }) =>
        call("StreamInfo", uuid, () => {
          const info = db.streamInfo(uuid, omitDescriptor, omitVersion)
          return { ...info, descriptor: info.descriptor === undefined ? undefined : toDescriptor(info.descriptor) }
        }),
      setStreamAnnotations: (uuid, expected, changes, removals) =>
        Effect.asVoid(
          call("SetStreamAnnotations", uuid, () => db.metadata.setAnnotations(uuid, expected, changes, removals))
        ),
      setStreamTags: (uuid, expected, tags, collection, remove) =>
        Effect.asVoid(call("SetStreamTags", uuid, () => db.metadata.setTags(uuid, expected, tags, collection, remove))),
      listCollections: (prefix) => stream("ListCollections", () => db.metadata.listCollections(prefix)),
      lookupStreams: (query) =>
        Stream.map(stream("LookupStreams", () => db.metadata.lookupStreams(query)), toDescriptor),
      metadataUsage: (prefix) =>
        call("GetMetadataUsage", undefined, () => new MetadataUsage(db.metadata.metadataUsage(prefix))),
      sqlQuery: (query, params) =>
        Stream.map(stream("SQLQuery", () => db.metadata.sql(query, params)), (row): unknown => JSON.parse(row)),
      obliterate: (uuid) => Effect.asVoid(call("Obliterate", uuid, () => db.obliterate(uuid)))
    })
  )
