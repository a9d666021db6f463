/**
 * Cluster routing (PROTOCOL.md §11): murmur3 and the map, then the SDK against the three-node fixture of
 * `test/support/cluster.ts`: which node serves which uuid, a node stopped mid-run, a range moved, a degraded map,
 * Subscribe across nodes, the RPC spans and `db.cluster`. Counted, never timed.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as EStream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Uuid from "../src/schema/Uuid.js"
import { BTrDB, layerMemory } from "../src/services/BTrDB.js"
import type * as Cluster from "../src/services/Cluster.js"
import * as Mash from "../src/services/internal/cluster/mash.js"
import { murmur3, uuidHash } from "../src/services/internal/cluster/murmur3.js"
import type * as BTrDBStream from "../src/services/Stream.js"
import { clusterClientLayer, TestCluster, type TestClusterShape } from "./support/cluster.js"
import { grpcLayer, uniquePrefix } from "./support/layers.js"

/** PROTOCOL.md §11's vectors, and the node of a three-node cluster (thirds of [0, 2^32)) that owns each. */
const VECTORS = [
  { uuid: "00000000-0000-0000-0000-000000000000", hash: 2416257816, node: 1 },
  { uuid: "d0e18bd3-b304-4c10-be40-ff83df18fb38", hash: 857103711, node: 0 },
  { uuid: "f98f4b4e-9fab-46b5-8a80-f282059d69b1", hash: 3727280354, node: 2 },
  { uuid: "5ff7f80c-4b6a-4a0e-a1e4-49c1b8f5a7f3", hash: 3899141818, node: 2 }
] as const

const bytesOf = (uuid: string) => Uuid.toBytes(uuid as Uuid.Uuid)

describe("murmur3 x86_32", () => {
  it("matches PROTOCOL.md §11's vectors (seed 1 over the 16 uuid bytes)", () => {
    for (const v of VECTORS) assert.strictEqual(uuidHash(bytesOf(v.uuid)), v.hash, v.uuid)
  })

  it("matches the reference implementation on inputs with a tail, and other seeds", () => {
    const text = (s: string) => new TextEncoder().encode(s)
    assert.strictEqual(murmur3(text(""), 0), 0)
    assert.strictEqual(murmur3(text(""), 1), 0x514e28b7)
    assert.strictEqual(murmur3(text("hello"), 0), 0x248bfa47)
    assert.strictEqual(murmur3(text("The quick brown fox jumps over the lazy dog"), 0), 0x2e4ff723)
    assert.strictEqual(murmur3(Uint8Array.of(0x21, 0x43, 0x65, 0x87), 0x5082edee), 0x2362f9de)
    assert.strictEqual(murmur3(Uint8Array.of(0x21, 0x43, 0x65), 0), 0x7e4a8634)
    assert.strictEqual(murmur3(Uint8Array.of(0x21, 0x43), 0), 0xa0f7b07a)
    assert.strictEqual(murmur3(Uint8Array.of(0x21), 0), 0x72661cf4)
  })
})

describe("the map", () => {
  const members = Mash.partition([1, 1, 1]).map((r, i) => ({
    hash: i + 1,
    nodename: `n${i}`,
    up: true,
    in: true,
    start: r.start,
    end: r.end,
    grpcEndpoints: [`h${i}:4410`]
  }))
  const mash: Mash.Mash = { revision: 1n, healthy: true, members }

  it("splits the space by weight, the last end forced to 2^32", () => {
    assert.deepStrictEqual(Mash.partition([1, 1, 1]), [
      { start: 0, end: 1431655765 },
      { start: 1431655765, end: 2863311530 },
      { start: 2863311530, end: 2 ** 32 }
    ])
    assert.deepStrictEqual(Mash.partition([3, 1]).map((r) => r.end), [3221225472, 2 ** 32])
  })

  it("gives each vector's uuid to the member whose [start, end) holds its hash", () => {
    for (const v of VECTORS) assert.strictEqual(Mash.ownerOf(mash, bytesOf(v.uuid))?.nodename, `n${v.node}`)
    assert.strictEqual(Mash.ownerOfHash(mash, 1431655765)?.nodename, "n1")
    assert.strictEqual(Mash.ownerOfHash(mash, 1431655764)?.nodename, "n0")
  })

  it("uses only members that are in, up and own a non-empty range", () => {
    const down = { ...mash, members: members.map((m, i) => i === 1 ? { ...m, up: false } : m) }
    assert.isUndefined(Mash.ownerOf(down, bytesOf(VECTORS[0].uuid)))
    const out = { ...mash, members: members.map((m, i) => i === 1 ? { ...m, in: false } : m) }
    assert.isUndefined(Mash.ownerOf(out, bytesOf(VECTORS[0].uuid)))
    const empty = { ...mash, members: members.map((m, i) => i === 0 ? { ...m, end: m.start } : m) }
    assert.isUndefined(Mash.ownerOf(empty, bytesOf(VECTORS[1].uuid)))
    assert.deepStrictEqual(Mash.usableMembers(down).map((m) => m.nodename), ["n0", "n2"])
  })

  it("reads the wire form: int64 strings, ';'-separated addresses", () => {
    const read = Mash.fromWire({
      revision: "7",
      leader: "n0",
      leaderRevision: "7",
      totalWeight: "1",
      healthy: true,
      unmapped: 0,
      members: [{
        hash: 5,
        nodename: "n0",
        up: true,
        in: true,
        enabled: true,
        start: "0",
        end: "4294967296",
        weight: "1",
        readPreference: 1,
        httpEndpoints: "",
        grpcEndpoints: "a:4410;b:4410"
      }]
    })
    assert.strictEqual(read?.revision, 7n)
    assert.deepStrictEqual(read?.members[0]?.grpcEndpoints, ["a:4410", "b:4410"])
    assert.strictEqual(read?.members[0]?.end, 2 ** 32)
    assert.isUndefined(Mash.fromWire(null))
  })
})

/** A uuid that node `index` of `cluster` owns now. */
const uuidOwnedBy = (cluster: TestClusterShape, index: number): string => {
  for (;;) {
    const uuid = Uuid.random()
    if (cluster.ownerOf(uuid).index === index) return uuid
  }
}

const newStream = (uuid: string, label: string) =>
  Effect.flatMap(BTrDB, (db) => db.create({ uuid, collection: uniquePrefix(label), tags: { name: label } }))

const pointsOf = (stream: BTrDBStream.Stream) =>
  EStream.runCollect(stream.values()).pipe(
    Effect.map((pages) => pages.flatMap((p) => [...p.times].map((t, i) => [t, p.values[i]!] as const)))
  )

const clusterState = Effect.flatMap(BTrDB, (db) => db.cluster).pipe(
  Effect.map((state) => Option.getOrThrowWith(state, () => new Error("not routing")))
)

/** Waits until the SDK has read the map again since `generation`. */
const resyncedSince = (generation: number) =>
  clusterState.pipe(
    Effect.flatMap((s) => s.generation > generation ? Effect.void : Effect.fail("not yet")),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo({ duration: "10 seconds" })))
  )

layer(clusterClientLayer({ nodes: 3 }), { excludeTestServices: true })("routing over three nodes", (it) => {
  it.effect("each vector's uuid goes to the node that owns its hash: counted per node, nothing refused", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      for (const v of VECTORS) assert.strictEqual(cluster.ownerOf(v.uuid).index, v.node, v.uuid)
      const streams = yield* Effect.forEach(VECTORS, (v) => newStream(v.uuid, "vector"))
      const before = cluster.nodes.map((n) => n.stats.started)
      for (const s of streams) {
        yield* s.insert([[1n, 1], [2n, 2]])
        yield* EStream.runDrain(s.values())
      }
      const served = cluster.nodes.map((n, i) => n.stats.started - before[i]!)
      // one Insert and one RawValues per stream: node 0 owns one vector, node 1 one, node 2 two
      assert.deepStrictEqual(served, [2, 2, 4])
      assert.deepStrictEqual(cluster.nodes.map((n) => n.refused[405] + n.refused[419]), [0, 0, 0])
    }))

  it.effect("db.cluster: the map, its revision, and the channel and call count of each node", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const state = yield* clusterState
      assert.strictEqual(state.revision, cluster.revision())
      assert.strictEqual(state.bootstrap, cluster.endpoint)
      assert.isTrue(state.healthy)
      assert.deepStrictEqual(state.members.map((m) => m.grpcEndpoints[0]), cluster.nodes.map((n) => n.endpoint))
      assert.isTrue(state.members.every((m) => m.usable))
      for (const m of state.members) {
        assert.strictEqual(m.channel?.endpoint, m.grpcEndpoints[0])
        assert.isAbove(m.channel?.calls ?? 0, 0)
      }
    }))

  it.effect("metadata calls go to any node and see every stream (one shared store)", () =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      const prefix = uniquePrefix("meta")
      for (let i = 0; i < 3; i++) {
        yield* db.create({ uuid: Uuid.random(), collection: `${prefix}c${i}`, tags: { name: "m" } })
      }
      for (let i = 0; i < 3; i++) {
        const found = yield* db.streamsInCollection(prefix)
        assert.strictEqual(found.length, 3)
      }
      const info = yield* db.info
      assert.strictEqual(info.proxy.proxyEndpoints.length, 3)
    }))
})

layer(clusterClientLayer({ nodes: 3 }), { excludeTestServices: true })("a range moved between nodes", (it) => {
  it.effect("the old owner answers 405, the SDK reads the new map and retries: nothing lost or doubled", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const uuid = uuidOwnedBy(cluster, 1)
      const s = yield* newStream(uuid, "moved")
      yield* s.insert([[1n, 1], [2n, 2]])
      const { generation } = yield* clusterState
      // node 0's range grows past the stream's hash: node 0 owns it now
      cluster.moveBoundary(0, uuidHash(bytesOf(uuid)) + 1)
      assert.strictEqual(cluster.ownerOf(uuid).index, 0)
      yield* s.insert([[3n, 3], [4n, 4]])
      assert.strictEqual(cluster.nodes[1]!.refused[405], 1)
      const state = yield* clusterState
      assert.strictEqual(state.revision, cluster.revision())
      assert.strictEqual(state.generation, generation + 1)
      assert.deepStrictEqual(yield* pointsOf(s), [[1n, 1], [2n, 2], [3n, 3], [4n, 4]])
    }))

  it.effect("a read's start is retried after a 405; calls failing together resync once", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const uuid = uuidOwnedBy(cluster, 1)
      const s = yield* newStream(uuid, "movedread")
      yield* s.insert([[1n, 1]])
      const { generation } = yield* clusterState
      const refused = cluster.nodes[1]!.refused[405]
      cluster.moveBoundary(0, uuidHash(bytesOf(uuid)) + 1)
      const reads = yield* Effect.all(Array.from({ length: 5 }, () => pointsOf(s)), { concurrency: "unbounded" })
      for (const read of reads) assert.deepStrictEqual(read, [[1n, 1]])
      // the reads sent on the old map were refused (all five, unless one started after the map was read again) …
      assert.isAtLeast(cluster.nodes[1]!.refused[405] - refused, 1)
      // … and the map was read once for all of them
      assert.strictEqual((yield* clusterState).generation, generation + 1)
    }))
})

layer(clusterClientLayer({ nodes: 3 }), { excludeTestServices: true })("a node stopped mid-run", (it) => {
  it.effect("its calls fail over once the map gives its range to another node", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const uuid = uuidOwnedBy(cluster, 2)
      const s = yield* newStream(uuid, "stopped")
      yield* s.insert([[1n, 1]])
      const { generation } = yield* clusterState
      yield* Effect.promise(() => cluster.stop(2))
      // the node is gone but the map still names it: the insert fails, resyncs, and keeps retrying
      const insert = yield* s.insert([[2n, 2]], { merge: "replace" }).pipe(Effect.forkChild)
      yield* resyncedSince(generation)
      cluster.failover(2)
      yield* Fiber.join(insert)
      assert.strictEqual(cluster.ownerOf(uuid).index, 1)
      assert.deepStrictEqual(yield* pointsOf(s), [[1n, 1], [2n, 2]])
      const state = yield* clusterState
      assert.strictEqual(state.revision, cluster.revision())
      assert.isFalse(state.members[2]!.usable)
    }))
})

layer(clusterClientLayer({ nodes: 3 }), { excludeTestServices: true })("a degraded map", (it) => {
  it.effect("419 until healed, then success under the resync schedule", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const uuid = uuidOwnedBy(cluster, 0)
      const s = yield* newStream(uuid, "degraded")
      const { generation } = yield* clusterState
      cluster.degrade(0)
      const insert = yield* s.insert([[1n, 1]]).pipe(Effect.forkChild)
      yield* resyncedSince(generation + 1)
      assert.strictEqual(cluster.nodes[0]!.refused[419], 1)
      const degraded = yield* clusterState
      assert.isFalse(degraded.healthy)
      assert.isFalse(degraded.members[0]!.usable)
      cluster.heal()
      yield* Fiber.join(insert)
      assert.deepStrictEqual(yield* pointsOf(s), [[1n, 1]])
    }))

  it.effect("without healing, the call fails with 419 when the schedule is spent", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const uuid = uuidOwnedBy(cluster, 0)
      const s = yield* newStream(uuid, "degraded2")
      cluster.degrade(0)
      const error = yield* Effect.flip(s.insert([[1n, 1]]))
      cluster.heal()
      assert.strictEqual(error._tag, "BTrDBError")
      assert.strictEqual((error as unknown as { code: number }).code, 419)
    }))
})

layer(
  clusterClientLayer({ nodes: 3, cluster: { resync: Schedule.spaced("50 millis").pipe(Schedule.upTo({ times: 3 })) } }),
  { excludeTestServices: true }
)("the resync schedule is the user's", (it) => {
  it.effect("a degraded map fails after the given schedule's retries", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const s = yield* newStream(uuidOwnedBy(cluster, 1), "schedule")
      const { generation } = yield* clusterState
      cluster.degrade(1)
      const error = yield* Effect.flip(s.insert([[1n, 1]]))
      cluster.heal()
      assert.strictEqual((error as unknown as { code: number }).code, 419)
      // the first attempt and 3 retries, each followed by one read of the map
      assert.strictEqual((yield* clusterState).generation, generation + 4)
    }))
})

layer(clusterClientLayer({ nodes: 3 }), { excludeTestServices: true })("Subscribe across nodes", (it) => {
  it.effect("one call per owning node, merged: inserts into streams on every node arrive on one stream", () =>
    Effect.gen(function*() {
      const cluster = yield* TestCluster
      const db = yield* BTrDB
      const streams = yield* Effect.forEach([0, 1, 2], (i) => newStream(uuidOwnedBy(cluster, i), `sub${i}`))
      const set = yield* db.streams(streams.map((s) => s.uuid))
      const queue = yield* Queue.unbounded<string>()
      yield* set.subscribe().pipe(EStream.runForEach((u) => Queue.offer(queue, u.uuid)), Effect.forkScoped)
      // insert until every stream's update has come back (a subscription starts asynchronously)
      const seen = new Set<string>()
      for (let t = 1n; seen.size < 3; t++) {
        for (const s of streams) if (!seen.has(s.uuid)) yield* s.insert([[t, 1]])
        yield* Effect.sleep("20 millis")
        for (const u of yield* Queue.clear(queue)) seen.add(u)
      }
      assert.deepStrictEqual([...seen].sort(), streams.map((s) => s.uuid).sort())
      // one Subscribe call open on each node, none refused
      assert.deepStrictEqual(cluster.nodes.map((n) => n.stats.activeStreams), [1, 1, 1])
      assert.deepStrictEqual(cluster.nodes.map((n) => n.refused[405]), [0, 0, 0])
    }))
})

layer(clusterClientLayer({ nodes: 3, deadAddressFirst: true }), { excludeTestServices: true })(
  "a node's addresses tried in order",
  (it) => {
    it.effect("a refused first address is left for the next one: every call succeeds", () =>
      Effect.gen(function*() {
        const cluster = yield* TestCluster
        for (const index of [0, 1, 2]) {
          const s = yield* newStream(uuidOwnedBy(cluster, index), `addr${index}`)
          yield* s.insert([[1n, 1]])
          assert.deepStrictEqual(yield* pointsOf(s), [[1n, 1]])
        }
        const state = yield* clusterState
        for (const [i, m] of state.members.entries()) {
          assert.strictEqual(m.grpcEndpoints.length, 2)
          assert.strictEqual(m.channel?.endpoint, cluster.nodes[i]!.endpoint)
        }
      }))
  }
)

describe("spans of routed calls", () => {
  it.live("each RPC span names the node it went to: server.address, server.port, btrdb.node", () => {
    const attributes: Array<{ name: string; attributes: Map<string, unknown> }> = []
    const tracer = Tracer.make({
      span: (options) => {
        const recorded = { name: options.name, attributes: new Map<string, unknown>() }
        attributes.push(recorded)
        return {
          _tag: "Span",
          name: options.name,
          spanId: String(attributes.length),
          traceId: "trace",
          parent: options.parent,
          annotations: options.annotations,
          status: { _tag: "Started", startTime: options.startTime },
          attributes: recorded.attributes,
          links: options.links,
          sampled: options.sampled,
          kind: options.kind,
          end: () => {},
          attribute: (key, value) => {
            recorded.attributes.set(key, value)
          },
          event: () => {},
          addLinks: () => {}
        }
      }
    })
    return Effect.gen(function*() {
      const cluster = yield* TestCluster
      const state = yield* clusterState
      for (const index of [0, 1, 2]) {
        const s = yield* newStream(uuidOwnedBy(cluster, index), `span${index}`)
        attributes.length = 0
        yield* s.insert([[1n, 1]])
        yield* EStream.runDrain(s.values())
        const node = cluster.nodes[index]!
        for (const rpc of ["v5api.BTrDB/Insert", "v5api.BTrDB/RawValues"]) {
          const span = attributes.find((a) => a.name === rpc)
          assert.isDefined(span, rpc)
          assert.strictEqual(span!.attributes.get("server.address"), "127.0.0.1")
          assert.strictEqual(span!.attributes.get("server.port"), Number(node.endpoint.split(":")[1]))
          assert.strictEqual(span!.attributes.get("btrdb.node"), state.members[index]!.hash)
        }
      }
    }).pipe(Effect.withTracer(tracer), Effect.provide(clusterClientLayer({ nodes: 3 })))
  })
})

layer(grpcLayer(), { excludeTestServices: true })("one server reporting a proxy", (it) => {
  it.effect("is the one endpoint of every call: db.cluster is None", () =>
    Effect.gen(function*() {
      const db = yield* BTrDB
      assert.isTrue(Option.isNone(yield* db.cluster))
    }))
})

it.effect("the memory layer has no cluster", () =>
  Effect.gen(function*() {
    const db = yield* BTrDB
    const state: Option.Option<Cluster.ClusterState> = yield* db.cluster
    assert.isTrue(Option.isNone(state))
  }).pipe(Effect.provide(layerMemory())))
