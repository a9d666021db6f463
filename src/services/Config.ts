/**
 * Where to connect and with which key, resolved the way the Python client's `btrdb.connect` does it
 * (PROTOCOL.md §6): the credentials file `~/.predictivegrid/credentials.yaml`, then the `BTRDB_*`
 * environment variables.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const { endpoint, apiKey, caBundle } = yield* Config.resolve() // file profile, then env
 *   const staging = yield* Config.resolve({ profile: "staging" })  // that profile only
 * })
 * ```
 *
 * Environment variables are read through Effect's `Config`, so the current `ConfigProvider` decides where they
 * come from (`ConfigProvider.fromMap` in tests). Files are read through `@effect/platform`'s `FileSystem`.
 *
 * Variables:
 *
 * - `BTRDB_PROFILE`: the credentials-file profile to start from (default `default`).
 * - `BTRDB_ENDPOINTS`: `host:port`. A comma list is accepted, as the Go client does, but only its first entry
 *   is used: like the Python client, the SDK connects to a single endpoint.
 * - `BTRDB_API_KEY`: the API key, kept `Redacted`.
 * - `BTRDB_CA_BUNDLE`: a PEM file of trusted CA certificates for TLS.
 *
 * An empty variable counts as unset.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as os from "node:os"
import * as path from "node:path"
import { LineCounter, parseDocument } from "yaml"
import { ConfigurationError } from "../errors/BTrDBError.js"
import { issuesOf } from "./internal/validate.js"

/**
 * How to reach the server.
 *
 * @example
 * ```ts
 * const resolved: Config.Resolved = { endpoint: "localhost:4410", apiKey: undefined, caBundle: undefined }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  /** `host:port`. */
  readonly endpoint: string
  /** The API key, sent as `authorization: Bearer <key>`. */
  readonly apiKey: Redacted.Redacted | undefined
  /** The PEM bytes of the file named by `BTRDB_CA_BUNDLE`, when it is set. */
  readonly caBundle: Buffer | undefined
}

/**
 * Options of {@link resolve}.
 *
 * @example
 * ```ts
 * const options: Config.ResolveOptions = { profile: "staging", credentialsPath: "/etc/btrdb/credentials.yaml" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolveOptions {
  /**
   * Use only this profile of the credentials file, ignoring `BTRDB_PROFILE`, `BTRDB_ENDPOINTS` and
   * `BTRDB_API_KEY` (Python's `connect(profile=…)`). An empty string counts as not given.
   */
  readonly profile?: string | undefined
  /** The credentials file to read instead of {@link credentialsPath}. */
  readonly credentialsPath?: string | undefined
}

/**
 * The credentials file: `$HOME/.predictivegrid/credentials.yaml`, with `HOME` read through `Config` and
 * `os.homedir()` when it is unset or empty.
 *
 * @example
 * ```ts
 * const file = Effect.runSync(Config.credentialsPath) // "/home/me/.predictivegrid/credentials.yaml"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const credentialsPath: Effect.Effect<string, Config.ConfigError> = Effect.map(
  Config.option(Config.String("HOME")),
  (home) =>
    path.join(
      Option.getOrElse(Option.filter(home, (h) => h !== ""), () => os.homedir()),
      ".predictivegrid",
      "credentials.yaml"
    )
)

// ---------------------------------------------------------------------------------------------------------------
// The credentials file
// ---------------------------------------------------------------------------------------------------------------

/** Only `btrdb.endpoints` and `btrdb.api_key` matter; anything else in a profile (`name`, other sections) is ignored. */
const Section = Schema.Struct({
  endpoints: Schema.optional(Schema.NullOr(Schema.String)),
  api_key: Schema.optional(Schema.NullOr(Schema.String))
})

/** A profile; Python reads a missing `btrdb` section as an empty one. */
const Profile = Schema.NullOr(Schema.Struct({ btrdb: Schema.optional(Schema.NullOr(Section)) }))

/** Profile name → profile; an empty file has no profiles. Profiles are decoded only when selected. */
const CredentialsFile = Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))

/** What one source contributes; `undefined` means "nothing here". */
interface Fragment {
  readonly endpoints: Source<string> | undefined
  readonly apiKey: Redacted.Redacted | undefined
}

/** A value and where it came from, for error messages. */
interface Source<A> {
  readonly value: A
  readonly from: string
}

const nothing: Fragment = { endpoints: undefined, apiKey: undefined }

const malformed = (file: string, detail: string) =>
  new ConfigurationError({ reason: "Malformed", detail: `Malformed credentials file \`${file}\`: ${detail}` })

/**
 * Describes a schema failure by its deepest path only: the formatted messages quote the offending value, which may
 * be an API key.
 */
const describeParseError = (error: Schema.SchemaError): string => {
  const deepest = issuesOf(error.issue).reduce<ReadonlyArray<string>>(
    (acc, { path }) => path.length > acc.length ? path : acc,
    []
  )
  const where = deepest.length === 0 ? "" : ` at ${deepest.join(".")}`
  return `unexpected value${where} (expecting btrdb: { endpoints: "host:port", api_key: "…" })`
}

/**
 * Reads and parses the file; `None` when it does not exist. YAML errors are reported by code and position, without
 * the source excerpt the `yaml` package would quote (it may hold an API key).
 */
const readCredentialsFile = Effect.fnUntraced(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(file).pipe(
    Effect.map(Option.some),
    Effect.catchIf(
      (error) => error.reason._tag === "NotFound",
      () => Effect.succeedNone
    ),
    Effect.mapError((cause) =>
      new ConfigurationError({
        reason: "Unreadable",
        detail: `Could not read credentials file \`${file}\`: ${cause.message}`,
        cause
      })
    )
  )
  if (Option.isNone(text)) return Option.none()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text.value, { lineCounter, prettyErrors: false, logLevel: "silent" })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    const { col, line } = lineCounter.linePos(first.pos[0])
    return yield* malformed(file, `invalid YAML at line ${line}, column ${col} (${first.code})`)
  }
  const contents = yield* Effect.try({
    try: () => doc.toJS({ maxAliasCount: 100 }) as unknown,
    catch: () => malformed(file, "invalid YAML")
  })
  const profiles = yield* Schema.decodeUnknownEffect(CredentialsFile)(contents).pipe(
    Effect.mapError(() => malformed(file, "expecting a mapping of profile names to profiles"))
  )
  return Option.some<Readonly<Record<string, unknown>>>(profiles ?? {})
})

/**
 * One profile's `btrdb` section. `required` is true for an explicitly chosen profile and for a non-default one named
 * by `BTRDB_PROFILE`; a missing `default` profile otherwise gives nothing (as in Python).
 */
const fromProfile = Effect.fnUntraced(function*(
  profiles: Readonly<Record<string, unknown>>,
  name: string,
  file: string,
  required: boolean
) {
  if (!Object.hasOwn(profiles, name)) {
    if (!required) return nothing
    return yield* new ConfigurationError({
      reason: "ProfileNotFound",
      detail: `Profile \`${name}\` not found in credentials file \`${file}\`.`
    })
  }
  const profile = yield* Schema.decodeUnknownEffect(Profile)(profiles[name]).pipe(
    Effect.mapError((error) => malformed(file, `profile \`${name}\`: ${describeParseError(error)}`))
  )
  const section = profile?.btrdb ?? undefined
  const endpoints = nonEmpty(section?.endpoints)
  const apiKey = nonEmpty(section?.api_key)
  return {
    endpoints: endpoints === undefined ? undefined : { value: endpoints, from: `profile \`${name}\` of \`${file}\`` },
    apiKey: apiKey === undefined ? undefined : Redacted.make(apiKey)
  } satisfies Fragment
})

/** Python's words, then what would work. */
const noEndpoint = (file: string): string =>
  "Could not determine credentials to use: no endpoint given. Set BTRDB_ENDPOINTS=host:port, name one " +
  `(BTrDB.layer({ endpoint }) or btrdb --endpoint), or add a profile with btrdb.endpoints to ${file}.`

const nonEmpty = (s: string | null | undefined): string | undefined =>
  s === null || s === undefined || s === "" ? undefined : s

// ---------------------------------------------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------------------------------------------

const optionalString = (name: string) =>
  Config.option(Config.String(name)).pipe(Config.map((o) => nonEmpty(Option.getOrUndefined(o))))

const env = Config.all({
  profile: optionalString("BTRDB_PROFILE"),
  endpoints: optionalString("BTRDB_ENDPOINTS"),
  apiKey: Config.option(Config.Redacted("BTRDB_API_KEY")).pipe(
    Config.map((o) => Option.getOrUndefined(Option.filter(o, (key) => Redacted.value(key) !== "")))
  ),
  caBundle: optionalString("BTRDB_CA_BUNDLE")
})

// ---------------------------------------------------------------------------------------------------------------
// Endpoint and CA bundle
// ---------------------------------------------------------------------------------------------------------------

/**
 * The first entry of a comma list, trimmed, checked to be `host:port` (one colon, as the Python client splits it,
 * and a port number).
 */
const parseEndpoint = (source: Source<string>): Effect.Effect<string, ConfigurationError> => {
  const endpoint = source.value.split(",")[0]!.trim()
  const parts = endpoint.split(":")
  const port = parts.length === 2 && /^\d{1,5}$/.test(parts[1]!) ? Number(parts[1]) : NaN
  return parts.length === 2 && parts[0] !== "" && port <= 65535
    ? Effect.succeed(endpoint)
    : Effect.fail(
      new ConfigurationError({
        reason: "Malformed",
        detail: `Endpoint \`${endpoint}\` from ${source.from}: expecting address:port`
      })
    )
}

const readCaBundle = Effect.fnUntraced(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  const bytes = yield* fs.readFile(file).pipe(
    Effect.mapError((cause) =>
      new ConfigurationError({
        reason: "Unreadable",
        detail: `Could not read the CA bundle \`${file}\` named by BTRDB_CA_BUNDLE: ${cause.message}`,
        cause
      })
    )
  )
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
})

/**
 * The PEM bytes of the file named by `BTRDB_CA_BUNDLE`, or `undefined` when it is not set; an unreadable file is
 * `ConfigurationError` `Unreadable`. `BTrDB.make` uses it for TLS endpoints given no `caBundle`.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const roots = yield* Config.caBundle // Buffer | undefined
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const caBundle: Effect.Effect<
  Buffer | undefined,
  ConfigurationError | Config.ConfigError,
  FileSystem.FileSystem
> = Effect.flatMap(
  optionalString("BTRDB_CA_BUNDLE"),
  (file) => file === undefined ? Effect.succeed(undefined) : readCaBundle(file)
)

// ---------------------------------------------------------------------------------------------------------------
// resolve
// ---------------------------------------------------------------------------------------------------------------

/**
 * Determines the endpoint, API key and CA bundle, with the precedence of the Python client's `btrdb.connect`:
 *
 * 1. With `options.profile`, only that profile's `btrdb` section (`endpoints`, `api_key`) is used. A missing file
 *    fails with `CredentialsFileNotFound`, a missing profile with `ProfileNotFound`.
 * 2. Otherwise the credentials-file profile named by `BTRDB_PROFILE` (else `default`; read only if the file exists;
 *    a missing `default` gives nothing, any other missing profile fails with `ProfileNotFound`) is overlaid with
 *    `BTRDB_ENDPOINTS` and `BTRDB_API_KEY`, each variable winning when set.
 * 3. No endpoint fails with `NoEndpoint` ("Could not determine credentials to use: no endpoint given…", naming the
 *    ways to give one).
 *
 * `BTRDB_ENDPOINTS` (or a file's `endpoints`) may be a comma list; the first entry is used. It must be
 * `host:port`, else `Malformed`. A malformed file is `Malformed`; an unreadable file or `BTRDB_CA_BUNDLE` is
 * `Unreadable`. `BTRDB_CA_BUNDLE`, when set, is read in either mode.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 *
 * const program = Effect.gen(function*() {
 *   const { apiKey, endpoint } = yield* Config.resolve()
 *   console.log(endpoint, apiKey === undefined ? "no key" : "with key")
 * }).pipe(Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve: (
  options?: ResolveOptions
) => Effect.Effect<Resolved, ConfigurationError | Config.ConfigError, FileSystem.FileSystem> = Effect.fn(
  "Config.resolve"
)(function*(options?: ResolveOptions) {
  const vars = yield* env
  const file = options?.credentialsPath ?? (yield* credentialsPath)
  const explicit = nonEmpty(options?.profile)

  let merged: Fragment
  if (explicit !== undefined) {
    const profiles = yield* readCredentialsFile(file)
    if (Option.isNone(profiles)) {
      return yield* new ConfigurationError({
        reason: "CredentialsFileNotFound",
        detail: `Could not find credentials file \`${file}\`.`
      })
    }
    merged = yield* fromProfile(profiles.value, explicit, file, true)
  } else {
    const profiles = yield* readCredentialsFile(file)
    const fromFile = Option.isNone(profiles)
      ? nothing
      : yield* fromProfile(profiles.value, vars.profile ?? "default", file, (vars.profile ?? "default") !== "default")
    merged = {
      endpoints: vars.endpoints === undefined ? fromFile.endpoints : { value: vars.endpoints, from: "BTRDB_ENDPOINTS" },
      apiKey: vars.apiKey ?? fromFile.apiKey
    }
  }

  if (merged.endpoints === undefined) {
    return yield* new ConfigurationError({ reason: "NoEndpoint", detail: noEndpoint(file) })
  }
  const endpoint = yield* parseEndpoint(merged.endpoints)
  const caBundle = vars.caBundle === undefined ? undefined : yield* readCaBundle(vars.caBundle)
  return { endpoint, apiKey: merged.apiKey, caBundle } satisfies Resolved
})
