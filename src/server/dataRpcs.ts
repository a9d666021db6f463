/**
 * The data-plane RPCs: Insert, RawValues, AlignedWindows, Windows, Nearest, Changes, Delete and Flush
 * (PROTOCOL.md §7), over the engine's versioned trees. Reads page lazily from an immutable snapshot, so a client
 * that cancels stops the work.
 */
import { PAGE_SIZE, type Paged, type StatColumns } from "../engine/data/DataStore.js"
import type { Database } from "../engine/Database.js"
import { StatusError } from "../engine/StatusError.js"
import {
  CodecError,
  encodeStatPointsResponse,
  RawValuesResponseBuilder,
  TooManyPointsError
} from "../internal/grpc/codecs/index.js"
import { mergePolicyFromWire } from "../internal/mergePolicy.js"
import { StatusCode } from "../internal/protocol.js"
import { LentAnswer } from "./codecs.js"
import { type RpcEnv, serverStream, type ServiceHandlers, unary } from "./rpc.js"
import { bigintFromWire, uuidFromWire, versionFields } from "./wire.js"

/** What the data RPCs need. */
export interface DataRpcContext {
  readonly db: Database
  readonly env: RpcEnv
}

/** The pages of a windows read, each encoded as one AlignedWindowsResponse / WindowsResponse. */
function* encodedWindows(read: Paged<StatColumns>) {
  const { major, minor } = read.version
  for (const page of read.pages) yield encodeStatPointsResponse({ versionMajor: major, versionMinor: minor, ...page })
}

/** The handlers of the data-plane RPCs, keyed by RPC name. */
export const dataRpcs = ({ db, env }: DataRpcContext) =>
  ({
    Insert: unary(env, (r, call) => {
      if (r._tag === "Refused") {
        if (r.error instanceof TooManyPointsError) throw new StatusError(StatusCode.InsertTooBig, "Insert too big")
        const detail = r.error instanceof CodecError ? r.error.message : String(r.error)
        throw new StatusError(StatusCode.WrongArgs, `malformed insert: ${detail}`)
      }
      const { mergePolicy, roundBits, sync, times, uuid, values } = r.request
      const policy = mergePolicyFromWire(mergePolicy)
      if (policy === undefined) throw new StatusError(StatusCode.WrongArgs, `unknown merge policy ${mergePolicy}`)
      return env.writes.run(() =>
        db.insert(uuidFromWire(Buffer.from(uuid)), { times, values }, {
          policy,
          sync,
          ...(roundBits === undefined ? {} : { roundBits })
        }), call).then(versionFields).finally(() => env.insertColumns.giveBack(times))
    }),

    RawValues: serverStream(env, function*(r) {
      let builder: RawValuesResponseBuilder | undefined
      const read = db.data.rawValuesInto(
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        bigintFromWire(r.versionMajor),
        (
          { major, minor }
        ) => (builder = new RawValuesResponseBuilder({ versionMajor: major, versionMinor: minor }, PAGE_SIZE, true))
      )
      for (const page of read.pages) yield new LentAnswer(page, builder!)
    }),

    AlignedWindows: serverStream(env, function*(r) {
      const read = db.data.alignedWindows(
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        r.pointWidth,
        bigintFromWire(r.versionMajor)
      )
      yield* encodedWindows(read)
    }),

    Windows: serverStream(env, function*(r) {
      const read = db.data.windows(
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        BigInt(r.width),
        r.depth,
        bigintFromWire(r.versionMajor)
      )
      yield* encodedWindows(read)
    }),

    Nearest: unary(env, (r) => {
      const found = db.data.nearest(uuidFromWire(r.uuid), BigInt(r.time), bigintFromWire(r.versionMajor), r.backward)
      return { ...versionFields(found.version), value: { time: found.time.toString(), value: found.value } }
    }),

    Changes: serverStream(
      env,
      function*(r) {
        const read = db.data.changes(
          uuidFromWire(r.uuid),
          bigintFromWire(r.fromMajor),
          bigintFromWire(r.toMajor),
          r.resolution
        )
        const version = versionFields(read.version)
        for (const page of read.pages) {
          const ranges = new Array(page.start.length)
          for (let i = 0; i < ranges.length; i++) {
            ranges[i] = { start: page.start[i]!.toString(), end: page.end[i]!.toString() }
          }
          yield { ...version, ranges }
        }
      }
    ),

    Delete: unary(
      env,
      (r, call) =>
        env.writes.run(() => db.data.delete(uuidFromWire(r.uuid), BigInt(r.start), BigInt(r.end)), call)
          .then(versionFields)
    ),

    // a Flush waits behind the writes that arrived before it, so that it covers them: an insert sent and not yet
    // answered, then a Flush on the same connection, is made durable by that Flush
    Flush: unary(env, (r, call) => env.writes.run(() => db.data.flush(uuidFromWire(r.uuid)), call).then(versionFields))
  }) satisfies Partial<ServiceHandlers>
