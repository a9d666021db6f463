/**
 * The shapes of issue 17's public types, pinned: a retry schedule sees the SDK's errors, a set's per-stream
 * results are keyed by uuid, `layerConfig` takes effect's `Config.Wrap` of the options, and `BTrDBStream` is the
 * `Stream` module under a name that does not collide with effect's.
 */
import * as Config from "effect/Config"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Errors from "../../src/errors/BTrDBError.js"
import type * as Index from "../../src/index.js"
import type { Points, VersionedPoint, Windows } from "../../src/schema/Points.js"
import type { Uuid } from "../../src/schema/Uuid.js"
import * as BTrDB from "../../src/services/BTrDB.js"
import * as Retry from "../../src/services/Retry.js"
import type * as Stream from "../../src/services/Stream.js"
import type * as StreamSet from "../../src/services/StreamSet.js"

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const pin = <Got, Want>(_: Equal<Got, Want>): void => undefined

// a policy's schedule reads the failed attempt's error as one of the SDK's errors
pin<Retry.Failure, Errors.Any>(true)
pin<Parameters<Retry.Policy["while"]>[0], Errors.Any>(true)
Retry.policy(
  Schedule.spaced("1 second").pipe(
    Schedule.setInputType<Retry.Failure>(),
    Schedule.while(({ input }) => input._tag !== "StreamNotFound" && input._tag !== "ConfigurationError")
  )
)
// any schedule that reads no input still fits
Retry.policy(Schedule.recurs(3))
// a schedule that expects another input does not
// @ts-expect-error: a number is not an SDK error
Retry.policy(Schedule.spaced("1 second").pipe(Schedule.setInputType<number>()))

// a set's per-stream results are keyed by the stream's uuid
type Success<F> = F extends (...args: ReadonlyArray<any>) => Effect.Effect<infer A, any, any> ? A : never
pin<Success<StreamSet.StreamSet["values"]>, ReadonlyMap<Uuid, Points>>(true)
pin<Success<StreamSet.StreamSet["windows"]>, ReadonlyMap<Uuid, Windows>>(true)
pin<Success<StreamSet.StreamSet["alignedWindows"]>, ReadonlyMap<Uuid, Windows>>(true)
pin<Success<StreamSet.StreamSet["earliest"]>, ReadonlyMap<Uuid, Option.Option<VersionedPoint>>>(true)
pin<Success<StreamSet.StreamSet["latest"]>, ReadonlyMap<Uuid, Option.Option<VersionedPoint>>>(true)
pin<Success<StreamSet.StreamSet["current"]>, ReadonlyMap<Uuid, Option.Option<VersionedPoint>>>(true)

// layerConfig takes a Config of each option, or one Config of them all
pin<Parameters<typeof BTrDB.layerConfig>[0], Config.Wrap<BTrDB.Options>>(true)
BTrDB.layerConfig({ endpoint: Config.String("E"), apiKey: Config.Redacted("K") })
BTrDB.layerConfig(Config.succeed({ endpoint: "localhost:4410" }))
// @ts-expect-error: the endpoint is required
BTrDB.layerConfig({ apiKey: Config.Redacted("K") })

// BTrDBStream is the Stream module
pin<typeof Index.BTrDBStream, typeof Index.Stream>(true)
pin<Index.BTrDBStream.Stream, Stream.Stream>(true)
