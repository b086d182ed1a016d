/**
 * Order on the wire: a family with sorted views (a sort of the blink source, and of a ring, whose
 * keys are sparse) serves snapshots (JSON, CSV, Arrow) in sorted order, and subscribers rebuild
 * the order after every cycle from keys alone: the client mirror (JSON and Arrow) and a plain
 * WebSocket client that applies the JSON messages of docs/protocol.md to a key -> row map and
 * reads it in ascending key order. A row moving to the top of the sorted ring costs one removed
 * and one added key. After an eviction the restarted object serves the same order.
 */
import { evictDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WebSocketLike } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import { BASE, call, family, mustOpen, step, until } from "./router-helpers.ts";

const client = connect(BASE, {
  fetch: (input, init) => exports.default.fetch(input, init),
  webSocket: async (url) => {
    const res = await exports.default.fetch(url.replace(/^ws/, "http"), {
      headers: { Upgrade: "websocket" },
    });
    if (!res.webSocket) throw new Error(`no upgrade: ${res.status}`);
    res.webSocket.accept();
    return res.webSocket as unknown as WebSocketLike;
  },
});

const SPEC = {
  columns: { Id: "int32", Price: "float64" },
  cycleMs: 3_600_000,
  derived: {
    top: 'source.sortDescending("Price")',
    ring: "ringTable(source, 20)",
    ranked: 'ring.sortDescending("Price")',
    best: 'ring.sortDescending("Price").head(3)',
  },
};

type Row = { Id: number; Price: number | null };

/** Descending by Price, nulls last, ties in arrival order (the ring's and the source's order). */
function sortedDesc(rows: Row[]): Row[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const x = a.r.Price;
      const y = b.r.Price;
      if (x === null || y === null) return x === y ? a.i - b.i : x === null ? 1 : -1;
      return y - x || a.i - b.i;
    })
    .map((e) => e.r);
}

/** A plain subscriber: applies docs/protocol.md's JSON messages to a key -> row map. */
function plainMirror(messages: () => Record<string, unknown>[]) {
  const rows = new Map<number, Record<string, unknown>>();
  let seen = 0;
  const put = (keys: unknown, values: unknown) => {
    (keys as number[]).forEach((k, i) => {
      rows.set(k, (values as Record<string, unknown>[])[i]!);
    });
  };
  return {
    apply(): number {
      const all = messages();
      let cycle = -1;
      for (const m of all.slice(seen)) {
        if (m.type === "snapshot") {
          if (m.part === 0) rows.clear();
          put(m.keys, m.rows);
        } else if (m.type === "delta") {
          for (const k of m.removed as number[]) rows.delete(k);
          put(m.added, m.addedRows);
          put(m.modified, m.modifiedRows);
        }
        cycle = m.cycle as number;
      }
      seen = all.length;
      return cycle;
    },
    /** The rows in ascending key order: the view's order. */
    ordered(): Record<string, unknown>[] {
      return [...rows.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    },
  };
}

describe("order on the wire: sorted views", () => {
  it("snapshots and subscribers keep the sorted order after every cycle", async () => {
    const name = "sorted-order";
    await client.createTable(name, SPEC);
    const published: Row[] = [];
    const publish = async (rows: Row[]) => {
      published.push(...rows);
      await client.publish(name, rows);
      await step(name);
    };
    await publish([
      { Id: 0, Price: 5 },
      { Id: 1, Price: null },
      { Id: 2, Price: 7.5 },
      { Id: 3, Price: 5 },
    ]);
    // Snapshots come in sorted order, in every format.
    const want = sortedDesc(published);
    const json = (await (await call(`/v1/tables/${name}/views/top?format=json`)).json()) as {
      rows: Row[];
    };
    expect(json.rows).toEqual(want);
    const csv = await (await call(`/v1/tables/${name}/views/top?format=csv`)).text();
    expect(csv.trim().split("\r\n")).toEqual(["Id,Price", "2,7.5", "0,5", "3,5", "1,"]);
    const arrow = await client.snapshot(name, "ranked", { format: "arrow" });
    expect(arrow.table.toRows()).toEqual(want);

    const subs = await Promise.all([
      client.subscribe(name, "ranked", { format: "json" }),
      client.subscribe(name, "ranked", { format: "arrow" }),
      client.subscribe(name, "best", { format: "arrow" }),
    ]);
    const raw = await mustOpen(`/v1/tables/${name}/views/ranked/subscribe?format=json`);
    const plain = plainMirror(() => raw.messages());
    await until(() => plain.apply() >= 0, "the raw snapshot");
    expect(plain.ordered()).toEqual(want);

    let id = 4;
    for (let c = 0; c < 6; c++) {
      const rows = Array.from({ length: 3 + c }, (_, i) => ({
        Id: id++,
        Price: (i * 7 + c * 3) % 5 === 0 ? null : ((id * 37) % 23) / 2,
      }));
      await publish(rows);
      const cycle = (await client.describe(name)).cycle;
      const ring = sortedDesc(published.slice(-20));
      await Promise.all(subs.map((s) => s.waitForCycle(cycle, 5000)));
      expect(subs[0]!.table.toRows()).toEqual(ring);
      expect(subs[1]!.table.toRows()).toEqual(ring);
      expect(subs[2]!.table.toRows()).toEqual(ring.slice(0, 3));
      await until(() => plain.apply() === cycle, `raw delta of cycle ${cycle}`);
      expect(plain.ordered()).toEqual(ring);
    }

    // One row to the top of the sorted ring: the delta holds one removed and one added key.
    const before = raw.messages().length;
    await publish([{ Id: id++, Price: 1000 }]);
    await until(() => raw.messages().length > before, "the top delta");
    const delta = raw.messages()[before]!;
    expect(delta).toMatchObject({ type: "delta", modified: [] });
    expect((delta.added as number[]).length).toBe(1);
    expect((delta.removed as number[]).length).toBe(1); // the ring's oldest row left
    plain.apply();
    expect(plain.ordered()).toEqual(sortedDesc(published.slice(-20)));
    for (const s of subs) s.close();
    raw.ws.close();

    // Evicted mid-stream: the restarted object serves the same rows in the same order, and keeps
    // ticking them in order.
    await evictDurableObject(family(name));
    const after = await client.snapshot(name, "ranked", { format: "json" });
    expect(after.table.toRows()).toEqual(sortedDesc(published.slice(-20)));
    await publish([
      { Id: id++, Price: 3.25 },
      { Id: id++, Price: null },
    ]);
    const again = await client.snapshot(name, "best", { format: "arrow" });
    expect(again.table.toRows()).toEqual(sortedDesc(published.slice(-20)).slice(0, 3));
    expect((await client.snapshot(name, "ranked", { format: "json" })).table.toRows()).toEqual(
      sortedDesc(published.slice(-20)),
    );
  });
});
