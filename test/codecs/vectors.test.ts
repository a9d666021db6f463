/**
 * The hand codecs against the shared wire vectors (/work/shared/spec/vectors/v5api-messages.json, encoded by the
 * official Python client's generated code): every vector of a message they handle is encoded to exactly its
 * bytes and decoded to exactly its value.
 */
import { describe, expect, it } from "vitest"
import {
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeInsertParams,
  encodeRawValuesResponse,
  encodeStatPointsResponse,
  MergePolicyCode
} from "../../src/internal/grpc/codecs/index.js"
import { bitsArray, fromHex, hex, vectors } from "./helpers.js"

type Json = Record<string, unknown>

const num = (x: unknown): number => (typeof x === "string" ? Number(x) : typeof x === "number" ? x : 0)
const i64 = (x: unknown): bigint => (x === undefined ? 0n : BigInt(x as string))
const statOf = (v: Json): { code: number; msg: string } | undefined => {
  const s = v["stat"] as Json | undefined
  return s === undefined ? undefined : { code: num(s["code"]), msg: (s["msg"] as string | undefined) ?? "" }
}
const points = (v: Json): ReadonlyArray<Json> => (v["values"] as ReadonlyArray<Json> | undefined) ?? []
const doubles = (ps: ReadonlyArray<Json>, name: string): Float64Array => Float64Array.from(ps.map((p) => num(p[name])))

const HANDLED = ["RawValuesResponse", "AlignedWindowsResponse", "WindowsResponse", "InsertParams"]
const handled = vectors.filter((c) => HANDLED.includes(c.message))

describe("shared vectors", () => {
  it("covers every hot message the vectors hold", () => {
    expect(handled.map((c) => c.name).sort()).toEqual([
      "insert_params_replace",
      "insert_params_rounding",
      "raw_values_response_3pts",
      "raw_values_response_error",
      "stat_point_response"
    ])
  })

  for (const c of handled) {
    const bytes = fromHex(c.hex)
    const v = c.value
    const ps = points(v)
    const times = BigInt64Array.from(ps.map((p) => i64(p["time"])))

    if (c.message === "RawValuesResponse") {
      const values = doubles(ps, "value")
      it(`${c.name}: encodes to the vector's bytes`, () => {
        const stat = statOf(v)
        const out = encodeRawValuesResponse({
          ...(stat === undefined ? {} : { stat }),
          versionMajor: i64(v["versionMajor"]),
          versionMinor: i64(v["versionMinor"]),
          times,
          values
        })
        expect(hex(out)).toBe(c.hex)
      })
      it(`${c.name}: decodes to the vector's value`, () => {
        const page = decodeRawValuesResponse(bytes)
        expect(page.stat).toEqual(statOf(v))
        expect(page.versionMajor).toBe(i64(v["versionMajor"]))
        expect(page.versionMinor).toBe(i64(v["versionMinor"]))
        expect(Array.from(page.times)).toEqual(Array.from(times))
        expect(bitsArray(page.values)).toEqual(bitsArray(values))
      })
    } else if (c.message === "InsertParams") {
      const values = doubles(ps, "value")
      const uuid = new Uint8Array(Buffer.from(v["uuid"] as string, "base64"))
      const mergePolicy = MergePolicyCode[(v["merge_policy"] as keyof typeof MergePolicyCode | undefined) ?? "NEVER"]
      const rounding = v["rounding"] as Json | undefined
      const roundBits = rounding === undefined ? undefined : num(rounding["bits"])
      it(`${c.name}: encodes to the vector's bytes`, () => {
        const out = encodeInsertParams({ uuid, sync: v["sync"] === true, times, values, mergePolicy, roundBits })
        expect(hex(out)).toBe(c.hex)
      })
      it(`${c.name}: decodes to the vector's value`, () => {
        const req = decodeInsertParams(bytes, { maxPoints: 100_000 })
        expect(hex(req.uuid)).toBe(hex(uuid))
        expect(req.sync).toBe(v["sync"] === true)
        expect(req.mergePolicy).toBe(mergePolicy)
        expect(req.roundBits).toBe(roundBits)
        expect(Array.from(req.times)).toEqual(Array.from(times))
        expect(bitsArray(req.values)).toEqual(bitsArray(values))
      })
    } else {
      const cols = {
        times,
        min: doubles(ps, "min"),
        mean: doubles(ps, "mean"),
        max: doubles(ps, "max"),
        count: BigUint64Array.from(ps.map((p) => i64(p["count"]))),
        stddev: doubles(ps, "stddev")
      }
      it(`${c.name}: encodes to the vector's bytes`, () => {
        const stat = statOf(v)
        const out = encodeStatPointsResponse({
          ...(stat === undefined ? {} : { stat }),
          versionMajor: i64(v["versionMajor"]),
          versionMinor: i64(v["versionMinor"]),
          ...cols
        })
        expect(hex(out)).toBe(c.hex)
      })
      it(`${c.name}: decodes to the vector's value`, () => {
        const page = decodeStatPointsResponse(bytes)
        expect(page.stat).toEqual(statOf(v))
        expect(page.versionMajor).toBe(i64(v["versionMajor"]))
        expect(page.versionMinor).toBe(i64(v["versionMinor"]))
        expect(Array.from(page.times)).toEqual(Array.from(cols.times))
        expect(Array.from(page.count)).toEqual(Array.from(cols.count))
        for (const k of ["min", "mean", "max", "stddev"] as const) {
          expect(bitsArray(page[k])).toEqual(bitsArray(cols[k]))
        }
      })
    }
  }
})
