/**
 * The message and service types in src/internal/grpc/generated are what `npm run proto:gen` makes from
 * proto/btrdb.proto today (regenerate and commit them when the proto changes), and they cover exactly the RPCs the
 * client and the server know.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { RPC_NAMES } from "../src/internal/grpc/proto.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const committed = path.join(root, "src/internal/grpc/generated")
const scratch = mkdtempSync(path.join(tmpdir(), "btrdb-gen-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()

describe("generated wire types", () => {
  it("are what npm run proto:gen makes from proto/btrdb.proto", () => {
    const script: string = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts["proto:gen"]
    const [command, ...args] = script.split(/\s+/)
    expect(command).toBe("proto-loader-gen-types")
    const outDir = `--outDir=${path.relative(root, committed)}`
    expect(args).toContain(outDir)
    execFileSync(
      path.join(root, "node_modules/.bin/proto-loader-gen-types"),
      args.map((a) => a === outDir ? `--outDir=${scratch}` : a),
      { cwd: root, stdio: "pipe" }
    )
    const files = filesUnder(scratch)
    expect(filesUnder(committed), "stale: run npm run proto:gen and commit the result").toEqual(files)
    for (const file of files) {
      expect(readFileSync(path.join(committed, file), "utf8"), `${file} is stale: run npm run proto:gen`).toBe(
        readFileSync(path.join(scratch, file), "utf8")
      )
    }
  })

  it("declare exactly the RPCs of RPC_NAMES", () => {
    const source = readFileSync(path.join(committed, "v5api/BTrDB.ts"), "utf8")
    const body = source.slice(source.indexOf("export interface BTrDBDefinition"))
    const declared = [...body.matchAll(/^ {2}(\w+): MethodDefinition</gm)].map((m) => m[1])
    expect(declared.sort()).toEqual([...RPC_NAMES].sort())
  })
})
