import * as fc from "fast-check"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { crc32 } from "../../../src/engine/crc32.js"
import { decodeLog, encodeRecord, LOG_FILE, type LogRecord } from "../../../src/engine/metadata/MetadataLog.js"
import { MetadataStore } from "../../../src/engine/metadata/MetadataStore.js"
import { expectCode, kv, plain, tempDir, uuid } from "./helpers.js"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const f of cleanups.splice(0)) f()
})
const newDir = (): string => {
  const t = tempDir()
  cleanups.push(t.remove)
  return t.dir
}
const logPath = (dir: string) => Path.join(dir, "metadata", LOG_FILE)

/** Everything observable about a store's live streams (all fields) and collections. */
const dump = (s: MetadataStore) => ({
  streams: [...s.lookupStreams({ collection: "", isCollectionPrefix: true, tags: [], annotations: [] })].map(plain),
  collections: [...s.listCollections("")]
})

/** The create code for `u`: 429 tombstoned, 417 live; 0 when the probe created it (so use it last). */
const probeCreate = async (s: MetadataStore, u: string): Promise<number> => {
  try {
    await s.create(u, "probe/collection/unique", kv({ name: u }), [])
    return 0
  } catch (e) {
    return (e as { code: number }).code
  }
}

describe("crc32", () => {
  it("matches the standard check values", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xCBF43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
    expect(crc32(Buffer.from("The quick brown fox jumps over the lazy dog"))).toBe(0x414FA339)
  })
  it("can be computed in pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const all = Buffer.concat([a, b])
        expect(crc32(b, 0, b.length, crc32(a))).toBe(crc32(all))
      })
    )
  })
})

describe("log records", () => {
  it("round-trip and stop at a torn or corrupt tail", () => {
    const records: Array<LogRecord> = [
      {
        op: "put",
        uuid: uuid(1),
        collection: "c",
        tags: { name: "n", unit: "", ingress: "" },
        annotations: [["a", "b"]],
        version: "1"
      },
      { op: "obliterate", uuid: uuid(2) }
    ]
    const magic = Buffer.from("BTRDBMD\x01", "latin1")
    const bytes = Buffer.concat([magic, ...records.map(encodeRecord)])
    expect(decodeLog(bytes)).toEqual({ records, validBytes: bytes.length })
    for (let cut = 1; cut < encodeRecord(records[1]!).length; cut++) {
      expect(decodeLog(bytes.subarray(0, bytes.length - cut))).toEqual({
        records: records.slice(0, 1),
        validBytes: bytes.length - encodeRecord(records[1]!).length
      })
    }
    const flipped = Buffer.from(bytes)
    flipped[flipped.length - 2] ^= 0x20
    expect(decodeLog(flipped).records).toEqual(records.slice(0, 1))
    expect(decodeLog(Buffer.from("BTR"))).toEqual({ records: [], validBytes: 0 })
    expect(() => decodeLog(Buffer.from("NOTALOG!"))).toThrow(/magic/)
  })
})

describe("persistence", () => {
  const populate = async (s: MetadataStore) => {
    await s.create(uuid(1), "sunshine/PMU1", kv({ name: "L1MAG", unit: "volts" }), kv({ impedance: "12", a: "1" }))
    await s.create(uuid(2), "sunshine/PMU1", kv({ name: "L1ANG", unit: "deg", distiller: "" }), [])
    await s.create(uuid(3), "sunshine/PMU2", kv({ name: "C1MAG", ingress: "i", distiller: "d" }), kv({ "k ü😀": "v" }))
    await s.create(uuid(4), "doomed", [], [])
    await s.setAnnotations(uuid(1), 1n, kv({ impedance: "13", b: "2" }), ["a"])
    await s.setAnnotations(uuid(1), 0n, [], [])
    await s.setTags(uuid(2), 1n, kv({ unit: "rad" }), "sunshine/PMU3", ["distiller"])
    await s.obliterate(uuid(4))
  }
  it("keeps every stream, annotation, property version and tombstone across reopen", async () => {
    const dir = newDir()
    const a = await MetadataStore.open({ dir })
    await populate(a)
    const before = dump(a)
    expect(before.streams.find((d) => d.uuid === uuid(1))?.propertyVersion).toBe(3n)
    await a.close()
    const b = await MetadataStore.open({ dir })
    expect(dump(b)).toEqual(before)
    await expectCode(() => b.create(uuid(4), "x", [], []), 429)
    await expectCode(() => b.create(uuid(3), "x", [], []), 417)
    await expectCode(
      () => b.create(uuid(9), "sunshine/PMU2", kv({ name: "C1MAG", ingress: "i", distiller: "d" }), []),
      418
    )
    // and keeps going: new mutations after a reopen survive the next one
    await b.setAnnotations(uuid(3), 1n, kv({ more: "yes" }), [])
    await b.close()
    const c = await MetadataStore.open({ dir })
    expect(c.get(uuid(3)).annotations).toEqual({ "k ü😀": "v", more: "yes" })
    expect(c.get(uuid(3)).propertyVersion).toBe(2n)
    await c.close()
  })

  it("a mutation resolves only once its record is in the file", async () => {
    const dir = newDir()
    const s = await MetadataStore.open({ dir })
    await s.create(uuid(1), "c", [], [])
    const { records } = decodeLog(Fs.readFileSync(logPath(dir)))
    expect(records).toEqual([
      {
        op: "put",
        uuid: uuid(1),
        collection: "c",
        tags: { name: "", unit: "", ingress: "" },
        annotations: [],
        version: "1"
      }
    ])
    await Promise.all([s.create(uuid(2), "c", kv({ name: "2" }), []), s.create(uuid(3), "c", kv({ name: "3" }), [])])
    expect(decodeLog(Fs.readFileSync(logPath(dir))).records).toHaveLength(3)
    await s.close()
  })

  it.each([
    { why: "a half-written last record", damage: (b: Buffer) => b.subarray(0, b.length - 7) },
    {
      why: "a last record with a bad checksum",
      damage: (b: Buffer) => Buffer.from(b.map((x, i) => i === b.length - 3 ? x ^ 1 : x))
    },
    { why: "garbage after the last record", damage: (b: Buffer) => Buffer.concat([b, Buffer.from([7, 0, 0])]) },
    { why: "zeros after the last record", damage: (b: Buffer) => Buffer.concat([b, Buffer.alloc(4096)]) }
  ])("recovers from $why", async ({ damage }) => {
    const dir = newDir()
    const s = await MetadataStore.open({ dir })
    await s.create(uuid(1), "c", kv({ name: "one" }), kv({ a: "1" }))
    await s.create(uuid(2), "c", kv({ name: "two" }), [])
    await s.close()
    const intact = Fs.readFileSync(logPath(dir))
    const lastLen = encodeRecord({
      op: "put",
      uuid: uuid(2),
      collection: "c",
      tags: { name: "two", unit: "", ingress: "" },
      annotations: [],
      version: "1"
    }).length
    const damaged = damage(intact)
    Fs.writeFileSync(logPath(dir), damaged)
    const lostLast = damaged.length < intact.length || !damaged.subarray(0, intact.length).equals(intact)
    const r = await MetadataStore.open({ dir })
    expect(plain(r.get(uuid(1)))).toMatchObject({ tags: { name: "one" }, annotations: { a: "1" } })
    if (lostLast) await expectCode(() => r.get(uuid(2)), 404)
    else expect(r.get(uuid(2)).tags.name).toBe("two")
    // the tail was cut off, so appends after it are readable
    expect(Fs.statSync(logPath(dir)).size).toBe(lostLast ? intact.length - lastLen : intact.length)
    await r.create(uuid(3), "c", kv({ name: "three" }), [])
    await r.close()
    const again = await MetadataStore.open({ dir })
    expect(again.get(uuid(3)).tags.name).toBe("three")
    expect(again.get(uuid(1)).tags.name).toBe("one")
    await again.close()
  })

  it("starts empty from a file torn inside its header, and refuses a foreign file", async () => {
    const dir = newDir()
    Fs.mkdirSync(Path.join(dir, "metadata"), { recursive: true })
    Fs.writeFileSync(logPath(dir), Buffer.from("BTRD"))
    const s = await MetadataStore.open({ dir })
    expect([...s.listCollections("")]).toEqual([])
    await s.create(uuid(1), "c", [], [])
    await s.close()
    const r = await MetadataStore.open({ dir })
    expect(r.get(uuid(1)).collection).toBe("c")
    await r.close()
    const other = newDir()
    Fs.mkdirSync(Path.join(other, "metadata"), { recursive: true })
    Fs.writeFileSync(logPath(other), "hello, this is not a log")
    await expectCode(() => MetadataStore.open({ dir: other }), 500)
  })

  it("compacts a long log at open, atomically, keeping the state", async () => {
    const dir = newDir()
    const s = await MetadataStore.open({ dir })
    await s.create(uuid(1), "c", [], [])
    await s.create(uuid(2), "d", [], [])
    await s.obliterate(uuid(2))
    // concurrent mutations are group-committed, in call order
    await Promise.all(Array.from({ length: 1500 }, (_, i) => s.setAnnotations(uuid(1), 0n, kv({ i: String(i) }), [])))
    expect(s.get(uuid(1)).annotations).toEqual({ i: "1499" })
    const before = dump(s)
    await s.close()
    const bigSize = Fs.statSync(logPath(dir)).size
    const r = await MetadataStore.open({ dir })
    expect(dump(r)).toEqual(before)
    expect(r.get(uuid(1)).propertyVersion).toBe(1501n)
    await r.close()
    expect(Fs.statSync(logPath(dir)).size).toBeLessThan(bigSize / 100)
    expect(decodeLog(Fs.readFileSync(logPath(dir))).records).toHaveLength(2)
    expect(Fs.readdirSync(Path.join(dir, "metadata"))).toEqual([LOG_FILE])
    const again = await MetadataStore.open({ dir })
    expect(dump(again)).toEqual(before)
    expect(await probeCreate(again, uuid(2))).toBe(429)
    await again.close()
  })

  it("replays any sequence of operations to the same state (property)", async () => {
    const key = fc.constantFrom("a", "b", "c")
    const val = fc.option(fc.constantFrom("x", "y", ""), { nil: undefined })
    const op = fc.oneof(
      fc.record({
        t: fc.constant("create" as const),
        u: fc.nat(5),
        c: fc.constantFrom("p", "p/q", "r"),
        name: fc.constantFrom("n1", "n2")
      }),
      fc.record({ t: fc.constant("ann" as const), u: fc.nat(5), ch: fc.array(fc.tuple(key, val)), rm: fc.array(key) }),
      fc.record({
        t: fc.constant("tags" as const),
        u: fc.nat(5),
        unit: val,
        c: fc.constantFrom("", "p", "s"),
        v: fc.constantFrom(0n, 1n, 2n)
      }),
      fc.record({ t: fc.constant("obl" as const), u: fc.nat(5) })
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const t = tempDir()
        try {
          const s = await MetadataStore.open({ dir: t.dir })
          const tombstoned = new Set<string>()
          for (const o of ops) {
            const run = o.t === "create"
              ? s.create(uuid(o.u), o.c, kv({ name: o.name }), [])
              : o.t === "ann"
              ? s.setAnnotations(uuid(o.u), 0n, o.ch.map(([k, v]) => ({ key: k, value: v })), o.rm)
              : o.t === "tags"
              ? s.setTags(uuid(o.u), o.v, [{ key: "unit", value: o.unit }], o.c, [])
              : s.obliterate(uuid(o.u))
            const ok = await run.then(() => true, () => false)
            if (ok && o.t === "obl") tombstoned.add(uuid(o.u))
          }
          const before = dump(s)
          await s.close()
          const r = await MetadataStore.open({ dir: t.dir })
          expect(dump(r)).toEqual(before)
          const live = new Set(before.streams.map((d) => d.uuid))
          for (const u of [0, 1, 2, 3, 4, 5].map(uuid)) {
            expect(await probeCreate(r, u)).toBe(tombstoned.has(u) ? 429 : live.has(u) ? 417 : 0)
          }
          await r.close()
        } finally {
          t.remove()
        }
      }),
      { numRuns: 30 }
    )
  })
})
