/**
 * ArrowInsert's request body (PROTOCOL.md §9.4): the points of an Arrow IPC stream, read by column name (`time`,
 * `value`) falling back to position, time as any timestamp unit or int64 ns, value as float64 or float32.
 */
import { ArrowDataError, decodeTable, pointsFromTable } from "../../internal/arrow.js"
import { isMergePolicy } from "../../internal/mergePolicy.js"
import { MAX_TIME, MIN_TIME, StatusCode } from "../../internal/protocol.js"
import { type Columns, MAX_INSERT_POINTS, type Version } from "../data/DataStore.js"
import type { Database } from "../Database.js"
import { StatusError } from "../StatusError.js"

const CODES = {
  format: StatusCode.WrongArgs,
  shape: StatusCode.WrongArgs,
  type: StatusCode.WrongArgs,
  null: StatusCode.BadValue,
  range: StatusCode.InvalidTimeRange
} as const

/**
 * The points of `arrowBytes`. Errors: 421 (not an IPC stream, no time/value columns, an unsupported type), 414
 * (more than `maxRows` rows), 425 (a null), 413 (a time outside MIN_TIME ≤ t < MAX_TIME-1). NaN and infinities are
 * left to the insert itself (425).
 */
export const decodeArrowInsert = (arrowBytes: Uint8Array, maxRows: number): Columns => {
  try {
    const table = decodeTable(arrowBytes)
    if (table.numRows > maxRows) throw new StatusError(StatusCode.InsertTooBig, "Insert too big")
    return pointsFromTable(table, { lo: MIN_TIME, hi: MAX_TIME - 1n })
  } catch (error) {
    if (!(error instanceof ArrowDataError)) throw error
    const message = error.problem === "null"
      ? `insert contains null values: ${error.message}`
      : error.problem === "range"
      ? `insert contains points outside valid time interval: ${error.message}`
      : `arrowBytes: ${error.message}`
    throw new StatusError(CODES[error.problem], message)
  }
}

/** The options of an ArrowInsert besides its points. */
export interface ArrowInsertOptions {
  readonly sync?: boolean | undefined
  readonly roundBits?: number | undefined
}

/**
 * Serves one ArrowInsert, as the embedded server and the memory layer both do: 404 for an unknown stream before
 * the body is looked at, 421 for a `policy` that is not a merge policy, the body's checks of
 * {@link decodeArrowInsert} (at most `MAX_INSERT_POINTS` rows), then the insert; answers the version it made.
 */
export const arrowInsert = (
  db: Database,
  uuid: string,
  arrowBytes: Uint8Array,
  policy: unknown,
  options: ArrowInsertOptions = {}
): Promise<Version> => {
  db.data.version(uuid)
  if (!isMergePolicy(policy)) throw new StatusError(StatusCode.WrongArgs, `unknown merge policy ${String(policy)}`)
  const points = decodeArrowInsert(arrowBytes, MAX_INSERT_POINTS)
  return db.insert(uuid, points, {
    policy,
    ...(options.sync === undefined ? {} : { sync: options.sync }),
    ...(options.roundBits === undefined ? {} : { roundBits: options.roundBits })
  })
}
