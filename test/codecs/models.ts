/**
 * Models of the hot messages for the codec tests: random messages in comparable form (bigints and bit patterns),
 * their canonical protobufjs objects, protobufjs-decoded and codec-decoded views, and scrambled (valid but
 * non-canonical) encodings.
 */
import protobuf from "protobufjs"
import type { InsertRequest, RawValuesPage, StatPointsPage } from "../../src/internal/grpc/codecs/index.js"
import {
  big,
  bitsArray,
  bitsOf,
  hex,
  interleave,
  lenField,
  pointObject,
  randomCount,
  type RandomStatus,
  randomStatus,
  randomTime,
  randomUint64,
  randomValueBits,
  Rng,
  unknownChunk,
  unknownFields,
  varintField,
  writeFixedSubmessage,
  writeStatusPayload
} from "./helpers.js"

// ---------------------------------------------------------------------------------------------------------------
// Models: what a message means, in comparable form (bigints and bit patterns)
// ---------------------------------------------------------------------------------------------------------------

export interface Header {
  readonly stat: RandomStatus | undefined
  readonly versionMajor: bigint
  readonly versionMinor: bigint
}

export interface RawModel extends Header {
  readonly times: ReadonlyArray<bigint>
  readonly values: ReadonlyArray<bigint>
}

export const F64_FIELDS = ["min", "mean", "max", "stddev"] as const

export interface StatModel extends Header {
  readonly times: ReadonlyArray<bigint>
  readonly min: ReadonlyArray<bigint>
  readonly mean: ReadonlyArray<bigint>
  readonly max: ReadonlyArray<bigint>
  readonly count: ReadonlyArray<bigint>
  readonly stddev: ReadonlyArray<bigint>
}

export interface InsertModel {
  readonly uuid: string
  readonly sync: boolean
  readonly mergePolicy: number
  readonly roundBits: number | undefined
  readonly times: ReadonlyArray<bigint>
  readonly values: ReadonlyArray<bigint>
}

export const randomHeader = (rng: Rng): Header => ({
  stat: randomStatus(rng),
  versionMajor: randomUint64(rng),
  versionMinor: randomUint64(rng)
})

export const randomRaw = (rng: Rng, maxPoints: number): RawModel => {
  const n = randomCount(rng, maxPoints)
  return {
    ...randomHeader(rng),
    times: Array.from({ length: n }, () => randomTime(rng)),
    values: Array.from({ length: n }, () => randomValueBits(rng))
  }
}

export const randomStats = (rng: Rng, maxPoints: number): StatModel => {
  const n = randomCount(rng, maxPoints)
  const col = (f: () => bigint) => Array.from({ length: n }, f)
  return {
    ...randomHeader(rng),
    times: col(() => randomTime(rng)),
    min: col(() => randomValueBits(rng)),
    mean: col(() => randomValueBits(rng)),
    max: col(() => randomValueBits(rng)),
    count: col(() => (rng.bool() ? BigInt(rng.int(1000)) : randomUint64(rng))),
    stddev: col(() => randomValueBits(rng))
  }
}

export const randomInsert = (rng: Rng, maxPoints: number, anyEnum: boolean): InsertModel => {
  const n = randomCount(rng, maxPoints)
  return {
    uuid: hex(rng.pick([rng.bytes(16), new Uint8Array(0), rng.bytes(rng.int(40))])),
    sync: rng.bool(),
    mergePolicy: anyEnum ? rng.pick([0, 1, 2, 3, 7, -1, 2147483647]) : rng.int(4),
    roundBits: rng.pick([undefined, 0, 1, 30, 63, -1, -2147483648, 2147483647]),
    times: Array.from({ length: n }, () => randomTime(rng)),
    values: Array.from({ length: n }, () => randomValueBits(rng))
  }
}

export const f64Column = (bits: ReadonlyArray<bigint>): Float64Array =>
  new Float64Array(BigUint64Array.from(bits).buffer)

export const statOf = (s: { code: number; msg: string } | undefined) =>
  s === undefined ? undefined : { code: s.code, msg: s.msg }

export const ourRaw = (p: RawValuesPage): RawModel => ({
  stat: statOf(p.stat),
  versionMajor: p.versionMajor,
  versionMinor: p.versionMinor,
  times: Array.from(p.times),
  values: bitsArray(p.values)
})

export const ourStats = (p: StatPointsPage): StatModel => ({
  stat: statOf(p.stat),
  versionMajor: p.versionMajor,
  versionMinor: p.versionMinor,
  times: Array.from(p.times),
  min: bitsArray(p.min),
  mean: bitsArray(p.mean),
  max: bitsArray(p.max),
  count: Array.from(p.count),
  stddev: bitsArray(p.stddev)
})

export const ourInsert = (r: InsertRequest): InsertModel => ({
  uuid: hex(r.uuid),
  sync: r.sync,
  mergePolicy: r.mergePolicy,
  roundBits: r.roundBits,
  times: Array.from(r.times),
  values: bitsArray(r.values)
})

export type PbMessage = Record<string, any>

export const pbHeader = (m: PbMessage): Header => ({
  stat: m["stat"] == null ? undefined : { code: m["stat"].code, msg: m["stat"].msg },
  versionMajor: big(m["versionMajor"], false),
  versionMinor: big(m["versionMinor"], false)
})

export const pbRaw = (m: PbMessage): RawModel => ({
  ...pbHeader(m),
  times: m["values"].map((p: PbMessage) => big(p["time"], true)),
  values: m["values"].map((p: PbMessage) => bitsOf(p["value"]))
})

export const pbStats = (m: PbMessage): StatModel => ({
  ...pbHeader(m),
  times: m["values"].map((p: PbMessage) => big(p["time"], true)),
  min: m["values"].map((p: PbMessage) => bitsOf(p["min"])),
  mean: m["values"].map((p: PbMessage) => bitsOf(p["mean"])),
  max: m["values"].map((p: PbMessage) => bitsOf(p["max"])),
  count: m["values"].map((p: PbMessage) => big(p["count"], false)),
  stddev: m["values"].map((p: PbMessage) => bitsOf(p["stddev"]))
})

export const pbInsert = (m: PbMessage): InsertModel => ({
  uuid: hex(new Uint8Array(m["uuid"])),
  sync: m["sync"],
  mergePolicy: m["merge_policy"],
  roundBits: m["rounding"] != null && m["rounding"].spec === "bits" ? m["rounding"].bits : undefined,
  times: m["values"].map((p: PbMessage) => big(p["time"], true)),
  values: m["values"].map((p: PbMessage) => bitsOf(p["value"]))
})

// ---------------------------------------------------------------------------------------------------------------
// Canonical protobufjs objects and scrambled encodings
// ---------------------------------------------------------------------------------------------------------------

export const u64 = (t: bigint) => BigInt.asUintN(64, t)

export const rawPointObjects = (times: ReadonlyArray<bigint>, values: ReadonlyArray<bigint>) =>
  times.map((t, i) => pointObject([["time", "sfixed64", u64(t)], ["value", "double", values[i]!]]))

export const statPointObjects = (m: StatModel) =>
  m.times.map((t, i) =>
    pointObject([
      ["time", "sfixed64", u64(t)],
      ["min", "double", m.min[i]!],
      ["mean", "double", m.mean[i]!],
      ["max", "double", m.max[i]!],
      ["count", "fixed64", m.count[i]!],
      ["stddev", "double", m.stddev[i]!]
    ])
  )

/** Chunks of a singular field: maybe some decoys, then the real value (always when a decoy was written). */
export const singular = (rng: Rng, isDefault: boolean, real: () => Uint8Array, decoy: () => Uint8Array) => {
  const decoys = rng.int(4) === 0 ? Array.from({ length: 1 + rng.int(2) }, decoy) : []
  return [...decoys, ...(decoys.length > 0 || !isDefault || rng.int(3) === 0 ? [real()] : [])]
}

export const unknownTop = (rng: Rng, known: number) =>
  Array.from({ length: rng.pick([0, 0, 1, 3]) }, () => unknownChunk(rng, unknownFields(known)))

export const scrambledHeader = (rng: Rng, h: Header): ReadonlyArray<ReadonlyArray<Uint8Array>> => {
  const stat = h.stat
  const stats = stat === undefined ? [] : [
    ...Array.from(
      { length: rng.int(3) },
      () => lenField(1, writeStatusPayload(rng, randomStatus(rng) ?? { code: 1, msg: "decoy" }))
    ),
    lenField(1, writeStatusPayload(rng, stat))
  ]
  return [
    stats,
    singular(rng, h.versionMajor === 0n, () => varintField(2, h.versionMajor), () => varintField(2, rng.u64())),
    singular(rng, h.versionMinor === 0n, () => varintField(3, h.versionMinor), () => varintField(3, rng.u64()))
  ]
}

export const scrambledRaw = (rng: Rng, m: RawModel): Uint8Array =>
  interleave(rng, [
    ...scrambledHeader(rng, m),
    m.times.map((t, i) => lenField(4, writeFixedSubmessage(rng, [[1, u64(t)], [2, m.values[i]!]], unknownFields(2)))),
    unknownTop(rng, 4)
  ])

export const scrambledStats = (rng: Rng, m: StatModel): Uint8Array =>
  interleave(rng, [
    ...scrambledHeader(rng, m),
    m.times.map((t, i) =>
      lenField(
        4,
        writeFixedSubmessage(
          rng,
          [[1, u64(t)], [2, m.min[i]!], [3, m.mean[i]!], [4, m.max[i]!], [5, m.count[i]!], [6, m.stddev[i]!]],
          unknownFields(6)
        )
      )
    ),
    unknownTop(rng, 4)
  ])

export const scrambledInsert = (rng: Rng, m: InsertModel): Uint8Array => {
  const uuid = Buffer.from(m.uuid, "hex")
  const rounding = () => {
    const w = protobuf.Writer.create()
    if (rng.int(3) === 0) w.uint32(0x08).uint64(String(rng.u64())) // field 1: unknown in RoundSpec
    if (m.roundBits !== undefined) w.uint32(0x10).int32(m.roundBits)
    if (rng.int(3) === 0) w.uint32(0x1d).fixed32(rng.u32()) // field 3: unknown in RoundSpec
    return lenField(5, w.finish())
  }
  return interleave(rng, [
    singular(rng, uuid.length === 0, () => lenField(1, uuid), () => lenField(1, rng.bytes(16))),
    singular(rng, !m.sync, () => varintField(2, m.sync ? 1 : 0), () => varintField(2, rng.int(2))),
    m.times.map((t, i) => lenField(3, writeFixedSubmessage(rng, [[1, u64(t)], [2, m.values[i]!]], unknownFields(2)))),
    singular(
      rng,
      m.mergePolicy === 0,
      () => protobuf.Writer.create().uint32(0x20).int32(m.mergePolicy).finish(),
      () => varintField(4, rng.int(4))
    ),
    m.roundBits !== undefined || rng.int(4) === 0 ? [rounding()] : [],
    unknownTop(rng, 5)
  ])
}
