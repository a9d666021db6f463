/**
 * The `Backend` of `BTrDB.layerMemory`: the embedded server's own engine, called in-process instead of over gRPC.
 * The engine enforces every rule and code, so this layer answers as the server does.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Pull from "effect/Pull"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ArrowInsert from "../../engine/arrow/insert.js"
import * as ArrowReads from "../../engine/arrow/reads.js"
import type { Paged } from "../../engine/data/DataStore.js"
import { Database } from "../../engine/Database.js"
import type * as Metadata from "../../engine/metadata/MetadataStore.js"
import { isStatusError } from "../../engine/StatusError.js"
import {
  checkSubscribable,
  DEFAULT_SUBSCRIBER_BACKLOG_BYTES,
  subscriberTooSlow
} from "../../engine/subscriptionRules.js"
import * as E from "../../errors/BTrDBError.js"
import { type Rpc, type RpcErrors, statusError } from "../../errors/internal/rpcErrors.js"
import { StatusCode } from "../../internal/protocol.js"
import { SERVER_VERSION } from "../../internal/version.js"
import { MetadataUsage, StreamDescriptor } from "../../schema/Metadata.js"
import { ServerInfo } from "../../schema/ServerInfo.js"
import type { Uuid } from "../../schema/Uuid.js"
import type { ArrowMessage, Backend, SubscriptionMessage } from "../internal/Backend.js"

/** The version the memory layer reports: the embedded server's. */
const INFO = new ServerInfo({
  majorVersion: SERVER_VERSION.major,
  minorVersion: SERVER_VERSION.minor,
  build: `${SERVER_VERSION.build} (memory)`,
  proxy: { proxyEndpoints: ["memory"] }
})

const failure = <R extends Rpc>(method: R, uuid: string | undefined, error: unknown): RpcErrors<R> =>
  isStatusError(error)
    ? statusError({ method, uuid }, error.code, error.message)
    : statusError({ method, uuid }, StatusCode.InvariantFailure, `internal error: ${String(error)}`)

const call = <R extends Rpc, A>(
  method: R,
  uuid: string | undefined,
  f: () => A | Promise<A>
): Effect.Effect<A, RpcErrors<R>> =>
  Effect.tryPromise({ try: async () => f(), catch: (error) => failure(method, uuid, error) })

const stream = <R extends Rpc, A>(
  method: R,
  f: () => Iterable<A> | AsyncIterable<A>
): Stream.Stream<A, RpcErrors<R>> =>
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
const paged = <R extends Rpc, P, A>(
  method: R,
  uuid: string,
  open: () => Paged<P>,
  convert: (page: P, version: bigint) => A
): Stream.Stream<A, RpcErrors<R>> =>
  Stream.suspend(() => {
    let read: Paged<P>
    try {
      read = open()
    } catch (error) {
      return Stream.fail(failure(method, uuid, error))
    }
    const iterator = read.pages[Symbol.iterator]()
    const version = read.version.major
    const pull: Pull.Pull<readonly [A], RpcErrors<R>> = Effect.suspend((): Pull.Pull<readonly [A], RpcErrors<R>> => {
      try {
        const next = iterator.next()
        return next.done ? Cause.done() : Effect.succeed([convert(next.value, version)] as const)
      } catch (error) {
        return Effect.fail(failure(method, uuid, error))
      }
    })
    return Stream.fromPull(Effect.succeed(pull)).pipe(Stream.ensuring(Effect.sync(() => iterator.return?.())))
  })

/** An Arrow read of the engine as a `Stream` of its messages, produced when pulled. */
const arrowRead = <R extends Rpc>(method: R, uuid: string | undefined, open: () => ArrowReads.ArrowRead) =>
  paged(method, uuid ?? "", () => {
    const read = open()
    return { version: read.version, pages: read.messages }
  }, (bytes, version): ArrowMessage => ({ bytes, version }))

const toDescriptor = (d: Metadata.StreamDescriptor): StreamDescriptor =>
  new StreamDescriptor({
    uuid: d.uuid as Uuid,
    collection: d.collection,
    tags: { ...d.tags },
    annotations: { ...d.annotations },
    propertyVersion: d.propertyVersion
  })

/** A `Backend` over a fresh in-memory database, closed with the scope. */
export const make = (
  open: () => Promise<Database> = () => Database.open()
): Effect.Effect<Backend, E.BTrDBServerError, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.tryPromise({
        try: open,
        catch: (error) =>
          new E.BTrDBServerError({
            method: "layerMemory",
            code: isStatusError(error) ? error.code : StatusCode.InvariantFailure,
            detail: `the in-memory database could not open: ${error instanceof Error ? error.message : String(error)}`
          })
      }),
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
        call("Insert", uuid, () => db.insert(uuid, { times, values }, { policy }).then((v) => v.major)),
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
      flush: (uuid) => call("Flush", uuid, () => db.data.flush(uuid).then((v) => v.major)),

      arrowValues: (uuid, start, end, version, template) =>
        arrowRead("ArrowRawValues", uuid, () => ArrowReads.rawValues(db.data, uuid, start, end, version, template)),
      arrowMultiValues: (uuids, versions, start, end, snapPeriodNs, template) =>
        arrowRead(
          "ArrowMultiValues",
          undefined,
          () => ArrowReads.multiValues(db.data, uuids, versions, start, end, snapPeriodNs, template)
        ),
      arrowWindows: (uuid, start, end, width, depth, version) =>
        arrowRead("ArrowWindows", uuid, () => ArrowReads.windows(db.data, uuid, start, end, width, depth, version)),
      arrowAlignedWindows: (uuid, start, end, pointWidth, version) =>
        arrowRead(
          "ArrowAlignedWindows",
          uuid,
          () => ArrowReads.alignedWindows(db.data, uuid, start, end, pointWidth, version)
        ),
      arrowInsert: (uuid, arrowBytes, policy) =>
        call("ArrowInsert", uuid, () => ArrowInsert.arrowInsert(db, uuid, arrowBytes, policy).then((v) => v.major)),
      subscribe: (uuids) => subscribe(db, uuids)
    })
  )

type Delivery =
  | { readonly _tag: "Message"; readonly message: SubscriptionMessage }
  | { readonly _tag: "TooSlow" }

/**
 * Subscribe over the engine's insert listener, as the server does it (`server/subscribe.ts`): 404 for an unknown
 * stream, the points of every accepted insert as §9.1 Arrow messages, and a bounded backlog (426 past it).
 */
const subscribe = (
  db: Database,
  uuids: ReadonlyArray<Uuid>
): Stream.Stream<SubscriptionMessage, RpcErrors<"Subscribe">> =>
  Stream.unwrap(Effect.gen(function*() {
    yield* Effect.try({
      try: () => checkSubscribable(db, uuids),
      catch: (error) => failure("Subscribe", uuids.length === 1 ? uuids[0] : undefined, error)
    })
    const wanted = new Set<string>(uuids)
    const queue = yield* Queue.unbounded<Delivery>()
    let backlog = 0
    const stop = db.onInsert((uuid, points) => {
      if (!wanted.has(uuid)) return
      for (const bytes of ArrowReads.pointsMessages(points)) {
        backlog += bytes.length
        Queue.offerUnsafe(queue, { _tag: "Message", message: { uuid: uuid as Uuid, bytes } })
      }
      if (backlog > DEFAULT_SUBSCRIBER_BACKLOG_BYTES) {
        stop()
        Queue.offerUnsafe(queue, { _tag: "TooSlow" })
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(stop))
    return Stream.fromQueue(queue).pipe(
      Stream.mapEffect((delivery) => {
        if (delivery._tag === "TooSlow") {
          return Effect.fail(failure("Subscribe", undefined, subscriberTooSlow(DEFAULT_SUBSCRIBER_BACKLOG_BYTES)))
        }
        backlog -= delivery.message.bytes.length
        return Effect.succeed(delivery.message)
      })
    )
  }))
