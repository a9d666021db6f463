/**
 * Hand codecs, case by case: proto3 defaults and presence, protobuf merge rules, non-canonical but valid encodings,
 * every kind of malformed input with its `CodecError` reason, encoder arguments, and the insert size limit.
 */
import { describe, expect, it } from "vitest"
import {
  CodecError,
  type CodecErrorReason,
  countInsertPoints,
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeInsertParams,
  encodeRawValuesResponse,
  encodeStatPointsResponse,
  maxInsertParamsBytes,
  TooManyPointsError
} from "../../src/internal/grpc/codecs/index.js"
import { readVarint, sizeVarint64, varHi, varLo, writeVarint64 } from "../../src/internal/grpc/codecs/wire.js"
import { bitsArray, doubleOf, fromHex, hex, InsertParams, RawValuesResponse, UINT64_MAX } from "./helpers.js"

const T = "0000167b0d12d114" // 1500000000000000000, little-endian
const ONE = "000000000000f03f" // 1.0
const TWO = "0000000000000040" // 2.0
const raw = (h: string) => decodeRawValuesResponse(fromHex(h.replace(/\s+/g, "")))
const stats = (h: string) => decodeStatPointsResponse(fromHex(h.replace(/\s+/g, "")))
const insert = (h: string, maxPoints = 1000) => decodeInsertParams(fromHex(h.replace(/\s+/g, "")), { maxPoints })

/**
 * A decoded page's columns: views of one ArrayBuffer of their own, each in a part of it to itself, `n` elements
 * each and nothing more (no capacity guessed too large kept alive).
 */
const expectOneExactBuffer = (columns: ReadonlyArray<BigInt64Array | BigUint64Array | Float64Array>, n: number) => {
  const buffer = columns[0]!.buffer
  expect(buffer.byteLength).toBe(8 * n * columns.length)
  columns.forEach((column, k) => {
    expect(column.buffer).toBe(buffer)
    expect([column.byteOffset, column.length]).toEqual([8 * n * k, n])
  })
}

const reasonOf = (f: () => unknown): CodecErrorReason | string => {
  try {
    f()
  } catch (e) {
    if (e instanceof CodecError) return e.reason
    return `not a CodecError: ${String(e)}`
  }
  return "no error"
}

const empty = { versionMajor: 0n, versionMinor: 0n, times: new BigInt64Array(0), values: new Float64Array(0) }

describe("RawValuesResponse: proto3 defaults and presence", () => {
  it("an empty message decodes to an empty page, and an empty page encodes to no bytes", () => {
    const page = raw("")
    expect(page.stat).toBeUndefined()
    expect(page.versionMajor).toBe(0n)
    expect(page.versionMinor).toBe(0n)
    expect(page.times.length).toBe(0)
    expect(page.values.length).toBe(0)
    expect(encodeRawValuesResponse(empty).length).toBe(0)
  })

  it("a point at time 0 with value +0.0 is the empty submessage 22 00, both ways", () => {
    const out = encodeRawValuesResponse({ ...empty, times: new BigInt64Array(1), values: new Float64Array(1) })
    expect(hex(out)).toBe("2200")
    expect(hex(RawValuesResponse.encode({ values: [{}] }).finish())).toBe("2200")
    const page = raw("2200")
    expect(Array.from(page.times)).toEqual([0n])
    expect(bitsArray(page.values)).toEqual([0n])
  })

  it("-0.0 is not the default: it is written, as protobufjs writes it", () => {
    const out = encodeRawValuesResponse({ ...empty, times: new BigInt64Array(1), values: Float64Array.of(-0) })
    expect(hex(out)).toBe("2209110000000000000080")
    expect(hex(RawValuesResponse.encode({ values: [{ value: -0 }] }).finish())).toBe(hex(out))
    expect(bitsArray(raw(hex(out)).values)).toEqual([0x8000000000000000n])
  })

  it("a present stat is written even when it is all defaults (0a 00), and read back as present", () => {
    const out = encodeRawValuesResponse({ ...empty, stat: { code: 0, msg: "" } })
    expect(hex(out)).toBe("0a00")
    expect(raw("0a00").stat).toEqual({ code: 0, msg: "" })
  })

  it("versions: 0 omitted, 2^64-1 as ten bytes", () => {
    const out = encodeRawValuesResponse({ ...empty, versionMajor: UINT64_MAX, versionMinor: 1n })
    expect(hex(out)).toBe("10ffffffffffffffffff011801")
    expect(hex(RawValuesResponse.encode({ versionMajor: String(UINT64_MAX), versionMinor: "1" }).finish())).toBe(
      hex(out)
    )
    const page = raw(hex(out))
    expect(page.versionMajor).toBe(UINT64_MAX)
    expect(page.versionMinor).toBe(1n)
  })
})

describe("pages whose entries leave out their default fields", () => {
  it("more points and windows than the size of the message suggests: every one decoded, the columns exact", () => {
    // every third value and every window's min, mean and stddev are 0, as a server that leaves defaults out sends
    const n = 3000
    const times = BigInt64Array.from({ length: n }, (_, i) => 1_500_000_000_000_000_000n + BigInt(i) * 8_333_333n)
    const values = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : i + 0.5))
    const page = decodeRawValuesResponse(
      encodeRawValuesResponse({ versionMajor: 7n, versionMinor: 0n, times, values })
    )
    expect(Array.from(page.times)).toEqual(Array.from(times))
    expect(Array.from(page.values)).toEqual(Array.from(values))
    expectOneExactBuffer([page.times, page.values], n)

    const zeros = new Float64Array(n)
    const counts = BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 1))
    const windows = decodeStatPointsResponse(encodeStatPointsResponse({
      versionMajor: 7n,
      versionMinor: 0n,
      times,
      min: zeros,
      mean: zeros,
      max: values,
      count: counts,
      stddev: zeros
    }))
    expect(Array.from(windows.times)).toEqual(Array.from(times))
    expect(Array.from(windows.max)).toEqual(Array.from(values))
    expect(Array.from(windows.count)).toEqual(Array.from(counts))
    expectOneExactBuffer([windows.times, windows.min, windows.mean, windows.max, windows.count, windows.stddev], n)
  })
})

describe("RawValuesResponse: any valid encoding", () => {
  it("fields of a point in reverse order, repeated (last wins) and missing", () => {
    const page = raw(`2212 11${TWO} 09${T}  2224 09${"0100000000000000"} 11${TWO} 09${T} 11${ONE}  2209 11${ONE}`)
    expect(Array.from(page.times)).toEqual([1500000000000000000n, 1500000000000000000n, 0n])
    expect(Array.from(page.values)).toEqual([2, 1, 1])
  })

  it("unknown fields of every wire type inside a point and at the top level, groups included", () => {
    const unknownTop = "2801 31" + "00".repeat(8) + "3a03abcdef 3d01020304 3b 4001 4b 5005 4c 3c"
    const page = raw(`${unknownTop} 2219 18ff01 09${T} 2b 3001 2c 11${ONE} 0a00 ${unknownTop} 2200`)
    expect(Array.from(page.times)).toEqual([1500000000000000000n, 0n])
    expect(Array.from(page.values)).toEqual([1, 0])
  })

  it("stat anywhere, given twice: the last one wins (as protobufjs)", () => {
    const h = `2212 09${T} 11${ONE} 0a02 0801 100b 0a05 0802 1201 78 2200`
    const page = raw(h)
    expect(page.stat).toEqual({ code: 2, msg: "x" })
    expect(page.versionMajor).toBe(11n)
    expect(page.times.length).toBe(2)
    const ref = RawValuesResponse.decode(fromHex(h.replace(/\s+/g, ""))) as unknown as { stat: object }
    expect(ref.stat).toEqual({ code: 2, msg: "x" })
  })

  it("scalars given twice: the last wins; non-minimal varints and tags are accepted", () => {
    const page = raw(`1005 1007 1880 80 00 a200 00 a2 80 00 12 09${T} 11${ONE}`)
    expect(page.versionMajor).toBe(7n)
    expect(page.versionMinor).toBe(0n)
    expect(Array.from(page.times)).toEqual([0n, 1500000000000000000n])
  })

  it("a Status with a mash and unknown fields; invalid UTF-8 in msg is replaced, not an error", () => {
    expect(raw("0a10 1a05 0801 120161 08 94 03 2000 1202 ff41").stat).toEqual({ code: 404, msg: "\ufffdA" })
    expect(raw("0a0b 1a09 3a05 1801 5a0161 2801").stat).toEqual({ code: 0, msg: "" })
  })

  it("reads from a Buffer slice at any byte offset, and returns fresh, exact-size columns in one buffer", () => {
    const bytes = fromHex(`100b 2212 09${T} 11${ONE} 2212 09${T} 11${TWO}`)
    for (let shift = 0; shift < 9; shift++) {
      const backing = Buffer.alloc(bytes.length + 16, 0xee)
      backing.set(bytes, shift)
      const page = decodeRawValuesResponse(backing.subarray(shift, shift + bytes.length))
      expect(Array.from(page.values)).toEqual([1, 2])
      expectOneExactBuffer([page.times, page.values], 2)
      expect(page.values.buffer).not.toBe(backing.buffer)
    }
  })
})

describe("column sizing", () => {
  it("a page in the usual layout: its columns exact, in one buffer, each written apart from the others", () => {
    const n = 500
    const times = BigInt64Array.from({ length: n }, (_, i) => 1_500_000_000_000_000_000n + BigInt(i) * 16_777_216n)
    const f = (k: number) => Float64Array.from({ length: n }, (_, i) => k + i / 7)
    const count = BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 2))
    const input = { versionMajor: 3n, versionMinor: 0n, times, min: f(1), mean: f(2), max: f(3), count, stddev: f(4) }
    const windows = decodeStatPointsResponse(encodeStatPointsResponse(input))
    const columns = [windows.times, windows.min, windows.mean, windows.max, windows.count, windows.stddev]
    expectOneExactBuffer(columns, n)
    expect(columns.map((c) => Array.from(c as Float64Array))).toEqual(
      [times, input.min, input.mean, input.max, count, input.stddev].map((c) => Array.from(c as Float64Array))
    )
    const page = decodeRawValuesResponse(
      encodeRawValuesResponse({ versionMajor: 3n, versionMinor: 0n, times, values: f(5) })
    )
    expectOneExactBuffer([page.times, page.values], n)
    expect(Array.from(page.values)).toEqual(Array.from(f(5)))
  })

  it("a page is transferred with each distinct buffer named once, as Windows says; naming one twice is refused", () => {
    const n = 3
    const times = BigInt64Array.from({ length: n }, (_, i) => 1_500_000_000_000_000_000n + BigInt(i))
    const page = decodeRawValuesResponse(
      encodeRawValuesResponse({ versionMajor: 1n, versionMinor: 0n, times, values: Float64Array.of(1, 2, 3) })
    )
    const buffers = [page.times.buffer, page.values.buffer] as Array<ArrayBuffer>
    expect(() => structuredClone(page, { transfer: buffers })).toThrow(/duplicate/i)
    const moved = structuredClone(page, { transfer: [...new Set(buffers)] })
    expect([Array.from(moved.times), Array.from(moved.values)]).toEqual([Array.from(times), [1, 2, 3]])
    expect(moved.times.buffer).toBe(moved.values.buffer)
    expect(page.times.buffer.byteLength).toBe(0)
  })

  it("columns grow past the size guessed from the length (short points) and are cut to the exact count", () => {
    for (const n of [1, 9, 10, 11, 17, 100, 1000]) {
      const page = raw("2200".repeat(n - 1) + `2209 09${T}`)
      expect(page.times.length).toBe(n)
      expectOneExactBuffer([page.times, page.values], n)
      expect(page.times[n - 1]).toBe(1500000000000000000n)
      const windows = stats("2200".repeat(n - 1) + `2209 29${"0300000000000000"}`)
      expect(windows.count.length).toBe(n)
      expectOneExactBuffer([windows.times, windows.min, windows.mean, windows.max, windows.count, windows.stddev], n)
      expect(windows.count[n - 1]).toBe(3n)
    }
  })

  it("points in the usual layout after short ones have used up the guessed size: every one decoded", () => {
    for (const [short, usual] of [[4, 2], [4, 1], [1, 3], [20, 7]]) {
      const page = raw(`2209 09${T}`.repeat(short) + `2212 09${T} 11${ONE}`.repeat(usual) + `2209 09${T}`)
      expect(page.times.length).toBe(short + usual + 1)
      expectOneExactBuffer([page.times, page.values], short + usual + 1)
      expect(Array.from(page.times)).toEqual(Array.from({ length: short + usual + 1 }, () => 1500000000000000000n))
      expect(Array.from(page.values)).toEqual([
        ...Array.from({ length: short }, () => 0),
        ...Array.from({ length: usual }, () => 1),
        0
      ])
    }
  })

  it("a header longer than a point leaves fewer points than guessed: cut to the exact count", () => {
    const msg = "6d6e".repeat(40)
    const page = raw(`0a52 1250 ${msg} 2212 09${T} 11${ONE}`)
    expect(page.stat).toEqual({ code: 0, msg: Buffer.from(msg, "hex").toString() })
    expect(page.times.length).toBe(1)
    expectOneExactBuffer([page.times, page.values], 1)
    expect(Array.from(page.values)).toEqual([1])
  })
})

describe("malformed bytes: a CodecError with a reason, never a RangeError", () => {
  const cases: ReadonlyArray<readonly [string, CodecErrorReason]> = [
    ["10", "truncated"],
    ["1080", "truncated"],
    ["0a", "truncated"],
    ["22", "truncated"],
    [`2212 09${T} 11`, "length-out-of-bounds"],
    ["22ffffffff0f", "length-out-of-bounds"],
    ["22ffffffffff01", "length-out-of-bounds"],
    ["0a02 0894 03", "truncated"],
    ["220409000000", "truncated"],
    ["10ffffffffffffffffffff01", "varint-too-long"],
    ["10ffffffffffffffffff02", "varint-overflow"],
    ["80808080800100", "varint-overflow"],
    ["00", "invalid-field-number"],
    ["0200", "invalid-field-number"],
    ["8000", "invalid-field-number"],
    ["3e", "invalid-wire-type"],
    ["2f", "invalid-wire-type"],
    ["110000000000000000", "wrong-wire-type"],
    ["2001", "wrong-wire-type"],
    ["0801", "wrong-wire-type"],
    ["1a00", "wrong-wire-type"],
    ["22020801", "wrong-wire-type"],
    ["22051500000000", "wrong-wire-type"],
    ["0a020a00", "wrong-wire-type"],
    ["0a021100", "wrong-wire-type"],
    ["0a021a01", "length-out-of-bounds"],
    ["0a041a027e00", "invalid-wire-type"],
    ["0a04 1a02 2a00", "wrong-wire-type"],
    ["0a06 1a04 3a02 0a00", "wrong-wire-type"],
    ["0a06 1a04 3a02 127f", "length-out-of-bounds"],
    ["2c", "invalid-group"],
    ["2b34", "invalid-group"],
    ["2b", "truncated"],
    ["2b 3b 3c", "truncated"],
    ["2b" + "3b".repeat(70) + "3c".repeat(70) + "2c", "invalid-group"]
  ]
  for (const [h, reason] of cases) {
    it(`${h} → ${reason}`, () => {
      expect(reasonOf(() => raw(h))).toBe(reason)
    })
  }

  it("the StatPoints and Insert decoders report the same way", () => {
    expect(reasonOf(() => stats("2202 2800"))).toBe("wrong-wire-type")
    expect(reasonOf(() => stats("2237" + "00".repeat(54)))).toBe("length-out-of-bounds")
    expect(reasonOf(() => stats("22 09 31 0000"))).toBe("length-out-of-bounds")
    expect(reasonOf(() => insert("0a11" + "00".repeat(16)))).toBe("length-out-of-bounds")
    expect(reasonOf(() => insert("1100"))).toBe("wrong-wire-type")
    expect(reasonOf(() => insert("2a021500"))).toBe("wrong-wire-type")
    expect(reasonOf(() => insert("2a021e00"))).toBe("invalid-wire-type")
    expect(reasonOf(() => insert("2a010f"))).toBe("invalid-wire-type")
    expect(reasonOf(() => insert("2a021d00"))).toBe("truncated")
    expect(reasonOf(() => insert("2a021201"))).toBe("wrong-wire-type")
    expect(reasonOf(() => insert("1a020801"))).toBe("wrong-wire-type")
    expect(reasonOf(() => insert("2a0210"))).toBe("length-out-of-bounds")
  })

  it("a well-formed group (nested) is skipped", () => {
    expect(raw("2b 3b 4001 3c 2c 100b").versionMajor).toBe(11n)
  })
})

describe("StatPointsResponse", () => {
  const s = (n: number) => Array.from({ length: n }, (_, i) => i)
  it("canonical encoding omits every zero field and matches protobufjs", () => {
    const cols = {
      times: BigInt64Array.of(0n, 1n, -1n),
      min: Float64Array.of(0, -0, 1),
      mean: Float64Array.of(0, 2, doubleOf(0x7ff0000000000001n)),
      max: Float64Array.of(0, 0, Infinity),
      count: BigUint64Array.of(0n, 3n, UINT64_MAX),
      stddev: Float64Array.of(0, 0, 5e-324)
    }
    const out = encodeStatPointsResponse({ versionMajor: 11n, versionMinor: 0n, ...cols })
    const page = decodeStatPointsResponse(out)
    expect(hex(out).startsWith("100b2200222409010000000000000011000000000000008019")).toBe(true)
    expect(Array.from(page.times)).toEqual(Array.from(cols.times))
    expect(Array.from(page.count)).toEqual(Array.from(cols.count))
    for (const k of ["min", "mean", "max", "stddev"] as const) expect(bitsArray(page[k])).toEqual(bitsArray(cols[k]))
    expect(s(0)).toEqual([])
  })

  it("an empty StatPoint and fields in reverse order with duplicates", () => {
    const page = stats(`2200 2224 31${ONE} 09${T} 29${"0500000000000000"} 29${"0700000000000000"}`)
    expect(Array.from(page.times)).toEqual([0n, 1500000000000000000n])
    expect(Array.from(page.count)).toEqual([0n, 7n])
    expect(Array.from(page.stddev)).toEqual([0, 1])
    expect(Array.from(page.min)).toEqual([0, 0])
  })
})

describe("InsertParams", () => {
  const uuid = fromHex("f98f4b4e9fab46b58a80f282059d69b1")
  const base = { uuid, sync: false, mergePolicy: 0 as const }

  it("rounding: bits 0 is written (a set oneof member); negative bits take ten bytes; matches protobufjs", () => {
    for (const bits of [0, 1, 63, -1, -2147483648, 2147483647]) {
      const out = encodeInsertParams({
        ...base,
        times: new BigInt64Array(0),
        values: new Float64Array(0),
        roundBits: bits
      })
      expect(hex(out)).toBe(hex(InsertParams.encode({ uuid, rounding: { bits } }).finish()))
      expect(decodeInsertParams(out, { maxPoints: 0 }).roundBits).toBe(bits)
    }
  })

  it("rounding without bits decodes as undefined; several roundings merge", () => {
    expect(insert("2a00").roundBits).toBeUndefined()
    expect(insert("2a021005 2a00").roundBits).toBe(5)
    expect(insert("2a021005 2a021007").roundBits).toBe(7)
    expect(insert("2a04 0801 1009").roundBits).toBe(9)
  })

  it("the last uuid, sync and merge_policy win; enum numbers outside 0–3 are kept; any non-zero bool is true", () => {
    const req = insert("0a0101 0a020203 1001 1000 1002 2003 2009")
    expect(hex(req.uuid)).toBe("0203")
    expect(req.sync).toBe(true)
    expect(req.mergePolicy).toBe(9)
    expect(insert("20ffffffffffffffffff01").mergePolicy).toBe(-1)
    expect(insert("").uuid.length).toBe(0)
  })

  it("the decoded uuid is a copy", () => {
    const bytes = encodeInsertParams({ ...base, times: new BigInt64Array(0), values: new Float64Array(0) })
    const req = decodeInsertParams(bytes, { maxPoints: 10 })
    bytes.fill(0)
    expect(hex(req.uuid)).toBe("f98f4b4e9fab46b58a80f282059d69b1")
  })

  it("maxInsertParamsBytes: the size of the longest message of n points, by protobufjs (every field, rounding -1)", () => {
    for (const n of [0, 1, 7, 1_000]) {
      const times = new BigInt64Array(n).map((_, i) => -BigInt(i) - 1n)
      const values = new Float64Array(n).map((_, i) => -(i + 0.5))
      const longest = InsertParams.encode({
        uuid,
        sync: true,
        merge_policy: 3,
        rounding: { bits: -1 },
        values: Array.from(times, (time, i) => ({ time: time.toString(), value: values[i] }))
      }).finish()
      expect(maxInsertParamsBytes(n)).toBe(longest.length)
      const ours = encodeInsertParams({ uuid, sync: true, mergePolicy: 3, roundBits: -1, times, values })
      expect(ours.length).toBe(longest.length)
    }
  })

  it("more points than maxPoints is TooManyPoints, found without decoding the points", () => {
    const n = 100_001
    const times = new BigInt64Array(n).map((_, i) => BigInt(i) + 1n)
    const values = new Float64Array(n).fill(1.5)
    const bytes = encodeInsertParams({ ...base, times, values })
    expect(countInsertPoints(bytes)).toBe(n)
    expect(() => decodeInsertParams(bytes, { maxPoints: 100_000 })).toThrow(TooManyPointsError)
    try {
      decodeInsertParams(bytes, { maxPoints: 100_000 })
    } catch (e) {
      expect(e).toMatchObject({ _tag: "TooManyPoints", count: n, maxPoints: 100_000 })
    }
    expect(decodeInsertParams(bytes, { maxPoints: n }).times.length).toBe(n)
    // Points whose insides are garbage are still only counted: the limit wins over their malformation.
    const garbage = fromHex("1a017e".repeat(3))
    expect(() => decodeInsertParams(garbage, { maxPoints: 2 })).toThrow(TooManyPointsError)
    expect(reasonOf(() => decodeInsertParams(garbage, { maxPoints: 3 }))).toBe("invalid-wire-type")
  })
})

describe("encoders: sub-ranges and arguments", () => {
  const times = BigInt64Array.of(1n, 2n, 3n, 4n, 5n, 6n)
  const values = Float64Array.of(1, 2, 3, 4, 5, 6)

  it("offset/length encode exactly the sub-range, without copying the columns", () => {
    const part = encodeRawValuesResponse({ ...empty, times, values, offset: 2, length: 3 })
    const copy = encodeRawValuesResponse({ ...empty, times: times.slice(2, 5), values: values.slice(2, 5) })
    expect(hex(part)).toBe(hex(copy))
    expect(hex(encodeRawValuesResponse({ ...empty, times, values, offset: 4 }))).toBe(
      hex(encodeRawValuesResponse({ ...empty, times: times.slice(4), values: values.slice(4) }))
    )
    const uuid = new Uint8Array(16)
    const ins = encodeInsertParams({ uuid, sync: true, mergePolicy: 2, times, values, offset: 1, length: 2 })
    expect(Array.from(decodeInsertParams(ins, { maxPoints: 2 }).times)).toEqual([2n, 3n])
    const sv = { min: values, mean: values, max: values, stddev: values, count: new BigUint64Array(6) }
    const sp = encodeStatPointsResponse({ ...empty, ...sv, times, offset: 5, length: 1 })
    expect(Array.from(decodeStatPointsResponse(sp).times)).toEqual([6n])
  })

  it("works on columns that are views at an offset into a larger buffer", () => {
    const bigT = new BigInt64Array(10).map((_, i) => BigInt(i) * 1000n)
    const bigV = new Float64Array(10).map((_, i) => i / 3)
    const t = bigT.subarray(3, 7)
    const v = bigV.subarray(3, 7)
    const page = decodeRawValuesResponse(encodeRawValuesResponse({ ...empty, times: t, values: v }))
    expect(Array.from(page.times)).toEqual(Array.from(t))
    expect(Array.from(page.values)).toEqual(Array.from(v))
  })

  it("unencodable arguments are CodecError invalid-argument", () => {
    const bad: ReadonlyArray<() => unknown> = [
      () => encodeRawValuesResponse({ ...empty, times, values: values.subarray(1) }),
      () => encodeRawValuesResponse({ ...empty, times, values, offset: 7 }),
      () => encodeRawValuesResponse({ ...empty, times, values, offset: 2, length: 5 }),
      () => encodeRawValuesResponse({ ...empty, times, values, offset: -1 }),
      () => encodeRawValuesResponse({ ...empty, times, values, length: 1.5 }),
      () => encodeRawValuesResponse({ ...empty, versionMajor: -1n }),
      () => encodeRawValuesResponse({ ...empty, versionMinor: 1n << 64n }),
      () => encodeRawValuesResponse({ ...empty, stat: { code: -1, msg: "" } }),
      () => encodeRawValuesResponse({ ...empty, stat: { code: 2 ** 32, msg: "" } }),
      () => encodeInsertParams({ uuid: new Uint8Array(16), sync: false, mergePolicy: 4 as 0, times, values }),
      () =>
        encodeInsertParams({
          uuid: new Uint8Array(16),
          sync: false,
          mergePolicy: 0,
          times,
          values,
          roundBits: 2 ** 31
        }),
      () => encodeInsertParams({ uuid: "x" as unknown as Uint8Array, sync: false, mergePolicy: 0, times, values })
    ]
    for (const f of bad) expect(reasonOf(f)).toBe("invalid-argument")
  })
})

describe("wire primitives", () => {
  it("varints round-trip at every bit length, with the size they announce", () => {
    const out = new Uint8Array(10)
    for (let bits = 0; bits <= 64; bits++) {
      for (const v of [bits === 0 ? 0n : (1n << BigInt(bits)) - 1n, bits === 0 ? 0n : 1n << BigInt(bits - 1)]) {
        const lo = Number(v & 0xffffffffn)
        const hi = Number(v >> 32n)
        const end = writeVarint64(out, 0, lo, hi)
        expect(end).toBe(sizeVarint64(lo, hi))
        expect(readVarint(out, 0, end)).toBe(end)
        expect([varLo(), varHi()]).toEqual([lo, hi])
      }
    }
  })
})
