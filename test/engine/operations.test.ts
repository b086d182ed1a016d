// The operation registry: every descriptor is installed as a `Table` method with the typed
// signature of its `apply`, and the spec language accepts and checks exactly the registered
// calls, by each descriptor's parameter declaration.
import { describe, expect, expectTypeOf, it } from "vitest";
import { CHAIN_METHODS } from "../../src/engine/family/chain-eval.ts";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import type { PartitionedTable } from "../../src/engine/index.ts";
import { intCol, newTable, Table, UpdateGraph } from "../../src/engine/index.ts";
import { FUNCTIONS, METHODS, OPERATIONS } from "../../src/engine/operations.ts";

const trades = { Sym: "string", Price: "float64", Size: "int64" };

function specMessage(derived: string): string {
  try {
    buildFamily({ columns: trades, derived: { r: derived } }, new UpdateGraph());
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).message;
  }
  throw new Error(`expected a SpecError for ${derived}`);
}

describe("operation registry", () => {
  it("installs every method descriptor on Table, once, by name", () => {
    const names = OPERATIONS.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const op of METHODS.values()) {
      expect(typeof (Table.prototype as unknown as Record<string, unknown>)[op.name]).toBe(
        "function",
      );
    }
    expect([...FUNCTIONS.keys()]).toEqual([
      "ringTable",
      "blinkToAppendOnly",
      "timeWindow",
      "merge",
    ]);
    const t = newTable([intCol("X", [1, 2, 3])]);
    expect(t.where("X > 1").head(1).toRows()).toEqual([{ X: 2 }]);
  });

  it("types each method from its descriptor's apply", () => {
    const t = newTable([intCol("X", [1])]);
    expectTypeOf(t.head).parameters.toEqualTypeOf<[n: number]>();
    expectTypeOf(t.update).parameters.toEqualTypeOf<(string | string[])[]>();
    expectTypeOf(t.countBy).parameters.toEqualTypeOf<
      [name: string, ...keys: (string | string[])[]]
    >();
    expectTypeOf(t.partitionBy).returns.toEqualTypeOf<PartitionedTable>();
    // @ts-expect-error a row count is a number
    expect(() => t.head("1")).toThrow("head: row count must be a non-negative integer, got 1");
  });

  it("lets the spec language use the methods marked for it, and no others", () => {
    expect(CHAIN_METHODS).toEqual([...METHODS.values()].filter((o) => o.spec).map((o) => o.name));
    expect(CHAIN_METHODS).not.toContain("snapshot");
    expect(specMessage("source.snapshot()")).toBe(
      'derived table "r": method ".snapshot()" cannot be used in a derived table at position 7 in `source.snapshot()`',
    );
    expect(specMessage('source.partitionBy("Sym")')).toMatch(
      /method "\.partitionBy\(\)" cannot be used in a derived table at position 7/,
    );
  });

  it("checks argument counts and kinds from the parameter declarations", () => {
    expect(specMessage("source.head()")).toBe(
      'derived table "r": head takes 1 argument (head(n)), got 0 at position 7 in `source.head()`',
    );
    expect(specMessage("source.slice(1)")).toMatch(
      /slice takes 2 arguments \(slice\(start, end\)\), got 1 at position 7/,
    );
    expect(specMessage("source.countBy()")).toMatch(
      /countBy takes at least 1 argument \(countBy\(name, \.\.\.keys\)\), got 0 at position 7/,
    );
    expect(specMessage("merge()")).toMatch(
      /merge takes at least 1 argument \(merge\(\.\.\.tables\)\), got 0 at position 0/,
    );
    expect(specMessage("ringTable(source, 1, true, 2)")).toMatch(
      /ringTable takes 2 to 3 arguments \(ringTable\(parent, capacity, options\?\)\), got 4/,
    );
    expect(specMessage('source.update("A = 1", 2)')).toBe(
      'derived table "r": update\'s formula 2 must be a formula string or a list of them at position 23 in `source.update("A = 1", 2)`',
    );
    expect(specMessage('source.sumBy(["Sym", 1])')).toMatch(
      /sumBy's key 1 must be a column name string or a list of them at position 13/,
    );
    expect(specMessage("source.countBy(1)")).toMatch(
      /countBy's count column name must be a string at position 15/,
    );
    expect(specMessage('source.headPct("x")')).toMatch(
      /headPct's fraction must be a number at position 15/,
    );
    expect(specMessage('source.aggBy("Sym")')).toMatch(
      /aggBy's aggregations must be agg\.\* calls at position 13/,
    );
    expect(specMessage("merge(source, 1)")).toMatch(
      /merge's table 2 must be a table at position 14/,
    );
    expect(specMessage("ringTable(1, 2)")).toMatch(
      /ringTable's first argument must be a table at position 10/,
    );
  });

  it("checks options objects key by key", () => {
    expect(specMessage("ringTable(source, 2, { init: true })")).toMatch(
      /ringTable's options has an unknown option "init"; known: initialize at position 21/,
    );
    expect(specMessage("ringTable(source, 2, { initialize: 1 })")).toMatch(
      /ringTable's options\.initialize must be true or false at position 21/,
    );
    expect(specMessage("ringTable(source, 2, 5)")).toMatch(
      /ringTable's options must be true\/false or \{ initialize \} at position 21/,
    );
    expect(specMessage("blinkToAppendOnly(source, { sizeLimit: 1.5 })")).toMatch(
      /blinkToAppendOnly's options\.sizeLimit must be an integer at position 26/,
    );
    expect(specMessage("blinkToAppendOnly(source, 3)")).toMatch(
      /blinkToAppendOnly's options must be an object \{ sizeLimit \} at position 26/,
    );
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns: trades,
        derived: {
          a: "ringTable(source, 2, false)",
          b: "ringTable(source, 2, { initialize: false })",
          c: "blinkToAppendOnly(source, { sizeLimit: 3 })",
          d: 'source.aggBy(agg.sum(["Size"]), ["Sym"])',
        },
      },
      g,
    );
    expect(f.views.get("c")!.isAppendOnly).toBe(true);
    expect(f.views.get("d")!.columnNames).toEqual(["Sym", "Size"]);
  });
});
