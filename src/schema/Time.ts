/**
 * Nanosecond timestamps. BTrDB times are int64 nanoseconds since the Unix epoch (UTC); a JavaScript
 * `number` cannot hold today's time in nanoseconds exactly, so times are `bigint` at the API.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { MAX_TIME, MIN_TIME } from "../internal/protocol.js"

/**
 * The earliest time a stream can hold: -(16 << 56) ns. The same as the Python client's `MINIMUM_TIME`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MINIMUM_TIME: bigint = MIN_TIME

/**
 * The latest time a query may name: (48 << 56) - 1 ns. The same as the Python client's `MAXIMUM_TIME`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAXIMUM_TIME: bigint = MAX_TIME - 1n

/**
 * A time in nanoseconds within [MINIMUM_TIME, MAXIMUM_TIME].
 *
 * @since 0.1.0
 * @category schemas
 */
export const Nanoseconds = Schema.BigIntFromSelf.pipe(
  Schema.filter((t) => t >= MIN_TIME && t < MAX_TIME, {
    message: (issue) => `time ${String(issue.actual)} ns is outside [${MIN_TIME}, ${MAX_TIME})`
  })
).annotations({ identifier: "Nanoseconds" })

/**
 * @since 0.1.0
 * @category models
 */
export type Nanoseconds = typeof Nanoseconds.Type

/**
 * The current time in nanoseconds since the epoch (millisecond precision).
 *
 * @since 0.1.0
 * @category constructors
 */
export const now = (): bigint => BigInt(Date.now()) * 1_000_000n
