/**
 * The page cache's byte budget (`pageCacheBytes`): least-recently-used pages that nothing needs
 * are evicted beyond it, and asked for again (same paging contract) when a read needs them; the
 * default budget evicts nothing the existing request sequences would read again.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { InMemoryBackendOptions, TableDataServiceOptions } from "../../../src/engine/index.ts";
import {
  ArgumentError,
  InMemoryBackend,
  intCol,
  newTable,
  stringCol,
  TableDataService,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { keys, RecordingBackend, TableKeyImpl, TableLocationKeyImpl } from "./helpers.ts";

const K = new TableKeyImpl("t");
const L = new TableLocationKeyImpl("L");
const M = new TableLocationKeyImpl("M");

/** Rows `from..to-1` as X = i (and S = `s${i}` unless `xOnly`). */
function rows(from: number, to: number, xOnly = false): ArrowTable {
  const xs = Array.from({ length: to - from }, (_, i) => from + i);
  const cols = [intCol("X", xs)];
  if (!xOnly)
    cols.push(
      stringCol(
        "S",
        xs.map((x) => `s${x}`),
      ),
    );
  return newTable(cols).toArrow();
}

function setup(
  size: number,
  service: TableDataServiceOptions = {},
  options: InMemoryBackendOptions = { rows: "min" },
  xOnly = false,
) {
  const mem = new InMemoryBackend(options);
  mem.addTable(K, rows(0, 0, xOnly).schema);
  mem.addLocation(K, L, null, size > 0 ? rows(0, size, xOnly) : undefined);
  const rec = new RecordingBackend(mem);
  const graph = new UpdateGraph();
  const svc = new TableDataService(rec, { graph, pageSize: 3, ...service });
  return { mem, rec, graph, svc };
}

function readsOf(rec: RecordingBackend, column: string, from = 0): [number, number, number][] {
  return rec
    .reads()
    .slice(from)
    .filter((c) => c.column === column)
    .map((c) => [c.offset!, c.minRows!, c.maxRows!]);
}

const expected = (n: number, from = 0) =>
  Array.from({ length: n - from }, (_, i) => ({ X: from + i, S: `s${from + i}` }));

describe("page cache budget", () => {
  it("defaults to 32 MiB and checks the option", () => {
    const { svc } = setup(0);
    expect(svc.pageCacheBytes).toBe(32 * 1024 * 1024);
    expect(new TableDataService(new InMemoryBackend(), { pageCacheBytes: 0 }).pageCacheBytes).toBe(
      0,
    );
    for (const bad of [-1, Number.NaN, "1" as unknown as number]) {
      expect(() => new TableDataService(new InMemoryBackend(), { pageCacheBytes: bad })).toThrow(
        ArgumentError,
      );
    }
  });

  it("static: a budget of 0 keeps nothing; the next table asks for every page again", async () => {
    const { rec, svc } = setup(8, { pageCacheBytes: 0 });
    const t1 = await svc.makeTable(K);
    const pages: [number, number, number][] = [
      [0, 3, 3],
      [3, 3, 3],
      [6, 2, 3],
    ];
    expect(readsOf(rec, "X")).toEqual(pages);
    expect(readsOf(rec, "S")).toEqual(pages);
    expect(t1.toRows()).toEqual(expected(8));
    expect(svc.cachedBytes).toBe(0);

    const t2 = await svc.makeTable(K);
    expect(readsOf(rec, "X", 6)).toEqual(pages);
    expect(readsOf(rec, "S", 6)).toEqual(pages);
    expect(t2.toRows()).toEqual(expected(8));
    expect(t1.toRows()).toEqual(expected(8)); // tables keep their own copy
  });

  it("evicts the least recently used pages first, down to the budget", async () => {
    const full = setup(8, { pageCacheBytes: Number.POSITIVE_INFINITY }, { rows: "min" }, true);
    await full.svc.makeTable(K);
    const total = full.svc.cachedBytes;
    expect(total).toBeGreaterThan(0);

    // Two keys of that size, one byte short: the budget is shared, and the least recently used
    // page (page 0 of the key read first) goes.
    const { mem, rec, svc } = setup(8, { pageCacheBytes: 2 * total - 1 }, { rows: "min" }, true);
    const K2 = new TableKeyImpl("t2");
    mem.addTable(K2, rows(0, 0, true).schema);
    mem.addLocation(K2, L, null, rows(0, 8, true));
    await svc.makeTable(K);
    expect(svc.cachedBytes).toBe(total);
    await svc.makeTable(K2);
    expect(svc.cachedBytes).toBeLessThanOrEqual(2 * total - 1);
    expect(rec.reads()).toHaveLength(6);

    await svc.makeTable(K2);
    expect(rec.reads()).toHaveLength(6); // K2's pages are all cached
    const t = await svc.makeTable(K);
    expect(readsOf(rec, "X", 6)).toEqual([[0, 3, 3]]);
    expect(t.toRows().map((r) => r.X)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // That made room by evicting K2's page 0, the least recently used page now.
    await svc.makeTable(K2);
    expect(rec.reads().slice(7)).toEqual([
      expect.objectContaining({ table: String(K2), offset: 0, minRows: 3, maxRows: 3 }),
    ]);
  });

  it("pages a read still needs are not evicted while others arrive (async, two locations)", async () => {
    const { mem, rec, svc } = setup(
      7,
      { pageCacheBytes: 0 },
      { rows: "max", delivery: "macrotask" },
    );
    mem.addLocation(K, M, null, rows(100, 105));
    const t = await svc.makeTable(K);
    expect(t.toRows()).toEqual([...expected(7), ...expected(105, 100)]);
    expect(t.rowSet.toArray()).toEqual([...keys(0, 0, 7), ...keys(1, 0, 5)]);
    expect(rec.reads()).toHaveLength(10); // every page once: nothing evicted mid-read
    expect(svc.cachedBytes).toBe(0);
  });

  it("refreshing: growth re-asks an evicted page from its start, with the same contract", async () => {
    const { mem, rec, graph, svc } = setup(4, { pageCacheBytes: 0 });
    const t = await svc.makeTable(K, { refreshing: true });
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 1, 3],
    ]);
    expect(svc.cachedBytes).toBeGreaterThan(0); // held until the cycle copies the rows
    await graph.runCycle();
    expect(t.toRows()).toEqual(expected(4));
    expect(svc.cachedBytes).toBe(0);

    mem.appendRows(K, L, rows(4, 8));
    await graph.runCycle();
    // Page 1 (rows 3..5) was evicted: it is asked for from offset 3, not 4.
    expect(readsOf(rec, "X", 4)).toEqual([
      [3, 3, 3],
      [6, 2, 3],
    ]);
    expect(readsOf(rec, "S", 4)).toEqual(readsOf(rec, "X", 4));
    expect(t.toRows()).toEqual(expected(8));
    expect(t.rowSet.toArray()).toEqual(keys(0, 0, 8));
  });

  it("refreshing: a later table of the key reads evicted rows again before it shows them", async () => {
    const { mem, rec, graph, svc } = setup(5, { pageCacheBytes: 0 }, { rows: "max" });
    const t1 = await svc.makeTable(K, { refreshing: true });
    await graph.runCycle();
    expect(rec.reads()).toHaveLength(4);

    const t2 = await svc.makeTable(K, { refreshing: true });
    expect(readsOf(rec, "X", 4)).toEqual([
      [0, 3, 3],
      [3, 2, 3],
    ]);
    await graph.runCycle();
    expect(t1.toRows()).toEqual(expected(5));
    expect(t2.toRows()).toEqual(expected(5));

    mem.appendRows(K, L, rows(5, 7));
    await graph.runCycle();
    expect(t1.toRows()).toEqual(expected(7));
    expect(t2.toRows()).toEqual(expected(7));
    t1.close();
    t2.close();
    expect(svc.cachedBytes).toBe(0);
  });

  it("the default budget reads exactly what an unbounded cache reads", async () => {
    const run = async (service: TableDataServiceOptions) => {
      const { mem, rec, graph, svc } = setup(4, service, { rows: "min" });
      const t1 = await svc.makeTable(K, { refreshing: true });
      await graph.runCycle();
      mem.appendRows(K, L, rows(4, 7));
      await graph.runCycle();
      const t2 = await svc.makeTable(K);
      const t3 = await svc.makeTable(K, { refreshing: true });
      mem.appendRows(K, L, rows(7, 11));
      await graph.runCycle();
      expect(t1.toRows()).toEqual(expected(11));
      expect(t2.toRows()).toEqual(expected(7));
      expect(t3.toRows()).toEqual(expected(11));
      return rec.calls;
    };
    const unbounded = await run({ pageCacheBytes: Number.POSITIVE_INFINITY });
    expect(await run({})).toEqual(unbounded);
    expect(
      unbounded.filter((c) => c.column === "X").map((c) => [c.offset, c.minRows, c.maxRows]),
    ).toEqual([
      [0, 3, 3],
      [3, 1, 3],
      [4, 2, 2],
      [6, 1, 3],
      [7, 2, 2],
      [9, 2, 3],
    ]);
    // With no room at all, the later tables read again what they need.
    expect((await run({ pageCacheBytes: 0 })).length).toBeGreaterThan(unbounded.length);
  });
});
