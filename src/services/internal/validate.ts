/**
 * Validation of arguments at the SDK's boundary: a value that fails its schema becomes an `InvalidArgument`
 * naming the operation and the field, before anything is sent.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidArgument } from "../../errors/BTrDBError.js"

/** Decodes `value` with `schema`, or fails with `InvalidArgument` naming `field`. */
export const validate = <A, I>(
  method: string,
  field: string,
  schema: Schema.Schema<A, I>,
  value: unknown
): Effect.Effect<A, InvalidArgument> =>
  Schema.decodeUnknown(schema)(value).pipe(
    Effect.mapError((error) =>
      new InvalidArgument({
        method,
        field,
        detail: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
          issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`
        ).join("; ")
      })
    )
  )
