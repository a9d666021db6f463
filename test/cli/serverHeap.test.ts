import { describe, expect, it } from "@effect/vitest"
import { HEAP_GROWING_FLAG, heapGrowingFlag } from "../../src/cli/serverHeap.js"

describe("btrdb serve's heap growth", () => {
  it("sets the growth flag when the process was started without one", () => {
    expect(heapGrowingFlag([], undefined)).toBe(HEAP_GROWING_FLAG)
    expect(heapGrowingFlag(["--enable-source-maps"], "--max-old-space-size=4096")).toBe(HEAP_GROWING_FLAG)
    expect(HEAP_GROWING_FLAG).toBe("--heap-growing-percent=100")
  })

  it("leaves a growth given in the process's arguments or NODE_OPTIONS as it is", () => {
    expect(heapGrowingFlag(["--heap-growing-percent=30"], undefined)).toBeUndefined()
    expect(heapGrowingFlag(["--heap_growing_percent", "30"], undefined)).toBeUndefined()
    expect(heapGrowingFlag([], "--inspect --heap-growing-percent=50")).toBeUndefined()
  })

  it("does not take a flag that only begins with the same name for it", () => {
    expect(heapGrowingFlag(["--heap-growing-percentage=5"], undefined)).toBe(HEAP_GROWING_FLAG)
  })
})
