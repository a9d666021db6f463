/**
 * How an insert goes on the wire: its points split into chunks of at most `INSERT_CHUNK_POINTS`, one Insert (or
 * ArrowInsert) call each, several in flight at once.
 *
 * Each chunk makes its own version. Calls in flight together may be applied by the server in any order, which
 * cannot change what is stored when their times are apart. A chunk whose times may meet an earlier chunk's is
 * therefore a barrier: it is sent once every earlier chunk is answered, so a merge policy sees the points in the
 * order they were given. Sorted points (the usual case) have no barrier; points in random order go one call at a
 * time, as before.
 *
 * When a call fails, no later chunk is sent, the calls in flight are answered, and the insert fails with the
 * earliest failed chunk's error.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { isAscending } from "../../../internal/timeColumns.js"

/** The points `[offset, end)` of an insert, and whether they must wait for every earlier chunk. */
export interface Chunk {
  readonly offset: number
  readonly end: number
  readonly barrier: boolean
}

/**
 * `times` cut into chunks of at most `size` points; no points make one empty chunk (an empty insert is one call,
 * which answers the stream's version). A chunk is a barrier unless its times all lie before, or all after, the
 * times of every earlier chunk.
 */
export const chunksOf = (times: BigInt64Array, size: number): ReadonlyArray<Chunk> => {
  if (times.length === 0) return [{ offset: 0, end: 0, barrier: false }]
  const chunks: Array<Chunk> = []
  let earliest = 0n
  let latest = 0n
  for (let offset = 0; offset < times.length; offset += size) {
    const end = Math.min(times.length, offset + size)
    let min = times[offset]!
    let max = times[end - 1]!
    // sorted chunks (the usual case) are read at their ends only, not a bigint per point
    if (!isAscending(times.subarray(offset, end))) {
      max = min
      for (let i = offset + 1; i < end; i++) {
        const t = times[i]!
        if (t < min) min = t
        else if (t > max) max = t
      }
    }
    if (offset === 0) {
      earliest = min
      latest = max
      chunks.push({ offset, end, barrier: false })
      continue
    }
    chunks.push({ offset, end, barrier: min <= latest && max >= earliest })
    if (min < earliest) earliest = min
    if (max > latest) latest = max
  }
  return chunks
}

/**
 * Sends every chunk with `send`, at most `maxInFlight` at once, started in order; the versions in chunk order.
 * Barriers wait as {@link chunksOf} says. After a failure no chunk is started; the ones in flight finish, and the
 * earliest failure is the result.
 */
export const sendChunks = <E, R>(
  chunks: ReadonlyArray<Chunk>,
  maxInFlight: number,
  send: (chunk: Chunk) => Effect.Effect<bigint, E, R>
): Effect.Effect<Array<bigint>, E, R> => {
  if (maxInFlight === 1 || chunks.length === 1) return Effect.forEach(chunks, send)
  return Effect.suspend(() => {
    // the chunks started and not yet answered, each with what tells a barrier it is answered
    const pending = new Map<number, Deferred.Deferred<void>>()
    let failed = false
    const one = (chunk: Chunk, index: number) => {
      const earlier = chunk.barrier ? Array.from(pending.values()) : []
      const answered = Deferred.makeUnsafe<void>()
      pending.set(index, answered)
      return Effect.gen(function*() {
        for (const deferred of earlier) yield* Deferred.await(deferred)
        if (failed) return undefined
        const exit = yield* Effect.exit(send(chunk))
        if (Exit.isFailure(exit)) failed = true
        return exit
      }).pipe(Effect.ensuring(Effect.sync(() => {
        pending.delete(index)
        Deferred.doneUnsafe(answered, Exit.void)
      })))
    }
    return Effect.flatMap(Effect.forEach(chunks, one, { concurrency: maxInFlight }), (exits) => {
      const versions: Array<bigint> = []
      for (const exit of exits) {
        // a chunk is skipped only after an earlier one failed
        if (exit === undefined) continue
        if (Exit.isFailure(exit)) return Effect.failCause(exit.cause)
        versions.push(exit.value)
      }
      return Effect.succeed(versions)
    })
  })
}
