/**
 * How `btrdb serve` sizes V8's old generation: it lets the heap grow to twice its live size between two full
 * collections (`--heap-growing-percent=100`) instead of V8's own factor, which V8 computes from how fast the
 * process allocated of late.
 *
 * Why. A server's load comes in bursts. After a few seconds of quiet, V8 judges the process a slow allocator and
 * lets the old generation grow only about 25 % past its live size (38 MB live, a 47 MB limit). Under the next burst
 * of inserts the server then marked and compacted its heap without pause: 6 full collections per 2 M points
 * inserted against 1 or 2 before the quiet, and twice the CPU time for the same work. With the factor fixed at 2,
 * the same bursts after the same quiet took 1 or 2 each. In two alternating pairs of runs of eight SDK inserts of
 * 2 M points, the last four of each run after 6 s of quiet, those four ran at 3.85 to 6.58 M points/s (mean 4.75)
 * with V8's factor and at 4.92 to 6.77 (mean 5.79) with it fixed; in `npm run bench:python`, where each of the
 * SDK's inserts follows a Python run, 3.3 to 4.6 against 5.6 (bench/README.md). The JS heap of a server is small
 * (its cached nodes are buffers outside it), so twice its live size costs tens of megabytes.
 *
 * Only the `serve` process is tuned: a library must not change the V8 flags of the application that embeds it, so
 * an `EmbeddedServer` started in a user's process keeps the process's own settings.
 */
import * as v8 from "node:v8"

/** The V8 flag `btrdb serve` sets. */
export const HEAP_GROWING_FLAG = "--heap-growing-percent=100"

/**
 * The flag to set, or undefined when the process was started with its own `--heap-growing-percent` (in its
 * arguments or in `NODE_OPTIONS`), which is then left as given.
 */
export const heapGrowingFlag = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined): string | undefined =>
  [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg)) ?
    undefined :
    HEAP_GROWING_FLAG

/** Sets {@link HEAP_GROWING_FLAG} in this process unless it was started with its own. */
export const tuneServerHeap = (): void => {
  const flag = heapGrowingFlag(process.execArgv, process.env["NODE_OPTIONS"])
  if (flag !== undefined) v8.setFlagsFromString(flag)
}
