import { type ChildProcess, spawn } from "node:child_process"

/**
 * Starts `btrdb serve` as a child process on a free port of 127.0.0.1 with `dataDir`, resolving once it prints
 * "listening on HOST:PORT". Its memory and crashes are its own, as a real server's are. From source, run by tsx;
 * with `built`, the compiled command (`bin/btrdb.js`, after `npm run build`), as an installed package runs it.
 */
export const serveProcess = (
  dataDir: string,
  options: { readonly built?: boolean } = {}
): Promise<{ child: ChildProcess; endpoint: string }> =>
  new Promise((resolve, reject) => {
    const command = options.built === true ? ["bin/btrdb.js"] : ["--import", "tsx", "src/cli/main.ts"]
    const child = spawn(process.execPath, [
      ...command,
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--data",
      dataDir
    ], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (d) => {
      out += d
      const match = /listening on (\S+)/.exec(out)
      if (match) resolve({ child, endpoint: match[1]! })
    })
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)))
  })
