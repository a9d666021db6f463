/**
 * A slow reader of an endless answer: the server produces only as fast as the client reads (it waits for the
 * client's buffer to drain), so its heap stays bounded while the reader stalls, and it keeps answering others;
 * a deadline the client set ends the call and the server's work with it.
 */
import * as grpc from "@grpc/grpc-js"
import { describe, expect, it } from "vitest"
import { loadServiceClient, loadServiceDefinition } from "../../src/internal/grpc/proto.js"
import { uuidBytes } from "../support/rawClient.js"
import { useServer } from "../support/server.js"

const wire = useServer()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Opens, on a channel of its own, a read of the windows of 1 ns over 10^11 ns of `uuid`: 10^11 answers, produced
 * lazily; each message is delivered as its byte length.
 */
const readEndless = (uuid: Buffer, options: grpc.CallOptions = {}) => {
  const Client = loadServiceClient()
  const reader = new Client(wire.server.endpoint, grpc.credentials.createInsecure())
  const m = loadServiceDefinition()["Windows"]!
  const call = reader.makeServerStreamRequest(
    m.path,
    m.requestSerialize,
    (b: Buffer) => b.length,
    { uuid, start: "0", end: "100000000000", width: "1" },
    new grpc.Metadata(),
    options
  )
  return { reader, call }
}

describe("a slow reader", () => {
  it("stalls the server's production, not its memory; others are still served", async () => {
    const uuid = uuidBytes()
    await wire.client.unary("Create", { uuid, collection: "slow", tags: [] })
    const { call, reader } = readEndless(uuid)
    let messages = 0
    call.on("data", () => {
      messages++
      if (messages === 5) call.pause()
    })
    call.on("error", () => {})
    await sleep(500)
    const heapAtStall = process.memoryUsage().heapUsed
    const seen = messages
    for (let i = 0; i < 10; i++) {
      expect((await wire.client.unary("Info", {})).majorVersion).toBe(5)
      await sleep(100)
    }
    const growth = (process.memoryUsage().heapUsed - heapAtStall) / 1024 / 1024
    expect(messages).toBe(seen)
    expect(growth).toBeLessThan(50)
    expect(wire.server.stats.activeStreams).toBe(1)
    call.cancel()
    for (let i = 0; i < 100 && wire.server.stats.activeStreams > 0; i++) await sleep(20)
    expect(wire.server.stats.activeStreams).toBe(0)
    reader.close()
  })

  it("a client's deadline ends the call and the server's work", async () => {
    const uuid = uuidBytes()
    await wire.client.unary("Create", { uuid, collection: "deadline", tags: [] })
    const cancelledBefore = wire.server.stats.cancelled
    const code = await new Promise<number>((resolve) => {
      const { call, reader } = readEndless(uuid, { deadline: Date.now() + 300 })
      call.on("data", () => {})
      call.on("error", (e: grpc.ServiceError) => {
        reader.close()
        resolve(e.code)
      })
    })
    expect(code).toBe(grpc.status.DEADLINE_EXCEEDED)
    for (let i = 0; i < 100 && wire.server.stats.activeStreams > 0; i++) await sleep(20)
    expect(wire.server.stats.activeStreams).toBe(0)
    expect(wire.server.stats.cancelled).toBe(cancelledBefore + 1)
  })
})
