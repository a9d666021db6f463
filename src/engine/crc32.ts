/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), computed slicing-by-8.
 * Reads whole words (little-endian machines only, which the file store requires).
 * Used to checksum the data store's nodes and commit records and the metadata log's records.
 *
 * @internal
 */

const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xFF] ^ (c >>> 8)
      t[s * 256 + n] = c >>> 0
    }
  }
  return t
})()

/**
 * Continues a CRC-32 over `bytes[start, end)`. Pass the previous result as `crc` to checksum
 * data in pieces; start with 0.
 */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number => {
  const t = TABLES
  let c = ~crc >>> 0
  let i = start
  // Bytewise up to a 4-byte boundary of the underlying buffer, then 8 bytes at a time read as two
  // little-endian words through an aligned Uint32Array view.
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    c = t[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8)
    i++
  }
  if (end - i >= 8) {
    const first = (bytes.byteOffset + i) >>> 2
    const words = new Uint32Array(bytes.buffer, first << 2, (end - i) >>> 2)
    const pairs = words.length >>> 1
    for (let k = 0; k < 2 * pairs; k += 2) {
      const a = words[k] ^ c
      const b = words[k + 1]
      c = t[1792 + (a & 0xFF)] ^ t[1536 + ((a >>> 8) & 0xFF)] ^ t[1280 + ((a >>> 16) & 0xFF)] ^
        t[1024 + (a >>> 24)] ^ t[768 + (b & 0xFF)] ^ t[512 + ((b >>> 8) & 0xFF)] ^
        t[256 + ((b >>> 16) & 0xFF)] ^ t[b >>> 24]
    }
    i += 8 * pairs
  }
  while (i < end) {
    c = t[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8)
    i++
  }
  return ~c >>> 0
}
