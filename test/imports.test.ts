/**
 * `import "effect-btrdb"` loads the SDK and its wire, nothing more: not the storage engine, the embedded server or
 * PGlite (the memory layer loads them when it is built), nor `@effect/platform-node` (loaded when a configuration
 * file is read).
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The modules a fresh process resolves when it runs `script`, as paths relative to the project. */
const modulesLoadedBy = (script: string): ReadonlyArray<string> => {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", "./test/support/recordImports.mjs", "--input-type=module", "-e", script],
    { cwd: root, encoding: "utf8" }
  )
  if (child.status !== 0) throw new Error(`the script failed (${child.status}): ${child.stderr}`)
  return child.stderr.split("\n").filter((url) => url.startsWith("file://")).map((url) =>
    fileURLToPath(url).slice(root.length)
  )
}

const isEngine = (m: string) => m.startsWith("src/engine/")
const isServer = (m: string) => m.startsWith("src/server/")
const isPackage = (name: string) => (m: string) => m.startsWith(`node_modules/${name}/`)

describe("what an import loads", () => {
  it("import \"effect-btrdb\" loads no engine, server, PGlite or @effect/platform-node", () => {
    const loaded = modulesLoadedBy("await import(\"./src/index.ts\")")
    expect(loaded).toContain("src/services/BTrDB.ts")
    expect(loaded.filter(isEngine)).toEqual([])
    expect(loaded.filter(isServer)).toEqual([])
    expect(loaded.filter(isPackage("@electric-sql/pglite"))).toEqual([])
    expect(loaded.filter(isPackage("@effect/platform-node"))).toEqual([])
  })

  it("building layerMemory loads the engine, and the SDK works over it", () => {
    const loaded = modulesLoadedBy(
      "const { BTrDB } = await import(\"./src/index.ts\"); const { Effect } = await import(\"effect\");" +
        "const info = await Effect.runPromise(Effect.provide(BTrDB.BTrDB.use((db) => db.info), BTrDB.layerMemory()));" +
        "if (info.majorVersion !== 5) process.exit(3)"
    )
    expect(loaded).toContain("src/services/memory/MemoryBackend.ts")
    expect(loaded).toContain("src/engine/Database.ts")
  })
})
