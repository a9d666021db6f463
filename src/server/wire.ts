/**
 * Conversions between the proto-loader form of v5api messages (keepCase, 64-bit integers as decimal strings,
 * bytes as `Buffer`) and the engine's values.
 */
import type { Version } from "../engine/data/DataStore.js"
import type { KeyOptValue, StreamDescriptor } from "../engine/metadata/MetadataStore.js"
import { StatusError } from "../engine/StatusError.js"
import type { WireKeyOptValue, WireKeyOptValueOut } from "../internal/grpc/wireTypes.js"
import { StatusCode } from "../internal/protocol.js"
import { uuidFromBytes, uuidToBytes } from "../internal/uuidBytes.js"

/** The text form of a 16-byte uuid field; 421 when it is not 16 bytes. */
export const uuidFromWire = (bytes: Buffer): string => {
  if (bytes.length !== 16) throw new StatusError(StatusCode.WrongArgs, "uuid must be 16 bytes")
  return uuidFromBytes(bytes)
}

/** The 16 bytes of a uuid text. */
export const uuidToWire = (uuid: string): Buffer => Buffer.from(uuidToBytes(uuid).buffer)

/** Key/optional-value pairs from the wire. */
export const pairsFromWire = (pairs: ReadonlyArray<WireKeyOptValueOut>): Array<KeyOptValue> =>
  pairs.map((p) => ({ key: p.key, value: p.val === null ? undefined : p.val.value }))

const pairsToWire = (record: Readonly<Record<string, string>>): Array<WireKeyOptValue> =>
  Object.entries(record).map(([key, value]) => ({ key, val: { value } }))

/** A stream descriptor for the wire; every value is set. */
export const descriptorToWire = (d: StreamDescriptor) => ({
  uuid: uuidToWire(d.uuid),
  collection: d.collection,
  tags: pairsToWire(d.tags),
  annotations: pairsToWire(d.annotations),
  propertyVersion: d.propertyVersion.toString()
})

/** The version fields of a data-plane answer. */
export const versionFields = (v: Version) => ({
  versionMajor: v.major.toString(),
  versionMinor: v.minor.toString()
})

/** A uint64 or int64 field (a decimal string from proto-loader) as a bigint. */
export const bigintFromWire = (value: string | number | undefined): bigint => BigInt(value ?? 0)
