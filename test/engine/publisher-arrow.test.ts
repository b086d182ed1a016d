/**
 * `TablePublisher.addArrow(bytes)`: Arrow IPC bytes straight into a publisher, without a table.
 * Checked against the rows the bytes were written from (random schemas of every column type,
 * nulls, columns in another order than the publisher's, several batches a cycle, batches
 * spanning pages), against `add(fromArrowIPC(bytes))`, and for what it refuses: a schema that is
 * not exactly the publisher's, bytes that are not Arrow, a failed publisher.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arrowIPCToVecViews, writeIPC } from "../../src/engine/arrow.ts";
import type { ColumnType, Schema, Table } from "../../src/engine/index.ts";
import {
  ArrowError,
  blinkToAppendOnly,
  col,
  fromArrowIPC,
  newTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { readRows } from "../../src/engine/ops/copy.ts";
import { cellOf, SCALARS } from "./cell-arbitraries.ts";
import { record } from "./helpers.ts";

const TYPES: ColumnType[] = [...SCALARS, "float64[]", "string[]"];

/** A table of `n` rows over `names`/`types`, cycling each column's pool of values. */
function tableOf(names: string[], types: ColumnType[], pools: unknown[][], n: number): Table {
  return newTable(
    names.map((name, j) =>
      col(
        name,
        types[j]!,
        Array.from({ length: n }, (_, i) => pools[j]![i % pools[j]!.length]),
      ),
    ),
  );
}

/** The table's rows as tickflare's own writer puts them in an IPC stream. */
function ipcOf(t: Table): Uint8Array {
  const vecs = readRows(
    t.columnNames.map((n) => t.column(n)),
    t.rowSet,
  );
  return writeIPC(t.columns, vecs, 0, t.size);
}

interface Case {
  names: string[];
  types: ColumnType[];
  /** The order of the columns in the Arrow bytes (a permutation of their indices). */
  order: number[];
  /** Per cycle, the batches added in it: each a row count and a pool offset. */
  cycles: { n: number; shift: number }[][];
  pools: unknown[][];
}

const rows = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 4090, max: 4200 }) },
);

const caseArb: fc.Arbitrary<Case> = fc
  .uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 })
  .chain((types) =>
    fc.record({
      names: fc.constant(types.map((_, j) => `C${j}`)),
      types: fc.constant(types),
      order: fc.shuffledSubarray(
        types.map((_, j) => j),
        { minLength: types.length, maxLength: types.length },
      ),
      cycles: fc.array(
        fc.array(fc.record({ n: rows, shift: fc.nat(7) }), { minLength: 0, maxLength: 3 }),
        { minLength: 1, maxLength: 4 },
      ),
      pools: fc.tuple(
        ...types.map((t) =>
          fc.array(fc.option(cellOf(t, 3), { nil: null, freq: 3 }), { minLength: 1, maxLength: 9 }),
        ),
      ),
    }),
  );

function schemaOf(c: Case): Schema {
  return Object.fromEntries(c.names.map((n, j) => [n, c.types[j]!])) as Schema;
}

/** A batch's table in the publisher's column order, and its bytes in `c.order`. */
function batchOf(c: Case, n: number, shift: number): { table: Table; bytes: Uint8Array } {
  const pools = c.pools.map((p) => [...p.slice(shift % p.length), ...p.slice(0, shift % p.length)]);
  const table = tableOf(c.names, c.types, pools, n);
  const at = c.order;
  const shuffled = tableOf(
    at.map((j) => c.names[j]!),
    at.map((j) => c.types[j]!),
    at.map((j) => pools[j]!),
    n,
  );
  return { table, bytes: ipcOf(shuffled) };
}

describe("TablePublisher.addArrow", () => {
  it("property: each cycle's blink table holds exactly the rows of that cycle's bytes, as add(fromArrowIPC) gives", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const g = new UpdateGraph({ seed: 1 });
        const [blink, pub] = tablePublisher(g, { name: "a", columns: schemaOf(c) });
        const [viaTable, pubT] = tablePublisher(g, { name: "t", columns: schemaOf(c) });
        const history = blinkToAppendOnly(blink);
        const all: Record<string, unknown>[] = [];
        for (const batches of c.cycles) {
          const want: Record<string, unknown>[] = [];
          for (const { n, shift } of batches) {
            const { table, bytes } = batchOf(c, n, shift);
            pub.addArrow(bytes);
            pubT.add(fromArrowIPC(bytes));
            want.push(...table.toRows());
          }
          await g.runCycle();
          expect(blink.toRows()).toEqual(want);
          expect(viaTable.toRows()).toEqual(want);
          all.push(...want);
        }
        expect(history.toRows()).toEqual(all);
      }),
      { numRuns: 60 },
    );
  });

  it("gives a batch's Utf8 strings array to a later batch only once it is released", () => {
    const schema: Schema = { S: "string" };
    const bytesOf = (xs: string[]) => ipcOf(newTable([col("S", "string", xs)]));
    const a = arrowIPCToVecViews(bytesOf(["a", "b", "c"]), schema);
    const b = arrowIPCToVecViews(bytesOf(["d", "e", "f"]), schema);
    expect(b.vecs[0]!.data).not.toBe(a.vecs[0]!.data);
    a.release();
    const c = arrowIPCToVecViews(bytesOf(["g", null as unknown as string, "i"]), schema);
    expect(c.vecs[0]!.data).toBe(a.vecs[0]!.data);
    expect(c.vecs[0]!.data).toEqual(["g", "", "i"]); // "" under the null, as a new array holds
    expect(Array.from(c.vecs[0]!.valid!)).toEqual([1, 0, 1]);
    expect(b.vecs[0]!.data).toEqual(["d", "e", "f"]);
  });

  it("keeps each batch's strings until its cycle: batches of one length, several a cycle", async () => {
    const schema: Schema = { S: "string", N: "int32" };
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "s", columns: schema });
    const history = blinkToAppendOnly(blink);
    const bytesOf = (k: number) =>
      ipcOf(newTable([col("S", "string", [`s${k}`, `t${k}`]), col("N", "int32", [k, -k])]));
    const rowsOf = (k: number) => [
      { S: `s${k}`, N: k },
      { S: `t${k}`, N: -k },
    ];
    const all: Record<string, unknown>[] = [];
    for (const cycle of [[1, 2, 3], [4], [5, 6]]) {
      for (const k of cycle) pub.addArrow(bytesOf(k));
      await g.runCycle();
      const want = cycle.flatMap(rowsOf);
      expect(blink.toRows()).toEqual(want);
      all.push(...want);
    }
    expect(history.toRows()).toEqual(all);
  });

  it("reads apache-arrow's streams too: a dictionary-encoded string column, Uint8 widened, an empty batch", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "d",
      columns: { Sym: "string", Small: "int16", Price: "float64" },
    });
    const rec = record(blink);
    const sym = arrow.vectorFromArray(
      ["AAPL", "MSFT", null, "AAPL"],
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    );
    const small = arrow.vectorFromArray([1, 255, 0, 7], new arrow.Uint8());
    const price = arrow.vectorFromArray([1.5, 2.5, null, 4], new arrow.Float64());
    const t = new arrow.Table({ Price: price, Sym: sym, Small: small });
    pub.addArrow(arrow.tableToIPC(t, "stream"));
    pub.addArrow(arrow.tableToIPC(t.slice(0, 0), "file"));
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      { Sym: "AAPL", Small: 1, Price: 1.5 },
      { Sym: "MSFT", Small: 255, Price: 2.5 },
      { Sym: null, Small: 0, Price: null },
      { Sym: "AAPL", Small: 7, Price: 4 },
    ]);
    // Only empty batches: nothing is pending, the blink table empties and the next cycle is quiet.
    pub.addArrow(arrow.tableToIPC(t.slice(0, 0), "stream"));
    await g.runCycle();
    await g.runCycle();
    expect(blink.size).toBe(0);
    expect(rec.updates.map((u) => [u.added, u.removed])).toEqual([
      [[0, 1, 2, 3], []],
      [[], [0, 1, 2, 3]],
    ]);
  });

  it("refuses bytes whose columns are not exactly the publisher's, or that are not Arrow, and adds nothing", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "e",
      columns: { Sym: "string", Size: "int64" },
    });
    const good = ipcOf(newTable([col("Size", "int64", [1n]), col("Sym", "string", ["A"])]));
    const cases: [Uint8Array | ArrayBuffer, RegExp][] = [
      [ipcOf(newTable([col("Sym", "string", ["A"])])), /Column "Size" \(int64\) is missing/],
      [
        ipcOf(
          newTable([
            col("Sym", "string", ["A"]),
            col("Size", "int64", [1n]),
            col("Extra", "int32", [1]),
          ]),
        ),
        /Column "Extra" is not in the table's schema \[Sym, Size\]/,
      ],
      [
        ipcOf(newTable([col("Sym", "string", ["A"]), col("Size", "int32", [1])])),
        /Column "Size": expected int64, but the Arrow data has Int32/,
      ],
      [new TextEncoder().encode('[{"Sym":"A","Size":1}]'), /not an Arrow IPC stream/],
      [good.subarray(0, good.byteLength - 20), /Invalid Arrow IPC data/],
    ];
    for (const [bytes, why] of cases) {
      let thrown: unknown;
      try {
        pub.addArrow(bytes);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ArrowError);
      expect((thrown as Error).message).toMatch(why);
    }
    pub.addArrow(good.slice().buffer);
    await g.runCycle();
    expect(blink.toRows()).toEqual([{ Sym: "A", Size: 1n }]);
    // A failed publisher takes nothing more.
    pub.publishFailure(new Error("gone"));
    await g.runCycle();
    pub.addArrow(good);
    expect(pub.isAlive).toBe(false);
  });
});
