/**
 * The connection flags every client command takes: `--endpoint`, `--api-key` and `--profile`, falling back to
 * the SDK's `layerFromCredentials` (BTRDB_ENDPOINTS, BTRDB_API_KEY, BTRDB_PROFILE and the credentials file).
 */
import * as Flag from "effect/cli/Flag"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as BTrDB from "../services/BTrDB.js"

/** The flags, to spread into a command's config. */
export const connectionFlags = {
  endpoint: Flag.String("endpoint").pipe(
    Flag.withDescription("host:port of the BTrDB server (default: BTRDB_ENDPOINTS or the credentials file)"),
    Flag.optional
  ),
  apiKey: Flag.Redacted("api-key").pipe(
    Flag.withDescription("the API key (default: BTRDB_API_KEY or the credentials file)"),
    Flag.optional
  ),
  profile: Flag.String("profile").pipe(
    Flag.withDescription("the profile of ~/.predictivegrid/credentials.yaml to use"),
    Flag.optional
  )
}

/** Parsed connection flags. */
export interface ConnectionChoice {
  readonly endpoint: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly profile: Option.Option<string>
}

/** The BTrDB layer the flags ask for: the named endpoint, else the configuration of the environment. */
export const connect = (choice: ConnectionChoice): Layer.Layer<BTrDB.BTrDB, unknown> =>
  Option.match(choice.endpoint, {
    onSome: (endpoint) => BTrDB.layer({ endpoint, apiKey: Option.getOrUndefined(choice.apiKey) }),
    onNone: () => BTrDB.layerFromCredentials({ profile: Option.getOrUndefined(choice.profile) })
  })
