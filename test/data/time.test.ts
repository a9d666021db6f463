/**
 * The time and width inputs of the data API, and the column helpers of `Points`.
 */
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import * as Points from "../../src/schema/Points.js"
import {
  MAXIMUM_TIME,
  MINIMUM_TIME,
  NanosFromDuration,
  parseIso,
  pointwidthFromNanos,
  TimeFromInput,
  toDate
} from "../../src/schema/Time.js"

const decode = Schema.decodeUnknownResult(TimeFromInput)
const time = (u: unknown) => Result.getOrThrow(decode(u))
const refused = (u: unknown) => Result.isFailure(decode(u))

const BASE = 1_500_000_000_000_000_000n // 2017-07-14T02:40:00Z

describe("TimeFromInput", () => {
  it("takes bigint nanoseconds within [MINIMUM_TIME, MAXIMUM_TIME]", () => {
    expect(time(BASE)).toBe(BASE)
    expect(time(MINIMUM_TIME)).toBe(MINIMUM_TIME)
    expect(time(MAXIMUM_TIME)).toBe(MAXIMUM_TIME)
    expect(refused(MINIMUM_TIME - 1n)).toBe(true)
    expect(refused(MAXIMUM_TIME + 1n)).toBe(true)
  })

  it("takes Dates (milliseconds), refusing an invalid Date", () => {
    expect(time(new Date("2017-07-14T02:40:00.123Z"))).toBe(BASE + 123_000_000n)
    expect(time(new Date(-1))).toBe(-1_000_000n)
    expect(refused(new Date(NaN))).toBe(true)
  })

  it("takes ISO-8601 / RFC 3339 text with up to nine fractional digits; no offset means UTC", () => {
    expect(time("2017-07-14T02:40:00Z")).toBe(BASE)
    expect(time("2017-07-14T02:40:00.000000001Z")).toBe(BASE + 1n)
    expect(time("2017-07-14T02:40:00.5Z")).toBe(BASE + 500_000_000n)
    expect(time("2017-07-14T02:40:00,25Z")).toBe(BASE + 250_000_000n)
    expect(time("2017-07-14 02:40:00")).toBe(BASE)
    expect(time("2017-07-14T02:40")).toBe(BASE)
    expect(time("2017-07-14T04:40:00+02:00")).toBe(BASE)
    expect(time("2017-07-14T04:40:00+0200")).toBe(BASE)
    expect(time("2017-07-13T21:10:00-05:30")).toBe(BASE)
    expect(time("2017-07-14")).toBe(BASE - (2n * 3600n + 40n * 60n) * 1_000_000_000n)
    expect(time("1970-01-01")).toBe(0n)
    expect(time("1960-01-01T00:00:00Z")).toBe(BigInt(Date.UTC(1960, 0, 1)) * 1_000_000n)
    expect(time("2016-02-29")).toBe(BigInt(Date.UTC(2016, 1, 29)) * 1_000_000n)
  })

  it("takes a decimal integer of nanoseconds", () => {
    expect(time("1500000000000000000")).toBe(BASE)
    expect(time("-5")).toBe(-5n)
  })

  it("refuses anything else", () => {
    for (
      const bad of [
        "",
        "yesterday",
        "2017-13-01",
        "2017-02-30",
        "2017-02-29",
        "2017-07-14T24:00:00Z",
        "2017-07-14T02:60:00Z",
        "2017-07-14T02:40:00.1234567890Z",
        "2017-07-14T02:40:00+25:00",
        "17-07-14",
        "2080-01-01",
        "1900-01-01",
        1_500_000_000,
        1.5e18,
        null,
        undefined,
        {}
      ]
    ) {
      expect(refused(bad), String(bad)).toBe(true)
    }
    expect(parseIso("2017-07-14T02:40:00Z")).toBe(BASE)
    expect(parseIso("nope")).toBeUndefined()
  })

  it("toDate goes back to a Date", () => {
    expect(toDate(BASE + 123_456_789n).toISOString()).toBe("2017-07-14T02:40:00.123Z")
  })
})

describe("NanosFromDuration", () => {
  const nanos = (u: unknown) => Result.getOrThrow(Schema.decodeUnknownResult(NanosFromDuration)(u))
  const bad = (u: unknown) => Result.isFailure(Schema.decodeUnknownResult(NanosFromDuration)(u))
  it("takes bigint nanoseconds, Durations and duration text", () => {
    expect(nanos(5n)).toBe(5n)
    expect(nanos(Duration.seconds(3))).toBe(3_000_000_000n)
    expect(nanos("15 minutes")).toBe(900_000_000_000n)
    expect(nanos("1 nano")).toBe(1n)
    expect(nanos([2, 5])).toBe(2_000_000_005n)
  })
  it("refuses numbers (ambiguous), zero, negative, infinite and unknown units", () => {
    for (const u of [1000, 0n, -1n, 1n << 64n, Duration.zero, Duration.infinity, "3 fortnights", "soon", null]) {
      expect(bad(u), String(u)).toBe(true)
    }
  })
})

describe("pointwidthFromNanos (the Python client's from_nanoseconds)", () => {
  it("is ⌊log2 ns⌋, 0 for 0, capped at 61", () => {
    expect(pointwidthFromNanos(0n)).toBe(0)
    expect(pointwidthFromNanos(1n)).toBe(0)
    expect(pointwidthFromNanos(2n)).toBe(1)
    expect(pointwidthFromNanos(1023n)).toBe(9)
    expect(pointwidthFromNanos(1024n)).toBe(10)
    expect(pointwidthFromNanos(1_000_000_000n)).toBe(29)
    expect(pointwidthFromNanos(MAXIMUM_TIME - MINIMUM_TIME)).toBe(61)
    expect(pointwidthFromNanos(1n << 62n)).toBe(61)
  })
})

describe("Points", () => {
  it("concatenates pages in order, keeping the last page's version", () => {
    const a = { times: BigInt64Array.of(1n, 2n), values: Float64Array.of(1, 2), version: 11n }
    const b = { times: BigInt64Array.of(3n), values: Float64Array.of(3), version: 11n }
    const joined = Points.concatPoints([a, Points.emptyPoints(11n), b])
    expect(Points.toPairs(joined)).toEqual([[1n, 1], [2n, 2], [3n, 3]])
    expect(joined.version).toBe(11n)
    expect(Points.concatPoints([])).toEqual(Points.emptyPoints(0n))
    const w = Points.concatWindows([Points.emptyWindows(12n), {
      ...Points.emptyWindows(12n),
      times: BigInt64Array.of(5n),
      min: Float64Array.of(1),
      mean: Float64Array.of(2),
      max: Float64Array.of(3),
      count: BigUint64Array.of(4n),
      stddev: Float64Array.of(0.5)
    }])
    expect([...w.times, ...w.count]).toEqual([5n, 4n])
    expect(Points.statColumn(w, "count")).toEqual(Float64Array.of(4))
    expect(Points.statColumn(w, "stddev")).toEqual(Float64Array.of(0.5))
    const r = Points.concatRanges([{ start: BigInt64Array.of(0n), end: BigInt64Array.of(4n), version: 13n }])
    expect([...r.start, ...r.end, r.version]).toEqual([0n, 4n, 13n])
  })
})
