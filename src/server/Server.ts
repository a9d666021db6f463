/**
 * The embedded BTrDB server: the v5api gRPC service over a {@link Database}.
 *
 * ```ts
 * const server = await Server.start({ listen: "127.0.0.1:0", dataDir: "./btrdb-data" })
 * console.log(`listening on ${server.endpoint}`)
 * await server.close()
 * ```
 */
import * as grpc from "@grpc/grpc-js"
import { Database } from "../engine/Database.js"
import { StatusError } from "../engine/StatusError.js"
import { loadServiceDefinition, RPC_KINDS, RPC_NAMES } from "../internal/grpc/proto.js"
import { StatusCode } from "../internal/protocol.js"
import { arrowRpcs } from "./arrowRpcs.js"
import { makeAuthenticator } from "./auth.js"
import { withCodecs } from "./codecs.js"
import { dataRpcs } from "./dataRpcs.js"
import { Faults } from "./faults.js"
import { InsertColumns } from "./insertColumns.js"
import { metadataRpcs } from "./metadataRpcs.js"
import { widenCallWindows, widenConnectionWindows } from "./receiveWindows.js"
import { type CallStats, type Logger, type RpcEnv, serverStream, type ServiceHandlers, unary } from "./rpc.js"
import { SubscriptionHub } from "./subscribe.js"
import { WriteTurns } from "./writeTurns.js"

/**
 * Options of {@link start}.
 *
 * @example
 * ```ts
 * const options: Server.ServerOptions = { listen: "127.0.0.1:0", dataDir: "./btrdb-data", apiKey: "secret" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  /** `host:port` to listen on; port 0 picks a free port. Default `127.0.0.1:4410`. */
  readonly listen?: string | undefined
  /** The data directory (created when missing). Everything stays in memory when absent. */
  readonly dataDir?: string | undefined
  /** When set, every call must carry `authorization: Bearer <apiKey>`. */
  readonly apiKey?: string | undefined
  /** Let `FaultInject` plan faults (see `faults.ts`); off by default. */
  readonly faultInjection?: boolean | undefined
  /** The largest request the server accepts, in bytes (default 64 MiB); larger ones get RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes?: number | undefined
  /** Serve TLS with this PEM certificate chain and private key; plaintext when absent. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined
  /** Where unexpected handler failures are reported. Default: `console.error`. */
  readonly log?: Logger | undefined
  /**
   * How many bytes of updates a Subscribe call may hold for a client that reads too slowly before its call is ended
   * with 426 (default 64 MiB; see `subscribe.ts`).
   */
  readonly subscriberBacklogBytes?: number | undefined
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const server: Server.RunningServer = await Server.start({ listen: "127.0.0.1:0" })
 * console.log(server.endpoint, server.stats.started)
 * await server.close()
 * ```
 * @since 0.1.0
 * @category models
 */
export interface RunningServer {
  /** The bound `host:port` (with the real port when 0 was asked for). */
  readonly endpoint: string
  /** The database it serves. */
  readonly db: Database
  /** Live counters of the calls served. */
  readonly stats: Readonly<CallStats>
  /** Stops accepting calls, lets in-flight calls finish (forcing them after `graceMs`), and closes the database. */
  readonly close: (graceMs?: number) => Promise<void>
}

const notImplemented = (env: RpcEnv, rpc: string) => {
  const fail = () => {
    throw new StatusError(StatusCode.NotImplemented, `${rpc} is not implemented by this server`)
  }
  return RPC_KINDS[rpc as keyof typeof RPC_KINDS] === "unary"
    ? unary(env, fail)
    : serverStream(env, fail)
}

const splitHostPort = (listen: string): { host: string; port: number } => {
  const colon = listen.lastIndexOf(":")
  if (colon < 0) throw new Error(`expecting host:port, got "${listen}"`)
  return { host: listen.slice(0, colon), port: Number(listen.slice(colon + 1)) }
}

/** The operating-system reasons a bind fails for, as grpc-js reports them, and what they mean. */
const BIND_REASONS: ReadonlyArray<readonly [code: string, meaning: string]> = [
  ["EADDRINUSE", "is already in use (another process is listening there); choose another port, or stop that process"],
  ["EACCES", "may not be bound by this user (ports below 1024 need privileges); choose a port above 1024"],
  ["EADDRNOTAVAIL", "names an address this machine does not have; listen on 127.0.0.1, 0.0.0.0 or one of its own"]
]

/** The error a failed bind of `listen` is reported with: one line saying why, when the reason is a known one. */
const bindFailure = (listen: string, error: unknown): Error => {
  const text = String(error)
  const known = BIND_REASONS.find(([code]) => text.includes(code))
  return known === undefined ? (error instanceof Error ? error : new Error(text)) : new Error(`${listen} ${known[1]}`, {
    cause: error
  })
}

/**
 * Opens the database and serves it on `options.listen`.
 *
 * @example
 * ```ts
 * const server = await Server.start({ listen: "127.0.0.1:0", dataDir: "./btrdb-data" })
 * console.log(`listening on ${server.endpoint}`)
 * await server.close()
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options: ServerOptions = {}): Promise<RunningServer> => {
  const log: Logger = options.log ?? ((message, error) => console.error(`btrdb server: ${message}:`, error))
  const authenticate = makeAuthenticator(options.apiKey)
  const stats: CallStats = { started: 0, cancelled: 0, activeStreams: 0 }
  const faults = new Faults(options.faultInjection ?? false)
  const env: RpcEnv = {
    authenticate,
    log,
    stats,
    faults,
    writes: new WriteTurns(),
    insertColumns: new InsertColumns()
  }
  const db = await Database.open({ dir: options.dataDir, ...(faults.enabled ? { faults: faults.disk } : {}) })
  const { host } = splitHostPort(options.listen ?? "127.0.0.1:4410")
  let endpoint = options.listen ?? "127.0.0.1:4410"

  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxRequestBytes ?? 64 * 1024 * 1024
  })
  widenCallWindows(server)
  const subscriptions = new SubscriptionHub(db, env, options.subscriberBacklogBytes)
  const implemented: Partial<Record<string, grpc.UntypedHandleCall>> = {
    ...metadataRpcs({ db, env, advertisedEndpoint: () => endpoint }),
    ...dataRpcs({ db, env }),
    ...arrowRpcs({ db, env }),
    FaultInject: unary({ ...env, faults: new Faults(false) }, (r) => ({
      rv: Buffer.from(faults.inject(BigInt(r.type), r.params))
    })),
    Subscribe: subscriptions.handler
  } satisfies Partial<ServiceHandlers>
  const handlers: grpc.UntypedServiceImplementation = {}
  for (const rpc of RPC_NAMES) handlers[rpc] = implemented[rpc] ?? notImplemented(env, rpc)
  server.addService(withCodecs(loadServiceDefinition(), env.insertColumns), handlers)

  const credentials = options.tls === undefined
    ? grpc.ServerCredentials.createInsecure()
    : grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false)
  try {
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        endpoint,
        credentials,
        (error, port) => error === null ? resolve(port) : reject(error)
      )
    )
    endpoint = `${host}:${port}`
    widenConnectionWindows(server)
  } catch (error) {
    subscriptions.close()
    await db.close()
    throw bindFailure(endpoint, error)
  }

  let closing: Promise<void> | undefined
  const close = (graceMs = 5000) => {
    closing ??= (async () => {
      subscriptions.close()
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown()
          resolve()
        }, graceMs)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      })
      await db.close()
    })()
    return closing
  }
  return { endpoint, db, stats, close }
}
