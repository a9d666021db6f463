/**
 * The type-level tests under `test/types/` type-check cleanly with the project's compiler options: each public
 * operation's error union is exactly the one pinned there (see `test/types/errorUnions.ts`), and the public shapes
 * pinned in `test/types/publicTypes.ts` hold.
 */
import * as path from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "..")

const diagnosticsOf = (file: string): Array<string> => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
    }
  })!
  const program = ts.createProgram([file], config.options)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file === undefined ? "" : `${path.relative(root, d.file.fileName)}: `
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n")
  })
}

describe("type-level tests", () => {
  it("every public operation's error union is the one pinned in test/types/errorUnions.ts", () => {
    expect(diagnosticsOf(path.join(root, "test", "types", "errorUnions.ts"))).toEqual([])
  }, 120_000)

  it("the public shapes pinned in test/types/publicTypes.ts hold", () => {
    expect(diagnosticsOf(path.join(root, "test", "types", "publicTypes.ts"))).toEqual([])
  }, 120_000)
})
