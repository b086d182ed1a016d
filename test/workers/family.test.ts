/**
 * The TableFamily Durable Object inside workerd: the host contract through real RPC, alarms
 * stepped with runDurableObjectAlarm, restarts with evictDurableObject; the storage contract over
 * the object's own SQLite.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RpcResult } from "../../src/durable/errors.ts";
import type { TableFamily } from "../../src/durable/table-family.ts";
import { LATE_ALARM_MS } from "../../src/durable/table-family.ts";
import type { SqlPort } from "../../src/engine/persist/sql-port.ts";
import type { HostDriver } from "../contracts/host.contract.ts";
import { hostContract } from "../contracts/host.contract.ts";
import { relationalHostContract } from "../contracts/relational-host.contract.ts";
import { stateStoreContract } from "../contracts/state-store.contract.ts";
import { updateByHostContract } from "../contracts/update-by-host.contract.ts";

const stubFor = (name: string) => env.TABLES.get(env.TABLES.idFromName(name));

async function unwrap<T>(p: Promise<RpcResult<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.status} ${r.error}: ${r.detail}`);
  return r.value;
}

function driver(name: string): HostDriver {
  const stub = stubFor(name);
  return {
    create: (spec) => unwrap(stub.create(name, spec)),
    publish: (rows, key) =>
      unwrap(stub.publish({ rows }, key === undefined ? {} : { idempotencyKey: key })),
    cycle: async () => {
      await runDurableObjectAlarm(stub);
    },
    restart: () => evictDurableObject(stub),
    rows: async (view) => {
      const s = await unwrap(stub.snapshot(view, { format: "json" }));
      if (s.format !== "json") throw new Error("expected json");
      return s.rows;
    },
    describe: () => unwrap(stub.describe()),
  };
}

describe("TableFamily durable object", () => {
  hostContract("durable object", async (name) => driver(`host-${name}`));
  relationalHostContract("durable object", async (name) => driver(`host-${name}`));
  updateByHostContract("durable object", async (name) => driver(`host-${name}`));

  stateStoreContract("durable object sqlite", (db, fn) =>
    runInDurableObject(stubFor(`store-${db}`), (_instance, state) =>
      fn(state.storage.sql as unknown as SqlPort),
    ),
  );

  it("a publish that finds the alarm late runs the due cycle itself; one that does not, stores only", async () => {
    const stub = stubFor("late-alarm");
    await unwrap(stub.create("late-alarm", { columns: { X: "int32" }, cycleMs: 100 }));
    await runInDurableObject(stub, (instance: TableFamily, state) =>
      // No other event (the alarm included) runs until this resolves.
      state.blockConcurrencyWhile(async () => {
        await state.storage.setAlarm(Date.now() + 60_000);
        expect((await instance.publish({ rows: [{ X: 1 }] })).ok).toBe(true);
        let d = await unwrap(instance.describe());
        expect([d.cycle, d.pending.rows]).toEqual([0, 1]);
        // An alarm held back, as a steady stream did: due now, then LATE_ALARM_MS and more pass.
        await state.storage.setAlarm(Date.now());
        await new Promise((r) => setTimeout(r, LATE_ALARM_MS + 20));
        expect((await instance.publish({ rows: [{ X: 2 }] })).ok).toBe(true);
        d = await unwrap(instance.describe());
        expect([d.cycle, d.pending.rows]).toEqual([1, 0]);
        // The alarm now holds the next cycle's time, not the late one.
        expect(await state.storage.getAlarm()).toBeGreaterThan(Date.now());
      }),
    );
  });

  it("after a cycle a publish ran has thrown, publishes leave cycles to the alarm's retries", async () => {
    const stub = stubFor("late-fail");
    await unwrap(
      stub.create("late-fail", {
        columns: { X: "int32" },
        cycleMs: 100,
        derived: { all: "blinkToAppendOnly(source)" },
      }),
    );
    await runInDurableObject(stub, (instance: TableFamily, state) =>
      state.blockConcurrencyWhile(async () => {
        const late = async () => {
          await state.storage.setAlarm(Date.now());
          await new Promise((r) => setTimeout(r, LATE_ALARM_MS + 20));
        };
        state.storage.sql.exec(
          "CREATE TRIGGER boom BEFORE INSERT ON tf_page BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        );
        await late();
        // The batch is stored and acknowledged; the cycle it then ran threw and rolled back.
        expect((await instance.publish({ rows: [{ X: 1 }] })).ok).toBe(true);
        state.storage.sql.exec("DROP TRIGGER boom");
        await late();
        expect((await instance.publish({ rows: [{ X: 2 }] })).ok).toBe(true);
        const d = await unwrap(instance.describe());
        expect([d.cycle, d.pending.rows]).toEqual([0, 2]);
        // The alarm's retry (re-armed as the platform would, not to fire during the test).
        await state.storage.setAlarm(Date.now() + 3_600_000);
      }),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const d = await unwrap(stub.describe());
    expect([d.cycle, d.pending.rows]).toEqual([1, 0]);
    const all = await unwrap(stub.snapshot("all"));
    expect(all.format === "json" && all.rows).toEqual([{ X: 1 }, { X: 2 }]);
  });

  it("an idle family has no alarm; a publish arms one; a blink view is cleared, then idle", async () => {
    const stub = stubFor("idle");
    await unwrap(stub.create("idle", { columns: { X: "int32" }, cycleMs: 3_600_000 }));
    expect(await stub.nextCycleAt()).toBeNull();
    await unwrap(stub.publish({ rows: [{ X: 1 }] }));
    expect(await stub.nextCycleAt()).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await unwrap(stub.snapshot("source"))).total).toBe(1);
    expect(await stub.nextCycleAt()).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await unwrap(stub.snapshot("source"))).total).toBe(0);
    expect(await stub.nextCycleAt()).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("a time window keeps an idle family's alarm set until its rows have aged out", async () => {
    const stub = stubFor("window");
    await unwrap(
      stub.create("window", {
        columns: { Ts: "instant", X: "int32" },
        source: "writer",
        cycleMs: 50,
        derived: { w: 'timeWindow(source, "Ts", "PT0S", "InWindow")' },
      }),
    );
    // A stamp 3 s ahead with a zero window: in the window until the clock passes it.
    const stampMs = Date.now() + 3000;
    await unwrap(stub.publish({ rows: [{ Ts: new Date(stampMs).toISOString(), X: 1 }] }));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rows = async () => {
      const s = await unwrap(stub.snapshot("w"));
      // Ts is written in the engine's canonical form (trailing zeros trimmed): compare the rest.
      return s.format === "json" ? s.rows.map((r) => [r.X, r.InWindow]) : null;
    };
    expect(await rows()).toEqual([[1, true]]);
    // Nothing pending, no subscriber: the alarm is set for the millisecond after the edge.
    expect(await stub.nextCycleAt()).toBe(stampMs + 1);
    while (Date.now() <= stampMs + 1) await new Promise((r) => setTimeout(r, 100));
    // The alarm may already have fired by itself; if not, run it now.
    await runDurableObjectAlarm(stub);
    expect(await rows()).toEqual([[1, false]]);
    expect(await stub.nextCycleAt()).toBeNull();
  });

  it("an alarm that throws is retried and its cycle applies once", async () => {
    const stub = stubFor("retry");
    await unwrap(
      stub.create("retry", {
        columns: { X: "int32" },
        cycleMs: 3_600_000,
        derived: { all: "blinkToAppendOnly(source)" },
      }),
    );
    await unwrap(stub.publish({ rows: [{ X: 1 }, { X: 2 }] }));
    // Make the cycle's storage write fail once, as a crash mid-cycle would.
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec(
        "CREATE TRIGGER boom BEFORE INSERT ON tf_page BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
      );
    });
    await expect(runDurableObjectAlarm(stub)).rejects.toThrow(/injected failure/);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("DROP TRIGGER boom");
      // The platform retries a thrown alarm; re-arm it as the retry would.
      return state.storage.setAlarm(Date.now() + 3_600_000);
    });
    expect((await unwrap(stub.describe())).cycle).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const d = await unwrap(stub.describe());
    expect(d.cycle).toBe(1);
    expect(d.pending.rows).toBe(0);
    const all = await unwrap(stub.snapshot("all"));
    expect(all.format === "json" && all.rows).toEqual([{ X: 1 }, { X: 2 }]);
  });

  it("errors cross RPC as values with a status", async () => {
    const stub = stubFor("errors");
    expect(await stub.describe()).toMatchObject({ ok: false, status: 404, error: "not_found" });
    expect(await stub.create("errors", { columns: { X: "int33" } })).toMatchObject({
      ok: false,
      status: 400,
      error: "bad_schema",
    });
    await unwrap(stub.create("errors", { columns: { X: "int32" }, cycleMs: 3_600_000 }));
    expect(await stub.publish({ rows: [{ X: "a" }] })).toMatchObject({
      ok: false,
      status: 400,
      error: "bad_value",
      detail: 'row 0, column "X": expected int32, got "a"',
    });
    expect(await stub.snapshot("nope")).toMatchObject({
      ok: false,
      status: 404,
      error: "unknown_view",
    });
  });
});

describe("TableFamily sockets", () => {
  /** Opens a subscriber socket straight on the object and collects its messages. */
  async function subscribe(stub: DurableObjectStub<TableFamily>, view = "source") {
    const res = await stub.fetch(`http://object/subscribe?view=${view}&format=json`, {
      headers: { Upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const messages: Record<string, unknown>[] = [];
    const closed: { code: number; reason: string }[] = [];
    ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
    ws.addEventListener("close", (e) => closed.push({ code: e.code, reason: e.reason }));
    return { ws, messages, closed };
  }

  async function until(pred: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(pred()).toBe(true);
  }

  it("destroy closes every socket with 4404, so a new family of the same name starts clean", async () => {
    const stub = stubFor("destroy-sockets");
    await unwrap(stub.create("destroy-sockets", { columns: { X: "int32" }, cycleMs: 3_600_000 }));
    const sub = await subscribe(stub);
    await until(() => sub.messages.length === 1);
    await unwrap(stub.destroy());
    await until(() => sub.closed.length === 1);
    expect(sub.closed[0]!.code).toBe(4404);
  });

  it("a connected subscriber keeps the family cycling; once it leaves the family goes idle", async () => {
    const stub = stubFor("sub-cycles");
    await unwrap(stub.create("sub-cycles", { columns: { X: "int32" }, cycleMs: 3_600_000 }));
    expect(await stub.nextCycleAt()).toBeNull();
    const sub = await subscribe(stub);
    await until(() => sub.messages.length === 1);
    expect(await stub.nextCycleAt()).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(sub.messages.length).toBe(1); // an empty cycle sends no delta
    expect(await stub.nextCycleAt()).not.toBeNull();
    sub.ws.close(1000, "done");
    await until(() => sub.closed.length === 1);
    await runDurableObjectAlarm(stub);
    expect(await stub.nextCycleAt()).toBeNull();
  });

  it("shutting down a writer family sends subscribers a failure frame", async () => {
    const stub = stubFor("writer-shutdown");
    await unwrap(
      stub.create("writer-shutdown", {
        columns: { X: "int32" },
        source: "writer",
        cycleMs: 3_600_000,
      }),
    );
    const sub = await subscribe(stub);
    await until(() => sub.messages.length === 1);
    await unwrap(stub.shutdown("maintenance"));
    await until(() => sub.messages.length === 2);
    expect(sub.messages[1]).toMatchObject({ type: "failure", detail: "maintenance" });
    expect((await unwrap(stub.describe())).views.source!.failed).toBe(true);
  });
});
