/**
 * Fault injection for tests of clients, through the `FaultInject` RPC. It is off unless the server is started with
 * `faultInjection: true` (`btrdb serve --enable-fault-injection`); when off, FaultInject answers 424 as the
 * reference server does.
 *
 * `FaultInject{type, params}` with `params` a JSON object:
 *
 * | type | effect | params |
 * |---|---|---|
 * | 0 | clear every fault | — |
 * | 1 | fail the next `calls` calls with gRPC UNAVAILABLE | `{ "calls": n }` |
 * | 2 | delay the next `calls` calls by `ms` milliseconds | `{ "calls": n, "ms": m }` |
 * | 3 | drop the next `calls` streamed answers after `afterMessages` messages (UNAVAILABLE mid-stream) | `{ "calls": n, "afterMessages": k }` |
 * | 4 | run the next `calls` unary calls but lose their answers (the client sees UNAVAILABLE) | `{ "calls": n }` |
 * | 5 | make the data directory's writes or fsyncs fail until cleared (type 0): a full disk by default | `{ "op"?: "write" \| "fsync", "files"?: ["segment" \| "log" \| "metadata"], "code"?: "ENOSPC", "after"?: n }` |
 *
 * Type 5 is the engine's `DiskFaults` switch: writes fail once `after` more bytes have been written (fsyncs once
 * `after` more have succeeded), with the errno `code` (default ENOSPC for writes, EIO for fsyncs), on the files named
 * (default all). A server without a data directory writes no files, so nothing fails there.
 *
 * The answer's `rv` is the JSON of the faults now planned. FaultInject calls are never themselves faulted.
 */
import { type DiskFault, DiskFaults, type DiskFile } from "../engine/DiskFaults.js"
import { StatusError } from "../engine/StatusError.js"
import { StatusCode } from "../internal/protocol.js"

/** What happens to one call. */
export interface Admission {
  readonly fail: boolean
  /** Unary calls only: run the call, then answer UNAVAILABLE instead of its result. */
  readonly loseAnswer: boolean
  readonly delayMs: number
  /** Streamed answers only: drop the call after this many messages. */
  readonly dropAfter: number | undefined
}

const NONE: Admission = { fail: false, loseAnswer: false, delayMs: 0, dropAfter: undefined }

/** The faults planned on one server. */
export class Faults {
  private unavailable = 0
  private delayCalls = 0
  private delayMs = 0
  private dropCalls = 0
  private dropAfter = 0
  private lostAnswers = 0
  /** The switch of the database's writes (see `DiskFaults.ts`), to give to `Database.open`. */
  readonly disk = new DiskFaults()

  constructor(readonly enabled: boolean) {}

  /** The fault, if any, for the next call (streamed tells whether a drop can apply). */
  admit(streamed: boolean): Admission {
    if (!this.enabled) return NONE
    if (this.unavailable > 0) {
      this.unavailable--
      return { fail: true, loseAnswer: false, delayMs: 0, dropAfter: undefined }
    }
    let loseAnswer = false
    if (!streamed && this.lostAnswers > 0) {
      this.lostAnswers--
      loseAnswer = true
    }
    let delayMs = 0
    if (this.delayCalls > 0) {
      this.delayCalls--
      delayMs = this.delayMs
    }
    let dropAfter: number | undefined
    if (streamed && this.dropCalls > 0) {
      this.dropCalls--
      dropAfter = this.dropAfter
    }
    return delayMs === 0 && dropAfter === undefined && !loseAnswer
      ? NONE
      : { fail: false, loseAnswer, delayMs, dropAfter }
  }

  /** Applies a FaultInject request; 424 when disabled, 421 for an unknown type or bad params. */
  inject(type: bigint, params: Buffer): string {
    if (!this.enabled) {
      throw new StatusError(StatusCode.FaultInjectionDisabled, "Fault injection is disabled on this node")
    }
    const p = parseParams(params)
    switch (type) {
      case 0n:
        this.unavailable =
          this.delayCalls =
          this.dropCalls =
          this.lostAnswers =
            0
        this.disk.clear()
        break
      case 1n:
        this.unavailable = count(p, "calls")
        break
      case 2n:
        this.delayCalls = count(p, "calls")
        this.delayMs = count(p, "ms")
        break
      case 3n:
        this.dropCalls = count(p, "calls")
        this.dropAfter = count(p, "afterMessages")
        break
      case 4n:
        this.lostAnswers = count(p, "calls")
        break
      case 5n:
        this.disk.set(diskFault(p))
        break
      default:
        throw new StatusError(StatusCode.WrongArgs, `unknown fault type ${type}`)
    }
    return JSON.stringify({
      unavailable: this.unavailable,
      delay: { calls: this.delayCalls, ms: this.delayMs },
      drop: { calls: this.dropCalls, afterMessages: this.dropAfter },
      lostAnswers: this.lostAnswers,
      disk: this.disk.planned ?? null
    })
  }
}

const parseParams = (params: Buffer): Record<string, unknown> => {
  if (params.length === 0) return {}
  try {
    const parsed: unknown = JSON.parse(params.toString("utf8"))
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>
    }
  } catch {
    // reported below
  }
  throw new StatusError(StatusCode.WrongArgs, "fault params must be a JSON object")
}

const DISK_FILES: ReadonlyArray<DiskFile> = ["segment", "log", "metadata"]

/** The disk fault of type 5's params. */
const diskFault = (p: Record<string, unknown>): DiskFault => {
  const { code, files, op } = p
  if (op !== undefined && op !== "write" && op !== "fsync") {
    throw new StatusError(StatusCode.WrongArgs, `fault param "op" must be "write" or "fsync"`)
  }
  if (
    files !== undefined &&
    !(Array.isArray(files) && files.every((f) => DISK_FILES.includes(f as DiskFile)))
  ) {
    throw new StatusError(StatusCode.WrongArgs, `fault param "files" must be a list of ${DISK_FILES.join(", ")}`)
  }
  if (code !== undefined && (typeof code !== "string" || !/^E[A-Z]+$/.test(code))) {
    throw new StatusError(StatusCode.WrongArgs, `fault param "code" must be an errno code such as "ENOSPC"`)
  }
  return {
    op,
    files: files as ReadonlyArray<DiskFile> | undefined,
    code,
    after: p.after === undefined ? 0 : count(p, "after")
  }
}

const count = (params: Record<string, unknown>, key: string): number => {
  const value = params[key]
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value
  throw new StatusError(StatusCode.WrongArgs, `fault param "${key}" must be a non-negative integer`)
}
