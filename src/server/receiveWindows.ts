/**
 * The HTTP/2 receive windows of the server's connections.
 *
 * A client may send only as many bytes as the server's windows allow before the server grants more. grpc-js's
 * server leaves both of its windows, the one of each call and the one of the whole connection, at HTTP/2's default
 * of 64 KiB, and it does not read the option `grpc-node.flow_control_window` that sets them on its client
 * (grpc/grpc-node#3058, open). Nor does it take the frame size, which stays at 16 KiB. An Insert of 50 000 points is
 * 800 KB: at 64 KiB a window, the client sends a little, then waits for the server to ask for more, and both
 * sides sit idle half of the time.
 *
 * This module sets them, to the SDK's channels' `RECEIVE_WINDOW_BYTES`, on a `grpc.Server` through two of its
 * private fields: the HTTP/2 settings it creates its listeners with ({@link widenCallWindows}: each call's window,
 * the largest frame), and its listeners ({@link widenConnectionWindows}: each connection's window, raised as the
 * connection opens). A grpc-js without those fields is left as it is: calls work as before, only slower, and
 * `test/server/receiveWindows.test.ts` fails to say so.
 */
import type * as grpc from "@grpc/grpc-js"
import type * as http2 from "node:http2"
import { RECEIVE_WINDOW_BYTES } from "../internal/grpc/Connection.js"

/** The largest HTTP/2 frame the server takes: an Insert of 50 000 points arrives in 4 frames instead of 49. */
export const MAX_FRAME_BYTES = 256 * 1024

/** The parts of grpc-js's `Server` this module sets (private in its typings). */
interface ServerInternals {
  readonly commonServerOptions?: http2.ServerOptions
  readonly http2Servers?: ReadonlyMap<http2.Http2Server | http2.Http2SecureServer, unknown>
}

const internals = (server: grpc.Server): ServerInternals => server as unknown as ServerInternals

/** Before `bindAsync`: the settings every connection of `server` starts with. */
export const widenCallWindows = (server: grpc.Server): void => {
  const options = internals(server).commonServerOptions
  if (options === undefined) return
  options.settings = { ...options.settings, initialWindowSize: RECEIVE_WINDOW_BYTES, maxFrameSize: MAX_FRAME_BYTES }
}

/** After `bindAsync`: every connection of `server`'s listeners raises its own window as it opens. */
export const widenConnectionWindows = (server: grpc.Server): void => {
  const listeners = internals(server).http2Servers
  if (listeners === undefined) return
  for (const listener of listeners.keys()) {
    listener.on("session", (session: http2.ServerHttp2Session) => {
      session.setLocalWindowSize(RECEIVE_WINDOW_BYTES)
    })
  }
}
