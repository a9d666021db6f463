/**
 * This host's byte order, for code that reads 64-bit typed-array elements as pairs of 32-bit words (the hand codecs,
 * the checks of time columns) instead of as bigints.
 */

/**
 * Whether this host stores typed-array elements little-endian (as every platform Node runs on in practice). The
 * fast paths index word views with literal 0/1 under this flag; on a big-endian host they are skipped and the
 * general paths, which use {@link LO}/{@link HI}, do all the work.
 */
export const LITTLE_ENDIAN_HOST: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Index, within a pair of `Uint32Array` words, of the low half of a 64-bit element on this host. */
export const LO: 0 | 1 = LITTLE_ENDIAN_HOST ? 0 : 1
/** Index, within a pair of `Uint32Array` words, of the high half of a 64-bit element on this host. */
export const HI: 0 | 1 = LITTLE_ENDIAN_HOST ? 1 : 0
