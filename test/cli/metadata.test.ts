/**
 * The metadata commands as child processes against an embedded server: their output, and one clear error line
 * with a non-zero exit when something goes wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, start } from "../../src/server/Server.js"
import { runCli } from "../support/cli.js"

let server: RunningServer
beforeAll(async () => {
  server = await start({ listen: "127.0.0.1:0", log: () => {} })
})
afterAll(() => server.close())

describe("btrdb metadata commands", () => {
  it("create, collections, streams with filters, sql and info", async () => {
    const at = ["--endpoint", server.endpoint]
    const created: Array<string> = []
    for (
      const [name, unit, place] of [["L1MAG", "volts", "north"], ["L2MAG", "volts", "south"], [
        "C1MAG",
        "amps",
        "north"
      ]]
    ) {
      const r = await runCli([
        "create",
        ...at,
        "--name",
        name!,
        "--unit",
        unit!,
        "--annotation",
        `place=${place}`,
        "grid/pmu1"
      ])
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      expect(r.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/)
      created.push(r.stdout.trim())
    }

    const collections = await runCli(["collections", ...at, "grid"])
    expect(collections.stdout).toBe("grid/pmu1\n")

    const volts = await runCli(["streams", ...at, "--tag", "unit=volts", "--annotation", "place=north", "grid/pmu1"])
    expect(volts.code).toBe(0)
    const lines = volts.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^uuid\s+collection\s+name\s+unit\s+annotations$/)
    expect(lines.slice(2, -1)).toEqual([
      expect.stringMatching(new RegExp(`^${created[0]}\\s+grid/pmu1\\s+L1MAG\\s+volts\\s+place=north$`))
    ])
    expect(lines.at(-1)).toBe("1 stream")

    const exact = await runCli(["streams", ...at, "grid"])
    expect(exact.stdout.trim().split("\n").at(-1)).toBe("0 streams")
    const prefixed = await runCli(["streams", ...at, "--prefix", "grid"])
    expect(prefixed.stdout.trim().split("\n").at(-1)).toBe("3 streams")

    const sql = await runCli(["sql", ...at, "SELECT name FROM streams WHERE unit = $1 ORDER BY name", "volts"])
    expect(sql.stdout).toBe(`{"name":"L1MAG"}\n{"name":"L2MAG"}\n`)

    const info = await runCli(["info", ...at])
    expect(info.stdout).toContain(`BTrDB 5.`)
    expect(info.stdout).toContain(`at ${server.endpoint}`)
  })

  it("an error is one line naming it, with a non-zero exit", async () => {
    const sql = await runCli(["sql", "--endpoint", server.endpoint, "DELETE FROM streams"])
    expect(sql.code).not.toBe(0)
    expect(sql.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^btrdb: SQLQuery: .*\[441\]$/)])

    const dup = await runCli(["create", "--endpoint", server.endpoint, "--name", "x", "--uuid", "not-a-uuid", "c"])
    expect(dup.code).not.toBe(0)
    expect(dup.stderr).toMatch(/^btrdb: create: invalid uuid: /)

    const nowhere = await runCli(["info"])
    expect(nowhere.code).not.toBe(0)
    expect(nowhere.stderr.trim()).toMatch(
      /^btrdb: Could not determine credentials to use: no endpoint given\. Set BTRDB_ENDPOINTS=host:port/
    )

    const fromEnv = await runCli(["collections"], { BTRDB_ENDPOINTS: server.endpoint })
    expect(fromEnv.code).toBe(0)
  })
})
