/**
 * The error union of every public operation, pinned tag by tag: a tag added or lost by accident fails the
 * type-check (`npm run check`, and `test/types.test.ts` in `npm test`). The unions follow each RPC's error table
 * (`src/errors/internal/rpcErrors.ts`): what PROTOCOL.md says the RPC answers, plus what any call may meet.
 */
import type * as Effect from "effect/Effect"
import type * as EStream from "effect/Stream"
import type * as BTrDB from "../../src/services/BTrDB.js"
import type * as Copy from "../../src/services/Copy.js"
import type * as Distiller from "../../src/services/Distiller.js"
import type * as Stream from "../../src/services/Stream.js"
import type * as StreamSet from "../../src/services/StreamSet.js"

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

/** The tags of the errors an operation (an Effect, a Stream, or a function returning one) fails with. */
type TagsOf<Op> = Op extends (...args: ReadonlyArray<any>) => infer R ? ErrorTags<R> : ErrorTags<Op>
type ErrorTags<R> = R extends Effect.Effect<any, infer E, any> ? Tag<E>
  : R extends EStream.Stream<any, infer E, any> ? Tag<E>
  : never
type Tag<E> = E extends { readonly _tag: infer T } ? T : never

const pin = <Got, Want>(_: Equal<Got, Want>): void => undefined

/** What any call may meet: transport failures and a status code the call does not expect. */
type Unexpected =
  | "ConnectionError"
  | "Unauthenticated"
  | "PermissionDenied"
  | "TransportError"
  | "BTrDBServerError"
  | "BTrDBError"

type Read = Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidTimeRange" | "VersionNotAvailable"
type Windows = Read | "InvalidPointWidth"
type Insert = Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidTimeRange" | "BadValue"
type Metadata = Unexpected | "StreamNotFound"

// the connection
type Db = BTrDB.Service
pin<TagsOf<Db["info"]>, Unexpected>(true)
pin<
  TagsOf<Db["create"]>,
  | Unexpected
  | "InvalidArgument"
  | "InvalidCollection"
  | "InvalidTagKey"
  | "InvalidTagValue"
  | "StreamExists"
  | "AmbiguousStream"
  | "RecycledUUID"
  | "StreamNotFound"
>(true)
pin<TagsOf<Db["listCollections"]>, Unexpected | "InvalidCollection">(true)
pin<TagsOf<Db["collectionMetadata"]>, Unexpected | "InvalidCollection">(true)
pin<TagsOf<Db["listUniqueAnnotations"]>, Unexpected | "BadSQLValue">(true)
pin<TagsOf<Db["listUniqueNames"]>, Unexpected | "BadSQLValue">(true)
pin<TagsOf<Db["listUniqueUnits"]>, Unexpected | "BadSQLValue">(true)
pin<TagsOf<Db["query"]>, Unexpected | "BadSQLValue">(true)
pin<TagsOf<Db["queryStream"]>, Unexpected | "BadSQLValue">(true)
pin<TagsOf<Db["streamFromUuid"]>, "InvalidArgument">(true)
pin<
  TagsOf<Db["streams"]>,
  Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidCollection" | "InvalidTagKey" | "InvalidTagValue"
>(true)
pin<
  TagsOf<Db["stream"]>,
  Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidCollection" | "InvalidTagKey" | "InvalidTagValue"
>(true)
pin<TagsOf<Db["streamsInCollection"]>, Unexpected | "InvalidCollection" | "InvalidTagKey" | "InvalidTagValue">(true)

// a stream
type S = Stream.Stream
pin<TagsOf<S["metadata"]>, Metadata>(true)
pin<TagsOf<S["collection"]>, Metadata>(true)
pin<TagsOf<S["name"]>, Metadata>(true)
pin<TagsOf<S["unit"]>, Metadata>(true)
pin<TagsOf<S["tags"]>, Metadata>(true)
pin<TagsOf<S["annotations"]>, Metadata>(true)
pin<TagsOf<S["propertyVersion"]>, Metadata>(true)
pin<TagsOf<S["refreshMetadata"]>, Metadata>(true)
pin<TagsOf<S["version"]>, Metadata>(true)
pin<TagsOf<S["flush"]>, Metadata>(true)
pin<TagsOf<S["obliterate"]>, Metadata>(true)
pin<TagsOf<S["exists"]>, Unexpected>(true)
pin<TagsOf<S["insert"]>, Insert>(true)
pin<TagsOf<S["arrowInsert"]>, Insert>(true)
pin<TagsOf<S["values"]>, Read>(true)
pin<TagsOf<S["valuesCollected"]>, Read>(true)
pin<TagsOf<S["arrowValues"]>, Read>(true)
pin<TagsOf<S["nearest"]>, Read>(true)
pin<TagsOf<S["earliest"]>, Read>(true)
pin<TagsOf<S["latest"]>, Read>(true)
pin<TagsOf<S["current"]>, Read>(true)
pin<TagsOf<S["windows"]>, Windows>(true)
pin<TagsOf<S["windowsCollected"]>, Windows>(true)
pin<TagsOf<S["alignedWindows"]>, Windows>(true)
pin<TagsOf<S["alignedWindowsCollected"]>, Windows>(true)
pin<TagsOf<S["arrowWindows"]>, Windows>(true)
pin<TagsOf<S["arrowAlignedWindows"]>, Windows>(true)
pin<TagsOf<S["count"]>, Windows>(true)
pin<TagsOf<S["delete"]>, Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidTimeRange">(true)
pin<
  TagsOf<S["changes"]>,
  Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidPointWidth" | "VersionNotAvailable"
>(true)
pin<
  TagsOf<S["changesCollected"]>,
  Unexpected | "InvalidArgument" | "StreamNotFound" | "InvalidPointWidth" | "VersionNotAvailable"
>(true)
pin<
  TagsOf<S["update"]>,
  | Unexpected
  | "InvalidArgument"
  | "StreamNotFound"
  | "InvalidCollection"
  | "InvalidTagKey"
  | "InvalidTagValue"
  | "AmbiguousStream"
>(true)
pin<TagsOf<S["subscribe"]>, Unexpected | "InvalidArgument" | "StreamNotFound">(true)

// a stream set
type Group = StreamSet.StreamSet
pin<TagsOf<Group["filter"]>, Metadata | "InvalidArgument">(true)
pin<TagsOf<Group["pinVersions"]>, Metadata | "InvalidArgument">(true)
pin<TagsOf<Group["versions"]>, Metadata | "InvalidArgument">(true)
pin<TagsOf<Group["count"]>, Windows>(true)
pin<TagsOf<Group["earliest"]>, Read>(true)
pin<TagsOf<Group["latest"]>, Read>(true)
pin<TagsOf<Group["current"]>, Read>(true)
pin<TagsOf<Group["values"]>, Read>(true)
pin<TagsOf<Group["windows"]>, Windows>(true)
pin<TagsOf<Group["alignedWindows"]>, Windows>(true)
pin<TagsOf<Group["rows"]>, Windows>(true)
pin<TagsOf<Group["arrowValues"]>, Windows>(true)
pin<TagsOf<Group["subscribe"]>, Unexpected | "InvalidArgument" | "StreamNotFound">(true)
pin<TagsOf<Group["insert"]>, Insert>(true)
pin<TagsOf<Group["toArrow"]>, Windows>(true)
pin<TagsOf<Group["toArrowBatches"]>, Windows>(true)
pin<TagsOf<Group["toArrowIpc"]>, Windows>(true)
pin<TagsOf<Group["toRecords"]>, Windows>(true)
pin<TagsOf<Group["toColumns"]>, Windows>(true)
pin<TagsOf<Group["toCsvStream"]>, Windows>(true)
pin<TagsOf<Group["toText"]>, Windows>(true)
pin<TagsOf<Group["toCsvFile"]>, Windows | "PlatformError">(true)

// copying: a target whose metadata differs, the lookups of the sources, the target's create, both sides' reads
// and windows, the target's inserts
pin<
  TagsOf<typeof Copy.copyStreams>,
  | Windows
  | "CopyMismatch"
  | "InvalidCollection"
  | "InvalidTagKey"
  | "InvalidTagValue"
  | "StreamExists"
  | "AmbiguousStream"
  | "RecycledUUID"
  | "BadValue"
>(true)

// distillers: reads, changes, deletes, inserts and the record's metadata update (a transform's own errors come on top)
type Distil = Windows | "BadValue" | "InvalidCollection" | "InvalidTagKey" | "InvalidTagValue" | "AmbiguousStream"
pin<TagsOf<typeof Distiller.make<never>>, "InvalidArgument">(true)
pin<TagsOf<typeof Distiller.runOnce<never>>, Distil>(true)
pin<TagsOf<typeof Distiller.follow<never>>, Distil>(true)

// the pins bite: one tag too many, or one too few, does not type-check
// @ts-expect-error listCollections cannot fail with NoSuchPoint
pin<TagsOf<Db["listCollections"]>, Unexpected | "InvalidCollection" | "NoSuchPoint">(true)
// @ts-expect-error create can fail with StreamExists
pin<TagsOf<Db["create"]>, Unexpected | "InvalidArgument" | "InvalidCollection">(true)
