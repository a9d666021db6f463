import { spawn } from "node:child_process"

/** Runs the `btrdb` command (from source) to completion, with `env` added to the environment (`undefined` removes). */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_PROFILE: "", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("exit", (code) => resolve({ code, stdout, stderr }))
  })
