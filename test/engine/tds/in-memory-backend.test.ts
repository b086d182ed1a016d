/** InMemoryBackend, the seed's example backend done right, exercised through its six methods. */
import type { Table as ArrowTable } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  doubleCol,
  fromArrow,
  InMemoryBackend,
  intCol,
  newTable,
} from "../../../src/engine/index.ts";
import {
  locationData,
  partitioningValues,
  SAMPLE,
  seedBackend,
  TableLocationKeyImpl,
} from "./helpers.ts";

const GOOG = new TableLocationKeyImpl("GOOG:NYSE");
const MSFT = new TableLocationKeyImpl("MSFT:BZX");

describe("InMemoryBackend", () => {
  it("table_locations passes each location key with its partition values, then succeeds", () => {
    const { backend, addTickerData } = seedBackend();
    addTickerData("GOOG", "NYSE");
    addTickerData("MSFT", "BZX");
    const got: unknown[] = [];
    backend.tableLocations(
      SAMPLE,
      (loc, pv) => got.push([String(loc), fromArrow(pv!).toRows()]),
      () => got.push("done"),
      (e) => got.push(["failed", e]),
    );
    expect(got).toEqual([
      ["TableLocationKeyImpl{GOOG:NYSE}", [{ Ticker: "GOOG", Exchange: "NYSE" }]],
      ["TableLocationKeyImpl{MSFT:BZX}", [{ Ticker: "MSFT", Exchange: "BZX" }]],
      "done",
    ]);
  });

  it("schema, size and failures for unknown keys", () => {
    const { backend, addTickerData } = seedBackend();
    addTickerData("GOOG", "NYSE");
    const got: unknown[] = [];
    backend.tableSchema(
      SAMPLE,
      (s, p) => got.push([s.fields.length, p?.fields.map((f) => f.name)]),
      (e) => got.push(e),
    );
    backend.tableLocationSize(
      SAMPLE,
      GOOG,
      (n) => got.push(n),
      (e) => got.push(e),
    );
    backend.tableLocationSize(
      SAMPLE,
      MSFT,
      (n) => got.push(n),
      (e) => got.push(e),
    );
    expect(got).toEqual([
      [11, ["Ticker", "Exchange"]],
      2,
      "TableLocationKeyImpl{MSFT:BZX} does not exist in table_key TableKeyImpl{sample}",
    ]);
  });

  it("every subscriber hears new locations and sizes until it unsubscribes", () => {
    const { backend, addTickerData } = seedBackend();
    addTickerData("GOOG", "NYSE");
    const a: string[] = [];
    const b: string[] = [];
    const ua = backend.subscribeToTableLocations(
      SAMPLE,
      (l) => a.push(String(l)),
      () => a.push("ok"),
      () => {},
    );
    const ub = backend.subscribeToTableLocations(
      SAMPLE,
      (l) => b.push(String(l)),
      () => b.push("ok"),
      () => {},
    );
    const sizes: number[] = [];
    const us = backend.subscribeToTableLocationSize(
      SAMPLE,
      GOOG,
      (n) => sizes.push(Number(n)),
      () => sizes.push(-1),
      () => {},
    );
    expect(backend.subscriptionCount).toBe(3);
    addTickerData("MSFT", "BZX");
    ua();
    addTickerData("MSFT", "BZY");
    addTickerData("GOOG", "NYSE");
    us();
    addTickerData("GOOG", "NYSE");
    ub();
    expect(a).toEqual(["TableLocationKeyImpl{GOOG:NYSE}", "ok", "TableLocationKeyImpl{MSFT:BZX}"]);
    expect(b).toEqual([
      "TableLocationKeyImpl{GOOG:NYSE}",
      "ok",
      "TableLocationKeyImpl{MSFT:BZX}",
      "TableLocationKeyImpl{MSFT:BZY}",
    ]);
    expect(sizes).toEqual([2, -1, 4]);
    expect(backend.subscriptionCount).toBe(0);
    expect(backend.sizeOf(SAMPLE, GOOG)).toBe(6);
  });

  it("columnValues answers up to maxRows, or exactly minRows", () => {
    const make = (rows: "max" | "min") => {
      const b = new InMemoryBackend({ rows });
      b.addTable(SAMPLE, locationData().schema, partitioningValues("A", "B").schema);
      b.addLocation(SAMPLE, GOOG, partitioningValues("GOOG", "NYSE"), locationData());
      b.appendRows(SAMPLE, GOOG, locationData());
      return b;
    };
    const read = (b: InMemoryBackend, offset: number, min: number, max: number) => {
      let out: unknown;
      b.columnValues(
        SAMPLE,
        GOOG,
        "Int",
        offset,
        min,
        max,
        (t: ArrowTable) => {
          out = fromArrow(t)
            .toRows()
            .map((r) => r.Int);
        },
        (e) => {
          out = e;
        },
      );
      return out;
    };
    expect(read(make("max"), 1, 1, 2)).toEqual([-1, 1]);
    expect(read(make("max"), 1, 1, 10)).toEqual([-1, 1, -1]);
    expect(read(make("min"), 1, 1, 10)).toEqual([-1]);
    expect(read(make("max"), 3, 2, 10)).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: rows [3, 5) do not exist (size 4)",
    );
  });

  it("checks what is added", () => {
    const { backend, addTickerData } = seedBackend();
    addTickerData("GOOG", "NYSE");
    expect(() => backend.addTable(SAMPLE, locationData().schema)).toThrow(
      "TableKeyImpl{sample} already exists",
    );
    expect(() => backend.addLocation(SAMPLE, GOOG, null)).toThrow(ArgumentError);
    expect(() => backend.appendRows(SAMPLE, MSFT, locationData())).toThrow(
      "Cannot append to non-existent table location TableLocationKeyImpl{MSFT:BZX} of TableKeyImpl{sample}",
    );
    expect(() =>
      backend.appendRows(SAMPLE, GOOG, newTable([intCol("Int", [1])]).toArrow()),
    ).toThrow('TableKeyImpl{sample}: rows lack column "Boolean"');
    const wrong = newTable([doubleCol("X", [1])]).toArrow();
    const b = new InMemoryBackend();
    b.addTable(SAMPLE, newTable([intCol("X", [])]).toArrow().schema);
    b.addLocation(SAMPLE, GOOG, null);
    expect(() => b.appendRows(SAMPLE, GOOG, wrong)).toThrow(
      'TableKeyImpl{sample}: column "X" is Float64 in the rows but Int32 in the schema',
    );
    // Columns in another order are put in schema order.
    b.appendRows(SAMPLE, GOOG, newTable([intCol("X", [5])]).toArrow());
    expect(b.sizeOf(SAMPLE, GOOG)).toBe(1);
  });

  it("failNext fails the next call of one method, once", () => {
    const { backend } = seedBackend();
    backend.failNext("tableSchema", "nope");
    const got: unknown[] = [];
    backend.tableSchema(
      SAMPLE,
      () => got.push("schema"),
      (e) => got.push(e),
    );
    backend.tableSchema(
      SAMPLE,
      () => got.push("schema"),
      (e) => got.push(e),
    );
    expect(got).toEqual(["nope", "schema"]);
  });

  it.each(["microtask", "macrotask"] as const)(
    "%s delivery: callbacks come later, in order",
    async (delivery) => {
      const { backend, addTickerData } = seedBackend({ delivery });
      addTickerData("GOOG", "NYSE");
      const got: string[] = [];
      backend.subscribeToTableLocations(
        SAMPLE,
        (l) => got.push(String(l)),
        () => got.push("ok"),
        () => {},
      );
      addTickerData("MSFT", "BZX");
      expect(got).toEqual([]);
      await backend.idle();
      expect(got).toEqual([
        "TableLocationKeyImpl{GOOG:NYSE}",
        "ok",
        "TableLocationKeyImpl{MSFT:BZX}",
      ]);
    },
  );
});
