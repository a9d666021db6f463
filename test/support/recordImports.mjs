// Preloaded with --import: prints every module URL the process resolved (ESM imports and CommonJS requires) to
// standard error when it exits, one per line. Used by test/imports.test.ts.
import { registerHooks } from "node:module"

const seen = new Set()
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context)
    seen.add(resolved.url)
    return resolved
  }
})
process.on("exit", () => process.stderr.write([...seen].join("\n") + "\n"))
