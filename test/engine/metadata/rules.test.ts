import { describe, expect, it } from "vitest"
import { MetadataStore } from "../../../src/engine/metadata/MetadataStore.js"
import { StatusCode } from "../../../src/internal/protocol.js"
import { expectCode, kv, plain, uuid } from "./helpers.js"

const open = () => MetadataStore.open({})

const names = (it: Iterable<{ readonly uuid: string }>) => [...it].map((d) => d.uuid)

describe("create", () => {
  it("returns property version 1, name/unit/ingress always and distiller only when set", async () => {
    const s = await open()
    const d = await s.create(uuid(1), "new/stream/collection", kv({ name: "foo", unit: "V" }), kv({ bar: "baz" }))
    expect(plain(d)).toEqual({
      uuid: uuid(1),
      collection: "new/stream/collection",
      tags: { name: "foo", unit: "V", ingress: "" },
      annotations: { bar: "baz" },
      propertyVersion: 1n
    })
    expect(plain(s.get(uuid(1)))).toEqual(plain(d))
    const e = await s.create(uuid(2), "c", kv({ distiller: "d", ingress: "" }), [])
    expect(e.tags).toEqual({ name: "", unit: "", ingress: "", distiller: "d" })
    const f = await s.create(uuid(3), "c2", [], [])
    expect(f.tags).toEqual({ name: "", unit: "", ingress: "" })
    expect(Object.isFrozen(f) && Object.isFrozen(f.tags) && Object.isFrozen(f.annotations)).toBe(true)
  })

  it("skips absent values, lets the last duplicate win and allows empty values", async () => {
    const s = await open()
    const d = await s.create(
      uuid(1),
      "c",
      [{ key: "name", value: "a" }, { key: "name", value: "b" }, { key: "unit", value: undefined }],
      [{ key: "x", value: "1" }, { key: "y", value: undefined }, { key: "z", value: "" }]
    )
    expect(d.tags).toEqual({ name: "b", unit: "", ingress: "" })
    expect(d.annotations).toEqual({ x: "1", z: "" })
  })

  it("accepts an empty distiller as set", async () => {
    const s = await open()
    expect((await s.create(uuid(1), "c", kv({ distiller: "" }), [])).tags).toEqual({
      name: "",
      unit: "",
      ingress: "",
      distiller: ""
    })
  })

  const astral255 = "😀".repeat(255)
  const cases: Array<{
    readonly why: string
    readonly uuid?: string
    readonly collection?: string
    readonly tags?: Record<string, string | undefined>
    readonly annotations?: Record<string, string | undefined>
    readonly code: number | null
  }> = [
    { why: "uppercase uuid", uuid: "F98F4B4E-9FAB-46B5-8A80-F282059D69B1", code: 421 },
    { why: "uuid without hyphens", uuid: "f98f4b4e9fab46b58a80f282059d69b1", code: 421 },
    { why: "garbage uuid", uuid: "nope", code: 421 },
    { why: "empty collection", collection: "", code: 407 },
    { why: "NUL in collection", collection: "a\0b", code: 407 },
    { why: "invalid UTF-8 collection", collection: "a\uD800b", code: 407 },
    { why: "256-byte collection", collection: "x".repeat(256), code: 407 },
    { why: "256-byte collection of 2-byte chars", collection: "é".repeat(128), code: 407 },
    { why: "255-byte collection", collection: "é".repeat(127) + "a", code: null },
    { why: "trailing slash collection", collection: "a/tmpfoo/", code: null },
    { why: "tag key not in the four", tags: { foo: "x" }, code: 408 },
    { why: "tag keys are case-sensitive", tags: { Name: "x" }, code: 408 },
    { why: "empty tag key", tags: { "": "x" }, code: 408 },
    { why: "256-char tag value", tags: { name: "x".repeat(256) }, code: 409 },
    { why: "255-char tag value", tags: { name: "x".repeat(255) }, code: null },
    { why: "255 astral chars tag value", tags: { unit: astral255 }, code: null },
    { why: "256 astral chars tag value", tags: { unit: astral255 + "😀" }, code: 409 },
    { why: "NUL in tag value", tags: { ingress: "a\0" }, code: 409 },
    { why: "invalid UTF-8 tag value", tags: { name: "\uDC00" }, code: 409 },
    { why: "empty annotation key", annotations: { "": "x" }, code: 408 },
    { why: "256-char annotation key", annotations: { ["k".repeat(256)]: "x" }, code: 408 },
    { why: "255-char annotation key", annotations: { ["k".repeat(255)]: "x" }, code: null },
    { why: "NUL in annotation key", annotations: { "a\0": "x" }, code: 408 },
    { why: "any other annotation key", annotations: { "Any Key!/ü 😀": "x" }, code: null },
    { why: "256-char annotation value", annotations: { k: "v".repeat(256) }, code: 409 },
    { why: "NUL in annotation value", annotations: { k: "\0" }, code: 409 },
    // check order (PROTOCOL.md §8.2)
    { why: "uuid before collection", uuid: "x", collection: "", code: 421 },
    { why: "collection before tags", collection: "", tags: { foo: "x" }, code: 407 },
    { why: "tag keys before annotations", tags: { foo: "x" }, annotations: { "": "x" }, code: 408 },
    { why: "tag values before annotation keys", tags: { name: "\0" }, annotations: { "": "x" }, code: 409 },
    { why: "annotation values checked", tags: { name: "ok" }, annotations: { k: "\0" }, code: 409 }
  ]
  it.each(cases)("$why → $code", async (c) => {
    const s = await open()
    const run = () => s.create(c.uuid ?? uuid(1), c.collection ?? "c", kv(c.tags ?? {}), kv(c.annotations ?? {}))
    if (c.code === null) {
      expect((await run()).propertyVersion).toBe(1n)
    } else {
      await expectCode(run, c.code)
      await expectCode(() => s.get(c.uuid ?? uuid(1)), 404)
    }
  })

  it("417 for a live uuid, 429 for an obliterated one, 418 for the same collection and four tags", async () => {
    const s = await open()
    await s.create(uuid(1), "c", kv({ name: "a", unit: "V" }), [])
    await expectCode(() => s.create(uuid(1), "other", [], []), StatusCode.SameStream)
    await expectCode(() => s.create(uuid(2), "c", kv({ name: "a", unit: "V" }), kv({ x: "y" })), 418)
    // unset equals ""
    await expectCode(() => s.create(uuid(2), "c", kv({ name: "a", unit: "V", ingress: "" }), []), 418)
    // any difference in the four tags or the collection is fine
    await s.create(uuid(2), "c", kv({ name: "a", unit: "V", distiller: "d" }), [])
    await s.create(uuid(3), "c", kv({ name: "a", unit: "A" }), [])
    await s.create(uuid(4), "c/", kv({ name: "a", unit: "V" }), [])
    await s.obliterate(uuid(1))
    await expectCode(() => s.create(uuid(1), "fresh", [], []), StatusCode.ReusedUUID)
    // the obliterated stream's identity is free again
    await s.create(uuid(5), "c", kv({ name: "a", unit: "V" }), [])
  })

  it("checks 417 before 418 and 429 before 418, but validation before both", async () => {
    const s = await open()
    await s.create(uuid(1), "c", kv({ name: "a" }), [])
    await s.create(uuid(2), "d", kv({ name: "a" }), [])
    await s.obliterate(uuid(2))
    await expectCode(() => s.create(uuid(1), "c", kv({ name: "a" }), []), 417)
    await expectCode(() => s.create(uuid(2), "c", kv({ name: "a" }), []), 429)
    await expectCode(() => s.create(uuid(1), "c", kv({ name: "a" }), kv({ "": "x" })), 408)
    await expectCode(() => s.create(uuid(2), "", [], []), 407)
  })
})

describe("get and obliterate", () => {
  it("404 for unknown and obliterated streams", async () => {
    const s = await open()
    await expectCode(() => s.get(uuid(9)), 404, "stream does not exist")
    await expectCode(() => s.obliterate(uuid(9)), 404, "stream does not exist")
    await s.create(uuid(1), "c", [], [])
    await s.obliterate(uuid(1))
    await expectCode(() => s.get(uuid(1)), 404)
    await expectCode(() => s.obliterate(uuid(1)), 404)
    await expectCode(() => s.setAnnotations(uuid(1), 0n, [], []), 404)
    await expectCode(() => s.setTags(uuid(1), 0n, [], "", []), 404)
    expect([...s.listCollections("")]).toEqual([])
    expect(names(s.lookupStreams({ collection: "", isCollectionPrefix: true, tags: [], annotations: [] }))).toEqual([])
  })
})

describe("setAnnotations", () => {
  it("applies changes then removals, deletes on absent values and bumps the version every time", async () => {
    const s = await open()
    await s.create(uuid(1), "c", [], kv({ a: "1", b: "2", c: "3" }))
    const d = await s.setAnnotations(uuid(1), 1n, kv({ a: "10", b: undefined, d: "4", e: "5" }), ["e", "missing"])
    expect(d.annotations).toEqual({ a: "10", c: "3", d: "4" })
    expect(d.propertyVersion).toBe(2n)
    // nothing changed, still +1 (Python: update(annotations={}, replace=True))
    expect((await s.setAnnotations(uuid(1), 0n, [], [])).propertyVersion).toBe(3n)
    expect((await s.setAnnotations(uuid(1), 3n, [], ["nope"])).propertyVersion).toBe(4n)
    expect(s.get(uuid(1)).propertyVersion).toBe(4n)
    expect(s.get(uuid(1)).annotations).toEqual({ a: "10", c: "3", d: "4" })
  })

  it("a key both changed and removed ends up removed", async () => {
    const s = await open()
    await s.create(uuid(1), "c", [], [])
    expect((await s.setAnnotations(uuid(1), 0n, kv({ k: "v" }), ["k"])).annotations).toEqual({})
  })

  it("423 on a version mismatch, 408/409 on bad keys/values, and nothing changes", async () => {
    const s = await open()
    await s.create(uuid(1), "c", [], kv({ a: "1" }))
    await expectCode(
      () => s.setAnnotations(uuid(1), 2n, kv({ a: "2" }), []),
      423,
      "stream annotation version does not match"
    )
    await expectCode(() => s.setAnnotations(uuid(1), 0n, kv({ "": "2" }), []), 408)
    await expectCode(() => s.setAnnotations(uuid(1), 0n, [], [""]), 408)
    await expectCode(() => s.setAnnotations(uuid(1), 0n, [], ["x\0"]), 408)
    await expectCode(() => s.setAnnotations(uuid(1), 0n, kv({ a: "x".repeat(256) }), []), 409)
    await expectCode(() => s.setAnnotations(uuid(1), 0n, kv({ a: "\0" }), []), 409)
    await expectCode(() => s.setAnnotations(uuid(9), 0n, [], []), 404)
    expect(plain(s.get(uuid(1)))).toMatchObject({ annotations: { a: "1" }, propertyVersion: 1n })
  })
})

describe("setTags", () => {
  it("upserts, deletes on absent values, removes, keeps the collection on \"\" and bumps the version", async () => {
    const s = await open()
    await s.create(uuid(1), "c", kv({ name: "n", unit: "u", ingress: "i", distiller: "d" }), kv({ a: "1" }))
    const d = await s.setTags(uuid(1), 1n, kv({ name: "n2", unit: undefined }), "", ["distiller"])
    expect(plain(d)).toEqual({
      uuid: uuid(1),
      collection: "c",
      tags: { name: "n2", unit: "", ingress: "i" },
      annotations: { a: "1" },
      propertyVersion: 2n
    })
    expect((await s.setTags(uuid(1), 0n, [], "", [])).propertyVersion).toBe(3n)
    expect((await s.setTags(uuid(1), 0n, kv({ distiller: "x" }), "", [])).tags.distiller).toBe("x")
  })

  it("moves the stream to a non-empty collection", async () => {
    const s = await open()
    await s.create(uuid(1), "old", kv({ name: "n" }), [])
    await s.create(uuid(2), "keep", kv({ name: "n" }), [])
    const d = await s.setTags(uuid(1), 0n, [], "new/place", [])
    expect(d.collection).toBe("new/place")
    expect([...s.listCollections("")]).toEqual(["keep", "new/place"])
    expect(names(s.lookupStreams({ collection: "old", isCollectionPrefix: false, tags: [], annotations: [] })))
      .toEqual([])
    expect(names(s.lookupStreams({ collection: "new", isCollectionPrefix: true, tags: [], annotations: [] })))
      .toEqual([uuid(1)])
  })

  it("418 when the move or the new tags clash with another stream, but not with itself", async () => {
    const s = await open()
    await s.create(uuid(1), "a", kv({ name: "n" }), [])
    await s.create(uuid(2), "b", kv({ name: "n" }), [])
    await s.create(uuid(3), "a", kv({ name: "m" }), [])
    await expectCode(() => s.setTags(uuid(2), 0n, [], "a", []), 418)
    await expectCode(() => s.setTags(uuid(3), 0n, kv({ name: "n" }), "", []), 418)
    await s.setTags(uuid(1), 0n, kv({ name: "n" }), "a", [])
    expect(s.get(uuid(2)).collection).toBe("b")
    expect(s.get(uuid(3)).tags.name).toBe("m")
    // removing a tag makes it "": a clash with a stream whose tag is unset
    await s.setTags(uuid(3), 0n, [], "", ["name"])
    await expectCode(() => s.create(uuid(6), "a", [], []), StatusCode.AmbiguousStream)
  })

  it("407/408/409/423/404 and nothing changes", async () => {
    const s = await open()
    await s.create(uuid(1), "c", kv({ name: "n" }), [])
    await expectCode(() => s.setTags(uuid(1), 0n, [], "bad\0", []), 407)
    await expectCode(() => s.setTags(uuid(1), 0n, [], "x".repeat(256), []), 407)
    await expectCode(() => s.setTags(uuid(1), 0n, kv({ colour: "red" }), "", []), 408)
    await expectCode(() => s.setTags(uuid(1), 0n, [], "", ["colour"]), 408)
    await expectCode(() => s.setTags(uuid(1), 0n, kv({ name: "x".repeat(256) }), "", []), 409)
    await expectCode(
      () => s.setTags(uuid(1), 5n, kv({ name: "z" }), "", []),
      423,
      "stream annotation version does not match"
    )
    await expectCode(() => s.setTags(uuid(2), 0n, [], "", []), 404)
    expect(plain(s.get(uuid(1)))).toMatchObject({ collection: "c", tags: { name: "n" }, propertyVersion: 1n })
  })

  it("tag and annotation versions share one counter (Python update(tags, annotations) → +2)", async () => {
    const s = await open()
    await s.create(uuid(1), "c", [], [])
    await s.setTags(uuid(1), 1n, kv({ name: "x" }), "c", [])
    expect((await s.setAnnotations(uuid(1), 2n, kv({ a: "b" }), [])).propertyVersion).toBe(3n)
  })
})

describe("listCollections", () => {
  it("lists live collections by prefix in byte order (the docs example)", async () => {
    const s = await open()
    let n = 0
    for (const c of ["foo", "bar", "foo/baz", "bar/baz"]) await s.create(uuid(++n), c, [], [])
    expect([...s.listCollections("")]).toEqual(["bar", "bar/baz", "foo", "foo/baz"])
    expect([...s.listCollections("foo")]).toEqual(["foo", "foo/baz"])
    expect([...s.listCollections("foo/")]).toEqual(["foo/baz"])
    expect([...s.listCollections("zzz")]).toEqual([])
    await expectCode(() => s.listCollections("a\0"), 407)
    await expectCode(() => s.listCollections("x".repeat(300)), 407)
  })

  it("sorts by UTF-8 bytes, not UTF-16 code units", async () => {
    const s = await open()
    const cs = ["\uFFFD", "😀", "a", "Z", "é", "a/b", "a b"]
    for (const [i, c] of cs.entries()) await s.create(uuid(i + 1), c, [], [])
    const bytes = [...cs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    expect([...s.listCollections("")]).toEqual(bytes)
    expect(bytes.indexOf("\uFFFD")).toBeLessThan(bytes.indexOf("😀"))
  })

  it("drops a collection when its last stream is obliterated or moved", async () => {
    const s = await open()
    await s.create(uuid(1), "a", kv({ name: "1" }), [])
    await s.create(uuid(2), "a", kv({ name: "2" }), [])
    await s.create(uuid(3), "b", [], [])
    await s.obliterate(uuid(1))
    expect([...s.listCollections("")]).toEqual(["a", "b"])
    await s.setTags(uuid(2), 0n, [], "c", [])
    expect([...s.listCollections("")]).toEqual(["b", "c"])
    await s.obliterate(uuid(3))
    expect([...s.listCollections("")]).toEqual(["c"])
  })
})

describe("lookupStreams", () => {
  const fixture = async () => {
    const s = await open()
    await s.create(uuid(5), "foo", kv({ name: "a", unit: "V" }), kv({ loc: "x", imp: "1" }))
    await s.create(uuid(1), "foo", kv({ name: "b", unit: "A" }), kv({ loc: "y" }))
    await s.create(uuid(3), "foo/bar", kv({ name: "a", unit: "" }), kv({ imp: "" }))
    await s.create(uuid(2), "foobar", kv({ name: "c", unit: "V", distiller: "d" }), [])
    await s.create(uuid(4), "other", kv({ name: "a", unit: "v" }), kv({ loc: "x" }))
    return s
  }
  const q = (collection: string, isCollectionPrefix: boolean, tags = {}, annotations = {}) => ({
    collection,
    isCollectionPrefix,
    tags: kv(tags),
    annotations: kv(annotations)
  })

  it.each([
    { why: "prefix matches foo, foo/bar, foobar", q: q("foo", true), want: [1, 5, 3, 2] },
    { why: "exact collection", q: q("foo", false), want: [1, 5] },
    { why: "empty prefix matches all", q: q("", true), want: [1, 5, 3, 2, 4] },
    { why: "empty exact matches nothing", q: q("", false), want: [] },
    { why: "tag value exact (case-sensitive)", q: q("", true, { unit: "V" }), want: [5, 2] },
    { why: "tag present = non-empty", q: q("", true, { unit: undefined }), want: [1, 5, 2, 4] },
    { why: "distiller present", q: q("", true, { distiller: undefined }), want: [2] },
    { why: "tag value \"\" matches unset", q: q("", true, { ingress: "" }), want: [1, 5, 3, 2, 4] },
    { why: "annotation value", q: q("", true, {}, { loc: "x" }), want: [5, 4] },
    { why: "annotation present (even empty)", q: q("", true, {}, { imp: undefined }), want: [5, 3] },
    { why: "AND of all", q: q("foo", true, { name: "a" }, { imp: undefined, loc: "x" }), want: [5] },
    { why: "nothing matches", q: q("foo", true, { name: "zzz" }), want: [] }
  ])("$why", async ({ q: query, want }) => {
    const s = await fixture()
    expect(names(s.lookupStreams(query))).toEqual(want.map(uuid))
  })

  it("validates at the call: 407, 408, 409", async () => {
    const s = await fixture()
    await expectCode(() => s.lookupStreams(q("a\0", true)), 407)
    await expectCode(() => s.lookupStreams(q("a\0", false)), 407)
    await expectCode(() => s.lookupStreams(q("", true, { colour: "x" })), 408)
    await expectCode(() => s.lookupStreams(q("", true, { name: "\0" })), 409)
    await expectCode(() => s.lookupStreams(q("", true, {}, { "": "x" })), 408)
    await expectCode(() => s.lookupStreams(q("", true, {}, { k: "x".repeat(256) })), 409)
  })

  it("is lazy and re-reads the current state while iterating", async () => {
    const s = await fixture()
    const it = s.lookupStreams(q("", true))[Symbol.iterator]()
    expect(it.next().value?.uuid).toBe(uuid(1))
    await s.obliterate(uuid(5))
    await s.setAnnotations(uuid(3), 0n, kv({ imp: "2" }), [])
    const rest = [...{ [Symbol.iterator]: () => it }]
    expect(rest.map((d) => d.uuid)).toEqual([uuid(3), uuid(2), uuid(4)])
    expect(rest[0]!.annotations).toEqual({ imp: "2" })
    expect(rest[0]!.propertyVersion).toBe(2n)
  })
})

describe("metadataUsage", () => {
  it("returns all four tag keys (non-empty values) and annotation key counts under a prefix", async () => {
    const s = await open()
    await s.create(
      uuid(1),
      "sunshine/PMU1",
      kv({ name: "L1MAG", unit: "volts" }),
      kv({ impedance: "1", location: "x" })
    )
    await s.create(uuid(2), "sunshine/PMU1", kv({ name: "L1ANG", unit: "" }), kv({ impedance: "2", foo: "f" }))
    await s.create(uuid(3), "sunshine/PMU2", kv({ name: "L1MAG" }), kv({ location: "y" }))
    await s.create(uuid(4), "elsewhere", kv({ name: "x", distiller: "d" }), kv({ bar: "b" }))
    expect(s.metadataUsage("sunshine/PMU1")).toEqual({
      tags: { name: 2, unit: 1, ingress: 0, distiller: 0 },
      annotations: { foo: 1, impedance: 2, location: 1 }
    })
    expect(s.metadataUsage("sunshine/")).toEqual({
      tags: { name: 3, unit: 1, ingress: 0, distiller: 0 },
      annotations: { foo: 1, impedance: 2, location: 2 }
    })
    expect(s.metadataUsage("")).toEqual({
      tags: { name: 4, unit: 1, ingress: 0, distiller: 1 },
      annotations: { bar: 1, foo: 1, impedance: 2, location: 2 }
    })
    expect(s.metadataUsage("nothing")).toEqual({
      tags: { name: 0, unit: 0, ingress: 0, distiller: 0 },
      annotations: {}
    })
    await expectCode(() => s.metadataUsage("\0"), 407)
  })
})

describe("close", () => {
  it("rejects mutations after close", async () => {
    const s = await open()
    await s.create(uuid(1), "c", [], [])
    await s.close()
    await expectCode(() => s.create(uuid(2), "c", [], []), 500)
    await s.close()
  })
})
