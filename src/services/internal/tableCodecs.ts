/**
 * The plain engine of the StreamSet transformers (`toArrow`, `toCsv`, `toText` …): several streams' pages merged into
 * aligned tables one batch at a time, and those batches written as Arrow, CSV, records or text. No Effect here: the
 * Effect edge (reads, options, sinks) is `transformers.ts`.
 *
 * A page of one stream is `times` and `w` value columns (one for raw values, one per chosen statistic of windows);
 * an aligned batch is `times` and `k · w` columns, stream-major. Rows are aligned by `align` of `columns.ts`, the rule
 * `StreamSet.rows` uses: one row per distinct time, NaN where a stream has no value, the last of equal times winning.
 */
import * as arrow from "apache-arrow"
import { encodeSchema, encodeStream, timeType } from "../../internal/arrow.js"
import { floorDiv } from "../../internal/bigints.js"
import { align, snap } from "./columns.js"

/** Times and columns of equal length: a page of one stream, or an aligned batch of several. */
export interface Columns {
  readonly times: BigInt64Array
  readonly columns: ReadonlyArray<Float64Array>
}

const EMPTY_TIMES = new BigInt64Array(0)

/** An empty page of `width` columns. */
export const emptyColumns = (width: number): Columns => ({
  times: EMPTY_TIMES,
  columns: Array.from({ length: width }, () => new Float64Array(0))
})

const slice = (page: Columns, from: number, to: number): Columns => ({
  times: page.times.subarray(from, to),
  columns: page.columns.map((c) => c.subarray(from, to))
})

/** Pages joined in order into one (of `width` columns). */
export const concatColumns = (pages: ReadonlyArray<Columns>, width: number): Columns => {
  if (pages.length === 1) return pages[0]!
  const n = pages.reduce((sum, p) => sum + p.times.length, 0)
  const times = new BigInt64Array(n)
  const columns = Array.from({ length: width }, () => new Float64Array(n))
  let at = 0
  for (const page of pages) {
    times.set(page.times, at)
    page.columns.forEach((c, i) => columns[i]!.set(c, at))
    at += page.times.length
  }
  return { times, columns }
}

/** The first index of sorted `times` at or after `t`. */
const lowerBound = (times: BigInt64Array, t: bigint): number => {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

const words = (times: BigInt64Array, n: number) => new Int32Array(times.buffer, times.byteOffset, 2 * n)

/** Whether the first `n` times of `a` and `b` are equal, compared as 32-bit words (which reads no `bigint`). */
const equalTimes = (a: BigInt64Array, b: BigInt64Array, n: number): boolean => {
  if (a === b) return true
  const x = words(a, n)
  const y = words(b, n)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

/** Whether none of the first `n` (sorted) times repeats, compared as 32-bit words. */
const distinctTimes = (times: BigInt64Array, n: number): boolean => {
  const x = words(times, n)
  for (let i = 2; i < x.length; i += 2) if (x[i] === x[i - 2] && x[i + 1] === x[i - 1]) return false
  return true
}

let iota = new Float64Array(0)
/** 0, 1, … n-1 (a shared buffer: valid until the next call). */
const indices = (n: number): Float64Array => {
  if (iota.length < n) {
    iota = new Float64Array(Math.max(n, 2 * iota.length))
    for (let i = 0; i < iota.length; i++) iota[i] = i
  }
  return iota.subarray(0, n)
}

/**
 * Merges the pages of `streams` streams, each sorted by time, into aligned batches as they come, holding about one
 * page per stream: a row is final once every stream still being read has sent a later time. Tell it each stream's
 * pages (`push`) and ends (`end`), read what to pull next from `wanted`, and take the final rows with `take`.
 */
export class TableMerger {
  private readonly pending: Array<Columns>
  private readonly done: Array<boolean>

  constructor(streams: number, private readonly width: number) {
    this.pending = Array.from({ length: streams }, () => emptyColumns(width))
    this.done = new Array<boolean>(streams).fill(false)
  }

  /** Adds a page of stream `j`, after its earlier ones. */
  push(j: number, page: Columns): void {
    const held = this.pending[j]!
    this.pending[j] = held.times.length === 0 ? page : concatColumns([held, page], this.width)
  }

  /** Stream `j` has no more pages. */
  end(j: number): void {
    this.done[j] = true
  }

  /** The smallest last time held by a stream still being read; undefined when one of them holds nothing. */
  private watermark(): { readonly held: boolean; readonly time: bigint | undefined } {
    let time: bigint | undefined
    for (let j = 0; j < this.pending.length; j++) {
      if (this.done[j]) continue
      const times = this.pending[j]!.times
      if (times.length === 0) return { held: false, time: undefined }
      const last = times[times.length - 1]!
      if (time === undefined || last < time) time = last
    }
    return { held: true, time }
  }

  /**
   * The streams to pull before more rows are final: those still being read that hold nothing, else those holding
   * the smallest last time. Empty once every stream has ended.
   */
  wanted(): Array<number> {
    const { held, time } = this.watermark()
    const wanted: Array<number> = []
    for (let j = 0; j < this.pending.length; j++) {
      if (this.done[j]) continue
      const times = this.pending[j]!.times
      if (held ? times[times.length - 1] === time : times.length === 0) wanted.push(j)
    }
    return wanted
  }

  /** The aligned rows that are final now (every row once all streams have ended), or undefined when none is. */
  take(): Columns | undefined {
    const { held, time } = this.watermark()
    if (!held) return undefined
    const k = this.pending.length
    const cuts = this.pending.map((p) => time === undefined ? p.times.length : lowerBound(p.times, time))
    if (cuts.every((cut) => cut === 0)) return undefined
    const first = this.pending[0]!.times
    if (
      distinctTimes(first, cuts[0]!) &&
      this.pending.every((p, j) => cuts[j] === cuts[0] && equalTimes(first, p.times, cuts[0]!))
    ) {
      // every stream at the same distinct times (a common case): `align` would pair row r with row r of each
      const n = cuts[0]!
      const columns = this.pending.flatMap((p) => p.columns.map((c) => c.slice(0, n)))
      const times = this.pending[0]!.times.slice(0, n)
      for (let j = 0; j < k; j++) this.pending[j] = slice(this.pending[j]!, n, this.pending[j]!.times.length)
      return { times, columns }
    }
    // align each stream's row numbers, then gather every column by them
    const rows = align(this.pending.map((p, j) => ({ times: p.times.subarray(0, cuts[j]), values: indices(cuts[j]!) })))
    const n = rows.times.length
    const columns: Array<Float64Array> = []
    for (let j = 0; j < k; j++) {
      const at = rows.columns[j]!
      for (const source of this.pending[j]!.columns) {
        const column = new Float64Array(n)
        for (let r = 0; r < n; r++) {
          const i = at[r]!
          column[r] = i === i ? source[i]! : NaN
        }
        columns.push(column)
      }
      this.pending[j] = slice(this.pending[j]!, cuts[j]!, this.pending[j]!.times.length)
    }
    return { times: rows.times, columns }
  }
}

/**
 * Snaps the pages of one stream to the grid of `period` ns (the rule of `snap` in `columns.ts`) as they come: the
 * points that may share a grid time with the next page's are held back until it arrives.
 */
export class PageSnapper {
  private held: Columns = emptyColumns(1)

  constructor(private readonly period: bigint, private readonly start: bigint, private readonly end: bigint) {}

  /** The snapped points that are final after `page`. */
  push(page: Columns): Columns {
    const all = concatColumns([this.held, page], 1)
    const snapped = snap({ times: all.times, values: all.columns[0]! }, this.period, this.start, this.end)
    const n = snapped.times.length
    // the points nearest the last grid time g (2t ≥ 2g - P) may yet lose it to a point of the next page
    const last = n === 0 ? this.start : snapped.times[n - 1]!
    let keep = all.times.length
    while (keep > 0 && 2n * all.times[keep - 1]! >= 2n * last - this.period) keep--
    this.held = slice(all, keep, all.times.length)
    const final = n === 0 ? 0 : n - 1
    return { times: snapped.times.subarray(0, final), columns: [snapped.values.subarray(0, final)] }
  }

  /** The snapped points held back, once the stream has ended. */
  flush(): Columns {
    const snapped = snap(
      { times: this.held.times, values: this.held.columns[0]! },
      this.period,
      this.start,
      this.end
    )
    this.held = emptyColumns(1)
    return { times: snapped.times, columns: [snapped.values] }
  }
}

/** Why the column names cannot be used, or undefined: `time` is the time column's, and no two may be equal. */
export const columnNamesProblem = (names: ReadonlyArray<string>): string | undefined => {
  const seen = new Set<string>(["time"])
  for (const name of names) {
    if (typeof name !== "string") return `a column name must be a string, not ${typeof name}`
    if (seen.has(name)) {
      return name === "time"
        ? `"time" is the name of the time column`
        : `two columns are named ${JSON.stringify(name)}`
    }
    seen.add(name)
  }
  return undefined
}

/** The Arrow schema of a table: `time: timestamp[ns, UTC]`, then one `float64` per column, none nullable. */
export const tableSchema = (names: ReadonlyArray<string>): arrow.Schema =>
  new arrow.Schema([
    new arrow.Field("time", timeType(), false),
    ...names.map((name) => new arrow.Field(name, new arrow.Float64(), false))
  ])

/** A batch as an Arrow record batch of `schema` (from {@link tableSchema}). */
export const recordBatch = (schema: arrow.Schema, batch: Columns): arrow.RecordBatch => {
  const length = batch.times.length
  const data = [batch.times, ...batch.columns]
  const children = schema.fields.map((field, i) =>
    arrow.makeData({ type: field.type, length, nullCount: 0, data: data[i] } as any)
  )
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children })
  )
}

/** The end-of-stream marker of an Arrow IPC stream: a continuation word and a zero length. */
const IPC_END = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)

/**
 * An Arrow IPC stream written batch by batch: `start` is the schema message, `batch` each record batch's message,
 * `end` the end-of-stream marker; their concatenation is what `tableFromIPC` reads.
 */
export const ipcWriter = (schema: arrow.Schema) => {
  const head = encodeSchema(schema)
  const start = head.subarray(0, head.length - IPC_END.length)
  return {
    start,
    batch: (batch: Columns): Uint8Array => {
      // a one-batch stream is the same schema message, the batch's messages, then the marker
      const whole = encodeStream(schema, [batch.times, ...batch.columns], batch.times.length)
      return whole.subarray(start.length, whole.length - IPC_END.length)
    },
    end: IPC_END
  }
}

const CSV_SPECIAL = /[",\r\n]/

/** A CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a line break. */
const csvField = (text: string): string => CSV_SPECIAL.test(text) ? `"${text.replaceAll("\"", "\"\"")}"` : text

/** The CSV header line: `time`, then the column names. */
export const csvHeader = (names: ReadonlyArray<string>): string => ["time", ...names].map(csvField).join(",") + "\n"

/** The CSV lines of a batch: the time in ns, then each value, an empty field where it is NaN. */
export const csvLines = (batch: Columns): string => {
  const { columns, times } = batch
  let text = ""
  for (let r = 0; r < times.length; r++) {
    let line = String(times[r])
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]![r]!
      line += v === v ? "," + v : ","
    }
    text += line + "\n"
  }
  return text
}

/** One record per row: `time` (ns), then each column's value under its name (NaN where a stream has none). */
export const records = (
  names: ReadonlyArray<string>,
  batch: Columns
): Array<{ readonly time: bigint; readonly [column: string]: number | bigint }> => {
  const out = new Array<{ time: bigint; [column: string]: number | bigint }>(batch.times.length)
  for (let r = 0; r < batch.times.length; r++) {
    const record: { time: bigint; [column: string]: number | bigint } = { time: batch.times[r]! }
    for (let c = 0; c < names.length; c++) record[names[c]!] = batch.columns[c]![r]!
    out[r] = record
  }
  return out
}

/** The first `head` and last `tail` rows of a sequence of batches, and how many rows there were. */
export class HeadTail {
  private readonly first: Array<Columns> = []
  private last: Array<Columns> = []
  private firstRows = 0
  private lastRows = 0
  rows = 0

  constructor(private readonly head: number, private readonly tail: number, private readonly width: number) {}

  push(batch: Columns): void {
    const n = batch.times.length
    this.rows += n
    if (this.firstRows < this.head) {
      const taken = Math.min(n, this.head - this.firstRows)
      this.first.push(slice(batch, 0, taken))
      this.firstRows += taken
    }
    if (this.tail === 0) return
    this.last.push(batch)
    this.lastRows += n
    while (this.last.length > 1 && this.lastRows - this.last[0]!.times.length >= this.tail) {
      this.lastRows -= this.last.shift()!.times.length
    }
  }

  /** The rows to show, and how many between them are left out (the tail never repeats a row of the head). */
  result(): { readonly head: Columns; readonly tail: Columns; readonly omitted: number } {
    const head = concatColumns(this.first, this.width)
    const shownTail = Math.min(this.tail, this.rows - head.times.length)
    const last = concatColumns(this.last, this.width)
    const tail = slice(last, last.times.length - shownTail, last.times.length)
    return {
      head: this.first.length === 0 ? emptyColumns(this.width) : head,
      tail,
      omitted: this.rows - head.times.length - shownTail
    }
  }
}

/** A time in ns as ISO-8601 UTC with nine decimals: `2017-07-14T02:40:00.000000001Z`. */
export const isoNanos = (t: bigint): string => {
  const ms = floorDiv(t, 1_000_000n)
  const date = new Date(Number(ms)).toISOString()
  return `${date.slice(0, -1)}${String(t - ms * 1_000_000n).padStart(6, "0")}Z`
}

/**
 * A table as text for a console (the Python client's `to_table`): a header, then the first rows, a row of `…` when
 * rows are left out, the last rows, and a line `[rows × columns]`. Times are ISO-8601 with nine decimals; values
 * are right-aligned, NaN where a stream has no value.
 */
export const renderText = (
  names: ReadonlyArray<string>,
  shown: { readonly head: Columns; readonly tail: Columns; readonly omitted: number }
): string => {
  const line = (batch: Columns, r: number) => [isoNanos(batch.times[r]!), ...batch.columns.map((c) => String(c[r]))]
  const lines: Array<Array<string>> = []
  for (let r = 0; r < shown.head.times.length; r++) lines.push(line(shown.head, r))
  if (shown.omitted > 0) lines.push(["…", ...names.map(() => "…")])
  for (let r = 0; r < shown.tail.times.length; r++) lines.push(line(shown.tail, r))
  const header = ["time", ...names]
  const widths = header.map((h, c) => lines.reduce((w, cells) => Math.max(w, cells[c]!.length), h.length))
  const render = (cells: ReadonlyArray<string>) =>
    cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join("  ").trimEnd()
  const total = shown.head.times.length + shown.omitted + shown.tail.times.length
  return [
    render(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...lines.map(render),
    `[${total} row${total === 1 ? "" : "s"} × ${names.length + 1} column${names.length === 0 ? "" : "s"}]`
  ].join("\n")
}
