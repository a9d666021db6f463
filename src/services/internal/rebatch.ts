/**
 * Pages of points regrouped into batches of a fixed size, for copies that read pages of any size and write in
 * insert-sized calls (`Copy.copyStreams`, `btrdb backup`).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** Points as two columns. */
export interface Columns {
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/**
 * Runs `pages`, handing `write` each batch of `size` points in order, then what is left. The batch's arrays are
 * reused for the next one: `write` must be done with them when its effect ends.
 */
export const rebatch = <E, R, E2, R2>(
  pages: Stream.Stream<Columns, E, R>,
  size: number,
  write: (batch: Columns) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> =>
  Effect.suspend(() => {
    const times = new BigInt64Array(size)
    const values = new Float64Array(size)
    let held = 0
    const flush = Effect.suspend(() => {
      const n = held
      held = 0
      return n === 0 ? Effect.void : write({ times: times.subarray(0, n), values: values.subarray(0, n) })
    })
    return Stream.runForEach(pages, (page) =>
      Effect.gen(function*() {
        for (let at = 0; at < page.times.length;) {
          const n = Math.min(size - held, page.times.length - at)
          times.set(page.times.subarray(at, at + n), held)
          values.set(page.values.subarray(at, at + n), held)
          held += n
          at += n
          if (held === size) yield* flush
        }
      })).pipe(Effect.andThen(flush))
  })
