/**
 * The SDK benchmark suite (`npm run bench`): against the embedded server over loopback (the `btrdb serve` command
 * in its own process), with the same stream of N points (default 10 M), side by side in one run:
 *
 * - `values` read through the SDK's fast path (hand codecs, columnar pages);
 * - the same read through proto-loader's generic decoding (an object per point; kept here only as the baseline);
 * - a client that only counts the bytes, on a channel with the same options (the limit of the transport), for the
 *   long read, for many short ones (1 000 points, one call each), for short windows reads (`alignedWindows` and
 *   `windows` over the same ranges) and for a windows read of the whole stream;
 * - `arrowValues`, the same points as one apache-arrow Table;
 * - `insert` of the N points from columns, end to end, with several calls in flight (the default) and one at a time,
 *   the server's insert path in-process (decode, merge, commit) and the in-process encode rate of InsertParams;
 * - memory retained per point of a collected read.
 *
 *   npm run bench                    (builds, then: npx tsx bench/sdk.ts [--points N])
 *
 * The SDK and the server measured are the compiled package (`dist/`, `bin/btrdb.js`), as an installed package runs
 * them, not the source through tsx: tsx compiles with esbuild's `keepNames`, which wraps every function expression
 * of the source in a call that sets its name when it is created, and the SDK creates a few closures per call. That
 * cost short reads about 4 % of their rate in this bench (0.75 against 0.78 of the bytes-only client), a cost no
 * user pays.
 *
 * Each figure is one JSON line {bench, figure, value, unit, vs, ratio}; a table sums them up. Machines here are
 * shared and noisy: compare the ratios, measured in the same run, rather than the absolute rates.
 */
import * as grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import * as EStream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { serveProcess } from "../test/support/serveProcess.js"
import { numberArg } from "./args.js"
import {
  BTrDB,
  BTrDBStream,
  CHANNEL_OPTIONS,
  Database,
  decodeInsertParams,
  encodeInsertParams,
  loadServiceClient,
  loadServiceDefinition,
  MAX_INSERT_POINTS,
  MergePolicyCode,
  Uuid
} from "./compiled.js"
import { emit, figures, round } from "./figures.js"
import { settle as settleNow } from "./gc.js"
import { compareRatio, PREVIOUS, previousFigures } from "./previous.js"
import { series, STEP, T0 } from "./series.js"

const N = numberArg("points", 10_000_000)
/** The name of the SDK's `values` figure in bench/README.md's tables. */
const FAST = "values (SDK fast path)"
const INSERT_CHUNK_POINTS = BTrDBStream.INSERT_CHUNK_POINTS

/** Best of `runs` timings of the synchronous `f`, in seconds. */
const best = (runs: number, f: () => void): number => {
  let min = Infinity
  for (let r = 0; r < runs; r++) {
    const t = performance.now()
    f()
    min = Math.min(min, (performance.now() - t) / 1000)
  }
  return min
}

/** A plain grpc-js client on a channel with the SDK's options, for the reads the SDK is compared with. */
const plainClient = (endpoint: string) => {
  const Client = loadServiceClient()
  return new Client(endpoint, grpc.credentials.createInsecure(), CHANNEL_OPTIONS)
}

/** One server-streaming call of `rpc` by `client` with `deserialize`; resolves to what `count` sums. */
const rawRead = (
  client: grpc.Client,
  rpc: "RawValues" | "AlignedWindows" | "Windows",
  request: object,
  deserialize: (b: Buffer) => unknown,
  count: (m: any) => number
) =>
  new Promise<number>((resolve, reject) => {
    const m = loadServiceDefinition()[rpc]!
    const call = client.makeServerStreamRequest(m.path, m.requestSerialize, deserialize, request, new grpc.Metadata())
    let n = 0
    call.on("data", (message) => (n += count(message)))
    call.on("error", reject)
    call.on("end", () => resolve(n))
  })

/** The RawValues request of `[start, end)` of the stream `uuid`. */
const rawValuesRequest = (uuid: string, start: bigint, end: bigint) => ({
  uuid: Buffer.from(uuid.replaceAll("-", ""), "hex"),
  start: start.toString(),
  end: end.toString()
})

/** The bytes of a message, as a client that decodes nothing counts them. */
const bytesOf = (b: Buffer) => b.length

/** {@link settleNow} as an effect. */
const settle = Effect.promise(settleNow)

/** Seconds `effect` takes, best of `runs`. */
const timed = <A, E>(runs: number, effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    let min = Infinity
    let result: A | undefined
    for (let r = 0; r < runs; r++) {
      const t = performance.now()
      result = yield* effect
      min = Math.min(min, (performance.now() - t) / 1000)
    }
    return { seconds: min, result: result as A }
  })

/**
 * How many timed runs each side of a read figure gets (the best counts), and each insert figure. With 3 and 4 runs
 * the read ratios moved by up to 0.2 from one `npm run bench` to the next on the same code (short `alignedWindows`
 * reads 0.75, 0.71 and 0.88; the long read 0.98, 0.88 and 0.66, 2026-12-07): the best of more runs is less often a
 * moment the machine was busy for one side only.
 */
const READ_RUNS = 8
const INSERT_RUNS = 5

/**
 * Seconds `sdk` and `limit` take, best of `runs` each, run in turn (sdk, limit, sdk, limit …) so that both see the
 * same moments of a shared machine, after `warmUps` untimed runs of each.
 */
const sideBySide = <A, E, B>(runs: number, sdk: Effect.Effect<A, E>, limit: Effect.Effect<B, E>, warmUps = 0) =>
  Effect.gen(function*() {
    for (let w = 0; w < warmUps; w++) {
      yield* sdk
      yield* limit
    }
    const best = { sdk: Infinity, limit: Infinity }
    let result: A | undefined
    for (let r = 0; r < runs; r++) {
      const a = yield* timed(1, sdk)
      result = a.result
      best.sdk = Math.min(best.sdk, a.seconds)
      best.limit = Math.min(best.limit, (yield* timed(1, limit)).seconds)
    }
    return { sdk: best.sdk, limit: best.limit, result: result as A }
  })

/**
 * The per-call figures: `SHORT_READS` reads by the SDK (`sdkRead(i)`) and as many by the bytes-only client
 * (`limitRead(i)`), side by side as {@link sideBySide} takes them, after two untimed passes of each (a call's path
 * through grpc-js and the SDK takes thousands of calls to be compiled and settle; the long read before made only a
 * few): the ratio of their times, and the SDK's reads per second.
 */
const shortReads = <E>(sdkRead: (i: number) => Effect.Effect<void, E>, limitRead: (i: number) => Promise<void>) =>
  Effect.map(
    sideBySide(
      READ_RUNS,
      Effect.gen(function*() {
        for (let i = 0; i < SHORT_READS; i++) yield* sdkRead(i)
      }),
      Effect.promise(async () => {
        for (let i = 0; i < SHORT_READS; i++) await limitRead(i)
      }),
      2
    ),
    (times) => ({ ratio: times.limit / times.sdk, sdkRate: SHORT_READS / times.sdk })
  )

/** In-process encode rate of InsertParams from columns, chunks of 50 000 points, points per second. */
const encodeRate = () => {
  const { times, values } = series(0, 1_000_000)
  const uuid = new Uint8Array(16)
  let bytes = 0
  const seconds = best(5, () => {
    for (let offset = 0; offset < times.length; offset += 50_000) {
      bytes += encodeInsertParams({
        uuid,
        sync: false,
        times,
        values,
        mergePolicy: MergePolicyCode.NEVER,
        offset,
        length: 50_000
      }).length
    }
  })
  if (bytes === 0) throw new Error("nothing encoded")
  return times.length / seconds
}

/** Short reads of SHORT points each, one call each, for the per-call cost. */
const SHORT = 1_000
const SHORT_READS = 2_000
/** The aligned windows of the windows read: 2^24 ns (16.8 ms), two points of 120 Hz each. */
const WINDOW_POINTWIDTH = 24
/** The windows of the short `windows` reads: as wide as the aligned ones, from each read's start. */
const WINDOW_WIDTH = 1n << BigInt(WINDOW_POINTWIDTH)

/**
 * The server's insert path in-process, on a database in a directory of its own: each 50 000-point InsertParams
 * message decoded as the server decodes it, then inserted and committed, best of 3; points per second, overall and
 * of each step.
 */
const serverInsertPath = async (data: { times: BigInt64Array; values: Float64Array }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-path-"))
  const db = await Database.open({ dir })
  try {
    const messages: Array<Buffer> = []
    for (let offset = 0; offset < data.times.length; offset += INSERT_CHUNK_POINTS) {
      const length = Math.min(INSERT_CHUNK_POINTS, data.times.length - offset)
      const bytes = encodeInsertParams({
        uuid: new Uint8Array(16),
        sync: false,
        ...data,
        mergePolicy: MergePolicyCode.NEVER,
        offset,
        length
      })
      messages.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    }
    let best = { total: Infinity, decode: Infinity, commit: Infinity }
    for (let run = 0; run < 3; run++) {
      const uuid = Uuid.random()
      await db.create(uuid, "bench", [{ key: "name", value: `path${run}` }], [])
      let decode = 0
      let commit = 0
      for (const message of messages) {
        const t0 = performance.now()
        const request = decodeInsertParams(message, { maxPoints: MAX_INSERT_POINTS })
        const t1 = performance.now()
        await db.insert(uuid, { times: request.times, values: request.values }, { policy: "never", sync: false })
        decode += t1 - t0
        commit += performance.now() - t1
      }
      if (decode + commit < best.total) best = { total: decode + commit, decode, commit }
    }
    const rate = (ms: number) => data.times.length / (ms / 1000)
    return { total: rate(best.total), decode: rate(best.decode), commit: rate(best.commit) }
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  // first, while this process holds nothing else: the server's path measured here, not the client's garbage
  const serverPath = await serverInsertPath(series(0, N))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-bench-"))
  const server = await serveProcess(dataDir, { built: true })
  const range = { start: T0, end: T0 + BigInt(N) * STEP }
  const plain = plainClient(server.endpoint)
  try {
    const program = Effect.gen(function*() {
      const db = yield* BTrDB.make({ endpoint: server.endpoint })
      const data = series(0, N)
      // each insert into a stream of its own, so that every one starts from the same empty tree
      const insertInto = (name: string, maxInFlight: number) =>
        Effect.flatMap(
          db.create({ uuid: Uuid.random(), collection: "bench", tags: { name } }),
          (s) => Effect.as(s.insert(data, { maxInFlight }), s)
        )
      let n = 0
      const inserted = yield* timed(INSERT_RUNS, Effect.suspend(() => insertInto(`sdk${n++}`, 4)))
      const oneAtATime = yield* timed(INSERT_RUNS, Effect.suspend(() => insertInto(`one${n++}`, 1)))
      const stream = inserted.result

      const parallel = yield* timed(
        3,
        EStream.runFold(stream.values({ ...range, parallel: 4 }), () => 0, (n, p) => n + p.times.length)
      )
      if (parallel.result !== N) throw new Error(`the parallel read read ${parallel.result} points`)
      const m = loadServiceDefinition()["RawValues"]!
      const fullRequest = rawValuesRequest(stream.uuid, range.start, range.end)
      const generic = yield* timed(
        1,
        Effect.promise(() =>
          rawRead(plain, "RawValues", fullRequest, m.responseDeserialize, (msg) => msg.values.length)
        )
      )
      if (generic.result !== N) throw new Error(`the generic path read ${generic.result} points`)
      const arrowValues = yield* timed(2, Effect.map(stream.arrowValues(range), (table) => table.numRows))
      if (arrowValues.result !== N) throw new Error(`arrowValues read ${arrowValues.result} rows`)

      // the long read, the SDK's and the bytes-only client's in turn
      const long = yield* sideBySide(
        READ_RUNS,
        EStream.runFold(stream.values(range), () => 0, (n, p) => n + p.times.length),
        Effect.promise(() => rawRead(plain, "RawValues", fullRequest, (b) => b, bytesOf))
      )
      if (long.result !== N) throw new Error(`the fast path read ${long.result} points`)

      // short reads, one after the other, spread over the stream
      const shortRange = (i: number) => {
        const start = T0 + BigInt((i * 4_999) % (N - SHORT)) * STEP
        return { start, end: start + BigInt(SHORT) * STEP }
      }
      const shortRequest = (i: number) => {
        const { end, start } = shortRange(i)
        return rawValuesRequest(stream.uuid, start, end)
      }
      const bytesRead = (rpc: "RawValues" | "AlignedWindows" | "Windows", request: object) =>
        rawRead(plain, rpc, request, (b) => b, bytesOf).then(() => undefined)
      /** `read`'s count checked by `ok` (what a read of `i` must give). */
      const checked = <E>(
        read: EStream.Stream<{ readonly times: ArrayLike<unknown> }, E>,
        ok: (n: number) => boolean
      ) =>
        Effect.flatMap(
          EStream.runFold(read, () => 0, (n, page) => n + page.times.length),
          (n) => ok(n) ? Effect.void : Effect.die(new Error(`a short read read ${n}`))
        )
      const short = yield* shortReads(
        (i) => checked(stream.values(shortRange(i)), (n) => n === SHORT),
        (i) => bytesRead("RawValues", shortRequest(i))
      )

      // short aligned-windows reads, the same ranges: a statistical query of a few seconds, one call each
      const shortWindows = yield* shortReads(
        (i) => checked(stream.alignedWindows({ ...shortRange(i), pointwidth: WINDOW_POINTWIDTH }), (n) => n > 0),
        (i) => bytesRead("AlignedWindows", { ...shortRequest(i), pointWidth: WINDOW_POINTWIDTH })
      )

      // short windows reads, the same ranges and width, windows starting at each range's start
      const shortWidthWindows = yield* shortReads(
        (i) => checked(stream.windows({ ...shortRange(i), width: WINDOW_WIDTH }), (n) => n > 0),
        (i) => bytesRead("Windows", { ...shortRequest(i), width: WINDOW_WIDTH.toString() })
      )

      // a windows read: every aligned window of the stream
      const windows = yield* sideBySide(
        READ_RUNS,
        EStream.runFold(
          stream.alignedWindows({ ...range, pointwidth: WINDOW_POINTWIDTH }),
          () => 0,
          (n, w) => n + w.times.length
        ),
        Effect.promise(() =>
          rawRead(plain, "AlignedWindows", { ...fullRequest, pointWidth: WINDOW_POINTWIDTH }, (b) => b, bytesOf)
        )
      )

      yield* settle
      const before = process.memoryUsage()
      const collected = yield* stream.valuesCollected(range)
      yield* settle
      const after = process.memoryUsage()
      const retained = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) /
        collected.times.length
      return {
        insert: inserted.seconds,
        oneAtATime: oneAtATime.seconds,
        fast: long.sdk,
        parallel: parallel.seconds,
        generic: generic.seconds,
        bytesOnly: long.limit,
        short,
        shortWindows,
        shortWidthWindows,
        windows: windows.result,
        windowsSdk: windows.sdk,
        windowsBytes: windows.limit,
        arrow: arrowValues.seconds,
        retained
      }
    })
    const r = await Effect.runPromise(Effect.scoped(program))
    const encode = encodeRate()

    const fastRate = N / r.fast
    const genericRate = N / r.generic
    const limitRate = N / r.bytesOnly
    emit({ bench: "read", figure: "values (SDK fast path)", value: round(fastRate / 1e6), unit: "M points/s" })
    emit({
      bench: "read",
      figure: "values with 4 calls at once (parallel: 4)",
      value: round(N / r.parallel / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round((N / r.parallel) / fastRate)
    })
    emit({
      bench: "read",
      figure: "proto-loader generic decoding",
      value: round(genericRate / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round(fastRate / genericRate)
    })
    emit({
      bench: "read",
      figure: "bytes-only client (the limit)",
      value: round(limitRate / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round(fastRate / limitRate)
    })
    for (
      const [figure, short] of [
        [`short reads (${SHORT} points, one call each)`, r.short],
        [`short alignedWindows reads (${SHORT} points' span, one call each)`, r.shortWindows],
        [`short windows reads (${SHORT} points' span, one call each)`, r.shortWidthWindows]
      ] as const
    ) {
      emit({
        bench: "read",
        figure,
        value: round(short.sdkRate),
        unit: "reads/s",
        vs: "the same reads by the bytes-only client",
        ratio: round(short.ratio)
      })
    }
    emit({
      bench: "read",
      figure: `alignedWindows (${r.windows.toLocaleString("en")} windows)`,
      value: round(r.windows / r.windowsSdk / 1e6),
      unit: "M windows/s",
      vs: "the same read by the bytes-only client",
      ratio: round(r.windowsBytes / r.windowsSdk)
    })
    emit({
      bench: "read",
      figure: "arrowValues (one Table)",
      value: round(N / r.arrow / 1e6),
      unit: "M points/s",
      vs: "values (SDK fast path)",
      ratio: round((N / r.arrow) / fastRate)
    })
    const insertRate = N / r.insert
    emit({
      bench: "insert",
      figure: "insert from columns, end to end",
      value: round(insertRate / 1e6),
      unit: "M points/s",
      vs: "target 5 M points/s",
      ratio: round(insertRate / 5e6)
    })
    emit({
      bench: "insert",
      figure: "insert, one call at a time (maxInFlight: 1)",
      value: round(N / r.oneAtATime / 1e6),
      unit: "M points/s",
      vs: "insert from columns, end to end",
      ratio: round(r.insert / r.oneAtATime)
    })
    emit({
      bench: "insert",
      figure: "server insert path, in-process (decode, merge, commit)",
      value: round(serverPath.total / 1e6),
      unit: "M points/s",
      vs: "insert from columns, end to end",
      ratio: round(serverPath.total / insertRate)
    })
    emit({
      bench: "insert",
      figure: "of which InsertParams decode",
      value: round(serverPath.decode / 1e6),
      unit: "M points/s"
    })
    emit({
      bench: "insert",
      figure: "of which merge and commit",
      value: round(serverPath.commit / 1e6),
      unit: "M points/s"
    })
    emit({
      bench: "insert",
      figure: "InsertParams encode, in-process",
      value: round(encode / 1e6),
      unit: "M points/s",
      vs: "target 50 M points/s",
      ratio: round(encode / 50e6)
    })
    emit({
      bench: "memory",
      figure: "retained per point of a collected read",
      value: round(r.retained, 1),
      unit: "bytes/point",
      vs: "target 20 bytes/point",
      ratio: round(r.retained / 20)
    })

    console.log(
      `\n${N.toLocaleString("en")} points, ${
        new Date().toISOString().slice(0, 10)
      }, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`
    )
    console.log("| figure | value | vs | ratio |\n|---|---|---|---|")
    for (const f of figures) console.log(`| ${f.figure} | ${f.value} ${f.unit} | ${f.vs ?? ""} | ${f.ratio ?? ""} |`)

    // ratio to ratio against the previous release's run recorded in bench/README.md
    const previous = previousFigures()
    const arrowRate = N / r.arrow
    console.log(`\nagainst ${PREVIOUS.release} (${PREVIOUS.section.replace("### ", "")}, bench/README.md):`)
    for (
      const [label, now, numerator, denominator] of [
        ["values ÷ bytes-only client", fastRate / limitRate, FAST, "bytes-only client (the limit)"],
        [
          "short reads ÷ bytes-only client",
          r.short.ratio,
          `short reads (${SHORT} points, one call each)`,
          "short reads by the bytes-only client"
        ],
        [
          "short alignedWindows reads ÷ bytes-only client",
          r.shortWindows.ratio,
          `short alignedWindows reads (${SHORT} points' span, one call each)`,
          "short alignedWindows reads by the bytes-only client"
        ],
        [
          "short windows reads ÷ bytes-only client",
          r.shortWidthWindows.ratio,
          `short windows reads (${SHORT} points' span, one call each)`,
          "short windows reads by the bytes-only client"
        ],
        [
          "alignedWindows ÷ bytes-only client",
          r.windowsBytes / r.windowsSdk,
          "alignedWindows",
          "alignedWindows by the bytes-only client"
        ],
        ["values ÷ generic decoding", fastRate / genericRate, FAST, "proto-loader generic decoding"],
        ["arrowValues ÷ values", arrowRate / fastRate, "arrowValues (one Table)", FAST],
        ["insert ÷ values", insertRate / fastRate, "insert from columns, end to end", FAST],
        ["InsertParams encode ÷ values", encode / fastRate, "InsertParams encode, in-process", FAST]
      ] as const
    ) console.log(`- ${compareRatio(previous, label, now, numerator, denominator)}`)
  } finally {
    plain.close()
    server.child.kill("SIGTERM")
    await new Promise((resolve) => server.child.on("exit", resolve))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

void main()
