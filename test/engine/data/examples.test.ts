/**
 * The worked examples of PROTOCOL.md §7 and the basic version semantics.
 */
import { describe, expect, it } from "vitest"
import { DataStore, type MergePolicy } from "../../../src/engine/data/DataStore.js"
import { ColumnsPageBuilder } from "../../../src/engine/data/query.js"
import { MAX_TIME, MIN_TIME } from "../../../src/internal/protocol.js"
import { columns, ranges, rawPoints, stats, U1, U2 } from "./helpers.js"

const BASE = 1_500_000_000_000_000_000n
const oneToTen = columns(Array.from({ length: 10 }, (_, k) => [BASE + BigInt(k) * 100_000_000n, k + 1] as const))

const withData = async (): Promise<DataStore> => {
  const ds = await DataStore.open({})
  ds.createStream(U1)
  await ds.insert(U1, oneToTen, { policy: "never" })
  return ds
}

describe("PROTOCOL.md §7 worked examples", () => {
  it("§7.4 AlignedWindows, pw 28", async () => {
    const ds = await withData()
    const r = ds.alignedWindows(U1, BASE, BASE + 1_000_000_000n, 28, 0n)
    expect(r.version).toEqual({ major: 11n, minor: 0n })
    const w = stats(r)
    expect(w.map((x) => x.t)).toEqual([
      1499999999814008832n,
      1500000000082444288n,
      1500000000350879744n,
      1500000000619315200n
    ])
    expect(w.map((x) => [x.min, x.mean, x.max, x.count])).toEqual([[1, 1, 1, 1], [2, 3, 4, 3], [5, 6, 7, 3], [
      8,
      8.5,
      9,
      2
    ]])
    expect(w[0].stddev).toBe(0)
    expect(w[1].stddev).toBeCloseTo(0.816496580927726, 12)
    expect(w[2].stddev).toBeCloseTo(0.816496580927726, 12)
    expect(w[3].stddev).toBeCloseTo(0.5, 12)
  })

  it("§7.5 Windows, width 3e8: the partial last window is dropped", async () => {
    const ds = await withData()
    const w = stats(ds.windows(U1, BASE, BASE + 1_000_000_000n, 300_000_000n, 0, 0n))
    expect(w.map((x) => x.t)).toEqual([BASE, BASE + 300_000_000n, BASE + 600_000_000n])
    expect(w.map((x) => [x.min, x.mean, x.max, x.count])).toEqual([[1, 2, 3, 3], [4, 5, 6, 3], [7, 8, 9, 3]])
    for (const x of w) expect(x.stddev).toBeCloseTo(0.816496580927726, 12)
  })

  it("§7.5 Windows sends empty windows with count 0 and every statistic 0", async () => {
    const ds = await withData()
    const w = stats(ds.windows(U1, BASE - 200_000_000n, BASE + 200_000_000n, 100_000_000n, 0, 0n))
    expect(w.map((x) => [x.t, x.count, x.min, x.mean, x.max, x.stddev])).toEqual([
      [BASE - 200_000_000n, 0, 0, 0, 0, 0],
      [BASE - 100_000_000n, 0, 0, 0, 0, 0],
      [BASE, 1, 1, 1, 1, 0],
      [BASE + 100_000_000n, 1, 2, 2, 2, 0]
    ])
  })

  it("windows come in one page when the range holds fewer than a page's, else cut at the page size", async () => {
    const ds = await withData()
    const aligned = [...ds.alignedWindows(U1, BASE, BASE + 1_000_000_000n, 28, 0n).pages]
    expect(aligned.map((p) => p.times.length)).toEqual([4])
    // a range of exactly four windows, every one filled or empty
    const plain = [...ds.windows(U1, BASE - 200_000_000n, BASE + 200_000_000n, 100_000_000n, 0, 0n, 4).pages]
    expect(plain.map((p) => p.times.length)).toEqual([4])
    const oneShort = [...ds.windows(U1, BASE - 200_000_000n, BASE + 200_000_000n, 100_000_000n, 0, 0n, 3).pages]
    expect(oneShort.map((p) => p.times.length)).toEqual([3, 1])
    const small = [...ds.alignedWindows(U1, BASE, BASE + 1_000_000_000n, 28, 0n, 3).pages]
    expect(small.map((p) => p.times.length)).toEqual([3, 1])
    expect(small.flatMap((p) => [...p.count])).toEqual([1n, 3n, 3n, 2n])
    const smallPlain = [...ds.windows(U1, BASE, BASE + 1_000_000_000n, 100_000_000n, 0, 0n, 3).pages]
    expect(smallPlain.map((p) => p.times.length)).toEqual([3, 3, 3, 1])
    expect(smallPlain.flatMap((p) => [...p.count])).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n])
  })

  it("raw pages hold the runs given in order, whatever sizes their columns start at", () => {
    const runs = (...lengths: Array<number>) => {
      let t = 0n
      return lengths.map((n) => {
        const times = BigInt64Array.from({ length: n + 2 }, () => t++)
        return { times, values: Float64Array.from(times, Number), from: 1, to: n + 1 }
      })
    }
    const pageOf = (p: { times: BigInt64Array; values: Float64Array }) => [[...p.times], [...p.values]]
    const builder = new ColumnsPageBuilder(8)
    const add = (r: ReturnType<typeof runs>[number], last = false) => builder.add(r.times, r.values, r.from, r.to, last)
    // one run that is the read's last; several runs; full pages; a last page whose last run is marked
    const [a, b, c, d, e, f, g, h] = runs(3, 1, 2, 2, 5, 3, 2, 1)
    add(a, true)
    expect(pageOf(builder.take())).toEqual([[1n, 2n, 3n], [1, 2, 3]])
    add(b)
    add(c)
    add(d)
    expect(pageOf(builder.take())).toEqual([[6n, 9n, 10n, 13n, 14n], [6, 9, 10, 13, 14]])
    add(e)
    add(f)
    expect(builder.take().times).toEqual(BigInt64Array.from([17n, 18n, 19n, 20n, 21n, 24n, 25n, 26n]))
    add(g)
    add(h, true)
    expect(pageOf(builder.take())).toEqual([[29n, 30n, 33n], [29, 30, 33]])
    expect(pageOf(builder.take())).toEqual([[], []])
  })

  it("raw reads over many leaves come in pages of the page size", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    const n = 20_000
    await ds.insert(U1, columns(Array.from({ length: n }, (_, k) => [BigInt(k) * 7n, k] as const)), { policy: "never" })
    // ranges ending inside a leaf, at its end and past the last point; a range inside one leaf
    for (const [from, to] of [[10, 19_990], [10, 20_000], [0, 30_000], [10, 14]]) {
      for (const pageSize of [1, 999, 5_000, 30_000]) {
        const pages = [...ds.rawValues(U1, 7n * BigInt(from), 7n * BigInt(to), 0n, pageSize).pages]
        const lengths = pages.map((p) => p.times.length)
        const count = Math.min(to, n) - from
        expect(lengths.slice(0, -1).every((l) => l === pageSize)).toBe(true)
        expect(lengths.reduce((x, y) => x + y, 0)).toBe(count)
        const values = pages.flatMap((p) => [...p.values])
        expect(values).toEqual(Array.from({ length: count }, (_, k) => k + from))
        expect(pages.flatMap((p) => [...p.times])).toEqual(values.map((v) => BigInt(v) * 7n))
      }
    }
  })

  it("§7.6 stddev is the population standard deviation", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    await ds.insert(U1, columns([[0n, 2], [1n, 3], [2n, 4], [16n, 8], [17n, 9], [32n, 5]]), { policy: "never" })
    const w = stats(ds.alignedWindows(U1, 0n, 48n, 4, 0n))
    expect(w.map((x) => x.count)).toEqual([3, 2, 1])
    expect(w[0].stddev).toBeCloseTo(0.816496580927726, 15)
    expect(w[1].stddev).toBe(0.5)
    expect(w[2].stddev).toBe(0)
  })

  it("§7.9 merge policies on t = [100, 105, 110, 110, 120] in one batch", async () => {
    const batch = columns([[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]])
    const expected: Record<MergePolicy, Array<[bigint, number]>> = {
      never: [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]],
      equal: [[100n, 0], [105n, 1], [110n, 2], [110n, 3], [120n, 4]],
      retain: [[100n, 0], [105n, 1], [110n, 2], [120n, 4]],
      replace: [[100n, 0], [105n, 1], [110n, 3], [120n, 4]]
    }
    for (const policy of ["never", "equal", "retain", "replace"] as const) {
      const ds = await DataStore.open({})
      ds.createStream(U1)
      await ds.insert(U1, batch, { policy })
      const got = rawPoints(ds.rawValues(U1, 100n, 121n, 0n)).map((p) => [p.t, p.v])
      expect(got, policy).toEqual(expected[policy])
    }
  })

  it("§7.9 merge policies against stored points", async () => {
    const stored = columns([[100n, 0], [110n, 2], [110n, 3]])
    const batch = columns([[110n, 3], [110n, 7], [120n, 4], [100n, 9]])
    const expected: Record<MergePolicy, Array<[bigint, number]>> = {
      never: [[100n, 0], [100n, 9], [110n, 2], [110n, 3], [110n, 3], [110n, 7], [120n, 4]],
      equal: [[100n, 0], [100n, 9], [110n, 2], [110n, 3], [110n, 7], [120n, 4]],
      retain: [[100n, 0], [110n, 2], [110n, 3], [120n, 4]],
      replace: [[100n, 9], [110n, 7], [120n, 4]]
    }
    for (const policy of ["never", "equal", "retain", "replace"] as const) {
      const ds = await DataStore.open({})
      ds.createStream(U1)
      await ds.insert(U1, stored, { policy: "never" })
      expect(await ds.insert(U1, batch, { policy })).toEqual({ major: 12n, minor: 0n })
      const got = rawPoints(ds.rawValues(U1, 0n, 1000n, 0n)).map((p) => [p.t, p.v])
      expect(got, policy).toEqual(expected[policy])
      // The older version is untouched.
      expect(rawPoints(ds.rawValues(U1, 0n, 1000n, 11n)).map((p) => [p.t, p.v])).toEqual([[100n, 0], [110n, 2], [
        110n,
        3
      ]])
    }
  })

  it("an insert leaves the caller's columns as they were, and keeps none of them", async () => {
    const cases: Array<[MergePolicy, number | undefined, Array<readonly [bigint, number]>]> = [
      ["never", undefined, [[100n, 0], [105n, 1], [110n, 2], [120n, 4]]], // sorted: the columns are read only
      ["never", undefined, [[120n, 4], [100n, 0], [110n, 2], [110n, 3]]],
      ["replace", undefined, [[100n, 0], [110n, 2], [110n, 3], [120n, 4]]],
      ["equal", undefined, [[100n, 0], [110n, 2], [110n, 2], [120n, 4]]],
      ["retain", 4, [[1030n, 3], [1000n, 1], [1017n, 2], [1000n, 4]]]
    ]
    for (const [policy, roundBits, points] of cases) {
      const batch = columns(points)
      const before = { times: batch.times.slice(), values: batch.values.slice() }
      const ds = await DataStore.open({})
      ds.createStream(U1)
      await ds.insert(U1, batch, { policy, ...(roundBits === undefined ? {} : { roundBits }) })
      expect(batch, policy).toEqual(before)
      const stored = rawPoints(ds.rawValues(U1, 0n, 2000n, 0n))
      batch.times.fill(1n)
      batch.values.fill(-1)
      expect(rawPoints(ds.rawValues(U1, 0n, 2000n, 0n)), policy).toEqual(stored)
    }
  })

  it("§7.9 unsorted input and rounding", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    await ds.insert(U1, columns([[1030n, 3], [1000n, 1], [1017n, 2], [1000n, 4]]), { policy: "never", roundBits: 4 })
    // (t + 8) & ~15: 1030 → 1024, 1000 → 1008, 1017 → 1024
    expect(rawPoints(ds.rawValues(U1, 0n, 2000n, 0n)).map((p) => [p.t, p.v])).toEqual([[1008n, 1], [1008n, 4], [
      1024n,
      3
    ], [1024n, 2]])
  })

  it("§7.7 Nearest: forward t ≥ time, backward t < time", async () => {
    const ds = await withData()
    expect(ds.nearest(U1, BASE, 0n, false)).toMatchObject({ time: BASE, value: 1 })
    expect(ds.nearest(U1, BASE + 1n, 0n, false)).toMatchObject({ time: BASE + 100_000_000n, value: 2 })
    expect(ds.nearest(U1, BASE + 100_000_000n, 0n, true)).toMatchObject({ time: BASE, value: 1 })
    expect(ds.nearest(U1, MIN_TIME, 0n, false)).toMatchObject({ time: BASE, value: 1 })
    expect(ds.nearest(U1, MAX_TIME - 1n, 0n, true)).toMatchObject({ time: BASE + 900_000_000n, value: 10 })
  })

  it("§7.2 versions: 10 at creation, +1 per delete and per insert with points, even when nothing changes", async () => {
    const ds = await DataStore.open({})
    expect(ds.createStream(U1)).toEqual({ major: 10n, minor: 0n })
    expect(await ds.insert(U1, columns([]), { policy: "never" })).toEqual({ major: 10n, minor: 0n })
    expect(await ds.flush(U1)).toEqual({ major: 10n, minor: 0n })
    // a delete that removes nothing still commits, as the reference's Delete does
    expect(await ds.delete(U1, 0n, 10n)).toEqual({ major: 11n, minor: 0n })
    expect(await ds.insert(U1, columns([[5n, 1]]), { policy: "never" })).toEqual({ major: 12n, minor: 0n })
    // inserts the merge policy reduces to nothing commit too
    expect(await ds.insert(U1, columns([[5n, 1]]), { policy: "equal" })).toEqual({ major: 13n, minor: 0n })
    expect(await ds.insert(U1, columns([[5n, 2]]), { policy: "retain" })).toEqual({ major: 14n, minor: 0n })
    expect(await ds.insert(U1, columns([[5n, 1]]), { policy: "replace" })).toEqual({ major: 15n, minor: 0n })
    expect(await ds.insert(U1, columns([[5n, 2]]), { policy: "replace" })).toEqual({ major: 16n, minor: 0n })
    expect(await ds.delete(U1, 0n, 10n)).toEqual({ major: 17n, minor: 0n })
    expect(ds.version(U1)).toEqual({ major: 17n, minor: 0n })
    expect(rawPoints(ds.rawValues(U1, 0n, 10n, 11n))).toEqual([])
    for (const v of [12n, 13n, 14n, 15n]) expect(rawPoints(ds.rawValues(U1, 0n, 10n, v)).map((p) => p.v)).toEqual([1])
    expect(rawPoints(ds.rawValues(U1, 0n, 10n, 16n)).map((p) => p.v)).toEqual([2])
    expect(rawPoints(ds.rawValues(U1, 0n, 10n, 17n))).toEqual([])
    expect(ds.count(U1, 0n, 10n, 16n)).toBe(1n)
    // the reproduction: create 10, insert 11, a delete of an empty range 12
    ds.createStream(U2)
    expect(await ds.insert(U2, columns([[1n, 1]]), { policy: "never" })).toEqual({ major: 11n, minor: 0n })
    expect(await ds.delete(U2, 500n, 600n)).toEqual({ major: 12n, minor: 0n })
    expect(ds.version(U2)).toEqual({ major: 12n, minor: 0n })
  })

  it("§7.3 RawValues pages of 5000, an empty result is one empty page", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    const pts = Array.from({ length: 12_345 }, (_, i) => [BigInt(i) * 1000n, i] as const)
    await ds.insert(U1, columns(pts), { policy: "never" })
    const pages = [...ds.rawValues(U1, MIN_TIME, MAX_TIME - 1n, 0n).pages]
    expect(pages.map((p) => p.times.length)).toEqual([5000, 5000, 2345])
    expect(pages[2].values[2344]).toBe(12_344)
    const empty = [...ds.rawValues(U1, -10n, -5n, 0n).pages]
    expect(empty.map((p) => p.times.length)).toEqual([0])
    const none = [...ds.alignedWindows(U1, -1024n, 0n, 4, 0n).pages]
    expect(none.map((p) => p.times.length)).toEqual([0])
  })

  it("§7.8 Changes: inserts, deletes, resolution, empty stream", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    ds.createStream(U2)
    await ds.insert(U1, columns([[1000n, 1], [1001n, 2], [5000n, 3]]), { policy: "never" }) // 11
    await ds.insert(U1, columns([[9000n, 4]]), { policy: "never" }) // 12
    await ds.delete(U1, 1000n, 1001n) // 13
    // 1000 was inserted by 11 and deleted by 13: changed, even though 10 and 13 both lack it
    expect(ranges(ds.changes(U1, 0n, 0n, 0))).toEqual([[1000n, 1002n], [5000n, 5001n], [9000n, 9001n]])
    expect(ranges(ds.changes(U1, 11n, 12n, 0))).toEqual([[9000n, 9001n]])
    expect(ranges(ds.changes(U1, 12n, 13n, 0))).toEqual([[1000n, 1001n]])
    expect(ranges(ds.changes(U1, 10n, 11n, 4))).toEqual([[992n, 1008n], [4992n, 5008n]])
    expect(ranges(ds.changes(U1, 10n, 11n, 12))).toEqual([[0n, 8192n]])
    expect(ranges(ds.changes(U1, 13n, 13n, 0))).toEqual([])
    expect(ds.changes(U1, 11n, 12n, 0).version).toEqual({ major: 12n, minor: 0n })
    expect(ranges(ds.changes(U2, 0n, 0n, 0))).toEqual([[MIN_TIME, MAX_TIME]])
    expect(ranges(ds.changes(U1, 0n, 10n, 0))).toEqual([[MIN_TIME, MAX_TIME]])
  })

  it("§7.8 Changes reports what a later commit undid (the issue's reproductions)", async () => {
    const ds = await DataStore.open({})
    ds.createStream(U1)
    expect(await ds.insert(U1, columns([[0n, 1], [100n, 2]]), { policy: "never" })).toEqual({ major: 11n, minor: 0n })
    expect(await ds.delete(U1, 0n, 1n)).toEqual({ major: 12n, minor: 0n })
    expect(ranges(ds.changes(U1, 10n, 12n, 0))).toEqual([[0n, 1n], [100n, 101n]])
    expect(await ds.insert(U1, columns([[0n, 1]]), { policy: "never" })).toEqual({ major: 13n, minor: 0n })
    // 11 and 13 hold the same points, but 12 and 13 changed time 0
    expect(ranges(ds.changes(U1, 11n, 13n, 0))).toEqual([[0n, 1n]])
    expect(ranges(ds.changes(U1, 11n, 13n, 7))).toEqual([[0n, 128n]])
    // a delete that removed nothing commits a version that changed nothing
    expect(await ds.delete(U1, 500n, 600n)).toEqual({ major: 14n, minor: 0n })
    expect(ranges(ds.changes(U1, 13n, 14n, 0))).toEqual([])
    expect(ranges(ds.changes(U1, 12n, 14n, 0))).toEqual([[0n, 1n]])
  })

  it("§7.8 Changes over many commits: the union of each commit's changes, in pages", async () => {
    // 200 000 points in deep trees, then 300 commits each touching one time somewhere
    const ds = await DataStore.open({ leafCapacity: 16 })
    ds.createStream(U1)
    const base = Array.from({ length: 200_000 }, (_, i) => [BigInt(i) * 1_000_000n, i % 13] as const)
    for (let b = 0; b < base.length; b += 50_000) {
      await ds.insert(U1, columns(base.slice(b, b + 50_000)), { policy: "never" })
    }
    const before = ds.version(U1).major
    const changed: Array<bigint> = []
    for (let k = 0; k < 300; k++) {
      // distinct times; those with k % 3 > 0 fall between the stored points
      const t = BigInt((k * 7919) % 200_000) * 1_000_000n + BigInt(k % 3)
      if (k % 4 === 3) {
        await ds.delete(U1, t, t + 1n)
        if (k % 3 === 0) changed.push(t) // else it removed nothing
      } else {
        await ds.insert(U1, columns([[t, -k - 1]]), { policy: k % 2 === 0 ? "replace" : "never" })
        changed.push(t)
      }
    }
    expect(ds.version(U1).major).toBe(before + 300n)
    const pages = [...ds.changes(U1, before, 0n, 0, 7).pages]
    expect(pages.length).toBeGreaterThan(1)
    expect(pages.flatMap((p) => Array.from(p.start, (s, i) => [s, p.end[i]]))).toEqual(
      changed.sort((a, b) => (a < b ? -1 : 1)).map((t) => [t, t + 1n])
    )
  })

  it("obliterate removes the stream for good", async () => {
    const ds = await withData()
    await ds.obliterate(U1)
    expect(ds.hasStream(U1)).toBe(false)
    expect(ds.isObliterated(U1)).toBe(true)
    expect(ds.cacheStats().entries).toBe(0)
  })

  it("a whole-stream aligned-windows query reads few nodes (answers from subtree statistics)", async () => {
    // 2M points over ~2^41 ns: leaves of ≤ 1024 points, ~2000 of them.
    const ds = await DataStore.open({})
    ds.createStream(U1)
    const n = 2_000_000
    const step = 1_048_576n
    for (let b = 0; b < n; b += 100_000) {
      const times = new BigInt64Array(100_000)
      const values = new Float64Array(100_000)
      for (let i = 0; i < 100_000; i++) {
        times[i] = BigInt(b + i) * step
        values[i] = (b + i) % 97
      }
      await ds.insert(U1, { times, values }, { policy: "never" })
    }
    let reads = 0
    let leafReads = 0
    const store = (ds as unknown as { backend: { get(a: number): { kind: number } } }).backend
    const get = store.get.bind(store)
    store.get = (a: number) => {
      const node = get(a)
      reads++
      if (node.kind === 0) leafReads++
      return node
    }
    // ~1000 windows over the whole stream.
    const span = BigInt(n) * step
    const pw = 31 // 2^41 / 2^31 = 1024 windows
    const end = ((span >> 31n) + 1n) << 31n // past the last point, so no partial window is cut off
    const w = stats(ds.alignedWindows(U1, 0n, end, pw, 0n))
    expect(w.length).toBeGreaterThan(900)
    expect(w.reduce((s, x) => s + x.count, 0)).toBe(n)
    // Windows of 2^31 ns cut every 2^32-ns node in two, so each of those (~490) is read for its
    // children's statistics; no leaf (of ~31000) is read.
    expect(leafReads).toBe(0)
    expect(reads).toBeLessThanOrEqual(w.length)
    // Windows aligned with the nodes need only their parents: 2^32-ns windows read ~10 nodes.
    reads = 0
    expect(stats(ds.alignedWindows(U1, 0n, end, 32, 0n)).length).toBeGreaterThan(450)
    expect(reads).toBeLessThan(20)
    // Changes is a diff of the two trees: after a one-point insert it reads only the two changed paths.
    const v = await ds.insert(U1, columns([[1000n * step + 7n, 1]]), { policy: "never" })
    reads = 0
    expect(ranges(ds.changes(U1, v.major - 1n, v.major, 0))).toEqual([[1000n * step + 7n, 1000n * step + 8n]])
    expect(reads).toBeLessThan(30)
    expect(ds.count(U1, 0n, end, 0n)).toBe(BigInt(n + 1))
  })
})
