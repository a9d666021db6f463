/**
 * `Copy.copyStreams` over real gRPC between two embedded servers on 127.0.0.1: a collection of streams of 200 000
 * random points each is copied and every point on the target checked against the points generated here, and the
 * metadata; a copy interrupted midway, then run again, leaves exactly the source's points (none twice), as does a
 * target holding scattered copied points (no resume shortcut, merge policy retain does the work); a target stream
 * with other tags is refused with `CopyMismatch` before anything is written, and copied into with `merge`; and the
 * memory layer works on either side.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { BTrDB, Copy, Uuid } from "../src/index.js"
import * as EmbeddedServer from "../src/server/EmbeddedServer.js"

const T0 = 1_700_000_000_000_000_000n
const N = 200_000

/** `n` points at strictly increasing random times (gaps of 1 to 20 ms), random values. */
const randomPoints = (n: number, seed: number) => {
  let state = seed >>> 0 || 1
  const random = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  let t = T0 + BigInt(seed) * 1_000_000n
  for (let i = 0; i < n; i++) {
    t += BigInt(1 + Math.floor(random() * 20)) * 1_000_000n
    times[i] = t
    values[i] = (random() - 0.5) * 1e4
  }
  return { times, values }
}

interface Made {
  readonly uuid: string
  readonly collection: string
  readonly tags: Record<string, string>
  readonly annotations: Record<string, string>
  readonly points: { readonly times: BigInt64Array; readonly values: Float64Array }
}

/** Two servers and a client of each, closed with the scope. */
const twoServers = Effect.gen(function*() {
  const a = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", log: () => {} })
  const b = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", log: () => {} })
  return { from: yield* BTrDB.make({ endpoint: a.endpoint }), to: yield* BTrDB.make({ endpoint: b.endpoint }) }
})

/** `count` streams of `collection` on `db`, each with `n` random points. */
const populate = (db: BTrDB.Service, collection: string, count: number, n = N) =>
  Effect.forEach(Array.from({ length: count }, (_, k) => k), (k) =>
    Effect.gen(function*() {
      const made: Made = {
        uuid: Uuid.random(),
        collection,
        tags: { name: `s${k}`, unit: k % 2 === 0 ? "volts" : "amps" },
        annotations: k === 0 ? {} : { site: "north", index: String(k) },
        points: randomPoints(n, 7 + k * 31 + collection.length)
      }
      const s = yield* db.create(made)
      if (n > 0) yield* s.insert(made.points)
      return made
    }))

/**
 * The target holds exactly `made`'s points, and its metadata (as the server keeps it: with the tags it adds, such as
 * an empty `ingress`).
 */
const expectCopied = (to: BTrDB.Service, made: ReadonlyArray<Made>) =>
  Effect.forEach(made, (m) =>
    Effect.gen(function*() {
      const s = yield* to.streamFromUuid(m.uuid)
      const d = yield* s.metadata
      assert.strictEqual(d.collection, m.collection)
      assert.deepStrictEqual({ ...d.tags, ingress: "" }, { ...m.tags, ingress: "" })
      assert.deepStrictEqual({ ...d.annotations }, m.annotations)
      const got = yield* s.valuesCollected()
      assert.strictEqual(got.times.length, m.points.times.length, `points of ${m.uuid}`)
      for (let i = 0; i < got.times.length; i++) {
        if (got.times[i] !== m.points.times[i] || got.values[i] !== m.points.values[i]) {
          assert.fail(
            `${m.uuid} point ${i}: ${got.times[i]} ${got.values[i]} ≠ ${m.points.times[i]} ${m.points.values[i]}`
          )
        }
      }
    }), { discard: true })

describe("Copy.copyStreams", { timeout: 300_000 }, () => {
  it.effect("copies a collection point for point, with its metadata, and verifies it", () =>
    Effect.gen(function*() {
      const { from, to } = yield* twoServers
      const made = yield* populate(from, "copy/site", 4)
      const [other] = yield* populate(from, "elsewhere", 1, 10)
      const progress: Array<Copy.Progress> = []
      const reports = yield* Copy.copyStreams({
        from,
        to,
        collection: "copy",
        concurrency: 3,
        onProgress: (p) => Effect.sync(() => progress.push(p))
      })
      assert.deepStrictEqual(reports.map((r) => r.uuid).sort(), made.map((m) => m.uuid).sort())
      for (const r of reports) {
        assert.strictEqual(r.verdict, "same", r.differences.join(", "))
        assert.deepStrictEqual([r.copied, r.alreadyCopied, r.created, r.merged], [N, 0, true, false])
        assert.strictEqual(r.source.count, BigInt(N))
        assert.deepStrictEqual(r.target, r.source)
        const m = made.find((x) => x.uuid === r.uuid)!
        assert.strictEqual(r.source.min, m.points.values.reduce((a, b) => Math.min(a, b)))
        assert.strictEqual(r.source.max, m.points.values.reduce((a, b) => Math.max(a, b)))
        assert.strictEqual(`${r.collection}/${r.name}`, `copy/site/${m.tags.name}`)
      }
      yield* expectCopied(to, made)
      assert.isFalse(yield* (yield* to.streamFromUuid(other!.uuid)).exists)
      const last = progress.at(-1)!
      assert.deepStrictEqual([last.points, last.totalPoints, last.streams, last.streamsDone], [4 * N, 4 * N, 4, 4])
      assert.strictEqual(last.bytes, 16 * 4 * N)

      // run again: nothing left to send, still verified
      const again = yield* Copy.copyStreams({ from, to, streams: made.map((m) => m.uuid) })
      assert.deepStrictEqual(
        again.map((r) => [r.copied, r.alreadyCopied, r.created, r.verdict]),
        made.map(() => [0, N, false, "same"])
      )
    }).pipe(Effect.scoped))

  it.effect("an interrupted copy, run again, ends with exactly the source's points", () =>
    Effect.gen(function*() {
      const { from, to } = yield* twoServers
      const made = yield* populate(from, "resume/site", 3)
      const midway = yield* Deferred.make<void>()
      const fiber = yield* Copy.copyStreams({
        from,
        to,
        collection: "resume",
        concurrency: 2,
        onProgress: (p) => p.points >= N / 2 ? Deferred.succeed(midway, undefined) : Effect.void
      }).pipe(Effect.forkChild)
      yield* Deferred.await(midway)
      yield* Fiber.interrupt(fiber)
      // An insert the interruption cancelled may have reached the target whole and still wait there for its turn:
      // it is then written, as a real BTrDB may write an insert whose answer was lost. A Flush on the same
      // connection waits behind it, so the points counted after it are those the next run finds.
      let there = 0n
      for (const m of made) {
        const s = yield* to.streamFromUuid(m.uuid)
        // with two streams at a time, the third may not be created yet
        there += yield* s.flush.pipe(
          Effect.andThen(s.count({ precise: true })),
          Effect.catchTag("StreamNotFound", () => Effect.succeed(0n))
        )
      }
      assert.isTrue(there > 0n && there < BigInt(3 * N), `${there} points copied before the interruption`)

      const reports = yield* Copy.copyStreams({ from, to, collection: "resume" })
      for (const r of reports) {
        assert.strictEqual(r.verdict, "same", r.differences.join(", "))
        assert.strictEqual(r.target.count, BigInt(N))
        assert.strictEqual(r.copied + r.alreadyCopied, N)
      }
      assert.strictEqual(reports.reduce((n, r) => n + r.alreadyCopied, 0), Number(there))
      yield* expectCopied(to, made)
    }).pipe(Effect.scoped))

  it.effect("a target holding some of the points already (not a prefix) gets the rest, none twice", () =>
    Effect.gen(function*() {
      const { from, to } = yield* twoServers
      const [m] = yield* populate(from, "partial/site", 1, 30_000)
      const target = yield* to.create(m!)
      const some = {
        times: m!.points.times.filter((_, i) => i % 3 === 0),
        values: m!.points.values.filter((_, i) => i % 3 === 0)
      }
      yield* target.insert(some)
      const [r] = yield* Copy.copyStreams({ from, to, streams: [m!.uuid] })
      assert.deepStrictEqual([r!.created, r!.alreadyCopied, r!.copied, r!.verdict], [false, 0, 30_000, "same"])
      yield* expectCopied(to, [m!])
    }).pipe(Effect.scoped))

  it.effect("a target stream with other tags is refused before anything is written; merge copies into it", () =>
    Effect.gen(function*() {
      const { from, to } = yield* twoServers
      const made = yield* populate(from, "clash/site", 2, 5_000)
      yield* to.create({ ...made[1]!, tags: { name: "s1", unit: "watts" } })
      const error = yield* Effect.flip(Copy.copyStreams({ from, to, collection: "clash", concurrency: 1 }))
      assert.strictEqual(error._tag, "CopyMismatch")
      if (error._tag !== "CopyMismatch") return
      assert.strictEqual(error.uuid, made[1]!.uuid)
      assert.deepStrictEqual(error.fields, ["tags"])
      assert.include(error.message, `"unit":"amps"`)
      assert.include(error.message, `"unit":"watts"`)
      assert.include(error.message, "merge")
      // nothing written: the clashing stream is empty and the other was not even created
      assert.strictEqual(yield* (yield* to.streamFromUuid(made[1]!.uuid)).count({ precise: true }), 0n)
      assert.isFalse(yield* (yield* to.streamFromUuid(made[0]!.uuid)).exists)

      const reports = yield* Copy.copyStreams({ from, to, collection: "clash", merge: true })
      const byUuid = new Map(reports.map((r) => [r.uuid as string, r]))
      assert.deepStrictEqual(
        made.map((m) => [byUuid.get(m.uuid)!.merged, byUuid.get(m.uuid)!.verdict, byUuid.get(m.uuid)!.copied]),
        [[false, "same", 5_000], [true, "same", 5_000]]
      )
      const kept = yield* (yield* to.streamFromUuid(made[1]!.uuid)).tags
      assert.strictEqual(kept.unit, "watts") // merging copies points, not metadata
    }).pipe(Effect.scoped))

  it.effect("reports a target holding points the source does not have as differing; copies an empty stream", () =>
    Effect.gen(function*() {
      const { from, to } = yield* twoServers
      const [m] = yield* populate(from, "extra/site", 1, 1_000)
      const [empty] = yield* populate(from, "extra/empty", 1, 0)
      const target = yield* to.create(m!)
      yield* target.insert({ times: BigInt64Array.of(m!.points.times[999]! + 5n), values: Float64Array.of(1e9) })
      const [r, e] = yield* Copy.copyStreams({ from, to, streams: [m!.uuid, `extra/empty/${empty!.tags.name}`] })
      assert.strictEqual(r!.verdict, "differs")
      assert.deepStrictEqual(r!.differences.slice(0, 2), ["count 1000 ≠ 1001", `max ${r!.source.max} ≠ 1000000000`])
      assert.deepStrictEqual([e!.uuid as string, e!.verdict, e!.copied, e!.created], [empty!.uuid, "same", 0, true])
      assert.deepStrictEqual(e!.target, { count: 0n, min: NaN, mean: NaN, max: NaN })
      yield* expectCopied(to, [empty!])
    }).pipe(Effect.scoped))

  it.effect("works with the memory layer on either side", () =>
    Effect.gen(function*() {
      const memory = Context.get(yield* Layer.build(BTrDB.layerMemory()), BTrDB.BTrDB)
      const { to: grpc } = yield* twoServers
      const made = yield* populate(memory, "mem/site", 2, 20_000)
      const there = yield* Copy.copyStreams({ from: memory, to: grpc, collection: "mem" })
      assert.deepStrictEqual(there.map((r) => r.verdict), ["same", "same"])
      yield* expectCopied(grpc, made)
      const memory2 = Context.get(yield* Layer.build(BTrDB.layerMemory()), BTrDB.BTrDB)
      const back = yield* Copy.copyStreams({ from: grpc, to: memory2 })
      assert.deepStrictEqual(back.map((r) => [r.verdict, r.copied]), [["same", 20_000], ["same", 20_000]])
      yield* expectCopied(memory2, made)
    }).pipe(Effect.scoped))
})
