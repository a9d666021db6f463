/**
 * Nanosecond timestamps. BTrDB times are int64 nanoseconds since the Unix epoch (UTC); a JavaScript
 * `number` cannot hold today's time in nanoseconds exactly, so times are `bigint` at the API.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { isNameableTime, MAX_TIME, MIN_TIME } from "../internal/protocol.js"

/**
 * The earliest time a stream can hold: -(16 << 56) ns. The same as the Python client's `MINIMUM_TIME`.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const everything = yield* stream.valuesCollected({ start: Time.MINIMUM_TIME, end: Time.MAXIMUM_TIME })
 * })
 * ```
 * @since 0.1.0
 * @category constants
 */
export const MINIMUM_TIME: bigint = MIN_TIME

/**
 * The latest time a query may name: (48 << 56) - 1 ns, as a range's end or the time of `nearest`. The same as the
 * Python client's `MAXIMUM_TIME`. A query's range is [start, end), so the latest time a stream can hold, and an
 * insert take, is one below: `MAXIMUM_TIME - 1n`.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const last = yield* stream.nearest(Time.MAXIMUM_TIME, { backward: true })
 * })
 * ```
 * @since 0.1.0
 * @category constants
 */
export const MAXIMUM_TIME: bigint = MAX_TIME - 1n

/**
 * A time in nanoseconds within [MINIMUM_TIME, MAXIMUM_TIME].
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Time.Nanoseconds)(1_700_000_000_000_000_000n)
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const Nanoseconds = Schema.BigInt.pipe(
  Schema.check(
    Schema.makeFilter((t) =>
      isNameableTime(t) ||
      `time ${t} ns is outside the times BTrDB can name, ${MIN_TIME} (Time.MINIMUM_TIME) to ${
        MAX_TIME - 1n
      } (Time.MAXIMUM_TIME)`
    )
  ),
  Schema.annotate({ identifier: "Nanoseconds" })
)

/**
 * @example
 * ```ts
 * const t: Time.Nanoseconds = Schema.decodeUnknownSync(Time.Nanoseconds)(Time.now())
 * ```
 * @since 0.1.0
 * @category models
 */
export type Nanoseconds = typeof Nanoseconds.Type

/**
 * The current time in nanoseconds since the epoch (millisecond precision).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const points = yield* stream.valuesCollected({ start: Time.now() - 60_000_000_000n, end: Time.now() })
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const now = (): bigint => BigInt(Date.now()) * 1_000_000n

/**
 * A time as the SDK accepts it: `bigint` nanoseconds since the epoch, a `Date` (millisecond precision), or a
 * string: ISO-8601 / RFC 3339 (`"2024-05-01"`, `"2024-05-01T12:00:00.123456789Z"`, `"2024-05-01 12:00:00+02:00"`;
 * no offset means UTC, as in the Python client), or a decimal integer of nanoseconds (`"1500000000000000000"`).
 *
 * @example
 * ```ts
 * const inputs: Array<Time.TimeInput> = [1_700_000_000_000_000_000n, new Date(), "2024-01-01T00:00:00.000000001Z"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type TimeInput = bigint | Date | string

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/
const INTEGER = /^[+-]?\d+$/

const daysInMonth = (year: number, month: number): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month, 0)
  return date.getUTCDate()
}

/**
 * Parses an ISO-8601 / RFC 3339 date or date-time into nanoseconds since the epoch, keeping all nine fractional
 * digits; `undefined` when `text` is not one. A missing offset means UTC.
 *
 * @example
 * ```ts
 * Time.parseIso("1970-01-01T00:00:00.000000001Z") // 1n
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const parseIso = (text: string): bigint | undefined => {
  const m = ISO_8601.exec(text.trim())
  if (m === null) return undefined
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  let ns = BigInt(date.getTime()) * 1_000_000n + BigInt(fraction.padEnd(9, "0") || "0")
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1n : 1n
    const digits = zone.slice(1).replace(":", "")
    const hours = BigInt(digits.slice(0, 2))
    const minutes = BigInt(digits.slice(2) || "0")
    if (hours > 23n || minutes > 59n) return undefined
    ns -= sign * (hours * 60n + minutes) * 60_000_000_000n
  }
  return ns
}

const timeFromInput = (u: bigint | Date | string): bigint | string => {
  if (typeof u === "bigint") return u
  if (u instanceof Date) return BigInt(u.getTime()) * 1_000_000n
  if (INTEGER.test(u.trim())) return BigInt(u.trim())
  return parseIso(u) ?? `"${u}" is neither an ISO-8601 date-time nor an integer of nanoseconds`
}

/**
 * Decodes a {@link TimeInput} into nanoseconds within [MINIMUM_TIME, MAXIMUM_TIME]. An invalid `Date`, a string
 * that is neither ISO-8601 nor an integer, and a time out of range are refused.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Time } from "effect-btrdb"
 * Schema.decodeUnknownSync(Time.TimeFromInput)("2017-07-14T02:40:00Z") // 1500000000000000000n
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const TimeFromInput: Schema.Codec<bigint, TimeInput> = Schema.Union([Schema.BigInt, Schema.Date, Schema.String])
  .pipe(
    Schema.decodeTo(
      Nanoseconds,
      SchemaTransformation.transformEffect({
        decode: (input) => {
          const t = timeFromInput(input)
          return typeof t === "bigint" ? Effect.succeed(t) : Effect.fail(invalid(input, t))
        },
        encode: (t) => Effect.succeed(t)
      })
    ),
    Schema.annotate({ identifier: "TimeFromInput" })
  )

const invalid = (input: unknown, message: string): SchemaIssue.Issue =>
  new SchemaIssue.InvalidValue({ message }, Option.some(input))

const tooWide = (ns: bigint): string =>
  `${ns} ns overflows the 64-bit nanoseconds of a width: at most ${(1n << 64n) - 1n} ns (about 584 years)`

// anything that is not a Duration input (a plain object, a misspelt unit) is None
const decodeDuration = (input: unknown): Option.Option<Duration.Duration> => Duration.fromInput(input as Duration.Input)

/**
 * A width or duration as the SDK accepts it: `bigint` nanoseconds, an effect `Duration`, or a duration text such as
 * `"15 minutes"` (a plain `number` is refused, since `Duration` would read it as milliseconds).
 *
 * @example
 * ```ts
 * const widths: Array<Time.DurationInput> = [60_000_000_000n, Duration.minutes(1), "1 minute", [60, 0]]
 * ```
 * @since 0.1.0
 * @category models
 */
export type DurationInput = bigint | Duration.Duration | `${number} ${Duration.Unit}` | readonly [number, number]

/**
 * Decodes a {@link DurationInput} into a positive number of nanoseconds (below 2^64).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Time } from "effect-btrdb"
 * Schema.decodeUnknownSync(Time.NanosFromDuration)("1 minute") // 60000000000n
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const NanosFromDuration: Schema.Codec<bigint, DurationInput> = Schema.Unknown.pipe(
  Schema.decodeTo(
    Schema.BigInt,
    SchemaTransformation.transformEffect({
      decode: (input) => {
        if (typeof input === "number") {
          return Effect.fail(invalid(input, "a number is ambiguous: give nanoseconds as a bigint, or a Duration"))
        }
        if (typeof input === "bigint") {
          if (input <= 0n) return Effect.fail(invalid(input, `${input} ns is not a positive width`))
          return input < 1n << 64n ? Effect.succeed(input) : Effect.fail(invalid(input, tooWide(input)))
        }
        const ns = Option.flatMap(decodeDuration(input), Duration.toNanos)
        if (Option.isNone(ns) || ns.value <= 0n) {
          return Effect.fail(invalid(input, "expected a positive, finite duration such as \"15 minutes\""))
        }
        return ns.value < 1n << 64n ? Effect.succeed(ns.value) : Effect.fail(invalid(input, tooWide(ns.value)))
      },
      encode: (ns) => Effect.succeed(ns)
    })
  )
) as unknown as Schema.Codec<bigint, DurationInput>

/**
 * The Python client's `pointwidth.from_nanoseconds`: ⌊log2 ns⌋, capped at 61 (0 for 0).
 *
 * @example
 * ```ts
 * Time.pointwidthFromNanos(1_000_000_000n) // 29: windows of 2^29 ns ≈ 0.54 s
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const pointwidthFromNanos = (ns: bigint): number => {
  if (ns <= 0n) return 0
  return Math.min(61, ns.toString(2).length - 1)
}

/**
 * The time of `ns` nanoseconds as a `Date` (truncated to the millisecond).
 *
 * @example
 * ```ts
 * Time.toDate(1_000_000n).toISOString() // "1970-01-01T00:00:00.001Z"
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const toDate = (ns: bigint): Date => new Date(Number(ns / 1_000_000n))
