/**
 * The columnValues paging contract (Deephaven's AppendOnlyFixedSizePageRegion): pages of
 * `pageSize` rows; each call asks for the missing suffix of one page (`maxRows` = rest of the
 * page, `minRows` = the rows of that page below the known size); results are validated and
 * cached, so growth only asks for what is missing.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { InMemoryBackendOptions } from "../../../src/engine/index.ts";
import {
  doubleCol,
  InMemoryBackend,
  intCol,
  newTable,
  stringCol,
  TableDataService,
  TableDataServiceError,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";
import type { Call } from "./helpers.ts";
import { keys, RecordingBackend, TableKeyImpl, TableLocationKeyImpl } from "./helpers.ts";

const K = new TableKeyImpl("t");
const L = new TableLocationKeyImpl("L");
const M = new TableLocationKeyImpl("M");

/** Rows `from..to-1` as X = i, S = `s${i}`. */
function rows(from: number, to: number): ArrowTable {
  const xs: number[] = [];
  for (let i = from; i < to; i++) xs.push(i);
  return newTable([
    intCol("X", xs),
    stringCol(
      "S",
      xs.map((x) => `s${x}`),
    ),
  ]).toArrow();
}

function setup(size: number, options: InMemoryBackendOptions = {}, pageSize = 3) {
  const mem = new InMemoryBackend(options);
  mem.addTable(K, rows(0, 0).schema);
  mem.addLocation(K, L, null, size > 0 ? rows(0, size) : undefined);
  const rec = new RecordingBackend(mem);
  const graph = new UpdateGraph();
  const svc = new TableDataService(rec, { graph, pageSize });
  return { mem, rec, graph, svc };
}

const req = (column: string, offset: number, minRows: number, maxRows: number) =>
  expect.objectContaining({ column, offset, minRows, maxRows });

function readsOf(rec: RecordingBackend, column: string): [number, number, number][] {
  return rec
    .reads()
    .filter((c) => c.column === column)
    .map((c) => [c.offset!, c.minRows!, c.maxRows!]);
}

function xs(n: number, from = 0): number[] {
  return Array.from({ length: n - from }, (_, i) => i + from);
}

describe("columnValues paging", () => {
  it("static: page by page, minRows = rows needed in the page, maxRows = rest of the page", async () => {
    const { rec, svc } = setup(8, { rows: "min" });
    const t = await svc.makeTable(K);
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 3, 3],
      [6, 2, 3],
    ]);
    expect(readsOf(rec, "S")).toEqual(readsOf(rec, "X"));
    expect(rec.reads()[0]).toEqual(req("X", 0, 3, 3));
    expect(t.toRows()).toEqual(xs(8).map((i) => ({ X: i, S: `s${i}` })));
  });

  it("after growth only the missing suffix is asked for (refreshing)", async () => {
    const { mem, rec, graph, svc } = setup(4, { rows: "min" });
    const t = await svc.makeTable(K, { refreshing: true });
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 1, 3],
    ]);
    await graph.runCycle();
    expect(t.toRows().map((r) => r.X)).toEqual(xs(4));

    mem.appendRows(K, L, rows(4, 7));
    await graph.runCycle();
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 1, 3],
      [4, 2, 2],
      [6, 1, 3],
    ]);
    expect(t.toRows().map((r) => r.X)).toEqual(xs(7));
    expect(t.rowSet.toArray()).toEqual(keys(0, 0, 7));

    mem.appendRows(K, L, rows(7, 8));
    await graph.runCycle();
    expect(readsOf(rec, "X").slice(4)).toEqual([[7, 1, 2]]);
    expect(t.toRows().map((r) => r.S)).toEqual(xs(8).map((i) => `s${i}`));
  });

  it("pages are cached across tables; a later table asks only for new rows", async () => {
    const { mem, rec, svc } = setup(8, { rows: "max" });
    await svc.makeTable(K);
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 3, 3],
      [6, 2, 3],
    ]);
    mem.appendRows(K, L, rows(8, 10));
    const t2 = await svc.makeTable(K);
    expect(readsOf(rec, "X").slice(3)).toEqual([
      [8, 1, 1],
      [9, 1, 3],
    ]);
    expect(t2.toRows().map((r) => r.X)).toEqual(xs(10));
    const t3 = await svc.makeTable(K);
    expect(rec.reads()).toHaveLength(10); // nothing new to read
    expect(t3.size).toBe(10);
  });

  it("rows beyond minRows (up to maxRows) are kept and not asked for again", async () => {
    const { rec, svc } = setup(8, { rows: "max" });
    // The backend reports 4 rows at first, though it holds 8.
    let reported = 4;
    rec.tableLocationSize = (_k, _l, sizeCb) => {
      rec.calls.push({ method: "tableLocationSize", table: "t" });
      sizeCb(reported);
    };
    const t1 = await svc.makeTable(K);
    // Page 1 is asked from offset 3 with minRows 1, and answered with all 3 rows.
    expect(readsOf(rec, "X")).toEqual([
      [0, 3, 3],
      [3, 1, 3],
    ]);
    expect(t1.toRows().map((r) => r.X)).toEqual(xs(4));
    reported = 8;
    const t2 = await svc.makeTable(K);
    expect(readsOf(rec, "X").slice(2)).toEqual([[6, 2, 3]]);
    expect(t2.toRows().map((r) => r.X)).toEqual(xs(8));
  });

  it("the default page size is 65536 rows", async () => {
    const mem = new InMemoryBackend();
    mem.addTable(K, newTable([intCol("X", [])]).toArrow().schema);
    const n = 70000;
    mem.addLocation(K, L, null, newTable([intCol("X", xs(n))]).toArrow());
    const rec = new RecordingBackend(mem);
    const svc = new TableDataService(rec);
    expect(svc.pageSize).toBe(65536);
    const t = await svc.makeTable(K);
    expect(readsOf(rec, "X")).toEqual([
      [0, 65536, 65536],
      [65536, n - 65536, 65536],
    ]);
    expect(t.size).toBe(n);
    expect(t.getValue("X", 69999)).toBe(69999);
  });

  it("every location is paged separately, in its own key range", async () => {
    const { mem, rec, svc } = setup(4, { rows: "min" });
    mem.addLocation(K, M, null, rows(100, 105));
    const t = await svc.makeTable(K);
    expect(
      rec
        .reads()
        .filter((c) => c.column === "X")
        .map((c) => [c.location, c.offset, c.minRows, c.maxRows]),
    ).toEqual([
      ["TableLocationKeyImpl{L}", 0, 3, 3],
      ["TableLocationKeyImpl{L}", 3, 1, 3],
      ["TableLocationKeyImpl{M}", 0, 3, 3],
      ["TableLocationKeyImpl{M}", 3, 2, 3],
    ]);
    expect(t.rowSet.toArray()).toEqual([...keys(0, 0, 4), ...keys(1, 0, 5)]);
    expect(t.toRows().map((r) => r.X)).toEqual([0, 1, 2, 3, 100, 101, 102, 103, 104]);
  });

  it("never asks for more than a page, whatever the size", async () => {
    const { mem, rec, graph, svc } = setup(10, { rows: "min" }, 4);
    await svc.makeTable(K, { refreshing: true });
    for (let i = 0; i < 5; i++) {
      mem.appendRows(K, L, rows(10 + i * 7, 17 + i * 7));
      await graph.runCycle();
    }
    for (const c of rec.reads()) {
      expect(c.minRows!).toBeGreaterThan(0);
      expect(c.minRows!).toBeLessThanOrEqual(c.maxRows!);
      expect(c.maxRows!).toBeLessThanOrEqual(4);
      // A request never crosses a page boundary.
      expect(Math.floor(c.offset! / 4)).toBe(Math.floor((c.offset! + c.maxRows! - 1) / 4));
    }
    // Each row position of each column is asked for once (min rows mode).
    const xReads = rec.reads().filter((c) => c.column === "X");
    expect(xReads.reduce((n, c) => n + c.minRows!, 0)).toBe(45);
  });
});

// ---- invalid results --------------------------------------------------------------------------

type Bad = (call: Call, real: ArrowTable) => unknown;

const BAD: [string, Bad, RegExp][] = [
  [
    "fewer rows than minRows",
    (_c, real) => real.slice(0, 1),
    /^TableKeyImpl\{t\}:TableLocationKeyImpl\{L\}: column_values\(X, offset=0, minRows=3, maxRows=3\) returned 1 rows; expected between 3 and 3$/,
  ],
  [
    "more rows than maxRows",
    () => newTable([intCol("X", [1, 2, 3, 4])]).toArrow(),
    /column_values\(X, offset=0, minRows=3, maxRows=3\) returned 4 rows; expected between 3 and 3/,
  ],
  [
    "two fields",
    () => newTable([intCol("X", [1, 2, 3]), intCol("Y", [1, 2, 3])]).toArrow(),
    /column_values\(X, .*\) returned 2 fields \[X, Y\]; expected exactly one field \(column X\)/,
  ],
  [
    "the wrong type",
    () => newTable([doubleCol("X", [1, 2, 3])]).toArrow(),
    /TableKeyImpl\{t\}:TableLocationKeyImpl\{L\}: column_values\(X, .*\) returned type float64 \(Arrow Float64\); expected int32/,
  ],
  [
    "something that is not an Arrow table",
    () => "nope",
    /column_values\(X, .*\) returned nope, not an Arrow Table/,
  ],
];

describe.each(BAD)("a columnValues answer with %s", (_name, bad, message) => {
  const hook: Bad = (call, real) =>
    call.column === "X" && call.offset === 0 ? bad(call, real) : real;

  it("rejects a static makeTable with an error naming key, location and column", async () => {
    const { rec, svc } = setup(5, { rows: "min" });
    rec.values = hook;
    const err = await svc.makeTable(K).catch((e) => e);
    expect(err).toBeInstanceOf(TableDataServiceError);
    expect(err.message).toMatch(message);
    expect(err.tableKey).toBe("TableKeyImpl{t}");
    expect(err.location).toBe("TableLocationKeyImpl{L}");
    expect(err.column).toBe("X");
  });

  it("fails a refreshing table at the next cycle and tells its listeners", async () => {
    const { rec, graph, svc } = setup(5, { rows: "min" });
    rec.values = hook;
    const t = await svc.makeTable(K, { refreshing: true });
    const r = record(t);
    expect(t.isFailed).toBe(false);
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect(r.failures).toHaveLength(1);
    expect((r.failures[0] as Error).message).toMatch(message);
    expect(t.failure).toBe(r.failures[0]);
  });

  it("fails a refreshing table when the bad page comes after growth", async () => {
    const { mem, rec, graph, svc } = setup(2, { rows: "min" });
    rec.values = (call, real) =>
      call.column === "X" && call.offset === 3 ? bad(call, real) : real;
    const t = await svc.makeTable(K, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    expect(t.size).toBe(2);
    mem.appendRows(K, L, rows(2, 9)); // page 0 then page 1 from offset 3
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect(r.updates).toHaveLength(1);
    expect(String(r.failures[0])).toContain("TableLocationKeyImpl{L}");
    expect(mem.subscriptionCount).toBe(0);
  });
});
