/**
 * The data-plane RPCs: Insert, RawValues, AlignedWindows, Windows, Nearest, Changes, Delete and Flush
 * (PROTOCOL.md §7), over the engine's versioned trees. Reads page lazily from an immutable snapshot, so a client
 * that cancels stops the work.
 */
import { MAX_INSERT_POINTS, type MergePolicy, type StatColumns, type Version } from "../engine/data/DataStore.js"
import type { Database } from "../engine/Database.js"
import { StatusError } from "../engine/StatusError.js"
import { StatusCode } from "../internal/protocol.js"
import { type RpcEnv, serverStream, unary } from "./rpc.js"
import { bigintFromWire, uuidFromWire } from "./wire.js"

/** What the data RPCs need. */
export interface DataRpcContext {
  readonly db: Database
  readonly env: RpcEnv
}

interface UuidRequest {
  readonly uuid: Buffer
}

interface RangeRequest extends UuidRequest {
  readonly start: string
  readonly end: string
  readonly versionMajor: string
}

const POLICIES: Record<string, MergePolicy> = {
  NEVER: "never",
  EQUAL: "equal",
  RETAIN: "retain",
  REPLACE: "replace"
}

const versionFields = (v: Version) => ({ versionMajor: v.major.toString(), versionMinor: v.minor.toString() })

const statPoints = (page: StatColumns) => {
  const points = new Array(page.times.length)
  for (let i = 0; i < points.length; i++) {
    points[i] = {
      time: page.times[i]!.toString(),
      min: page.min[i],
      mean: page.mean[i],
      max: page.max[i],
      count: page.count[i]!.toString(),
      stddev: page.stddev[i]
    }
  }
  return points
}

/** The handlers of the data-plane RPCs, keyed by RPC name. */
export const dataRpcs = ({ db, env }: DataRpcContext) => ({
  Insert: unary(
    env,
    (
      r: UuidRequest & {
        sync: boolean
        values: Array<{ time: string; value: number }>
        merge_policy: string
        rounding: { bits: number } | null
      }
    ) => {
      const uuid = uuidFromWire(r.uuid)
      if (r.values.length > MAX_INSERT_POINTS) {
        throw new StatusError(StatusCode.InsertTooBig, "Insert too big")
      }
      const policy = POLICIES[r.merge_policy]
      if (policy === undefined) throw new StatusError(StatusCode.WrongArgs, `unknown merge policy ${r.merge_policy}`)
      const times = new BigInt64Array(r.values.length)
      const values = new Float64Array(r.values.length)
      for (let i = 0; i < r.values.length; i++) {
        times[i] = BigInt(r.values[i]!.time)
        values[i] = r.values[i]!.value
      }
      return db.data.insert(uuid, { times, values }, {
        policy,
        sync: r.sync,
        ...(r.rounding === null ? {} : { roundBits: r.rounding.bits })
      }).then(versionFields)
    }
  ),

  RawValues: serverStream(env, function*(r: RangeRequest) {
    const read = db.data.rawValues(
      uuidFromWire(r.uuid),
      BigInt(r.start),
      BigInt(r.end),
      bigintFromWire(r.versionMajor)
    )
    const version = versionFields(read.version)
    for (const page of read.pages) {
      const points = new Array(page.times.length)
      for (let i = 0; i < points.length; i++) points[i] = { time: page.times[i]!.toString(), value: page.values[i] }
      yield { ...version, values: points }
    }
  }),

  AlignedWindows: serverStream(env, function*(r: RangeRequest & { pointWidth: number }) {
    const read = db.data.alignedWindows(
      uuidFromWire(r.uuid),
      BigInt(r.start),
      BigInt(r.end),
      r.pointWidth,
      bigintFromWire(r.versionMajor)
    )
    const version = versionFields(read.version)
    for (const page of read.pages) yield { ...version, values: statPoints(page) }
  }),

  Windows: serverStream(env, function*(r: RangeRequest & { width: string; depth: number }) {
    const read = db.data.windows(
      uuidFromWire(r.uuid),
      BigInt(r.start),
      BigInt(r.end),
      BigInt(r.width),
      r.depth,
      bigintFromWire(r.versionMajor)
    )
    const version = versionFields(read.version)
    for (const page of read.pages) yield { ...version, values: statPoints(page) }
  }),

  Nearest: unary(env, (r: UuidRequest & { time: string; versionMajor: string; backward: boolean }) => {
    const found = db.data.nearest(uuidFromWire(r.uuid), BigInt(r.time), bigintFromWire(r.versionMajor), r.backward)
    return { ...versionFields(found.version), value: { time: found.time.toString(), value: found.value } }
  }),

  Changes: serverStream(
    env,
    function*(r: UuidRequest & { fromMajor: string; toMajor: string; resolution: number }) {
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
    (r: UuidRequest & { start: string; end: string }) =>
      db.data.delete(uuidFromWire(r.uuid), BigInt(r.start), BigInt(r.end)).then(versionFields)
  ),

  Flush: unary(env, (r: UuidRequest) => db.data.flush(uuidFromWire(r.uuid)).then(versionFields))
})
