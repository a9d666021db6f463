/**
 * The embedded BTrDB server, for `effect-btrdb/server`. SDK users who only connect to a cluster never load it.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { EmbeddedServer } from "effect-btrdb/server"
 * import { BTrDB } from "effect-btrdb"
 *
 * const program = Effect.gen(function*() {
 *   const { endpoint } = yield* EmbeddedServer.EmbeddedServer
 *   const db = yield* BTrDB.make({ endpoint })
 *   return yield* db.info
 * }).pipe(Effect.scoped, Effect.provide(EmbeddedServer.layer({ listen: "127.0.0.1:0" })))
 * ```
 *
 * @since 0.1.0
 */
export * as EmbeddedServer from "./EmbeddedServer.js"
export * as Server from "./Server.js"
