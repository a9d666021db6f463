/**
 * The `Backend` of a cluster that is not behind a proxy (PROTOCOL.md §11): every call goes to a node picked from
 * the MASH, over one gRPC channel per node, so the service logic above stays what it is for one server.
 *
 * - Create and every call of one stream go to the node that owns the stream's uuid (murmur3 seed 1 over its 16
 *   bytes); a uuid no usable member owns fails with 419 (ClusterDegraded) without a call, as in the Go client.
 *   ArrowMultiValues, which names several streams and which no cluster protocol places, goes to the owner of its
 *   first uuid. Subscribe opens one call per owning node and merges their answers.
 * - The metadata calls (Info, LookupStreams, ListCollections, SQLQuery, GetMetadataUsage) go to the usable members
 *   in turn, or to the bootstrap address when there is none. A member's Info reports no proxy; the SDK's
 *   `ServerInfo.proxy.proxyEndpoints` then lists the first address of each usable member, the endpoints that
 *   serve the calls.
 * - A 405 (wrong endpoint), a 419, or a lost node (`ConnectionError`: gRPC UNAVAILABLE, a refused connection; or
 *   a call the node's going away cancelled) makes the backend read the map again, at most once per generation of the map however many calls
 *   failed together, and retry the call under the `resync` schedule. A node that could not be reached loses its
 *   channel and is reached at its next address next time. An insert with merge policy "never" is retried only
 *   after a 405 or a 419 (the server refused it, so nothing was stored); after a lost connection a retry could store
 *   its points twice. A streamed call retries only its start (until its first page); a failure after that reaches
 *   the caller, after triggering the resync, and the caller's resumable read takes it from there.
 * - Each routed call annotates its RPC span (see `tracedBackend.ts`) with the node it went to:
 *   `server.address`/`server.port` of the address used and `btrdb.node`, the member's hash.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Pull from "effect/Pull"
import type * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import * as E from "../../../errors/BTrDBError.js"
import { GrpcCode } from "../../../errors/fromStatus.js"
import { type RpcErrors, statusError } from "../../../errors/internal/rpcErrors.js"
import type { Connection } from "../../../internal/grpc/Connection.js"
import type { RpcName } from "../../../internal/grpc/proto.js"
import type { MergePolicy } from "../../../schema/Points.js"
import { ServerInfo } from "../../../schema/ServerInfo.js"
import { toBytes, type Uuid } from "../../../schema/Uuid.js"
import type { ClusterState } from "../../Cluster.js"
import type * as Retry from "../../Retry.js"
import type { Backend } from "../Backend.js"
import * as GrpcBackend from "../grpcBackend.js"
import { serverAttributes } from "../tracedBackend.js"
import * as Mash from "./mash.js"

/** What the routing backend needs. */
export interface RoutingOptions {
  /** The channel the connection was opened with: asked for the map when no member answers. */
  readonly bootstrap: Connection
  /** Opens a channel to one address, with the bootstrap's TLS and API key. */
  readonly open: (endpoint: string) => Effect.Effect<Connection, never, Scope.Scope>
  /** The retries of a call after a routing failure. */
  readonly resync: Schedule.Schedule<unknown, Retry.Failure>
  /** How long one read of the map may take on one address. Default 2 seconds. */
  readonly readTimeout?: number | undefined
}

/** An open channel to a node. */
interface Channel {
  readonly endpoint: string
  readonly connection: Connection
  readonly backend: Backend
  /** Closes it; `undefined` for the bootstrap channel, which the connection's scope closes. */
  readonly scope: Scope.Closeable | undefined
}

/** A node the backend knows, with its channel when one is open. */
interface Node {
  member: Mash.MashMember
  /** Which of the member's addresses to use next. */
  endpointIndex: number
  channel: Channel | undefined
  calls: number
}

/**
 * The map of the server behind `connection`: `undefined` when the server reports a proxy (PROTOCOL.md §11's
 * proxied mode) or no map with members.
 */
export const readMash = (connection: Connection): Effect.Effect<Mash.Mash | undefined, RpcErrors<"Info">> =>
  Effect.map(
    connection.unary("Info", {}),
    (r) => r.proxy !== null && r.proxy !== undefined ? undefined : Mash.fromWire(r.mash)
  )

/** The codes that say "the map you routed by is not the cluster's": wrong endpoint, cluster degraded. */
const isRefusedByMap = (e: unknown): boolean =>
  Predicate.hasProperty(e, E.TypeId) && Predicate.hasProperty(e, "code") && (e.code === 405 || e.code === 419)

/**
 * A node lost: unreachable (`ConnectionError`: gRPC UNAVAILABLE, a refused connection), or gone while the call was
 * open (gRPC CANCELLED coming from the transport: the SDK's own cancellations never surface as errors).
 */
const isNodeLost = (e: unknown): boolean =>
  e instanceof E.ConnectionError || (e instanceof E.TransportError && e.grpcCode === GrpcCode.CANCELLED)

/** The failures after which a call is retried on a freshly read map. */
export const isRoutingFailure = (e: unknown): boolean => isNodeLost(e) || isRefusedByMap(e)

/** A call that a retry after a lost connection could apply twice retries only when refused by the map. */
const retriesFor = (policy: MergePolicy) => policy === "never" ? isRefusedByMap : isRoutingFailure

/**
 * A backend routing by `initial` (the map read at connect), with its cluster state as `cluster`. Its channels close
 * with the current scope.
 */
export const make = (
  options: RoutingOptions,
  initial: Mash.Mash
): Effect.Effect<Backend & { readonly cluster: Effect.Effect<Option.Option<ClusterState>> }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const bootstrapEndpoint = options.bootstrap.endpoint
    const state = { mash: initial, generation: 1, next: 0 }
    const nodes = new Map<number, Node>()
    const bootstrapNode: Node = {
      member: { hash: 0, nodename: "bootstrap", up: true, in: true, start: 0, end: 0, grpcEndpoints: [] },
      endpointIndex: 0,
      channel: {
        endpoint: bootstrapEndpoint,
        connection: options.bootstrap,
        backend: GrpcBackend.make(options.bootstrap),
        scope: undefined
      },
      calls: 0
    }
    const resyncLock = yield* Semaphore.make(1)
    const readTimeout = options.readTimeout ?? 2000

    const closeChannel = (node: Node): Effect.Effect<void> => {
      const channel = node.channel
      node.channel = undefined
      return channel?.scope === undefined ? Effect.void : Scope.close(channel.scope, Exit.void)
    }
    yield* Effect.addFinalizer(() => Effect.forEach([...nodes.values()], closeChannel, { discard: true }))

    /** The node of `member`, replacing a node of the same hash reached another way. */
    const nodeOf = (member: Mash.MashMember): Node => {
      const known = nodes.get(member.hash)
      if (known !== undefined && Mash.sameNode(known.member, member)) return known
      if (known !== undefined) Effect.runFork(closeChannel(known))
      const node: Node = { member, endpointIndex: 0, channel: undefined, calls: 0 }
      nodes.set(member.hash, node)
      return node
    }

    const channelOf = (node: Node): Effect.Effect<Channel> =>
      Effect.suspend(() => {
        if (node.channel !== undefined) return Effect.succeed(node.channel)
        const endpoints = node.member.grpcEndpoints
        const endpoint = endpoints[node.endpointIndex % Math.max(endpoints.length, 1)] ?? bootstrapEndpoint
        return Effect.gen(function*() {
          const scope = yield* Scope.make()
          const connection = yield* options.open(endpoint).pipe(Scope.provide(scope))
          if (node.channel !== undefined) {
            // another call opened one meanwhile
            yield* Scope.close(scope, Exit.void)
            return node.channel
          }
          const channel: Channel = { endpoint, connection, backend: GrpcBackend.make(connection), scope }
          node.channel = channel
          return channel
        })
      })

    /** Reads the map from the open channels, then the bootstrap address, then the other members. */
    const readMap = Effect.gen(function*() {
      const tried = new Set<string>()
      const attempt = (connection: Effect.Effect<Channel>) =>
        Effect.flatMap(connection, (channel) => {
          if (tried.has(channel.endpoint)) return Effect.succeed(Option.none<Mash.Mash>())
          tried.add(channel.endpoint)
          return Effect.option(Effect.timeout(readMash(channel.connection), readTimeout))
        }).pipe(Effect.map((found) => Option.flatMap(found, Option.fromNullishOr)))
      const sources: Array<Effect.Effect<Channel>> = [
        ...[...nodes.values()].flatMap((n) => n.channel === undefined ? [] : [Effect.succeed(n.channel)]),
        Effect.succeed(bootstrapNode.channel!),
        ...state.mash.members.map((m) => channelOf(nodeOf(m)))
      ]
      for (const source of sources) {
        const found = yield* attempt(source)
        if (Option.isSome(found)) return found
      }
      return Option.none<Mash.Mash>()
    })

    /** Takes `mash`: members gone, unusable or reached another way lose their node and channel. */
    const apply = (mash: Mash.Mash) =>
      Effect.suspend(() => {
        state.mash = mash
        const stale: Array<Node> = []
        for (const [hash, node] of nodes) {
          const member = mash.members.find((m) => m.hash === hash)
          if (member === undefined || !Mash.isUsable(member) || !Mash.sameNode(member, node.member)) {
            nodes.delete(hash)
            stale.push(node)
          } else {
            node.member = member
          }
        }
        return Effect.forEach(stale, closeChannel, { discard: true })
      })

    /** Reads the map again unless it has been read since generation `seen`; one at a time. */
    const resync = (seen: number): Effect.Effect<void> =>
      resyncLock.withPermits(1)(Effect.suspend(() => {
        if (seen !== state.generation) return Effect.void
        return readMap.pipe(
          Effect.flatMap(Option.match({ onNone: () => Effect.void, onSome: apply })),
          Effect.ensuring(Effect.sync(() => {
            state.generation++
          }))
        )
      }))

    /** After a routing failure of a call started at generation `seen` on `node`. */
    const afterFailure = (error: unknown, seen: number, node: Node | undefined): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (node !== undefined && node !== bootstrapNode && isNodeLost(error)) {
          node.endpointIndex++
          yield* closeChannel(node)
        }
        yield* resync(seen)
      })

    const degraded = <R extends RpcName>(rpc: R, uuid: Uuid): RpcErrors<R> =>
      statusError(
        { method: rpc, uuid },
        419,
        `cluster degraded: no usable member of MASH revision ${state.mash.revision} owns stream ${uuid}`
      )

    /** The owner of `uuid`, or the 419 of a degraded map. */
    const ownerOf = <R extends RpcName>(rpc: R, uuid: Uuid): Effect.Effect<Node, RpcErrors<R>> =>
      Effect.suspend(() => {
        const member = Mash.ownerOf(state.mash, toBytes(uuid))
        return member === undefined ? Effect.fail(degraded(rpc, uuid)) : Effect.succeed(nodeOf(member))
      })

    /** The next usable member in turn, else the bootstrap address. */
    const anyNode: Effect.Effect<Node> = Effect.sync(() => {
      const usable = Mash.usableMembers(state.mash)
      if (usable.length === 0) return bootstrapNode
      return nodeOf(usable[state.next++ % usable.length]!)
    })

    const annotate = (node: Node, channel: Channel) =>
      Effect.annotateCurrentSpan({
        ...serverAttributes(channel.endpoint),
        "btrdb.node": node === bootstrapNode ? bootstrapEndpoint : node.member.hash
      })

    /** The node `route` picks and its channel, the call counted and its span annotated. */
    const enter = <Err>(route: Effect.Effect<Node, Err>) =>
      Effect.gen(function*() {
        const node = yield* route
        const channel = yield* channelOf(node)
        node.calls++
        yield* annotate(node, channel)
        return { node, channel }
      })

    /**
     * `attempt` on the node `route` picks, retried on a fresh map after a routing failure while `retryWhile` allows
     * (each failure reads the map again first, unless it has been read since the attempt began).
     */
    const routed = <A, Err extends Retry.Failure, R>(
      route: Effect.Effect<Node, Err>,
      attempt: (channel: Channel, node: Node, seen: number) => Effect.Effect<A, Err, R>,
      retryWhile: (e: unknown) => boolean = isRoutingFailure
    ): Effect.Effect<A, Err, R> =>
      Effect.suspend(() => {
        const seen = state.generation
        let used: Node | undefined
        return Effect.gen(function*() {
          const { channel, node } = yield* enter(route)
          used = node
          return yield* attempt(channel, node, seen)
        }).pipe(Effect.tapError((e) => isRoutingFailure(e) ? afterFailure(e, seen, used) : Effect.void))
      }).pipe(Effect.retry({ schedule: options.resync, while: retryWhile }))

    /** One unary call, {@link routed}. */
    const unary = <A, Err extends Retry.Failure>(
      route: Effect.Effect<Node, Err>,
      call: (backend: Backend) => Effect.Effect<A, Err>,
      retryWhile?: (e: unknown) => boolean
    ): Effect.Effect<A, Err> => routed(route, (channel) => call(channel.backend), retryWhile)

    /**
     * One streamed call: its start (up to its first page) is {@link routed}; a routing failure after that reads the
     * map again and reaches the caller.
     */
    const streamed = <A, Err extends Retry.Failure>(
      route: Effect.Effect<Node, Err>,
      call: (backend: Backend) => Stream.Stream<A, Err>
    ): Stream.Stream<A, Err> =>
      Stream.unwrap(routed(route, (channel, node, seen) =>
        Effect.gen(function*() {
          let started = false
          const pull = yield* Stream.toPull(Stream.tapError(
            call(channel.backend),
            (e) => started && isRoutingFailure(e) ? afterFailure(e, seen, node) : Effect.void
          ))
          const first = yield* Pull.catchDone(pull, () => Effect.succeed(undefined))
          started = true
          return first === undefined
            ? Stream.empty
            : Stream.concat(Stream.fromArray(first), Stream.fromPull(Effect.succeed(pull)))
        })))

    const cluster: Effect.Effect<Option.Option<ClusterState>> = Effect.sync(() =>
      Option.some({
        revision: state.mash.revision,
        generation: state.generation,
        healthy: state.mash.healthy,
        bootstrap: bootstrapEndpoint,
        members: state.mash.members.map((m) => {
          const node = nodes.get(m.hash)
          const same = node !== undefined && Mash.sameNode(node.member, m)
          return {
            ...m,
            usable: Mash.isUsable(m),
            channel: same && node.channel !== undefined
              ? { endpoint: node.channel.endpoint, calls: node.calls }
              : undefined
          }
        })
      })
    )

    return {
      endpoint: bootstrapEndpoint,
      cluster,
      // a cluster member reports no proxy: the addresses that serve the calls are the usable members'
      info: unary(
        anyNode,
        (b) =>
          Effect.map(b.info, (info) =>
            info.proxy.proxyEndpoints.length > 0 ? info : new ServerInfo({
              ...info,
              proxy: { proxyEndpoints: Mash.usableMembers(state.mash).flatMap((m) => m.grpcEndpoints.slice(0, 1)) }
            }))
      ),
      create: (uuid, collection, tags, annotations) =>
        unary(ownerOf("Create", uuid), (b) => b.create(uuid, collection, tags, annotations)),
      streamInfo: (uuid, o) => unary(ownerOf("StreamInfo", uuid), (b) => b.streamInfo(uuid, o)),
      setStreamAnnotations: (uuid, expected, changes, removals) =>
        unary(
          ownerOf("SetStreamAnnotations", uuid),
          (b) => b.setStreamAnnotations(uuid, expected, changes, removals)
        ),
      setStreamTags: (uuid, expected, tags, collection, remove) =>
        unary(ownerOf("SetStreamTags", uuid), (b) => b.setStreamTags(uuid, expected, tags, collection, remove)),
      listCollections: (prefix) => streamed(anyNode, (b) => b.listCollections(prefix)),
      lookupStreams: (query) => streamed(anyNode, (b) => b.lookupStreams(query)),
      metadataUsage: (prefix) => unary(anyNode, (b) => b.metadataUsage(prefix)),
      sqlQuery: (query, params) => streamed(anyNode, (b) => b.sqlQuery(query, params)),
      obliterate: (uuid) => unary(ownerOf("Obliterate", uuid), (b) => b.obliterate(uuid)),
      insert: (uuid, times, values, policy) =>
        unary(ownerOf("Insert", uuid), (b) => b.insert(uuid, times, values, policy), retriesFor(policy)),
      rawValues: (uuid, start, end, version) =>
        streamed(ownerOf("RawValues", uuid), (b) => b.rawValues(uuid, start, end, version)),
      alignedWindows: (uuid, start, end, pointWidth, version) =>
        streamed(ownerOf("AlignedWindows", uuid), (b) => b.alignedWindows(uuid, start, end, pointWidth, version)),
      windows: (uuid, start, end, width, depth, version) =>
        streamed(ownerOf("Windows", uuid), (b) => b.windows(uuid, start, end, width, depth, version)),
      nearest: (uuid, time, version, backward) =>
        unary(ownerOf("Nearest", uuid), (b) => b.nearest(uuid, time, version, backward)),
      changes: (uuid, fromMajor, toMajor, resolution) =>
        streamed(ownerOf("Changes", uuid), (b) => b.changes(uuid, fromMajor, toMajor, resolution)),
      delete: (uuid, start, end) => unary(ownerOf("Delete", uuid), (b) => b.delete(uuid, start, end)),
      flush: (uuid) => unary(ownerOf("Flush", uuid), (b) => b.flush(uuid)),
      arrowValues: (uuid, start, end, version, template) =>
        streamed(ownerOf("ArrowRawValues", uuid), (b) => b.arrowValues(uuid, start, end, version, template)),
      arrowMultiValues: (uuids, versions, start, end, snapPeriodNs, template) =>
        streamed(
          uuids.length === 0 ? anyNode : ownerOf("ArrowMultiValues", uuids[0]!),
          (b) => b.arrowMultiValues(uuids, versions, start, end, snapPeriodNs, template)
        ),
      arrowWindows: (uuid, start, end, width, depth, version) =>
        streamed(ownerOf("ArrowWindows", uuid), (b) => b.arrowWindows(uuid, start, end, width, depth, version)),
      arrowAlignedWindows: (uuid, start, end, pointWidth, version) =>
        streamed(
          ownerOf("ArrowAlignedWindows", uuid),
          (b) => b.arrowAlignedWindows(uuid, start, end, pointWidth, version)
        ),
      arrowInsert: (uuid, arrowBytes, policy) =>
        unary(ownerOf("ArrowInsert", uuid), (b) => b.arrowInsert(uuid, arrowBytes, policy), retriesFor(policy)),
      subscribe: (uuids) =>
        Stream.unwrap(Effect.sync(() => {
          // one call per owning node, by the map of now; a uuid no member owns gets its own call, which fails with 419
          const groups = new Map<number | Uuid, Array<Uuid>>()
          for (const uuid of uuids) {
            const owner = Mash.ownerOf(state.mash, toBytes(uuid))
            const key = owner?.hash ?? uuid
            const group = groups.get(key)
            if (group === undefined) groups.set(key, [uuid])
            else group.push(uuid)
          }
          const calls = [...groups.values()].map((group) =>
            streamed(ownerOf("Subscribe", group[0]!), (b) => b.subscribe(group))
          )
          return calls.length === 1 ? calls[0]! : Stream.mergeAll(calls, { concurrency: "unbounded" })
        }))
    }
  })
