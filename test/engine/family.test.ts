import { describe, expect, it } from "vitest";
import { parseChain, SpecError } from "../../src/engine/family/chain-parser.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import { canonicalSpec, normalizeSpec } from "../../src/engine/family/spec.ts";
import { UpdateGraph } from "../../src/engine/index.ts";
import { colValues } from "./helpers.ts";

const trades = { Sym: "string", Price: "float64", Size: "int64" };

function specError(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error("expected a SpecError");
}

describe("spec validation", () => {
  it("fills defaults and compares canonically", () => {
    const a = normalizeSpec({ columns: trades });
    expect(a).toEqual({
      columns: trades,
      source: { type: "publisher" },
      cycleMs: 1000,
      derived: {},
    });
    const b = normalizeSpec({ columns: trades, source: "publisher", cycleMs: 1000, derived: {} });
    expect(canonicalSpec(a)).toBe(canonicalSpec(b));
    expect(canonicalSpec(normalizeSpec({ columns: trades, cycleMs: 500 }))).not.toBe(
      canonicalSpec(a),
    );
    expect(normalizeSpec({ source: { timeTable: "PT1s", blink: true } }).columns).toEqual({
      Timestamp: "instant",
    });
  });

  it("names what is wrong", () => {
    expect(specError(() => normalizeSpec({ columns: { X: "int128" } })).message).toMatch(
      /Unknown type "int128" for column "X"/,
    );
    expect(specError(() => normalizeSpec({ columns: {} })).message).toMatch(/at least one column/);
    expect(specError(() => normalizeSpec({ columns: trades, cycleMs: 5 })).message).toMatch(
      /cycleMs must be an integer from 10/,
    );
    expect(specError(() => normalizeSpec({ columns: trades, colums: {} })).message).toMatch(
      /unknown spec field "colums"/,
    );
    expect(specError(() => normalizeSpec({ columns: trades, source: "kafka" })).message).toMatch(
      /source must be/,
    );
    expect(specError(() => normalizeSpec({ source: { timeTable: "soon" } })).message).toMatch(
      /ISO-8601 duration/,
    );
    expect(
      specError(() => normalizeSpec({ columns: trades, derived: { "bad name": "source" } }))
        .message,
    ).toMatch(/derived table name "bad name"/);
    expect(
      specError(() => normalizeSpec({ columns: trades, derived: { source: "source" } })).message,
    ).toMatch(/cannot take that name/);
    const unknown = specError(() =>
      normalizeSpec({ columns: trades, derived: { a: "ringTable(trades, 10)" } }),
    );
    expect(unknown.message).toBe(
      'derived table "a": unknown table "trades" at position 10 in `ringTable(trades, 10)`',
    );
    expect(unknown.table).toBe("a");
    expect(unknown.position).toBe(10);
    const cyclic = specError(() =>
      normalizeSpec({
        columns: trades,
        derived: { a: "b.head(1)", b: "c.head(1)", c: "a.head(1)" },
      }),
    );
    expect(cyclic.message).toMatch(/cyclic reference a -> b -> c -> a/);
  });
});

describe("chain language", () => {
  it("parses chains, calls, lists, objects and agg calls", () => {
    expect(parseChain('source.view("Sym", "Size").sumBy("Sym")', "t")).toMatchObject({
      kind: "method",
      name: "sumBy",
      target: { kind: "method", name: "view", target: { kind: "ref", name: "source" } },
    });
    expect(parseChain("ringTable(source, 1_000, { initialize: false })", "t")).toMatchObject({
      kind: "call",
      name: "ringTable",
      args: [{ kind: "ref" }, { kind: "literal", value: 1000 }, { kind: "object" }],
    });
    expect(
      parseChain('source.aggBy([agg.sum("Total = Size"), agg.last("Price")], "Sym")', "t"),
    ).toMatchObject({
      kind: "method",
      args: [
        {
          kind: "list",
          items: [
            { kind: "ns", name: "sum" },
            { kind: "ns", name: "last" },
          ],
        },
        { kind: "literal" },
      ],
    });
  });

  it("reports syntax errors with the table and position", () => {
    const e = specError(() => parseChain('source.where("X > 1"', "filtered"));
    expect(e.message).toBe(
      'derived table "filtered": expected ")" but found the end at position 20 in `source.where("X > 1"`',
    );
    expect(specError(() => parseChain("source.", "t")).position).toBe(7);
    expect(specError(() => parseChain('source.view("a) ', "t")).message).toMatch(
      /unterminated string/,
    );
    expect(specError(() => parseChain("source; drop", "t")).message).toMatch(
      /unexpected character ";"/,
    );
  });
});

describe("buildFamily", () => {
  it("builds the design brief's example family and ticks it", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const f = buildFamily(
      {
        columns: { Sym: "string", Price: "float64", Size: "int64" },
        derived: {
          recent: "ringTable(source, 2)",
          history: "blinkToAppendOnly(source)",
          bySym: 'source.view("Sym", "Size").sumBy("Sym")',
          big: 'source.where("Price > 100").update("Notional = Price * Size")',
          stats: 'source.aggBy([agg.sum("Total = Size"), agg.last("Price")], "Sym")',
        },
      },
      g,
    );
    expect([...f.views.keys()]).toEqual(["source", "recent", "history", "bySym", "big", "stats"]);
    f.publisher!.addRows([
      { Sym: "A", Price: 101, Size: 10n },
      { Sym: "B", Price: 50, Size: 5n },
      { Sym: "A", Price: 102, Size: 1n },
    ]);
    await g.runCycle();
    expect(f.views.get("bySym")!.toRows()).toEqual([
      { Sym: "A", Size: 11n },
      { Sym: "B", Size: 5n },
    ]);
    expect(colValues(f.views.get("big")!, "Notional")).toEqual([1010, 102]);
    expect(f.views.get("recent")!.size).toBe(2);
    expect(f.views.get("stats")!.toRows()).toEqual([
      { Sym: "A", Total: 11n, Price: 102 },
      { Sym: "B", Total: 5n, Price: 50 },
    ]);
  });

  it("names the derived table and position for engine errors", () => {
    const g = new UpdateGraph();
    const e = specError(() =>
      buildFamily({ columns: trades, derived: { bad: 'source.update("N = Price * Nope")' } }, g),
    );
    expect(e.message).toMatch(/^derived table "bad" at position 7: /);
    expect(e.message).toMatch(/Nope/);
    expect(
      specError(() => buildFamily({ columns: trades, derived: { r: "ringTable(source, -1)" } }, g))
        .message,
    ).toMatch(/derived table "r" at position 0: ringTable: capacity must be a positive integer/);
    expect(
      specError(() => buildFamily({ columns: trades, derived: { r: "source.explode()" } }, g))
        .message,
    ).toMatch(/unknown method ".explode\(\)"/);
    expect(
      specError(() => buildFamily({ columns: trades, derived: { r: "tail(source, 3)" } }, g))
        .message,
    ).toBe(
      'derived table "r": unknown function "tail"; known: ringTable, blinkToAppendOnly, merge at position 0 in `tail(source, 3)`',
    );
    expect(
      specError(() => buildFamily({ columns: trades, derived: { r: 'source.head("x")' } }, g))
        .message,
    ).toMatch(/head's row count must be an integer at position 12/);
    expect(
      specError(() => buildFamily({ columns: trades, derived: { r: 'source.groupBy("Sym")' } }, g))
        .message,
    ).toMatch(/Blink tables do not support groupBy/);
  });
});

describe("sort in family specs", () => {
  it("sorts another view of the family, alone and under head, and checks its arguments", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const f = buildFamily(
      {
        columns: { Sym: "string", Price: "float64" },
        derived: {
          last: 'source.lastBy("Sym")',
          top: 'last.sortDescending("Price").head(2)',
          bySym: 'last.sort(["Sym", "Price"], ["desc", "asc"])',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Sym: "A", Price: 10 },
      { Sym: "B", Price: 30 },
      { Sym: "C", Price: 20 },
    ]);
    await g.runCycle();
    expect(colValues(f.views.get("top")!, "Sym")).toEqual(["B", "C"]);
    expect(colValues(f.views.get("bySym")!, "Sym")).toEqual(["C", "B", "A"]);
    f.publisher!.addRows([{ Sym: "A", Price: 40 }]);
    await g.runCycle();
    expect(f.views.get("top")!.toRows()).toEqual([
      { Sym: "A", Price: 40 },
      { Sym: "B", Price: 30 },
    ]);
    expect(
      specError(() =>
        buildFamily({ columns: { X: "int32" }, derived: { s: 'source.sort("X", "up")' } }, g),
      ).message,
    ).toMatch(/sort's order must be one of "asc", "desc"/);
    expect(
      specError(() =>
        buildFamily({ columns: { X: "int32" }, derived: { s: 'source.sortDescending("Y")' } }, g),
      ).message,
    ).toMatch(/sortDescending: unknown sort column \[Y\]/);
  });
});
