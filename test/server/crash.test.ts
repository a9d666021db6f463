/**
 * Durability: a server process is killed with SIGKILL in the middle of a stream of synced inserts. After a
 * restart on the same data directory every acknowledged point is there, and the one batch in flight is either
 * wholly there or wholly absent; nothing else is. A server stopped with SIGTERM makes even unsynced
 * acknowledged inserts durable first.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { rawClient, uuidBytes } from "../support/rawClient.js"
import { serveProcess } from "../support/serveProcess.js"

const dirs: Array<string> = []
afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))))

const BATCH = 1000

const batchPoints = (b: number) =>
  Array.from({ length: BATCH }, (_, i) => ({ time: String(b * BATCH + i), value: b + i / BATCH }))

describe("crash safety", () => {
  it("SIGKILL during synced inserts loses no acknowledged point", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-crash-"))
    dirs.push(dataDir)
    const uuid = uuidBytes()

    const first = await serveProcess(dataDir)
    let client = rawClient(first.endpoint)
    await client.unary("Create", { uuid, collection: "crash", tags: [{ key: "name", val: { value: "c" } }] })
    const acknowledged: Array<number> = []
    let inFlight = -1
    const killAfter = 30
    const exited = new Promise((resolve) => first.child.on("exit", resolve))
    for (let b = 0;; b++) {
      inFlight = b
      const sent = client.unary("Insert", { uuid, sync: true, values: batchPoints(b), merge_policy: "NEVER" })
      if (b === killAfter) {
        first.child.kill("SIGKILL")
        await sent.catch(() => undefined)
        break
      }
      const response = await sent
      expect(response.stat).toBeNull()
      acknowledged.push(b)
    }
    await exited
    client.close()

    const second = await serveProcess(dataDir)
    client = rawClient(second.endpoint)
    try {
      const messages = await client.stream("RawValues", { uuid, start: "0", end: String(1n << 40n) })
      const times = messages.flatMap((m) => m.values).map((p: any) => Number(p.time))
      const values = messages.flatMap((m) => m.values).map((p: any) => p.value)
      const expectedBatches = times.length === (acknowledged.length + 1) * BATCH
        ? [...acknowledged, inFlight]
        : acknowledged
      const expected = expectedBatches.flatMap(batchPoints)
      expect(times).toEqual(expected.map((p) => Number(p.time)))
      expect(values).toEqual(expected.map((p) => p.value))
      expect(acknowledged.length).toBe(killAfter)
    } finally {
      client.close()
      second.child.kill("SIGTERM")
    }
  })

  it("SIGTERM makes unsynced acknowledged inserts durable before exiting", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-term-"))
    dirs.push(dataDir)
    const uuid = uuidBytes()
    const first = await serveProcess(dataDir)
    let client = rawClient(first.endpoint)
    await client.unary("Create", { uuid, collection: "term", tags: [{ key: "name", val: { value: "t" } }] })
    for (let b = 0; b < 5; b++) {
      const response = await client.unary("Insert", {
        uuid,
        sync: false,
        values: batchPoints(b),
        merge_policy: "NEVER"
      })
      expect(response.stat).toBeNull()
    }
    const exited = new Promise<number | null>((resolve) => first.child.on("exit", resolve))
    first.child.kill("SIGTERM")
    expect(await exited).toBe(0)
    client.close()

    const second = await serveProcess(dataDir)
    client = rawClient(second.endpoint)
    try {
      const messages = await client.stream("RawValues", { uuid, start: "0", end: String(1n << 40n) })
      expect(messages.flatMap((m) => m.values).map((p: any) => Number(p.time))).toEqual(
        [0, 1, 2, 3, 4].flatMap(batchPoints).map((p) => Number(p.time))
      )
    } finally {
      client.close()
      second.child.kill("SIGTERM")
    }
  })
})
