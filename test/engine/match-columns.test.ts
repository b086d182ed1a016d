import { describe, expect, it } from "vitest";
import { doubleCol, intCol, newTable, stringCol } from "../../src/engine/index.ts";
import {
  columnEntries,
  columnPairs,
  joinedPairs,
  matchPairs,
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
});
