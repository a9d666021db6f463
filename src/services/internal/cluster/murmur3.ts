/**
 * MurmurHash3, x86 32-bit variant: the hash a BTrDB cluster places streams by (PROTOCOL.md §11, seed 1 over the
 * 16 uuid bytes). Plain TypeScript, written from the algorithm's description.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

const rotl32 = (x: number, r: number): number => (x << r) | (x >>> (32 - r))

/** MurmurHash3 x86_32 of `bytes` with `seed`, as an unsigned 32-bit number. */
export const murmur3 = (bytes: Uint8Array, seed: number): number => {
  const length = bytes.length
  const blocks = length >>> 2
  let h = seed >>> 0
  for (let i = 0; i < blocks; i++) {
    const o = i << 2
    let k = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)
    k = Math.imul(k, C1)
    k = rotl32(k, 15)
    k = Math.imul(k, C2)
    h ^= k
    h = rotl32(h, 13)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  const tail = blocks << 2
  const rest = length & 3
  if (rest > 0) {
    let k = 0
    if (rest === 3) k ^= bytes[tail + 2]! << 16
    if (rest >= 2) k ^= bytes[tail + 1]! << 8
    k ^= bytes[tail]!
    k = Math.imul(k, C1)
    k = rotl32(k, 15)
    k = Math.imul(k, C2)
    h ^= k
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The seed BTrDB clusters hash with. */
export const MASH_SEED = 1

/** Where a stream's 16 uuid bytes fall in a cluster's hash space `[0, 2^32)`. */
export const uuidHash = (uuidBytes: Uint8Array): number => murmur3(uuidBytes, MASH_SEED)
