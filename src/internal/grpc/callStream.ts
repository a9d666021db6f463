/**
 * A gRPC call's answers as an effect `Stream`, in one step: the call starts when the stream is run, its messages
 * are taken as they arrive, every message that has arrived by a pull is given in that pull, and the call is paused
 * while a few are waiting, so a slow consumer holds the server back instead of filling memory. Closing the
 * stream's scope (the end of the read, a `take`, an interruption) cancels the call.
 *
 * The SDK used `Stream.fromAsyncIterable` over the call before, with the call acquired in a scope of its own and
 * each message checked in a step of its own: that cost a short read (1 000 points, one message) 0.14 ms of client
 * CPU more than the call itself, and a long read one pull per page.
 */
import type * as grpc from "@grpc/grpc-js"
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** How many received messages wait for a pull before the call is paused. */
const PAUSE_AT = 4

/** What this module needs of a call: a readable of its answers that can be paused and cancelled. */
export type Call<Res> = grpc.ClientReadableStream<Res> | grpc.ClientDuplexStream<unknown, Res>

/**
 * The answers of the call `start` makes, as a Stream: `check` turns a message into the error it carries (an
 * in-band status), `failure` a failed call into its error, and `output` a message without error into what the
 * stream gives (a page: in the same step, rather than in a `Stream.map` of its own). Messages before a failing
 * one are given first.
 */
export const callStream = <Res, E, A = Res>(
  start: () => Call<Res>,
  check: (message: Res) => E | undefined,
  failure: (error: unknown) => E,
  output?: (message: Res) => A
): Stream.Stream<A, E> =>
  Stream.fromChannel(Channel.fromTransform((_, scope) =>
    Effect.suspend(() => {
      const call = start()
      const received: Array<Res> = []
      let failed: { readonly error: E } | undefined
      let ended = false
      // the call has its status (it ended or failed): nothing to cancel
      let settled = false
      let wake: (() => void) | undefined
      const notify = () => {
        const waiting = wake
        wake = undefined
        waiting?.()
      }
      call.on("data", (message: Res) => {
        received.push(message)
        if (received.length >= PAUSE_AT) call.pause()
        notify()
      })
      call.on("error", (error) => {
        settled = true
        failed ??= { error: failure(error) }
        notify()
      })
      call.on("end", () => {
        ended = true
        settled = true
        notify()
      })

      const pull = (): Effect.Effect<Arr.NonEmptyReadonlyArray<A>, E | Cause.Done> => {
        if (received.length > 0) {
          const messages = received.splice(0, received.length)
          if (call.isPaused()) call.resume()
          const given: Array<A> = []
          for (const message of messages) {
            const bad = check(message)
            if (bad === undefined) {
              given.push(output === undefined ? message as unknown as A : output(message))
              continue
            }
            if (given.length === 0) return Effect.fail(bad)
            // the messages before it first; the next pull fails
            failed = { error: bad }
            break
          }
          return Effect.succeed(given as unknown as Arr.NonEmptyReadonlyArray<A>)
        }
        if (failed !== undefined) return Effect.fail(failed.error)
        if (ended) return Cause.done()
        return Effect.callback<Arr.NonEmptyReadonlyArray<A>, E | Cause.Done>((resume) => {
          wake = () => resume(pull())
          return Effect.sync(() => {
            wake = undefined
          })
        })
      }
      const cancel = Effect.sync(() => {
        if (!settled) call.cancel()
      })
      return Effect.as(Scope.addFinalizer(scope, cancel), Effect.suspend(pull))
    })
  ))
