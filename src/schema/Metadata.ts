/**
 * Stream metadata: collections, tags, annotations, stream descriptors and metadata usage.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Uuid } from "./Uuid.js"

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8")
const hasNul = (s: string): boolean => s.includes("\u0000")

/**
 * A collection path such as `"sunshine/PMU1"`: non-empty, under 256 bytes of UTF-8, no NUL.
 * The "/" separator is a convention only.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Metadata.Collection)("sensors/pmu1")
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const Collection = Schema.String.pipe(
  Schema.check(Schema.makeFilter((s) => s.length > 0 && utf8Length(s) < 256 && !hasNul(s), {
    message: "a collection must be non-empty, shorter than 256 bytes and free of NUL characters"
  })),
  Schema.annotate({ identifier: "Collection" })
)

/**
 * The four tag keys of BTrDB v5.
 *
 * @example
 * ```ts
 * Schema.is(Metadata.TagKey)("unit") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const TagKey = Schema.Literals(["name", "unit", "ingress", "distiller"])

/**
 * @example
 * ```ts
 * const key: Metadata.TagKey = "name"
 * ```
 * @since 0.1.0
 * @category models
 */
export type TagKey = typeof TagKey.Type

/**
 * A tag or annotation value: at most 255 characters, no NUL.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Metadata.MetadataValue)("volts")
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const MetadataValue = Schema.String.pipe(
  Schema.check(Schema.makeFilter((s) => s.length <= 255 && !hasNul(s), {
    message: "a tag or annotation value must be at most 255 characters, without NUL"
  })),
  Schema.annotate({ identifier: "MetadataValue" })
)

/**
 * The tags of a stream (immutable identity metadata).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Metadata.Tags)({ name: "voltage", unit: "volts" })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const Tags = Schema.Record(Schema.String, MetadataValue).pipe(
  Schema.check(Schema.makeFilter((tags) => {
    const unknown = Object.keys(tags).filter((key) => !Schema.is(TagKey)(key))
    return unknown.length === 0 ||
      `unknown tag key ${unknown.map((k) => JSON.stringify(k)).join(", ")}: tags are name, unit, ingress, distiller`
  })),
  Schema.annotate({ identifier: "Tags" })
)

/**
 * @example
 * ```ts
 * const tags: Metadata.Tags = { name: "voltage", unit: "volts" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Tags = Readonly<Partial<Record<TagKey, string>>>

const isAnnotationKey = (key: string): boolean => key.length > 0 && key.length <= 255 && !hasNul(key)

/**
 * The annotations of a stream (mutable metadata, string to string). Keys are non-empty, at most 255 characters,
 * without NUL.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Metadata.Annotations)({ site: "north", phase: "A" })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const Annotations = Schema.Record(Schema.String, MetadataValue).pipe(
  Schema.check(Schema.makeFilter((annotations) => {
    const bad = Object.keys(annotations).filter((key) => !isAnnotationKey(key))
    return bad.length === 0 ||
      `annotation key ${
        bad.map((k) => JSON.stringify(k)).join(", ")
      } must be non-empty, at most 255 characters, without NUL`
  })),
  Schema.annotate({ identifier: "Annotations" })
)

/**
 * @example
 * ```ts
 * const annotations: Metadata.Annotations = { site: "north" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Annotations = typeof Annotations.Type

/**
 * Everything the server knows about a stream's metadata.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const descriptor: Metadata.StreamDescriptor = yield* stream.metadata
 *   console.log(descriptor.collection, descriptor.tags.name, descriptor.propertyVersion)
 * })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export class StreamDescriptor extends Schema.Class<StreamDescriptor>("effect-btrdb/StreamDescriptor")({
  uuid: Uuid,
  collection: Schema.String,
  tags: Schema.Record(Schema.String, Schema.String),
  annotations: Schema.Record(Schema.String, Schema.String),
  propertyVersion: Schema.BigInt
}) {
  /** The `name` tag, or "" when unset. */
  get name(): string {
    return this.tags.name ?? ""
  }
  /** The `unit` tag, or "" when unset. */
  get unit(): string {
    return this.tags.unit ?? ""
  }
}

/**
 * Per-key counts of the tags and annotations used by the streams of a collection prefix,
 * as `collectionMetadata` returns them.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const usage: Metadata.MetadataUsage = yield* db.collectionMetadata("sensors")
 *   console.log(usage.tags, usage.annotations)
 * })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export class MetadataUsage extends Schema.Class<MetadataUsage>("effect-btrdb/MetadataUsage")({
  tags: Schema.Record(Schema.String, Schema.Number),
  annotations: Schema.Record(Schema.String, Schema.Number)
}) {}
