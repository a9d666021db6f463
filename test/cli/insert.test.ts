/**
 * `btrdb insert` as a child process against an embedded server in the test process: a first line is a header only
 * when it is one, a bad line on any line fails naming `file:line` with nothing inserted (also after the first
 * batch), `--skip-bad` inserts the good lines and says what it skipped, stdin is read as a file, and a large file is
 * inserted point for point. Then the reader itself, in-process: the header rule, long lines and chunk boundaries.
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readPointBatches, SkippedLines } from "../../src/cli/csv.js"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { runCli, twoAtATime } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const RANGE = "-1152921504606846976 to 3458764513820540926 ns (about 1933-06-20 to 2079-08-08)"

let server: RunningServer
let dir: string
const at = () => ["--endpoint", server.endpoint]

const sdk = <A, E>(effect: Effect.Effect<A, E, BTrDB.BTrDB>): Promise<A> =>
  Effect.runPromise(effect.pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint }))))

/** Creates the empty stream `cli/insert-csv/<name>`; returns its uuid. */
const create = (name: string) =>
  sdk(Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const s = yield* db.create({ uuid: Uuid.random(), collection: "cli/insert-csv", tags: { name } })
    return s.uuid
  }))

const pointsOf = (uuid: string) =>
  sdk(Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    return yield* (yield* db.streamFromUuid(uuid)).valuesCollected()
  }))

const pairsOf = async (uuid: string) => {
  const p = await pointsOf(uuid)
  return Array.from(p.times, (t, i) => [t, p.values[i]!] as const)
}

/** Writes `text` to `name` in the test's directory; returns its path. */
const file = async (name: string, text: string) => {
  const p = path.join(dir, name)
  await fs.writeFile(p, text)
  return p
}

const limited = twoAtATime()

/** Runs `btrdb insert --endpoint … <args>`, with `input` on its standard input. */
const insert = (args: ReadonlyArray<string>, input = "") =>
  limited(() => runCli(["insert", ...at(), ...args], {}, input))

beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-insert-"))
})
afterAll(async () => {
  await server.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe.concurrent("btrdb insert", { timeout: 180_000 }, () => {
  it("bad data on line 1 is not a header: it fails naming file:1 and inserts nothing", async () => {
    const uuid = await create("line1")
    const cases = [
      ["fields.csv", "2024-05-01T00:00:00Z,1,7", `"2024-05-01T00:00:00Z,1,7" has 3 fields, expected time,value`],
      [
        "semicolon.csv",
        "2024-05-01T00:00:00Z;1",
        `"2024-05-01T00:00:00Z;1" has 1 field, expected time,value (separated by a comma)`
      ],
      [
        "range.csv",
        "2100-01-01T00:00:00Z,1",
        `"2100-01-01T00:00:00Z,1" has a time outside the times a stream can hold, ${RANGE}`
      ],
      [
        "ns.csv",
        "3458764513820540927,1",
        `"3458764513820540927,1" has a time outside the times a stream can hold, ${RANGE}`
      ],
      ["value.csv", "time,1", `"time,1" has a bad time "time": neither an integer of nanoseconds nor ISO-8601`]
    ] as const
    const results = await Promise.all(cases.map(async ([name, line]) => {
      const f = await file(name, `${line}\n2024-05-01T00:00:01Z,2\n`)
      return [f, await insert([uuid, f])] as const
    }))
    results.forEach(([f, r], k) => {
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe(`btrdb: ${f}:1: ${cases[k]![2]}\n`)
    })
    expect((await pointsOf(uuid)).times).toHaveLength(0)
  })

  it("a header such as time,value is line 1 and skipped; without one, line 1 is a point", async () => {
    const [withHeader, without, stdin] = await Promise.all([create("header"), create("no-header"), create("stdin")])
    const header = await file("header.csv", `time,value\r\n${T0},1.5\r\n\r\n2023-11-14T22:13:20.000000001Z,-2\r\n`)
    const plain = await file("plain.csv", `\n 2024-05-01T00:00:00Z , 7 \n${T0},8`)
    const [a, b, bad] = await Promise.all([
      insert([withHeader, header]),
      insert(["cli/insert-csv/no-header", plain]),
      insert([stdin, "-"], ` t , v \n${T0},1\n${T0 + 1n},one\n`)
    ])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toMatch(
      new RegExp(`^inserted 2 points into cli/insert-csv/header \\(${withHeader}\\), now at version \\d+\\n$`)
    )
    expect(a.stderr).toBe("")
    expect(await pairsOf(withHeader)).toEqual([[T0, 1.5], [T0 + 1n, -2]])

    expect(b.code, b.stderr).toBe(0)
    expect(b.stdout).toMatch(/^inserted 2 points into cli\/insert-csv\/no-header /)
    expect(await pairsOf(without)).toEqual([[T0, 8], [1_714_521_600_000_000_000n, 7]])

    // stdin is named so, and its header is its line 1
    expect(bad.code).not.toBe(0)
    expect(bad.stdout).toBe("")
    expect(bad.stderr).toBe(`btrdb: stdin:3: "${T0 + 1n},one" has a bad value "one": not a finite number\n`)
    expect(await pairsOf(stdin)).toEqual([])
  })

  it("a bad line anywhere fails naming its line, with nothing inserted, even after the first batch", async () => {
    const [small, big] = await Promise.all([create("middle"), create("late")])
    const five = await file("five.csv", `${T0},1\n${T0 + 1n},2\n${T0 + 2n}\n${T0 + 3n},4\n${T0 + 4n},5\n`)
    const lines = Array.from({ length: 80_000 }, (_, i) => `${T0 + BigInt(i)},${i}`)
    lines[69_999] = `${T0 + 69_999n},Infinity`
    const late = await file("late.csv", lines.join("\n") + "\n")
    const [r, s] = await Promise.all([insert([small, five]), insert([big, late])])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toBe(`btrdb: ${five}:3: "${T0 + 2n}" has 1 field, expected time,value\n`)
    expect(s.code).not.toBe(0)
    expect(s.stderr).toBe(
      `btrdb: ${late}:70000: "${T0 + 69_999n},Infinity" has a bad value "Infinity": not a finite number\n`
    )
    expect(r.stdout + s.stdout).toBe("")
    expect(await pairsOf(small)).toEqual([])
    expect(await pairsOf(big)).toEqual([])
  })

  it("--skip-bad inserts the good lines and says how many lines it skipped, and which", async () => {
    const [fromFile, fromStdin] = await Promise.all([create("skip"), create("skip-stdin")])
    const text = [
      "time,value",
      `${T0},1`,
      "x,2",
      `${T0 + 1n},2`,
      `${T0 + 2n},3,4`,
      `${T0 + 3n};4`,
      "",
      `${T0 + 4n},`,
      `-1152921504606846977,5`,
      `${T0 + 5n},6`,
      "2024-02-30T00:00:00Z,7",
      "1e3,8"
    ].join("\n")
    const f = await file("skip.csv", text)
    const [r, s] = await Promise.all([
      insert([fromFile, "--skip-bad", f]),
      insert([fromStdin, "--skip-bad", "-"], text)
    ])
    const first = `"x,2" has a bad time "x": neither an integer of nanoseconds nor ISO-8601`
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^inserted 3 points into cli\/insert-csv\/skip /)
    expect(r.stderr).toBe(`skipped 7 bad lines of ${f}, lines 3, 5, 6, 8, 9 and 2 more; the first: ${first}\n`)
    expect(await pairsOf(fromFile)).toEqual([[T0, 1], [T0 + 1n, 2], [T0 + 5n, 6]])
    expect(s.code, s.stderr).toBe(0)
    expect(s.stderr).toBe(`skipped 7 bad lines of stdin, lines 3, 5, 6, 8, 9 and 2 more; the first: ${first}\n`)
    expect(await pairsOf(fromStdin)).toEqual([[T0, 1], [T0 + 1n, 2], [T0 + 5n, 6]])
  })

  it("a large file is inserted point for point, in batches, without progress when stderr is not a terminal", async () => {
    const uuid = await create("large")
    const n = 300_001
    const time = (i: number) => T0 + BigInt(i) * 1_000_003n
    const value = (i: number) => (i % 1000) / 8 - 60
    const f = path.join(dir, "large.csv")
    const handle = await fs.open(f, "w")
    await handle.write("time,value\n")
    for (let from = 0; from < n; from += 50_000) {
      const lines: Array<string> = []
      for (let i = from; i < Math.min(n, from + 50_000); i++) lines.push(`${time(i)},${value(i)}\n`)
      await handle.write(lines.join(""))
    }
    await handle.close()

    const r = await insert([uuid, f])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^inserted ${n} points into cli/insert-csv/large \\(${uuid}\\), now at version`)
    )
    expect(r.stderr).toBe("")
    const p = await pointsOf(uuid)
    expect(p.times).toHaveLength(n)
    let wrong = 0
    for (let i = 0; i < n; i++) if (p.times[i] !== time(i) || p.values[i] !== value(i)) wrong++
    expect(wrong).toBe(0)
    expect([p.times[123_457], p.values[123_457]]).toEqual([T0 + 123_457n * 1_000_003n, 457 / 8 - 60])
  })
})

/** The batches and skipped lines of `chunks` read in-process. */
const read = async (
  chunks: ReadonlyArray<string | Uint8Array>,
  options: { skip?: boolean; batchSize?: number } = {}
) => {
  const skipped = options.skip === true ? new SkippedLines() : undefined
  let bytes = 0
  const batches: Array<Array<readonly [bigint, number]>> = []
  const source = (async function*() {
    for (const chunk of chunks) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk
  })()
  for await (
    const b of readPointBatches(source, {
      source: "f.csv",
      batchSize: options.batchSize ?? 3,
      skipped,
      onBytes: (n) => (bytes += n)
    })
  ) {
    batches.push(Array.from(b.times, (t, i) => [t, b.values[i]!] as const))
  }
  return { batches, skipped, bytes }
}

describe("readPointBatches", () => {
  it("a first line is a header only with two fields that are neither numbers nor times", async () => {
    for (const header of ["time,value", " t , v ", "\uFEFFtime,value", "Zeit,Wert"]) {
      expect((await read([`${header}\n1,2\n`])).batches, header).toEqual([[[1n, 2]]])
    }
    for (
      const [first, why] of [
        ["time,1", "has a bad time \"time\""],
        ["1,value", "has a bad value \"value\""],
        [",", "has a bad time \"\""],
        ["time,value,unit", "has 3 fields"],
        ["time", "has 1 field"],
        ["2024-05-01,x", "has a bad value \"x\""]
      ] as const
    ) {
      await expect(read([`${first}\n1,2\n`])).rejects.toThrow(`f.csv:1: ${JSON.stringify(first)} ${why}`)
    }
    // a header after line 1 is a bad line
    await expect(read(["1,2\ntime,value\n"])).rejects.toThrow(`f.csv:2: "time,value" has a bad time "time"`)
  })

  it("splits lines and characters across chunks, yields batches, counts bytes", async () => {
    const text = "tµ,vµ\n1,0.5\r\n\n2,1e3\n3,-4\n2024-05-01T00:00:00.000000001+02:00,7"
    const bytes = [...Buffer.from(text)].map((b) => Uint8Array.of(b))
    const r = await read(bytes)
    expect(r.batches).toEqual([[[1n, 0.5], [2n, 1000], [3n, -4]], [[1_714_514_400_000_000_001n, 7]]])
    expect(r.bytes).toBe(Buffer.byteLength(text))
  })

  it("a line longer than 65536 characters is bad, and skipped to its end with --skip-bad", async () => {
    const long = "1".repeat(70_000)
    await expect(read(["1,1\n", long, long, ",2\n3,3\n"])).rejects.toThrow(`f.csv:2: "${"1".repeat(100)}…" is longer`)
    const r = await read(["1,1\n", long, long, ",2\n3,3\n", "4,4"], { skip: true, batchSize: 10 })
    expect(r.batches).toEqual([[[1n, 1], [3n, 3], [4n, 4]]])
    expect(r.skipped?.summary("f.csv")).toBe(
      `skipped 1 bad line of f.csv, line 2; the first: "${"1".repeat(100)}…" is longer than 65536 characters`
    )
  })
})
