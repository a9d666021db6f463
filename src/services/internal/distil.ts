/**
 * The plain arithmetic of a distiller's runs: which output ranges a set of changed input ranges asks to recompute
 * (widened by the margin, expanded to whole windows, merged, split into pieces of bounded width), and the record of
 * the input versions processed, as it is kept in an output's annotations.
 */
import { ceilTo, floorTo } from "../../internal/bigints.js"
import { MAXIMUM_TIME, MINIMUM_TIME } from "../../schema/Time.js"

/** A half-open range `[start, end)` of nanoseconds. */
export interface Range {
  readonly start: bigint
  readonly end: bigint
}

const clamp = (t: bigint): bigint => t < MINIMUM_TIME ? MINIMUM_TIME : t > MAXIMUM_TIME ? MAXIMUM_TIME : t

/**
 * The output ranges to recompute for `changed` input ranges: each widened by `margin` on both sides, expanded to
 * multiples of `alignment`, clamped to the times a stream can hold, sorted, overlapping and touching ranges merged,
 * then cut at multiples of `maxWidth` (itself a multiple of `alignment`) so no piece is wider.
 */
export const outputRanges = (
  changed: Iterable<Range>,
  options: { readonly margin: bigint; readonly alignment: bigint; readonly maxWidth: bigint }
): Array<Range> => {
  const { alignment, margin } = options
  const widened: Array<Range> = []
  for (const { end, start } of changed) {
    if (end <= start) continue
    const s = clamp(floorTo(start - margin, alignment))
    const e = clamp(ceilTo(end + margin, alignment))
    if (e > s) widened.push({ start: s, end: e })
  }
  widened.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  const merged: Array<{ start: bigint; end: bigint }> = []
  for (const r of widened) {
    const last = merged[merged.length - 1]
    if (last !== undefined && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end
    } else {
      merged.push({ start: r.start, end: r.end })
    }
  }
  const piece = ceilTo(options.maxWidth, alignment)
  const pieces: Array<Range> = []
  for (const r of merged) {
    let s = r.start
    while (s < r.end) {
      const cut = floorTo(s, piece) + piece
      const e = cut < r.end && cut > s ? cut : r.end
      pieces.push({ start: s, end: e })
      s = e
    }
  }
  return pieces
}

/** The input range a piece of output needs: `margin` on each side, clamped. */
export const inputRange = (range: Range, margin: bigint): Range => ({
  start: clamp(range.start - margin),
  end: clamp(range.end + margin)
})

/** The annotation key of the record of distiller `name`. */
export const recordKey = (name: string): string => `distil/${name}/versions`

/** The record as annotation text: JSON of input uuid to version (decimal text: versions are 64-bit). */
export const encodeRecord = (versions: ReadonlyMap<string, bigint>): string =>
  JSON.stringify(Object.fromEntries(Array.from(versions, ([uuid, v]) => [uuid, v.toString()])))

/** The record read back, or `undefined` when the text is not one. */
export const decodeRecord = (text: string): Map<string, bigint> | undefined => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
  const out = new Map<string, bigint>()
  for (const [uuid, v] of Object.entries(parsed)) {
    if (typeof v !== "string" || !/^\d+$/.test(v)) return undefined
    out.set(uuid, BigInt(v))
  }
  return out
}

/** Keeps the points of `columns` in `[start, end)` (all of them, uncopied, when none is outside). */
export const within = (
  columns: { readonly times: BigInt64Array; readonly values: Float64Array },
  range: Range
): { readonly times: BigInt64Array; readonly values: Float64Array } => {
  const { times, values } = columns
  let inside = 0
  for (let i = 0; i < times.length; i++) if (times[i]! >= range.start && times[i]! < range.end) inside++
  if (inside === times.length) return columns
  const t = new BigInt64Array(inside)
  const v = new Float64Array(inside)
  let k = 0
  for (let i = 0; i < times.length; i++) {
    if (times[i]! >= range.start && times[i]! < range.end) {
      t[k] = times[i]!
      v[k++] = values[i]!
    }
  }
  return { times: t, values: v }
}

/** Window start `floor(t / width) * width`, for the built-in distillers' windows. */
export const windowOf = (t: bigint, width: bigint): bigint => floorTo(t, width)
