/**
 * The gRPC channel to one BTrDB endpoint and the adapters that turn its calls into `Effect`s and `Stream`s.
 * In-band `stat` failures and gRPC statuses both come out as the tagged errors of `src/errors`.
 */
import * as grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { grpcError, type RpcErrors, statusError } from "../../errors/internal/rpcErrors.js"
import { PACKAGE_VERSION } from "../version.js"
import { callStream } from "./callStream.js"
import { loadServiceClient, loadServiceDefinition, type RpcName } from "./proto.js"
import type { DecodedResponseOf, RequestOf } from "./wireTypes.js"

/** How to reach an endpoint. */
export interface ConnectionOptions {
  /** `host:port`. Port 4411 means TLS, any other port plaintext. */
  readonly endpoint: string
  /** Sent as `authorization: Bearer <key>` on every call. */
  readonly apiKey?: Redacted.Redacted | undefined
  /** PEM root certificates for TLS; the system roots when absent. */
  readonly caBundle?: Buffer | undefined
  /** Use TLS (true) or plaintext (false) whatever the port says. */
  readonly tls?: boolean | undefined
  /** How soon the channel tries to reconnect after losing the server (see {@link RECONNECT_BACKOFF}). */
  readonly reconnectBackoff?: ReconnectBackoff | undefined
}

/** The channel's reconnect backoff: the first wait, growing 1.6 times (with jitter) per attempt up to `maxMillis`. */
export interface ReconnectBackoff {
  readonly initialMillis: number
  readonly maxMillis: number
}

/**
 * The default reconnect backoff: 100 ms, growing to at most 10 s. gRPC's own (1 s, growing to 120 s) leaves a
 * channel refusing calls for seconds after a restarted server is back, which a retry policy cannot shorten.
 */
export const RECONNECT_BACKOFF: ReconnectBackoff = { initialMillis: 100, maxMillis: 10_000 }

/** Where a call is made, for error reports. */
export interface CallContext {
  readonly uuid?: string | undefined
}

/**
 * A hand encoder of one RPC's request, used in place of proto-loader's for Insert, whose points it writes straight
 * from columns, and for the reads, whose times and versions it writes straight from `bigint`s. Its output must
 * decode to the RPC's request (test/codecs/generatedTypes.test.ts checks it).
 */
export interface RequestEncoder<R extends RpcName, Req> {
  readonly rpc: R
  readonly serialize: (request: Req) => Buffer
  /**
   * Called with the serialized bytes once the call has ended (answered, failed or cancelled): grpc-js keeps a
   * request's bytes until then (to send them again should it retry the call), and never reads them after, so the
   * encoder may write a later request into them.
   */
  readonly release?: ((bytes: Buffer) => void) | undefined
}

/**
 * A hand decoder of one RPC's answers, used in place of proto-loader's for the reads whose points it decodes
 * straight into columns. It must read what proto-loader would (test/codecs/generatedTypes.test.ts checks it).
 * `page` turns an answer without error into what the read gives.
 */
export interface ResponseDecoder<R extends RpcName, Res, A> {
  readonly rpc: R
  readonly deserialize: (bytes: Buffer) => Res
  readonly page: (message: Res) => A
}

/** A response message that may carry an in-band status. */
interface WithStat {
  readonly stat?: { readonly code: number; readonly msg: string } | null | undefined
}

/**
 * An open channel to one endpoint. Requests and answers are typed by the RPC, with the types generated from
 * `proto/btrdb.proto` (see `wireTypes.ts`).
 */
export interface Connection {
  readonly endpoint: string
  /** Calls a unary RPC; fails with the mapped error when gRPC fails or the response's `stat` is not OK. */
  readonly unary: <R extends RpcName>(
    rpc: R,
    request: RequestOf<R>,
    context?: CallContext
  ) => Effect.Effect<DecodedResponseOf<R>, RpcErrors<R>>
  /** `unary` with the request written by a hand encoder. */
  readonly unaryEncoded: <R extends RpcName, Req>(
    encoder: RequestEncoder<R, Req>,
    request: Req,
    context?: CallContext
  ) => Effect.Effect<DecodedResponseOf<R>, RpcErrors<R>>
  /**
   * Calls a server-streaming RPC as a `Stream` of its messages. Pulling gives backpressure; closing the stream
   * early, or interrupting its fiber, cancels the call.
   */
  readonly serverStream: <R extends RpcName>(
    rpc: R,
    request: RequestOf<R>,
    context?: CallContext
  ) => Stream.Stream<DecodedResponseOf<R>, RpcErrors<R>>
  /** `serverStream` with the request written by a hand encoder and the answers read by a hand decoder, as pages. */
  readonly serverStreamCoded: <R extends RpcName, Req, Res, A>(
    encoder: RequestEncoder<R, Req>,
    decoder: ResponseDecoder<R, Res, A>,
    request: Req,
    context?: CallContext
  ) => Stream.Stream<A, RpcErrors<R>>
  /**
   * Calls a bidirectional-streaming RPC: sends `requests` and keeps the request side open (a half-close would end
   * a Subscribe), then streams the answers as `serverStream` does. Closing the stream, or interrupting its fiber,
   * cancels the call.
   */
  readonly bidiStream: <R extends RpcName>(
    rpc: R,
    requests: ReadonlyArray<RequestOf<R>>,
    context?: CallContext
  ) => Stream.Stream<DecodedResponseOf<R>, RpcErrors<R>>
}

/**
 * The HTTP/2 receive window, in bytes, of each call and each connection, on both ends: the SDK's channels (for the
 * pages they read) and the embedded server (for the inserts it takes, `server/receiveWindows.ts`). HTTP/2's default
 * of 64 KiB makes a large message go in bursts, each waiting for the receiver to grant more.
 */
export const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024

/**
 * Channel options: no limit on received message size (as the Python client sets) and a 16 MiB HTTP/2 flow-control
 * window ({@link RECEIVE_WINDOW_BYTES}), which lifts the read throughput of large streamed answers well above what
 * the 64 KiB default allows.
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
  "grpc-node.flow_control_window": RECEIVE_WINDOW_BYTES,
  "grpc.keepalive_time_ms": 60_000
}

/** The options of a channel to `options.endpoint`: {@link CHANNEL_OPTIONS} and its reconnect backoff. */
export const channelOptions = (options: Pick<ConnectionOptions, "reconnectBackoff">): grpc.ChannelOptions => {
  const backoff = options.reconnectBackoff ?? RECONNECT_BACKOFF
  return {
    ...CHANNEL_OPTIONS,
    "grpc.initial_reconnect_backoff_ms": backoff.initialMillis,
    "grpc.max_reconnect_backoff_ms": backoff.maxMillis
  }
}

/** True when the endpoint's port says TLS (4411). */
export const isTlsEndpoint = (endpoint: string): boolean => endpoint.slice(endpoint.lastIndexOf(":") + 1) === "4411"

/** Whether a connection uses TLS: as asked, else by the port (4411). */
export const usesTls = (options: Pick<ConnectionOptions, "endpoint" | "tls">): boolean =>
  options.tls ?? isTlsEndpoint(options.endpoint)

const credentialsFor = (options: ConnectionOptions): grpc.ChannelCredentials =>
  usesTls(options) ? grpc.credentials.createSsl(options.caBundle ?? null) : grpc.credentials.createInsecure()

const metadataFor = (options: ConnectionOptions): grpc.Metadata => {
  const metadata = new grpc.Metadata()
  if (options.apiKey !== undefined) {
    metadata.set("authorization", `Bearer ${Redacted.value(options.apiKey)}`)
  }
  metadata.set("x-api-client", `effect-btrdb-${PACKAGE_VERSION}`)
  return metadata
}

const isServiceError = (u: unknown): u is grpc.ServiceError =>
  typeof u === "object" && u !== null && "code" in u && typeof (u as { code: unknown }).code === "number"

/**
 * Opens a channel to `options.endpoint` in the current scope; it is closed when the scope closes.
 * Opening does not contact the server (gRPC connects lazily); callers probe with a first call.
 */
export const open = (options: ConnectionOptions): Effect.Effect<Connection, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const Client = loadServiceClient()
        return new Client(options.endpoint, credentialsFor(options), channelOptions(options))
      }),
      (client) => Effect.sync(() => client.close())
    ),
    (client) => makeConnection(client, options)
  )

const makeConnection = (client: grpc.Client, options: ConnectionOptions): Connection => {
  const definition = loadServiceDefinition()
  const metadata = metadataFor(options)
  const endpoint = options.endpoint

  const failure = <R extends RpcName>(rpc: R, context: CallContext | undefined, error: unknown): RpcErrors<R> =>
    isServiceError(error)
      ? grpcError({ method: rpc, uuid: context?.uuid, endpoint }, error.code, error.details, error)
      : grpcError({ method: rpc, uuid: context?.uuid, endpoint }, 2, String(error), error)

  const inBand = <R extends RpcName>(rpc: R, context: CallContext | undefined, stat: WithStat["stat"]) =>
    stat !== null && stat !== undefined && stat.code !== 0
      ? statusError({ method: rpc, uuid: context?.uuid }, stat.code, stat.msg)
      : undefined

  const callUnary = <R extends RpcName, Res>(
    rpc: R,
    encoder: RequestEncoder<R, any> | undefined,
    request: unknown,
    context: CallContext | undefined
  ) =>
    Effect.callback<Res, RpcErrors<R>>((resume) => {
      const method = definition[rpc]!
      // the bytes an encoder wrote, to give back to it once the call has ended
      let sent: Buffer | undefined
      const call = client.makeUnaryRequest<unknown, Res>(
        method.path,
        encoder === undefined ? method.requestSerialize : (value) => (sent = encoder.serialize(value)),
        method.responseDeserialize,
        request,
        metadata,
        {},
        (error, response) => {
          if (sent !== undefined) encoder?.release?.(sent)
          if (error !== null || response === undefined) {
            resume(Effect.fail(failure(rpc, context, error)))
            return
          }
          const bad = inBand(rpc, context, (response as WithStat).stat)
          resume(bad === undefined ? Effect.succeed(response) : Effect.fail(bad))
        }
      )
      return Effect.sync(() => call.cancel())
    })

  const callServerStream = <R extends RpcName, Res, A>(
    rpc: R,
    encoder: RequestEncoder<R, any> | undefined,
    decoder: ResponseDecoder<R, Res, A> | undefined,
    request: unknown,
    context: CallContext | undefined
  ): Stream.Stream<A, RpcErrors<R>> =>
    callStream(
      () => {
        const method = definition[rpc]!
        return client.makeServerStreamRequest<unknown, Res>(
          method.path,
          encoder?.serialize ?? method.requestSerialize,
          decoder?.deserialize ?? method.responseDeserialize,
          request,
          metadata,
          {}
        )
      },
      (message: Res) => inBand(rpc, context, (message as WithStat).stat),
      (error) => failure(rpc, context, error),
      decoder?.page
    )

  const bidiStream = <R extends RpcName>(
    rpc: R,
    requests: ReadonlyArray<RequestOf<R>>,
    context?: CallContext
  ) =>
    callStream(
      () => {
        const method = definition[rpc]!
        const call = client.makeBidiStreamRequest<RequestOf<R>, DecodedResponseOf<R>>(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          metadata,
          {}
        )
        for (const request of requests) call.write(request)
        return call
      },
      (message: DecodedResponseOf<R>) => inBand(rpc, context, (message as WithStat).stat),
      (error) => failure(rpc, context, error)
    )

  return {
    endpoint,
    unary: <R extends RpcName>(rpc: R, request: RequestOf<R>, context?: CallContext) =>
      callUnary<R, DecodedResponseOf<R>>(rpc, undefined, request, context),
    unaryEncoded: <R extends RpcName, Req>(encoder: RequestEncoder<R, Req>, request: Req, context?: CallContext) =>
      callUnary<R, DecodedResponseOf<R>>(encoder.rpc, encoder, request, context),
    serverStream: <R extends RpcName>(rpc: R, request: RequestOf<R>, context?: CallContext) =>
      callServerStream<R, DecodedResponseOf<R>, DecodedResponseOf<R>>(rpc, undefined, undefined, request, context),
    serverStreamCoded: <R extends RpcName, Req, Res, A>(
      encoder: RequestEncoder<R, Req>,
      decoder: ResponseDecoder<R, Res, A>,
      request: Req,
      context?: CallContext
    ) => callServerStream(decoder.rpc, encoder, decoder, request, context),
    bidiStream
  }
}
