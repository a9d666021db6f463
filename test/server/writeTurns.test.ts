/**
 * The server's queue of writes (`src/server/writeTurns.ts`): writes run in the order they came, one per turn of the
 * event loop, so that what arrives between two of them (here, a callback of the next turn) runs in between; a write
 * whose call was cancelled while it waited does not run.
 */
import { assert, describe, it } from "@effect/vitest"
import { WriteTurns } from "../../src/server/writeTurns.js"

describe("WriteTurns", () => {
  it("runs writes in order, one per turn, with the event loop's other work in between", async () => {
    const turns = new WriteTurns()
    const log: Array<string> = []
    const write = (name: string) =>
      turns.run(async () => {
        log.push(name)
        // work of the next turn, such as a read that arrived meanwhile
        setImmediate(() => log.push(`after ${name}`))
        return name
      })
    const results = Promise.all([write("a"), write("b"), write("c")])
    assert.strictEqual(turns.queued, 3)
    assert.deepStrictEqual(log, [], "nothing runs in the turn that queued it")
    assert.deepStrictEqual(await results, ["a", "b", "c"])
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepStrictEqual(log, ["a", "after a", "b", "after b", "c", "after c"])
    assert.strictEqual(turns.queued, 0)
  })

  it("a write whose call is cancelled while it waits does not run, and fails with 402", async () => {
    const turns = new WriteTurns()
    const ran: Array<string> = []
    const call = { cancelled: false }
    const cancelledWrite = turns.run(async () => ran.push("cancelled"), call)
    const otherWrite = turns.run(async () => ran.push("other"), { cancelled: false })
    call.cancelled = true
    const settled = await Promise.allSettled([cancelledWrite, otherWrite])
    assert.deepStrictEqual(ran, ["other"])
    assert.strictEqual(settled[0].status, "rejected")
    assert.strictEqual((settled[0] as PromiseRejectedResult).reason.code, 402)
    assert.deepStrictEqual(settled[1], { status: "fulfilled", value: 1 })
  })

  it("a failed write fails its own call only, thrown or rejected", async () => {
    const turns = new WriteTurns()
    const thrown = turns.run((): Promise<number> => {
      throw new Error("thrown")
    })
    const rejected = turns.run(() => Promise.reject(new Error("rejected")))
    const fine = turns.run(() => Promise.resolve(3))
    const settled = await Promise.allSettled([thrown, rejected, fine])
    assert.deepStrictEqual(settled.map((s) => s.status), ["rejected", "rejected", "fulfilled"])
    assert.strictEqual((settled[0] as PromiseRejectedResult).reason.message, "thrown")
    assert.strictEqual((settled[2] as PromiseFulfilledResult<number>).value, 3)
  })
})
