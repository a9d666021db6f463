/**
 * Buffers an encoder writes messages into and gets back once their bytes have been read, so that a long run of
 * big messages (a read's answers on the server, an insert's chunks on the client) reuses a few buffers instead of
 * taking a new one per message: on these machines a fresh megabyte cost more than encoding into a warm one (its
 * pages are faulted in, and the garbage collector runs sooner for the external memory), see bench/README.md.
 *
 * Each lent buffer has an `ArrayBuffer` of its own (Node's small buffers share one pool), so it is known again by
 * the `ArrayBuffer` under any view of it.
 */
import { bytesToWrite } from "./wire.js"

export class LentBuffers {
  /** The buffers lent and not given back yet. */
  private readonly lent = new Set<ArrayBufferLike>()
  private readonly spare: Array<Uint8Array> = []

  /**
   * `keep`: the most buffers kept for reuse; `largest`: the largest size lent (a bigger message gets a buffer of
   * its own, not kept, so that one huge message does not stay in memory).
   */
  constructor(private readonly keep: number, private readonly largest: number) {}

  /** At least `size` bytes, not zeroed, to write into from the start; lent until {@link giveBack}. */
  lend(size: number): Uint8Array {
    if (size > this.largest) return bytesToWrite(size)
    let out: Uint8Array | undefined
    while (out === undefined && this.spare.length > 0) {
      const candidate = this.spare.pop()!
      if (candidate.length >= size) out = candidate
    }
    out ??= Buffer.allocUnsafeSlow(size)
    this.lent.add(out.buffer)
    return out
  }

  /**
   * Gives back a buffer (or any view of it) that {@link lend} gave, once nothing reads its bytes any more; it may
   * be lent again. Anything else (a buffer not lent, or given back already) is ignored.
   */
  giveBack(bytes: Uint8Array): void {
    if (this.lent.delete(bytes.buffer) && this.spare.length < this.keep) this.spare.push(new Uint8Array(bytes.buffer))
  }

  /** How many buffers are lent now (for tests). */
  get lentCount(): number {
    return this.lent.size
  }
}
