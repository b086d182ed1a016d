/**
 * tickflare's Arrow IPC writer (`arrow/ipc-write.ts`) against apache-arrow's reader as the
 * reference: random schemas of every column type (scalars and arrays), nulls (cells and array
 * elements), empty batches, and row sets read from a paged table as one run inside a page, runs
 * across page boundaries and scattered ranges. apache-arrow must read back exactly the rows
 * written, with the fields `arrowFieldOf` describes; the direct reader (`fromArrowIPC`) must read
 * the same; the publish fast path must see the stream as written by tickflare; and split streams
 * (`writeIPCParts`) must each fit their limit and together hold every row in order.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  arrowFieldOf,
  arrowIPCToVecs,
  exactIPCShape,
  fromArrow,
  fromArrowIPC,
  writeIPC,
  writeIPCParts,
} from "../../src/engine/arrow.ts";
import type { ColumnType, Table } from "../../src/engine/index.ts";
import { col, newTable } from "../../src/engine/index.ts";
import { readRows } from "../../src/engine/ops/copy.ts";
import { RowSet } from "../../src/engine/row-set.ts";
import { cellOf, SCALARS } from "./cell-arbitraries.ts";

const TYPES: ColumnType[] = [...SCALARS, ...SCALARS.map((t) => `${t}[]` as ColumnType)];

/** A column's distinct values (cycled to fill the table, so tables may span several pages). */
const column = (type: ColumnType) =>
  fc.array(fc.option(cellOf(type), { nil: null, freq: 3 }), { minLength: 1, maxLength: 12 });

/** Row counts: small, just past one page (4,096 rows), and across three pages. */
const rowCount = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 4090, max: 4200 }),
  fc.integer({ min: 8180, max: 8300 }),
);

interface Case {
  table: Table;
  keys: RowSet;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    types: fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 5 }),
    n: rowCount,
    pick: fc.constantFrom("all", "run", "ranges"),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
  })
  .chain(({ types, n, pick, cuts }) =>
    fc.tuple(...types.map(column)).map((pools): Case => {
      const cols = types.map((t, j) =>
        col(
          `C${j}`,
          t,
          Array.from({ length: n }, (_, i) => pools[j]![i % pools[j]!.length]),
        ),
      );
      const table = newTable(cols);
      const at = cuts.map((c) => Math.floor(c * n)).sort((a, b) => a - b);
      let keys = RowSet.flat(n);
      if (pick === "run") keys = RowSet.range(at[0]!, at[at.length - 1]!);
      else if (pick === "ranges") {
        const ranges: number[] = [];
        for (let k = 0; k + 1 < at.length; k += 2)
          if (at[k]! < at[k + 1]!) ranges.push(at[k]!, at[k + 1]!);
        keys = RowSet.fromRanges(ranges);
      }
      return { table, keys };
    }),
  );

function encode({ table, keys }: Case): Uint8Array {
  const vecs = readRows(
    table.columnNames.map((n) => table.column(n)),
    keys,
  );
  return writeIPC(table.columns, vecs, 0, keys.size);
}

function expectedRows({ table, keys }: Case): Record<string, unknown>[] {
  const all = table.toRows();
  return keys.toArray().map((k) => all[k]!);
}

/** A field as apache-arrow describes it: name, type, nullability, metadata, children. */
function describeField(f: arrow.Field): unknown {
  return {
    name: f.name,
    type: String(f.type),
    nullable: f.nullable,
    metadata: [...f.metadata],
    children: (f.type.children ?? []).map(describeField),
  };
}

describe("Arrow IPC writer", () => {
  it("property: apache-arrow reads back exactly the rows and fields written", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const bytes = encode(c);
        const read = arrow.tableFromIPC(bytes);
        expect(read.schema.fields.map(describeField)).toEqual(
          Object.entries(c.table.columns).map(([n, t]) => describeField(arrowFieldOf(n, t))),
        );
        expect(read.numRows).toBe(c.keys.size);
        const want = expectedRows(c);
        expect(fromArrow(read).toRows()).toEqual(want);
        // The direct reader, and the publish path's check that the stream is tickflare's own
        // (it stores such a stream as received; array columns always take the decoding path).
        expect(fromArrowIPC(bytes).toRows()).toEqual(want);
        const shape = exactIPCShape(bytes, c.table.columns);
        const arrays = Object.values(c.table.columns).some((t) => t.endsWith("[]"));
        expect(shape?.fits).toBe(!arrays);
        expect(shape?.rows).toBe(c.keys.size);
        shape?.validate();
        // What a cycle applies from a batch held since its publish: the direct reader's values.
        if (shape?.fits) {
          const { vecs, length } = arrowIPCToVecs(bytes, c.table.columns);
          expect(shape.decode()).toEqual({ vecs, length });
        }
      }),
      { numRuns: 60 },
    );
  });

  it("property: split streams fit their limit and hold every row in order", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1200, max: 40_000 }), (c, maxBytes) => {
        const vecs = readRows(
          c.table.columnNames.map((n) => c.table.column(n)),
          c.keys,
        );
        let parts: { bytes: Uint8Array; rows: number }[];
        try {
          parts = writeIPCParts(c.table.columns, vecs, 0, c.keys.size, maxBytes);
        } catch (e) {
          // Only a single row too wide for the limit may refuse.
          expect(e).toBeInstanceOf(RangeError);
          expect((e as Error).message).toMatch(/^a single row needs \d+ bytes/);
          return;
        }
        const rows: Record<string, unknown>[] = [];
        for (const p of parts) {
          expect(p.bytes.byteLength).toBeLessThanOrEqual(maxBytes);
          const t = fromArrow(arrow.tableFromIPC(p.bytes));
          expect(t.size).toBe(p.rows);
          rows.push(...t.toRows());
        }
        expect(rows).toEqual(expectedRows(c));
        if (c.keys.size === 0) expect(parts.map((p) => p.rows)).toEqual([0]);
      }),
      { numRuns: 30 },
    );
  });

  it("writes zeros under null slots, so equal rows give equal bytes", () => {
    const a = newTable([col("X", "int32", [7, null]), col("B", "bool", [true, null])]);
    const b = newTable([col("X", "int32", [7, null]), col("B", "bool", [true, null])]);
    // Overwrite what the null slots hold in b's storage.
    const [xb, bb] = readRows([b.column("X"), b.column("B")], b.rowSet);
    (xb!.data as Int32Array)[1] = 99;
    (bb!.data as Uint8Array)[1] = 1;
    const bytesA = encode({ table: a, keys: a.rowSet });
    const bytesB = writeIPC(b.columns, [xb!, bb!], 0, 2);
    expect(bytesB).toEqual(bytesA);
    const x = arrow.tableFromIPC(bytesB).getChild("X")!.data[0]!;
    expect([...(x.values as Int32Array)]).toEqual([7, 0]);
  });

  it("an empty batch carries the schema", () => {
    const t = newTable([col("S", "string", []), col("L", "int64[]", [])]);
    const read = arrow.tableFromIPC(encode({ table: t, keys: t.rowSet }));
    expect(read.numRows).toBe(0);
    expect(read.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual([
      "S: Utf8",
      "L: List<Int64>",
    ]);
  });

  it("a vector shorter than the rows asked for is an error naming the column", () => {
    expect(() =>
      writeIPC({ X: "int32" }, [{ data: new Int32Array(2), valid: null, length: 2 }], 0, 3),
    ).toThrow('Column "X": expected 3 values, got 2');
  });
});
