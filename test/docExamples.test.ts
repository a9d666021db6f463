/**
 * Every ```ts block in the doc comments of `src` (each `@example`, and the module overviews) type-checks, so the
 * API reference shows no example that would not compile.
 *
 * Each block becomes a small module of its own, the {@link preamble} followed by the block, and all of them are
 * checked in one TypeScript program with the options of tsconfig.json (its `paths` resolve `effect-btrdb` and
 * `effect-btrdb/server` to the sources), except that unused locals and parameters are allowed: an example often
 * binds a value only to show its type. A block is the top level of a module: an example that uses `yield*` wraps
 * its body in `Effect.gen(function*() { … })` itself, as a user copying it would have to.
 */
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

/**
 * What every example may use without importing or declaring it: the SDK namespaces, the effect modules the examples
 * use most, `it` of `@effect/vitest`, and three handles the examples act on: a connection (`db`), a stream (`stream`)
 * and a stream set (`set`). `Stream` is effect's module and `BTrDBStream` the SDK's, as the README advises. An
 * example that imports or declares one of these names at its top level gets its own instead of the preamble's.
 * Anything else an example uses, it imports or defines itself.
 */
const preamble: ReadonlyArray<{ readonly name: string; readonly line: string }> = [
  ...[
    "BTrDB",
    "BTrDBStream",
    "Config",
    "Copy",
    "Distiller",
    "Errors",
    "Metadata",
    "Points",
    "Retry",
    "ServerInfo",
    "StreamSet",
    "Time",
    "Uuid",
    "Writer"
  ]
    .map((name) => ({ name, line: `import { ${name} } from "effect-btrdb"` })),
  ...["EmbeddedServer", "Server"].map((name) => ({ name, line: `import { ${name} } from "effect-btrdb/server"` })),
  ...["Console", "Duration", "Effect", "Option", "Redacted", "Schedule", "Schema", "Stream"]
    .map((name) => ({ name, line: `import { ${name} } from "effect"` })),
  { name: "it", line: `import { it } from "@effect/vitest"` },
  { name: "db", line: "declare const db: BTrDB.Service" },
  { name: "stream", line: "declare const stream: BTrDBStream.Stream" },
  { name: "set", line: "declare const set: StreamSet.StreamSet" }
]

interface Block {
  /** The source file, relative to the repository. */
  readonly file: string
  /** The 1-based line in `file` of the block's first line of code. */
  readonly line: number
  /** Whether the block belongs to an `@example` tag (else to the description, as in a module overview). */
  readonly example: boolean
  readonly code: string
}

/** The ```ts blocks of one doc comment (`/** … *\/`), which starts at `line` of `file`. */
const blocksOfComment = (file: string, comment: string, line: number): Array<Block> => {
  const blocks: Array<Block> = []
  let example = false
  let open: { readonly line: number; readonly lines: Array<string> } | undefined
  comment.split("\n").forEach((raw, i) => {
    const text = raw.replace(/^\s*(\/\*\*|\*\/|\*(?!\/))? ?/, "").replace(/\s*\*\/$/, "")
    if (open !== undefined) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ file, line: open.line, example, code: open.lines.join("\n") })
        open = undefined
      } else {
        open.lines.push(text)
      }
    } else if (/^```(ts|typescript)\s*$/.test(text)) {
      open = { line: line + i + 1, lines: [] }
    } else if (/^@\w+/.test(text)) {
      example = text.startsWith("@example")
    }
  })
  return blocks
}

/** Every ```ts block of the doc comments of `src`, without the generated gRPC code. */
const extractBlocks = (): Array<Block> => {
  const files = ts.sys.readDirectory(join(root, "src"), [".ts"], ["**/internal/grpc/generated/**"]).sort()
  return files.flatMap((path) => {
    const text = ts.sys.readFile(path) ?? ""
    const sourceFile = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
    const seen = new Set<number>()
    const blocks: Array<Block> = []
    const visit = (node: ts.Node) => {
      for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
        if (seen.has(range.pos) || !text.startsWith("/**", range.pos)) continue
        seen.add(range.pos)
        const line = sourceFile.getLineAndCharacterOfPosition(range.pos).line
        blocks.push(...blocksOfComment(relative(root, path), text.slice(range.pos, range.end), line + 1))
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
    return blocks.sort((a, b) => a.line - b.line)
  })
}

/** The names a block declares or imports at its top level: these it does not take from the preamble. */
const topLevelNames = (code: string): Set<string> => {
  const names = new Set<string>()
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text)
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name)
  }
  for (const statement of ts.createSourceFile("block.ts", code, ts.ScriptTarget.Latest).statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      if (clause?.name) names.add(clause.name.text)
      const bindings = clause?.namedBindings
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text)
      for (const element of bindings && ts.isNamedImports(bindings) ? bindings.elements : []) {
        names.add(element.name.text)
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name)
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && statement.name !== undefined
    ) {
      names.add(statement.name.text)
    }
  }
  return names
}

/** Type-checks every block, each as a module of its own, in one program: `file:line: TS code message` per error. */
const checkBlocks = (blocks: ReadonlyArray<Block>): Array<string> => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
    }
  })
  if (config === undefined) throw new Error("cannot read tsconfig.json")
  const options: ts.CompilerOptions = { ...config.options, noUnusedLocals: false, noUnusedParameters: false }

  // The modules live in a directory of their own beside `src`, so `effect`, `effect-btrdb` and the package's
  // `"type": "module"` resolve as they would for a file of the repository
  const modules = new Map<string, { readonly block: Block; readonly text: string; readonly preambleLines: number }>()
  for (const block of blocks) {
    const own = topLevelNames(block.code)
    const lines = preamble.filter(({ name }) => !own.has(name)).map(({ line }) => line)
    const path = join(root, ".doc-examples", `${block.file.replace(/[/\\.]/g, "_")}_${block.line}.ts`)
    modules.set(path, { block, text: [...lines, block.code, "export {}", ""].join("\n"), preambleLines: lines.length })
  }

  const host = ts.createCompilerHost(options, true)
  const { fileExists, getSourceFile, readFile } = host
  host.fileExists = (path) => modules.has(path) || fileExists.call(host, path)
  host.readFile = (path) => modules.get(path)?.text ?? readFile.call(host, path)
  host.getSourceFile = (path, language, ...rest) => {
    const module = modules.get(path)
    return module !== undefined
      ? ts.createSourceFile(path, module.text, language)
      : getSourceFile.call(host, path, language, ...rest)
  }

  const program = ts.createProgram([...modules.keys()], options, host)
  const failures: Array<string> = []
  for (const [path, { block, preambleLines }] of modules) {
    const sourceFile = program.getSourceFile(path)!
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
    for (const diagnostic of diagnostics) {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")
      // the line in the block, negative in the preamble
      const line = diagnostic.start === undefined
        ? -1
        : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line - preambleLines
      const where = line < 0 ? `${block.line} (in the preamble)` : `${block.line + line}`
      failures.push(`${block.file}:${where}: TS${diagnostic.code} ${text}`)
    }
  }
  return failures
}

describe("API reference", () => {
  it("every ```ts block of the doc comments type-checks", () => {
    const blocks = extractBlocks()
    expect(blocks.filter((block) => block.example).length).toBeGreaterThan(150)
    const failures = checkBlocks(blocks)
    expect(failures, "examples that do not compile").toEqual([])
  })
})
