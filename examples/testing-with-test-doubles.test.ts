/**
 * Testing your own code with test doubles: `BTrDB.layerTest` gives the service from only the members a test needs,
 * `Stream.makeTest` a stream handle from a uuid and the members it needs. Anything not given dies with an
 * `UnimplementedError` naming it, so a test says exactly what its code may call. For code that needs a working
 * database, use `BTrDB.layerMemory()` (examples/testing-with-memory-layer.test.ts).
 *
 *   npx vitest run examples/testing-with-test-doubles.test.ts
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { BTrDB, Stream } from "effect-btrdb"

// --- the code under test (in your project, its own module) ----------------------------------------------------

/** The latest value of the stream `uuid`, rounded to one decimal, or "offline" when it has no points. */
export const reading = (uuid: string) =>
  Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const stream = yield* db.streamFromUuid(uuid)
    const latest = yield* stream.latest()
    return Option.match(latest, { onNone: () => "offline", onSome: (point) => point.value.toFixed(1) })
  })

// --- its tests ----------------------------------------------------------------------------------------------------

const UUID = "f98f4b4e-9fab-46b5-8a80-f282059d69b1"

/** A service whose streams answer `latest` as `latest` says. */
const serviceWith = (latest: NonNullable<Stream.TestMembers["latest"]>) =>
  BTrDB.layerTest({ streamFromUuid: (uuid) => Effect.succeed(Stream.makeTest(uuid, { latest })) })

describe("reading, with test doubles", () => {
  it.effect("rounds the latest value", () =>
    Effect.gen(function*() {
      const layer = serviceWith(() => Effect.succeed(Option.some({ time: 1n, value: 230.06, version: 10n })))
      assert.strictEqual(yield* reading(UUID).pipe(Effect.provide(layer)), "230.1")
    }))

  it.effect("says offline when the stream has no point", () =>
    Effect.gen(function*() {
      const layer = serviceWith(() => Effect.succeed(Option.none()))
      assert.strictEqual(yield* reading(UUID).pipe(Effect.provide(layer)), "offline")
    }))

  it.effect("a member the test did not give dies, naming it", () =>
    Effect.gen(function*() {
      const handle = Stream.makeTest(UUID)
      assert.isTrue(Stream.isStream(handle))
      assert.strictEqual(handle.uuid, UUID)
      const exit = yield* Effect.exit(handle.valuesCollected())
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.include(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)), "valuesCollected")
      const service = yield* Effect.exit(BTrDB.BTrDB.use((db) => db.info).pipe(Effect.provide(BTrDB.layerTest())))
      assert.isTrue(Exit.isFailure(service))
      const db = yield* BTrDB.BTrDB.useSync((db) => db).pipe(Effect.provide(BTrDB.layerTest()))
      assert.strictEqual(db.endpoint, "test")
    }))
})
