/**
 * TLS end to end: the server serves TLS with a certificate made for the test; the SDK connects when it trusts
 * the certificate's CA, through `caBundle` or `BTRDB_CA_BUNDLE` on port 4411, and a wrong CA is a clear
 * ConnectionError.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { BTrDB } from "../../src/index.js"
import * as EmbeddedServer from "../../src/server/EmbeddedServer.js"

let dir: string
const pem = (name: string) => fs.readFileSync(path.join(dir, name))

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
const makeCertificate = (name: string) =>
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout",
    path.join(dir, `${name}.key`),
    "-out",
    path.join(dir, `${name}.crt`)
  ], { stdio: "ignore" })

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "btrdb-tls-"))
  makeCertificate("server")
  makeCertificate("other")
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const tlsServer = (listen: string) =>
  EmbeddedServer.make({ listen, tls: { cert: pem("server.crt"), key: pem("server.key") }, log: () => {} })

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () =>
      s.close(() =>
        resolve(true)
      ))
  })

describe("TLS", () => {
  it.live("the SDK connects with the right CA; a wrong CA is a ConnectionError", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* tlsServer("127.0.0.1:0")
      const info = yield* Effect.scoped(
        Effect.flatMap(
          BTrDB.make({ endpoint: server.endpoint, tls: true, caBundle: pem("server.crt") }),
          (db) => db.info
        )
      )
      assert.strictEqual(info.majorVersion, 5)

      const wrong = yield* Effect.flip(
        Effect.scoped(BTrDB.make({ endpoint: server.endpoint, tls: true, caBundle: pem("other.crt") }))
      )
      assert.strictEqual(wrong._tag, "ConnectionError")
      assert.include(wrong.message, `could not connect to ${server.endpoint}`)

      const plaintext = yield* Effect.flip(Effect.scoped(BTrDB.make({ endpoint: server.endpoint, tls: false })))
      assert.strictEqual(plaintext._tag, "ConnectionError")
    })))

  it.live("port 4411 means TLS, with the CA from BTRDB_CA_BUNDLE", () =>
    Effect.gen(function*() {
      if (!(yield* Effect.promise(() => portFree(4411)))) return
      yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* tlsServer("127.0.0.1:4411")
        const provider = ConfigProvider.fromEnvRecord(Object.fromEntries([
          ["BTRDB_ENDPOINTS", server.endpoint],
          ["BTRDB_CA_BUNDLE", path.join(dir, "server.crt")],
          ["HOME", dir]
        ]))
        const info = yield* Effect.provide(
          Effect.flatMap(BTrDB.BTrDB, (db) => db.info),
          BTrDB.layerFromCredentials().pipe(Layer.provide(ConfigProvider.layer(provider)))
        )
        assert.deepStrictEqual(info.proxy.proxyEndpoints, ["127.0.0.1:4411"])
      }))
    }))
})
