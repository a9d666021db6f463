/**
 * A batching writer for live ingest: points from any number of producers for any number of streams go into one
 * writer, which gathers them per stream into batches (sealed at `maxBatchPoints` points or `maxBatchAge` after their
 * first point, whichever comes first) and inserts them, several streams at once (at most `maxInFlight` batches in
 * flight) and each stream's batches in the order offered.
 *
 * Memory stays bounded: the writer holds at most `maxBufferedPoints` points offered and not yet stored, and a
 * producer whose points do not fit waits (backpressure). `flush` returns once everything offered before it is
 * durable (each stream's Flush after its inserts); closing the writer's scope flushes. Nothing offered is dropped
 * silently: a batch that fails for good fails its stream's lane, and every producer of that stream learns it, as
 * the typed error of the insert or flush (`write`, a later `offer`, `flush`, the end of a `sink`); the other streams
 * go on. Transient failures are retried under the SDK's rules (`Retry`): with merge policy `"never"` (the default
 * of inserts) an insert is never retried, since a repeat could store its points twice; write with `merge:
 * "replace"` or `"retain"` to have them retried.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.make({ merge: "replace" })
 *   yield* writer.offer(stream, { times: BigInt64Array.of(1_000n, 2_000n), values: Float64Array.of(1.5, 2.5) })
 *   yield* writer.flush // durable
 * }).pipe(Effect.scoped) // closing the scope flushes too
 * ```
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Sink from "effect/Sink"
import type * as E from "../errors/BTrDBError.js"
import { type InsertData, MergePolicy } from "../schema/Points.js"
import { NanosFromDuration } from "../schema/Time.js"
import { BTrDB } from "./BTrDB.js"
import { columns } from "./internal/stream/arguments.js"
import { connectionOf } from "./internal/stream/handle.js"
import { validate } from "./internal/validate.js"
import { Budget } from "./internal/writer/budget.js"
import { type Batch, Lane } from "./internal/writer/lane.js"
import * as Retry from "./Retry.js"
import type * as Stream from "./Stream.js"

/**
 * @example
 * ```ts
 * const isWriter = (u: object) => Writer.TypeId in u
 * ```
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-btrdb/Writer")

/**
 * @example
 * ```ts
 * const id: Writer.TypeId = Writer.TypeId
 * ```
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * What a write can fail with: exactly the errors of `Stream.insert` and `Stream.flush` (an offer refused before
 * anything is buffered is an `InvalidArgument` naming the field; a stream that does not exist is `StreamNotFound`).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.Writer
 *   const flushed: Effect.Effect<void, Writer.WriteErrors> = writer.flush
 * })
 * ```
 * @since 0.2.0
 * @category errors
 */
export type WriteErrors = Stream.InsertErrors | Stream.MetadataErrors

/**
 * A stream to write to: a handle, or its UUID.
 *
 * @example
 * ```ts
 * const target: Writer.StreamInput = "f98f4b4e-9fab-46b5-8a80-f282059d69b1"
 * ```
 * @since 0.2.0
 * @category models
 */
export type StreamInput = Stream.Stream | string

/**
 * Points for one stream, as `offerAll` takes them.
 *
 * @example
 * ```ts
 * const offer: Writer.Offer = { stream, data: { times: BigInt64Array.of(1_000n), values: Float64Array.of(1.5) } }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Offer {
  readonly stream: StreamInput
  readonly data: InsertData
}

/**
 * Options of {@link make}; every one has a default.
 *
 * @example
 * ```ts
 * const options: Writer.Options = {
 *   maxBatchPoints: 10_000,
 *   maxBatchAge: "50 millis",
 *   maxInFlight: 4,
 *   maxBufferedPoints: 200_000,
 *   merge: "replace",
 *   attributes: { writer: "pmu" }
 * }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** A batch is sealed when it holds this many points. Default 50 000 (one Insert call). */
  readonly maxBatchPoints?: number | undefined
  /** A batch is sealed this long after its first point, however few it holds. Default 100 milliseconds. */
  readonly maxBatchAge?: Duration.Input | undefined
  /** At most this many batches are being inserted at once, over all streams. Default 8. */
  readonly maxInFlight?: number | undefined
  /**
   * The points held at most, offered and not yet stored; a producer whose points do not fit waits. Default 1 000 000
   * (16 MB of columns). An offer larger than this goes in in parts.
   */
  readonly maxBufferedPoints?: number | undefined
  /** The merge policy of the inserts (see `Points.MergePolicy`). Default `"never"`, as `Stream.insert`. */
  readonly merge?: MergePolicy | undefined
  /**
   * The retry policy of the inserts and flushes. Default: the one in effect where the writer is made
   * (`Retry.withPolicy`), else the connection's. An insert with merge policy `"never"` is never retried.
   */
  readonly retry?: Retry.Policy | undefined
  /** Attributes added to the writer's metrics, to tell writers apart. */
  readonly attributes?: Readonly<Record<string, string>> | undefined
}

/**
 * What a writer has done so far, its own figures (the metrics add up every writer sharing their attributes).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.Writer
 *   const { pointsWritten, bufferedPoints } = yield* writer.stats
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Stats {
  /** Points offered and not yet stored (the bound is `maxBufferedPoints`). */
  readonly bufferedPoints: number
  /** Points offered and not yet sent. */
  readonly queuedPoints: number
  /** Batches being inserted. */
  readonly batchesInFlight: number
  /** Points stored. */
  readonly pointsWritten: number
  /** Batches stored. */
  readonly batchesWritten: number
  /** Attempts repeated after a transient failure (inserts and flushes). */
  readonly retries: number
  /** Producers waiting for room. */
  readonly waitingProducers: number
  /** Streams whose lane failed for good. */
  readonly failedStreams: number
}

/**
 * The writer.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer: Writer.Service = yield* Writer.Writer
 *   yield* writer.offer(stream, [[1_000n, 1.5]])
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Service {
  readonly [TypeId]: TypeId
  /**
   * Buffers points for a stream and returns once they are in the buffer (waiting for room when it is full). The
   * data is what `Stream.insert` takes, copied, so the caller may reuse its arrays. Fails with `InvalidArgument` for
   * bad points (nothing of the offer is buffered), or with the error that failed the stream's lane before.
   *
   * ```ts
   * const program = Effect.gen(function*() {
   *   const writer = yield* Writer.Writer
   *   yield* writer.offer(stream, { times: BigInt64Array.of(1_000n), values: Float64Array.of(1.5) })
   * })
   * ```
   */
  readonly offer: (stream: StreamInput, data: InsertData) => Effect.Effect<void, WriteErrors>
  /** Offers each in turn. */
  readonly offerAll: (offers: Iterable<Offer>) => Effect.Effect<void, WriteErrors>
  /**
   * Offers the points and waits until they are stored (their batch inserted, not yet flushed); fails with the error
   * of their batch.
   */
  readonly write: (stream: StreamInput, data: InsertData) => Effect.Effect<void, WriteErrors>
  /**
   * A `Sink` offering every element it takes to `stream`; it ends once they are durable (the stream flushed).
   *
   * ```ts
   * const program = Effect.gen(function*() {
   *   const writer = yield* Writer.Writer
   *   const pages = Stream.make({ times: BigInt64Array.of(1_000n), values: Float64Array.of(1.5) })
   *   yield* Stream.run(pages, writer.sink(stream))
   * })
   * ```
   */
  readonly sink: (stream: StreamInput) => Sink.Sink<void, InsertData, never, WriteErrors>
  /**
   * Returns once everything offered before it is durable: every stream's batches inserted, then the stream flushed.
   * Fails with the error of a stream whose lane failed (after flushing the others).
   */
  readonly flush: Effect.Effect<void, WriteErrors>
  /** The writer's figures now. */
  readonly stats: Effect.Effect<Stats>
}

/**
 * The writer as a service (see {@link layer}).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.Writer
 *   yield* writer.flush
 * })
 * ```
 * @since 0.2.0
 * @category tags
 */
export class Writer extends Context.Service<Writer, Service>()("effect-btrdb/Writer") {}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

/**
 * Points stored by writers (a counter: its rate is the points per second).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { count } = yield* Metric.value(Writer.pointsWritten)
 * })
 * import { Metric } from "effect"
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const pointsWritten: Metric.Counter<number> = Metric.counter("btrdb_writer_points_written", {
  description: "points stored by the batching writer",
  incremental: true
})

/**
 * Batches stored by writers.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { count } = yield* Metric.value(Writer.batchesWritten)
 * })
 * import { Metric } from "effect"
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const batchesWritten: Metric.Counter<number> = Metric.counter("btrdb_writer_batches_written", {
  description: "batches stored by the batching writer",
  incremental: true
})

/**
 * Batches being inserted.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { value } = yield* Metric.value(Writer.batchesInFlight)
 * })
 * import { Metric } from "effect"
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const batchesInFlight: Metric.Gauge<number> = Metric.gauge("btrdb_writer_batches_in_flight", {
  description: "batches the batching writer is inserting"
})

/**
 * Points offered and not yet sent (the queue depth, in points).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { value } = yield* Metric.value(Writer.queueDepth)
 * })
 * import { Metric } from "effect"
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const queueDepth: Metric.Gauge<number> = Metric.gauge("btrdb_writer_queue_depth", {
  description: "points offered to the batching writer and not yet sent"
})

/**
 * Attempts repeated after a transient failure (inserts and flushes).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { count } = yield* Metric.value(Writer.retries)
 * })
 * import { Metric } from "effect"
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const retries: Metric.Counter<number> = Metric.counter("btrdb_writer_retries", {
  description: "attempts the batching writer repeated after a transient failure",
  incremental: true
})

// ---------------------------------------------------------------------------------------------------------------
// Constructors

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

const OptionsSchema = Schema.Struct({
  maxBatchPoints: Count,
  maxInFlight: Count,
  maxBufferedPoints: Count,
  merge: MergePolicy
})

/** The connection's default policy, held by the SDK's own handles (a test double holds none). */
const connectionPolicy = (stream: Stream.Stream): Retry.Policy | undefined => connectionOf([stream])?.retry

/**
 * Makes a writer in the current scope; closing the scope flushes it (a failure then is logged) and stops it. Bad
 * options (a bound that is not a positive integer, an unknown merge policy, an age that is not a duration) fail
 * with `InvalidArgument` naming the option.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.make({ maxBatchPoints: 10_000, maxBatchAge: "50 millis", merge: "replace" })
 *   yield* writer.offer(stream, { times: BigInt64Array.of(1_000n), values: Float64Array.of(1.5) })
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, E.InvalidArgument, BTrDB | Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* validate("Writer.make", "options", OptionsSchema, {
      maxBatchPoints: options.maxBatchPoints ?? 50_000,
      maxInFlight: options.maxInFlight ?? 8,
      maxBufferedPoints: options.maxBufferedPoints ?? 1_000_000,
      merge: options.merge ?? "never"
    })
    const maxBatchAge = Number(
      (yield* validate("Writer.make", "maxBatchAge", NanosFromDuration, options.maxBatchAge ?? "100 millis")) /
        1_000_000n
    )
    const db = yield* BTrDB
    // the lanes' workers, stopped by the writer's finalizer once it has flushed
    const workers = yield* Scope.make()
    const context = yield* Effect.context<never>()
    const clock = yield* Clock.Clock
    const policyInEffect = options.retry ?? (yield* Retry.CurrentPolicy)
    const inFlight = yield* Semaphore.make(settings.maxInFlight)
    const budget = new Budget<WriteErrors>(settings.maxBufferedPoints)
    const piece = Math.min(settings.maxBatchPoints, settings.maxBufferedPoints)

    const attributes = options.attributes
    const metric = <M extends Metric.Metric<number, unknown>>(m: M): M =>
      attributes === undefined ? m : Metric.withAttributes(m, attributes) as M
    const m = {
      points: metric(pointsWritten),
      batches: metric(batchesWritten),
      inFlight: metric(batchesInFlight),
      queued: metric(queueDepth),
      retries: metric(retries)
    }
    const counts = { queued: 0, inFlight: 0, points: 0, batches: 0, retries: 0 }
    const count = (key: keyof typeof counts, n: number) => {
      if (n === 0) return
      counts[key] += n
      m[key].modifyUnsafe(n, context)
    }

    const lanes = new Map<string, Lane<WriteErrors>>()
    const aliases = new Map<string, Lane<WriteErrors>>()
    let closed = false

    /** Fails a lane for good: what it held is dropped (its waiters fail with `cause`), its producers refused. */
    const failLane = (lane: Lane<WriteErrors>, cause: Cause.Cause<WriteErrors>) => {
      const dropped = lane.fail(cause)
      count("queued", -dropped)
      budget.release(dropped)
      budget.refuse(lane, cause)
    }

    /** Runs an insert or a flush of `lane` under its policy, counting the attempts repeated. */
    const counted = <A>(lane: Lane<WriteErrors>, effect: Effect.Effect<A, WriteErrors>) =>
      Effect.suspend(() => {
        if (lane.policy === undefined) return effect
        let failures = 0
        const observed = Retry.tapFailures(lane.policy, () =>
          Effect.sync(() => {
            failures++
          }))
        // every failed attempt is seen, the last one included: that one was not repeated
        return Retry.withPolicy(effect, observed).pipe(
          Effect.onExit((exit) =>
            Effect.sync(() => count("retries", Math.max(0, Exit.isSuccess(exit) ? failures : failures - 1)))
          )
        )
      })

    const storeBatch = (lane: Lane<WriteErrors>, batch: Batch<WriteErrors>) =>
      inFlight.withPermits(1)(Effect.suspend(() => {
        lane.queued -= batch.points
        count("queued", -batch.points)
        count("inFlight", 1)
        const insert = lane.stream.insert(batch.columns(), { merge: settings.merge }).pipe(
          (effect) => counted(lane, effect),
          Effect.withSpan("BTrDB.Writer.batch", {
            attributes: { "db.system.name": "btrdb", "btrdb.uuid": lane.stream.uuid, "btrdb.points": batch.points }
          }),
          Effect.exit
        )
        return Effect.map(insert, (exit) => {
          count("inFlight", -1)
          budget.release(batch.points)
          if (Exit.isSuccess(exit)) {
            lane.dirty = true
            count("points", batch.points)
            count("batches", 1)
            batch.complete(Effect.void)
          } else {
            // the lane refuses before its waiters learn why (a waiter resumes at once, and may offer again)
            failLane(lane, exit.cause)
            batch.complete(Effect.failCause(exit.cause))
          }
        })
      }))

    const flushLane = (lane: Lane<WriteErrors>, done: Deferred.Deferred<void, WriteErrors>) => {
      if (!lane.dirty) return Deferred.done(done, Exit.void)
      return Effect.flatMap(Effect.exit(counted(lane, lane.stream.flush)), (exit) => {
        if (Exit.isSuccess(exit)) lane.dirty = false
        else failLane(lane, exit.cause)
        return Deferred.done(done, Exit.asVoid(exit))
      })
    }

    /** A lane's worker: stores its items in order, and seals its open batch when it is old enough. */
    const worker = (lane: Lane<WriteErrors>) =>
      Effect.gen(function*() {
        while (true) {
          const item = lane.queue.shift()
          if (item?._tag === "Batch") {
            lane.busy = true
            yield* storeBatch(lane, item.batch)
            lane.busy = false
          } else if (item !== undefined) {
            yield* flushLane(lane, item.done)
          } else if (lane.open !== undefined) {
            const wait = lane.open.deadline - clock.currentTimeMillisUnsafe()
            if (wait <= 0) lane.seal()
            else yield* Effect.timeoutOption(lane.wake.wait, wait)
          } else {
            yield* lane.wake.wait
          }
        }
      })

    const laneFor = (stream: Stream.Stream): Effect.Effect<Lane<WriteErrors>> =>
      Effect.suspend(() => {
        const known = lanes.get(stream.uuid)
        if (known !== undefined) return Effect.succeed(known)
        const lane = new Lane<WriteErrors>(
          stream,
          policyInEffect ?? connectionPolicy(stream),
          settings.maxBatchPoints,
          maxBatchAge
        )
        lanes.set(stream.uuid, lane)
        return worker(lane).pipe(Effect.provideContext(context), Effect.forkIn(workers), Effect.as(lane))
      })

    const laneOf = (input: StreamInput): Effect.Effect<Lane<WriteErrors>, WriteErrors> => {
      if (closed) return Effect.die(new Error("effect-btrdb Writer: offered after the writer's scope closed"))
      if (typeof input !== "string") return laneFor(input)
      const known = aliases.get(input)
      if (known !== undefined) return Effect.succeed(known)
      return db.streamFromUuid(input).pipe(
        Effect.flatMap(laneFor),
        Effect.tap((lane) => Effect.sync(() => aliases.set(input, lane)))
      )
    }

    /** Buffers the points; with `wait`, what completes once the last of them is stored. */
    const put = (input: StreamInput, data: InsertData, wait: boolean) =>
      Effect.gen(function*() {
        const lane = yield* laneOf(input)
        const { times, values } = yield* columns("Writer.offer", data)
        if (lane.failure !== undefined) return yield* Effect.failCause(lane.failure)
        let done: Deferred.Deferred<void, WriteErrors> | undefined
        for (let offset = 0; offset < times.length; offset += piece) {
          const end = Math.min(times.length, offset + piece)
          yield* budget.acquire(end - offset, lane, () => {
            if (lane.failure !== undefined) return lane.failure
            const last = lane.append(
              times.subarray(offset, end),
              values.subarray(offset, end),
              clock.currentTimeMillisUnsafe()
            )
            count("queued", end - offset)
            if (wait) done = last?.waiter()
            return undefined
          })
        }
        return done
      })

    const offer = (stream: StreamInput, data: InsertData) => Effect.asVoid(put(stream, data, false))

    const flushLanes = (targets: Iterable<Lane<WriteErrors>>): Effect.Effect<void, WriteErrors> =>
      Effect.suspend(() => {
        let failure: Cause.Cause<WriteErrors> | undefined
        const waits: Array<Deferred.Deferred<void, WriteErrors>> = []
        for (const lane of targets) {
          if (lane.failure !== undefined) failure ??= lane.failure
          else if (lane.pending) waits.push(lane.requestFlush())
        }
        return Effect.forEach(waits, (done) => Effect.exit(Deferred.await(done)), { concurrency: "unbounded" }).pipe(
          Effect.flatMap((exits) => {
            for (const exit of exits) if (Exit.isFailure(exit)) failure ??= exit.cause
            return failure === undefined ? Effect.void : Effect.failCause(failure)
          })
        )
      })

    const flush = Effect.withSpan(Effect.suspend(() => flushLanes(lanes.values())), "BTrDB.Writer.flush", {
      attributes: { "db.system.name": "btrdb" }
    })

    const healthy = () => Array.from(lanes.values()).filter((lane) => lane.failure === undefined)

    /**
     * Flushes the lanes that have not failed until nothing is left, the producers that were waiting for room
     * included, then logs why the failed lanes lost points.
     */
    const drain: Effect.Effect<void> = Effect.suspend(() =>
      Effect.flatMap(Effect.exit(flushLanes(healthy())), () => {
        if (budget.waiting > 0 || healthy().some((lane) => lane.pending)) return drain
        const failed = Array.from(lanes.values()).filter((lane) => lane.failure !== undefined)
        return failed.length === 0 ? Effect.void : Effect.logError(
          `effect-btrdb Writer: the points offered to ${failed.length} stream(s) were not all written`,
          ...failed.map((lane) => `${lane.stream.uuid}: ${Cause.pretty(lane.failure!)}`)
        )
      })
    )
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        return Effect.ensuring(drain, Scope.close(workers, Exit.void))
      })
    )

    const service: Service = {
      [TypeId]: TypeId,
      offer,
      offerAll: (offers) => Effect.forEach(offers, ({ data, stream }) => offer(stream, data), { discard: true }),
      write: (stream, data) =>
        Effect.flatMap(put(stream, data, true), (done) => done === undefined ? Effect.void : Deferred.await(done)),
      sink: (stream) =>
        Sink.forEach((data: InsertData) => offer(stream, data)).pipe(
          Sink.mapEffect(() => Effect.flatMap(laneOf(stream), (lane) => flushLanes([lane])))
        ),
      flush,
      stats: Effect.sync(() => ({
        bufferedPoints: budget.held,
        queuedPoints: counts.queued,
        batchesInFlight: counts.inFlight,
        pointsWritten: counts.points,
        batchesWritten: counts.batches,
        retries: counts.retries,
        waitingProducers: budget.waiting,
        failedStreams: Array.from(lanes.values()).filter((l) => l.failure !== undefined).length
      }))
    }
    return service
  })

/**
 * The writer as a layer: made when the layer is built, flushed and stopped when its scope closes.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const writer = yield* Writer.Writer
 *   yield* writer.offer(stream, [[1_000n, 1.5]])
 * })
 * const main = program.pipe(
 *   Effect.provide(Writer.layer({ merge: "replace" }).pipe(Layer.provideMerge(BTrDB.layerMemory())))
 * )
 * import { Layer } from "effect"
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Writer, E.InvalidArgument, BTrDB> =>
  Layer.effect(Writer, make(options))
