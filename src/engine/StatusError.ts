/**
 * The one error the engine raises: a BTrDB status code and its message.
 * The server puts it in the `stat` field of a response; the memory layer maps it to the SDK's tagged errors.
 */
export class StatusError extends Error {
  override readonly name = "StatusError"
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

/** True when `u` is a {@link StatusError}. */
export const isStatusError = (u: unknown): u is StatusError => u instanceof StatusError
