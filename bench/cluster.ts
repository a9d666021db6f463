/**
 * The cost of MASH routing (`npm run bench:cluster`, `--streams N --inserts K --points P`): the same work through
 * the SDK against one embedded server and against the three-node test cluster (`test/support/cluster.ts`, three
 * gRPC servers in this process over one engine), side by side in one run:
 *
 * - small inserts: N streams × K inserts of P points each, 8 at a time (per-call overhead dominates);
 * - reads: the `values` of every stream, 8 at a time;
 * - metadata: one `streamsInCollection` per stream (calls that go to any node).
 *
 * Both targets run in this process, so the figures compare the client paths (owner lookup, one channel per node),
 * not networks. Each phase runs twice per target, alternating, and keeps the better time.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as EStream from "effect/Stream"
import { BTrDB, Uuid } from "../src/index.js"
import { start } from "../src/server/Server.js"
import { startCluster } from "../test/support/cluster.js"
import { numberArg } from "./args.js"
import { emit, round, runBench } from "./figures.js"

const N = numberArg("streams", 30)
const K = numberArg("inserts", 20)
const P = numberArg("points", 100)
const CONCURRENCY = 8

const workload = (round: number) =>
  Effect.gen(function*() {
    const db = yield* BTrDB.BTrDB
    const collection = `bench${round}/${Math.random().toString(36).slice(2, 8)}`
    const streams = yield* Effect.forEach(
      Array.from({ length: N }, (_, i) => i),
      (i) => db.create({ uuid: Uuid.random(), collection, tags: { name: `s${i}` } }),
      { concurrency: CONCURRENCY }
    )
    const batch = (k: number) => Array.from({ length: P }, (_, j) => [BigInt(k * P + j), j] as const)
    const t0 = performance.now()
    yield* Effect.forEach(
      streams.flatMap((s) => Array.from({ length: K }, (_, k) => [s, k] as const)),
      ([s, k]) => s.insert(batch(k)),
      { concurrency: CONCURRENCY, discard: true }
    )
    const t1 = performance.now()
    const read = yield* Effect.forEach(
      streams,
      (s) => EStream.runFold(s.values(), () => 0, (n, page) => n + page.times.length),
      { concurrency: CONCURRENCY }
    )
    const t2 = performance.now()
    yield* Effect.forEach(streams, () => db.streamsInCollection(collection), { concurrency: CONCURRENCY })
    const t3 = performance.now()
    if (read.reduce((a, b) => a + b, 0) !== N * K * P) throw new Error("bench: points missing")
    return { insert: (t1 - t0) / 1000, values: (t2 - t1) / 1000, lookup: (t3 - t2) / 1000 }
  })

const main = async () => {
  console.log(
    `MASH routing: ${N} streams × ${K} inserts of ${P} points, ${CONCURRENCY} at a time, Node ${process.version}`
  )
  const single = await start({ listen: "127.0.0.1:0", log: () => {} })
  const cluster = await startCluster({ nodes: 3 })
  const best = {
    single: { insert: Infinity, values: Infinity, lookup: Infinity },
    cluster: { insert: Infinity, values: Infinity, lookup: Infinity }
  }
  try {
    for (let round = 0; round < 2; round++) {
      for (const [name, endpoint] of [["single", single.endpoint], ["cluster", cluster.endpoint]] as const) {
        const t = await Effect.runPromise(
          workload(round).pipe(Effect.provide(Layer.fresh(BTrDB.layer({ endpoint }))))
        )
        best[name].insert = Math.min(best[name].insert, t.insert)
        best[name].values = Math.min(best[name].values, t.values)
        best[name].lookup = Math.min(best[name].lookup, t.lookup)
      }
    }
  } finally {
    await cluster.close()
    await single.close()
  }
  const calls = N * K
  for (const target of ["single", "cluster"] as const) {
    const vs = target === "cluster" ? "single" : undefined
    const ratio = (phase: "insert" | "values" | "lookup") =>
      vs === undefined ? {} : { vs: `${phase} (single)`, ratio: round(best.single[phase] / best.cluster[phase]) }
    emit({
      bench: target,
      figure: "insert",
      value: round(calls / best[target].insert, 0),
      unit: "calls/s",
      ...ratio("insert")
    })
    emit({
      bench: target,
      figure: "values",
      value: round(N / best[target].values, 0),
      unit: "reads/s",
      ...ratio("values")
    })
    emit({
      bench: target,
      figure: "lookup",
      value: round(N / best[target].lookup, 0),
      unit: "lookups/s",
      ...ratio("lookup")
    })
  }
}

runBench(main, "ratio (cluster rate / single rate)")
