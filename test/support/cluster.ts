/**
 * A TEST FIXTURE, not a product: a BTrDB cluster of `nodes` gRPC servers on 127.0.0.1 (random ports), to test the
 * SDK's MASH routing (PROTOCOL.md §11) against.
 *
 * All the servers run in this process over ONE engine `Database` (in memory): as in a real cluster, whose nodes
 * share one metadata store, a metadata call to any node sees every stream; here the points are shared too, which
 * lets a range move from node to node without copying anything. Each server is built from the embedded server's
 * own handlers (`src/server/*Rpcs.ts`, `SubscriptionHub`), with two changes:
 *
 * - `Info` reports the map (`mash`) and no `proxy`, so the SDK routes;
 * - every call of one stream (Create, Insert, the reads, the Arrow calls, Subscribe …) is first checked against the
 *   map: a node answers 405 (wrong endpoint) for a uuid another member owns, and 419 (cluster degraded) for one in
 *   its own range while the fixture has it degraded. ArrowMultiValues, which names several streams, is answered
 *   by any node.
 *
 * The fixture can stop a node (its server goes away; the map is not changed until asked), hand a node's range to
 * others (a new MASH revision), move the boundary between two neighbours, and degrade a node's range (419 until
 * healed). Each node counts the calls it served and the ones it refused, so tests check routing by counting.
 */
import * as grpc from "@grpc/grpc-js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as net from "node:net"
import { Database } from "../../src/engine/Database.js"
import { StatusError } from "../../src/engine/StatusError.js"
import { loadServiceDefinition, RPC_KINDS, RPC_NAMES, type RpcName } from "../../src/internal/grpc/proto.js"
import { StatusCode } from "../../src/internal/protocol.js"
import { SERVER_VERSION } from "../../src/internal/version.js"
import { toBytes, type Uuid } from "../../src/schema/Uuid.js"
import { arrowRpcs } from "../../src/server/arrowRpcs.js"
import { makeAuthenticator } from "../../src/server/auth.js"
import { withCodecs } from "../../src/server/codecs.js"
import { dataRpcs } from "../../src/server/dataRpcs.js"
import { Faults } from "../../src/server/faults.js"
import { InsertColumns } from "../../src/server/insertColumns.js"
import { metadataRpcs } from "../../src/server/metadataRpcs.js"
import { widenCallWindows, widenConnectionWindows } from "../../src/server/receiveWindows.js"
import { type CallStats, type RpcEnv, serverStream, unary } from "../../src/server/rpc.js"
import { SubscriptionHub } from "../../src/server/subscribe.js"
import { WriteTurns } from "../../src/server/writeTurns.js"
import * as BTrDB from "../../src/services/BTrDB.js"
import { partition } from "../../src/services/internal/cluster/mash.js"
import { murmur3, uuidHash } from "../../src/services/internal/cluster/murmur3.js"

/** The calls of one stream, checked against the map by the node that receives them. */
const ROUTED: ReadonlySet<RpcName> = new Set<RpcName>([
  "Create",
  "StreamInfo",
  "SetStreamAnnotations",
  "SetStreamTags",
  "Obliterate",
  "Insert",
  "RawValues",
  "AlignedWindows",
  "Windows",
  "Nearest",
  "Changes",
  "Delete",
  "Flush",
  "ArrowRawValues",
  "ArrowWindows",
  "ArrowAlignedWindows",
  "ArrowInsert"
])

/** One node of the fixture. */
export interface ClusterNode {
  readonly index: number
  readonly nodename: string
  /** Its member id in the map. */
  readonly hash: number
  /** Its address (kept after it is stopped). */
  readonly endpoint: string
  /** Calls it accepted (served, or failed for reasons of their own). */
  readonly stats: Readonly<CallStats>
  /** Calls of one stream it refused with 405 or 419, by code. */
  readonly refused: { 405: number; 419: number }
  /** Whether its server is running. */
  readonly running: boolean
  /** Its range in the current map, `[start, end)`. */
  readonly start: number
  readonly end: number
  readonly up: boolean
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** How many nodes. Default 3. */
  readonly nodes?: number | undefined
  /** When set, every call must carry this API key, as with `Server.start`. */
  readonly apiKey?: string | undefined
  /**
   * List an address where nothing listens before each node's own in the map (`grpcEndpoints` "dead;live"), so that
   * clients must try the next address.
   */
  readonly deadAddressFirst?: boolean | undefined
}

/** A running fixture. */
export interface TestClusterShape {
  readonly nodes: ReadonlyArray<ClusterNode>
  /** The address of node 0: what a client connects to. */
  readonly endpoint: string
  /** The shared database. */
  readonly db: Database
  /** The current MASH revision. */
  readonly revision: () => bigint
  /** The node whose range holds `uuid` in the current map (whether usable or not). */
  readonly ownerOf: (uuid: string) => ClusterNode
  /** Stops node `index`'s server (its in-flight calls are cut); the map still names it until changed. */
  readonly stop: (index: number) => Promise<void>
  /** Marks node `index` down and gives its range to its neighbour (a new revision), as a cluster does on failover. */
  readonly failover: (index: number) => void
  /** Moves the boundary between node `index` and node `index + 1` to `at` (a new revision). */
  readonly moveBoundary: (index: number, at: number) => void
  /** Marks node `index` down without giving its range away: its hashes have no owner (419) until {@link heal}. */
  readonly degrade: (index: number) => void
  /** Brings every degraded node back up (a new revision). */
  readonly heal: () => void
  readonly close: () => Promise<void>
}

interface NodeState {
  index: number
  nodename: string
  hash: number
  endpoint: string
  stats: CallStats
  refused: { 405: number; 419: number }
  running: boolean
  start: number
  end: number
  up: boolean
  degraded: boolean
  server: grpc.Server
  hub: SubscriptionHub
}

type Verdict = { readonly ok: true } | { readonly ok: false; readonly code: 405 | 419; readonly msg: string }

const uuidBytesOf = (rpc: RpcName, request: unknown): Uint8Array | undefined => {
  if (rpc === "Insert") {
    const insert = request as { _tag: string; request?: { uuid: Uint8Array } }
    return insert._tag === "Decoded" ? insert.request!.uuid : undefined
  }
  const uuid = (request as { uuid?: unknown }).uuid
  return uuid instanceof Uint8Array && uuid.length === 16 ? uuid : undefined
}

/** An address of 127.0.0.1 where nothing listens: a port bound, then let go. */
const unusedAddress = () =>
  new Promise<string>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(`127.0.0.1:${port}`))
    })
  })

/** Starts the fixture: `nodes` servers on 127.0.0.1, sharing one in-memory database, the space split evenly. */
export const startCluster = async (options: ClusterOptions = {}): Promise<TestClusterShape> => {
  const count = options.nodes ?? 3
  const db = await Database.open({})
  const authenticate = makeAuthenticator(options.apiKey)
  const log = () => {}
  let revision = 1n
  const ranges = partition(Array.from({ length: count }, () => 1))
  const nodes: Array<NodeState> = []

  const verdict = (node: NodeState, uuidBytes: Uint8Array): Verdict => {
    const hash = uuidHash(uuidBytes)
    const holder = nodes.find((n) => n.start <= hash && hash < n.end)
    if (holder === node && node.up) return { ok: true }
    if (holder === node) return { ok: false, code: 419, msg: `cluster degraded: ${node.nodename} is down` }
    return { ok: false, code: 405, msg: `wrong endpoint: ${node.nodename} does not own hash ${hash}` }
  }

  const wireMash = () => ({
    revision: revision.toString(),
    leader: nodes[0]!.nodename,
    leaderRevision: revision.toString(),
    totalWeight: String(count),
    healthy: nodes.every((n) => n.up),
    unmapped: 0,
    members: nodes.map((n) => ({
      hash: n.hash,
      nodename: n.nodename,
      up: n.up,
      in: true,
      enabled: true,
      start: String(n.start),
      end: String(n.end),
      weight: "1",
      readPreference: 1,
      httpEndpoints: "",
      grpcEndpoints: deadAddress === undefined ? n.endpoint : `${deadAddress};${n.endpoint}`
    }))
  })

  const refuse = (node: NodeState, rpc: RpcName, handler: grpc.UntypedHandleCall): grpc.UntypedHandleCall => {
    const kind = RPC_KINDS[rpc]
    if (kind === "unary") {
      const inner = handler as grpc.handleUnaryCall<unknown, unknown>
      return ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const bytes = uuidBytesOf(rpc, call.request)
        const v = bytes === undefined ? { ok: true as const } : verdict(node, bytes)
        if (v.ok) return inner(call, callback)
        node.refused[v.code]++
        callback(null, { stat: { code: v.code, msg: v.msg } })
      }) as grpc.UntypedHandleCall
    }
    const inner = handler as grpc.handleServerStreamingCall<unknown, unknown>
    return ((call: grpc.ServerWritableStream<unknown, unknown>) => {
      const bytes = uuidBytesOf(rpc, call.request)
      const v = bytes === undefined ? { ok: true as const } : verdict(node, bytes)
      if (v.ok) return inner(call)
      node.refused[v.code]++
      call.write({ stat: { code: v.code, msg: v.msg } })
      call.end()
    }) as grpc.UntypedHandleCall
  }

  /** Subscribe: each ADD_UUIDS is checked before the hub sees it; a refused one ends the call with its stat. */
  const refuseSubscribe = (node: NodeState): grpc.UntypedHandleCall =>
    ((call: grpc.ServerDuplexStream<{ uuid: Array<Uint8Array> }, unknown>) => {
      const on = call.on.bind(call)
      call.on = ((event: string, listener: (...args: Array<any>) => void) => {
        if (event !== "data") return on(event, listener)
        return on("data", (update: { uuid: Array<Uint8Array> }) => {
          for (const bytes of update.uuid ?? []) {
            if (bytes.length !== 16) continue
            const v = verdict(node, bytes)
            if (!v.ok) {
              node.refused[v.code]++
              call.write({ stat: { code: v.code, msg: v.msg } })
              call.end()
              return
            }
          }
          listener(update)
        })
      }) as typeof call.on
      node.hub.handler(call as Parameters<SubscriptionHub["handler"]>[0])
    }) as grpc.UntypedHandleCall

  // one event loop and one engine under the three nodes: their writes take turns in one queue
  const writes = new WriteTurns()
  const insertColumns = new InsertColumns()
  const startNode = async (index: number): Promise<NodeState> => {
    const stats: CallStats = { started: 0, cancelled: 0, activeStreams: 0 }
    const env: RpcEnv = { authenticate, log, stats, faults: new Faults(false), writes, insertColumns }
    const nodename = `node${index}`
    const server = new grpc.Server()
    widenCallWindows(server)
    const node: NodeState = {
      index,
      nodename,
      hash: murmur3(new TextEncoder().encode(nodename), 1),
      endpoint: "",
      stats,
      refused: { 405: 0, 419: 0 },
      running: true,
      start: ranges[index]!.start,
      end: ranges[index]!.end,
      up: true,
      degraded: false,
      server,
      hub: new SubscriptionHub(db, env)
    }
    const implemented: Partial<Record<string, grpc.UntypedHandleCall>> = {
      ...metadataRpcs({ db, env, advertisedEndpoint: () => node.endpoint }),
      ...dataRpcs({ db, env }),
      ...arrowRpcs({ db, env }),
      Info: unary(env, () => ({
        majorVersion: SERVER_VERSION.major,
        minorVersion: SERVER_VERSION.minor,
        build: `${SERVER_VERSION.build} (test cluster ${nodename})`,
        mash: wireMash()
      }))
    }
    const handlers: grpc.UntypedServiceImplementation = {}
    for (const rpc of RPC_NAMES) {
      const handler = implemented[rpc] ?? (RPC_KINDS[rpc] === "unary"
        ? unary(env, () => {
          throw new StatusError(StatusCode.NotImplemented, `${rpc} is not implemented by the test cluster`)
        })
        : serverStream(env, () => {
          throw new StatusError(StatusCode.NotImplemented, `${rpc} is not implemented by the test cluster`)
        }))
      handlers[rpc] = rpc === "Subscribe"
        ? refuseSubscribe(node)
        : ROUTED.has(rpc)
        ? refuse(node, rpc, handler as grpc.UntypedHandleCall)
        : handler as grpc.UntypedHandleCall
    }
    server.addService(withCodecs(loadServiceDefinition(), insertColumns), handlers)
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (error, p) => error === null ? resolve(p) : reject(error)
      )
    )
    node.endpoint = `127.0.0.1:${port}`
    widenConnectionWindows(server)
    return node
  }

  for (let i = 0; i < count; i++) nodes.push(await startNode(i))
  const deadAddress = options.deadAddressFirst === true ? await unusedAddress() : undefined

  const stopNode = async (node: NodeState) => {
    if (!node.running) return
    node.running = false
    node.hub.close()
    node.server.forceShutdown()
  }

  const changed = () => {
    revision++
  }

  const view = (n: NodeState): ClusterNode => n
  return {
    nodes: nodes.map(view),
    endpoint: nodes[0]!.endpoint,
    db,
    revision: () => revision,
    ownerOf: (uuid) => {
      const hash = uuidHash(toBytes(uuid as Uuid))
      return nodes.find((n) => n.start <= hash && hash < n.end)!
    },
    stop: (index) => stopNode(nodes[index]!),
    failover: (index) => {
      const node = nodes[index]!
      const heir = nodes.find((n, i) => i !== index && n.up && (n.end === node.start || n.start === node.end))
      if (heir === undefined) throw new Error(`test cluster: node ${index} has no neighbour up to take its range`)
      if (heir.end === node.start) heir.end = node.end
      else heir.start = node.start
      node.up = false
      node.start = 0
      node.end = 0
      changed()
    },
    moveBoundary: (index, at) => {
      const left = nodes[index]!
      const right = nodes[index + 1]!
      if (left.end !== right.start || at <= left.start || at >= right.end) {
        throw new Error(`test cluster: cannot move the boundary of node ${index} to ${at}`)
      }
      left.end = at
      right.start = at
      changed()
    },
    degrade: (index) => {
      const node = nodes[index]!
      node.up = false
      node.degraded = true
      changed()
    },
    heal: () => {
      for (const node of nodes) {
        if (node.degraded) {
          node.up = true
          node.degraded = false
        }
      }
      changed()
    },
    close: async () => {
      for (const node of nodes) await stopNode(node)
      await db.close()
    }
  }
}

/** The fixture as an Effect service (for `it.layer`). */
export class TestCluster extends Context.Service<TestCluster, TestClusterShape>()("test/TestCluster") {}

/** A fixture started for a layer's lifetime. */
export const clusterLayer = (options: ClusterOptions = {}): Layer.Layer<TestCluster> =>
  Layer.effect(
    TestCluster,
    Effect.acquireRelease(Effect.promise(() => startCluster(options)), (c) => Effect.promise(() => c.close()))
  )

/** The SDK connected to node 0 of a fixture started for it (and the fixture). */
export const clusterClientLayer = (
  options: ClusterOptions & Omit<BTrDB.Options, "endpoint"> = {}
): Layer.Layer<BTrDB.BTrDB | TestCluster, unknown> =>
  Layer.unwrap(Effect.map(TestCluster, (c) => BTrDB.layer({ ...options, endpoint: c.endpoint }))).pipe(
    Layer.provideMerge(clusterLayer(options))
  )
