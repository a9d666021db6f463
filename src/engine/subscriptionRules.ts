/**
 * The rules of Subscribe that the embedded server (`server/subscribe.ts`) and the memory layer both follow:
 * only existing streams can be subscribed to (404), and a subscriber that does not keep up is cut off once its
 * backlog of Arrow data passes a bound (426), because inserts are never slowed down by a subscriber.
 */
import { StatusCode } from "../internal/protocol.js"
import type { Database } from "./Database.js"
import { StatusError } from "./StatusError.js"

/** How much Arrow data one subscriber's backlog may hold by default: 64 MiB. */
export const DEFAULT_SUBSCRIBER_BACKLOG_BYTES = 64 * 1024 * 1024

/** Throws 404 for the first of `uuids` that names no stream. */
export const checkSubscribable = (db: Database, uuids: Iterable<string>): void => {
  for (const uuid of uuids) {
    if (!db.data.hasStream(uuid)) throw new StatusError(StatusCode.NoSuchStream, `stream does not exist: ${uuid}`)
  }
}

/** The error that ends a subscription whose backlog passed `maxBacklogBytes`. */
export const subscriberTooSlow = (maxBacklogBytes: number): StatusError =>
  new StatusError(
    StatusCode.ResourceDepleted,
    `subscriber too slow: more than ${maxBacklogBytes} bytes of updates waiting to be read`
  )
