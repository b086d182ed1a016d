import { describe, expect, it } from "vitest";
import { MAX_CHAIN_DEPTH, parseChain, SpecError } from "../../src/engine/family/chain-parser.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import {
  maxRingCapacity,
  RING_BUDGET_BYTES,
  ringRowBytes,
} from "../../src/engine/family/ring-budget.ts";
import { canonicalSpec, normalizeSpec } from "../../src/engine/family/spec.ts";
import type { ColumnType } from "../../src/engine/index.ts";
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
      sources: { source: { type: "publisher", columns: trades } },
      cycleMs: 1000,
      derived: {},
    });
    const b = normalizeSpec({ columns: trades, source: "publisher", cycleMs: 1000, derived: {} });
    expect(canonicalSpec(a)).toBe(canonicalSpec(b));
    expect(canonicalSpec(normalizeSpec({ columns: trades, cycleMs: 500 }))).not.toBe(
      canonicalSpec(a),
    );
    expect(normalizeSpec({ source: { timeTable: "PT1s", blink: true } }).sources).toEqual({
      source: {
        type: "timeTable",
        columns: { Timestamp: "instant" },
        period: "PT1s",
        blink: true,
        startTime: null,
      },
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

describe("spec error codes", () => {
  const codeOf = (spec: unknown): string => {
    try {
      buildFamily(normalizeSpec(spec), new UpdateGraph());
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).code;
    }
    throw new Error("expected a SpecError");
  };
  const derived = (def: string) => ({ columns: trades, derived: { d: def } });

  it("carries the code of what was wrong, as docs/protocol.md lists", () => {
    expect(codeOf({ columns: { X: "int128" } })).toBe("bad_schema");
    expect(codeOf({ columns: {} })).toBe("bad_schema");
    expect(codeOf({ columns: { "1X": "int32" } })).toBe("bad_schema");
    expect(codeOf({ columns: trades, cycleMs: 5 })).toBe("bad_spec");
    expect(codeOf(derived("source.nope()"))).toBe("bad_spec");
    expect(codeOf(derived('source.where("X > 1"'))).toBe("bad_spec");
    expect(codeOf(derived('source.update("Y = Price +")'))).toBe("bad_formula");
    expect(codeOf(derived('source.where("Nope > 1")'))).toBe("bad_formula");
    expect(codeOf(derived("ringTable(source, 0)"))).toBe("bad_argument");
    expect(codeOf(derived('source.view("Nope")'))).toBe("bad_formula");
    expect(codeOf(derived('source.groupBy("Sym")'))).toBe("unsupported_operation");
  });

  it("keeps the engine's message after the table and position", () => {
    try {
      buildFamily(normalizeSpec(derived("ringTable(source, 0)")), new UpdateGraph());
      expect.unreachable();
    } catch (e) {
      expect((e as SpecError).message).toBe(
        'derived table "d" at position 0: ringTable: capacity must be a positive integer, got 0',
      );
      expect((e as SpecError).table).toBe("d");
      expect((e as SpecError).position).toBe(0);
    }
  });
});

describe("ring capacity bound", () => {
  const build = (columns: Record<string, string>, def: string) =>
    buildFamily({ columns, derived: { r: def } }, new UpdateGraph());

  it("derives the limit from the 64 MiB ring budget and the row width", () => {
    // Sym 32 + 1, Price 8 + 1, Size 8 + 1 = 51 bytes a row.
    expect(ringRowBytes(trades as Record<string, ColumnType>)).toBe(51);
    expect(maxRingCapacity(trades as Record<string, ColumnType>)).toBe(
      Math.floor(RING_BUDGET_BYTES / 51),
    );
    expect(maxRingCapacity({ X: "int32" })).toBe(Math.floor((64 * 1024 * 1024) / 5));
    expect(maxRingCapacity({ B: "bool", A: "int64[]" })).toBe(Math.floor((64 * 1024 * 1024) / 35));
  });

  it("accepts a ring at the limit and refuses one row more, naming the limit", () => {
    const max = Math.floor((64 * 1024 * 1024) / 51);
    expect(max).toBe(1_315_860);
    expect(build(trades, `ringTable(source, ${max})`).views.get("r")!.isRefreshing).toBe(true);
    const e = specError(() => build(trades, `ringTable(source, ${max + 1})`));
    expect(e.code).toBe("bad_argument");
    expect(e.message).toBe(
      `derived table "r" at position 0: ringTable: capacity ${max + 1} is above the limit of ${max} rows for this table: a ring in a table family may take at most 64 MiB of its object's 128 MB, and a row of these columns takes about 51 bytes`,
    );
    expect(specError(() => build(trades, "ringTable(source, 1000000000)")).code).toBe(
      "bad_argument",
    );
  });

  it("measures the ring's own parent, not the source", () => {
    const narrow = 'source.view("Size")';
    const max = Math.floor((64 * 1024 * 1024) / 9);
    expect(build(trades, `ringTable(${narrow}, ${max})`).views.get("r")!.columns).toEqual({
      Size: "int64",
    });
    expect(specError(() => build(trades, `ringTable(${narrow}, ${max + 1})`)).message).toMatch(
      /a row of these columns takes about 9 bytes$/,
    );
  });
});

describe("chain nesting limit", () => {
  const DEEP =
    "the chain nests deeper than 256 levels (methods in a row, calls, lists and objects)";
  const build = (def: string) =>
    buildFamily({ columns: trades, derived: { d: def } }, new UpdateGraph());

  it("is 256 levels", () => {
    expect(MAX_CHAIN_DEPTH).toBe(256);
  });

  it("255 methods in a row build (256 levels with the source); 256 are refused", () => {
    const methods = (n: number) => `source${".tail(5)".repeat(n)}`;
    expect(build(methods(255)).views.get("d")!.columns).toEqual(trades);
    const e = specError(() => parseChain(methods(256), "d"));
    expect(e.message).toBe(
      `derived table "d": ${DEEP} at position ${6 + 8 * 255 + 1} in \`${methods(256)}\``,
    );
    expect(e.code).toBe("bad_spec");
    expect(specError(() => build(methods(5000))).position).toBe(6 + 8 * 255 + 1);
  });

  it("255 nested calls build; 256 are refused where they go too deep", () => {
    const merges = (n: number) => `${"merge(".repeat(n)}source${")".repeat(n)}`;
    expect(build(merges(255)).views.get("d")!.columns).toEqual(trades);
    // The source inside the 256th merge would be the 257th level.
    expect(specError(() => build(merges(256))).position).toBe(6 * 256);
    expect(specError(() => build(merges(3000))).message).toContain(DEEP);
    const lists = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(specError(() => parseChain(lists(5000), "d")).position).toBe(256);
    const objects = (n: number) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`;
    expect(specError(() => parseChain(objects(5000), "d")).position).toBe(4 * 256);
  });

  it("counts methods on nested arguments too (the tree's height, not one path)", () => {
    // A call whose argument is 200 methods deep, followed by 100 methods: 302 levels.
    const inner = `source${".tail(5)".repeat(200)}`;
    const def = `merge(${inner})${".tail(5)".repeat(100)}`;
    expect(specError(() => parseChain(def, "d")).message).toContain(DEEP);
    expect(build(`merge(${inner})${".tail(5)".repeat(54)}`).views.get("d")!.columns).toEqual(
      trades,
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
      'derived table "r": unknown function "tail"; known: ringTable, blinkToAppendOnly, timeWindow, merge at position 0 in `tail(source, 3)`',
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

describe("joins in a family spec", () => {
  it("naturalJoin and join take another view of the family as the right table", async () => {
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns: trades,
        derived: {
          last: 'source.lastBy("Sym")',
          enriched: 'source.naturalJoin(last, "Sym", "LastPx = Price")',
          strict:
            'source.naturalJoin(last, ["Sym"], "LastPx = Price", { type: "errorOnDuplicate" })',
          pairs: 'ringTable(source, 2).view("Sym", "Size").join(last, "Sym", "Px = Price")',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Sym: "A", Price: 1, Size: 10n },
      { Sym: "B", Price: 2, Size: 5n },
      { Sym: "A", Price: 3, Size: 1n },
    ]);
    await g.runCycle();
    expect(f.views.get("enriched")!.toRows()).toEqual([
      { Sym: "A", Price: 1, Size: 10n, LastPx: 3 },
      { Sym: "B", Price: 2, Size: 5n, LastPx: 2 },
      { Sym: "A", Price: 3, Size: 1n, LastPx: 3 },
    ]);
    expect(f.views.get("enriched")!.isBlink).toBe(true);
    expect(f.views.get("strict")!.size).toBe(3);
    expect(f.views.get("pairs")!.toRows()).toEqual([
      { Sym: "B", Size: 5n, Px: 2 },
      { Sym: "A", Size: 1n, Px: 3 },
    ]);
  });

  it("checks join arguments and names the table and position", () => {
    const g = new UpdateGraph();
    const bad = (expr: string) =>
      specError(() =>
        buildFamily({ columns: trades, derived: { last: 'source.lastBy("Sym")', j: expr } }, g),
      ).message;
    expect(bad('source.naturalJoin(nope, "Sym")')).toMatch(/unknown table "nope" at position 19/);
    expect(bad('source.naturalJoin(last, "Sym", "Px = Price", { type: "nearest" })')).toMatch(
      /naturalJoin's options.type must be one of "errorOnDuplicate", "firstMatch", "lastMatch", "exactlyOneMatch"/,
    );
    expect(bad('source.exactJoin(last, "Ticker")')).toMatch(
      /derived table "j" at position 7: exactJoin: unknown left column \[Ticker\]/,
    );
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
