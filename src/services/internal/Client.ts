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

/**
 * Runs a public operation: in a span `BTrDB.<operation>` carrying the stream uuid, retried by the policy in effect
 * unless `retryable` is false (an operation a retry could repeat, such as an insert with merge policy `never`).
 */
export const run = <A, E, R>(
  client: Client,
  operation: string,
  effect: Effect.Effect<A, E, R>,
  uuid?: string,
  retryable = true
): Effect.Effect<A, E, R> =>
  (retryable ? Retry.applyCurrent(effect, client.retry) : effect).pipe(
    Effect.withSpan(`BTrDB.${operation}`, {
      attributes: uuid === undefined ? { "db.system.name": "btrdb" } : { "db.system.name": "btrdb", "btrdb.uuid": uuid }
    })
  )

/** The retry policy in effect for a call on `client`: the per-call one, else the connection's default. */
export const currentPolicy = (client: Client): Effect.Effect<Retry.Policy> =>
  Effect.map(Retry.CurrentPolicy, (current) => current ?? client.retry)
