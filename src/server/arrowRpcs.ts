/**
 * The Arrow RPCs (PROTOCOL.md §9): ArrowRawValues, ArrowMultiValues, ArrowWindows, ArrowAlignedWindows and
 * ArrowInsert. The messages are built by `engine/arrow`, which the memory layer uses too.
 */
import * as ArrowInsert from "../engine/arrow/insert.js"
import * as ArrowReads from "../engine/arrow/reads.js"
import type { Database } from "../engine/Database.js"
import { mergePolicyFromWire } from "../internal/mergePolicy.js"
import { type RpcEnv, serverStream, type ServiceHandlers, unary } from "./rpc.js"
import { bigintFromWire, uuidFromWire, versionFields } from "./wire.js"

/** What the Arrow RPCs need. */
export interface ArrowRpcContext {
  readonly db: Database
  readonly env: RpcEnv
}

function* withVersion(read: ArrowReads.ArrowRead) {
  const version = versionFields(read.version)
  for (const arrowBytes of read.messages) yield { ...version, arrowBytes }
}

/** The handlers of the Arrow RPCs, keyed by RPC name. */
export const arrowRpcs = ({ db, env }: ArrowRpcContext) =>
  ({
    ArrowRawValues: serverStream(
      env,
      (r) =>
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
      function*(r) {
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
      (r) =>
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
      (r) =>
        withVersion(ArrowReads.alignedWindows(
          db.data,
          uuidFromWire(r.uuid),
          BigInt(r.start),
          BigInt(r.end),
          r.pointWidth,
          bigintFromWire(r.versionMajor)
        ))
    ),

    ArrowInsert: unary(env, async (r, call) => {
      const roundBits = r.rounding?.spec === "bits" ? r.rounding.bits : undefined
      const policy = mergePolicyFromWire(r.merge_policy) ?? r.merge_policy
      const version = await env.writes.run(
        () => ArrowInsert.arrowInsert(db, uuidFromWire(r.uuid), r.arrowBytes, policy, { sync: r.sync, roundBits }),
        call
      )
      return versionFields(version)
    })
  }) satisfies Partial<ServiceHandlers>
