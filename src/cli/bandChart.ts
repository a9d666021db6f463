/**
 * SVG charts of a stream's min/mean/max band over time, drawn from window statistics as BTrDB's plotter draws
 * them: a shaded band from each window's min to its max and the mean as a line, windows without points leaving
 * gaps. A chart has an overview panel of a range and, optionally, a zoom panel on an event (a span found in the
 * data by {@link zoomSpan}, drawn from finer windows). The caller queries the windows; this module only draws.
 *
 * Each panel is a `<g class="panel">` whose `data-panel` (`overview` or `zoom`), `data-x-start`/`data-x-end`
 * (ns) and `data-y-min`/`data-y-max` attributes give what it shows; its time ticks carry `data-time` (ns).
 */
import { ceilDiv, floorDiv } from "../internal/bigints.js"

/** Window statistics to draw (time = window start, ns). */
export interface BandSeries {
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: ArrayLike<number | bigint>
}

/** A span of time, `[start, end)` in ns. */
export interface Span {
  readonly start: bigint
  readonly end: bigint
}

/** The zoom panel: finer windows, drawn over `[start, end)`. */
export interface ZoomPanel extends Span {
  readonly series: BandSeries
  /** What its windows are, e.g. `windows of 33.6 ms`, in the panel's heading. */
  readonly note?: string
}

/** What to draw the overview over and how to label it. */
export interface BandChartOptions extends Span {
  /** The stream's `collection/name`, in the title with the range. */
  readonly stream: string
  /** The stream's unit, the label of the y axes. */
  readonly unit: string
  /** A line under the title, e.g. what the windows are. */
  readonly note?: string
  /** A second panel, on an event; with it, the overview's y range leaves the event's outliers off scale. */
  readonly zoom?: ZoomPanel
  readonly width?: number
}

/** An event in a series: the run of windows around the one farthest from the typical level. */
export interface BandEvent extends Span {
  /** The start of the window farthest from the typical level. */
  readonly at: bigint
  /** Which of that window's min and max is farther. */
  readonly side: "min" | "max"
  /** That min or max. */
  readonly value: number
}

const NS_PER_MS = 1_000_000n
const SECOND = 1_000_000_000n
const MINUTE = 60n * SECOND
const HOUR = 60n * MINUTE
const DAY = 24n * HOUR

/** Tick spacings, in ns: 1-2-5 below a second, clock-like steps up to a day, then 1-2-5 days. */
const TICK_STEPS: ReadonlyArray<bigint> = [
  ...[1n, 10n, 100n, 1_000n, 10_000n, 100_000n, 1_000_000n, 10_000_000n, 100_000_000n].flatMap((p) => [
    p,
    2n * p,
    5n * p
  ]),
  ...[1n, 2n, 5n, 10n, 15n, 30n].map((n) => n * SECOND),
  ...[1n, 2n, 5n, 10n, 15n, 30n].map((n) => n * MINUTE),
  ...[1n, 2n, 3n, 6n, 12n].map((n) => n * HOUR),
  ...[1n, 10n, 100n, 1_000n, 10_000n, 100_000n].flatMap((p) => [p, 2n * p, 5n * p].map((n) => n * DAY))
]

const BAND_FILL = "#9ecae1"
const MEAN_STROKE = "#08519c"
const OFF_SCALE = "#d62728"
const ZOOM_FILL = "#fdae6b"
const ZOOM_STROKE = "#e6550d"
const FONT = `font-family="sans-serif"`

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString()

/** `t` (ns) as ISO-8601 UTC, to the millisecond when it has a fraction of a second. */
export const isoTime = (t: bigint): string =>
  new Date(Number(floorDiv(t, NS_PER_MS))).toISOString().replace(".000Z", "Z")

const dateOf = (day: bigint): string => new Date(Number(day) * 86_400_000).toISOString().slice(0, 10)

const two = (n: bigint): string => n.toString().padStart(2, "0")

/** `t` as a UTC time of day, with as many digits of the second as `step` needs, and the date when `withDate`. */
const clockLabel = (t: bigint, step: bigint, withDate: boolean): string => {
  const day = floorDiv(t, DAY)
  if (step >= DAY) return dateOf(day)
  const ns = t - day * DAY
  let label = `${two(ns / HOUR)}:${two((ns % HOUR) / MINUTE)}:${two((ns % MINUTE) / SECOND)}`
  if (step < SECOND) {
    const digits = 9 - (step.toString().length - 1)
    label += "." + (ns % SECOND).toString().padStart(9, "0").slice(0, digits)
  }
  return withDate ? `${dateOf(day).slice(5)} ${label}` : label
}

/** Ticks at round UTC times within `[start, end]`, at most `most` of them; none before `start`. */
const timeTicks = (start: bigint, end: bigint, most: number) => {
  const step = TICK_STEPS.find((s) => floorDiv(end, s) - ceilDiv(start, s) + 1n <= BigInt(most)) ??
    TICK_STEPS.at(-1)!
  const withDate = step < DAY && floorDiv(start, DAY) !== floorDiv(end, DAY)
  const ticks: Array<{ readonly time: bigint; readonly label: string }> = []
  for (let t = ceilDiv(start, step) * step; t <= end; t += step) {
    ticks.push({ time: t, label: clockLabel(t, step, withDate) })
  }
  return ticks
}

const niceStep = (span: number, ticks: number): number => {
  const raw = span / ticks
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const normalized = raw / magnitude
  return (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
}

const numberLabel = (v: number, digits: number): string =>
  v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const valueText = (v: number): string => v.toLocaleString("en-US", { maximumFractionDigits: 2 })

/** The width of the series' windows: the smallest gap between consecutive starts (0 with fewer than two). */
const windowWidth = (times: BigInt64Array): bigint => {
  let width = 0n
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!
    if (d > 0n && (width === 0n || d < width)) width = d
  }
  return width
}

const median = (values: Array<number>): number => {
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const quantile = (sorted: Array<number>, q: number): number => sorted[Math.round(q * (sorted.length - 1))]!

/**
 * The event of `series`: the window whose min or max lies farthest from the typical level (the median of the
 * windows' means), widened over the adjacent windows departing at least half as far; none when no window departs
 * more than three times as far as the median window does (noise only), or there are no points.
 */
export const findEvent = (series: BandSeries): BandEvent | undefined => {
  const present: Array<number> = []
  for (let i = 0; i < series.times.length; i++) if (Number(series.count[i]) > 0) present.push(i)
  if (present.length === 0) return undefined
  const typical = median(present.map((i) => series.mean[i]!))
  const departure = (i: number) => Math.max(typical - series.min[i]!, series.max[i]! - typical)
  let peak = present[0]!
  for (const i of present) if (departure(i) > departure(peak)) peak = i
  const farthest = departure(peak)
  if (!(farthest > 3 * median(present.map(departure)))) return undefined
  const inEvent = (i: number) =>
    i >= 0 && i < series.times.length && Number(series.count[i]) > 0 &&
    departure(i) >= farthest / 2
  let first = peak
  let last = peak
  while (inEvent(first - 1)) first--
  while (inEvent(last + 1)) last++
  const width = windowWidth(series.times)
  return {
    start: series.times[first]!,
    end: series.times[last]! + (width > 0n ? width : 1n),
    at: series.times[peak]!,
    ...(typical - series.min[peak]! >= series.max[peak]! - typical
      ? { side: "min", value: series.min[peak]! }
      : { side: "max", value: series.max[peak]! })
  }
}

/**
 * The span to zoom on for the event of `series` ({@link findEvent}): the event with twice its duration on
 * either side, within `bounds`; none when the series has no event.
 */
export const zoomSpan = (series: BandSeries, bounds: Span): Span | undefined => {
  const event = findEvent(series)
  if (event === undefined) return undefined
  const pad = 2n * (event.end - event.start)
  const start = event.start - pad > bounds.start ? event.start - pad : bounds.start
  const end = event.end + pad < bounds.end ? event.end + pad : bounds.end
  return { start, end }
}

interface Layout {
  readonly width: number
  readonly left: number
  readonly right: number
  readonly top: number
  readonly height: number
}

interface PanelSpec extends Span {
  readonly name: "overview" | "zoom"
  readonly series: BandSeries
  readonly heading?: string
  readonly unit: string
  /** Leave outliers off scale (the zoom shows them). */
  readonly focus: boolean
  /** A span to shade (the zoom's). */
  readonly highlight?: Span
  /** Mark the event's farthest value ({@link findEvent}) with its value and time. */
  readonly annotate?: boolean
}

/** The windows with points that overlap `[start, end)`, each placed at its middle, kept within the range. */
const placedWindows = (series: BandSeries, span: Span) => {
  const width = windowWidth(series.times)
  const placed: Array<{ readonly i: number; readonly t: bigint }> = []
  for (let i = 0; i < series.times.length; i++) {
    const t = series.times[i]!
    if (Number(series.count[i]) === 0 || t >= span.end || (width > 0n ? t + width <= span.start : t < span.start)) {
      continue
    }
    const middle = t + width / 2n
    placed.push({ i, t: middle < span.start ? span.start : middle > span.end ? span.end : middle })
  }
  return placed
}

/**
 * The y range of the placed windows, padded by a tenth of it on each side (or a twentieth of the value when it is
 * flat). With `focus`, mins below the 5 % quantile of the mins, and maxes above the 95 % quantile of the maxes, by
 * more than 1.5 times the spread between those quantiles are left out, so that an event does not flatten the rest.
 */
const yRange = (series: BandSeries, placed: ReadonlyArray<{ readonly i: number }>, focus: boolean) => {
  if (placed.length === 0) return { lo: 0, hi: 1 }
  const mins = placed.map(({ i }) => series.min[i]!).sort((a, b) => a - b)
  const maxes = placed.map(({ i }) => series.max[i]!).sort((a, b) => a - b)
  let lo = mins[0]!
  let hi = maxes.at(-1)!
  if (focus) {
    const q05 = quantile(mins, 0.05)
    const q95 = quantile(maxes, 0.95)
    const spread = q95 - q05
    lo = mins.find((v) => v >= q05 - 1.5 * spread)!
    hi = maxes.filter((v) => v <= q95 + 1.5 * spread).at(-1)!
  }
  const pad = hi > lo ? (hi - lo) / 10 : Math.abs(lo) / 20 || 1
  return { lo: lo - pad, hi: hi + pad }
}

const panel = (spec: PanelSpec, layout: Layout): Array<string> => {
  const { height, left, right, top, width } = layout
  const plotWidth = width - left - right
  const bottom = top + height
  const placed = placedWindows(spec.series, spec)
  const { hi, lo } = yRange(spec.series, placed, spec.focus)
  const spanNs = Number(spec.end - spec.start) || 1
  const x = (t: bigint) => left + (Number(t - spec.start) / spanNs) * plotWidth
  const y = (v: number) => top + (1 - (v - lo) / (hi - lo)) * height
  const clip = `clip-${spec.name}`
  const parts: Array<string> = []
  parts.push(
    `<g class="panel" data-panel="${spec.name}" data-x-start="${spec.start}" data-x-end="${spec.end}" ` +
      `data-y-min="${lo}" data-y-max="${hi}">`,
    `<defs><clipPath id="${clip}"><rect x="${left}" y="${top}" width="${plotWidth}" height="${height}"/>` +
      `</clipPath></defs>`
  )
  if (spec.heading !== undefined) {
    parts.push(
      `<text class="panel-title" x="${left}" y="${top - 8}" ${FONT} font-size="13" font-weight="bold">${
        escape(spec.heading)
      }</text>`
    )
  }

  const step = niceStep(hi - lo, 5)
  const digits = Math.max(0, -Math.floor(Math.log10(step)))
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) {
    const v = k * step
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e3e3e3"/>`,
      `<text class="y-tick" x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" ${FONT} font-size="11">${
        numberLabel(v, digits)
      }</text>`
    )
  }
  for (const tick of timeTicks(spec.start, spec.end, Math.max(2, Math.floor(plotWidth / 100)))) {
    const tx = fmt(x(tick.time))
    parts.push(
      `<line x1="${tx}" x2="${tx}" y1="${top}" y2="${bottom}" stroke="#e3e3e3"/>`,
      `<text class="x-tick" data-time="${tick.time}" x="${tx}" y="${bottom + 16}" text-anchor="middle" ${FONT} ` +
        `font-size="11">${tick.label}</text>`
    )
  }
  parts.push(`<g clip-path="url(#${clip})">`)
  const runs: Array<Array<{ readonly i: number; readonly t: bigint }>> = []
  for (const p of placed) {
    const last = runs.at(-1)
    if (last !== undefined && last.at(-1)!.i === p.i - 1) last.push(p)
    else runs.push([p])
  }
  const point = (t: bigint, v: number) => `${fmt(x(t))},${fmt(y(v))}`
  for (const run of runs) {
    const upper = run.map(({ i, t }) => point(t, spec.series.max[i]!))
    const lower = run.slice().reverse().map(({ i, t }) => point(t, spec.series.min[i]!))
    const d = run.length === 1 ? `M${upper[0]}L${lower[0]}` : `M${[...upper, ...lower].join("L")}Z`
    parts.push(`<path class="band" d="${d}" fill="${BAND_FILL}" stroke="${BAND_FILL}" stroke-width="1"/>`)
    parts.push(
      `<polyline class="mean" points="${
        run.map(({ i, t }) => point(t, spec.series.mean[i]!)).join(" ")
      }" fill="none" stroke="${MEAN_STROKE}" stroke-width="1.2"/>`
    )
  }
  parts.push("</g>")
  if (spec.highlight !== undefined) {
    const x0 = x(spec.highlight.start)
    const x1 = x(spec.highlight.end)
    const w = Math.max(3, x1 - x0)
    parts.push(
      `<rect class="zoom-span" x="${fmt((x0 + x1 - w) / 2)}" y="${top}" width="${fmt(w)}" height="${height}" ` +
        `fill="${ZOOM_FILL}" fill-opacity="0.35" stroke="${ZOOM_STROKE}"/>`
    )
  }

  const event = spec.annotate ? findEvent(spec.series) : undefined
  if (event !== undefined && event.at >= spec.start && event.at < spec.end) {
    const ex = x(event.at)
    const ey = y(event.value)
    const right = ex > left + plotWidth / 2
    const below = ey < top + height / 2
    parts.push(
      `<circle class="extreme" cx="${fmt(ex)}" cy="${fmt(ey)}" r="3.5" fill="none" stroke="${OFF_SCALE}"/>`,
      `<text class="extreme" x="${fmt(ex + (right ? -8 : 8))}" y="${fmt(ey + (below ? 20 : -14))}" text-anchor="${
        right ? "end" : "start"
      }" ${FONT} font-size="11" fill="${OFF_SCALE}">${
        escape(`${event.side} ${valueText(event.value)} ${spec.unit} at ${clockLabel(event.at, NS_PER_MS, false)}`)
      }</text>`
    )
  }

  let below: { readonly t: bigint; readonly v: number } | undefined
  let above: { readonly t: bigint; readonly v: number } | undefined
  for (const { i, t } of placed) {
    const mn = spec.series.min[i]!
    const mx = spec.series.max[i]!
    if (mn < lo && (below === undefined || mn < below.v)) below = { t, v: mn }
    if (mx > hi && (above === undefined || mx > above.v)) above = { t, v: mx }
  }
  for (const [mark, edge, tip, label] of [[below, bottom, 1, "min"], [above, top, -1, "max"]] as const) {
    if (mark === undefined) continue
    const mx = x(mark.t)
    const base = edge - 9 * tip
    parts.push(
      `<polygon class="off-scale" points="${fmt(mx - 6)},${fmt(base)} ${fmt(mx + 6)},${fmt(base)} ${fmt(mx)},${
        fmt(edge)
      }" fill="${OFF_SCALE}"/>`,
      `<text class="off-scale" x="${fmt(mx + (mx > left + plotWidth / 2 ? -10 : 10))}" y="${fmt(base + 4 * tip)}" ` +
        `text-anchor="${mx > left + plotWidth / 2 ? "end" : "start"}" ${FONT} font-size="11" fill="${OFF_SCALE}">${
          escape(`${label} ${valueText(mark.v)} ${spec.unit}, off scale (see the zoom)`)
        }</text>`
    )
  }
  if (placed.length === 0) {
    parts.push(
      `<text x="${left + plotWidth / 2}" y="${top + height / 2}" text-anchor="middle" ${FONT} font-size="12" ` +
        `fill="#666">no points in this range</text>`
    )
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${height}" fill="none" stroke="#333"/>`,
    `<text class="y-label" x="18" y="${top + height / 2}" transform="rotate(-90 18 ${top + height / 2})" ` +
      `text-anchor="middle" ${FONT} font-size="12">${escape(spec.unit)}</text>`,
    `<text class="x-label" x="${left + plotWidth / 2}" y="${bottom + 34}" text-anchor="middle" ${FONT} ` +
      `font-size="12">time (UTC)</text>`,
    "</g>"
  )
  return parts
}

interface LegendEntry {
  /** The sample drawn before the text, given its left edge and the baseline's middle. */
  readonly swatch: (x: number, y: number) => string
  readonly text: string
}

const LEGEND_BAND: LegendEntry = {
  swatch: (x, y) => `<rect x="${x}" y="${y - 5}" width="22" height="10" fill="${BAND_FILL}"/>`,
  text: "min–max of each window"
}
const LEGEND_MEAN: LegendEntry = {
  swatch: (x, y) => `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${MEAN_STROKE}" stroke-width="2"/>`,
  text: "mean"
}
const LEGEND_ZOOM: LegendEntry = {
  swatch: (x, y) =>
    `<rect x="${x}" y="${y - 5}" width="22" height="10" fill="${ZOOM_FILL}" fill-opacity="0.35" ` +
    `stroke="${ZOOM_STROKE}"/>`,
  text: "zoomed span"
}
const LEGEND_OFF_SCALE: LegendEntry = {
  swatch: (x, y) => `<polygon points="${x + 5},${y - 4} ${x + 17},${y - 4} ${x + 11},${y + 5}" fill="${OFF_SCALE}"/>`,
  text: "off scale"
}

/** The legend's entries, left to right from `left`, centred on `y`. */
const legend = (entries: ReadonlyArray<LegendEntry>, left: number, y: number): Array<string> => {
  const parts = [`<g class="legend">`]
  let at = left
  for (const entry of entries) {
    parts.push(
      entry.swatch(at, y),
      `<text class="legend-entry" x="${at + 28}" y="${y + 4}" ${FONT} font-size="12">${escape(entry.text)}</text>`
    )
    at += 28 + entry.text.length * 7 + 24
  }
  parts.push("</g>")
  return parts
}

/**
 * The chart as an SVG document: a title naming the stream and the range, a legend, the overview panel of
 * `[start, end)` and, with `zoom`, the zoom panel, its span shaded in the overview. In each panel the band is one
 * `<path class="band">` and the mean one `<polyline class="mean">` per run of windows with points (one point per
 * window, at the window's middle kept within the range); the y axis is labelled with the unit and padded around
 * the values, the x axis has ticks at round UTC times within the range. With a zoom, values of the overview beyond
 * its y range are clipped and marked off scale in red, and the zoom marks its event's farthest value.
 */
export const bandChart = (series: BandSeries, options: BandChartOptions): string => {
  const width = options.width ?? 960
  const left = 80
  const right = 40
  const zoom = options.zoom
  const overviewTop = 106
  const overviewHeight = 230
  const zoomTop = overviewTop + overviewHeight + 78
  const zoomHeight = 200
  const height = zoom === undefined ? overviewTop + overviewHeight + 46 : zoomTop + zoomHeight + 46

  const overview = panel({
    name: "overview",
    series,
    start: options.start,
    end: options.end,
    ...(zoom === undefined ? {} : { heading: "the whole range", highlight: zoom }),
    unit: options.unit,
    focus: zoom !== undefined
  }, { width, left, right, top: overviewTop, height: overviewHeight })
  const zoomed = zoom === undefined ? [] : panel({
    name: "zoom",
    series: zoom.series,
    start: zoom.start,
    end: zoom.end,
    heading: `zoom on the event: ${isoTime(zoom.start)} to ${isoTime(zoom.end)}, shaded above${
      zoom.note === undefined ? "" : ` (${zoom.note})`
    }`,
    unit: options.unit,
    focus: false,
    annotate: true
  }, { width, left, right, top: zoomTop, height: zoomHeight })

  const offScale = overview.some((line) => line.startsWith(`<polygon class="off-scale"`))
  const entries = [
    LEGEND_BAND,
    LEGEND_MEAN,
    ...(zoom === undefined ? [] : [LEGEND_ZOOM]),
    ...(offScale ? [LEGEND_OFF_SCALE] : [])
  ]

  const parts: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text class="title" x="${width / 2}" y="26" text-anchor="middle" ${FONT} font-size="16">${
      escape(`${options.stream}  ${isoTime(options.start)} to ${isoTime(options.end)}`)
    }</text>`
  ]
  if (options.note !== undefined) {
    parts.push(
      `<text class="note" x="${width / 2}" y="46" text-anchor="middle" ${FONT} font-size="12" fill="#555">${
        escape(options.note)
      }</text>`
    )
  }
  parts.push(...legend(entries, left, 72), ...overview, ...zoomed, "</svg>")
  return parts.join("\n") + "\n"
}
