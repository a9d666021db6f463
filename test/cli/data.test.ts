/**
 * The data commands as child processes against an embedded server in the test process: `insert`, `values`,
 * `windows`, `aligned-windows`, `delete`, `obliterate` and `plot`, their output checked against values computed
 * here; and one clear error line with a non-zero exit for an unknown stream, a bad CSV line and a bad time.
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { pointsAt, runCli as runCliNow, sdkAt, twoAtATime } from "../support/cli.js"
import { checkWellFormed } from "../support/svg.js"

const T0 = 1_700_000_000_000_000_000n
const STEP = 100_000_000n // 10 Hz
const N = 600 // a minute
const time = (i: number) => T0 + BigInt(i) * STEP
const value = (i: number) => Math.round((10 * Math.sin(i / 10) + i * 0.01) * 1e6) / 1e6

let server: RunningServer
let dir: string
const at = () => ["--endpoint", server.endpoint]

const sdk = <A, E>(effect: Effect.Effect<A, E, BTrDB.BTrDB>): Promise<A> => sdkAt(server.endpoint)(effect)

/** Creates `collection/name` holding the test's minute of points (unless `empty`); returns its uuid. */
const fixture = (collection: string, name: string, empty = false) =>
  sdk(Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const s = yield* db.create({ uuid: Uuid.random(), collection, tags: { name, unit: "volts" } })
    if (!empty) {
      yield* s.insert({
        times: BigInt64Array.from({ length: N }, (_, i) => time(i)),
        values: Float64Array.from({ length: N }, (_, i) => value(i))
      })
    }
    return s.uuid
  }))

const pointsOf = (identifier: string) => pointsAt(server.endpoint, identifier)

const existsNow = (uuid: string) =>
  sdk(Effect.flatMap(Effect.flatMap(BTrDB.BTrDB, (db) => db.streamFromUuid(uuid)), (s) => s.exists))

/** The statistics of the test's points with `from <= i < to`. */
const stats = (indices: ReadonlyArray<number>) => {
  const vs = indices.map(value)
  const mean = vs.reduce((s, v) => s + v, 0) / vs.length
  return {
    min: Math.min(...vs),
    mean,
    max: Math.max(...vs),
    count: vs.length,
    stddev: Math.sqrt(vs.reduce((s, v) => s + (v - mean) ** 2, 0) / vs.length)
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k)

const limited = twoAtATime()
const runCli = (args: ReadonlyArray<string>) => limited(() => runCliNow(args))

/** Runs the command with `input` on its standard input. */
const runWithInput = (args: ReadonlyArray<string>, input: string) => limited(() => runCliNow(args, {}, input))

/** The CSV output's rows as arrays of fields (the header checked and dropped). */
const csvRows = (stdout: string, header: string) => {
  const [first, ...rows] = stdout.trimEnd().split("\n")
  expect(first).toBe(header)
  return rows.map((r) => r.split(","))
}

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-data-"))
})
afterAll(async () => {
  await server.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe.concurrent("btrdb data commands", { timeout: 180_000 }, () => {
  it("insert: a CSV file (header, ns and ISO times, blank lines) in batches; --merge replace", async () => {
    const uuid = await fixture("cli/insert", "big", true)
    const lines = ["time,value"]
    const expected: Array<readonly [bigint, number]> = []
    for (let i = 0; i < 60_001; i++) {
      const t = T0 + BigInt(i) * 1_000_000n
      expected.push([t, i / 4])
      lines.push(i === 5 ? `2023-11-14T22:13:20.005Z,${i / 4}` : `${t},${i / 4}`)
      if (i === 7) lines.push("")
    }
    expect(new Date(Number((T0 + 5_000_000n) / 1_000_000n)).toISOString()).toBe("2023-11-14T22:13:20.005Z")
    const file = path.join(dir, "big.csv")
    await fs.writeFile(file, lines.join("\r\n") + "\r\n")

    const r = await runCli(["insert", ...at(), "cli/insert/big", file])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^inserted 60001 points into cli/insert/big \\(${uuid}\\), now at version \\d+\\n$`)
    )
    // progress only on a terminal
    expect(r.stderr).toBe("")
    expect(await pointsOf(uuid)).toEqual(expected)

    // the same times again with new values: replace keeps one point per time
    const again = path.join(dir, "again.csv")
    await fs.writeFile(again, `${T0},-1\n${T0 + 1_000_000n},-2\n`)
    const replaced = await runCli(["insert", ...at(), "--merge", "replace", uuid, again])
    expect(replaced.code, replaced.stderr).toBe(0)
    expect(replaced.stdout).toMatch(/^inserted 2 points into cli\/insert\/big/)
    const after = await pointsOf(uuid)
    expect(after).toHaveLength(60_001)
    expect(after.slice(0, 3)).toEqual([[T0, -1], [T0 + 1_000_000n, -2], expected[2]])
  })

  it("values: CSV on stdout over [--start, --end) with ISO times, JSON to a file with --output", async () => {
    const uuid = await fixture("cli/values", "v")
    // [T0 + 10 s, T0 + 20 s): points 100 to 199
    const startIso = new Date(Number((T0 + 10_000_000_000n) / 1_000_000n)).toISOString()
    const csv = await runCli([
      "values",
      ...at(),
      "cli/values/v",
      "--start",
      startIso,
      "--end",
      `${T0 + 20_000_000_000n}`
    ])
    expect(csv.code, csv.stderr).toBe(0)
    expect(csvRows(csv.stdout, "time,value")).toEqual(range(100, 200).map((i) => [`${time(i)}`, `${value(i)}`]))

    const file = path.join(dir, "values.json")
    const json = await runCli(["values", ...at(), uuid, "--format", "json", "--output", file])
    expect(json.code, json.stderr).toBe(0)
    expect(json.stdout).toBe(`wrote ${N} points to ${file}\n`)
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Array<{ time: string; value: number }>
    expect(parsed).toEqual(range(0, N).map((i) => ({ time: `${time(i)}`, value: value(i) })))
  })

  it("windows (CSV) and aligned-windows (JSON): time,min,mean,max,count,stddev as computed here", async () => {
    await fixture("cli/windows", "v")
    const w = await runCli([
      "windows",
      ...at(),
      "cli/windows/v",
      "--width",
      "5s",
      "--start",
      `${T0}`,
      "--end",
      `${T0 + 60_000_000_000n}`
    ])
    expect(w.code, w.stderr).toBe(0)
    const rows = csvRows(w.stdout, "time,min,mean,max,count,stddev")
    expect(rows).toHaveLength(12)
    rows.forEach((row, k) => {
      const s = stats(range(k * 50, k * 50 + 50))
      expect(row[0]).toBe(`${T0 + BigInt(k) * 5_000_000_000n}`)
      expect(Number(row[1])).toBe(s.min)
      expect(Number(row[2])).toBeCloseTo(s.mean, 9)
      expect(Number(row[3])).toBe(s.max)
      expect(Number(row[4])).toBe(50)
      expect(Number(row[5])).toBeCloseTo(s.stddev, 9)
    })

    const aw = await runCli(["aligned-windows", ...at(), "cli/windows/v", "--pointwidth", "32", "--format", "json"])
    expect(aw.code, aw.stderr).toBe(0)
    const windows = JSON.parse(aw.stdout) as Array<Record<string, string | number>>
    const width = 1n << 32n
    const groups = new Map<bigint, Array<number>>()
    for (let i = 0; i < N; i++) {
      const key = time(i) / width * width
      groups.set(key, [...(groups.get(key) ?? []), i])
    }
    expect(windows.map((x) => x.time)).toEqual([...groups.keys()].map(String))
    windows.forEach((x) => {
      const s = stats(groups.get(BigInt(x.time as string))!)
      expect(x).toEqual({
        time: x.time,
        min: s.min,
        mean: expect.closeTo(s.mean, 9),
        max: s.max,
        count: s.count,
        stddev: expect.closeTo(s.stddev, 9)
      })
    })
  })

  it("windows --empty: zeros by default, nan (NaN in CSV, null in JSON) or drop for windows without points", async () => {
    await fixture("cli/empty", "v")
    // 5 s windows over [T0 + 50 s, T0 + 70 s): the first two hold points 500 to 599, the last two none
    const args = (...more: Array<string>) => [
      "windows",
      ...at(),
      "cli/empty/v",
      "--width",
      "5s",
      "--start",
      `${T0 + 50_000_000_000n}`,
      "--end",
      `${T0 + 70_000_000_000n}`,
      ...more
    ]
    const full = [stats(range(500, 550)), stats(range(550, 600))]
    const zeros = await runCli(args())
    expect(zeros.code, zeros.stderr).toBe(0)
    const rows = csvRows(zeros.stdout, "time,min,mean,max,count,stddev")
    expect(rows.map((r) => r[4])).toEqual(["50", "50", "0", "0"])
    expect(rows.slice(2).map((r) => r.slice(1))).toEqual([["0", "0", "0", "0", "0"], ["0", "0", "0", "0", "0"]])
    const nan = await runCli(args("--empty", "nan"))
    expect(csvRows(nan.stdout, "time,min,mean,max,count,stddev").slice(2).map((r) => r.slice(1))).toEqual([
      ["NaN", "NaN", "NaN", "0", "NaN"],
      ["NaN", "NaN", "NaN", "0", "NaN"]
    ])
    const nanJson = await runCli(args("--empty", "nan", "--format", "json"))
    expect(nanJson.code, nanJson.stderr).toBe(0)
    const parsed = JSON.parse(nanJson.stdout) as Array<Record<string, unknown>>
    expect(parsed.slice(2)).toEqual([
      { time: `${T0 + 60_000_000_000n}`, min: null, mean: null, max: null, count: 0, stddev: null },
      { time: `${T0 + 65_000_000_000n}`, min: null, mean: null, max: null, count: 0, stddev: null }
    ])
    const drop = await runCli(args("--empty", "drop"))
    const kept = csvRows(drop.stdout, "time,min,mean,max,count,stddev")
    expect(kept.map((r) => [r[0], Number(r[1]), Number(r[3]), r[4]])).toEqual(
      full.map((s, k) => [`${T0 + 50_000_000_000n + BigInt(k) * 5_000_000_000n}`, s.min, s.max, "50"])
    )
    const bad = await runCli(args("--empty", "skip"))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain("zeros")
  })

  it("plot: an SVG band chart from about 1000 aligned windows, one mean point per window with points", async () => {
    await fixture("cli/plot", "v")
    const file = path.join(dir, "plot.svg")
    // without --start/--end: from the first point to just past the last
    const r = await runCli(["plot", ...at(), "cli/plot/v", "-o", file])
    expect(r.code, r.stderr).toBe(0)
    // 59.9 s / 1000 ≈ 2^25.8 ns: windows of 2^26 ns (67 ms), so each 100 ms point has its own window, with gaps
    expect(r.stdout).toBe(`wrote ${file}: ${N} windows of 2^26 ns (67.1 ms)\n`)
    const svg = await fs.readFile(file, "utf8")
    const { elements } = checkWellFormed(svg)
    const means = [...svg.matchAll(/class="mean" points="([^"]*)"/g)].flatMap((m) => m[1]!.split(" "))
    expect(means).toHaveLength(N)
    expect(elements.get("path")).toBe(elements.get("polyline"))
    expect(svg).toContain("cli/plot/v  2023-11-14T22:13:20Z to 2023-11-14T22:14:19.900Z")
    expect(svg).toContain(">volts<")
  })

  it("delete removes [--start, --end)", async () => {
    const uuid = await fixture("cli/delete", "v")
    const r = await runCli(["delete", ...at(), "cli/delete/v", "--start", `${time(10)}`, "--end", `${time(590)}`])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^deleted \\[${time(10)}, ${time(590)}\\) from cli/delete/v \\(${uuid}\\), now at version \\d+\\n$`)
    )
    expect((await pointsOf(uuid)).map(([t]) => t)).toEqual([...range(0, 10), ...range(590, N)].map(time))
  })

  it("obliterate asks on stdin unless --yes", async () => {
    const [a, b, c] = await Promise.all([
      fixture("cli/obliterate", "a"),
      fixture("cli/obliterate", "b"),
      fixture("cli/obliterate", "c")
    ])

    const no = await runWithInput(["obliterate", ...at(), a], "n\n")
    expect(no.code).not.toBe(0)
    expect(no.stderr).toBe(`Obliterate ${a}? [y/N] \nbtrdb: obliterate: not confirmed, cli/obliterate/a is untouched\n`)
    expect(await existsNow(a)).toBe(true)

    const yes = await runWithInput(["obliterate", ...at(), "cli/obliterate/b"], "y\n")
    expect(yes.code, yes.stderr).toBe(0)
    expect(yes.stdout).toBe(`obliterated cli/obliterate/b (${b})\n`)
    expect(await existsNow(b)).toBe(false)

    const forced = await runCli(["obliterate", ...at(), "--yes", c])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stderr).toBe("")
    expect(await existsNow(c)).toBe(false)
  })

  it("errors are one line naming what went wrong, with a non-zero exit", async () => {
    const uuid = await fixture("cli/errors", "v", true)
    const unknown = Uuid.random()
    const bad = path.join(dir, "bad.csv")
    await fs.writeFile(bad, `time,value\n${T0},1\n\n${T0 + 1n},one\n`)
    const [byUuid, byName, badCsv, badTime] = await Promise.all([
      runCli(["values", ...at(), unknown]),
      runCli(["windows", ...at(), "cli/errors/nope", "--width", "1s"]),
      runCli(["insert", ...at(), uuid, bad]),
      runCli(["plot", ...at(), uuid, "--start", "2024-02-30", "--end", "2024-03-01"])
    ])
    for (const r of [byUuid, byName, badCsv, badTime]) {
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    }
    expect(byUuid.stderr).toBe(`btrdb: StreamInfo (stream ${unknown}): stream does not exist [404]\n`)
    expect(byName.stderr).toBe(`btrdb: streams: could not identify stream "cli/errors/nope": 0 streams match [404]\n`)
    expect(badCsv.stderr).toBe(
      `btrdb: ${bad}:4: "${T0 + 1n},one" has a bad value "one": not a finite number\n`
    )
    expect(await pointsOf(uuid)).toEqual([])
    expect(badTime.stderr).toBe(
      `btrdb: invalid --start: "2024-02-30" is neither an ISO-8601 date-time nor an integer of nanoseconds\n`
    )
  })
})
