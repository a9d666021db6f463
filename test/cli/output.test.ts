/**
 * Where the commands write, as child processes against an embedded server in the test process: a reader of standard
 * output that goes away (`btrdb values … | head -3`) ends the command quietly with exit 0; and a read refused at once
 * (`--start` after `--end`, a range holding no window) writes nothing, neither to standard output nor to `-o FILE`.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { runCli } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const N = 200_000 // 1 ms apart: a CSV of about 4.6 MB, far more than a pipe holds
const time = (i: number) => T0 + BigInt(i) * 1_000_000n
const value = (i: number) => i / 4

let server: RunningServer
let dir: string
const at = () => ["--endpoint", server.endpoint]

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the command with its standard output read until `lines` lines have come, then closed, as `| head -<lines>`
 * does; `stdout` is those lines.
 */
const runClosingAfter = (args: ReadonlyArray<string>, lines: number) =>
  new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_PROFILE: "" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
      const got = stdout.split("\n")
      if (got.length > lines) {
        stdout = got.slice(0, lines).join("\n") + "\n"
        child.stdout.destroy()
      }
    })
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-output-"))
  await Effect.runPromise(
    Effect.gen(function*() {
      const db = yield* BTrDB.BTrDB
      const big = yield* db.create({ uuid: Uuid.random(), collection: "cli/pipe", tags: { name: "big" } })
      yield* big.insert({
        times: BigInt64Array.from({ length: N }, (_, i) => time(i)),
        values: Float64Array.from({ length: N }, (_, i) => value(i))
      })
      yield* db.create({ uuid: Uuid.random(), collection: "cli/meta", tags: { name: "m" } })
    }).pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint })))
  )
})
afterAll(async () => {
  await server.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe("btrdb output", { timeout: 120_000 }, () => {
  it("values | head -3: the header and the first points, then a quiet end with exit 0", async () => {
    const r = await runClosingAfter(["values", ...at(), "cli/pipe/big"], 3)
    expect(r.stderr).toBe("")
    expect(r.signal).toBe(null)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`time,value\n${time(0)},${value(0)}\n${time(1)},${value(1)}\n`)
  })

  it("aligned-windows --format json | head -2: the opening and the first window, exit 0", async () => {
    const r = await runClosingAfter([
      "aligned-windows",
      ...at(),
      "cli/pipe/big",
      "--pointwidth",
      "0",
      "--format",
      "json"
    ], 2)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const [opening, first] = r.stdout.split("\n")
    expect(opening).toBe("[")
    expect(JSON.parse(first!.replace(/,$/, ""))).toEqual({
      time: `${time(0)}`,
      min: value(0),
      mean: value(0),
      max: value(0),
      count: 1,
      stddev: 0
    })
  })

  it("sql | head -3, a metadata command: the first rows, exit 0", async () => {
    // 100 000 rows, one line each
    const r = await runClosingAfter([
      "sql",
      ...at(),
      "SELECT name, g FROM streams, generate_series(1, 100000) AS g WHERE collection = $1 ORDER BY g",
      "cli/meta"
    ], 3)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`{"name":"m","g":1}\n{"name":"m","g":2}\n{"name":"m","g":3}\n`)
  })

  it("--start after --end: one error line, nothing on standard output, no file created", async () => {
    const file = path.join(dir, "never.csv")
    const csv = await runCli(["values", ...at(), "cli/pipe/big", "--start", "2024-05-02", "--end", "2024-05-01"])
    const json = await runCli([
      "values",
      ...at(),
      "cli/pipe/big",
      "--start",
      "2024-05-02",
      "--end",
      "2024-05-01",
      "--format",
      "json",
      "-o",
      file
    ])
    for (const r of [csv, json]) {
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe("btrdb: --end must be after --start\n")
    }
    await expect(fs.access(file)).rejects.toThrow(/ENOENT/)
  })

  it("a read refused at once leaves an existing -o file as it was", async () => {
    const file = path.join(dir, "kept.csv")
    await fs.writeFile(file, "what was there\n")
    const aligned = await runCli([
      "aligned-windows",
      ...at(),
      "cli/pipe/big",
      "--pointwidth",
      "10",
      "--start",
      `${time(10)}`,
      "--end",
      `${time(5)}`,
      "-o",
      file
    ])
    expect(aligned.stderr).toBe("btrdb: --end must be after --start\n")
    // a range narrower than a window: refused by the SDK on the first read
    const windows = await runCli([
      "windows",
      ...at(),
      "cli/pipe/big",
      "--width",
      "1s",
      "--start",
      `${time(0)}`,
      "--end",
      `${time(10)}`,
      "-o",
      file
    ])
    expect(windows.stderr).toMatch(/^btrdb: Windows \(stream [0-9a-f-]{36}\): .* holds no whole window: .*\n$/)
    for (const r of [aligned, windows]) {
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
    }
    expect(await fs.readFile(file, "utf8")).toBe("what was there\n")
  })
})
