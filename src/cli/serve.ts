/**
 * `btrdb serve`: runs the embedded server until SIGINT or SIGTERM, then shuts it down cleanly.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as EmbeddedServer from "../server/EmbeddedServer.js"

const listen = Options.text("listen").pipe(
  Options.withDescription("host:port to listen on (port 0 picks a free port)"),
  Options.withDefault("127.0.0.1:4410")
)

const data = Options.directory("data").pipe(
  Options.withDescription("the data directory, created when missing; without it everything stays in memory"),
  Options.optional
)

const apiKey = Options.redacted("api-key").pipe(
  Options.withDescription("require this API key on every call (or set BTRDB_SERVER_API_KEY, or use --api-key-file)"),
  Options.withFallbackConfig(Config.redacted("BTRDB_SERVER_API_KEY")),
  Options.optional
)

const apiKeyFile = Options.file("api-key-file", { exists: "yes" }).pipe(
  Options.withDescription("read the required API key from this file (its first line), keeping it off the command line"),
  Options.optional
)

const tlsCert = Options.file("tls-cert", { exists: "yes" }).pipe(
  Options.withDescription("serve TLS with this PEM certificate chain (with --tls-key)"),
  Options.optional
)

const tlsKey = Options.file("tls-key", { exists: "yes" }).pipe(
  Options.withDescription("the PEM private key of --tls-cert"),
  Options.optional
)

const faultInjection = Options.boolean("enable-fault-injection").pipe(
  Options.withDescription("let the FaultInject RPC plan faults, for testing clients (off by default)")
)

const readFile = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(path)).pipe(Effect.map((bytes) => Buffer.from(bytes)))

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
 * The `serve` command.
 */
export const serve = Command.make(
  "serve",
  { listen, data, apiKey, apiKeyFile, tlsCert, tlsKey, faultInjection },
  (options) =>
    Effect.gen(function*() {
      const server = yield* EmbeddedServer.make({
        listen: options.listen,
        dataDir: Option.getOrUndefined(options.data),
        apiKey: yield* keyFrom(options.apiKey, options.apiKeyFile),
        tls: yield* tlsFrom(options.tlsCert, options.tlsKey)
      })
      yield* Console.log(`listening on ${server.endpoint}`)
      yield* Console.log(
        `connect with: BTrDB.layer({ endpoint: "${server.endpoint}" })  or  BTRDB_ENDPOINTS=${server.endpoint}`
      )
      yield* Effect.addFinalizer(() => Console.log("btrdb server stopped"))
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Run the embedded BTrDB server"))
