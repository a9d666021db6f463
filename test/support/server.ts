import { afterAll, beforeAll } from "vitest"
import { type RunningServer, type ServerOptions, start } from "../../src/server/Server.js"
import { rawClient } from "./rawClient.js"

/**
 * An embedded server on a free port of 127.0.0.1 for the tests of one file, with a plain grpc-js client of it;
 * started before the first test and closed after the last.
 */
export const useServer = (options: ServerOptions = {}) => {
  const context = {} as { server: RunningServer; client: ReturnType<typeof rawClient> }
  beforeAll(async () => {
    context.server = await start({ listen: "127.0.0.1:0", log: () => {}, ...options })
    context.client = rawClient(context.server.endpoint)
  })
  afterAll(async () => {
    context.client.close()
    await context.server.close()
  })
  return context
}
