/**
 * Arrow helpers shared by the SDK, the embedded server and the memory layer (PROTOCOL.md §9): the fixed schemas,
 * the accepted column types and their casts, and the IPC *stream* format (schema, record batches, end-of-stream)
 * that every Arrow message of the v5 API carries. Plain TypeScript over `apache-arrow`: no Effect, no gRPC.
 */
import * as arrow from "apache-arrow"

/** The most rows one Arrow message carries (PROTOCOL.md §9: UNKNOWN, 50 000 chosen). */
export const ARROW_MESSAGE_ROWS = 50_000

/** `timestamp[ns, tz=UTC]`, the type of every default time column. */
export const timeType = (): arrow.Timestamp => new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, "UTC")

/** The default schema of ArrowRawValues and of Subscribe: `time: timestamp[ns, UTC]`, `value: float64`, not null. */
export const POINTS_SCHEMA: arrow.Schema = new arrow.Schema([
  new arrow.Field("time", timeType(), false),
  new arrow.Field("value", new arrow.Float64(), false)
])

/** The statistics of a window, in column order after `time`. */
export const WINDOW_STATS = ["min", "mean", "max", "count", "stddev"] as const

/** The fixed schema of ArrowWindows and ArrowAlignedWindows (§9.2), every field not null. */
export const WINDOWS_SCHEMA: arrow.Schema = new arrow.Schema([
  new arrow.Field("time", timeType(), false),
  new arrow.Field("min", new arrow.Float64(), false),
  new arrow.Field("mean", new arrow.Float64(), false),
  new arrow.Field("max", new arrow.Float64(), false),
  new arrow.Field("count", new arrow.Uint64(), false),
  new arrow.Field("stddev", new arrow.Float64(), false)
])

/** The default schema of ArrowMultiValues (§9.3): `time`, then one float64 column per stream named by its uuid. */
export const multiValuesSchema = (uuids: ReadonlyArray<string>): arrow.Schema =>
  new arrow.Schema([
    new arrow.Field("time", timeType(), false),
    ...uuids.map((uuid) => new arrow.Field(uuid, new arrow.Float64(), false))
  ])

/** Why Arrow data could not be used. */
export type ArrowProblem = "format" | "shape" | "type" | "null" | "range"

/** Arrow bytes or columns that cannot be used, with the reason. */
export class ArrowDataError extends Error {
  override readonly name = "ArrowDataError"
  constructor(readonly problem: ArrowProblem, message: string) {
    super(message)
  }
}

/** True for a type a time column may have: `timestamp` of any unit and time zone, or `int64` nanoseconds. */
export const isTimeType = (type: arrow.DataType): boolean =>
  arrow.DataType.isTimestamp(type) ||
  (arrow.DataType.isInt(type) && type.bitWidth === 64 && type.isSigned)

/** True for a type a value column may have: `float64` or `float32`. */
export const isValueType = (type: arrow.DataType): boolean =>
  arrow.DataType.isFloat(type) &&
  (type.precision === arrow.Precision.DOUBLE || type.precision === arrow.Precision.SINGLE)

const NANOS_PER_UNIT: Record<arrow.TimeUnit, bigint> = {
  [arrow.TimeUnit.SECOND]: 1_000_000_000n,
  [arrow.TimeUnit.MILLISECOND]: 1_000_000n,
  [arrow.TimeUnit.MICROSECOND]: 1_000n,
  [arrow.TimeUnit.NANOSECOND]: 1n
}

/** Nanoseconds per unit of a time type (1 for `int64`, which holds nanoseconds). */
const nanosPerUnit = (type: arrow.DataType): bigint => arrow.DataType.isTimestamp(type) ? NANOS_PER_UNIT[type.unit] : 1n

/** Nanosecond times cast to a time type: floor division for a coarser timestamp unit, as they are otherwise. */
export const timesToArrow = (type: arrow.DataType, times: BigInt64Array): BigInt64Array => {
  const k = nanosPerUnit(type)
  if (k === 1n) return times
  const out = new BigInt64Array(times.length)
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!
    const q = t / k
    out[i] = t < 0n && q * k !== t ? q - 1n : q
  }
  return out
}

/** Float64 values cast to a value type. */
export const valuesToArrow = (type: arrow.DataType, values: Float64Array): Float64Array | Float32Array =>
  arrow.DataType.isFloat(type) && type.precision === arrow.Precision.SINGLE ? Float32Array.from(values) : values

/**
 * A time column as nanoseconds; `bounds` (ns, `[lo, hi)`) is checked before anything can overflow.
 * Fails with `ArrowDataError` ("type", "null" or "range").
 */
export const timesFromArrow = (
  vector: arrow.Vector,
  name: string,
  bounds: { readonly lo: bigint; readonly hi: bigint }
): BigInt64Array => {
  if (!isTimeType(vector.type)) {
    throw new ArrowDataError("type", `column "${name}" is ${vector.type}, not a timestamp or int64`)
  }
  if (vector.nullCount > 0) throw new ArrowDataError("null", `column "${name}" holds nulls`)
  const raw = vector.toArray() as BigInt64Array
  const k = nanosPerUnit(vector.type)
  const out = k === 1n ? raw.slice() : new BigInt64Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const t = k === 1n ? raw[i]! : raw[i]! * k
    if (t < bounds.lo || t >= bounds.hi) {
      throw new ArrowDataError(
        "range",
        `column "${name}", row ${i}: time ${t} ns is outside [${bounds.lo}, ${bounds.hi})`
      )
    }
    out[i] = t
  }
  return out
}

/** A value column as float64. Fails with `ArrowDataError` ("type" or "null"). */
export const valuesFromArrow = (vector: arrow.Vector, name: string): Float64Array => {
  if (!isValueType(vector.type)) {
    throw new ArrowDataError("type", `column "${name}" is ${vector.type}, not float64 or float32`)
  }
  if (vector.nullCount > 0) throw new ArrowDataError("null", `column "${name}" holds nulls`)
  const raw = vector.toArray() as Float64Array | Float32Array
  return raw instanceof Float64Array ? raw.slice() : Float64Array.from(raw)
}

/**
 * The point columns of a table (ArrowInsert, PROTOCOL.md §9.4): the columns named `time` and `value`, else the
 * first and the second; time as any timestamp unit or int64 ns, value as float64 or float32, no nulls, times in
 * `bounds`. Fails with `ArrowDataError`.
 */
export const pointsFromTable = (
  table: arrow.Table,
  bounds: { readonly lo: bigint; readonly hi: bigint }
): { times: BigInt64Array; values: Float64Array } => {
  const fields = table.schema.fields
  const byName = (name: string, fallback: number) => {
    const i = fields.findIndex((f) => f.name === name)
    return i >= 0 ? i : fallback
  }
  const t = byName("time", 0)
  const v = byName("value", 1)
  if (t === v || t >= fields.length || v >= fields.length) {
    throw new ArrowDataError(
      "shape",
      `expected a time and a value column (named "time" and "value", or the first two), got ${fields.length} columns`
    )
  }
  const times = timesFromArrow(table.getChildAt(t)!, fields[t]!.name, bounds)
  const values = valuesFromArrow(table.getChildAt(v)!, fields[v]!.name)
  return { times, values }
}

/** Typed-array data of one column, in the form `makeData` takes for its type. */
export type ColumnData = BigInt64Array | BigUint64Array | Float64Array | Float32Array

/**
 * One complete IPC stream: the schema, one record batch of `length` rows (none when `length` is 0) and the
 * end-of-stream marker. `columns` are in schema order, already of each field's type, and hold no nulls.
 */
export const encodeStream = (schema: arrow.Schema, columns: ReadonlyArray<ColumnData>, length: number): Uint8Array => {
  const writer = new arrow.RecordBatchStreamWriter()
  writer.reset(undefined, schema)
  if (length > 0) {
    const children = schema.fields.map((field, i) =>
      arrow.makeData({ type: field.type, length, nullCount: 0, data: columns[i]!.subarray(0, length) } as any)
    )
    const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children })
    writer.write(new arrow.RecordBatch(schema, struct))
  }
  writer.finish()
  return writer.toUint8Array(true)
}

/** A schema alone as an IPC stream (schema + end-of-stream): a template (`templateBytes`). */
export const encodeSchema = (schema: arrow.Schema): Uint8Array => encodeStream(schema, [], 0)

/**
 * The schema of an IPC stream (any batches after it are ignored). Fails with `ArrowDataError` ("format") when the
 * bytes are not an IPC stream or hold no schema.
 */
export const decodeSchema = (bytes: Uint8Array): arrow.Schema => {
  let schema: arrow.Schema | undefined
  try {
    const reader = arrow.RecordBatchStreamReader.from(bytes)
    reader.open()
    schema = reader.schema as arrow.Schema | undefined
  } catch (error) {
    throw new ArrowDataError("format", `not an Arrow IPC stream: ${error instanceof Error ? error.message : error}`)
  }
  if (schema === undefined) throw new ArrowDataError("format", "the Arrow IPC stream holds no schema")
  return schema
}

/** The table of an IPC stream. Fails with `ArrowDataError` ("format"). */
export const decodeTable = (bytes: Uint8Array): arrow.Table => {
  let table: arrow.Table
  try {
    table = arrow.tableFromIPC(bytes)
  } catch (error) {
    throw new ArrowDataError("format", `not an Arrow IPC stream: ${error instanceof Error ? error.message : error}`)
  }
  if (table.schema.fields.length === 0) throw new ArrowDataError("format", "the Arrow IPC stream holds no schema")
  return table
}

/**
 * Checks that `schema` can be a template of `fieldCount` fields: field 0 a time type, the others value types
 * (PROTOCOL.md §9). Returns the reason it cannot, or undefined.
 */
export const templateProblem = (schema: arrow.Schema, fieldCount: number): string | undefined => {
  const fields = schema.fields
  if (fields.length !== fieldCount) return `the template has ${fields.length} fields, expected ${fieldCount}`
  if (!isTimeType(fields[0]!.type)) {
    return `template field 0 ("${fields[0]!.name}") is ${fields[0]!.type}: expected a timestamp or int64`
  }
  for (let i = 1; i < fields.length; i++) {
    if (!isValueType(fields[i]!.type)) {
      return `template field ${i} ("${fields[i]!.name}") is ${fields[i]!.type}: expected float64 or float32`
    }
  }
  return undefined
}

/**
 * Points (and more value columns) as an IPC stream of `schema`: field 0 gets the times cast to its type, field
 * `j` the value column `j - 1` cast to its type.
 */
export const encodePoints = (
  schema: arrow.Schema,
  times: BigInt64Array,
  columns: ReadonlyArray<Float64Array>
): Uint8Array => {
  const fields = schema.fields
  const data: Array<ColumnData> = [timesToArrow(fields[0]!.type, times)]
  for (let j = 0; j < columns.length; j++) data.push(valuesToArrow(fields[j + 1]!.type, columns[j]!))
  return encodeStream(schema, data, times.length)
}

/** Several IPC streams of one schema as one table (an empty one of `fallback` when there are none). */
export const tableFromMessages = (messages: ReadonlyArray<Uint8Array>, fallback: arrow.Schema): arrow.Table => {
  if (messages.length === 0) return new arrow.Table(fallback)
  const tables = messages.map(decodeTable)
  const schema = tables[0]!.schema
  for (const t of tables) {
    if (!sameSchema(t.schema, schema)) {
      throw new ArrowDataError("shape", "the messages of one answer have different schemas")
    }
  }
  return new arrow.Table(schema, tables.flatMap((t) => t.batches))
}

/** True when two schemas have the same field names, types and nullability, in order. */
export const sameSchema = (a: arrow.Schema, b: arrow.Schema): boolean =>
  a.fields.length === b.fields.length &&
  a.fields.every((f, i) => {
    const g = b.fields[i]!
    return f.name === g.name && f.nullable === g.nullable && String(f.type) === String(g.type)
  })

/** `table` sorted (stably) on its first column, a time column; the table itself when it already is. */
export const sortOnFirstColumn = (table: arrow.Table): arrow.Table => {
  if (table.numRows < 2 || table.schema.fields.length === 0) return table
  const keys = table.getChildAt(0)!.toArray() as BigInt64Array
  let sorted = true
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! <= keys[i]!
  if (sorted) return table
  const order = Array.from({ length: keys.length }, (_, i) => i)
  order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b))
  const n = order.length
  const children = table.schema.fields.map((field, c) => {
    const vector = table.getChildAt(c)!
    const src = vector.toArray() as ColumnData
    const dst = new (src.constructor as new(n: number) => ColumnData)(n)
    const nulls = vector.nullCount > 0 ? new Uint8Array((n + 7) >> 3) : undefined
    for (let i = 0; i < n; i++) {
      dst[i] = src[order[i]!]!
      if (nulls !== undefined && vector.isValid(order[i]!)) nulls[i >> 3]! |= 1 << (i & 7)
    }
    return arrow.makeData({
      type: field.type,
      length: n,
      nullCount: vector.nullCount,
      data: dst,
      ...(nulls === undefined ? {} : { nullBitmap: nulls })
    } as any)
  })
  const struct = arrow.makeData({ type: new arrow.Struct(table.schema.fields), length: n, nullCount: 0, children })
  return new arrow.Table(table.schema, [new arrow.RecordBatch(table.schema, struct)])
}

/** True for an `apache-arrow` `Schema` (of any copy of the library). */
export const isSchema = (u: unknown): u is arrow.Schema => arrow.isArrowSchema(u)

/** True for an `apache-arrow` `Table` (of any copy of the library). */
export const isTable = (u: unknown): u is arrow.Table => arrow.isArrowTable(u)
