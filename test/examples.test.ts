/**
 * The programs of `examples/`, run as a user runs them (`node --import tsx examples/<name>.ts …`, a child process)
 * against an embedded server on 127.0.0.1; their output is checked against values recomputed here from the data
 * given to them. (`examples/testing-with-memory-layer.test.ts` runs with the rest of the suite.)
 */
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { BTrDB, Uuid } from "../src/index.js"
import * as EmbeddedServer from "../src/server/EmbeddedServer.js"
import { grpcLayer, uniquePrefix } from "./support/layers.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `examples/<name>.ts` to completion, as `node --import tsx`, from the repository root (where tsconfig.json maps
 * `effect-btrdb` to the sources); interrupting the effect kills the process.
 */
const runExample = (name: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.callback<Run>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join("examples", `${name}.ts`), ...args], {
      cwd: ROOT,
      env: { ...process.env, BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_PROFILE: "", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const succeeded = (run: Run, name: string) =>
  assert.strictEqual(run.code, 0, `${name} exited with ${run.code}:\n${run.stdout}\n${run.stderr}`)

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "btrdb-examples-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

// -- the data, and the window statistics recomputed from it

const NS = 1_000_000_000n
const T0 = 1_714_564_800_000_000_000n // 2024-05-01T12:00:00Z

/** `n` points a second apart, each up to 999 ns late; 60 000 make ingest-csv read its file in two batches. */
const series = (n: number) => {
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    times[i] = T0 + BigInt(i) * NS + BigInt((i * 7919) % 1000)
    values[i] = Math.round((Math.sin(i / 50) * 100 + ((i * 31) % 17) / 4) * 1000) / 1000
  }
  return { times, values }
}

interface WindowStats {
  readonly time: bigint
  readonly count: number
  readonly min?: number
  readonly mean?: number
  readonly max?: number
  readonly stddev?: number
}

/** The windows `[start + k·width, start + (k+1)·width)` that fit in `[start, end)`, with population stddev. */
const expectedWindows = (
  points: { readonly times: BigInt64Array; readonly values: Float64Array },
  start: bigint,
  end: bigint,
  width: bigint
): Array<WindowStats> => {
  const windows: Array<WindowStats> = []
  for (let t = start; t + width <= end; t += width) {
    const inside: Array<number> = []
    points.times.forEach((time, i) => {
      if (time >= t && time < t + width) inside.push(points.values[i]!)
    })
    if (inside.length === 0) {
      windows.push({ time: t, count: 0 })
      continue
    }
    const mean = inside.reduce((a, b) => a + b, 0) / inside.length
    const variance = inside.reduce((a, b) => a + (b - mean) ** 2, 0) / inside.length
    windows.push({
      time: t,
      count: inside.length,
      min: Math.min(...inside),
      mean,
      max: Math.max(...inside),
      stddev: Math.sqrt(variance)
    })
  }
  return windows
}

const close = (actual: number | undefined, expected: number, what: string) => {
  assert.isDefined(actual, what)
  assert.isTrue(
    Math.abs(actual! - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} ≠ ${expected}`
  )
}

/** Checks the CSV written by windows-to-csv against the windows expected. */
const assertWindowsCsv = (csv: string, expected: ReadonlyArray<WindowStats>) => {
  const [header, ...rows] = csv.trimEnd().split("\n")
  assert.strictEqual(header, "time,min,mean,max,count,stddev")
  assert.strictEqual(rows.length, expected.length, "one row per window")
  rows.forEach((row, k) => {
    const want = expected[k]!
    const [time, min, mean, max, count, stddev] = row.split(",")
    assert.strictEqual(BigInt(time!), want.time, `window ${k}: time`)
    assert.strictEqual(Number(count), want.count, `window ${k}: count`)
    if (want.count === 0) {
      assert.deepStrictEqual([min, mean, max, stddev], ["", "", "", ""], `window ${k}: empty`)
      return
    }
    assert.strictEqual(Number(min), want.min, `window ${k}: min`)
    assert.strictEqual(Number(max), want.max, `window ${k}: max`)
    close(Number(mean), want.mean!, `window ${k}: mean`)
    close(Number(stddev), want.stddev!, `window ${k}: stddev`)
  })
}

/** The value of a `key   value` line of ingest-csv's report. */
const field = (stdout: string, key: string): string => {
  const match = new RegExp(`^${key}\\s+(.+)$`, "m").exec(stdout)
  assert.isNotNull(match, `no "${key}" line in:\n${stdout}`)
  return match![1]!
}

/** Each test spends most of its time waiting for its child processes, so the tests run side by side. */
const CONCURRENT = { concurrent: true, timeout: 120_000 }

layer(grpcLayer(), { timeout: 120_000, excludeTestServices: true })("examples", (it) => {
  it.effect("ingest-csv (nanosecond times, two batches) then windows-to-csv on stdout", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* EmbeddedServer.EmbeddedServer
      const db = yield* BTrDB.BTrDB
      const dir = yield* tempDir
      const identifier = `${uniquePrefix("examples")}site1/volts`
      const points = series(60_000)
      const file = path.join(dir, "volts.csv")
      const lines = ["time,value"]
      points.times.forEach((t, i) => lines.push(`${t},${points.values[i]}`))
      yield* Effect.promise(() => fs.writeFile(file, lines.join("\n") + "\n"))

      const ingest = yield* runExample("ingest-csv", [file, identifier, "--endpoint", endpoint])
      succeeded(ingest, "ingest-csv")
      assert.strictEqual(field(ingest.stdout, "inserted"), `60000 points (merge policy "replace")`)
      assert.strictEqual(field(ingest.stdout, "count"), "60000")
      const stream = (yield* db.streams(identifier)).streams[0]!
      assert.match(field(ingest.stdout, "stream"), new RegExp(`^${identifier} \\(${stream.uuid}\\)$`))
      assert.strictEqual(field(ingest.stdout, "version"), String(yield* stream.version))
      assert.strictEqual(yield* stream.count({ precise: true }), 60_000n)

      // an hour and a half of one-minute windows, from an ISO-8601 start to a nanosecond end
      const end = T0 + 90n * 60n * NS
      const windows = yield* runExample("windows-to-csv", [
        identifier,
        "--width",
        "1 minute",
        "--start",
        "2024-05-01T12:00:00Z",
        "--end",
        String(end),
        "--endpoint",
        endpoint
      ])
      succeeded(windows, "windows-to-csv")
      assertWindowsCsv(windows.stdout, expectedWindows(points, T0, end, 60n * NS))
      assert.include(windows.stderr, `wrote 90 windows of ${identifier}`)
    }), CONCURRENT)

  it.effect(
    "ingest-csv (ISO-8601 times, merge never, a unit) then windows-to-csv to a file, whole stream",
    () =>
      Effect.gen(function*() {
        const { endpoint } = yield* EmbeddedServer.EmbeddedServer
        const db = yield* BTrDB.BTrDB
        const dir = yield* tempDir
        const identifier = `${uniquePrefix("examples")}site2/power`
        const file = path.join(dir, "power.csv")
        yield* Effect.promise(() =>
          fs.writeFile(
            file,
            [
              "time,value",
              "2024-05-01T00:00:00Z,1.5",
              "2024-05-01T00:00:10.000000001Z,2.5",
              "2024-05-01 02:00:25+02:00,-3", // 00:00:25 UTC
              "",
              "2024-05-01T00:01:15Z,4"
            ].join("\r\n")
          )
        )
        const base = BigInt(Date.parse("2024-05-01T00:00:00Z")) * 1_000_000n
        const points = {
          times: BigInt64Array.of(base, base + 10n * NS + 1n, base + 25n * NS, base + 75n * NS),
          values: Float64Array.of(1.5, 2.5, -3, 4)
        }

        const ingest = yield* runExample("ingest-csv", [
          file,
          identifier,
          "--endpoint",
          endpoint,
          "--merge",
          "never",
          "--unit",
          "kW"
        ])
        succeeded(ingest, "ingest-csv")
        assert.strictEqual(field(ingest.stdout, "inserted"), `4 points (merge policy "never")`)
        assert.strictEqual(field(ingest.stdout, "count"), "4")
        const stream = (yield* db.streams(identifier)).streams[0]!
        assert.strictEqual(yield* stream.unit, "kW")
        const stored = yield* stream.valuesCollected()
        assert.deepStrictEqual([...stored.times], [...points.times])
        assert.deepStrictEqual([...stored.values], [...points.values])

        // no range given: from the first point to the end of the last point's window, an empty window between
        const out = path.join(dir, "windows.csv")
        const windows = yield* runExample("windows-to-csv", [
          stream.uuid,
          "--width",
          "30 seconds",
          "--out",
          out,
          "--endpoint",
          endpoint
        ])
        succeeded(windows, "windows-to-csv")
        assert.strictEqual(windows.stdout, "")
        const expected = expectedWindows(points, base, base + 90n * NS, 30n * NS)
        assert.deepStrictEqual(expected.map((w) => w.count), [3, 0, 1])
        assertWindowsCsv(yield* Effect.promise(() => fs.readFile(out, "utf8")), expected)
      }),
    CONCURRENT
  )

  it.effect("ingest-csv names the line it cannot read, and inserts nothing", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* EmbeddedServer.EmbeddedServer
      const db = yield* BTrDB.BTrDB
      const dir = yield* tempDir
      const identifier = `${uniquePrefix("examples")}site3/bad`
      const file = path.join(dir, "bad.csv")
      yield* Effect.promise(() => fs.writeFile(file, "time,value\n1,1\n2,2\nyesterday,3\n"))
      const ingest = yield* runExample("ingest-csv", [file, identifier, "--endpoint", endpoint])
      assert.strictEqual(ingest.code, 1)
      assert.include(ingest.stderr, `${file}: line 4: "yesterday" is not a time`)
      const stream = (yield* db.streams(identifier)).streams[0]!
      assert.strictEqual(yield* stream.count({ precise: true }), 0n)
    }), CONCURRENT)

  it.effect(
    "connect prints the server's info and its collections (endpoint from BTRDB_ENDPOINTS)",
    () =>
      Effect.gen(function*() {
        const { endpoint } = yield* EmbeddedServer.EmbeddedServer
        const db = yield* BTrDB.BTrDB
        const collection = `${uniquePrefix("examples")}connect`
        yield* db.create({ uuid: Uuid.random(), collection, tags: { name: "x" } })
        const info = yield* db.info

        const connect = yield* runExample("connect", [], { BTRDB_ENDPOINTS: endpoint })
        succeeded(connect, "connect")
        const [first, second, ...listed] = connect.stdout.trimEnd().split("\n")
        assert.strictEqual(
          first,
          `connected to ${endpoint}: BTrDB ${info.majorVersion}.${info.minorVersion} (${info.build})`
        )
        assert.strictEqual(second, `${listed.length} collections`)
        // the other tests create collections meanwhile: the listing holds this one, sorted, and only real ones
        const names = listed.map((line) => line.trim())
        assert.include(names, collection)
        assert.deepStrictEqual(names, [...names].sort())
        const now = yield* db.listCollections()
        for (const name of names) assert.include(now, name)
      }),
    CONCURRENT
  )

  it.effect("connect: nothing listening is a friendly message and exit code 1", () =>
    Effect.gen(function*() {
      const endpoint = `127.0.0.1:${yield* Effect.promise(freePort)}`
      const connect = yield* runExample("connect", [endpoint])
      assert.strictEqual(connect.code, 1)
      assert.strictEqual(connect.stdout, "")
      assert.match(
        connect.stderr,
        new RegExp(`^Could not reach a BTrDB server at ${endpoint} \\(.+\\)\\. Is it running`)
      )
    }), CONCURRENT)

  it.effect(
    "embedded-server runs a server in its own process (effect-btrdb/server), writes a day and reads windows",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const run = yield* runExample("embedded-server", ["--data", dir])
        succeeded(run, "embedded-server")
        const [listening, inserted, ...rows] = run.stdout.trimEnd().split("\n")
        assert.match(listening!, /^embedded server listening on 127\.0\.0\.1:\d+$/)
        assert.match(inserted!, /^inserted 1440 points into demo\/site1\/temperature, version \d+$/)
        // the same readings as the example's, in four windows of six hours
        const value = (i: number) => 20 + 5 * Math.sin((2 * Math.PI * i) / 1440)
        const expected = [0, 1, 2, 3].map((w) => {
          const inside = Array.from({ length: 360 }, (_, k) => value(w * 360 + k))
          const stat = (x: number) => x.toFixed(3)
          const at = new Date(Date.parse("2024-05-01T00:00:00Z") + w * 6 * 3_600_000).toISOString()
          return `${at}  count 360  min ${stat(Math.min(...inside))}  ` +
            `mean ${stat(inside.reduce((a, b) => a + b, 0) / 360)}  max ${stat(Math.max(...inside))}`
        })
        assert.deepStrictEqual(rows, expected)
        assert.isNotEmpty(yield* Effect.promise(() => fs.readdir(dir)), "the data directory was written")
      }),
    CONCURRENT
  )

  it.effect(
    "retry: works as usual when the server answers; gives up after the attempts asked for",
    () =>
      Effect.gen(function*() {
        const { endpoint } = yield* EmbeddedServer.EmbeddedServer
        const [ok, down] = yield* Effect.all([
          runExample("retry", [endpoint]),
          Effect.flatMap(
            Effect.promise(freePort),
            (port) => runExample("retry", [`127.0.0.1:${port}`, "--retries", "3", "--delay", "10 millis"])
          )
        ], { concurrency: 2 })
        succeeded(ok, "retry")
        assert.match(ok.stdout, new RegExp(`^connected to ${endpoint}: BTrDB \\d+\\.\\d+\\n\\d+ collections\\nunits: `))
        assert.strictEqual(down.code, 1)
        const attempts = down.stderr.split("\n").filter((line) => line.startsWith("attempt failed: "))
        assert.strictEqual(attempts.length, 3, down.stderr)
        assert.match(down.stderr, /gave up: could not reach 127\.0\.0\.1:\d+/)
      }),
    CONCURRENT
  )
})
