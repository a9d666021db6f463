import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { Annotations, Collection, Tags } from "../src/schema/Metadata.js"
import { MAXIMUM_TIME, MINIMUM_TIME, Nanoseconds } from "../src/schema/Time.js"
import * as Uuid from "../src/schema/Uuid.js"

const ok = (schema: Schema.Decoder<unknown>, value: unknown) =>
  Result.isSuccess(Schema.decodeUnknownResult(schema)(value))

describe("Uuid", () => {
  const text = "f98f4b4e-9fab-46b5-8a80-f282059d69b1"
  it("is the lowercase hyphenated form; UuidFromString canonicalizes other spellings", () => {
    expect(ok(Uuid.Uuid, text)).toBe(true)
    expect(ok(Uuid.Uuid, text.toUpperCase())).toBe(false)
    for (const spelling of [text.toUpperCase(), text.replaceAll("-", ""), `{${text}}`, `urn:uuid:${text}`]) {
      expect(Schema.decodeUnknownSync(Uuid.UuidFromString)(spelling)).toBe(text)
    }
    expect(ok(Uuid.UuidFromString, "f98f4b4e")).toBe(false)
  })

  it("crosses the wire as its 16 bytes in network order", () => {
    const bytes = Uuid.toBytes(text as Uuid.Uuid)
    expect(Buffer.from(bytes).toString("hex")).toBe("f98f4b4e9fab46b58a80f282059d69b1")
    expect(Uuid.fromBytes(bytes)).toBe(text)
    expect(Uuid.fromBytes(new Uint8Array(15))).toBeUndefined()
    expect(ok(Uuid.Uuid, Uuid.random())).toBe(true)
    for (let i = 0; i < 1000; i++) {
      const uuid = Uuid.random()
      const hex = uuid.replaceAll("-", "")
      expect(Buffer.from(Uuid.toBytes(uuid)).toString("hex")).toBe(hex)
      expect(Buffer.from(Uuid.toBytes(hex.toUpperCase() as Uuid.Uuid)).toString("hex")).toBe(hex)
      expect(Uuid.fromBytes(Uuid.toBytes(uuid))).toBe(uuid)
    }
  })
})

describe("Nanoseconds", () => {
  it("accepts [MINIMUM_TIME, MAXIMUM_TIME] as bigint only", () => {
    expect(MINIMUM_TIME).toBe(-1152921504606846976n)
    expect(MAXIMUM_TIME).toBe(3458764513820540927n)
    expect(ok(Nanoseconds, MINIMUM_TIME)).toBe(true)
    expect(ok(Nanoseconds, MAXIMUM_TIME)).toBe(true)
    expect(ok(Nanoseconds, MINIMUM_TIME - 1n)).toBe(false)
    expect(ok(Nanoseconds, MAXIMUM_TIME + 1n)).toBe(false)
    expect(ok(Nanoseconds, 1)).toBe(false)
  })
})

describe("metadata", () => {
  it("Collection: non-empty, under 256 bytes of UTF-8, no NUL; '/' and a trailing '/' allowed", () => {
    expect(ok(Collection, "sunshine/PMU1")).toBe(true)
    expect(ok(Collection, "tests/tmpfoo/")).toBe(true)
    expect(ok(Collection, "")).toBe(false)
    expect(ok(Collection, "a\u0000b")).toBe(false)
    expect(ok(Collection, "x".repeat(255))).toBe(true)
    expect(ok(Collection, "é".repeat(128))).toBe(false)
  })

  it("Tags: only name, unit, ingress, distiller, values up to 255 characters", () => {
    expect(ok(Tags, { name: "L1MAG", unit: "volts", ingress: "", distiller: "d" })).toBe(true)
    expect(ok(Tags, {})).toBe(true)
    expect(ok(Tags, { location: "x" })).toBe(false)
    expect(ok(Tags, { name: "n".repeat(255) })).toBe(true)
    expect(ok(Tags, { name: "n".repeat(256) })).toBe(false)
  })

  it("Annotations: any non-empty key up to 255 characters, values up to 255", () => {
    expect(ok(Annotations, { "Any Key.1": "v" })).toBe(true)
    expect(ok(Annotations, { "": "v" })).toBe(false)
    expect(ok(Annotations, { ["k".repeat(256)]: "v" })).toBe(false)
    expect(ok(Annotations, { k: "v".repeat(256) })).toBe(false)
  })
})
