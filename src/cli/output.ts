/**
 * Where the data commands write: standard output, or a file (`--output FILE`), with back-pressure; and the progress
 * of long operations on standard error. When the reader of standard output goes away (`btrdb values … | head -3`),
 * the command is interrupted, which cancels its reads, and `btrdb` ends quietly with exit status 0.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import { CliError } from "./inputs.js"

/** Writes text (or bytes), waiting while the destination catches up. */
export type Write = (text: string | Uint8Array) => Effect.Effect<void, CliError>

/**
 * Whether a write failed because its reader has gone away: the pipe is closed (EPIPE), or the stream was destroyed
 * by an earlier such failure.
 */
export const isClosedOutput = (error: unknown): boolean => {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED"
}

/** Writes to `stream`; a closed standard output (`closedInterrupts`) interrupts the caller instead of failing. */
const writeTo = (stream: NodeJS.WritableStream, name: string, closedInterrupts: boolean): Write => (text) =>
  text.length === 0 ? Effect.void : Effect.callback<void, CliError>((resume) => {
    stream.write(text, (error) =>
      resume(
        error === null || error === undefined
          ? Effect.void
          : closedInterrupts && isClosedOutput(error)
          ? Effect.interrupt
          : Effect.fail(new CliError({ message: `could not write ${name}: ${error.message}` }))
      ))
  })

/**
 * A writer to `output` (a file, created or truncated) or else standard output. The file is closed, and fully
 * written, when the scope closes. A write to standard output whose reader has gone away interrupts the command.
 */
export const openOutput = (output: Option.Option<string>): Effect.Effect<Write, CliError, Scope.Scope> =>
  Option.match(output, {
    onNone: () => Effect.succeed(writeTo(process.stdout, "standard output", true)),
    onSome: (path) =>
      Effect.acquireRelease(
        Effect.callback<fs.WriteStream, CliError>((resume) => {
          const file = fs.createWriteStream(path)
          file.once("open", () => resume(Effect.succeed(file)))
          file.once(
            "error",
            (error) => resume(Effect.fail(new CliError({ message: `could not write ${path}: ${error.message}` })))
          )
        }),
        (file) =>
          Effect.callback<void>((resume) => {
            file.end(() => resume(Effect.void))
          })
      ).pipe(Effect.map((file) => writeTo(file, path, false)))
  })

/** Progress of a long operation, counted in `unit`s. */
export interface Progress {
  readonly advance: (n: number) => void
  readonly done: () => void
}

const compact = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n))

/**
 * Reports progress on standard error: one updating line with a bar when it is a terminal, else a plain line at
 * every tenth of the way (and at the end).
 */
export const progress = (label: string, total: number, unit = "points"): Progress => {
  const stderr = process.stderr
  const tty = stderr.isTTY === true
  const started = performance.now()
  let doneCount = 0
  let lastDraw = 0
  let lastTenth = 0
  const rate = () => doneCount / Math.max(1e-3, (performance.now() - started) / 1000)
  const draw = (final: boolean) => {
    const fraction = total === 0 ? 1 : Math.min(1, doneCount / total)
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
    const speed = `${compact(rate())} ${unit}/s`
    if (tty) {
      const eta = fraction > 0 && !final
        ? ` eta ${Math.ceil((performance.now() - started) / 1000 / fraction * (1 - fraction))}s`
        : ""
      const text = ` ${percent} ${compact(doneCount)}/${compact(total)} ${unit} ${speed}${eta}`
      const room = Math.max(10, Math.min(40, (stderr.columns || 80) - label.length - text.length - 4))
      const filled = Math.round(fraction * room)
      stderr.write(`\r\x1b[K${label} [${"#".repeat(filled)}${".".repeat(room - filled)}]${text}${final ? "\n" : ""}`)
    } else {
      stderr.write(`${label}: ${percent.trim()} (${doneCount} of ${total} ${unit}, ${speed})\n`)
    }
  }
  return {
    advance: (n) => {
      doneCount += n
      const now = performance.now()
      if (tty) {
        if (now - lastDraw >= 100) {
          lastDraw = now
          draw(false)
        }
      } else {
        const tenth = total === 0 ? 10 : Math.floor((doneCount / total) * 10)
        if (tenth > lastTenth && tenth < 10) {
          lastTenth = tenth
          draw(false)
        }
      }
    },
    done: () => draw(true)
  }
}
