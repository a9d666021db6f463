/**
 * The `btrdb` command. A failure prints one line naming what went wrong (the typed error's message) and exits
 * non-zero; a usage error prints the command's own help text.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { cli } from "./root.js"

const describe = (error: unknown): string =>
  error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error)

cli(process.argv).pipe(
  Effect.tapError((error) =>
    ValidationError.isValidationError(error) ? Effect.void : Console.error(`btrdb: ${describe(error)}`)
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
