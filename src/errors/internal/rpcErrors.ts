/**
 * Each RPC's error table: the BTrDB codes PROTOCOL.md §5, §7, §8 and §9 say it answers with, each made into its
 * tagged error where the call fails. A code the table does not hold becomes `BTrDBServerError` when Python counts it
 * as a server error (§5.2), else `BTrDBError`, both keeping the code; with the transport errors, these three are
 * what any call may meet. So the error type of a call is exact: `RpcErrors<"ListCollections">` holds
 * `InvalidCollection` and no `NoSuchPoint`.
 */
import * as E from "../BTrDBError.js"
import { fromGrpcStatus, fromStatus, SERVER_ERROR_CODES } from "../fromStatus.js"

/** The BTrDB codes with a tagged error of their own, by the error each becomes. */
interface CodeErrors {
  401: E.NoSuchPoint
  404: E.StreamNotFound
  407: E.InvalidCollection
  408: E.InvalidTagKey
  409: E.InvalidTagValue
  413: E.InvalidTimeRange
  415: E.InvalidPointWidth
  417: E.StreamExists
  418: E.AmbiguousStream
  425: E.BadValue
  429: E.RecycledUUID
  441: E.BadSQLValue
  450: E.VersionNotAvailable
}

type Code = keyof CodeErrors

const READ = [404, 413, 450] as const satisfies ReadonlyArray<Code>
const WINDOWS = [404, 413, 415, 450] as const satisfies ReadonlyArray<Code>
const INSERT = [404, 413, 425] as const satisfies ReadonlyArray<Code>

/** The codes each RPC answers with (besides those any call may meet). */
export const RPC_ERRORS = {
  Info: [],
  FaultInject: [],
  Create: [407, 408, 409, 417, 418, 429],
  StreamInfo: [404],
  SetStreamAnnotations: [404, 408, 409],
  SetStreamTags: [404, 407, 408, 409, 418],
  ListCollections: [407],
  LookupStreams: [407, 408, 409],
  GetMetadataUsage: [407],
  SQLQuery: [441],
  GenerateCSV: [404, 413, 415, 450],
  Obliterate: [404],
  Insert: INSERT,
  ArrowInsert: INSERT,
  RawValues: READ,
  ArrowRawValues: READ,
  ArrowMultiValues: READ,
  AlignedWindows: WINDOWS,
  ArrowAlignedWindows: WINDOWS,
  Windows: WINDOWS,
  ArrowWindows: WINDOWS,
  Nearest: [401, 404, 413, 450],
  Changes: [404, 415, 450],
  Delete: [404, 413],
  Flush: [404],
  Subscribe: [404]
} as const satisfies Record<string, ReadonlyArray<Code>>

/** The name of an RPC of the `v5api.BTrDB` service. */
export type Rpc = keyof typeof RPC_ERRORS

/** What any call may fail with, whatever its table: transport failures and codes the call does not expect. */
export type Unexpected = E.TransportErrors | E.BTrDBServerError | E.BTrDBError

/** What a call of `R` may fail with. */
export type RpcErrors<R extends Rpc> = CodeErrors[(typeof RPC_ERRORS)[R][number]] | Unexpected

/** Where a call failed. */
export interface CallSite<R extends Rpc> {
  readonly method: R
  readonly uuid?: string | undefined
}

const expects = (rpc: Rpc, code: number): boolean => (RPC_ERRORS[rpc] as ReadonlyArray<number>).includes(code)

/** The error of an in-band status `code` answered to a call of `site.method`. */
export const statusError = <R extends Rpc>(site: CallSite<R>, code: number, detail: string): RpcErrors<R> => {
  if (expects(site.method, code)) return fromStatus(site, code, detail) as CodeErrors[(typeof RPC_ERRORS)[R][number]]
  const fields = { method: site.method, uuid: site.uuid, detail, code }
  return SERVER_ERROR_CODES.has(code) ? new E.BTrDBServerError(fields) : new E.BTrDBError(fields)
}

/**
 * The error of a gRPC status answered to a call of `site.method`: a transport error, or, for details of the form
 * `[404] stream does not exist`, the in-band status error per the call's table.
 */
export const grpcError = <R extends Rpc>(
  site: CallSite<R> & { readonly endpoint: string },
  grpcCode: number,
  details: string,
  cause?: unknown
): RpcErrors<R> => {
  const error = fromGrpcStatus(site, grpcCode, details, cause)
  return "code" in error ? statusError(site, error.code, error.detail) : error
}
