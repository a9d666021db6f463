/**
 * The embedded server as an Effect service: started when its layer is built, stopped when the layer's scope closes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { type RunningServer, type ServerOptions, start } from "./Server.js"

/**
 * A running embedded server.
 *
 * @example
 * ```ts
 * const { endpoint } = yield* EmbeddedServer.EmbeddedServer
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
export const make = (options: ServerOptions = {}): Effect.Effect<RunningServer, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => start(options),
      catch: (cause) =>
        new Error(`could not start the BTrDB server: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause
        })
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
export const layer = (options: ServerOptions = {}): Layer.Layer<EmbeddedServer, Error> =>
  Layer.effect(EmbeddedServer, make(options))
