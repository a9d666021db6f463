/**
 * Column helpers of StreamSet reads: several streams' series aligned on time, points snapped to a grid, one
 * statistic of windows as a column, and window tables joined on time.
 */
import * as arrow from "apache-arrow"
import { timeType, WINDOW_STATS } from "../../internal/arrow.js"
import { floorDiv } from "../../internal/bigints.js"
import { statColumn, type StatName, type Windows } from "../../schema/Points.js"
import type { Uuid } from "../../schema/Uuid.js"

/**
 * Aligns sorted series on time: one row per distinct time, NaN where a series has no value; of equal times within
 * one series the last value wins.
 */
export const align = (
  series: ReadonlyArray<{ readonly times: BigInt64Array; readonly values: Float64Array }>
): { times: BigInt64Array; columns: Array<Float64Array> } => {
  const k = series.length
  const walk = (visit: (row: number, t: bigint) => void, fill: (row: number, j: number, v: number) => void) => {
    const at = new Array<number>(k).fill(0)
    let row = 0
    for (;;) {
      let min: bigint | undefined
      for (let j = 0; j < k; j++) {
        const s = series[j]!
        if (at[j]! < s.times.length && (min === undefined || s.times[at[j]!]! < min)) min = s.times[at[j]!]!
      }
      if (min === undefined) return row
      visit(row, min)
      for (let j = 0; j < k; j++) {
        const s = series[j]!
        while (at[j]! < s.times.length && s.times[at[j]!] === min) {
          fill(row, j, s.values[at[j]!]!)
          at[j]!++
        }
      }
      row++
    }
  }
  const n = walk(() => {}, () => {})
  const times = new BigInt64Array(n)
  const columns = series.map(() => new Float64Array(n).fill(NaN))
  walk((row, t) => (times[row] = t), (row, j, v) => (columns[j]![row] = v))
  return { times, columns }
}

/** One statistic of windows, NaN for an empty window (count 0) unless the statistic is the count. */
export const windowColumn = (windows: Windows, stat: StatName): Float64Array => {
  const column = Float64Array.from(statColumn(windows, stat))
  if (stat !== "count") {
    for (let i = 0; i < column.length; i++) if (windows.count[i] === 0n) column[i] = NaN
  }
  return column
}

/**
 * Snaps sorted points to the grid of `period` ns anchored at the epoch (PROTOCOL.md §9.3): a point goes to the nearest
 * grid time `g = ⌊(2t + P) / 2P⌋·P` (half-way rounds up) and is kept when `start ≤ g < end`; of several points on one
 * grid time, the nearest wins, the earlier on a tie.
 */
export const snap = (
  series: { readonly times: BigInt64Array; readonly values: Float64Array },
  period: bigint,
  start: bigint,
  end: bigint
): { times: BigInt64Array; values: Float64Array } => {
  const times: Array<bigint> = []
  const values: Array<number> = []
  let best = 0n
  for (let i = 0; i < series.times.length; i++) {
    const t = series.times[i]!
    const g = floorDiv(2n * t + period, 2n * period) * period
    if (g < start || g >= end) continue
    const distance = t > g ? t - g : g - t
    const n = times.length
    if (n > 0 && times[n - 1] === g) {
      if (distance < best) {
        values[n - 1] = series.values[i]!
        best = distance
      }
    } else {
      times.push(g)
      values.push(series.values[i]!)
      best = distance
    }
  }
  return { times: BigInt64Array.from(times), values: Float64Array.from(values) }
}

/**
 * Window tables of several streams (each sorted by time, one row per time) joined on time: `time`, then
 * `<uuid>/<stat>` for each stream and statistic, null where a stream has no window.
 */
export const joinWindows = (uuids: ReadonlyArray<Uuid>, tables: ReadonlyArray<arrow.Table>): arrow.Table => {
  const keys = tables.map((t) => (t.getChild("time")?.toArray() ?? new BigInt64Array(0)) as BigInt64Array)
  const all = new BigInt64Array(keys.reduce((n, k) => n + k.length, 0))
  let offset = 0
  for (const k of keys) {
    all.set(k, offset)
    offset += k.length
  }
  all.sort()
  let n = 0
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!
  const times = all.slice(0, n)
  const fields: Array<arrow.Field> = [new arrow.Field("time", timeType(), false)]
  const children: Array<arrow.Data> = [arrow.makeData({ type: fields[0]!.type, length: n, nullCount: 0, data: times })]
  tables.forEach((table, j) => {
    const at = keys[j]!
    const rows = new Int32Array(n).fill(-1)
    for (let i = 0, r = 0; i < at.length; i++) {
      while (times[r] !== at[i]) r++
      rows[r] = i
    }
    const valid = new Uint8Array((n + 7) >> 3)
    let nulls = 0
    for (let r = 0; r < n; r++) {
      if (rows[r]! >= 0) valid[r >> 3]! |= 1 << (r & 7)
      else nulls++
    }
    for (const stat of WINDOW_STATS) {
      const src = table.getChild(stat)!.toArray() as Float64Array | BigUint64Array
      const type = stat === "count" ? new arrow.Uint64() : new arrow.Float64()
      const data = stat === "count" ? new BigUint64Array(n) : new Float64Array(n)
      for (let r = 0; r < n; r++) if (rows[r]! >= 0) data[r] = src[rows[r]!]!
      fields.push(new arrow.Field(`${uuids[j]}/${stat}`, type, true))
      children.push(arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: valid, data } as any))
    }
  })
  const schema = new arrow.Schema(fields)
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children })
  return new arrow.Table(schema, n === 0 ? [] : [new arrow.RecordBatch(schema, struct)])
}
