/**
 * Failed writes, and what a client is told about them.
 *
 * {@link DiskFaults} is a switch for tests: the file store (segments, commit log) and the metadata log ask it before
 * each write and fsync of their files, so a test can make the disk full, or an fsync fail, at a chosen moment and
 * check that the store rolls back and carries on once the fault is cleared. The server flips it through
 * `FaultInject` type 5 when fault injection is enabled (see `server/faults.ts`).
 *
 * {@link writeFailure} turns the error of a failed write or fsync into the status a caller gets: 426
 * ResourceDepleted when the disk is full (ENOSPC, EDQUOT: a depleted resource, retried by the SDK's retry policies,
 * and the write succeeds again once space is freed), 500 InvariantFailure for any other I/O error (EIO and the
 * like: something an operator must look at).
 */
import { StatusCode } from "../internal/protocol.js"
import { StatusError } from "./StatusError.js"

/** The files a fault can hit: the data store's segment files and commit log, and the metadata log. */
export type DiskFile = "segment" | "log" | "metadata"

/** A planned failure. */
export interface DiskFault {
  /** What fails: writes (the default) or fsyncs. */
  readonly op?: "write" | "fsync" | undefined
  /** The files it hits (default: all). */
  readonly files?: ReadonlyArray<DiskFile> | undefined
  /** The errno code of the failure (default `ENOSPC` for writes, `EIO` for fsyncs). */
  readonly code?: string | undefined
  /**
   * Writes: how many more bytes fit before the disk is full (default 0); the write that crosses the limit writes the
   * part that fits and fails on the rest, as a real full disk does. Fsyncs: how many succeed first (default 0).
   */
  readonly after?: number | undefined
}

/** The error a real failed system call throws: an `Error` with an errno `code` and the `syscall`. */
const errnoError = (code: string, syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} failed (injected fault)`), { code, syscall })

/** A fault switch: nothing fails until {@link set} plans a fault, and nothing fails again after {@link clear}. */
export class DiskFaults {
  private fault: DiskFault | undefined
  private left = 0

  /** Plans `fault`, replacing any other. */
  set(fault: DiskFault): void {
    const after = fault.after ?? 0
    if (!Number.isSafeInteger(after) || after < 0) throw new RangeError("after must be a non-negative integer")
    this.fault = fault
    this.left = after
  }

  /** Ends the fault: writes and fsyncs work again. */
  clear(): void {
    this.fault = undefined
  }

  /** The fault planned, if any. */
  get planned(): DiskFault | undefined {
    return this.fault
  }

  private hits(file: DiskFile, op: "write" | "fsync"): boolean {
    const f = this.fault
    return f !== undefined && (f.op ?? "write") === op && (f.files === undefined || f.files.includes(file))
  }

  /** How many of the `length` bytes about to be written to a `file` may be written; throws when none may. */
  allowWrite(file: DiskFile, length: number): number {
    if (length === 0 || !this.hits(file, "write")) return length
    const n = Math.min(length, this.left)
    if (n === 0) throw errnoError(this.fault!.code ?? "ENOSPC", "write")
    this.left -= n
    return n
  }

  /** Throws when an fsync of a `file` is to fail. */
  checkFsync(file: DiskFile): void {
    if (!this.hits(file, "fsync")) return
    if (this.left > 0) {
      this.left--
      return
    }
    throw errnoError(this.fault!.code ?? "EIO", "fsync")
  }
}

/** True when `error` says the disk (or the user's quota) is full. */
export const isOutOfSpace = (error: unknown): boolean => {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined
  return code === "ENOSPC" || code === "EDQUOT"
}

/**
 * The status of a write or fsync of `what` that failed with `error`, after the store rolled back to its last
 * durable state: 426 when the disk is full, else 500.
 */
export const writeFailure = (error: unknown, what: string): StatusError => {
  if (error instanceof StatusError) return error
  const detail = error instanceof Error ? error.message : String(error)
  return isOutOfSpace(error)
    ? new StatusError(
      StatusCode.ResourceDepleted,
      `disk full: could not write ${what} (${detail}); nothing was stored, retry once space is freed`
    )
    : new StatusError(StatusCode.InvariantFailure, `could not write ${what} (${detail}); nothing was stored`)
}
