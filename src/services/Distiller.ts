/**
 * Distillers: streams derived from other streams and kept up to date as data arrives or is corrected, recomputing
 * only what changed (BTrDB's DISTIL).
 *
 * A distiller reads its inputs, computes its outputs with a {@link Transform}, and keeps, in each output's
 * annotations (key `distil/<name>/versions`), the input versions it has processed. A run pins each input's current
 * version, asks `changes` of every input since the recorded version, widens the changed ranges by the transform's
 * `margin`, expands them to whole windows of its `alignment`, merges them, and for each range reads the inputs (at the
 * pinned versions, plus the margin), computes the outputs, deletes the outputs' points in the range and inserts the
 * new ones (merge policy `"replace"`). The versions are recorded only after every write, so a run interrupted or
 * crashed midway is simply done again; redoing a range is idempotent, so nothing is lost or counted twice. The first
 * run (no record) processes everything, from version 0.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const output = yield* db.create({ uuid: Uuid.random(), collection: "sunshine/PMU1/1s", tags: { name: "L1MAG" } })
 *   const distiller = yield* Distiller.make({
 *     name: "L1MAG-1s",
 *     inputs: [stream],
 *     outputs: [output],
 *     transform: Distiller.downsample({ width: "1 second", stat: "mean" })
 *   })
 *   const summary = yield* Distiller.runOnce(distiller)              // catch up once
 *   yield* Distiller.follow(distiller).pipe(Effect.forkScoped)        // or keep up, until the scope closes
 * })
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as EStream from "effect/Stream"
import * as E from "../errors/BTrDBError.js"
import type { Points } from "../schema/Points.js"
import { type DurationInput, NanosFromDuration, pointwidthFromNanos } from "../schema/Time.js"
import { BTrDB } from "./BTrDB.js"
import * as Distil from "./internal/distil.js"
import { validate } from "./internal/validate.js"
import * as BTrDBStream from "./Stream.js"

/**
 * @example
 * ```ts
 * const isDistiller = (u: object) => Distiller.TypeId in u
 * ```
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/Distiller")

/**
 * @example
 * ```ts
 * const id: Distiller.TypeId = Distiller.TypeId
 * ```
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

// ---------------------------------------------------------------------------------------------------------------
// Models

/**
 * Points of one output, as columns of equal length (`times` in ns).
 *
 * @example
 * ```ts
 * const columns: Distiller.Columns = { times: BigInt64Array.of(0n), values: Float64Array.of(1) }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Columns {
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/**
 * What a transform computes from: the output range `[start, end)` to recompute (a whole number of windows of
 * `alignment`, except where clamped to the times a stream can hold), and each input's points over
 * `[start - margin, end + margin)`, at the version the run pinned, in the order of the distiller's inputs.
 *
 * @example
 * ```ts
 * const points = (slice: Distiller.Slice) => slice.inputs.reduce((n, p) => n + p.times.length, 0)
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Slice {
  readonly start: bigint
  readonly end: bigint
  /** The window width, in ns (1 when the transform has no alignment). */
  readonly alignment: bigint
  /** The margin, in ns. */
  readonly margin: bigint
  readonly inputs: ReadonlyArray<Points>
}

/**
 * How outputs are computed from inputs: `compute` gives, for a {@link Slice}, one set of columns per output, the
 * points of `[slice.start, slice.end)` (points outside it are dropped). The output at time `t` may depend on the inputs
 * within `margin` of `t` (default 0); with an `alignment` (a window width), recomputed ranges are whole windows,
 * aligned to the epoch. `inputs` and `outputs` say how many streams the transform takes and writes, when fixed.
 * `compute` must be a function of the slice alone, so that a recomputation gives the same points.
 *
 * @example
 * ```ts
 * // each input point, doubled
 * const double: Distiller.Transform = {
 *   inputs: 1,
 *   outputs: 1,
 *   compute: (slice) => {
 *     const { times, values } = slice.inputs[0]!
 *     return Effect.succeed([{ times, values: values.map((v) => 2 * v) }])
 *   }
 * }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Transform<E = never> {
  readonly inputs?: number | undefined
  readonly outputs?: number | undefined
  /** How far around a time its inputs matter (default none: `0n`). */
  readonly margin?: DurationInput | undefined
  /** The window width recomputed ranges are made of (default none). */
  readonly alignment?: DurationInput | undefined
  readonly compute: (slice: Slice) => Effect.Effect<ReadonlyArray<Columns>, E>
  /** A problem with how the transform was made, reported by {@link make} as an `InvalidArgument`. */
  readonly invalid?: { readonly field: string; readonly detail: string } | undefined
}

/**
 * A stream a distiller reads or writes: a handle, or its UUID.
 *
 * @example
 * ```ts
 * const input: Distiller.StreamInput = "f98f4b4e-9fab-46b5-8a80-f282059d69b1"
 * ```
 * @since 0.2.0
 * @category models
 */
export type StreamInput = BTrDBStream.Stream | string

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * const options: Distiller.Options = {
 *   name: "L1MAG-rms",
 *   inputs: [stream],
 *   outputs: ["0ba3a8c4-5f5e-4c43-9b2b-3a0cf2d0e9b1"],
 *   transform: Distiller.rms({ width: "1 minute" }),
 *   resolution: 30,
 *   maxRangeWidth: "6 hours"
 * }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options<E = never> {
  /** Names the record in the outputs' annotations (`distil/<name>/versions`): letters, digits, `_ . : -`. */
  readonly name: string
  readonly inputs: ReadonlyArray<StreamInput>
  /** The streams written; none may be an input. They must exist: create them first. */
  readonly outputs: ReadonlyArray<StreamInput>
  readonly transform: Transform<E>
  /**
   * The resolution of the `changes` asked (0 to 62): changed ranges come at least 2^resolution ns wide. Default:
   * the pointwidth of the alignment or the margin, whichever is wider, and at least 20 (about 1 ms).
   */
  readonly resolution?: number | undefined
  /** Ranges wider than this are computed in pieces, to bound the points held (default 1 hour). */
  readonly maxRangeWidth?: DurationInput | undefined
}

/**
 * A distiller, as {@link make} checks and resolves it.
 *
 * @example
 * ```ts
 * const describe = (d: Distiller.Distiller) => `${d.name}: ${d.inputs.length} → ${d.outputs.length}`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Distiller<E = never> {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly inputs: ReadonlyArray<BTrDBStream.Stream>
  readonly outputs: ReadonlyArray<BTrDBStream.Stream>
  readonly transform: Transform<E>
  readonly margin: bigint
  readonly alignment: bigint
  readonly resolution: number
  readonly maxRangeWidth: bigint
  /** The annotation key of the record: `distil/<name>/versions`. */
  readonly recordKey: string
}

/**
 * One range recomputed, as a run reports it.
 *
 * @example
 * ```ts
 * const line = (p: Distiller.Progress) => `[${p.start}, ${p.end}): ${p.pointsRead} read, ${p.pointsWritten} written`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  readonly start: bigint
  readonly end: bigint
  /** 1-based position of the range in the run, and the run's number of ranges. */
  readonly index: number
  readonly total: number
  readonly pointsRead: number
  readonly pointsWritten: number
}

/**
 * What a run did: the ranges recomputed, the points read and written, and the input versions now recorded
 * (uuid → version). A run that found nothing new recomputes no range.
 *
 * @example
 * ```ts
 * const upToDate = (s: Distiller.Summary) => s.ranges.length === 0
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Summary {
  readonly ranges: ReadonlyArray<{ readonly start: bigint; readonly end: bigint }>
  readonly pointsRead: number
  readonly pointsWritten: number
  readonly versions: Readonly<Record<string, bigint>>
}

/**
 * Options of {@link runOnce}: `onRange` is told of every range once its outputs are written.
 *
 * @example
 * ```ts
 * const options: Distiller.RunOptions = { onRange: (p) => Console.log(`${p.index}/${p.total}`) }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  readonly onRange?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

/**
 * Options of {@link follow}: when to run again. A run starts at once, then after each step of `schedule` (default
 * every second); with `subscribe: true`, also as soon as an input receives an insert (Subscribe; deletes are seen at
 * the next step of the schedule). Runs never overlap: wake-ups during a run make one more run. `onRun` is told of each
 * run's summary.
 *
 * @example
 * ```ts
 * const options: Distiller.FollowOptions = { schedule: Schedule.spaced("10 seconds"), subscribe: true }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface FollowOptions extends RunOptions {
  readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined
  readonly subscribe?: boolean | undefined
  readonly onRun?: ((summary: Summary) => Effect.Effect<void>) | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/**
 * What a run can fail with: the errors of the reads, `changes`, deletes, inserts and metadata updates it makes
 * (an `InvalidArgument` also when an output's record is not one, or a transform gives the wrong number of outputs),
 * plus the transform's own.
 *
 * @example
 * ```ts
 * const run = (d: Distiller.Distiller): Effect.Effect<Distiller.Summary, Distiller.RunErrors> => Distiller.runOnce(d)
 * ```
 * @since 0.2.0
 * @category errors
 */
export type RunErrors =
  | BTrDBStream.ReadErrors
  | BTrDBStream.ChangesErrors
  | BTrDBStream.DeleteErrors
  | BTrDBStream.InsertErrors
  | BTrDBStream.UpdateErrors

/**
 * What {@link follow} can fail with: a run's errors, and Subscribe's.
 *
 * @example
 * ```ts
 * const handle = (e: Distiller.FollowErrors) => e._tag
 * ```
 * @since 0.2.0
 * @category errors
 */
export type FollowErrors = RunErrors | BTrDBStream.SubscribeErrors

// ---------------------------------------------------------------------------------------------------------------
// Constructors

const NAME = /^[\w.:-]+$/

const invalid = (field: string, detail: string) => new E.InvalidArgument({ method: "Distiller.make", field, detail })

const nanos = (field: string, input: DurationInput | undefined, fallback: bigint) =>
  input === undefined ? Effect.succeed(fallback) : input === 0n
    ? Effect.succeed(0n)
    : validate("Distiller.make", field, NanosFromDuration, input)

/**
 * Checks and resolves a distiller: UUIDs become handles, durations nanoseconds. Fails with `InvalidArgument` for a
 * bad name, no inputs or outputs, a count the transform does not take, an output that is also an input or given
 * twice, or a bad duration or resolution. Nothing is read or written.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const distiller = yield* Distiller.make({
 *     name: "feeder-sags",
 *     inputs: [stream],
 *     outputs: ["0ba3a8c4-5f5e-4c43-9b2b-3a0cf2d0e9b1"],
 *     transform: Distiller.events({ nominal: 7200, threshold: 0.1, width: "1 second" })
 *   })
 * })
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const make = <E = never>(options: Options<E>): Effect.Effect<Distiller<E>, E.InvalidArgument, BTrDB> =>
  Effect.gen(function*() {
    const { transform } = options
    if (typeof options.name !== "string" || !NAME.test(options.name)) {
      return yield* invalid(
        "name",
        `expected letters, digits, "_", ".", ":" or "-", got ${JSON.stringify(options.name)}`
      )
    }
    if (transform.invalid !== undefined) return yield* invalid(transform.invalid.field, transform.invalid.detail)
    if (options.inputs.length === 0) return yield* invalid("inputs", "a distiller needs at least one input")
    if (options.outputs.length === 0) return yield* invalid("outputs", "a distiller needs at least one output")
    for (const side of ["inputs", "outputs"] as const) {
      const want = transform[side]
      if (want !== undefined && options[side].length !== want) {
        return yield* invalid(side, `the transform takes ${want}, got ${options[side].length}`)
      }
    }
    const db = yield* BTrDB
    const resolve = (s: StreamInput) => typeof s === "string" ? db.streamFromUuid(s) : Effect.succeed(s)
    const inputs = yield* Effect.forEach(options.inputs, resolve)
    const outputs = yield* Effect.forEach(options.outputs, resolve)
    const inputUuids = new Set(inputs.map((s) => s.uuid))
    const outputUuids = new Set<string>()
    for (const o of outputs) {
      if (inputUuids.has(o.uuid)) return yield* invalid("outputs", `${o.uuid} is also an input`)
      if (outputUuids.has(o.uuid)) return yield* invalid("outputs", `${o.uuid} is given twice`)
      outputUuids.add(o.uuid)
    }
    const margin = yield* nanos("margin", transform.margin, 0n)
    const alignment = yield* nanos("alignment", transform.alignment, 1n)
    const maxRangeWidth = yield* nanos("maxRangeWidth", options.maxRangeWidth, 3_600_000_000_000n)
    const resolution = options.resolution ??
      Math.max(20, pointwidthFromNanos(alignment > margin ? alignment : margin))
    if (!Number.isInteger(resolution) || resolution < 0 || resolution > 62) {
      return yield* invalid("resolution", `expected an integer from 0 to 62, got ${resolution}`)
    }
    const distiller: Distiller<E> = {
      [TypeId]: TypeId,
      name: options.name,
      inputs,
      outputs,
      transform,
      margin,
      alignment,
      resolution,
      maxRangeWidth,
      recordKey: Distil.recordKey(options.name)
    }
    return distiller
  })

// ---------------------------------------------------------------------------------------------------------------
// Running

/** The record of `output`, read from the server: input uuid → version (empty when there is none). */
const readRecord = (key: string, output: BTrDBStream.Stream) =>
  Effect.gen(function*() {
    const fresh = yield* output.refreshMetadata
    const text = (yield* fresh.annotations)[key]
    if (text === undefined) return new Map<string, bigint>()
    const record = Distil.decodeRecord(text)
    if (record === undefined) {
      return yield* new E.InvalidArgument({
        method: "Distiller.runOnce",
        uuid: output.uuid,
        field: "annotations",
        detail: `the annotation ${key} is not a record of versions: ${JSON.stringify(text)}`
      })
    }
    return record
  })

const sameLength = (columns: Columns) => columns.times.length === columns.values.length

/**
 * Brings the outputs up to date once: recomputes every range the inputs changed since the recorded versions (all
 * their data on a first run), then records the versions processed. Interrupted or failed midway, it records nothing,
 * and the next run does the same ranges again.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const distiller = yield* Distiller.make({
 *     name: "L1MAG-1s",
 *     inputs: [stream],
 *     outputs: ["0ba3a8c4-5f5e-4c43-9b2b-3a0cf2d0e9b1"],
 *     transform: Distiller.downsample({ width: "1 second", stat: "mean" })
 *   })
 *   const { ranges, pointsRead, pointsWritten } = yield* Distiller.runOnce(distiller, {
 *     onRange: (p) => Console.log(`range ${p.index}/${p.total}: ${p.pointsRead} points read`)
 *   })
 * })
 * ```
 * @since 0.2.0
 * @category running
 */
export const runOnce = <E>(distiller: Distiller<E>, options: RunOptions = {}): Effect.Effect<Summary, RunErrors | E> =>
  Effect.gen(function*() {
    const { alignment, inputs, margin, outputs, recordKey, transform } = distiller
    const records = yield* Effect.forEach(outputs, (o) => readRecord(recordKey, o))
    // the oldest version any output recorded: recomputing more than needed is harmless, less is not
    const from = inputs.map((s) =>
      records.reduce((min, r) => {
        const v = r.get(s.uuid) ?? 0n
        return v < min ? v : min
      }, records[0]!.get(s.uuid) ?? 0n)
    )
    const pinned = yield* Effect.forEach(inputs, (s) => s.version)
    const versions = Object.fromEntries(inputs.map((s, i) => [s.uuid, pinned[i]!]))
    const stale = inputs.some((s, i) => pinned[i] !== from[i] || records.some((r) => r.get(s.uuid) !== pinned[i]))
    if (!stale) return { ranges: [], pointsRead: 0, pointsWritten: 0, versions }

    const changed: Array<Distil.Range> = []
    for (let i = 0; i < inputs.length; i++) {
      if (pinned[i]! <= from[i]!) continue
      const ranges = yield* inputs[i]!.changesCollected({
        from: from[i]!,
        to: pinned[i]!,
        resolution: distiller.resolution
      })
      for (let k = 0; k < ranges.start.length; k++) changed.push({ start: ranges.start[k]!, end: ranges.end[k]! })
    }
    const ranges = Distil.outputRanges(changed, { margin, alignment, maxWidth: distiller.maxRangeWidth })

    let pointsRead = 0
    let pointsWritten = 0
    for (let index = 0; index < ranges.length; index++) {
      const range = ranges[index]!
      const read = Distil.inputRange(range, margin)
      const points = yield* Effect.forEach(
        inputs,
        (s, i) => s.valuesCollected({ start: read.start, end: read.end, version: pinned[i]! }),
        { concurrency: 4 }
      )
      const pointsIn = points.reduce((n, p) => n + p.times.length, 0)
      const computed = yield* transform.compute({ ...range, alignment, margin, inputs: points })
      if (computed.length !== outputs.length || !computed.every(sameLength)) {
        return yield* new E.InvalidArgument({
          method: "Distiller.runOnce",
          field: "transform",
          detail:
            `the transform gave ${computed.length} outputs (columns of equal length expected) for ${outputs.length}`
        })
      }
      let written = 0
      for (let j = 0; j < outputs.length; j++) {
        const columns = Distil.within(computed[j]!, range)
        yield* outputs[j]!.delete(range)
        if (columns.times.length > 0) yield* outputs[j]!.insert(columns, { merge: "replace" })
        written += columns.times.length
      }
      pointsRead += pointsIn
      pointsWritten += written
      if (options.onRange !== undefined) {
        yield* options.onRange({
          ...range,
          index: index + 1,
          total: ranges.length,
          pointsRead: pointsIn,
          pointsWritten: written
        })
      }
    }

    // only now, every write done: the record
    const text = Distil.encodeRecord(new Map(Object.entries(versions)))
    yield* Effect.forEach(
      outputs,
      (o) => Effect.flatMap(o.refreshMetadata, (fresh) => fresh.update({ annotations: { [recordKey]: text } })),
      {
        discard: true
      }
    )
    return { ranges, pointsRead, pointsWritten, versions }
  }).pipe(
    Effect.withSpan("BTrDB.Distiller.runOnce", {
      attributes: { "btrdb.distiller": distiller.name, "btrdb.streams": distiller.inputs.length }
    })
  )

/**
 * Keeps the outputs up to date until interrupted: a run at once, then one after each step of the schedule (and, with
 * `subscribe`, after each insert into an input). Fork it in a scope (`Effect.forkScoped`) to run it in the
 * background; after an interrupt or a crash, following again (or {@link runOnce}) resumes from the recorded
 * versions. It ends only when the schedule ends (never with the default) and there is no subscription.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const distiller = yield* Distiller.make({
 *     name: "L1MAG-1s",
 *     inputs: [stream],
 *     outputs: ["0ba3a8c4-5f5e-4c43-9b2b-3a0cf2d0e9b1"],
 *     transform: Distiller.downsample({ width: "1 second", stat: "mean" })
 *   })
 *   yield* Distiller.follow(distiller, { schedule: Schedule.spaced("5 seconds"), subscribe: true }).pipe(
 *     Effect.forkScoped
 *   )
 * })
 * ```
 * @since 0.2.0
 * @category running
 */
export const follow = <E>(
  distiller: Distiller<E>,
  options: FollowOptions = {}
): Effect.Effect<void, FollowErrors | E> => {
  const ticks: EStream.Stream<unknown, FollowErrors> = EStream.fromSchedule(
    options.schedule ?? Schedule.spaced("1 second")
  )
  const wakeups = options.subscribe === true
    ? EStream.merge(ticks, BTrDBStream.subscribe(distiller.inputs))
    : ticks
  return EStream.concat(EStream.succeed(undefined), wakeups).pipe(
    EStream.buffer({ capacity: 1, strategy: "sliding" }),
    EStream.runForEach(() =>
      Effect.flatMap(
        runOnce(distiller, options),
        (summary) => options.onRun === undefined ? Effect.void : options.onRun(summary)
      )
    )
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Built-in transforms

/** Calls `f` once per window of `width` holding points of `points` within `[start, end)`. */
const eachWindow = (
  slice: Slice,
  f: (values: Float64Array, from: number, to: number) => number
): Columns => {
  const { times, values } = slice.inputs[0]!
  const width = slice.alignment
  const outTimes: Array<bigint> = []
  const outValues: Array<number> = []
  let i = 0
  while (i < times.length && times[i]! < slice.start) i++
  while (i < times.length && times[i]! < slice.end) {
    const window = Distil.windowOf(times[i]!, width)
    let j = i
    while (j < times.length && times[j]! < slice.end && Distil.windowOf(times[j]!, width) === window) j++
    outTimes.push(window)
    outValues.push(f(values, i, j))
    i = j
  }
  return { times: BigInt64Array.from(outTimes), values: Float64Array.from(outValues) }
}

const windowed = (
  width: DurationInput,
  f: (values: Float64Array, from: number, to: number) => number,
  invalid?: Transform["invalid"]
): Transform => ({
  inputs: 1,
  outputs: 1,
  alignment: width,
  compute: (slice) => Effect.sync(() => [eachWindow(slice, f)]),
  ...(invalid === undefined ? {} : { invalid })
})

/**
 * A statistic of {@link downsample}.
 *
 * @example
 * ```ts
 * const stat: Distiller.DownsampleStat = "max"
 * ```
 * @since 0.2.0
 * @category models
 */
export type DownsampleStat = "mean" | "min" | "max" | "count" | "sum"

const STATS: Record<DownsampleStat, (values: Float64Array, from: number, to: number) => number> = {
  mean: (v, a, b) => STATS.sum(v, a, b) / (b - a),
  sum: (v, a, b) => {
    let s = 0
    for (let k = a; k < b; k++) s += v[k]!
    return s
  },
  min: (v, a, b) => {
    let m = Infinity
    for (let k = a; k < b; k++) if (v[k]! < m) m = v[k]!
    return m
  },
  max: (v, a, b) => {
    let m = -Infinity
    for (let k = a; k < b; k++) if (v[k]! > m) m = v[k]!
    return m
  },
  count: (_, a, b) => b - a
}

/**
 * One input, one output: a statistic of each window of `width` (aligned to the epoch) that holds points, at the
 * window's start. Windows without points have no output point.
 *
 * @example
 * ```ts
 * const perSecond = Distiller.downsample({ width: "1 second", stat: "mean" })
 * ```
 * @since 0.2.0
 * @category transforms
 */
export const downsample = (options: { readonly width: DurationInput; readonly stat: DownsampleStat }): Transform =>
  windowed(
    options.width,
    STATS[options.stat] ?? STATS.mean,
    options.stat in STATS ? undefined : { field: "stat", detail: `unknown statistic ${String(options.stat)}` }
  )

/**
 * One input, one output: the root mean square of each window of `width` that holds points, at the window's start.
 *
 * @example
 * ```ts
 * const rms = Distiller.rms({ width: "1 minute" })
 * ```
 * @since 0.2.0
 * @category transforms
 */
export const rms = (options: { readonly width: DurationInput }): Transform =>
  windowed(options.width, (v, a, b) => {
    let s = 0
    for (let k = a; k < b; k++) s += v[k]! * v[k]!
    return Math.sqrt(s / (b - a))
  })

/**
 * One input, one output: the range (max − min) of each window of `width` that holds points, at the window's start.
 *
 * @example
 * ```ts
 * const spread = Distiller.range({ width: "1 minute" })
 * ```
 * @since 0.2.0
 * @category transforms
 */
export const range = (options: { readonly width: DurationInput }): Transform =>
  windowed(options.width, (v, a, b) => STATS.max(v, a, b) - STATS.min(v, a, b))

/**
 * One input, one output: an event detector. For each window of `width` that holds points, 1 when a value sags below
 * `nominal × (1 − threshold)` (a sag deeper than `threshold`, e.g. 0.1 for 10 %), else 0, at the window's start.
 *
 * @example
 * ```ts
 * // the demo's feeder: 7.2 kV nominal, flag the seconds with a sag deeper than 10 %
 * const sags = Distiller.events({ nominal: 7200, threshold: 0.1, width: "1 second" })
 * ```
 * @since 0.2.0
 * @category transforms
 */
export const events = (
  options: { readonly nominal: number; readonly threshold: number; readonly width: DurationInput }
): Transform => {
  const limit = options.nominal * (1 - options.threshold)
  const problem = !Number.isFinite(options.nominal) || options.nominal <= 0
    ? { field: "nominal", detail: `expected a positive number, got ${options.nominal}` }
    : !(options.threshold > 0 && options.threshold < 1)
    ? { field: "threshold", detail: `expected a fraction between 0 and 1, got ${options.threshold}` }
    : undefined
  return windowed(options.width, (v, a, b) => STATS.min(v, a, b) < limit ? 1 : 0, problem)
}
