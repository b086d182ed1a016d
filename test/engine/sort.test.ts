/**
 * sort / sortDescending: exact orders (ties, nulls, NaN, -0, strings, bools, every type), errors,
 * incremental updates over refreshing parents (one removed and one added key for a change at the
 * top; modifications stay modifications; re-spreads are removed + added), blink parents, and a
 * property: after every random cycle the result equals a from-scratch sort, and its updates and
 * previous values replay exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table, Value } from "../../src/engine/index.ts";
import {
  ArgumentError,
  arrayCol,
  boolCol,
  charCol,
  doubleCol,
  FormulaError,
  floatCol,
  instantCol,
  intCol,
  longCol,
  mirrorTable,
  newTable,
  RowSet,
  ringTable,
  shortCol,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { vecFromValues } from "../../src/engine/new-table.ts";
import { colValues, record } from "./helpers.ts";

const SCHEMA = { Sym: "string", K: "int32", Px: "float64", Size: "int64", Flag: "bool" } as const;
type Row = {
  Sym: string | null;
  K: number | null;
  Px: number | null;
  Size: bigint;
  Flag: boolean | null;
};
const NAMES = Object.keys(SCHEMA) as (keyof Row)[];

/** A mirror source: the test sets removed / added / modified rows by key each cycle. */
function source() {
  const g = new UpdateGraph({ seed: 1 });
  const m = mirrorTable(g, SCHEMA);
  const rowsAt = (keys: number[], rows: Map<number, Row>) => ({
    keys: RowSet.fromKeys(keys),
    vecs: NAMES.map((n) =>
      vecFromValues(
        SCHEMA[n],
        [...keys].sort((a, b) => a - b).map((k) => rows.get(k)![n]),
        n,
      ),
    ),
  });
  return { g, m, rowsAt };
}

describe("sort on static tables", () => {
  it("is stable: ties keep the parent's order, ascending and descending", () => {
    const t = newTable([intCol("K", [2, 1, 2, 1, 3]), stringCol("Id", ["a", "b", "c", "d", "e"])]);
    expect(colValues(t.sort("K"), "Id")).toEqual(["b", "d", "a", "c", "e"]);
    expect(colValues(t.sortDescending("K"), "Id")).toEqual(["e", "a", "c", "b", "d"]);
    expect(colValues(t.sort("K", "desc"), "Id")).toEqual(["e", "a", "c", "b", "d"]);
  });

  it("puts nulls first ascending and last descending, NaN above +Infinity, -0 equal to 0", () => {
    const t = newTable([
      doubleCol("X", [
        1.5,
        null,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        -0,
        0,
        Number.NEGATIVE_INFINITY,
        -2,
      ]),
      intCol("Id", [0, 1, 2, 3, 4, 5, 6, 7]),
    ]);
    expect(colValues(t.sort("X"), "Id")).toEqual([1, 6, 7, 4, 5, 0, 3, 2]);
    expect(colValues(t.sortDescending("X"), "Id")).toEqual([2, 3, 0, 4, 5, 7, 6, 1]);
    const f = newTable([floatCol("F", [Number.NaN, null, -1, 1]), intCol("Id", [0, 1, 2, 3])]);
    expect(colValues(f.sort("F"), "Id")).toEqual([1, 2, 3, 0]);
  });

  it("orders strings by UTF-16 code units (surrogate pairs below U+E000..U+FFFF)", () => {
    // "\u{1F600}" is the pair D83D DE00, which sorts below "\uFF01" by code units (not code points).
    const s = ["b", "\u{1F600}", "\uFF01", "B", "a", null, "", "ab", "\u00e9"];
    const t = newTable([stringCol("S", s)]);
    expect(colValues(t.sort("S"), "S")).toEqual([
      null,
      "",
      "B",
      "a",
      "ab",
      "b",
      "\u00e9",
      "\u{1F600}",
      "\uFF01",
    ]);
    expect(colValues(t.sortDescending("S"), "S")).toEqual([
      "\uFF01",
      "\u{1F600}",
      "\u00e9",
      "b",
      "ab",
      "a",
      "B",
      "",
      null,
    ]);
  });

  it("orders bools false < true and every other type", () => {
    const t = newTable([
      boolCol("B", [true, null, false, true]),
      charCol("C", ["b", "a", null, "B"]),
      shortCol("H", [3, -1, null, 2]),
      longCol("L", [2n ** 62n, -(2n ** 62n), null, 0n]),
      instantCol("T", [3000n, 1000n, 2000n, null]),
      intCol("Id", [0, 1, 2, 3]),
    ]);
    expect(colValues(t.sort("B"), "Id")).toEqual([1, 2, 0, 3]);
    expect(colValues(t.sort("C"), "Id")).toEqual([2, 3, 1, 0]);
    expect(colValues(t.sort("H"), "Id")).toEqual([2, 1, 3, 0]);
    expect(colValues(t.sort("L"), "Id")).toEqual([2, 1, 3, 0]);
    expect(colValues(t.sortDescending("T"), "Id")).toEqual([0, 2, 1, 3]);
  });

  it("sorts by several columns, each with its own order", () => {
    const t = newTable([
      stringCol("Sym", ["B", "A", "B", "A", "A"]),
      doubleCol("Px", [1, 2, 3, 2, 1]),
      intCol("Id", [0, 1, 2, 3, 4]),
    ]);
    expect(colValues(t.sort(["Sym", "Px"], ["asc", "desc"]), "Id")).toEqual([1, 3, 4, 2, 0]);
    expect(colValues(t.sort("Sym, Px"), "Id")).toEqual([4, 1, 3, 0, 2]);
    expect(colValues(t.sortDescending("Px, Sym"), "Id")).toEqual([2, 1, 3, 0, 4]);
  });

  it("sorts large inputs with the radix path exactly like the comparison path", () => {
    const n = 5000;
    const xs = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : ((i * 7919) % 613) - 300));
    const ds = xs.map((x, i) => (x === null ? null : i % 11 === 0 ? Number.NaN : x / 7));
    const ls = xs.map((x) => (x === null ? null : BigInt(x) * 2n ** 40n));
    const t = newTable([
      intCol("X", xs),
      doubleCol("D", ds),
      longCol("L", ls),
      intCol(
        "Id",
        xs.map((_, i) => i),
      ),
    ]);
    const ref = (key: (i: number) => number | null, desc: boolean) =>
      xs
        .map((_, i) => i)
        .sort((a, b) => {
          const ka = key(a);
          const kb = key(b);
          let r = ka === null ? (kb === null ? 0 : -1) : kb === null ? 1 : cmpNum(ka, kb);
          if (desc) r = -r;
          return r || a - b;
        });
    expect(colValues(t.sort("X"), "Id")).toEqual(ref((i) => xs[i]!, false));
    expect(colValues(t.sortDescending("D"), "Id")).toEqual(ref((i) => ds[i]!, true));
    expect(colValues(t.sort("L", "desc"), "Id")).toEqual(ref((i) => xs[i]!, true));
    expect(colValues(t.sort(["X", "D"], ["desc", "asc"]), "Id")).toEqual(
      xs
        .map((_, i) => i)
        .sort((a, b) => {
          const r = -cmpNull(xs[a]!, xs[b]!);
          return r || cmpNull(ds[a]!, ds[b]!) || a - b;
        }),
    );
  });

  it("radix-sorts keys spanning every digit (full int32 range, floats of every magnitude, int64)", () => {
    const n = 6000;
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const special = [-(2 ** 31), 2 ** 31 - 1, 0, -1, 1];
    const xs = Array.from({ length: n }, (_, i) =>
      i % 97 === 0 ? null : i % 13 === 0 ? special[i % 5]! : next() | 0,
    );
    const fspecial = [
      Number.NaN,
      -0,
      0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      5e-324,
    ];
    const ds = Array.from({ length: n }, (_, i) =>
      i % 89 === 0
        ? null
        : i % 17 === 0
          ? fspecial[i % 6]!
          : (next() / 2 ** 32 - 0.5) * 10 ** ((next() % 40) - 20),
    );
    const ls = Array.from({ length: n }, (_, i) =>
      i % 83 === 0 ? null : (BigInt(next() | 0) << 32n) | BigInt(next()),
    );
    const t = newTable([
      intCol("X", xs),
      doubleCol("D", ds),
      longCol("L", ls),
      intCol(
        "Id",
        xs.map((_, i) => i),
      ),
    ]);
    const ref = <T>(vals: (T | null)[], cmp: (a: T, b: T) => number, desc: boolean) =>
      vals
        .map((_, i) => i)
        .sort((a, b) => {
          const va = vals[a]!;
          const vb = vals[b]!;
          let r = va === null ? (vb === null ? 0 : -1) : vb === null ? 1 : cmp(va, vb);
          if (desc) r = -r;
          return r || a - b;
        });
    const big = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
    expect(colValues(t.sort("X"), "Id")).toEqual(ref(xs, cmpNum, false));
    expect(colValues(t.sortDescending("X"), "Id")).toEqual(ref(xs, cmpNum, true));
    expect(colValues(t.sort("D"), "Id")).toEqual(ref(ds, cmpNum, false));
    expect(colValues(t.sortDescending("D"), "Id")).toEqual(ref(ds, cmpNum, true));
    expect(colValues(t.sort("L"), "Id")).toEqual(ref(ls, big, false));
    expect(colValues(t.sortDescending("L"), "Id")).toEqual(ref(ls, big, true));
  });

  it("sorts keys above the first-pass size: full-range int32, few float64 high words, long runs", () => {
    // 70,000 rows take the 16-bit first pass; floats within one binade share their high word in
    // runs longer than the insertion limit, so the low words are radix-sorted too.
    const n = 70_000;
    let seed = 99;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const fspecial = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const ds = Array.from({ length: n }, (_, i) =>
      i % 101 === 0
        ? null
        : i % 19 === 0
          ? fspecial[i % 5]!
          : i % 3 === 0
            ? 1 + (next() % 50) * 2 ** -40 // one high word, 50 low words
            : (next() % 2 === 0 ? -1 : 1) * (next() % 5000) * 0.25,
    );
    const ls = Array.from({ length: n }, (_, i) =>
      i % 97 === 0 ? null : (BigInt(next() % 7) << 32n) - BigInt(next() % 1000) * 3n,
    );
    const special = [-(2 ** 31), 2 ** 31 - 1, 0, -1];
    const xs = Array.from({ length: n }, (_, i) =>
      i % 89 === 0 ? null : i % 23 === 0 ? special[i % 4]! : (next() | 0) >> (i % 2 === 0 ? 0 : 12),
    );
    const t = newTable([
      doubleCol("D", ds),
      longCol("L", ls),
      intCol("X", xs),
      intCol(
        "Id",
        ds.map((_, i) => i),
      ),
    ]);
    const ref = <T>(vals: (T | null)[], cmp: (a: T, b: T) => number, desc: boolean) =>
      vals
        .map((_, i) => i)
        .sort((a, b) => {
          const va = vals[a]!;
          const vb = vals[b]!;
          let r = va === null ? (vb === null ? 0 : -1) : vb === null ? 1 : cmp(va, vb);
          if (desc) r = -r;
          return r || a - b;
        });
    const big = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
    expect(colValues(t.sort("D"), "Id")).toEqual(ref(ds, cmpNum, false));
    expect(colValues(t.sortDescending("D"), "Id")).toEqual(ref(ds, cmpNum, true));
    expect(colValues(t.sort("L"), "Id")).toEqual(ref(ls, big, false));
    expect(colValues(t.sortDescending("L"), "Id")).toEqual(ref(ls, big, true));
    expect(colValues(t.sort("X"), "Id")).toEqual(ref(xs, cmpNum, false));
    expect(colValues(t.sortDescending("X"), "Id")).toEqual(ref(xs, cmpNum, true));
  });

  it("reads through a redirection: no copies, 4 bytes a row for keys below 2^32", () => {
    const t = newTable([intCol("X", [3, 1, 2]), stringCol("S", ["c", "a", "b"])]).sort("X");
    expect(t.isRefreshing).toBe(false);
    expect(t.rowSet.toArray()).toEqual([0, 1, 2]);
    expect(t.toRows()).toEqual([
      { X: 1, S: "a" },
      { X: 2, S: "b" },
      { X: 3, S: "c" },
    ]);
    expect(t.column("X").heapBytes + t.column("S").heapBytes).toBe(12);
    expect(t.toArrow().getChild("S")?.toArray()).toEqual(["a", "b", "c"]);
    expect(
      t
        .where("X > 1")
        .toRows()
        .map((r) => r.S),
    ).toEqual(["b", "c"]);
  });

  it("refuses bad arguments, naming the column or argument", () => {
    const t = newTable([intCol("X", [1]), stringCol("S", ["a"])]);
    expect(() => t.sort("Nope")).toThrow(ArgumentError);
    expect(() => t.sort("Nope")).toThrow(
      "sort: unknown sort column [Nope]; sort columns are [X, S]",
    );
    expect(() => t.sortDescending("X, Y")).toThrow("sortDescending: unknown sort column [Y]");
    expect(() => t.sort(["X", "S"], ["asc"])).toThrow(
      "sort: order has 1 entries for 2 sort columns [X, S]",
    );
    expect(() => t.sort("X", "up" as never)).toThrow(
      'sort: order for column "X" must be "asc" or "desc", got up',
    );
    expect(() => t.sort("X, X")).toThrow('sort: column "X" is named twice in orderBy');
    expect(() => t.sort("X,")).toThrow('sort: empty entry in column list "X,"');
    const a = newTable([arrayCol("A", "int32", [[1]])]);
    expect(() => a.sort("A")).toThrow('sort: column "A" of type int32[] cannot be sorted');
  });
});

function cmpNum(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}
function cmpNull(a: number | null, b: number | null): number {
  return a === null ? (b === null ? 0 : -1) : b === null ? 1 : cmpNum(a, b);
}

describe("sort on refreshing tables", () => {
  it("gives keys to new rows that straddle a block boundary whose first row left", async () => {
    // Internal layout (sort-state.ts): a first build makes one block of these 3,000 rows; the
    // first insert splits it into blocks of 1,024, so block 1 starts at sorted position 1,024.
    const { g, m, rowsAt } = source();
    const rows = new Map<number, Row>();
    const row = (px: number): Row => ({ Sym: null, K: null, Px: px, Size: 0n, Flag: null });
    for (let k = 0; k < 3000; k++) rows.set(k, row(2 * k));
    m.reset(rowsAt([...rows.keys()], rows));
    await g.runCycle();
    const sorted = m.table.sort("Px");
    const px = () => colValues(sorted, "Px");
    const expected = () => [...rows.values()].map((r) => r.Px!).sort((a, b) => a - b);
    rows.set(3000, row(-1));
    m.delta(RowSet.EMPTY, rowsAt([3000], rows), rowsAt([], rows), []);
    await g.runCycle();
    expect(px()).toEqual(expected());
    // Block 0 ends at Px 2044, block 1 starts at Px 2046 (parent 1023), which leaves; new rows land
    // at the end of block 0 (2045) and where block 1's first row was (2046.5).
    rows.delete(1023);
    rows.set(3001, row(2045));
    rows.set(3002, row(2046.5));
    m.delta(RowSet.of(1023), rowsAt([3001, 3002], rows), rowsAt([], rows), []);
    await g.runCycle();
    expect(px()).toEqual(expected());
    const keys = sorted.rowSet.toArray();
    expect(keys.every((k, i) => Number.isInteger(k) && (i === 0 || k > keys[i - 1]!))).toBe(true);
    expect(sorted.column("Px").get(sorted.rowSet.get(1024))).toBe(2045);
    expect(sorted.column("Px").get(sorted.rowSet.get(1025))).toBe(2046.5);
  });

  it("keeps parent keys of 2^32 and above exactly (4-byte parents until one arrives)", async () => {
    const { g, m, rowsAt } = source();
    const rows = new Map<number, Row>();
    const row = (k: number, px: number): Row => ({ Sym: null, K: k, Px: px, Size: 0n, Flag: null });
    for (let k = 0; k < 50; k++) rows.set(k, row(k, (k * 37) % 50));
    m.reset(rowsAt([...rows.keys()], rows));
    await g.runCycle();
    const sorted = m.table.sort("Px");
    const expected = () =>
      [...rows.entries()].sort(([ka, a], [kb, b]) => a.Px! - b.Px! || ka - kb).map(([k]) => k);
    const big = [2 ** 32, 2 ** 40 + 3, 2 ** 52 + 1];
    big.forEach((k, i) => {
      rows.set(k, row(i, 10.5 + i));
    });
    rows.delete(3);
    m.delta(RowSet.of(3), rowsAt(big, rows), rowsAt([], rows), []);
    await g.runCycle();
    expect(colValues(sorted, "K")).toEqual(expected().map((k) => rows.get(k)!.K));
    expect(sorted.column("Px").get(sorted.rowSet.get(11))).toBe(10.5);
    rows.set(2 ** 40 + 3, row(1, -1));
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([2 ** 40 + 3], rows), ["Px"]);
    await g.runCycle();
    expect(colValues(sorted, "K")).toEqual(expected().map((k) => rows.get(k)!.K));
    expect(sorted.column("K").get(sorted.rowSet.first())).toBe(1);
  });

  it("a change at the top of a sorted view is one removed and one added key", async () => {
    const { g, m, rowsAt } = source();
    const rows = new Map<number, Row>();
    for (let k = 0; k < 100; k++)
      rows.set(k, { Sym: `s${k}`, K: k, Px: k, Size: BigInt(k), Flag: null });
    m.reset(rowsAt([...rows.keys()], rows));
    await g.runCycle();
    const top = m.table.sortDescending("Px");
    expect(top.isRefreshing && !top.isBlink && !top.isAddOnly).toBe(true);
    expect(colValues(top, "K").slice(0, 3)).toEqual([99, 98, 97]);
    const before = top.rowSet.toArray();
    const rec = record(top);
    // Previous values of the update's removed and modified keys, read during the cycle.
    const prevPx: (Value | undefined)[] = [];
    top.listen((u) => prevPx.push(top.column("Px").getPrev([...u.removed, ...u.modified][0]!)));
    // Row 5 jumps to the top.
    rows.set(5, { ...rows.get(5)!, Px: 1000 });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([5], rows), ["Px"]);
    await g.runCycle();
    expect(colValues(top, "K").slice(0, 3)).toEqual([5, 99, 98]);
    const u = rec.updates[0]!;
    expect(u.removed).toEqual([before[94]]);
    expect(u.added.length).toBe(1);
    expect(u.added[0]!).toBeLessThan(before[0]!);
    expect(u.modified).toEqual([]);
    // A size change that keeps the order is a modification of the same key.
    rows.set(7, { ...rows.get(7)!, Size: 70n });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([7], rows), ["Size"]);
    await g.runCycle();
    expect(rec.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [before[92]],
      modifiedColumns: ["Size"],
    });
    // A sort value that changes without moving the row keeps its key: a modification.
    rows.set(7, { ...rows.get(7)!, Px: 7.5 });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([7], rows), ["Px"]);
    await g.runCycle();
    expect(rec.updates[2]).toEqual({
      added: [],
      removed: [],
      modified: [before[92]],
      modifiedColumns: ["Px"],
    });
    // Read through the view during each cycle: the values as of before it.
    expect(prevPx).toEqual([5, 7, 7]);
  });

  it("head over a sorted view follows the top rows with minimal updates", async () => {
    const { g, m, rowsAt } = source();
    const rows = new Map<number, Row>();
    for (let k = 0; k < 100; k++)
      rows.set(k, { Sym: `s${k}`, K: k, Px: k, Size: BigInt(k), Flag: null });
    m.reset(rowsAt([...rows.keys()], rows));
    await g.runCycle();
    const sorted = m.table.sortDescending("Px");
    const top = sorted.head(3);
    // The head keeps its own sparse keys (top-n.ts), ascending in the sort's order.
    const keys = top.rowSet.toArray();
    expect(colValues(top, "K")).toEqual([99, 98, 97]);
    const rec = record(top);
    // A row enters the top: one added key; the row it pushes out: one removed key.
    rows.set(50, { ...rows.get(50)!, Px: 98.5 });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([50], rows), ["Px"]);
    await g.runCycle();
    expect(colValues(top, "K")).toEqual([99, 50, 98]);
    const entered = top.rowSet.toArray()[1]!;
    expect(entered).toBeGreaterThan(keys[0]!);
    expect(entered).toBeLessThan(keys[1]!);
    expect(rec.updates[0]).toEqual({
      added: [entered],
      removed: [keys[2]],
      modified: [],
      modifiedColumns: [],
    });
    // A change below the top leaves the head unchanged: no update.
    rows.set(10, { ...rows.get(10)!, Px: 10.5 });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([10], rows), ["Px"]);
    await g.runCycle();
    expect(rec.updates.length).toBe(1);
    // A value change in the top that keeps the order: a modification.
    rows.set(99, { ...rows.get(99)!, Sym: "top" });
    m.delta(RowSet.EMPTY, rowsAt([], rows), rowsAt([99], rows), ["Sym"]);
    await g.runCycle();
    expect(rec.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [keys[0]],
      modifiedColumns: ["Sym"],
    });
  });

  it("refuses i and ii downstream (positions move); a blink sort allows them", async () => {
    const g = new UpdateGraph();
    const [blink] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const ring = ringTable(blink, 10);
    expect(() => ring.sort("X").update("P = ii")).toThrow(FormulaError);
    expect(blink.sort("X").update("P = ii").isBlink).toBe(true);
  });

  it("sorts a blink table's current cycle", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32", S: "string" } });
    const s = blink.sortDescending("X");
    expect(s.isBlink).toBe(true);
    const rec = record(s);
    const prevS: Value[] = [];
    s.listen((u) => prevS.push(...[...u.removed].map((k) => s.column("S").getPrev(k))));
    pub.addRows([
      { X: 1, S: "a" },
      { X: 3, S: "b" },
      { X: 2, S: "c" },
    ]);
    await g.runCycle();
    expect(colValues(s, "S")).toEqual(["b", "c", "a"]);
    pub.addRows([
      { X: 0, S: "d" },
      { X: 5, S: "e" },
    ]);
    await g.runCycle();
    expect(colValues(s, "S")).toEqual(["e", "d"]);
    await g.runCycle();
    expect(s.size).toBe(0);
    expect(prevS).toEqual(["b", "c", "a", "e", "d"]);
    expect(rec.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [0, 1], removed: [0, 1, 2], modified: [], modifiedColumns: [] },
      { added: [], removed: [0, 1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("re-spreads keys when a gap runs out, reporting those rows as removed and added", async () => {
    const { g, m, rowsAt } = source();
    const rows = new Map<number, Row>();
    rows.set(0, { Sym: "a", K: 0, Px: 0, Size: 0n, Flag: true });
    rows.set(1, { Sym: "b", K: 1, Px: 1, Size: 1n, Flag: true });
    m.reset(rowsAt([0, 1], rows));
    await g.runCycle();
    const s = m.table.sort("Px");
    const model = replay(s);
    // Each new row sorts just above Px 0 (1/2, 1/4, ...): the same gap halves until it is full.
    for (let k = 2; k < 80; k++) {
      rows.set(k, { Sym: "x", K: k, Px: 2 ** -(k - 1), Size: BigInt(k), Flag: false });
      m.delta(RowSet.EMPTY, rowsAt([k], rows), rowsAt([], rows), []);
      await g.runCycle();
      model.check();
    }
    const px = colValues(s, "Px") as number[];
    expect(px).toEqual([...px].sort((a, b) => a - b));
    expect(px.length).toBe(80);
    expect(model.respreadSeen).toBe(true);
  });
});

/**
 * Follows `t`'s updates like a subscriber: a key -> row map updated by each update (removed rows'
 * previous values must match what the model held; added and modified rows read now); checks it
 * equals `t`'s rows after each cycle.
 */
function replay(t: Table) {
  const state = new Map<number, Record<string, Value>>();
  const keyRows = (tt: Table) => {
    const rs = tt.toRows();
    return new Map(tt.rowSet.toArray().map((k, i) => [k, rs[i]!]));
  };
  for (const [k, r] of keyRows(t)) state.set(k, r);
  const prevRow = (k: number) =>
    Object.fromEntries(t.columnNames.map((n) => [n, t.column(n).getPrev(k)]));
  const curRow = (k: number) =>
    Object.fromEntries(t.columnNames.map((n) => [n, t.column(n).get(k)]));
  const out = {
    respreadSeen: false,
    check: () => expect([...state.entries()]).toEqual([...keyRows(t)]),
  };
  t.listen((u) => {
    for (const k of u.removed) {
      expect(prevRow(k)).toEqual(state.get(k));
      state.delete(k);
    }
    for (const k of u.modified) {
      expect(prevRow(k)).toEqual(state.get(k));
      state.set(k, curRow(k));
    }
    if (u.removed.size > 0 && u.added.size > u.removed.size) out.respreadSeen = true;
    for (const k of u.added) state.set(k, curRow(k));
    const sorted = [...state.entries()].sort((a, b) => a[0] - b[0]);
    state.clear();
    for (const [k, r] of sorted) state.set(k, r);
  });
  return out;
}

/** Reference order: the rows sorted by the columns (ties by parent key). */
function reference(rows: Map<number, Row>, by: (keyof Row)[], desc: boolean[]): Row[] {
  const cmpV = (a: Row[keyof Row], b: Row[keyof Row]): number => {
    if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
    if (typeof a === "number" && typeof b === "number") return cmpNum(a, b);
    if (typeof a === "boolean") return Number(a) - Number(b);
    return a < b ? -1 : a > b ? 1 : 0;
  };
  return [...rows.entries()]
    .sort(([ka, a], [kb, b]) => {
      for (let i = 0; i < by.length; i++) {
        const r = cmpV(a[by[i]!], b[by[i]!]);
        if (r !== 0) return desc[i] ? -r : r;
      }
      return ka - kb;
    })
    .map(([, r]) => r);
}

const rowArb = fc.record({
  Sym: fc.option(fc.constantFrom("A", "B", "\u{1F600}", "\uFF01", "b"), { nil: null }),
  K: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
  Px: fc.option(
    fc.oneof(
      fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY),
      fc.integer({ min: -5, max: 5 }).map((x) => x / 2),
    ),
    { nil: null },
  ),
  Size: fc.bigInt({ min: -4n, max: 4n }),
  Flag: fc.option(fc.boolean(), { nil: null }),
});
const cycleArb = fc.record({
  remove: fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 6 }),
  add: fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), rowArb), { maxLength: 10 }),
  modify: fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), rowArb), { maxLength: 6 }),
  modCols: fc.subarray(NAMES, { minLength: 1 }),
});
const specArb = fc.record({
  by: fc.subarray(NAMES, { minLength: 1, maxLength: 3 }),
  desc: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
});

describe("sort property: incremental == from scratch after every cycle", () => {
  it("over random adds, removes and modifies (ties, nulls, NaN, -0, strings, bools)", async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb,
        fc.array(cycleArb, { minLength: 1, maxLength: 12 }),
        async (spec, cycles) => {
          const { g, m, rowsAt } = source();
          const order = spec.by.map((_, i) => (spec.desc[i] ? "desc" : "asc") as "asc" | "desc");
          const s = m.table.sort(spec.by, order);
          const model = replay(s);
          const rows = new Map<number, Row>();
          for (const c of cycles) {
            const removed = [...new Set(c.remove)].filter((k) => rows.has(k));
            for (const k of removed) rows.delete(k);
            const added: number[] = [];
            for (const [k, r] of c.add) {
              if (rows.has(k) && !removed.includes(k)) continue;
              if (!added.includes(k)) added.push(k);
              rows.set(k, r);
            }
            const modified: number[] = [];
            for (const [k, r] of c.modify) {
              if (!rows.has(k) || added.includes(k) || modified.includes(k)) continue;
              modified.push(k);
              const next = { ...rows.get(k)! };
              for (const n of c.modCols) (next as Record<string, unknown>)[n] = r[n];
              rows.set(k, next);
            }
            m.delta(
              RowSet.fromKeys(removed),
              rowsAt(added, rows),
              rowsAt(modified, rows),
              c.modCols,
            );
            await g.runCycle();
            const want = reference(rows, spec.by, spec.desc);
            expect(s.toRows()).toEqual(want);
            expect(m.table.snapshot().sort(spec.by, order).toRows()).toEqual(want);
            model.check();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe("sort property above the first-pass size (64-bit keys by word)", () => {
  // 70,000 float64 rows built from their storage words: high words varying only in chosen bits
  // below the first pass's 16 (low byte, high byte, both, none), few low words (runs of equal high
  // words, short and long), nulls, NaN, -0, both orders, alone and after an int32 column.
  const spec = fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    vary: fc.constantFrom(0x00ff, 0xff00, 0xffff, 0x0000, 0x0f0f),
    tops: fc.integer({ min: 1, max: 4 }),
    lows: fc.integer({ min: 1, max: 80 }),
    desc: fc.boolean(),
  });
  it("equals a comparison sort", () => {
    fc.assert(
      fc.property(spec, ({ seed, vary, tops, lows, desc }) => {
        let st = seed;
        const next = () => {
          st = (Math.imul(st, 1103515245) + 12345) >>> 0;
          return st;
        };
        const n = 70_000;
        const buf = new Float64Array(1);
        const w = new Uint32Array(buf.buffer);
        const special = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY];
        const ds = Array.from({ length: n }, (_, i) => {
          if (i % 211 === 0) return null;
          if (i % 97 === 0) return special[i % 4]!;
          const top = [0x4010, 0xc010, 0x3ff0, 0x4100][next() % tops]!;
          w[1] = ((top << 16) | (next() & vary)) >>> 0;
          w[0] = next() % lows;
          return buf[0]!;
        });
        const ks = Array.from({ length: n }, (_, i) => (i * 7) % 3);
        const t = newTable([
          doubleCol("D", ds),
          intCol("K", ks),
          intCol(
            "Id",
            ds.map((_, i) => i),
          ),
        ]);
        const sign = desc ? -1 : 1;
        const byD = (a: number, b: number) => sign * cmpNull(ds[a]!, ds[b]!);
        const ids = ds.map((_, i) => i);
        const order = desc ? "desc" : "asc";
        expect(colValues(t.sort("D", order), "Id")).toEqual(
          [...ids].sort((a, b) => byD(a, b) || a - b),
        );
        expect(colValues(t.sort(["D", "K"], order), "Id")).toEqual(
          [...ids].sort((a, b) => byD(a, b) || sign * (ks[a]! - ks[b]!) || a - b),
        );
      }),
      { numRuns: 12 },
    );
  });
});

describe("sort property at block scale (many blocks, radix batches, re-spreads)", () => {
  const bigCycle = fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    removes: fc.integer({ min: 0, max: 1500 }),
    adds: fc.integer({ min: 0, max: 1000 }),
    modifies: fc.integer({ min: 0, max: 1500 }),
    modCols: fc.subarray(NAMES, { minLength: 1 }),
  });
  it("thousands of rows, batches of hundreds", async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb,
        fc.array(bigCycle, { minLength: 1, maxLength: 5 }),
        async (spec, cycles) => {
          const { g, m, rowsAt } = source();
          const order = spec.by.map((_, i) => (spec.desc[i] ? "desc" : "asc") as "asc" | "desc");
          const s = m.table.sort(spec.by, order);
          const model = replay(s);
          const rows = new Map<number, Row>();
          let next = 0;
          for (const c of cycles) {
            let x = c.seed;
            const rand = (n: number) => {
              x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
              return x % n;
            };
            const row = (): Row => ({
              Sym: rand(9) === 0 ? null : `s${rand(40)}`,
              K: rand(9) === 0 ? null : rand(50) - 25,
              Px: rand(13) === 0 ? Number.NaN : rand(500) / 4,
              Size: BigInt(rand(100)),
              Flag: rand(5) === 0 ? null : rand(2) === 1,
            });
            const live = [...rows.keys()];
            const removed = [...new Set(live.filter(() => rand(live.length + 1) < c.removes))];
            for (const k of removed) rows.delete(k);
            const added: number[] = [];
            for (let i = 0; i < c.adds * 2; i++) {
              const k = next++;
              rows.set(k, row());
              added.push(k);
            }
            const fresh = new Set(added);
            const stay = [...rows.keys()].filter((k) => !fresh.has(k));
            const modified = [...new Set(stay.filter(() => rand(stay.length + 1) < c.modifies))];
            for (const k of modified) {
              const r = row();
              const nextRow = { ...rows.get(k)! };
              for (const n of c.modCols) (nextRow as Record<string, unknown>)[n] = r[n];
              rows.set(k, nextRow);
            }
            m.delta(
              RowSet.fromKeys(removed),
              rowsAt(added, rows),
              rowsAt(modified, rows),
              c.modCols,
            );
            await g.runCycle();
            expect(s.toRows()).toEqual(reference(rows, spec.by, spec.desc));
            model.check();
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it("a ring fed batches equals a sort of its snapshot after every cycle", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { Px: "float64", Id: "int32" } });
    const ring = ringTable(blink, 3000);
    const s = ring.sortDescending("Px");
    const model = replay(s);
    let id = 0;
    for (let c = 0; c < 8; c++) {
      pub.addRows(Array.from({ length: 1000 }, () => ({ Px: ((id * 7919) % 1009) / 8, Id: id++ })));
      await g.runCycle();
      expect(s.toRows()).toEqual(ring.snapshot().sortDescending("Px").toRows());
      model.check();
    }
  });
});

describe("sort property over a ring (evicted rows dropped by the merge, inline comparisons)", () => {
  const valueArb = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -20, max: 20 }).map((x) => x / 4) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        Number.NaN,
        -0,
        0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ),
    },
  );
  const batchArb = fc.record({
    size: fc.integer({ min: 0, max: 700 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    nulls: fc.boolean(),
  });
  it("equals a sort of the ring's snapshot after every cycle, float64 and int32, both orders", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("Px", "K"),
        fc.boolean(),
        fc.integer({ min: 1, max: 2500 }),
        fc.array(batchArb, { minLength: 1, maxLength: 8 }),
        fc.array(valueArb, { minLength: 2, maxLength: 30 }),
        async (col, desc, capacity, batches, pool) => {
          const g = new UpdateGraph();
          const [blink, pub] = tablePublisher(g, {
            name: "p",
            columns: { Px: "float64", K: "int32", Id: "int32" },
          });
          const ring = ringTable(blink, capacity);
          const s = desc ? ring.sortDescending(col) : ring.sort(col);
          const top = s.head(5);
          const model = replay(s);
          let id = 0;
          for (const b of batches) {
            let x = b.seed;
            const rand = (n: number) => {
              x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
              return x % n;
            };
            pub.addRows(
              Array.from({ length: b.size }, () => {
                const px = pool[rand(pool.length)]!;
                const null_ = b.nulls && rand(10) === 0;
                return {
                  Px: null_ ? null : px,
                  K: null_ ? null : Number.isFinite(px) ? Math.trunc(px * 4) : rand(3) - 1,
                  Id: id++,
                };
              }),
            );
            await g.runCycle();
            const want = desc
              ? ring.snapshot().sortDescending(col).toRows()
              : ring.snapshot().sort(col).toRows();
            expect(s.toRows()).toEqual(want);
            expect(top.toRows()).toEqual(want.slice(0, 5));
            model.check();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe("sort of a ring at block scale (blocks rebuilt every cycle, their arrays reused)", () => {
  it("equals a sort of the ring's snapshot after every cycle", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { Px: "float64", Id: "int32" } });
    const ring = ringTable(blink, 30_000);
    const s = ring.sortDescending("Px");
    const model = replay(s);
    let id = 0;
    let x = 7;
    const special = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let c = 0; c < 9; c++) {
      pub.addRows(
        Array.from({ length: c < 3 ? 10_000 : 3_000 + 500 * c }, () => {
          x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
          const px = x % 53 === 0 ? special[x % 5]! : (x % 4001) / 8;
          return { Px: px, Id: id++ };
        }),
      );
      await g.runCycle();
      expect(s.toRows()).toEqual(ring.snapshot().sortDescending("Px").toRows());
      model.check();
    }
  }, 60_000);
});

describe("sort of a ring whose first cycles exceed the kept scratch arrays", () => {
  it("equals a sort of the ring's snapshot after a 150,000-row cycle, then small ones", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { Px: "float64", Id: "int32" } });
    const ring = ringTable(blink, 200_000);
    const s = ring.sortDescending("Px");
    const top = s.head(3);
    const model = replay(s);
    let x = 7;
    let id = 0;
    // 150,000 rows (more than the scratch kept across cycles), 160,000 (evicting 110,000), then
    // cycles small enough for the kept arrays, one after a cycle that did not keep them.
    for (const size of [150_000, 160_000, 5_000, 7_000, 140_000, 3_000]) {
      pub.addRows(
        Array.from({ length: size }, () => {
          x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
          return { Px: (x % 100_003) / 16, Id: id++ };
        }),
      );
      await g.runCycle();
      const want = ring.snapshot().sortDescending("Px").toRows();
      expect(s.size).toBe(Math.min(id, 200_000));
      expect(s.toRows()).toEqual(want);
      expect(top.toRows()).toEqual(want.slice(0, 3));
      model.check();
    }
  }, 120_000);
});

describe("a mirror of a sorted view (sparse keys)", () => {
  it("stores rows at dense slots, reads them in key order, 16 bytes a key", async () => {
    const g = new UpdateGraph();
    const m = mirrorTable(g, { X: "float64" });
    const keys = Array.from({ length: 1000 }, (_, i) => 2 ** 51 + i * 2 ** 32);
    const xs = keys.map((_, i) => 1000 - i);
    m.reset({ keys: RowSet.fromKeys(keys), vecs: [vecFromValues("float64", xs, "X")] });
    await g.runCycle();
    expect(colValues(m.table, "X")).toEqual(xs);
    expect(m.table.column("X").heapBytes).toBe(1000 * 16 + 32);
    // A row to the top: one removed key, one added key before the first.
    const rec = record(m.table);
    const prev: Value[] = [];
    m.table.listen((u) => prev.push(...[...u.removed].map((k) => m.table.column("X").getPrev(k))));
    m.delta(
      RowSet.of(keys[500]!),
      { keys: RowSet.of(2 ** 50), vecs: [vecFromValues("float64", [5000], "X")] },
      { keys: RowSet.of(keys[0]!), vecs: [vecFromValues("float64", [999.5], "X")] },
      ["X"],
    );
    await g.runCycle();
    expect(colValues(m.table, "X").slice(0, 3)).toEqual([5000, 999.5, 999]);
    expect(m.table.size).toBe(1000);
    expect(prev).toEqual([500]);
    expect(rec.updates).toEqual([
      { added: [2 ** 50], removed: [keys[500]], modified: [keys[0]], modifiedColumns: ["X"] },
    ]);
  });
});

describe("sort property over a blink parent and chained views", () => {
  it("each cycle's rows sorted, equal to a static sort of the cycle; a sort of a sort re-sorts", async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb,
        fc.array(fc.array(rowArb, { maxLength: 30 }), { minLength: 1, maxLength: 6 }),
        async (spec, cycles) => {
          const g = new UpdateGraph();
          const [blink, pub] = tablePublisher(g, { name: "p", columns: SCHEMA });
          const order = spec.by.map((_, i) => (spec.desc[i] ? "desc" : "asc") as "asc" | "desc");
          const s = blink.sort(spec.by, order);
          const resorted = s.sortDescending("Size").where("Flag == null || Flag");
          for (const rows of cycles) {
            if (rows.length > 0) pub.addRows(rows);
            await g.runCycle();
            const byKey = new Map(rows.map((r, i) => [i, r]));
            expect(s.toRows()).toEqual(reference(byKey, spec.by, spec.desc));
            expect(resorted.toRows()).toEqual(
              reference(byKey, spec.by, spec.desc)
                .map((r, i) => ({ r, i }))
                .sort((a, b) => (a.r.Size < b.r.Size ? 1 : a.r.Size > b.r.Size ? -1 : a.i - b.i))
                .map((e) => e.r)
                .filter((r) => r.Flag !== false),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
