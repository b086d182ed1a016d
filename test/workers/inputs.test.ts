/**
 * Inputs from other families inside workerd, through the router: a keyed input-table family
 * (the producer) read by another family (the consumer) that joins its own trades with it. Random
 * upserts, deletes and trades, with the producer and the consumer each evicted mid-stream
 * (evictDurableObject: storage survives, memory does not); after every consumer cycle its copy
 * of the producer's view equals the producer's rows and its join equals the join recomputed from
 * them. Also: 404 for a missing family or view, 409 for a cycle, 400 for a blink view, and a
 * deleted producer failing the dependent views with its error.
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TableDescription } from "../../src/engine/wire.ts";
import { call, create, family, mustOpen, rowsOf, step, until } from "./router-helpers.ts";

const NAMES = { Sym: "string", Name: "string", Lot: "int64" };
const TRADES = { Sym: "string", Ts: "int64", Size: "int32" };

const producer = () => ({
  sources: { names: { type: "input", columns: NAMES, keys: ["Sym"] } },
  cycleMs: 3_600_000,
});
const consumer = (from: string) => ({
  sources: { trades: { columns: TRADES } },
  inputs: { ref: `${from}/names` },
  cycleMs: 3_600_000,
  derived: {
    log: "blinkToAppendOnly(trades)",
    named: 'log.naturalJoin(ref, "Sym", "Name, Lot")',
  },
});

function post(path: string, rows: unknown) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(rows),
  });
}

function put(name: string, spec: unknown) {
  return call(`/v1/tables/${name}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(spec),
  });
}

async function describeOf(name: string): Promise<TableDescription> {
  const res = await call(`/v1/tables/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as TableDescription;
}

/** Evicts a family's object (woken first: only a running object can be evicted). */
async function evict(name: string): Promise<void> {
  expect((await call(`/v1/tables/${name}`)).status).toBe(200);
  await evictDurableObject(family(name));
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYMS = ["A", "B", "C", "D", "E", "F"];

describe("inputs from other families", () => {
  it("a consumer's join tracks an input table exactly, each side evicted mid-stream", async () => {
    await create("ref1", producer());
    await create("desk1", consumer("ref1"));
    // The first consumer cycle takes the (empty) snapshot.
    expect(await step("desk1")).toBe(true);
    const rnd = random(17);
    const trades: { Sym: string; Ts: number; Size: number }[] = [];
    let ts = 0;
    let held = 0; // the producer cycle the consumer's copy is as of
    for (let round = 0; round < 24; round++) {
      // Producer edits: upserts and deletes of random keys.
      const ups = SYMS.filter(() => rnd() < 0.4).map((Sym) => ({
        Sym,
        Name: `${Sym}-${round}`,
        Lot: Math.floor(rnd() * 1000),
      }));
      const dels = SYMS.filter(() => rnd() < 0.15).map((Sym) => ({ Sym }));
      if (ups.length > 0)
        expect((await post("/v1/tables/ref1/sources/names/rows", ups)).status).toBe(202);
      if (dels.length > 0)
        expect((await post("/v1/tables/ref1/sources/names/delete", dels)).status).toBe(202);
      // Every third round publishes no trades: the consumer must cycle on its input alone.
      const mine =
        round % 3 === 2
          ? []
          : SYMS.filter(() => rnd() < 0.5).map((Sym) => ({ Sym, Ts: ++ts, Size: round }));
      if (mine.length > 0)
        expect((await post("/v1/tables/desk1/sources/trades/rows", mine)).status).toBe(202);
      trades.push(...mine);

      if (round % 6 === 1) await evict("ref1"); // before its cycle
      const before = await rowsOf("ref1", "names");
      if (ups.length + dels.length > 0) expect(await step("ref1")).toBe(true);
      // Upserts of the values a key has and deletes of absent keys change nothing.
      const changed = JSON.stringify(await rowsOf("ref1", "names")) !== JSON.stringify(before);

      if (round % 6 === 3) await evict("ref1"); // forgets the link: a snapshot
      if (round % 6 === 4) await evict("desk1"); // between producer and consumer
      if (round % 4 === 0) {
        await evict("ref1");
        await evict("desk1");
      }
      const consumerRan = await step("desk1");
      // The consumer cycles when its trades or its input changed, and only then.
      expect(consumerRan, `round ${round}`).toBe(mine.length > 0 || changed);
      if (consumerRan) held = (await describeOf("ref1")).cycle;

      const ref = await rowsOf("ref1", "names");
      expect(await rowsOf("desk1", "ref"), `round ${round}`).toEqual(ref);
      const bySym = new Map(ref.map((r) => [r.Sym, r]));
      const expected = trades.map((t) => ({
        ...t,
        Name: bySym.get(t.Sym)?.Name ?? null,
        Lot: bySym.get(t.Sym)?.Lot ?? null,
      }));
      expect(await rowsOf("desk1", "named"), `round ${round}`).toEqual(expected);
      const d = await describeOf("desk1");
      expect(d.inputs!.ref).toEqual({
        from: "ref1/names",
        producerCycle: held,
        state: "live",
        error: null,
        detail: null,
      });
      expect(d.views.ref!).toMatchObject({ refreshing: true, appendOnly: false, failed: false });
    }
    // Not timed: a loaded machine runs the 24 rounds of HTTP calls and evictions slowly.
  }, 120_000);

  it("an append-only producer view stays append-only in the consumer", async () => {
    await create("log2", {
      sources: { events: { type: "input", columns: { Sym: "string", X: "int32" } } },
      cycleMs: 3_600_000,
    });
    await create("sum2", {
      sources: { local: { columns: { Sym: "string" } } },
      inputs: { ev: "log2/events" },
      cycleMs: 3_600_000,
      derived: { total: 'ev.view("Sym", "X").sumBy("Sym")' },
    });
    await step("sum2");
    await post("/v1/tables/log2/sources/events/rows", [
      { Sym: "A", X: 1 },
      { Sym: "B", X: 2 },
    ]);
    await step("log2");
    await evict("log2");
    await post("/v1/tables/log2/sources/events/rows", [{ Sym: "A", X: 5 }]);
    await step("log2");
    expect(await step("sum2")).toBe(true);
    await evict("sum2");
    await post("/v1/tables/log2/sources/events/rows", [{ Sym: "B", X: 7 }]);
    await step("log2");
    expect(await step("sum2")).toBe(true);
    expect(await rowsOf("sum2", "total")).toEqual([
      { Sym: "A", X: 6 },
      { Sym: "B", X: 9 },
    ]);
    const d = await describeOf("sum2");
    expect(d.views.ev).toMatchObject({ appendOnly: true, addOnly: true, size: 4 });
  });

  it("refuses a missing family or view (404), a blink view (400) and a cycle (409)", async () => {
    const noFamily = await put("desk3", consumer("nowhere"));
    expect(noFamily.status).toBe(404);
    expect(await noFamily.json()).toEqual({
      error: "unknown_input",
      detail: 'inputs.ref ("nowhere/names"): no table family "nowhere" (never created, or deleted)',
    });
    await create("ref3", { sources: { other: { type: "input", columns: NAMES, keys: ["Sym"] } } });
    const noView = await put("desk3", consumer("ref3"));
    expect(noView.status).toBe(404);
    expect(await noView.json()).toEqual({
      error: "unknown_input",
      detail:
        'inputs.ref ("ref3/names"): no view "names" in table family "ref3"; views are [other]',
    });
    // Nothing was created by the refusals.
    expect((await call("/v1/tables/desk3")).status).toBe(404);

    await create("pub3", { columns: { X: "int32" }, cycleMs: 3_600_000 });
    const blink = await put("desk3", {
      columns: { Y: "int32" },
      inputs: { p: "pub3/source" },
    });
    expect(blink.status).toBe(400);
    expect(((await blink.json()) as { error: string }).error).toBe("bad_input");

    const self = await put("self3", { columns: { X: "int32" }, inputs: { me: "self3/source" } });
    expect(self.status).toBe(409);
    expect(await self.json()).toEqual({
      error: "input_cycle",
      detail: 'the inputs of table family "self3" would form a cycle: self3 -> self3',
    });

    // a <- b (b reads a); a deleted and re-created reading b closes a cycle.
    await create("a3", producer());
    await create("b3", consumer("a3"));
    expect((await call("/v1/tables/a3", { method: "DELETE" })).status).toBe(200);
    const cyc = await put("a3", {
      sources: { names: { type: "input", columns: NAMES, keys: ["Sym"] } },
      inputs: { back: "b3/named" },
    });
    expect(cyc.status).toBe(409);
    expect(await cyc.json()).toEqual({
      error: "input_cycle",
      detail: 'the inputs of table family "a3" would form a cycle: a3 -> b3 -> a3',
    });
    expect((await call("/v1/tables/a3")).status).toBe(404);
  });

  it("a deleted producer fails the dependent views with its error", async () => {
    await create("ref4", producer());
    await create("desk4", consumer("ref4"));
    await post("/v1/tables/ref4/sources/names/rows", [{ Sym: "A", Name: "a", Lot: 1 }]);
    await post("/v1/tables/desk4/sources/trades/rows", [{ Sym: "A", Ts: 1, Size: 2 }]);
    await step("ref4");
    await step("desk4");
    expect(await rowsOf("desk4", "named")).toEqual([
      { Sym: "A", Ts: 1, Size: 2, Name: "a", Lot: 1 },
    ]);
    const sub = await mustOpen("/v1/tables/desk4/views/named/subscribe?format=json");
    await until(() => sub.messages().some((m) => m.type === "snapshot"), "the snapshot");
    expect((await call("/v1/tables/ref4", { method: "DELETE" })).status).toBe(200);
    // The producer told the consumer (its alarm is set); its next cycle fails the input.
    expect(await step("desk4")).toBe(true);
    await until(() => sub.messages().some((m) => m.type === "failure"), "the failure");
    expect(sub.messages().find((m) => m.type === "failure")).toEqual({
      type: "failure",
      cycle: 2,
      error: "not_found",
      detail: 'input "ref" (ref4/names): no table family "ref4" (never created, or deleted)',
    });
    const d = await describeOf("desk4");
    expect(d.inputs!.ref.state).toBe("failed");
    expect(d.inputs!.ref.detail).toContain("ref4");
    expect(d.views.ref!.failed).toBe(true);
    expect(d.views.named!.failed).toBe(true);
    expect(d.views.log!.failed).toBe(false);
    // The failure survives an eviction of the consumer.
    await evict("desk4");
    const again = await describeOf("desk4");
    expect(again.inputs!.ref).toEqual(d.inputs!.ref);
  });
});
