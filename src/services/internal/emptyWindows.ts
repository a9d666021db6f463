/**
 * What a windows read does with its empty windows (count 0): BTrDB sends them with every statistic 0, which reads
 * as real zeros in a chart. Plain functions over the columns, applied to each page.
 */
import type { EmptyWindows, Windows } from "../../schema/Points.js"

/** The names `EmptyWindows` takes, for validation and help texts. */
export const EMPTY_WINDOWS: ReadonlyArray<EmptyWindows> = ["zeros", "nan", "drop"]

/** `page` with its empty windows treated as `how` says; the page itself when it has none or `how` is `"zeros"`. */
export const treatEmptyWindows = (page: Windows, how: EmptyWindows): Windows => {
  if (how === "zeros") return page
  const { count } = page
  let empty = 0
  for (let i = 0; i < count.length; i++) if (count[i] === 0n) empty++
  if (empty === 0) return page
  return how === "nan" ? withNaN(page) : withoutEmpty(page, count.length - empty)
}

const withNaN = (page: Windows): Windows => {
  const min = page.min.slice()
  const mean = page.mean.slice()
  const max = page.max.slice()
  const stddev = page.stddev.slice()
  for (let i = 0; i < page.count.length; i++) {
    if (page.count[i] === 0n) {
      min[i] =
        mean[i] =
        max[i] =
        stddev[i] =
          NaN
    }
  }
  return { ...page, min, mean, max, stddev }
}

const withoutEmpty = (page: Windows, kept: number): Windows => {
  const out = {
    times: new BigInt64Array(kept),
    min: new Float64Array(kept),
    mean: new Float64Array(kept),
    max: new Float64Array(kept),
    count: new BigUint64Array(kept),
    stddev: new Float64Array(kept),
    version: page.version
  }
  for (let i = 0, j = 0; i < page.count.length; i++) {
    if (page.count[i] === 0n) continue
    out.times[j] = page.times[i]!
    out.min[j] = page.min[i]!
    out.mean[j] = page.mean[i]!
    out.max[j] = page.max[i]!
    out.count[j] = page.count[i]!
    out.stddev[j] = page.stddev[i]!
    j++
  }
  return out
}
