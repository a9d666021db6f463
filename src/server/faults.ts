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
 *
 * The answer's `rv` is the JSON of the faults now planned. FaultInject calls are never themselves faulted.
 */
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
      default:
        throw new StatusError(StatusCode.WrongArgs, `unknown fault type ${type}`)
    }
    return JSON.stringify({
      unavailable: this.unavailable,
      delay: { calls: this.delayCalls, ms: this.delayMs },
      drop: { calls: this.dropCalls, afterMessages: this.dropAfter },
      lostAnswers: this.lostAnswers
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

const count = (params: Record<string, unknown>, key: string): number => {
  const value = params[key]
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value
  throw new StatusError(StatusCode.WrongArgs, `fault param "${key}" must be a non-negative integer`)
}
