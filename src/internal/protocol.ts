/**
 * Constants of the BTrDB v5 protocol shared by the SDK, the engine and the server.
 * Plain TypeScript so that every layer can use them without pulling in anything else.
 */

/** The earliest time a stream can hold, in nanoseconds since the Unix epoch: -(16 << 56). */
export const MIN_TIME = -(16n << 56n)

/** One past the latest time a query range may reach, in nanoseconds: 48 << 56. Ranges are half-open. */
export const MAX_TIME = 48n << 56n

/** Whether `t` is a time BTrDB can name: MIN_TIME ≤ t < MAX_TIME. */
export const isNameableTime = (t: bigint): boolean => t >= MIN_TIME && t < MAX_TIME

/** The largest point width of an aligned-windows query. */
export const MAX_POINTWIDTH = 63

/** The major version of a newly created stream. */
export const FIRST_VERSION = 10n

/** The BTrDB status codes used in-band in the `stat` field of responses (PROTOCOL.md §5.2). */
export const StatusCode = {
  NoSuchPoint: 401,
  ContextError: 402,
  InsertFailure: 403,
  NoSuchStream: 404,
  WrongEndpoint: 405,
  StreamExistsV4: 406,
  InvalidCollection: 407,
  InvalidTagKey: 408,
  InvalidTagValue: 409,
  InvalidTimeRange: 413,
  InsertTooBig: 414,
  InvalidPointWidth: 415,
  SameStream: 417,
  AmbiguousStream: 418,
  WrongArgs: 421,
  AnnotationVersionMismatch: 423,
  FaultInjectionDisabled: 424,
  BadValue: 425,
  ResourceDepleted: 426,
  InvalidVersions: 427,
  ReusedUUID: 429,
  ObliterateDisabled: 431,
  InvalidParameter: 438,
  MetadataConnectionError: 440,
  BadSQLValue: 441,
  VersionNotAvailable: 450,
  InvariantFailure: 500,
  NotImplemented: 501
} as const
