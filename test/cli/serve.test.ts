/**
 * `btrdb serve` as a child process: prints "listening on HOST:PORT" once it accepts calls, serves the SDK, and
 * shuts down cleanly on SIGTERM and SIGINT.
 */
import { Effect, Redacted } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BTrDB, Uuid } from "../../src/index.js"

const serve = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", ...args], {
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

describe("btrdb serve", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`serves the SDK and stops cleanly on ${signal}`, async () => {
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
      const info = (apiKey: string) =>
        Effect.runPromise(
          Effect.flip(
            Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint, apiKey: Redacted.make(apiKey) }), (db) => db.info))
          )
            .pipe(Effect.map((e) => e._tag), Effect.orElseSucceed(() => "ok"))
        )
      expect(await info("from-a-file")).toBe("ok")
      expect(await info("wrong")).toBe("Unauthenticated")
      server.child.kill("SIGTERM")
      expect(await server.exited).toBe(0)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it("--help describes the options", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--help"])
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    const code = await new Promise((resolve) => child.on("exit", resolve))
    expect(code).toBe(0)
    expect(out).toContain("--listen")
    expect(out).toContain("--data")
    expect(out).toContain("--api-key")
    expect(out).toContain("--tls-cert")
  })
})
