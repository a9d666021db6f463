/**
 * Protobuf wire-format primitives for the hand-written codecs of the hot RPCs: varint and fixed-width readers and
 * writers over a `Uint8Array`, field skipping (every wire type, groups included), and the two errors a decoder
 * throws.
 *
 * Readers are plain functions over `(buf, pos, end)` that return the new position; a varint's value is left in
 * module-level scratch variables ({@link varLo} / {@link varHi} through the accessors) so that nothing is allocated
 * per field. Every read is bounds-checked and every failure is a {@link CodecError}: no `RangeError`, no silent
 * wrong value.
 *
 * 64-bit values move as two 32-bit words. The columnar outputs (`BigInt64Array`, `Float64Array`, `BigUint64Array`)
 * are written through `Uint32Array` views of their buffers, word {@link LO} holding the low half, which copies
 * NaN payloads bit for bit and never creates a `bigint` per point.
 */

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Why a byte string is not a valid encoding of the expected message (or why an encoder refused its input).
 *
 * - `truncated`: the bytes end inside a tag, a varint, a fixed-width value or a group.
 * - `length-out-of-bounds`: a length prefix points past the end of the enclosing message.
 * - `varint-too-long`: a varint runs over 10 bytes.
 * - `varint-overflow`: a 10-byte varint carries bits beyond 2^64, or a tag beyond 2^32.
 * - `invalid-field-number`: field number 0.
 * - `invalid-wire-type`: wire type 6 or 7.
 * - `wrong-wire-type`: a known field arrives with another wire type than its declared one.
 * - `invalid-group`: an end-group without its start-group, an end-group of another field, or groups nested too deep.
 * - `invalid-argument`: an encoder was given a value it cannot encode (lengths differ, out of range, …).
 */
export type CodecErrorReason =
  | "truncated"
  | "length-out-of-bounds"
  | "varint-too-long"
  | "varint-overflow"
  | "invalid-field-number"
  | "invalid-wire-type"
  | "wrong-wire-type"
  | "invalid-group"
  | "invalid-argument"

/** A malformed protobuf message (decoders) or an unencodable value (encoders). */
export class CodecError extends Error {
  readonly _tag = "CodecError" as const
  override readonly name = "CodecError"
  /** What is wrong. */
  readonly reason: CodecErrorReason
  /** Byte offset in the outermost buffer where the problem was found (-1 for encoder arguments). */
  readonly offset: number

  constructor(reason: CodecErrorReason, offset: number, detail?: string) {
    super(`${reason}${offset >= 0 ? ` at byte ${offset}` : ""}${detail === undefined ? "" : `: ${detail}`}`)
    this.reason = reason
    this.offset = offset
  }
}

/**
 * An `InsertParams` holds more points than the decoder's `maxPoints`. Found by counting the `values` entries in
 * one scan of the top level, before any point is decoded, so the server can answer 414 (InsertTooBig) cheaply.
 */
export class TooManyPointsError extends Error {
  readonly _tag = "TooManyPoints" as const
  override readonly name = "TooManyPointsError"
  /** The number of points in the message. */
  readonly count: number
  /** The limit it exceeded. */
  readonly maxPoints: number

  constructor(count: number, maxPoints: number) {
    super(`message holds ${count} points, more than the limit of ${maxPoints}`)
    this.count = count
    this.maxPoints = maxPoints
  }
}

/** Throws a {@link CodecError} for an encoder argument. */
export const invalidArgument = (detail: string): never => {
  throw new CodecError("invalid-argument", -1, detail)
}

// ---------------------------------------------------------------------------------------------------------------
// Word views
// ---------------------------------------------------------------------------------------------------------------

/** A `Uint32Array` over exactly the bytes of a 64-bit typed array (two words per element). */
export const words = (a: BigInt64Array | BigUint64Array | Float64Array): Uint32Array =>
  new Uint32Array(a.buffer, a.byteOffset, a.length * 2)

/**
 * At least `size` bytes for an encoder to write into from the start, given back with {@link writtenPart}: not
 * zeroed first, which cost a 5 000-point RawValuesResponse 5 to 7 % of its encoding (`Buffer.allocUnsafe`; small
 * sizes share Node's pool).
 */
export const bytesToWrite = (size: number): Uint8Array => Buffer.allocUnsafe(size)

/** The `written` bytes an encoder wrote at the start of `out` (from {@link bytesToWrite}), without a copy. */
export const writtenPart = (out: Uint8Array, written: number): Uint8Array => {
  if (written > out.length) throw new Error(`internal: wrote ${written} bytes into ${out.length}`)
  return written === out.length ? out : out.subarray(0, written)
}

/** A `DataView` over exactly the bytes of `buf`. */
export const viewOf = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength)

// ---------------------------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------------------------

/** Wire type 0: varint. */
export const VARINT = 0
/** Wire type 1: 8 bytes little-endian. */
export const I64 = 1
/** Wire type 2: length-delimited. */
export const LEN = 2
/** Wire type 3: start group (deprecated). */
export const SGROUP = 3
/** Wire type 4: end group (deprecated). */
export const EGROUP = 4
/** Wire type 5: 4 bytes little-endian. */
export const I32 = 5

/** Groups nested deeper than this inside an unknown field are rejected. */
export const MAX_GROUP_DEPTH = 64

// ---------------------------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------------------------

let scratchLo = 0
let scratchHi = 0

/** Low 32 bits (unsigned) of the last varint read. */
export const varLo = (): number => scratchLo
/** High 32 bits (unsigned) of the last varint read. */
export const varHi = (): number => scratchHi

/**
 * Reads a varint of up to 10 bytes at `pos` (bounded by `end`) into {@link varLo}/{@link varHi}; returns the
 * position after it.
 */
export const readVarint = (buf: Uint8Array, pos: number, end: number): number => {
  const start = pos
  let b: number
  let lo = 0
  // Bytes 0..3 carry bits 0..27.
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw new CodecError("truncated", start, "varint")
    b = buf[pos++]
    lo |= (b & 0x7f) << shift
    if (b < 0x80) {
      scratchLo = lo >>> 0
      scratchHi = 0
      return pos
    }
  }
  // Byte 4 carries bits 28..34.
  if (pos >= end) throw new CodecError("truncated", start, "varint")
  b = buf[pos++]
  lo |= (b & 0x0f) << 28
  let hi = (b & 0x7f) >>> 4
  if (b < 0x80) {
    scratchLo = lo >>> 0
    scratchHi = hi
    return pos
  }
  // Bytes 5..8 carry bits 35..62.
  for (let shift = 3; shift < 31; shift += 7) {
    if (pos >= end) throw new CodecError("truncated", start, "varint")
    b = buf[pos++]
    hi |= (b & 0x7f) << shift
    if (b < 0x80) {
      scratchLo = lo >>> 0
      scratchHi = hi >>> 0
      return pos
    }
  }
  // Byte 9 carries bit 63 only.
  if (pos >= end) throw new CodecError("truncated", start, "varint")
  b = buf[pos++]
  if (b >= 0x80) throw new CodecError("varint-too-long", start)
  if (b > 1) throw new CodecError("varint-overflow", start)
  scratchLo = lo >>> 0
  scratchHi = (hi | (b << 31)) >>> 0
  return pos
}

/** The last varint read as an unsigned 64-bit `bigint`. */
export const varUint64 = (): bigint =>
  scratchHi === 0 ? BigInt(scratchLo) : (BigInt(scratchHi) << 32n) | BigInt(scratchLo)

/** The last varint read as an `int32`/enum (low 32 bits, two's complement). */
export const varInt32 = (): number => scratchLo | 0

/** The last varint read as a `uint32` (low 32 bits). */
export const varUint32 = (): number => scratchLo

/** The last varint read as a `bool` (any non-zero value is true). */
export const varBool = (): boolean => (scratchLo | scratchHi) !== 0

/**
 * Reads a tag at `pos` into {@link varLo}; returns the position after it. Rejects field number 0 and tags that do
 * not fit in 32 bits. The field number is `varLo() >>> 3`, the wire type `varLo() & 7`.
 */
export const readTag = (buf: Uint8Array, pos: number, end: number): number => {
  const b = buf[pos]
  if (b < 0x80 && pos < end) {
    if (b < 8) throw new CodecError("invalid-field-number", pos)
    scratchLo = b
    scratchHi = 0
    return pos + 1
  }
  const next = readVarint(buf, pos, end)
  if (scratchHi !== 0) throw new CodecError("varint-overflow", pos, "tag")
  if (scratchLo < 8) throw new CodecError("invalid-field-number", pos)
  return next
}

/**
 * Reads a length prefix at `pos` and checks that the payload fits before `end`; leaves the length in
 * {@link varLo} and returns the position of the payload.
 */
export const readLength = (buf: Uint8Array, pos: number, end: number): number => {
  const b = buf[pos]
  let next: number
  if (b < 0x80 && pos < end) {
    scratchLo = b
    scratchHi = 0
    next = pos + 1
  } else {
    next = readVarint(buf, pos, end)
  }
  if (scratchHi !== 0 || scratchLo > end - next) throw new CodecError("length-out-of-bounds", pos)
  return next
}

/** Checks that `n` fixed bytes fit at `pos` before `end`; returns `pos + n`. */
export const need = (pos: number, n: number, end: number): number => {
  if (n > end - pos) throw new CodecError("truncated", pos, `${n}-byte value`)
  return pos + n
}

/**
 * Skips the payload of an unknown field whose tag (field `field`, wire type `wireType`) has just been read;
 * `pos` is just after the tag. Returns the position after the field. Groups are skipped to their matching
 * end-group; a stray end-group and wire types 6/7 are errors.
 */
export const skipField = (
  buf: Uint8Array,
  pos: number,
  end: number,
  field: number,
  wireType: number,
  tagPos: number
): number => {
  switch (wireType) {
    case VARINT:
      return readVarint(buf, pos, end)
    case I64:
      return need(pos, 8, end)
    case LEN: {
      const p = readLength(buf, pos, end)
      return p + scratchLo
    }
    case I32:
      return need(pos, 4, end)
    case SGROUP:
      return skipGroup(buf, pos, end, field, tagPos)
    case EGROUP:
      throw new CodecError("invalid-group", tagPos, "end-group without start-group")
    default:
      throw new CodecError("invalid-wire-type", tagPos, `wire type ${wireType}`)
  }
}

/**
 * The number of top-level LEN fields numbered `field` from the one whose length prefix is at `pos` (its tag just
 * read) to `end`, from tags and lengths alone (other fields skipped, nothing decoded): how many entries a decoder
 * that ran out of room still has to take. Throws {@link CodecError} where the top level is malformed.
 */
export const entriesFrom = (buf: Uint8Array, pos: number, end: number, field: number): number => {
  pos = readLength(buf, pos, end) + scratchLo
  let count = 1
  while (pos < end) {
    const at = pos
    pos = readTag(buf, pos, end)
    const f = scratchLo >>> 3
    const wt = scratchLo & 7
    if (f === field && wt === LEN) {
      pos = readLength(buf, pos, end) + scratchLo
      count++
    } else {
      pos = skipField(buf, pos, end, f, wt, at)
    }
  }
  return count
}

const skipGroup = (buf: Uint8Array, pos: number, end: number, field: number, tagPos: number): number => {
  const open: Array<number> = [field]
  while (open.length > 0) {
    if (pos >= end) throw new CodecError("truncated", tagPos, "unterminated group")
    const at = pos
    pos = readTag(buf, pos, end)
    const f = scratchLo >>> 3
    const wt = scratchLo & 7
    if (wt === EGROUP) {
      if (f !== open[open.length - 1]) throw new CodecError("invalid-group", at, "end-group of another field")
      open.pop()
    } else if (wt === SGROUP) {
      if (open.length >= MAX_GROUP_DEPTH) throw new CodecError("invalid-group", at, "groups nested too deep")
      open.push(f)
    } else {
      pos = skipField(buf, pos, end, f, wt, at)
    }
  }
  return pos
}

/** The wire type of each known field of a message, or the schema of a submessage field (wire type 2). */
export interface MessageSchema {
  readonly [field: number]: number | MessageSchema
}

/**
 * Checks that `[pos, end)` is a valid encoding of a message of `schema` (structure, wire types of known fields,
 * submessages recursively) without building anything. Used for submessages the codecs drop (`Status.mash`).
 */
export const checkMessage = (buf: Uint8Array, pos: number, end: number, schema: MessageSchema): void => {
  while (pos < end) {
    const at = pos
    pos = readTag(buf, pos, end)
    const field = scratchLo >>> 3
    const wt = scratchLo & 7
    const expected = schema[field]
    if (expected === undefined) {
      pos = skipField(buf, pos, end, field, wt, at)
    } else if (typeof expected === "number") {
      if (wt !== expected) wrongWireType(field, wt, expected, at)
      pos = skipField(buf, pos, end, field, wt, at)
    } else {
      if (wt !== LEN) wrongWireType(field, wt, LEN, at)
      pos = readLength(buf, pos, end)
      const e = pos + scratchLo
      checkMessage(buf, pos, e, expected)
      pos = e
    }
  }
}

/** Throws the error for a known field that arrived with the wrong wire type. */
export const wrongWireType = (field: number, wireType: number, expected: number, tagPos: number): never => {
  throw new CodecError("wrong-wire-type", tagPos, `field ${field} has wire type ${wireType}, expected ${expected}`)
}

// ---------------------------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------------------------

/** Encoded size of an unsigned 32-bit varint. */
export const sizeVarint32 = (v: number): number =>
  v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5

/** Encoded size of a 64-bit varint given as two unsigned 32-bit words. */
export const sizeVarint64 = (lo: number, hi: number): number => {
  if (hi === 0) return sizeVarint32(lo)
  return Math.ceil((64 - Math.clz32(hi)) / 7)
}

/** Encoded size of an `int32`/enum varint (negative values take 10 bytes, sign-extended to 64 bits). */
export const sizeInt32 = (v: number): number => (v < 0 ? 10 : sizeVarint32(v))

/** Writes an unsigned 32-bit varint at `pos`; returns the position after it. */
export const writeVarint32 = (out: Uint8Array, pos: number, v: number): number => {
  while (v > 0x7f) {
    out[pos++] = (v & 0x7f) | 0x80
    v = v >>> 7
  }
  out[pos++] = v
  return pos
}

/** Writes a 64-bit varint given as two unsigned 32-bit words; returns the position after it. */
export const writeVarint64 = (out: Uint8Array, pos: number, lo: number, hi: number): number => {
  while (hi !== 0 || lo > 0x7f) {
    out[pos++] = (lo & 0x7f) | 0x80
    lo = ((lo >>> 7) | (hi << 25)) >>> 0
    hi = hi >>> 7
  }
  out[pos++] = lo
  return pos
}

/** Writes an `int32`/enum varint; returns the position after it. */
export const writeInt32 = (out: Uint8Array, pos: number, v: number): number =>
  v < 0 ? writeVarint64(out, pos, v >>> 0, 0xffffffff) : writeVarint32(out, pos, v)

/** Checks an encoder's `uint64` argument and splits it into words. */
export const uint64Words = (name: string, v: bigint): readonly [number, number] => {
  if (typeof v !== "bigint" || v < 0n || v > 0xffffffffffffffffn) {
    return invalidArgument(`${name} must be a bigint in [0, 2^64)`)
  }
  return [Number(v & 0xffffffffn), Number(v >> 32n)]
}

/** Checks an encoder's `int32` argument. */
export const checkInt32 = (name: string, v: number): number => {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    return invalidArgument(`${name} must be an int32`)
  }
  return v
}

/**
 * Resolves an encoder's optional `offset`/`length` against columns of `total` elements; the columns must have
 * the same length.
 */
export const checkRange = (
  total: number,
  lengths: ReadonlyArray<number>,
  offset: number | undefined,
  length: number | undefined
): readonly [number, number] => {
  for (const l of lengths) {
    if (l !== total) invalidArgument(`columns have different lengths (${total} and ${l})`)
  }
  const from = offset ?? 0
  if (!Number.isSafeInteger(from) || from < 0 || from > total) invalidArgument(`offset ${from} out of [0, ${total}]`)
  const n = length ?? total - from
  if (!Number.isSafeInteger(n) || n < 0 || n > total - from) {
    invalidArgument(`length ${n} out of [0, ${total - from}] at offset ${from}`)
  }
  return [from, n]
}
