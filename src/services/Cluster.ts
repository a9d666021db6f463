/**
 * Clusters: how the SDK talks to a BTrDB cluster that does not sit behind a proxy (PROTOCOL.md §11).
 *
 * At connect, a server whose `Info` reports a `proxy` is used as the one endpoint of every call. Any other server
 * hands out its MASH, the map of which node serves which part of the uuid hash space (murmur3, seed 1, over the 16
 * uuid bytes): the SDK then sends `create` and every call of a stream to the node that owns its uuid, metadata
 * calls to any live node, over one channel per node. A node that answers 405 (wrong endpoint) or 419 (cluster
 * degraded), or cannot be reached, makes the SDK read the map again (once for all the calls that failed together)
 * and retry under {@link Options.resync}. Nothing changes in the API: the same program runs against one server,
 * a proxy or a cluster.
 *
 * ```ts
 * import { Cluster } from "effect-btrdb"
 *
 * const layer = BTrDB.layer({
 *   endpoint: "node1.example.net:4410",
 *   cluster: { resync: Schedule.spaced("500 millis").pipe(Schedule.upTo({ duration: "10 seconds" })) }
 * })
 * const program = Effect.gen(function*() {
 *   const db = yield* BTrDB.BTrDB
 *   const state: Option.Option<Cluster.ClusterState> = yield* db.cluster
 *   if (Option.isSome(state)) console.log(`MASH revision ${state.value.revision}`)
 * })
 * ```
 *
 * @since 0.2.0
 */
import * as Schedule from "effect/Schedule"
import type * as Retry from "./Retry.js"

/**
 * How routed calls recover from a map that changed under them.
 *
 * @example
 * ```ts
 * import { Cluster } from "effect-btrdb"
 *
 * const options: Cluster.Options = { resync: Schedule.spaced("1 second").pipe(Schedule.upTo({ duration: "1 minute" })) }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The schedule of a routed call's retries after a 405, a 419, an unreachable node or a refused connection;
   * each failure first makes the SDK read the map again. Default {@link defaultResync}. Streamed reads retry only
   * their call's start: a failure in the middle of an answer reaches the caller (a read resumes as it does
   * against one server when its retry policy allows).
   */
  readonly resync?: Schedule.Schedule<unknown, Retry.Failure> | undefined
}

/**
 * The default resync schedule: 300 ms between attempts (as the Go client waits), at most 10 retries.
 *
 * @example
 * ```ts
 * import { Cluster } from "effect-btrdb"
 *
 * const patient = { resync: Cluster.defaultResync.pipe(Schedule.upTo({ duration: "2 seconds" })) }
 * ```
 * @since 0.2.0
 * @category constants
 */
export const defaultResync: Schedule.Schedule<unknown, Retry.Failure> = Schedule.spaced("300 millis").pipe(
  Schedule.upTo({ times: 10 })
)

/**
 * One node of the map, as the SDK sees it.
 *
 * @example
 * ```ts
 * import { Cluster } from "effect-btrdb"
 *
 * const describe = (m: Cluster.Member) => `${m.nodename} [${m.start}, ${m.end}) via ${m.channel?.endpoint ?? "-"}`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Member {
  /** The member's id in the map (what `btrdb.node` names in the RPC spans). */
  readonly hash: number
  readonly nodename: string
  readonly up: boolean
  readonly in: boolean
  /** Its share of the hash space: `[start, end)`, within `[0, 2^32)`. */
  readonly start: number
  readonly end: number
  /** `in && up && start !== end`: only such a member is sent calls. */
  readonly usable: boolean
  /** Its gRPC addresses, tried in order. */
  readonly grpcEndpoints: ReadonlyArray<string>
  /** The SDK's channel to it, when one is open: the address in use and the calls routed to it so far. */
  readonly channel: { readonly endpoint: string; readonly calls: number } | undefined
}

/**
 * The map the SDK routes by.
 *
 * @example
 * ```ts
 * import { Cluster } from "effect-btrdb"
 *
 * const summary = (s: Cluster.ClusterState) => `revision ${s.revision}, ${s.members.filter((m) => m.usable).length} usable`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ClusterState {
  /** The MASH revision the cluster reported last. */
  readonly revision: bigint
  /** How many times the SDK has read the map since connecting (1 after the connect). */
  readonly generation: number
  /** Whether the cluster said it was healthy. */
  readonly healthy: boolean
  /** The address the connection was opened with. */
  readonly bootstrap: string
  readonly members: ReadonlyArray<Member>
}
