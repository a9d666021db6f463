/**
 * LentBuffers: a buffer given back is lent again (the last given back first), only once given back, only when big
 * enough; at most `keep` are kept, and a size over `largest` gets a buffer of its own that is never kept.
 */
import { describe, expect, it } from "vitest"
import { LentBuffers } from "../../src/internal/grpc/codecs/index.js"

describe("LentBuffers", () => {
  it("lends a buffer given back again, and not before", () => {
    const buffers = new LentBuffers(2, 1024)
    const a = buffers.lend(100)
    const b = buffers.lend(100)
    expect(a.length).toBeGreaterThanOrEqual(100)
    expect(b.buffer).not.toBe(a.buffer)
    expect(a.byteOffset).toBe(0)
    expect(a.buffer.byteLength).toBe(a.length) // its own ArrayBuffer, not Node's shared pool
    expect(buffers.lentCount).toBe(2)
    buffers.giveBack(a.subarray(0, 10)) // a view of it is enough
    buffers.giveBack(a) // twice: ignored
    buffers.giveBack(new Uint8Array(100)) // never lent: ignored
    expect(buffers.lentCount).toBe(1)
    expect(buffers.lend(50).buffer).toBe(a.buffer)
    expect(buffers.lend(50).buffer).not.toBe(b.buffer) // b is still lent
  })

  it("keeps at most `keep` buffers, and lends none too small", () => {
    const buffers = new LentBuffers(1, 1024)
    const small = buffers.lend(10)
    const other = buffers.lend(10)
    buffers.giveBack(small)
    buffers.giveBack(other) // one kept already: dropped
    const bigger = buffers.lend(500)
    expect(bigger.buffer).not.toBe(small.buffer)
    expect(bigger.buffer).not.toBe(other.buffer)
    expect(bigger.length).toBeGreaterThanOrEqual(500)
    buffers.giveBack(bigger)
    expect(buffers.lend(500).buffer).toBe(bigger.buffer)
  })

  it("a size over `largest` gets a buffer that is neither tracked nor kept", () => {
    const buffers = new LentBuffers(4, 64)
    const huge = buffers.lend(65)
    expect(huge.length).toBeGreaterThanOrEqual(65)
    expect(buffers.lentCount).toBe(0)
    buffers.giveBack(huge)
    const again = buffers.lend(65)
    // small sizes share Node's buffer pool: the same ArrayBuffer, at another place in it
    expect(again.buffer === huge.buffer && again.byteOffset === huge.byteOffset).toBe(false)
  })
})
