/**
 * A full garbage collection on demand, for the benchmarks: so that what the bench itself allocated before the clock
 * starts (its columns, their temporaries) is not collected inside a timed step, and so that memory retained can be
 * read after a collection.
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"

v8.setFlagsFromString("--expose-gc")

/** Collects all garbage now. */
export const gc = vm.runInNewContext("gc") as () => void

/** Full collections with turns of the event loop between them: array buffers are freed after the GC that finds them. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
