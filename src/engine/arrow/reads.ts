/**
 * The Arrow reads of the v5 API over the data store (PROTOCOL.md §9.1–9.3), as lazily produced messages: each
 * message is a complete Arrow IPC stream of at most {@link ARROW_MESSAGE_ROWS} rows, every message of one read has
 * the same schema, and a successful read produces at least one message. The embedded server sends them; the
 * memory layer hands them to the SDK; so both answer alike.
 *
 * Errors are thrown as `StatusError`s when the read is opened (404, 413, 415, 421, 450), as the data store's are.
 */
import type * as arrow from "apache-arrow"
import {
  ARROW_MESSAGE_ROWS,
  ArrowDataError,
  decodeSchema,
  encodePoints,
  encodeStream,
  multiValuesSchema,
  POINTS_SCHEMA,
  templateProblem,
  WINDOWS_SCHEMA
} from "../../internal/arrow.js"
import { MAX_TIME, MIN_TIME, StatusCode } from "../../internal/protocol.js"
import type { Columns, DataStore, StatColumns, Version } from "../data/DataStore.js"
import { StatusError } from "../StatusError.js"
import { mergeRows, snapReadRange } from "./multiValues.js"

/** An Arrow read: the version that serves it (0 for multi-stream reads) and its messages, produced when iterated. */
export interface ArrowRead {
  readonly version: Version
  readonly messages: Iterable<Uint8Array>
}

const wrongArgs = (message: string): never => {
  throw new StatusError(StatusCode.WrongArgs, message)
}

/**
 * The schema a template asks for (PROTOCOL.md §9: fields by position, field 0 time, the others values), or
 * undefined for an empty template. 421 when it is not a schema of `fieldCount` supported fields.
 */
export const templateSchema = (bytes: Uint8Array | undefined, fieldCount: number): arrow.Schema | undefined => {
  if (bytes === undefined || bytes.length === 0) return undefined
  let schema: arrow.Schema
  try {
    schema = decodeSchema(bytes)
  } catch (error) {
    return wrongArgs(`templateBytes: ${error instanceof ArrowDataError ? error.message : String(error)}`)
  }
  const problem = templateProblem(schema, fieldCount)
  return problem === undefined ? schema : wrongArgs(problem)
}

const EMPTY_TIMES = new BigInt64Array(0)
const EMPTY_VALUES = new Float64Array(0)

const messagesOf = <P>(pages: Iterable<P>, encode: (page: P) => Uint8Array): Iterable<Uint8Array> => ({
  *[Symbol.iterator]() {
    for (const page of pages) yield encode(page)
  }
})

/** ArrowRawValues: the points of `[start, end)` in time order, in the template's schema or §9.1's. */
export const rawValues = (
  data: DataStore,
  uuid: string,
  start: bigint,
  end: bigint,
  version: bigint,
  templateBytes?: Uint8Array
): ArrowRead => {
  const read = data.rawValues(uuid, start, end, version, ARROW_MESSAGE_ROWS)
  const schema = templateSchema(templateBytes, 2) ?? POINTS_SCHEMA
  return {
    version: read.version,
    messages: messagesOf(read.pages, (page: Columns) => encodePoints(schema, page.times, [page.values]))
  }
}

const windowsMessage = (page: StatColumns): Uint8Array =>
  encodeStream(WINDOWS_SCHEMA, [page.times, page.min, page.mean, page.max, page.count, page.stddev], page.times.length)

/** ArrowWindows: the windows of `width` as Windows computes them, in §9.2's schema. */
export const windows = (
  data: DataStore,
  uuid: string,
  start: bigint,
  end: bigint,
  width: bigint,
  depth: number,
  version: bigint
): ArrowRead => {
  const read = data.windows(uuid, start, end, width, depth, version, ARROW_MESSAGE_ROWS)
  return { version: read.version, messages: messagesOf(read.pages, windowsMessage) }
}

/** ArrowAlignedWindows: the aligned windows of 2^pointWidth ns as AlignedWindows computes them, in §9.2's schema. */
export const alignedWindows = (
  data: DataStore,
  uuid: string,
  start: bigint,
  end: bigint,
  pointWidth: number,
  version: bigint
): ArrowRead => {
  const read = data.alignedWindows(uuid, start, end, pointWidth, version, ARROW_MESSAGE_ROWS)
  return { version: read.version, messages: messagesOf(read.pages, windowsMessage) }
}

/**
 * ArrowMultiValues (PROTOCOL.md §9.3): the streams' points on one time grid (see `multiValues.ts`), one column
 * per stream in request order. `versions` is index-aligned with `uuids` (0 = latest) or empty (all latest).
 * Errors: 421 (versions of another length, a negative period, a bad template), 404, 413, 450.
 */
export const multiValues = (
  data: DataStore,
  uuids: ReadonlyArray<string>,
  versions: ReadonlyArray<bigint>,
  start: bigint,
  end: bigint,
  snapPeriodNs: bigint,
  templateBytes?: Uint8Array
): ArrowRead => {
  if (versions.length !== 0 && versions.length !== uuids.length) {
    wrongArgs(`${versions.length} versions for ${uuids.length} streams`)
  }
  for (const uuid of uuids) data.version(uuid) // 404 first, as every read
  if (start < MIN_TIME || end >= MAX_TIME) {
    throw new StatusError(StatusCode.InvalidTimeRange, "time range out of bounds")
  }
  if (start >= end) throw new StatusError(StatusCode.InvalidTimeRange, "start time >= end time")
  if (snapPeriodNs < 0n) wrongArgs("snapPeriodNs must not be negative")
  const schema = templateSchema(templateBytes, uuids.length + 1) ?? multiValuesSchema(uuids)
  let lo = start
  let hi = end
  if (snapPeriodNs > 0n) {
    const r = snapReadRange(start, end, snapPeriodNs)
    lo = r.lo < MIN_TIME ? MIN_TIME : r.lo
    hi = r.hi > MAX_TIME - 1n ? MAX_TIME - 1n : r.hi
  }
  const reads = uuids.map((uuid, i): Iterable<Columns> => {
    const v = versions[i] ?? 0n
    if (lo < hi) return data.rawValues(uuid, lo, hi, v, ARROW_MESSAGE_ROWS).pages
    data.rawValues(uuid, start, end, v) // nothing can snap into the range, but the version is still checked (450)
    return []
  })
  return {
    version: { major: 0n, minor: 0n },
    messages: messagesOf(
      { [Symbol.iterator]: () => mergeRows(reads, snapPeriodNs, start, end, ARROW_MESSAGE_ROWS) },
      (page) => encodePoints(schema, page.times, page.columns)
    )
  }
}

/**
 * The messages of a Subscribe update (PROTOCOL.md §9.5): the points as received, in §9.1's schema, at most
 * {@link ARROW_MESSAGE_ROWS} per message.
 */
export const pointsMessages = (points: Columns): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  const n = points.times.length
  for (let offset = 0; offset < n || out.length === 0; offset += ARROW_MESSAGE_ROWS) {
    const to = Math.min(n, offset + ARROW_MESSAGE_ROWS)
    out.push(
      encodePoints(POINTS_SCHEMA, n === 0 ? EMPTY_TIMES : points.times.subarray(offset, to), [
        n === 0 ? EMPTY_VALUES : points.values.subarray(offset, to)
      ])
    )
  }
  return out
}
