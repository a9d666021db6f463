/**
 * `btrdb distil run` as a child process against an embedded server in the test process: a downsampler's first run
 * creates its output and computes every window, a second run after a correction recomputes only its window, the
 * event detector flags the seconds of a sag, and bad flags fail with one line. Expected values are computed here.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { progressText, summaryText } from "../../src/cli/distil.js"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { pointsAt, runCli as runCliNow, sdkAt, twoAtATime } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const STEP = 100_000_000n // 10 Hz
const N = 600 // a minute
const SECOND = 1_000_000_000n
/** 7200 V with a sag to 75 % during seconds 20 and 21. */
const value = (i: number) => (i >= 200 && i < 220 ? 0.75 : 1) * (7200 + (i % 7))

const limited = twoAtATime()
const runCli = (args: ReadonlyArray<string>) => limited(() => runCliNow(args))

let server: RunningServer
const at = () => ["--endpoint", server.endpoint]

const sdk = <A, E>(effect: Effect.Effect<A, E, BTrDB.BTrDB>): Promise<A> => sdkAt(server.endpoint)(effect)

const pointsOf = (identifier: string) => pointsAt(server.endpoint, identifier)

const meanOfSecond = (s: number, values: (i: number) => number) => {
  let sum = 0
  for (let i = s * 10; i < s * 10 + 10; i++) sum += values(i)
  return sum / 10
}

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  await sdk(Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    // one input per test that writes to it
    for (const collection of ["cli/distil", "cli/distil-events", "cli/distil-follow"]) {
      const s = yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "volts", unit: "V" } })
      yield* s.insert({
        times: BigInt64Array.from({ length: N }, (_, i) => T0 + BigInt(i) * STEP),
        values: Float64Array.from({ length: N }, (_, i) => value(i))
      })
    }
  }))
})
afterAll(async () => {
  await server.close()
})

describe("btrdb distil run", { timeout: 240_000 }, () => {
  it("the lines it prints", () => {
    const summary = { ranges: [{ start: 0n, end: SECOND }], pointsRead: 10, pointsWritten: 1, versions: { u: 12n } }
    expect(summaryText("d", summary)).toBe("distil d: 1 range, 10 points read, 1 written (u@12)")
    expect(summaryText("d", { ...summary, ranges: [] })).toBe("distil d: up to date (u@12)")
    expect(progressText("d", { start: 0n, end: SECOND, index: 1, total: 2, pointsRead: 10, pointsWritten: 1 })).toBe(
      "distil d: range 1/2 [0, 1000000000) (1 s): 10 points read, 1 written"
    )
  })

  it("downsample: the first run computes every window and creates the output; the next, only what changed", async () => {
    const args = ["distil", "run", "downsample", ...at(), "--input", "cli/distil/volts", "--width", "1s"]
    const first = await runCli([...args, "--output", "cli/distil/1s/volts", "--once"])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain("distil downsample: created cli/distil/1s/volts")
    expect(first.stderr).toMatch(/range 1\/1 \[\d+, \d+\) \(.*\): 600 points read, 60 written/)
    expect(first.stdout).toMatch(/^distil downsample: 1 range, 600 points read, 60 written \(/)
    const want = Array.from({ length: 60 }, (_, s) => [T0 + BigInt(s) * SECOND, meanOfSecond(s, value)] as const)
    expect(await pointsOf("cli/distil/1s/volts")).toEqual(want)

    // a correction in second 42: one window read and written again
    await sdk(Effect.gen(function*() {
      const db = yield* BTrDB.BTrDB
      const set = yield* db.streams("cli/distil/volts")
      yield* set.streams[0]!.insert([[T0 + 425n * STEP, 0]], { merge: "replace" })
    }))
    const second = await runCli([...args, "--output", "cli/distil/1s/volts"])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/^distil downsample: 1 range, 10 points read, 1 written \(/)
    const corrected = (i: number) => (i === 425 ? 0 : value(i))
    expect((await pointsOf("cli/distil/1s/volts"))[42]).toEqual([T0 + 42n * SECOND, meanOfSecond(42, corrected)])
  })

  it("events: 1 for the seconds of the sag, 0 for the others", async () => {
    const r = await runCli([
      "distil",
      "run",
      "events",
      ...at(),
      "--input",
      "cli/distil-events/volts",
      "--output",
      "cli/distil-events/sags/volts",
      "--nominal",
      "7200",
      "--threshold",
      "0.1",
      "--quiet"
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toContain("range 1/")
    const flags = (await pointsOf("cli/distil-events/sags/volts")).map(([, v]) => v)
    expect(flags).toEqual(Array.from({ length: 60 }, (_, s) => (s === 20 || s === 21 ? 1 : 0)))
  })

  it("--follow: a run at once, another when points arrive, until SIGINT", async () => {
    const child = spawn(process.execPath, [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "distil",
      "run",
      "downsample",
      ...at(),
      "--input",
      "cli/distil-follow/volts",
      "--output",
      "cli/distil-follow/1s/volts",
      "--follow",
      "--interval",
      "200ms"
    ], { env: { ...process.env, BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_PROFILE: "" } })
    let stdout = ""
    let stderr = ""
    const waiters: Array<() => void> = []
    child.stdout.on("data", (d) => {
      stdout += d
      waiters.forEach((w) => w())
    })
    child.stderr.on("data", (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    /** Waits until the child has printed `n` summaries (or fails, showing what it printed, after 60 s). */
    const printed = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stdout:\n${stdout}\nstderr:\n${stderr}`)), 60_000)
        const check = () => {
          if (stdout.split("\n").filter((l) => /^distil downsample: \d+ ranges?, /.test(l)).length >= n) {
            clearTimeout(timer)
            resolve()
          }
        }
        waiters.push(check)
        check()
      })
    try {
      await printed(1)
      expect(stdout).toContain("600 points read, 60 written")
      // 10 s more: the windows of seconds 60 to 69
      await sdk(Effect.gen(function*() {
        const db = yield* BTrDB.BTrDB
        const set = yield* db.streams("cli/distil-follow/volts")
        yield* set.streams[0]!.insert({
          times: BigInt64Array.from({ length: 100 }, (_, i) => T0 + BigInt(N + i) * STEP),
          values: Float64Array.from({ length: 100 }, (_, i) => value(N + i))
        })
      }))
      await printed(2)
      child.kill("SIGINT")
      expect(await exited, stderr).toBe(0)
    } finally {
      child.kill("SIGKILL")
    }
    expect((await pointsOf("cli/distil-follow/1s/volts")).length).toBe(70)
  })

  it("bad flags: one line and a non-zero exit", async () => {
    const [both, nominal] = await Promise.all([
      runCli([
        "distil",
        "run",
        "rms",
        ...at(),
        "--input",
        "cli/distil/volts",
        "--output",
        "cli/x/y",
        "--once",
        "--follow"
      ]),
      runCli(["distil", "run", "events", ...at(), "--input", "cli/distil/volts", "--output", "cli/x/y"])
    ])
    expect(both.code).not.toBe(0)
    expect(both.stderr).toContain("give --once or --follow, not both")
    expect(nominal.code).not.toBe(0)
    expect(nominal.stderr).toContain("events needs --nominal")
  })
})
