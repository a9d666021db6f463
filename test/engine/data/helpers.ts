/**
 * Helpers shared by the data-plane tests.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, expect } from "vitest"
import type { Columns, Paged, RangeColumns, StatColumns } from "../../../src/engine/data/DataStore.js"
import { isStatusError } from "../../../src/engine/StatusError.js"
import type { Pt, Stat } from "./model.js"

export const U1 = "0d9f9ac1-5a51-4e5c-9d0e-3c1b2a7f6e01"
export const U2 = "6b0c1f4e-2d7a-4f0b-8e61-9a2c5d3e7f02"

export const tmpDir = (tag: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `btrdb-${tag}-`))

export const rmDir = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true })

/** A maker of fresh temporary directories (`fresh(tag)`), every one removed after each test of the file. */
export const scratchDirs = (): (tag: string) => string => {
  const dirs: Array<string> = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmDir(d)
  })
  return (tag) => {
    const d = tmpDir(tag)
    dirs.push(d)
    return d
  }
}

/** Runs f and returns the StatusError code it throws (or rejects with), else undefined. */
export const codeOf = async (f: () => unknown): Promise<number | undefined> => {
  try {
    const r = f()
    if (r instanceof Promise) await r
    return undefined
  } catch (e) {
    if (isStatusError(e)) return e.code
    throw e
  }
}

/** Iterates a paged result, checking the paging rules, and returns every page. */
export const pagesOf = <P>(paged: Paged<P>, size: (p: P) => number, pageSize: number): Array<P> => {
  const pages = [...paged.pages]
  expect(pages.length).toBeGreaterThanOrEqual(1)
  for (const [i, p] of pages.entries()) {
    expect(size(p)).toBeLessThanOrEqual(pageSize)
    if (pages.length > 1) expect(size(p)).toBeGreaterThan(0)
    if (i < pages.length - 1) expect(size(p)).toBe(pageSize)
  }
  return pages
}

export const rawPoints = (paged: Paged<Columns>, pageSize = 5000): Array<Pt> =>
  pagesOf(paged, (p) => p.times.length, pageSize).flatMap((p) => Array.from(p.times, (t, i) => ({ t, v: p.values[i] })))

export const stats = (paged: Paged<StatColumns>, pageSize = 5000): Array<Stat> =>
  pagesOf(paged, (p) => p.times.length, pageSize).flatMap((p) =>
    Array.from(p.times, (t, i) => ({
      t,
      min: p.min[i],
      mean: p.mean[i],
      max: p.max[i],
      count: Number(p.count[i]),
      stddev: p.stddev[i]
    }))
  )

export const ranges = (paged: Paged<RangeColumns>, pageSize = 1000): Array<[bigint, bigint]> =>
  pagesOf(paged, (p) => p.start.length, pageSize).flatMap((p) =>
    Array.from(p.start, (s, i): [bigint, bigint] => [s, p.end[i]])
  )

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/** Compares window statistics (min/max/count exactly, mean and stddev within 1e-9 relative). */
export const expectStats = (got: ReadonlyArray<Stat>, want: ReadonlyArray<Stat>): void => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const g = got[i]
    const w = want[i]
    const ok = g.t === w.t && g.count === w.count && g.min === w.min && g.max === w.max && close(g.mean, w.mean) &&
      close(g.stddev, w.stddev)
    if (!ok) expect({ i, ...g }).toEqual({ i, ...w })
  }
}

/** Compares points exactly (value bits included). */
export const expectPoints = (got: ReadonlyArray<Pt>, want: ReadonlyArray<Pt>): void => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    if (got[i].t !== want[i].t || !Object.is(got[i].v, want[i].v)) expect({ i, ...got[i] }).toEqual({ i, ...want[i] })
  }
}

export const columns = (pts: ReadonlyArray<readonly [bigint, number]>): Columns => ({
  times: BigInt64Array.from(pts, (p) => p[0]),
  values: Float64Array.from(pts, (p) => p[1])
})
