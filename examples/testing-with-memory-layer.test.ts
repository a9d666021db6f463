/**
 * Testing your own code with `BTrDB.layerMemory()`: the whole BTrDB service in memory, no server and no network,
 * answering as a server does (the same engine as the embedded server). `it.layer` from `@effect/vitest` builds it
 * once for the tests of the block, so they share one database: give each test its own collection.
 *
 *   npx vitest run examples/testing-with-memory-layer.test.ts
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { BTrDB, Uuid } from "effect-btrdb"

// --- the code under test (in your project, its own module) ----------------------------------------------------

export interface DailyPeak {
  /** The day, `YYYY-MM-DD` (UTC). */
  readonly day: string
  readonly peak: number
}

const DAY_NS = 86_400_000_000_000n

/** The highest value of each day of `[from, from + days)` that has points, from one window per day. */
export const dailyPeaks = (identifier: string, options: { readonly from: string; readonly days: number }) =>
  Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const stream = (yield* db.streams(identifier)).streams[0]!
    const start = BigInt(Date.parse(options.from)) * 1_000_000n
    const windows = yield* stream.windowsCollected({
      start,
      end: start + BigInt(options.days) * DAY_NS,
      width: "1 day"
    })
    const peaks: Array<DailyPeak> = []
    for (let i = 0; i < windows.times.length; i++) {
      if (windows.count[i] === 0n) continue // a day without points
      const day = new Date(Number(windows.times[i]! / 1_000_000n)).toISOString().slice(0, 10)
      peaks.push({ day, peak: windows.max[i]! })
    }
    return peaks
  })

// --- its tests --------------------------------------------------------------------------------------------------

/** A stream of `points` (`[ISO time, value]`) in a collection of its own. */
const givenStream = (label: string, points: ReadonlyArray<readonly [string, number]>) =>
  Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const collection = `test/${label}/${Uuid.random().slice(0, 8)}`
    const stream = yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "power", unit: "kW" } })
    yield* stream.insert(points)
    return `${collection}/power`
  })

describe("dailyPeaks", () => {
  it.layer(BTrDB.layerMemory())((it) => {
    it.effect("gives each day's highest value, leaving out days without points", () =>
      Effect.gen(function*() {
        const id = yield* givenStream("peaks", [
          ["2024-05-01T08:00:00Z", 3.5],
          ["2024-05-01T18:30:00Z", 7.25],
          ["2024-05-01T23:59:59.999Z", 1],
          // 2024-05-02: nothing
          ["2024-05-03T00:00:00Z", 2],
          ["2024-05-03T12:00:00Z", -1]
        ])
        const peaks = yield* dailyPeaks(id, { from: "2024-05-01", days: 3 })
        assert.deepStrictEqual(peaks, [
          { day: "2024-05-01", peak: 7.25 },
          { day: "2024-05-03", peak: 2 }
        ])
      }))

    it.effect("sees a later correction (merge policy replace)", () =>
      Effect.gen(function*() {
        const id = yield* givenStream("corrected", [["2024-05-01T08:00:00Z", 100]])
        const db = yield* BTrDB.BTrDB
        const stream = (yield* db.streams(id)).streams[0]!
        yield* stream.insert([["2024-05-01T08:00:00Z", 4]], { merge: "replace" })
        assert.deepStrictEqual(yield* dailyPeaks(id, { from: "2024-05-01", days: 1 }), [{ day: "2024-05-01", peak: 4 }])
      }))

    it.effect("fails with StreamNotFound for a stream that does not exist", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(dailyPeaks("test/nowhere/power", { from: "2024-05-01", days: 1 }))
        assert.strictEqual(error._tag, "StreamNotFound")
      }))
  })
})
