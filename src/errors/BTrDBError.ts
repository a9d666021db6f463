/**
 * The errors of effect-btrdb, one tagged class per thing that can go wrong, so callers handle them by tag:
 *
 * ```ts
 * stream.exists.pipe(Effect.catchTag("StreamNotFound", () => Effect.succeed(false)))
 * ```
 *
 * Every error carries the `method` (the RPC or SDK operation) and, where there is one, the stream `uuid`.
 * Errors the server reports in-band carry its BTrDB status `code` and `detail` message.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/BTrDBError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

const Where = {
  /** The RPC (`Create`, `RawValues` …) or SDK operation that failed. */
  method: Schema.String,
  /** The stream concerned, when there is one. */
  uuid: Schema.optional(Schema.String)
}

const InBand = {
  ...Where,
  /** The server's message. */
  detail: Schema.String
}

const where = (self: { readonly method: string; readonly uuid?: string | undefined }): string =>
  self.uuid === undefined ? self.method : `${self.method} (stream ${self.uuid})`

const describe = (
  self: { readonly method: string; readonly uuid?: string | undefined; readonly detail: string },
  code: number
) => `${where(self)}: ${self.detail} [${code}]`

/**
 * 404: the stream does not exist (or an identifier matched no stream, or more than one).
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamNotFound extends Schema.TaggedError<StreamNotFound>("effect-btrdb/StreamNotFound")(
  "StreamNotFound",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  /** The BTrDB status code. */
  readonly code = 404
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 401: `nearest` found no point.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoSuchPoint extends Schema.TaggedError<NoSuchPoint>("effect-btrdb/NoSuchPoint")("NoSuchPoint", InBand) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 401
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 407: the collection (or collection prefix) is not valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCollection extends Schema.TaggedError<InvalidCollection>("effect-btrdb/InvalidCollection")(
  "InvalidCollection",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 407
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 408: a tag or annotation key is not valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTagKey extends Schema.TaggedError<InvalidTagKey>("effect-btrdb/InvalidTagKey")(
  "InvalidTagKey",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 408
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 409: a tag or annotation value is not valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTagValue extends Schema.TaggedError<InvalidTagValue>("effect-btrdb/InvalidTagValue")(
  "InvalidTagValue",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 409
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 413: a time is out of bounds, or start ≥ end.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTimeRange extends Schema.TaggedError<InvalidTimeRange>("effect-btrdb/InvalidTimeRange")(
  "InvalidTimeRange",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 413
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 415: a point width, window width, depth or resolution is not valid.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPointWidth extends Schema.TaggedError<InvalidPointWidth>("effect-btrdb/InvalidPointWidth")(
  "InvalidPointWidth",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 415
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 417: `create` with the uuid of a stream that already exists.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamExists extends Schema.TaggedError<StreamExists>("effect-btrdb/StreamExists")(
  "StreamExists",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 417
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 418: `create` (or a tag change) with a new uuid but a collection and tags another stream already has.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmbiguousStream extends Schema.TaggedError<AmbiguousStream>("effect-btrdb/AmbiguousStream")(
  "AmbiguousStream",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 418
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 425: an inserted value is NaN or infinite.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadValue extends Schema.TaggedError<BadValue>("effect-btrdb/BadValue")("BadValue", InBand) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 425
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 429: `create` with the uuid of an obliterated stream; uuids are never reused.
 *
 * @since 0.1.0
 * @category errors
 */
export class RecycledUUID extends Schema.TaggedError<RecycledUUID>("effect-btrdb/RecycledUUID")(
  "RecycledUUID",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 429
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 441: the SQL statement or its parameters were refused by the metadata database.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadSQLValue extends Schema.TaggedError<BadSQLValue>("effect-btrdb/BadSQLValue")(
  "BadSQLValue",
  InBand
) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 441
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * 450: the requested version does not exist (above the latest, or never committed).
 *
 * @since 0.1.0
 * @category errors
 */
export class VersionNotAvailable extends Schema.TaggedError<VersionNotAvailable>(
  "effect-btrdb/VersionNotAvailable"
)("VersionNotAvailable", InBand) {
  readonly [TypeId]: TypeId = TypeId
  readonly code = 450
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * A server-side failure an operator should hear about (PROTOCOL.md §5.2's server-error codes: 402, 403, 405,
 * 414, 421, 423, 424, 426, 427, 431–434, 438, 440, 452–459, 500–502).
 *
 * @since 0.1.0
 * @category errors
 */
export class BTrDBServerError extends Schema.TaggedError<BTrDBServerError>("effect-btrdb/BTrDBServerError")(
  "BTrDBServerError",
  { ...InBand, code: Schema.Number }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * Any other in-band BTrDB status code.
 *
 * @since 0.1.0
 * @category errors
 */
export class BTrDBError extends Schema.TaggedError<BTrDBError>("effect-btrdb/BTrDBError")(
  "BTrDBError",
  { ...InBand, code: Schema.Number }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return describe(this, this.code)
  }
}

/**
 * The server could not be reached (gRPC `UNAVAILABLE`, refused connection, failed TLS handshake).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>("effect-btrdb/ConnectionError")(
  "ConnectionError",
  { ...Where, endpoint: Schema.String, detail: Schema.String, cause: Schema.optional(Schema.Defect) }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: could not connect to ${this.endpoint}: ${this.detail}`
  }
}

/**
 * The server refused the credentials (gRPC `UNAUTHENTICATED`, e.g. "invalid api key").
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>("effect-btrdb/Unauthenticated")(
  "Unauthenticated",
  { ...Where, detail: Schema.String }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: unauthenticated: ${this.detail}`
  }
}

/**
 * The credentials are valid but not allowed to do this (gRPC `PERMISSION_DENIED`).
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>("effect-btrdb/PermissionDenied")(
  "PermissionDenied",
  { ...Where, detail: Schema.String }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: permission denied: ${this.detail}`
  }
}

/**
 * Any other gRPC failure of the call itself (deadline exceeded, resource exhausted, cancelled by the server,
 * internal), with the gRPC status code.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("effect-btrdb/TransportError")(
  "TransportError",
  { ...Where, grpcCode: Schema.Number, detail: Schema.String, cause: Schema.optional(Schema.Defect) }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: gRPC status ${this.grpcCode}: ${this.detail}`
  }
}

/**
 * An argument failed validation before anything was sent; `field` names it.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>("effect-btrdb/InvalidArgument")(
  "InvalidArgument",
  { ...Where, field: Schema.String, detail: Schema.String }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: invalid ${this.field}: ${this.detail}`
  }
}

/**
 * The connection settings could not be determined: no endpoint, a missing credentials file or profile,
 * or a malformed file.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>("effect-btrdb/ConfigurationError")(
  "ConfigurationError",
  {
    reason: Schema.Literal("NoEndpoint", "CredentialsFileNotFound", "ProfileNotFound", "Malformed", "Unreadable"),
    detail: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return this.detail
  }
}

/**
 * An error the server reports in-band with a BTrDB status code.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusErrors =
  | StreamNotFound
  | NoSuchPoint
  | InvalidCollection
  | InvalidTagKey
  | InvalidTagValue
  | InvalidTimeRange
  | InvalidPointWidth
  | StreamExists
  | AmbiguousStream
  | BadValue
  | RecycledUUID
  | BadSQLValue
  | VersionNotAvailable
  | BTrDBServerError
  | BTrDBError

/**
 * A failure of the gRPC call itself.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportErrors = ConnectionError | Unauthenticated | PermissionDenied | TransportError

/**
 * What any call to a server can fail with: an in-band status or a transport failure.
 *
 * @since 0.1.0
 * @category models
 */
export type CallErrors = StatusErrors | TransportErrors

/**
 * Every error of effect-btrdb.
 *
 * @since 0.1.0
 * @category models
 */
export type Any = CallErrors | InvalidArgument | ConfigurationError

/**
 * True for any error of effect-btrdb.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBTrDBError = (u: unknown): u is Any => Predicate.hasProperty(u, TypeId)
