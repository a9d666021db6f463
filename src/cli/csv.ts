/**
 * The files of the data commands.
 *
 * Input (`btrdb insert`): CSV lines `time,value`, the time in nanoseconds since the epoch or ISO-8601 text
 * (`2024-05-01T12:00:00.5Z`; no offset means UTC), the value a finite number. A first line that is not a point
 * (such as `time,value`) is a header; blank lines are skipped.
 *
 * Output (`values`, `windows`, `aligned-windows`): CSV with a header (`time,value`, or
 * `time,min,mean,max,count,stddev`), times in nanoseconds; or JSON, an array of one object per row with the time as
 * a string of nanoseconds (a JSON number would lose digits in JavaScript).
 */
import type { Points, Windows } from "../schema/Points.js"
import { MAXIMUM_TIME, MINIMUM_TIME, parseIso } from "../schema/Time.js"
import { CliError } from "./inputs.js"

/** Points as two growable columns. */
class Columns {
  times = new BigInt64Array(1 << 16)
  values = new Float64Array(1 << 16)
  length = 0
  push(t: bigint, v: number) {
    if (this.length === this.times.length) {
      const times = new BigInt64Array(this.times.length * 2)
      times.set(this.times)
      const values = new Float64Array(this.values.length * 2)
      values.set(this.values)
      this.times = times
      this.values = values
    }
    this.times[this.length] = t
    this.values[this.length] = v
    this.length++
  }
}

const INTEGER = /^[+-]?\d+$/

const parseCsvTime = (text: string): bigint | undefined => {
  const t = INTEGER.test(text) ? BigInt(text) : parseIso(text)
  return t !== undefined && t >= MINIMUM_TIME && t < MAXIMUM_TIME ? t : undefined
}

const parseCsvValue = (text: string): number | undefined => {
  if (text === "") return undefined
  const v = Number(text)
  return Number.isFinite(v) ? v : undefined
}

/**
 * Reads `time,value` lines from `chunks` (a file's or stdin's bytes) into columns. A bad line throws a
 * {@link CliError} naming `source`, the line number and what is wrong with it.
 */
export const readPointsCsv = async (
  chunks: AsyncIterable<Buffer | string>,
  source: string
): Promise<{ readonly times: BigInt64Array; readonly values: Float64Array }> => {
  const columns = new Columns()
  let lineNumber = 0
  let seenContent = false
  const line = (raw: string) => {
    lineNumber++
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (text.trim() === "") return
    const fields = text.split(",")
    const first = !seenContent
    seenContent = true
    const bad = (why: string) =>
      new CliError({ message: `${source}:${lineNumber}: ${why} (expected time,value): ${JSON.stringify(text)}` })
    const t = fields.length === 2 ? parseCsvTime(fields[0]!.trim()) : undefined
    if (t === undefined && first) return // a header
    if (fields.length !== 2) throw bad(`${fields.length} fields`)
    if (t === undefined) throw bad("bad time, neither nanoseconds nor ISO-8601 within BTrDB's range")
    const v = parseCsvValue(fields[1]!.trim())
    if (v === undefined) throw bad("bad value, not a finite number")
    columns.push(t, v)
  }
  let rest = ""
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === "string" ? chunk : chunk.toString("utf8"))
    let start = 0
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      line(text.slice(start, nl))
      start = nl + 1
    }
    rest = text.slice(start)
  }
  if (rest !== "") line(rest)
  return { times: columns.times.subarray(0, columns.length), values: columns.values.subarray(0, columns.length) }
}

/** The output formats. */
export type Format = "csv" | "json"

/** Renders rows of one kind in pieces: `begin`, then `page` per page, then `end`. */
export interface Writer<Page> {
  readonly begin: string
  readonly page: (page: Page) => string
  readonly end: () => string
}

const jsonRows = <Page>(row: (page: Page, i: number) => string, length: (page: Page) => number): Writer<Page> => {
  let first = true
  return {
    begin: "[",
    page: (page) => {
      const n = length(page)
      const parts = new Array<string>(n)
      for (let i = 0; i < n; i++) {
        parts[i] = (first ? "\n" : ",\n") + row(page, i)
        first = false
      }
      return parts.join("")
    },
    end: () => (first ? "]\n" : "\n]\n")
  }
}

/** A writer of points (`time,value`). */
export const pointsWriter = (format: Format): Writer<Points> =>
  format === "csv"
    ? {
      begin: "time,value\n",
      page: (page) => {
        const parts = new Array<string>(page.times.length)
        for (let i = 0; i < parts.length; i++) parts[i] = `${page.times[i]},${page.values[i]}\n`
        return parts.join("")
      },
      end: () => ""
    }
    : jsonRows(
      (page, i) => `{"time":"${page.times[i]}","value":${page.values[i]}}`,
      (page) => page.times.length
    )

/** A writer of window statistics (`time,min,mean,max,count,stddev`, the time being the window's start). */
export const windowsWriter = (format: Format): Writer<Windows> =>
  format === "csv"
    ? {
      begin: "time,min,mean,max,count,stddev\n",
      page: (w) => {
        const parts = new Array<string>(w.times.length)
        for (let i = 0; i < parts.length; i++) {
          parts[i] = `${w.times[i]},${w.min[i]},${w.mean[i]},${w.max[i]},${w.count[i]},${w.stddev[i]}\n`
        }
        return parts.join("")
      },
      end: () => ""
    }
    : jsonRows(
      (w, i) =>
        `{"time":"${w.times[i]}","min":${w.min[i]},"mean":${w.mean[i]},"max":${w.max[i]},"count":${
          w.count[i]
        },"stddev":${w.stddev[i]}}`,
      (w) => w.times.length
    )
