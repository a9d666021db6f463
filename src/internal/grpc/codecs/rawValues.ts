/**
 * Columnar codec of `RawValuesResponse` (stat 1 Status; versionMajor 2 uint64; versionMinor 3 uint64; values 4
 * repeated RawPoint) and of the `RawPoint` entries (time 1 sfixed64; value 2 double) it shares with
 * `InsertParams`.
 *
 * Decoding fills one `BigInt64Array` and one `Float64Array` per message (a response in one pass, sized from the
 * message length; an insert in two, see `insert.ts`). The usual 20-byte layout of a point,
 * `<tag> 12 09 <8 bytes> 11 <8 bytes>`, takes a fast path; anything else (fields out of order, repeated, missing,
 * unknown fields inside the point) goes through the general parser with protobuf semantics (last value wins,
 * absent field = 0). Times and the general path move 64-bit values as two 32-bit words; the fast path moves
 * doubles as doubles (DataView to Float64Array), which keeps every bit, NaN payloads included.
 *
 * Encoding writes the canonical proto3 form (fields in number order, defaults omitted: a point at time 0 with
 * value +0.0 is an empty submessage; -0.0 is not the default and is written, as protobufjs does) into one
 * `Uint8Array` of the exact size.
 */
import { HI, LITTLE_ENDIAN_HOST, LO } from "../../byteOrder.js"
import { LentBuffers } from "./lentBuffers.js"
import {
  prepareStatus,
  readResponseField,
  type ResponseHeader,
  statFieldSize,
  type Status,
  writeStatField
} from "./status.js"
import {
  bytesToWrite,
  checkRange,
  entriesFrom,
  I64,
  invalidArgument,
  LEN,
  need,
  readLength,
  readTag,
  sizeVarint64,
  skipField,
  uint64Words,
  varLo,
  viewOf,
  words,
  writeVarint64,
  writtenPart,
  wrongWireType
} from "./wire.js"

/** A decoded `RawValuesResponse`: one page of points as two parallel columns, views of one ArrayBuffer of its own. */
export interface RawValuesPage {
  /** The in-band status; present means the server reports an error (whatever its code). */
  readonly stat: Status | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
  /** Point times, nanoseconds since the Unix epoch. */
  readonly times: BigInt64Array
  /** Point values, `values[i]` belongs to `times[i]`; NaN payloads are kept bit for bit. */
  readonly values: Float64Array
}

/** Input of {@link encodeRawValuesResponse}: the columns and the optional sub-range of them to send. */
export interface RawValuesResponseInput {
  /** Omit on success (PROTOCOL.md §1: a present `stat` is an error for the Go client, even with code 0). */
  readonly stat?: Status | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
  readonly times: BigInt64Array
  readonly values: Float64Array
  /** First point to send (default 0). */
  readonly offset?: number | undefined
  /** Number of points to send (default: up to the end of the columns). */
  readonly length?: number | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// RawPoint entries (shared with InsertParams)
// ---------------------------------------------------------------------------------------------------------------

/** Decodes one `RawPoint` payload at `[pos, end)` into words `j`, `j + 1` of the time and value columns. */
const decodeRawPoint = (
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  tw: Uint32Array,
  vw: Uint32Array,
  j: number
): void => {
  let t0 = 0
  let t1 = 0
  let v0 = 0
  let v1 = 0
  while (pos < end) {
    const at = pos
    pos = readTag(buf, pos, end)
    const tag = varLo()
    const field = tag >>> 3
    const wt = tag & 7
    if (field === 1) {
      if (wt !== I64) wrongWireType(field, wt, I64, at)
      need(pos, 8, end)
      t0 = dv.getUint32(pos, true)
      t1 = dv.getUint32(pos + 4, true)
      pos += 8
    } else if (field === 2) {
      if (wt !== I64) wrongWireType(field, wt, I64, at)
      need(pos, 8, end)
      v0 = dv.getUint32(pos, true)
      v1 = dv.getUint32(pos + 4, true)
      pos += 8
    } else {
      pos = skipField(buf, pos, end, field, wt, at)
    }
  }
  tw[j + LO] = t0
  tw[j + HI] = t1
  vw[j + LO] = v0
  vw[j + HI] = v1
}

/** Columns for `count` points, to be written in full: they need not be zeroed. */
export type PointColumns = (count: number) => { times: BigInt64Array; values: Float64Array }

/** New (zeroed) columns for `count` points: where points are decoded by default. */
export const newPointColumns: PointColumns = (count) => ({
  times: new BigInt64Array(count),
  values: new Float64Array(count)
})

/**
 * Second pass: decodes the `count` RawPoint entries of field `field` (single-byte tag `tag`) found in
 * `[pos, end)` by a first pass (the insert scan), skipping every other field, into columns from `columns`: every
 * one of their `count` points is written (a field absent from an entry as 0).
 *
 * @internal
 */
export const decodeRawPointEntries = (
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  tag: number,
  field: number,
  count: number,
  columns: PointColumns = newPointColumns
): { times: BigInt64Array; values: Float64Array } => {
  const { times, values } = columns(count)
  if (count === 0) return { times, values }
  const tw = words(times)
  const vw = words(values)
  const le = LITTLE_ENDIAN_HOST
  const limit = count * 2
  let j = 0
  while (pos < end) {
    if (buf[pos] === tag) {
      if (le && pos + 20 <= end && dv.getUint16(pos + 1, true) === 0x0912 && buf[pos + 11] === 0x11) {
        tw[j] = dv.getUint32(pos + 3, true)
        tw[j + 1] = dv.getUint32(pos + 7, true)
        // A double moved from a DataView into a Float64Array keeps its bits, NaN payloads included.
        values[j >>> 1] = dv.getFloat64(pos + 12, true)
        j += 2
        pos += 20
        continue
      }
      pos = readLength(buf, pos + 1, end)
      const e = pos + varLo()
      decodeRawPoint(buf, dv, pos, e, tw, vw, j)
      j += 2
      pos = e
      continue
    }
    const at = pos
    pos = readTag(buf, pos, end)
    const t = varLo()
    if (t >>> 3 === field && (t & 7) === LEN) {
      pos = readLength(buf, pos, end)
      const e = pos + varLo()
      decodeRawPoint(buf, dv, pos, e, tw, vw, j)
      j += 2
      pos = e
    } else {
      pos = skipField(buf, pos, end, t >>> 3, t & 7, at)
    }
  }
  if (j !== limit) throw new Error(`internal: counted ${count} points, decoded ${j / 2}`)
  return { times, values }
}

/**
 * The most bytes a RawPoint entry takes: a one-byte tag and length, then both fields (`09 <8 bytes> 11 <8 bytes>`).
 * An entry leaving out a field at its default is 9 bytes shorter. Encoders allocate for every entry at its most and
 * return the bytes written ({@link writtenPart}), rather than measure the entries in a pass of their own first.
 *
 * @internal
 */
export const RAW_POINT_ENTRY_BYTES = 20

/** Writes the RawPoint entry of words `j`, `j + 1` in its general form (defaults omitted, any host byte order). */
const writeRawPoint = (
  out: Uint8Array,
  dv: DataView,
  pos: number,
  tag: number,
  tw: Uint32Array,
  vw: Uint32Array,
  j: number
): number => {
  const t0 = tw[j + LO]
  const t1 = tw[j + HI]
  const v0 = vw[j + LO]
  const v1 = vw[j + HI]
  const hasTime = (t0 | t1) !== 0
  const hasValue = (v0 | v1) !== 0
  out[pos] = tag
  out[pos + 1] = (hasTime ? 9 : 0) + (hasValue ? 9 : 0)
  pos += 2
  if (hasTime) {
    out[pos] = 0x09
    dv.setUint32(pos + 1, t0, true)
    dv.setUint32(pos + 5, t1, true)
    pos += 9
  }
  if (hasValue) {
    out[pos] = 0x11
    dv.setUint32(pos + 1, v0, true)
    dv.setUint32(pos + 5, v1, true)
    pos += 9
  }
  return pos
}

/** Writes the RawPoint entries `[from, from + n)` with single-byte tag `tag` at `pos`; returns the end position. */
export const writeRawPointEntries = (
  out: Uint8Array,
  dv: DataView,
  pos: number,
  tag: number,
  values: Float64Array,
  tw: Uint32Array,
  vw: Uint32Array,
  from: number,
  n: number
): number => {
  const le = LITTLE_ENDIAN_HOST
  const head = 0x091200 | tag
  const stop = from + n
  for (let i = from; i < stop; i++) {
    const j = i * 2
    if (le) {
      const t0 = tw[j]
      const t1 = tw[j + 1]
      const v = values[i]
      // Non-zero time, and a value that is not +0.0 (NaN and -0.0 are written).
      if ((t0 | t1) !== 0 && (v !== 0 || 1 / v < 0)) {
        // `<tag> 12 09 <time> 11 <value>`: three little-endian words, then the double (a Float64Array element
        // moved into a DataView keeps its bits, NaN payloads included).
        dv.setUint32(pos, head | (t0 << 24), true)
        dv.setUint32(pos + 4, (t0 >>> 8) | (t1 << 24), true)
        dv.setUint32(pos + 8, (t1 >>> 8) | 0x11000000, true)
        dv.setFloat64(pos + 12, v, true)
        pos += 20
        continue
      }
    }
    pos = writeRawPoint(out, dv, pos, tag, tw, vw, j)
  }
  return pos
}

// ---------------------------------------------------------------------------------------------------------------
// Shared response header for encoding (stat 1, versionMajor 2, versionMinor 3)
// ---------------------------------------------------------------------------------------------------------------

/** The checked and measured non-point fields of a response to encode. */
export interface PreparedHeader {
  readonly size: number
  readonly write: (out: Uint8Array, pos: number) => number
}

/**
 * Checks and measures fields 1–3 of a hot response; `write` puts them at `pos` in field order.
 *
 * @internal
 */
export const prepareHeader = (
  stat: Status | undefined,
  versionMajor: bigint,
  versionMinor: bigint
): PreparedHeader => {
  const [majLo, majHi] = uint64Words("versionMajor", versionMajor)
  const [minLo, minHi] = uint64Words("versionMinor", versionMinor)
  const prepared = stat === undefined ? undefined : prepareStatus(stat)
  const hasMajor = (majLo | majHi) !== 0
  const hasMinor = (minLo | minHi) !== 0
  const size = (prepared === undefined ? 0 : statFieldSize(prepared)) +
    (hasMajor ? 1 + sizeVarint64(majLo, majHi) : 0) +
    (hasMinor ? 1 + sizeVarint64(minLo, minHi) : 0)
  return {
    size,
    write: (out, pos) => {
      if (prepared !== undefined) pos = writeStatField(out, pos, prepared)
      if (hasMajor) {
        out[pos++] = 0x10
        pos = writeVarint64(out, pos, majLo, majHi)
      }
      if (hasMinor) {
        out[pos++] = 0x18
        pos = writeVarint64(out, pos, minLo, minHi)
      }
      return pos
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// RawValuesResponse
// ---------------------------------------------------------------------------------------------------------------

/** Columns of `capacity` points, views of one ArrayBuffer: one allocation a page rather than two. */
const columns = (capacity: number): { times: BigInt64Array; values: Float64Array } => {
  const buffer = new ArrayBuffer(capacity * 16)
  return { times: new BigInt64Array(buffer, 0, capacity), values: new Float64Array(buffer, capacity * 8, capacity) }
}

/** The first `n` points of `times` and `values` in new columns of `capacity` points. */
const copied = (times: BigInt64Array, values: Float64Array, n: number, capacity: number) => {
  const next = columns(capacity)
  next.times.set(times.subarray(0, n))
  next.values.set(values.subarray(0, n))
  return next
}

/**
 * Decodes the run of points in the usual layout (`22 12 09 <time> 11 <value>`, 20 bytes each) from `pos`, as many
 * as fit before `end` and in the words `[j, limit)` of the columns, on a little-endian host; returns where the run
 * stopped (`pos` when no such point starts there). One point takes two words: `j` grows by a tenth of the bytes.
 */
const decodeUsualPoints = (
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  tw: Uint32Array,
  values: Float64Array,
  j: number,
  limit: number
): number => {
  const last = Math.min(end - 20, pos + (limit - j) * 10 - 20)
  while (pos <= last && buf[pos] === 0x22 && dv.getUint16(pos + 1, true) === 0x0912 && buf[pos + 11] === 0x11) {
    tw[j] = dv.getUint32(pos + 3, true)
    tw[j + 1] = dv.getUint32(pos + 7, true)
    // A double moved from a DataView into a Float64Array keeps its bits, NaN payloads included.
    values[j >>> 1] = dv.getFloat64(pos + 12, true)
    j += 2
    pos += 20
  }
  return pos
}

/**
 * Decodes a `RawValuesResponse` into columns. Accepts any valid encoding (fields in any order and repeated,
 * unknown fields of every wire type, `stat` anywhere); throws {@link CodecError} on malformed bytes.
 *
 * One pass: the columns are allocated for `length / 20` points (exact for the usual layout, whose points take 20
 * bytes each and whose header is shorter than a point); if more points come (entries leaving out a field at its
 * default, as a value of 0), the rest are counted from their tags and lengths and the columns grown once to the
 * exact count; if fewer did, they are cut to it by a copy. The two columns are views of one ArrayBuffer, which
 * holds nothing else.
 */
export const decodeRawValuesResponse = (bytes: Uint8Array): RawValuesPage => {
  const buf = bytes
  const end = buf.length
  const dv = viewOf(buf)
  const le = LITTLE_ENDIAN_HOST
  let capacity = Math.floor(end / 20)
  let { times, values } = columns(capacity)
  let tw = words(times)
  let vw = words(values)
  let limit = capacity * 2
  let j = 0
  const header: ResponseHeader = { stat: undefined, versionMajor: 0n, versionMinor: 0n }
  let pos = 0
  while (pos < end) {
    if (le) {
      const after = decodeUsualPoints(buf, dv, pos, end, tw, values, j, limit)
      if (after !== pos) {
        j += (after - pos) / 10
        pos = after
        continue
      }
    }
    // Tag: the single byte 22 for a point, anything else through the general reader.
    if (buf[pos] === 0x22) {
      pos++
    } else {
      const next = readResponseField(buf, pos, end, header)
      if (next < 0) {
        pos = ~next
        continue
      }
      pos = next
    }
    // A point; `pos` is at its length.
    if (j === limit) {
      // More points than 20 bytes each would make (a server leaves out a field at its default, a value of 0):
      // this one and every one after it, counted from their tags and lengths, and the columns grown once.
      capacity = (j >>> 1) + entriesFrom(buf, pos, end, 4)
      ;({ times, values } = copied(times, values, j >>> 1, capacity))
      tw = words(times)
      vw = words(values)
      limit = capacity * 2
    }
    pos = readLength(buf, pos, end)
    const e = pos + varLo()
    decodeRawPoint(buf, dv, pos, e, tw, vw, j)
    j += 2
    pos = e
  }
  const n = j >>> 1
  if (n < capacity) ({ times, values } = copied(times, values, n, n))
  return { stat: header.stat, versionMajor: header.versionMajor, versionMinor: header.versionMinor, times, values }
}

/** Encodes a `RawValuesResponse` from columns (or the sub-range `offset`/`length` of them) in canonical form. */
export const encodeRawValuesResponse = (input: RawValuesResponseInput): Uint8Array => {
  const [from, n] = checkRange(input.times.length, [input.values.length], input.offset, input.length)
  const builder = new RawValuesResponseBuilder(input, n)
  if (n > 0) builder.add(input.times, input.values, from, from + n)
  return builder.take()
}

/**
 * Encodes a read's `RawValuesResponse` messages as its points come, a page at a time: the entries are written
 * straight from the columns given to {@link add} (the store's own, for the server), with no page of columns in
 * between. Each message carries the header given; {@link take} gives the message of the points added since the
 * last one. Matches the engine's `RawPageBuilder<Uint8Array>`.
 *
 * With `reuse`, a message's buffer can be given back ({@link giveBack}) once its bytes have been copied out, and a
 * later message is written into it: a long read then writes its pages into a buffer or two instead of a new one per
 * page (a fresh 100 KB buffer per page cost more than encoding into it).
 */
export class RawValuesResponseBuilder {
  private readonly header: PreparedHeader
  private readonly capacity: number
  /** With `reuse`, the buffers messages are written into. */
  private readonly buffers: LentBuffers | null
  private out: Uint8Array | null = null
  private view: DataView | null = null
  private pos = 0
  private count = 0

  /** `pageSize`: the most points one message holds. */
  constructor(
    header: Pick<RawValuesResponseInput, "stat" | "versionMajor" | "versionMinor">,
    private readonly pageSize: number,
    reuse = false
  ) {
    this.header = prepareHeader(header.stat, header.versionMajor, header.versionMinor)
    this.capacity = this.header.size + RAW_POINT_ENTRY_BYTES * pageSize
    this.buffers = reuse ? new LentBuffers(1, this.capacity) : null
  }

  /** Writes the points `[from, to)` of the columns into the message being built. */
  add(times: BigInt64Array, values: Float64Array, from: number, to: number): void {
    checkRange(times.length, [values.length], from, to - from)
    if (this.count + to - from > this.pageSize) {
      invalidArgument(`a message of at most ${this.pageSize} points given ${this.count + to - from}`)
    }
    if (this.out === null || this.view === null) {
      this.out = this.buffers === null ? bytesToWrite(this.capacity) : this.buffers.lend(this.capacity)
      this.view = viewOf(this.out)
      this.pos = this.header.write(this.out, 0)
    }
    this.pos = writeRawPointEntries(
      this.out,
      this.view,
      this.pos,
      0x22,
      values,
      words(times),
      words(values),
      from,
      to - from
    )
    this.count += to - from
  }

  /** The message of the points added since the last call (the header alone when none were). */
  take(): Uint8Array {
    const { out, pos } = this
    this.out = null
    this.view = null
    this.count = 0
    if (out === null) {
      const empty = bytesToWrite(this.header.size)
      return writtenPart(empty, this.header.write(empty, 0))
    }
    return writtenPart(out, pos)
  }

  /**
   * Gives back a message {@link take} gave, once nothing reads its bytes any more: a later message is written into
   * its buffer. Anything else (a message not lent, or given back already) is ignored.
   */
  giveBack(message: Uint8Array): void {
    this.buffers?.giveBack(message)
  }
}
