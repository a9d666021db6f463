/**
 * Material for fuzzing the server: one valid request per RPC and deterministic corruptions of its bytes.
 */
import type { RpcName } from "../../src/internal/grpc/proto.js"

/** A valid request of every RPC, about the stream `uuid`. */
export const validRequests = (uuid: Buffer): Record<RpcName, object> => {
  const range = { uuid, start: "0", end: "2000000", versionMajor: "0" }
  const kv = [{ key: "name", val: { value: "x" } }]
  return {
    RawValues: range,
    ArrowRawValues: range,
    ArrowMultiValues: { uuid: [uuid], versionMajor: ["0"], start: "0", end: "2000000", snapPeriodNs: "0" },
    AlignedWindows: { ...range, pointWidth: 10 },
    ArrowAlignedWindows: { ...range, pointWidth: 10 },
    Windows: { ...range, width: "1000", depth: 0 },
    ArrowWindows: { ...range, width: "1000", depth: 0 },
    StreamInfo: { uuid },
    SetStreamAnnotations: { uuid, expectedPropertyVersion: "0", changes: [{ key: "a", val: { value: "b" } }] },
    SetStreamTags: { uuid, expectedPropertyVersion: "0", tags: kv, collection: "fuzz" },
    Create: { uuid: Buffer.alloc(16, 7), collection: "fuzz/new", tags: kv, annotations: [] },
    ListCollections: { prefix: "fu" },
    LookupStreams: { collection: "fuzz", isCollectionPrefix: true, tags: kv, annotations: [] },
    Nearest: { uuid, time: "500", versionMajor: "0", backward: false },
    Changes: { uuid, fromMajor: "0", toMajor: "0", resolution: 8 },
    Insert: { uuid, sync: false, values: [{ time: "5", value: 1 }], merge_policy: "RETAIN" },
    ArrowInsert: { uuid, sync: false, merge_policy: "RETAIN", arrowBytes: Buffer.alloc(8) },
    Delete: { uuid, start: "1999999", end: "2000000" },
    Info: {},
    FaultInject: { type: "1", params: Buffer.from("{}") },
    Flush: { uuid },
    Obliterate: { uuid: Buffer.alloc(16, 9) },
    GetMetadataUsage: { prefix: "fuzz" },
    GenerateCSV: { queryType: "RAW_QUERY", startTime: "0", endTime: "100", streams: [{ uuid, label: "x" }] },
    SQLQuery: { query: "SELECT name FROM streams WHERE collection = $1", params: ["fuzz"] },
    Subscribe: { op: "ADD_UUIDS", uuid: [uuid] }
  }
}

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
const random = (seed: number) => {
  let x = (seed * 2654435761) >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 4294967296
  }
}

/** `n` corruptions of `valid`: bit flips, truncations, splices, varint bombs, random bytes. */
export const corruptRequests = (valid: Buffer, n: number, seed: number): Array<Buffer> => {
  const next = random(seed)
  const int = (k: number) => Math.floor(next() * k)
  const out: Array<Buffer> = []
  for (let i = 0; i < n; i++) {
    const kind = i % 6
    const b = Buffer.from(valid)
    if (kind === 0 && b.length > 0) {
      for (let f = 0; f < 1 + int(4); f++) b[int(b.length)]! ^= 1 << int(8)
      out.push(b)
    } else if (kind === 1) {
      out.push(b.subarray(0, int(b.length + 1)))
    } else if (kind === 2) {
      const cut = int(b.length + 1)
      out.push(Buffer.concat([b.subarray(0, cut), valid, b.subarray(cut)]))
    } else if (kind === 3) {
      out.push(Buffer.concat([Buffer.from([int(16) << 3 | int(8)]), Buffer.alloc(1 + int(12), 0xff), b]))
    } else if (kind === 4) {
      out.push(Buffer.from(Array.from({ length: int(300) }, () => int(256))))
    } else {
      const at = int(b.length + 1)
      out.push(Buffer.concat([b.subarray(0, at), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), b.subarray(at)]))
    }
  }
  return out
}
