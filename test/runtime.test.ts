/**
 * The suite runs on the Node that package.json's `engines` names (the project-local `node` devDependency puts it
 * first on the PATH of every npm script), with one copy of effect.
 */
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import pkg from "../package.json" with { type: "json" }
import { VERSION } from "../src/cli/root.js"

const version = (text: string): ReadonlyArray<number> => text.replace(/^[^\d]*/, "").split(".").map(Number)

const atLeast = (have: ReadonlyArray<number>, want: ReadonlyArray<number>): boolean => {
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!
  }
  return true
}

describe("runtime", () => {
  it(`Node ${process.version} satisfies engines.node ${pkg.engines.node}`, () => {
    expect(atLeast(version(process.version), version(pkg.engines.node))).toBe(true)
  })

  it("effect 4, the same copy for the SDK and its peers", () => {
    const require = createRequire(import.meta.url)
    const effect = require.resolve("effect/package.json")
    const fromPlatform = createRequire(require.resolve("@effect/platform-node/package.json")).resolve(
      "effect/package.json"
    )
    expect(fromPlatform).toBe(effect)
    expect(version((require(effect) as { version: string }).version)[0]).toBe(4)
    expect(pkg.peerDependencies.effect).toBe(`^${pkg.devDependencies.effect}`)
    expect(pkg.peerDependencies["@effect/platform-node"]).toBe(`^${pkg.devDependencies["@effect/platform-node"]}`)
  })

  it("btrdb --version is the package's version", () => {
    expect(VERSION).toBe(pkg.version)
  })
})
