/**
 * Property tests of the hand codecs against protobufjs (the reference, loaded from proto/btrdb.proto with
 * `keepCase: true`), on random messages: 0–3000 points, times over all of int64 and around MIN_TIME/MAX_TIME,
 * doubles with NaN payloads, ±Inf, -0 and subnormals, versions up to 2^64-1, `stat` present or not.
 *
 * - Canonical: our encoder's bytes equal protobufjs's encoding of the same message (defaults left out), and both
 *   decoders read them back to the message, NaN payloads bit for bit.
 * - Any valid encoding: fields interleaved in random order, `stat`/scalars repeated (decoys the last one
 *   overrides), fields inside points shuffled, repeated or written at their default, unknown fields of every wire
 *   type (groups included) at every level: our decoder reads what protobufjs reads.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeInsertParams,
  encodeRawValuesResponse,
  encodeStatPointsResponse,
  type MergePolicyCode,
  RawValuesResponseBuilder
} from "../../src/internal/grpc/codecs/index.js"
import {
  AlignedWindowsResponse,
  headerObject,
  hex,
  InsertParams,
  RawValuesResponse,
  Rng,
  WindowsResponse
} from "./helpers.js"
import {
  f64Column,
  ourInsert,
  ourRaw,
  ourStats,
  pbInsert,
  pbRaw,
  pbStats,
  randomInsert,
  randomRaw,
  randomStats,
  rawPointObjects,
  scrambledInsert,
  scrambledRaw,
  scrambledStats,
  statPointObjects
} from "./models.js"

const seeds = fc.integer({ min: 0, max: 0xffffffff })
const RUNS = { numRuns: 150 }
const MAX_POINTS = 3000

const sameBytes = (ours: Uint8Array, ref: Uint8Array): void => {
  if (!Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(ref)) expect(hex(ours)).toBe(hex(ref))
}

// ---------------------------------------------------------------------------------------------------------------

describe("RawValuesResponse against protobufjs", () => {
  it("canonical: same bytes as protobufjs, and both decoders read them back", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const m = randomRaw(new Rng(seed), MAX_POINTS)
        const ours = encodeRawValuesResponse({
          ...(m.stat === undefined ? {} : { stat: m.stat }),
          versionMajor: m.versionMajor,
          versionMinor: m.versionMinor,
          times: BigInt64Array.from(m.times),
          values: f64Column(m.values)
        })
        const obj = {
          ...headerObject(m.stat, m.versionMajor, m.versionMinor),
          values: rawPointObjects(m.times, m.values)
        }
        sameBytes(ours, RawValuesResponse.encode(obj).finish())
        expect(pbRaw(RawValuesResponse.decode(ours))).toEqual(m)
        expect(ourRaw(decodeRawValuesResponse(ours))).toEqual(m)
      }),
      RUNS
    )
  })

  it("built from runs of other columns (as the server does from its leaves): the same bytes as protobufjs", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = new Rng(seed)
        const m = randomRaw(rng, MAX_POINTS)
        const n = m.times.length
        const builder = new RawValuesResponseBuilder(
          {
            ...(m.stat === undefined ? {} : { stat: m.stat }),
            versionMajor: m.versionMajor,
            versionMinor: m.versionMinor
          },
          n
        )
        // the points in runs of random lengths, each run given inside longer columns of its own
        for (let at = 0; at < n;) {
          const length = Math.min(n - at, 1 + rng.int(700))
          const before = rng.int(3)
          const times = new BigInt64Array(before + length + 2)
          const values = new Float64Array(before + length + 2)
          times.set(BigInt64Array.from(m.times.slice(at, at + length)), before)
          values.set(f64Column(m.values.slice(at, at + length)), before)
          builder.add(times, values, before, before + length)
          at += length
        }
        const ours = builder.take()
        const obj = {
          ...headerObject(m.stat, m.versionMajor, m.versionMinor),
          values: rawPointObjects(m.times, m.values)
        }
        sameBytes(ours, RawValuesResponse.encode(obj).finish())
        // the builder starts over after a take: a message of the header alone, then one of one point
        sameBytes(
          builder.take(),
          RawValuesResponse.encode(headerObject(m.stat, m.versionMajor, m.versionMinor)).finish()
        )
        if (n > 0) {
          builder.add(BigInt64Array.from(m.times), f64Column(m.values), n - 1, n)
          const last = ourRaw(decodeRawValuesResponse(builder.take()))
          expect(last.times).toEqual(m.times.slice(n - 1))
        }
        expect(() => builder.add(new BigInt64Array(n + 1), new Float64Array(n + 1), 0, n + 1)).toThrow(/at most/)
      }),
      RUNS
    )
  })

  it("with reuse: a message given back takes a later one, and only then", () => {
    const times = BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n])
    const values = Float64Array.from([1, 2, 3, 4, 5, 6])
    const builder = new RawValuesResponseBuilder({ versionMajor: 3n, versionMinor: 0n }, 2, true)
    const page = (from: number) => {
      builder.add(times, values, from, from + 2)
      return builder.take()
    }
    const first = page(0)
    const second = page(2)
    expect(second.buffer).not.toBe(first.buffer)
    builder.giveBack(second)
    builder.giveBack(second) // twice: ignored
    builder.giveBack(new Uint8Array(first.length)) // not lent: ignored
    const third = page(4)
    expect(third.buffer).toBe(second.buffer)
    expect(decodeRawValuesResponse(first).times).toEqual(BigInt64Array.from([1n, 2n]))
    expect(decodeRawValuesResponse(third).values).toEqual(Float64Array.from([5, 6]))
    expect(page(0).buffer).not.toBe(third.buffer) // third was not given back
  })

  it("any valid encoding: we read what protobufjs reads", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = new Rng(seed)
        const m = randomRaw(rng, MAX_POINTS)
        const bytes = scrambledRaw(rng, m)
        const ref = pbRaw(RawValuesResponse.decode(bytes))
        expect(ref).toEqual(m)
        expect(ourRaw(decodeRawValuesResponse(bytes))).toEqual(ref)
      }),
      RUNS
    )
  })
})

describe("AlignedWindowsResponse / WindowsResponse against protobufjs", () => {
  it("canonical: same bytes as protobufjs for both messages, and both decoders read them back", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const m = randomStats(new Rng(seed), MAX_POINTS)
        const ours = encodeStatPointsResponse({
          ...(m.stat === undefined ? {} : { stat: m.stat }),
          versionMajor: m.versionMajor,
          versionMinor: m.versionMinor,
          times: BigInt64Array.from(m.times),
          min: f64Column(m.min),
          mean: f64Column(m.mean),
          max: f64Column(m.max),
          count: BigUint64Array.from(m.count),
          stddev: f64Column(m.stddev)
        })
        const obj = { ...headerObject(m.stat, m.versionMajor, m.versionMinor), values: statPointObjects(m) }
        for (const type of [AlignedWindowsResponse, WindowsResponse]) {
          sameBytes(ours, type.encode(obj).finish())
          expect(pbStats(type.decode(ours))).toEqual(m)
        }
        expect(ourStats(decodeStatPointsResponse(ours))).toEqual(m)
      }),
      RUNS
    )
  })

  it("any valid encoding: we read what protobufjs reads", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = new Rng(seed)
        const m = randomStats(rng, MAX_POINTS)
        const bytes = scrambledStats(rng, m)
        const ref = pbStats(WindowsResponse.decode(bytes))
        expect(ref).toEqual(m)
        expect(ourStats(decodeStatPointsResponse(bytes))).toEqual(ref)
      }),
      RUNS
    )
  })
})

describe("InsertParams against protobufjs", () => {
  it("canonical: same bytes as protobufjs, and both decoders read them back", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const m = randomInsert(new Rng(seed), MAX_POINTS, false)
        const uuid = new Uint8Array(Buffer.from(m.uuid, "hex"))
        const ours = encodeInsertParams({
          uuid,
          sync: m.sync,
          mergePolicy: m.mergePolicy as MergePolicyCode,
          roundBits: m.roundBits,
          times: BigInt64Array.from(m.times),
          values: f64Column(m.values)
        })
        const obj: Record<string, unknown> = { values: rawPointObjects(m.times, m.values) }
        if (uuid.length > 0) obj["uuid"] = uuid
        if (m.sync) obj["sync"] = true
        if (m.mergePolicy !== 0) obj["merge_policy"] = m.mergePolicy
        if (m.roundBits !== undefined) obj["rounding"] = { bits: m.roundBits }
        sameBytes(ours, InsertParams.encode(obj).finish())
        expect(pbInsert(InsertParams.decode(ours))).toEqual(m)
        expect(ourInsert(decodeInsertParams(ours, { maxPoints: MAX_POINTS }))).toEqual(m)
      }),
      RUNS
    )
  })

  it("any valid encoding: we read what protobufjs reads (open enum values included)", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = new Rng(seed)
        const m = randomInsert(rng, MAX_POINTS, true)
        const bytes = scrambledInsert(rng, m)
        const ref = pbInsert(InsertParams.decode(bytes))
        expect(ref).toEqual(m)
        expect(ourInsert(decodeInsertParams(bytes, { maxPoints: MAX_POINTS }))).toEqual(ref)
      }),
      RUNS
    )
  })

  it("into columns not zeroed (the server's reused ones): every point written, the same as into new ones", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const rng = new Rng(seed)
        const m = randomInsert(rng, MAX_POINTS, true)
        const bytes = scrambledInsert(rng, m)
        // every byte 0xff: a time of -1 and a NaN wherever a point was left unwritten
        const dirty = (count: number) => {
          const buffer = new ArrayBuffer(16 * count + 24)
          new Uint8Array(buffer).fill(0xff)
          return { times: new BigInt64Array(buffer, 8, count), values: new Float64Array(buffer, 8 * count + 16, count) }
        }
        expect(ourInsert(decodeInsertParams(bytes, { maxPoints: MAX_POINTS, columns: dirty }))).toEqual(m)
      }),
      RUNS
    )
  })
})
