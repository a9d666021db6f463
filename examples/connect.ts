/**
 * Connect to a BTrDB server, print what it says about itself and list its collections.
 *
 *   npx tsx examples/connect.ts localhost:4410
 *   BTRDB_ENDPOINTS=localhost:4410 npx tsx examples/connect.ts
 *
 * (`npx btrdb serve --listen 127.0.0.1:4410` runs a server to try it on.)
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Redacted } from "effect"
import { BTrDB } from "effect-btrdb"

// the endpoint: the first argument, else the first of BTRDB_ENDPOINTS (a comma list), else the default port
const endpoint = process.argv[2] ?? process.env["BTRDB_ENDPOINTS"]?.split(",")[0]?.trim() ?? "localhost:4410"
const apiKey = process.env["BTRDB_API_KEY"] ? Redacted.make(process.env["BTRDB_API_KEY"]) : undefined
// (`BTrDB.layerFromCredentials()` reads these variables, and ~/.predictivegrid/credentials.yaml, as the Python client's
// `btrdb.connect()` does)

const program = Effect.gen(function*() {
  const db = yield* BTrDB.BTrDB
  const info = yield* db.info
  yield* Console.log(`connected to ${db.endpoint}: BTrDB ${info.majorVersion}.${info.minorVersion} (${info.build})`)

  const collections = yield* db.listCollections()
  yield* Console.log(`${collections.length} collections`)
  for (const collection of collections) yield* Console.log(`  ${collection}`)
})

const failWith = (message: string) =>
  Console.error(message).pipe(Effect.andThen(Effect.sync(() => (process.exitCode = 1))))

program.pipe(
  // the layer connects (one Info call) and closes the channel when the program ends
  Effect.provide(BTrDB.layer({ endpoint, apiKey, connectTimeout: "5 seconds" })),
  // errors are values with a tag: handle the ones you expect, by name
  Effect.catchTags({
    ConnectionError: (e) =>
      failWith(`Could not reach a BTrDB server at ${e.endpoint} (${e.detail}). Is it running, and is the port right?`),
    Unauthenticated: () => failWith(`The server at ${endpoint} refused the API key: set BTRDB_API_KEY.`)
  }),
  NodeRuntime.runMain
)
