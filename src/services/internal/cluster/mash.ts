/**
 * The MASH (Master Allocation by Stable Hashing) of a BTrDB cluster: which member serves which part of the uuid
 * hash space (PROTOCOL.md §11). Plain TypeScript: the routing backend keeps it and asks it for owners.
 */
import type { DecodedResponseOf } from "../../../internal/grpc/wireTypes.js"
import type { Member } from "../../Cluster.js"
import { uuidHash } from "./murmur3.js"

/** One member of the map, as the cluster describes it (the public `Cluster.Member` less the SDK's own view). */
export type MashMember = Omit<Member, "usable" | "channel">

/** The map. */
export interface Mash {
  readonly revision: bigint
  readonly healthy: boolean
  readonly members: ReadonlyArray<MashMember>
}

/** A member is sent calls only when it is in the cluster, up, and owns a non-empty range. */
export const isUsable = (member: MashMember): boolean => member.in && member.up && member.start !== member.end

/** The map an `Info` answer carries; `undefined` when it carries none (or no member). */
export const fromWire = (wire: DecodedResponseOf<"Info">["mash"] | undefined): Mash | undefined => {
  if (wire === null || wire === undefined || wire.members.length === 0) return undefined
  return {
    revision: BigInt(wire.revision),
    healthy: wire.healthy,
    members: wire.members.map((m) => ({
      hash: m.hash,
      nodename: m.nodename,
      up: m.up,
      in: m.in,
      start: Number(m.start),
      end: Number(m.end),
      grpcEndpoints: m.grpcEndpoints.split(";").map((e) => e.trim()).filter((e) => e.length > 0)
    }))
  }
}

/** The usable member whose range holds `hash`, if any (none: the cluster is degraded for it). */
export const ownerOfHash = (mash: Mash, hash: number): MashMember | undefined =>
  mash.members.find((m) => isUsable(m) && m.start <= hash && hash < m.end)

/** The usable member that owns the stream of `uuidBytes`. */
export const ownerOf = (mash: Mash, uuidBytes: Uint8Array): MashMember | undefined =>
  ownerOfHash(mash, uuidHash(uuidBytes))

/** The usable members, in map order. */
export const usableMembers = (mash: Mash): ReadonlyArray<MashMember> => mash.members.filter(isUsable)

/** Whether two members are reached the same way (same id and addresses): a channel to one serves the other. */
export const sameNode = (a: MashMember, b: MashMember): boolean =>
  a.hash === b.hash && a.grpcEndpoints.length === b.grpcEndpoints.length &&
  a.grpcEndpoints.every((e, i) => e === b.grpcEndpoints[i])

/**
 * The members of a cluster of `weights.length` nodes as a BTrDB server assigns them: node i gets
 * `weight_i * 2^32 / totalWeight` of the space, the last `end` forced to 2^32.
 */
export const partition = (weights: ReadonlyArray<number>): ReadonlyArray<{ start: number; end: number }> => {
  const total = weights.reduce((a, b) => a + b, 0)
  const ranges: Array<{ start: number; end: number }> = []
  let start = 0
  weights.forEach((w, i) => {
    const end = i === weights.length - 1 ? 2 ** 32 : start + Math.floor((w * 2 ** 32) / total)
    ranges.push({ start, end })
    start = end
  })
  return ranges
}
