/**
 * Spans, on both layers: one span `BTrDB.<operation>` per public operation (`db.operation.name` = the operation,
 * as a validation error's `method` names it), and under it one span `v5api.BTrDB/<RPC>` per call it makes
 * (`db.operation.name` = the RPC, as an error the server sends names it). An operation another one calls adds
 * no span; the consumer of a read stream is not inside the read's span.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as EStream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { BTrDB, StreamSet, Uuid } from "../src/index.js"
import { grpcLayer, uniquePrefix } from "./support/layers.js"

interface Recorded {
  readonly name: string
  readonly spanId: string
  readonly parent: string | undefined
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
}

const recordingTracer = () => {
  const spans: Array<Recorded> = []
  const tracer = Tracer.make({
    span: ({ annotations, kind, links, name, parent, sampled, startTime }) => {
      const attributes = new Map<string, unknown>()
      const spanId = String(spans.length + 1)
      spans.push({ name, spanId, parent: Option.getOrUndefined(Option.map(parent, (p) => p.spanId)), kind, attributes })
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId: "trace",
        parent,
        annotations,
        status: { _tag: "Started", startTime },
        attributes,
        links,
        sampled,
        kind,
        end: () => {},
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: () => {},
        addLinks: () => {}
      }
      return span
    }
  })
  /** The spans named `name`, and the names of each one's children. */
  const find = (name: string) =>
    spans.filter((s) => s.name === name).map((s) => ({
      ...s,
      children: spans.filter((c) => c.parent === s.spanId).map((c) => c.name)
    }))
  return { spans, tracer, find }
}

const traced = <A, E>(
  layer: Layer.Layer<BTrDB.BTrDB, unknown>,
  body: (recorded: ReturnType<typeof recordingTracer>) => Effect.Effect<A, E, BTrDB.BTrDB>
) => {
  const recorded = recordingTracer()
  return body(recorded).pipe(Effect.withTracer(recorded.tracer), Effect.provide(layer))
}

/** A new stream of its own for a test. */
const newStream = Effect.flatMap(
  BTrDB.BTrDB,
  (db) => db.create({ uuid: Uuid.random(), collection: uniquePrefix("traced"), tags: { name: "t" } })
)

const spanSuite = (label: string, makeLayer: () => Layer.Layer<BTrDB.BTrDB, unknown>, server: boolean) =>
  describe(`spans (${label})`, () => {
    it.live("create: one span, its two RPCs as children, the database attributes", () =>
      traced(makeLayer(), ({ find }) =>
        Effect.gen(function*() {
          const db = yield* BTrDB.BTrDB
          const uuid = Uuid.random()
          yield* db.create({ uuid, collection: uniquePrefix("traced"), tags: { name: "t" } })
          const [create, ...others] = find("BTrDB.create")
          assert.strictEqual(others.length, 0)
          assert.deepStrictEqual(create!.children, ["v5api.BTrDB/Create", "v5api.BTrDB/StreamInfo"])
          assert.strictEqual(create!.attributes.get("db.system.name"), "btrdb")
          assert.strictEqual(create!.attributes.get("db.operation.name"), "create")
          assert.strictEqual(create!.attributes.get("btrdb.uuid"), uuid)
          const [rpc] = find("v5api.BTrDB/Create")
          assert.strictEqual(rpc!.kind, "client")
          assert.strictEqual(rpc!.attributes.get("db.operation.name"), "Create")
          assert.strictEqual(rpc!.attributes.get("rpc.method"), "Create")
          if (server) {
            assert.strictEqual(create!.attributes.get("server.address"), "127.0.0.1")
            assert.isAbove(create!.attributes.get("server.port") as number, 0)
            assert.strictEqual(rpc!.attributes.get("server.address"), "127.0.0.1")
          } else {
            assert.isFalse(create!.attributes.has("server.address"))
          }
        })))

    it.live("an insert of two chunks: one span, one Insert call per chunk", () =>
      traced(makeLayer(), ({ find }) =>
        Effect.gen(function*() {
          const stream = yield* newStream
          const n = 50_001
          const times = BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1))
          yield* stream.insert({ times, values: new Float64Array(n) })
          const inserts = find("BTrDB.Stream.insert")
          assert.strictEqual(inserts.length, 1)
          assert.deepStrictEqual(inserts[0]!.children, ["v5api.BTrDB/Insert", "v5api.BTrDB/Insert"])
          assert.strictEqual(inserts[0]!.attributes.get("btrdb.uuid"), stream.uuid)
        })))

    it.live("a set's count: one StreamSet span over every stream's calls, no Stream spans", () =>
      traced(makeLayer(), ({ find, spans }) =>
        Effect.gen(function*() {
          const db = yield* BTrDB.BTrDB
          const root = uniquePrefix("traced")
          const a = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: "a" } })
          const b = yield* db.create({ uuid: Uuid.random(), collection: root, tags: { name: "b" } })
          yield* a.insert([[1n, 1], [2n, 2]])
          yield* b.insert([[3n, 3]])
          const count = yield* StreamSet.make([a, b]).count()
          assert.strictEqual(count, 3n)
          const [set] = find("BTrDB.StreamSet.count")
          assert.strictEqual(set!.attributes.get("db.operation.name"), "StreamSet.count")
          assert.strictEqual(set!.attributes.get("btrdb.streams"), 2)
          assert.deepStrictEqual(set!.children, ["v5api.BTrDB/AlignedWindows", "v5api.BTrDB/AlignedWindows"])
          assert.isFalse(spans.some((s) => s.name.startsWith("BTrDB.Stream.") && s.name !== "BTrDB.Stream.insert"))
        })))

    it.live("a read: its span holds its RPC; what the consumer does with the pages is not inside it", () =>
      traced(makeLayer(), ({ find }) =>
        Effect.gen(function*() {
          const db = yield* BTrDB.BTrDB
          const stream = yield* newStream
          yield* stream.insert([[1n, 1], [2n, 2]])
          yield* stream.values().pipe(EStream.mapEffect(() => db.info), EStream.runDrain)
          const [values] = find("BTrDB.Stream.values")
          assert.deepStrictEqual(values!.children, ["v5api.BTrDB/RawValues"])
          const [info] = find("BTrDB.info")
          assert.isDefined(info)
          assert.deepStrictEqual(info!.children, ["v5api.BTrDB/Info"])
        })))

    it.live("errors name what the spans name: a validation error its operation, a server error its RPC", () =>
      traced(makeLayer(), ({ find }) =>
        Effect.gen(function*() {
          const stream = yield* newStream
          const invalid = yield* Effect.flip(stream.insert([[1n, Number.NaN]]))
          assert.strictEqual(invalid.method, "Stream.insert")
          yield* stream.obliterate
          const missing = yield* Effect.flip(stream.insert([[1n, 1]]))
          assert.strictEqual(missing._tag, "StreamNotFound")
          assert.strictEqual(missing.method, "Insert")
          const operations = find("BTrDB.Stream.insert").map((s) => s.attributes.get("db.operation.name"))
          assert.deepStrictEqual(operations, ["Stream.insert", "Stream.insert"])
          const rpcs = find("v5api.BTrDB/Insert").map((s) => s.attributes.get("db.operation.name"))
          assert.deepStrictEqual(rpcs, ["Insert"])
        })))
  })

spanSuite("memory", () => BTrDB.layerMemory(), false)
spanSuite("gRPC to the embedded server", () => grpcLayer(), true)
