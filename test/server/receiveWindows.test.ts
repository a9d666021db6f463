/**
 * The server's HTTP/2 receive windows (`src/server/receiveWindows.ts`): a plain HTTP/2 client connecting to the
 * embedded server reads the settings it announces (each call's window, the largest frame) and the window the
 * server grants its whole connection. grpc-js alone leaves all three at HTTP/2's defaults (64 KiB, 16 KiB, 64 KiB);
 * if a grpc-js upgrade drops the private fields the server sets them through, this test says so.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http2 from "node:http2"
import { RECEIVE_WINDOW_BYTES } from "../../src/internal/grpc/Connection.js"
import { MAX_FRAME_BYTES } from "../../src/server/receiveWindows.js"
import * as Server from "../../src/server/Server.js"

const started = Effect.acquireRelease(
  Effect.promise(() => Server.start({ listen: "127.0.0.1:0" })),
  (server) => Effect.promise(() => server.close())
)

/** What a new connection to `endpoint` is granted: the server's settings, then its connection window. */
const granted = (endpoint: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => http2.connect(`http://${endpoint}`)),
    (session) =>
      Effect.promise(() =>
        new Promise<{ readonly settings: http2.Settings; readonly connectionWindow: number }>((resolve, reject) => {
          session.on("error", reject)
          session.once("remoteSettings", (settings) => {
            // the connection's window update follows the settings; wait until it has come or a second has passed
            const deadline = Date.now() + 1000
            const poll = () => {
              const window = session.state.remoteWindowSize ?? 0
              if (window > 65_535 || Date.now() > deadline) resolve({ settings, connectionWindow: window })
              else setTimeout(poll, 10)
            }
            poll()
          })
        })
      ),
    (session) => Effect.sync(() => session.destroy())
  )

describe("the server's receive windows", () => {
  it.live("each call's window, the frame size and the connection's window are widened", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* started
      const { connectionWindow, settings } = yield* granted(server.endpoint)
      assert.strictEqual(settings.initialWindowSize, RECEIVE_WINDOW_BYTES)
      assert.strictEqual(settings.maxFrameSize, MAX_FRAME_BYTES)
      assert.strictEqual(connectionWindow, RECEIVE_WINDOW_BYTES)
    })))
})
