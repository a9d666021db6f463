/**
 * A UUID's text (canonical: lowercase, hyphenated) and its 16 bytes as the wire and the commit log hold them: the
 * one conversion the SDK, the server and the storage engine share.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Writes the 16 bytes of `uuid` (hex digits, hyphens anywhere) into `out` at `at`, and returns `out`. */
export const uuidToBytes = (uuid: string, out: Uint8Array = new Uint8Array(16), at = 0): Uint8Array => {
  const hex = uuid.replaceAll("-", "")
  for (let i = 0; i < 16; i++) out[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The canonical text of the 16 bytes of `bytes` from `at`, which must hold them. */
export const uuidFromBytes = (bytes: Uint8Array, at = 0): string => {
  let h = ""
  for (let i = 0; i < 16; i++) h += HEX[bytes[at + i]!]
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
