/**
 * Retries as `Schedule`s. Nothing is retried unless asked: give `BTrDB.layer` a default policy, override it per
 * call with {@link withPolicy}, or use {@link transient} on any effect with a schedule of your own.
 *
 * ```ts
 * // the Python client's auto_retry=True: 5 attempts, waiting 3 s, 12 s, 48 s, 192 s between them
 * db.info.pipe(Retry.withPolicy(Retry.policy(Retry.python())))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as E from "../errors/BTrDBError.js"
import { GrpcCode } from "../errors/fromStatus.js"

/**
 * In-band codes that say "try again later": 405 WrongEndpoint, 419 ClusterDegraded, 426 ResourceDepleted,
 * 440 MetadataConnectionError, 453 LockFailed, 455 TierCacheError, 459 TieredStorageTemporaryError.
 *
 * @example
 * ```ts
 * Retry.TRANSIENT_CODES.has(419) // true: ClusterDegraded
 * ```
 * @since 0.1.0
 * @category constants
 */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([405, 419, 426, 440, 453, 455, 459])

/**
 * True for failures worth retrying: the server unreachable, a deadline or resource exhaustion on the transport,
 * and the transient server codes. Never a validation error, `StreamNotFound` or any other answer about the data.
 *
 * @example
 * ```ts
 * Retry.isTransient(new Errors.ConnectionError({ method: "Info", endpoint: "localhost:4410", detail: "refused" })) // true
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (u: unknown): boolean => {
  if (!Predicate.hasProperty(u, E.TypeId)) return false
  if (u instanceof E.ConnectionError) return true
  if (u instanceof E.TransportError) {
    return u.grpcCode === GrpcCode.DEADLINE_EXCEEDED || u.grpcCode === GrpcCode.RESOURCE_EXHAUSTED
  }
  if (u instanceof E.BTrDBServerError || u instanceof E.BTrDBError) return TRANSIENT_CODES.has(u.code)
  return false
}

/**
 * Options of the Python client's retry decorator.
 *
 * @example
 * ```ts
 * const schedule = Retry.python({ retries: 3, delay: "1 second", backoff: 2 })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface PythonOptions {
  /** Attempts in all, the first included (Python's `retries`). Default 5. */
  readonly retries?: number | undefined
  /** The first wait (Python's `retry_delay`). Default 3 seconds. */
  readonly delay?: Duration.Input | undefined
  /** The factor each wait grows by (Python's `retry_backoff`). Default 4. */
  readonly backoff?: number | undefined
}

/**
 * The Python client's algorithm as a `Schedule`: up to `retries` attempts in all, waiting `delay`, then
 * `delay·backoff`, `delay·backoff²` … between them (3, 12, 48, 192 s with the defaults).
 *
 * @example
 * ```ts
 * const layer = BTrDB.layer({ endpoint: "localhost:4410", retry: Retry.policy(Retry.python()) })
 * ```
 * @since 0.1.0
 * @category schedules
 */
export const python = (options: PythonOptions = {}): Schedule.Schedule<number> =>
  Schedule.exponential(options.delay ?? "3 seconds", options.backoff ?? 4).pipe(
    Schedule.upTo({ times: Math.max(0, (options.retries ?? 5) - 1) }),
    Schedule.map(({ attempt }) => attempt)
  )

/**
 * What a policy's schedule and predicates see: the error of the failed attempt, one of the SDK's errors. A schedule
 * of your own can read it once its input is typed so (`Schedule.setInputType<Retry.Failure>()`).
 *
 * @example
 * ```ts
 * // wait longer when the server is out of resources (426) than when it is unreachable
 * const patient = Schedule.exponential("100 millis").pipe(
 *   Schedule.setInputType<Retry.Failure>(),
 *   Schedule.modifyDelay(({ duration, input }) =>
 *     Effect.succeed(input._tag === "BTrDBServerError" && input.code === 426 ? Duration.seconds(5) : duration)
 *   ),
 *   Schedule.upTo({ times: 5 })
 * )
 * const policy = Retry.policy(patient)
 * ```
 * @since 0.2.0
 * @category models
 */
export type Failure = E.Any

/**
 * A retry policy: a schedule and the errors it applies to, both typed by the SDK's errors ({@link Failure}). Any
 * `Schedule` fits, since one that reads no input accepts these too.
 *
 * @example
 * ```ts
 * const policy: Retry.Policy = Retry.policy(Schedule.spaced("1 second").pipe(Schedule.upTo({ duration: "30 seconds" })))
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Policy {
  readonly schedule: Schedule.Schedule<unknown, Failure>
  readonly while: (error: Failure) => boolean
  /** Runs on every failed attempt, the last one included (see {@link tapFailures}). */
  readonly onFailure?: ((error: Failure) => Effect.Effect<void>) | undefined
}

/**
 * A policy retrying with `schedule` while the error {@link isTransient} (or matches `also`).
 *
 * @example
 * ```ts
 * const policy = Retry.policy(Schedule.recurs(3), (e) => e instanceof Errors.StreamNotFound)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const policy = (
  schedule: Schedule.Schedule<unknown, Failure>,
  also?: (error: Failure) => boolean
): Policy => ({ schedule, while: also === undefined ? isTransient : (e) => isTransient(e) || also(e) })

/**
 * The policy that never retries.
 *
 * @example
 * ```ts
 * const once = stream.insert([[1_000n, 1.5]]).pipe(Retry.withPolicy(Retry.never))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const never: Policy = { schedule: Schedule.recurs(0), while: () => false }

/**
 * The same policy, running `f` on every failed attempt of a call: each one it retries and the last one, which
 * fails the call. (A `Schedule.tap` sees only the attempts the schedule decides on, so it misses the last.)
 *
 * @example
 * ```ts
 * const loud = Retry.tapFailures(Retry.policy(Retry.python()), (error) => Console.error(`attempt failed: ${error}`))
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const tapFailures: {
  (f: (error: Failure) => Effect.Effect<void>): (self: Policy) => Policy
  (self: Policy, f: (error: Failure) => Effect.Effect<void>): Policy
} = dual(2, (self: Policy, f: (error: Failure) => Effect.Effect<void>): Policy => {
  const before = self.onFailure
  return { ...self, onFailure: before === undefined ? f : (error) => Effect.andThen(before(error), f(error)) }
})

/**
 * The per-call retry policy in effect, a `Context.Reference`. `undefined` (the default) means "the connection's
 * default policy". {@link withPolicy} sets it around an effect; providing it yourself does the same.
 *
 * @example
 * ```ts
 * const current = Effect.runSync(Retry.CurrentPolicy) // undefined: the connection's default applies
 * const once = db.info.pipe(Effect.provideService(Retry.CurrentPolicy, Retry.never)) // = Retry.withPolicy(Retry.never)
 * ```
 * @since 0.2.0
 * @category references
 */
export const CurrentPolicy: Context.Reference<Policy | undefined> = Context.Reference<Policy | undefined>(
  "effect-btrdb/Retry/CurrentPolicy",
  { defaultValue: () => undefined }
)

/**
 * Runs the BTrDB operations inside `self` with `policy` instead of the connection's default.
 *
 * @example
 * ```ts
 * const info = db.info.pipe(Retry.withPolicy(Retry.policy(Schedule.recurs(2))))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: Policy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: Policy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: Policy) => Effect.provideService(self, CurrentPolicy, policy)
)

/**
 * Retries `self` with `schedule` while its error {@link isTransient}: for effects of your own that call BTrDB.
 *
 * @example
 * ```ts
 * const name = stream.name.pipe(Retry.transient(Schedule.recurs(3)))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const transient: {
  <In>(
    schedule: Schedule.Schedule<unknown, In>
  ): <A, E extends In, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E extends In, R, In>(
    self: Effect.Effect<A, E, R>,
    schedule: Schedule.Schedule<unknown, In>
  ): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, schedule: Schedule.Schedule<unknown, E>) =>
    Effect.retry(self, { schedule, while: isTransient })
)

/**
 * Applies a policy to an effect.
 *
 * @example
 * ```ts
 * const retried = Retry.apply(db.info, Retry.policy(Schedule.recurs(3)))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const apply = <A, E extends Failure, R>(self: Effect.Effect<A, E, R>, p: Policy): Effect.Effect<A, E, R> => {
  const observed = p.onFailure === undefined ? self : Effect.tapError(self, p.onFailure)
  return p === never ? observed : Effect.retry(observed, { schedule: p.schedule, while: p.while })
}

/**
 * Applies the policy in effect for this call: the per-call one set by {@link withPolicy}, else `fallback`.
 *
 * @example
 * ```ts
 * const retried = Retry.applyCurrent(db.info, Retry.never) // a withPolicy around it wins
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const applyCurrent = <A, E extends Failure, R>(
  self: Effect.Effect<A, E, R>,
  fallback: Policy
): Effect.Effect<A, E, R> => Effect.flatMap(CurrentPolicy, (current) => apply(self, current ?? fallback))
