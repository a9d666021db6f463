/**
 * Encoders of the read requests, straight from `bigint`s: `RawValuesParams` (uuid 1 bytes; start 2, end 3
 * sfixed64; versionMajor 4 uint64), `AlignedWindowsParams` (the same and pointWidth 5 uint32) and `WindowsParams`
 * (the same and width 5 uint64, depth 6 uint32). Canonical proto3, as the official clients write them: fields in
 * number order, zero fields left out (proto-loader writes a field given as 0).
 *
 * proto-loader's encoding of these takes the 64-bit fields as decimal strings and parses them back (one `Long`
 * each); for a short read that cost about 2 % of the call (bench/README.md, "the read requests").
 */
import { uuidToBytes } from "../../uuidBytes.js"
import { I64, LEN, VARINT, writeVarint32, writeVarint64 } from "./wire.js"

/** The fields every read request has. */
export interface ReadRange {
  /** The stream's UUID, in its canonical text (written as its 16 bytes). */
  readonly uuid: string
  readonly start: bigint
  readonly end: bigint
  /** 0 for the latest version. */
  readonly versionMajor: bigint
}

/**
 * The longest read request: the uuid (18 bytes with its tag and length), start and end (9 each), versionMajor and
 * width (11 each) and depth (6).
 */
const MAX_READ_PARAMS_BYTES = 64

const tag = (field: number, wireType: number) => (field << 3) | wireType

/** Writes an sfixed64 field unless it is 0; returns the position after it. */
const writeFixed = (out: Buffer, pos: number, field: number, v: bigint): number => {
  if (v === 0n) return pos
  out[pos] = tag(field, I64)
  out.writeBigInt64LE(v, pos + 1)
  return pos + 9
}

/** Writes a uint64 varint field unless it is 0; returns the position after it. */
const writeUint64 = (out: Buffer, pos: number, field: number, v: bigint): number => {
  if (v === 0n) return pos
  out[pos] = tag(field, VARINT)
  return writeVarint64(out, pos + 1, Number(v & 0xffffffffn), Number(v >> 32n))
}

/** Writes a uint32 varint field unless it is 0; returns the position after it. */
const writeUint32 = (out: Buffer, pos: number, field: number, v: number): number => {
  if (v === 0) return pos
  out[pos] = tag(field, VARINT)
  return writeVarint32(out, pos + 1, v)
}

/**
 * Writes the fields every read request has (1 to 4) at the start of `out`; returns the position after them. The
 * arguments are the SDK's own, already checked: times within int64, versions and widths within uint64, point
 * widths and depths within uint32.
 */
const writeRange = (out: Buffer, range: ReadRange): number => {
  out[0] = tag(1, LEN)
  out[1] = 16
  uuidToBytes(range.uuid, out, 2)
  return writeUint64(out, writeFixed(out, writeFixed(out, 18, 2, range.start), 3, range.end), 4, range.versionMajor)
}

/** A `RawValuesParams`. */
export const encodeRawValuesParams = (range: ReadRange): Buffer => {
  const out = Buffer.allocUnsafe(MAX_READ_PARAMS_BYTES)
  return out.subarray(0, writeRange(out, range))
}

/** An `AlignedWindowsParams`: windows of 2^`pointWidth` ns. */
export const encodeAlignedWindowsParams = (range: ReadRange & { readonly pointWidth: number }): Buffer => {
  const out = Buffer.allocUnsafe(MAX_READ_PARAMS_BYTES)
  return out.subarray(0, writeUint32(out, writeRange(out, range), 5, range.pointWidth))
}

/** A `WindowsParams`: windows of `width` ns, statistics to `depth`. */
export const encodeWindowsParams = (range: ReadRange & { readonly width: bigint; readonly depth: number }): Buffer => {
  const out = Buffer.allocUnsafe(MAX_READ_PARAMS_BYTES)
  return out.subarray(0, writeUint32(out, writeUint64(out, writeRange(out, range), 5, range.width), 6, range.depth))
}
