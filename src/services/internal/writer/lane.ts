/**
 * One stream's lane in the batching writer: the batch being filled, the sealed batches and flush requests waiting in
 * offer order, and whether the lane has failed for good. Plain state, changed in synchronous steps; the writer's
 * worker fiber for the lane takes the items one at a time, so a stream's batches are stored in the order offered.
 */
import type * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { concatPoints, type Points } from "../../../schema/Points.js"
import type * as Retry from "../../Retry.js"
import type { Stream } from "../../Stream.js"

/** A batch being filled: copies of the offered columns (a producer may reuse its arrays once its offer returns). */
export class Batch<E> {
  private readonly pieces: Array<Points> = []
  points = 0
  /** Completed when the batch is stored or dropped; made only when a producer waits for it. */
  private done: Deferred.Deferred<void, E> | undefined

  /** `deadline`: when the batch is sealed however few points it holds (clock milliseconds). */
  constructor(readonly deadline: number) {}

  add(times: BigInt64Array, values: Float64Array, from: number, to: number): void {
    this.pieces.push({ times: times.slice(from, to), values: values.slice(from, to), version: 0n })
    this.points += to - from
  }

  /** The batch's points as two columns, in offer order. */
  columns(): { readonly times: BigInt64Array; readonly values: Float64Array } {
    const { times, values } = concatPoints(this.pieces)
    return { times, values }
  }

  /** What a producer waiting for the batch awaits. */
  waiter(): Deferred.Deferred<void, E> {
    return this.done ??= Deferred.makeUnsafe<void, E>()
  }

  complete(effect: Effect.Effect<void, E>): void {
    if (this.done !== undefined) Deferred.doneUnsafe(this.done, effect)
  }
}

/** A wake-up call for one waiting fiber; a call made while nobody waits is kept for the next wait. */
export class Signal {
  private pending = false
  private resume: ((effect: Effect.Effect<void>) => void) | undefined

  notify(): void {
    const resume = this.resume
    if (resume === undefined) {
      this.pending = true
      return
    }
    this.resume = undefined
    resume(Effect.void)
  }

  readonly wait: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (this.pending) {
      this.pending = false
      resume(Effect.void)
      return
    }
    this.resume = resume
    return Effect.sync(() => {
      this.resume = undefined
    })
  })
}

/** What the worker takes next: a sealed batch to insert, or a flush to make after the batches before it. */
export type Item<E> =
  | { readonly _tag: "Batch"; readonly batch: Batch<E> }
  | { readonly _tag: "Flush"; readonly done: Deferred.Deferred<void, E> }

export class Lane<E> {
  /** The batch being filled. */
  open: Batch<E> | undefined = undefined
  /** Sealed batches and flush requests, in offer order. */
  readonly queue: Array<Item<E>> = []
  /** The worker is storing a batch. */
  busy = false
  /** A batch was stored since the last flush. */
  dirty = false
  /** Points offered and not yet sent (the open batch and the queue). */
  queued = 0
  /** Why the lane failed: it then refuses everything. */
  failure: Cause.Cause<E> | undefined = undefined
  /** Wakes the worker: a batch opened, was sealed, or a flush was asked for. */
  readonly wake = new Signal()

  constructor(
    readonly stream: Stream,
    /** The retry policy of its inserts and flushes, when known (see the writer's `retry` option). */
    readonly policy: Retry.Policy | undefined,
    private readonly maxBatchPoints: number,
    private readonly maxBatchAge: number
  ) {}

  /**
   * Adds points to the open batch, sealing each batch that reaches the size bound; `now` (clock milliseconds) starts
   * the age of a new batch. Returns the batch holding the last point.
   */
  append(times: BigInt64Array, values: Float64Array, now: number): Batch<E> | undefined {
    let last: Batch<E> | undefined
    for (let offset = 0; offset < times.length;) {
      if (this.open === undefined) {
        this.open = new Batch<E>(now + this.maxBatchAge)
        this.wake.notify()
      }
      const batch = this.open
      const end = Math.min(times.length, offset + this.maxBatchPoints - batch.points)
      batch.add(times, values, offset, end)
      offset = end
      last = batch
      if (batch.points >= this.maxBatchPoints) this.seal()
    }
    this.queued += times.length
    return last
  }

  /** Queues the open batch, if it holds points. */
  seal(): void {
    if (this.open === undefined) return
    if (this.open.points > 0) this.queue.push({ _tag: "Batch", batch: this.open })
    this.open = undefined
    this.wake.notify()
  }

  /** Whether a flush has something to wait for: points not yet stored, or stored and not yet flushed. */
  get pending(): boolean {
    return this.open !== undefined || this.queue.length > 0 || this.busy || this.dirty
  }

  /** Seals the open batch and queues a flush behind it; what it returns completes once the flush is made. */
  requestFlush(): Deferred.Deferred<void, E> {
    this.seal()
    const done = Deferred.makeUnsafe<void, E>()
    this.queue.push({ _tag: "Flush", done })
    this.wake.notify()
    return done
  }

  /**
   * Fails the lane for good with `cause`: the open batch and everything queued are dropped, and whoever waits for
   * them fails with `cause`. Returns how many points were dropped.
   */
  fail(cause: Cause.Cause<E>): number {
    this.failure = cause
    const failed = Effect.failCause(cause)
    let dropped = 0
    if (this.open !== undefined) {
      dropped += this.open.points
      this.open.complete(failed)
      this.open = undefined
    }
    for (const item of this.queue.splice(0)) {
      if (item._tag === "Flush") {
        Deferred.doneUnsafe(item.done, failed)
      } else {
        dropped += item.batch.points
        item.batch.complete(failed)
      }
    }
    this.queued -= dropped
    return dropped
  }
}
