/**
 * Inputs from other families at the host level (two FamilyHosts over node:sqlite, the pull
 * carried by a plain call instead of RPC): random upserts and deletes in a producer, read by a
 * consumer as two inputs (the input table itself, and a sorted view of it, whose row keys are
 * sparse and move). Producer and consumer are each "evicted" (a new host over the same database),
 * answers are lost (a pull the consumer never applies), and several producer cycles pass between
 * consumer cycles; after every consumer cycle each local table equals the producer's view, keys
 * and rows, and a join over it equals the join recomputed from the producer's rows.
 */
import { describe, expect, it } from "vitest";
import { asResult } from "../../src/durable/errors.ts";
import { FamilyHost } from "../../src/durable/host.ts";
import type { PullOutcome } from "../../src/durable/inputs.ts";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import { normalizeSpec } from "../../src/engine/family/spec.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";

const PRODUCER = {
  sources: {
    names: {
      type: "input",
      columns: { Sym: "string", Lot: "int64", Px: "float64" },
      keys: ["Sym"],
    },
  },
  derived: { byLot: 'names.sort("Lot")' },
};
const CONSUMER = {
  sources: { trades: { columns: { Sym: "string", Size: "int32" } } },
  inputs: { ref: "ref/names", srt: "ref/byLot" },
  derived: {
    log: "blinkToAppendOnly(trades)",
    named: 'log.naturalJoin(ref, "Sym", "Lot, Px")',
  },
};
const SYMS = ["A", "B", "C", "D", "E", "F", "G", "H"];

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function host(db: ReturnType<typeof memoryDb>, name: string): FamilyHost {
  return new FamilyHost(nodePort(db), { transaction: nodeTransaction(db), name });
}

function pulls(consumer: FamilyHost, producer: FamilyHost): Map<string, PullOutcome> {
  return new Map(
    consumer
      .inputsToPull()
      .map((a) => [
        a.input,
        asResult(() => producer.inputPull(consumer.name, a.input, a.view, a.since)),
      ]),
  );
}

function contents(h: FamilyHost, view: string) {
  const s = h.snapshot(view);
  if (s.format !== "json") throw new Error("json expected");
  return { keys: s.keys, rows: s.rows };
}

describe("inputs from other families (host over node:sqlite)", () => {
  for (const seed of [1, 2, 3]) {
    it(`local tables equal the producer's views after every consumer cycle (seed ${seed})`, () => {
      const pdb = memoryDb();
      const cdb = memoryDb();
      let producer = host(pdb, "ref");
      producer.create("ref", PRODUCER);
      let consumer = host(cdb, "desk");
      consumer.create("desk", CONSUMER, {
        ref: producer.inputShape("names"),
        srt: producer.inputShape("byLot"),
      });
      const rnd = random(seed);
      const trades: { Sym: string; Size: number }[] = [];
      for (let round = 0; round < 60; round++) {
        const producerCycles = 1 + Math.floor(rnd() * 3);
        for (let c = 0; c < producerCycles; c++) {
          const ups = SYMS.filter(() => rnd() < 0.3).map((Sym) => ({
            Sym,
            Lot: Math.floor(rnd() * 5),
            Px: rnd() < 0.1 ? null : Math.round(rnd() * 1000) / 8,
          }));
          const dels = SYMS.filter(() => rnd() < 0.15).map((Sym) => ({ Sym }));
          if (ups.length > 0) producer.publish({ rows: ups }, { source: "names" });
          if (dels.length > 0) producer.deleteRows({ rows: dels }, { source: "names" });
          producer.runCycle();
          if (rnd() < 0.15) producer = host(pdb, "ref");
        }
        if (rnd() < 0.2) pulls(consumer, producer); // an answer lost on the way
        if (rnd() < 0.2) consumer = host(cdb, "desk");
        const mine = SYMS.filter(() => rnd() < 0.3).map((Sym) => ({ Sym, Size: round }));
        if (mine.length > 0) consumer.publish({ rows: mine }, { source: "trades" });
        trades.push(...mine);
        consumer.runCycle(pulls(consumer, producer));
        if (rnd() < 0.2) consumer = host(cdb, "desk");

        const ref = contents(producer, "names");
        expect(contents(consumer, "ref"), `round ${round}`).toEqual(ref);
        expect(contents(consumer, "srt"), `round ${round}`).toEqual(contents(producer, "byLot"));
        const bySym = new Map(ref.rows.map((r) => [r.Sym, r]));
        expect(contents(consumer, "named").rows, `round ${round}`).toEqual(
          trades.map((t) => ({
            ...t,
            Lot: bySym.get(t.Sym)?.Lot ?? null,
            Px: bySym.get(t.Sym)?.Px ?? null,
          })),
        );
        expect(consumer.describe().inputs!.ref!.producerCycle).toBe(producer.cycle);
      }
    });
  }

  it("checks input names in specs", () => {
    const bad = (inputs: unknown) => () =>
      normalizeSpec({ columns: { X: "int32" }, inputs, derived: {} });
    expect(bad({ ref: "refdata" })).toThrow(SpecError);
    expect(bad({ ref: "refdata" })).toThrow(
      "inputs.ref must be \"family/view\" (a family name of 1 to 64 letters, digits, '_' or '-', then a view name), got \"refdata\"",
    );
    expect(bad({ source: "a/b" })).toThrow('inputs.source: "source" is a source table already');
    expect(bad({ "9x": "a/b" })).toThrow('input name "9x" must start with a letter');
    expect(bad([])).toThrow('"inputs" must be an object of name -> "family/view"');
    expect(() =>
      normalizeSpec({ columns: { X: "int32" }, inputs: { r: "a/b" }, derived: { r: "source" } }),
    ).toThrow('"r" is an input table; a derived table cannot take that name');
    expect(() => normalizeSpec({ columns: { X: "int32" }, derived: { d: "ref.head(1)" } })).toThrow(
      'unknown table "ref"',
    );
    // Empty inputs mean none: the canonical form is a spec without them.
    expect(normalizeSpec({ columns: { X: "int32" }, inputs: {} })).toEqual(
      normalizeSpec({ columns: { X: "int32" } }),
    );
    expect(
      normalizeSpec({ columns: { X: "int32" }, inputs: { r: "a-b/v" }, derived: { d: "r" } })
        .inputs,
    ).toEqual({ r: "a-b/v" });
  });

  it("fails an input whose producer shut down or whose columns changed; refuses blink views", () => {
    const producer = host(memoryDb(), "ref");
    producer.create("ref", {
      ...PRODUCER,
      sources: { ...PRODUCER.sources, live: { columns: { X: "int32" } } },
    });
    expect(() => producer.inputShape("live")).toThrow(
      'view "live" of table family "ref" is a blink table; an input needs a view that keeps its rows (e.g. blinkToAppendOnly(live) or ringTable(live, n))',
    );
    const consumer = host(memoryDb(), "desk");
    // Created for other columns than the producer's view has now.
    consumer.create("desk", CONSUMER, {
      ref: { columns: { Sym: "string", Lot: "int32", Px: "float64" }, appendOnly: false },
      srt: producer.inputShape("byLot"),
    });
    consumer.runCycle(pulls(consumer, producer));
    const d = consumer.describe();
    expect(d.inputs!.ref).toEqual({
      from: "ref/names",
      producerCycle: null,
      state: "failed",
      error: "input_changed",
      detail:
        'the producer view\'s columns are now {"Sym":"string","Lot":"int64","Px":"float64"}; this family was created when they were {"Sym":"string","Lot":"int32","Px":"float64"} (delete and re-create it)',
    });
    expect(d.views.ref!.failed).toBe(true);
    expect(d.views.named!.failed).toBe(true);
    expect(d.inputs!.srt!.state).toBe("live");
    expect(d.views.srt!.failed).toBe(false);
    // A failed input is not asked again.
    expect(consumer.inputsToPull().map((a) => a.input)).toEqual(["srt"]);

    producer.shutdown("the table family was deleted");
    consumer.runCycle(pulls(consumer, producer));
    expect(consumer.describe().inputs!.srt).toMatchObject({
      state: "failed",
      error: "shut_down",
      detail: 'table family "ref" is shut down: the table family was deleted',
    });
    expect(consumer.describe().views.srt!.failed).toBe(true);
    expect(consumer.inputsToPull()).toEqual([]);
  });

  it("a consumer built without its inputs' shapes is refused", () => {
    const h = host(memoryDb(), "desk");
    expect(() => h.create("desk", CONSUMER)).toThrow(
      'input "ref" (ref/names): the producer view\'s columns are not known',
    );
    expect(h.exists).toBe(false);
  });
});
