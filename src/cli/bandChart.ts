/**
 * An SVG chart of a stream's min/mean/max band over time, drawn from window statistics as BTrDB's plotter draws
 * it: a shaded band from min to max and the mean as a line. Windows without points leave gaps.
 */

/** Window statistics to draw (time = window start, ns). */
export interface BandSeries {
  readonly times: BigInt64Array
  readonly min: Float64Array
  readonly mean: Float64Array
  readonly max: Float64Array
  readonly count: ArrayLike<number | bigint>
}

/** Labels and size. */
export interface BandChartOptions {
  readonly title: string
  readonly unit: string
  readonly width?: number
  readonly height?: number
}

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const niceStep = (span: number, ticks: number): number => {
  const raw = span / ticks
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const normalized = raw / magnitude
  return (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
}

const timeLabel = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19)

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString()

/**
 * The chart as an SVG document. The band is one `<path class="band">` per run of windows with points, and the
 * mean one `<polyline class="mean">` per run; each window contributes one point to the mean line.
 */
export const bandChart = (series: BandSeries, options: BandChartOptions): string => {
  const width = options.width ?? 960
  const height = options.height ?? 400
  const left = 80
  const right = 20
  const top = 40
  const bottom = 50
  const n = series.times.length
  const present: Array<number> = []
  for (let i = 0; i < n; i++) if (Number(series.count[i]) > 0) present.push(i)

  let lo = Infinity
  let hi = -Infinity
  for (const i of present) {
    lo = Math.min(lo, series.min[i]!)
    hi = Math.max(hi, series.max[i]!)
  }
  if (present.length === 0) {
    lo = 0
    hi = 1
  } else if (lo === hi) {
    lo -= 1
    hi += 1
  }
  const t0 = n > 0 ? series.times[0]! : 0n
  const t1 = n > 1 ? series.times[n - 1]! : t0 + 1n
  const spanNs = Number(t1 - t0) || 1
  const x = (t: bigint) => left + (Number(t - t0) / spanNs) * (width - left - right)
  const y = (v: number) => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom)

  const runs: Array<Array<number>> = []
  for (const i of present) {
    const last = runs.at(-1)
    if (last !== undefined && last.at(-1) === i - 1) last.push(i)
    else runs.push([i])
  }

  const parts: Array<string> = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
  )
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  parts.push(
    `<text x="${width / 2}" y="24" text-anchor="middle" font-family="sans-serif" font-size="16">${
      escape(options.title)
    }</text>`
  )
  const step = niceStep(hi - lo, 5)
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" font-family="sans-serif" font-size="11">${
        escape(Number(v.toPrecision(6)).toString())
      }</text>`
    )
  }
  for (let k = 0; k <= 4; k++) {
    const t = t0 + BigInt(Math.round((spanNs * k) / 4))
    parts.push(
      `<text x="${fmt(x(t))}" y="${
        height - bottom + 18
      }" text-anchor="middle" font-family="sans-serif" font-size="11">${timeLabel(t)}</text>`
    )
  }
  parts.push(
    `<text x="16" y="${height / 2}" transform="rotate(-90 16 ${height / 2})" text-anchor="middle" ` +
      `font-family="sans-serif" font-size="12">${escape(options.unit)}</text>`,
    `<text x="${width - right}" y="${height - 8}" text-anchor="end" font-family="sans-serif" font-size="11">UTC</text>`
  )
  for (const run of runs) {
    const upper = run.map((i) => `${fmt(x(series.times[i]!))},${fmt(y(series.max[i]!))}`)
    const lower = run.slice().reverse().map((i) => `${fmt(x(series.times[i]!))},${fmt(y(series.min[i]!))}`)
    parts.push(`<path class="band" d="M${[...upper, ...lower].join("L")}Z" fill="#9ecae1" stroke="none"/>`)
    parts.push(
      `<polyline class="mean" points="${
        run.map((i) => `${fmt(x(series.times[i]!))},${fmt(y(series.mean[i]!))}`).join(" ")
      }" fill="none" stroke="#08519c" stroke-width="1"/>`
    )
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" ` +
      `stroke="#333"/>`
  )
  parts.push("</svg>")
  return parts.join("\n") + "\n"
}
