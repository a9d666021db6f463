/**
 * `btrdb backup`: a served directory with several streams is backed up while a writer keeps inserting, from the
 * data directory (a file copy, every version kept) and from the endpoint (each stream re-created at the version it
 * had when the backup began); each backup is opened by a server and every stream's values, windows and metadata
 * compared with the source's reads pinned to the version the backup holds. A target that is not empty is refused.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { backupEndpoint } from "../../src/cli/backup.js"
import { backupDirectory } from "../../src/engine/backup.js"
import { verifyDirectory } from "../../src/engine/data/verify.js"
import { BTrDB, Uuid } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import type * as Stream from "../../src/services/Stream.js"
import { runCli } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const STEP = 8_333_333n
const RANGE = { start: T0, end: T0 + 400_000n * STEP }

const points = (n: number, from: number, scale: number) => ({
  times: BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(from + i) * STEP),
  values: Float64Array.from({ length: n }, (_, i) => scale * Math.sin((from + i) / 40))
})

const tempDir = (tag: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), `btrdb-backup-${tag}-`))),
    (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
  )

const SPECS = [
  { collection: "backup/site1", tags: { name: "L1MAG", unit: "volts" }, annotations: { phase: "1", where: "lab" } },
  { collection: "backup/site1", tags: { name: "L2MAG", unit: "volts" }, annotations: {} },
  { collection: "backup/site2", tags: { name: "C1ANG", unit: "degrees", ingress: "pmu" }, annotations: { a: "b" } },
  { collection: "other", tags: { name: "empty" }, annotations: {} }
] as const

/** A served directory with four streams in three collections, with some history (inserts and a delete). */
const source = Effect.gen(function*() {
  const dir = yield* tempDir("source")
  const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", dataDir: dir, log: () => {} })
  const db = yield* BTrDB.make({ endpoint: server.endpoint })
  const streams: Array<Stream.Stream> = []
  for (const [k, spec] of SPECS.entries()) {
    const s = yield* db.create({ uuid: Uuid.random(), ...spec })
    if (k < 3) {
      for (let b = 0; b < 3; b++) yield* s.insert(points(20_000, b * 20_000, k + 1))
      yield* s.delete({ start: T0 + 1000n * STEP, end: T0 + 2000n * STEP })
    }
    streams.push(s)
  }
  return { dir, server, db, streams }
})

/** Inserts a batch into one of the first three streams every few milliseconds until interrupted. */
const writer = (streams: ReadonlyArray<Stream.Stream>) =>
  Effect.gen(function*() {
    for (let i = 0;; i++) {
      yield* streams[i % 3].insert(points(2000, 60_000 + i * 2000, 7))
      yield* Effect.sleep("3 millis")
    }
  })

const versionsOf = (streams: ReadonlyArray<Stream.Stream>) =>
  Effect.forEach(streams, (s) => Effect.map(s.version, (v) => [s.uuid as string, v] as const)).pipe(
    Effect.map((entries) => new Map(entries))
  )

/** Every stream of `backup` holds what `streams` hold at `versions`: points, windows and metadata. */
const expectSameAt = (
  backupDir: string,
  streams: ReadonlyArray<Stream.Stream>,
  versions: ReadonlyMap<string, bigint>,
  latestIsPinned: boolean
) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", dataDir: backupDir, log: () => {} })
    const copy = yield* BTrDB.make({ endpoint: server.endpoint })
    const listed = yield* copy.streamsInCollection()
    assert.strictEqual(listed.length, streams.length)
    for (const s of streams) {
      const version = versions.get(s.uuid)!
      const b = yield* copy.streamFromUuid(s.uuid)
      assert.strictEqual(yield* b.collection, yield* s.collection)
      assert.deepStrictEqual(yield* b.tags, yield* s.tags)
      assert.deepStrictEqual(yield* b.annotations, yield* s.annotations)
      if (latestIsPinned) assert.strictEqual(yield* b.version, version)
      const want = yield* s.valuesCollected({ ...RANGE, version })
      const got = yield* b.valuesCollected(RANGE)
      assert.deepStrictEqual([...got.times], [...want.times])
      assert.deepStrictEqual([...got.values], [...want.values])
      const width = 60_000_000_000n
      const ww = yield* s.windowsCollected({ ...RANGE, width, version })
      const gw = yield* b.windowsCollected({ ...RANGE, width })
      assert.deepStrictEqual([...gw.count], [...ww.count])
      assert.deepStrictEqual([...gw.min], [...ww.min])
      assert.deepStrictEqual([...gw.max], [...ww.max])
      for (let i = 0; i < ww.mean.length; i++) assert.closeTo(gw.mean[i], ww.mean[i], 1e-9)
    }
    return copy
  }))

describe("btrdb backup", () => {
  it.live(
    "--data: a copy of a served directory taken under a writer holds every stream and every version",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { dir, streams } = yield* source
        const out = path.join(yield* tempDir("data"), "backup")
        const running = yield* Effect.forkChild(writer(streams))
        yield* Effect.sleep("50 millis")
        // the flushed versions are durable, so the backup holds at least them
        const flushed = new Map(yield* Effect.forEach(streams, (s) => Effect.map(s.flush, (v) => [s.uuid, v] as const)))
        const report = yield* Effect.promise(() => backupDirectory(dir, out))
        const after = yield* versionsOf(streams)
        yield* Fiber.interrupt(running)
        assert.isTrue(streams.some((s) => after.get(s.uuid)! > flushed.get(s.uuid)!), "the writer went on meanwhile")
        assert.strictEqual(report.versions.size, streams.length)
        for (const s of streams) {
          const v = report.versions.get(s.uuid)!
          assert.isAtLeast(Number(v), Number(flushed.get(s.uuid)))
          assert.isAtMost(Number(v), Number(after.get(s.uuid)))
        }
        yield* expectSameAt(out, streams, report.versions, true)
        // history came along: an early version reads the same in both
        yield* Effect.scoped(Effect.gen(function*() {
          const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", dataDir: out, log: () => {} })
          const copy = yield* BTrDB.make({ endpoint: server.endpoint })
          const early = yield* (yield* copy.streamFromUuid(streams[0].uuid)).valuesCollected({ ...RANGE, version: 12n })
          const want = yield* streams[0].valuesCollected({ ...RANGE, version: 12n })
          assert.strictEqual(early.times.length, 40_000)
          assert.deepStrictEqual([...early.times], [...want.times])
        }))
        const verified = yield* Effect.promise(() => verifyDirectory(out))
        assert.strictEqual(verified.faultCount, 0)
      })),
    60_000
  )

  it.live(
    "--endpoint: each stream comes back at the version it had when the backup began, under a writer",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { server, streams } = yield* source
        const out = path.join(yield* tempDir("endpoint"), "backup")
        const running = yield* Effect.forkChild(writer(streams))
        yield* Effect.sleep("50 millis")
        const before = yield* versionsOf(streams)
        const report = yield* backupEndpoint(out).pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint })))
        const after = yield* versionsOf(streams)
        yield* Fiber.interrupt(running)
        assert.isTrue(streams.some((s) => after.get(s.uuid)! > report.versions.get(s.uuid)!), "the writer went on")
        for (const s of streams) {
          const v = report.versions.get(s.uuid)!
          assert.isAtLeast(Number(v), Number(before.get(s.uuid)))
          assert.isAtMost(Number(v), Number(after.get(s.uuid)))
        }
        assert.isAbove(report.points, 3 * 59_000)
        yield* expectSameAt(out, streams, report.versions, false)
        // the command itself, through a child process, into a new directory
        const viaCli = path.join(path.dirname(out), "cli")
        const r = yield* Effect.promise(() => runCli(["backup", "--endpoint", server.endpoint, "--to", viaCli]))
        assert.strictEqual(r.code, 0, r.stderr)
        assert.match(r.stdout, /^backed up 4 streams \(\d+ points, each at its version when the backup began\) to /)
        const final = yield* versionsOf(streams)
        yield* expectSameAt(viaCli, streams, final, false)
      })),
    60_000
  )

  it.live("refuses a target that is not empty, and leaves it as it was", () =>
    Effect.scoped(Effect.gen(function*() {
      const { dir, server } = yield* source
      const out = yield* tempDir("full")
      fs.writeFileSync(path.join(out, "keep.txt"), "mine")
      const fromData = yield* Effect.flip(Effect.tryPromise(() => backupDirectory(dir, out)))
      assert.include(String(fromData.cause), "is not empty")
      const fromEndpoint = yield* Effect.flip(
        backupEndpoint(out).pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint })))
      )
      assert.include(String(fromEndpoint), "is not empty")
      const r = yield* Effect.promise(() => runCli(["backup", "--data", dir, "--to", out]))
      assert.notStrictEqual(r.code, 0)
      assert.strictEqual(r.stderr, `btrdb: ${out} is not empty: a backup goes into a new or empty directory\n`)
      assert.deepStrictEqual(fs.readdirSync(out), ["keep.txt"])
    })), 60_000)
})
