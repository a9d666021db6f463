import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import type { ServerOptions } from "../../src/server/Server.js"
import * as BTrDB from "../../src/services/BTrDB.js"

/** An embedded server on 127.0.0.1 with a random port (in memory unless `dataDir` is given). */
export const serverLayer = (options: ServerOptions = {}) =>
  EmbeddedServer.layer({ listen: "127.0.0.1:0", log: () => {}, ...options })

/** The SDK connected over real gRPC to an embedded server started for it. */
export const grpcLayer = (options: ServerOptions & Omit<BTrDB.Options, "endpoint"> = {}) =>
  Layer.unwrap(
    Effect.map(EmbeddedServer.EmbeddedServer, (server) => BTrDB.layer({ ...options, endpoint: server.endpoint }))
  ).pipe(Layer.provideMerge(serverLayer(options)))

/** A prefix no other test uses, so tests sharing one database do not see each other's streams. */
export const uniquePrefix = (label: string): string => `${label}${Math.random().toString(36).slice(2, 8)}/`
