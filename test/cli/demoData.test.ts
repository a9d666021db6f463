import { describe, expect, it } from "vitest"
import { bandChart } from "../../src/cli/bandChart.js"
import { CHANNELS, chunk, type PmuOptions, sample } from "../../src/cli/demo/pmu.js"
import { checkWellFormed } from "../support/svg.js"

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

describe("band chart", () => {
  const series = {
    times: BigInt64Array.from([0n, 1n, 2n, 3n, 4n].map((k) => START + k * 60_000_000_000n)),
    min: Float64Array.from([1, 2, 0, 3, 2]),
    mean: Float64Array.from([2, 3, 0, 4, 3]),
    max: Float64Array.from([3, 5, 0, 6, 4]),
    count: [10, 10, 0, 10, 10]
  }

  it("is well-formed SVG with one mean point per window with data, gaps splitting the band", () => {
    const svg = bandChart(series, { title: "L1MAG <volts> & co", unit: "volts" })
    const { elements } = checkWellFormed(svg)
    expect(elements.get("svg")).toBe(1)
    expect(elements.get("path")).toBe(2)
    expect(elements.get("polyline")).toBe(2)
    const points = [...svg.matchAll(/class="mean" points="([^"]*)"/g)].map((m) => m[1]!.split(" ").length)
    expect(points).toEqual([2, 2])
    expect(svg).toContain("L1MAG &lt;volts&gt; &amp; co")
  })

  it("draws higher values higher", () => {
    const svg = bandChart(series, { title: "t", unit: "u" })
    const ys = [...svg.matchAll(/class="mean" points="([^"]*)"/g)].flatMap((m) =>
      m[1]!.split(" ").map((p) => Number(p.split(",")[1]))
    )
    expect(ys[1]!).toBeLessThan(ys[0]!)
  })

  it("copes with no data", () => {
    const svg = bandChart({ ...series, count: [0, 0, 0, 0, 0] }, { title: "empty", unit: "u" })
    expect(checkWellFormed(svg).elements.get("polyline")).toBeUndefined()
  })
})
