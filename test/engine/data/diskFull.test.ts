/**
 * A full disk and failing fsyncs: a write that cannot be made durable fails with 426 (disk full) or 500 (another
 * I/O error), the store rolls back to its last durable state, everything acknowledged as durable survives (also a
 * reopen), reads go on, writes work again once the fault is cleared, and `verify` finds nothing wrong.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { DataStore } from "../../../src/engine/data/DataStore.js"
import { verifyDirectory } from "../../../src/engine/data/verify.js"
import { Database } from "../../../src/engine/Database.js"
import { DiskFaults } from "../../../src/engine/DiskFaults.js"
import { MAX_TIME, MIN_TIME, StatusCode } from "../../../src/internal/protocol.js"
import { codeOf, columns, expectPoints, rawPoints, scratchDirs, U1, U2 } from "./helpers.js"
import { Model, type Pt } from "./model.js"

const fresh = scratchDirs()

/** `n` points from time `from` on, 1 µs apart. */
const batch = (from: number, n: number, value = from): Array<readonly [bigint, number]> =>
  Array.from({ length: n }, (_, k) => [BigInt(from + k) * 1000n, value + k / 8] as const)

const asPts = (pts: ReadonlyArray<readonly [bigint, number]>): Array<Pt> => pts.map(([t, v]) => ({ t, v }))

/** Every point of the latest version of `uuid`. */
const all = (ds: DataStore, uuid: string) => rawPoints(ds.rawValues(uuid, MIN_TIME, MAX_TIME - 1n, 0n))

/** A store whose background group commit never runs by itself during a test. */
const openStore = (dir: string, faults: DiskFaults, segmentBytes?: number) =>
  DataStore.open({ dir, faults, commitDelayMs: 60_000, leafCapacity: 64, segmentBytes })

const segmentBytes = (dir: string): number =>
  fs.readdirSync(dir).filter((f) => f.startsWith("seg-")).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)

/** Reopens `dir` and checks that each stream holds exactly its model's points, then that verify finds no fault. */
const expectOnDisk = async (dir: string, models: ReadonlyMap<string, Model>): Promise<void> => {
  const ds = await DataStore.open({ dir })
  for (const [uuid, m] of models) expectPoints(all(ds, uuid), m.at(0n))
  await ds.close()
  const report = await verifyDirectory(dir)
  expect(report.faults).toEqual([])
  expect(report.faultCount).toBe(0)
}

describe("a full disk", () => {
  it("a segment write that fills the disk mid-insert fails with 426 and leaves nothing of that insert", async () => {
    const dir = fresh("full-segment")
    const faults = new DiskFaults()
    const ds = await openStore(dir, faults)
    ds.createStream(U1)
    const m = new Model()
    const durable = batch(0, 3000)
    await ds.insert(U1, columns(durable), { policy: "never", sync: true })
    m.insert(asPts(durable), "never")
    // acknowledged, not durable yet: a failed insert after it must not take it away
    const unsynced = batch(10_000, 500)
    const v = await ds.insert(U1, columns(unsynced), { policy: "never" })
    m.insert(asPts(unsynced), "never")
    const sizeBefore = segmentBytes(dir)

    faults.set({ files: ["segment"], after: 20_000 })
    const failure = await ds.insert(U1, columns(batch(20_000, 5000)), { policy: "never" }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: StatusCode.ResourceDepleted })
    expect(String(failure)).toContain("disk full")
    expect(ds.version(U1)).toEqual(v)
    expect(segmentBytes(dir)).toBe(sizeBefore)
    expectPoints(all(ds, U1), m.at(0n))
    // and so does every later write while the disk stays full
    expect(await codeOf(() => ds.insert(U1, columns(batch(30_000, 10)), { policy: "never" }))).toBe(
      StatusCode.ResourceDepleted
    )
    expect(await codeOf(() => ds.delete(U1, 0n, 10_000n))).toBe(StatusCode.ResourceDepleted)
    expect(ds.version(U1)).toEqual(v)

    faults.clear()
    const after = batch(40_000, 2000)
    await ds.insert(U1, columns(after), { policy: "never", sync: true })
    m.insert(asPts(after), "never")
    expectPoints(all(ds, U1), m.at(0n))
    await ds.close()
    await expectOnDisk(dir, new Map([[U1, m]]))
  })

  it("a failed group commit fails every caller waiting for it and takes the store back to its durable state", async () => {
    const dir = fresh("full-log")
    const faults = new DiskFaults()
    const ds = await openStore(dir, faults)
    ds.createStream(U1)
    ds.createStream(U2)
    const m1 = new Model()
    const m2 = new Model()
    const first = batch(0, 2000)
    const v1 = await ds.insert(U1, columns(first), { policy: "never", sync: true })
    m1.insert(asPts(first), "never")
    const v2 = await ds.insert(U2, columns(first), { policy: "never", sync: true })
    m2.insert(asPts(first), "never")
    // an unsynced insert made before the failure is forgotten with the rest, as a crash would lose it
    await ds.insert(U1, columns(batch(5000, 100)), { policy: "never" })

    faults.set({ files: ["log"], after: 100 })
    const waiting = [
      ds.insert(U1, columns(batch(10_000, 700)), { policy: "never", sync: true }),
      ds.insert(U2, columns(batch(10_000, 800)), { policy: "never", sync: true }),
      ds.insert(U1, columns(batch(20_000, 900)), { policy: "replace", sync: true }),
      ds.flush(U2),
      ds.insert(U2, columns(batch(30_000, 50)), { policy: "never", sync: true })
    ]
    const settled = await Promise.allSettled(waiting)
    for (const s of settled) {
      expect(s.status).toBe("rejected")
      expect((s as PromiseRejectedResult).reason).toMatchObject({ code: StatusCode.ResourceDepleted })
    }
    expect(ds.version(U1)).toEqual(v1)
    expect(ds.version(U2)).toEqual(v2)
    expectPoints(all(ds, U1), m1.at(0n))
    expectPoints(all(ds, U2), m2.at(0n))
    expect(fs.statSync(path.join(dir, "commits.log")).size % 72).toBe(16)

    faults.clear()
    const next = batch(40_000, 1000)
    const v = await ds.insert(U1, columns(next), { policy: "never", sync: true })
    m1.insert(asPts(next), "never")
    expect(v.major).toBe(v1.major + 1n)
    expectPoints(all(ds, U1), m1.at(0n))
    await ds.close()
    await expectOnDisk(dir, new Map([[U1, m1], [U2, m2]]))
  })

  it("a read of a version that a rollback forgot fails when it reaches its nodes, and never reads newer ones", async () => {
    const dir = fresh("full-reader")
    const faults = new DiskFaults()
    const ds = await openStore(dir, faults)
    ds.createStream(U1)
    await ds.insert(U1, columns(batch(0, 100)), { policy: "never", sync: true })
    const forgotten = await ds.insert(U1, columns(batch(1000, 5000, 7)), { policy: "never" })
    const pages = ds.rawValues(U1, MIN_TIME, MAX_TIME - 1n, forgotten.major, 100).pages[Symbol.iterator]()
    expect(pages.next().value?.times.length).toBe(100)

    faults.set({ files: ["log"] })
    expect(await codeOf(() => ds.flush(U1))).toBe(StatusCode.ResourceDepleted)
    faults.clear()
    await ds.insert(U1, columns(batch(1000, 5000, -1e6)), { policy: "never", sync: true })
    expect(() => {
      for (let p = pages.next(); p.done !== true; p = pages.next()) {
        expect(p.value.values.every((v) => v > 0)).toBe(true)
      }
    }).toThrow(/short read|bad header/)
    await ds.close()
  })

  for (const file of ["segment", "log"] as const) {
    it(`a failed fsync of the ${file} fails with 500 and rolls back the same way`, async () => {
      const dir = fresh(`fsync-${file}`)
      const faults = new DiskFaults()
      const ds = await openStore(dir, faults)
      ds.createStream(U1)
      const m = new Model()
      const first = batch(0, 4000)
      const v = await ds.insert(U1, columns(first), { policy: "never", sync: true })
      m.insert(asPts(first), "never")

      faults.set({ op: "fsync", files: [file] })
      const e = await ds.insert(U1, columns(batch(9000, 3000)), { policy: "never", sync: true }).catch((x) => x)
      expect(e).toMatchObject({ code: StatusCode.InvariantFailure })
      expect(String(e)).toContain("EIO")
      expect(ds.version(U1)).toEqual(v)
      expectPoints(all(ds, U1), m.at(0n))
      expect(await codeOf(() => ds.flush(U1))).toBeUndefined() // nothing is left to make durable

      faults.clear()
      const again = batch(9000, 3000)
      await ds.insert(U1, columns(again), { policy: "never", sync: true })
      m.insert(asPts(again), "never")
      await ds.close()
      await expectOnDisk(dir, new Map([[U1, m]]))
    })
  }

  it("a new segment file that cannot be created fails the insert and leaves no file behind", async () => {
    const dir = fresh("full-roll")
    const faults = new DiskFaults()
    const ds = await openStore(dir, faults, 64 * 1024)
    ds.createStream(U1)
    const m = new Model()
    for (let i = 0; i < 5; i++) {
      const pts = batch(i * 10_000, 5000)
      await ds.insert(U1, columns(pts), { policy: "never", sync: true })
      m.insert(asPts(pts), "never")
    }
    const files = fs.readdirSync(dir).sort()
    faults.set({ files: ["segment"] })
    expect(await codeOf(() => ds.insert(U1, columns(batch(90_000, 5000)), { policy: "never" }))).toBe(
      StatusCode.ResourceDepleted
    )
    expect(fs.readdirSync(dir).sort()).toEqual(files)
    faults.clear()
    const pts = batch(90_000, 5000)
    await ds.insert(U1, columns(pts), { policy: "never", sync: true })
    m.insert(asPts(pts), "never")
    await ds.close()
    await expectOnDisk(dir, new Map([[U1, m]]))
  })

  it("obliterate, create and metadata changes that cannot be written fail, change nothing, and can be retried", async () => {
    const dir = fresh("full-db")
    const faults = new DiskFaults()
    const db = await Database.open({ dir, faults })
    await db.create(U1, "disk/full", [{ key: "name", value: "a" }], [])
    const pts = batch(0, 1000)
    await db.insert(U1, columns(pts), { policy: "never", sync: true })

    // metadata: a create and an annotation change whose records cannot be written are undone
    faults.set({ files: ["metadata"] })
    expect(await codeOf(() => db.create(U2, "disk/full", [{ key: "name", value: "b" }], []))).toBe(
      StatusCode.ResourceDepleted
    )
    expect(await codeOf(() => db.metadata.setAnnotations(U1, 0n, [{ key: "k", value: "v" }], []))).toBe(
      StatusCode.ResourceDepleted
    )
    expect(db.data.hasStream(U2)).toBe(false)
    expect(() => db.metadata.get(U2)).toThrow()
    expect(db.metadata.get(U1)).toMatchObject({ annotations: {}, propertyVersion: 1n })
    expect([...db.metadata.listCollections("")]).toEqual(["disk/full"])

    // data: an obliterate whose record cannot be made durable leaves the stream readable; a retry finishes it
    faults.set({ op: "fsync", files: ["log"] })
    expect(await codeOf(() => db.obliterate(U1))).toBe(StatusCode.InvariantFailure)
    expect(db.data.hasStream(U1)).toBe(true)
    expectPoints(all(db.data, U1), asPts(pts))

    // a create whose data record was lost by a rollback gets its (empty) stream back at once
    faults.clear()
    await db.create(U2, "disk/full", [{ key: "name", value: "b" }], [])
    faults.set({ files: ["log"] })
    expect(await codeOf(() => db.data.flush(U2))).toBe(StatusCode.ResourceDepleted)
    expect(db.data.hasStream(U2)).toBe(true)

    faults.clear()
    await db.obliterate(U1)
    expect(db.data.hasStream(U1)).toBe(false)
    expect(await codeOf(() => db.obliterate(U1))).toBe(StatusCode.NoSuchStream)
    await db.insert(U2, columns(pts), { policy: "never", sync: true })
    await db.close()

    const reopened = await Database.open({ dir })
    expect(reopened.data.hasStream(U1)).toBe(false)
    expect(reopened.metadata.isObliterated(U1)).toBe(true)
    expectPoints(all(reopened.data, U2), asPts(pts))
    await reopened.close()
    expect((await verifyDirectory(dir)).faultCount).toBe(0)
  })

  it("an obliterate whose data part failed is finished by the next open", async () => {
    const dir = fresh("full-reopen")
    const faults = new DiskFaults()
    const db = await Database.open({ dir, faults })
    await db.create(U1, "disk/full", [{ key: "name", value: "a" }], [])
    await db.insert(U1, columns(batch(0, 100)), { policy: "never", sync: true })
    faults.set({ files: ["log"] })
    expect(await codeOf(() => db.obliterate(U1))).toBe(StatusCode.ResourceDepleted)
    faults.clear()
    await db.close()
    const reopened = await Database.open({ dir })
    expect(reopened.data.hasStream(U1)).toBe(false)
    expect(reopened.data.isObliterated(U1)).toBe(true)
    await reopened.close()
  })
})
