/**
 * The console's grid state in plain Node: header-click sorting, quick filters as formulas in the
 * engine's syntax, hidden and reordered columns, the `{ sort, where, columns }` options they
 * make, and the state's round trip through the address.
 */
import { describe, expect, it } from "vitest";
import type { ChartSettings, ConsoleState } from "../../src/console/url-state.ts";
import { formatHash, parseHash } from "../../src/console/url-state.ts";
import type { ViewQuery } from "../../src/console/view-query.ts";
import {
  EMPTY_QUERY,
  moveColumn,
  orderedColumns,
  QuickFilterError,
  queryOptions,
  quickFilter,
  setFilter,
  setHidden,
  setWidth,
  toggleSort,
  visibleColumns,
} from "../../src/console/view-query.ts";
import { compileFormula } from "../../src/engine/formula/index.ts";
import type { Schema } from "../../src/engine/index.ts";

const SCHEMA: Schema = {
  Sym: "string",
  Price: "float64",
  Size: "int64",
  Qty: "int32",
  Ts: "instant",
  Side: "char",
  Live: "bool",
  Tags: "string[]",
};

describe("toggleSort", () => {
  it("cycles a header through ascending, descending and none", () => {
    let q = toggleSort(EMPTY_QUERY, "Price", false);
    expect(q.sort).toEqual([{ column: "Price", order: "asc" }]);
    q = toggleSort(q, "Price", false);
    expect(q.sort).toEqual([{ column: "Price", order: "desc" }]);
    q = toggleSort(q, "Price", false);
    expect(q.sort).toEqual([]);
  });

  it("replaces the sort on a plain click and adds a column on shift-click", () => {
    let q = toggleSort(EMPTY_QUERY, "Sym", false);
    q = toggleSort(q, "Price", true);
    expect(q.sort).toEqual([
      { column: "Sym", order: "asc" },
      { column: "Price", order: "asc" },
    ]);
    q = toggleSort(q, "Sym", true);
    expect(q.sort).toEqual([
      { column: "Sym", order: "desc" },
      { column: "Price", order: "asc" },
    ]);
    q = toggleSort(q, "Sym", true);
    expect(q.sort).toEqual([{ column: "Price", order: "asc" }]);
    q = toggleSort(toggleSort(q, "Sym", true), "Size", false);
    expect(q.sort).toEqual([{ column: "Size", order: "asc" }]);
  });
});

describe("quickFilter", () => {
  it("writes comparisons, equality and null checks in the engine's syntax", () => {
    expect(quickFilter("Price", "float64", "> 100")).toBe("Price > 100");
    expect(quickFilter("Price", "float64", ">=2.5")).toBe("Price >= 2.5");
    expect(quickFilter("Price", "float64", "1,000.5")).toBe("Price == 1000.5");
    expect(quickFilter("Qty", "int32", "!= 0")).toBe("Qty != 0");
    expect(quickFilter("Qty", "int32", "< 3000000000")).toBe("Qty < 3000000000L");
    expect(quickFilter("Size", "int64", "= 42")).toBe("Size == 42L");
    expect(quickFilter("Sym", "string", "AAPL")).toBe("Sym == `AAPL`");
    expect(quickFilter("Sym", "string", '!= "MSFT"')).toBe("Sym != `MSFT`");
    expect(quickFilter("Sym", "string", "> `M`")).toBe("Sym > `M`");
    expect(quickFilter("Sym", "string", "!= null")).toBe("!isNull(Sym)");
    expect(quickFilter("Sym", "string", "null")).toBe("isNull(Sym)");
    expect(quickFilter("Tags", "string[]", "!= null")).toBe("!isNull(Tags)");
    expect(quickFilter("Ts", "instant", "> 2024-05-01T13:30:00Z")).toBe(
      "Ts > '2024-05-01T13:30:00Z'",
    );
    expect(quickFilter("Side", "char", "B")).toBe("Side == 'B'");
    expect(quickFilter("Live", "bool", "true")).toBe("Live == true");
  });

  it("makes formulas the engine compiles", () => {
    for (const [col, text] of [
      ["Price", "> 100"],
      ["Size", "42"],
      ["Sym", "AAPL"],
      ["Sym", "!= null"],
      ["Ts", "<= 2024-05-01T13:30:00.5Z"],
      ["Side", "!= S"],
      ["Live", "false"],
    ] as const) {
      const f = compileFormula(quickFilter(col, SCHEMA[col]!, text), SCHEMA, "filter");
      expect(f.type).toBe("bool");
    }
  });

  it("refuses a value that does not fit the column, naming it", () => {
    const bad = (col: string, text: string) => () => quickFilter(col, SCHEMA[col]!, text);
    expect(bad("Price", "> abc")).toThrow(
      new QuickFilterError("Price", '"abc" is not a number (the column is float64)'),
    );
    expect(bad("Price", ">")).toThrow(
      new QuickFilterError("Price", '">" has no value to compare with'),
    );
    expect(bad("Price", "> null")).toThrow(
      new QuickFilterError("Price", "null can only be compared with == or !=, not >"),
    );
    expect(bad("Live", "> true")).toThrow(
      new QuickFilterError("Live", "a bool column can only be compared with == or !="),
    );
    expect(bad("Live", "yes")).toThrow(new QuickFilterError("Live", '"yes" is not true or false'));
    expect(bad("Side", "BS")).toThrow(new QuickFilterError("Side", '"BS" is not one character'));
    expect(bad("Ts", "yesterday")).toThrow(
      new QuickFilterError(
        "Ts",
        '"yesterday" is not an ISO-8601 instant such as 2024-05-01T13:30:00Z',
      ),
    );
    expect(bad("Sym", "a`b")).toThrow(
      new QuickFilterError("Sym", "a string value cannot contain a backtick"),
    );
    expect(bad("Tags", "x")).toThrow(
      new QuickFilterError("Tags", 'string[] columns only take "null" or "!= null"'),
    );
    expect(bad("Price", "> abc")).toThrow(/^filter on Price: /);
  });
});

describe("columns", () => {
  const names = Object.keys(SCHEMA);
  it("hides, shows and reorders", () => {
    let q = setHidden(EMPTY_QUERY, "Tags", true);
    q = setHidden(q, "Live", true);
    q = setHidden(q, "Live", false);
    expect(q.hidden).toEqual(["Tags"]);
    q = moveColumn(q, names, "Ts", 0);
    expect(orderedColumns(q, names)).toEqual([
      "Ts",
      "Sym",
      "Price",
      "Size",
      "Qty",
      "Side",
      "Live",
      "Tags",
    ]);
    q = moveColumn(q, names, "Sym", 99);
    expect(visibleColumns(q, names)).toEqual(["Ts", "Price", "Size", "Qty", "Side", "Live", "Sym"]);
    // A column the view no longer has is ignored; a new one follows in the view's order.
    expect(visibleColumns({ ...q, order: ["Gone", "Price"] }, ["Sym", "Price"])).toEqual([
      "Price",
      "Sym",
    ]);
  });

  it("keeps widths of at least 24 px, and clears them", () => {
    let q = setWidth(EMPTY_QUERY, "Sym", 10.4);
    expect(q.widths).toEqual({ Sym: 24 });
    q = setWidth(q, "Sym", 130.6);
    expect(q.widths).toEqual({ Sym: 131 });
    expect(setWidth(q, "Sym", null).widths).toEqual({});
  });
});

describe("queryOptions", () => {
  it("is empty for the default state", () => {
    expect(queryOptions(EMPTY_QUERY, SCHEMA)).toEqual({});
  });

  it("makes exactly the { sort, where, columns } options of a subscription", () => {
    let q: ViewQuery = toggleSort(toggleSort(EMPTY_QUERY, "Sym", false), "Price", true);
    q = toggleSort(q, "Price", true);
    q = setFilter(q, "Price", "> 100");
    q = setFilter(q, "Sym", "AAPL");
    q = setFilter(q, "Size", "  ");
    q = { ...q, where: ["Size * Price > 1e6", " "] };
    q = setHidden(q, "Tags", true);
    expect(queryOptions(q, SCHEMA)).toEqual({
      sort: [
        { column: "Sym", order: "asc" },
        { column: "Price", order: "desc" },
      ],
      where: ["Sym == `AAPL`", "Price > 100", "Size * Price > 1e6"],
      columns: ["Sym", "Price", "Size", "Qty", "Ts", "Side", "Live"],
    });
  });

  it("leaves out sorts and filters on columns the view does not have", () => {
    const q = setFilter(toggleSort(EMPTY_QUERY, "Gone", false), "Gone", "> 1");
    expect(queryOptions(q, SCHEMA)).toEqual({});
  });

  it("throws for a quick filter that does not fit", () => {
    expect(() => queryOptions(setFilter(EMPTY_QUERY, "Qty", "many"), SCHEMA)).toThrow(
      QuickFilterError,
    );
  });
});

describe("the address", () => {
  const chart: ChartSettings = { x: "Ts", ys: ["Price"], y2: ["Size"], by: "Sym" };
  it("round-trips the whole state", () => {
    const q: ViewQuery = {
      sort: [
        { column: "Sym", order: "asc" },
        { column: "Price", order: "desc" },
      ],
      filters: { Price: "> 100", Sym: "!= null" },
      where: ["Size * Price > 1e6 && Sym != `A&B`", "Qty % 2 == 0"],
      hidden: ["Tags", "Live"],
      order: ["Ts", "Sym"],
      widths: { Sym: 140 },
    };
    const s: ConsoleState = { family: "my-trades", view: "history", query: q, chart };
    const hash = formatHash(s);
    expect(hash).toBe(
      "#/my-trades/history?sort=Sym%2C-Price&f.Price=%3E+100&f.Sym=%21%3D+null&where=Size+*+Price+%3E+1e6+%26%26+Sym+%21%3D+%60A%26B%60&where=Qty+%25+2+%3D%3D+0&hide=Tags%2CLive&order=Ts%2CSym&w.Sym=140&x=Ts&y=Price&y2=Size&by=Sym",
    );
    expect(parseHash(hash)).toEqual(s);
  });

  it("keeps a bare view address short and reads old links", () => {
    const s: ConsoleState = { family: "trig", view: "history", query: EMPTY_QUERY, chart: null };
    expect(formatHash(s)).toBe("#/trig/history");
    expect(parseHash("#/trig/history")).toEqual(s);
    const rowNumber = { ...s, chart: { x: null, ys: ["SinX"], y2: [], by: null } };
    expect(parseHash(formatHash(rowNumber))).toEqual(rowNumber);
  });

  it("names no view for other addresses", () => {
    expect(parseHash("")).toBeNull();
    expect(parseHash("#/only-family")).toBeNull();
    expect(parseHash("#/%E0%A4%A/x")).toBeNull();
  });
});
