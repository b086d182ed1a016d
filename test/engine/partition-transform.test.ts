import { describe, expect, it } from "vitest";
import { buildFamily } from "../../src/engine/family/family.ts";
import { normalizeSpec } from "../../src/engine/family/spec.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  ArgumentError,
  DynamicTableWriter,
  newTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { col } from "../../src/engine/new-table.ts";
import { record } from "./helpers.ts";

const SCHEMA = { X: "int64", Group: "string" } as const;
type Row = { X: bigint; Group: string };
const rows = (...r: [number, string][]): Row[] => r.map(([x, g]) => ({ X: BigInt(x), Group: g }));

function blinkSource() {
  const g = new UpdateGraph();
  const [blink, pub] = tablePublisher(g, { name: "ticks", columns: SCHEMA });
  return { g, blink, pub };
}

describe("seed 002: partition a blink table", () => {
  it("removeBlink().partitionBy().transform(withAttributes blink): a constituent's sumBy covers the stream", async () => {
    const { g, blink, pub } = blinkSource();
    const partitioned = blink
      .removeBlink()
      .partitionBy("Group")
      .transform((t) => t.withAttributes({ blink: true }));
    const merged = partitioned.merge();
    expect(merged.isBlink).toBe(true);
    expect(partitioned.constituentFor("A")).toBeNull();

    // Cycle 1: groups A and B appear.
    pub.addRows(rows([0, "A"], [1, "B"], [2, "A"]));
    await g.runCycle();
    const a = partitioned.constituentFor("A")!;
    expect(a.isBlink).toBe(true);
    expect(a.toRows()).toEqual(rows([0, "A"], [2, "A"]));
    expect(partitioned.constituentFor("B")!.toRows()).toEqual(rows([1, "B"]));
    expect(partitioned.keys().toRows()).toEqual([{ Group: "A" }, { Group: "B" }]);
    expect(merged.toRows()).toEqual(rows([0, "A"], [2, "A"], [1, "B"]));
    const sumA = a.view("X").sumBy();
    expect(sumA.toRows()).toEqual([{ X: 2n }]);

    // Cycle 2: the blink source replaces its rows; the constituent only shows the new ones, the
    // sum keeps the whole stream.
    pub.addRows(rows([3, "B"], [4, "A"]));
    await g.runCycle();
    expect(a.toRows()).toEqual(rows([4, "A"]));
    expect(sumA.toRows()).toEqual([{ X: 6n }]);
    expect(merged.toRows()).toEqual(rows([4, "A"], [3, "B"]));

    // Cycle 3: nothing new: the constituent empties, the sum stays.
    await g.runCycle();
    expect(a.toRows()).toEqual([]);
    expect(sumA.toRows()).toEqual([{ X: 6n }]);
    expect(merged.toRows()).toEqual([]);

    // Cycle 4: group C appears and reaches merge() in the same cycle.
    pub.addRows(rows([5, "C"], [6, "A"]));
    await g.runCycle();
    expect(sumA.toRows()).toEqual([{ X: 12n }]);
    expect(partitioned.constituentFor("C")!.toRows()).toEqual(rows([5, "C"]));
    expect(partitioned.constituentFor("C")!.isBlink).toBe(true);
    expect(merged.toRows()).toEqual(rows([6, "A"], [5, "C"]));
    expect(partitioned.constituents.length).toBe(3);
    expect(a.isFailed || sumA.isFailed || merged.isFailed).toBe(false);
  });

  it("without the transform, the constituent's sum covers each cycle only", async () => {
    const { g, blink, pub } = blinkSource();
    const p = blink.removeBlink().partitionBy("Group");
    pub.addRows(rows([1, "A"]));
    await g.runCycle();
    const sum = p.constituentFor("A")!.view("X").sumBy();
    pub.addRows(rows([2, "A"]));
    await g.runCycle();
    expect(sum.toRows()).toEqual([{ X: 2n }]);
  });
});

describe("PartitionedTable.transform", () => {
  it("applies fn to present and future constituents; merge follows, constituent by constituent", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, SCHEMA);
    w.writeRow(1n, "A");
    await g.runCycle();
    const p = w.table.partitionBy("Group").transform((t) => t.update("Y = X * 10"));
    const merged = p.merge();
    const rec = record(merged);
    expect(merged.toRows()).toEqual([{ X: 1n, Group: "A", Y: 10n }]);
    w.writeRow(2n, "B");
    w.writeRow(3n, "A");
    await g.runCycle();
    expect(p.constituentFor("B")!.toRows()).toEqual([{ X: 2n, Group: "B", Y: 20n }]);
    expect(merged.toRows()).toEqual([
      { X: 1n, Group: "A", Y: 10n },
      { X: 3n, Group: "A", Y: 30n },
      { X: 2n, Group: "B", Y: 20n },
    ]);
    // B's row (parent key 1) arrives in the cycle B appears, in B's slice (from 2^32); A's new
    // row keeps its parent key 2.
    expect(rec.updates).toEqual([
      { added: [2, 2 ** 32 + 1], removed: [], modified: [], modifiedColumns: [] },
    ]);
    // A transform of a transform sees the same keys.
    const twice = p.transform((t) => t.where("Y > 10"));
    w.writeRow(4n, "C");
    await g.runCycle();
    expect(twice.constituentFor("A")!.toRows()).toEqual([{ X: 3n, Group: "A", Y: 30n }]);
    expect(twice.constituentFor("C")!.toRows()).toEqual([{ X: 4n, Group: "C", Y: 40n }]);
    expect(
      twice
        .merge()
        .toRows()
        .map((r) => r.X),
    ).toEqual([3n, 2n, 4n]);
    expect(twice.table).toBe(p.table);
  });

  it("loses a key's constituent from constituentFor when its rows leave, and the transform follows", async () => {
    const { g, blink, pub } = blinkSource();
    const p = blink
      .removeBlink()
      .partitionBy("Group")
      .transform((t) => t.view("X"));
    pub.addRows(rows([1, "A"]));
    await g.runCycle();
    expect(p.constituentFor("A")!.toRows()).toEqual([{ X: 1n }]);
    await g.runCycle();
    expect(p.constituentFor("A")).toBeNull();
    pub.addRows(rows([2, "A"]));
    await g.runCycle();
    expect(p.constituentFor("A")!.toRows()).toEqual([{ X: 2n }]);
  });

  it("works over static partitioned tables", () => {
    const t = newTable([col("X", "int64", [1n, 2n, 3n]), col("Group", "string", ["A", "B", "A"])]);
    const p = t.partitionBy("Group").transform((c) => c.where("X > 1"));
    expect(p.constituentFor("A")!.toRows()).toEqual([{ X: 3n, Group: "A" }]);
    expect(p.merge().toRows()).toEqual([
      { X: 3n, Group: "A" },
      { X: 2n, Group: "B" },
    ]);
    expect(p.merge().isRefreshing).toBe(false);
  });

  it("refuses a function that returns no table or differently shaped tables", async () => {
    const t = newTable([col("X", "int64", [1n]), col("Group", "string", ["A"])]);
    const p = t.partitionBy("Group");
    expect(() => p.transform(() => 5 as unknown as Table)).toThrow(ArgumentError);
    expect(() => p.transform(() => 5 as unknown as Table)).toThrow(/returned 5, not a table/);
    let n = 0;
    expect(() => p.transform((c) => (n++ === 0 ? c : c.view("X")))).toThrow(
      /constituent 0 has columns \[X: int64\], not \[X: int64, Group: string\]/,
    );
    // During a cycle, the failure fails merge().
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, SCHEMA);
    const bad = w.table
      .partitionBy("Group")
      .transform((c) =>
        c.size > 0 && c.getValue("Group", c.rowSet.first()) === "B" ? c.view("X") : c,
      );
    const merged = bad.merge();
    w.writeRow(1n, "A");
    await g.runCycle();
    expect(merged.isFailed).toBe(false);
    w.writeRow(2n, "B");
    await g.runCycle();
    expect(merged.isFailed).toBe(true);
    expect(String(merged.failure)).toMatch(/constituent 1 has columns \[X: int64\]/);
  });
});

describe("withAttributes", () => {
  it("sets blink on a table with the blink pattern and checks the pattern every cycle", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, SCHEMA);
    const fake = w.table.withAttributes({ blink: true, appendOnly: false, addOnly: false });
    expect(fake.isBlink).toBe(true);
    expect(fake.isAddOnly).toBe(false);
    w.writeRow(1n, "A");
    await g.runCycle();
    expect(fake.isFailed).toBe(false);
    // The writer keeps its rows: the next cycle shows the table is no blink table.
    await g.runCycle();
    expect(fake.isFailed).toBe(true);
    expect(String(fake.failure)).toMatch(/kept 1 row\(s\) from the previous cycle/);
  });

  it("is a view: the same column sources, and the same table when nothing changes", () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, SCHEMA);
    const v = w.table.withAttributes({ appendOnly: false });
    expect(v.isAppendOnly).toBe(false);
    expect(v.isAddOnly).toBe(true);
    expect(v.column("X")).toBe(w.table.column("X"));
    expect(w.table.withAttributes({ appendOnly: true })).toBe(w.table);
    const [blink] = tablePublisher(g, { name: "b", columns: SCHEMA });
    expect(blink.withAttributes({ blink: false }).isBlink).toBe(false);
  });

  it("refuses attributes the table does not have, naming them", () => {
    const g = new UpdateGraph();
    const [blink] = tablePublisher(g, { name: "b", columns: SCHEMA });
    const st = newTable([col("X", "int64", [1n])]);
    const bad = (fn: () => unknown, re: RegExp) => {
      expect(fn).toThrow(ArgumentError);
      expect(fn).toThrow(re);
    };
    bad(
      () => blink.withAttributes({ appendOnly: true }),
      /appendOnly: the table is not append-only/,
    );
    bad(() => blink.withAttributes({ addOnly: true }), /addOnly: the table is not add-only/);
    bad(
      () => st.withAttributes({ blink: true }),
      /blink needs a refreshing table; this one is static/,
    );
    bad(() => st.withAttributes({ refreshing: true } as never), /unknown attribute "refreshing"/);
    bad(() => st.withAttributes({ blink: 1 } as never), /blink must be true or false/);
    const w = new DynamicTableWriter(g, SCHEMA);
    bad(
      () => w.table.withAttributes({ blink: true, appendOnly: true }),
      /a blink table is neither append-only nor add-only/,
    );
  });

  it("is accepted by the spec language", async () => {
    const g = new UpdateGraph();
    const fam = buildFamily(
      normalizeSpec({
        columns: SCHEMA,
        derived: {
          plain: "source.removeBlink()",
          again: 'plain.withAttributes({ blink: true }).sumBy("Group")',
        },
      }),
      g,
    );
    fam.publisher!.addRows(rows([1, "A"]));
    await g.runCycle();
    fam.publisher!.addRows(rows([2, "A"]));
    await g.runCycle();
    expect(fam.views.get("again")!.toRows()).toEqual([{ Group: "A", X: 3n }]);
  });
});
