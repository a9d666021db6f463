/**
 * The `btrdb` command tree, apart from running it (see `main.ts`), so tests can run it in-process.
 */
import * as Command from "effect/cli/Command"
import { PACKAGE_VERSION } from "../internal/version.js"
import { backup } from "./backup.js"
import { copy } from "./copy.js"
import { alignedWindows, deleteRange, insert, obliterate, plot, values, windows } from "./dataCommands.js"
import { demo } from "./demo/command.js"
import { distil } from "./distil.js"
import { exportCommand } from "./exportCommand.js"
import { du, verify } from "./maintenanceCommands.js"
import { collections, create, info, sql, streams } from "./metadataCommands.js"
import { serve } from "./serve.js"

/** The root command. */
export const btrdb = Command.make("btrdb").pipe(
  Command.withDescription("BTrDB from the command line: run the embedded server, talk to any BTrDB endpoint"),
  Command.withSubcommands([
    serve,
    demo,
    verify,
    du,
    backup,
    copy,
    distil,
    info,
    collections,
    streams,
    create,
    sql,
    insert,
    values,
    windows,
    alignedWindows,
    exportCommand,
    deleteRange,
    obliterate,
    plot
  ])
)

/** The names of the subcommands. */
export const SUBCOMMANDS = [
  "serve",
  "demo",
  "verify",
  "du",
  "backup",
  "copy",
  "distil",
  "info",
  "collections",
  "streams",
  "create",
  "sql",
  "insert",
  "values",
  "windows",
  "aligned-windows",
  "export",
  "delete",
  "obliterate",
  "plot"
] as const

/** The version `btrdb --version` prints: the package's. */
export const VERSION = PACKAGE_VERSION

/**
 * Runs the command on `args`, the command line after `btrdb` (`process.argv.slice(2)`). Help, the version and usage
 * errors are printed here; other failures are left to the caller.
 */
export const cli = Command.runWith(btrdb, { version: VERSION })
