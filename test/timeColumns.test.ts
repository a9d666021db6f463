/**
 * The word-wise checks of a column of times (src/internal/timeColumns.ts) against the same checks made with bigints,
 * on random columns of every sign and size, with times at and next to both bounds.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_TIME, MIN_TIME } from "../src/internal/protocol.js"
import { firstTimeOutside, isAscending } from "../src/internal/timeColumns.js"

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const near = (t: bigint) => fc.bigInt({ min: t - 3n, max: t + 3n })
const int64 = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -(1n << 33n), max: 1n << 33n }),
  near(MIN_TIME),
  near(MAX_TIME),
  near(0n),
  near(1n << 32n),
  near(-(1n << 32n)),
  fc.constantFrom(INT64_MIN, INT64_MAX)
)
const column = fc.array(int64, { maxLength: 40 }).map((ts) => BigInt64Array.from(ts))
/** An int64 bound, or one the generator puts next to the times. */
const bound = fc.oneof(int64, fc.constantFrom(MIN_TIME, MAX_TIME - 1n))

describe("times checked by their words", () => {
  it("firstTimeOutside finds the first time outside [min, max], as bigints say", () => {
    fc.assert(
      fc.property(column, bound, bound, (times, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a]
        const expected = Array.from(times).findIndex((t) => t < min || t > max)
        expect(firstTimeOutside(times, min, max)).toBe(expected)
      }),
      { numRuns: 2000 }
    )
  })

  it("isAscending says what sorting says, on columns of views inside larger buffers too", () => {
    fc.assert(
      fc.property(column, fc.boolean(), fc.nat(3), (times, sort, offset) => {
        if (sort) times.sort()
        const inside = new BigInt64Array(times.length + offset + 2)
        inside.set(times, offset)
        const view = inside.subarray(offset, offset + times.length)
        const ascending = Array.from(times).every((t, i, all) => i === 0 || all[i - 1]! <= t)
        expect(isAscending(times)).toBe(ascending)
        expect(isAscending(view)).toBe(ascending)
        if (sort) expect(ascending).toBe(true)
      }),
      { numRuns: 2000 }
    )
  })
})
