/**
 * FamilyHost with several sources (over node:sqlite): per-source publish and delete, one cycle
 * for every source, restore after a restart, input-table sources, and objects stored before
 * families had several sources.
 */
import { describe, expect, it } from "vitest";
import { errorResult } from "../../src/durable/errors.ts";
import { FamilyHost } from "../../src/durable/host.ts";
import { batchDigest } from "../../src/durable/idempotency.ts";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import { normalizeSpec } from "../../src/engine/family/spec.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";

const TRADES = { Sym: "string", Ts: "int64", Size: "int32" };
const QUOTES = { Sym: "string", QuoteTs: "int64", Bid: "float64" };
const SPEC = {
  sources: { trades: { columns: TRADES }, quotes: { columns: QUOTES } },
  derived: {
    enriched: 'trades.aj(quotes, "Sym, Ts >= QuoteTs", "Bid")',
    tradeLog: "blinkToAppendOnly(trades)",
    quoteLog: "blinkToAppendOnly(quotes)",
  },
};
const REF = {
  sources: {
    trades: { columns: TRADES },
    names: { type: "input", columns: { Sym: "string", Name: "string" }, keys: ["Sym"] },
  },
  derived: { named: 'trades.naturalJoin(names, "Sym", "Name")' },
};

function hosts() {
  const db = memoryDb();
  let now = 1_000_000;
  const make = () =>
    new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
  return {
    db,
    make,
    tick: (h: FamilyHost) => {
      now += 1000;
      return h.runCycle();
    },
  };
}

/** The error a call answers with, as the router would send it. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return errorResult(e);
  }
  throw new Error("expected a refusal");
}

describe("spec sources", () => {
  it("normalizes sources; top-level columns is the one source named source", () => {
    expect(normalizeSpec(SPEC).sources).toEqual({
      trades: { type: "publisher", columns: TRADES },
      quotes: { type: "publisher", columns: QUOTES },
    });
    expect(normalizeSpec(REF).sources.names).toEqual({
      type: "input",
      columns: { Sym: "string", Name: "string" },
      keys: ["Sym"],
    });
    expect(
      normalizeSpec({ sources: { clock: { type: "timeTable", period: "PT1s" } } }).sources.clock,
    ).toEqual({
      type: "timeTable",
      columns: { Timestamp: "instant" },
      period: "PT1s",
      blink: false,
      startTime: null,
    });
  });

  it("names what is wrong", () => {
    const msg = (spec: unknown) => {
      try {
        normalizeSpec(spec);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as Error).message;
      }
      throw new Error("expected a SpecError");
    };
    expect(msg({ sources: SPEC.sources, columns: TRADES })).toBe(
      '"sources" and "columns" cannot both be given: "sources" names every source; the top-level "columns"/"source" form is the one source named "source"',
    );
    expect(msg({ sources: {} })).toBe('"sources" must name at least one source');
    expect(msg({ sources: { "bad-name": { columns: TRADES } } })).toMatch(
      /^source name "bad-name" must start/,
    );
    expect(msg({ sources: { t: { type: "kafka", columns: TRADES } } })).toBe(
      'sources.t.type must be "publisher", "writer", "input" or "timeTable", got "kafka"',
    );
    expect(msg({ sources: { t: { columns: TRADES, keys: ["Sym"] } } })).toBe(
      'unknown field "keys" in sources.t (a publisher source takes type, columns)',
    );
    expect(msg({ sources: { t: { type: "input", columns: TRADES, keys: ["Nope"] } } })).toBe(
      'sources.t.keys: key column "Nope" is not a column; columns are [Sym, Ts, Size]',
    );
    expect(msg({ sources: { t: { columns: { X: "int99" } } } })).toMatch(
      /^sources\.t\.columns: Unknown type "int99"/,
    );
    expect(msg({ ...SPEC, derived: { quotes: "trades" } })).toBe(
      '"quotes" is a source table; a derived table cannot take that name',
    );
    expect(msg({ ...SPEC, derived: { x: "source.head(1)" } })).toBe(
      'derived table "x": unknown table "source" at position 0 in `source.head(1)`',
    );
  });
});

describe("FamilyHost with several sources", () => {
  it("applies every source's acknowledged batches in one cycle, also after a restart", () => {
    const { make, tick } = hosts();
    let h = make();
    expect(h.create("fx", SPEC)).toEqual({ created: true });
    expect(h.create("fx", JSON.parse(JSON.stringify(SPEC)))).toEqual({ created: false });
    expect(refusal(() => h.create("fx", { ...SPEC, cycleMs: 500 }))).toMatchObject({
      status: 409,
      error: "conflict",
    });
    h.publish({ rows: [{ Sym: "A", QuoteTs: 1, Bid: 10 }] }, { source: "quotes" });
    h.publish({ rows: [{ Sym: "A", Ts: 2, Size: 5 }] }, { source: "trades" });
    tick(h);
    expect(h.view("enriched").toRows()).toEqual([{ Sym: "A", Ts: 2n, Size: 5, Bid: 10 }]);
    // Both sides are stored, then the object restarts before the cycle.
    h.publish({ rows: [{ Sym: "A", Ts: 4, Size: 6 }] }, { source: "trades" });
    h.publish({ rows: [{ Sym: "A", QuoteTs: 3, Bid: 11 }] }, { source: "quotes" });
    h = make();
    expect(h.describe().pending).toEqual({ batches: 2, rows: 2 });
    expect(tick(h)).toMatchObject({ rows: 2, backlog: false });
    expect(h.view("enriched").toRows()).toEqual([{ Sym: "A", Ts: 4n, Size: 6, Bid: 11 }]);
    expect(h.view("tradeLog").size).toBe(2);
    expect(h.view("quoteLog").size).toBe(2);
    expect(h.describe().sources).toEqual({
      trades: { type: "publisher", columns: TRADES },
      quotes: { type: "publisher", columns: QUOTES },
    });
  });

  it("refuses an unknown source (404), a time table (409) and a delete on a publisher (400)", () => {
    const { make } = hosts();
    const h = make();
    h.create("fx", {
      sources: { ...SPEC.sources, clock: { timeTable: "PT1s" } },
    });
    expect(refusal(() => h.publish({ rows: [] }, { source: "orders" }))).toEqual({
      ok: false,
      status: 404,
      error: "unknown_source",
      detail: 'no source "orders" in table family "fx"; sources are [trades, quotes, clock]',
    });
    expect(refusal(() => h.publish({ rows: [] }))).toMatchObject({
      status: 404,
      error: "unknown_source",
    });
    expect(refusal(() => h.publish({ rows: [] }, { source: "clock" }))).toMatchObject({
      status: 409,
      error: "not_publishable",
    });
    expect(refusal(() => h.deleteRows({ rows: [{ Sym: "A" }] }, { source: "trades" }))).toEqual({
      ok: false,
      status: 400,
      error: "not_deletable",
      detail: 'source "trades" is a publisher source; only an input table with keys takes deletes',
    });
    expect(
      refusal(() => h.publish({ rows: [{ Sym: "A", Bid: 1 }] }, { source: "trades" })),
    ).toMatchObject({ status: 400, error: "bad_value" });
  });

  it("an idempotency key names one batch for one source", async () => {
    const { make } = hosts();
    const h = make();
    h.create("fx", SPEC);
    const rows = [{ Sym: "A" }];
    const k = { idempotencyKey: "k1" };
    const d1 = await batchDigest({ rows }, "trades");
    expect(h.publish({ rows }, { ...k, source: "trades", bodyDigest: d1 }).duplicate).toBe(false);
    expect(h.publish({ rows }, { ...k, source: "trades", bodyDigest: d1 }).duplicate).toBe(true);
    const d2 = await batchDigest({ rows }, "quotes");
    expect(d2).not.toBe(d1);
    expect(
      refusal(() => h.publish({ rows }, { ...k, source: "quotes", bodyDigest: d2 })),
    ).toMatchObject({ status: 422, error: "idempotency_key_reused" });
  });

  it("a batch's JSON text digests as the rows it holds; text that is not JSON is bad_json", async () => {
    const rows = [{ Sym: "A", Px: 1.5 }];
    const text = ' [ {"Sym" : "A", "Px": 1.5} ] ';
    const d = await batchDigest({ rows }, "trades");
    expect(await batchDigest({ json: text }, "trades")).toBe(d);
    expect(await batchDigest({ json: new TextEncoder().encode(text) }, "trades")).toBe(d);
    await expect(batchDigest({ json: '[{"Sym":' }, "trades")).rejects.toMatchObject({
      status: 400,
      code: "bad_json",
    });
  });
});

describe("FamilyHost input-table sources", () => {
  it("upserts and deletes by key, feeds a join, and keeps its contents after a restart", () => {
    const { db, make, tick } = hosts();
    let h = make();
    h.create("ref", REF);
    h.publish(
      {
        rows: [
          { Sym: "A", Name: "Alpha" },
          { Sym: "B", Name: "Beta" },
        ],
      },
      { source: "names" },
    );
    h.publish({ rows: [{ Sym: "A", Ts: 1, Size: 1 }] }, { source: "trades" });
    tick(h);
    expect(h.view("named").toRows()).toEqual([{ Sym: "A", Ts: 1n, Size: 1, Name: "Alpha" }]);
    for (let i = 0; i < 20; i++) {
      h.publish({ rows: [{ Sym: "A", Name: `Alpha ${i}` }] }, { source: "names" });
      tick(h);
    }
    h.deleteRows({ rows: [{ Sym: "B" }, { Sym: "Z" }] }, { source: "names" });
    h = make(); // evicted with the delete pending
    tick(h);
    expect(h.view("names").toRows()).toEqual([{ Sym: "A", Name: "Alpha 19" }]);
    h = make();
    expect(h.view("names").toRows()).toEqual([{ Sym: "A", Name: "Alpha 19" }]);
    // What is stored is the contents (one page, one part), not a log of the 22 changes.
    const id = h.describe().views.names!;
    expect(id.storedBytes).toBeGreaterThan(0);
    const pages = [
      ...nodePort(db).exec("SELECT COUNT(*) AS n FROM tf_page WHERE op LIKE '%:input'"),
    ];
    expect(Number(pages[0]!.n)).toBe(1);
    expect(h.describe().sources.names).toEqual({
      type: "input",
      columns: { Sym: "string", Name: "string" },
      keys: ["Sym"],
    });
  });

  it("refuses a row without its key columns, naming row and column; nothing is stored", () => {
    const { make } = hosts();
    const h = make();
    h.create("ref", REF);
    expect(
      refusal(() => h.publish({ rows: [{ Sym: "A" }, { Name: "x" }] }, { source: "names" })),
    ).toEqual({
      ok: false,
      status: 400,
      error: "bad_value",
      detail: 'row 1: key column "Sym" is missing; every row needs its key columns [Sym]',
    });
    expect(
      refusal(() => h.deleteRows({ rows: [{ Sym: "A", Name: "x" }] }, { source: "names" })),
    ).toMatchObject({ status: 400, error: "bad_value" });
    expect(refusal(() => h.deleteRows({ rows: [{}] }, { source: "names" }))).toMatchObject({
      status: 400,
      detail: 'row 0: key column "Sym" is missing; every row needs its key columns [Sym]',
    });
    expect(h.describe().pending).toEqual({ batches: 0, rows: 0 });
  });
});

describe("objects stored before families had several sources", () => {
  it("restore unchanged: the old spec, pending batches without a source column", () => {
    const { db, make, tick } = hosts();
    const sql = nodePort(db);
    const old = {
      columns: { X: "int32" },
      source: { type: "publisher" },
      cycleMs: 1000,
      derived: { h: "blinkToAppendOnly(source)" },
    };
    // The tables and rows as the previous version wrote them.
    sql.exec("CREATE TABLE host_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec(
      "CREATE TABLE host_pending (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (seq, part))",
    );
    sql.exec(
      "CREATE TABLE host_set_aside (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (seq, part))",
    );
    for (const [k, v] of Object.entries({ name: "old", spec: old, cycle: 0, nextSeq: 1 }))
      sql.exec("INSERT INTO host_meta (k, v) VALUES (?, ?)", k, JSON.stringify(v));
    // A batch stored the old way: taken from a current host, written without source and op.
    const scratch = hosts();
    const s = scratch.make();
    s.create("scratch", old);
    s.publish({ rows: [{ X: 7 }, { X: 8 }] });
    const [b] = [...nodePort(scratch.db).exec("SELECT data FROM host_pending")];
    sql.exec("INSERT INTO host_pending (seq, part, rows, data) VALUES (1, 0, 2, ?)", b!.data!);

    const h = make();
    expect(h.create("old", old)).toEqual({ created: false });
    expect(h.create("old", { columns: { X: "int32" }, derived: old.derived })).toEqual({
      created: false,
    });
    tick(h);
    expect(h.view("h").toRows()).toEqual([{ X: 7 }, { X: 8 }]);
    h.publish({ rows: [{ X: 9 }] });
    tick(h);
    expect(h.view("h").toRows()).toEqual([{ X: 7 }, { X: 8 }, { X: 9 }]);
    expect(h.describe().sources).toEqual({
      source: { type: "publisher", columns: { X: "int32" } },
    });
  });
});
