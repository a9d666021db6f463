/**
 * Insert requests written into reused buffers (`LentBuffers`, given to `encodeInsertParams`): the connection gives a
 * request's bytes back only once its call has ended (answered, refused, or cancelled), so calls in flight together
 * never share a buffer, and every point sent is the point stored. Real gRPC on loopback, against the embedded server.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import {
  encodeInsertParams,
  type InsertParamsInput,
  LentBuffers,
  MergePolicyCode
} from "../../src/internal/grpc/codecs/index.js"
import * as Connection from "../../src/internal/grpc/Connection.js"
import { uuidToBytes } from "../../src/internal/uuidBytes.js"
import * as Uuid from "../../src/schema/Uuid.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { BTrDB } from "../../src/services/BTrDB.js"

/** An Insert encoder on `buffers` that records each buffer it wrote into and each request given back. */
const recordingEncoder = (buffers: LentBuffers) => {
  const written = new Set<ArrayBufferLike>()
  let serialized = 0
  let released = 0
  const encoder: Connection.RequestEncoder<"Insert", InsertParamsInput> = {
    rpc: "Insert",
    serialize: (request) => {
      const bytes = encodeInsertParams(request, buffers)
      serialized++
      written.add(bytes.buffer)
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    },
    release: (bytes) => {
      released++
      buffers.giveBack(bytes)
    }
  }
  return { encoder, written, serialized: () => serialized, released: () => released }
}

const request = (uuid: string, times: BigInt64Array, values: Float64Array): InsertParamsInput => ({
  uuid: uuidToBytes(uuid),
  sync: false,
  times,
  values,
  mergePolicy: MergePolicyCode.NEVER
})

describe("Insert requests in lent buffers", () => {
  it.live("calls in flight together each have their own buffer; every point sent is stored; all given back", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer.EmbeddedServer
      const db = yield* BTrDB
      const connection = yield* Connection.open({ endpoint: server.endpoint })
      const stream = yield* db.create({ uuid: Uuid.random(), collection: "lent/insert", tags: { name: "l" } })
      const buffers = new LentBuffers(3, 1 << 20)
      const { encoder, released, written } = recordingEncoder(buffers)
      const calls = 24
      const perCall = 2_000
      // call c holds the times c*perCall … (c+1)*perCall - 1, each value its time's negative
      yield* Effect.forEach(
        Array.from({ length: calls }, (_, c) => c),
        (c) => {
          const times = BigInt64Array.from({ length: perCall }, (_, i) => BigInt(c * perCall + i))
          const values = Float64Array.from(times, (t) => -Number(t))
          return connection.unaryEncoded(encoder, request(stream.uuid, times, values))
        },
        { concurrency: 6 }
      )
      assert.strictEqual(released(), calls, "each call's request given back once")
      assert.strictEqual(buffers.lentCount, 0)
      assert.isBelow(written.size, calls, "later calls wrote into buffers given back by earlier ones")

      const pages = yield* Stream.runCollect(stream.values({ start: 0n, end: BigInt(calls * perCall) }))
      let n = 0
      for (const page of pages) {
        for (let i = 0; i < page.times.length; i++, n++) {
          assert.strictEqual(page.times[i], BigInt(n))
          assert.strictEqual(page.values[i], -n)
        }
      }
      assert.strictEqual(n, calls * perCall)
    }).pipe(Effect.provide(EmbeddedServer.layerWithClient())))

  it.live("a refused call and a cancelled one give their request back too", () =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer.EmbeddedServer
      const connection = yield* Connection.open({ endpoint: server.endpoint })
      const buffers = new LentBuffers(2, 1 << 20)
      const { encoder, released, serialized } = recordingEncoder(buffers)
      const times = BigInt64Array.of(1n, 2n)
      const values = Float64Array.of(1, 2)

      const refused = yield* Effect.flip(connection.unaryEncoded(encoder, request(Uuid.random(), times, values)))
      assert.strictEqual(refused._tag, "StreamNotFound")
      assert.strictEqual(released(), 1)
      assert.strictEqual(buffers.lentCount, 0)

      // the server holds the next call for 1 s: it is still under way when it is cancelled
      yield* connection.unary("FaultInject", { type: "2", params: Buffer.from(`{"calls":1,"ms":1000}`) })
      const fiber = yield* Effect.forkChild(connection.unaryEncoded(encoder, request(Uuid.random(), times, values)))
      while (serialized() < 2) yield* Effect.yieldNow
      assert.strictEqual(buffers.lentCount, 1, "lent while the call is under way")
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.hasInterrupts(exit), "the call was cancelled, not answered")
      // grpc-js ends a cancelled call on its next turn
      while (released() < 2) yield* Effect.sleep("5 millis")
      assert.strictEqual(buffers.lentCount, 0)
    }).pipe(Effect.provide(EmbeddedServer.layerWithClient({ faultInjection: true }))))
})
