/**
 * The validation rules of stream metadata (PROTOCOL.md §8.1) and small string helpers.
 */
import { StatusCode } from "../../internal/protocol.js"
import { StatusError } from "../StatusError.js"

/** The only tag keys BTrDB v5 accepts. */
export const TAG_KEYS = ["name", "unit", "ingress", "distiller"] as const

/** One of the four tag keys. */
export type TagKey = typeof TAG_KEYS[number]

/** The longest tag or annotation value, and the longest annotation key, in characters (code points). */
export const MAX_VALUE_CHARS = 255

/** A collection must be shorter than this many UTF-8 bytes. */
export const MAX_COLLECTION_BYTES = 256

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** True when `s` is a lowercase, hyphenated uuid string. */
export const isUuid = (s: string): boolean => UUID.test(s)

/** True when `s` encodes to valid UTF-8 (no unpaired surrogate). */
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s)

/** True when `key` is one of the four tag keys. */
export const isTagKey = (key: string): key is TagKey => (TAG_KEYS as ReadonlyArray<string>).includes(key)

/** The number of code points in `s`, counting no further than `limit + 1`. */
const codePointsUpTo = (s: string, limit: number): number => {
  if (s.length <= limit) return s.length
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xDC00 && d <= 0xDFFF) i++
    }
    if (++n > limit) break
  }
  return n
}

/** A short, quoted form of a user string for error messages. */
export const quote = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s)

/** Why `s` is not an acceptable short metadata string (value or annotation key), or undefined when it is. */
const badShortString = (s: string): string | undefined => {
  if (s.includes("\0")) return "it must not contain NUL"
  if (!isWellFormed(s)) return "it must be valid UTF-8"
  if (codePointsUpTo(s, MAX_VALUE_CHARS) > MAX_VALUE_CHARS) return `it must be at most ${MAX_VALUE_CHARS} characters`
  return undefined
}

/** Why `collection` is not a valid collection, or undefined when it is. */
const badCollection = (collection: string): string | undefined => {
  if (collection.length === 0) return "it must not be empty"
  if (collection.includes("\0")) return "it must not contain NUL"
  if (!isWellFormed(collection)) return "it must be valid UTF-8"
  if (Buffer.byteLength(collection, "utf8") >= MAX_COLLECTION_BYTES) {
    return `it must be shorter than ${MAX_COLLECTION_BYTES} bytes`
  }
  return undefined
}

/** Checks a collection name: non-empty, valid UTF-8, no NUL, under 256 bytes; else 407. */
export const checkCollection = (collection: string): void => {
  const why = badCollection(collection)
  if (why !== undefined) throw new StatusError(StatusCode.InvalidCollection, `invalid collection: ${why}`)
}

/** Checks a collection prefix: empty is fine, otherwise the collection rules apply; else 407. */
export const checkCollectionPrefix = (prefix: string): void => {
  if (prefix.length === 0) return
  const why = badCollection(prefix)
  if (why !== undefined) throw new StatusError(StatusCode.InvalidCollection, `invalid collection prefix: ${why}`)
}

/** Checks a tag key (408). */
export const checkTagKey = (key: string): TagKey => {
  if (!isTagKey(key)) {
    throw new StatusError(
      StatusCode.InvalidTagKey,
      `invalid tag key ${quote(key)}: tag keys are name, unit, ingress and distiller`
    )
  }
  return key
}

/** Checks a tag value (409). Empty values are allowed. */
export const checkTagValue = (key: string, value: string): void => {
  const why = badShortString(value)
  if (why !== undefined) {
    throw new StatusError(StatusCode.InvalidTagValue, `invalid value for tag ${quote(key)}: ${why}`)
  }
}

/** Checks an annotation key: non-empty, at most 255 characters, no NUL, valid UTF-8; else 408. */
export const checkAnnotationKey = (key: string): void => {
  const why = key.length === 0 ? "it must not be empty" : badShortString(key)
  if (why !== undefined) throw new StatusError(StatusCode.InvalidTagKey, `invalid annotation key ${quote(key)}: ${why}`)
}

/** Checks an annotation value: at most 255 characters, no NUL, valid UTF-8; else 409. */
export const checkAnnotationValue = (key: string, value: string): void => {
  const why = badShortString(value)
  if (why !== undefined) {
    throw new StatusError(StatusCode.InvalidTagValue, `invalid value for annotation ${quote(key)}: ${why}`)
  }
}

/**
 * Compares two strings in Unicode code point order, which is the byte order of their UTF-8 encodings.
 * (Plain `<` compares UTF-16 code units, which puts U+E000–U+FFFF after the astral planes.)
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xD800 && y >= 0xD800) {
      // Move surrogates (astral code points) above U+E000–U+FFFF.
      x = x >= 0xE000 ? x - 0x800 : x + 0x2000
      y = y >= 0xE000 ? y - 0x800 : y + 0x2000
    }
    return x - y
  }
  return a.length - b.length
}
