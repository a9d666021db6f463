/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by zlib and PNG.
 *
 * @internal
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
    }
    table[n] = c >>> 0
  }
  return table
})()

/**
 * Continues a CRC-32 over `bytes`. Start with `crc = 0`; feed the result back in to checksum data in pieces.
 * Returns an unsigned 32-bit integer.
 */
export const crc32 = (bytes: Uint8Array, crc = 0): number => {
  let c = (crc ^ 0xFFFFFFFF) >>> 0
  for (let i = 0; i < bytes.length; i++) {
    c = TABLE[(c ^ bytes[i]!) & 0xFF]! ^ (c >>> 8)
  }
  return (c ^ 0xFFFFFFFF) >>> 0
}
