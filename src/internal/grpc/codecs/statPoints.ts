/**
 * Columnar codec of `AlignedWindowsResponse` and `WindowsResponse`, which share one layout: stat 1 Status;
 * versionMajor 2 uint64; versionMinor 3 uint64; values 4 repeated StatPoint (time 1 sfixed64; min 2, mean 3, max 4
 * double; count 5 fixed64; stddev 6 double).
 *
 * Same scheme as the raw codec: one pass into six typed arrays sized from the message length; the usual 56-byte
 * layout `22 36 09 <8> 11 <8> 19 <8> 21 <8> 29 <8> 31 <8>` takes a fast path and any other valid encoding the
 * general parser. Encoding is canonical proto3: fields in number order, zero fields
 * (+0.0 for doubles, 0 for time and count) omitted.
 */
import { HI, LITTLE_ENDIAN_HOST, LO } from "../../byteOrder.js"
import { prepareHeader } from "./rawValues.js"
import { readResponseField, type ResponseHeader, type Status } from "./status.js"
import {
  bytesToWrite,
  checkRange,
  entriesFrom,
  I64,
  need,
  readLength,
  readTag,
  skipField,
  varLo,
  viewOf,
  words,
  writtenPart,
  wrongWireType
} from "./wire.js"

/**
 * A decoded `AlignedWindowsResponse`/`WindowsResponse`: one page of windows as six parallel columns, views of one
 * ArrayBuffer of the page's own.
 */
export interface StatPointsPage {
  /** The in-band status; present means the server reports an error (whatever its code). */
  readonly stat: Status | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
  /** Window start times, nanoseconds since the Unix epoch. */
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  /** Number of points in each window. */
  readonly count: BigUint64Array
  readonly stddev: Float64Array
}

/** Input of {@link encodeStatPointsResponse}: the columns and the optional sub-range of them to send. */
export interface StatPointsResponseInput {
  /** Omit on success (PROTOCOL.md §1). */
  readonly stat?: Status | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: BigUint64Array
  readonly stddev: Float64Array
  /** First window to send (default 0). */
  readonly offset?: number | undefined
  /** Number of windows to send (default: up to the end of the columns). */
  readonly length?: number | undefined
}

/** The six word views of a page, in field order (time, min, mean, max, count, stddev). */
type Columns = readonly [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]

const decodeStatPoint = (
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  cols: Columns,
  j: number
): void => {
  // Words of fields 1..6 (index field - 1), zero unless present; the last occurrence wins.
  let a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0, d0 = 0, d1 = 0, e0 = 0, e1 = 0, f0 = 0, f1 = 0
  while (pos < end) {
    const at = pos
    pos = readTag(buf, pos, end)
    const tag = varLo()
    const field = tag >>> 3
    const wt = tag & 7
    if (field >= 1 && field <= 6) {
      if (wt !== I64) wrongWireType(field, wt, I64, at)
      need(pos, 8, end)
      const w0 = dv.getUint32(pos, true)
      const w1 = dv.getUint32(pos + 4, true)
      pos += 8
      switch (field) {
        case 1:
          a0 = w0
          a1 = w1
          break
        case 2:
          b0 = w0
          b1 = w1
          break
        case 3:
          c0 = w0
          c1 = w1
          break
        case 4:
          d0 = w0
          d1 = w1
          break
        case 5:
          e0 = w0
          e1 = w1
          break
        default:
          f0 = w0
          f1 = w1
      }
    } else {
      pos = skipField(buf, pos, end, field, wt, at)
    }
  }
  const lo = j + LO
  const hi = j + HI
  cols[0][lo] = a0
  cols[0][hi] = a1
  cols[1][lo] = b0
  cols[1][hi] = b1
  cols[2][lo] = c0
  cols[2][hi] = c1
  cols[3][lo] = d0
  cols[3][hi] = d1
  cols[4][lo] = e0
  cols[4][hi] = e1
  cols[5][lo] = f0
  cols[5][hi] = f1
}

/** The six columns of a page being decoded, at some capacity. */
interface Page {
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: BigUint64Array
  readonly stddev: Float64Array
}

/**
 * Six columns of `capacity` windows, views of one ArrayBuffer: one allocation a page rather than six, each of
 * which cost more than decoding a short read's 500 windows (bench/README.md, "one buffer a page").
 */
const allocate = (capacity: number): Page => {
  const buffer = new ArrayBuffer(capacity * 48)
  const size = capacity * 8
  return {
    times: new BigInt64Array(buffer, 0, capacity),
    min: new Float64Array(buffer, size, capacity),
    mean: new Float64Array(buffer, 2 * size, capacity),
    max: new Float64Array(buffer, 3 * size, capacity),
    count: new BigUint64Array(buffer, 4 * size, capacity),
    stddev: new Float64Array(buffer, 5 * size, capacity)
  }
}

/** The first `n` windows of `page` in new columns of `capacity` windows. */
const copied = (page: Page, n: number, capacity: number): Page => {
  const next = allocate(capacity)
  next.times.set(page.times.subarray(0, n))
  next.min.set(page.min.subarray(0, n))
  next.mean.set(page.mean.subarray(0, n))
  next.max.set(page.max.subarray(0, n))
  next.count.set(page.count.subarray(0, n))
  next.stddev.set(page.stddev.subarray(0, n))
  return next
}

const columnsOf = (page: Page): Columns => [
  words(page.times),
  words(page.min),
  words(page.mean),
  words(page.max),
  words(page.count),
  words(page.stddev)
]

/**
 * Decodes the run of windows in the usual layout (`22 36 09 <time> 11 <min> 19 <mean> 21 <max> 29 <count>
 * 31 <stddev>`, 56 bytes each) from `pos`, as many as fit before `end` and in the words `[j, limit)` of the columns,
 * on a little-endian host; returns where the run stopped (`pos` when no such window starts there). One window takes
 * two words: `j` grows by a 28th of the bytes.
 */
const decodeUsualWindows = (
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  end: number,
  page: Page,
  tw: Uint32Array,
  cw: Uint32Array,
  j: number,
  limit: number
): number => {
  const { max, mean, min, stddev } = page
  const last = Math.min(end - 56, pos + (limit - j) * 28 - 56)
  while (
    pos <= last && buf[pos] === 0x22 && dv.getUint16(pos + 1, true) === 0x0936 && buf[pos + 11] === 0x11 &&
    buf[pos + 20] === 0x19 && buf[pos + 29] === 0x21 && buf[pos + 38] === 0x29 && buf[pos + 47] === 0x31
  ) {
    const i = j >>> 1
    tw[j] = dv.getUint32(pos + 3, true)
    tw[j + 1] = dv.getUint32(pos + 7, true)
    // Doubles moved from a DataView into a Float64Array keep their bits, NaN payloads included.
    min[i] = dv.getFloat64(pos + 12, true)
    mean[i] = dv.getFloat64(pos + 21, true)
    max[i] = dv.getFloat64(pos + 30, true)
    cw[j] = dv.getUint32(pos + 39, true)
    cw[j + 1] = dv.getUint32(pos + 43, true)
    stddev[i] = dv.getFloat64(pos + 48, true)
    j += 2
    pos += 56
  }
  return pos
}

/**
 * Decodes an `AlignedWindowsResponse` or a `WindowsResponse` into columns. Accepts any valid encoding; throws
 * {@link CodecError} on malformed bytes.
 *
 * One pass, as the raw decoder: columns allocated for `length / 56` windows; if more come, the rest counted from
 * their tags and lengths and the columns grown once to the exact count; cut to it by a copy if fewer did. The
 * columns are views of one ArrayBuffer, which holds nothing else.
 */
export const decodeStatPointsResponse = (bytes: Uint8Array): StatPointsPage => {
  const buf = bytes
  const end = buf.length
  const dv = viewOf(buf)
  const le = LITTLE_ENDIAN_HOST
  let capacity = Math.floor(end / 56)
  let page = allocate(capacity)
  // the words of times and count, which the usual layout writes; all six columns' only for the general form
  let tw = words(page.times)
  let cw = words(page.count)
  let cols: Columns | undefined
  let limit = capacity * 2
  let j = 0
  const header: ResponseHeader = { stat: undefined, versionMajor: 0n, versionMinor: 0n }
  let pos = 0
  while (pos < end) {
    if (le) {
      const after = decodeUsualWindows(buf, dv, pos, end, page, tw, cw, j, limit)
      if (after !== pos) {
        j += (after - pos) / 28
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
    // A window; `pos` is at its length.
    if (j === limit) {
      // More windows than 56 bytes each would make (fields left out at their defaults): this one and every one
      // after it, counted from their tags and lengths, and the columns grown once.
      capacity = (j >>> 1) + entriesFrom(buf, pos, end, 4)
      page = copied(page, j >>> 1, capacity)
      tw = words(page.times)
      cw = words(page.count)
      cols = undefined
      limit = capacity * 2
    }
    pos = readLength(buf, pos, end)
    const e = pos + varLo()
    cols ??= columnsOf(page)
    decodeStatPoint(buf, dv, pos, e, cols, j)
    j += 2
    pos = e
  }
  const n = j >>> 1
  const { count, max, mean, min, stddev, times } = n === capacity ? page : copied(page, n, n)
  return {
    stat: header.stat,
    versionMajor: header.versionMajor,
    versionMinor: header.versionMinor,
    times,
    min,
    mean,
    max,
    count,
    stddev
  }
}

/** Writes the StatPoint entry of words `j`, `j + 1` in its general form (zero fields omitted, any byte order). */
const writeStatPoint = (out: Uint8Array, dv: DataView, pos: number, cols: Columns, j: number): number => {
  out[pos] = 0x22
  const lenAt = pos + 1
  pos += 2
  for (let c = 0; c < 6; c++) {
    const w = cols[c]
    const w0 = w[j + LO]
    const w1 = w[j + HI]
    if ((w0 | w1) !== 0) {
      out[pos] = ((c + 1) << 3) | 1
      dv.setUint32(pos + 1, w0, true)
      dv.setUint32(pos + 5, w1, true)
      pos += 9
    }
  }
  out[lenAt] = pos - lenAt - 1
  return pos
}

/**
 * Encodes an `AlignedWindowsResponse`/`WindowsResponse` from columns (or the sub-range `offset`/`length` of
 * them) in canonical form.
 */
export const encodeStatPointsResponse = (input: StatPointsResponseInput): Uint8Array => {
  const { count, max, mean, min, stddev, times } = input
  const [from, n] = checkRange(
    times.length,
    [min.length, mean.length, max.length, count.length, stddev.length],
    input.offset,
    input.length
  )
  const header = prepareHeader(input.stat, input.versionMajor, input.versionMinor)
  const cols: Columns = [words(times), words(min), words(mean), words(max), words(count), words(stddev)]
  const [tw, , , , cw] = cols
  // every window at its most (56 bytes: tag, length and all six fields), the bytes written given back
  const out = bytesToWrite(header.size + 56 * n)
  const dv = viewOf(out)
  let pos = header.write(out, 0)
  const le = LITTLE_ENDIAN_HOST
  const last = from + n
  for (let i = from; i < last; i++) {
    const j = i * 2
    if (le) {
      const t0 = tw[j]
      const t1 = tw[j + 1]
      const c0 = cw[j]
      const c1 = cw[j + 1]
      const vMin = min[i]
      const vMean = mean[i]
      const vMax = max[i]
      const vStddev = stddev[i]
      // Every field non-zero (for a double: not +0.0; NaN and -0.0 are written).
      if (
        (t0 | t1) !== 0 && (c0 | c1) !== 0 && (vMin !== 0 || 1 / vMin < 0) && (vMean !== 0 || 1 / vMean < 0) &&
        (vMax !== 0 || 1 / vMax < 0) && (vStddev !== 0 || 1 / vStddev < 0)
      ) {
        // Doubles go from the Float64Array to the DataView as doubles, which keeps their bits.
        out[pos] = 0x22
        out[pos + 1] = 0x36
        out[pos + 2] = 0x09
        dv.setUint32(pos + 3, t0, true)
        dv.setUint32(pos + 7, t1, true)
        out[pos + 11] = 0x11
        dv.setFloat64(pos + 12, vMin, true)
        out[pos + 20] = 0x19
        dv.setFloat64(pos + 21, vMean, true)
        out[pos + 29] = 0x21
        dv.setFloat64(pos + 30, vMax, true)
        out[pos + 38] = 0x29
        dv.setUint32(pos + 39, c0, true)
        dv.setUint32(pos + 43, c1, true)
        out[pos + 47] = 0x31
        dv.setFloat64(pos + 48, vStddev, true)
        pos += 56
        continue
      }
    }
    pos = writeStatPoint(out, dv, pos, cols, j)
  }
  return writtenPart(out, pos)
}
