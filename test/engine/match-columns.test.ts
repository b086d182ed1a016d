import { describe, expect, it } from "vitest";
import { doubleCol, intCol, newTable, stringCol } from "../../src/engine/index.ts";
import {
  asOfMatch,
  columnEntries,
  columnPairs,
  joinedPairs,
  matchPairs,
  parseStampEntry,
} from "../../src/engine/ops/match-columns.ts";

const left = newTable([stringCol("Sym", ["A"]), intCol("Size", [1]), doubleCol("Px", [1.5])]);
const right = newTable([stringCol("Sym", ["A"]), doubleCol("Bid", [1]), doubleCol("Px", [2])]);

describe("column lists of relational operations", () => {
  it("accepts a comma-separated string or an array of them", () => {
    expect(columnEntries("Sym, Exch", "op")).toEqual(["Sym", "Exch"]);
    expect(columnEntries(["Sym", "A, B"], "op")).toEqual(["Sym", "A", "B"]);
    expect(() => columnEntries("Sym,,B", "op")).toThrow('op: empty entry in column list "Sym,,B"');
  });

  it("parses bare names and L = R pairs", () => {
    expect(columnPairs("Sym, LastPx = Px", "op")).toEqual([
      { left: "Sym", right: "Sym" },
      { left: "LastPx", right: "Px" },
    ]);
    expect(() => columnPairs("A = B = C", "op")).toThrow('op: bad column entry "A = B = C"');
  });

  it("checks match columns exist with equal types", () => {
    expect(matchPairs(left, right, "Sym", "naturalJoin")).toEqual([{ left: "Sym", right: "Sym" }]);
    expect(() => matchPairs(left, right, "Nope", "naturalJoin")).toThrow(
      "naturalJoin: unknown left column [Nope]; left columns are [Sym, Size, Px]",
    );
    expect(() => matchPairs(left, right, "Size = Bid", "naturalJoin")).toThrow(
      'naturalJoin: match columns have different types: left "Size" is int32, right "Bid" is float64',
    );
  });

  it("defaults joined columns to the right's non-match columns and refuses clashes", () => {
    expect(() => joinedPairs(left, right, ["Sym"], undefined, "naturalJoin")).toThrow(
      'naturalJoin: the joined column "Px" already exists in the left table; rename it ("NewPx = Px")',
    );
    expect(joinedPairs(left, right, ["Sym"], "Bid, RPx = Px", "naturalJoin")).toEqual([
      { left: "Bid", right: "Bid" },
      { left: "RPx", right: "Px" },
    ]);
    expect(() => joinedPairs(left, right, ["Sym"], "Ask", "naturalJoin")).toThrow(
      "naturalJoin: unknown right column [Ask]; right columns are [Sym, Bid, Px]",
    );
  });

  it("parses an as-of join's stamp entry: >= / > for aj, <= / < for raj, or a bare name", () => {
    expect(parseStampEntry("Ts", "aj", "aj")).toEqual({ left: "Ts", right: "Ts", strict: false });
    expect(parseStampEntry("Ts >= QTs", "aj", "aj")).toEqual({
      left: "Ts",
      right: "QTs",
      strict: false,
    });
    expect(parseStampEntry("Ts>QTs", "aj", "aj")).toEqual({
      left: "Ts",
      right: "QTs",
      strict: true,
    });
    expect(parseStampEntry(" Ts <= QTs ", "raj", "raj")).toEqual({
      left: "Ts",
      right: "QTs",
      strict: false,
    });
    expect(parseStampEntry("Ts < QTs", "raj", "raj")).toEqual({
      left: "Ts",
      right: "QTs",
      strict: true,
    });
    expect(() => parseStampEntry("Ts <= QTs", "aj", "aj")).toThrow(
      'aj: the stamp entry "Ts <= QTs" uses "<="; aj takes ">=" or ">" ("Ts >= QuoteTs"), or a bare name',
    );
    expect(() => parseStampEntry("Ts = QTs", "raj", "raj")).toThrow(
      'raj: the stamp entry "Ts = QTs" uses "="; raj takes "<=" or "<" ("Ts <= QuoteTs"), or a bare name',
    );
    expect(() => parseStampEntry("Ts >= ", "aj", "aj")).toThrow('aj: bad stamp entry "Ts >= "');
    expect(() => parseStampEntry("Ts >> Q", "aj", "aj")).toThrow('aj: bad stamp entry "Ts >> Q"');
  });

  it("checks an as-of join's exact and stamp columns", () => {
    const t = newTable([stringCol("Sym", ["A"]), intCol("Ts", [1]), doubleCol("Px", [1])]);
    const q = newTable([stringCol("Sym", ["A"]), intCol("QTs", [1]), doubleCol("D", [1])]);
    expect(asOfMatch(t, q, "Sym, Ts >= QTs", "aj", "aj")).toEqual({
      exact: [{ left: "Sym", right: "Sym" }],
      stamp: { left: "Ts", right: "QTs", strict: false },
    });
    expect(asOfMatch(t, q, ["Ts > QTs"], "aj", "aj").exact).toEqual([]);
    expect(() => asOfMatch(t, q, "Sym, Px >= D, Ts >= QTs", "aj", "aj")).toThrow(
      'aj: bad column entry "Px >= D": expected "Name" or "L = R"',
    );
    expect(() => asOfMatch(t, q, "Sym, Ts >= Nope", "aj", "aj")).toThrow(
      "aj: unknown right column [Nope]; right columns are [Sym, QTs, D]",
    );
    expect(() => asOfMatch(t, q, "Sym, Px < QTs", "raj", "raj")).toThrow(
      'raj: stamp columns have different types: left "Px" is float64, right "QTs" is int32',
    );
    expect(() => asOfMatch(t, q, "Sym = D, Ts >= QTs", "aj", "aj")).toThrow(
      'aj: match columns have different types: left "Sym" is string, right "D" is float64',
    );
  });
});
