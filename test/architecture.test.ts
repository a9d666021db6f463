/**
 * The rooms of ARCHITECTURE.md and what each may import, checked on every import of every source file (type-only
 * imports included): a broken rule is a red build naming the file and the import.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const src = fileURLToPath(new URL("../src", import.meta.url))

type Room =
  | "entry"
  | "schema"
  | "errors"
  | "protocol"
  | "wire"
  | "transport"
  | "engine"
  | "services"
  | "memory"
  | "server"
  | "cli"

/** The room of a file, by its path under src. */
const roomOf = (file: string): Room => {
  if (file.startsWith("internal/grpc/generated/")) return "wire"
  if (file.startsWith("internal/grpc/")) return "transport"
  if (file.startsWith("internal/")) return "protocol"
  if (file.startsWith("services/memory/")) return "memory"
  for (const room of ["schema", "errors", "engine", "services", "server", "cli"] as const) {
    if (file.startsWith(`${room}/`)) return room
  }
  return "entry"
}

/** What each room may import statically, besides itself and Node's built-in modules. */
const ALLOWED: Record<Room, ReadonlyArray<Room | `package:${string}`>> = {
  entry: ["services", "schema", "errors"],
  protocol: ["wire", "package:apache-arrow"],
  wire: ["package:@grpc/grpc-js", "package:@grpc/proto-loader"],
  schema: ["protocol", "package:effect"],
  errors: ["schema", "protocol", "transport", "package:effect"],
  transport: [
    "protocol",
    "wire",
    "errors",
    "schema",
    "package:effect",
    "package:@grpc/grpc-js",
    "package:@grpc/proto-loader"
  ],
  engine: ["protocol", "package:apache-arrow", "package:@electric-sql/pglite"],
  services: ["transport", "protocol", "schema", "errors", "package:effect", "package:apache-arrow", "package:yaml"],
  memory: ["services", "engine", "protocol", "schema", "errors", "package:effect"],
  server: ["engine", "transport", "protocol", "wire", "errors", "services", "package:@grpc/grpc-js", "package:effect"],
  cli: [
    "entry",
    "services",
    "server",
    "engine",
    "schema",
    "errors",
    "protocol",
    "package:effect",
    "package:@effect/platform-node",
    "package:@grpc/grpc-js",
    "package:apache-arrow"
  ]
}

/** What a room may load only when it is used (a dynamic `import()`), so that importing it does not load them. */
const LAZY: Partial<Record<Room, ReadonlyArray<Room | `package:${string}`>>> = {
  services: ["memory", "package:@effect/platform-node"]
}

interface Import {
  readonly from: string
  readonly specifier: string
  readonly dynamic: boolean
}

const importsOf = (file: string): Array<Import> => {
  const source = ts.createSourceFile(file, readFileSync(path.join(src, file), "utf8"), ts.ScriptTarget.Latest)
  const found: Array<Import> = []
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ from: file, specifier: node.moduleSpecifier.text, dynamic: false })
    } else if (
      ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ from: file, specifier: node.arguments[0].text, dynamic: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** What an import reaches: a room, a package, or a Node built-in (undefined). */
const targetOf = ({ from, specifier }: Import): Room | `package:${string}` | undefined => {
  if (specifier.startsWith(".")) {
    return roomOf(path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)))
  }
  if (specifier.startsWith("node:")) return undefined
  const parts = specifier.split("/")
  return `package:${specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`
}

const files = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.split(path.sep).join("/"))
  .sort()

describe("ARCHITECTURE.md: what each room may import", () => {
  it("every import of every source file follows the rules", () => {
    const broken: Array<string> = []
    for (const file of files) {
      const room = roomOf(file)
      for (const imp of importsOf(file)) {
        const target = targetOf(imp)
        if (target === undefined || target === room) continue
        const allowed = imp.dynamic ? [...ALLOWED[room], ...(LAZY[room] ?? [])] : ALLOWED[room]
        if (!allowed.includes(target)) {
          broken.push(`${file} (${room}) imports ${imp.specifier} (${target})${imp.dynamic ? " dynamically" : ""}`)
        }
      }
    }
    expect(broken).toEqual([])
  })

  it("the rules see every room", () => {
    expect(new Set(files.map(roomOf))).toEqual(new Set(Object.keys(ALLOWED)))
  })
})

describe("declarations", () => {
  // the build strips @internal declarations (stripInternal): a module's opening comment belongs to its first
  // statement, so an @internal there would strip that import or export from the published .d.ts
  it("no module's opening comment carries @internal", () => {
    const marked = files.filter((file) => {
      const text = readFileSync(path.join(src, file), "utf8")
      return text.startsWith("/**") && text.slice(0, text.indexOf("*/")).includes("@internal")
    })
    expect(marked).toEqual([])
  })
})
