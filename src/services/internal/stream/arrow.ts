/**
 * The Arrow glue of stream handles (PROTOCOL.md §9): schema templates checked as the server checks them, the
 * messages of a read joined into one table, and answers that cannot be read reported as transport errors.
 */
import type * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as E from "../../../errors/BTrDBError.js"
import {
  decodeTable,
  encodeSchema,
  encodeStream,
  isSchema,
  sortOnFirstColumn,
  tableFromMessages,
  templateProblem,
  WINDOWS_SCHEMA
} from "../../../internal/arrow.js"
import { type EmptyWindows } from "../../../schema/Points.js"
import type { ArrowMessage } from "../Backend.js"
import { treatEmptyWindows } from "../emptyWindows.js"
import { invalid } from "./arguments.js"

const EMPTY_TEMPLATE = new Uint8Array(0)

/** The template bytes of an optional schema of `fieldCount` fields, checked as the server would (§9). */
export const templateOf = (
  method: string,
  schema: arrow.Schema | undefined,
  fieldCount: number
): Effect.Effect<Uint8Array, E.InvalidArgument> => {
  if (schema === undefined) return Effect.succeed(EMPTY_TEMPLATE)
  if (!isSchema(schema)) return Effect.fail(invalid(method, "schema", "expected an apache-arrow Schema"))
  const problem = templateProblem(schema, fieldCount)
  return problem === undefined ? Effect.succeed(encodeSchema(schema)) : Effect.fail(invalid(method, "schema", problem))
}

/** A malformed answer (Arrow bytes that cannot be read). */
export const badAnswer = (method: string, uuid: string | undefined, error: unknown) =>
  new E.TransportError({
    method,
    uuid,
    grpcCode: 13,
    detail: `the server sent Arrow data that cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    cause: error
  })

/** The messages of an Arrow read joined into one table, `fallback`'s empty table when there are none. */
export const arrowTable = (
  method: string,
  uuid: string | undefined,
  messages: ReadonlyArray<ArrowMessage>,
  fallback: arrow.Schema,
  sort: boolean
): Effect.Effect<arrow.Table, E.TransportError> =>
  Effect.try({
    try: () => {
      const table = tableFromMessages(messages.map((m) => m.bytes), fallback)
      return sort ? sortOnFirstColumn(table) : table
    },
    catch: (error) => badAnswer(method, uuid, error)
  })

export const FULL_RANGE = { lo: -(1n << 63n), hi: (1n << 63n) - 1n }

/** A table of `WINDOWS_SCHEMA` with its empty windows treated as `how` says. */
export const treatEmptyWindowsInTable = (table: arrow.Table, how: EmptyWindows): arrow.Table => {
  const [times, min, mean, max, count, stddev] = WINDOWS_SCHEMA.fields.map((f) => table.getChild(f.name)!.toArray())
  const treated = treatEmptyWindows({
    times: times as BigInt64Array,
    min: min as Float64Array,
    mean: mean as Float64Array,
    max: max as Float64Array,
    count: count as BigUint64Array,
    stddev: stddev as Float64Array,
    version: 0n
  }, how)
  const columns = [treated.times, treated.min, treated.mean, treated.max, treated.count, treated.stddev]
  return decodeTable(encodeStream(WINDOWS_SCHEMA, columns, treated.times.length))
}
