/**
 * The implementation of stream handles (`Stream.Stream`): metadata, reads, inserts, deletes, Arrow and Subscribe,
 * over the connection's `Client`.
 */
import type * as arrow from "apache-arrow"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as EStream from "effect/Stream"
import * as E from "../../../errors/BTrDBError.js"
import {
  ArrowDataError,
  decodeTable,
  encodePoints,
  isTable,
  multiValuesSchema,
  POINTS_SCHEMA,
  pointsFromTable,
  WINDOWS_SCHEMA
} from "../../../internal/arrow.js"
import { MAX_TIME, MIN_TIME } from "../../../internal/protocol.js"
import { Annotations, Collection, type StreamDescriptor, Tags } from "../../../schema/Metadata.js"
import {
  type ChangedRanges,
  concatPoints,
  concatRanges,
  concatWindows,
  type EmptyWindows,
  type InsertData,
  type InsertedPoints,
  MergePolicy,
  type Points,
  type VersionedPoint,
  type Windows
} from "../../../schema/Points.js"
import { NanosFromDuration, now, pointwidthFromNanos, TimeFromInput, type TimeInput } from "../../../schema/Time.js"
import type { Uuid } from "../../../schema/Uuid.js"
import * as Retry from "../../Retry.js"
import type {
  AlignedWindowsOptions,
  ArrowValuesOptions,
  ChangesErrors,
  ChangesOptions,
  CountOptions,
  DeleteErrors,
  InsertErrors,
  InsertOptions,
  InsertResult,
  MetadataErrors,
  NearestOptions,
  RangeOptions,
  ReadErrors,
  Stream,
  SubscribeErrors,
  TypeId,
  UpdateErrors,
  UpdateOptions,
  ValuesOptions,
  VersionInput,
  WindowsErrors,
  WindowsOptions
} from "../../Stream.js"
import {
  attempt,
  callOperation,
  type Client,
  currentPolicy,
  operation,
  run,
  streamOperation,
  streamOperationOf
} from "../Client.js"
import { treatEmptyWindows } from "../emptyWindows.js"
import { validate } from "../validate.js"
import {
  alignedWindowEnd,
  checkAlignedWindows,
  checkWindows,
  columns,
  EmptyWindowsSchema,
  INSERT_CHUNK_POINTS,
  invalid,
  plainAlignedWindows,
  plainRange,
  plainWindows,
  PointWidthSchema,
  range,
  SmallInt,
  toPairs,
  version,
  windowEnd
} from "./arguments.js"
import { arrowTable, badAnswer, FULL_RANGE, templateOf, treatEmptyWindowsInTable } from "./arrow.js"
import { chunksOf, sendChunks } from "./insertChunks.js"
import { dropPoints, dropWindows, resumable, retryStream } from "./resumable.js"

/** How many calls one operation may have in flight at once: a parallel read's, an insert's chunks. */
const CallsAtOnce = SmallInt(64).check(Schema.isGreaterThanOrEqualTo(1))

/** How many Insert calls of one insert may be in flight at once: as asked, else 4 (see `InsertOptions`). */
const maxInFlightOf = (method: string, options: InsertOptions) =>
  validate(method, "maxInFlight", CallsAtOnce, options.maxInFlight ?? 4)

/** An insert's answer from its chunks' versions, in chunk order: `version` is the largest of them. */
const inserted = (versions: Array<bigint>): InsertResult => ({
  version: versions.reduce((a, b) => (b > a ? b : a)),
  versions
})

/** The pages each part of a parallel read may run ahead of the one being given. */
const PAGES_AHEAD = 4

/** `[lo, hi)` in `n` parts of (nearly) equal width, none empty. */
const splitRange = (lo: bigint, hi: bigint, n: number): Array<readonly [bigint, bigint]> => {
  const count = BigInt(n)
  const width = (hi - lo + count - 1n) / count
  const parts: Array<readonly [bigint, bigint]> = []
  for (let start = lo; start < hi; start += width) parts.push([start, start + width < hi ? start + width : hi])
  return parts
}

class StreamImpl implements Stream {
  declare readonly [TypeId]: TypeId
  constructor(
    readonly client: Client,
    readonly uuid: Uuid,
    readonly descriptor: Option.Option<StreamDescriptor>
  ) {}

  /** Runs `effect` as the public operation `Stream.<name>` (its span, see `Client.operation`). */
  private operation<A, Err>(name: string, effect: Effect.Effect<A, Err>) {
    return operation(this.client, `Stream.${name}`, effect, this.uuid)
  }

  /** A streamed read: the stream `make` makes, `make` included, in the read's span. */
  private traced<A, Err, Err2>(name: string, make: Effect.Effect<EStream.Stream<A, Err>, Err2, Scope.Scope>) {
    return streamOperationOf(this.client, `Stream.${name}`, make, this.uuid)
  }

  private fetch(operation: string): Effect.Effect<StreamDescriptor, MetadataErrors> {
    return run(
      this.client,
      operation,
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: false, omitVersion: true }),
        (info) => info.descriptor!
      ),
      this.uuid
    )
  }

  get metadata() {
    return Option.match(this.descriptor, {
      onNone: () => this.fetch("Stream.metadata"),
      onSome: Effect.succeed
    })
  }
  get collection() {
    return Effect.map(this.metadata, (d) => d.collection)
  }
  get name() {
    return Effect.map(this.metadata, (d) => d.name)
  }
  get unit() {
    return Effect.map(this.metadata, (d) => d.unit)
  }
  get tags() {
    return Effect.map(this.metadata, (d) => d.tags)
  }
  get annotations() {
    return Effect.map(this.metadata, (d) => d.annotations)
  }
  get propertyVersion() {
    return Effect.map(this.metadata, (d) => d.propertyVersion)
  }
  get refreshMetadata() {
    return Effect.map(
      this.fetch("Stream.refreshMetadata"),
      (d): Stream => new StreamImpl(this.client, this.uuid, Option.some(d))
    )
  }
  get exists() {
    return run(
      this.client,
      "Stream.exists",
      this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }).pipe(
        Effect.as(true),
        Effect.catchTag("StreamNotFound", () => Effect.succeed(false))
      ),
      this.uuid
    )
  }
  get version() {
    return run(
      this.client,
      "Stream.version",
      Effect.map(
        this.client.backend.streamInfo(this.uuid, { omitDescriptor: true, omitVersion: false }),
        (info) => info.versionMajor
      ),
      this.uuid
    )
  }

  // -- writes

  insert(data: InsertData, options: InsertOptions = {}): Effect.Effect<InsertResult, InsertErrors> {
    const { backend } = this.client
    const uuid = this.uuid
    const client = this.client
    return this.operation(
      "insert",
      Effect.gen(function*() {
        const merge = yield* validate("Stream.insert", "merge", MergePolicy, options.merge ?? "never")
        const maxInFlight = yield* maxInFlightOf("Stream.insert", options)
        const { times, values } = yield* columns("Stream.insert", data)
        const versions = yield* sendChunks(
          chunksOf(times, INSERT_CHUNK_POINTS),
          maxInFlight,
          ({ end, offset }) =>
            // a retry of a "never" insert whose first attempt was stored would store the points twice
            attempt(
              client,
              "Stream.insert",
              backend.insert(uuid, times.subarray(offset, end), values.subarray(offset, end), merge),
              merge !== "never"
            )
        )
        return inserted(versions)
      })
    )
  }

  delete(options: { readonly start: TimeInput; readonly end: TimeInput }): Effect.Effect<bigint, DeleteErrors> {
    return Effect.flatMap(
      range("Stream.delete", { start: options?.start, end: options?.end }),
      ({ end, start }) =>
        run(this.client, "Stream.delete", this.client.backend.delete(this.uuid, start, end), this.uuid)
    )
  }

  get flush() {
    return run(this.client, "Stream.flush", this.client.backend.flush(this.uuid), this.uuid)
  }

  get obliterate() {
    return run(this.client, "Stream.obliterate", this.client.backend.obliterate(this.uuid), this.uuid)
  }

  update(options: UpdateOptions): Effect.Effect<Stream, UpdateErrors> {
    const method = "Stream.update"
    return this.operation(
      "update",
      Effect.gen({ self: this }, function*() {
        if (options.tags === undefined && options.annotations === undefined && options.collection === undefined) {
          return yield* invalid(method, "options", "give tags, annotations or a collection")
        }
        const tags = options.tags === undefined ? undefined : yield* validate(method, "tags", Tags, options.tags)
        const annotations = options.annotations === undefined
          ? undefined
          : yield* validate(method, "annotations", Annotations, options.annotations)
        const collection = options.collection === undefined
          ? undefined
          : yield* validate(method, "collection", Collection, options.collection)
        let current = Option.isSome(this.descriptor) ? this.descriptor.value : yield* this.fetch(method)
        if (tags !== undefined || collection !== undefined) {
          yield* attempt(
            this.client,
            method,
            this.client.backend.setStreamTags(
              this.uuid,
              current.propertyVersion,
              toPairs((tags ?? current.tags) as Record<string, string>),
              collection ?? current.collection,
              []
            )
          )
          current = yield* this.fetch(method)
        }
        if (annotations !== undefined) {
          const removals = options.replace === true
            ? Object.keys(current.annotations).filter((key) => !Object.hasOwn(annotations, key))
            : []
          yield* attempt(
            this.client,
            method,
            this.client.backend.setStreamAnnotations(this.uuid, current.propertyVersion, toPairs(annotations), removals)
          )
          current = yield* this.fetch(method)
        }
        return new StreamImpl(this.client, this.uuid, Option.some(current)) as Stream
      })
    )
  }

  // -- reads

  values(options: ValuesOptions = {}): EStream.Stream<Points, ReadErrors> {
    const method = "Stream.values"
    const plain = options.parallel === undefined || options.parallel === 1 ? plainRange(options) : undefined
    if (plain !== undefined) {
      return callOperation(
        this.client,
        method,
        (policy) => this.rawValues(policy, plain.start, plain.end, 0n),
        this.uuid
      )
    }
    return this.traced(
      "values",
      Effect.gen({ self: this }, function*() {
        const r = yield* range(method, options)
        const parallel = options.parallel === undefined
          ? 1
          : yield* validate(method, "parallel", CallsAtOnce, options.parallel)
        const policy = yield* currentPolicy(this.client)
        if (parallel === 1) return this.rawValues(policy, r.start, r.end, r.version)
        // one version for every part: the one asked for, else the latest now
        const version = r.version !== 0n ? r.version : yield* this.version
        const first = yield* this.nearestAt(r.start, version, false, method)
        const last = yield* this.nearestAt(r.end, version, true, method)
        if (Option.isNone(first) || Option.isNone(last) || first.value.time >= r.end) return EStream.empty
        const parts = splitRange(first.value.time, last.value.time + 1n, parallel)
        // every part's call starts now and runs ahead by at most a few pages; the pages come out in time order
        const queues = yield* Effect.forEach(
          parts,
          ([start, end]) => EStream.toQueue(this.rawValues(policy, start, end, version), { capacity: PAGES_AHEAD })
        )
        return EStream.flatMap(EStream.fromIterable(queues), EStream.fromQueue)
      })
    )
  }

  /** The points of `[start, end)` at `version` as pages resumable by `policy`. */
  private rawValues(
    policy: Retry.Policy,
    start: bigint,
    end: bigint,
    version: bigint
  ): EStream.Stream<Points, ReadErrors> {
    const { backend } = this.client
    return resumable(
      policy,
      (from, served) => backend.rawValues(this.uuid, from, end, served),
      { start, version },
      (last) => last,
      dropPoints,
      true
    )
  }

  valuesCollected(options: ValuesOptions = {}) {
    return Effect.map(EStream.runCollect(this.values(options)), concatPoints)
  }

  /**
   * The range of a window read: as given; a missing start is the stream's first point at the read's version, a
   * missing end the end of the window holding its last point (`endOf`), so that a read without a range covers the
   * data, not all of time. None when the stream has no points in the half-open range.
   */
  private windowRange(method: string, options: RangeOptions, endOf: (start: bigint, last: bigint) => bigint) {
    return Effect.gen({ self: this }, function*() {
      const given = yield* range(method, options)
      if (options.start !== undefined && options.end !== undefined) return Option.some(given)
      let start = given.start
      if (options.start === undefined) {
        const first = yield* this.nearestAt(MIN_TIME, given.version, false, method)
        if (Option.isNone(first) || first.value.time >= given.end) return Option.none()
        start = first.value.time
      }
      let end = given.end
      if (options.end === undefined) {
        const last = yield* this.nearestAt(MAX_TIME - 1n, given.version, true, method)
        if (Option.isNone(last) || last.value.time < start) return Option.none()
        end = endOf(start, last.value.time)
      }
      return Option.some({ start, end, version: given.version })
    })
  }

  alignedWindows(options: AlignedWindowsOptions): EStream.Stream<Windows, WindowsErrors> {
    const method = "Stream.alignedWindows"
    const plain = plainAlignedWindows(options)
    if (plain !== undefined) {
      const r = { start: plain.start, end: plain.end, version: 0n }
      return callOperation(
        this.client,
        method,
        (policy) => this.alignedWindowsOf(policy, r, plain.pointwidth),
        this.uuid
      )
    }
    return this.traced(
      "alignedWindows",
      Effect.gen({ self: this }, function*() {
        const pw = yield* validate(method, "pointwidth", PointWidthSchema, options?.pointwidth)
        const found = yield* this.windowRange(method, options ?? {}, alignedWindowEnd(pw))
        if (Option.isNone(found)) return EStream.empty
        const r = found.value
        yield* checkAlignedWindows("AlignedWindows", this.uuid, r, pw)
        return this.alignedWindowsOf(yield* currentPolicy(this.client), r, pw)
      })
    )
  }

  /** The aligned windows of 2^`pw` ns in `r` (checked to hold one) as pages resumable by `policy`. */
  private alignedWindowsOf(
    policy: Retry.Policy,
    r: { readonly start: bigint; readonly end: bigint; readonly version: bigint },
    pw: number
  ): EStream.Stream<Windows, WindowsErrors> {
    const width = 1n << BigInt(pw)
    const alignedEnd = r.end & ~(width - 1n)
    return resumable(
      policy,
      (start, version) => this.client.backend.alignedWindows(this.uuid, start, r.end, pw, version),
      r,
      (last) => last + width < alignedEnd ? last + width : undefined,
      dropWindows,
      false
    )
  }

  alignedWindowsCollected(options: AlignedWindowsOptions) {
    return Effect.map(EStream.runCollect(this.alignedWindows(options)), concatWindows)
  }

  windows(options: WindowsOptions): EStream.Stream<Windows, WindowsErrors> {
    const method = "Stream.windows"
    const plain = plainWindows(options)
    if (plain !== undefined) {
      const r = { start: plain.start, end: plain.end, version: 0n }
      return callOperation(
        this.client,
        method,
        (policy) => this.windowsOf(policy, r, plain.width, plain.depth, plain.empty),
        this.uuid
      )
    }
    return this.traced(
      "windows",
      Effect.gen({ self: this }, function*() {
        const width = yield* validate(method, "width", NanosFromDuration, options?.width)
        const depth = yield* validate(method, "depth", SmallInt(63), options?.depth ?? 0)
        const empty = yield* validate(method, "empty", EmptyWindowsSchema, options?.empty ?? "zeros")
        const found = yield* this.windowRange(method, options ?? {}, windowEnd(width))
        if (Option.isNone(found)) return EStream.empty
        const r = found.value
        yield* checkWindows("Windows", this.uuid, r, width)
        return this.windowsOf(yield* currentPolicy(this.client), r, width, depth, empty)
      })
    )
  }

  /**
   * The windows of `width` ns in `r` (checked to hold one), statistics to `depth`, as pages resumable by `policy`,
   * their empty windows treated as `empty` says.
   */
  private windowsOf(
    policy: Retry.Policy,
    r: { readonly start: bigint; readonly end: bigint; readonly version: bigint },
    width: bigint,
    depth: number,
    empty: EmptyWindows
  ): EStream.Stream<Windows, WindowsErrors> {
    const lastEnd = r.end - ((r.end - r.start) % width)
    const pages = resumable(
      policy,
      (start, version) => this.client.backend.windows(this.uuid, start, r.end, width, depth, version),
      r,
      (last) => last + width < lastEnd ? last + width : undefined,
      dropWindows,
      false
    )
    return empty === "zeros" ? pages : EStream.map(pages, (page) => treatEmptyWindows(page, empty))
  }

  windowsCollected(options: WindowsOptions) {
    return Effect.map(EStream.runCollect(this.windows(options)), concatWindows)
  }

  nearest(at: TimeInput, options: NearestOptions = {}): Effect.Effect<Option.Option<VersionedPoint>, ReadErrors> {
    const method = "Stream.nearest"
    return Effect.gen({ self: this }, function*() {
      const t = yield* validate(method, "time", TimeFromInput, at)
      const v = yield* version(method, options.version)
      return yield* this.nearestAt(t, v, options.backward ?? false, method)
    })
  }

  private nearestAt(t: bigint, v: bigint, backward: boolean, method: string) {
    return run(
      this.client,
      method,
      this.client.backend.nearest(this.uuid, t, v, backward).pipe(
        Effect.map(Option.some),
        Effect.catchTag("NoSuchPoint", () => Effect.succeed(Option.none()))
      ),
      this.uuid
    )
  }

  earliest(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.earliest", options.version),
      (v) => this.nearestAt(MIN_TIME, v, false, "Stream.earliest")
    )
  }

  latest(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.latest", options.version),
      (v) => this.nearestAt(MAX_TIME - 1n, v, true, "Stream.latest")
    )
  }

  current(options: { readonly version?: VersionInput | undefined } = {}) {
    return Effect.flatMap(
      version("Stream.current", options.version),
      (v) => this.nearestAt(now(), v, true, "Stream.current")
    )
  }

  count(options: CountOptions = {}): Effect.Effect<bigint, WindowsErrors> {
    const method = "Stream.count"
    return this.operation(
      "count",
      Effect.gen({ self: this }, function*() {
        const r = yield* range(method, options)
        const pointwidth = yield* validate(method, "pointwidth", PointWidthSchema, options.pointwidth ?? 62)
        const windows = options.precise === true
          ? this.windows({ start: r.start, end: r.end, width: r.end - r.start, version: r.version })
          : this.alignedWindows({
            start: r.start,
            end: r.end,
            version: r.version,
            pointwidth: Math.max(0, Math.min(pointwidth, pointwidthFromNanos(r.end - r.start) - 1))
          })
        return yield* EStream.runFold(windows, () => 0n, (sum, page) => {
          let total = sum
          for (const c of page.count) total += c
          return total
        })
      })
    )
  }

  changes(options: ChangesOptions = {}): EStream.Stream<ChangedRanges, ChangesErrors> {
    const method = "Stream.changes"
    return this.traced(
      "changes",
      Effect.gen({ self: this }, function*() {
        const from = yield* version(method, options.from, "from")
        const to = yield* version(method, options.to, "to")
        const resolution = yield* validate(method, "resolution", SmallInt(63), options.resolution ?? 0)
        if (to !== 0n && from > to) return yield* invalid(method, "from", `version ${from} is after version ${to}`)
        const policy = yield* currentPolicy(this.client)
        const read = this.client.backend.changes(this.uuid, from, to, resolution)
        if (policy === Retry.never) return read
        // ranges have no resumable order key: retry only before the first page
        let started = false
        return retryStream(
          EStream.tap(read, () => Effect.sync(() => (started = true))),
          policy,
          (e) => !started && policy.while(e)
        )
      })
    )
  }

  changesCollected(options: ChangesOptions = {}) {
    return Effect.map(EStream.runCollect(this.changes(options)), concatRanges)
  }

  // -- Arrow

  arrowValues(options: ArrowValuesOptions = {}): Effect.Effect<arrow.Table, ReadErrors> {
    const method = "Stream.arrowValues"
    const { backend } = this.client
    return Effect.gen({ self: this }, function*() {
      const r = yield* range(method, options)
      const template = yield* templateOf(method, options.schema, 2)
      const messages = yield* run(
        this.client,
        method,
        EStream.runCollect(backend.arrowValues(this.uuid, r.start, r.end, r.version, template)),
        this.uuid
      )
      return yield* arrowTable(method, this.uuid, messages, options.schema ?? POINTS_SCHEMA, false)
    })
  }

  arrowWindows(options: WindowsOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    const method = "Stream.arrowWindows"
    const { backend } = this.client
    return this.operation(
      "arrowWindows",
      Effect.gen({ self: this }, function*() {
        const width = yield* validate(method, "width", NanosFromDuration, options?.width)
        const depth = yield* validate(method, "depth", SmallInt(63), options?.depth ?? 0)
        const empty = yield* validate(method, "empty", EmptyWindowsSchema, options?.empty ?? "zeros")
        const found = yield* this.windowRange(method, options ?? {}, windowEnd(width))
        if (Option.isNone(found)) return yield* arrowTable(method, this.uuid, [], WINDOWS_SCHEMA, false)
        const r = found.value
        yield* checkWindows("ArrowWindows", this.uuid, r, width)
        const messages = yield* attempt(
          this.client,
          method,
          EStream.runCollect(backend.arrowWindows(this.uuid, r.start, r.end, width, depth, r.version))
        )
        const table = yield* arrowTable(method, this.uuid, messages, WINDOWS_SCHEMA, true)
        return empty === "zeros" ? table : treatEmptyWindowsInTable(table, empty)
      })
    )
  }

  arrowAlignedWindows(options: AlignedWindowsOptions): Effect.Effect<arrow.Table, WindowsErrors> {
    const method = "Stream.arrowAlignedWindows"
    const { backend } = this.client
    return this.operation(
      "arrowAlignedWindows",
      Effect.gen({ self: this }, function*() {
        const pw = yield* validate(method, "pointwidth", PointWidthSchema, options?.pointwidth)
        const found = yield* this.windowRange(method, options ?? {}, alignedWindowEnd(pw))
        if (Option.isNone(found)) return yield* arrowTable(method, this.uuid, [], WINDOWS_SCHEMA, false)
        const r = found.value
        yield* checkAlignedWindows("ArrowAlignedWindows", this.uuid, r, pw)
        const messages = yield* attempt(
          this.client,
          method,
          EStream.runCollect(backend.arrowAlignedWindows(this.uuid, r.start, r.end, pw, r.version))
        )
        return yield* arrowTable(method, this.uuid, messages, WINDOWS_SCHEMA, true)
      })
    )
  }

  arrowInsert(table: arrow.Table, options: InsertOptions = {}): Effect.Effect<InsertResult, InsertErrors> {
    const method = "Stream.arrowInsert"
    const { backend } = this.client
    const uuid = this.uuid
    const client = this.client
    return this.operation(
      "arrowInsert",
      Effect.gen(function*() {
        const merge = yield* validate(method, "merge", MergePolicy, options.merge ?? "never")
        if (!isTable(table)) return yield* invalid(method, "data", "expected an apache-arrow Table")
        const points = yield* Effect.try({
          try: () => pointsFromTable(table, FULL_RANGE),
          catch: (error) => invalid(method, "data", error instanceof ArrowDataError ? error.message : String(error))
        })
        const maxInFlight = yield* maxInFlightOf(method, options)
        const { times, values } = yield* columns(method, points)
        const versions = yield* sendChunks(chunksOf(times, INSERT_CHUNK_POINTS), maxInFlight, ({ end, offset }) => {
          const bytes = encodePoints(POINTS_SCHEMA, times.subarray(offset, end), [values.subarray(offset, end)])
          // a retry of a "never" insert whose first attempt was stored would store the points twice
          return attempt(client, method, backend.arrowInsert(uuid, bytes, merge), merge !== "never")
        })
        return inserted(versions)
      })
    )
  }

  subscribe(): EStream.Stream<InsertedPoints, SubscribeErrors> {
    return subscribe([this])
  }

  toString(): string {
    return Option.match(this.descriptor, {
      onNone: () => `<Stream uuid=${this.uuid}>`,
      onSome: (d) => `<Stream collection=${d.collection} name=${d.name}>`
    })
  }
  toJSON() {
    return { _id: "Stream", uuid: this.uuid, descriptor: Option.getOrUndefined(this.descriptor) }
  }
}

// `Stream.TypeId` is the registered symbol "effect-btrdb/Stream", so the handles carry it without importing the
// public module (which imports this one)
const typeId = Symbol.for("effect-btrdb/Stream")
Object.defineProperty(StreamImpl.prototype, typeId, { value: typeId })

/** The handles' shared client; they must all come from one connection. */
const clientOf = (method: string, streams: ReadonlyArray<Stream>): Effect.Effect<Client, E.InvalidArgument> => {
  const impls = streams.filter((s): s is StreamImpl => s instanceof StreamImpl)
  if (impls.length !== streams.length) return Effect.fail(invalid(method, "streams", "expected stream handles"))
  if (impls.length === 0) return Effect.fail(invalid(method, "streams", "give at least one stream"))
  const client = impls[0]!.client
  if (impls.some((s) => s.client !== client)) {
    return Effect.fail(invalid(method, "streams", "the streams come from different connections"))
  }
  return Effect.succeed(client)
}

/** The connection of a set's handles, for its spans; none when they are test doubles. */
export const connectionOf = (streams: ReadonlyArray<Stream>): Client | undefined =>
  streams.find((s): s is StreamImpl => s instanceof StreamImpl)?.client

export const make = (client: Client, uuid: Uuid, descriptor?: StreamDescriptor): Stream =>
  new StreamImpl(client, uuid, Option.fromUndefinedOr(descriptor))

export const subscribe = (
  streams: Iterable<Stream>,
  method = "Stream.subscribe"
): EStream.Stream<InsertedPoints, SubscribeErrors> => {
  const handles = Array.from(streams)
  return EStream.unwrap(Effect.map(clientOf(method, handles), (client) => {
    const uuids = handles.map((s) => s.uuid)
    const messages = client.backend.subscribe(uuids).pipe(
      EStream.mapEffect((message) =>
        Effect.try({
          try: (): InsertedPoints => ({
            uuid: message.uuid,
            ...pointsFromTable(decodeTable(message.bytes), FULL_RANGE)
          }),
          catch: (error) => badAnswer(method, message.uuid, error)
        })
      )
    )
    return streamOperation(client, method, messages, uuids.length === 1 ? uuids[0] : undefined)
  }))
}

export const arrowMultiValues = (
  streams: ReadonlyArray<Stream>,
  options: {
    readonly versions: ReadonlyArray<bigint>
    readonly start: bigint
    readonly end: bigint
    readonly snapPeriodNs: bigint
    readonly schema?: arrow.Schema | undefined
  }
): Effect.Effect<arrow.Table, ReadErrors> => {
  const method = "StreamSet.arrowValues"
  return Effect.gen(function*() {
    const client = yield* clientOf(method, streams)
    const uuids = streams.map((s) => s.uuid)
    const template = yield* templateOf(method, options.schema, uuids.length + 1)
    const messages = yield* run(
      client,
      method,
      EStream.runCollect(
        client.backend.arrowMultiValues(
          uuids,
          options.versions,
          options.start,
          options.end,
          options.snapPeriodNs,
          template
        )
      )
    )
    return yield* arrowTable(method, undefined, messages, options.schema ?? multiValuesSchema(uuids), true)
  })
}
