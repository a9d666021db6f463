/**
 * Validation of arguments at the SDK's boundary: a value that fails its schema becomes an `InvalidArgument`
 * naming the operation and the field, before anything is sent.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { InvalidArgument } from "../../errors/BTrDBError.js"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The failed checks of an issue: each one's message and the path into the value (empty at the root). */
export const issuesOf = (
  issue: SchemaIssue.Issue
): ReadonlyArray<{ readonly message: string; readonly path: ReadonlyArray<string> }> =>
  formatter(issue).issues.map(({ message, path }) => ({
    message,
    path: (path ?? []).map((p) => String(typeof p === "object" ? p.key : p))
  }))

/** One line per failed check: its message, after the path into the value when there is one. */
const describeIssue = (issue: SchemaIssue.Issue): string =>
  issuesOf(issue).map(({ message, path }) => path.length === 0 ? message : `${path.join(".")}: ${message}`).join("; ")

/** A stream version as the SDK accepts it: a `bigint` or a non-negative integer `number`, below 2^64. */
export const VersionSchema = Schema.Union([
  Schema.BigInt.check(Schema.isBetweenBigInt({ minimum: 0n, maximum: (1n << 64n) - 1n })),
  Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
])

// the arguments are the caller's own values: quoting the rejected one makes the message say what was wrong
const PARSE_OPTIONS = { reportInput: true, errors: "all" } as const

/** Decodes `value` with `schema`, or fails with `InvalidArgument` naming `field`. */
export const validate = <S extends Schema.Decoder<unknown>>(
  method: string,
  field: string,
  schema: S,
  value: unknown
): Effect.Effect<S["Type"], InvalidArgument> =>
  Schema.decodeUnknownEffect(schema, PARSE_OPTIONS)(value).pipe(
    Effect.mapError((error) => new InvalidArgument({ method, field, detail: describeIssue(error.issue) }))
  )
