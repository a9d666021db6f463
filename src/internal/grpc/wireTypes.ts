/**
 * The message types of every RPC, taken from the types `proto-loader-gen-types` generates from
 * `proto/btrdb.proto` (in `./generated`, regenerated with `npm run proto:gen`; a test fails when they are stale).
 * The client's calls and the server's handlers are both typed with these, so neither can drift from the proto.
 *
 * Each message has two forms: the one you hand to proto-loader to encode (every field optional, 64-bit integers
 * as string or number) and the one proto-loader decodes (every field present, with the loader options of
 * `proto.ts`: 64-bit integers as decimal strings, bytes as `Buffer`, enums by name, a set oneof named).
 */
import type { MethodDefinition } from "@grpc/proto-loader"
import type { BTrDBDefinition } from "./generated/v5api/BTrDB.js"
import type { RpcName } from "./proto.js"

export type {
  KeyOptValue as WireKeyOptValue,
  KeyOptValue__Output as WireKeyOptValueOut
} from "./generated/v5api/KeyOptValue.js"
export type { MergePolicy__Output as WireMergePolicy } from "./generated/v5api/MergePolicy.js"
export type { StreamDescriptor__Output as WireDescriptorOut } from "./generated/v5api/StreamDescriptor.js"

type Method<R extends RpcName> = BTrDBDefinition[R]

/** What a client sends to `R`. */
export type RequestOf<R extends RpcName> = Method<R> extends MethodDefinition<infer Req, any, any, any> ? Req : never

/** What a server handler of `R` receives. */
export type DecodedRequestOf<R extends RpcName> = Method<R> extends MethodDefinition<any, any, infer Req, any> ? Req
  : never

/** What a server handler of `R` answers (each message of a streamed answer). */
export type ResponseOf<R extends RpcName> = Method<R> extends MethodDefinition<any, infer Res, any, any> ? Res
  : never

/** What a client receives from `R` (each message of a streamed answer). */
export type DecodedResponseOf<R extends RpcName> = Method<R> extends MethodDefinition<any, any, any, infer Res> ? Res
  : never
