/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of the data store's nodes and
 * commit records and of the metadata log's records.
 *
 * Inputs of 256 bytes or more go to `zlib.crc32` where the runtime has it (Node ≥ 20.15, native and
 * several times faster); everything else to a portable slicing-by-16 implementation that reads
 * whole words (little-endian machines only, which the file store requires). Both compute the same
 * function.
 */
import * as zlib from "node:zlib"

const TABLES: Int32Array = (() => {
  const t = new Int32Array(16 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]
    for (let s = 1; s < 16; s++) {
      c = t[c & 0xFF] ^ (c >>> 8)
      t[s * 256 + n] = c
    }
  }
  return t
})()

/**
 * The portable implementation of {@link crc32} (slicing-by-16). Exported so tests can check it
 * against the native one.
 */
export const crc32Portable = (bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number => {
  const t = TABLES
  let c = ~crc
  let i = start
  // Bytewise up to a 4-byte boundary of the underlying buffer, then 16 bytes at a time read as four
  // little-endian words through an aligned Int32Array view.
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    c = t[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8)
    i++
  }
  const blocks = (end - i) >>> 4
  if (blocks > 0) {
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, 4 * blocks)
    for (let k = 0; k < 4 * blocks; k += 4) {
      const a = w[k] ^ c
      const b = w[k + 1]
      const d = w[k + 2]
      const e = w[k + 3]
      c = t[3840 + (a & 0xFF)] ^ t[3584 + ((a >>> 8) & 0xFF)] ^ t[3328 + ((a >>> 16) & 0xFF)] ^
        t[3072 + (a >>> 24)] ^ t[2816 + (b & 0xFF)] ^ t[2560 + ((b >>> 8) & 0xFF)] ^
        t[2304 + ((b >>> 16) & 0xFF)] ^ t[2048 + (b >>> 24)] ^ t[1792 + (d & 0xFF)] ^
        t[1536 + ((d >>> 8) & 0xFF)] ^ t[1280 + ((d >>> 16) & 0xFF)] ^ t[1024 + (d >>> 24)] ^
        t[768 + (e & 0xFF)] ^ t[512 + ((e >>> 8) & 0xFF)] ^ t[256 + ((e >>> 16) & 0xFF)] ^ t[e >>> 24]
    }
    i += 16 * blocks
  }
  while (i < end) {
    c = t[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8)
    i++
  }
  return ~c >>> 0
}

type NativeCrc = (data: Uint8Array, value?: number) => number

/** `zlib.crc32` where the runtime has it (it is missing before Node 20.15). */
const native: NativeCrc | undefined = (() => {
  const f = (zlib as { readonly crc32?: NativeCrc }).crc32
  if (typeof f !== "function") return undefined
  try {
    // The check value of CRC-32/ISO-HDLC, and continuation from a previous result.
    const ok = f(new TextEncoder().encode("123456789")) === 0xCBF43926 &&
      f(new TextEncoder().encode("56789"), f(new TextEncoder().encode("1234"))) === 0xCBF43926
    return ok ? f : undefined
  } catch {
    return undefined
  }
})()

/** Below this many bytes the call into native code costs more than it saves. */
const NATIVE_MIN = 256

/**
 * Continues a CRC-32 over `bytes[start, end)`. Pass the previous result as `crc` to checksum
 * data in pieces; start with 0.
 */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number => {
  if (native !== undefined && end - start >= NATIVE_MIN) {
    return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), crc >>> 0)
  }
  return crc32Portable(bytes, start, end, crc)
}
