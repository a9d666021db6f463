/**
 * `--help` on every command: in-process for each subcommand (fast), and as child processes for the exit codes,
 * the streams the text goes to and its colours.
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Console, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { cli, SUBCOMMANDS } from "../../src/cli/root.js"
import { runCli } from "../support/cli.js"

const ANSI = /\x1b\[[0-9;]*m/g
const plain = (s: string) => s.replace(ANSI, "")

/** The text `btrdb <args> --help` prints, run in-process. */
const help = async (args: ReadonlyArray<string>): Promise<string> => {
  const lines: Array<string> = []
  const console: Console.Console = Object.assign(Object.create(globalThis.console), {
    log: (...parts: ReadonlyArray<unknown>) => lines.push(parts.join(" "))
  })
  await Effect.runPromise(
    cli([...args, "--help"]).pipe(Effect.provideService(Console.Console, console), Effect.provide(NodeServices.layer))
  )
  return plain(lines.join("\n"))
}

/** The lines of the section headed `title` (up to the next blank line). */
const section = (text: string, title: string): ReadonlyArray<string> => {
  const lines = text.split("\n")
  const start = lines.indexOf(title)
  if (start < 0) return []
  const end = lines.indexOf("", start)
  return lines.slice(start + 1, end < 0 ? undefined : end)
}

const CONNECTION = ["--endpoint", "--api-key", "--profile"]

type Name = (typeof SUBCOMMANDS)[number]

/** What each command's help lists: its arguments (also `<name>` in the usage line) and its flags, in order. */
const expected: Record<Name, { readonly args?: ReadonlyArray<string>; readonly flags: ReadonlyArray<string> }> = {
  serve: {
    flags: ["--listen", "--data", "--api-key", "--api-key-file", "--tls-cert", "--tls-key", "--enable-fault-injection"]
  },
  demo: { flags: ["--data", "--minutes", "--rate", "--out", "--start"] },
  verify: { flags: ["--data"] },
  du: { flags: ["--data", "--format"] },
  backup: { flags: [...CONNECTION, "--data", "--to"] },
  copy: {
    flags: [
      "--from",
      "--from-api-key",
      "--to",
      "--to-api-key",
      "--collection",
      "--streams",
      "--concurrency",
      "--merge",
      "--quiet"
    ]
  },
  distil: { flags: [] },
  info: { flags: CONNECTION },
  collections: { args: ["prefix"], flags: CONNECTION },
  streams: { args: ["collection"], flags: [...CONNECTION, "--prefix", "--tag", "--annotation"] },
  create: { args: ["collection"], flags: [...CONNECTION, "--name", "--unit", "--uuid", "--annotation"] },
  sql: { args: ["statement", "param..."], flags: CONNECTION },
  insert: { args: ["stream", "file.csv"], flags: [...CONNECTION, "--merge", "--skip-bad"] },
  values: { args: ["stream"], flags: [...CONNECTION, "--start", "--end", "--format", "--output, -o"] },
  windows: {
    args: ["stream"],
    flags: [...CONNECTION, "--start", "--end", "--width", "--empty", "--format", "--output, -o"]
  },
  "aligned-windows": {
    args: ["stream"],
    flags: [...CONNECTION, "--start", "--end", "--pointwidth", "--width", "--format", "--output, -o"]
  },
  export: {
    flags: [...CONNECTION, "--collection", "--start", "--end", "--window", "--stat", "--format", "--out, -o"]
  },
  delete: { args: ["stream"], flags: [...CONNECTION, "--start", "--end"] },
  obliterate: { args: ["stream"], flags: [...CONNECTION, "--yes, -y"] },
  plot: { args: ["stream"], flags: [...CONNECTION, "--start", "--end", "--output, -o"] }
}

/** Phrases of the descriptions that must reach the help text. */
const phrases: Partial<Record<Name, ReadonlyArray<string>>> = {
  serve: ["BTRDB_SERVER_API_KEY", "port 0 picks a free port"],
  verify: ["Refused while a server has the directory open", "must not be in use"],
  du: ["(choices: table, json)", "Refused while a server has the directory open"],
  backup: ["a new or empty directory (refused otherwise)", "while a server may be serving it"],
  copy: ["without duplicating a point", "refused unless --merge", "comma-separated or repeated"],
  insert: ["never (keep both, BTrDB's default)", "(choices: never, equal, retain, replace)", "- for stdin"],
  values: ["(choices: csv, json)"],
  obliterate: ["Obliterate <uuid>? [y/N]"],
  plot: ["about 1000 points"]
}

describe("--help", () => {
  it("the root lists every command with its description, and the usage names the subcommand", async () => {
    const text = await help([])
    expect(section(text, "USAGE")).toEqual(["  btrdb <subcommand> [flags]"])
    const listed = section(text, "SUBCOMMANDS").map((line) => line.trim().split(/\s+/)[0])
    expect(listed).toEqual([...SUBCOMMANDS])
    expect(text).toContain("  serve              Run the embedded BTrDB server")
  })

  for (const name of SUBCOMMANDS) {
    it(`btrdb ${name} --help`, async () => {
      const text = await help([name])
      const { args = [], flags } = expected[name]
      expect(section(text, "DESCRIPTION")).toHaveLength(1)
      const [usage] = section(text, "USAGE")
      expect(usage).toMatch(new RegExp(`^  btrdb ${name} (<subcommand> )?\\[flags\\]`))
      for (const arg of args) {
        expect(usage).toContain(`<${arg}>`)
        expect(section(text, "ARGUMENTS").some((line) => line.startsWith(`  ${arg} `))).toBe(true)
      }
      if (args.length === 0) expect(text).not.toContain("ARGUMENTS")
      const listed = section(text, "FLAGS").map((line) => /^ {2}(--?[\w-]+(?:, --?[\w-]+)*)/.exec(line)?.[1])
      expect(listed).toEqual(flags)
      for (const phrase of phrases[name] ?? []) expect(text).toContain(phrase)
    })
  }

  it("as a child process, exits 0 with the help on stdout, without colours unless forced (and not with NO_COLOR)", async () => {
    const [piped, forced, noColor] = await Promise.all([
      runCli(["aligned-windows", "--help"], { FORCE_COLOR: undefined, NO_COLOR: undefined }),
      runCli(["--help"], { FORCE_COLOR: "1", NO_COLOR: undefined }),
      runCli(["--help"], { FORCE_COLOR: "1", NO_COLOR: "1" })
    ])
    for (const r of [piped, forced, noColor]) expect(r.code, r.stderr).toBe(0)
    expect(piped.stdout).toContain("--pointwidth")
    expect(piped.stdout).toContain("USAGE\n  btrdb aligned-windows [flags] <stream>\n")
    expect(piped.stdout).not.toMatch(ANSI)
    expect(piped.stderr).toBe("")
    expect(forced.stdout).toMatch(ANSI)
    expect(plain(forced.stdout)).toContain("SUBCOMMANDS")
    expect(noColor.stdout).not.toMatch(ANSI)
    expect(noColor.stdout).toBe(plain(forced.stdout))
  })

  it("a usage error prints the help on stdout and what is wrong on stderr, and exits non-zero", async () => {
    const [missing, unknown, bad] = await Promise.all([
      runCli(["windows", "cli/x"]),
      runCli(["bogus"]),
      runCli(["values", "cli/x", "--format", "xml"])
    ])
    for (const r of [missing, unknown, bad]) {
      expect(r.code).not.toBe(0)
      expect(r.stderr).not.toContain("btrdb:")
    }
    expect(missing.stdout).toContain("USAGE\n  btrdb windows [flags] <stream>\n")
    expect(missing.stderr).toContain("Missing required flag: --width")
    expect(unknown.stdout).toContain("USAGE\n  btrdb <subcommand> [flags]\n")
    expect(unknown.stderr).toContain(`Unknown subcommand "bogus" for "btrdb"`)
    expect(bad.stdout).toContain("USAGE\n  btrdb values [flags] <stream>\n")
    expect(bad.stderr).toContain(`Invalid value for flag --format: "xml"`)
  })
})
