/**
 * A handle to one BTrDB stream, as `BTrDB.create`, `BTrDB.streamFromUuid`, `BTrDB.streams` and
 * `BTrDB.streamsInCollection` return it. A handle is an immutable value: it holds the uuid and, when known,
 * the metadata the server last reported (its descriptor, with the property version used by updates).
 * `refreshMetadata` returns a new handle with fresh metadata.
 *
 * ```ts
 * const stream = yield* db.streamFromUuid("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 * if (yield* stream.exists) console.log(yield* stream.name, yield* stream.version)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as E from "../errors/BTrDBError.js"
import type { StreamDescriptor } from "../schema/Metadata.js"
import type { Uuid } from "../schema/Uuid.js"
import { type Client, run } from "./internal/Client.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/Stream")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A handle to one stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  readonly [TypeId]: TypeId
  /** The stream's UUID, in canonical text form. */
  readonly uuid: Uuid
  /** The metadata this handle holds, if it holds any (handles from `streamFromUuid` start without). */
  readonly descriptor: Option.Option<StreamDescriptor>
  /** The metadata this handle holds, or else the server's (one StreamInfo call). */
  readonly metadata: Effect.Effect<StreamDescriptor, E.CallErrors>
  /** The stream's collection. */
  readonly collection: Effect.Effect<string, E.CallErrors>
  /** The `name` tag. */
  readonly name: Effect.Effect<string, E.CallErrors>
  /** The `unit` tag. */
  readonly unit: Effect.Effect<string, E.CallErrors>
  /** The tags (`name`, `unit`, `ingress`, and `distiller` when set). */
  readonly tags: Effect.Effect<Readonly<Record<string, string>>, E.CallErrors>
  /** The annotations. */
  readonly annotations: Effect.Effect<Readonly<Record<string, string>>, E.CallErrors>
  /** The property version of the metadata, which updates are checked against. */
  readonly propertyVersion: Effect.Effect<bigint, E.CallErrors>
  /** A new handle holding the server's current metadata. */
  readonly refreshMetadata: Effect.Effect<Stream, E.CallErrors>
  /** Whether the stream exists on the server (a 404 is `false`, not a failure). */
  readonly exists: Effect.Effect<boolean, Exclude<E.CallErrors, E.StreamNotFound>>
  /** The stream's latest major version. */
  readonly version: Effect.Effect<bigint, E.CallErrors>
}

class StreamImpl implements Stream {
  readonly [TypeId]: TypeId = TypeId
  constructor(
    readonly client: Client,
    readonly uuid: Uuid,
    readonly descriptor: Option.Option<StreamDescriptor>
  ) {}

  private fetch(operation: string): Effect.Effect<StreamDescriptor, E.CallErrors> {
    return run(
      this.client,
      operation,
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: false, omitVersion: true }),
        (info) => info.descriptor!
      ),
      this.uuid
    )
  }

  get metadata() {
    return Option.match(this.descriptor, {
      onNone: () => this.fetch("Stream.metadata"),
      onSome: Effect.succeed
    })
  }
  get collection() {
    return Effect.map(this.metadata, (d) => d.collection)
  }
  get name() {
    return Effect.map(this.metadata, (d) => d.name)
  }
  get unit() {
    return Effect.map(this.metadata, (d) => d.unit)
  }
  get tags() {
    return Effect.map(this.metadata, (d) => d.tags)
  }
  get annotations() {
    return Effect.map(this.metadata, (d) => d.annotations)
  }
  get propertyVersion() {
    return Effect.map(this.metadata, (d) => d.propertyVersion)
  }
  get refreshMetadata() {
    return Effect.map(
      this.fetch("Stream.refreshMetadata"),
      (d): Stream => new StreamImpl(this.client, this.uuid, Option.some(d))
    )
  }
  get exists() {
    return run(
      this.client,
      "Stream.exists",
      this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }).pipe(
        Effect.as(true),
        Effect.catchTag("StreamNotFound", () => Effect.succeed(false))
      ),
      this.uuid
    )
  }
  get version() {
    return run(
      this.client,
      "Stream.version",
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }),
        (info) => info.versionMajor
      ),
      this.uuid
    )
  }
  toString(): string {
    return Option.match(this.descriptor, {
      onNone: () => `<Stream uuid=${this.uuid}>`,
      onSome: (d) => `<Stream collection=${d.collection} name=${d.name}>`
    })
  }
  toJSON() {
    return { _id: "Stream", uuid: this.uuid, descriptor: Option.getOrUndefined(this.descriptor) }
  }
}

/**
 * A handle on `client` for `uuid`, holding `descriptor` when known.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const make = (client: Client, uuid: Uuid, descriptor?: StreamDescriptor): Stream =>
  new StreamImpl(client, uuid, Option.fromNullable(descriptor))

/**
 * True for a stream handle.
 *
 * @since 0.1.0
 * @category guards
 */
export const isStream = (u: unknown): u is Stream => typeof u === "object" && u !== null && TypeId in u
