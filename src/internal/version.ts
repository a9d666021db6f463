/**
 * The package's version, and the BTrDB version that the embedded server and the memory layer report in `Info`.
 */

/** The package's version (test/runtime.test.ts checks it against package.json). */
export const PACKAGE_VERSION = "0.2.0"

/**
 * The version reported in `Info`: 5.34, the Python client's own version. Clients turn their Arrow methods on from
 * minor 30 (PROTOCOL.md §6), and both the embedded server and the memory layer serve them.
 */
export const SERVER_VERSION = { major: 5, minor: 34, build: `effect-btrdb ${PACKAGE_VERSION}` } as const
