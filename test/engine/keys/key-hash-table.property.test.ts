/**
 * Property test for KeyHashTable: over random chunks of key tuples of every scalar key type
 * (nulls, NaN, -0, int64 beyond 2^53, strings with one or many columns), `findOrInsert` hands
 * out the same slots as a Map-based reference that numbers distinct tuples in order of first
 * appearance, reports exactly the rows that created slots, and `find` returns those slots or -1
 * without creating any, through as many rehashes as the key counts cause. With removals mixed
 * in, removed keys are not found, freed slots are reused last-freed first, and every other key
 * keeps its slot (the backward-shift deletion keeps every probe run intact).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Vec } from "../../../src/engine/column.ts";
import { KeyHashTable } from "../../../src/engine/keys/key-hash-table.ts";
import type { ColumnType } from "../../../src/engine/types.ts";

type Cell = number | bigint | string | null;

/** Values of each key type, with repeats likely; `wide` spreads keys out to force rehashing. */
function cellArb(type: ColumnType, wide: boolean): fc.Arbitrary<Cell> {
  const n = wide ? 3000 : 6;
  let v: fc.Arbitrary<Cell>;
  switch (type) {
    case "int8":
      v = fc.integer({ min: -128, max: 127 });
      break;
    case "int16":
      v = fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 });
      break;
    case "int32":
      v = fc.oneof(fc.integer({ min: -n, max: n }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31)));
      break;
    case "float32":
      v = fc.oneof(
        fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Math.fround(0.1), -1.5),
        fc.integer({ min: -n, max: n }).map((i) => Math.fround(i / 4)),
      );
      break;
    case "float64":
      v = fc.oneof(
        fc.constantFrom(0, -0, Number.NaN, Number.NEGATIVE_INFINITY, 0.1, 2 ** 53, 1e300),
        fc.integer({ min: -n, max: n }).map((i) => i / 3),
      );
      break;
    case "bool":
      v = fc.constantFrom(0, 1);
      break;
    case "char":
      v = fc.constantFrom(0, 65, 0xffff, 0xd800);
      break;
    case "int64":
    case "instant":
      v = fc.oneof(
        fc.constantFrom(
          0n,
          -1n,
          2n ** 53n,
          2n ** 53n + 1n,
          -(2n ** 63n),
          2n ** 63n - 1n,
          2n ** 32n,
        ),
        fc.integer({ min: -n, max: n }).map((i) => BigInt(i) * 2n ** 33n + BigInt(i)),
      );
      break;
    default:
      v = fc.oneof(
        fc.constantFrom("", "a", "A", "é", "😀", "a\u0000", "SYM000001"),
        fc.integer({ min: 0, max: n }).map((i) => `k${i}`),
      );
  }
  return fc.option(v, { nil: null, freq: 6 });
}

const TYPES: ColumnType[] = [
  "int8",
  "int16",
  "int32",
  "float32",
  "float64",
  "bool",
  "char",
  "string",
  "int64",
  "instant",
];

/** Canonical text of a cell under the table's equality (NaN = NaN, -0 = 0, null = null). */
function canon(c: Cell): string {
  if (c === null) return "null";
  if (typeof c === "bigint") return `${c}n`;
  if (typeof c === "string") return JSON.stringify(c);
  return Object.is(c, -0) ? "0" : String(c);
}

function vecOf(type: ColumnType, cells: readonly Cell[]): Vec {
  const n = cells.length;
  const valid = cells.includes(null) ? Uint8Array.from(cells, (c) => (c === null ? 0 : 1)) : null;
  const num = (c: Cell) => (c === null ? 0 : (c as number));
  let data: Vec["data"];
  switch (type) {
    case "int8":
      data = Int8Array.from(cells, num);
      break;
    case "int16":
      data = Int16Array.from(cells, num);
      break;
    case "int32":
      data = Int32Array.from(cells, num);
      break;
    case "float32":
      data = Float32Array.from(cells, num);
      break;
    case "float64":
      data = Float64Array.from(cells, num);
      break;
    case "bool":
      data = Uint8Array.from(cells, num);
      break;
    case "char":
      data = Uint16Array.from(cells, num);
      break;
    case "int64":
    case "instant":
      data = BigInt64Array.from(cells, (c) => (c === null ? 0n : (c as bigint)));
      break;
    default:
      data = cells.map((c) => (c === null ? "" : (c as string)));
  }
  return { data, valid, length: n };
}

/** Key types, chunks of rows (one cell per key column) and chunks to look up only. */
function caseArb(wide: boolean) {
  return fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 3 }).chain((types) => {
    const row = fc.tuple(...types.map((t) => cellArb(t, wide)));
    const chunk = fc.array(row, { maxLength: wide ? 1500 : 40 });
    return fc.record({
      types: fc.constant(types),
      inserts: fc.array(chunk, { minLength: 1, maxLength: wide ? 4 : 8 }),
      lookups: fc.array(row, { maxLength: 60 }),
    });
  });
}

function vecsOf(types: ColumnType[], rows: Cell[][]): Vec[] {
  return types.map((t, j) =>
    vecOf(
      t,
      rows.map((r) => r[j]!),
    ),
  );
}

function check({
  types,
  inserts,
  lookups,
}: {
  types: ColumnType[];
  inserts: Cell[][][];
  lookups: Cell[][];
}) {
  const table = new KeyHashTable(types);
  const ref = new Map<string, number>();
  const key = (r: Cell[]) => r.map(canon).join("|");
  for (const rows of inserts) {
    const slots = new Int32Array(rows.length);
    const before = table.size;
    const created = table.findOrInsert(vecsOf(types, rows), rows.length, slots);
    const want: number[] = [];
    const wantCreated: number[] = [];
    rows.forEach((r, i) => {
      let s = ref.get(key(r));
      if (s === undefined) {
        s = ref.size;
        ref.set(key(r), s);
        wantCreated.push(i);
      }
      want.push(s);
    });
    expect(Array.from(slots)).toEqual(want);
    expect(created).toBe(wantCreated.length);
    expect(Array.from(table.createdRows.subarray(0, created))).toEqual(wantCreated);
    expect(table.size).toBe(before + created);
  }
  const size = table.size;
  const found = new Int32Array(lookups.length);
  table.find(vecsOf(types, lookups), lookups.length, found);
  expect(Array.from(found)).toEqual(lookups.map((r) => ref.get(key(r)) ?? -1));
  expect(table.size).toBe(size);
}

/** Random chunks of inserts, each followed by the removal of some live keys. */
function churnArb(wide: boolean) {
  return fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 2 }).chain((types) => {
    const row = fc.tuple(...types.map((t) => cellArb(t, wide)));
    return fc.record({
      types: fc.constant(types),
      steps: fc.array(
        fc.record({
          rows: fc.array(row, { maxLength: wide ? 600 : 30 }),
          removeEvery: fc.integer({ min: 1, max: 4 }),
        }),
        { minLength: 1, maxLength: wide ? 6 : 12 },
      ),
    });
  });
}

function checkChurn({
  types,
  steps,
}: {
  types: ColumnType[];
  steps: { rows: Cell[][]; removeEvery: number }[];
}) {
  const table = new KeyHashTable(types);
  const ref = new Map<string, number>();
  const rowOf = new Map<number, Cell[]>();
  const free: number[] = [];
  let next = 0;
  const key = (r: Cell[]) => r.map(canon).join("|");
  for (const { rows, removeEvery } of steps) {
    const slots = new Int32Array(rows.length);
    table.findOrInsert(vecsOf(types, rows), rows.length, slots);
    const want = rows.map((r) => {
      let s = ref.get(key(r));
      if (s === undefined) {
        s = free.length > 0 ? free.pop()! : next++;
        ref.set(key(r), s);
        rowOf.set(s, r);
      }
      return s;
    });
    expect(Array.from(slots)).toEqual(want);
    let i = 0;
    for (const [k, s] of [...ref]) {
      if (i++ % removeEvery !== 0) continue;
      table.remove(s);
      ref.delete(k);
      free.push(s);
    }
    expect(table.live).toBe(ref.size);
    const all = [...rowOf.values()];
    const found = new Int32Array(all.length);
    table.find(vecsOf(types, all), all.length, found);
    expect(Array.from(found)).toEqual(all.map((r) => ref.get(key(r)) ?? -1));
  }
}

describe("KeyHashTable", () => {
  it("removes keys and reuses their slots, last freed first, keeping every other key", () => {
    fc.assert(fc.property(churnArb(false), checkChurn), { numRuns: 300 });
  });

  it("removes keys across many rehashes", () => {
    fc.assert(fc.property(churnArb(true), checkChurn), { numRuns: 15 });
  }, 60_000);

  it("refuses to remove a slot that is not live", () => {
    const table = new KeyHashTable(["int32", "string"]);
    const slots = new Int32Array(1);
    table.findOrInsert(vecsOf(["int32", "string"], [[1, "a"]]), 1, slots);
    table.remove(0);
    expect(() => table.remove(0)).toThrow("KeyHashTable: slot 0 is not live");
    const single = new KeyHashTable(["string"]);
    single.findOrInsert(vecsOf(["string"], [["a"]]), 1, slots);
    single.remove(0);
    expect(() => single.remove(0)).toThrow("StringKeys: id 0 is not live");
  });

  it("matches a Map over tuples of every key type, with nulls, NaN, -0 and int64", () => {
    fc.assert(fc.property(caseArb(false), check), { numRuns: 300 });
  });

  it("matches a Map across many rehashes", () => {
    fc.assert(fc.property(caseArb(true), check), { numRuns: 25 });
  }, 60_000);

  it("finds nothing in an empty table and an empty chunk changes nothing", () => {
    const table = new KeyHashTable(["string", "int64"]);
    const slots = new Int32Array(2);
    table.find(
      vecsOf(
        ["string", "int64"],
        [
          ["a", 1n],
          [null, null],
        ],
      ),
      2,
      slots,
    );
    expect(Array.from(slots)).toEqual([-1, -1]);
    expect(table.findOrInsert(vecsOf(["string", "int64"], []), 0, slots)).toBe(0);
    expect(table.size).toBe(0);
  });

  it("refuses array columns as keys", () => {
    expect(() => new KeyHashTable(["int32[]"])).toThrow("a int32[] column cannot be a key");
  });
});
