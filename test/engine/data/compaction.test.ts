/**
 * Compaction (src/engine/data/compaction.ts): obliterating a stream and compacting gives its bytes back (the data
 * directory shrinks by about the bytes `diskUsage` counted for it), while every version of every other stream
 * answers exactly as before, in the same process and after a reopen, and `verifyDirectory` finds nothing wrong.
 * Copies of copies (a segment of relocated nodes compacted again) read the same too; a segment above the threshold
 * is left alone; a background pass does the work by itself; an in-memory store has nothing to compact.
 */
import * as fs from "node:fs"
import { afterAll, describe, expect, it, vi } from "vitest"
import { DataStore } from "../../../src/engine/data/DataStore.js"
import { diskUsage } from "../../../src/engine/data/usage.js"
import { formatFault, verifyDirectory } from "../../../src/engine/data/verify.js"
import { DiskFaults } from "../../../src/engine/DiskFaults.js"
import { allAnswers, dirBytes, type HistoryOptions, segmentFiles, streamId, writeHistory } from "./fixtures/history.js"
import { rmDir, tmpDir } from "./helpers.js"

const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) rmDir(d)
})

const HISTORY: HistoryOptions = { keepers: 3, victims: 2, rounds: 30, victimBatch: 6000 }
const OPEN = { leafCapacity: 64, segmentBytes: 64 * 1024, commitDelayMs: 5 } as const

/** A directory holding the history, closed. */
const build = async (tag: string, history = HISTORY): Promise<string> => {
  const dir = tmpDir(`compaction-${tag}`)
  dirs.push(dir)
  const ds = await DataStore.open({ dir, ...OPEN })
  await writeHistory(ds, history)
  await ds.close()
  return dir
}

const open = (dir: string, compaction: { below?: number; background?: boolean } = {}) =>
  DataStore.open({ dir, ...OPEN, compaction: { background: false, ...compaction } })

/** The bytes of the nodes any version of the stream reaches, as `btrdb du` counts them. */
const streamBytes = async (dir: string, uuid: string): Promise<number> =>
  (await diskUsage(dir)).streams.find((s) => s.uuid === uuid)!.allBytes

const expectSound = async (dir: string) => {
  const report = await verifyDirectory(dir)
  expect(report.faults.map(formatFault)).toEqual([])
  expect(report.notes.map(formatFault)).toEqual([
    "metadata/metadata.log: there is no metadata log (a directory written by the data store alone)"
  ])
  return report
}

/** The answers of every version of every stream but `gone`. */
const without = (answers: Map<string, Array<string>>, ...gone: Array<string>) =>
  new Map([...answers].filter(([u]) => !gone.includes(u)))

describe("compaction", () => {
  it("gives an obliterated stream's bytes back; every version of the others reads the same, after a reopen too", async () => {
    const dir = await build("obliterate")
    const victim = streamId("v", 0)
    let ds = await open(dir)
    const before = allAnswers(ds)
    expect([...before.values()].reduce((n, a) => n + a.length, 0)).toBeGreaterThan(90)
    await ds.close()
    const usageBefore = await diskUsage(dir)
    const victimBytes = await streamBytes(dir, victim)
    const bytesBefore = dirBytes(dir)
    const segmentsBefore = segmentFiles(dir).length
    expect(victimBytes).toBeGreaterThan(0.4 * bytesBefore)

    ds = await open(dir)
    await ds.obliterate(victim)
    const report = await ds.compact()
    const reclaimed = bytesBefore - dirBytes(dir)
    expect(report.segmentsFreed).toBeGreaterThan(10)
    expect(report.bytesFreed - report.bytesMoved).toBeGreaterThan(0.95 * victimBytes)
    // the directory shrinks by the stream's bytes, less what the new records take
    expect(reclaimed).toBeGreaterThan(0.95 * victimBytes)
    expect(reclaimed).toBeLessThan(1.02 * victimBytes)
    expect(segmentFiles(dir).length).toBeLessThan(segmentsBefore)
    expect(allAnswers(ds)).toEqual(without(before, victim))
    // nothing more qualifies
    expect(await ds.compact()).toEqual({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
    await ds.close()

    ds = await open(dir)
    expect(allAnswers(ds)).toEqual(without(before, victim))
    await ds.close()
    const report2 = await expectSound(dir)
    expect(report2.obliterated).toBe(1)
    const usage = await diskUsage(dir)
    expect(usage.reclaimed.files).toBe(report.segmentsFreed)
    expect(usage.reclaimed.bytes).toBe(report.bytesFreed)
    // du walks the moved nodes where they are now: the other streams take what they took
    expect(usage.streams).toEqual(usageBefore.streams.filter((s) => s.uuid !== victim))
    // and what no live version reaches did not grow by the obliterated bytes: they are gone
    expect(usage.unreachable).toBeLessThanOrEqual(usageBefore.unreachable)
    console.log(
      `compaction: obliterated ${victimBytes} bytes of nodes; the directory went from ${bytesBefore} to ` +
        `${dirBytes(dir)} bytes (${reclaimed} reclaimed), ${report.segmentsFreed} segments freed, ` +
        `${report.bytesMoved} bytes moved`
    )

    // Another obliteration compacts segments of copies again (copies of copies), with a higher threshold.
    const second = streamId("k", 2)
    ds = await open(dir, { below: 0.9 })
    await ds.obliterate(second)
    const again = await ds.compact()
    expect(again.segmentsFreed).toBeGreaterThan(0)
    expect(allAnswers(ds)).toEqual(without(before, victim, second))
    await ds.close()
    ds = await open(dir)
    expect(allAnswers(ds)).toEqual(without(before, victim, second))
    await ds.close()
    await expectSound(dir)
  })

  it("leaves alone a segment whose live bytes are above the threshold", async () => {
    const dir = await build("threshold")
    const ds = await open(dir, { below: 0.1 })
    await ds.obliterate(streamId("k", 0))
    const bytes = dirBytes(dir)
    const files = segmentFiles(dir)
    expect(await ds.compact()).toEqual({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
    expect(segmentFiles(dir)).toEqual(files)
    expect(dirBytes(dir)).toBe(bytes)
    await ds.close()
  })

  it("runs in the background after an obliterate, a step at a time", async () => {
    const dir = await build("background")
    const victim = streamId("v", 1)
    const victimBytes = await streamBytes(dir, victim)
    let ds = await open(dir)
    const before = allAnswers(ds)
    await ds.close()
    const bytesBefore = dirBytes(dir)
    ds = await DataStore.open({
      dir,
      ...OPEN,
      compaction: { background: true, bytesPerTick: 16 * 1024, tickMs: 1 }
    })
    await ds.obliterate(victim)
    await vi.waitFor(() => expect(bytesBefore - dirBytes(dir)).toBeGreaterThan(0.95 * victimBytes), {
      timeout: 30_000,
      interval: 50
    })
    expect(allAnswers(ds)).toEqual(without(before, victim))
    await ds.close()
    await expectSound(dir)
  })

  it("frees nothing still needed when a write fails: during a pass, or of the obliterate itself", async () => {
    const dir = await build("faults")
    const victim = streamId("v", 0)
    const faults = new DiskFaults()
    let ds = await DataStore.open({ dir, ...OPEN, faults, compaction: { background: false } })
    const before = allAnswers(ds)
    const files = segmentFiles(dir)

    // The obliterate's record cannot be made durable: the stream is back, and so must its nodes stay.
    faults.set({ op: "fsync", files: ["log"] })
    await expect(ds.obliterate(victim)).rejects.toThrow()
    faults.clear()
    expect(ds.hasStream(victim)).toBe(true)
    expect(await ds.compact()).toEqual({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
    expect(segmentFiles(dir)).toEqual(files)
    expect(allAnswers(ds)).toEqual(before)

    // A pass whose copies cannot be made durable frees nothing more; the next one finishes.
    await ds.obliterate(victim)
    faults.set({ op: "fsync", files: ["segment"], after: 3 })
    await expect(ds.compact()).rejects.toThrow()
    faults.clear()
    expect(allAnswers(ds)).toEqual(without(before, victim))
    expect((await ds.compact()).segmentsFreed).toBeGreaterThan(0)
    expect(allAnswers(ds)).toEqual(without(before, victim))
    await ds.close()
    ds = await open(dir)
    expect(allAnswers(ds)).toEqual(without(before, victim))
    await ds.close()
    await expectSound(dir)
  })

  it("has nothing to do in memory, where an obliterated stream is freed at once", async () => {
    const ds = await DataStore.open({ leafCapacity: 64 })
    await writeHistory(ds, { ...HISTORY, rounds: 4 })
    await ds.obliterate(streamId("v", 0))
    expect(await ds.compact()).toEqual({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
    await ds.close()
  })

  it("needs no compaction for a directory nothing was obliterated in", async () => {
    const dir = await build("none", { ...HISTORY, rounds: 6 })
    const ds = await open(dir)
    const files = segmentFiles(dir).map((f) => [f, fs.statSync(`${dir}/${f}`).size])
    expect(await ds.compact()).toEqual({ segmentsFreed: 0, bytesFreed: 0, bytesMoved: 0 })
    expect(segmentFiles(dir).map((f) => [f, fs.statSync(`${dir}/${f}`).size])).toEqual(files)
    await ds.close()
  })
})
