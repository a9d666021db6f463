/**
 * Fuzzing the embedded server for a while (the long version of `test/server/fuzz.test.ts`).
 *
 *   npx tsx bench/fuzz.ts [--seconds N] [--workers K] [--deadline-ms D]
 *
 * Starts the server in this process (in memory), creates a stream the corrupt requests are about and a control
 * stream they never name, then for N seconds (default 60) K workers (default 8) each send one corrupt request at a
 * time, round-robin over every RPC: valid requests with bytes flipped, truncated, spliced, varint bombs and
 * random bytes (`test/support/fuzz.ts`), each with a deadline of D ms (default 3000) since a corrupt request may
 * well ask for an endless answer.
 *
 * Prints one JSON line per figure: requests sent, requests per second, the count per gRPC status code, the
 * largest heap seen (of this process: the server plus the fuzzing clients, which keep no answers), the largest
 * event-loop delay, errors the server logged (failures that were not a StatusError), and streamed answers still
 * being produced once every client is gone. Then checks that the server still answers Info and SQLQuery and
 * that the control stream is intact.
 *
 * Exits non-zero when a request gets no status within its deadline plus a margin (a hang), when the event loop
 * stalls for longer than that margin (the server stopped serving), on a crash (an uncaught exception or
 * unhandled rejection), or when a final check fails.
 */
import * as grpc from "@grpc/grpc-js"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { loadServiceDefinition, RPC_NAMES, type RpcName } from "../src/internal/grpc/proto.js"
import { start } from "../src/server/Server.js"
import { corruptRequests, validRequests } from "../test/support/fuzz.js"
import { rawClient, uuidBytes } from "../test/support/rawClient.js"
import { textArg } from "./args.js"

const SECONDS = Number(textArg("seconds") ?? 60)
const WORKERS = Number(textArg("workers") ?? 8)
const DEADLINE_MS = Number(textArg("deadline-ms") ?? 3000)
/** How late past its deadline a request's status may be before it counts as a hang. */
const MARGIN_MS = 5000
/** Corruptions generated at a time per RPC (a multiple of the 6 kinds of corruption). */
const CHUNK = 60

const emit = (figure: string, value: number, unit: string): void => {
  console.log(JSON.stringify({ bench: "fuzz", figure, value, unit }))
}

const fail = (reason: string, error?: unknown): never => {
  console.error(`fuzz: ${reason}`, error ?? "")
  emit("failed", 1, "bool")
  process.exit(1)
}
process.on("uncaughtException", (e) => fail("crash: uncaught exception", e))
process.on("unhandledRejection", (e) => fail("crash: unhandled rejection", e))

const statusName = new Map<number, string>(
  Object.entries(grpc.status).filter(([, v]) => typeof v === "number").map(([k, v]) => [v as number, k])
)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const main = async (): Promise<void> => {
  let loggedErrors = 0
  const server = await start({ listen: "127.0.0.1:0", log: () => void loggedErrors++ })
  const client = rawClient(server.endpoint)

  const uuid = uuidBytes()
  const control = uuidBytes()
  await client.unary("Create", { uuid, collection: "fuzz", tags: [{ key: "name", val: { value: "f" } }] })
  await client.unary("Create", { uuid: control, collection: "control", tags: [{ key: "name", val: { value: "c" } }] })
  const points = Array.from({ length: 2000 }, (_, i) => ({ time: String(i * 1000), value: i }))
  await client.unary("Insert", { uuid: control, values: points, merge_policy: "NEVER" })

  // The corrupt requests, generated on demand: round-robin over the RPCs, a fresh seed per chunk.
  const definition = loadServiceDefinition()
  const valid = validRequests(uuid)
  const encoded = new Map<RpcName, Buffer>(
    RPC_NAMES.map((rpc) => [rpc, definition[rpc]!.requestSerialize(valid[rpc]) as Buffer])
  )
  const pending = new Map<RpcName, Array<Buffer>>()
  let chunks = 0
  let turn = 0
  const nextRequest = (): { rpc: RpcName; bytes: Buffer } => {
    const rpc = RPC_NAMES[turn++ % RPC_NAMES.length]!
    let queue = pending.get(rpc)
    if (queue === undefined || queue.length === 0) {
      queue = corruptRequests(encoded.get(rpc)!, CHUNK, ++chunks)
      pending.set(rpc, queue)
    }
    return { rpc, bytes: queue.shift()! }
  }

  let heapMax = process.memoryUsage().heapUsed
  const sampler = setInterval(() => {
    heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)
  }, 200)
  const loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()

  const codes = new Map<number, number>()
  let sent = 0
  let hangs = 0
  const t0 = performance.now()
  const until = t0 + SECONDS * 1000
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const { bytes, rpc } = nextRequest()
      sent++
      let timer: NodeJS.Timeout | undefined
      const hung = new Promise<"hung">((resolve) => {
        timer = setTimeout(() => resolve("hung"), DEADLINE_MS + MARGIN_MS)
      })
      const result = await Promise.race([client.rawBytes(rpc, bytes, DEADLINE_MS), hung])
      clearTimeout(timer)
      if (result === "hung") {
        hangs++
        console.error(`fuzz: ${rpc} got no status within ${DEADLINE_MS + MARGIN_MS} ms: ${bytes.toString("hex")}`)
      } else {
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1)
      }
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker))
  const seconds = (performance.now() - t0) / 1000

  // Every client is gone: the server must stop producing their answers.
  const settleUntil = performance.now() + MARGIN_MS
  while (server.stats.activeStreams > 0 && performance.now() < settleUntil) await sleep(50)
  clearInterval(sampler)
  loop.disable()
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed)

  emit("seconds", Number(seconds.toFixed(1)), "s")
  emit("workers", WORKERS, "concurrent requests")
  emit("requests sent", sent, "requests")
  emit("requests per second", Math.round(sent / seconds), "requests/s")
  for (const [code, n] of [...codes].sort(([a], [b]) => a - b)) {
    emit(`status ${code} ${statusName.get(code) ?? "?"}`, n, "requests")
  }
  emit("no status (hang)", hangs, "requests")
  emit("server heap max", Number((heapMax / 2 ** 20).toFixed(1)), "MB")
  emit("event loop delay max", Number((loop.max / 1e6).toFixed(1)), "ms")
  emit("server logged errors", loggedErrors, "errors")
  emit("streams still active after the clients left", server.stats.activeStreams, "streams")

  // The server still serves, and the stream no fuzzed request names is exactly as it was.
  const problems: Array<string> = []
  try {
    const info = await client.unary("Info", {})
    if (info.majorVersion !== 5) problems.push(`Info answered major version ${info.majorVersion}`)
  } catch (e) {
    problems.push(`Info failed: ${String(e)}`)
  }
  try {
    const read = await client.stream("RawValues", { uuid: control, start: "0", end: "2000000" })
    const got = read.flatMap((m) => m.values).map((p: any) => `${p.time}:${p.value}`).join(",")
    if (got !== points.map((p) => `${p.time}:${p.value}`).join(",")) problems.push("the control stream changed")
  } catch (e) {
    problems.push(`RawValues of the control stream failed: ${String(e)}`)
  }
  try {
    const sql = await client.stream("SQLQuery", {
      query: "SELECT count(*) AS n FROM streams WHERE collection = $1",
      params: ["control"]
    })
    const rows = sql.flatMap((m) => m.SQLQueryRow).map((b: Buffer) => b.toString("utf8"))
    if (rows.join() !== "{\"n\":1}") problems.push(`SQLQuery answered ${JSON.stringify(rows)}`)
  } catch (e) {
    problems.push(`SQLQuery failed: ${String(e)}`)
  }
  emit("final checks passed", problems.length === 0 ? 1 : 0, "bool")

  client.close()
  await server.close(1000)

  if (hangs > 0) fail(`${hangs} requests got no status within their deadline plus ${MARGIN_MS} ms`)
  if (loop.max / 1e6 > MARGIN_MS) fail(`the event loop stalled for ${(loop.max / 1e6).toFixed(0)} ms`)
  if (problems.length > 0) fail(problems.join("; "))
  process.exit(0)
}

main().catch((e) => fail("the run failed", e))
