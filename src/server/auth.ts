/**
 * API-key authentication of incoming calls: `authorization: Bearer <key>`, the scheme matched
 * case-insensitively (the Go client sends `bearer`), the key compared in constant time.
 */
import type * as grpc from "@grpc/grpc-js"
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/**
 * A check of a call's metadata against `apiKey`; every call passes when there is no key.
 */
export const makeAuthenticator = (apiKey: string | undefined): (metadata: grpc.Metadata) => boolean => {
  if (apiKey === undefined) return () => true
  const expected = digest(apiKey)
  return (metadata) => {
    const header = metadata.get("authorization")[0]
    if (typeof header !== "string") return false
    const match = /^\s*bearer\s+(.+?)\s*$/i.exec(header)
    return match !== null && timingSafeEqual(digest(match[1]!), expected)
  }
}
