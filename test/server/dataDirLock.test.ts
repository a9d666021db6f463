/**
 * One process per data directory: a second `btrdb serve` (or `btrdb demo`) on a directory in use exits non-zero with
 * one line naming the directory and the owner's pid while the owner keeps serving its data; a killed owner's lock
 * goes with it; within one process a second `Database.open`, `Server.start` or `EmbeddedServer.layer` on the same
 * directory is refused the same way, and `close()` gives the directory back.
 */
import { Context, Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { Database } from "../../src/engine/Database.js"
import { DirectoryInUseError, PID_FILE } from "../../src/engine/DirectoryLock.js"
import { BTrDB, Uuid } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { start } from "../../src/server/Server.js"
import { runCli } from "../support/cli.js"

const dirs: Array<string> = []
const children: Array<ChildProcess> = []
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })))
})

const tempDir = async (prefix: string) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

const refusal = (dir: string, pid: number | undefined) =>
  `the data directory ${dir} is in use by process ${pid} (one process at a time may open it)`

/** `btrdb serve` (from source) on 127.0.0.1:0 with `--data dir`, its stdout and stderr kept apart. */
const serve = (dir: string) => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", "--listen", "127.0.0.1:0", "--data", dir],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  children.push(child)
  let stdout = ""
  let stderr = ""
  child.stderr.on("data", (d) => (stderr += d))
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d
      const match = /listening on (\S+)/.exec(stdout)
      if (match) resolve(match[1]!)
    })
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return { child, listening, exited, stderr: () => stderr }
}

/** A batch of 500 points starting at `b * 500` µs. */
const batch = (b: number) => ({
  times: Array.from({ length: 500 }, (_, i) => BigInt(b * 500 + i) * 1000n),
  values: Array.from({ length: 500 }, (_, i) => b + i / 500)
})

const flat = (batches: ReadonlyArray<number>) => ({
  times: batches.flatMap((b) => batch(b).times),
  values: batches.flatMap((b) => batch(b).values)
})

/** Runs `f` with an SDK connection to `endpoint`. */
const withDb = <A, E>(endpoint: string, f: (db: BTrDB.Service) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint }), f)))

/** The points of stream `uuid` on `endpoint`, as plain arrays. */
const pointsOf = (endpoint: string, uuid: string) =>
  withDb(endpoint, (db) =>
    Effect.gen(function*() {
      const stream = yield* db.streamFromUuid(uuid)
      const read = yield* stream.valuesCollected({ start: 0n, end: 1n << 40n })
      return { times: [...read.times], values: [...read.values] }
    }))

describe("one process per data directory", () => {
  it("a second btrdb serve (or demo) on a directory in use exits 1 naming it and the owner, which serves on", async () => {
    const dir = await tempDir("btrdb-lock-")
    const uuid = Uuid.random()
    const first = serve(dir)
    const endpoint = await first.listening
    await withDb(endpoint, (db) =>
      Effect.gen(function*() {
        const stream = yield* db.create({ uuid, collection: "lock/test", tags: { name: "a" } })
        yield* stream.insert(batch(0))
      }))

    const [second, demo] = await Promise.all([
      runCli(["serve", "--listen", "127.0.0.1:0", "--data", dir]),
      runCli(["demo", "--data", dir, "--minutes", "1"])
    ])
    const line = `btrdb: could not start the BTrDB server: ${refusal(dir, first.child.pid)}\n`
    expect(second).toEqual({ code: 1, stdout: "", stderr: line })
    expect(demo.code).toBe(1)
    expect(demo.stderr).toBe(line)

    // the owner still answers, with its data, and takes writes
    expect(await pointsOf(endpoint, uuid)).toEqual(flat([0]))
    await withDb(endpoint, (db) => Effect.flatMap(db.streamFromUuid(uuid), (s) => s.insert(batch(1))))
    expect(await pointsOf(endpoint, uuid)).toEqual(flat([0, 1]))

    first.child.kill("SIGTERM")
    expect(await first.exited).toEqual({ code: 0, signal: null })
    expect(first.stderr()).toBe("") // no warning from node:sqlite either

    const restarted = serve(dir)
    try {
      expect(await pointsOf(await restarted.listening, uuid)).toEqual(flat([0, 1]))
    } finally {
      restarted.child.kill("SIGTERM")
    }
    expect(await restarted.exited).toEqual({ code: 0, signal: null })
  })

  it("the lock dies with its owner: after kill -9 the next btrdb serve starts at once, with the data", async () => {
    const dir = await tempDir("btrdb-lock-kill-")
    const uuid = Uuid.random()
    const first = serve(dir)
    const endpoint = await first.listening
    await withDb(endpoint, (db) =>
      Effect.gen(function*() {
        const stream = yield* db.create({ uuid, collection: "lock/kill", tags: { name: "k" } })
        yield* stream.insert(batch(0))
        yield* stream.flush
      }))
    expect(await fs.readFile(path.join(dir, PID_FILE), "utf8")).toBe(`${first.child.pid}\n`)
    first.child.kill("SIGKILL")
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" })

    const second = serve(dir)
    try {
      const endpoint2 = await second.listening
      expect(await fs.readFile(path.join(dir, PID_FILE), "utf8")).toBe(`${second.child.pid}\n`)
      expect(await pointsOf(endpoint2, uuid)).toEqual(flat([0]))
    } finally {
      second.child.kill("SIGTERM")
    }
    expect(await second.exited).toEqual({ code: 0, signal: null })
    await expect(fs.access(path.join(dir, PID_FILE))).rejects.toThrow() // a clean stop removes it
  })

  it("in one process, Database.open twice on a directory is refused until the first is closed", async () => {
    const dir = await tempDir("btrdb-lock-db-")
    const link = `${dir}-link`
    dirs.push(link)
    await fs.symlink(dir, link)
    const uuid = Uuid.random()

    const first = await Database.open({ dir })
    await first.create(uuid, "lock/db", [{ key: "name", value: "d" }], [])
    for (const other of [dir, `${dir}/`, link]) {
      const error = await Database.open({ dir: other }).then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(DirectoryInUseError)
      expect((error as DirectoryInUseError).message).toBe(refusal(path.resolve(other), process.pid))
      expect((error as DirectoryInUseError).code).toBe(426)
      expect((error as DirectoryInUseError).owner).toBe(process.pid)
    }
    // the refusals left the owner alone
    expect(first.streamInfo(uuid, false, true).descriptor?.collection).toBe("lock/db")
    await first.close()

    const again = await Database.open({ dir })
    try {
      expect(again.streamInfo(uuid, false, true).descriptor?.collection).toBe("lock/db")
    } finally {
      await again.close()
    }
    // in memory, nothing is locked
    const memory = [await Database.open(), await Database.open()]
    await Promise.all(memory.map((db) => db.close()))
  })

  it("in one process, a second EmbeddedServer.layer or Server.start on a directory in use fails with the message", async () => {
    const dir = await tempDir("btrdb-lock-server-")
    const options = { listen: "127.0.0.1:0", dataDir: dir, log: () => {} }
    const line = `could not start the BTrDB server: ${refusal(dir, process.pid)}`

    const { info, layerError, startError } = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const owner = Context.get(yield* Layer.build(EmbeddedServer.layer(options)), EmbeddedServer.EmbeddedServer)
      const layerError = yield* Effect.flip(Layer.build(EmbeddedServer.layer(options)))
      const startError = yield* Effect.promise(() => start(options).then(() => undefined, (e: Error) => e))
      const info = yield* Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint: owner.endpoint }), (db) => db.info))
      return { info, layerError, startError }
    })))
    expect(layerError.message).toBe(line)
    expect(startError?.message).toBe(refusal(dir, process.pid))
    expect(info.majorVersion).toBe(5)

    // the layer's scope closed: the directory is free again
    const server = await start(options)
    await server.close()
  })
})
