/**
 * Every public operation runs in a span `BTrDB.<operation>` carrying the stream uuid where there is one.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { BTrDB, Uuid } from "../src/index.js"

const recordingTracer = () => {
  const spans: Array<{ name: string; attributes: Map<string, unknown> }> = []
  const tracer = Tracer.make({
    span: ({ annotations, kind, links, name, parent, sampled, startTime }) => {
      const attributes = new Map<string, unknown>()
      spans.push({ name, attributes })
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: String(spans.length),
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
  return { spans, tracer }
}

describe("tracing", () => {
  it.live("operations run in BTrDB.<operation> spans with the stream uuid", () => {
    const { spans, tracer } = recordingTracer()
    return Effect.gen(function*() {
      const db = yield* BTrDB.BTrDB
      const uuid = Uuid.random()
      const stream = yield* db.create({ uuid, collection: "traced", tags: { name: "t" } })
      yield* stream.version
      yield* db.listCollections("traced")
      const create = spans.find((s) => s.name === "BTrDB.create")
      assert.isDefined(create)
      assert.strictEqual(create!.attributes.get("btrdb.uuid"), uuid)
      assert.strictEqual(spans.find((s) => s.name === "BTrDB.Stream.version")?.attributes.get("btrdb.uuid"), uuid)
      assert.isTrue(Option.isSome(Option.fromUndefinedOr(spans.find((s) => s.name === "BTrDB.listCollections"))))
    }).pipe(Effect.provide(BTrDB.layerMemory()), Effect.withTracer(tracer))
  })
})
