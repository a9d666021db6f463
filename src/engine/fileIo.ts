/**
 * The few file operations the storage engine's modules share: whole reads at a position, and the fsync of a
 * directory (which makes a file created or renamed in it durable).
 */
import * as fs from "node:fs"
import * as FsP from "node:fs/promises"

/** Reads up to `buf.length` bytes at `position`; returns how many it got (fewer at the end of the file). */
export const readAt = (fd: number, buf: Uint8Array, position: number): number => {
  let got = 0
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got)
    if (n === 0) break
    got += n
  }
  return got
}

/** Fsyncs the directory `dir`, where the platform can (some cannot open or fsync a directory). */
export const fsyncDirectorySync = (dir: string): void => {
  try {
    const fd = fs.openSync(dir, "r")
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    // the platform cannot fsync a directory: a rename is still atomic there
  }
}

/** {@link fsyncDirectorySync} without blocking. */
export const fsyncDirectory = async (dir: string): Promise<void> => {
  try {
    const h = await FsP.open(dir, "r")
    try {
      await h.sync()
    } finally {
      await h.close()
    }
  } catch {
    // the platform cannot fsync a directory: a rename is still atomic there
  }
}
