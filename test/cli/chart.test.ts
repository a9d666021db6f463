/**
 * The band chart (`btrdb demo`'s and `btrdb plot`'s) checked by what it shows, read from the SVG text: each panel's
 * x and y ranges (its data attributes), its time ticks, the labels, the title and the legend.
 */
import { describe, expect, it } from "vitest"
import { bandChart, type BandSeries, findEvent, zoomSpan } from "../../src/cli/bandChart.js"
import { checkWellFormed } from "../support/svg.js"

const SECOND = 1_000_000_000n
const START = 1_714_564_800_000_000_000n // 2024-05-01T12:00:00Z
const HOUR_END = START + 3600n * SECOND
const SAG = { start: START + 2160n * SECOND, end: START + 2162n * SECOND } // 12:36:00 to 12:36:02
const NORMAL = { min: 7180, max: 7220 }
const SAG_MIN = 5390

/**
 * `n` windows of `width` from `start`, of 120 Hz samples at 7200 ± 20 volts, sagging to 5390–5410 volts in
 * {@link SAG}: a window holding both has the sag's min and the normal max.
 */
const windows = (start: bigint, n: number, width: bigint): BandSeries => {
  const times = new BigInt64Array(n)
  const min = new Float64Array(n)
  const mean = new Float64Array(n)
  const max = new Float64Array(n)
  const count = new Array<number>(n)
  for (let k = 0; k < n; k++) {
    const t = start + BigInt(k) * width
    const sagged = t < SAG.end && t + width > SAG.start
    const normal = t < SAG.start || t + width > SAG.end
    const swing = 5 * Math.sin(k / 50)
    times[k] = t
    min[k] = sagged ? SAG_MIN : NORMAL.min + 5 + swing
    max[k] = normal ? NORMAL.max - 5 + swing : SAG_MIN + 20
    mean[k] = sagged && normal ? 6300 : sagged ? SAG_MIN + 10 : 7200 + swing
    count[k] = Math.max(1, Number((width * 120n) / SECOND))
  }
  return { times, min, mean, max, count }
}

interface Panel {
  readonly xStart: bigint
  readonly xEnd: bigint
  readonly yMin: number
  readonly yMax: number
  /** The panel's SVG text. */
  readonly text: string
}

const PANEL = new RegExp(
  `<g class="panel" data-panel="(\\w+)" data-x-start="(-?\\d+)" data-x-end="(-?\\d+)" ` +
    `data-y-min="([^"]+)" data-y-max="([^"]+)">`,
  "g"
)

/** The panels of `svg` by name, from their data attributes. */
const panels = (svg: string): Map<string, Panel> => {
  const found = new Map<string, Panel>()
  const starts = [...svg.matchAll(PANEL)]
  starts.forEach((m, k) => {
    found.set(m[1]!, {
      xStart: BigInt(m[2]!),
      xEnd: BigInt(m[3]!),
      yMin: Number(m[4]!),
      yMax: Number(m[5]!),
      text: svg.slice(m.index, starts[k + 1]?.index ?? svg.length)
    })
  })
  return found
}

const texts = (svg: string, cls: string): Array<string> =>
  [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map((m) => m[1]!)

const xTicks = (text: string) =>
  [...text.matchAll(/<text class="x-tick" data-time="(-?\d+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
    time: BigInt(m[1]!),
    label: m[2]!
  }))

const meanPoints = (text: string): Array<Array<[number, number]>> =>
  [...text.matchAll(/class="mean" points="([^"]*)"/g)].map((m) =>
    m[1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number])
  )

// the demo's chart: an hour in windows of 4 s, and a zoom from windows of 50 ms
const overview = windows(START, 900, 4n * SECOND)
const around = zoomSpan(overview, { start: START, end: HOUR_END })!
const zoomSeries = windows(around.start, Number((around.end - around.start) / (SECOND / 20n)), SECOND / 20n)
const span = zoomSpan(zoomSeries, around)!
const options = { stream: "demo/pmu1/L1MAG", unit: "volts", start: START, end: HOUR_END }
const svg = bandChart(overview, {
  ...options,
  note: "min, mean and max of windows of 4 s",
  zoom: { series: zoomSeries, ...span, note: "windows of 50 ms" }
})

describe("the band chart with a zoom on an event", () => {
  it("is well-formed SVG with two panels, and the same for the same data", () => {
    const { elements } = checkWellFormed(svg)
    expect(elements.get("svg")).toBe(1)
    expect([...panels(svg).keys()]).toEqual(["overview", "zoom"])
    expect(
      bandChart(overview, {
        ...options,
        note: "min, mean and max of windows of 4 s",
        zoom: { ...span, series: zoomSeries, note: "windows of 50 ms" }
      })
    ).toBe(svg)
  })

  it("finds the sag in the data and zooms on it, with twice its duration either side", () => {
    const coarse = findEvent(overview)!
    expect(coarse).toMatchObject({ side: "min", value: SAG_MIN })
    expect(coarse.start).toBeLessThanOrEqual(SAG.start)
    expect(coarse.end).toBeGreaterThanOrEqual(SAG.end)
    const fine = findEvent(zoomSeries)!
    expect([fine.start, fine.end]).toEqual([SAG.start, SAG.end])
    expect(span).toEqual({ start: SAG.start - 4n * SECOND, end: SAG.end + 4n * SECOND })
  })

  it("scales the overview to the normal band, with padding, and marks the sag off scale", () => {
    const o = panels(svg).get("overview")!
    expect([o.xStart, o.xEnd]).toEqual([START, HOUR_END])
    expect(o.yMin).toBeLessThan(NORMAL.min)
    expect(o.yMax).toBeGreaterThan(NORMAL.max)
    // the band does not touch the frame: a tenth of its span of padding above and below
    expect(NORMAL.min - o.yMin).toBeCloseTo((NORMAL.max - NORMAL.min) / 10, 0)
    expect(o.yMax - NORMAL.max).toBeCloseTo((NORMAL.max - NORMAL.min) / 10, 0)
    expect((NORMAL.max - NORMAL.min) / (o.yMax - o.yMin)).toBeGreaterThanOrEqual(0.2)
    expect(texts(o.text, "off-scale")).toEqual(["min 5,390 volts, off scale (see the zoom)"])
    expect(o.text).toContain(`<rect class="zoom-span"`)
    // one mean point per window: 900, in one run
    expect(meanPoints(o.text).map((run) => run.length)).toEqual([900])
  })

  it("shows the whole sag in the zoom, its y range holding every value with padding", () => {
    const z = panels(svg).get("zoom")!
    expect([z.xStart, z.xEnd]).toEqual([span.start, span.end])
    expect(z.xStart).toBeLessThan(SAG.start)
    expect(z.xEnd).toBeGreaterThan(SAG.end)
    expect(z.yMin).toBeLessThan(SAG_MIN)
    expect(z.yMax).toBeGreaterThan(NORMAL.max)
    expect(texts(z.text, "extreme")).toEqual(["min 5,390 volts at 12:36:00.000"])
    expect(z.text).not.toContain("off-scale")
  })

  it("labels the axes: round UTC times from the title's start, the unit on the y axis; and has a legend", () => {
    const title = texts(svg, "title")
    expect(title).toEqual(["demo/pmu1/L1MAG  2024-05-01T12:00:00Z to 2024-05-01T13:00:00Z"])
    const o = panels(svg).get("overview")!
    const ticks = xTicks(o.text)
    expect(ticks[0]).toEqual({ time: START, label: "12:00:00" })
    expect(ticks.map((t) => t.label)).toEqual([
      "12:00:00",
      "12:10:00",
      "12:20:00",
      "12:30:00",
      "12:40:00",
      "12:50:00",
      "13:00:00"
    ])
    const z = panels(svg).get("zoom")!
    const zoomTicks = xTicks(z.text)
    expect(zoomTicks[0]!.time).toBeGreaterThanOrEqual(span.start)
    expect(zoomTicks.at(-1)!.time).toBeLessThanOrEqual(span.end)
    expect(zoomTicks.map((t) => t.label)).toEqual([
      "12:35:56",
      "12:35:58",
      "12:36:00",
      "12:36:02",
      "12:36:04",
      "12:36:06"
    ])
    expect(texts(svg, "y-label")).toEqual(["volts", "volts"])
    expect(texts(svg, "x-label")).toEqual(["time (UTC)", "time (UTC)"])
    expect(texts(svg, "panel-title")).toEqual([
      "the whole range",
      "zoom on the event: 2024-05-01T12:35:56Z to 2024-05-01T12:36:06Z, shaded above (windows of 50 ms)"
    ])
    expect(texts(svg, "legend-entry")).toEqual(["min–max of each window", "mean", "zoomed span", "off scale"])
    // y ticks within each panel's range, in volts with thousands separators
    expect(texts(o.text, "y-tick")).toEqual(["7,180", "7,190", "7,200", "7,210", "7,220"])
  })
})

describe("the band chart without a zoom (btrdb plot)", () => {
  const single = bandChart(overview, options)

  it("is one panel whose y range holds every value, the sag included, with nothing off scale", () => {
    const found = panels(single)
    expect([...found.keys()]).toEqual(["overview"])
    const o = found.get("overview")!
    expect(o.yMin).toBeLessThan(SAG_MIN)
    expect(o.yMax).toBeGreaterThan(NORMAL.max)
    expect(single).not.toContain("off-scale")
    expect(texts(single, "legend-entry")).toEqual(["min–max of each window", "mean"])
    expect(texts(single, "y-label")).toEqual(["volts"])
  })

  it("starts its ticks at the first round time within the range, none before the start", () => {
    const start = START + 3n * SECOND + SECOND / 2n // 12:00:03.5
    const chart = bandChart(windows(START, 900, 4n * SECOND), { ...options, start })
    expect(texts(chart, "title")).toEqual(["demo/pmu1/L1MAG  2024-05-01T12:00:03.500Z to 2024-05-01T13:00:00Z"])
    const ticks = xTicks(chart)
    expect(ticks[0]).toEqual({ time: START + 600n * SECOND, label: "12:10:00" })
    for (const t of ticks) expect(t.time).toBeGreaterThanOrEqual(start)
    // the first window, starting before the range, is drawn at the range's start
    expect(meanPoints(chart)[0]![0]![0]).toBe(80)
  })

  it("labels sub-second ticks and ticks across midnight with what they need", () => {
    const short = bandChart(windows(START, 10, SECOND / 10n), { ...options, end: START + SECOND })
    expect(xTicks(short).map((t) => t.label).slice(0, 3)).toEqual(["12:00:00.0", "12:00:00.2", "12:00:00.4"])
    const night = START + 11n * 3600n * SECOND // 2024-05-01T23:00:00Z
    const across = bandChart(windows(night, 10, 720n * SECOND), {
      ...options,
      start: night,
      end: night + 7200n * SECOND
    })
    expect(xTicks(across).map((t) => t.label)).toContain("05-02 00:00:00")
  })

  it("splits the band at windows without points, one mean point per window with points", () => {
    const series = windows(START, 5, 60n * SECOND)
    const gappy = { ...series, count: [10, 10, 0, 10, 10] }
    const chart = bandChart(gappy, { ...options, end: START + 300n * SECOND })
    const { elements } = checkWellFormed(chart)
    expect(elements.get("path")).toBe(2)
    expect(meanPoints(chart).map((run) => run.length)).toEqual([2, 2])
  })

  it("draws higher values higher, escapes text and copes with no data", () => {
    const series: BandSeries = {
      times: BigInt64Array.from([START, START + SECOND]),
      min: Float64Array.from([1, 2]),
      mean: Float64Array.from([2, 3]),
      max: Float64Array.from([3, 5]),
      count: [1, 1]
    }
    const chart = bandChart(series, { ...options, stream: "a <b> & c", unit: "u", end: START + 2n * SECOND })
    checkWellFormed(chart)
    const [[first, second]] = meanPoints(chart) as [[[number, number], [number, number]]]
    expect(second[1]).toBeLessThan(first[1])
    expect(chart).toContain("a &lt;b&gt; &amp; c")
    const empty = bandChart({ ...series, count: [0, 0] }, { ...options, end: START + 2n * SECOND })
    expect(checkWellFormed(empty).elements.get("polyline")).toBeUndefined()
    expect(empty).toContain("no points in this range")
    expect(findEvent({ ...series, count: [0, 0] })).toBeUndefined()
  })

  it("finds no event in noise alone", () => {
    const calm = windows(START, 100, 4n * SECOND)
    expect(findEvent(calm)).toBeUndefined()
    expect(zoomSpan(calm, { start: START, end: START + 400n * SECOND })).toBeUndefined()
  })
})
