/**
 * Connecting: a layer to an endpoint where nothing listens fails with a ConnectionError naming it; layerConfig
 * finds the endpoint and key in the environment.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"

/** The NoEndpoint message: Python's words, then every way to give an endpoint. */
const NO_ENDPOINT =
  /^Could not determine credentials to use: no endpoint given\. Set BTRDB_ENDPOINTS=host:port, name one \(BTrDB\.layer\(\{ endpoint \}\) or btrdb --endpoint\), or add a profile with btrdb\.endpoints to \S+\.$/

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

describe("connect", () => {
  it.live("nothing listening: ConnectionError 'could not connect to <endpoint>: <reason>'", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const endpoint = `127.0.0.1:${port}`
      const error = yield* Effect.flip(Effect.scoped(BTrDB.make({ endpoint, connectTimeout: "5 seconds" })))
      assert.strictEqual(error._tag, "ConnectionError")
      assert.match(error.message, new RegExp(`could not connect to ${endpoint}: .+`))
      const viaLayer = yield* Effect.flip(
        Effect.provide(BTrDB.BTrDB, BTrDB.layer({ endpoint, connectTimeout: "5 seconds" }))
      )
      assert.strictEqual(viaLayer._tag, "ConnectionError")
    }))
})

describe("layerConfig", () => {
  it.live("connects to BTRDB_ENDPOINTS with BTRDB_API_KEY, as btrdb.connect() does", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", apiKey: "k3y", log: () => {} })
      const home = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "btrdb-home-")))
      yield* Effect.addFinalizer(() => Effect.promise(() => fs.rm(home, { recursive: true, force: true })))
      const provider = ConfigProvider.fromEnvRecord(
        Object.fromEntries([["BTRDB_ENDPOINTS", server.endpoint], ["BTRDB_API_KEY", "k3y"], ["HOME", home]])
      )
      const info = yield* Effect.provide(
        Effect.flatMap(BTrDB.BTrDB, (db) => db.info),
        BTrDB.layerConfig().pipe(Layer.provide(ConfigProvider.layer(provider)))
      )
      assert.deepStrictEqual(info.proxy.proxyEndpoints, [server.endpoint])

      const none = ConfigProvider.fromEnvRecord(Object.fromEntries([["HOME", home]]))
      const error = yield* Effect.flip(
        Effect.provide(BTrDB.BTrDB, BTrDB.layerConfig().pipe(Layer.provide(ConfigProvider.layer(none))))
      )
      assert.strictEqual(error._tag, "ConfigurationError")
      assert.match(error.message, NO_ENDPOINT)
    })))
})
