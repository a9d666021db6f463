/**
 * `btrdb serve`: runs the embedded server until SIGINT or SIGTERM, or until the process that started it exits, then
 * shuts it down cleanly (and `main.ts` exits 0).
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as EmbeddedServer from "../server/EmbeddedServer.js"
import { tuneServerHeap } from "./serverHeap.js"

const listen = Flag.String("listen").pipe(
  Flag.withDescription("host:port to listen on (port 0 picks a free port)"),
  Flag.withDefault("127.0.0.1:4410")
)

const data = Flag.Directory("data").pipe(
  Flag.withDescription("the data directory, created when missing; without it everything stays in memory"),
  Flag.optional
)

const apiKey = Flag.Redacted("api-key").pipe(
  Flag.withDescription("require this API key on every call (or set BTRDB_SERVER_API_KEY, or use --api-key-file)"),
  Flag.withFallbackConfig(Config.Redacted("BTRDB_SERVER_API_KEY")),
  Flag.optional
)

const apiKeyFile = Flag.File("api-key-file", { mustExist: true }).pipe(
  Flag.withDescription("read the required API key from this file (its first line), keeping it off the command line"),
  Flag.optional
)

const tlsCert = Flag.File("tls-cert", { mustExist: true }).pipe(
  Flag.withDescription("serve TLS with this PEM certificate chain (with --tls-key)"),
  Flag.optional
)

const tlsKey = Flag.File("tls-key", { mustExist: true }).pipe(
  Flag.withDescription("the PEM private key of --tls-cert"),
  Flag.optional
)

const faultInjection = Flag.Boolean("enable-fault-injection").pipe(
  Flag.withDescription("let the FaultInject RPC plan faults, for testing clients (off by default)"),
  Flag.withDefault(false)
)

const readFile = (path: string) =>
  FileSystem.FileSystem.use((fs) => fs.readFile(path)).pipe(Effect.map((bytes) => Buffer.from(bytes)))

const keyFrom = (key: Option.Option<Redacted.Redacted>, file: Option.Option<string>) =>
  Option.match(file, {
    onNone: () => Effect.succeed(Option.getOrUndefined(Option.map(key, Redacted.value))),
    onSome: (path) => Effect.map(readFile(path), (bytes) => bytes.toString("utf8").split(/\r?\n/)[0]!.trim())
  })

const tlsFrom = (cert: Option.Option<string>, key: Option.Option<string>) => {
  if (Option.isNone(cert) && Option.isNone(key)) return Effect.succeed(undefined)
  if (Option.isNone(cert) || Option.isNone(key)) {
    return Effect.fail(new Error("--tls-cert and --tls-key go together"))
  }
  return Effect.all({ cert: readFile(cert.value), key: readFile(key.value) })
}

/**
 * Succeeds once `parent`, the process that started this one, has exited, which re-parents this one (its parent pid
 * changes), checked every second. `npx btrdb serve` needs it: npm passes SIGTERM only to the shell it runs the
 * command in, which exits and leaves the server running without it.
 */
const parentExited = (parent: number) =>
  Effect.sleep("1 second").pipe(Effect.repeat({ until: () => process.ppid !== parent }))

/**
 * The `serve` command: it serves until interrupted (SIGINT, SIGTERM) or until its parent process exits.
 */
export const serve = Command.make(
  "serve",
  { listen, data, apiKey, apiKeyFile, tlsCert, tlsKey, faultInjection },
  (options) =>
    Effect.gen(function*() {
      const parent = process.ppid
      yield* Effect.sync(tuneServerHeap)
      const server = yield* EmbeddedServer.make({
        listen: options.listen,
        dataDir: Option.getOrUndefined(options.data),
        apiKey: yield* keyFrom(options.apiKey, options.apiKeyFile),
        tls: yield* tlsFrom(options.tlsCert, options.tlsKey),
        faultInjection: options.faultInjection
      })
      yield* Console.log(`listening on ${server.endpoint}`)
      yield* Console.log(
        `connect with: BTrDB.layer({ endpoint: "${server.endpoint}" })  or  BTRDB_ENDPOINTS=${server.endpoint}`
      )
      yield* Effect.addFinalizer(() => Console.log("btrdb server stopped"))
      yield* parentExited(parent)
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run the embedded BTrDB server until SIGINT or SIGTERM, or until the process that started it exits (so that " +
      "stopping `npx btrdb serve`, which does not pass SIGTERM on, stops the server too); it then shuts down " +
      "cleanly and exits 0"
  )
)
