/**
 * One owner per data directory: {@link acquire} makes this process the directory's only owner until
 * {@link DirectoryLock.release}, or refuses at once, naming the owner's pid, when another process or another open in
 * this process holds it. Two processes writing one directory would each overwrite the other's segments and commit
 * log, losing acknowledged points.
 *
 * The mechanism is an OS advisory lock, which the kernel drops when its process dies (`kill -9` included), so a
 * killed owner never leaves the directory locked: the next start needs no cleanup. Node has no `flock`/`fcntl` of its
 * own; its built-in `node:sqlite` (Node ≥ 22.13, unflagged) has, portably: SQLite's unix VFS takes POSIX `fcntl`
 * locks, its Windows VFS `LockFileEx` locks, both released by the OS on process death. `DIR/LOCK` is an empty SQLite
 * database opened with `timeout: 0`; `PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE` takes its exclusive lock
 * (`journal_mode=OFF`: nothing is ever written, so no `LOCK-journal` either), and keeping the connection open keeps
 * the lock. A second opener, in any process, gets `SQLITE_BUSY` at once. (The alternative, a Linux abstract-namespace
 * Unix socket named after the directory, is Linux-only; a pid file alone outlives a killed owner.)
 *
 * `DIR/LOCK.pid` names the owner: written after the lock is held, removed before it is released, so a stale one
 * (left by a killed owner) is only ever read while a live owner is about to overwrite it. It is a separate file
 * because POSIX locks belong to the process and closing any descriptor of the locked file drops them: nothing but
 * this module may open `DIR/LOCK`. Within one process a registry of the directories' real paths refuses a second
 * open before SQLite is asked (SQLite refuses it too).
 *
 * `node:sqlite` is loaded on the first {@link acquire}, so in-memory users never load it, with Node's one-time
 * "SQLite is an experimental feature" warning filtered out (any other warning is still emitted). The lock is as good
 * as the file system's advisory locks: local file systems honour them; some network file systems do not.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import type * as Sqlite from "node:sqlite"
import { StatusCode } from "../internal/protocol.js"
import { StatusError } from "./StatusError.js"

/** The lock file in the data directory (an empty SQLite database). */
export const LOCK_FILE = "LOCK"

/** The file naming the owner's pid, written while the lock is held. */
export const PID_FILE = "LOCK.pid"

/** Ownership of a data directory, held until {@link release}. */
export interface DirectoryLock {
  /** The directory, absolute. */
  readonly dir: string
  /** Gives the directory up (idempotent): another open, in this process or another, may then take it. */
  readonly release: () => void
}

/**
 * The directory is owned by another process, or already open in this one (`owner` is then `process.pid`). Its code
 * is `ResourceDepleted` (426): the directory is busy, and becomes free when its owner stops.
 */
export class DirectoryInUseError extends StatusError {
  constructor(readonly dir: string, readonly owner: number | undefined) {
    super(
      StatusCode.ResourceDepleted,
      `the data directory ${dir} is in use by ${
        owner === undefined ? "another process" : `process ${owner}`
      } (one process at a time may open it)`
    )
  }
}

/** The real paths of the directories this process owns. */
const owned = new Set<string>()

let sqlite: typeof Sqlite | undefined

/** `node:sqlite`, loaded once, without its experimental-feature warning. */
const loadSqlite = (): typeof Sqlite => {
  if (sqlite !== undefined) return sqlite
  const emitWarning = process.emitWarning
  process.emitWarning = function(this: NodeJS.Process, warning: string | Error, ...rest: Array<unknown>) {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type
    const text = typeof warning === "string" ? warning : warning.message
    if (type === "ExperimentalWarning" && text.startsWith("SQLite is an experimental feature")) return
    return (emitWarning as (...args: Array<unknown>) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    sqlite = createRequire(import.meta.url)("node:sqlite") as typeof Sqlite
  } finally {
    process.emitWarning = emitWarning
  }
  return sqlite
}

/** The pid in `DIR/LOCK.pid`, when it names one. */
const readOwner = (dir: string): number | undefined => {
  try {
    const text = fs.readFileSync(path.join(dir, PID_FILE), "utf8").trim()
    return /^[1-9]\d*$/.test(text) ? Number(text) : undefined
  } catch {
    return undefined
  }
}

const isBusy = (error: unknown): boolean => {
  const code = (error as { errcode?: unknown } | null)?.errcode
  return typeof code === "number" && ((code & 0xff) === 5 || (code & 0xff) === 6) // SQLITE_BUSY, SQLITE_LOCKED
}

/**
 * Makes this process the owner of `dir` (created when missing), or throws a {@link DirectoryInUseError} naming the
 * owner's pid; any other failure to lock is a `StatusError` saying why.
 */
export const acquire = (dir: string): DirectoryLock => {
  const absolute = path.resolve(dir)
  let real: string
  try {
    fs.mkdirSync(absolute, { recursive: true })
    real = fs.realpathSync(absolute)
  } catch (error) {
    throw new StatusError(StatusCode.InvariantFailure, `cannot open the data directory ${absolute}: ${message(error)}`)
  }
  if (owned.has(real)) throw new DirectoryInUseError(absolute, process.pid)

  const { DatabaseSync } = loadSqlite()
  let db: Sqlite.DatabaseSync | undefined
  try {
    db = new DatabaseSync(path.join(real, LOCK_FILE), { timeout: 0 })
    db.exec("PRAGMA journal_mode=OFF; PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;")
  } catch (error) {
    try {
      db?.close()
    } catch {
      // the failure below says what matters
    }
    if (isBusy(error)) throw new DirectoryInUseError(absolute, readOwner(real))
    throw new StatusError(StatusCode.InvariantFailure, `cannot lock the data directory ${absolute}: ${message(error)}`)
  }
  owned.add(real)
  const pidFile = path.join(real, PID_FILE)
  try {
    fs.writeFileSync(pidFile, `${process.pid}\n`)
  } catch {
    // the lock holds without it; others then name no pid
  }

  let released = false
  const held = db
  return {
    dir: absolute,
    release: () => {
      if (released) return
      released = true
      try {
        fs.rmSync(pidFile, { force: true })
      } catch {
        // a stale pid file is harmless: the next owner overwrites it
      }
      try {
        held.close() // closing the connection drops its lock
      } finally {
        owned.delete(real)
      }
    }
  }
}

const message = (error: unknown): string => error instanceof Error ? error.message : String(error)
