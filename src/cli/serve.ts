/**
 * `btrdb serve`: runs the embedded server until SIGINT or SIGTERM, then shuts it down cleanly.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
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
  Options.withDescription("require this API key on every call (or set BTRDB_SERVER_API_KEY)"),
  Options.withFallbackConfig(Config.redacted("BTRDB_SERVER_API_KEY")),
  Options.optional
)

/**
 * The `serve` command.
 */
export const serve = Command.make("serve", { listen, data, apiKey }, (options) =>
  Effect.gen(function*() {
    const server = yield* EmbeddedServer.make({
      listen: options.listen,
      dataDir: Option.getOrUndefined(options.data),
      apiKey: Option.getOrUndefined(Option.map(options.apiKey, Redacted.value))
    })
    yield* Console.log(`listening on ${server.endpoint}`)
    yield* Console.log(
      `connect with: BTrDB.layer({ endpoint: "${server.endpoint}" })  or  BTRDB_ENDPOINTS=${server.endpoint}`
    )
    yield* Effect.addFinalizer(() => Console.log("btrdb server stopped"))
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(Command.withDescription("Run the embedded BTrDB server"))
