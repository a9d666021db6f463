/**
 * A naive model of a stream for the property tests: every version is a plain sorted array of points.
 */
import type { MergePolicy } from "../../../src/engine/data/DataStore.js"
import { FIRST_VERSION, MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"

export interface Pt {
  readonly t: bigint
  readonly v: number
}

export interface Stat {
  readonly t: bigint
  readonly min: number
  readonly mean: number
  readonly max: number
  readonly count: number
  readonly stddev: number
}

const byTime = (a: Pt, b: Pt): number => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0)

export const stat = (t: bigint, vs: ReadonlyArray<number>): Stat => {
  if (vs.length === 0) return { t, min: 0, mean: 0, max: 0, count: 0, stddev: 0 }
  const mean = vs.reduce((s, x) => s + x, 0) / vs.length
  const m2 = vs.reduce((s, x) => s + (x - mean) * (x - mean), 0)
  return { t, min: Math.min(...vs), mean, max: Math.max(...vs), count: vs.length, stddev: Math.sqrt(m2 / vs.length) }
}

export class Model {
  /** versions[i] is major 10 + i. */
  readonly versions: Array<ReadonlyArray<Pt>> = [[]]

  get latest(): bigint {
    return FIRST_VERSION + BigInt(this.versions.length - 1)
  }

  at(major: bigint): ReadonlyArray<Pt> {
    return major === 0n ? this.versions[this.versions.length - 1] : this.versions[Number(major - FIRST_VERSION)]
  }

  /** Every delete and every insert with points makes a version, whether or not it changes anything. */
  private commit(next: Array<Pt>): void {
    this.versions.push(next)
  }

  insert(batch: ReadonlyArray<Pt>, policy: MergePolicy): void {
    if (batch.length === 0) return
    const sorted = [...batch].sort(byTime) // Array.prototype.sort is stable
    let cur = [...this.versions[this.versions.length - 1]]
    const accepted: Array<Pt> = []
    for (const p of sorted) {
      if (policy === "never") accepted.push(p)
      else if (policy === "equal") {
        if (!cur.some((q) => q.t === p.t && q.v === p.v) && !accepted.some((q) => q.t === p.t && q.v === p.v)) {
          accepted.push(p)
        }
      } else if (policy === "retain") {
        if (!cur.some((q) => q.t === p.t) && !accepted.some((q) => q.t === p.t)) accepted.push(p)
      } else {
        cur = cur.filter((q) => q.t !== p.t)
        for (let i = accepted.length - 1; i >= 0; i--) if (accepted[i].t === p.t) accepted.splice(i, 1)
        accepted.push(p)
      }
    }
    this.commit([...cur, ...accepted].sort(byTime))
  }

  delete(s: bigint, e: bigint): void {
    this.commit(this.versions[this.versions.length - 1].filter((p) => p.t < s || p.t >= e))
  }

  raw(major: bigint, s: bigint, e: bigint): Array<Pt> {
    return this.at(major).filter((p) => p.t >= s && p.t < e)
  }

  /** Aligned windows, or the error code. */
  aligned(major: bigint, start: bigint, end: bigint, pw: number): Array<Stat> | number {
    if (pw > 63) return 415
    const mask = (1n << BigInt(pw)) - 1n
    const s = start & ~mask
    const e = end & ~mask
    if (s < MIN_TIME || e - 1n >= MAX_TIME || s >= e - 1n) return 413
    const groups = new Map<bigint, Array<number>>()
    for (const p of this.at(major)) {
      if (p.t < s || p.t >= e) continue
      const w = p.t & ~mask
      const g = groups.get(w)
      if (g) g.push(p.v)
      else groups.set(w, [p.v])
    }
    return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([w, vs]) => stat(w, vs))
  }

  windows(major: bigint, start: bigint, end: bigint, width: bigint): Array<Stat> | number {
    if (width <= 0n || width > 1n << 63n) return 415
    if (start < MIN_TIME || end >= MAX_TIME || start >= end) return 413
    const e = end - ((end - start) % width)
    if (start >= e) return 413
    const out: Array<Stat> = []
    const pts = this.at(major)
    for (let w = start; w < e; w += width) {
      out.push(stat(w, pts.filter((p) => p.t >= w && p.t < w + width).map((p) => p.v)))
    }
    return out
  }

  nearest(major: bigint, time: bigint, backward: boolean): Pt | null {
    const pts = this.at(major)
    if (backward) {
      for (let i = pts.length - 1; i >= 0; i--) if (pts[i].t < time) return pts[i]
      return null
    }
    return pts.find((p) => p.t >= time) ?? null
  }

  /**
   * The ranges changed by the commits in (from, to] (already resolved to concrete majors, from may
   * be < 10): the union of what each commit changed, each commit's change being the timestamps
   * whose points differ between its version and the one before.
   */
  changes(from: bigint, to: bigint, resolution: number): Array<[bigint, bigint]> {
    if (this.at(to).length === 0) return [[MIN_TIME, MAX_TIME]]
    const changed = new Set<bigint>()
    for (let v = from < FIRST_VERSION ? FIRST_VERSION : from; v < to; v++) {
      for (const t of this.differing(this.at(v), this.at(v + 1n))) changed.add(t)
    }
    const bucket = 1n << BigInt(resolution)
    const out: Array<[bigint, bigint]> = []
    for (const t of [...changed].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0))) {
      const f = t & ~(bucket - 1n)
      const bs = f < MIN_TIME ? MIN_TIME : f
      const be = f + bucket > MAX_TIME ? MAX_TIME : f + bucket
      const last = out[out.length - 1]
      if (last && bs <= last[1]) {
        if (be > last[1]) last[1] = be
      } else out.push([bs, be])
    }
    return out
  }

  /** The timestamps whose points (as multisets of values, bit for bit) differ between two snapshots. */
  private differing(a: ReadonlyArray<Pt>, b: ReadonlyArray<Pt>): Array<bigint> {
    const group = (pts: ReadonlyArray<Pt>): Map<bigint, Array<number>> => {
      const m = new Map<bigint, Array<number>>()
      for (const p of pts) {
        const g = m.get(p.t)
        if (g) g.push(p.v)
        else m.set(p.t, [p.v])
      }
      return m
    }
    const ga = group(a)
    const gb = group(b)
    const changed: Array<bigint> = []
    for (const t of new Set([...ga.keys(), ...gb.keys()])) {
      const x = [...(ga.get(t) ?? [])].sort((p, q) => p - q || (Object.is(p, -0) ? -1 : Object.is(q, -0) ? 1 : 0))
      const y = [...(gb.get(t) ?? [])].sort((p, q) => p - q || (Object.is(p, -0) ? -1 : Object.is(q, -0) ? 1 : 0))
      if (x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]))) changed.push(t)
    }
    return changed
  }
}
