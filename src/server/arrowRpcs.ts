/**
 * The Arrow RPCs (PROTOCOL.md §9): ArrowRawValues, ArrowMultiValues, ArrowWindows, ArrowAlignedWindows and
 * ArrowInsert. The messages are built by `engine/arrow`, which the memory layer uses too.
 */
import * as ArrowInsert from "../engine/arrow/insert.js"
import * as ArrowReads from "../engine/arrow/reads.js"
import { MAX_INSERT_POINTS, type MergePolicy, type Version } from "../engine/data/DataStore.js"
import type { Database } from "../engine/Database.js"
import { StatusError } from "../engine/StatusError.js"
import { StatusCode } from "../internal/protocol.js"
import { type RpcEnv, serverStream, unary } from "./rpc.js"
import { bigintFromWire, uuidFromWire } from "./wire.js"

/** What the Arrow RPCs need. */
export interface ArrowRpcContext {
  readonly db: Database
  readonly env: RpcEnv
}

interface RangeRequest {
  readonly uuid: Buffer
  readonly start: string
  readonly end: string
  readonly versionMajor: string
}

/** An ArrowInsertParams as proto-loader decodes it (enums as names). */
interface ArrowInsertRequest {
  readonly uuid: Buffer
  readonly sync: boolean
  readonly merge_policy: string | number
  readonly rounding: { readonly bits?: number; readonly spec?: string } | null
  readonly arrowBytes: Buffer
}

const POLICIES: Record<string, MergePolicy> = {
  NEVER: "never",
  EQUAL: "equal",
  RETAIN: "retain",
  REPLACE: "replace"
}

const versionFields = (v: Version) => ({ versionMajor: v.major.toString(), versionMinor: v.minor.toString() })

function* withVersion(read: ArrowReads.ArrowRead) {
  const version = versionFields(read.version)
  for (const arrowBytes of read.messages) yield { ...version, arrowBytes }
}

/** The handlers of the Arrow RPCs, keyed by RPC name. */
export const arrowRpcs = ({ db, env }: ArrowRpcContext) => ({
  ArrowRawValues: serverStream(
    env,
    (r: RangeRequest & { templateBytes: Buffer }) =>
      withVersion(ArrowReads.rawValues(
        db.data,
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        bigintFromWire(r.versionMajor),
        r.templateBytes
      ))
  ),

  ArrowMultiValues: serverStream(
    env,
    function*(r: {
      uuid: Array<Buffer>
      versionMajor: Array<string>
      start: string
      end: string
      snapPeriodNs: string
      templateBytes: Buffer
    }) {
      const read = ArrowReads.multiValues(
        db.data,
        r.uuid.map(uuidFromWire),
        r.versionMajor.map(bigintFromWire),
        BigInt(r.start),
        BigInt(r.end),
        BigInt(r.snapPeriodNs),
        r.templateBytes
      )
      for (const arrowBytes of read.messages) yield { arrowBytes }
    }
  ),

  ArrowWindows: serverStream(
    env,
    (r: RangeRequest & { width: string; depth: number }) =>
      withVersion(ArrowReads.windows(
        db.data,
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        BigInt(r.width),
        r.depth,
        bigintFromWire(r.versionMajor)
      ))
  ),

  ArrowAlignedWindows: serverStream(
    env,
    (r: RangeRequest & { pointWidth: number }) =>
      withVersion(ArrowReads.alignedWindows(
        db.data,
        uuidFromWire(r.uuid),
        BigInt(r.start),
        BigInt(r.end),
        r.pointWidth,
        bigintFromWire(r.versionMajor)
      ))
  ),

  ArrowInsert: unary(env, async (r: ArrowInsertRequest) => {
    const uuid = uuidFromWire(r.uuid)
    db.data.version(uuid) // 404 before the body is looked at
    const policy = POLICIES[String(r.merge_policy)]
    if (policy === undefined) throw new StatusError(StatusCode.WrongArgs, `unknown merge policy ${r.merge_policy}`)
    const points = ArrowInsert.decodeArrowInsert(r.arrowBytes, MAX_INSERT_POINTS)
    const roundBits = r.rounding?.spec === "bits" ? r.rounding.bits : undefined
    const version = await db.insert(uuid, points, {
      policy,
      sync: r.sync,
      ...(roundBits === undefined ? {} : { roundBits })
    })
    return versionFields(version)
  })
})
