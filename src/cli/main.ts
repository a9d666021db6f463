/**
 * The `btrdb` command.
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { serve } from "./serve.js"

const btrdb = Command.make("btrdb").pipe(
  Command.withDescription("BTrDB from the command line: run the embedded server, talk to any BTrDB endpoint"),
  Command.withSubcommands([serve])
)

const cli = Command.run(btrdb, { name: "btrdb", version: "0.1.0" })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disableErrorReporting: false }))
