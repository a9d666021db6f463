/**
 * The server keeps its metadata in its data directory: restarted on the same directory, it still holds every
 * stream, tag, annotation, property version and tombstone.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { start } from "../../src/server/Server.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"

const dirs: Array<string> = []
afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))))

const kv = (key: string, value?: string) => ({ key, val: value === undefined ? null : { value } })

describe("restart on the same data directory", () => {
  it("keeps every stream and annotation", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "btrdb-restart-"))
    dirs.push(dataDir)
    const streams = Array.from({ length: 20 }, (_, i) => ({
      uuid: uuidBytes(),
      collection: `plant/${i % 3}`,
      tags: [kv("name", `s${i}`), kv("unit", i % 2 === 0 ? "V" : "A")],
      annotations: [kv("index", String(i))]
    }))
    const obliterated = uuidBytes()

    const first = await start({ listen: "127.0.0.1:0", dataDir, log: () => {} })
    let client = rawClient(first.endpoint)
    for (const s of streams) expect((await client.unary("Create", s)).stat).toBeNull()
    await client.unary("SetStreamAnnotations", {
      uuid: streams[0]!.uuid,
      expectedPropertyVersion: "1",
      changes: [kv("moved", "yes")],
      removals: ["index"]
    })
    await client.unary("Create", { uuid: obliterated, collection: "gone", tags: [kv("name", "x")] })
    await client.unary("Obliterate", { uuid: obliterated })
    const before = await client.stream("LookupStreams", { collection: "", isCollectionPrefix: true })
    client.close()
    await first.close()

    const second = await start({ listen: "127.0.0.1:0", dataDir, log: () => {} })
    client = rawClient(second.endpoint)
    try {
      const after = await client.stream("LookupStreams", { collection: "", isCollectionPrefix: true })
      expect(after.flatMap((m) => m.results)).toEqual(before.flatMap((m) => m.results))
      expect(after.flatMap((m) => m.results).length).toBe(20)
      const d0 = (await client.unary("StreamInfo", { uuid: streams[0]!.uuid })).descriptor
      expect(d0.propertyVersion).toBe("2")
      expect(d0.annotations).toEqual([kv("moved", "yes")])
      expect((await client.stream("ListCollections", { prefix: "" }))[0].collections).toEqual([
        "plant/0",
        "plant/1",
        "plant/2"
      ])
      expect((await client.unary("Create", { uuid: obliterated, collection: "gone", tags: [] })).stat.code).toBe(429)
      const sql = await client.stream("SQLQuery", {
        query: "SELECT count(*) AS n FROM streams WHERE unit = $1",
        params: ["V"]
      })
      expect(JSON.parse(sql[0].SQLQueryRow[0].toString())).toEqual({ n: 10 })
    } finally {
      client.close()
      await second.close()
    }
  })
})
