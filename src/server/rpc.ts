/**
 * How every RPC of the server is served: authentication first, then the handler, with any failure turned into an
 * in-band `stat` (PROTOCOL.md §5) so that no request can crash the server.
 */
import * as grpc from "@grpc/grpc-js"
import { isStatusError } from "../engine/StatusError.js"
import type { RPC_KINDS, RpcKind, RpcName } from "../internal/grpc/proto.js"
import type { DecodedRequestOf, ResponseOf } from "../internal/grpc/wireTypes.js"
import { StatusCode } from "../internal/protocol.js"
import type { DecodedInsert, LentAnswer } from "./codecs.js"
import type { Faults } from "./faults.js"
import type { InsertColumns } from "./insertColumns.js"
import type { WriteTurns } from "./writeTurns.js"

/** An in-band status. */
export interface Stat {
  readonly code: number
  readonly msg: string
}

/** The `stat` of an error: a `StatusError`'s own code, anything else an invariant failure (500). */
export const statOf = (error: unknown): Stat => {
  if (isStatusError(error)) return { code: error.code, msg: error.message }
  const message = error instanceof Error ? error.message : String(error)
  return { code: StatusCode.InvariantFailure, msg: `internal error: ${message}` }
}

/** The RPCs whose answers the handlers encode themselves (see `codecs.ts`). */
export type EncodedAnswers = "RawValues" | "AlignedWindows" | "Windows"

/** What the handler of `R` receives: the request as generated from the proto, or Insert's hand-decoded form. */
export type Received<R extends RpcName> = R extends "Insert" ? DecodedInsert : DecodedRequestOf<R>

/** What the handler of `R` may answer: the response as generated from the proto, or the encoded bytes (lent or not). */
export type Answered<R extends RpcName> = ResponseOf<R> | (R extends EncodedAnswers ? Uint8Array | LentAnswer : never)

type HandlerOf<R extends RpcName, K extends RpcKind> = K extends "unary"
  ? grpc.handleUnaryCall<Received<R>, Answered<R>>
  : K extends "server-stream" ? grpc.handleServerStreamingCall<Received<R>, Answered<R>>
  : grpc.handleBidiStreamingCall<Received<R>, Answered<R>>

/**
 * The server's handlers, typed by the messages generated from the proto: each module of handlers `satisfies` a
 * part of it, so a handler that reads a field the request does not have, or answers one the response does not
 * have, does not compile.
 */
export type ServiceHandlers = { readonly [R in RpcName]: HandlerOf<R, typeof RPC_KINDS[R]> }

/** Checks the metadata of a call; false means "refuse with UNAUTHENTICATED". */
export type Authenticator = (metadata: grpc.Metadata) => boolean

const UNAUTHENTICATED = { code: grpc.status.UNAUTHENTICATED, details: "invalid api key" }

/** What the server logs when a handler fails unexpectedly. */
export type Logger = (message: string, error: unknown) => void

/** Counters of the server's calls, for operators and tests. */
export interface CallStats {
  /** Calls accepted (authenticated) so far. */
  started: number
  /** Streamed calls the client cancelled before the answer was complete. */
  cancelled: number
  /** Streamed answers being produced now. */
  activeStreams: number
}

/** What every handler wrapper needs. */
export interface RpcEnv {
  readonly authenticate: Authenticator
  readonly log: Logger
  readonly stats: CallStats
  readonly faults: Faults
  /** Where the data writes (Insert, ArrowInsert, Delete) and Flush wait their turn, one per turn of the event loop. */
  readonly writes: WriteTurns
  /** The columns Insert requests are decoded into, given back once their write has run. */
  readonly insertColumns: InsertColumns
}

const INJECTED_UNAVAILABLE = { code: grpc.status.UNAVAILABLE, details: "injected fault: unavailable" }
const INJECTED_LOST_ANSWER = { code: grpc.status.UNAVAILABLE, details: "injected fault: answer lost" }
const INJECTED_DROP = { code: grpc.status.UNAVAILABLE, details: "injected fault: stream dropped" }

/** Waits for an injected delay; a timer, even of 0 ms, would cost every call a millisecond. */
const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()

/** Serves a unary RPC with `handler`. */
export const unary = <Req, Res extends object>(
  { authenticate, faults, log, stats }: RpcEnv,
  handler: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res
): grpc.handleUnaryCall<Req, Res | { stat: Stat }> =>
(call, callback) => {
  if (!authenticate(call.metadata)) {
    callback(UNAUTHENTICATED)
    return
  }
  stats.started++
  const fault = faults.admit(false)
  if (fault.fail) {
    callback(INJECTED_UNAVAILABLE)
    return
  }
  sleep(fault.delayMs).then(() => handler(call.request, call)).then(
    (response) => (fault.loseAnswer ? callback(INJECTED_LOST_ANSWER) : callback(null, response)),
    (error) => {
      if (!isStatusError(error)) log(`${call.getPath()} failed`, error)
      callback(null, { stat: statOf(error) })
    }
  )
}

const waitForDrain = (call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      call.off("drain", done)
      call.off("cancelled", done)
      call.off("close", done)
      resolve()
    }
    call.on("drain", done)
    call.on("cancelled", done)
    call.on("close", done)
  })

/**
 * Serves a server-streaming RPC: writes each message `handler` produces, waiting whenever the client's buffer is
 * full, and stops producing as soon as the client cancels. A failure becomes a last message holding only `stat`.
 * The handler produces at least one message on success (PROTOCOL.md §5.3).
 */
export const serverStream = <Req, Res extends object>(
  { authenticate, faults, log, stats }: RpcEnv,
  handler: (request: Req, call: grpc.ServerWritableStream<Req, Res>) => Iterable<Res> | AsyncIterable<Res>
): grpc.handleServerStreamingCall<Req, Res | { stat: Stat }> =>
(call) => {
  if (!authenticate(call.metadata)) {
    call.emit("error", UNAUTHENTICATED)
    return
  }
  stats.started++
  const fault = faults.admit(true)
  if (fault.fail) {
    call.emit("error", INJECTED_UNAVAILABLE)
    return
  }
  stats.activeStreams++
  let cancelled = false
  call.on("cancelled", () => {
    cancelled = true
  })
  const run = async () => {
    await sleep(fault.delayMs)
    let sent = 0
    try {
      for await (const message of handler(call.request, call as grpc.ServerWritableStream<Req, Res>)) {
        if (cancelled) break
        if (sent === fault.dropAfter) {
          call.emit("error", INJECTED_DROP)
          return
        }
        sent++
        if (!call.write(message)) await waitForDrain(call as grpc.ServerWritableStream<unknown, unknown>)
        if (cancelled) break
      }
    } catch (error) {
      if (!isStatusError(error)) log(`${call.getPath()} failed`, error)
      if (!cancelled) call.write({ stat: statOf(error) })
    }
    if (cancelled) stats.cancelled++
    else call.end()
  }
  void run().finally(() => stats.activeStreams--)
}

/** Splits `items` into pages of at most `size`; an empty input is one empty page. */
export async function* pages<A>(items: Iterable<A> | AsyncIterable<A>, size: number): AsyncGenerator<Array<A>> {
  let page: Array<A> = []
  let sent = false
  for await (const item of items) {
    page.push(item)
    if (page.length === size) {
      yield page
      sent = true
      page = []
    }
  }
  if (page.length > 0 || !sent) yield page
}
