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
import * as Channel from "effect/Channel"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
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

/**
 * `stream` in a span `name` opened with `options` when it is run, with `services` (and the span as the parent
 * span) provided to its effects.
 */
export const withStreamSpan = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  name: string,
  options: Tracer.SpanOptionsNoTrace,
  services: Context.Context<never> = Context.empty()
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.fromTransform((upstream, scope) =>
    Effect.flatMap(
      Effect.uninterruptible(Effect.tap(
        Effect.makeSpan(name, options),
        (span) => Scope.addFinalizerExit(scope, (exit) => endSpan(span, exit))
      )),
      (span) => {
        const context = Context.add(services, Tracer.ParentSpan, span)
        return Effect.map(
          Effect.provideContext(Channel.toTransform(Stream.toChannel(stream))(upstream, scope), context),
          (pull) => Effect.provideContext(pull, context)
        )
      }
    )
  ))
