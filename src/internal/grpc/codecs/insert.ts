/**
 * Columnar codec of `InsertParams` (uuid 1 bytes; sync 2 bool; values 3 repeated RawPoint; merge_policy 4
 * MergePolicy; rounding 5 RoundSpec { oneof spec { int32 bits = 2 } }).
 *
 * The client encodes a request straight from its columns (or a sub-range of them, to chunk without copying) into
 * one `Uint8Array` of the exact size. The server decodes one in two passes: the first reads the small fields and
 * counts the `values` entries from their tags and lengths alone, so a request over `maxPoints` is refused with
 * {@link TooManyPointsError} before a single point is decoded; the second fills the two columns.
 *
 * Merge rules on decode: the last `uuid`, `sync` and `merge_policy` win; several `rounding` submessages merge
 * (a later one without `bits` keeps the earlier `bits`), as protobuf specifies for singular message fields.
 */
import type { LentBuffers } from "./lentBuffers.js"
import { decodeRawPointEntries, type PointColumns, RAW_POINT_ENTRY_BYTES, writeRawPointEntries } from "./rawValues.js"
import {
  bytesToWrite,
  checkInt32,
  checkRange,
  invalidArgument,
  LEN,
  readLength,
  readTag,
  readVarint,
  sizeInt32,
  sizeVarint32,
  skipField,
  TooManyPointsError,
  varBool,
  VARINT,
  varInt32,
  varLo,
  viewOf,
  words,
  writeInt32,
  writeVarint32,
  writtenPart,
  wrongWireType
} from "./wire.js"

/** The numbers of the `MergePolicy` enum. */
export const MergePolicyCode = {
  NEVER: 0,
  EQUAL: 1,
  RETAIN: 2,
  REPLACE: 3
} as const

/** A `MergePolicy` number: NEVER 0, EQUAL 1, RETAIN 2, REPLACE 3. */
export type MergePolicyCode = typeof MergePolicyCode[keyof typeof MergePolicyCode]

/** Input of {@link encodeInsertParams}. */
export interface InsertParamsInput {
  /** The 16 raw bytes of the stream's UUID (an empty array is the proto3 default and is omitted). */
  readonly uuid: Uint8Array
  readonly sync: boolean
  readonly times: BigInt64Array
  readonly values: Float64Array
  readonly mergePolicy: MergePolicyCode
  /** `rounding.bits`; `undefined` sends no `rounding` at all. 0 is sent (a set oneof member is always written). */
  readonly roundBits?: number | undefined
  /** First point to send (default 0). */
  readonly offset?: number | undefined
  /** Number of points to send (default: up to the end of the columns). */
  readonly length?: number | undefined
}

/** A decoded `InsertParams`. */
export interface InsertRequest {
  /** A copy of the `uuid` bytes, whatever their length (the server checks it). */
  readonly uuid: Uint8Array
  readonly sync: boolean
  /** The raw enum number; values other than 0–3 are kept as they are (proto3 open enums). */
  readonly mergePolicy: number
  /** `rounding.bits`, or `undefined` when no `rounding` or no `bits` was sent. */
  readonly roundBits: number | undefined
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/** Options of {@link decodeInsertParams}. */
export interface DecodeInsertOptions {
  /** The most points accepted; more throws {@link TooManyPointsError} without decoding them. */
  readonly maxPoints: number
  /** Where the points are decoded into (columns that need not be zeroed); new arrays by default. */
  readonly columns?: PointColumns | undefined
}

/**
 * The most bytes an `InsertParams` of `points` points takes with the given header fields: the size
 * {@link encodeInsertParams} writes into (every point entry at its most, `RAW_POINT_ENTRY_BYTES`).
 */
const insertParamsBound = (
  uuidLength: number,
  sync: boolean,
  points: number,
  mergePolicy: number,
  roundBits: number | undefined
): number =>
  (uuidLength === 0 ? 0 : 1 + sizeVarint32(uuidLength) + uuidLength) +
  (sync ? 2 : 0) +
  RAW_POINT_ENTRY_BYTES * points +
  (mergePolicy === 0 ? 0 : 2) +
  (roundBits === undefined ? 0 : 3 + sizeInt32(roundBits))

/**
 * The most bytes {@link encodeInsertParams} writes for `points` points of a stream (a 16-byte uuid), whatever the
 * other fields: `sync`, a merge policy and the longest rounding all present.
 */
export const maxInsertParamsBytes = (points: number): number => insertParamsBound(16, true, points, 1, -1)

/**
 * Encodes an `InsertParams` from columns (or the sub-range `offset`/`length` of them) in canonical form. With
 * `buffers`, into a buffer lent by them, to give back once the message has been sent.
 */
export const encodeInsertParams = (input: InsertParamsInput, buffers?: LentBuffers): Uint8Array => {
  const { mergePolicy, roundBits, sync, times, uuid, values } = input
  if (!(uuid instanceof Uint8Array)) invalidArgument("uuid must be a Uint8Array")
  if (typeof sync !== "boolean") invalidArgument("sync must be a boolean")
  if (mergePolicy !== 0 && mergePolicy !== 1 && mergePolicy !== 2 && mergePolicy !== 3) {
    invalidArgument("mergePolicy must be 0, 1, 2 or 3")
  }
  if (roundBits !== undefined) checkInt32("roundBits", roundBits)
  const [from, n] = checkRange(times.length, [values.length], input.offset, input.length)
  const tw = words(times)
  const vw = words(values)
  const bound = insertParamsBound(uuid.length, sync, n, mergePolicy, roundBits)
  const out = buffers === undefined ? bytesToWrite(bound) : buffers.lend(bound)
  let pos = 0
  if (uuid.length !== 0) {
    out[pos++] = 0x0a
    pos = writeVarint32(out, pos, uuid.length)
    out.set(uuid, pos)
    pos += uuid.length
  }
  if (sync) {
    out[pos++] = 0x10
    out[pos++] = 0x01
  }
  pos = writeRawPointEntries(out, viewOf(out), pos, 0x1a, values, tw, vw, from, n)
  if (mergePolicy !== 0) {
    out[pos++] = 0x20
    out[pos++] = mergePolicy
  }
  if (roundBits !== undefined) {
    out[pos++] = 0x2a
    out[pos++] = 1 + sizeInt32(roundBits)
    out[pos++] = 0x10
    pos = writeInt32(out, pos, roundBits)
  }
  return writtenPart(out, pos)
}

/**
 * Counts the `values` entries of an `InsertParams` from their tags and lengths only (one scan of the top level,
 * no point decoded). Throws {@link CodecError} if the top level is malformed.
 */
export const countInsertPoints = (bytes: Uint8Array): number => scanInsert(bytes).count

interface InsertHeader {
  readonly uuidStart: number
  readonly uuidEnd: number
  readonly sync: boolean
  readonly mergePolicy: number
  readonly roundBits: number | undefined
  readonly count: number
}

const scanInsert = (buf: Uint8Array): InsertHeader => {
  const end = buf.length
  let pos = 0
  let uuidStart = 0
  let uuidEnd = 0
  let sync = false
  let mergePolicy = 0
  let roundBits: number | undefined = undefined
  let count = 0
  while (pos < end) {
    if (buf[pos] === 0x1a) {
      const l = buf[pos + 1]
      if (l < 0x80 && pos + 2 + l <= end) {
        count++
        pos += 2 + l
        continue
      }
    }
    const at = pos
    pos = readTag(buf, pos, end)
    const tag = varLo()
    const field = tag >>> 3
    const wt = tag & 7
    switch (field) {
      case 1: {
        if (wt !== LEN) wrongWireType(field, wt, LEN, at)
        pos = readLength(buf, pos, end)
        uuidStart = pos
        pos += varLo()
        uuidEnd = pos
        break
      }
      case 2: {
        if (wt !== VARINT) wrongWireType(field, wt, VARINT, at)
        pos = readVarint(buf, pos, end)
        sync = varBool()
        break
      }
      case 3: {
        if (wt !== LEN) wrongWireType(field, wt, LEN, at)
        pos = readLength(buf, pos, end)
        pos += varLo()
        count++
        break
      }
      case 4: {
        if (wt !== VARINT) wrongWireType(field, wt, VARINT, at)
        pos = readVarint(buf, pos, end)
        mergePolicy = varInt32()
        break
      }
      case 5: {
        if (wt !== LEN) wrongWireType(field, wt, LEN, at)
        pos = readLength(buf, pos, end)
        const e = pos + varLo()
        while (pos < e) {
          const rat = pos
          pos = readTag(buf, pos, e)
          const rtag = varLo()
          const rfield = rtag >>> 3
          const rwt = rtag & 7
          if (rfield === 2) {
            if (rwt !== VARINT) wrongWireType(rfield, rwt, VARINT, rat)
            pos = readVarint(buf, pos, e)
            roundBits = varInt32()
          } else {
            pos = skipField(buf, pos, e, rfield, rwt, rat)
          }
        }
        break
      }
      default:
        pos = skipField(buf, pos, end, field, wt, at)
    }
  }
  return { uuidStart, uuidEnd, sync, mergePolicy, roundBits, count }
}

/**
 * Decodes an `InsertParams` into columns. Throws {@link TooManyPointsError} when it holds more than
 * `options.maxPoints` points (found before decoding any), {@link CodecError} on malformed bytes.
 */
export const decodeInsertParams = (bytes: Uint8Array, options: DecodeInsertOptions): InsertRequest => {
  const header = scanInsert(bytes)
  if (header.count > options.maxPoints) throw new TooManyPointsError(header.count, options.maxPoints)
  const { times, values } = decodeRawPointEntries(
    bytes,
    viewOf(bytes),
    0,
    bytes.length,
    0x1a,
    3,
    header.count,
    options.columns
  )
  return {
    uuid: new Uint8Array(bytes.subarray(header.uuidStart, header.uuidEnd)),
    sync: header.sync,
    mergePolicy: header.mergePolicy,
    roundBits: header.roundBits,
    times,
    values
  }
}
