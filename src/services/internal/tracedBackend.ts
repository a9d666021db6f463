/**
 * The RPC spans: every call a backend makes is a child span of the public operation that made it, named as
 * OpenTelemetry names RPC spans (`v5api.BTrDB/<RPC>`), so a trace shows each attempt, resumption and page call.
 * A call's span is a leaf: nothing a backend does within a call opens a span of its own; a backend whose streams
 * read nothing from their context (`contextFreeStreams`) has them run without the span given to each pull.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { RpcName } from "../../internal/grpc/proto.js"
import type { Backend } from "./Backend.js"
import { withLeafSpan, withStreamSpan } from "./streamSpan.js"

/** The RPC behind each backend operation. */
const RPC_OF = {
  info: "Info",
  create: "Create",
  streamInfo: "StreamInfo",
  setStreamAnnotations: "SetStreamAnnotations",
  setStreamTags: "SetStreamTags",
  listCollections: "ListCollections",
  lookupStreams: "LookupStreams",
  metadataUsage: "GetMetadataUsage",
  sqlQuery: "SQLQuery",
  obliterate: "Obliterate",
  insert: "Insert",
  rawValues: "RawValues",
  alignedWindows: "AlignedWindows",
  windows: "Windows",
  nearest: "Nearest",
  changes: "Changes",
  delete: "Delete",
  flush: "Flush",
  arrowValues: "ArrowRawValues",
  arrowMultiValues: "ArrowMultiValues",
  arrowWindows: "ArrowWindows",
  arrowAlignedWindows: "ArrowAlignedWindows",
  arrowInsert: "ArrowInsert",
  subscribe: "Subscribe"
} as const satisfies { readonly [K in Exclude<keyof Backend, "endpoint" | "cluster" | "contextFreeStreams">]: RpcName }

const attributesOf = new Map<string, Readonly<Record<string, string | number>>>()

/**
 * The OpenTelemetry attributes naming the server of `endpoint` (`host:port`, `[v6]:port`); none for an endpoint
 * that is not a network address, such as the memory layer's. Worked out once per endpoint: every operation's span
 * carries them.
 */
export const serverAttributes = (endpoint: string): Readonly<Record<string, string | number>> => {
  let attributes = attributesOf.get(endpoint)
  if (attributes === undefined) {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(endpoint)
    attributes = match === null ? {} : { "server.address": match[1]!, "server.port": Number(match[2]) }
    attributesOf.set(endpoint, attributes)
  }
  return attributes
}

const spanOptions = (rpc: RpcName, server: Record<string, string | number>) => ({
  kind: "client" as const,
  // where the span was opened is always this module: a stack trace per call would cost and tell nothing
  captureStackTrace: false,
  attributes: {
    "db.system.name": "btrdb",
    "db.operation.name": rpc,
    "rpc.system": "grpc",
    "rpc.service": "v5api.BTrDB",
    "rpc.method": rpc,
    ...server
  }
})

/** `backend` with every call in a span `v5api.BTrDB/<RPC>`. */
export const traceRpcs = (backend: Backend): Backend => {
  const server = serverAttributes(backend.endpoint)
  const traced: Record<string, unknown> = {
    endpoint: backend.endpoint,
    cluster: backend.cluster,
    contextFreeStreams: backend.contextFreeStreams
  }
  for (const [operation, rpc] of Object.entries(RPC_OF) as Array<[keyof typeof RPC_OF, RpcName]>) {
    const name = `v5api.BTrDB/${rpc}`
    const options = spanOptions(rpc, server)
    const member: unknown = backend[operation]
    traced[operation] = Effect.isEffect(member)
      ? Effect.withSpan(member, name, options)
      : (...args: ReadonlyArray<unknown>) => {
        const call: unknown = (member as (...a: ReadonlyArray<unknown>) => unknown)(...args)
        return Stream.isStream(call)
          ? backend.contextFreeStreams === true
            ? withLeafSpan(call, name, options)
            : withStreamSpan(Effect.succeed(call), name, options)
          : Effect.withSpan(call as Effect.Effect<unknown, unknown>, name, options)
      }
  }
  // every member of Backend is set above (RPC_OF names them all, checked by its `satisfies`)
  return traced as unknown as Backend
}
