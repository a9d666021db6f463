/**
 * No server at hand? Run one in your own process: `effect-btrdb/server` starts the embedded BTrDB server as a layer,
 * and the SDK connects to it over gRPC as to any other. This writes a day of readings and prints six-hour windows.
 *
 *   npx tsx examples/embedded-server.ts [--data ./btrdb-data]
 *
 * Without `--data` everything stays in memory and is gone when the program ends.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Layer } from "effect"
import { BTrDB, Time, Uuid } from "effect-btrdb"
import { EmbeddedServer } from "effect-btrdb/server"
import { parseArgs } from "node:util"

const { values: flags } = parseArgs({ options: { data: { type: "string" } } })

const MINUTE = 60_000_000_000n

const program = Effect.gen(function*() {
  const server = yield* EmbeddedServer.EmbeddedServer
  const db = yield* BTrDB.BTrDB
  yield* Console.log(`embedded server listening on ${server.endpoint}`)

  const stream = yield* db.create({
    uuid: Uuid.random(),
    collection: "demo/site1",
    tags: { name: "temperature", unit: "celsius" }
  })
  // a reading a minute for a day, as two columns
  const start = Time.parseIso("2024-05-01")!
  const times = BigInt64Array.from({ length: 1440 }, (_, i) => start + BigInt(i) * MINUTE)
  const values = Float64Array.from({ length: 1440 }, (_, i) => 20 + 5 * Math.sin((2 * Math.PI * i) / 1440))
  const { version } = yield* stream.insert({ times, values })
  yield* Console.log(
    `inserted ${times.length} points into ${yield* stream.collection}/${yield* stream.name}, version ${version}`
  )

  const windows = yield* stream.windowsCollected({ start, end: start + 1440n * MINUTE, width: "6 hours" })
  for (let i = 0; i < windows.times.length; i++) {
    const at = new Date(Number(windows.times[i]! / 1_000_000n)).toISOString()
    yield* Console.log(
      `${at}  count ${windows.count[i]}  min ${windows.min[i]!.toFixed(3)}  mean ${windows.mean[i]!.toFixed(3)}  ` +
        `max ${windows.max[i]!.toFixed(3)}`
    )
  }
})

// the server first, then a connection to the endpoint it bound (a free port); both stop when the program ends
const Live = Layer.unwrap(
  Effect.map(EmbeddedServer.EmbeddedServer, (server) => BTrDB.layer({ endpoint: server.endpoint }))
).pipe(Layer.provideMerge(EmbeddedServer.layer({ listen: "127.0.0.1:0", dataDir: flags.data })))

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
