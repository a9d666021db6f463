/**
 * Hand-written protobuf codecs of the hot v5api RPCs (issue 6): `RawValuesResponse`, `AlignedWindowsResponse` and
 * `WindowsResponse` decode straight into columnar pages of typed arrays and encode from them; `InsertParams`
 * encodes from columns and decodes into them; the three read requests encode from `bigint`s. Every other message
 * stays on `@grpc/proto-loader`.
 *
 * Decoders accept any valid protobuf encoding and throw {@link CodecError} on malformed bytes (never a
 * `RangeError`, never a wrong value); encoders write the canonical proto3 form, byte for byte what protobufjs and
 * the official Python client write for the same message.
 */
export {
  countInsertPoints,
  type DecodeInsertOptions,
  decodeInsertParams,
  encodeInsertParams,
  type InsertParamsInput,
  type InsertRequest,
  maxInsertParamsBytes,
  MergePolicyCode
} from "./insert.js"
export { LentBuffers } from "./lentBuffers.js"
export {
  decodeRawValuesResponse,
  encodeRawValuesResponse,
  newPointColumns,
  type PointColumns,
  type RawValuesPage,
  RawValuesResponseBuilder,
  type RawValuesResponseInput
} from "./rawValues.js"
export { encodeAlignedWindowsParams, encodeRawValuesParams, encodeWindowsParams, type ReadRange } from "./readParams.js"
export {
  decodeStatPointsResponse,
  encodeStatPointsResponse,
  type StatPointsPage,
  type StatPointsResponseInput
} from "./statPoints.js"
export type { Status } from "./status.js"
export { CodecError, type CodecErrorReason, TooManyPointsError } from "./wire.js"
