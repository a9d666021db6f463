import { describe, expect, it } from "vitest"
import { CHANNELS, chunk, type PmuOptions, sample } from "../../src/cli/demo/pmu.js"

const options: PmuOptions = { rateHz: 120, event: { atSeconds: 60, durationSeconds: 2, depth: 0.25 } }
const START = 1_700_000_000_000_000_000n

describe("synthetic micro-PMU data", () => {
  it("has the twelve channels with their units", () => {
    expect(CHANNELS.map((c) => `${c.name}:${c.unit}`)).toEqual([
      "L1MAG:volts",
      "L1ANG:deg",
      "L2MAG:volts",
      "L2ANG:deg",
      "L3MAG:volts",
      "L3ANG:deg",
      "C1MAG:amps",
      "C1ANG:deg",
      "C2MAG:amps",
      "C2ANG:deg",
      "C3MAG:amps",
      "C3ANG:deg"
    ])
  })

  it("is the same whatever the chunking, at 120 Hz", () => {
    const whole = chunk(0, START, 0, 1000, options)
    const a = chunk(0, START, 0, 400, options)
    const b = chunk(0, START, 400, 600, options)
    expect([...a.values, ...b.values]).toEqual([...whole.values])
    expect([...a.times, ...b.times]).toEqual([...whole.times])
    expect(whole.times[120]! - whole.times[0]!).toBe(1_000_000_000n)
  })

  it("sags the voltage and raises the current during the event", () => {
    const mean = (channelIndex: number, fromSecond: number) => {
      const { values } = chunk(channelIndex, START, fromSecond * 120, 120, options)
      return values.reduce((s, v) => s + v, 0) / values.length
    }
    const l1 = CHANNELS.findIndex((c) => c.name === "L1MAG")
    const c1 = CHANNELS.findIndex((c) => c.name === "C1MAG")
    expect(mean(l1, 60) / mean(l1, 50)).toBeCloseTo(0.75, 2)
    expect(mean(c1, 60) / mean(c1, 50)).toBeGreaterThan(1.4)
  })

  it("keeps angles in (-180, 180] and noise centred", () => {
    CHANNELS.forEach((c, i) => {
      if (c.quantity !== "angle") return
      for (let k = 0; k < 5000; k += 7) {
        const v = sample(c, i, k, options)
        expect(v).toBeGreaterThan(-180)
        expect(v).toBeLessThanOrEqual(180)
      }
    })
    const { values } = chunk(0, START, 0, 12_000, options)
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    expect(Math.abs(mean - 7200)).toBeLessThan(60)
  })
})
