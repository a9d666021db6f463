/**
 * Retries of data operations, with failures injected into the memory backend: an insert is retried only when its
 * merge policy makes the retry idempotent, and a streamed read that fails after some pages resumes where it stopped,
 * at the version that served it, without repeating or losing a point.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import * as EStream from "effect/Stream"
import * as E from "../../src/errors/BTrDBError.js"
import * as Points from "../../src/schema/Points.js"
import * as Uuid from "../../src/schema/Uuid.js"
import { fromBackend } from "../../src/services/BTrDB.js"
import type { Backend } from "../../src/services/internal/Backend.js"
import * as MemoryBackend from "../../src/services/memory/MemoryBackend.js"
import * as Retry from "../../src/services/Retry.js"

const unavailable = (method: string) =>
  new E.ConnectionError({ method, endpoint: "memory", detail: "injected: connection reset" })

const retry = Retry.policy(Schedule.recurs(3))

/** The memory backend with `patch` applied, and a log of the calls made. */
const setup = (patch: (inner: Backend, log: Array<string>) => Partial<Backend>, policy = retry) =>
  Effect.gen(function*() {
    const inner = yield* MemoryBackend.make()
    const log: Array<string> = []
    const db = fromBackend({ ...inner, ...patch(inner, log) }, { retry: policy })
    const stream = yield* db.create({ uuid: Uuid.random(), collection: "retry", tags: { name: "r" } })
    return { db, inner, log, stream }
  })

/** The insert is stored, but its answer is lost the first time: the worst case for a retry. */
const lostAnswerOnce = (inner: Backend, log: Array<string>): Partial<Backend> => {
  let failed = false
  return {
    insert: (uuid, times, values, policy) =>
      Effect.flatMap(inner.insert(uuid, times, values, policy), (version) => {
        log.push(`insert ${policy}`)
        if (failed) return Effect.succeed(version)
        failed = true
        return Effect.fail(unavailable("Insert"))
      })
  }
}

const DATA: ReadonlyArray<readonly [bigint, number]> = [[100n, 0], [105n, 1], [110n, 2]]

describe("insert retries", () => {
  it.effect("merge \"never\" is never retried: the failure is reported, nothing is stored twice", () =>
    Effect.gen(function*() {
      const { log, stream } = yield* setup(lostAnswerOnce)
      const error = yield* Effect.flip(stream.insert(DATA))
      assert.strictEqual(error._tag, "ConnectionError")
      assert.deepStrictEqual(log, ["insert never"])
      assert.strictEqual((yield* stream.valuesCollected()).times.length, 3)
    }))

  it.effect("the first insert a retry would have repeated is a warning, once per connection", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      const { log, stream } = yield* setup((_, log) => ({
        insert: () => Effect.suspend(() => (log.push("insert"), Effect.fail(unavailable("Insert"))))
      }))
      const failures = yield* Effect.forEach([1, 2, 3], () => Effect.flip(stream.insert(DATA))).pipe(
        Effect.provide(Logger.layer([capture]))
      )
      assert.deepStrictEqual(failures.map((e) => e._tag), ["ConnectionError", "ConnectionError", "ConnectionError"])
      assert.deepStrictEqual(log, ["insert", "insert", "insert"])
      assert.strictEqual(lines.length, 1)
      assert.match(lines[0]!, /^Warn effect-btrdb: Stream\.insert failed with ConnectionError and was not retried/)
      assert.include(lines[0]!, "merge \"retain\" or \"replace\"")
    }))

  it.effect("no warning when the policy would not have retried anyway", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.make(({ message }) => {
        lines.push(String(message))
      })
      const { stream } = yield* setup(lostAnswerOnce, Retry.never)
      yield* Effect.flip(stream.insert(DATA)).pipe(Effect.provide(Logger.layer([capture])))
      assert.deepStrictEqual(lines, [])
    }))

  for (const merge of ["retain", "replace", "equal"] as const) {
    it.effect(`merge "${merge}" is retried, and the retry duplicates nothing`, () =>
      Effect.gen(function*() {
        const { log, stream } = yield* setup(lostAnswerOnce)
        const result = yield* stream.insert(DATA, { merge })
        assert.deepStrictEqual(log, [`insert ${merge}`, `insert ${merge}`])
        assert.deepStrictEqual(Points.toPairs(yield* stream.valuesCollected()), DATA)
        assert.strictEqual(result.version, yield* stream.version)
      }))
  }

  it.effect("only the failed chunk is sent again", () =>
    Effect.gen(function*() {
      let calls = 0
      const { log, stream } = yield* setup((inner, log) => ({
        insert: (uuid, times, values, policy) =>
          Effect.suspend(() => {
            calls++
            log.push(`chunk of ${times.length}`)
            return calls === 2 ? Effect.fail(unavailable("Insert")) : inner.insert(uuid, times, values, policy)
          })
      }))
      const n = 120_000
      const times = BigInt64Array.from({ length: n }, (_, i) => BigInt(i))
      const result = yield* stream.insert({ times, values: new Float64Array(n) }, { merge: "replace" })
      assert.deepStrictEqual(log, ["chunk of 50000", "chunk of 50000", "chunk of 50000", "chunk of 20000"])
      assert.strictEqual(result.versions.length, 3)
      assert.strictEqual(yield* stream.count({ precise: true }), BigInt(n))
    }))
})

/** Fails the first read after `pages` pages; with `meanwhile`, changes the stream before failing. */
const failingRead = (
  rpc: "rawValues" | "windows" | "alignedWindows" | "changes",
  pages: number,
  meanwhile?: (inner: Backend, uuid: Uuid.Uuid) => Effect.Effect<unknown, unknown>
) =>
(inner: Backend, log: Array<string>): Partial<Backend> => {
  let failed = false
  const wrap = <A, Er>(
    uuid: Uuid.Uuid,
    read: EStream.Stream<A, Er>,
    describe: string
  ): EStream.Stream<A, Er | E.ConnectionError> =>
    // decided when the stream runs, as a call over the wire is made when its stream runs
    EStream.suspend(() => {
      log.push(describe)
      if (failed) return read
      failed = true
      const failure = Effect.andThen(
        meanwhile === undefined ? Effect.void : Effect.ignore(meanwhile(inner, uuid)),
        Effect.fail(unavailable(rpc))
      )
      return EStream.concat(EStream.take(read, pages), EStream.fromEffect(failure))
    })
  switch (rpc) {
    case "rawValues":
      return {
        rawValues: (uuid, start, end, version) =>
          wrap(uuid, inner.rawValues(uuid, start, end, version), `rawValues ${start} v${version}`)
      }
    case "windows":
      return {
        windows: (uuid, start, end, width, depth, version) =>
          wrap(uuid, inner.windows(uuid, start, end, width, depth, version), `windows ${start} v${version}`)
      }
    case "alignedWindows":
      return {
        alignedWindows: (uuid, start, end, pw, version) =>
          wrap(uuid, inner.alignedWindows(uuid, start, end, pw, version), `alignedWindows ${start} v${version}`)
      }
    case "changes":
      return {
        changes: (uuid, from, to, resolution) => wrap(uuid, inner.changes(uuid, from, to, resolution), "changes")
      }
  }
}

describe("streamed reads resume after a transient failure", () => {
  // 12 000 points, seven per time: runs of equal times straddle the 5000-point pages
  const n = 12_000
  const times = BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.floor(i / 7)))
  const values = Float64Array.from({ length: n }, (_, i) => i)
  const late = (inner: Backend, uuid: Uuid.Uuid) =>
    inner.insert(uuid, BigInt64Array.of(714n, 900n), Float64Array.of(-1, -2), "never")

  it.effect("values: at the last time seen, skipping the points already given, at the serving version", () =>
    Effect.gen(function*() {
      const { log, stream } = yield* setup(failingRead("rawValues", 1, late))
      const v = (yield* stream.insert({ times, values })).version
      const pages = yield* EStream.runCollect(stream.values({ start: 0n, end: 10_000n }))
      const all = Points.concatPoints(pages)
      assert.deepStrictEqual([...all.times], [...times])
      assert.deepStrictEqual([...all.values], [...values], "no point repeated or lost, in order")
      assert.isTrue(pages.every((p) => p.version === v))
      // page 1 ended in the run of time 714 (points 4998..5004): the read reopened there, pinned to v
      assert.deepStrictEqual(log, ["rawValues 0 v0", `rawValues 714 v${v}`])
      // the point inserted meanwhile is in the newer version only
      assert.strictEqual((yield* stream.valuesCollected({ start: 0n, end: 10_000n })).times.length, n + 2)
    }))

  it.effect("windows: at the next window", () =>
    Effect.gen(function*() {
      const { log, stream } = yield* setup(failingRead("windows", 1, late))
      const v = (yield* stream.insert({ times, values })).version
      // windows of 1 ns over [3, 12000): 11 997 windows, most of them empty, in pages of 5000
      const got = yield* stream.windowsCollected({ start: 3n, end: 12_000n, width: 1n })
      assert.deepStrictEqual([...got.times], Array.from({ length: 11_997 }, (_, i) => BigInt(i + 3)))
      const counts = [...got.count]
      assert.deepStrictEqual(counts.slice(0, 1712), Array(1711).fill(7n).concat([2n]), "times 3..1714")
      assert.isTrue(counts.slice(1712).every((c) => c === 0n), "nothing after 1714 at version v")
      assert.deepStrictEqual(log, ["windows 3 v0", `windows 5003 v${v}`])
      assert.strictEqual(got.version, v)
    }))

  it.effect("alignedWindows: at the next aligned window", () =>
    Effect.gen(function*() {
      const { log, stream } = yield* setup(failingRead("alignedWindows", 1))
      // two points per ns over [0, 6000): 6000 windows of 1 ns, in two pages
      const v = (yield* stream.insert({ times: BigInt64Array.from(times, (_, i) => BigInt(i >> 1)), values })).version
      const got = yield* stream.alignedWindowsCollected({ start: 0n, end: 1_000_000n, pointwidth: 0 })
      assert.deepStrictEqual([...got.times], Array.from({ length: 6000 }, (_, i) => BigInt(i)))
      assert.deepStrictEqual([...got.mean], Array.from({ length: 6000 }, (_, i) => 2 * i + 0.5))
      assert.deepStrictEqual(log, ["alignedWindows 0 v0", `alignedWindows 5000 v${v}`])
    }))

  it.effect("changes: retried before the first page only", () =>
    Effect.gen(function*() {
      const early = yield* setup(failingRead("changes", 0))
      yield* early.stream.insert({ times, values })
      const ranges = yield* early.stream.changesCollected({ resolution: 10 })
      assert.deepStrictEqual([...ranges.start], [0n])
      assert.deepStrictEqual(early.log, ["changes", "changes"])

      const late = yield* setup(failingRead("changes", 1))
      yield* late.stream.insert({ times, values })
      const error = yield* Effect.flip(late.stream.changesCollected({ resolution: 10 }))
      assert.strictEqual(error._tag, "ConnectionError")
      assert.deepStrictEqual(late.log, ["changes"])
    }))

  it.effect("nothing is retried without a policy, or for an answer about the data", () =>
    Effect.gen(function*() {
      const none = yield* setup(failingRead("rawValues", 1), Retry.never)
      yield* none.stream.insert({ times, values })
      assert.strictEqual((yield* Effect.flip(none.stream.valuesCollected()))._tag, "ConnectionError")
      assert.deepStrictEqual(none.log, [`rawValues ${-(16n << 56n)} v0`])

      // a per-call policy turns retries on
      const again = yield* none.stream.valuesCollected().pipe(Retry.withPolicy(retry))
      assert.strictEqual(again.times.length, n)

      const { db, log } = yield* setup(failingRead("rawValues", 5))
      const missing = yield* db.streamFromUuid(Uuid.random())
      assert.strictEqual((yield* Effect.flip(missing.valuesCollected()))._tag, "StreamNotFound")
      assert.strictEqual(log.length, 1)
    }))

  it.effect("tapFailures sees the failed attempts of a read: the one resumed, and the last of one that gives up", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const observe = (policy: Retry.Policy) =>
        Retry.tapFailures(policy, (e) => Effect.sync(() => seen.push((e as E.ConnectionError).method)))
      const resumed = yield* setup(failingRead("rawValues", 1), observe(retry))
      yield* resumed.stream.insert({ times, values })
      assert.strictEqual((yield* resumed.stream.valuesCollected()).times.length, n)
      assert.deepStrictEqual(seen, ["rawValues"])

      seen.length = 0
      const late = yield* setup(failingRead("changes", 1), observe(retry))
      yield* late.stream.insert({ times, values })
      assert.strictEqual((yield* Effect.flip(late.stream.changesCollected({ resolution: 10 })))._tag, "ConnectionError")
      assert.deepStrictEqual(seen, ["changes"], "the failure that is not retried is seen too")
    }))
})
