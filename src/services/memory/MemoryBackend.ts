/**
 * The `Backend` of `BTrDB.layerMemory`: the embedded server's own engine, called in-process instead of over gRPC.
 * The engine enforces every rule and code, so this layer answers as the server does.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Paged } from "../../engine/data/DataStore.js"
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

/**
 * A lazily paged engine read as a `Stream`: `open` runs (and may fail) when the stream starts; each page is
 * computed when pulled, so stopping early stops the work.
 */
const paged = <P, A>(
  method: string,
  uuid: string,
  open: () => Paged<P>,
  convert: (page: P, version: bigint) => A
): Stream.Stream<A, E.CallErrors> =>
  Stream.suspend(() => {
    let read: Paged<P>
    try {
      read = open()
    } catch (error) {
      return Stream.fail(failure(method, uuid, error))
    }
    const iterator = read.pages[Symbol.iterator]()
    const version = read.version.major
    return Stream.repeatEffectOption(
      Effect.suspend(() => {
        try {
          const next = iterator.next()
          return next.done ? Effect.fail(Option.none()) : Effect.succeed(convert(next.value, version))
        } catch (error) {
          return Effect.fail(Option.some(failure(method, uuid, error)))
        }
      })
    ).pipe(Stream.ensuring(Effect.sync(() => iterator.return?.())))
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
      obliterate: (uuid) => Effect.asVoid(call("Obliterate", uuid, () => db.obliterate(uuid))),

      insert: (uuid, times, values, policy) =>
        call("Insert", uuid, () => db.data.insert(uuid, { times, values }, { policy }).then((v) => v.major)),
      rawValues: (uuid, start, end, version) =>
        paged(
          "RawValues",
          uuid,
          () => db.data.rawValues(uuid, start, end, version),
          (page, v) => ({ times: page.times, values: page.values, version: v })
        ),
      alignedWindows: (uuid, start, end, pointWidth, version) =>
        paged(
          "AlignedWindows",
          uuid,
          () => db.data.alignedWindows(uuid, start, end, pointWidth, version),
          (page, v) => ({ ...page, version: v })
        ),
      windows: (uuid, start, end, width, depth, version) =>
        paged(
          "Windows",
          uuid,
          () => db.data.windows(uuid, start, end, width, depth, version),
          (page, v) => ({ ...page, version: v })
        ),
      nearest: (uuid, time, version, backward) =>
        call("Nearest", uuid, () => {
          const found = db.data.nearest(uuid, time, version, backward)
          return { time: found.time, value: found.value, version: found.version.major }
        }),
      changes: (uuid, fromMajor, toMajor, resolution) =>
        paged(
          "Changes",
          uuid,
          () => db.data.changes(uuid, fromMajor, toMajor, resolution),
          (page, v) => ({ start: page.start, end: page.end, version: v })
        ),
      delete: (uuid, start, end) => call("Delete", uuid, () => db.data.delete(uuid, start, end).then((v) => v.major)),
      flush: (uuid) => call("Flush", uuid, () => db.data.flush(uuid).then((v) => v.major))
    })
  )
