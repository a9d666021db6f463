import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { expect } from "vitest"
import type { KeyOptValue, StreamDescriptor } from "../../../src/engine/metadata/MetadataStore.js"
import { StatusError } from "../../../src/engine/StatusError.js"

/** A uuid whose last group is `n` in hex (so uuids sort like their numbers). */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

/** Key/value pairs from an object; `undefined` values become "val absent". */
export const kv = (o: Record<string, string | undefined>): Array<KeyOptValue> =>
  Object.entries(o).map(([key, value]) => ({ key, value }))

/** Expects `f` (sync or async) to fail with a StatusError of `code` (and `message` when given). */
export const expectCode = async (f: () => unknown, code: number, message?: string | RegExp): Promise<StatusError> => {
  let error: unknown
  try {
    await f()
  } catch (e) {
    error = e
  }
  expect(error, "expected a StatusError").toBeInstanceOf(StatusError)
  const se = error as StatusError
  expect({ code: se.code, message: se.message }).toMatchObject({ code })
  if (typeof message === "string") expect(se.message).toBe(message)
  else if (message) expect(se.message).toMatch(message)
  return se
}

/** A fresh temporary directory, removed by the returned function. */
export const tempDir = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "btrdb-md-test-"))
  return { dir, remove: () => Fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Plain data of a descriptor (for deep comparisons). */
export const plain = (d: StreamDescriptor) => ({
  uuid: d.uuid,
  collection: d.collection,
  tags: { ...d.tags },
  annotations: { ...d.annotations },
  propertyVersion: d.propertyVersion
})
