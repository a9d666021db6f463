/**
 * `--help` on every command: in-process for each subcommand (fast), and once as a child process for the exit code.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { cli, SUBCOMMANDS } from "../../src/cli/root.js"
import { runCli } from "../support/cli.js"

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "")

const help = async (args: ReadonlyArray<string>): Promise<string> => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {})
  await Effect.runPromise(cli(["node", "btrdb", ...args, "--help"]).pipe(Effect.provide(NodeContext.layer)))
  return plain(log.mock.calls.map((c) => c.join(" ")).join("\n"))
}

afterEach(() => {
  vi.restoreAllMocks()
})

const expectedOptions: Record<string, ReadonlyArray<string>> = {
  demo: ["--data", "--minutes", "--rate", "--out", "--start"],
  insert: ["<stream>", "<file.csv>", "--merge", "--endpoint", "--api-key", "--profile"],
  values: ["<stream>", "--start", "--end", "--format", "--output"],
  windows: ["<stream>", "--width", "--start", "--end", "--format", "--output"],
  "aligned-windows": ["<stream>", "--pointwidth", "--width", "--format", "--output"],
  delete: ["<stream>", "--start", "--end"],
  obliterate: ["<stream>", "--yes", "Obliterate <uuid>? [y/N]"],
  plot: ["<stream>", "--start", "--end", "--output", "1000"]
}

describe("--help", () => {
  it("the root lists every command", async () => {
    const text = await help([])
    for (const name of SUBCOMMANDS) expect(text).toContain(`- ${name} `)
  })

  for (const name of SUBCOMMANDS) {
    it(`btrdb ${name} --help`, async () => {
      const text = await help([name])
      expect(text).toContain(`$ ${name}`)
      expect(text).toContain("DESCRIPTION")
      for (const option of expectedOptions[name] ?? []) expect(text).toContain(option)
    })
  }

  it("as a child process, exits 0 with the help on stdout", async () => {
    const r = await runCli(["aligned-windows", "--help"])
    expect(r.code).toBe(0)
    expect(plain(r.stdout)).toContain("--pointwidth")
  })
})
