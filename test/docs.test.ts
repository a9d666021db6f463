/**
 * Every symbol exported by the public entry points (`effect-btrdb` and `effect-btrdb/server`) has a doc comment with
 * an `@example`, so the API reference (`npm run docs`) shows one for each.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url))

const entryPoints = {
  "effect-btrdb": source("../src/index.ts"),
  "effect-btrdb/server": source("../src/server/index.ts")
}

const hasExample = (declaration: ts.Declaration): boolean =>
  ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === "example")

/** `Module.name` of every exported declaration without an `@example`, and how many declarations were checked. */
const missingExamples = (): { readonly checked: number; readonly missing: ReadonlyArray<string> } => {
  // Only the sources, without following imports into node_modules nor loading the libs: the exports are all that is
  // read, so this stays fast
  const program = ts.createProgram(ts.sys.readDirectory(source("../src"), [".ts"]), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noResolve: true,
    noLib: true,
    noEmit: true,
    types: []
  })
  const checker = program.getTypeChecker()
  const resolve = (symbol: ts.Symbol) => symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  const missing: Array<string> = []
  let checked = 0
  for (const [entry, file] of Object.entries(entryPoints)) {
    const sourceFile = program.getSourceFile(file)
    const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile)
    if (moduleSymbol === undefined) throw new Error(`cannot read ${file}`)
    for (const namespace of checker.getExportsOfModule(moduleSymbol)) {
      const module = resolve(namespace)
      for (const exported of checker.getExportsOfModule(module)) {
        const declarations = resolve(exported).getDeclarations() ?? []
        for (const declaration of new Set(declarations)) {
          checked++
          if (!hasExample(declaration)) {
            const kind = ts.SyntaxKind[declaration.kind]
            missing.push(`${entry}: ${namespace.name}.${exported.name} (${kind})`)
          }
        }
      }
    }
  }
  return { checked, missing }
}

describe("API reference", () => {
  it("every exported declaration of the public modules has a doc comment with an @example", () => {
    const { checked, missing } = missingExamples()
    expect(checked).toBeGreaterThan(50)
    expect(missing, `exported without an @example:\n${missing.join("\n")}`).toEqual([])
  })

  it("opens on the README: its tour and its examples, before the reference", () => {
    const out = mkdtempSync(join(tmpdir(), "btrdb-docs-"))
    try {
      execFileSync(process.execPath, [source("../node_modules/typedoc/bin/typedoc"), "--out", out], {
        cwd: source(".."),
        stdio: "pipe"
      })
      const landing = readFileSync(join(out, "index.html"), "utf8")
      for (const text of ["A tour", "Quick start", "Migrating from 0.1", "examples/connect.ts", "examples/retry.ts"]) {
        expect(landing).toContain(text)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
