/**
 * What a BTrDB server says about itself.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The answer of `BTrDB.info`: protocol version, build and the endpoints of the proxy serving the call (against a
 * cluster the SDK routes by its map, the first address of each usable member).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const info: ServerInfo.ServerInfo = yield* db.info
 *   console.log(`v${info.majorVersion}.${info.minorVersion}`, info.build)
 * })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export class ServerInfo extends Schema.Class<ServerInfo>("effect-btrdb/ServerInfo")({
  majorVersion: Schema.Number,
  minorVersion: Schema.Number,
  build: Schema.String,
  proxy: Schema.Struct({ proxyEndpoints: Schema.Array(Schema.String) })
}) {}
