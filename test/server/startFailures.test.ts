/**
 * When the engine cannot open or the server cannot start, `EmbeddedServer` and `BTrDB.layerMemory` fail with tagged
 * errors, handled by tag, never a defect.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as net from "node:net"
import { describe, expect, it } from "vitest"
import { StatusError } from "../../src/engine/StatusError.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import * as MemoryBackend from "../../src/services/memory/MemoryBackend.js"

/** The failure of `effect`, asserting that it failed (not died, not succeeded). */
const failureOf = async <A, E>(effect: Effect.Effect<A, E>): Promise<E> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  expect(Cause.hasDies(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure === undefined) throw new Error(Cause.pretty(exit.cause))
  return failure.error
}

describe("start failures are tagged errors", () => {
  it("EmbeddedServer on a port in use fails with ServerStartError, in make and in layer", async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    try {
      const listen = `127.0.0.1:${(taken.address() as net.AddressInfo).port}`
      const attempts: Array<Effect.Effect<unknown, EmbeddedServer.StartError, Scope.Scope>> = [
        EmbeddedServer.make({ listen }),
        Layer.build(EmbeddedServer.layer({ listen }))
      ]
      for (const attempt of attempts) {
        const error = await failureOf(Effect.scoped(attempt))
        expect(error).toBeInstanceOf(EmbeddedServer.StartError)
        expect(error._tag).toBe("ServerStartError")
        expect(error.message).toBe(
          `could not start the BTrDB server: ${listen} is already in use (another process is listening there); ` +
            "choose another port, or stop that process"
        )
      }
      // handled by tag
      const handled = await Effect.runPromise(
        Effect.scoped(EmbeddedServer.make({ listen })).pipe(
          Effect.as("started"),
          Effect.catchTag("ServerStartError", () => Effect.succeed("not started"))
        )
      )
      expect(handled).toBe("not started")
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it("the memory layer's database failing to open is a BTrDBServerError with its code", async () => {
    const error = await failureOf(
      Effect.scoped(MemoryBackend.make(() => Promise.reject(new StatusError(426, "out of memory"))))
    )
    expect(error._tag).toBe("BTrDBServerError")
    expect(error.code).toBe(426)
    expect(error.message).toBe("layerMemory: the in-memory database could not open: out of memory [426]")
    const other = await failureOf(Effect.scoped(MemoryBackend.make(() => Promise.reject(new Error("no wasm")))))
    expect(other.code).toBe(500)
  })
})
