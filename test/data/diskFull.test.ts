/**
 * A full disk seen through the SDK, over real gRPC: with the server's disk fault planned (FaultInject type 5), an
 * insert fails with `BTrDBServerError` 426 and changes nothing, reads keep working, and once the fault is cleared
 * (type 0) the same insert succeeds, without a restart; after a restart every acknowledged point is there.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { verifyDirectory } from "../../src/engine/data/verify.js"
import { BTrDB, Retry, Uuid } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { planFault } from "../support/rawClient.js"

const inject = planFault

const N = 20_000
const points = (from: number) => ({
  times: BigInt64Array.from({ length: N }, (_, i) => BigInt(from + i) * 1_000_000n),
  values: Float64Array.from({ length: N }, (_, i) => Math.cos((from + i) / 50))
})
const ALL = { start: 0n, end: 1n << 50n }

describe("a full disk, through the SDK", () => {
  it.live("the insert fails with 426, reads go on, and the insert succeeds once the fault is cleared", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-sdk-full-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const uuid = Uuid.random()
      const first = points(0)
      const second = points(N)

      yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* EmbeddedServer.make({
          listen: "127.0.0.1:0",
          dataDir: dir,
          faultInjection: true,
          log: () => {}
        })
        const db = yield* BTrDB.make({ endpoint: server.endpoint })
        const stream = yield* db.create({ uuid, collection: "disk/full", tags: { name: "v" } })
        const acknowledged = yield* stream.insert(first)
        yield* stream.flush

        yield* inject(server.endpoint, 5, { files: ["segment", "log"], after: 4096 })
        const error = yield* Effect.flip(stream.insert(second))
        assert.strictEqual(error._tag, "BTrDBServerError")
        assert.strictEqual(error._tag === "BTrDBServerError" ? error.code : 0, 426)
        assert.include(error.message, "disk full")
        // a transient code: a retry policy retries it (and fails again while the disk stays full)
        assert.isTrue(Retry.isTransient(error))

        const read = yield* stream.valuesCollected(ALL)
        assert.deepStrictEqual([...read.times], [...first.times])
        assert.strictEqual(yield* stream.version, acknowledged.version)
        const windows = yield* stream.windowsCollected({ ...ALL, width: 1_000_000_000n })
        assert.strictEqual(windows.count.reduce((n, c) => n + c, 0n), BigInt(N))

        yield* inject(server.endpoint, 0)
        const later = yield* stream.insert(second)
        assert.strictEqual(later.version, acknowledged.version + 1n)
        yield* stream.flush
        const both = yield* stream.valuesCollected(ALL)
        assert.strictEqual(both.times.length, 2 * N)
      }))

      yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", dataDir: dir, log: () => {} })
        const db = yield* BTrDB.make({ endpoint: server.endpoint })
        const stream = yield* db.streamFromUuid(uuid)
        const read = yield* stream.valuesCollected(ALL)
        assert.deepStrictEqual([...read.times], [...first.times, ...second.times])
        assert.deepStrictEqual([...read.values], [...first.values, ...second.values])
      }))
      const report = yield* Effect.promise(() => verifyDirectory(dir))
      assert.strictEqual(report.faultCount, 0)
    }))
})
