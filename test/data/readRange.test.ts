/**
 * The range of a read: `plainRange`, `plainAlignedWindows` and `plainWindows`, the check-free paths short reads
 * take, give what the checks give.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_TIME, MIN_TIME } from "../../src/internal/protocol.js"
import { MAXIMUM_TIME, MINIMUM_TIME } from "../../src/schema/Time.js"
import { NanosFromDuration } from "../../src/schema/Time.js"
import {
  checkAlignedWindows,
  checkWindows,
  EmptyWindowsSchema,
  plainAlignedWindows,
  plainRange,
  plainWindows,
  PointWidthSchema,
  range,
  SmallInt
} from "../../src/services/internal/stream/arguments.js"
import { validate } from "../../src/services/internal/validate.js"
import type { WindowsOptions } from "../../src/services/Stream.js"

const edges = [MIN_TIME, MINIMUM_TIME, MAX_TIME, MAXIMUM_TIME, 0n, 1_500_000_000_000_000_000n]
/** Times near the edges of what BTrDB can name, and anywhere between. */
const times = fc.oneof(
  fc.constantFrom(...edges.flatMap((t) => [t - 1n, t, t + 1n])),
  fc.bigInt({ min: MIN_TIME - 10n, max: MAX_TIME + 10n })
)

describe("plainRange", () => {
  it("gives range's answer whenever it gives one, and one for every valid range of bigints at the latest version", () =>
    fc.assert(
      fc.property(times, times, fc.constantFrom(undefined, 0n, 12n), (start, end, version) => {
        const options = { start, end, version }
        const plain = plainRange(options)
        const checked = Effect.runSyncExit(range("Stream.values", options))
        if (plain !== undefined) {
          expect(Exit.isSuccess(checked) && checked.value).toEqual({ ...plain, version: 0n })
        } else if (version === undefined) {
          expect(Exit.isFailure(checked)).toBe(true)
        }
      }),
      { numRuns: 2_000 }
    ))

  it("leaves every other spelling of a range to range", () => {
    expect(plainRange({ start: "2017-07-14", end: 1_500_000_000_000_000_000n })).toBeUndefined()
    expect(plainRange({ start: new Date(0), end: new Date(1) })).toBeUndefined()
    expect(plainRange({ end: 10n })).toBeUndefined()
    expect(plainRange({ start: 1n, end: 2n, version: 3n })).toBeUndefined()
    expect(plainRange({ start: 1n, end: 2n })).toEqual({ start: 1n, end: 2n })
  })
})

describe("plainAlignedWindows", () => {
  it("gives a read only when the checks pass, and one for every read of bigints at the latest version they pass", () =>
    fc.assert(
      fc.property(
        times,
        times,
        fc.oneof(fc.integer({ min: -2, max: 66 }), fc.constantFrom(2.5, -0, 63.5, NaN, Infinity, -Infinity)),
        (start, end, pointwidth) => {
          const plain = plainAlignedWindows({ start, end, pointwidth })
          const checked = Effect.runSyncExit(Effect.gen(function*() {
            const pw = yield* validate("Stream.alignedWindows", "pointwidth", PointWidthSchema, pointwidth)
            const r = yield* range("Stream.alignedWindows", { start, end })
            yield* checkAlignedWindows("AlignedWindows", "u", r, pw)
            return { start: r.start, end: r.end, pointwidth: pw }
          }))
          if (plain !== undefined) expect(Exit.isSuccess(checked) && checked.value).toEqual(plain)
          else expect(Exit.isFailure(checked)).toBe(true)
        }
      ),
      { numRuns: 2_000 }
    ))
})

describe("plainWindows", () => {
  const width = fc.oneof(
    fc.bigInt({ min: -2n, max: 1n << 40n }),
    fc.constantFrom(1n, (1n << 64n) - 1n, 1n << 64n, 8_333_333n),
    fc.constantFrom("1 hour", "0 seconds", 5, "bogus")
  )
  const depth = fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 66 }), fc.constantFrom(2.5, NaN, -0))
  const empty = fc.constantFrom(undefined, "zeros", "nan", "drop", "bogus")

  it("gives a read only when the checks pass, and one for every read of bigints at the latest version they pass", () =>
    fc.assert(
      fc.property(times, times, width, depth, empty, (start, end, w, d, e) => {
        const options = { start, end, width: w, depth: d, empty: e } as WindowsOptions
        const plain = plainWindows(options)
        const checked = Effect.runSyncExit(Effect.gen(function*() {
          const method = "Stream.windows"
          const checkedWidth = yield* validate(method, "width", NanosFromDuration, options.width)
          const checkedDepth = yield* validate(method, "depth", SmallInt(63), options.depth ?? 0)
          const checkedEmpty = yield* validate(method, "empty", EmptyWindowsSchema, options.empty ?? "zeros")
          const r = yield* range(method, { start, end })
          yield* checkWindows("Windows", "u", r, checkedWidth)
          return { start: r.start, end: r.end, width: checkedWidth, depth: checkedDepth, empty: checkedEmpty }
        }))
        if (plain !== undefined) expect(Exit.isSuccess(checked) && checked.value).toEqual(plain)
        else if (typeof w === "bigint") expect(Exit.isFailure(checked)).toBe(true)
      }),
      { numRuns: 3_000 }
    ))
})
