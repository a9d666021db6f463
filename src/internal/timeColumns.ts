/**
 * Checks over a column of times (int64 nanoseconds in a `BigInt64Array`) that compare each time's two 32-bit words
 * instead of reading it as a `bigint`: reading an element of a `BigInt64Array` makes a bigint, and a check of every
 * point of a 50 000-point insert that way cost more than the rest of its validation together.
 */
import { HI, LO } from "./byteOrder.js"

/** The low (unsigned) and high (signed) words of the elements of `times`. */
const wordsOf = (times: BigInt64Array) => ({
  lo: new Uint32Array(times.buffer, times.byteOffset, times.length * 2),
  hi: new Int32Array(times.buffer, times.byteOffset, times.length * 2)
})

/**
 * The index of the first time outside `[min, max]` (both ends taken), or -1 when every time is inside.
 * `min` and `max` must be int64 values.
 */
export const firstTimeOutside = (times: BigInt64Array, min: bigint, max: bigint): number => {
  const { hi, lo } = wordsOf(times)
  const minHi = Number(BigInt.asIntN(32, min >> 32n))
  const minLo = Number(BigInt.asUintN(32, min))
  const maxHi = Number(BigInt.asIntN(32, max >> 32n))
  const maxLo = Number(BigInt.asUintN(32, max))
  for (let i = 0, j = 0; i < times.length; i++, j += 2) {
    const h = hi[j + HI]!
    if (h > minHi && h < maxHi) continue
    const l = lo[j + LO]!
    if (h < minHi || (h === minHi && l < minLo) || h > maxHi || (h === maxHi && l > maxLo)) return i
  }
  return -1
}

/** Whether the times are in ascending order (equal neighbours allowed). */
export const isAscending = (times: BigInt64Array): boolean => {
  const { hi, lo } = wordsOf(times)
  let prevHi = times.length > 0 ? hi[HI]! : 0
  let prevLo = times.length > 0 ? lo[LO]! : 0
  for (let j = 2; j < times.length * 2; j += 2) {
    const h = hi[j + HI]!
    const l = lo[j + LO]!
    if (h < prevHi || (h === prevHi && l < prevLo)) return false
    prevHi = h
    prevLo = l
  }
  return true
}
