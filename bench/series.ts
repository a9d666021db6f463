/**
 * The benchmarks' time series: a sensor sampled at 120 Hz from 2020-09-13 (1.6e18 ns), as the grid sensors BTrDB
 * was built for.
 */

/** The first time of every bench's series, in nanoseconds. */
export const T0 = 1_600_000_000_000_000_000n
/** The time between two points at 120 Hz, in nanoseconds. */
export const STEP = 8_333_333n

/** Points `from` to `from + count` of the series as columns: times at 120 Hz from {@link T0}, a slow sine. */
export const series = (from: number, count: number): { times: BigInt64Array; values: Float64Array } => {
  const times = new BigInt64Array(count)
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    times[i] = T0 + BigInt(from + i) * STEP
    values[i] = Math.sin((from + i) / 1000)
  }
  return { times, values }
}
