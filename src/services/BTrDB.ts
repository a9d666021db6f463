/**
 * The connection to a BTrDB server, as an Effect service. Provide it with a `Layer`:
 *
 * - {@link layer}: connect to an endpoint you name;
 * - {@link layerConfig}: connect with options read from effect's `Config`;
 * - {@link layerFromCredentials}: connect as the Python client's `btrdb.connect()` would, from `BTRDB_ENDPOINTS`,
 *   `BTRDB_API_KEY`, `BTRDB_PROFILE` and `~/.predictivegrid/credentials.yaml`;
 * - {@link layerMemory}: the whole service in memory, for your tests.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { BTrDB } from "effect-btrdb"
 *
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.BTrDB
 *   const collections = yield* db.listCollections("sunshine")
 *   console.log(collections)
 * })
 * Effect.runPromise(program.pipe(Effect.provide(BTrDB.layer({ endpoint: "localhost:4410" }))))
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as E from "../errors/BTrDBError.js"
import * as Connection from "../internal/grpc/Connection.js"
import { Annotations, Collection, type MetadataUsage, Tags } from "../schema/Metadata.js"
import type { ServerInfo } from "../schema/ServerInfo.js"
import { type Uuid, UuidFromString } from "../schema/Uuid.js"
import type * as Cluster from "./Cluster.js"
import { defaultResync } from "./Cluster.js"
import * as BTrDBConfig from "./Config.js"
import type { Backend, KeyOptValue } from "./internal/Backend.js"
import { attempt, type Client, operation, run, streamOperation } from "./internal/Client.js"
import * as RoutingBackend from "./internal/cluster/routingBackend.js"
import * as GrpcBackend from "./internal/grpcBackend.js"
import { memoryBackend, nodeFileSystem } from "./internal/lazy.js"
import { traceRpcs } from "./internal/tracedBackend.js"
import { validate, VersionSchema } from "./internal/validate.js"
import * as Retry from "./Retry.js"
import * as BTrDBStream from "./Stream.js"
import * as StreamSet from "./StreamSet.js"

/**
 * @example
 * ```ts
 * const isService = (u: object) => BTrDB.TypeId in u
 * ```
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/BTrDB")

/**
 * @example
 * ```ts
 * const id: BTrDB.TypeId = BTrDB.TypeId
 * ```
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Arguments of {@link Service.create}.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const params: BTrDB.CreateParams = {
 *     uuid: Uuid.random(),
 *     collection: "sensors/pmu1",
 *     tags: { name: "voltage", unit: "volts" }
 *   }
 *   const stream = yield* db.create(params)
 *   return stream.uuid
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface CreateParams {
  /** The new stream's UUID (any letter case, with or without hyphens). */
  readonly uuid: string
  readonly collection: string
  /** Tags: only `name`, `unit`, `ingress` and `distiller`. */
  readonly tags?: Readonly<Record<string, string>> | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of {@link Service.streams}.
 *
 * @example
 * ```ts
 * const set = db.streams(["sensors/pmu1/voltage", "f98f4b4e-9fab-46b5-8a80-f282059d69b1"], { versions: [0, 12n] })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface StreamsOptions {
  /** One version per identifier, in the same order; 0 means latest. */
  readonly versions?: ReadonlyArray<bigint | number> | undefined
  /** Whether the collection part of a `collection/name` identifier is a prefix. Default false. */
  readonly isCollectionPrefix?: boolean | undefined
}

/**
 * Metadata filters: a string value must match exactly (case-sensitive); `null` only requires the key to be present.
 *
 * @example
 * ```ts
 * const filter: BTrDB.MetadataFilter = { unit: "volts", ingress: null }
 * ```
 * @since 0.1.0
 * @category models
 */
export type MetadataFilter = Readonly<Record<string, string | null>>

/**
 * Options of {@link Service.streamsInCollection}.
 *
 * @example
 * ```ts
 * const set = db.streamsInCollection("sensors", { tags: { unit: "volts" }, isCollectionPrefix: true })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface StreamsInCollectionOptions {
  /** Whether each collection is a prefix. Default true, as in the Python client. */
  readonly isCollectionPrefix?: boolean | undefined
  readonly tags?: MetadataFilter | undefined
  readonly annotations?: MetadataFilter | undefined
}

/**
 * The errors of `info`: those any call may meet (transport failures, and a status code the call does not expect as
 * `BTrDBServerError` or `BTrDBError`).
 *
 * @example
 * ```ts
 * const info: Effect.Effect<ServerInfo.ServerInfo, BTrDB.InfoErrors> = db.info
 * ```
 * @since 0.2.0
 * @category errors
 */
export type InfoErrors = BTrDBStream.Unexpected

/**
 * The errors of `create`. `StreamNotFound` is the stream obliterated by someone else between its creation and the
 * read of its metadata.
 *
 * @example
 * ```ts
 * const uuid = Uuid.random()
 * const created = db.create({ uuid, collection: "sensors/a", tags: { name: "v" } }).pipe(
 *   Effect.catchTag("StreamExists", () => db.streamFromUuid(uuid))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export type CreateErrors =
  | E.InvalidArgument
  | E.InvalidCollection
  | E.InvalidTagKey
  | E.InvalidTagValue
  | E.StreamExists
  | E.AmbiguousStream
  | E.RecycledUUID
  | E.StreamNotFound
  | BTrDBStream.Unexpected

/**
 * The errors of `listCollections` and `collectionMetadata`: an invalid collection prefix, or what any call may meet.
 *
 * @example
 * ```ts
 * const all = db.listCollections().pipe(Effect.catchTag("InvalidCollection", () => Effect.succeed([])))
 * ```
 * @since 0.2.0
 * @category errors
 */
export type CollectionErrors = E.InvalidCollection | BTrDBStream.Unexpected

/**
 * The errors of `query`, `queryStream` and the `listUnique…` operations (answered with SQL).
 *
 * @example
 * ```ts
 * const rows = db.query("select name from streams").pipe(Effect.catchTag("BadSQLValue", (e) => Effect.fail(e.detail)))
 * ```
 * @since 0.2.0
 * @category errors
 */
export type QueryErrors = E.BadSQLValue | BTrDBStream.Unexpected

/**
 * The errors of `streamsInCollection`: a bad collection, tag or annotation filter, or what any call may meet.
 *
 * @example
 * ```ts
 * const set: Effect.Effect<StreamSet.StreamSet, BTrDB.LookupErrors> = db.streamsInCollection("sensors")
 * ```
 * @since 0.2.0
 * @category errors
 */
export type LookupErrors = E.InvalidCollection | E.InvalidTagKey | E.InvalidTagValue | BTrDBStream.Unexpected

/**
 * The errors of `streams`: a bad identifier or version (`InvalidArgument`), a `collection/name` matching no stream
 * or several (`StreamNotFound`), or those of a lookup.
 *
 * @example
 * ```ts
 * const set = db.streams(["sensors/a/voltage"]).pipe(Effect.catchTag("StreamNotFound", () => db.streamsInCollection()))
 * ```
 * @since 0.2.0
 * @category errors
 */
export type StreamsErrors = E.InvalidArgument | E.StreamNotFound | LookupErrors

/**
 * The operations of a BTrDB connection: the Python client's `btrdb.conn.BTrDB`, camelCased.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const db: BTrDB.Service = yield* BTrDB.BTrDB
 *   return yield* db.listCollections("sensors")
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly [TypeId]: TypeId
  /** The endpoint this connection talks to (`"memory"` for {@link layerMemory}). */
  readonly endpoint: string
  /** What the server says about itself. */
  readonly info: Effect.Effect<ServerInfo, InfoErrors>
  /**
   * The cluster map this connection routes by, its revision and the channel to each node (see the `Cluster`
   * module); `None` when every call goes to one endpoint (one server, a proxy, the memory layer).
   *
   * @example
   * ```ts
   * const nodes = db.cluster.pipe(Effect.map(Option.match({
   *   onNone: () => "one endpoint",
   *   onSome: (state) => state.members.map((m) => `${m.nodename}: ${m.channel?.calls ?? 0} calls`).join(", ")
   * })))
   * ```
   */
  readonly cluster: Effect.Effect<Option.Option<Cluster.ClusterState>>
  /** Creates a stream and returns its handle. Fails with `StreamExists` (417), `AmbiguousStream` (418) … */
  readonly create: (params: CreateParams) => Effect.Effect<BTrDBStream.Stream, CreateErrors>
  /** Per-key counts of the tags and annotations used by the streams whose collection starts with `prefix`. */
  readonly collectionMetadata: (prefix: string) => Effect.Effect<MetadataUsage, CollectionErrors>
  /** The collections whose name starts with `startsWith` (all when omitted), sorted. */
  readonly listCollections: (startsWith?: string) => Effect.Effect<ReadonlyArray<string>, CollectionErrors>
  /** The annotation keys used by the streams whose collection starts with `collection` (all when omitted), sorted. */
  readonly listUniqueAnnotations: (collection?: string) => Effect.Effect<ReadonlyArray<string>, QueryErrors>
  /** The `name` tags used under the collection prefix, sorted. */
  readonly listUniqueNames: (collection?: string) => Effect.Effect<ReadonlyArray<string>, QueryErrors>
  /** The `unit` tags used under the collection prefix, sorted. */
  readonly listUniqueUnits: (collection?: string) => Effect.Effect<ReadonlyArray<string>, QueryErrors>
  /**
   * Runs a read-only SQL statement on the metadata table `streams`, with `$1…` parameters, and returns its rows.
   */
  readonly query: (
    stmt: string,
    params?: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<Readonly<Record<string, unknown>>>, QueryErrors>
  /** The same as {@link Service.query}, row by row, for large answers. */
  readonly queryStream: (
    stmt: string,
    params?: ReadonlyArray<string>
  ) => Stream.Stream<Readonly<Record<string, unknown>>, QueryErrors>
  /**
   * The handle of one stream, from its UUID or its `collection/name` (the common single lookup of `streams`): a
   * `collection/name` that matches no stream, or more than one, fails with `StreamNotFound`; a UUID is taken as it
   * is, as `streamFromUuid` does (use `exists`).
   */
  readonly stream: (identifier: string) => Effect.Effect<BTrDBStream.Stream, StreamsErrors>
  /** A handle for `uuid`, without checking that the stream exists (use `exists`). */
  readonly streamFromUuid: (uuid: string) => Effect.Effect<BTrDBStream.Stream, E.InvalidArgument>
  /**
   * A stream set from UUIDs and `collection/name` identifiers. A `collection/name` that matches no stream, or more
   * than one, fails with `StreamNotFound`.
   */
  readonly streams: (
    identifiers: string | ReadonlyArray<string>,
    options?: StreamsOptions
  ) => Effect.Effect<StreamSet.StreamSet, StreamsErrors>
  /**
   * The streams of the given collections (each a prefix unless `isCollectionPrefix: false`), filtered by tags and
   * annotations, concatenated in the order of `collections`. No collection means all streams.
   */
  readonly streamsInCollection: (
    collections?: string | ReadonlyArray<string>,
    options?: StreamsInCollectionOptions
  ) => Effect.Effect<StreamSet.StreamSet, LookupErrors>
}

/**
 * The BTrDB connection service.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.BTrDB
 *   return yield* db.info
 * }).pipe(Effect.provide(BTrDB.layerMemory()))
 * ```
 * @since 0.1.0
 * @category tags
 */
export class BTrDB extends Context.Service<BTrDB, Service>()("effect-btrdb/BTrDB") {}

const toPairs = (record: Readonly<Record<string, string | null>> | undefined): Array<KeyOptValue> =>
  Object.entries(record ?? {}).map(([key, value]) => ({ key, value: value ?? undefined }))

const toArray = (v: string | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  v === undefined ? [] : typeof v === "string" ? [v] : v

const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

const Versions = Schema.Array(VersionSchema)

/**
 * The service over a backend.
 *
 * @example
 * ```ts
 * // `backend` implements the internal Backend interface (a gRPC channel or the in-memory store)
 * declare const backend: Parameters<typeof BTrDB.fromBackend>[0]
 * const db: BTrDB.Service = BTrDB.fromBackend(backend, { retry: Retry.never })
 * ```
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const fromBackend = (
  untraced: Backend,
  options: { readonly retry?: Retry.Policy | undefined } = {}
): Service => {
  const backend = traceRpcs(untraced)
  const client: Client = { backend, retry: options.retry ?? Retry.never }

  const lookup = (
    collection: string,
    isCollectionPrefix: boolean,
    tags: Array<KeyOptValue>,
    annotations: Array<KeyOptValue>
  ) =>
    Stream.runCollect(backend.lookupStreams({ collection, isCollectionPrefix, tags, annotations })).pipe(
      Effect.map((found) => found.map((d) => BTrDBStream.make(client, d.uuid, d)))
    )

  const uniqueValues = (operation: string, expression: string, alias: string, collection: string | undefined) => {
    const statement = `select distinct(${expression}) as ${alias} from streams` +
      (collection === undefined ? "" : " where collection like $1")
    const params = collection === undefined ? [] : [`${collection}%`]
    return run(
      client,
      operation,
      Effect.map(
        Stream.runCollect(backend.sqlQuery(statement, params)),
        (rows) =>
          rows.map((row) => (row as Record<string, unknown>)[alias]).filter((v): v is string => typeof v === "string")
            .sort()
      )
    )
  }

  const queryStream = (stmt: string, params: ReadonlyArray<string> = []) =>
    backend.sqlQuery(stmt, params) as Stream.Stream<Readonly<Record<string, unknown>>, QueryErrors>

  const streamFromUuid = (uuid: string) =>
    Effect.map(validate("streamFromUuid", "uuid", UuidFromString, uuid), (u) => BTrDBStream.make(client, u))

  const resolveIdentifier = (
    identifier: string,
    isCollectionPrefix: boolean
  ): Effect.Effect<BTrDBStream.Stream, StreamsErrors> => {
    if (UUID_TEXT.test(identifier)) return streamFromUuid(identifier)
    const slash = identifier.lastIndexOf("/")
    if (slash <= 0 || slash === identifier.length - 1) {
      return Effect.fail(
        new E.InvalidArgument({
          method: "streams",
          field: "identifiers",
          detail: `"${identifier}" is neither a UUID nor a collection/name (use streamsInCollection for a collection)`
        })
      )
    }
    const collection = identifier.slice(0, slash)
    const name = identifier.slice(slash + 1)
    return Effect.flatMap(
      lookup(collection, isCollectionPrefix, [{ key: "name", value: name }], []),
      (found) =>
        found.length === 1
          ? Effect.succeed(found[0]!)
          : Effect.fail(
            new E.StreamNotFound({
              method: "streams",
              detail: `could not identify stream "${identifier}": ${found.length} streams match`
            })
          )
    )
  }

  return {
    [TypeId]: TypeId,
    endpoint: backend.endpoint,
    info: run(client, "info", backend.info),
    cluster: untraced.cluster ?? Effect.succeed(Option.none()),

    create: (params) =>
      operation(
        client,
        "create",
        Effect.gen(function*() {
          const uuid = yield* validate("create", "uuid", UuidFromString, params.uuid)
          yield* Effect.annotateCurrentSpan("btrdb.uuid", uuid)
          const collection = yield* validate("create", "collection", Collection, params.collection)
          const tags = yield* validate("create", "tags", Tags, params.tags ?? {})
          const annotations = yield* validate("create", "annotations", Annotations, params.annotations ?? {})
          yield* attempt(client, "create", backend.create(uuid, collection, toPairs(tags), toPairs(annotations)))
          const info = yield* attempt(
            client,
            "create",
            backend.streamInfo(uuid, { omitDescriptor: false, omitVersion: true })
          )
          return BTrDBStream.make(client, uuid, info.descriptor!)
        })
      ),

    collectionMetadata: (prefix) => run(client, "collectionMetadata", backend.metadataUsage(prefix)),

    listCollections: (startsWith = "") =>
      run(
        client,
        "listCollections",
        Effect.map(Stream.runCollect(backend.listCollections(startsWith)), (c) => c.sort())
      ),

    listUniqueAnnotations: (collection) =>
      uniqueValues("listUniqueAnnotations", "skeys(annotations)", "annotations", collection),
    listUniqueNames: (collection) => uniqueValues("listUniqueNames", "name", "name", collection),
    listUniqueUnits: (collection) => uniqueValues("listUniqueUnits", "unit", "unit", collection),

    query: (stmt, params) => run(client, "query", Stream.runCollect(queryStream(stmt, params))),
    queryStream: (stmt, params) => streamOperation(client, "queryStream", queryStream(stmt, params)),

    streamFromUuid,

    stream: (identifier) => run(client, "stream", resolveIdentifier(identifier, false)),

    streams: (identifiers, options = {}) =>
      operation(
        client,
        "streams",
        Effect.gen(function*() {
          const ids = toArray(identifiers)
          const versions = options.versions === undefined
            ? undefined
            : yield* validate("streams", "versions", Versions, options.versions)
          if (versions !== undefined && versions.length !== ids.length) {
            return yield* new E.InvalidArgument({
              method: "streams",
              field: "versions",
              detail: `${versions.length} versions for ${ids.length} identifiers`
            })
          }
          const streams = yield* attempt(
            client,
            "streams",
            Effect.forEach(ids, (id) => resolveIdentifier(id, options.isCollectionPrefix ?? false))
          )
          const pinned = new Map<Uuid, bigint>()
          versions?.forEach((v, i) => {
            if (BigInt(v) !== 0n) pinned.set(streams[i]!.uuid, BigInt(v))
          })
          return StreamSet.make(streams, pinned)
        })
      ),

    streamsInCollection: (collections, options = {}) => {
      const names = toArray(collections)
      const tags = toPairs(options.tags)
      const annotations = toPairs(options.annotations)
      const isCollectionPrefix = options.isCollectionPrefix ?? true
      return run(
        client,
        "streamsInCollection",
        Effect.map(
          Effect.forEach(
            names.length === 0 ? [""] : names,
            (c) => lookup(c, names.length === 0 ? true : isCollectionPrefix, tags, annotations)
          ),
          (found) => StreamSet.make(found.flat())
        )
      )
    }
  }
}

/**
 * How to connect.
 *
 * @example
 * ```ts
 * const options: BTrDB.Options = { endpoint: "localhost:4410", apiKey: "key", connectTimeout: "5 seconds" }
 * const kept: BTrDB.Options = { endpoint: "localhost:4410", apiKey: Redacted.make("key") } // the same
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `host:port`. Port 4411 means TLS (roots from `caBundle`, else `BTRDB_CA_BUNDLE`, else the system's). */
  readonly endpoint: string
  /**
   * Sent as `authorization: Bearer <key>` on every call: a plain string (the SDK wraps it in `Redacted` at once, so
   * it never shows in logs or errors) or a `Redacted` you already hold.
   */
  readonly apiKey?: string | Redacted.Redacted | undefined
  /** PEM root certificates for TLS. */
  readonly caBundle?: Buffer | undefined
  /** Use TLS (true) or plaintext (false) whatever the port says; by default port 4411 means TLS. */
  readonly tls?: boolean | undefined
  /** The default retry policy of every operation (none unless given). */
  readonly retry?: Retry.Policy | undefined
  /** How long the first `Info` call may take before the connection fails. Default 10 seconds. */
  readonly connectTimeout?: Duration.Input | undefined
  /**
   * How soon the channel reconnects after losing the server: it waits `initial` (default 100 ms), then 1.6 times
   * longer each attempt (with jitter), up to `max` (default 10 seconds). Calls made while it waits fail at once
   * with `ConnectionError`, so after a server restart a retry policy succeeds only once the channel has
   * reconnected: keep `initial` below the policy's spacing. gRPC's own default is 1 s growing to 120 s.
   */
  readonly reconnect?: {
    readonly initial?: Duration.Input | undefined
    readonly max?: Duration.Input | undefined
  } | undefined
  /**
   * How calls to a cluster recover when its map changes (see the `Cluster` module); used only when the server
   * hands out a MASH rather than reporting a proxy.
   */
  readonly cluster?: Cluster.Options | undefined
}

const asConfigurationError = (error: E.ConfigurationError | Config.ConfigError): E.ConfigurationError =>
  error instanceof E.ConfigurationError
    ? error
    : new E.ConfigurationError({ reason: "Malformed", detail: String(error) })

/**
 * Connects to `options.endpoint` in the current scope: opens one gRPC channel, calls `Info` once, and closes the
 * channel when the scope closes. A server that hands out a cluster map (a MASH) rather than reporting a proxy makes
 * the connection route each stream's calls to the node that owns it, over one channel per node (see the `Cluster`
 * module). A failing `Info` fails with `ConnectionError` ("could not connect to <endpoint>:
 * <reason>"), except a refused API key, which keeps its own tag (`Unauthenticated` or `PermissionDenied`).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.make({ endpoint: "localhost:4410" })
 *   return yield* db.info
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<
  Service,
  E.ConnectionError | E.Unauthenticated | E.PermissionDenied | E.ConfigurationError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const tls = Connection.usesTls(options)
    const caBundle = options.caBundle ??
      (tls
        ? yield* BTrDBConfig.caBundle.pipe(Effect.provide(nodeFileSystem), Effect.mapError(asConfigurationError))
        : undefined)
    const apiKey = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
    const millis = (field: string, input: Duration.Input | undefined, fallback: number) => {
      if (input === undefined) return Effect.succeed(fallback)
      const duration = Duration.fromInput(input)
      return Option.isSome(duration) && Duration.isFinite(duration.value)
        ? Effect.succeed(Duration.toMillis(duration.value))
        : Effect.fail(new E.ConfigurationError({ reason: "Malformed", detail: `${field}: not a duration: ${input}` }))
    }
    const reconnectBackoff = {
      initialMillis: yield* millis(
        "reconnect.initial",
        options.reconnect?.initial,
        Connection.RECONNECT_BACKOFF.initialMillis
      ),
      maxMillis: yield* millis("reconnect.max", options.reconnect?.max, Connection.RECONNECT_BACKOFF.maxMillis)
    }
    const connection = yield* Connection.open({ endpoint: options.endpoint, apiKey, caBundle, tls, reconnectBackoff })
    const single = GrpcBackend.make(connection)
    // one Info call checks the connection and reads the cluster's map, when the server hands one out rather than
    // reporting a proxy (PROTOCOL.md §11)
    const mash = yield* run(
      { backend: single, retry: options.retry ?? Retry.never },
      "connect",
      RoutingBackend.readMash(connection)
    ).pipe(
      Effect.timeoutOrElse({
        duration: options.connectTimeout ?? "10 seconds",
        orElse: () =>
          Effect.fail(
            new E.ConnectionError({
              method: "connect",
              endpoint: options.endpoint,
              detail: `no answer within ${
                Duration.format(Duration.fromInputUnsafe(options.connectTimeout ?? "10 seconds"))
              }`
            })
          )
      }),
      Effect.catchIf(
        (error) => error._tag !== "Unauthenticated" && error._tag !== "PermissionDenied",
        (error) =>
          Effect.fail(
            error._tag === "ConnectionError"
              ? new E.ConnectionError({ ...error, method: "connect" })
              : new E.ConnectionError({
                method: "connect",
                endpoint: options.endpoint,
                detail: error.message,
                cause: error
              })
          )
      )
    )
    if (mash === undefined) return fromBackend(single, { retry: options.retry })
    const backend = yield* RoutingBackend.make({
      bootstrap: connection,
      open: (endpoint) => Connection.open({ endpoint, apiKey, caBundle, tls, reconnectBackoff }),
      resync: options.cluster?.resync ?? defaultResync
    }, mash)
    return fromBackend(backend, { retry: options.retry })
  })

/**
 * A layer connected to `options.endpoint`; the channel closes with the layer's scope.
 *
 * @example
 * ```ts
 * const program = Effect.flatMap(BTrDB.BTrDB, (db) => db.info)
 * const main = program.pipe(Effect.provide(BTrDB.layer({ endpoint: "localhost:4410" })))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<BTrDB, E.ConnectionError | E.Unauthenticated | E.PermissionDenied | E.ConfigurationError> =>
  Layer.effect(BTrDB, make(options))

/**
 * A layer connected with options read from `Config`, as effect's own clients take theirs (`PgClient.layerConfig`):
 * each option a `Config` of its value, or one `Config` of them all. For the Python client's resolution (its
 * environment variables, profiles and credentials file) see {@link layerFromCredentials}.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 *
 * const live = BTrDB.layerConfig({
 *   endpoint: Config.String("BTRDB_ENDPOINT"),
 *   apiKey: Config.Redacted("BTRDB_API_KEY"),
 *   connectTimeout: Config.Duration("BTRDB_CONNECT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5)))
 * })
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Wrap<Options>
): Layer.Layer<
  BTrDB,
  E.ConnectionError | E.Unauthenticated | E.PermissionDenied | E.ConfigurationError | Config.ConfigError
> => Layer.effect(BTrDB, Effect.flatMap(Config.unwrap(config), make))

/**
 * A layer connected as the Python client's `btrdb.connect()` would: the credentials-file profile
 * (`BTRDB_PROFILE`, else `default`) overridden by `BTRDB_ENDPOINTS` / `BTRDB_API_KEY`; or only the named
 * `profile`. See the `Config` module. (Before 0.2 this was `layerConfig`.)
 *
 * @example
 * ```ts
 * const fromEnvironment = BTrDB.layerFromCredentials()
 * const staging = BTrDB.layerFromCredentials({ profile: "staging" })
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerFromCredentials = (
  options: BTrDBConfig.ResolveOptions & Omit<Options, "endpoint" | "apiKey" | "caBundle"> = {}
): Layer.Layer<
  BTrDB,
  E.ConnectionError | E.Unauthenticated | E.PermissionDenied | E.ConfigurationError | Config.ConfigError
> =>
  Layer.effect(
    BTrDB,
    Effect.flatMap(
      BTrDBConfig.resolve(options).pipe(Effect.provide(nodeFileSystem)),
      (resolved) => make({ ...options, ...resolved })
    )
  )

/**
 * The whole service in memory, with no network: the same engine as the embedded server, so the same behaviour,
 * SQL included. For tests of your own code. Building it fails with `BTrDBServerError` (never a defect) when the
 * in-memory database cannot open.
 *
 * @example
 * ```ts
 * it.layer(BTrDB.layerMemory())("my code", (it) => {
 *   it.effect("creates a stream", () =>
 *     Effect.gen(function*() {
 *       const db = yield* BTrDB.BTrDB
 *       yield* db.create({ uuid: Uuid.random(), collection: "test/a", tags: { name: "power" } })
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (
  options: { readonly retry?: Retry.Policy | undefined } = {}
): Layer.Layer<BTrDB, E.BTrDBServerError> =>
  Layer.effect(
    BTrDB,
    Effect.flatMap(memoryBackend, (memory) => Effect.map(memory.make(), (backend) => fromBackend(backend, options)))
  )

/**
 * The members a test double of the service implements (see {@link layerTest}): any of its operations, and the
 * endpoint it reports (`"test"` when not given).
 *
 * @example
 * ```ts
 * const members: BTrDB.TestMembers = { listCollections: () => Effect.succeed(["sunshine/PMU1"]) }
 * ```
 * @since 0.2.0
 * @category testing
 */
export type TestMembers = Omit<Layer.PartialEffectful<Service>, typeof TypeId | "endpoint"> & {
  readonly endpoint?: string | undefined
}

/**
 * A test double of the service from only the members a test needs, in the manner of effect's `Layer.mock`: an
 * operation you do not give dies with an `UnimplementedError` defect naming it when called. For tests of code that
 * uses a few operations; `layerMemory` gives the whole service. Pair it with `Stream.makeTest` for handles.
 *
 * @example
 * ```ts
 * const site = BTrDBStream.makeTest("f98f4b4e-9fab-46b5-8a80-f282059d69b1", {
 *   valuesCollected: () => Effect.succeed({ times: BigInt64Array.of(1n), values: Float64Array.of(230), version: 10n })
 * })
 * const double = BTrDB.layerTest({ streamFromUuid: () => Effect.succeed(site) })
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerTest = (members: TestMembers = {}): Layer.Layer<BTrDB> =>
  Layer.mock(BTrDB)({ endpoint: "test", ...members, [TypeId]: TypeId } as Layer.PartialEffectful<Service>)
