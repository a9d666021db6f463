/**
 * The writer's bound on buffered points: a count of points held (offered and not yet stored) that may not pass the
 * capacity. A producer whose points do not fit waits, first come first served, and its points are added to the
 * buffer by whoever frees the room, in the same synchronous step as the room is taken: so an interrupted producer
 * either has its points in the buffer or has taken no room, and room is never lost.
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"

/** Adds the points to the buffer once their room is taken; a cause refuses them (the room is given back). */
export type Grant<E> = () => Cause.Cause<E> | undefined

interface Waiter<E> {
  readonly points: number
  readonly key: unknown
  readonly grant: Grant<E>
  readonly resume: (effect: Effect.Effect<void, E>) => void
}

export class Budget<E> {
  private used = 0
  private readonly waiters: Array<Waiter<E>> = []

  constructor(readonly capacity: number) {}

  /** The points held. */
  get held(): number {
    return this.used
  }

  /** How many producers wait for room. */
  get waiting(): number {
    return this.waiters.length
  }

  /**
   * Takes room for `points` (at most the capacity), waiting for it when the buffer is full, and runs `grant` in the
   * same step. `key` names what the points are for (see {@link refuse}).
   */
  acquire(points: number, key: unknown, grant: Grant<E>): Effect.Effect<void, E> {
    return Effect.suspend(() => {
      if (this.waiters.length === 0 && this.used + points <= this.capacity) return this.take(points, grant)
      return Effect.callback<void, E>((resume) => {
        const waiter: Waiter<E> = { points, key, grant, resume }
        this.waiters.push(waiter)
        // interrupted while waiting: no room was taken (a waiter given room is no longer in the list)
        return Effect.sync(() => {
          const i = this.waiters.indexOf(waiter)
          if (i >= 0) this.waiters.splice(i, 1)
        })
      })
    })
  }

  /** Gives back the room of `points` and lets the waiters that now fit in, in order. */
  release(points: number): void {
    this.used -= points
    while (this.waiters.length > 0 && this.used + this.waiters[0]!.points <= this.capacity) {
      const waiter = this.waiters.shift()!
      waiter.resume(this.take(waiter.points, waiter.grant))
    }
  }

  /** Fails, with `cause`, every producer waiting with `key`. */
  refuse(key: unknown, cause: Cause.Cause<E>): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!
      if (waiter.key !== key) continue
      this.waiters.splice(i, 1)
      waiter.resume(Effect.failCause(cause))
    }
    this.release(0) // the waiters behind a refused one may fit now
  }

  private take(points: number, grant: Grant<E>): Effect.Effect<void, E> {
    this.used += points
    const refused = grant()
    if (refused === undefined) return Effect.void
    this.release(points)
    return Effect.failCause(refused)
  }
}
