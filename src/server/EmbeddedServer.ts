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
 * @since 0.1.0
 * @category tags
 */
export class EmbeddedServer extends Context.Tag("effect-btrdb/EmbeddedServer")<EmbeddedServer, RunningServer>() {}

/**
 * Starts a server in the current scope; it is stopped (and its database closed) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ServerOptions = {}): Effect.Effect<RunningServer, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => start(options),
      catch: (cause) => new Error(`could not start the BTrDB server: ${String(cause)}`, { cause })
    }),
    (server) => Effect.promise(() => server.close())
  )

/**
 * A layer running a server; bind port 0 (`listen: "127.0.0.1:0"`) and read the bound `endpoint` from the service.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ServerOptions = {}): Layer.Layer<EmbeddedServer, Error> =>
  Layer.scoped(EmbeddedServer, make(options))
