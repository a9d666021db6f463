/**
 * Subscribe (PROTOCOL.md §9.5), a bidirectional stream. The client sends `SubscriptionUpdate`s: ADD_UUIDS starts
 * forwarding the inserts of the named streams, REMOVE_UUIDS stops it. Every accepted Insert or ArrowInsert into a
 * subscribed stream is forwarded as soon as it is stored, as `SubscriptionResp{uuid, arrowBytes}` holding the new
 * points in the order received (§9.1's schema, at most 50 000 rows per message).
 *
 * Choices where §9.5 says UNKNOWN: an unknown uuid gets one message holding only `stat` 404 (a uuid that is not 16
 * bytes, or an unknown op, 421), then the call ends with gRPC OK; when the client half-closes, the server sends what
 * it still holds and ends the call with OK.
 *
 * Backpressure: messages are written while the call's buffer accepts them, then kept in a backlog until the client
 * reads. Inserts are never slowed down by a subscriber, so the backlog is bounded: when it would hold more than
 * `maxBacklogBytes` of Arrow data (default `DEFAULT_SUBSCRIBER_BACKLOG_BYTES` of `engine/subscriptionRules.ts`), the backlog is dropped, the
 * subscriber gets one last message holding only `stat` 426 (ResourceDepleted, "subscriber too slow"), and its call
 * ends. Beyond the backlog, at most gRPC's own buffer (16 messages) and the HTTP/2 window are held per subscriber.
 */
import * as grpc from "@grpc/grpc-js"
import * as ArrowReads from "../engine/arrow/reads.js"
import type { Columns } from "../engine/data/DataStore.js"
import type { Database } from "../engine/Database.js"
import { StatusError } from "../engine/StatusError.js"
import { checkSubscribable, DEFAULT_SUBSCRIBER_BACKLOG_BYTES, subscriberTooSlow } from "../engine/subscriptionRules.js"
import { StatusCode } from "../internal/protocol.js"
import { type Answered, type Received, type RpcEnv, statOf } from "./rpc.js"
import { uuidFromWire, uuidToWire } from "./wire.js"

interface Message {
  readonly uuid: Buffer
  readonly arrowBytes: Buffer
}

type SubscriptionUpdate = Received<"Subscribe">

type Call = grpc.ServerDuplexStream<SubscriptionUpdate, Answered<"Subscribe">>

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** One Subscribe call. */
class Subscriber {
  readonly uuids = new Set<string>()
  private backlog: Array<Message> = []
  private backlogBytes = 0
  private waiting = false
  private halfClosed = false
  private done = false

  constructor(
    private readonly call: Call,
    private readonly hub: SubscriptionHub,
    private readonly maxBacklogBytes: number
  ) {}

  /** Queues the messages of one insert. */
  send(messages: ReadonlyArray<Message>): void {
    if (this.done) return
    for (const message of messages) {
      if (this.waiting) {
        this.backlog.push(message)
        this.backlogBytes += message.arrowBytes.length
        if (this.backlogBytes > this.maxBacklogBytes) {
          this.fail(subscriberTooSlow(this.maxBacklogBytes))
          return
        }
      } else if (!this.call.write(message)) this.wait()
    }
  }

  private wait(): void {
    this.waiting = true
    this.call.once("drain", () => this.flush())
  }

  private flush(): void {
    this.waiting = false
    if (this.done) return
    let i = 0
    while (i < this.backlog.length) {
      const message = this.backlog[i++]!
      this.backlogBytes -= message.arrowBytes.length
      if (!this.call.write(message)) {
        this.backlog = this.backlog.slice(i)
        this.wait()
        return
      }
    }
    this.backlog = []
    if (this.halfClosed) this.finish()
  }

  /** Applies one update from the client. */
  update(request: SubscriptionUpdate): void {
    if (this.done) return
    try {
      const uuids = request.uuid.map(uuidFromWire)
      if (request.op === "ADD_UUIDS") {
        checkSubscribable(this.hub.db, uuids)
        for (const uuid of uuids) this.uuids.add(uuid)
      } else if (request.op === "REMOVE_UUIDS") {
        for (const uuid of uuids) this.uuids.delete(uuid)
      } else {
        throw new StatusError(StatusCode.WrongArgs, `unknown subscription op ${request.op}`)
      }
    } catch (error) {
      this.fail(error)
    }
  }

  /** The client half-closed: end once everything held is written. */
  clientDone(): void {
    this.halfClosed = true
    if (!this.waiting) this.finish()
  }

  /** Ends the call with one message holding only `stat`. */
  private fail(error: unknown): void {
    if (this.done) return
    this.backlog = []
    this.backlogBytes = 0
    this.call.write({ stat: statOf(error) })
    this.finish()
  }

  /** Ends the call with OK. */
  finish(): void {
    if (this.detach()) this.call.end()
  }

  /**
   * The client cancelled (gRPC says so once per call). A cancel ends the request side too, often just before, so
   * the call may already be finished as a half-close: it is counted as cancelled all the same.
   */
  cancelled(): void {
    this.detach()
    this.hub.env.stats.cancelled++
  }

  /** Leaves the hub; false when already done. */
  detach(): boolean {
    if (this.done) return false
    this.done = true
    this.backlog = []
    this.hub.remove(this)
    return true
  }
}

/** The server's subscribers, fed by the database's insert listener. */
export class SubscriptionHub {
  private readonly subscribers = new Set<Subscriber>()
  private readonly stopListening: () => void

  constructor(
    readonly db: Database,
    readonly env: RpcEnv,
    private readonly maxBacklogBytes: number = DEFAULT_SUBSCRIBER_BACKLOG_BYTES
  ) {
    this.stopListening = db.onInsert((uuid, points) => this.publish(uuid, points))
  }

  /** Forwards one accepted insert to its subscribers, encoded once for all. */
  private publish(uuid: string, points: Columns): void {
    let messages: Array<Message> | undefined
    for (const subscriber of this.subscribers) {
      if (!subscriber.uuids.has(uuid)) continue
      messages ??= ArrowReads.pointsMessages(points).map((bytes) => ({
        uuid: uuidToWire(uuid),
        arrowBytes: asBuffer(bytes)
      }))
      subscriber.send(messages)
    }
  }

  /** @internal */
  remove(subscriber: Subscriber): void {
    if (this.subscribers.delete(subscriber)) this.env.stats.activeStreams--
  }

  /** The handler of the Subscribe RPC. */
  readonly handler: grpc.handleBidiStreamingCall<SubscriptionUpdate, Answered<"Subscribe">> = (call) => {
    if (!this.env.authenticate(call.metadata)) {
      call.emit("error", { code: grpc.status.UNAUTHENTICATED, details: "invalid api key" })
      return
    }
    this.env.stats.started++
    this.env.stats.activeStreams++
    const subscriber = new Subscriber(call, this, this.maxBacklogBytes)
    this.subscribers.add(subscriber)
    call.on("data", (request: SubscriptionUpdate) => subscriber.update(request))
    call.on("end", () => subscriber.clientDone())
    call.on("cancelled", () => subscriber.cancelled())
    call.on("error", () => subscriber.detach())
  }

  /** Ends every subscription with OK and stops listening (the server is closing). */
  close(): void {
    for (const subscriber of [...this.subscribers]) subscriber.finish()
    this.stopListening()
  }
}
