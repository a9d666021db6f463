/**
 * Stream identifiers. A stream UUID crosses the API as its lowercase hyphenated text and the wire as its
 * 16 raw RFC-4122 bytes in network order.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { uuidFromBytes, uuidToBytes } from "../internal/uuidBytes.js"

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const canonical = (s: string): string => {
  const hex = s.trim().toLowerCase().replace(/^urn:uuid:/, "").replace(/[{}]/g, "").replaceAll("-", "")
  if (!/^[0-9a-f]{32}$/.test(hex)) return s
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * A stream UUID in its canonical lowercase hyphenated form.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Uuid } from "effect-btrdb"
 * Schema.decodeUnknownSync(Uuid.Uuid)("f98f4b4e-9fab-46b5-8a80-f282059d69b1")
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const Uuid = Schema.String.pipe(
  Schema.check(Schema.isPattern(UUID_PATTERN, {
    message: "expected a UUID such as f98f4b4e-9fab-46b5-8a80-f282059d69b1"
  })),
  Schema.brand("effect-btrdb/Uuid"),
  Schema.annotate({ identifier: "Uuid" })
)

/**
 * @example
 * ```ts
 * const uuid: Uuid.Uuid = Uuid.random()
 * ```
 * @since 0.1.0
 * @category models
 */
export type Uuid = typeof Uuid.Type

/**
 * Accepts a UUID in any letter case, with or without hyphens, and yields the canonical form.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Uuid.UuidFromString)("F98F4B4E9FAB46B58A80F282059D69B1")
 * // "f98f4b4e-9fab-46b5-8a80-f282059d69b1"
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const UuidFromString = Schema.String.pipe(
  Schema.decodeTo(Uuid, SchemaTransformation.transform({ decode: canonical, encode: (u) => u })),
  Schema.annotate({ identifier: "UuidFromString" })
)

/**
 * The 16 bytes of a UUID, as sent on the wire.
 *
 * @example
 * ```ts
 * Uuid.toBytes(Uuid.random()).length // 16
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const toBytes = (uuid: Uuid): Uint8Array => uuidToBytes(uuid)

/**
 * The canonical text of 16 UUID bytes, or `undefined` when there are not exactly 16.
 *
 * @example
 * ```ts
 * Uuid.fromBytes(new Uint8Array(16)) // "00000000-0000-0000-0000-000000000000"
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const fromBytes = (bytes: Uint8Array): Uuid | undefined =>
  bytes.length === 16 ? uuidFromBytes(bytes) as Uuid : undefined

/**
 * A fresh random (version 4) UUID.
 *
 * @example
 * ```ts
 * const uuid = Uuid.random() // e.g. "f98f4b4e-9fab-46b5-8a80-f282059d69b1"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const random = (): Uuid => crypto.randomUUID() as Uuid
