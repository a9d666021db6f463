/**
 * API keys: the SDK sends `authorization: Bearer <key>`; the server refuses a missing or wrong key with
 * UNAUTHENTICATED "invalid api key" and changes nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { BTrDB } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"
import { rawClient, uuidBytes } from "../support/rawClient.js"

const KEY = "s3cret-key"

const withServer = <A, E>(f: (endpoint: string) => Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.flatMap(EmbeddedServer.make({ listen: "127.0.0.1:0", apiKey: KEY, log: () => {} }), (s) => f(s.endpoint))
  )

describe("API keys", () => {
  it.live("the right key works; a wrong or missing key fails with Unauthenticated", () =>
    withServer((endpoint) =>
      Effect.gen(function*() {
        const info = yield* Effect.scoped(
          Effect.flatMap(BTrDB.make({ endpoint, apiKey: Redacted.make(KEY) }), (db) => db.info)
        )
        assert.strictEqual(info.majorVersion, 5)
        // a plain string is accepted too (as the README's Python table shows), and never printed
        const plain = yield* Effect.scoped(Effect.flatMap(BTrDB.make({ endpoint, apiKey: KEY }), (db) => db.info))
        assert.strictEqual(plain.majorVersion, 5)
        const wrongPlain = yield* Effect.flip(Effect.scoped(BTrDB.make({ endpoint, apiKey: "nope" })))
        assert.strictEqual(wrongPlain._tag, "Unauthenticated")
        assert.notInclude(`${wrongPlain.message} ${JSON.stringify(wrongPlain)}`, "nope")

        const wrong = yield* Effect.flip(Effect.scoped(BTrDB.make({ endpoint, apiKey: Redacted.make("nope") })))
        assert.strictEqual(wrong._tag, "Unauthenticated")
        assert.include(wrong.message, "invalid api key")

        const missing = yield* Effect.flip(Effect.scoped(BTrDB.make({ endpoint })))
        assert.strictEqual(missing._tag, "Unauthenticated")
      })
    ))

  it.live("the scheme is case-insensitive; refused calls change nothing", () =>
    withServer((endpoint) =>
      Effect.promise(async () => {
        const client = rawClient(endpoint)
        try {
          const collection = `auth${Math.random().toString(36).slice(2, 8)}`
          const create = (authorization?: string) =>
            client.unary(
              "Create",
              { uuid: uuidBytes(), collection, tags: [{ key: "name", val: { value: "a" } }] },
              authorization
            )
              .then(() => 0, (e: { code: number; details: string }) => {
                assert.strictEqual(e.details, "invalid api key")
                return e.code
              })
          assert.strictEqual(await create(), 16)
          assert.strictEqual(await create(`Bearer wrong`), 16)
          assert.strictEqual(await create(`Basic ${KEY}`), 16)
          const list = await client.stream("ListCollections", { prefix: collection }, `bearer ${KEY}`)
          assert.deepStrictEqual(list[0].collections, [])
          assert.strictEqual(await create(`bearer ${KEY}`), 0)
          // an Insert without the key stores nothing
          const found = await client.stream("LookupStreams", { collection, isCollectionPrefix: false }, `Bearer ${KEY}`)
          const uuid = found[0].results[0].uuid
          const insert = (authorization?: string) =>
            client.unary("Insert", { uuid, values: [{ time: "1", value: 1 }], merge_policy: "NEVER" }, authorization)
              .then(() => 0, (e: { code: number }) => e.code)
          assert.strictEqual(await insert(), 16)
          assert.strictEqual(await insert("Bearer nope"), 16)
          const info = await client.unary("StreamInfo", { uuid, omitDescriptor: true }, `Bearer ${KEY}`)
          assert.strictEqual(info.versionMajor, "10")
          assert.strictEqual(await insert(`Bearer ${KEY}`), 0)
          const after = await client.unary("StreamInfo", { uuid, omitDescriptor: true }, `Bearer ${KEY}`)
          assert.strictEqual(after.versionMajor, "11")
          const listed = await client.stream("ListCollections", { prefix: collection }, `BEARER ${KEY}`)
          assert.deepStrictEqual(listed[0].collections, [collection])
          const refused = await client.stream("ListCollections", { prefix: collection }).catch((e) => e.code)
          assert.strictEqual(refused, 16)
        } finally {
          client.close()
        }
      })
    ))
})
