/**
 * Copy-on-write updates of the time-partitioned tree: building subtrees from sorted points, merging
 * an insert batch under a merge policy, and deleting a time range. Every change writes new nodes
 * only along the paths to the changed leaves; unchanged subtrees keep their address, and an
 * operation that changes nothing returns the address it was given.
 */
import {
  clearSlot,
  EMPTY,
  FANOUT,
  FANOUT_BITS,
  leafColumns,
  lowerBound,
  MIN_INTERNAL_PW,
  type NodeStore,
  ROOT_PW,
  ROOT_START,
  S_ADDR,
  S_COUNT,
  SLOTS_LEN,
  slotsCount,
  Summary
} from "./node.js"
import type { MergePolicy } from "./types.js"

/** Tree updates over a node store. */
export class Tree {
  private readonly s = new Summary()
  private readonly rootOut = new Float64Array(SLOTS_LEN)

  constructor(readonly store: NodeStore, readonly capacity: number) {}

  /**
   * Inserts sorted points (ties in batch order, already reduced per policy within the batch) into
   * the tree at `root` and returns the new root (`root` itself when nothing changed).
   */
  insert(root: number, bt: BigInt64Array, bv: Float64Array, policy: MergePolicy): number {
    if (bt.length === 0) return root
    return this.insertAt(root, ROOT_START, ROOT_PW, bt, bv, 0, bt.length, policy, this.rootOut, 0)
  }

  /** Deletes every point with s ≤ t < e and returns the new root (unchanged when nothing was there). */
  delete(root: number, s: bigint, e: bigint): number {
    if (root === EMPTY) return root
    return this.deleteAt(root, ROOT_START, ROOT_PW, s, e, this.rootOut, 0)
  }

  /**
   * Builds the subtree at (ns, pw) from the sorted points [lo, hi) (non-empty), writes its statistics
   * into slot `oc` of `out` and returns its address. With `owned`, the arrays may become the leaf's own.
   */
  build(
    bt: BigInt64Array,
    bv: Float64Array,
    lo: number,
    hi: number,
    ns: bigint,
    pw: number,
    out: Float64Array,
    oc: number,
    owned = false
  ): number {
    if (hi - lo <= this.capacity || pw < MIN_INTERNAL_PW) {
      const { times, values } = owned && lo === 0 && hi === bt.length ?
        { times: bt, values: bv } :
        leafColumns(bt, bv, lo, hi)
      this.s.ofValues(values, 0, values.length)
      this.s.store(out, oc)
      return this.store.append({ kind: 0, start: ns, pw, times, values })
    }
    const slots = new Float64Array(SLOTS_LEN)
    const cpw = pw - FANOUT_BITS
    const cpwB = BigInt(cpw)
    let i = lo
    while (i < hi) {
      const c = Number((bt[i] - ns) >> cpwB)
      const cs = ns + (BigInt(c) << cpwB)
      const j = c === FANOUT - 1 ? hi : lowerBound(bt, cs + (1n << cpwB), i + 1, hi)
      slots[S_ADDR + c] = this.build(bt, bv, i, j, cs, cpw, slots, c)
      i = j
    }
    this.s.ofSlots(slots)
    this.s.store(out, oc)
    return this.store.append({ kind: 1, start: ns, pw, slots })
  }

  private insertAt(
    addr: number,
    ns: bigint,
    pw: number,
    bt: BigInt64Array,
    bv: Float64Array,
    lo: number,
    hi: number,
    policy: MergePolicy,
    out: Float64Array,
    oc: number
  ): number {
    if (addr === EMPTY) return this.build(bt, bv, lo, hi, ns, pw, out, oc)
    const node = this.store.get(addr)
    if (node.kind === 0) {
      const merged = mergeLeaf(node.times, node.values, bt, bv, lo, hi, policy)
      if (merged === null) return addr
      return this.build(merged.times, merged.values, 0, merged.times.length, ns, pw, out, oc, true)
    }
    const slots = node.slots.slice()
    const cpw = pw - FANOUT_BITS
    const cpwB = BigInt(cpw)
    let changed = false
    let i = lo
    while (i < hi) {
      const c = Number((bt[i] - ns) >> cpwB)
      const cs = ns + (BigInt(c) << cpwB)
      const j = c === FANOUT - 1 ? hi : lowerBound(bt, cs + (1n << cpwB), i + 1, hi)
      const old = slots[S_ADDR + c]
      const r = this.insertAt(old, cs, cpw, bt, bv, i, j, policy, slots, c)
      if (r !== old) {
        slots[S_ADDR + c] = r
        changed = true
      }
      i = j
    }
    if (!changed) return addr
    this.s.ofSlots(slots)
    this.s.store(out, oc)
    return this.store.append({ kind: 1, start: ns, pw, slots })
  }

  private deleteAt(addr: number, ns: bigint, pw: number, s: bigint, e: bigint, out: Float64Array, oc: number): number {
    const ne = ns + (1n << BigInt(pw))
    if (e <= ns || s >= ne) return addr
    if (s <= ns && e >= ne) {
      clearSlot(out, oc)
      return EMPTY
    }
    const node = this.store.get(addr)
    if (node.kind === 0) {
      const n = node.times.length
      const a = lowerBound(node.times, s, 0, n)
      const b = lowerBound(node.times, e, a, n)
      if (a === b) return addr
      if (b - a === n) {
        clearSlot(out, oc)
        return EMPTY
      }
      const times = new BigInt64Array(n - (b - a))
      const values = new Float64Array(times.length)
      times.set(node.times.subarray(0, a), 0)
      times.set(node.times.subarray(b), a)
      values.set(node.values.subarray(0, a), 0)
      values.set(node.values.subarray(b), a)
      this.s.ofValues(values, 0, values.length)
      this.s.store(out, oc)
      return this.store.append({ kind: 0, start: ns, pw, times, values })
    }
    const slots = node.slots.slice()
    const cpw = pw - FANOUT_BITS
    const cpwB = BigInt(cpw)
    const c0 = s <= ns ? 0 : Number((s - ns) >> cpwB)
    const c1 = e >= ne ? FANOUT - 1 : Number((e - 1n - ns) >> cpwB)
    let changed = false
    for (let c = c0; c <= c1; c++) {
      if (slots[S_COUNT + c] === 0) continue
      const old = slots[S_ADDR + c]
      const r = this.deleteAt(old, ns + (BigInt(c) << cpwB), cpw, s, e, slots, c)
      if (r !== old) {
        slots[S_ADDR + c] = r
        changed = true
      }
    }
    if (!changed) return addr
    const total = slotsCount(slots)
    if (total === 0) {
      clearSlot(out, oc)
      return EMPTY
    }
    if (total <= this.capacity >> 1) {
      // Few points left: fold the subtree back into one leaf.
      const times = new BigInt64Array(total)
      const values = new Float64Array(total)
      let n = 0
      for (let c = 0; c < FANOUT; c++) {
        if (slots[S_COUNT + c] > 0) n = collect(this.store, slots[S_ADDR + c], times, values, n)
      }
      return this.build(times, values, 0, n, ns, pw, out, oc, true)
    }
    this.s.ofSlots(slots)
    this.s.store(out, oc)
    return this.store.append({ kind: 1, start: ns, pw, slots })
  }
}

/** Copies every point of the subtree at `addr` into the arrays from index `n`; returns the new end. */
export const collect = (
  store: NodeStore,
  addr: number,
  times: BigInt64Array,
  values: Float64Array,
  n: number
): number => {
  const node = store.get(addr)
  if (node.kind === 0) {
    times.set(node.times, n)
    values.set(node.values, n)
    return n + node.times.length
  }
  const slots = node.slots
  for (let c = 0; c < FANOUT; c++) {
    if (slots[S_COUNT + c] > 0) n = collect(store, slots[S_ADDR + c], times, values, n)
  }
  return n
}

/**
 * Merges the sorted batch [lo, hi) into a leaf's points under `policy`. Returns null when the
 * result equals the leaf (nothing to write).
 */
export const mergeLeaf = (
  et: BigInt64Array,
  ev: Float64Array,
  bt: BigInt64Array,
  bv: Float64Array,
  lo: number,
  hi: number,
  policy: MergePolicy
): { times: BigInt64Array; values: Float64Array } | null => {
  const m = et.length
  const k = hi - lo
  if (m === 0 || bt[lo] > et[m - 1]) {
    // Every new point comes after the stored ones: no equal timestamps, so no policy applies.
    const times = new BigInt64Array(m + k)
    const values = new Float64Array(m + k)
    times.set(et, 0)
    values.set(ev, 0)
    times.set(bt.subarray(lo, hi), m)
    values.set(bv.subarray(lo, hi), m)
    return { times, values }
  }
  if (bt[hi - 1] < et[0]) {
    const times = new BigInt64Array(m + k)
    const values = new Float64Array(m + k)
    times.set(bt.subarray(lo, hi), 0)
    values.set(bv.subarray(lo, hi), 0)
    times.set(et, k)
    values.set(ev, k)
    return { times, values }
  }
  const ot = new BigInt64Array(m + k)
  const ov = new Float64Array(m + k)
  let n = 0
  let i = 0
  let j = lo
  let changed = false
  while (j < hi) {
    const t = bt[j]
    let j2 = j + 1
    while (j2 < hi && bt[j2] === t) j2++
    // Stored points before t.
    const i1 = lowerBound(et, t, i, m)
    if (i1 > i) {
      ot.set(et.subarray(i, i1), n)
      ov.set(ev.subarray(i, i1), n)
      n += i1 - i
    }
    // Stored group at t: [i1, g).
    let g = i1
    while (g < m && et[g] === t) g++
    switch (policy) {
      case "never": {
        for (let x = i1; x < g; x++, n++) {
          ot[n] = t
          ov[n] = ev[x]
        }
        for (let y = j; y < j2; y++, n++) {
          ot[n] = t
          ov[n] = bv[y]
        }
        changed = true
        break
      }
      case "equal": {
        for (let x = i1; x < g; x++, n++) {
          ot[n] = t
          ov[n] = ev[x]
        }
        for (let y = j; y < j2; y++) {
          const v = bv[y]
          let dup = false
          for (let x = i1; x < g; x++) {
            if (ev[x] === v) {
              dup = true
              break
            }
          }
          if (!dup) {
            ot[n] = t
            ov[n] = v
            n++
            changed = true
          }
        }
        break
      }
      case "retain": {
        if (g > i1) {
          for (let x = i1; x < g; x++, n++) {
            ot[n] = t
            ov[n] = ev[x]
          }
        } else {
          for (let y = j; y < j2; y++, n++) {
            ot[n] = t
            ov[n] = bv[y]
          }
          changed = true
        }
        break
      }
      case "replace": {
        const v = bv[j2 - 1]
        if (!(g - i1 === 1 && Object.is(ev[i1], v))) changed = true
        ot[n] = t
        ov[n] = v
        n++
        break
      }
    }
    i = g
    j = j2
  }
  if (!changed) return null
  if (i < m) {
    ot.set(et.subarray(i), n)
    ov.set(ev.subarray(i), n)
    n += m - i
  }
  return n === ot.length ? { times: ot, values: ov } : { times: ot.slice(0, n), values: ov.slice(0, n) }
}
