/**
 * Malformed input: random truncations, byte flips, insertions and deletions of valid (and non-canonical)
 * messages. A decoder either throws a `CodecError` (never a `RangeError` or anything else) or returns a page whose
 * columns all have the same length and that protobufjs reads the same way: whenever we accept bytes, they are a
 * valid message and we read its true value. Seeded, a few thousand cases per decoder, bounded in time.
 */
import { describe, expect, it } from "vitest"
import {
  CodecError,
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  TooManyPointsError
} from "../../src/internal/grpc/codecs/index.js"
import { hex, InsertParams, RawValuesResponse, Rng, WindowsResponse } from "./helpers.js"
import {
  type InsertModel,
  ourInsert,
  ourRaw,
  ourStats,
  pbInsert,
  type PbMessage,
  pbRaw,
  pbStats,
  randomInsert,
  randomRaw,
  randomStats,
  type RawModel,
  scrambledInsert,
  scrambledRaw,
  scrambledStats,
  type StatModel
} from "./models.js"

const CASES = 4000
const BUDGET_MS = 3000

/** One random corruption of `bytes`. */
const mutate = (rng: Rng, bytes: Uint8Array): Uint8Array => {
  const b = new Uint8Array(bytes)
  const n = b.length
  switch (rng.int(6)) {
    case 0: // truncate
      return b.subarray(0, rng.int(n + 1))
    case 1: { // flip one bit
      if (n > 0) b[rng.int(n)]! ^= 1 << rng.int(8)
      return b
    }
    case 2: { // overwrite a few bytes with random or interesting values
      const k = 1 + rng.int(3)
      for (let i = 0; i < k && n > 0; i++) {
        b[rng.int(n)] = rng.pick([0x00, 0x7f, 0x80, 0xff, 0x22, 0x0b, 0x0c, rng.int(256)])
      }
      return b
    }
    case 3: { // insert random bytes
      const at = rng.int(n + 1)
      return new Uint8Array(Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(4)), b.subarray(at)]))
    }
    case 4: { // delete a range
      const at = rng.int(n + 1)
      return new Uint8Array(Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + 1 + rng.int(4)))]))
    }
    default: // two corruptions
      return mutate(rng, mutate(rng, b))
  }
}

/** Invalid UTF-8 decodes differently in protobufjs (U+FFFD for us); compare `msg` only when ours is clean. */
const comparable = <M>(m: M, ours: M): M => {
  const stat = (m as { stat?: { code: number; msg: string } }).stat
  const dirty = (ours as { stat?: { msg: string } }).stat?.msg.includes("\ufffd") === true
  return stat !== undefined && dirty ? { ...m, stat: { code: stat.code, msg: "?" } } : m
}

/**
 * Where protobufjs itself misreads a valid message, it cannot be the reference. Its `uint32()` (used for tags,
 * lengths, uint32/int32/enum fields and, through `bool()`, bools) assumes that a varint over 5 bytes is 10 bytes
 * long and skips 5 more bytes blindly, and its `bool()` looks at the low 32 bits only. The schema names the
 * submessages protobufjs decodes and the fields it reads with `uint32()` ("u32") or `bool()` ("bool").
 */
type QuirkSchema = { readonly [field: number]: "u32" | "bool" | QuirkSchema }
const MEMBER: QuirkSchema = { 1: "u32", 3: "bool", 4: "bool", 5: "bool" }
const STATUS: QuirkSchema = { 1: "u32", 3: { 5: "bool", 7: MEMBER } }
const RESPONSE: QuirkSchema = { 1: STATUS, 4: {} }
const INSERT: QuirkSchema = { 2: "bool", 3: {}, 4: "u32", 5: { 2: "u32" } }

const varintLength = (b: Uint8Array, p: number): number => {
  let n = 1
  while ((b[p + n - 1]! & 0x80) !== 0) n++
  return n
}
const varintValue = (b: Uint8Array, p: number, n: number): number => {
  let v = 0
  for (let i = n - 1; i >= 0; i--) v = v * 128 + (b[p + i]! & 0x7f)
  return v
}
const misread = (n: number) => n >= 6 && n <= 9

/** Whether protobufjs may misread these bytes (which our decoder accepted, so they are well-formed). */
const protobufjsQuirk = (b: Uint8Array, p: number, end: number, schema: QuirkSchema): boolean => {
  while (p < end) {
    let n = varintLength(b, p)
    if (misread(n)) return true
    const tag = varintValue(b, p, n)
    p += n
    const kind = schema[Math.floor(tag / 8)]
    switch (tag % 8) {
      case 0:
        n = varintLength(b, p)
        if ((kind === "u32" && misread(n)) || (kind === "bool" && n >= 5)) return true
        p += n
        break
      case 1:
        p += 8
        break
      case 5:
        p += 4
        break
      case 2: {
        n = varintLength(b, p)
        if (misread(n)) return true
        const len = varintValue(b, p, n)
        p += n
        if (typeof kind === "object" && protobufjsQuirk(b, p, p + len, kind)) return true
        p += len
        break
      }
      default: // groups: their inner tags are checked as the loop goes on
    }
  }
  return false
}

interface Target<M> {
  readonly name: string
  readonly valid: (rng: Rng) => Uint8Array
  readonly ours: (bytes: Uint8Array) => M
  readonly lengths: (m: M) => ReadonlyArray<number>
  readonly reference: (bytes: Uint8Array) => M
  readonly schema: QuirkSchema
}

const rawTarget: Target<RawModel> = {
  name: "RawValuesResponse",
  valid: (rng) => scrambledRaw(rng, randomRaw(rng, 6)),
  ours: (bytes) => ourRaw(decodeRawValuesResponse(bytes)),
  lengths: (m) => [m.times.length, m.values.length],
  reference: (bytes) => pbRaw(RawValuesResponse.decode(bytes) as PbMessage),
  schema: RESPONSE
}

const statsTarget: Target<StatModel> = {
  name: "AlignedWindowsResponse/WindowsResponse",
  valid: (rng) => scrambledStats(rng, randomStats(rng, 4)),
  ours: (bytes) => ourStats(decodeStatPointsResponse(bytes)),
  lengths: (m) => [m.times.length, m.min.length, m.mean.length, m.max.length, m.count.length, m.stddev.length],
  reference: (bytes) => pbStats(WindowsResponse.decode(bytes) as PbMessage),
  schema: RESPONSE
}

const insertTarget: Target<InsertModel> = {
  name: "InsertParams",
  valid: (rng) => scrambledInsert(rng, randomInsert(rng, 6, true)),
  ours: (bytes) => ourInsert(decodeInsertParams(bytes, { maxPoints: 1_000_000 })),
  lengths: (m) => [m.times.length, m.values.length],
  reference: (bytes) => pbInsert(InsertParams.decode(bytes) as PbMessage),
  schema: INSERT
}

const fuzz = <M>(target: Target<M>, seed: number) => {
  const rng = new Rng(seed)
  const started = Date.now()
  let accepted = 0
  let rejected = 0
  let compared = 0
  let quirks = 0
  for (let i = 0; i < CASES && Date.now() - started < BUDGET_MS; i++) {
    const bytes = mutate(rng, target.valid(rng))
    let ours: M
    try {
      ours = target.ours(bytes)
    } catch (e) {
      if (!(e instanceof CodecError)) {
        throw new Error(`${target.name}: ${hex(bytes)} threw ${String(e)} instead of a CodecError`)
      }
      rejected++
      continue
    }
    accepted++
    const lengths = target.lengths(ours)
    expect(new Set(lengths).size, `${target.name}: ${hex(bytes)} column lengths ${lengths.join(",")}`).toBe(1)
    if (protobufjsQuirk(bytes, 0, bytes.length, target.schema)) {
      quirks++
      continue
    }
    let reference: M
    try {
      reference = target.reference(bytes)
    } catch (e) {
      throw new Error(`${target.name}: we accepted ${hex(bytes)} but protobufjs rejects it: ${String(e)}`)
    }
    expect(comparable(ours, ours), `${target.name}: ${hex(bytes)}`).toEqual(comparable(reference, ours))
    compared++
  }
  return { accepted, rejected, compared, quirks }
}

describe("malformed input never crashes and never reads a wrong value", () => {
  for (const target of [rawTarget, statsTarget, insertTarget] as ReadonlyArray<Target<unknown>>) {
    it(`${target.name}: CodecError or the true value`, () => {
      const { accepted, compared, quirks, rejected } = fuzz(target, 0x5eed + target.name.length)
      // Both outcomes must be exercised, and most accepted inputs checked against protobufjs.
      expect(rejected).toBeGreaterThan(50)
      expect(accepted).toBeGreaterThan(50)
      expect(compared).toBeGreaterThan(quirks * 4)
    })
  }

  it("the insert limit check runs on corrupted inputs too: TooManyPoints or CodecError only", () => {
    const rng = new Rng(42)
    for (let i = 0; i < 1000; i++) {
      const bytes = mutate(rng, scrambledInsert(rng, randomInsert(rng, 6, true)))
      try {
        const req = decodeInsertParams(bytes, { maxPoints: 2 })
        expect(req.times.length).toBeLessThanOrEqual(2)
        expect(req.values.length).toBe(req.times.length)
      } catch (e) {
        if (!(e instanceof CodecError) && !(e instanceof TooManyPointsError)) throw e
      }
    }
  })
})
