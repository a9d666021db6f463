/**
 * effect-btrdb: the Effect SDK for BTrDB, the Berkeley Tree Database.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as BTrDB from "./services/BTrDB.js"

/**
 * @since 0.1.0
 */
export * as Stream from "./services/Stream.js"

/**
 * The `Stream` module again, under a name that does not collide with effect's `Stream`: in a file that uses both,
 * `import { Stream } from "effect"` and `import { BTrDBStream } from "effect-btrdb"`, as the API docs do.
 *
 * @since 0.2.0
 */
export * as BTrDBStream from "./services/Stream.js"

/**
 * @since 0.1.0
 */
export * as StreamSet from "./services/StreamSet.js"

/**
 * @since 0.1.0
 */
export * as Retry from "./services/Retry.js"

/**
 * @since 0.2.0
 */
export * as Writer from "./services/Writer.js"

/**
 * @since 0.2.0
 */
export * as Copy from "./services/Copy.js"

/**
 * @since 0.2.0
 */
export * as Distiller from "./services/Distiller.js"

/**
 * @since 0.2.0
 */
export * as Cluster from "./services/Cluster.js"

/**
 * @since 0.1.0
 */
export * as Config from "./services/Config.js"

/**
 * @since 0.1.0
 */
export * as Errors from "./errors/BTrDBError.js"

/**
 * @since 0.1.0
 */
export * as Uuid from "./schema/Uuid.js"

/**
 * @since 0.1.0
 */
export * as Time from "./schema/Time.js"

/**
 * @since 0.1.0
 */
export * as Points from "./schema/Points.js"

/**
 * @since 0.1.0
 */
export * as Metadata from "./schema/Metadata.js"

/**
 * @since 0.1.0
 */
export * as ServerInfo from "./schema/ServerInfo.js"
