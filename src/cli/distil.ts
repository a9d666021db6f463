/**
 * `btrdb distil run KIND --input STREAM --output collection/name`: runs one of the SDK's built-in distillers
 * (`Distiller.downsample`, `rms`, `range`, `events`) once (`--once`, the default) or until interrupted (`--follow`).
 * The output is created when a `collection/name` names no stream yet (tagged with the input's unit and the
 * distiller's name). Each recomputed range is reported on standard error (unless `--quiet`), each run's summary on
 * standard output.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Uuid from "../schema/Uuid.js"
import { BTrDB, type Service } from "../services/BTrDB.js"
import * as Distiller from "../services/Distiller.js"
import { connect, connectionFlags } from "./connection.js"
import { CliError, formatDuration, label, parseWidth, resolveStream } from "./inputs.js"

const KINDS = ["downsample", "rms", "range", "events"] as const
const STATS = ["mean", "min", "max", "count", "sum"] as const
const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** The output a command names: an existing stream, or a new one for a `collection/name` that names none. */
const outputStream = (db: Service, identifier: string, input: { readonly unit: string }, distiller: string) =>
  Effect.gen(function*() {
    const slash = identifier.lastIndexOf("/")
    if (UUID_TEXT.test(identifier) || slash <= 0 || slash === identifier.length - 1) {
      return yield* resolveStream(db, identifier)
    }
    const found = yield* db.streams(identifier).pipe(
      Effect.map((set) => Option.some(set.streams[0]!)),
      Effect.catchTag("StreamNotFound", () => Effect.succeed(Option.none()))
    )
    if (Option.isSome(found)) return found.value
    const created = yield* db.create({
      uuid: Uuid.random(),
      collection: identifier.slice(0, slash),
      tags: { name: identifier.slice(slash + 1), unit: input.unit, distiller }
    })
    yield* Console.error(`distil ${distiller}: created ${identifier} (${created.uuid})`)
    return created
  })

/** One line per run: what it recomputed and the versions now recorded. */
export const summaryText = (name: string, s: Distiller.Summary): string => {
  const versions = Object.entries(s.versions).map(([uuid, v]) => `${uuid}@${v}`).join(", ")
  return s.ranges.length === 0
    ? `distil ${name}: up to date (${versions})`
    : `distil ${name}: ${s.ranges.length} range${s.ranges.length === 1 ? "" : "s"}, ${s.pointsRead} points read, ` +
      `${s.pointsWritten} written (${versions})`
}

/** One line per range. */
export const progressText = (name: string, p: Distiller.Progress): string =>
  `distil ${name}: range ${p.index}/${p.total} [${p.start}, ${p.end}) (${formatDuration(p.end - p.start)}): ` +
  `${p.pointsRead} points read, ${p.pointsWritten} written`

const run = Command.make(
  "run",
  {
    ...connectionFlags,
    kind: Argument.Literals("kind", KINDS).pipe(
      Argument.withDescription("the built-in distiller: downsample, rms, range (max - min) or events (sags)")
    ),
    input: Flag.String("input").pipe(Flag.withDescription("the input stream: its uuid or collection/name")),
    output: Flag.String("output").pipe(
      Flag.withDescription("the output stream: a uuid, or a collection/name (created when it does not exist)")
    ),
    width: Flag.String("width").pipe(
      Flag.withDescription("the window width (1s, 15m, 15 minutes or ns)"),
      Flag.withDefault("1s")
    ),
    stat: Flag.Literals("stat", STATS).pipe(
      Flag.withDescription("the statistic of downsample"),
      Flag.withDefault("mean")
    ),
    nominal: Flag.Finite("nominal").pipe(
      Flag.withDescription("the nominal value of events (e.g. 7200 volts)"),
      Flag.optional
    ),
    threshold: Flag.Finite("threshold").pipe(
      Flag.withDescription("the sag of events, as a fraction of nominal (0.1: below 90 %)"),
      Flag.withDefault(0.1)
    ),
    name: Flag.String("name").pipe(
      Flag.withDescription("the name the processed versions are recorded under (default: the kind)"),
      Flag.optional
    ),
    once: Flag.Boolean("once").pipe(
      Flag.withDescription("catch up once and exit (the default)"),
      Flag.withDefault(false)
    ),
    follow: Flag.Boolean("follow").pipe(
      Flag.withDescription("keep the output up to date until interrupted (Ctrl-C); resumes where it stopped"),
      Flag.withDefault(false)
    ),
    interval: Flag.String("interval").pipe(
      Flag.withDescription("with --follow, how often to look for changes besides new inserts"),
      Flag.withDefault("1s")
    ),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no progress on standard error"), Flag.withDefault(false))
  },
  (options) =>
    Effect.gen(function*() {
      if (options.once && options.follow) return yield* new CliError({ message: "give --once or --follow, not both" })
      const width = yield* parseWidth("--width", options.width)
      const interval = yield* parseWidth("--interval", options.interval)
      const name = Option.getOrElse(options.name, () => options.kind as string)
      let transform: Distiller.Transform
      switch (options.kind) {
        case "downsample":
          transform = Distiller.downsample({ width, stat: options.stat })
          break
        case "rms":
          transform = Distiller.rms({ width })
          break
        case "range":
          transform = Distiller.range({ width })
          break
        case "events": {
          if (Option.isNone(options.nominal)) return yield* new CliError({ message: "events needs --nominal" })
          transform = Distiller.events({ nominal: options.nominal.value, threshold: options.threshold, width })
        }
      }
      const db = yield* BTrDB
      const input = yield* resolveStream(db, options.input)
      const output = yield* outputStream(db, options.output, { unit: yield* input.unit }, name)
      const distiller = yield* Distiller.make({ name, inputs: [input], outputs: [output], transform })
      const onRange = (p: Distiller.Progress) => options.quiet ? Effect.void : Console.error(progressText(name, p))
      yield* Console.error(`distil ${name}: ${label(input)} → ${label(output)}, windows of ${formatDuration(width)}`)
      if (!options.follow) {
        yield* Console.log(summaryText(name, yield* Distiller.runOnce(distiller, { onRange })))
        return
      }
      yield* Distiller.follow(distiller, {
        onRange,
        subscribe: true,
        schedule: Schedule.spaced(Duration.nanos(interval)),
        onRun: (s) => s.ranges.length === 0 ? Effect.void : Console.log(summaryText(name, s))
      })
    }).pipe(Effect.provide(connect(options)))
).pipe(
  Command.withDescription(
    "Run a built-in distiller: derive --output from --input (downsample: a statistic per window; rms; range: max - " +
      "min per window; events: 1 for a window with a sag below --nominal by more than --threshold, else 0), " +
      "recomputing only the ranges the input changed since the versions recorded in the output's annotations " +
      "(everything the first time). --once catches up and exits; --follow keeps up until interrupted"
  )
)

/** `btrdb distil run …`. */
export const distil = Command.make("distil").pipe(
  Command.withDescription("Derived streams kept up to date (distillers): see `btrdb distil run --help`"),
  Command.withSubcommands([run])
)
