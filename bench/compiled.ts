/**
 * The compiled package (`dist/`, which `npm run bench` builds first), loaded for the SDK benchmark with the types of
 * the sources it was built from, so that the bench type-checks without a build and measures what users run (see
 * the note at the top of `bench/sdk.ts`).
 */
import type * as DataStore from "../src/engine/data/DataStore.js"
import type * as DatabaseModule from "../src/engine/Database.js"
import type * as Index from "../src/index.js"
import type * as Codecs from "../src/internal/grpc/codecs/index.js"
import type * as Connection from "../src/internal/grpc/Connection.js"
import type * as Proto from "../src/internal/grpc/proto.js"

/** The compiled module of `src/<source>.ts`. */
const compiled = async <M>(source: string): Promise<M> => {
  const url = new URL(`../dist/${source}.js`, import.meta.url)
  try {
    return (await import(url.href)) as M
  } catch (error) {
    throw new Error(`${url.pathname} could not be loaded: run \`npm run build\` first (npm run bench does)`, {
      cause: error
    })
  }
}

export const { BTrDB, BTrDBStream, Uuid } = await compiled<typeof Index>("index")
export const { MAX_INSERT_POINTS } = await compiled<typeof DataStore>("engine/data/DataStore")
export const { Database } = await compiled<typeof DatabaseModule>("engine/Database")
export const { decodeInsertParams, encodeInsertParams, MergePolicyCode } = await compiled<typeof Codecs>(
  "internal/grpc/codecs/index"
)
export const { CHANNEL_OPTIONS } = await compiled<typeof Connection>("internal/grpc/Connection")
export const { loadServiceClient, loadServiceDefinition } = await compiled<typeof Proto>("internal/grpc/proto")
