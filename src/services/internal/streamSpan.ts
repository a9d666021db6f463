/**
 * A stream run inside a span, in one layer: what `Stream.withSpan` does (the span opens when the stream is run,
 * is the parent of every span opened while it runs and ends with the stream, failed when the stream failed), with
 * the services the stream's own effects need (an operation's `InOperation`) provided along with the span.
 *
 * `Stream.withSpan` is a resource bracket around the stream and a second layer that provides the span; with the
 * `provideService` of an operation, that is three layers a read goes through to give each page. A short read
 * (1 000 points, one page) spent 0.1 ms of client CPU in its two spans, its operation's and its call's, where
 * the call itself takes 0.3 ms (bench/README.md, issue 14).
 */
import type * as Arr from "effect/Array"
import * as Channel from "effect/Channel"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Pull from "effect/Pull"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

/**
 * Opens span `name` in `scope`, ended with the exit the scope closes with: at the time of the clock in effect when
 * it opened, unless span timing was off then (as effect ends its own scoped spans), in one step.
 */
const openSpan = (name: string, options: Tracer.SpanOptionsNoTrace, scope: Scope.Scope) =>
  Effect.uninterruptible(Effect.withFiber((fiber) => {
    const clock = fiber.getRef(Clock.Clock)
    const timed = fiber.getRef(References.TracerTimingEnabled)
    return Effect.tap(
      Effect.makeSpan(name, options),
      (span) =>
        Scope.addFinalizerExit(scope, (exit) =>
          Effect.sync(() => {
            if (span.status._tag !== "Ended") span.end(timed ? clock.currentTimeNanosUnsafe() : 0n, exit)
          }))
    )
  }))

/**
 * The streams made by {@link withLeafSpan}, each with the stream it spans: their pulls read nothing from their
 * context, so {@link withStreamSpan} gives them the operation's context when they start (their span is its child)
 * and leaves their pulls as they are.
 */
const leaves = new WeakMap<Stream.Stream<unknown, unknown, unknown>, Stream.Stream<unknown, unknown, unknown>>()

/** The stream `stream` spans when {@link withLeafSpan} made it, else undefined. */
export const unspannedLeaf = <A, E, R>(stream: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> | undefined =>
  leaves.get(stream) as Stream.Stream<A, E, R> | undefined

/**
 * `stream`, which reads nothing from the context it runs in (no span, no service), run in a span `name` of its
 * own: the span of one call. What it adds to the stream is the span and nothing per pull: the stream's pulls are
 * its own, run in the context of its consumer (where {@link withStreamSpan} gives every pull a context with the
 * span).
 */
export const withLeafSpan = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  name: string,
  options: Tracer.SpanOptionsNoTrace
): Stream.Stream<A, E, R> => {
  const spanned = Stream.fromChannel(
    Channel.fromTransform((upstream, scope) =>
      Effect.flatMap(
        openSpan(name, options, scope),
        () => Channel.toTransform(Stream.toChannel(stream))(upstream, scope)
      )
    )
  )
  leaves.set(spanned, stream)
  return spanned
}

/** What {@link withStreamSpan} provides besides the span, and when it opens none. */
export interface StreamSpanOptions {
  /** Provided, with the span as the parent span, to `make` and to the stream's effects. */
  readonly services?: Context.Context<never>
  /** When this reference holds, no span is opened and nothing is provided (an operation inside another). */
  readonly unless?: Context.Reference<boolean>
}

/**
 * The stream `make` makes, made and run in a span `name` opened with `options` when the stream is run, with the
 * span as the parent span and `services` provided to `make` and to the stream's effects, and the stream's scope to
 * `make`. `make` is how a read checks its arguments and picks its calls: in the span, and without a layer of its
 * own (`Stream.unwrap`).
 */
export const withStreamSpan = <A, E, R, E2, R2>(
  make: Effect.Effect<Stream.Stream<A, E, R>, E2, R2>,
  name: string,
  options: Tracer.SpanOptionsNoTrace,
  { services = Context.empty(), unless }: StreamSpanOptions = {}
): Stream.Stream<A, E | E2, R | Exclude<R2, Scope.Scope>> =>
  Stream.fromChannel(Channel.fromTransform((upstream, scope) => {
    // whether the stream `make` made is a leaf's (known once it is made)
    let leaf = false
    const setup: Effect.Effect<Pull.Pull<Arr.NonEmptyReadonlyArray<A>, E, void>, E2, R | Exclude<R2, Scope.Scope>> =
      Effect.flatMap(
        Scope.provide(make, scope),
        (stream) => {
          leaf = leaves.has(stream)
          return Channel.toTransform(Stream.toChannel(stream))(upstream, scope)
        }
      )
    const spanned = Effect.flatMap(
      openSpan(name, options, scope),
      (span) => {
        const provided = Context.add(services, Tracer.ParentSpan, span)
        // Every pull runs in the context of its consumer, almost always the same one: merged once with what is
        // provided, that context is given again to each pull, and the fiber's lookups cached for it are reused.
        let outer: unknown
        let inner: unknown
        const within = <C>(context: Context.Context<C>): Context.Context<C> => {
          if (context !== outer || inner === undefined) {
            outer = context
            inner = Context.merge(context, provided)
          }
          return inner as Context.Context<C>
        }
        return Effect.map(
          Effect.updateContext(setup, (context: Context.Context<R | Exclude<R2, Scope.Scope>>) => within(context)),
          (pull) => leaf ? pull : Effect.updateContext(pull, (context: Context.Context<never>) => within(context))
        )
      }
    )
    return unless === undefined ? spanned : Effect.flatMap(unless, (inside) => inside ? setup : spanned)
  }))
