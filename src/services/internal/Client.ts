/**
 * What every handle of a connection shares: the backend and how each public operation is run (its span and its
 * retry policy).
 */
import * as Effect from "effect/Effect"
import * as Retry from "../Retry.js"
import type { Backend } from "./Backend.js"

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
const tellNotRetried = <A, E, R>(client: Client, operation: string, effect: Effect.Effect<A, E, R>) =>
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

/**
 * Runs a public operation: in a span `BTrDB.<operation>` carrying the stream uuid, retried by the policy in effect
 * unless `retryable` is false (an operation a retry could repeat, such as an insert with merge policy `never`; its
 * first failure that would have been retried is logged as a warning, see {@link tellNotRetried}).
 */
export const run = <A, E, R>(
  client: Client,
  operation: string,
  effect: Effect.Effect<A, E, R>,
  uuid?: string,
  retryable = true
): Effect.Effect<A, E, R> =>
  (retryable ? Retry.applyCurrent(effect, client.retry) : tellNotRetried(client, operation, effect)).pipe(
    Effect.withSpan(`BTrDB.${operation}`, {
      attributes: uuid === undefined ? { "db.system.name": "btrdb" } : { "db.system.name": "btrdb", "btrdb.uuid": uuid }
    })
  )

/** The retry policy in effect for a call on `client`: the per-call one, else the connection's default. */
export const currentPolicy = (client: Client): Effect.Effect<Retry.Policy> =>
  Effect.map(Retry.CurrentPolicy, (current) => current ?? client.retry)
