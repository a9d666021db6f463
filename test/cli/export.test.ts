/**
 * `btrdb export` as a child process against an embedded server in the test process: the streams of a collection
 * prefix as CSV, an Arrow IPC stream and JSON Lines, raw and windowed, checked against tables computed here from the
 * points inserted; and one clear error line with a non-zero exit for an unknown prefix and a misplaced `--stat`.
 */
import { tableFromIPC } from "apache-arrow"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { runCli as runCliNow, twoAtATime } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const SECOND = 1_000_000_000n

/** Three streams of `cli/export`: 10 Hz and 4 Hz for 3 s (the 4 Hz shifted by 50 ms), and one without points. */
const SPECS = [
  { name: "fast", n: 30, step: 100_000_000n, offset: 0n },
  { name: "slow", n: 12, step: 250_000_000n, offset: 50_000_000n },
  { name: "none", n: 0, step: 1n, offset: 0n }
] as const
const pointsOf = (j: number) => {
  const { n, offset, step } = SPECS[j]!
  return Array.from({ length: n }, (_, i) => [T0 + offset + BigInt(i) * step, (j + 1) * 100 + i / 4] as const)
}
const NAMES = SPECS.map((s) => `cli/export/${s.name}`)

/** The rows by hand: one per distinct time, NaN where a stream has no point. */
const expectedRows = (): Array<Array<bigint | number>> => {
  const series = SPECS.map((_, j) => new Map(pointsOf(j)))
  const times = [...new Set(series.flatMap((m) => [...m.keys()]))].sort((a, b) => (a < b ? -1 : 1))
  return times.map((t) => [t, ...series.map((m) => m.get(t) ?? NaN)])
}

let server: RunningServer
let dir: string
const at = () => ["--endpoint", server.endpoint]
const limited = twoAtATime()
const runCli = (args: ReadonlyArray<string>) => limited(() => runCliNow(args))

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-export-"))
  await Effect.runPromise(
    Effect.gen(function*() {
      const db = yield* BTrDB.BTrDB
      for (const [j, spec] of SPECS.entries()) {
        const s = yield* db.create({ uuid: Uuid.random(), collection: "cli/export", tags: { name: spec.name } })
        if (spec.n > 0) yield* s.insert(pointsOf(j))
      }
    }).pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint })))
  )
})
afterAll(async () => {
  await server.close()
  await fs.rm(dir, { recursive: true, force: true })
})

/** The columns in the streams' order of the set (by uuid), whatever it is: the names' order maps to SPECS. */
const reorder = (header: ReadonlyArray<string>) => header.slice(1).map((name) => NAMES.indexOf(name))

describe.concurrent("btrdb export", { timeout: 180_000 }, () => {
  it("csv on stdout: time and a column per stream, aligned on time, empty where a stream has no point", async () => {
    const r = await runCli(["export", ...at(), "--collection", "cli/export"])
    expect(r.code, r.stderr).toBe(0)
    const [header, ...lines] = r.stdout.trimEnd().split("\n")
    const columns = header!.split(",")
    expect(columns[0]).toBe("time")
    expect([...columns.slice(1)].sort()).toEqual([...NAMES].sort())
    const order = reorder(columns)
    const want = expectedRows().map((row) =>
      [row[0], ...order.map((j) => row[j + 1])].map((v) => (typeof v === "number" && isNaN(v) ? "" : String(v)))
        .join(",")
    )
    expect(lines).toEqual(want)
  })

  it("arrow to a file (--out): an IPC stream that tableFromIPC reads, NaN where missing; --start/--end narrow it", async () => {
    const file = path.join(dir, "export.arrow")
    const r = await runCli([
      "export",
      ...at(),
      "--collection",
      "cli/export",
      "--start",
      String(T0 + SECOND),
      "--end",
      String(T0 + 2n * SECOND),
      "--format",
      "arrow",
      "--out",
      file
    ])
    expect(r.code, r.stderr).toBe(0)
    const bytes = await fs.readFile(file)
    expect(r.stdout).toBe(`wrote ${bytes.length} bytes of 3 streams to ${file}\n`)
    const table = tableFromIPC(bytes)
    const names = table.schema.fields.map((f) => f.name)
    expect(names[0]).toBe("time")
    const order = reorder(names)
    const columns = names.map((n) => table.getChild(n)!.toArray() as BigInt64Array | Float64Array)
    const got = Array.from({ length: table.numRows }, (_, r) => columns.map((c) => c[r]!))
    const want = expectedRows()
      .filter((row) => (row[0] as bigint) >= T0 + SECOND && (row[0] as bigint) < T0 + 2n * SECOND)
      .map((row) => [row[0], ...order.map((j) => row[j + 1])])
    expect(got).toEqual(want)
  })

  it("json with --window and --stat: one object per line, a column per stream and statistic, null when empty", async () => {
    const r = await runCli([
      "export",
      ...at(),
      "--collection",
      "cli/export",
      "--window",
      "1s",
      "--stat",
      "min,count",
      "--format",
      "json"
    ])
    expect(r.code, r.stderr).toBe(0)
    const records = r.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    // from the first point (T0) to past the last (T0 + 2.9 s), rounded up to whole windows: 3 windows of 1 s
    expect(records.map((record) => record.time)).toEqual([0n, 1n, 2n].map((k) => String(T0 + k * SECOND)))
    records.forEach((record, k) => {
      for (const [j, name] of NAMES.entries()) {
        const inside = pointsOf(j).filter(([t]) => t >= T0 + BigInt(k) * SECOND && t < T0 + BigInt(k + 1) * SECOND)
        expect(record[`${name}/min`]).toBe(inside.length === 0 ? null : Math.min(...inside.map(([, v]) => v)))
        expect(record[`${name}/count`]).toBe(inside.length)
      }
    })
  })

  it("an unknown prefix, and --stat without --window, fail with one line", async () => {
    const [unknown, stat] = await Promise.all([
      runCli(["export", ...at(), "--collection", "cli/nothing-here"]),
      runCli(["export", ...at(), "--collection", "cli/export", "--stat", "max"])
    ])
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toBe("btrdb: no streams in collection cli/nothing-here\n")
    expect(stat.code).not.toBe(0)
    expect(stat.stderr).toBe("btrdb: --stat needs --window\n")
  })
})
