/**
 * The files of the data commands.
 *
 * Input (`btrdb insert`): CSV lines `time,value`, the time in nanoseconds since the epoch or ISO-8601 text
 * (`2024-05-01T12:00:00.5Z`; no offset means UTC) within the times a stream can hold, the value a finite number.
 * The first line that is not blank is a header when it is one: two fields, neither empty nor a number nor a time (such
 * as `time,value`); any other line is a point, and a line that is not a good one is bad. Blank lines are skipped.
 *
 * Output (`values`, `windows`, `aligned-windows`): CSV with a header (`time,value`, or
 * `time,min,mean,max,count,stddev`), times in nanoseconds; or JSON, an array of one object per row with the time as
 * a string of nanoseconds (a JSON number would lose digits in JavaScript).
 */
import { StringDecoder } from "node:string_decoder"
import type { Points, Windows } from "../schema/Points.js"
import { MAXIMUM_TIME, MINIMUM_TIME, parseIso } from "../schema/Time.js"
import { CliError } from "./inputs.js"

const INTEGER = /^[+-]?\d+$/

/** The latest time an insert takes. */
const LAST_TIME = MAXIMUM_TIME - 1n

const day = (t: bigint) => {
  const ms = t / 1_000_000n - (t % 1_000_000n < 0n ? 1n : 0n)
  return new Date(Number(ms)).toISOString().slice(0, 10)
}

const RANGE = `${MINIMUM_TIME} to ${LAST_TIME} ns (about ${day(MINIMUM_TIME)} to ${day(LAST_TIME)})`

const isNumber = (text: string) => text !== "" && !Number.isNaN(Number(text))

/** A header: two fields, neither empty nor a number nor a time. */
const isHeader = (fields: ReadonlyArray<string>) =>
  fields.length === 2 && fields.every((field) => {
    const text = field.trim()
    return text !== "" && !isNumber(text) && parseIso(text) === undefined
  })

/** Lines longer than this (in characters) are bad, so that reading holds at most one chunk and one line. */
const MAX_LINE = 1 << 16

const quote = (text: string) => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text)

/** The bad lines skipped by `btrdb insert --skip-bad`: how many, the numbers of the first few, the first reason. */
export class SkippedLines {
  count = 0
  readonly lines: Array<number> = []
  first = ""
  add(line: number, reason: string) {
    if (this.count === 0) this.first = reason
    if (this.lines.length < 5) this.lines.push(line)
    this.count++
  }
  /** One line saying what was skipped of `source`. */
  summary(source: string): string {
    const s = this.count === 1 ? "" : "s"
    const more = this.count - this.lines.length
    const numbers = more > 0
      ? `${this.lines.join(", ")} and ${more} more`
      : this.lines.length > 1
      ? `${this.lines.slice(0, -1).join(", ")} and ${this.lines[this.lines.length - 1]}`
      : `${this.lines[0]}`
    return `skipped ${this.count} bad line${s} of ${source}, line${s} ${numbers}; the first: ${this.first}`
  }
}

/** Points read from a CSV file, as two columns. */
export interface PointBatch {
  readonly times: BigInt64Array
  readonly values: Float64Array
}

/** How {@link readPointBatches} reads. */
export interface ReadPointsOptions {
  /** The input's name in messages: its path, or `stdin`. */
  readonly source: string
  /** The most points of a batch. */
  readonly batchSize: number
  /** Where bad lines are counted and skipped; without it, the first bad line fails the reading. */
  readonly skipped?: SkippedLines | undefined
  /** Called with the size in bytes of each chunk read. */
  readonly onBytes?: ((bytes: number) => void) | undefined
}

/**
 * Reads `time,value` lines from `chunks` (a file's bytes) and yields their points in batches of
 * `options.batchSize` (the last one shorter), holding one chunk, one line and one batch at a time. A bad line
 * throws a {@link CliError} naming `source:line` and what is wrong with it, unless `options.skipped` takes it.
 */
export async function* readPointBatches(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadPointsOptions
): AsyncGenerator<PointBatch, void> {
  const { batchSize, skipped, source } = options
  let times = new BigInt64Array(batchSize)
  let values = new Float64Array(batchSize)
  let length = 0
  let lineNumber = 0
  let seenContent = false
  const bad = (reason: string) => {
    if (skipped === undefined) throw new CliError({ message: `${source}:${lineNumber}: ${reason}` })
    skipped.add(lineNumber, reason)
  }
  const line = (raw: string) => {
    lineNumber++
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (text.trim() === "") return
    const first = !seenContent
    seenContent = true
    const fields = text.split(",")
    if (first && isHeader(fields)) return
    if (fields.length !== 2) {
      const hint = fields.length === 1 && /[;\t]/.test(text) ? " (separated by a comma)" : ""
      return bad(
        `${quote(text)} has ${fields.length} field${fields.length === 1 ? "" : "s"}, expected time,value${hint}`
      )
    }
    const timeText = fields[0]!.trim()
    const t = INTEGER.test(timeText) ? BigInt(timeText) : parseIso(timeText)
    if (t === undefined) {
      return bad(`${quote(text)} has a bad time ${quote(timeText)}: neither an integer of nanoseconds nor ISO-8601`)
    }
    if (t < MINIMUM_TIME || t > LAST_TIME) {
      return bad(`${quote(text)} has a time outside the times a stream can hold, ${RANGE}`)
    }
    const valueText = fields[1]!.trim()
    const v = valueText === "" ? NaN : Number(valueText)
    if (!Number.isFinite(v)) return bad(`${quote(text)} has a bad value ${quote(valueText)}: not a finite number`)
    times[length] = t
    values[length] = v
    length++
  }
  const batch = (): PointBatch => {
    const full = { times: times.subarray(0, length), values: values.subarray(0, length) }
    times = new BigInt64Array(batchSize)
    values = new Float64Array(batchSize)
    length = 0
    return full
  }
  const decoder = new StringDecoder("utf8")
  let rest = ""
  // the rest of a line already found too long, skipped up to its end
  let overlong = false
  for await (const chunk of chunks) {
    options.onBytes?.(chunk.length)
    const text = rest + decoder.write(chunk)
    let start = 0
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      if (overlong) overlong = false
      else line(text.slice(start, nl))
      start = nl + 1
      if (length === batchSize) yield batch()
    }
    rest = overlong ? "" : text.slice(start)
    if (rest.length > MAX_LINE) {
      lineNumber++
      seenContent = true
      bad(`${quote(rest)} is longer than ${MAX_LINE} characters`)
      rest = ""
      overlong = true
    }
  }
  rest += decoder.end()
  if (!overlong && rest !== "") line(rest)
  if (length > 0) yield batch()
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

/** A statistic as JSON: null for the NaN of an empty window (`--empty nan`), which JSON cannot write. */
const json = (x: number): string => Number.isNaN(x) ? "null" : String(x)

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
        `{"time":"${w.times[i]}","min":${json(w.min[i]!)},"mean":${json(w.mean[i]!)},"max":${json(w.max[i]!)},"count":${
          w.count[i]
        },"stddev":${json(w.stddev[i]!)}}`,
      (w) => w.times.length
    )
