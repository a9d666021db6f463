/**
 * The hand codecs in the server's service definition: RawValues, AlignedWindows and Windows answers are encoded
 * from columns by the handlers themselves (the serializer passes the bytes through, giving lent ones back;
 * stat-only messages still go through proto-loader), and Insert requests are decoded straight into columns, their
 * point count checked before any point is decoded, the columns reused (`insertColumns.ts`).
 */
import type * as grpc from "@grpc/grpc-js"
import { MAX_INSERT_POINTS } from "../engine/data/DataStore.js"
import { decodeInsertParams, type InsertRequest } from "../internal/grpc/codecs/index.js"
import type { InsertColumns } from "./insertColumns.js"

/** An Insert request as the handler receives it: decoded, or the reason it could not be. */
export type DecodedInsert =
  | { readonly _tag: "Decoded"; readonly request: InsertRequest }
  | { readonly _tag: "Refused"; readonly error: unknown }

const ENCODED_ANSWERS = ["RawValues", "AlignedWindows", "Windows"] as const

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * An answer's bytes, lent by the builder that wrote them, given back to it once serialized: grpc-js copies a
 * message into the frame it sends as soon as the serializer returns it (before any other code runs), so the builder
 * may then write a later answer into the same buffer. An answer grpc-js holds back (a call waiting for flow
 * control) is serialized, and given back, only when its turn comes.
 */
export class LentAnswer {
  constructor(readonly bytes: Uint8Array, readonly lender: { readonly giveBack: (bytes: Uint8Array) => void }) {}
}

const serializeLent = (answer: LentAnswer): Buffer => {
  answer.lender.giveBack(answer.bytes)
  return asBuffer(answer.bytes)
}

const insertDecoder = (columns: InsertColumns) => (bytes: Buffer): DecodedInsert => {
  try {
    return {
      _tag: "Decoded",
      request: decodeInsertParams(bytes, { maxPoints: MAX_INSERT_POINTS, columns: columns.lend })
    }
  } catch (error) {
    return { _tag: "Refused", error }
  }
}

/**
 * `definition` with the hand codecs in place of proto-loader's for the hot RPCs; Insert requests decoded into
 * columns lent by `insertColumns`.
 */
export const withCodecs = (
  definition: grpc.ServiceDefinition,
  insertColumns: InsertColumns
): grpc.ServiceDefinition => {
  const result: Record<string, grpc.MethodDefinition<any, any>> = { ...definition }
  for (const rpc of ENCODED_ANSWERS) {
    const method = definition[rpc]!
    result[rpc] = {
      ...method,
      responseSerialize: (value: unknown) =>
        value instanceof LentAnswer ?
          serializeLent(value) :
          value instanceof Uint8Array ?
          asBuffer(value) :
          method.responseSerialize(value)
    }
  }
  result["Insert"] = { ...definition["Insert"]!, requestDeserialize: insertDecoder(insertColumns) }
  return result
}
