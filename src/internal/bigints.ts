/**
 * Integer division of bigint nanoseconds rounded down or up (bigint `/` rounds toward zero), and the multiples of a
 * step below and above a time: windows, grids and days before 1970 need them the same way everywhere.
 */

/** ⌊a / b⌋. */
export const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/** ⌈a / b⌉. */
export const ceilDiv = (a: bigint, b: bigint): bigint => -floorDiv(-a, b)

/** The largest multiple of `step` (> 0) at or below `t`. */
export const floorTo = (t: bigint, step: bigint): bigint => floorDiv(t, step) * step

/** The smallest multiple of `step` (> 0) at or above `t`. */
export const ceilTo = (t: bigint, step: bigint): bigint => ceilDiv(t, step) * step
