/**
 * Copying streams from one BTrDB to another: from the embedded server to a cluster, or between any two endpoints
 * (or the memory layer). `btrdb copy` is this module on the command line.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const from = yield* BTrDB.make({ endpoint: "localhost:4410" })
 *   const to = yield* BTrDB.make({ endpoint: "btrdb.example.com:4411", apiKey: "key" })
 *   const reports = yield* Copy.copyStreams({ from, to, collection: "sensors", concurrency: 4 })
 *   const differing = reports.filter((r) => r.verdict === "differs")
 * }).pipe(Effect.scoped)
 * ```
 *
 * For each source stream the copy
 * - pins the stream's version when it starts, and reads every point of that version;
 * - creates the target stream with the same uuid, collection, tags and annotations, or, when it exists, checks that
 *   these are the same (else it fails with `CopyMismatch` before writing into any stream, unless `merge` is given);
 * - streams the points page by page into inserts of at most `Stream.INSERT_CHUNK_POINTS` points, in time order,
 *   with merge policy `"retain"`: a point already on the target at the same time is kept and the new one dropped,
 *   so a copy run again after an interruption never duplicates a point (and the SDK may retry such inserts). When
 *   the target already holds exactly the source's points up to its last one (an interrupted copy), the copy resumes
 *   after it;
 * - verifies the stream on both sides: the point count and the statistics of one window over all the points.
 *
 * Memory is bounded: a few pages and one batch per stream being copied; never a whole stream.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as EStream from "effect/Stream"
import type * as E from "../errors/BTrDBError.js"
import { CopyMismatch } from "../errors/BTrDBError.js"
import type { StreamDescriptor } from "../schema/Metadata.js"
import type { Uuid } from "../schema/Uuid.js"
import type * as BTrDB from "./BTrDB.js"
import { rebatch } from "./internal/rebatch.js"
import * as BTrDBStream from "./Stream.js"

// ---------------------------------------------------------------------------------------------------------------
// Models

/**
 * Where a copy stands, as `onProgress` is told after each batch inserted (and once at the start). `points` and
 * `bytes` count what this run has sent; `totalPoints` is what it has to send: the sources' counts at their pinned
 * versions, less the points found already copied.
 *
 * @example
 * ```ts
 * const show = (p: Copy.Progress) =>
 *   Console.error(`${p.points} of ${p.totalPoints} points, ${(p.points / (p.elapsedMillis / 1000)).toFixed(0)}/s`)
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  /** Streams to copy. */
  readonly streams: number
  /** Streams copied and verified. */
  readonly streamsDone: number
  /** Points sent by this run. */
  readonly points: number
  /** Points this run has to send. */
  readonly totalPoints: number
  /** Bytes of points sent (16 a point: a time and a value). */
  readonly bytes: number
  /** Since the copy began. */
  readonly elapsedMillis: number
}

/**
 * Options of {@link copyStreams}. Without `collection` and `streams` (or with none listed), every stream of `from`
 * is copied; with either or both, the streams of the collection prefix and the listed ones (uuids or
 * `collection/name`), each once.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const to = yield* BTrDB.make({ endpoint: "btrdb.example.com:4410" })
 *   const options: Copy.Options = { from: db, to, streams: ["f98f4b4e-9fab-46b5-8a80-f282059d69b1"], merge: true }
 *   return yield* Copy.copyStreams(options)
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The source. */
  readonly from: BTrDB.Service
  /** The target. */
  readonly to: BTrDB.Service
  /** A collection prefix: copy its streams. */
  readonly collection?: string | undefined
  /** Streams to copy, by uuid or `collection/name`. */
  readonly streams?: ReadonlyArray<string> | undefined
  /** How many streams are copied at once (default 4). */
  readonly concurrency?: number | undefined
  /** Copy into a target stream whose collection, tags or annotations differ, instead of failing (default false). */
  readonly merge?: boolean | undefined
  /** Told where the copy stands after each batch. */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

/**
 * The point count and whole-range statistics of one side of a stream. Without points, `min`, `mean` and `max`
 * are NaN.
 *
 * @example
 * ```ts
 * const empty: Copy.Summary = { count: 0n, min: NaN, mean: NaN, max: NaN }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Summary {
  readonly count: bigint
  readonly min: number
  readonly mean: number
  readonly max: number
}

/**
 * `"same"`: the target holds as many points as the source (at the copied version), with the same minimum and
 * maximum and the same mean (within floating-point rounding). `"differs"` otherwise.
 *
 * @example
 * ```ts
 * const failed = (reports: ReadonlyArray<Copy.StreamReport>) => reports.some((r) => r.verdict === "differs")
 * ```
 * @since 0.2.0
 * @category models
 */
export type Verdict = "same" | "differs"

/**
 * What {@link copyStreams} did with one stream, and how it verified.
 *
 * @example
 * ```ts
 * const line = (r: Copy.StreamReport) =>
 *   `${r.uuid} ${r.collection}/${r.name}: ${r.copied} copied, ${r.source.count} → ${r.target.count}: ${r.verdict}`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface StreamReport {
  readonly uuid: Uuid
  readonly collection: string
  /** The `name` tag. */
  readonly name: string
  /** The source's version that was copied (pinned when the copy began). */
  readonly version: bigint
  /** Whether this run created the target stream. */
  readonly created: boolean
  /** Whether the target's metadata differed and `merge` copied into it anyway. */
  readonly merged: boolean
  /** Points found already on the target (a resumed copy), not sent again. */
  readonly alreadyCopied: number
  /** Points this run sent (the target drops those it already holds at the same time). */
  readonly copied: number
  /** The source at the copied version. */
  readonly source: Summary
  /** The target at its latest version, after the copy. */
  readonly target: Summary
  readonly verdict: Verdict
  /** What differs, one phrase each (`"count 10 ≠ 9"`); empty when the verdict is `"same"`. */
  readonly differences: ReadonlyArray<string>
}

/**
 * The errors of {@link copyStreams}: a target whose metadata differs (`CopyMismatch`), and what finding the streams
 * named in `streams`, creating the targets, reading either side and inserting may meet (the lookups' errors are
 * among `create`'s).
 *
 * @example
 * ```ts
 * const reports = (to: BTrDB.Service) =>
 *   Copy.copyStreams({ from: db, to }).pipe(
 *     Effect.catchTag("CopyMismatch", (e) => Console.error(e.message).pipe(Effect.as([])))
 *   )
 * ```
 * @since 0.2.0
 * @category errors
 */
export type CopyErrors =
  | E.CopyMismatch
  | BTrDB.CreateErrors
  | BTrDBStream.WindowsErrors
  | BTrDBStream.InsertErrors

// ---------------------------------------------------------------------------------------------------------------
// The copy

const METHOD = "Copy.copyStreams"
const BATCH = BTrDBStream.INSERT_CHUNK_POINTS
const BYTES_PER_POINT = 16

type Field = "collection" | "tags" | "annotations"

const sameRecord = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k])
}

const show = (value: string | Readonly<Record<string, string>>): string =>
  typeof value === "string"
    ? JSON.stringify(value)
    : JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

/** The fields of `target` that differ from `source`, with both sides of each. */
const compareMetadata = (source: StreamDescriptor, target: StreamDescriptor) => {
  const fields: Array<Field> = []
  const details: Array<string> = []
  const check = (field: Field, same: boolean, a: string | Readonly<Record<string, string>>, b: typeof a) => {
    if (same) return
    fields.push(field)
    details.push(`${field}: source ${show(a)}, target ${show(b)}`)
  }
  check("collection", source.collection === target.collection, source.collection, target.collection)
  check("tags", sameRecord(source.tags, target.tags), source.tags, target.tags)
  check("annotations", sameRecord(source.annotations, target.annotations), source.annotations, target.annotations)
  return { fields, detail: details.join("; ") }
}

/** The source streams the options name, each once, in the order found. */
const selectSources = (options: Options) =>
  Effect.gen(function*() {
    const listed = options.streams ?? []
    const sets: Array<Iterable<BTrDBStream.Stream>> = []
    if (options.collection !== undefined || listed.length === 0) {
      sets.push(yield* options.from.streamsInCollection(options.collection ?? ""))
    }
    if (listed.length > 0) sets.push(yield* options.from.streams(listed))
    const found = new Map<string, BTrDBStream.Stream>()
    for (const set of sets) {
      for (const s of set) if (!found.has(s.uuid)) found.set(s.uuid, s)
    }
    return [...found.values()]
  })

/** The count and the statistics of one window over every point of `stream` at `version` (0: the latest). */
const summarize = (stream: BTrDBStream.Stream, version: bigint) =>
  Effect.gen(function*() {
    const count = yield* stream.count({ precise: true, version })
    const first = yield* stream.earliest({ version })
    const last = yield* stream.latest({ version })
    if (Option.isNone(first) || Option.isNone(last)) return { count, min: NaN, mean: NaN, max: NaN }
    const end = last.value.time + 1n
    const w = yield* stream.windowsCollected({ start: first.value.time, end, width: end - first.value.time, version })
    return w.times.length === 0
      ? { count, min: NaN, mean: NaN, max: NaN }
      : { count, min: w.min[0]!, mean: w.mean[0]!, max: w.max[0]! }
  })

const sameNumber = (a: number, b: number, relative: number) =>
  (isNaN(a) && isNaN(b)) || a === b || Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b))

/** What differs between the two sides' summaries. */
const compareSummaries = (source: Summary, target: Summary): Array<string> => {
  const differences: Array<string> = []
  if (source.count !== target.count) differences.push(`count ${source.count} ≠ ${target.count}`)
  if (!sameNumber(source.min, target.min, 0)) differences.push(`min ${source.min} ≠ ${target.min}`)
  if (!sameNumber(source.max, target.max, 0)) differences.push(`max ${source.max} ≠ ${target.max}`)
  if (!sameNumber(source.mean, target.mean, 1e-9)) differences.push(`mean ${source.mean} ≠ ${target.mean}`)
  return differences
}

/** One source stream, looked at before anything is written. */
interface Plan {
  readonly source: BTrDBStream.Stream
  readonly descriptor: StreamDescriptor
  readonly version: bigint
  /** The target's handle and metadata, when it exists. */
  readonly target: Option.Option<{ readonly stream: BTrDBStream.Stream; readonly descriptor: StreamDescriptor }>
  readonly mismatch: Option.Option<{ readonly fields: ReadonlyArray<Field>; readonly detail: string }>
  /** Where to read from: after the points already copied. */
  readonly start: bigint | undefined
  readonly alreadyCopied: number
  /** Points to send. */
  readonly toSend: number
}

const plan = (options: Options, source: BTrDBStream.Stream) =>
  Effect.gen(function*() {
    const version = yield* source.version
    const descriptor = yield* source.metadata
    const sourceCount = yield* source.count({ precise: true, version })
    const handle = yield* options.to.streamFromUuid(source.uuid)
    const targetDescriptor = yield* handle.metadata.pipe(
      Effect.map(Option.some),
      Effect.catchTag("StreamNotFound", () => Effect.succeed(Option.none<StreamDescriptor>()))
    )
    const target = Option.map(targetDescriptor, (d) => ({ stream: handle, descriptor: d }))
    const mismatch = Option.filter(
      Option.map(targetDescriptor, (d) => compareMetadata(descriptor, d)),
      (m) => m.fields.length > 0
    )
    // resume after the target's last point when it holds exactly the source's points up to there
    let start: bigint | undefined
    let alreadyCopied = 0
    if (Option.isSome(target) && Option.isNone(mismatch)) {
      const last = yield* handle.latest()
      if (Option.isSome(last)) {
        const end = last.value.time + 1n
        const there = yield* handle.count({ precise: true, end })
        const wanted = yield* source.count({ precise: true, end, version })
        if (there === wanted) {
          start = end
          alreadyCopied = Number(there)
        }
      }
    }
    return {
      source,
      descriptor,
      version,
      target,
      mismatch,
      start,
      alreadyCopied,
      toSend: Number(sourceCount) - alreadyCopied
    } satisfies Plan
  })

/**
 * Copies streams from `options.from` to `options.to` and verifies them (see the module's description), `concurrency`
 * streams at a time; the report of each stream, in the order of the sources. A target stream whose collection, tags
 * or annotations differ fails the copy with `CopyMismatch` before anything is written, unless `merge` is true.
 * Interrupted, it leaves each target stream holding a prefix of its points: run it again to finish.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const cluster = yield* BTrDB.make({ endpoint: "btrdb.example.com:4411", apiKey: "key" })
 *   const reports = yield* Copy.copyStreams({
 *     from: db,
 *     to: cluster,
 *     collection: "sensors",
 *     onProgress: (p) => Console.error(`${p.points}/${p.totalPoints} points`)
 *   })
 *   for (const r of reports) yield* Console.log(r.uuid, r.verdict, r.differences.join(", "))
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.2.0
 * @category copying
 */
export const copyStreams = (options: Options): Effect.Effect<ReadonlyArray<StreamReport>, CopyErrors> =>
  Effect.gen(function*() {
    const started = performance.now()
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4))
    const sources = yield* selectSources(options)
    const plans = yield* Effect.forEach(sources, (s) => plan(options, s), { concurrency })
    const mismatched = plans.filter((p) => Option.isSome(p.mismatch))
    if (mismatched.length > 0 && options.merge !== true) {
      const first = mismatched[0]!
      const m = Option.getOrThrow(first.mismatch)
      const others = mismatched.length - 1
      return yield* new CopyMismatch({
        method: METHOD,
        uuid: first.source.uuid,
        fields: [...m.fields],
        detail: m.detail + (others > 0 ? `; and ${others} other stream${others === 1 ? "" : "s"} differ too` : "")
      })
    }

    const state = {
      streams: plans.length,
      streamsDone: 0,
      points: 0,
      totalPoints: plans.reduce((n, p) => n + Math.max(0, p.toSend), 0)
    }
    const report = Effect.suspend(() =>
      options.onProgress === undefined ? Effect.void : options.onProgress({
        ...state,
        bytes: state.points * BYTES_PER_POINT,
        elapsedMillis: performance.now() - started
      })
    )
    yield* report

    const copyOne = (p: Plan) =>
      Effect.gen(function*() {
        const { descriptor, source, version } = p
        let created = false
        const target = Option.isSome(p.target) ? p.target.value.stream : yield* options.to.create({
          uuid: source.uuid,
          collection: descriptor.collection,
          tags: descriptor.tags,
          annotations: descriptor.annotations
        }).pipe(
          Effect.tap(() => Effect.sync(() => (created = true))),
          // created meanwhile, by another copy of the same source
          Effect.catchTag("StreamExists", () => options.to.streamFromUuid(source.uuid))
        )
        let copied = 0
        yield* rebatch(
          source.values({ start: p.start, version }).pipe(EStream.buffer({ capacity: 4 })),
          BATCH,
          (batch) =>
            target.insert(batch, { merge: "retain" }).pipe(
              Effect.andThen(Effect.sync(() => {
                copied += batch.times.length
                state.points += batch.times.length
              })),
              Effect.andThen(report)
            )
        )
        const sourceSummary = yield* summarize(source, version)
        const targetSummary = yield* summarize(target, 0n)
        const differences = compareSummaries(sourceSummary, targetSummary)
        state.streamsDone++
        yield* report
        return {
          uuid: source.uuid,
          collection: descriptor.collection,
          name: descriptor.name,
          version,
          created,
          merged: Option.isSome(p.mismatch),
          alreadyCopied: p.alreadyCopied,
          copied,
          source: sourceSummary,
          target: targetSummary,
          verdict: differences.length === 0 ? "same" : "differs",
          differences
        } satisfies StreamReport
      })

    return yield* Effect.forEach(plans, copyOne, { concurrency })
  }).pipe(Effect.withSpan(METHOD, { attributes: { "db.system.name": "btrdb" } }))
