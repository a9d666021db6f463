import * as grpc from "@grpc/grpc-js"
import * as Effect from "effect/Effect"
import { assert } from "vitest"
import { loadServiceClient, loadServiceDefinition } from "../../src/internal/grpc/proto.js"

/** A plain grpc-js client of the v5api service, for checking what the server puts on the wire. */
export const rawClient = (endpoint: string) => {
  const Client = loadServiceClient()
  const client = new Client(endpoint, grpc.credentials.createInsecure())
  const definition = loadServiceDefinition()
  const metadataFor = (apiKey?: string) => {
    const metadata = new grpc.Metadata()
    if (apiKey !== undefined) metadata.set("authorization", apiKey)
    return metadata
  }
  const unary = <Res = any>(rpc: string, request: object, authorization?: string): Promise<Res> =>
    new Promise((resolve, reject) => {
      const m = definition[rpc]!
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        metadataFor(authorization),
        (error, response) => (error ? reject(error) : resolve(response as Res))
      )
    })
  /** Opens a server-streamed call of `rpc`, its messages decoded by proto-loader. */
  const open = (rpc: string, request: object, metadata = new grpc.Metadata()) => {
    const m = definition[rpc]!
    return client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata)
  }
  const stream = <Res = any>(rpc: string, request: object, authorization?: string): Promise<Array<Res>> =>
    new Promise((resolve, reject) => {
      const call = open(rpc, request, metadataFor(authorization))
      const messages: Array<Res> = []
      call.on("data", (message) => messages.push(message as Res))
      call.on("error", reject)
      call.on("end", () => resolve(messages))
    })
  /**
   * A streamed call read slowly: after each message the call is paused for `pauseMs`, so that the server's answers
   * wait on flow control; resolves with every message.
   */
  const streamSlowly = <Res = any>(rpc: string, request: object, pauseMs: number): Promise<Array<Res>> =>
    new Promise((resolve, reject) => {
      const call = open(rpc, request)
      const messages: Array<Res> = []
      call.on("data", (message) => {
        messages.push(message as Res)
        call.pause()
        setTimeout(() => call.resume(), pauseMs)
      })
      call.on("error", reject)
      call.on("end", () => resolve(messages))
    })
  /** Starts a streamed call, takes its first message and cancels the call. */
  const firstThenCancel = <Res = any>(rpc: string, request: object): Promise<Res> =>
    new Promise((resolve, reject) => {
      const call = open(rpc, request)
      call.once("data", (message) => {
        call.cancel()
        resolve(message as Res)
      })
      call.on("error", (e: grpc.ServiceError) => {
        if (e.code !== grpc.status.CANCELLED) reject(e)
      })
    })
  /**
   * Sends `bytes` as the request of `rpc`, whatever they are, with a deadline (a corrupt request may well ask for
   * an endless answer); resolves with the gRPC status code at the end.
   */
  const rawBytes = (rpc: string, bytes: Buffer, deadlineMs = 3000): Promise<{ code: number; messages: number }> =>
    new Promise((resolve) => {
      const m = definition[rpc]!
      const identity = (b: Buffer) => b
      let messages = 0
      const done = (code: number) => resolve({ code, messages })
      const options = { deadline: Date.now() + deadlineMs }
      if (!m.requestStream && !m.responseStream) {
        client.makeUnaryRequest(m.path, identity, identity, bytes, new grpc.Metadata(), options, (error) => {
          if (error === null) messages++
          done(error?.code ?? 0)
        })
      } else if (!m.requestStream) {
        const call = client.makeServerStreamRequest(m.path, identity, identity, bytes, new grpc.Metadata(), options)
        call.on("data", () => messages++)
        call.on("error", (e: grpc.ServiceError) => done(e.code))
        call.on("status", (s: grpc.StatusObject) => done(s.code))
      } else {
        const call = client.makeBidiStreamRequest(m.path, identity, identity, new grpc.Metadata(), options)
        call.on("data", () => messages++)
        call.on("error", (e: grpc.ServiceError) => done(e.code))
        call.on("status", (s: grpc.StatusObject) => done(s.code))
        call.write(bytes)
        call.end()
      }
    })
  return { unary, stream, streamSlowly, firstThenCancel, rawBytes, close: () => client.close() }
}

/** 16 bytes of a fresh uuid. */
export const uuidBytes = (uuid: string = crypto.randomUUID()): Buffer => Buffer.from(uuid.replaceAll("-", ""), "hex")

/** One FaultInject call to the server at `endpoint` (see `src/server/faults.ts`), `params` as JSON; its answer. */
export const faultInject = (endpoint: string, type: number, params: object = {}) =>
  Effect.promise(async () => {
    const client = rawClient(endpoint)
    try {
      return await client.unary("FaultInject", { type: String(type), params: Buffer.from(JSON.stringify(params)) })
    } finally {
      client.close()
    }
  })

/** Plans a fault with {@link faultInject}; the server must accept it. */
export const planFault = (endpoint: string, type: number, params: object = {}) =>
  Effect.map(faultInject(endpoint, type, params), (r) => {
    assert.isNull(r.stat)
  })
