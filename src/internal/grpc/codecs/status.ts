/**
 * The `Status` submessage (`stat`, field 1 of every hot response): `code` 1 uint32, `msg` 2 string, `mash` 3 Mash.
 * `mash` is never filled in by servers; the decoder checks that it is a valid `Mash` and drops it, the encoder
 * never writes it.
 */
import {
  checkMessage,
  I64,
  invalidArgument,
  LEN,
  type MessageSchema,
  readLength,
  readTag,
  readVarint,
  sizeVarint32,
  skipField,
  VARINT,
  varLo,
  varUint32,
  varUint64,
  writeVarint32,
  wrongWireType
} from "./wire.js"

/** An in-band status. Present in a response means an error, whatever its code (PROTOCOL.md §1). */
export interface Status {
  readonly code: number
  readonly msg: string
}

/** `Member`: hash 1 uint32; nodename 2; up 3, in 4, enabled 5 bool; start 6, end 7, weight 8 int64; readPreference 9 double; httpEndpoints 10, grpcEndpoints 11. */
const MEMBER: MessageSchema = {
  1: VARINT,
  2: LEN,
  3: VARINT,
  4: VARINT,
  5: VARINT,
  6: VARINT,
  7: VARINT,
  8: VARINT,
  9: I64,
  10: LEN,
  11: LEN
}

/** `Mash`: revision 1 int64; leader 2 string; leaderRevision 3, totalWeight 4 int64; healthy 5 bool; unmapped 6 double; members 7 Member. */
const MASH: MessageSchema = { 1: VARINT, 2: LEN, 3: VARINT, 4: VARINT, 5: VARINT, 6: I64, 7: MEMBER }

const utf8Decoder = new TextDecoder("utf-8")
const utf8Encoder = new TextEncoder()

/** Decodes the `Status` payload at `[pos, end)`. Invalid UTF-8 in `msg` becomes U+FFFD, as protobufjs does. */
export const decodeStatus = (buf: Uint8Array, pos: number, end: number): Status => {
  let code = 0
  let msg = ""
  while (pos < end) {
    const at = pos
    pos = readTag(buf, pos, end)
    const tag = varLo()
    const field = tag >>> 3
    const wt = tag & 7
    if (field === 1) {
      if (wt !== VARINT) wrongWireType(field, wt, VARINT, at)
      pos = readVarint(buf, pos, end)
      code = varUint32()
    } else if (field === 2) {
      if (wt !== LEN) wrongWireType(field, wt, LEN, at)
      pos = readLength(buf, pos, end)
      const len = varLo()
      msg = len === 0 ? "" : utf8Decoder.decode(buf.subarray(pos, pos + len))
      pos += len
    } else if (field === 3) {
      if (wt !== LEN) wrongWireType(field, wt, LEN, at)
      pos = readLength(buf, pos, end)
      const len = varLo()
      checkMessage(buf, pos, pos + len, MASH)
      pos += len
    } else {
      pos = skipField(buf, pos, end, field, wt, at)
    }
  }
  return { code, msg }
}

/** A `Status` ready to be written: its encoded payload and the payload's size. */
export interface PreparedStatus {
  readonly code: number
  readonly msg: Uint8Array
  /** Size of the payload (without the `stat` tag and length). */
  readonly size: number
}

/** Checks a `Status` for encoding and measures it. */
export const prepareStatus = (stat: Status): PreparedStatus => {
  const code = stat.code
  if (!Number.isInteger(code) || code < 0 || code > 0xffffffff) invalidArgument("stat.code must be a uint32")
  if (typeof stat.msg !== "string") invalidArgument("stat.msg must be a string")
  const msg = utf8Encoder.encode(stat.msg)
  const size = (code === 0 ? 0 : 1 + sizeVarint32(code)) +
    (msg.length === 0 ? 0 : 1 + sizeVarint32(msg.length) + msg.length)
  return { code, msg, size }
}

/** Size of the `stat` field (tag, length, payload) of a prepared status. */
export const statFieldSize = (s: PreparedStatus): number => 1 + sizeVarint32(s.size) + s.size

/** Writes field 1 `stat` with a prepared status at `pos`; returns the position after it. */
export const writeStatField = (out: Uint8Array, pos: number, s: PreparedStatus): number => {
  out[pos++] = 0x0a
  pos = writeVarint32(out, pos, s.size)
  if (s.code !== 0) {
    out[pos++] = 0x08
    pos = writeVarint32(out, pos, s.code)
  }
  if (s.msg.length !== 0) {
    out[pos++] = 0x12
    pos = writeVarint32(out, pos, s.msg.length)
    out.set(s.msg, pos)
    pos += s.msg.length
  }
  return pos
}

/** What the hot responses carry besides their points: `stat` (1), `versionMajor` (2) and `versionMinor` (3). */
export interface ResponseHeader {
  stat: Status | undefined
  versionMajor: bigint
  versionMinor: bigint
}

/**
 * Reads the top-level field at `pos` of a hot response whose tag is not the one-byte tag of a point: a point under a
 * longer tag gives the position of its length; any other field is read into `header` (see {@link readHeaderField})
 * and gives the bitwise complement (`~`, a negative number) of the position after it.
 */
export const readResponseField = (buf: Uint8Array, pos: number, end: number, header: ResponseHeader): number => {
  const at = pos
  pos = readTag(buf, pos, end)
  const tag = varLo()
  const field = tag >>> 3
  const wt = tag & 7
  if (field !== 4) return ~readHeaderField(buf, pos, end, field, wt, at, header)
  if (wt !== LEN) wrongWireType(field, wt, LEN, at)
  return pos
}

/**
 * Reads one top-level field of a hot response other than its points (field 4) into `header`: `stat` (the last one
 * wins), the versions, or an unknown field, skipped. `pos` is just past the tag read at `at`; returns the position
 * after the field.
 */
export const readHeaderField = (
  buf: Uint8Array,
  pos: number,
  end: number,
  field: number,
  wt: number,
  at: number,
  header: ResponseHeader
): number => {
  switch (field) {
    case 1: {
      if (wt !== LEN) wrongWireType(field, wt, LEN, at)
      pos = readLength(buf, pos, end)
      const e = pos + varLo()
      header.stat = decodeStatus(buf, pos, e)
      return e
    }
    case 2: {
      if (wt !== VARINT) wrongWireType(field, wt, VARINT, at)
      pos = readVarint(buf, pos, end)
      header.versionMajor = varUint64()
      return pos
    }
    case 3: {
      if (wt !== VARINT) wrongWireType(field, wt, VARINT, at)
      pos = readVarint(buf, pos, end)
      header.versionMinor = varUint64()
      return pos
    }
    default:
      return skipField(buf, pos, end, field, wt, at)
  }
}
