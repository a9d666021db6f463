import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// `effect-btrdb` and `effect-btrdb/server`, as the examples import them, are the sources (tsconfig `paths` does the
// same for tsc and tsx)
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^effect-btrdb$/, replacement: source("./src/index.ts") },
      { find: /^effect-btrdb\/server$/, replacement: source("./src/server/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
