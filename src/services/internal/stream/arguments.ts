/**
 * The arguments of a stream handle's operations, checked before anything is sent: versions, times and ranges,
 * window widths against the range (the server's 413, said first), and the points of an insert as two typed columns.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as E from "../../../errors/BTrDBError.js"
import { isNameableTime, MAX_TIME, MIN_TIME } from "../../../internal/protocol.js"
import { firstTimeOutside } from "../../../internal/timeColumns.js"
import type { EmptyWindows, InsertData } from "../../../schema/Points.js"
import { MAXIMUM_TIME, MINIMUM_TIME, TimeFromInput, type TimeInput } from "../../../schema/Time.js"
import type { RangeOptions, VersionInput, WindowsOptions } from "../../Stream.js"
import type { KeyOptValue } from "../Backend.js"
import { EMPTY_WINDOWS } from "../emptyWindows.js"
import { validate, VersionSchema } from "../validate.js"

/** An integer from 0 to `max`. */
export const SmallInt = (max: number) => Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: max }))
/** A point width: 0 to 63. */
export const PointWidthSchema = SmallInt(63)
/**
 * What `SmallInt(63)` accepts (a point width, a depth), without running its parser, which cost a short read 1 % of
 * its time (test/data/readRange.test.ts checks the two agree).
 */
const isUpTo63 = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 63

/** A version argument as a `bigint`; 0 (the latest) when not given. */
export const version = (method: string, value: VersionInput | undefined, field = "version") =>
  value === undefined ? Effect.succeed(0n) : Effect.map(validate(method, field, VersionSchema, value), BigInt)

/**
 * A time argument in nanoseconds; `fallback` when not given. A `bigint` BTrDB can name (`isNameableTime`, the
 * check `Nanoseconds` makes) is what `TimeFromInput` decodes it to, taken as it is without running the schema's
 * union of three spellings (every read checks two times); anything else goes through the schema, which also words
 * the errors.
 */
export const time = (method: string, field: string, value: TimeInput | undefined, fallback: bigint) =>
  value === undefined
    ? Effect.succeed(fallback)
    : typeof value === "bigint" && isNameableTime(value)
    ? Effect.succeed(value)
    : validate(method, field, TimeFromInput, value)

/** The range and version of a read, with start before end. */
export const range = Effect.fnUntraced(function*(method: string, options: RangeOptions) {
  const start = yield* time(method, "start", options.start, MINIMUM_TIME)
  const end = yield* time(method, "end", options.end, MAXIMUM_TIME)
  if (start >= end) {
    return yield* new E.InvalidArgument({ method, field: "end", detail: `start ${start} is not before end ${end}` })
  }
  return { start, end, version: yield* version(method, options.version) }
})

/**
 * The range of a read given as two `bigint` times BTrDB can name, start before end, at the latest version: what
 * {@link range} would give, known without running it (the common case, checked on every short read); undefined
 * for anything else, which `range` checks and words.
 */
export const plainRange = (options: RangeOptions): { readonly start: bigint; readonly end: bigint } | undefined => {
  const { end, start, version } = options
  return typeof start === "bigint" && typeof end === "bigint" && version === undefined && isNameableTime(start) &&
      isNameableTime(end) && start < end
    ? { start, end }
    : undefined
}

export const MAX_INSERT_TIME = MAX_TIME - 1n

export type Range = { readonly start: bigint; readonly end: bigint }

/**
 * The server's 413 for a range holding no whole window ("start time >= end time"), said before asking it: what is
 * wrong and what would be accepted.
 */
const noWholeWindow = (rpc: string, uuid: string, r: Range, window: string) =>
  Effect.fail(
    new E.InvalidTimeRange({
      method: rpc,
      uuid,
      detail: `[${r.start}, ${r.end}) is ${r.end - r.start} ns wide and holds no whole window: ${window} needs a ` +
        "wider range (or ask for narrower windows)"
    })
  )

/** True when [start, end) holds no window of `width` (the server's 413). */
const noWindow = (r: Range, width: bigint) => r.end - ((r.end - r.start) % width) <= r.start

/** Fails as the server would when [start, end) holds no window of `width` (PROTOCOL.md §7.5). */
export const checkWindows = (rpc: string, uuid: string, r: Range, width: bigint) =>
  noWindow(r, width) ? noWholeWindow(rpc, uuid, r, `a window of ${width} ns`) : Effect.void

/** True when [start, end) holds no aligned window of 2^pw ns (the server's 413). */
const noAlignedWindow = (r: Range, pw: number) => {
  const mask = (1n << BigInt(pw)) - 1n
  return (r.start & ~mask) >= (r.end & ~mask) - 1n
}

/** Fails as the server would when [start, end) holds no aligned window of 2^pw ns. */
export const checkAlignedWindows = (rpc: string, uuid: string, r: Range, pw: number) =>
  noAlignedWindow(r, pw)
    ? noWholeWindow(rpc, uuid, r, `an aligned window of 2^${pw} = ${(1n << BigInt(pw))} ns`)
    : Effect.void

/**
 * An aligned-windows read given as a {@link plainRange} and a point width from 0 to 63, the range holding an
 * aligned window: what the checks would give, known without running them; undefined for anything else.
 */
export const plainAlignedWindows = (
  options: RangeOptions & { readonly pointwidth: number }
): { readonly start: bigint; readonly end: bigint; readonly pointwidth: number } | undefined => {
  const r = plainRange(options)
  const pw = options.pointwidth
  return r !== undefined && isUpTo63(pw) && !noAlignedWindow(r, pw)
    ? { start: r.start, end: r.end, pointwidth: pw }
    : undefined
}

/**
 * A windows read given as a {@link plainRange}, a width in nanoseconds (a `bigint` in [1, 2^64)), a depth from 0
 * to 63 or none and an `empty` treatment or none, the range holding a window: what the checks would give, known
 * without running them; undefined for anything else (a width given as a Duration among them).
 */
export const plainWindows = (options: WindowsOptions): {
  readonly start: bigint
  readonly end: bigint
  readonly width: bigint
  readonly depth: number
  readonly empty: EmptyWindows
} | undefined => {
  const r = plainRange(options)
  const { depth = 0, empty = "zeros", width } = options
  return r !== undefined && typeof width === "bigint" && width > 0n && width < 1n << 64n && isUpTo63(depth) &&
      EMPTY_WINDOWS.includes(empty) && !noWindow(r, width)
    ? { start: r.start, end: r.end, width, depth, empty }
    : undefined
}

/** The end of the window of `width` from `start` that holds `last`, at most the end of time. */
export const windowEnd = (width: bigint) => (start: bigint, last: bigint): bigint => {
  const end = start + ((last - start) / width + 1n) * width
  return end < MAXIMUM_TIME ? end : MAXIMUM_TIME
}

/** The end of the aligned window of 2^`pw` ns that holds `last`, at most the end of time. */
export const alignedWindowEnd = (pw: number) => (_start: bigint, last: bigint): bigint => {
  const end = ((last >> BigInt(pw)) + 1n) << BigInt(pw)
  return end < MAXIMUM_TIME ? end : MAXIMUM_TIME
}

export const invalid = (method: string, field: string, detail: string) =>
  new E.InvalidArgument({ method, field, detail })

/** The points to insert as two typed columns, checked: equal lengths, finite values, insertable times. */
export const columns = (
  method: string,
  data: InsertData
): Effect.Effect<{ readonly times: BigInt64Array; readonly values: Float64Array }, E.InvalidArgument> =>
  Effect.suspend(() => {
    let times: BigInt64Array
    let values: Float64Array
    // where a bad point is reported: the pairs ("data[i]"), or the columns ("times[i]", "values[i]")
    let pairsGiven: boolean
    if (Array.isArray(data)) {
      const pairs = data as ReadonlyArray<readonly [TimeInput, number]>
      times = new BigInt64Array(pairs.length)
      values = new Float64Array(pairs.length)
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i]
        if (!Array.isArray(pair) || pair.length !== 2) {
          return Effect.fail(invalid(method, "data", `data[${i}] is not a [time, value] pair`))
        }
        const [t, v] = pair
        if (typeof t === "bigint") times[i] = t
        else {
          const decoded = Schema.decodeUnknownOption(TimeFromInput)(t)
          if (Option.isNone(decoded)) {
            return Effect.fail(invalid(method, "data", `data[${i}][0] is not a valid time: ${String(t)}`))
          }
          times[i] = decoded.value
        }
        if (typeof v !== "number") return Effect.fail(invalid(method, "data", `data[${i}][1] is not a number`))
        values[i] = v
      }
      pairsGiven = true
    } else {
      if (typeof data !== "object" || data === null || !("times" in data) || !("values" in data)) {
        return Effect.fail(invalid(method, "data", "expected [time, value] pairs or { times, values } columns"))
      }
      if (data.times.length !== data.values.length) {
        return Effect.fail(
          invalid(method, "values", `${data.values.length} values for ${data.times.length} times: lengths differ`)
        )
      }
      if (data.times instanceof BigInt64Array) times = data.times
      else {
        const list = data.times
        times = new BigInt64Array(list.length)
        for (let i = 0; i < list.length; i++) {
          if (typeof list[i] !== "bigint") {
            return Effect.fail(invalid(method, "times", `times[${i}] is not a bigint (nanoseconds)`))
          }
          times[i] = list[i]!
        }
      }
      if (data.values instanceof Float64Array) values = data.values
      else {
        const list = data.values
        values = new Float64Array(list.length)
        for (let i = 0; i < list.length; i++) {
          if (typeof list[i] !== "number") return Effect.fail(invalid(method, "values", `values[${i}] is not a number`))
          values[i] = list[i]!
        }
      }
      pairsGiven = false
    }
    const timeField = pairsGiven ? "data" : "times"
    const valueField = pairsGiven ? "data" : "values"
    // the first bad point is reported, its time before its value
    let badValue = -1
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        badValue = i
        break
      }
    }
    const badTime = firstTimeOutside(times, MIN_TIME, MAX_INSERT_TIME - 1n)
    if (badTime >= 0 && (badValue < 0 || badTime <= badValue)) {
      const t = times[badTime]!
      return Effect.fail(
        invalid(
          method,
          timeField,
          t < MIN_TIME
            ? `${timeField}[${badTime}]: time ${t} is before the earliest time a stream holds, ${MIN_TIME} (Time.MINIMUM_TIME)`
            : `${timeField}[${badTime}]: time ${t} is after the latest time an insert takes, ${
              MAX_INSERT_TIME - 1n
            } (Time.MAXIMUM_TIME - 1)`
        )
      )
    }
    if (badValue >= 0) {
      const v = values[badValue]!
      return Effect.fail(
        invalid(
          method,
          valueField,
          `${valueField}[${badValue}]: ${v} is not finite (NaN and ±Infinity cannot be stored)`
        )
      )
    }
    return Effect.succeed({ times, values })
  })

export const toPairs = (record: Readonly<Record<string, string>>): Array<KeyOptValue> =>
  Object.entries(record).map(([key, value]) => ({ key, value }))

export const EmptyWindowsSchema = Schema.Literals(EMPTY_WINDOWS)

/** How many points one Insert call carries (see `Stream.INSERT_CHUNK_POINTS`). */
export const INSERT_CHUNK_POINTS = 50_000
