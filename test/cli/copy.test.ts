/**
 * `btrdb copy` as a child process between two embedded servers in the test process: a collection copied and its
 * verification table printed (exit 0); a copy killed midway (SIGKILL) and run again ends with exactly the source's
 * points; a target stream with other tags is refused (non-zero exit, nothing written) and copied into with
 * `--merge`; a target holding a point the source lacks makes the table say DIFFERS and the exit status non-zero.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { progressText } from "../../src/cli/copy.js"
import { BTrDB, Uuid } from "../../src/index.js"
import { type RunningServer, start } from "../../src/server/Server.js"
import { runCli as runCliNow, twoAtATime } from "../support/cli.js"

const T0 = 1_700_000_000_000_000_000n
const limited = twoAtATime()
const runCli = (args: ReadonlyArray<string>) => limited(() => runCliNow(args))

let source: RunningServer
let target: RunningServer
const between = () => ["--from", source.endpoint, "--to", target.endpoint]

const withDb = <A, E>(endpoint: string, f: (db: BTrDB.Service) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint }), f)))

/** `count` streams of `collection` on the source with `n` points each (distinct times); their uuids. */
const populate = (collection: string, count: number, n: number) =>
  withDb(
    source.endpoint,
    (db) =>
      Effect.forEach(Array.from({ length: count }, (_, k) => k), (k) =>
        Effect.gen(function*() {
          const s = yield* db.create({
            uuid: Uuid.random(),
            collection,
            tags: { name: `s${k}`, unit: "volts" },
            annotations: { k: String(k) }
          })
          yield* s.insert({
            times: BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i) * 1_000_000n + BigInt(k)),
            values: Float64Array.from({ length: n }, () => Math.random() * 100)
          })
          return s.uuid as string
        }))
  )

/** The target's point count of each stream (-1 when it does not exist). */
const targetCounts = (uuids: ReadonlyArray<string>) =>
  withDb(
    target.endpoint,
    (db) =>
      Effect.forEach(uuids, (uuid) =>
        Effect.flatMap(db.streamFromUuid(uuid), (s) =>
          s.count({ precise: true }).pipe(
            Effect.map(Number),
            Effect.catchTag("StreamNotFound", () => Effect.succeed(-1))
          )))
  )

beforeAll(async () => {
  source = await start({ listen: "127.0.0.1:0", log: () => {} })
  target = await start({ listen: "127.0.0.1:0", log: () => {} })
})
afterAll(async () => {
  await source.close()
  await target.close()
})

describe("btrdb copy", { timeout: 240_000 }, () => {
  it("progress: done and total, streams, points and bytes per second, and the time left on a terminal", () => {
    const p = { streams: 2, streamsDone: 1, points: 500_000, totalPoints: 1_000_000, bytes: 8e6, elapsedMillis: 2000 }
    expect(progressText(p, true)).toBe(
      "copy: 50% 500.0k/1.00M points, 1/2 streams, 250.0k points/s, 4.0 MB/s eta 2s"
    )
    expect(progressText(p, false)).toBe("copy: 50% 500.0k/1.00M points, 1/2 streams, 250.0k points/s, 4.0 MB/s")
  })

  it("copies a collection and prints the verification table", async () => {
    const uuids = await populate("cli/copy/a", 3, 20_000)
    const r = await runCli(["copy", ...between(), "--collection", "cli/copy/a", "--quiet"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe("")
    const [header, rule, ...rows] = r.stdout.trimEnd().split("\n")
    expect(header!.split(/\s{2,}/)).toEqual(["uuid", "stream", "copied", "source count", "target count", "verdict"])
    expect(rule).toMatch(/^-+( +-+){5}$/)
    for (const uuid of uuids) {
      const row = rows.find((line) => line.startsWith(uuid))
      expect(row, r.stdout).toMatch(new RegExp(`^${uuid}  cli/copy/a/s\\d +20000 +20000 +20000  same$`))
    }
    expect(rows.at(-1)).toMatch(/^copied 60000 points of 3 streams from .* to .* in [\d.]+ s \(.* points\/s\)$/)
    expect(await targetCounts(uuids)).toEqual([20_000, 20_000, 20_000])
  })

  it("killed midway, run again, it copies exactly the source's points", async () => {
    const N = 200_000
    const uuids = await populate("cli/copy/big", 4, N)
    const child = await limited(async () => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/cli/main.ts",
          "copy",
          ...between(),
          "--collection",
          "cli/copy/big",
          "--concurrency",
          "2"
        ],
        { env: { ...process.env, BTRDB_ENDPOINTS: "" }, stdio: "ignore" }
      )
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      // kill it once some points are on the target, before all are
      for (;;) {
        const counts = await targetCounts(uuids)
        const total = counts.reduce((a, b) => a + Math.max(0, b), 0)
        if (total > 0 || child.exitCode !== null) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      child.kill("SIGKILL")
      await exited
      return child
    })
    expect(child.signalCode).toBe("SIGKILL")
    const partial = await targetCounts(uuids)
    const before = partial.reduce((a, b) => a + Math.max(0, b), 0)
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(4 * N)

    const r = await runCli(["copy", ...between(), "--collection", "cli/copy/big"])
    expect(r.code, r.stderr).toBe(0)
    for (const uuid of uuids) expect(r.stdout).toMatch(new RegExp(`^${uuid} .* ${N} +${N}  same$`, "m"))
    // it resumed: the points already there were not sent again
    const sent = r.stdout.split("\n").filter((line) => uuids.some((u) => line.startsWith(u)))
      .reduce((n, line) => n + Number(line.split(/ +/)[2]), 0)
    expect(sent).toBeLessThanOrEqual(4 * N - before)
    expect(await targetCounts(uuids)).toEqual([N, N, N, N])
  })

  it("refuses a target stream whose tags differ, writing nothing; --merge copies into it and says so", async () => {
    const [uuid] = await populate("cli/copy/clash", 1, 1_000)
    await withDb(
      target.endpoint,
      (db) =>
        db.create({
          uuid: uuid!,
          collection: "cli/copy/clash",
          tags: { name: "s0", unit: "amps" },
          annotations: { k: "0" }
        })
    )
    const refused = await runCli(["copy", ...between(), "--streams", uuid!])
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toBe("")
    expect(refused.stderr).toMatch(/^btrdb: Copy\.copyStreams \(stream .*\): the target stream's tags differ/)
    expect(refused.stderr).toContain(`"unit":"volts"`)
    expect(refused.stderr).toContain("--merge")
    expect(await targetCounts([uuid!])).toEqual([0])

    const merged = await runCli(["copy", ...between(), "--streams", uuid!, "--merge", "--quiet"])
    expect(merged.code, merged.stderr).toBe(0)
    expect(merged.stderr).toContain(`copy: ${uuid} (cli/copy/clash/s0): the target's metadata differs; copied into it`)
    expect(merged.stdout).toMatch(new RegExp(`^${uuid} .* 1000 +1000 +1000  same \\(metadata merged\\)$`, "m"))
    expect(await targetCounts([uuid!])).toEqual([1_000])
  })

  it("exits non-zero with DIFFERS in the table when the target holds a point the source does not", async () => {
    const [uuid, other] = await populate("cli/copy/extra", 2, 1_000)
    await withDb(target.endpoint, (db) =>
      Effect.gen(function*() {
        const s = yield* db.create({
          uuid: uuid!,
          collection: "cli/copy/extra",
          tags: { name: "s0", unit: "volts" },
          annotations: { k: "0" }
        })
        yield* s.insert([[T0 - 1n, 5]])
      }))
    const r = await runCli(["copy", ...between(), "--streams", `${uuid},${other}`, "--quiet"])
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${uuid} .* 1000 +1001  DIFFERS: count 1000 ≠ 1001`, "m"))
    expect(r.stdout).toMatch(new RegExp(`^${other} .* 1000 +1000  same$`, "m"))
    expect(r.stderr).toBe("btrdb: 1 stream of 2 differ on the target (listed above)\n")
  })
})
