/**
 * A UUID's text (canonical: lowercase, hyphenated) and its 16 bytes as the wire and the commit log hold them: the
 * one conversion the SDK, the server and the storage engine share.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** The value of the hex digit of character code `c` (either case); 0 for any other character. */
const nibble = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 0

/**
 * Writes the 16 bytes of `uuid` (hex digits, hyphens anywhere) into `out` at `at`, and returns `out`. Called for
 * every request the SDK sends, so it reads character codes rather than slicing and parsing the text.
 */
export const uuidToBytes = (uuid: string, out: Uint8Array = new Uint8Array(16), at = 0): Uint8Array => {
  let byte = 0
  let high = -1
  for (let i = 0; i < uuid.length && byte < 16; i++) {
    const c = uuid.charCodeAt(i)
    if (c === 45) continue // "-"
    if (high < 0) high = nibble(c)
    else {
      out[at + byte++] = (high << 4) | nibble(c)
      high = -1
    }
  }
  return out
}

/** The canonical text of the 16 bytes of `bytes` from `at`, which must hold them. */
export const uuidFromBytes = (bytes: Uint8Array, at = 0): string => {
  let h = ""
  for (let i = 0; i < 16; i++) h += HEX[bytes[at + i]!]
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
