/**
 * Streaming reads are effect Streams: taking a few elements, or interrupting the consuming fiber, cancels the
 * gRPC call, which the server sees. The server here is a bare grpc-js server that streams without end.
 */
import { assert, describe, it } from "@effect/vitest"
import * as grpc from "@grpc/grpc-js"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { loadServiceDefinition } from "../../src/internal/grpc/proto.js"
import * as BTrDB from "../../src/services/BTrDB.js"

const endlessServer = Effect.acquireRelease(
  Effect.promise(async () => {
    let cancelled = 0
    let started = 0
    const server = new grpc.Server()
    server.addService(loadServiceDefinition(), {
      Info: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, { majorVersion: 5, minorVersion: 0 }),
      SQLQuery: (call: grpc.ServerWritableStream<unknown, object>) => {
        started++
        let n = 0
        let stopped = false
        call.on("cancelled", () => {
          stopped = true
          cancelled++
        })
        const pump = () => {
          while (!stopped) {
            const row = Buffer.from(JSON.stringify({ n: n++ }))
            if (!call.write({ SQLQueryRow: [row] })) {
              call.once("drain", pump)
              return
            }
          }
        }
        pump()
      }
    })
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p)))
    )
    return { endpoint: `127.0.0.1:${port}`, server, cancelled: () => cancelled, started: () => started }
  }),
  ({ server }) => Effect.sync(() => server.forceShutdown())
)

/** Waits up to 3 s for `check` to hold (the cancel reaches the server asynchronously). */
const eventually = (check: () => boolean) =>
  Effect.suspend(() => (check() ? Effect.void : Effect.fail("not yet"))).pipe(
    Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 300 }))),
    Effect.ignore
  )

describe("cancellation of streamed calls", () => {
  it.live("Stream.take ends the call early and the server sees the cancel", () =>
    Effect.scoped(Effect.gen(function*() {
      const fake = yield* endlessServer
      const db = yield* BTrDB.make({ endpoint: fake.endpoint })
      const rows = yield* Stream.runCollect(db.queryStream("SELECT endless").pipe(Stream.take(150)))
      assert.strictEqual(rows.length, 150)
      assert.deepStrictEqual([...rows].slice(0, 3), [{ n: 0 }, { n: 1 }, { n: 2 }])
      yield* eventually(() => fake.cancelled() === 1)
      assert.strictEqual(fake.cancelled(), 1)
    })))

  it.live("interrupting the consuming fiber cancels the call", () =>
    Effect.scoped(Effect.gen(function*() {
      const fake = yield* endlessServer
      const db = yield* BTrDB.make({ endpoint: fake.endpoint })
      const firstRow = yield* Deferred.make<void>()
      const fiber = yield* db.queryStream("SELECT endless").pipe(
        Stream.tap(() => Deferred.succeed(firstRow, undefined)),
        Stream.runDrain,
        Effect.forkChild
      )
      yield* Deferred.await(firstRow)
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => fake.cancelled() === 1)
      assert.strictEqual(fake.started(), 1)
      assert.strictEqual(fake.cancelled(), 1)
    })))
})
