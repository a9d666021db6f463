/**
 * The `btrdb` command. A failure prints one line naming what went wrong (the typed error's message) and exits
 * non-zero; a usage error prints the command's help text and what is wrong on the command line, and exits non-zero.
 * SIGINT and SIGTERM interrupt the command, which stops cleanly (`serve` shuts its server down) and exits 0; so does
 * the end of standard output's reader (`btrdb values … | head -3`), quietly, cancelling the command's reads.
 * grpc-js's own log lines are off (every failure reaches the user as the one `btrdb:` line) unless `GRPC_VERBOSITY`
 * asks for them.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as grpc from "@grpc/grpc-js"
import * as Cause from "effect/Cause"
import * as CliError from "effect/cli/CliError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import { isClosedOutput } from "./output.js"
import { cli } from "./root.js"

const describe = (error: unknown): string =>
  error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { message: unknown }).message)
    : String(error)

/**
 * Exit status 0 when the command was interrupted, by a signal or a closed standard output (its finalizers have run),
 * as on a normal end.
 */
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

/**
 * Resolves once standard output's reader has gone away. Listening from the start also keeps any error of standard
 * output from crashing the process (a closed pipe is reported asynchronously, after the write).
 */
const stdoutClosed = new Promise<void>((resolve) => {
  process.stdout.on("error", (error) => {
    if (isClosedOutput(error)) resolve()
  })
})

if (process.env["GRPC_VERBOSITY"] === undefined) grpc.setLogVerbosity(grpc.logVerbosity.NONE)

cli(process.argv.slice(2)).pipe(
  Effect.raceFirst(Effect.promise(() => stdoutClosed)),
  Effect.tapCause((cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.void
    const error = Cause.squash(cause)
    // the command-line errors were printed with the help text
    return CliError.isCliError(error) ? Effect.void : Console.error(`btrdb: ${describe(error)}`)
  }),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown })
)
