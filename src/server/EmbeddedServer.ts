/**
 * The embedded server as an Effect service: started when its layer is built, stopped when the layer's scope closes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as E from "../errors/BTrDBError.js"
import { TypeId } from "../errors/BTrDBError.js"
import * as BTrDB from "../services/BTrDB.js"
import { type RunningServer, type ServerOptions, start } from "./Server.js"

/**
 * The server could not start: its address is in use, its data directory is owned by another process, its TLS files
 * are not valid, or its data could not be opened. `detail` says which, in one line.
 *
 * @example
 * ```ts
 * const server = EmbeddedServer.make({ listen: "127.0.0.1:4410" }).pipe(
 *   Effect.catchTag("ServerStartError", (e) => Effect.die(e.message))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class StartError extends Schema.TaggedError<StartError>("effect-btrdb/EmbeddedServer/StartError")(
  "ServerStartError",
  { detail: Schema.String, cause: Schema.optional(Schema.Defect()) }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `could not start the BTrDB server: ${this.detail}`
  }
}

/**
 * A running embedded server.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { endpoint } = yield* EmbeddedServer.EmbeddedServer
 * })
 * ```
 * @since 0.1.0
 * @category tags
 */
export class EmbeddedServer extends Context.Service<EmbeddedServer, RunningServer>()("effect-btrdb/EmbeddedServer") {}

/**
 * Starts a server in the current scope; it is stopped (and its database closed) when the scope closes.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0" })
 *   console.log(server.endpoint)
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ServerOptions = {}): Effect.Effect<RunningServer, StartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => start(options),
      catch: (cause) => new StartError({ detail: cause instanceof Error ? cause.message : String(cause), cause })
    }),
    (server) => Effect.promise(() => server.close())
  )

/**
 * A layer running a server; bind port 0 (`listen: "127.0.0.1:0"`) and read the bound `endpoint` from the service.
 *
 * @example
 * ```ts
 * const TestServer = EmbeddedServer.layer({ listen: "127.0.0.1:0" })
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ServerOptions = {}): Layer.Layer<EmbeddedServer, StartError> =>
  Layer.effect(EmbeddedServer, make(options))

/**
 * Options of {@link layerWithClient}: the server's, and the client's besides its endpoint and API key (which are
 * the server's own). The server listens on `127.0.0.1:0` unless `listen` says otherwise.
 *
 * @example
 * ```ts
 * const options: EmbeddedServer.WithClientOptions = { dataDir: "./data", client: { connectTimeout: "5 seconds" } }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface WithClientOptions extends ServerOptions {
  readonly client?: Omit<BTrDB.Options, "endpoint" | "apiKey"> | undefined
}

/**
 * A server and a `BTrDB` client connected to it, in one layer: what an application that embeds its database
 * needs. Fails with {@link StartError} when the server cannot start, and with the connection's errors when the
 * client cannot reach it; closing the layer's scope closes the client, then stops the server.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.BTrDB
 *   return yield* db.listCollections()
 * }).pipe(Effect.provide(EmbeddedServer.layerWithClient({ dataDir: "./data" })))
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerWithClient = (
  options: WithClientOptions = {}
): Layer.Layer<
  EmbeddedServer | BTrDB.BTrDB,
  StartError | E.ConnectionError | E.Unauthenticated | E.PermissionDenied | E.ConfigurationError
> => {
  const { client, ...server } = options
  const running = layer({ listen: "127.0.0.1:0", ...server })
  const connected = Layer.unwrap(EmbeddedServer.useSync(({ endpoint }) =>
    BTrDB.layer({
      ...client,
      endpoint,
      ...(server.apiKey === undefined ? {} : { apiKey: server.apiKey }),
      ...(server.tls === undefined ? {} : { tls: true })
    })
  ))
  return Layer.provideMerge(connected, running)
}
