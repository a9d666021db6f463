/**
 * The columns Insert requests are decoded into, reused from one request to the next: the engine copies the points
 * it keeps, so a request's columns are free again once its write has run. A fresh pair for 50 000 points (800 KB)
 * cost the server's decoding half its time, in page faults and the garbage collections external memory starts
 * (bench/README.md).
 *
 * Only spare buffers are held: columns lent and never given back (a call refused before its write ran) are left to
 * the garbage collector.
 */
import { newPointColumns, type PointColumns } from "../internal/grpc/codecs/index.js"

/** The points of the buffers kept: a full Insert of the SDK and of the official Python client. */
export const INSERT_COLUMNS_POINTS = 50_000

/** The spare buffers kept by default, 6.4 MB: as many as two clients' Inserts in flight (four each by default). */
export const INSERT_COLUMNS_KEPT = 8

export class InsertColumns {
  private readonly spare: Array<ArrayBuffer> = []

  /** `keep`: the most spare buffers held; `points`: each buffer's points (16 bytes each). */
  constructor(
    private readonly keep: number = INSERT_COLUMNS_KEPT,
    private readonly points: number = INSERT_COLUMNS_POINTS
  ) {}

  /** Columns for `count` points, not zeroed; from a spare buffer when `count` is at most the buffers' points. */
  readonly lend: PointColumns = (count) => {
    if (count > this.points) return newPointColumns(count)
    const buffer = this.spare.pop() ?? new ArrayBuffer(16 * this.points)
    return { times: new BigInt64Array(buffer, 0, count), values: new Float64Array(buffer, 8 * this.points, count) }
  }

  /**
   * Gives back columns (known by their times) once nothing reads them: their buffer is kept for reuse when it has a
   * spare's size and is not held already.
   */
  giveBack(times: BigInt64Array): void {
    const buffer = times.buffer
    if (
      buffer instanceof ArrayBuffer && buffer.byteLength === 16 * this.points && this.spare.length < this.keep &&
      !this.spare.includes(buffer)
    ) this.spare.push(buffer)
  }

  /** Spare buffers held now (for tests). */
  get spareCount(): number {
    return this.spare.length
  }
}
