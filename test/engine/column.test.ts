import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import { arrayKeys } from "../../src/engine/column-source.ts";
import { RowSet } from "../../src/engine/row-set.ts";
import { Tracker } from "./cycle-tracker.ts";

describe("PagedColumn", () => {
  it("reads back what was written across pages, with nulls", () => {
    const c = new PagedColumn("int32");
    const n = PAGE_SIZE * 2 + 10;
    const data = Int32Array.from({ length: n }, (_, i) => i * 3);
    const valid = new Uint8Array(n).fill(1);
    valid[5] = 0;
    valid[PAGE_SIZE + 1] = 0;
    c.writeRun(0, { data, valid, length: n });
    expect(c.get(4)).toBe(12);
    expect(c.get(5)).toBeNull();
    expect(c.get(PAGE_SIZE + 1)).toBeNull();
    expect(c.get(n - 1)).toBe((n - 1) * 3);
    const v = c.run(PAGE_SIZE, 4);
    expect(Array.from(v.data as Int32Array)).toEqual([
      PAGE_SIZE * 3,
      (PAGE_SIZE + 1) * 3,
      (PAGE_SIZE + 2) * 3,
      (PAGE_SIZE + 3) * 3,
    ]);
    expect(Array.from(v.valid!)).toEqual([1, 0, 1, 1]);
    const g = c.getChunk(arrayKeys([n - 1, 5, 0]));
    expect([(g.data as Int32Array)[0], (g.data as Int32Array)[2]]).toEqual([(n - 1) * 3, 0]);
    expect(Array.from(g.valid!)).toEqual([1, 0, 1]);
  });

  it("allocates no validity mask while there are no nulls", () => {
    const c = new PagedColumn("float64");
    c.writeRun(0, {
      data: new Float64Array([1, 2, 3]),
      valid: new Uint8Array([1, 1, 1]),
      length: 3,
    });
    expect(c.run(0, 3).valid).toBeNull();
    c.setRaw(1, null);
    expect(Array.from(c.run(0, 3).valid!)).toEqual([1, 0, 1]);
  });

  it("presents bool, char, int64 and string values", () => {
    const b = new PagedColumn("bool");
    b.setRaw(0, 1);
    b.setRaw(1, 0);
    expect([b.get(0), b.get(1)]).toEqual([true, false]);
    const ch = new PagedColumn("char");
    ch.setRaw(0, "é".charCodeAt(0));
    expect(ch.get(0)).toBe("é");
    const l = new PagedColumn("int64");
    l.setRaw(3, 2n ** 63n - 1n);
    expect(l.get(3)).toBe(2n ** 63n - 1n);
    const s = new PagedColumn("string");
    s.writeRun(PAGE_SIZE - 1, { data: ["a", "b"], valid: new Uint8Array([1, 0]), length: 2 });
    expect([s.get(PAGE_SIZE - 1), s.get(PAGE_SIZE)]).toEqual(["a", null]);
  });

  it("keeps previous values of overwritten and released pages until the cycle ends", () => {
    const t = new Tracker();
    const c = new PagedColumn("int32", t);
    c.writeRun(0, { data: new Int32Array([1, 2, 3]), valid: null, length: 3 });
    t.end();
    // Cycle 2: overwrite key 0..1 (blink-style key reuse).
    c.writeRun(0, { data: new Int32Array([10, 20]), valid: null, length: 2 });
    expect(c.get(0)).toBe(10);
    expect(c.getPrev(0)).toBe(1);
    expect(c.getPrev(2)).toBe(3);
    expect(Array.from(c.run(0, 3, true).data as Int32Array)).toEqual([1, 2, 3]);
    t.end();
    expect(c.getPrev(0)).toBe(10);
    // Cycle 3: release every key; the page stays readable as previous until the cycle ends.
    c.release(RowSet.flat(3), RowSet.EMPTY);
    expect(c.get(1)).toBeNull();
    expect(c.getPrev(1)).toBe(20);
    t.end();
    expect(c.pageCount).toBe(0);
  });

  it("writes a run in place: previous values kept, nulls set after, appends past the written slots", () => {
    const t = new Tracker();
    const c = new PagedColumn("float64", t);
    c.writeRun(0, { data: new Float64Array([1, 2, 3]), valid: null, length: 3 });
    t.end();
    // Cycle 2: rewrite keys 1..2 in place (one null), and append keys 3..4 after the written slots.
    const d = c.writableRun(1, 2);
    d[0] = 20;
    d[1] = 30;
    c.setRunValidity(1, Uint8Array.from([1, 0]), 2);
    const e = c.writableRun(3, 2) as Float64Array;
    e.set([40, 50]);
    c.setRunValidity(3, null, 2);
    expect([0, 1, 2, 3, 4].map((k) => c.get(k))).toEqual([1, 20, null, 40, 50]);
    expect([0, 1, 2].map((k) => c.getPrev(k))).toEqual([1, 2, 3]);
    t.end();
    // Cycle 3: a run over the null slot, all valid.
    c.writableRun(2, 1)[0] = 33;
    c.setRunValidity(2, null, 1);
    expect([1, 2, 3].map((k) => c.get(k))).toEqual([20, 33, 40]);
    expect(c.getPrev(2)).toBeNull();
    expect(() => c.writableRun(PAGE_SIZE - 1, 2)).toThrow(RangeError);
    expect(() => new PagedColumn("string").writableRun(0, 1)).toThrow(TypeError);
  });

  it("releases only pages with no live key", () => {
    const c = new PagedColumn("int8");
    const n = PAGE_SIZE * 3;
    c.writeRun(0, { data: new Int8Array(n), valid: null, length: n });
    c.release(RowSet.range(0, PAGE_SIZE + 5), RowSet.range(PAGE_SIZE + 5, n));
    expect(c.pageCount).toBe(2);
  });

  it("takes storage exactly as long as the rows (a short last page) and widens it on a write", () => {
    const n = PAGE_SIZE + 10;
    const data = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    const valid = new Uint8Array(n).fill(1);
    valid[PAGE_SIZE + 3] = 0;
    const c = new PagedColumn("float64");
    c.takeStorage({ data, valid, length: n });
    expect(c.get(PAGE_SIZE + 2)).toBe(PAGE_SIZE + 2.5);
    expect(c.get(PAGE_SIZE + 3)).toBeNull();
    expect(Array.from(c.run(PAGE_SIZE + 8, 2).data as Float64Array)).toEqual([
      PAGE_SIZE + 8.5,
      PAGE_SIZE + 9.5,
    ]);
    // Writes past the short page's end land in a whole page; earlier values stay.
    c.setRaw(PAGE_SIZE + 100, 7);
    c.writeRun(PAGE_SIZE * 2 - 2, { data: Float64Array.of(1, 2), valid: null, length: 2 });
    c.setRaw(PAGE_SIZE + 4, null);
    expect(c.get(PAGE_SIZE + 2)).toBe(PAGE_SIZE + 2.5);
    expect(c.get(PAGE_SIZE + 3)).toBeNull();
    expect(c.get(PAGE_SIZE + 4)).toBeNull();
    expect(c.get(PAGE_SIZE + 100)).toBe(7);
    expect(c.get(PAGE_SIZE * 2 - 1)).toBe(2);
    expect(c.pageCount).toBe(2);
    // Strings: one short page taken whole, then written under a tracker (previous values kept).
    const t = new Tracker();
    const s = new PagedColumn("string", t);
    s.takeStorage({ data: ["a", "b", "c"], valid: null, length: 3 });
    t.end();
    s.setRaw(1, "B");
    s.setRaw(3000, "z");
    expect([s.get(0), s.get(1), s.get(2), s.get(3000)]).toEqual(["a", "B", "c", "z"]);
    expect(s.getPrev(1)).toBe("b");
    t.end();
    expect(s.getPrev(1)).toBe("B");
    expect(() => s.takeStorage({ data: ["x"], valid: null, length: 1 })).toThrow(
      "takeStorage: the column has pages",
    );
    expect(() =>
      new PagedColumn("int32").takeStorage({ data: new Int32Array(5), valid: null, length: 3 }),
    ).toThrow("not page-sized");
  });

  it("copies taken storage (a caller's buffer) into a page of its own before writing to it", () => {
    const n = PAGE_SIZE * 2;
    const data = Float64Array.from({ length: n }, (_, i) => i);
    const before = data.slice();
    const t = new Tracker();
    const c = new PagedColumn("float64", t);
    c.takeStorage({ data, valid: null, length: n });
    t.end();
    c.setRaw(5, -1);
    c.writeRun(PAGE_SIZE + 1, { data: Float64Array.of(-2, -3), valid: null, length: 2 });
    c.setRaw(PAGE_SIZE + 9, null);
    expect([c.get(5), c.get(6), c.get(PAGE_SIZE + 2), c.get(PAGE_SIZE + 9)]).toEqual([
      -1,
      6,
      -3,
      null,
    ]);
    expect(c.getPrev(5)).toBe(5);
    expect(c.getPrev(PAGE_SIZE + 9)).toBe(PAGE_SIZE + 9);
    expect(data).toEqual(before);
  });
});
