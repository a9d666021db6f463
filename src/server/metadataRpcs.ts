/**
 * The metadata-plane RPCs: Info, Create, StreamInfo, SetStreamAnnotations, SetStreamTags, ListCollections,
 * LookupStreams, GetMetadataUsage, SQLQuery and Obliterate (PROTOCOL.md §8).
 */
import type { Database } from "../engine/Database.js"
import { SERVER_VERSION } from "../internal/version.js"
import { pages, type RpcEnv, serverStream, type ServiceHandlers, unary } from "./rpc.js"
import { bigintFromWire, descriptorToWire, pairsFromWire, uuidFromWire } from "./wire.js"

/** What the metadata RPCs need. */
export interface MetadataRpcContext {
  readonly db: Database
  readonly env: RpcEnv
  /** The `host:port` this server is reached at, reported as the proxy endpoint in `Info`. */
  readonly advertisedEndpoint: () => string
}

/** The handlers of the metadata-plane RPCs, keyed by RPC name. */
export const metadataRpcs = ({ advertisedEndpoint, db, env }: MetadataRpcContext) =>
  ({
    Info: unary(env, () => ({
      majorVersion: SERVER_VERSION.major,
      minorVersion: SERVER_VERSION.minor,
      build: SERVER_VERSION.build,
      proxy: { proxyEndpoints: [advertisedEndpoint()] }
    })),

    Create: unary(
      env,
      async (r) => {
        await db.create(uuidFromWire(r.uuid), r.collection, pairsFromWire(r.tags), pairsFromWire(r.annotations))
        return {}
      }
    ),

    StreamInfo: unary(env, (r) => {
      const info = db.streamInfo(uuidFromWire(r.uuid), r.omitDescriptor, r.omitVersion)
      return {
        versionMajor: info.versionMajor.toString(),
        versionMinor: info.versionMinor.toString(),
        descriptor: info.descriptor === undefined ? null : descriptorToWire(info.descriptor)
      }
    }),

    SetStreamAnnotations: unary(
      env,
      async (r) => {
        await db.metadata.setAnnotations(
          uuidFromWire(r.uuid),
          bigintFromWire(r.expectedPropertyVersion),
          pairsFromWire(r.changes),
          r.removals
        )
        return {}
      }
    ),

    SetStreamTags: unary(
      env,
      async (r) => {
        await db.metadata.setTags(
          uuidFromWire(r.uuid),
          bigintFromWire(r.expectedPropertyVersion),
          pairsFromWire(r.tags),
          r.collection,
          r.remove
        )
        return {}
      }
    ),

    ListCollections: serverStream(env, async function*(r) {
      for await (const collections of pages(db.metadata.listCollections(r.prefix), 1000)) yield { collections }
    }),

    LookupStreams: serverStream(
      env,
      async function*(r) {
        const found = db.metadata.lookupStreams({
          collection: r.collection,
          isCollectionPrefix: r.isCollectionPrefix,
          tags: pairsFromWire(r.tags),
          annotations: pairsFromWire(r.annotations)
        })
        for await (const page of pages(found, 1000)) yield { results: page.map(descriptorToWire) }
      }
    ),

    GetMetadataUsage: unary(env, (r) => {
      const usage = db.metadata.metadataUsage(r.prefix)
      const counts = (record: Record<string, number>) =>
        Object.entries(record).map(([key, count]) => ({ key, count: String(count) }))
      return { tags: counts(usage.tags), annotations: counts(usage.annotations) }
    }),

    SQLQuery: serverStream(env, async function*(r) {
      for await (const rows of pages(db.metadata.sql(r.query, r.params), 1000)) {
        yield { SQLQueryRow: rows.map((row) => Buffer.from(row, "utf8")) }
      }
    }),

    Obliterate: unary(env, async (r) => {
      await db.obliterate(uuidFromWire(r.uuid))
      return {}
    })
  }) satisfies Partial<ServiceHandlers>
