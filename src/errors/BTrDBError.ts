/**
 * The errors of effect-btrdb, one tagged class per thing that can go wrong, so callers handle them by tag:
 *
 * ```ts
 * const tags = stream.tags.pipe(Effect.catchTag("StreamNotFound", () => Effect.succeed({})))
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
 * @example
 * ```ts
 * const isOurs = (u: object) => Errors.TypeId in u
 * ```
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/BTrDBError")

/**
 * @example
 * ```ts
 * const id: Errors.TypeId = Errors.TypeId
 * ```
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
 * @example
 * ```ts
 * const name = stream.name.pipe(Effect.catchTag("StreamNotFound", () => Effect.succeed("(deleted)")))
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.NoSuchPoint({ method: "Nearest", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.InvalidCollection({ method: "Create", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.InvalidTagKey({ method: "Create", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.InvalidTagValue({ method: "SetStreamTags", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const points = stream.valuesCollected({ start: 10n, end: 0n }) // fails with InvalidTimeRange
 * const safe = points.pipe(Effect.catchTag("InvalidTimeRange", () => Effect.succeed(Points.emptyPoints())))
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.InvalidPointWidth({ method: "AlignedWindows", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.StreamExists({ method: "Create", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.AmbiguousStream({ method: "BTrDB.streams", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.BadValue({ method: "Insert", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.RecycledUUID({ method: "Create", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.BadSQLValue({ method: "SQLQuery", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.VersionNotAvailable({ method: "RawValues", detail: "…" })
 * console.log(error._tag, error.code)
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.BTrDBServerError({ method: "Insert", detail: "cluster degraded", code: 419 })
 * Retry.isTransient(error) // true
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.BTrDBError({ method: "Info", detail: "unknown code", code: 499 })
 * console.log(error.code)
 * ```
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
 * @example
 * ```ts
 * const info = db.info.pipe(Effect.catchTag("ConnectionError", (e) => Effect.die(`cannot reach ${e.endpoint}`)))
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>("effect-btrdb/ConnectionError")(
  "ConnectionError",
  { ...Where, endpoint: Schema.String, detail: Schema.String, cause: Schema.optional(Schema.Defect()) }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: could not connect to ${this.endpoint}: ${this.detail}`
  }
}

/**
 * The server refused the credentials (gRPC `UNAUTHENTICATED`, e.g. "invalid api key").
 *
 * @example
 * ```ts
 * const info = db.info.pipe(Effect.catchTag("Unauthenticated", (e) => Console.error(e.detail)))
 * ```
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
 * @example
 * ```ts
 * const info = db.info.pipe(Effect.catchTag("PermissionDenied", (e) => Console.error(e.detail)))
 * ```
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
 * @example
 * ```ts
 * const info = db.info.pipe(Effect.catchTag("TransportError", (e) => Console.error(e.grpcCode, e.detail)))
 * ```
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("effect-btrdb/TransportError")(
  "TransportError",
  { ...Where, grpcCode: Schema.Number, detail: Schema.String, cause: Schema.optional(Schema.Defect()) }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: gRPC status ${this.grpcCode}: ${this.detail}`
  }
}

/**
 * An argument failed validation before anything was sent; `field` names it.
 *
 * @example
 * ```ts
 * const stream = db.streamFromUuid("not-a-uuid") // fails with InvalidArgument
 * const field = Effect.flip(stream).pipe(Effect.map((e) => e.field))
 * ```
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
 * @example
 * ```ts
 * const error = new Errors.ConfigurationError({ reason: "NoEndpoint", detail: "Could not determine credentials to use." })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>("effect-btrdb/ConfigurationError")(
  "ConfigurationError",
  {
    reason: Schema.Literals(["NoEndpoint", "CredentialsFileNotFound", "ProfileNotFound", "Malformed", "Unreadable"]),
    detail: Schema.String,
    cause: Schema.optional(Schema.Defect())
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return this.detail
  }
}

/**
 * A copy (`Copy.copyStreams`, `btrdb copy`) found a stream on the target, with the source's uuid, whose collection,
 * tags or annotations differ from the source's; `fields` names which, `detail` shows both sides. Nothing was written
 * into any stream. Copy with `merge: true` (`--merge`) to copy into it anyway.
 *
 * @example
 * ```ts
 * const error = new Errors.CopyMismatch({
 *   method: "Copy.copyStreams",
 *   uuid: "f98f4b4e-9fab-46b5-8a80-f282059d69b1",
 *   fields: ["tags"],
 *   detail: "tags: source {\"name\":\"v\"}, target {\"name\":\"w\"}"
 * })
 * ```
 * @since 0.2.0
 * @category errors
 */
export class CopyMismatch extends Schema.TaggedError<CopyMismatch>("effect-btrdb/CopyMismatch")(
  "CopyMismatch",
  {
    ...Where,
    /** What differs. */
    fields: Schema.Array(Schema.Literals(["collection", "tags", "annotations"])),
    /** Both sides of each difference (and how many other streams differ too). */
    detail: Schema.String
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return `${where(this)}: the target stream's ${this.fields.join(", ")} differ from the source's (${this.detail}); ` +
      `copy with merge (--merge) to copy into it anyway`
  }
}

/**
 * An error the server reports in-band with a BTrDB status code.
 *
 * @example
 * ```ts
 * const describe = (e: Errors.StatusErrors) => `${e._tag} (${e.code}) in ${e.method}`
 * ```
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
 * @example
 * ```ts
 * const isNetwork = (e: Errors.TransportErrors) => e._tag === "ConnectionError" || e._tag === "TransportError"
 * ```
 * @since 0.1.0
 * @category models
 */
export type TransportErrors = ConnectionError | Unauthenticated | PermissionDenied | TransportError

/**
 * What any call to a server can fail with: an in-band status or a transport failure.
 *
 * @example
 * ```ts
 * const info: Effect.Effect<ServerInfo.ServerInfo, Errors.CallErrors> = db.info
 * ```
 * @since 0.1.0
 * @category models
 */
export type CallErrors = StatusErrors | TransportErrors

/**
 * Every error of effect-btrdb.
 *
 * @example
 * ```ts
 * const log = (e: Errors.Any) => Console.error(e._tag, e.message)
 * ```
 * @since 0.1.0
 * @category models
 */
export type Any = CallErrors | InvalidArgument | ConfigurationError | CopyMismatch

/**
 * True for any error of effect-btrdb.
 *
 * @example
 * ```ts
 * const program = db.info.pipe(Effect.catchIf(Errors.isBTrDBError, (e) => Console.error(e._tag)))
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isBTrDBError = (u: unknown): u is Any => Predicate.hasProperty(u, TypeId)
