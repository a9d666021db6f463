/**
 * `btrdb demo` (what `npm start` runs) with a short setting, as child processes: the summary it prints, the data
 * it leaves in `--data` (checked through the SDK), the temporary directory it removes and the SVG it writes.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CHANNELS, chunk, type PmuOptions } from "../../src/cli/demo/pmu.js"
import { BTrDB } from "../../src/index.js"
import { start as startServer } from "../../src/server/Server.js"
import { runCli } from "../support/cli.js"
import { checkWellFormed } from "../support/svg.js"

const START = 1_714_564_800_000_000_000n // 2024-05-01T12:00:00Z, the demo's default start
const PER_STREAM = 60 * 120
const PMU: PmuOptions = { rateHz: 120, event: { atSeconds: 36, durationSeconds: 2, depth: 0.25 } }

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-demo-test-"))
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

const parse = (text: string): number => Number(text.replaceAll(",", ""))

describe.concurrent("btrdb demo --minutes 1", { timeout: 180_000 }, () => {
  it("is what npm start runs", async () => {
    const pkg = JSON.parse(await fs.readFile("package.json", "utf8")) as { scripts: Record<string, string> }
    expect(pkg.scripts.start).toBe("tsx src/cli/main.ts demo")
  })

  it("prints the summary, writes the chart, stops the server and removes its temporary directory", async () => {
    const svgPath = path.join(dir, "chart.svg")
    const r = await runCli(["demo", "--minutes", "1", "--out", svgPath])
    expect(r.code, r.stderr).toBe(0)
    const out = r.stdout
    const lines = out.split("\n")

    expect(out).toContain(`streams    12 in demo/pmu1: ${CHANNELS.map((c) => c.name).join(" ")}`)
    expect(out).toContain("7,200 points a stream, 86,400 in all")
    expect(out).toMatch(/^inserted {3}86,400 points in [\d.]+ s: [\d.,]+ (M )?points\/s/m)
    expect(out).toMatch(/^list_collections\("demo"\) +demo\/pmu1$/m)
    expect(out).toMatch(/^list_unique_units\("demo"\) +amps deg volts$/m)
    expect(out).toMatch(/^collection_metadata\("demo\/pmu1"\) +tags: name=12 unit=12 ingress=0 distiller=0$/m)
    expect(out).toContain("streams_in_collection(\"demo\", tags={\"unit\": \"volts\"}): 3 streams")
    expect(out).toMatch(/annotations=\{"phase": "1", "kind": "current"\}\): (C1MAG C1ANG|C1ANG C1MAG)$/m)
    expect(out).toMatch(/^amps +3$/m)
    expect(out).toMatch(/^deg +6$/m)
    expect(out).toMatch(/^volts +3$/m)

    // the statistics table: every stream with its unit and 60·120 points; L1MAG's min/mean/max as computed here
    for (const c of CHANNELS) {
      expect(out).toMatch(new RegExp(`^demo/pmu1/${c.name} +${c.unit} +7,200 `, "m"))
    }
    const l1 = lines.find((l) => l.startsWith("demo/pmu1/L1MAG "))!.trim().split(/ +/)
    const { values } = chunk(0, START, 0, PER_STREAM, PMU)
    expect(parse(l1[3]!)).toBeCloseTo(Math.min(...values), 2)
    expect(parse(l1[4]!)).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 1)
    expect(parse(l1[5]!)).toBeCloseTo(Math.max(...values), 2)
    expect(out).toContain("86,400 points in 12 streams, summarised in")

    // window queries: 60 windows of 1 s, one of 1 min, none of 15 min (wider than the data)
    expect(out).toMatch(/^values +raw points +7,200 +7,200 /m)
    expect(out).toMatch(/^windows +1 s +60 +7,200 /m)
    expect(out).toMatch(/^windows +1 min +1 +7,200 /m)
    expect(out).not.toMatch(/^windows +15 min/m)
    expect(out).toMatch(/^aligned_windows +2\^30 ns \(1\.07 s\) +57 +7,200 /m)
    expect(out).toMatch(/^the event: 2 windows of 1 s, from 2024-05-01T12:00:36Z to 2024-05-01T12:00:38Z/m)
    expect(out).toContain("Distiller.runOnce: 7,200 points of L1MAG read, 60 means of 1 s written to distil/demo/pmu1")
    expect(out).toMatch(/L1MAG in \d+ ms; run again, it found nothing new \(0 points read\)$/m)
    // the RMS of the minute, as computed here
    const rms =
      /^Distiller\.rms: 1 RMS value of 1 min written to distil\/demo\/pmu1\/L1MAG-rms, the last ([\d,.]+) volts$/m
        .exec(out)
    expect(rms).not.toBeNull()
    expect(parse(rms![1]!)).toBeCloseTo(Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length), 1)
    // the event detector flags the seconds of the sag the windows found above
    expect(out).toContain(
      "Distiller.events: 2 seconds of L1MAG below 90 % of 7,200 V, from 2024-05-01T12:00:36Z to " +
        "2024-05-01T12:00:38Z, in distil/demo/pmu1/L1MAG-sag"
    )
    expect(out).toMatch(/^insert \(12 streams\) +86,400 /m)

    // the chart: an overview from aligned windows of 2^26 ns (60 s / 1000 ≈ 2^25.8), one mean point for each, no
    // gap at 120 Hz; and a zoom on the event, from windows of 2^25 ns (33.6 ms: at least 4 samples each)
    const wrote = new RegExp(
      "^wrote (\\S+): the min/mean/max band of demo/pmu1/L1MAG, (\\d+) aligned windows of 2\\^26 ns \\(67.1 ms\\), " +
        "and a zoom on (\\S+) to (\\S+) in aligned windows of 2\\^25 ns \\(33.6 ms\\)$",
      "m"
    ).exec(out)!
    expect(wrote[1]).toBe(svgPath)
    const width = 1n << 26n
    const last = START + BigInt(Math.round(((PER_STREAM - 1) * 1e9) / 120))
    const expected = Number(last / width - START / width) + 1
    expect(Number(wrote[2])).toBe(expected)
    const svg = await fs.readFile(svgPath, "utf8")
    const { elements } = checkWellFormed(svg)
    expect(elements.get("polyline")).toBe(2)
    const [overview, zoom] = [
      ...svg.matchAll(/data-panel="(\w+)" data-x-start="(\d+)" data-x-end="(\d+)" data-y-min="([^"]+)"/g)
    ].map((m) => ({ name: m[1], start: BigInt(m[2]!), end: BigInt(m[3]!), yMin: Number(m[4]), at: m.index }))
    expect(overview).toMatchObject({ name: "overview", start: START, end: START + 60_000_000_000n })
    const means = /class="mean" points="([^"]*)"/.exec(svg.slice(overview!.at, zoom!.at))![1]!.split(" ")
    expect(means).toHaveLength(expected)
    expect(/class="x-tick" data-time="(\d+)"[^>]*>([^<]*)</.exec(svg)!.slice(1)).toEqual([`${START}`, "12:00:00"])
    // the zoom holds the sag, 36 s to 38 s after the start, and its lowest value
    expect(zoom!.name).toBe("zoom")
    expect([new Date(wrote[3]!).getTime(), new Date(wrote[4]!).getTime()]).toEqual([
      Number(zoom!.start / 1_000_000n),
      Number(zoom!.end / 1_000_000n)
    ])
    expect(zoom!.start).toBeLessThan(START + 36_000_000_000n)
    expect(zoom!.end).toBeGreaterThan(START + 38_000_000_000n)
    expect(zoom!.yMin).toBeLessThan(Math.min(...values))

    // clean exit: the server stopped, the temporary directory is gone
    const data = /^data {7}(\S+) {2}\(temporary, removed at the end\)$/m.exec(out)![1]!
    expect(out).toContain("btrdb server stopped")
    expect(out).toContain(`removed the temporary data directory ${data}`)
    await expect(fs.stat(data)).rejects.toThrow()

    // progress on stderr, as plain lines when it is not a terminal
    expect(r.stderr).toContain("inserting: 100% (86400 of 86400 points")
    expect(r.stderr).not.toContain("btrdb:")
  })

  it("with --data keeps the data, which a server reopening it serves: 12 streams of 7200 points", async () => {
    const data = path.join(dir, "data")
    const r = await runCli(["demo", "--minutes", "1", "--data", data, "--out", path.join(dir, "kept.svg")])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).not.toContain("removed the temporary data directory")

    const server = await startServer({ listen: "127.0.0.1:0", dataDir: data, log: () => {} })
    try {
      const found = await Effect.runPromise(
        Effect.gen(function*() {
          const db = yield* BTrDB.BTrDB
          const collections = yield* db.listCollections("demo")
          const set = yield* db.streamsInCollection("demo/pmu1")
          const counts = yield* Effect.forEach(
            set.streams,
            (s) =>
              Effect.map(s.count({ start: START, end: START + 60_000_000_000n, precise: true }), (n) => [
                Option.getOrThrow(s.descriptor).name,
                Option.getOrThrow(s.descriptor).unit,
                Number(n)
              ])
          )
          return { collections, counts }
        }).pipe(Effect.provide(BTrDB.layer({ endpoint: server.endpoint })))
      )
      expect(found.collections).toEqual(["demo/pmu1"])
      expect(found.counts.sort()).toEqual(CHANNELS.map((c) => [c.name, c.unit, PER_STREAM]).sort())
    } finally {
      await server.close()
    }
  })
})
