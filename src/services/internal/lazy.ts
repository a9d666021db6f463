/**
 * What the SDK loads only when it is used, so that `import "effect-btrdb"` loads neither the storage engine (with
 * its SQL worker) nor `@effect/platform-node`: the memory layer's backend, and Node's `FileSystem` for reading
 * configuration files (test/imports.test.ts checks what an import loads).
 */
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"

/** Node's `FileSystem`, loaded on first use. */
export const nodeFileSystem: Layer.Layer<FileSystem.FileSystem> = Layer.unwrap(
  Effect.map(Effect.promise(() => import("@effect/platform-node/NodeFileSystem")), (m) => m.layer)
)

/** The memory layer's backend module, loaded on first use. */
export const memoryBackend = Effect.promise(() => import("../memory/MemoryBackend.js"))
