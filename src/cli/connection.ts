/**
 * The connection options every client command takes: `--endpoint`, `--api-key` and `--profile`, falling back to
 * the SDK's `layerConfig` (BTRDB_ENDPOINTS, BTRDB_API_KEY, BTRDB_PROFILE and the credentials file).
 */
import * as Options from "@effect/cli/Options"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as BTrDB from "../services/BTrDB.js"

/** The options, to spread into a command's config. */
export const connectionOptions = {
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription("host:port of the BTrDB server (default: BTRDB_ENDPOINTS or the credentials file)"),
    Options.optional
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withDescription("the API key (default: BTRDB_API_KEY or the credentials file)"),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withDescription("the profile of ~/.predictivegrid/credentials.yaml to use"),
    Options.optional
  )
}

/** Parsed connection options. */
export interface ConnectionChoice {
  readonly endpoint: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly profile: Option.Option<string>
}

/** The BTrDB layer the options ask for: the named endpoint, else the configuration of the environment. */
export const connect = (choice: ConnectionChoice): Layer.Layer<BTrDB.BTrDB, unknown> =>
  Option.match(choice.endpoint, {
    onSome: (endpoint) => BTrDB.layer({ endpoint, apiKey: Option.getOrUndefined(choice.apiKey) }),
    onNone: () => BTrDB.layerConfig({ profile: Option.getOrUndefined(choice.profile) })
  })
