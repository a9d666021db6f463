/**
 * The v5api contract: proto/btrdb.proto against PROTOCOL.md §2–4 and against the shared wire vectors
 * (/work/shared/spec/vectors/v5api-messages.json, produced by an independent implementation).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"
import { describe, expect, it } from "vitest"
import {
  loadPackageDefinition,
  loadServiceClient,
  loadServiceDefinition,
  PROTO_PATH,
  RPC_KINDS,
  RPC_NAMES,
  type RpcKind
} from "../src/internal/grpc/proto.js"

interface VectorCase {
  readonly message: string
  readonly name: string
  readonly note?: string
  readonly hex: string
  readonly value: Record<string, unknown>
}

const vectors: ReadonlyArray<VectorCase> = (JSON.parse(
  readFileSync(new URL("../../shared/spec/vectors/v5api-messages.json", import.meta.url), "utf8")
) as { cases: ReadonlyArray<VectorCase> }).cases

const vector = (name: string): VectorCase => {
  const found = vectors.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no vector named ${name}`)
  return found
}

const UUID_BYTES = Buffer.from("f98f4b4e9fab46b58a80f282059d69b1", "hex")

/** PROTOCOL.md §2, verbatim: RPC, request, response, kind. */
const SPEC_RPCS: ReadonlyArray<readonly [string, string, string, "U" | "SS" | "BIDI"]> = [
  ["RawValues", "RawValuesParams", "RawValuesResponse", "SS"],
  ["ArrowRawValues", "ArrowRawValuesParams", "ArrowRawValuesResponse", "SS"],
  ["ArrowMultiValues", "ArrowMultiValuesParams", "ArrowMultiValuesResponse", "SS"],
  ["AlignedWindows", "AlignedWindowsParams", "AlignedWindowsResponse", "SS"],
  ["ArrowAlignedWindows", "AlignedWindowsParams", "ArrowAlignedWindowsResponse", "SS"],
  ["Windows", "WindowsParams", "WindowsResponse", "SS"],
  ["ArrowWindows", "WindowsParams", "ArrowWindowsResponse", "SS"],
  ["StreamInfo", "StreamInfoParams", "StreamInfoResponse", "U"],
  ["SetStreamAnnotations", "SetStreamAnnotationsParams", "SetStreamAnnotationsResponse", "U"],
  ["SetStreamTags", "SetStreamTagsParams", "SetStreamTagsResponse", "U"],
  ["Create", "CreateParams", "CreateResponse", "U"],
  ["ListCollections", "ListCollectionsParams", "ListCollectionsResponse", "SS"],
  ["LookupStreams", "LookupStreamsParams", "LookupStreamsResponse", "SS"],
  ["Nearest", "NearestParams", "NearestResponse", "U"],
  ["Changes", "ChangesParams", "ChangesResponse", "SS"],
  ["Insert", "InsertParams", "InsertResponse", "U"],
  ["ArrowInsert", "ArrowInsertParams", "InsertResponse", "U"],
  ["Delete", "DeleteParams", "DeleteResponse", "U"],
  ["Info", "InfoParams", "InfoResponse", "U"],
  ["FaultInject", "FaultInjectParams", "FaultInjectResponse", "U"],
  ["Flush", "FlushParams", "FlushResponse", "U"],
  ["Obliterate", "ObliterateParams", "ObliterateResponse", "U"],
  ["GetMetadataUsage", "MetadataUsageParams", "MetadataUsageResponse", "U"],
  ["GenerateCSV", "GenerateCSVParams", "GenerateCSVResponse", "SS"],
  ["SQLQuery", "SQLQueryParams", "SQLQueryResponse", "SS"],
  ["Subscribe", "SubscriptionUpdate", "SubscriptionResp", "BIDI"]
]

const KIND_FLAGS = {
  U: { requestStream: false, responseStream: false },
  SS: { requestStream: false, responseStream: true },
  BIDI: { requestStream: true, responseStream: true }
} as const

const KIND_NAMES: Record<"U" | "SS" | "BIDI", RpcKind> = { U: "unary", SS: "server-stream", BIDI: "bidi" }

interface FieldDescriptor {
  readonly name: string
  readonly number: number
  readonly label: string
  readonly type: string
  readonly typeName: string
  readonly oneofIndex: number
}

interface MessageDescriptor {
  readonly name: string
  readonly field: ReadonlyArray<FieldDescriptor>
  readonly oneofDecl: ReadonlyArray<{ readonly name: string }>
}

/** The descriptor of a message as seen by @grpc/proto-loader. */
const messageDescriptor = (name: string): MessageDescriptor => {
  const def = loadPackageDefinition()[`v5api.${name}`] as { type?: MessageDescriptor } | undefined
  if (def?.type === undefined) throw new Error(`message v5api.${name} not loaded`)
  return def.type
}

const fieldDescriptor = (message: string, field: string): FieldDescriptor => {
  const found = messageDescriptor(message).field.find((f) => f.name === field)
  if (found === undefined) throw new Error(`no field ${message}.${field}`)
  return found
}

describe("proto/btrdb.proto through src/internal/grpc/proto.ts", () => {
  it("resolves the proto path next to src/ and dist/", () => {
    expect(PROTO_PATH).toBe(fileURLToPath(new URL("../proto/btrdb.proto", import.meta.url)))
  })

  it("defines exactly the RPCs of PROTOCOL.md §2 with their types and streaming kinds", () => {
    const service = loadServiceDefinition()
    expect(Object.keys(service).sort()).toEqual(SPEC_RPCS.map(([rpc]) => rpc).sort())
    expect([...RPC_NAMES]).toEqual(SPEC_RPCS.map(([rpc]) => rpc))
    for (const [rpc, request, response, kind] of SPEC_RPCS) {
      const method = service[rpc] as unknown as {
        path: string
        requestStream: boolean
        responseStream: boolean
        requestType: { type: { name: string } }
        responseType: { type: { name: string } }
      }
      expect(method.path, rpc).toBe(`/v5api.BTrDB/${rpc}`)
      expect({ requestStream: method.requestStream, responseStream: method.responseStream }, rpc).toEqual(
        KIND_FLAGS[kind]
      )
      expect(method.requestType.type.name, rpc).toBe(request)
      expect(method.responseType.type.name, rpc).toBe(response)
      expect(RPC_KINDS[rpc as keyof typeof RPC_KINDS], rpc).toBe(KIND_NAMES[kind])
    }
  })

  it("caches the loaded definitions", () => {
    expect(loadPackageDefinition()).toBe(loadPackageDefinition())
    expect(loadServiceDefinition()).toBe(loadServiceDefinition())
    expect(loadServiceClient().service).toBe(loadServiceDefinition())
  })

  it("has the field numbers and types of PROTOCOL.md §3", () => {
    expect(fieldDescriptor("InsertParams", "merge_policy")).toMatchObject({
      number: 4,
      type: "TYPE_ENUM",
      typeName: "MergePolicy"
    })
    expect(fieldDescriptor("ArrowInsertParams", "merge_policy")).toMatchObject({ number: 3, type: "TYPE_ENUM" })
    expect(fieldDescriptor("StatPoint", "count")).toMatchObject({ number: 5, type: "TYPE_FIXED64" })
    expect(fieldDescriptor("StatPoint", "time")).toMatchObject({ number: 1, type: "TYPE_SFIXED64" })
    expect(fieldDescriptor("SQLQueryResponse", "SQLQueryRow")).toMatchObject({
      number: 2,
      type: "TYPE_BYTES",
      label: "LABEL_REPEATED"
    })
    expect(fieldDescriptor("StreamInfoParams", "role")).toMatchObject({
      number: 100,
      type: "TYPE_MESSAGE",
      typeName: "Role"
    })
    expect(fieldDescriptor("ArrowMultiValuesParams", "snapPeriodNs")).toMatchObject({ number: 5, type: "TYPE_INT64" })
    expect(fieldDescriptor("GetCompactionConfigResponse", "CompactedVersion")).toMatchObject({ number: 3 })
    expect(fieldDescriptor("ReducedResolutionRange", "Start")).toMatchObject({ number: 1, type: "TYPE_INT64" })
    expect(fieldDescriptor("GenerateCSVParams", "queryType")).toMatchObject({
      number: 1,
      type: "TYPE_ENUM",
      typeName: "QueryType" // the nested GenerateCSVParams.QueryType, as written in the proto
    })

    const roundSpec = messageDescriptor("RoundSpec")
    expect(roundSpec.oneofDecl.map((o) => o.name)).toEqual(["spec"])
    expect(roundSpec.field).toHaveLength(1)
    expect(roundSpec.field[0]).toMatchObject({ name: "bits", number: 2, type: "TYPE_INT32", oneofIndex: 0 })
  })

  it("defines the messages without an RPC and the enums of §4", () => {
    const def = loadPackageDefinition()
    for (
      const name of [
        "RawPointVec",
        "KeyValue",
        "SetCompactionConfigParams",
        "SetCompactionConfigResponse",
        "GetCompactionConfigParams",
        "GetCompactionConfigResponse",
        "ReducedResolutionRange"
      ]
    ) {
      expect(def[`v5api.${name}`], name).toBeDefined()
    }
    const enumValues = (name: string) =>
      (def[`v5api.${name}`] as { type: { value: ReadonlyArray<{ name: string; number: number }> } }).type.value
        .map((v) => [v.name, v.number])
    expect(enumValues("MergePolicy")).toEqual([["NEVER", 0], ["EQUAL", 1], ["RETAIN", 2], ["REPLACE", 3]])
    expect(def["v5api.QueryType"]).toBeUndefined()
    expect(enumValues("SubscriptionUpdateOp")).toEqual([["ADD_UUIDS", 0], ["REMOVE_UUIDS", 1]])
    const csv = messageDescriptor("GenerateCSVParams") as MessageDescriptor & {
      enumType: ReadonlyArray<{ name: string; value: ReadonlyArray<{ name: string; number: number }> }>
    }
    expect(csv.enumType.map((e) => [e.name, e.value.map((v) => [v.name, v.number])])).toEqual([
      ["QueryType", [["ALIGNED_WINDOWS_QUERY", 0], ["WINDOWS_QUERY", 1], ["RAW_QUERY", 2]]]
    ])
  })
})

describe("wire vectors (protobufjs)", () => {
  // keepCase: the vectors use the proto field names (`merge_policy`, `SQLQueryRow`).
  const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true })
  root.resolveAll()

  it("has the 27 vectors announced by PROTOCOL.md", () => {
    expect(vectors).toHaveLength(27)
  })

  for (const c of vectors) {
    describe(`${c.message} / ${c.name}`, () => {
      const type = root.lookupType(`v5api.${c.message}`)

      it("encodes the value to exactly the vector bytes", () => {
        const message = type.fromObject(c.value)
        expect(type.verify(message)).toBeNull()
        expect(Buffer.from(type.encode(message).finish()).toString("hex")).toBe(c.hex)
      })

      it("decodes the vector bytes back to the value", () => {
        const decoded = type.decode(Buffer.from(c.hex, "hex"))
        const object = type.toObject(decoded, {
          longs: String,
          bytes: String,
          enums: String,
          defaults: false,
          oneofs: false
        })
        expect(object).toEqual(c.value)
      })
    })
  }
})

describe("grpc-js service definition (de)serializers", () => {
  it("round-trips RawValues with keepCase names, string longs and Buffers", () => {
    const method = loadServiceDefinition()["RawValues"]!
    const params = vector("raw_values_params_negative")
    const bytes = method.requestSerialize({
      uuid: UUID_BYTES,
      start: "-1152921504606846976",
      end: "3458764513820540927",
      versionMajor: "12"
    })
    expect(bytes.toString("hex")).toBe(params.hex)
    expect(method.requestDeserialize(bytes)).toEqual({
      uuid: UUID_BYTES,
      start: "-1152921504606846976",
      end: "3458764513820540927",
      versionMajor: "12"
    })

    const response = vector("raw_values_response_3pts")
    const decoded = method.responseDeserialize(Buffer.from(response.hex, "hex"))
    expect(decoded).toEqual({
      stat: null,
      versionMajor: "11",
      versionMinor: "0",
      values: [
        { time: "1500000000000000000", value: 1 },
        { time: "1500000000100000000", value: 2 },
        { time: "1500000000200000000", value: 3 }
      ]
    })
    // Defaults filled in on decode are written back explicitly (versionMinor 0 becomes `18 00`): the bytes differ
    // from the vector but decode to the same message. Leaving zero fields out gives the vector's exact bytes.
    expect(method.responseDeserialize(method.responseSerialize(decoded))).toEqual(decoded)
    expect(
      method.responseSerialize({ versionMajor: "11", values: (decoded as { values: unknown }).values }).toString("hex")
    ).toBe(response.hex)

    const error = method.responseDeserialize(Buffer.from(vector("raw_values_response_error").hex, "hex"))
    expect(error).toMatchObject({ stat: { code: 404, msg: "stream does not exist", mash: null }, values: [] })
  })

  it("keeps merge_policy as snake_case, enums as names and names the set oneof", () => {
    const method = loadServiceDefinition()["Insert"]!
    const replace = vector("insert_params_replace")
    const decoded = method.requestDeserialize(Buffer.from(replace.hex, "hex"))
    expect(decoded).toMatchObject({ uuid: UUID_BYTES, sync: true, merge_policy: "REPLACE", rounding: null })
    expect(method.requestSerialize(decoded).toString("hex")).toBe(replace.hex)

    const rounding = vector("insert_params_rounding")
    expect(method.requestDeserialize(Buffer.from(rounding.hex, "hex"))).toMatchObject({
      merge_policy: "NEVER",
      rounding: { bits: 10, spec: "bits" }
    })
  })
})
