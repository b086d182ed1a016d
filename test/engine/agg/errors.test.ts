/** Validation errors and the blink-unsupported operations. */
import { describe, expect, it } from "vitest";
import type { AggSpec } from "../../../src/engine/agg/index.ts";
import { agg } from "../../../src/engine/agg/index.ts";
import {
  ArgumentError,
  blinkToAppendOnly,
  SchemaError,
  tablePublisher,
  UnsupportedOperationError,
  UpdateGraph,
} from "../../../src/engine/index.ts";

function blinkTable() {
  const g = new UpdateGraph();
  const [blink] = tablePublisher(g, {
    name: "p",
    columns: { Sym: "string", Px: "float64", Qty: "int64", Ts: "instant", Ok: "bool" },
  });
  return blink;
}

describe("aggregation errors", () => {
  it("blink tables refuse groupBy, agg.group, partitionBy, partitionedAggBy and positional slices", () => {
    const t = blinkTable();
    const msg = (op: string) =>
      `Blink tables do not support ${op}; use blinkToAppendOnly to accumulate full history`;
    expect(() => t.groupBy("Sym")).toThrow(UnsupportedOperationError);
    expect(() => t.groupBy("Sym")).toThrow(msg("groupBy"));
    expect(() => t.aggBy([agg.group("Px")], "Sym")).toThrow(msg("agg.group"));
    expect(() => t.partitionBy("Sym")).toThrow(msg("partitionBy"));
    expect(() => t.partitionedAggBy([agg.sum("Qty")], "Sym")).toThrow(msg("partitionedAggBy"));
    expect(() => t.headPct(0.5)).toThrow(msg("headPct"));
    expect(() => t.tailPct(0.5)).toThrow(msg("tailPct"));
    expect(() => t.slice(0, 2)).toThrow(msg("slice"));
    expect(() => t.slicePct(0, 0.5)).toThrow(msg("slicePct"));
  });

  it("groupBy and agg.group work on non-blink tables; array columns are neither keys nor inputs of other aggregations", () => {
    const history = blinkToAppendOnly(blinkTable());
    expect(history.groupBy("Sym").columns).toEqual({
      Sym: "string",
      Px: "float64[]",
      Qty: "int64[]",
      Ts: "instant[]",
      Ok: "bool[]",
    });
    expect(history.aggBy([agg.group("Pxs = Px")], "Sym").columns).toEqual({
      Sym: "string",
      Pxs: "float64[]",
    });
    const grouped = history.groupBy("Sym");
    expect(() => grouped.groupBy("Px")).toThrow(SchemaError);
    expect(() => grouped.groupBy("Px")).toThrow(
      'groupBy: key column "Px" is an array column (float64[]); array columns cannot be group keys',
    );
    expect(() => grouped.groupBy()).toThrow(
      'groupBy: agg.group does not support column "Px" of type float64[]; it takes columns of any scalar type (arrays of arrays are not supported)',
    );
    expect(() => grouped.sumBy("Sym")).toThrow(
      'sumBy: agg.sum does not support column "Px" of type float64[]; it takes numeric, char and bool columns',
    );
    expect(() => grouped.aggBy([agg.max("Px")])).toThrow(
      'aggBy: agg.max does not support column "Px" of type float64[]; it takes columns of any scalar type (not array columns)',
    );
    for (const a of [agg.min, agg.median, agg.countDistinct, agg.avg, agg.std]) {
      expect(() => grouped.aggBy([a("Qty")])).toThrow(SchemaError);
    }
    expect(() => grouped.partitionBy("Ts")).toThrow("array columns cannot be group keys");
  });

  it("names the unknown column and lists the available ones", () => {
    const t = blinkTable();
    expect(() => t.sumBy("Nope")).toThrow(ArgumentError);
    expect(() => t.sumBy("Nope")).toThrow(
      'sumBy: unknown key column "Nope"; available columns are [Sym, Px, Qty, Ts, Ok]',
    );
    expect(() => t.aggBy([agg.sum("Missing")], "Sym")).toThrow(
      'aggBy: agg.sum input column "Missing" does not exist; available columns are [Sym, Px, Qty, Ts, Ok]',
    );
  });

  it("refuses a key column as input, duplicate outputs, duplicate keys and no aggregations", () => {
    const t = blinkTable();
    expect(() => t.aggBy([agg.sum("Qty")], "Qty")).toThrow(
      'aggBy: column "Qty" is a key column and cannot also be an input of agg.sum',
    );
    expect(() => t.aggBy([agg.sum("X = Qty"), agg.max("X = Px")], "Sym")).toThrow(SchemaError);
    expect(() => t.aggBy([agg.sum("X = Qty"), agg.max("X = Px")], "Sym")).toThrow(
      'duplicate output column "X"',
    );
    expect(() => t.aggBy([agg.max("Sym = Px")], "Sym")).toThrow(
      'duplicate output column "Sym" (it is a key column)',
    );
    expect(() => t.aggBy([agg.count("N")], "Sym", "Sym")).toThrow(
      'key column "Sym" is given twice',
    );
    expect(() => t.aggBy([], "Sym")).toThrow("aggBy: no aggregations given");
    expect(() => t.aggBy([{ kind: "nope" } as unknown as AggSpec], "Sym")).toThrow(
      "expected aggregations made with agg.*",
    );
  });

  it("names the aggregation, column and type it does not support", () => {
    const t = blinkTable();
    expect(() => t.view("Sym", "Px").sumBy()).toThrow(
      'sumBy: agg.sum does not support column "Sym" of type string; it takes numeric, char and bool columns',
    );
    expect(() => t.aggBy([agg.avg("Ts")], "Sym")).toThrow(
      'agg.avg does not support column "Ts" of type instant',
    );
    expect(() => t.aggBy([agg.std("Ok")])).toThrow(
      'agg.std does not support column "Ok" of type bool',
    );
    expect(() => t.avgBy("Sym")).toThrow(
      'avgBy: agg.avg does not support column "Ts" of type instant',
    );
  });

  it("rejects malformed specs when they are made", () => {
    expect(() => agg.sum()).toThrow("agg.sum needs at least one column");
    expect(() => agg.sum("A = ")).toThrow('agg.sum: cannot parse "A ="');
    expect(() => agg.min("1X")).toThrow(ArgumentError);
    expect(() => agg.count("N = X")).toThrow("agg.count takes the name of its output column");
    expect(agg.sum("A = B", ["C"]).pairs).toEqual([
      { output: "A", input: "B" },
      { output: "C", input: "C" },
    ]);
    expect(() => blinkTable().aggBy([agg.count("if")])).toThrow(SchemaError);
  });
});
