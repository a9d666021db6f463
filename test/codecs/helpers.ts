/**
 * Shared helpers of the codec tests: protobufjs as the reference implementation, a seeded generator of awkward
 * 64-bit times and doubles, and a builder of valid but non-canonical encodings (fields shuffled, repeated, unknown
 * fields of every wire type, groups) made with protobufjs's own Writer.
 */
import { readFileSync } from "node:fs"
import protobuf from "protobufjs"
import { PROTO_PATH } from "../../src/internal/grpc/proto.js"

export const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true })
export const RawValuesResponse = root.lookupType("v5api.RawValuesResponse")
export const AlignedWindowsResponse = root.lookupType("v5api.AlignedWindowsResponse")
export const WindowsResponse = root.lookupType("v5api.WindowsResponse")
export const InsertParams = root.lookupType("v5api.InsertParams")
const Mash = root.lookupType("v5api.Mash")
const MASH = {
  revision: "7",
  leader: "node-a",
  healthy: true,
  unmapped: 0.5,
  members: [{ hash: 3, nodename: "node-a", up: true, grpcEndpoints: "a:4410" }]
}

export const MIN_TIME = -(16n << 56n)
export const MAX_TIME = 48n << 56n
export const INT64_MIN = -(1n << 63n)
export const INT64_MAX = (1n << 63n) - 1n
export const UINT64_MAX = (1n << 64n) - 1n

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"))

// ---------------------------------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------------------------------

export interface VectorCase {
  readonly message: string
  readonly name: string
  readonly note?: string
  readonly hex: string
  readonly value: Record<string, unknown>
}

export const vectors: ReadonlyArray<VectorCase> = (JSON.parse(
  readFileSync(new URL("../../../shared/spec/vectors/v5api-messages.json", import.meta.url), "utf8")
) as { cases: ReadonlyArray<VectorCase> }).cases

// ---------------------------------------------------------------------------------------------------------------
// Bits
// ---------------------------------------------------------------------------------------------------------------

const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)

/** The 64 bits of a double. */
export const bitsOf = (x: number): bigint => {
  f64[0] = x
  return u64[0]!
}

/** The double of 64 bits (NaN payloads preserved). */
export const doubleOf = (bits: bigint): number => {
  u64[0] = bits
  return f64[0]!
}

/** The bit patterns of a `Float64Array`, for bit-exact comparison (NaN payloads, -0). */
export const bitsArray = (a: Float64Array): Array<bigint> =>
  Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length))

/** A protobufjs 64-bit value (Long, number or string) as a bigint, signed or unsigned. */
export const big = (x: unknown, signed: boolean): bigint => {
  const v = BigInt(x === null || x === undefined ? 0 : String(x))
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v)
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded generation
// ---------------------------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32): uniform 32-bit words. */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  int(n: number): number {
    return this.u32() % n
  }
  bool(): boolean {
    return (this.u32() & 1) === 1
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32())
  }
  pick<A>(xs: ReadonlyArray<A>): A {
    return xs[this.int(xs.length)]!
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) b[i] = this.int(256)
    return b
  }
}

const SPECIAL_TIMES: ReadonlyArray<bigint> = [
  0n,
  1n,
  -1n,
  MIN_TIME,
  MIN_TIME + 1n,
  MIN_TIME - 1n,
  MAX_TIME,
  MAX_TIME - 1n,
  MAX_TIME - 2n,
  INT64_MIN,
  INT64_MAX,
  1500000000000000000n
]

/** A time: special values, near MIN_TIME/MAX_TIME, or anywhere in int64. */
export const randomTime = (rng: Rng): bigint => {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(SPECIAL_TIMES)
    case 1:
      return MIN_TIME + BigInt(rng.int(2001) - 1000)
    case 2:
      return MAX_TIME + BigInt(rng.int(2001) - 1000)
    default:
      return BigInt.asIntN(64, rng.u64())
  }
}

const SPECIAL_VALUE_BITS: ReadonlyArray<bigint> = [
  0x0000000000000000n, // +0
  0x8000000000000000n, // -0
  0x7ff8000000000000n, // NaN
  0xfff8000000000000n, // -NaN
  0x7ff0000000000001n, // signalling NaN
  0x7ff4000000000123n, // signalling NaN with payload
  0xffffffffffffffffn, // NaN, all ones
  0x7ff0000000000000n, // +Inf
  0xfff0000000000000n, // -Inf
  0x0000000000000001n, // smallest subnormal
  0x800fffffffffffffn, // largest negative subnormal
  0x7fefffffffffffffn, // max double
  0x3ff0000000000000n // 1
]

/** The bits of a value: specials, NaNs with random payloads, subnormals, or any 64 bits. */
export const randomValueBits = (rng: Rng): bigint => {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(SPECIAL_VALUE_BITS)
    case 1: // NaN with a random payload and sign
      return (rng.u64() & 0x800fffffffffffffn) | 0x7ff0000000000000n | 1n
    case 2: // subnormal
      return rng.u64() & 0x800fffffffffffffn
    case 3:
      return bitsOf((rng.u32() - 2 ** 31) / 1024)
    default:
      return rng.u64()
  }
}

/** A random count: mostly small, sometimes up to `max`. */
export const randomCount = (rng: Rng, max: number): number =>
  rng.pick([0, 1, 2, 3, rng.int(20), rng.int(200), rng.int(max + 1)])

export const randomUint64 = (rng: Rng): bigint =>
  rng.pick([0n, 1n, 10n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, UINT64_MAX, rng.u64(), BigInt(rng.u32())])

export interface RandomStatus {
  readonly code: number
  readonly msg: string
}

export const randomStatus = (rng: Rng): RandomStatus | undefined =>
  rng.int(3) === 0
    ? undefined
    : {
      code: rng.pick([0, 404, 413, 500, 0xffffffff, rng.u32()]),
      msg: rng.pick(["", "stream does not exist", "ünïcødé ✓ 🚀", "x".repeat(rng.int(300))])
    }

// ---------------------------------------------------------------------------------------------------------------
// Canonical protobufjs objects (defaults omitted, as proto3 encoders leave them out)
// ---------------------------------------------------------------------------------------------------------------

export const statusObject = (s: RandomStatus): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  if (s.code !== 0) o["code"] = s.code
  if (s.msg !== "") o["msg"] = s.msg
  return o
}

/** A canonical protobufjs object of a field set: 64-bit fields as decimal strings, zero fields left out. */
export const pointObject = (
  fields: ReadonlyArray<readonly [name: string, kind: "sfixed64" | "fixed64" | "double", bits: bigint]>
): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  for (const [name, kind, bits] of fields) {
    if (bits === 0n) continue
    o[name] = kind === "double" ? doubleOf(bits) : String(kind === "sfixed64" ? BigInt.asIntN(64, bits) : bits)
  }
  return o
}

export const headerObject = (
  stat: RandomStatus | undefined,
  versionMajor: bigint,
  versionMinor: bigint
): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  if (stat !== undefined) o["stat"] = statusObject(stat)
  if (versionMajor !== 0n) o["versionMajor"] = String(versionMajor)
  if (versionMinor !== 0n) o["versionMinor"] = String(versionMinor)
  return o
}

// ---------------------------------------------------------------------------------------------------------------
// Non-canonical encodings, written with protobufjs's Writer
// ---------------------------------------------------------------------------------------------------------------

type Writer = protobuf.Writer

const tag = (field: number, wireType: number): number => ((field << 3) | wireType) >>> 0

/** Writes one random unknown field (any wire type, groups with nested content) with a field number from `fields`. */
export const writeUnknown = (w: Writer, rng: Rng, fields: ReadonlyArray<number>, depth = 0): void => {
  const field = rng.pick(fields)
  const wt = rng.pick(depth < 2 ? [0, 1, 2, 5, 3] : [0, 1, 2, 5])
  w.uint32(tag(field, wt))
  switch (wt) {
    case 0:
      w.uint64(String(rng.pick([0n, 1n, 300n, UINT64_MAX, rng.u64()])))
      break
    case 1:
      w.fixed64(String(rng.u64()))
      break
    case 2:
      w.bytes(rng.bytes(rng.int(12)))
      break
    case 5:
      w.fixed32(rng.u32())
      break
    default: {
      const inner = rng.int(3)
      for (let i = 0; i < inner; i++) writeUnknown(w, rng, fields, depth + 1)
      w.uint32(tag(field, 4))
    }
  }
}

/** Unknown field numbers above `known`, including ones that need a five-byte tag. */
export const unknownFields = (known: number): ReadonlyArray<number> =>
  [
    known + 1,
    known + 2,
    15,
    16,
    100,
    2047,
    2048,
    536870911
  ].filter((f) => f > known)

/**
 * A valid but non-canonical encoding of a submessage whose fields are all fixed 64-bit (wire type 1): fields in a
 * random order, zero fields sometimes written explicitly, some fields first given a decoy value that a later
 * occurrence overrides, unknown fields in between.
 */
export const writeFixedSubmessage = (
  rng: Rng,
  fields: ReadonlyArray<readonly [field: number, bits: bigint]>,
  unknown: ReadonlyArray<number>
): Uint8Array => {
  const w = protobuf.Writer.create()
  const order = [...fields].sort(() => rng.int(3) - 1)
  for (const [field, bits] of order) {
    if (rng.int(4) === 0) writeUnknown(w, rng, unknown)
    const decoy = rng.int(5) === 0
    if (decoy) w.uint32(tag(field, 1)).fixed64(String(rng.u64()))
    if (decoy || bits !== 0n || rng.int(3) === 0) w.uint32(tag(field, 1)).fixed64(String(bits))
  }
  if (rng.int(4) === 0) writeUnknown(w, rng, unknown)
  return w.finish()
}

/**
 * Concatenates field chunks in a random interleaving that keeps the order within each list (the repeated
 * entries, and a decoy before the value that overrides it).
 */
export const interleave = (rng: Rng, lists: ReadonlyArray<ReadonlyArray<Uint8Array>>): Uint8Array => {
  const queues = lists.map((l) => [...l]).filter((l) => l.length > 0)
  const parts: Array<Uint8Array> = []
  while (queues.length > 0) {
    const i = rng.int(queues.length)
    parts.push(queues[i]!.shift()!)
    if (queues[i]!.length === 0) queues.splice(i, 1)
  }
  return new Uint8Array(Buffer.concat(parts))
}

/** One length-delimited field `field` holding `payload`. */
export const lenField = (field: number, payload: Uint8Array): Uint8Array =>
  protobuf.Writer.create().uint32(tag(field, 2)).bytes(payload).finish()

/** One varint field. */
export const varintField = (field: number, value: bigint | number): Uint8Array =>
  protobuf.Writer.create().uint32(tag(field, 0)).uint64(String(value)).finish()

/** One chunk of unknown fields. */
export const unknownChunk = (rng: Rng, fields: ReadonlyArray<number>): Uint8Array => {
  const w = protobuf.Writer.create()
  writeUnknown(w, rng, fields)
  return w.finish()
}

/** A `Status` payload with shuffled/duplicated fields and unknown fields. */
export const writeStatusPayload = (rng: Rng, s: RandomStatus): Uint8Array => {
  const unknown = unknownFields(3)
  const decoy = rng.int(4) === 0
  const code = [
    ...(decoy ? [varintField(1, rng.u32())] : []),
    ...(decoy || s.code !== 0 || rng.bool() ? [varintField(1, s.code)] : [])
  ]
  const msg = s.msg !== "" || rng.bool() ? [protobuf.Writer.create().uint32(tag(2, 2)).string(s.msg).finish()] : []
  const mash = rng.int(4) === 0 ? [lenField(3, Mash.encode(MASH).finish())] : []
  const extra = rng.int(3) === 0 ? [unknownChunk(rng, unknown)] : []
  return interleave(rng, [code, msg, mash, extra])
}
