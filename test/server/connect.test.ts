/**
 * Connecting: a layer to an endpoint where nothing listens fails with a ConnectionError naming it; layerFromCredentials
 * finds the endpoint and key in the environment.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { BTrDB, Retry } from "../../src/index.js"
import * as Connection from "../../src/internal/grpc/Connection.js"
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

describe("layerFromCredentials", () => {
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
        BTrDB.layerFromCredentials().pipe(Layer.provide(ConfigProvider.layer(provider)))
      )
      assert.deepStrictEqual(info.proxy.proxyEndpoints, [server.endpoint])

      const none = ConfigProvider.fromEnvRecord(Object.fromEntries([["HOME", home]]))
      const error = yield* Effect.flip(
        Effect.provide(BTrDB.BTrDB, BTrDB.layerFromCredentials().pipe(Layer.provide(ConfigProvider.layer(none))))
      )
      assert.strictEqual(error._tag, "ConfigurationError")
      assert.match(error.message, NO_ENDPOINT)
    })))
})

describe("layerConfig", () => {
  it.live("reads each option from effect's Config, as effect's own clients do", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", apiKey: "k3y", log: () => {} })
      const live = BTrDB.layerConfig({
        endpoint: Config.String("MY_BTRDB"),
        apiKey: Config.Redacted("MY_KEY"),
        connectTimeout: Config.Duration("MY_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5)))
      })
      const provider = ConfigProvider.fromEnvRecord({ MY_BTRDB: server.endpoint, MY_KEY: "k3y" })
      const info = yield* Effect.provide(
        Effect.flatMap(BTrDB.BTrDB, (db) => db.info),
        live.pipe(Layer.provide(ConfigProvider.layer(provider)))
      )
      assert.deepStrictEqual(info.proxy.proxyEndpoints, [server.endpoint])

      // a wrong key is the server's refusal; a missing variable is Config's error
      const wrongKey = ConfigProvider.fromEnvRecord({ MY_BTRDB: server.endpoint, MY_KEY: "nope" })
      const refused = yield* Effect.flip(
        Effect.provide(BTrDB.BTrDB, live.pipe(Layer.provide(ConfigProvider.layer(wrongKey))))
      )
      assert.strictEqual(refused._tag, "Unauthenticated")
      const missing = yield* Effect.flip(
        Effect.provide(BTrDB.BTrDB, live.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({})))))
      )
      assert.strictEqual(missing._tag, "ConfigError")
    })))
})

describe("reconnecting", () => {
  it("the channel's reconnect backoff: 100 ms growing to 10 s unless given", () => {
    assert.strictEqual(Connection.channelOptions({})["grpc.initial_reconnect_backoff_ms"], 100)
    assert.strictEqual(Connection.channelOptions({})["grpc.max_reconnect_backoff_ms"], 10_000)
    const given = Connection.channelOptions({ reconnectBackoff: { initialMillis: 20, maxMillis: 500 } })
    assert.strictEqual(given["grpc.initial_reconnect_backoff_ms"], 20)
    assert.strictEqual(given["grpc.max_reconnect_backoff_ms"], 500)
  })

  it.live("after the server restarts on its port, a retried call gets through on the same connection", () =>
    Effect.scoped(Effect.gen(function*() {
      const first = yield* Scope.make()
      const server = yield* EmbeddedServer.make({ listen: "127.0.0.1:0", log: () => {} }).pipe(Scope.provide(first))
      const db = yield* BTrDB.make({
        endpoint: server.endpoint,
        reconnect: { initial: "20 millis", max: "200 millis" }
      })
      yield* db.info
      yield* Scope.close(first, Exit.void)
      const down = yield* Effect.flip(db.info)
      assert.strictEqual(down._tag, "ConnectionError")
      yield* EmbeddedServer.make({ listen: server.endpoint, log: () => {} })
      const info = yield* db.info.pipe(
        Retry.withPolicy(Retry.policy(Schedule.spaced("50 millis").pipe(Schedule.upTo({ duration: "20 seconds" }))))
      )
      assert.strictEqual(info.majorVersion, 5)
    })))

  it.effect("a reconnect backoff that is not a duration is a ConfigurationError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(BTrDB.make({ endpoint: "127.0.0.1:1", reconnect: { initial: "soon" as "1 second" } }))
      )
      assert.strictEqual(error._tag, "ConfigurationError")
      assert.include(error.message, "reconnect.initial")
    }))
})
