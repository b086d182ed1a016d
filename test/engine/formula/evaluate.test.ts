import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/engine/errors.ts";
import { compileFormula } from "../../../src/engine/formula/index.ts";
import { col, ctxOf, fromVecOf, ints, longs, run, strs, toVecOf, values } from "./helpers.ts";

describe("i and ii", () => {
  it("are the row position, offset by the batch position", () => {
    const i = run("R = i", {}, { rows: 3, ctx: { position: 100 } });
    expect(i.f.type).toBe("int32");
    expect(i.f.usesPosition).toBe(true);
    expect(i.f.columns).toEqual([]);
    expect(i.values).toEqual([100, 101, 102]);
    const ii = run("R = ii", {}, { rows: 3, ctx: { position: 100 } });
    expect(ii.f.type).toBe("int64");
    expect(ii.values).toEqual([100n, 101n, 102n]);
  });

  it("i wraps past 2^31 like a Java int; ii stays exact", () => {
    expect(values("R = i", {}, { rows: 3, ctx: { position: 2147483646 } })).toEqual([
      2147483646, 2147483647, -2147483648,
    ]);
    expect(values("R = ii", {}, { rows: 2, ctx: { position: 2 ** 40 } })).toEqual([
      2n ** 40n,
      2n ** 40n + 1n,
    ]);
    expect(values("R = ii * 1000000L", {}, { rows: 1, ctx: { position: 2 ** 40 } })).toEqual([
      2n ** 40n * 1000000n,
    ]);
  });

  it("work in expressions, as in the seeds", () => {
    expect(values("X = ii + 5", {}, { rows: 3 })).toEqual([5n, 6n, 7n]);
    expect(
      values("Group = ii % 2 == 0 ? `A` : `B`", {}, { rows: 3, ctx: { position: 1 } }),
    ).toEqual(["B", "A", "B"]);
    expect(values("R = i * 2.0", {}, { rows: 2, ctx: { position: 3 } })).toEqual([6, 8]);
    expect(run("R = 1 + 2", {}, {}).f.usesPosition).toBe(false);
  });
});

describe("batches", () => {
  const X = ints(1, 2, 3, 4);
  it("give the same results with and without a validity mask", () => {
    for (const text of [
      "R = X * 3 + 1",
      "R = X / 2",
      "R = X % 3",
      "R = (long) X * 2L",
      "R = X > 2",
    ]) {
      expect(values(text, { X }, { mask: "always" })).toEqual(values(text, { X }));
    }
    const L = longs(2n ** 60n, 5n);
    expect(values("R = L * 3L", { L }, { mask: "always" })).toEqual(values("R = L * 3L", { L }));
  });

  it("evaluate only `length` rows of longer inputs, including views at an offset", () => {
    const f = compileFormula("R = X + Y", { X: "int32", Y: "int32" }, "assign");
    const buf = Int32Array.of(9, 9, 1, 2, 3, 9);
    const x = { data: buf.subarray(2), valid: null, length: 4 };
    const y = {
      data: Int32Array.of(10, 20, 30, 40, 50),
      valid: Uint8Array.of(1, 0, 1, 1, 1),
      length: 5,
    };
    const out = f.evaluate([x, y], 3, ctxOf());
    expect(out.length).toBe(3);
    expect(fromVecOf(out, "int32")).toEqual([11, null, 33]);
  });

  it("return fresh arrays, never an input's or a cached constant's", () => {
    const x = toVecOf(ints(1, 2));
    for (const text of ["R = X + 0", "R = (int) X", "R = +X", "R = true ? X : X"]) {
      const out = compileFormula(text, { X: "int32" }, "assign").evaluate([x], 2, ctxOf());
      expect(out.data).not.toBe(x.data);
    }
    const c = compileFormula("R = 5", {}, "assign");
    const a = c.evaluate([], 2, ctxOf());
    const b = c.evaluate([], 2, ctxOf());
    expect(a.data).not.toBe(b.data);
    (a.data as Int32Array)[0] = 99;
    expect(fromVecOf(c.evaluate([], 3, ctxOf()), "int32")).toEqual([5, 5, 5]);
    const v = toVecOf(ints(1, null));
    const n = compileFormula("R = -X", { X: "int32" }, "assign").evaluate([v], 2, ctxOf());
    expect(n.valid).not.toBe(v.valid);
  });

  it("reuse a compiled formula across batches of different sizes", () => {
    const f = compileFormula("R = X * 2 + 1", { X: "int32" }, "assign");
    expect(fromVecOf(f.evaluate([toVecOf(ints(1, 2))], 2, ctxOf()), "int32")).toEqual([3, 5]);
    expect(fromVecOf(f.evaluate([toVecOf(ints(1, 2, 3, 4, 5))], 5, ctxOf()), "int32")).toEqual([
      3, 5, 7, 9, 11,
    ]);
    expect(fromVecOf(f.evaluate([toVecOf(ints(7))], 1, ctxOf()), "int32")).toEqual([15]);
  });

  it("produce the storage of each result type", () => {
    const cases: [string, new (...args: never[]) => unknown][] = [
      ["R = (byte) 1", Int8Array],
      ["R = (short) 1", Int16Array],
      ["R = 1", Int32Array],
      ["R = 1L", BigInt64Array],
      ["R = 1f", Float32Array],
      ["R = 1.0", Float64Array],
      ["R = true", Uint8Array],
      ["R = 'c'", Uint16Array],
      ["R = now()", BigInt64Array],
      ["R = `s`", Array],
    ];
    for (const [text, ctor] of cases) {
      expect(compileFormula(text, {}, "assign").evaluate([], 2, ctxOf()).data).toBeInstanceOf(ctor);
    }
  });

  it("rejects too few inputs", () => {
    const f = compileFormula("R = X", { X: "int32" }, "assign");
    expect(() => f.evaluate([], 1, ctxOf())).toThrow(ArgumentError);
  });
});

describe("compiled formula metadata", () => {
  it("assignment target, type and input columns in first-reference order", () => {
    const f = compileFormula(
      "Total = B + A * B",
      { A: "int32", B: "int64", C: "string" },
      "assign",
    );
    expect(f.text).toBe("Total = B + A * B");
    expect(f.target).toBe("Total");
    expect(f.type).toBe("int64");
    expect(f.columns).toEqual(["B", "A"]);
    expect(f.sourceColumn).toBe(null);
    expect(f.usesPosition).toBe(false);
    expect(f.usesVolatile).toBe(false);
  });

  it("a bare column reference is a pass-through sharing the input", () => {
    const bare = compileFormula("X", { X: "string" }, "assign");
    expect(bare.target).toBe("X");
    expect(bare.sourceColumn).toBe("X");
    expect(bare.type).toBe("string");
    const renamed = compileFormula("Y = X", { X: "int64" }, "assign");
    expect(renamed.target).toBe("Y");
    expect(renamed.sourceColumn).toBe("X");
    expect(compileFormula("Y = (X)", { X: "int64" }, "assign").sourceColumn).toBe("X");
    expect(compileFormula("Y = X + 0", { X: "int64" }, "assign").sourceColumn).toBe(null);
    expect(compileFormula("Y = (long) X", { X: "int64" }, "assign").sourceColumn).toBe(null);
    const x = toVecOf(longs(1n, null));
    const out = renamed.evaluate([x], 2, ctxOf());
    expect(fromVecOf(out, "int64")).toEqual([1n, null]);
    const longer = toVecOf(strs("a", "b", "c"));
    expect(fromVecOf(bare.evaluate([longer], 2, ctxOf()), "string")).toEqual(["a", "b"]);
  });

  it("filters have no target and type bool", () => {
    const f = compileFormula("X > 5 && Sym == `AAPL`", { Sym: "string", X: "int32" }, "filter");
    expect(f.target).toBe(null);
    expect(f.type).toBe("bool");
    expect(f.columns).toEqual(["X", "Sym"]);
    expect(f.sourceColumn).toBe(null);
    const B = compileFormula("B", { B: "bool" }, "filter");
    expect(B.target).toBe(null);
    expect(B.type).toBe("bool");
  });

  it("every column type reads back unchanged", () => {
    const cols = {
      a: col("int8", [-128, null]),
      b: col("int16", [32767, null]),
      c: col("int32", [-1, null]),
      d: col("int64", [-(2n ** 63n), null]),
      e: col("float32", [1.5, null]),
      f: col("float64", [Number.NaN, null]),
      g: col("bool", [true, null]),
      h: col("char", ["z", null]),
      s: col("string", ["x", null]),
      t: col("instant", [1704067200123456789n, null]),
    };
    for (const [name, c] of Object.entries(cols)) {
      const out = values(`R = true ? ${name} : ${name}`, cols);
      expect(out).toEqual(c.values);
    }
  });
});
