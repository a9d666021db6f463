/**
 * Config.resolve: the Python client's `btrdb.connect` precedence (PROTOCOL.md §6) over a temporary credentials
 * file and a `ConfigProvider.fromEnvRecord` environment.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Redacted from "effect/Redacted"
import * as os from "node:os"
import * as path from "node:path"
import type { ConfigurationError } from "../src/errors/BTrDBError.js"
import * as Config from "../src/services/Config.js"

/** The NoEndpoint message: Python's words, then every way to give an endpoint. */
const NO_ENDPOINT =
  /^Could not determine credentials to use: no endpoint given\. Set BTRDB_ENDPOINTS=host:port, name one \(BTrDB\.layer\(\{ endpoint \}\) or btrdb --endpoint\), or add a profile with btrdb\.endpoints to \S+\.$/

const PROFILES = `
default:
  name: Default
  btrdb:
    endpoints: file.example.com:4411
    api_key: file-key
staging:
  btrdb:
    endpoints: staging.example.com:4410
keyonly:
  btrdb:
    api_key: keyonly-key
other:
  pingthings_api:
    url: https://example.com
`

/** A fresh directory under os.tmpdir(), removed when the test's scope closes. */
const tempDir = Effect.flatMap(
  FileSystem.FileSystem,
  (fs) => fs.makeTempDirectoryScoped({ directory: os.tmpdir(), prefix: "btrdb-config-" })
)

/** Writes `contents` to `<tmp>/credentials.yaml` and returns its path. */
const credentials = (contents: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = path.join(yield* tempDir, "credentials.yaml")
    yield* fs.writeFileString(file, contents)
    return file
  })

/** A path where no file exists. */
const noFile = Effect.map(tempDir, (dir) => path.join(dir, "missing.yaml"))

const resolveWith = (env: Record<string, string>, options?: Config.ResolveOptions) =>
  Config.resolve(options).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))))

const failure = (env: Record<string, string>, options?: Config.ResolveOptions) =>
  resolveWith(env, options).pipe(
    Effect.flip,
    Effect.map((e) => {
      assert.strictEqual(e._tag, "ConfigurationError")
      return e as ConfigurationError
    })
  )

const key = (resolved: Config.Resolved): string | undefined =>
  resolved.apiKey === undefined ? undefined : Redacted.value(resolved.apiKey)

it.layer(NodeFileSystem.layer)("Config.resolve", (it) => {
  describe("merging file and environment", () => {
    it.effect("env only", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* noFile
        const r = yield* resolveWith({ BTRDB_ENDPOINTS: "localhost:4410", BTRDB_API_KEY: "env-key" }, {
          credentialsPath
        })
        assert.strictEqual(r.endpoint, "localhost:4410")
        assert.strictEqual(key(r), "env-key")
        assert.isUndefined(r.caBundle)
      }))

    it.effect("env only, without a key", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({ BTRDB_ENDPOINTS: "localhost:4410" }, { credentialsPath: yield* noFile })
        assert.strictEqual(r.endpoint, "localhost:4410")
        assert.isUndefined(r.apiKey)
      }))

    it.effect("file only: the default profile", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({}, { credentialsPath: yield* credentials(PROFILES) })
        assert.strictEqual(r.endpoint, "file.example.com:4411")
        assert.strictEqual(key(r), "file-key")
      }))

    it.effect("env overrides the file value by value", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials(PROFILES)
        const endpointOnly = yield* resolveWith({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { credentialsPath })
        assert.strictEqual(endpointOnly.endpoint, "env.example.com:4410")
        assert.strictEqual(key(endpointOnly), "file-key")
        const keyOnly = yield* resolveWith({ BTRDB_API_KEY: "env-key" }, { credentialsPath })
        assert.strictEqual(keyOnly.endpoint, "file.example.com:4411")
        assert.strictEqual(key(keyOnly), "env-key")
      }))

    it.effect("a profile holding only a key, with the endpoint from env", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({ BTRDB_PROFILE: "keyonly", BTRDB_ENDPOINTS: "env.example.com:4410" }, {
          credentialsPath: yield* credentials(PROFILES)
        })
        assert.strictEqual(r.endpoint, "env.example.com:4410")
        assert.strictEqual(key(r), "keyonly-key")
      }))

    it.effect("empty variables count as unset", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith(
          { BTRDB_PROFILE: "", BTRDB_ENDPOINTS: "", BTRDB_API_KEY: "", BTRDB_CA_BUNDLE: "" },
          {
            credentialsPath: yield* credentials(PROFILES)
          }
        )
        assert.strictEqual(r.endpoint, "file.example.com:4411")
        assert.strictEqual(key(r), "file-key")
        assert.isUndefined(r.caBundle)
      }))

    it.effect("BTRDB_PROFILE selects a profile", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({ BTRDB_PROFILE: "staging" }, { credentialsPath: yield* credentials(PROFILES) })
        assert.strictEqual(r.endpoint, "staging.example.com:4410")
        assert.isUndefined(r.apiKey)
      }))

    it.effect("a missing default profile gives nothing → NoEndpoint", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials("staging:\n  btrdb:\n    endpoints: staging.example.com:4410\n")
        const e = yield* failure({}, { credentialsPath })
        assert.strictEqual(e.reason, "NoEndpoint")
        assert.match(e.detail, NO_ENDPOINT)
        // BTRDB_PROFILE=default is the same as leaving it unset
        assert.strictEqual((yield* failure({ BTRDB_PROFILE: "default" }, { credentialsPath })).reason, "NoEndpoint")
        // and env alone still works
        const r = yield* resolveWith({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { credentialsPath })
        assert.strictEqual(r.endpoint, "env.example.com:4410")
      }))

    it.effect("no file and no env → NoEndpoint", () =>
      Effect.gen(function*() {
        const e = yield* failure({}, { credentialsPath: yield* noFile })
        assert.strictEqual(e.reason, "NoEndpoint")
        assert.match(e.message, NO_ENDPOINT)
      }))

    it.effect("an empty file has no profiles", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* failure({}, { credentialsPath: yield* credentials("") })).reason, "NoEndpoint")
      }))

    it.effect("a missing profile named by BTRDB_PROFILE → ProfileNotFound, even with env endpoints", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials(PROFILES)
        const e = yield* failure({ BTRDB_PROFILE: "nope", BTRDB_ENDPOINTS: "env.example.com:4410" }, {
          credentialsPath
        })
        assert.strictEqual(e.reason, "ProfileNotFound")
        assert.include(e.detail, "`nope`")
        assert.include(e.detail, credentialsPath)
      }))

    it.effect("BTRDB_PROFILE without a file is ignored", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({ BTRDB_PROFILE: "nope", BTRDB_ENDPOINTS: "env.example.com:4410" }, {
          credentialsPath: yield* noFile
        })
        assert.strictEqual(r.endpoint, "env.example.com:4410")
      }))

    it.effect("profile names are own keys only", () =>
      Effect.gen(function*() {
        const e = yield* failure({ BTRDB_PROFILE: "toString" }, { credentialsPath: yield* credentials(PROFILES) })
        assert.strictEqual(e.reason, "ProfileNotFound")
      }))
  })

  describe("an explicit profile", () => {
    it.effect("uses only that profile, ignoring env", () =>
      Effect.gen(function*() {
        const env = { BTRDB_PROFILE: "default", BTRDB_ENDPOINTS: "env.example.com:4410", BTRDB_API_KEY: "env-key" }
        const r = yield* resolveWith(env, { profile: "staging", credentialsPath: yield* credentials(PROFILES) })
        assert.strictEqual(r.endpoint, "staging.example.com:4410")
        assert.isUndefined(r.apiKey)
      }))

    it.effect("a missing profile → ProfileNotFound", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials("staging:\n  btrdb:\n    endpoints: staging.example.com:4410\n")
        const e = yield* failure({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { profile: "prod", credentialsPath })
        assert.strictEqual(e.reason, "ProfileNotFound")
        assert.include(e.detail, "`prod`")
        const d = yield* failure({}, { profile: "default", credentialsPath })
        assert.strictEqual(d.reason, "ProfileNotFound")
      }))

    it.effect("no file → CredentialsFileNotFound, even with env endpoints", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* noFile
        const e = yield* failure({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { profile: "staging", credentialsPath })
        assert.strictEqual(e.reason, "CredentialsFileNotFound")
        assert.include(e.detail, credentialsPath)
      }))

    it.effect("a profile without a btrdb section → NoEndpoint", () =>
      Effect.gen(function*() {
        const e = yield* failure({}, { profile: "other", credentialsPath: yield* credentials(PROFILES) })
        assert.strictEqual(e.reason, "NoEndpoint")
      }))
  })

  describe("the credentials file", () => {
    it.effect("malformed YAML → Malformed naming the file, without quoting it", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials("default:\n  btrdb: api_key: s3cret-key\n")
        const e = yield* failure({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { credentialsPath })
        assert.strictEqual(e.reason, "Malformed")
        assert.include(e.detail, credentialsPath)
        assert.include(e.detail, "line 2")
        assert.notInclude(e.detail, "s3cret-key")
      }))

    it.effect("duplicate keys → Malformed", () =>
      Effect.gen(function*() {
        const e = yield* failure({}, { credentialsPath: yield* credentials("default: {}\ndefault: {}\n") })
        assert.strictEqual(e.reason, "Malformed")
      }))

    it.effect("a malformed shape → Malformed, without quoting values", () =>
      Effect.gen(function*() {
        const notAMapping = yield* failure({}, { credentialsPath: yield* credentials("- a\n- b\n") })
        assert.strictEqual(notAMapping.reason, "Malformed")
        const credentialsPath = yield* credentials("default:\n  btrdb:\n    endpoints: a:1\n    api_key: 98765431\n")
        const e = yield* failure({}, { credentialsPath })
        assert.strictEqual(e.reason, "Malformed")
        assert.include(e.detail, credentialsPath)
        assert.include(e.detail, "btrdb.api_key")
        assert.notInclude(e.detail, "98765431")
        assert.notInclude(String(e), "98765431")
      }))

    it.effect("only the selected profile is decoded", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* credentials(`${PROFILES}broken:\n  btrdb: [1, 2]\n`)
        const r = yield* resolveWith({}, { credentialsPath })
        assert.strictEqual(r.endpoint, "file.example.com:4411")
        const e = yield* failure({}, { profile: "broken", credentialsPath })
        assert.strictEqual(e.reason, "Malformed")
      }))

    it.effect("an unreadable file → Unreadable", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir // a directory where the file should be
        const e = yield* failure({ BTRDB_ENDPOINTS: "env.example.com:4410" }, { credentialsPath: dir })
        assert.strictEqual(e.reason, "Unreadable")
        assert.include(e.detail, dir)
      }))

    it.effect("credentialsPath and the default location come from HOME", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const home = yield* tempDir
        yield* fs.makeDirectory(path.join(home, ".predictivegrid"))
        yield* fs.writeFileString(path.join(home, ".predictivegrid", "credentials.yaml"), PROFILES)
        const provider = ConfigProvider.fromEnvRecord(Object.fromEntries([["HOME", home]]))
        const file = yield* Config.credentialsPath.pipe(Effect.provide(ConfigProvider.layer(provider)))
        assert.strictEqual(file, path.join(home, ".predictivegrid", "credentials.yaml"))
        const r = yield* Config.resolve().pipe(Effect.provide(ConfigProvider.layer(provider)))
        assert.strictEqual(r.endpoint, "file.example.com:4411")
        const fallback = yield* Config.credentialsPath.pipe(
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({})))
        )
        assert.strictEqual(fallback, path.join(os.homedir(), ".predictivegrid", "credentials.yaml"))
      }))
  })

  describe("endpoints", () => {
    it.effect("a comma list → its first entry, trimmed", () =>
      Effect.gen(function*() {
        const r = yield* resolveWith({ BTRDB_ENDPOINTS: " a.example.com:4411 , b.example.com:4411" }, {
          credentialsPath: yield* noFile
        })
        assert.strictEqual(r.endpoint, "a.example.com:4411")
      }))

    it.effect("a bad endpoint → Malformed", () =>
      Effect.gen(function*() {
        const credentialsPath = yield* noFile
        for (const bad of ["localhost", "a:b:4411", "host:port", ":4411", "host:", "host:99999", ",a:1"]) {
          const e = yield* failure({ BTRDB_ENDPOINTS: bad }, { credentialsPath })
          assert.strictEqual(e.reason, "Malformed", bad)
          assert.include(e.detail, "expecting address:port")
          assert.include(e.detail, "BTRDB_ENDPOINTS")
        }
        const fromFile = yield* failure({}, {
          credentialsPath: yield* credentials("default:\n  btrdb:\n    endpoints: nope\n")
        })
        assert.strictEqual(fromFile.reason, "Malformed")
        assert.include(fromFile.detail, "profile `default`")
      }))
  })

  describe("BTRDB_CA_BUNDLE", () => {
    it.effect("is read when set", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        const bundle = path.join(yield* tempDir, "ca.pem")
        yield* fs.writeFileString(bundle, pem)
        const r = yield* resolveWith({ BTRDB_ENDPOINTS: "localhost:4411", BTRDB_CA_BUNDLE: bundle }, {
          credentialsPath: yield* noFile
        })
        assert.isTrue(Buffer.isBuffer(r.caBundle))
        assert.strictEqual(r.caBundle?.toString("utf8"), pem)
      }))

    it.effect("with an explicit profile too", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const bundle = path.join(yield* tempDir, "ca.pem")
        yield* fs.writeFileString(bundle, "pem")
        const r = yield* resolveWith({ BTRDB_CA_BUNDLE: bundle }, {
          profile: "staging",
          credentialsPath: yield* credentials(PROFILES)
        })
        assert.strictEqual(r.caBundle?.toString("utf8"), "pem")
      }))

    it.effect("unreadable → Unreadable naming the path", () =>
      Effect.gen(function*() {
        const bundle = path.join(yield* tempDir, "missing-ca.pem")
        const e = yield* failure({ BTRDB_ENDPOINTS: "localhost:4411", BTRDB_CA_BUNDLE: bundle }, {
          credentialsPath: yield* noFile
        })
        assert.strictEqual(e.reason, "Unreadable")
        assert.include(e.detail, bundle)
        assert.isDefined(e.cause)
      }))
  })

  it.effect("the API key stays Redacted", () =>
    Effect.gen(function*() {
      const secret = "super-secret-api-key"
      const r = yield* resolveWith({ BTRDB_ENDPOINTS: "localhost:4410", BTRDB_API_KEY: secret }, {
        credentialsPath: yield* noFile
      })
      assert.isDefined(r.apiKey)
      assert.isTrue(Redacted.isRedacted(r.apiKey))
      assert.notInclude(String(r.apiKey), secret)
      assert.notInclude(`${r.apiKey}`, secret)
      assert.notInclude(JSON.stringify(r), secret)
      assert.strictEqual(Redacted.value(r.apiKey!), secret)
      const fromFile = yield* resolveWith({}, { credentialsPath: yield* credentials(PROFILES) })
      assert.isTrue(Redacted.isRedacted(fromFile.apiKey))
      assert.notInclude(String(fromFile.apiKey), "file-key")
    }))
})
