/**
 * The hand codecs against the message types generated from the proto: whatever a hand encoder writes, proto-loader
 * (with the loader options the client and server use) decodes into the generated type with the same meaning, and
 * whatever proto-loader encodes from the generated type, the hand decoders read back. Both directions, for each
 * message the hand codecs cover: RawValuesResponse, AlignedWindowsResponse / WindowsResponse and InsertParams;
 * and the read requests (RawValuesParams, AlignedWindowsParams, WindowsParams), written byte for byte as
 * proto-loader writes them from the generated type with its zero fields left out (the canonical form, the official
 * clients'; proto-loader writes a field that is present even when it is 0).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeAlignedWindowsParams,
  encodeInsertParams,
  encodeRawValuesParams,
  encodeRawValuesResponse,
  encodeStatPointsResponse,
  encodeWindowsParams
} from "../../src/internal/grpc/codecs/index.js"
import { loadServiceDefinition } from "../../src/internal/grpc/proto.js"
import type { DecodedRequestOf, DecodedResponseOf, RequestOf, ResponseOf } from "../../src/internal/grpc/wireTypes.js"
import { MERGE_POLICIES, mergePolicyCode, mergePolicyToWire } from "../../src/internal/mergePolicy.js"
import { MAX_TIME, MIN_TIME } from "../../src/internal/protocol.js"
import { uuidFromBytes } from "../../src/internal/uuidBytes.js"

const definition = loadServiceDefinition()

const time = fc.bigInt({ min: MIN_TIME, max: MAX_TIME - 1n })
const value = fc.double()
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const points = fc.array(fc.tuple(time, value), { maxLength: 200 })
const windows = fc.array(fc.tuple(time, value, value, value, fc.bigInt({ min: 0n, max: 1n << 40n }), value), {
  maxLength: 200
})

const sameNumbers = (actual: ArrayLike<number>, expected: ReadonlyArray<number>) =>
  expect(Array.from(actual, (x) => (Number.isNaN(x) ? "NaN" : x))).toEqual(
    expected.map((x) => (Number.isNaN(x) ? "NaN" : x))
  )

describe("RawValuesResponse", () => {
  it("hand-encoded answers decode into the generated type with the same points", () => {
    fc.assert(fc.property(points, u64, u64, (ps, major, minor) => {
      const bytes = encodeRawValuesResponse({
        versionMajor: major,
        versionMinor: minor,
        times: BigInt64Array.from(ps.map(([t]) => t)),
        values: Float64Array.from(ps.map(([, v]) => v))
      })
      const m: DecodedResponseOf<"RawValues"> = definition["RawValues"]!.responseDeserialize(Buffer.from(bytes))
      expect(m.stat).toBeNull()
      expect([m.versionMajor, m.versionMinor]).toEqual([String(major), String(minor)])
      expect(m.values.map((p) => BigInt(p.time))).toEqual(ps.map(([t]) => t))
      sameNumbers(m.values.map((p) => p.value), ps.map(([, v]) => v))
    }))
  })

  it("answers encoded from the generated type are read back by the hand decoder", () => {
    fc.assert(fc.property(points, u64, fc.boolean(), (ps, major, failed) => {
      const message: ResponseOf<"RawValues"> = {
        ...(failed ? { stat: { code: 404, msg: "no such stream" } } : {}),
        versionMajor: major.toString(),
        values: ps.map(([t, v]) => ({ time: t.toString(), value: v }))
      }
      const page = decodeRawValuesResponse(definition["RawValues"]!.responseSerialize(message))
      expect(page.stat === undefined ? undefined : { code: page.stat.code, msg: page.stat.msg }).toEqual(
        failed ? { code: 404, msg: "no such stream" } : undefined
      )
      expect(page.versionMajor).toBe(major)
      expect(Array.from(page.times)).toEqual(ps.map(([t]) => t))
      sameNumbers(page.values, ps.map(([, v]) => v))
    }))
  })
})

describe.each(["AlignedWindows", "Windows"] as const)("%sResponse", (rpc) => {
  it("hand-encoded answers decode into the generated type with the same windows", () => {
    fc.assert(fc.property(windows, u64, (ws, major) => {
      const bytes = encodeStatPointsResponse({
        versionMajor: major,
        versionMinor: 0n,
        times: BigInt64Array.from(ws.map((w) => w[0])),
        min: Float64Array.from(ws.map((w) => w[1])),
        mean: Float64Array.from(ws.map((w) => w[2])),
        max: Float64Array.from(ws.map((w) => w[3])),
        count: BigUint64Array.from(ws.map((w) => w[4])),
        stddev: Float64Array.from(ws.map((w) => w[5]))
      })
      const m: DecodedResponseOf<typeof rpc> = definition[rpc]!.responseDeserialize(Buffer.from(bytes))
      expect(m.versionMajor).toBe(String(major))
      expect(m.values.map((w) => [BigInt(w.time), BigInt(w.count)])).toEqual(ws.map((w) => [w[0], w[4]]))
      sameNumbers(
        m.values.flatMap((w) => [w.min, w.mean, w.max, w.stddev]),
        ws.flatMap((w) => [w[1], w[2], w[3], w[5]])
      )
    }))
  })

  it("answers encoded from the generated type are read back by the hand decoder", () => {
    fc.assert(fc.property(windows, u64, (ws, major) => {
      const message: ResponseOf<typeof rpc> = {
        versionMajor: major.toString(),
        values: ws.map((w) => ({
          time: w[0].toString(),
          min: w[1],
          mean: w[2],
          max: w[3],
          count: w[4].toString(),
          stddev: w[5]
        }))
      }
      const page = decodeStatPointsResponse(definition[rpc]!.responseSerialize(message))
      expect(page.stat).toBeUndefined()
      expect(page.versionMajor).toBe(major)
      expect([Array.from(page.times), Array.from(page.count)]).toEqual([ws.map((w) => w[0]), ws.map((w) => w[4])])
      sameNumbers(
        Array.from(page.times, (_, i) => [page.min[i]!, page.mean[i]!, page.max[i]!, page.stddev[i]!]).flat(),
        ws.flatMap((w) => [w[1], w[2], w[3], w[5]])
      )
    }))
  })
})

describe("InsertParams", () => {
  const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 })
  const policy = fc.constantFrom(...MERGE_POLICIES)
  const roundBits = fc.option(fc.integer({ min: 0, max: 63 }), { nil: undefined })

  it("hand-encoded requests decode into the generated type with the same points and options", () => {
    fc.assert(fc.property(uuid, fc.boolean(), policy, roundBits, points, (id, sync, merge, bits, ps) => {
      const bytes = encodeInsertParams({
        uuid: id,
        sync,
        mergePolicy: mergePolicyCode(merge),
        roundBits: bits,
        times: BigInt64Array.from(ps.map(([t]) => t)),
        values: Float64Array.from(ps.map(([, v]) => v))
      })
      const m: DecodedRequestOf<"Insert"> = definition["Insert"]!.requestDeserialize(Buffer.from(bytes))
      expect([Array.from(m.uuid), m.sync, m.merge_policy]).toEqual([Array.from(id), sync, mergePolicyToWire(merge)])
      expect(m.rounding).toEqual(bits === undefined ? null : { bits, spec: "bits" })
      expect(m.values.map((p) => BigInt(p.time))).toEqual(ps.map(([t]) => t))
      sameNumbers(m.values.map((p) => p.value), ps.map(([, v]) => v))
    }))
  })

  it("requests encoded from the generated type are read back by the hand decoder", () => {
    fc.assert(fc.property(uuid, fc.boolean(), policy, roundBits, points, (id, sync, merge, bits, ps) => {
      const message: RequestOf<"Insert"> = {
        uuid: Buffer.from(id),
        sync,
        merge_policy: mergePolicyToWire(merge),
        ...(bits === undefined ? {} : { rounding: { bits } }),
        values: ps.map(([t, v]) => ({ time: t.toString(), value: v }))
      }
      const request = decodeInsertParams(definition["Insert"]!.requestSerialize(message), { maxPoints: 1000 })
      expect([Array.from(request.uuid), request.sync, request.mergePolicy, request.roundBits]).toEqual([
        Array.from(id),
        sync,
        mergePolicyCode(merge),
        bits
      ])
      expect(Array.from(request.times)).toEqual(ps.map(([t]) => t))
      sameNumbers(request.values, ps.map(([, v]) => v))
    }))
  })
})

describe("read requests", () => {
  const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
  const u32 = fc.integer({ min: 0, max: 0xffffffff })
  // zeros often, as the fields a canonical encoding leaves out
  const orZero = <A>(arb: fc.Arbitrary<A>, zero: A) => fc.oneof(fc.constant(zero), arb)
  const range = fc.record({
    uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidFromBytes(b)),
    start: orZero(int64, 0n),
    end: orZero(int64, 0n),
    versionMajor: orZero(u64, 0n)
  })
  /** The generated type's message of `fields`, those that are 0 left out. */
  const generated = (fields: Record<string, string | bigint | number>) => {
    const message: Record<string, Buffer | string | number> = {}
    for (const [key, v] of Object.entries(fields)) {
      if (key === "uuid") message[key] = Buffer.from(String(v).replaceAll("-", ""), "hex")
      else if (typeof v === "bigint" && v !== 0n) message[key] = v.toString()
      else if (typeof v === "number" && v !== 0) message[key] = v
    }
    return message
  }
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

  it("RawValuesParams: the bytes proto-loader writes, which decode to the same request", () => {
    fc.assert(fc.property(range, (r) => {
      const bytes = encodeRawValuesParams(r)
      expect(hex(bytes)).toBe(hex(definition["RawValues"]!.requestSerialize(generated(r))))
      const m: DecodedRequestOf<"RawValues"> = definition["RawValues"]!.requestDeserialize(bytes)
      expect([uuidFromBytes(m.uuid), BigInt(m.start), BigInt(m.end), BigInt(m.versionMajor)]).toEqual([
        r.uuid,
        r.start,
        r.end,
        r.versionMajor
      ])
    }))
  })

  it("AlignedWindowsParams: the bytes proto-loader writes", () => {
    fc.assert(fc.property(range, orZero(u32, 0), (r, pointWidth) => {
      const bytes = encodeAlignedWindowsParams({ ...r, pointWidth })
      expect(hex(bytes)).toBe(hex(definition["AlignedWindows"]!.requestSerialize(generated({ ...r, pointWidth }))))
      expect(definition["AlignedWindows"]!.requestDeserialize(bytes).pointWidth).toBe(pointWidth)
    }))
  })

  it("WindowsParams: the bytes proto-loader writes", () => {
    fc.assert(fc.property(range, orZero(u64, 0n), orZero(u32, 0), (r, width, depth) => {
      const bytes = encodeWindowsParams({ ...r, width, depth })
      expect(hex(bytes)).toBe(hex(definition["Windows"]!.requestSerialize(generated({ ...r, width, depth }))))
      const m: DecodedRequestOf<"Windows"> = definition["Windows"]!.requestDeserialize(bytes)
      expect([BigInt(m.width), m.depth]).toEqual([width, depth])
    }))
  })
})
