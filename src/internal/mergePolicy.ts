/**
 * The merge policies (PROTOCOL.md §7.9) and their wire forms: the one table the SDK, the server, the memory layer,
 * the storage engine and the CLI share.
 */
import type { MergePolicy__Output as WireMergePolicy } from "./grpc/generated/v5api/MergePolicy.js"

/** Every merge policy, by name, in the order of their wire numbers (NEVER 0, EQUAL 1, RETAIN 2, REPLACE 3). */
export const MERGE_POLICIES = ["never", "equal", "retain", "replace"] as const

/** A merge policy by name. */
export type MergePolicy = typeof MERGE_POLICIES[number]

/** True when `name` is a merge policy. */
export const isMergePolicy = (name: unknown): name is MergePolicy => MERGE_POLICIES.includes(name as MergePolicy)

/** A policy's number on the wire. */
export const mergePolicyCode = (policy: MergePolicy): 0 | 1 | 2 | 3 => MERGE_POLICIES.indexOf(policy) as 0 | 1 | 2 | 3

/** A policy's enum name as proto-loader encodes it. */
export const mergePolicyToWire = (policy: MergePolicy): WireMergePolicy => policy.toUpperCase() as WireMergePolicy

/**
 * The policy a wire value names: an enum name as proto-loader decodes it, or the number as the hand codec does;
 * `undefined` for any other value.
 */
export const mergePolicyFromWire = (value: string | number): MergePolicy | undefined =>
  typeof value === "number" ? MERGE_POLICIES[value] : MERGE_POLICIES.find((p) => p.toUpperCase() === value)
