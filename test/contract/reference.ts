/**
 * Independent reference computations for the data contract: what a read should return, recomputed from the points
 * a test inserted, with plain loops over `[time, value]` pairs (no code shared with the engine or the SDK).
 */

export type Pair = readonly [bigint, number]

export interface RefWindow {
  readonly time: bigint
  readonly min: number
  readonly mean: number
  readonly max: number
  readonly count: number
  readonly stddev: number
}

const stats = (time: bigint, values: ReadonlyArray<number>): RefWindow => {
  if (values.length === 0) return { time, min: 0, mean: 0, max: 0, count: 0, stddev: 0 }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length
  return {
    time,
    min: Math.min(...values),
    mean,
    max: Math.max(...values),
    count: values.length,
    stddev: Math.sqrt(variance)
  }
}

/** Points of [start, end), sorted by time (stable for equal times). */
export const rangeOf = (points: ReadonlyArray<Pair>, start: bigint, end: bigint): Array<Pair> =>
  points.filter(([t]) => t >= start && t < end).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

/** PROTOCOL.md §7.4: windows of 2^pw aligned to the epoch over [start & ~mask, end & ~mask); empty ones left out. */
export const alignedWindows = (
  points: ReadonlyArray<Pair>,
  start: bigint,
  end: bigint,
  pw: number
): Array<RefWindow> => {
  const width = 2n ** BigInt(pw)
  const floor = (t: bigint) => (t >= 0n ? t / width : -((-t + width - 1n) / width)) * width
  const s = floor(start)
  const e = floor(end)
  const groups = new Map<bigint, Array<number>>()
  for (const [t, v] of rangeOf(points, s, e)) {
    const w = floor(t)
    if (!groups.has(w)) groups.set(w, [])
    groups.get(w)!.push(v)
  }
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([t, vs]) => stats(t, vs))
}

/** PROTOCOL.md §7.5: windows of `width` from `start`, the partial last one dropped, empty ones with zeros. */
export const windows = (points: ReadonlyArray<Pair>, start: bigint, end: bigint, width: bigint): Array<RefWindow> => {
  const sorted = rangeOf(points, start, end)
  const out: Array<RefWindow> = []
  let i = 0
  for (let t = start; t + width <= end; t += width) {
    const inside: Array<number> = []
    while (i < sorted.length && sorted[i]![0] < t + width) inside.push(sorted[i++]![1])
    out.push(stats(t, inside))
  }
  return out
}

/** Changed ranges: each time floored to 2^resolution, as [floor, floor + 2^resolution), merged when touching. */
export const changedRanges = (times: ReadonlyArray<bigint>, resolution: number): Array<[bigint, bigint]> => {
  const width = 2n ** BigInt(resolution)
  const starts = [...new Set(times.map((t) => (t >= 0n ? t / width : -((-t + width - 1n) / width)) * width))]
    .sort((a, b) => (a < b ? -1 : 1))
  const out: Array<[bigint, bigint]> = []
  for (const s of starts) {
    const last = out[out.length - 1]
    if (last !== undefined && last[1] >= s) last[1] = s + width
    else out.push([s, s + width])
  }
  return out
}

/** A deterministic pseudo-random generator (LCG), so the tests are reproducible. */
export const random = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** PROTOCOL.md §9.3's example: stream s1's points, stream s2's points, and their rows in [100, 121), by hand. */
export const S1_POINTS: ReadonlyArray<Pair> = [[100n, 0], [105n, 1], [110n, 2], [115n, 3], [120n, 4]]
export const S2_POINTS: ReadonlyArray<Pair> = [[101n, 5], [106n, 6], [110n, 7], [114n, 8], [119n, 9]]
export const S1_S2_ROWS: Array<[bigint, number, number]> = [
  [100n, 0, NaN],
  [101n, NaN, 5],
  [105n, 1, NaN],
  [106n, NaN, 6],
  [110n, 2, 7],
  [114n, NaN, 8],
  [115n, 3, NaN],
  [119n, NaN, 9],
  [120n, 4, NaN]
]
