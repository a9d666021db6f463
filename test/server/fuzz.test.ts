/**
 * A bounded fuzz run: thousands of corrupt requests across every RPC (valid requests with bytes flipped,
 * truncated, spliced and random), each of which must get a gRPC status, never a crash or a hang; afterwards the
 * server still answers correctly. `bench/fuzz.ts` runs the same for longer.
 */
import { describe, expect, it } from "vitest"
import { loadServiceDefinition, RPC_NAMES } from "../../src/internal/grpc/proto.js"
import { corruptRequests, validRequests } from "../support/fuzz.js"
import { uuidBytes } from "../support/rawClient.js"
import { useServer } from "../support/server.js"

const wire = useServer()

describe("fuzz", () => {
  it("every corrupt request gets a status and the server keeps serving", async () => {
    const uuid = uuidBytes()
    const control = uuidBytes()
    await wire.client.unary("Create", { uuid, collection: "fuzz", tags: [{ key: "name", val: { value: "f" } }] })
    await wire.client.unary("Create", {
      uuid: control,
      collection: "control",
      tags: [{ key: "name", val: { value: "c" } }]
    })
    const points = Array.from({ length: 2000 }, (_, i) => ({ time: String(i * 1000), value: i }))
    await wire.client.unary("Insert", { uuid: control, values: points, merge_policy: "NEVER" })
    const definition = loadServiceDefinition()
    const valid = validRequests(uuid)
    let sent = 0
    const codes = new Map<number, number>()
    for (const rpc of RPC_NAMES) {
      const encoded = definition[rpc]!.requestSerialize(valid[rpc]) as Buffer
      const batch = corruptRequests(encoded, 110, RPC_NAMES.indexOf(rpc) + 1)
      const results = await Promise.all(batch.map((bytes) => wire.client.rawBytes(rpc, bytes)))
      for (const { code } of results) codes.set(code, (codes.get(code) ?? 0) + 1)
      sent += batch.length
    }
    expect(sent).toBeGreaterThanOrEqual(2500)
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(sent)
    // the fuzzed requests name another stream: this one is exactly as it was
    const read = await wire.client.stream("RawValues", { uuid: control, start: "0", end: "2000000" })
    expect(read.flatMap((m) => m.values).map((p: any) => ({ time: p.time, value: p.value }))).toEqual(points)
    expect((await wire.client.unary("Info", {})).majorVersion).toBe(5)
  })
})
