/**
 * Streamed reads that survive transient failures: retried by the policy in effect and resumed after the last page
 * they gave, pinned to the version that served the first page, so no point is repeated or lost.
 */
import * as Schedule from "effect/Schedule"
import * as EStream from "effect/Stream"
import { type Points, type Windows } from "../../../schema/Points.js"
import * as Retry from "../../Retry.js"

interface Page {
  readonly times: BigInt64Array
  readonly version: bigint
}

/**
 * A streamed read retried by `policy` (the one in effect, `currentPolicy`), resuming after the last page it gave:
 * `open(start, version)` opens the read; `resumeAt(lastTime)` is where to reopen (undefined: nothing is left);
 * with `skipSeen`, the points at the reopening time that were already given are skipped (raw values, where several
 * points may share a time).
 */
export const resumable = <P extends Page, Err extends Retry.Failure>(
  policy: Retry.Policy,
  open: (start: bigint, version: bigint) => EStream.Stream<P, Err>,
  initial: { readonly start: bigint; readonly version: bigint },
  resumeAt: (lastTime: bigint) => bigint | undefined,
  drop: (page: P, n: number) => P,
  skipSeen: boolean
): EStream.Stream<P, Err> => {
  if (policy === Retry.never) return open(initial.start, initial.version)
  return EStream.suspend(() => {
    let last: bigint | undefined
    let seenAtLast = 0
    let served = initial.version
    const attempt = EStream.suspend(() => {
      let start = initial.start
      let skip = 0
      if (last !== undefined) {
        const at = resumeAt(last)
        if (at === undefined) return EStream.empty
        start = at
        skip = skipSeen && at === last ? seenAtLast : 0
      }
      const skipping = last
      return EStream.map(open(start, last === undefined ? initial.version : served), (received) => {
        let page = received
        if (skip > 0) {
          let k = 0
          while (k < skip && k < page.times.length && page.times[k] === skipping) k++
          skip = k === page.times.length ? skip - k : 0
          if (k > 0) page = drop(page, k)
        }
        served = page.version
        const n = page.times.length
        if (n > 0) {
          const t = page.times[n - 1]!
          if (t === last) seenAtLast += n
          else {
            let run = 1
            while (run < n && page.times[n - 1 - run] === t) run++
            last = t
            seenAtLast = run
          }
        }
        return page
      })
    })
    return retryStream(attempt, policy, policy.while)
  })
}

/** A read retried by `policy` while `retryWhile` holds, `policy.onFailure` seeing every failed attempt. */
export const retryStream = <A, Err extends Retry.Failure>(
  read: EStream.Stream<A, Err>,
  policy: Retry.Policy,
  retryWhile: (error: Retry.Failure) => boolean
): EStream.Stream<A, Err> => {
  const onFailure = policy.onFailure
  const observed = onFailure === undefined ? read : EStream.tapError(read, (error) => onFailure(error))
  return EStream.retry(observed, Schedule.while(policy.schedule, ({ input }) => retryWhile(input)))
}

export const dropPoints = (page: Points, n: number): Points => ({
  times: page.times.subarray(n),
  values: page.values.subarray(n),
  version: page.version
})

export const dropWindows = (page: Windows, n: number): Windows => ({
  times: page.times.subarray(n),
  min: page.min.subarray(n),
  mean: page.mean.subarray(n),
  max: page.max.subarray(n),
  count: page.count.subarray(n),
  stddev: page.stddev.subarray(n),
  version: page.version
})
