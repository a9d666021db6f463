/**
 * The package as users get it: `npm pack`'s tarball holds the build, the sources its maps point at, the proto, the
 * LICENSE and the README, and nothing of the tests; installed into an empty project with its peers, a strict
 * TypeScript app using it type-checks, runs (an embedded server, a plain-string API key, windows, an error caught by
 * tag) and finds the `btrdb` command. The install takes what `npm ci` left in npm's cache first.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import pkg from "../package.json" with { type: "json" }

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, "..")
let dir = ""
let tarball = ""
const app = () => path.join(dir, "app")
const installed = () => path.join(app(), "node_modules", "effect-btrdb")

const APP = `import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Layer } from "effect"
import { BTrDB, Uuid } from "effect-btrdb"
import { EmbeddedServer } from "effect-btrdb/server"

const program = Effect.gen(function*() {
  const db = yield* BTrDB.BTrDB
  const stream = yield* db.create({ uuid: Uuid.random(), collection: "app/site", tags: { name: "v", unit: "volts" } })
  yield* stream.insert({ times: BigInt64Array.of(1n, 2n, 3n, 9n), values: Float64Array.of(1, 2, 6, 5) })
  const w = yield* stream.windowsCollected({ start: 0n, end: 12n, width: 4n, empty: "nan" })
  yield* Console.log(\`means \${Array.from(w.mean).join(" ")} counts \${Array.from(w.count).join(" ")}\`)
  const missing = yield* db.streams("app/site/none").pipe(
    Effect.as("found"),
    Effect.catchTag("StreamNotFound", (e) => Effect.succeed(\`caught \${e._tag}\`))
  )
  yield* Console.log(missing)
})

const Live = Layer.unwrap(
  Effect.map(EmbeddedServer.EmbeddedServer, (server) => BTrDB.layer({ endpoint: server.endpoint, apiKey: "k" }))
).pipe(Layer.provideMerge(EmbeddedServer.layer({ listen: "127.0.0.1:0", apiKey: "k" })))

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
`

/**
 * A library module that exports values whose types are inferred from the SDK's: its declarations must name every
 * such type through the package's own exports (without them, tsc fails with TS2742).
 */
const LIB = `import { Effect } from "effect"
import { BTrDB, Stream, StreamSet } from "effect-btrdb"
import { EmbeddedServer } from "effect-btrdb/server"

export const find = Effect.gen(function*() {
  const db = yield* BTrDB.BTrDB
  return yield* db.streams("app/site/v")
})
export const read = (s: Stream.Stream) => s.valuesCollected({ start: 0n, end: 10n })
export const windows = (s: Stream.Stream) => s.windows({ start: 0n, end: 10n, width: 2n })
export const rows = (set: StreamSet.StreamSet) => set.rows()
export const exists = (s: Stream.Stream) => s.tags.pipe(Effect.catchTag("StreamNotFound", () => Effect.succeed({})))
export const memory = BTrDB.layerMemory()
export const server = EmbeddedServer.layer({ listen: "127.0.0.1:0" })
`

const TSCONFIG = {
  compilerOptions: {
    declaration: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: ["node"],
    outDir: "dist",
    rootDir: "src"
  },
  include: ["src"]
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-package-"))
  const packed = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, maxBuffer: 1 << 26 })
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
  tarball = path.join(dir, info!.filename)
  await fs.mkdir(path.join(app(), "src"), { recursive: true })
  await fs.writeFile(path.join(app(), "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  await fs.writeFile(path.join(app(), "tsconfig.json"), JSON.stringify(TSCONFIG))
  await fs.writeFile(path.join(app(), "src", "main.ts"), APP)
  await fs.writeFile(path.join(app(), "src", "lib.ts"), LIB)
  await run("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    tarball,
    `effect@${pkg.devDependencies.effect}`,
    `@effect/platform-node@${pkg.devDependencies["@effect/platform-node"]}`,
    `typescript@${pkg.devDependencies.typescript}`,
    `@types/node@${pkg.devDependencies["@types/node"]}`
  ], { cwd: app(), maxBuffer: 1 << 26 })
}, 300_000)

afterAll(async () => {
  if (dir !== "") await fs.rm(dir, { recursive: true, force: true })
})

/** Every file under `top`, relative to it. */
const filesUnder = async (top: string): Promise<Array<string>> =>
  (await fs.readdir(top, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(top, path.join(e.parentPath, e.name)))

describe("the packed package", () => {
  it("holds the build, the sources of its maps, the proto, LICENSE and README, and no tests", async () => {
    const files = await filesUnder(installed())
    for (const f of ["LICENSE", "README.md", "package.json", "bin/btrdb.js", "proto/btrdb.proto", "dist/index.js"]) {
      expect(files, f).toContain(f)
    }
    expect(files).toContain("dist/index.d.ts")
    expect(files).toContain("src/index.ts")
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("bench/") || f.includes(".test."))).toEqual([])
    const license = await fs.readFile(path.join(installed(), "LICENSE"), "utf8")
    expect(license).toMatch(/^MIT License\n/)
    expect(pkg.license).toBe("MIT")
  })

  it("every source map (.js.map and .d.ts.map) points at files the package holds", async () => {
    const maps = (await filesUnder(installed())).filter((f) => f.endsWith(".map"))
    expect(maps.length).toBeGreaterThan(100)
    const missing: Array<string> = []
    for (const map of maps) {
      const { sources } = JSON.parse(await fs.readFile(path.join(installed(), map), "utf8")) as { sources: string[] }
      expect(sources.length, map).toBeGreaterThan(0)
      for (const source of sources) {
        const target = path.resolve(path.dirname(path.join(installed(), map)), source)
        if (!target.startsWith(installed() + path.sep) || !(await fs.stat(target).catch(() => null))) {
          missing.push(`${map} → ${source}`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it("a strict TypeScript app using it type-checks and runs", async () => {
    const tsc = path.join(app(), "node_modules", "typescript", "bin", "tsc")
    await run(process.execPath, [tsc, "-p", "."], { cwd: app() })
    const { stdout } = await run(process.execPath, ["dist/main.js"], { cwd: app() })
    expect(stdout).toBe("means 3 NaN 5 counts 3 0 1\ncaught StreamNotFound\n")
    // the declarations of inferred types name them through the package's exports, never its files
    const declarations = await fs.readFile(path.join(app(), "dist", "lib.d.ts"), "utf8")
    expect(declarations).toContain("import(\"effect-btrdb/Points\").Points")
    expect(declarations).not.toContain("node_modules")
  })

  it("puts the btrdb command in node_modules/.bin", async () => {
    const { stdout } = await run(process.execPath, [path.join(app(), "node_modules", ".bin", "btrdb"), "--version"], {
      cwd: app()
    })
    expect(stdout.trim()).toBe(`btrdb v${pkg.version}`)
  })
})
