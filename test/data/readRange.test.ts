/**
 * The range of a read: `plainRange`, the check-free path every short read takes, gives what `range` gives.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_TIME, MIN_TIME } from "../../src/internal/protocol.js"
import { MAXIMUM_TIME, MINIMUM_TIME } from "../../src/schema/Time.js"
import { plainRange, range } from "../../src/services/internal/stream/arguments.js"

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
