/**
 * Loads the BTrDB v5 API contract (`proto/btrdb.proto`, package `v5api`) for `@grpc/grpc-js`.
 * The client and the embedded server both take their service definition from here, so the two always agree.
 *
 * Loader options follow PROTOCOL.md §1: field names are kept exactly as in the proto (`merge_policy`, not
 * `mergePolicy`), 64-bit integers are decimal strings, bytes are `Buffer`s, enums are their names, defaults are
 * filled in on decode and a set oneof is named in a virtual field (`RoundSpec.spec === "bits"`).
 */
import * as grpc from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { fileURLToPath } from "node:url"

/**
 * Absolute filesystem path of `proto/btrdb.proto`. The relative URL has the same depth from
 * `src/internal/grpc/` and from the built `dist/internal/grpc/`.
 */
export const PROTO_PATH: string = fileURLToPath(new URL("../../../proto/btrdb.proto", import.meta.url))

/** The fully qualified gRPC service name; method paths are `/v5api.BTrDB/<Rpc>`. */
export const SERVICE_NAME = "v5api.BTrDB"

/** The `@grpc/proto-loader` options used to load the proto (PROTOCOL.md §1). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true
}

/** Every RPC of the `v5api.BTrDB` service, in the order of PROTOCOL.md §2. */
export const RPC_NAMES = [
  "RawValues",
  "ArrowRawValues",
  "ArrowMultiValues",
  "AlignedWindows",
  "ArrowAlignedWindows",
  "Windows",
  "ArrowWindows",
  "StreamInfo",
  "SetStreamAnnotations",
  "SetStreamTags",
  "Create",
  "ListCollections",
  "LookupStreams",
  "Nearest",
  "Changes",
  "Insert",
  "ArrowInsert",
  "Delete",
  "Info",
  "FaultInject",
  "Flush",
  "Obliterate",
  "GetMetadataUsage",
  "GenerateCSV",
  "SQLQuery",
  "Subscribe"
] as const

/** The name of one RPC of the `v5api.BTrDB` service. */
export type RpcName = typeof RPC_NAMES[number]

/** How an RPC streams: unary, server-streaming, or bidirectional streaming. */
export type RpcKind = "unary" | "server-stream" | "bidi"

/** The streaming kind of every RPC (PROTOCOL.md §2, column "Kind"). */
export const RPC_KINDS = {
  RawValues: "server-stream",
  ArrowRawValues: "server-stream",
  ArrowMultiValues: "server-stream",
  AlignedWindows: "server-stream",
  ArrowAlignedWindows: "server-stream",
  Windows: "server-stream",
  ArrowWindows: "server-stream",
  StreamInfo: "unary",
  SetStreamAnnotations: "unary",
  SetStreamTags: "unary",
  Create: "unary",
  ListCollections: "server-stream",
  LookupStreams: "server-stream",
  Nearest: "unary",
  Changes: "server-stream",
  Insert: "unary",
  ArrowInsert: "unary",
  Delete: "unary",
  Info: "unary",
  FaultInject: "unary",
  Flush: "unary",
  Obliterate: "unary",
  GetMetadataUsage: "unary",
  GenerateCSV: "server-stream",
  SQLQuery: "server-stream",
  Subscribe: "bidi"
} as const satisfies { readonly [K in RpcName]: RpcKind }

let cachedPackageDefinition: protoLoader.PackageDefinition | undefined
let cachedClient: grpc.ServiceClientConstructor | undefined

/**
 * The proto-loader package definition of `proto/btrdb.proto`, loaded synchronously with {@link LOADER_OPTIONS}
 * on first use and cached afterwards.
 */
export const loadPackageDefinition = (): protoLoader.PackageDefinition => {
  if (cachedPackageDefinition === undefined) {
    cachedPackageDefinition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS)
  }
  return cachedPackageDefinition
}

/**
 * The grpc-js client constructor of `v5api.BTrDB` (`grpc.loadPackageDefinition(...).v5api.BTrDB`), cached.
 * Construct it with an address and channel credentials to get a generic client with one method per RPC.
 */
export const loadServiceClient = (): grpc.ServiceClientConstructor => {
  if (cachedClient === undefined) {
    const root = grpc.loadPackageDefinition(loadPackageDefinition())
    const v5api = root["v5api"] as grpc.GrpcObject | undefined
    const ctor = v5api?.["BTrDB"] as grpc.ServiceClientConstructor | undefined
    if (ctor === undefined || typeof ctor !== "function" || ctor.service === undefined) {
      throw new Error(`service ${SERVICE_NAME} not found in ${PROTO_PATH}`)
    }
    cachedClient = ctor
  }
  return cachedClient
}

/**
 * The grpc-js service definition of `v5api.BTrDB`, keyed by RPC name (see {@link RPC_NAMES}), with each method's
 * path, streaming flags and (de)serializers. Pass it to `server.addService` or `grpc.makeGenericClientConstructor`.
 */
export const loadServiceDefinition = (): grpc.ServiceDefinition => loadServiceClient().service
