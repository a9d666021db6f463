/**
 * The one mapping from what a server says (an in-band BTrDB `Status`, or a gRPC status) to the tagged errors.
 *
 * @since 0.1.0
 */
import * as E from "./BTrDBError.js"

/**
 * The codes the Python client raises as `BTRDBServerError` (PROTOCOL.md §5.2).
 *
 * @since 0.1.0
 * @category constants
 */
export const SERVER_ERROR_CODES: ReadonlySet<number> = new Set([
  402,
  403,
  405,
  414,
  421,
  423,
  424,
  426,
  427,
  431,
  432,
  433,
  434,
  438,
  440,
  452,
  453,
  454,
  455,
  456,
  457,
  458,
  459,
  500,
  501,
  502
])

/**
 * Where a failure happened.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly method: string
  readonly uuid?: string | undefined
}

const statusClasses = {
  401: E.NoSuchPoint,
  404: E.StreamNotFound,
  407: E.InvalidCollection,
  408: E.InvalidTagKey,
  409: E.InvalidTagValue,
  413: E.InvalidTimeRange,
  415: E.InvalidPointWidth,
  417: E.StreamExists,
  418: E.AmbiguousStream,
  425: E.BadValue,
  429: E.RecycledUUID,
  441: E.BadSQLValue,
  450: E.VersionNotAvailable
} as const

/**
 * The tagged error for a non-zero in-band status code.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (context: Context, code: number, detail: string): E.StatusErrors => {
  const fields = { method: context.method, uuid: context.uuid, detail }
  const Class = (statusClasses as Record<number, new(f: typeof fields) => E.StatusErrors>)[code]
  if (Class !== undefined) return new Class(fields)
  if (SERVER_ERROR_CODES.has(code)) return new E.BTrDBServerError({ ...fields, code })
  return new E.BTrDBError({ ...fields, code })
}

/**
 * The gRPC status codes this module distinguishes.
 *
 * @since 0.1.0
 * @category constants
 */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16
} as const

const BRACKETED_CODE = /^\s*\[(\d{3})\]\s*(.*)$/s

/** What a socket error code means for someone trying to reach a server. */
const SOCKET_ERRORS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ECONNREFUSED/, "connection refused (is a BTrDB server listening there?)"],
  [/ENOTFOUND|EAI_AGAIN|Name resolution failed/i, "the host name does not resolve"],
  [/ETIMEDOUT|Deadline exceeded/i, "no answer before the deadline"],
  [/EHOSTUNREACH|ENETUNREACH/, "no route to the host"],
  [/ECONNRESET/, "the connection was reset"],
  [/certificate|SSL|TLS|handshake/i, "the TLS handshake failed"]
]

/**
 * grpc-js's UNAVAILABLE details as one plain line: "No connection established. Last error: Error: connect
 * ECONNREFUSED 127.0.0.1:4410. Resolution note: " says "connection refused (is a BTrDB server listening there?)".
 * Details it does not know are kept, less grpc-js's empty trailers.
 *
 * @since 0.2.0
 * @category constructors
 */
export const connectionDetail = (details: string): string => {
  for (const [pattern, meaning] of SOCKET_ERRORS) if (pattern.test(details)) return meaning
  return details.replace(/\s*Resolution note:\s*$/, "").replace(/\.?\s*Last error: (Error: )?/, ": ").trim()
}

/**
 * The tagged error for a gRPC status that is not OK. A details text of the form `[404] stream does not exist`
 * (how some servers report BTrDB codes) becomes the matching in-band error, as the Python client intends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromGrpcStatus = (
  context: Context & { readonly endpoint: string },
  grpcCode: number,
  details: string,
  cause?: unknown
): E.CallErrors => {
  const where = { method: context.method, uuid: context.uuid }
  switch (grpcCode) {
    case GrpcCode.UNAVAILABLE:
      return new E.ConnectionError({ ...where, endpoint: context.endpoint, detail: connectionDetail(details), cause })
    case GrpcCode.UNAUTHENTICATED:
      return new E.Unauthenticated({ ...where, detail: details })
    case GrpcCode.PERMISSION_DENIED:
      return new E.PermissionDenied({ ...where, detail: details })
  }
  const bracketed = BRACKETED_CODE.exec(details)
  if (bracketed !== null) return fromStatus(context, Number(bracketed[1]), bracketed[2]!)
  if (details.includes("failed to connect to all addresses")) {
    return new E.ConnectionError({ ...where, endpoint: context.endpoint, detail: connectionDetail(details), cause })
  }
  return new E.TransportError({ ...where, grpcCode, detail: details, cause })
}
