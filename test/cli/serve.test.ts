/**
 * `btrdb serve` as a child process: prints "listening on HOST:PORT" once it accepts calls, serves the SDK, and
 * shuts down cleanly, exiting 0, on SIGTERM and SIGINT, and when the process that started it exits (`npx`); its API
 * key, fault injection and failures.
 */
import { Effect, Redacted } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"
import { runCli } from "../support/cli.js"
import { rawClient } from "../support/rawClient.js"

/** Runs `btrdb serve <args>` with `env` (and no BTRDB_SERVER_API_KEY unless `env` has one). */
const serve = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const { BTRDB_SERVER_API_KEY: _, ...inherited } = process.env
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", ...args], {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = /listening on (\S+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, listening, exited, output: () => output }
}

/** The tag of the error `Info` fails with when called with `apiKey`, or "ok". */
const infoWith = (endpoint: string, apiKey: string) =>
  Effect.runPromise(
    Effect.flip(Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint, apiKey: Redacted.make(apiKey) }), (db) => db.info)))
      .pipe(Effect.map((e) => e._tag), Effect.orElseSucceed(() => "ok"))
  )

/** The status code FaultInject answers a request to clear the planned faults with (0 when it is enabled). */
const clearFaults = async (endpoint: string) => {
  const client = rawClient(endpoint)
  try {
    const response = await client.unary("FaultInject", { type: "0", params: Buffer.from("{}") })
    return response.stat?.code ?? 0
  } finally {
    client.close()
  }
}

/** The pids of the live processes descending from `root` (zombies left out), with their command lines. */
const descendants = (root: number): Array<{ pid: number; args: string }> => {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), zombie: m[3]!.startsWith("Z"), args: m[4]! }))
  const found: Array<{ pid: number; args: string }> = []
  const visit = (parent: number) => {
    for (const p of table) {
      if (p.ppid !== parent) continue
      if (!p.zombie) found.push({ pid: p.pid, args: p.args })
      visit(p.pid)
    }
  }
  visit(root)
  return found
}

/** Whether `pid` is a live process (a zombie is not). */
const alive = (pid: number) => {
  try {
    return !execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim().startsWith("Z")
  } catch {
    return false
  }
}

/** Whether a server can listen on `port` of 127.0.0.1 (no one else is). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer()
    probe.once("error", () => resolve(false))
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)))
  })

/** Polls `check` every 100 ms for up to `ms`; whether it came true. */
const eventually = async (check: () => boolean | Promise<boolean>, ms: number) => {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return check()
}

describe("btrdb serve", () => {
  it("run through npx, it stops with npx on SIGTERM (npm passes it only to its shell), freeing the port", async () => {
    // `npx btrdb serve` runs the built dist/cli/main.js as npm exec -> sh -c btrdb -> node; this is the same chain
    // from source
    const npx = spawn(
      "npx",
      ["--no", "--", "node", "--import", "tsx", "src/cli/main.ts", "serve", "--listen", "127.0.0.1:0"],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    npx.stdout.on("data", (d) => (output += d))
    npx.stderr.on("data", (d) => (output += d))
    const npxExited = new Promise<void>((resolve) => npx.on("exit", () => resolve()))
    let tree: Array<{ pid: number; args: string }> = []
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        npx.stdout.on("data", () => {
          const match = /listening on (\S+)/.exec(output)
          if (match) resolve(match[1]!)
        })
        npx.on("exit", (code) => reject(new Error(`npx exited with ${code}: ${output}`)))
      })
      const port = Number(endpoint.split(":")[1])
      tree = descendants(npx.pid!)
      // the node process, not the shell whose command line names it too
      const servers = tree.filter((p) => /^\S*node .*src\/cli\/main\.ts serve/.test(p.args))
      expect(servers).toHaveLength(1)
      const serverPid = servers[0]!.pid
      expect(await portFree(port)).toBe(false)

      npx.kill("SIGTERM")
      await npxExited
      expect(await eventually(() => !alive(serverPid), 5_000)).toBe(true)
      expect(await eventually(() => portFree(port), 2_000)).toBe(true)
      // shut down as on SIGTERM, its output still reaching the pipe npx shared with it
      expect(await eventually(() => output.includes("btrdb server stopped"), 2_000)).toBe(true)
      expect(output).not.toContain("btrdb:")
      expect(tree.filter((p) => alive(p.pid))).toEqual([])
    } finally {
      for (const p of tree) if (alive(p.pid)) process.kill(p.pid, "SIGKILL")
      npx.kill("SIGKILL")
    }
  })

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`serves the SDK and stops cleanly on ${signal}, exiting 0`, async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-"))
      try {
        const server = serve(["--listen", "127.0.0.1:0", "--data", dataDir])
        const endpoint = await server.listening
        expect(endpoint).toMatch(/^127\.0\.0\.1:\d+$/)
        const collection = await Effect.runPromise(
          Effect.gen(function*() {
            const db = yield* BTrDB.BTrDB
            const s = yield* db.create({ uuid: Uuid.random(), collection: "cli/test", tags: { name: "x" } })
            return yield* s.collection
          }).pipe(Effect.provide(BTrDB.layer({ endpoint })))
        )
        expect(collection).toBe("cli/test")
        server.child.kill(signal)
        expect(await server.exited).toBe(0)
        expect(server.output()).toContain("btrdb server stopped")
        expect(server.output()).not.toContain("btrdb:")
      } finally {
        await fs.rm(dataDir, { recursive: true, force: true })
      }
    })
  }

  it("--api-key-file takes the key from a file, keeping it off the command line", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-key-"))
    try {
      await fs.writeFile(path.join(dir, "key"), "from-a-file\n")
      const server = serve(["--listen", "127.0.0.1:0", "--api-key-file", path.join(dir, "key")])
      const endpoint = await server.listening
      expect(await infoWith(endpoint, "from-a-file")).toBe("ok")
      expect(await infoWith(endpoint, "wrong")).toBe("Unauthenticated")
      server.child.kill("SIGTERM")
      expect(await server.exited).toBe(0)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it("--api-key, else BTRDB_SERVER_API_KEY, is the key; --api-key wins", async () => {
    const fromFlag = serve(["--listen", "127.0.0.1:0", "--api-key", "from-the-flag"], {
      BTRDB_SERVER_API_KEY: "from-the-env"
    })
    const fromEnv = serve(["--listen", "127.0.0.1:0"], { BTRDB_SERVER_API_KEY: "from-the-env" })
    const [flagEndpoint, envEndpoint] = await Promise.all([fromFlag.listening, fromEnv.listening])
    expect(await infoWith(flagEndpoint, "from-the-flag")).toBe("ok")
    expect(await infoWith(flagEndpoint, "from-the-env")).toBe("Unauthenticated")
    expect(await infoWith(envEndpoint, "from-the-env")).toBe("ok")
    expect(await infoWith(envEndpoint, "wrong")).toBe("Unauthenticated")
    // and the client commands send theirs from --api-key, else BTRDB_API_KEY
    const [byFlag, byEnv, wrong] = await Promise.all([
      runCli(["info", "--endpoint", envEndpoint, "--api-key", "from-the-env"]),
      runCli(["info"], { BTRDB_ENDPOINTS: envEndpoint, BTRDB_API_KEY: "from-the-env" }),
      runCli(["info", "--endpoint", envEndpoint, "--api-key", "wrong"])
    ])
    expect(byFlag.code, byFlag.stderr).toBe(0)
    expect(byEnv.code, byEnv.stderr).toBe(0)
    expect(byEnv.stdout).toContain(`at ${envEndpoint}`)
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/^btrdb: .*\n$/)
    expect(wrong.stderr).not.toContain("wrong")
    fromFlag.child.kill("SIGTERM")
    fromEnv.child.kill("SIGTERM")
    expect(await Promise.all([fromFlag.exited, fromEnv.exited])).toEqual([0, 0])
    expect(fromFlag.output() + fromEnv.output()).not.toContain("from-the-")
  })

  it("--enable-fault-injection is off unless given: FaultInject answers 424 without it", async () => {
    const plain = serve(["--listen", "127.0.0.1:0"])
    const faulty = serve(["--listen", "127.0.0.1:0", "--enable-fault-injection"])
    const [plainEndpoint, faultyEndpoint] = await Promise.all([plain.listening, faulty.listening])
    expect(await clearFaults(plainEndpoint)).toBe(424)
    expect(await clearFaults(faultyEndpoint)).toBe(0)
    plain.child.kill("SIGINT")
    faulty.child.kill("SIGINT")
    expect(await Promise.all([plain.exited, faulty.exited])).toEqual([0, 0])
  })

  it("fails with one line and a non-zero exit when it cannot start", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-cli-tls-"))
    try {
      await fs.writeFile(path.join(dir, "cert.pem"), "not a certificate\n")
      const r = await runCli(["serve", "--listen", "127.0.0.1:0", "--tls-cert", path.join(dir, "cert.pem")])
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe("btrdb: --tls-cert and --tls-key go together\n")
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it("a port already in use gives one line naming it, and no grpc log line", async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    try {
      const port = (taken.address() as net.AddressInfo).port
      const r = await runCli(["serve", "--listen", `127.0.0.1:${port}`])
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe(
        `btrdb: could not start the BTrDB server: 127.0.0.1:${port} is already in use (another process is listening` +
          ` there); choose another port, or stop that process\n`
      )
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it("--help describes the options", async () => {
    const r = await runCli(["serve", "--help"])
    expect(r.code).toBe(0)
    const flags = [
      "--listen",
      "--data",
      "--api-key",
      "--api-key-file",
      "--tls-cert",
      "--tls-key",
      "--enable-fault-injection"
    ]
    for (const flag of flags) expect(r.stdout).toContain(flag)
  })
})
