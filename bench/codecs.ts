/**
 * Micro-benchmark of the hand-written codecs of the hot RPCs against protobufjs (what @grpc/proto-loader runs
 * underneath), in process, on the same bytes:
 *
 * - client: decode of RawValuesResponse pages of 5000 points and of AlignedWindowsResponse pages of 5000 windows;
 *   encode of InsertParams of 50000 points (the clients' batch size) from columns;
 * - server: encode of RawValuesResponse pages and of StatPoints pages from columns; decode of InsertParams.
 *
 * protobufjs is measured twice where it matters: `Type.decode` alone (objects with Long, one object per point)
 * and `decode` + `toObject` with the proto-loader options (64-bit values as strings), which is what a
 * proto-loader client receives.
 *
 * Run: `npx tsx bench/codecs.ts` (optionally `--ms=<per sample>`). Prints one JSON line per figure, then a table.
 * Figures are per CPU second (garbage collection included), the best of several samples (the machine may be
 * shared).
 */
import protobuf from "protobufjs"
import {
  decodeInsertParams,
  decodeRawValuesResponse,
  decodeStatPointsResponse,
  encodeInsertParams,
  encodeRawValuesResponse,
  encodeStatPointsResponse
} from "../src/internal/grpc/codecs/index.js"
import { PROTO_PATH } from "../src/internal/grpc/proto.js"

const argMs = process.argv.find((a) => a.startsWith("--ms="))
const SAMPLE_MS = argMs === undefined ? 80 : Number(argMs.slice(5))
const SAMPLES = 12

const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true })
const RawValuesResponse = root.lookupType("v5api.RawValuesResponse")
const AlignedWindowsResponse = root.lookupType("v5api.AlignedWindowsResponse")
const InsertParams = root.lookupType("v5api.InsertParams")
const PROTO_LOADER_CONVERSION: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true
}

let sink = 0

/** CPU time of this process in milliseconds (user + system): unlike wall time, it does not count the time the
 * process waits for a core on a shared machine. */
const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * Rates (items per CPU second) of several implementations of one job, each handling `items` items per call and
 * given as a setup that returns it. Each implementation is measured in its own block (so that the garbage of one does not bill its collection to
 * another) and reports its best sample: on a shared machine, the one least disturbed by other processes.
 */
const rates = (items: number, setups: Record<string, () => () => number>): Record<string, number> => {
  const best: Record<string, number> = {}
  for (const [name, setup] of Object.entries(setups)) {
    // Built just before it is measured and dropped after, so the objects one needs don't weigh on the others' GCs.
    const fn = setup()
    const warmEnd = cpuMs() + 3 * SAMPLE_MS
    while (cpuMs() < warmEnd) sink ^= fn()
    best[name] = 0
    for (let sample = 0; sample < SAMPLES; sample++) {
      let calls = 0
      const start = cpuMs()
      let now = start
      while (now - start < SAMPLE_MS) {
        sink ^= fn()
        calls++
        now = cpuMs()
      }
      best[name] = Math.max(best[name]!, (calls * items) / ((now - start) / 1000))
    }
  }
  return best
}

interface Row {
  readonly bench: string
  readonly figure: string
  readonly value: number
  readonly unit: string
  readonly vs: string | null
  readonly ratio: number | null
}

const rows: Array<Row> = []
const report = (bench: string, figure: string, perSecond: number, vs?: { name: string; perSecond: number }) => {
  const row: Row = {
    bench,
    figure,
    value: Math.round(perSecond / 1e4) / 100,
    unit: "M points/s",
    vs: vs?.name ?? null,
    ratio: vs === undefined ? null : Math.round((perSecond / vs.perSecond) * 10) / 10
  }
  rows.push(row)
  console.log(JSON.stringify(row))
}

// ---------------------------------------------------------------------------------------------------------------
// Data: realistic pages (1 ms apart from 2017, noisy sine values)
// ---------------------------------------------------------------------------------------------------------------

const column = (n: number) => {
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    times[i] = 1500000000000000000n + BigInt(i) * 1_000_000n
    values[i] = Math.sin(i / 100) * 230 + Math.random()
  }
  return { times, values }
}

const PAGE = 5000
const BATCH = 50_000
const raw = column(PAGE)
const rawBytes = encodeRawValuesResponse({ versionMajor: 11n, versionMinor: 0n, ...raw })
const rawObject = () => ({
  versionMajor: "11",
  values: Array.from(raw.times, (t, i) => ({ time: String(t), value: raw.values[i] }))
})
if (Buffer.compare(Buffer.from(rawBytes), RawValuesResponse.encode(rawObject()).finish()) !== 0) {
  throw new Error("RawValuesResponse bytes differ from protobufjs")
}

const stat = {
  times: raw.times,
  min: raw.values.map((v) => v - 1),
  mean: raw.values,
  max: raw.values.map((v) => v + 1),
  count: new BigUint64Array(PAGE).fill(4096n),
  stddev: raw.values.map((v) => Math.abs(v) / 10 + 0.5)
}
const statBytes = encodeStatPointsResponse({ versionMajor: 11n, versionMinor: 0n, ...stat })
const statObject = () => ({
  versionMajor: "11",
  values: Array.from(stat.times, (t, i) => ({
    time: String(t),
    min: stat.min[i],
    mean: stat.mean[i],
    max: stat.max[i],
    count: "4096",
    stddev: stat.stddev[i]
  }))
})

const batch = column(BATCH)
const uuid = new Uint8Array(Buffer.from("f98f4b4e9fab46b58a80f282059d69b1", "hex"))
const insertInput = { uuid, sync: false, mergePolicy: 0 as const, ...batch }
const insertBytes = encodeInsertParams(insertInput)
const insertObject = () => ({
  uuid,
  values: Array.from(batch.times, (t, i) => ({ time: String(t), value: batch.values[i] }))
})
if (Buffer.compare(Buffer.from(insertBytes), InsertParams.encode(insertObject()).finish()) !== 0) {
  throw new Error("InsertParams bytes differ from protobufjs")
}

// ---------------------------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------------------------

{
  const r = rates(PAGE, {
    ours: () => () => decodeRawValuesResponse(rawBytes).values.length,
    pb: () => () => (RawValuesResponse.decode(rawBytes) as any).values.length,
    loader: () => () =>
      RawValuesResponse.toObject(RawValuesResponse.decode(rawBytes), PROTO_LOADER_CONVERSION)["values"].length
  })
  report("decodeRawValuesResponse", `decode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs decode",
    perSecond: r["pb"]!
  })
  report("decodeRawValuesResponse", `decode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs decode+toObject (proto-loader)",
    perSecond: r["loader"]!
  })
}

{
  const r = rates(PAGE, {
    ours: () => () => decodeStatPointsResponse(statBytes).count.length,
    pb: () => () => (AlignedWindowsResponse.decode(statBytes) as any).values.length,
    loader: () => () =>
      AlignedWindowsResponse.toObject(AlignedWindowsResponse.decode(statBytes), PROTO_LOADER_CONVERSION)["values"]
        .length
  })
  report("decodeStatPointsResponse", `decode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs decode",
    perSecond: r["pb"]!
  })
  report("decodeStatPointsResponse", `decode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs decode+toObject (proto-loader)",
    perSecond: r["loader"]!
  })
}

{
  const r = rates(BATCH, {
    ours: () => () => encodeInsertParams(insertInput).length,
    pb: () => {
      const obj = insertObject()
      return () => InsertParams.encode(obj).finish().length
    },
    pbFromColumns: () => () => {
      const values = new Array(BATCH)
      for (let i = 0; i < BATCH; i++) values[i] = { time: String(batch.times[i]), value: batch.values[i] }
      return InsertParams.encode({ uuid, values }).finish().length
    }
  })
  report("encodeInsertParams", `encode from columns, ${BATCH} points`, r["ours"]!, {
    name: "protobufjs encode of ready objects",
    perSecond: r["pb"]!
  })
  report("encodeInsertParams", `encode from columns, ${BATCH} points`, r["ours"]!, {
    name: "protobufjs encode from columns",
    perSecond: r["pbFromColumns"]!
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------------------------------

{
  const r = rates(PAGE, {
    ours: () => () => encodeRawValuesResponse({ versionMajor: 11n, versionMinor: 0n, ...raw }).length,
    pb: () => {
      const obj = rawObject()
      return () => RawValuesResponse.encode(obj).finish().length
    }
  })
  report("encodeRawValuesResponse", `encode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs encode of ready objects",
    perSecond: r["pb"]!
  })
}

{
  const r = rates(PAGE, {
    ours: () => () => encodeStatPointsResponse({ versionMajor: 11n, versionMinor: 0n, ...stat }).length,
    pb: () => {
      const obj = statObject()
      return () => AlignedWindowsResponse.encode(obj).finish().length
    }
  })
  report("encodeStatPointsResponse", `encode, pages of ${PAGE}`, r["ours"]!, {
    name: "protobufjs encode of ready objects",
    perSecond: r["pb"]!
  })
}

{
  const r = rates(BATCH, {
    ours: () => () => decodeInsertParams(insertBytes, { maxPoints: 100_000 }).times.length,
    pb: () => () => (InsertParams.decode(insertBytes) as any).values.length
  })
  report("decodeInsertParams", `decode, ${BATCH} points`, r["ours"]!, {
    name: "protobufjs decode",
    perSecond: r["pb"]!
  })
}

// ---------------------------------------------------------------------------------------------------------------

const pad = (s: string, n: number) => s.padEnd(n)
console.log("")
console.log(`${pad("codec", 26)}${pad("figure", 36)}${pad("ours (M pts/s)", 16)}${pad("vs", 44)}ratio`)
for (const r of rows) {
  console.log(
    `${pad(r.bench, 26)}${pad(r.figure, 36)}${pad(r.value.toFixed(2), 16)}${pad(r.vs ?? "", 44)}${
      r.ratio === null ? "" : `${r.ratio}×`
    }`
  )
}
if (sink === 0.5) console.log("")
