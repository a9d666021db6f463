import { Effect } from "effect"
import { spawn } from "node:child_process"
import { BTrDB } from "../../src/index.js"

/**
 * Runs the `btrdb` command (from source) to completion, with `env` added to the environment (`undefined` removes)
 * and `input`, when given, on its standard input.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {},
  input?: string
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_PROFILE: "", ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (d) => (stdout += d))
    child.stderr!.on("data", (d) => (stderr += d))
    child.on("exit", (code) => resolve({ code, stdout, stderr }))
    child.stdin?.end(input)
  })

/**
 * A limiter letting at most two of the functions given to it run at once: each `btrdb` child process costs about 2 s
 * of CPU starting up, on 2 shared cores.
 */
export const twoAtATime = () => {
  let running = 0
  const waiting: Array<() => void> = []
  return async <A>(f: () => Promise<A>): Promise<A> => {
    if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await f()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

/** Runs `effect` with the SDK connected to `endpoint`. */
export const sdkAt = (endpoint: string) => <A, E>(effect: Effect.Effect<A, E, BTrDB.BTrDB>): Promise<A> =>
  Effect.runPromise(effect.pipe(Effect.provide(BTrDB.layer({ endpoint }))))

/** The points of the stream named by `identifier` (a uuid or `collection/name`) at `endpoint`, as pairs. */
export const pointsAt = (endpoint: string, identifier: string) =>
  sdkAt(endpoint)(Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const set = yield* db.streams(identifier)
    const p = yield* set.streams[0]!.valuesCollected()
    return Array.from(p.times, (t, i) => [t, p.values[i]!] as const)
  }))
