/**
 * What every handle of a connection shares: the backend and how each public operation is run (its span and its
 * retry policy).
 */
import * as Channel from "effect/Channel"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import type * as Scope from "effect/Scope"
import * as EStream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Retry from "../Retry.js"
import type { Backend } from "./Backend.js"
import { unspannedLeaf, withStreamSpan } from "./streamSpan.js"
import { serverAttributes } from "./tracedBackend.js"

/** The shared state of one connection. */
export interface Client {
  readonly backend: Backend
  /** The connection's default retry policy; a per-call `Retry.withPolicy` wins. */
  readonly retry: Retry.Policy
}

/** The connections that have already said that they did not retry an operation. */
const toldNotRetried = new WeakSet<Client>()

/**
 * The first time on `client` that a non-retryable operation fails with an error the policy in effect would have
 * retried, a warning says so and why: the rule is right (a retry could store points twice) but must not be silent.
 */
const tellNotRetried = <A, E extends Retry.Failure, R>(
  client: Client,
  operation: string,
  effect: Effect.Effect<A, E, R>
) =>
  Effect.tapError(effect, (error) =>
    Effect.flatMap(currentPolicy(client), (policy) => {
      if (policy === Retry.never || toldNotRetried.has(client) || !policy.while(error)) return Effect.void
      toldNotRetried.add(client)
      return Effect.logWarning(
        `effect-btrdb: ${operation} failed with ${describeError(error)} and was not retried: with merge policy ` +
          "\"never\" a retry could store its points twice. Insert with merge \"retain\" or \"replace\" to have " +
          "such failures retried (said once per connection)"
      )
    }))

const describeError = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : String(error)

/** True inside a public operation: an operation another one calls opens no span of its own. */
const InOperation = Context.Reference<boolean>("effect-btrdb/InOperation", { defaultValue: () => false })

/**
 * The span of public operation `operation` (`Stream.insert`, `create` …): named `BTrDB.<operation>`, with the
 * OpenTelemetry database attributes, and the stream's uuid (`btrdb.uuid`) or a set's size (`btrdb.streams`). Its children are the RPC spans (see
 * `tracedBackend.ts`); an operation called from inside another (a set's `count` calling each stream's) is part
 * of the caller's span and opens none.
 */
const spanOptions = (client: Client | undefined, operation: string, target: Target) => ({
  // where the span was opened is always this module: a stack trace per call would cost and tell nothing
  captureStackTrace: false,
  attributes: {
    "db.system.name": "btrdb",
    "db.operation.name": operation,
    ...(client === undefined ? {} : serverAttributes(client.backend.endpoint)),
    ...(target === undefined ? {} : typeof target === "string" ? { "btrdb.uuid": target } : { "btrdb.streams": target })
  }
})

/** What an operation works on: a stream's uuid, or the number of streams of a set. */
type Target = string | number | undefined

/** Runs `effect` as public operation `operation` (see {@link spanOptions}). */
export const operation = <A, E, R>(
  client: Client | undefined,
  operation: string,
  effect: Effect.Effect<A, E, R>,
  target?: Target
): Effect.Effect<A, E, R> =>
  Effect.flatMap(InOperation, (inside) =>
    inside
      ? effect
      : effect.pipe(
        Effect.provideService(InOperation, true),
        Effect.withSpan(`BTrDB.${operation}`, spanOptions(client, operation, target))
      ))

/** Runs the streamed public operation `operation` (see {@link spanOptions}), in one layer (`streamSpan.ts`). */
export const streamOperation = <A, E, R>(
  client: Client | undefined,
  operation: string,
  stream: EStream.Stream<A, E, R>,
  target?: Target
): EStream.Stream<A, E, R> => streamOperationOf(client, operation, Effect.succeed(stream), target)

/**
 * Runs the streamed public operation `operation` whose stream `make` makes (checking the arguments, picking the
 * calls), `make` included in the operation's span.
 */
export const streamOperationOf = <A, E, R, E2, R2>(
  client: Client | undefined,
  operation: string,
  make: Effect.Effect<EStream.Stream<A, E, R>, E2, R2>,
  target?: Target
): EStream.Stream<A, E | E2, R | Exclude<R2, Scope.Scope>> =>
  withStreamSpan(make, `BTrDB.${operation}`, spanOptions(client, operation, target), {
    services: Context.make(InOperation, true),
    unless: InOperation
  })

/**
 * The streamed public operation `operation` of one call, `call(policy)` with the retry policy in effect: as
 * {@link streamOperationOf} runs it, except when no one could see its spans, where the call's stream is run as it
 * is, without the span of the operation and the span of the call (two layers a short read otherwise goes through).
 * No one could: the tracer in effect is effect's native one, which exports nothing, or tracing is off, and the
 * call is not retried, so nothing runs inside the operation but the call (effect's `Tracer.nativeTracer`: runtime
 * code may skip work only a tracing backend could observe). Retried, the attempts run in the operation's span.
 */
export const callOperation = <A, E>(
  client: Client,
  operation: string,
  call: (policy: Retry.Policy) => EStream.Stream<A, E>,
  target?: Target
): EStream.Stream<A, E> =>
  EStream.fromChannel(Channel.fromTransform((upstream, scope) =>
    Effect.withFiber((fiber) => {
      const policy = fiber.getRef(Retry.CurrentPolicy) ?? client.retry
      const stream = call(policy)
      const unseen = policy === Retry.never &&
        (!fiber.getRef(References.TracerEnabled) || fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer)
      const run = (unseen ? unspannedLeaf(stream) : undefined) ??
        streamOperationOf(client, operation, Effect.succeed(stream), target)
      return Channel.toTransform(EStream.toChannel(run))(upstream, scope)
    })
  ))

/**
 * One call of an operation, retried by the policy in effect unless `retryable` is false (a call a retry could
 * repeat, such as an insert with merge policy `never`; its first failure that would have been retried is logged
 * as a warning, see {@link tellNotRetried}).
 */
export const attempt = <A, E extends Retry.Failure, R>(
  client: Client,
  operation: string,
  effect: Effect.Effect<A, E, R>,
  retryable = true
): Effect.Effect<A, E, R> =>
  retryable ? Retry.applyCurrent(effect, client.retry) : tellNotRetried(client, operation, effect)

/** A public operation of one call: {@link attempt} in the operation's span. */
export const run = <A, E extends Retry.Failure, R>(
  client: Client,
  name: string,
  effect: Effect.Effect<A, E, R>,
  uuid?: string,
  retryable = true
): Effect.Effect<A, E, R> => operation(client, name, attempt(client, name, effect, retryable), uuid)

/** The retry policy in effect for a call on `client`: the per-call one, else the connection's default. */
export const currentPolicy = (client: Client): Effect.Effect<Retry.Policy> =>
  Effect.map(Retry.CurrentPolicy, (current) => current ?? client.retry)
