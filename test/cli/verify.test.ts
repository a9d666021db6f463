/**
 * `btrdb verify` and `btrdb du` as child processes on a directory written by `btrdb serve` through the SDK: both
 * refuse it while the server runs (the one "in use" line, a non-zero exit); once it has stopped, verify prints its
 * summary and exits 0, du's numbers agree with the files (fs.stat) and the points inserted, and after a byte of a
 * node is flipped verify names the fault and exits non-zero.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"
import { runCli as runCliNow, twoAtATime } from "../support/cli.js"
import { serveProcess } from "../support/serveProcess.js"

const T0 = 1_700_000_000_000_000_000n
const limited = twoAtATime()
const runCli = (args: ReadonlyArray<string>) => limited(() => runCliNow(args))

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-cli-verify-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const points = (n: number, from: number) => ({
  times: BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(from + i) * 8_333_333n),
  values: Float64Array.from({ length: n }, (_, i) => Math.sin((from + i) / 50))
})

/** The size of every file under `d`. */
const sizeUnder = (d: string): number =>
  fs.readdirSync(d, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? sizeUnder(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size),
    0
  )

describe("btrdb verify and btrdb du", () => {
  it("refuse a directory a server has open; then verify passes, du adds up, and a flipped byte fails verify", async () => {
    const { child, endpoint } = await serveProcess(dir)
    const exited = new Promise((resolve) => child.once("exit", resolve))
    let a = ""
    let b = ""
    try {
      const uuids = await Effect.runPromise(
        Effect.gen(function*() {
          const db = yield* BTrDB.BTrDB
          const sa = yield* db.create({ uuid: Uuid.random(), collection: "cli/verify", tags: { name: "a" } })
          for (let k = 0; k < 3; k++) yield* sa.insert(points(2000, 2000 * k))
          const sb = yield* db.create({ uuid: Uuid.random(), collection: "cli/verify", tags: { name: "b" } })
          yield* sb.insert(points(1000, 0))
          yield* sb.flush
          return [sa.uuid, sb.uuid] as const
        }).pipe(Effect.provide(BTrDB.layer({ endpoint })))
      )
      ;[a, b] = uuids
      const inUse = `btrdb: the data directory ${dir} is in use by process ${child.pid} (one process at a time may ` +
        `open it)\n`
      const refused = await Promise.all([runCli(["verify", "--data", dir]), runCli(["du", "--data", dir])])
      for (const r of refused) {
        expect(r.code).not.toBe(0)
        expect(r.stdout).toBe("")
        expect(r.stderr).toBe(inUse)
      }
    } finally {
      child.kill("SIGTERM")
      await exited
    }

    const segs = fs.readdirSync(dir).filter((f) => /^seg-\d{8}\.dat$/.test(f))
    const segBytes = segs.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
    const logBytes = fs.statSync(path.join(dir, "commits.log")).size
    const metaBytes = sizeUnder(path.join(dir, "metadata"))
    // one after another: each holds the directory's lock while it reads, so two at once refuse each other
    const verified = await runCli(["verify", "--data", dir])
    const json = await runCli(["du", "--data", dir, "--format", "json"])
    const table = await runCli(["du", "--data", dir])

    expect(verified.stderr).toBe("")
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(
      new RegExp(
        `^checked 2 streams, 6 versions, \\d+ nodes \\(\\d+ leaves\\), 7000 points in the latest versions, ` +
          `${segBytes + logBytes + metaBytes} bytes in ${dir}: no faults\\n$`
      )
    )

    expect(json.code).toBe(0)
    const usage = JSON.parse(json.stdout)
    expect(usage.streams.map((s: { uuid: string; name: string; versions: number; points: number }) => [
      s.uuid,
      s.name,
      s.versions,
      s.points
    ])).toEqual([[a, "a", 4, 6000], [b, "b", 2, 1000]])
    for (const s of usage.streams) {
      expect(s.latestBytes).toBeGreaterThan(0)
      expect(s.allBytes).toBeGreaterThanOrEqual(s.latestBytes)
    }
    // b was written once: every node is the latest version's; a's later inserts replaced some of its nodes
    expect(usage.streams[1].allBytes).toBe(usage.streams[1].latestBytes)
    expect(usage.streams[0].allBytes).toBeGreaterThan(usage.streams[0].latestBytes)
    // leaves hold 16 bytes a point (plus 32 bytes each): the latest versions take at least that
    expect(usage.streams[0].latestBytes).toBeGreaterThan(16 * 6000)
    expect(usage.segments).toEqual({ files: segs.length, bytes: segBytes })
    expect(usage.commitLog).toMatchObject({ bytes: logBytes, records: 6 })
    expect(usage.metadata.bytes).toBe(metaBytes)
    expect(usage.total).toBe(segBytes + logBytes + metaBytes)
    expect(usage.unreachable).toBe(segBytes - usage.streams[0].allBytes - usage.streams[1].allBytes)

    expect(table.code).toBe(0)
    const lines = table.stdout.split("\n")
    expect(lines[0]).toMatch(/^uuid +stream +versions +points +latest bytes +all versions bytes$/)
    expect(lines[2]).toMatch(new RegExp(`^${a} +cli/verify/a +4 +6000 +${usage.streams[0].latestBytes} +`))
    expect(table.stdout).toMatch(new RegExp(`\\ntotal +${usage.total} `))

    // A flipped byte in the first node (a leaf of a's first insert, version 11)
    const seg = path.join(dir, "seg-00000000.dat")
    const bytes = fs.readFileSync(seg)
    bytes[16 + 24 + 3] ^= 0x40
    fs.writeFileSync(seg, bytes)
    const failed = await runCli(["verify", "--data", dir])
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toBe(`btrdb: ${dir} failed verification: 1 fault (listed above)\n`)
    const out = failed.stdout.split("\n")
    expect(out[0]).toBe(`fault: seg-00000000.dat @ 16 (node 16, stream ${a} version 11): checksum mismatch`)
    expect(out[1]).toMatch(new RegExp(`^damaged: stream ${a}: versions 11(-1[2-3])? reach damaged nodes$`))
    expect(out[2]).toMatch(/^checked 2 streams, 6 versions, .*: 1 fault$/)
  })
})
