import { describe, expect, it } from "@effect/vitest"
import * as E from "../src/errors/BTrDBError.js"
import { fromGrpcStatus, fromStatus, GrpcCode, SERVER_ERROR_CODES } from "../src/errors/fromStatus.js"

const where = { method: "RawValues", uuid: "f98f4b4e-9fab-46b5-8a80-f282059d69b1" }

describe("fromStatus", () => {
  const table: ReadonlyArray<readonly [number, string]> = [
    [401, "NoSuchPoint"],
    [404, "StreamNotFound"],
    [407, "InvalidCollection"],
    [408, "InvalidTagKey"],
    [409, "InvalidTagValue"],
    [413, "InvalidTimeRange"],
    [415, "InvalidPointWidth"],
    [417, "StreamExists"],
    [418, "AmbiguousStream"],
    [425, "BadValue"],
    [429, "RecycledUUID"],
    [441, "BadSQLValue"],
    [450, "VersionNotAvailable"],
    ...[...SERVER_ERROR_CODES].map((code) => [code, "BTrDBServerError"] as const),
    [406, "BTrDBError"],
    [410, "BTrDBError"],
    [411, "BTrDBError"],
    [412, "BTrDBError"],
    [416, "BTrDBError"],
    [419, "BTrDBError"],
    [420, "BTrDBError"],
    [422, "BTrDBError"],
    [428, "BTrDBError"],
    [430, "BTrDBError"],
    [435, "BTrDBError"],
    [436, "BTrDBError"],
    [437, "BTrDBError"],
    [439, "BTrDBError"],
    ...[442, 443, 444, 445, 446, 447, 448, 449].map((code) => [code, "BTrDBError"] as const)
  ]

  it.each(table)("code %i is %s, with its code, message, method and uuid", (code, tag) => {
    const error = fromStatus(where, code, "the server's words")
    expect(error._tag).toBe(tag)
    expect(error.code).toBe(code)
    expect(error.method).toBe("RawValues")
    expect(error.uuid).toBe(where.uuid)
    expect(error.detail).toBe("the server's words")
    expect(error.message).toContain("the server's words")
    expect(error.message).toContain(where.uuid)
    expect(E.isBTrDBError(error)).toBe(true)
  })

  it("the server-error list is the Python client's", () => {
    expect([...SERVER_ERROR_CODES].sort((a, b) => a - b)).toEqual([
      402,
      403,
      405,
      414,
      421,
      423,
      424,
      426,
      427,
      431,
      432,
      433,
      434,
      438,
      440,
      452,
      453,
      454,
      455,
      456,
      457,
      458,
      459,
      500,
      501,
      502
    ])
  })
})

describe("fromGrpcStatus", () => {
  const at = { ...where, endpoint: "db.example:4411" }

  it("UNAVAILABLE is a ConnectionError naming the endpoint", () => {
    const error = fromGrpcStatus(at, GrpcCode.UNAVAILABLE, "No connection established")
    expect(error._tag).toBe("ConnectionError")
    expect(error.message).toContain("could not connect to db.example:4411: No connection established")
  })

  it("UNAVAILABLE says in one plain line why the connection failed, not in grpc-js's words", () => {
    const refused = fromGrpcStatus(
      at,
      GrpcCode.UNAVAILABLE,
      "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4499. Resolution note: "
    )
    expect(refused.message).toBe(
      `RawValues (stream ${where.uuid}): could not connect to db.example:4411: connection refused (is a BTrDB server listening there?)`
    )
    const unknownHost = fromGrpcStatus(at, GrpcCode.UNAVAILABLE, "Name resolution failed for target dns:nowhere:4410")
    expect((unknownHost as { detail: string }).detail).toBe("the host name does not resolve")
    const other = fromGrpcStatus(
      at,
      GrpcCode.UNAVAILABLE,
      "No connection established. Last error: Error: boom. Resolution note: "
    )
    expect((other as { detail: string }).detail).toBe("No connection established: boom.")
  })

  it("UNAUTHENTICATED and PERMISSION_DENIED have their own tags", () => {
    expect(fromGrpcStatus(at, GrpcCode.UNAUTHENTICATED, "invalid api key")._tag).toBe("Unauthenticated")
    expect(fromGrpcStatus(at, GrpcCode.PERMISSION_DENIED, "no")._tag).toBe("PermissionDenied")
  })

  it("a bracketed code in the details is the in-band error", () => {
    const error = fromGrpcStatus(at, GrpcCode.UNKNOWN, "[404] stream does not exist")
    expect(error._tag).toBe("StreamNotFound")
    expect((error as E.StreamNotFound).detail).toBe("stream does not exist")
    expect(fromGrpcStatus(at, GrpcCode.UNKNOWN, "[426] busy")._tag).toBe("BTrDBServerError")
  })

  it("'failed to connect to all addresses' is a ConnectionError", () => {
    expect(fromGrpcStatus(at, GrpcCode.UNKNOWN, "failed to connect to all addresses")._tag).toBe("ConnectionError")
  })

  it.each([GrpcCode.DEADLINE_EXCEEDED, GrpcCode.RESOURCE_EXHAUSTED, GrpcCode.INTERNAL, GrpcCode.CANCELLED])(
    "gRPC code %i is a TransportError carrying it",
    (code) => {
      const error = fromGrpcStatus(at, code, "x")
      expect(error._tag).toBe("TransportError")
      expect((error as E.TransportError).grpcCode).toBe(code)
      expect(error.uuid).toBe(where.uuid)
    }
  )
})
