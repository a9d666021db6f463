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
import * as Exit from "effect/Exit"
import type * as Pull from "effect/Pull"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

/** Ends `span` with the stream's `exit`, at the clock's time unless span timing is off. */
const endSpan = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>) =>
  Effect.flatMap(
    References.TracerTimingEnabled,
    (timed) =>
      Effect.flatMap(timed ? Clock.currentTimeNanos : Effect.succeed(0n), (time) =>
        Effect.sync(() => {
          if (span.status._tag !== "Ended") span.end(time, exit)
        }))
  )

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
    const setup: Effect.Effect<Pull.Pull<Arr.NonEmptyReadonlyArray<A>, E, void>, E2, R | Exclude<R2, Scope.Scope>> =
      Effect.flatMap(
        Scope.provide(make, scope),
        (stream) => Channel.toTransform(Stream.toChannel(stream))(upstream, scope)
      )
    const spanned = Effect.flatMap(
      Effect.uninterruptible(Effect.tap(
        Effect.makeSpan(name, options),
        (span) => Scope.addFinalizerExit(scope, (exit) => endSpan(span, exit))
      )),
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
          (pull) => Effect.updateContext(pull, (context: Context.Context<never>) => within(context))
        )
      }
    )
    return unless === undefined ? spanned : Effect.flatMap(unless, (inside) => inside ? setup : spanned)
  }))
