/**
 * An immutable set of stream handles, with the versions they are pinned to. `BTrDB.streams` and
 * `BTrDB.streamsInCollection` return one; it is iterable as its handles.
 *
 * ```ts
 * const set = yield* db.streamsInCollection("sunshine/PMU1")
 * for (const stream of set) console.log(stream.uuid)
 * ```
 *
 * @since 0.1.0
 */
import type { Uuid } from "../schema/Uuid.js"
import type { Stream } from "./Stream.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/StreamSet")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A set of streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamSet extends Iterable<Stream> {
  readonly [TypeId]: TypeId
  /** The handles, in the order they were looked up. */
  readonly streams: ReadonlyArray<Stream>
  /** The versions reads are pinned to, by uuid; streams not in the map read their latest version. */
  readonly pinned: ReadonlyMap<Uuid, bigint>
  /** How many streams the set holds. */
  readonly length: number
}

class StreamSetImpl implements StreamSet {
  readonly [TypeId]: TypeId = TypeId
  constructor(readonly streams: ReadonlyArray<Stream>, readonly pinned: ReadonlyMap<Uuid, bigint>) {}
  get length() {
    return this.streams.length
  }
  [Symbol.iterator]() {
    return this.streams[Symbol.iterator]()
  }
  toString() {
    return `<StreamSet(${this.streams.length} streams)>`
  }
}

/**
 * A set of `streams`, reads pinned to `pinned` versions.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (streams: ReadonlyArray<Stream>, pinned: ReadonlyMap<Uuid, bigint> = new Map()): StreamSet =>
  new StreamSetImpl(streams, pinned)

/**
 * True for a stream set.
 *
 * @since 0.1.0
 * @category guards
 */
export const isStreamSet = (u: unknown): u is StreamSet => typeof u === "object" && u !== null && TypeId in u
