import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { FamilyHost, pendingBatches, toVecs } from "../../src/durable/host.ts";
import { batchDigest } from "../../src/durable/idempotency.ts";
import { asPagedColumn } from "../../src/engine/column.ts";
import type { BuiltFamily } from "../../src/engine/family/family.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import { canonicalSpec, normalizeSpec } from "../../src/engine/family/spec.ts";
import {
  doubleCol,
  instantCol,
  longCol,
  mirrorTable,
  newTable,
  stringCol,
  toArrowIPC,
  UpdateGraph,
} from "../../src/engine/index.ts";
import type { HostDriver } from "../contracts/host.contract.ts";
import { hostContract } from "../contracts/host.contract.ts";
import { relationalHostContract } from "../contracts/relational-host.contract.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";
import { updateByHostContract } from "../contracts/update-by-host.contract.ts";

function driver(): HostDriver {
  const db = memoryDb();
  let now = 1_000_000;
  const make = () =>
    new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
  let host = make();
  const unwrap = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return {
    create: (spec) => unwrap(() => host.create("t", spec)),
    publish: async (rows, key) => {
      const bodyDigest = key === undefined ? undefined : await batchDigest({ rows });
      return unwrap(() => host.publish({ rows }, { idempotencyKey: key, bodyDigest }));
    },
    cycle: async () => {
      now += 1000;
      host.runCycle();
    },
    restart: async () => {
      host = make();
    },
    rows: async (view) => host.view(view).toRows(),
    describe: async () => host.describe(),
  };
}

/**
 * The same contract against the bare in-memory engine (no storage, no host): `restart` keeps the
 * process, so this checks the table semantics the hosted versions must reproduce.
 */
function engineDriver(): HostDriver {
  let fam: BuiltFamily | null = null;
  let spec = "";
  let graph = new UpdateGraph();
  const seen = new Map<string, number>();
  const must = () => {
    if (!fam) throw new Error("no family");
    return fam;
  };
  return {
    create: async (s) => {
      const n = canonicalSpec(normalizeSpec(s));
      if (fam) {
        if (n !== spec) throw new Error("exists with a different spec");
        return { created: false };
      }
      graph = new UpdateGraph();
      fam = buildFamily(s, graph);
      spec = n;
      return { created: true };
    },
    publish: async (rows, key) => {
      const f = must();
      if (key !== undefined && seen.has(key))
        return { accepted: seen.get(key)!, cycle: graph.cycle + 1, duplicate: true };
      const { vecs, length } = toVecs(f.spec.sources.source!.columns, { rows });
      f.port.addBatch(vecs, length);
      if (key !== undefined) seen.set(key, length);
      return { accepted: length, cycle: graph.cycle + 1, duplicate: false };
    },
    cycle: () => graph.runCycle(),
    restart: async () => {},
    rows: async (view) => must().views.get(view)!.toRows(),
    describe: async () => ({
      cycle: graph.cycle,
      pending: { rows: 0 },
      views: Object.fromEntries([...must().views].map(([n, t]) => [n, { size: t.size }])),
    }),
  };
}

describe("the in-memory engine", () => {
  hostContract("engine", async () => engineDriver());
  relationalHostContract("engine", async () => engineDriver());
});

describe("FamilyHost over node:sqlite", () => {
  hostContract("node:sqlite", async () => driver());
  relationalHostContract("node:sqlite", async () => driver());
  updateByHostContract("node:sqlite", async () => driver());

  it("splits large batches into parts of at most 1 MB and consumes whole batches per cycle", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), {
      transaction: nodeTransaction(db),
      maxRowsPerCycle: 1000,
    });
    host.create("t", { columns: { S: "string" }, derived: { all: "blinkToAppendOnly(source)" } });
    const big = "z".repeat(50_000);
    host.publish({ rows: Array.from({ length: 60 }, () => ({ S: big })) });
    host.publish({ rows: Array.from({ length: 1500 }, (_, i) => ({ S: `r${i}` })) });
    host.publish({ rows: [{ S: "last" }] });
    const parts = pendingBatches(nodePort(db));
    expect(parts.filter((p) => p.seq === 1).length).toBeGreaterThan(2);
    expect(Math.max(...parts.map((p) => p.bytes))).toBeLessThanOrEqual(1_000_000);
    // Whole batches until the budget (1000 rows) is reached: 60 + 1500, then the last one.
    expect(host.runCycle()).toMatchObject({ rows: 1560, backlog: true });
    expect(host.runCycle()).toMatchObject({ rows: 1, backlog: false });
    expect(host.view("all").size).toBe(1561);
  });

  it("a cycle applies the same rows from batches held since their publish as from storage after a restart", () => {
    const spec = {
      columns: { Id: "int64", Sym: "string", Px: "float64", Ts: "instant" },
      derived: { all: "blinkToAppendOnly(source)" },
    };
    const body = (ids: number[], nulls: boolean) =>
      toArrowIPC(
        newTable([
          longCol("Id", ids),
          stringCol(
            "Sym",
            ids.map((i) => (nulls && i % 3 === 0 ? null : `S${i % 4}`)),
          ),
          doubleCol(
            "Px",
            ids.map((i) => (nulls && i % 2 === 0 ? null : i / 4)),
          ),
          instantCol(
            "Ts",
            ids.map((i) => BigInt(i) * 1_000_000_001n),
          ),
        ]),
      );
    const run = (restart: boolean) => {
      const db = memoryDb();
      const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
      let host = make();
      host.create("t", spec);
      host.publish({ arrow: body([1, 2, 3, 4], false) });
      host.publish({ arrow: body([5, 6, 7, 8, 9], true) });
      host.publish({ rows: [{ Id: 10, Sym: "x", Px: null, Ts: "2024-01-01T00:00:00Z" }] });
      if (restart) host = make();
      expect(host.runCycle()).toEqual({ cycle: 1, rows: 10, backlog: false, setAside: 0 });
      return host.view("all").toRows();
    };
    const held = run(false);
    expect(held).toHaveLength(10);
    expect(held[6]).toEqual({ Id: 7n, Sym: "S3", Px: 1.75, Ts: 7000000007n });
    expect(held).toEqual(run(true));
  });

  it("cycles keep a fixed period: a late alarm keeps its slot, a whole period late restarts the clock", () => {
    const db = memoryDb();
    let now = 10_000;
    const host = new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
    host.create("t", { columns: { X: "int32" }, cycleMs: 100 });
    const tick = (at: number) => {
      now = at;
      host.publish({ rows: [{ X: 1 }] });
      host.runCycle();
      return host.nextCycleAt(true);
    };
    // Due at 10,100; fires 7 ms late: the next cycle is still due at 10,200, not 10,207.
    expect(tick(10_107)).toBe(10_200);
    expect(tick(10_203)).toBe(10_300);
    expect(tick(10_399)).toBe(10_400);
    // More than a whole period late (the object was busy or idle): the clock starts again.
    expect(tick(10_650)).toBe(10_750);
    // Early (a backlog drained at once): the clock starts again from then.
    expect(tick(10_700)).toBe(10_800);
    // Past due at the next decision: a cycle is due at once.
    now = 10_900;
    expect(host.nextCycleAt(true)).toBe(10_900);
  });

  it("an idle family asks for no cycle; pending rows and time tables do", () => {
    const db = memoryDb();
    let now = 5000;
    const host = new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
    expect(host.nextCycleAt()).toBeNull();
    host.create("t", { columns: { X: "int32" }, cycleMs: 200 });
    expect(host.nextCycleAt()).toBeNull();
    host.publish({ rows: [{ X: 1 }] });
    expect(host.nextCycleAt()).toBe(5200);
    now = 5200;
    host.runCycle();
    // The blink source still shows the rows: one more cycle clears it, then the family is idle.
    expect(host.nextCycleAt()).toBe(5400);
    now = 5400;
    host.runCycle();
    expect(host.nextCycleAt()).toBeNull();
    const tt = new FamilyHost(nodePort(memoryDb()), { now: () => now });
    tt.create("tt", { source: { timeTable: "PT1s" }, cycleMs: 1000 });
    expect(tt.nextCycleAt()).toBe(6400);
  });

  it("a time window keeps an idle family cycling until its rows age out, across a restart", () => {
    const db = memoryDb();
    let now = 5000;
    const make = () =>
      new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
    const host = make();
    host.create("t", {
      columns: { Ts: "instant", X: "int32" },
      cycleMs: 200,
      derived: {
        hist: "blinkToAppendOnly(source)",
        w: 'timeWindow(hist, "Ts", "PT1S", "InWindow")',
      },
    });
    host.publish({ rows: [{ Ts: new Date(5000).toISOString(), X: 1 }] });
    now = 5200;
    host.runCycle();
    now = 5400;
    host.runCycle(); // clears the blink source
    expect(host.view("w").toRows()).toEqual([{ Ts: 5_000_000_000n, X: 1, InWindow: true }]);
    // Idle but for the window: due when the row ages out (after 6000 ms), not every period.
    expect(host.nextCycleAt()).toBe(6001);
    // A new instance (the object woke) knows it without building the tables.
    const woken = make();
    expect(woken.nextCycleAt()).toBe(6001);
    now = 6001;
    woken.runCycle();
    // Rebuilt from the last cycle's clock, the row ages out as a modification subscribers see.
    expect(woken.view("w").toRows()).toEqual([{ Ts: 5_000_000_000n, X: 1, InWindow: false }]);
    expect(woken.lastUpdates.get("w")!.modified.toArray()).toEqual([0]);
    expect(woken.nextCycleAt()).toBeNull();
  });

  it("a failed cycle rolls back and the family recovers from storage", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", { columns: { X: "int32" }, derived: { all: "blinkToAppendOnly(source)" } });
    host.publish({ rows: [{ X: 1 }] });
    host.runCycle();
    host.publish({ rows: [{ X: 2 }] });
    // Sabotage the cycle's storage write once: the cycle must not half-apply.
    db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON tf_page BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    expect(() => host.runCycle()).toThrow(/disk on fire/);
    db.exec("DROP TRIGGER boom");
    expect(host.cycle).toBe(1);
    expect(host.pendingRows).toBe(1);
    expect(host.runCycle()).toMatchObject({ cycle: 2, rows: 1 });
    expect(host.view("all").toRows()).toEqual([{ X: 1 }, { X: 2 }]);
  });

  it("a rolled-back cycle or publish changes nothing: the cycle, the pending rows and the next publish are as before", async () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", { columns: { X: "int32" }, derived: { all: "blinkToAppendOnly(source)" } });
    host.publish({ rows: [{ X: 1 }] });
    expect(host.runCycle()).toMatchObject({ cycle: 1, rows: 1 });
    host.publish({ rows: [{ X: 2 }, { X: 3 }] });
    expect(host.pendingRows).toBe(2);
    // Fail the cycle after it wrote its new cycle number (the clock is written after it).
    db.exec(
      "CREATE TRIGGER boom BEFORE UPDATE ON host_meta WHEN NEW.k = 'cycleClock' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    expect(() => host.runCycle()).toThrow(/disk on fire/);
    db.exec("DROP TRIGGER boom");
    expect(host.cycle).toBe(1);
    expect(host.pendingRows).toBe(2);
    // Fail a publish after its rows were stored (the idempotency key is stored after them).
    db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON host_idem BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    const rows = [{ X: 4 }];
    const bodyDigest = await batchDigest({ rows });
    expect(() => host.publish({ rows }, { idempotencyKey: "k1", bodyDigest })).toThrow(
      /disk on fire/,
    );
    db.exec("DROP TRIGGER boom");
    expect(host.pendingRows).toBe(2);
    expect(host.publish({ rows }, { idempotencyKey: "k1", bodyDigest })).toEqual({
      accepted: 1,
      cycle: 2,
      duplicate: false,
    });
    expect(host.pendingRows).toBe(3);
    expect(host.runCycle()).toMatchObject({ cycle: 2, rows: 3 });
    expect(host.view("all").toRows()).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }, { X: 4 }]);
    expect(host.pendingRows).toBe(0);
  });

  it("snapshots in json, csv and arrow with offset and limit; unknown views are 404", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", { columns: { S: "string", L: "int64", T: "instant" } });
    host.publish({
      rows: [
        { S: "a,b", L: "9007199254740993", T: "2024-01-01T00:00:00.000000001Z" },
        { S: null, L: 5, T: null },
      ],
    });
    host.runCycle();
    expect(host.snapshot("source")).toEqual({
      format: "json",
      schema: { S: "string", L: "int64", T: "instant" },
      cycle: 1,
      total: 2,
      offset: 0,
      keys: [0, 1],
      rows: [
        { S: "a,b", L: "9007199254740993", T: "2024-01-01T00:00:00.000000001Z" },
        { S: null, L: 5, T: null },
      ],
    });
    expect(host.snapshot("source", { format: "csv" })).toMatchObject({
      text: 'S,L,T\r\n"a,b",9007199254740993,2024-01-01T00:00:00.000000001Z\r\n,5,\r\n',
    });
    expect(host.snapshot("source", { offset: 1, limit: 5 })).toMatchObject({ keys: [1], total: 2 });
    const arrow = host.snapshot("source", { format: "arrow" });
    expect(arrow.format === "arrow" && arrow.bytes.byteLength > 0).toBe(true);
    expect(() => host.snapshot("nope")).toThrow(
      'no view "nope" in table family "t"; views are [source]',
    );
    expect(() => host.snapshot("source", { limit: -1 })).toThrow(/limit/);
  });

  it("shutdown fails the source and refuses further rows", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", { columns: { X: "int32" }, derived: { all: "blinkToAppendOnly(source)" } });
    host.publish({ rows: [{ X: 1 }] });
    host.runCycle();
    host.shutdown("maintenance");
    expect(host.describe()).toMatchObject({ state: "shutdown", shutdownReason: "maintenance" });
    expect(host.view("all").isFailed).toBe(true);
    expect(() => host.publish({ rows: [{ X: 2 }] })).toThrow(/shut down/);
    expect(host.nextCycleAt()).toBeNull();
    const again = new FamilyHost(nodePort(db));
    expect(again.describe().state).toBe("shutdown");
    expect(again.view("all").toRows()).toEqual([{ X: 1 }]);
  });
});

/**
 * Publishes `values` as string column `name`, with N = 0, 1, ..., to `host`: as an Arrow body
 * (`asArrow`) or as a JSON one.
 */
function publishStrings(
  host: FamilyHost,
  name: string,
  values: readonly string[],
  asArrow: boolean,
): void {
  if (asArrow) {
    const n = longCol(
      "N",
      values.map((_, i) => BigInt(i)),
    );
    host.publish({ arrow: toArrowIPC(newTable([stringCol(name, [...values]), n])) });
  } else host.publish({ json: JSON.stringify(values.map((v, N) => ({ [name]: v, N }))) });
}

/** Column `column` of view `view` of `host`, as it is now. */
function columnOf(host: FamilyHost, view: string, column: string): unknown[] {
  return host
    .view(view)
    .toRows()
    .map((r) => r[column]);
}

describe("FamilyHost Arrow publishing", () => {
  it("stores a canonical Arrow stream as received and converts anything else", async () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", {
      columns: { S: "string", L: "int64" },
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const canonical = toArrowIPC(
      newTable([stringCol("S", ["a", null]), longCol("L", [1n, 2n ** 62n])]),
    );
    host.publish({ arrow: canonical });
    const dictionary = arrow.tableToIPC(
      new arrow.Table({
        L: arrow.vectorFromArray([3n], new arrow.Int64()),
        S: arrow.vectorFromArray(["b"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      }),
      "stream",
    );
    host.publish({ arrow: dictionary });
    const stored = [...nodePort(db).exec("SELECT seq, data FROM host_pending ORDER BY seq")];
    expect(Buffer.from(stored[0]!.data as Uint8Array).equals(Buffer.from(canonical))).toBe(true);
    expect(Buffer.from(stored[1]!.data as Uint8Array).equals(Buffer.from(dictionary))).toBe(false);
    expect(() => host.publish({ arrow: toArrowIPC(newTable([stringCol("S", ["x"])])) })).toThrow(
      /"L" \(int64\) is missing/,
    );
    host.runCycle();
    expect(host.view("all").toRows()).toEqual([
      { S: "a", L: 1n },
      { S: null, L: 2n ** 62n },
      { S: "b", L: 3n },
    ]);
  });

  it("a publisher's column of distinct strings goes into its pages as UTF-8, and reads back after a restart", () => {
    const db = memoryDb();
    const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    let host = make();
    host.create("t", {
      columns: { OrderId: "string", N: "int64" },
      // (The filter reads the source's rows: a column is kept as UTF-8 only when the string
      // cache gives up on it. Without it the source's readers take every column as UTF-8.)
      derived: {
        all: "blinkToAppendOnly(source)",
        last: "ringTable(source, 1500)",
        evens: 'source.where("N % 2 == 0")',
      },
    });
    const ids = (b: number) =>
      Array.from({ length: 1000 }, (_, i) => `ord-${b}-${(i * 7919) % 1000}`);
    const want: string[] = [];
    const forms: string[] = [];
    /** The OrderId values of view `name` of the host as it is now. */
    const idsOf = (name: string) => columnOf(host, name, "OrderId");
    for (let b = 0; b < 6; b++) {
      const v = ids(b);
      publishStrings(host, "OrderId", v, b % 2 === 0);
      want.push(...v);
      host.runCycle();
      forms.push(asPagedColumn(host.view("source").column("OrderId")).pageForm(0));
      expect(idsOf("source")).toEqual(v);
    }
    // Each batch is read once by the string cache, at its cycle (a JSON publish goes into the
    // stored Arrow as UTF-8, never decoded there). The first is decoded: the cache looks the
    // column's first call up whole. The second is decoded too: the cache samples it and gives up
    // on the column. The next seven reads pass it as UTF-8. The append-only table's page 1
    // starts in batch 4, open.
    expect(forms).toEqual(["strings", "strings", "utf8", "utf8", "utf8", "utf8"]);
    const all = host.view("all");
    expect(asPagedColumn(all.column("OrderId")).pageForm(0)).toBe("utf8");
    expect(asPagedColumn(all.column("OrderId")).pageForm(1)).toBe("utf8");
    expect(idsOf("all")).toEqual(want);
    expect(idsOf("last")).toEqual(want.slice(-1500));
    // The ring's last page (rows 4,096 on) started open in batch 4.
    expect(asPagedColumn(host.view("last").column("OrderId")).pageForm(1)).toBe("utf8");
    host = make();
    expect(idsOf("all")).toEqual(want);
    expect(idsOf("last")).toEqual(want.slice(-1500));
  });

  it("a family whose source only rings read keeps its string columns as UTF-8, across a restart", () => {
    const db = memoryDb();
    const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    let host = make();
    host.create("t", {
      columns: { Label: "string", N: "int64" },
      derived: { last: "ringTable(source, 2500)", few: "ringTable(source, 7)" },
    });
    const labels = ["AAPL", "MSFT", "IBM", "ORCL"];
    const want: string[] = [];
    const forms: string[] = [];
    const labelsOf = (name: string) => columnOf(host, name, "Label");
    for (let b = 0; b < 4; b++) {
      const v = Array.from({ length: 1000 }, (_, i) => labels[(i * 3 + b) % 4]!);
      publishStrings(host, "Label", v, b % 2 === 0);
      want.push(...v);
      host.runCycle();
      forms.push(asPagedColumn(host.view("source").column("Label")).pageForm(0));
      expect(labelsOf("source")).toEqual(v);
      expect(labelsOf("last")).toEqual(want.slice(-2500));
      expect(labelsOf("few")).toEqual(want.slice(-7));
    }
    // Four values, which the string cache would hand out as strings: kept as UTF-8 all the same.
    // (Label is no key column anywhere in this isolate: a key column is always decoded.)
    expect(forms).toEqual(["utf8", "utf8", "utf8", "utf8"]);
    // A family of its source alone keeps them so too (no operator decodes them); one that
    // filters the source decodes them.
    const bare = new FamilyHost(nodePort(memoryDb()), {});
    bare.create("b", { columns: { Label: "string" } });
    const filtered = new FamilyHost(nodePort(memoryDb()), {});
    filtered.create("f", {
      columns: { Label: "string" },
      derived: { ibm: 'source.where("Label == \\"IBM\\"")' },
    });
    const body = { json: JSON.stringify(labels.map((Label) => ({ Label }))) };
    for (const h of [bare, filtered]) {
      h.publish(body);
      h.runCycle();
      expect(
        h
          .view("source")
          .toRows()
          .map((r) => r.Label),
      ).toEqual(labels);
    }
    expect(asPagedColumn(bare.view("source").column("Label")).pageForm(0)).toBe("utf8");
    expect(asPagedColumn(filtered.view("source").column("Label")).pageForm(0)).toBe("strings");
    expect(filtered.view("ibm").toRows()).toEqual([{ Label: "IBM" }]);
    expect(asPagedColumn(host.view("last").column("Label")).pageForm(0)).toBe("utf8");
    host = make();
    expect(labelsOf("last")).toEqual(want.slice(-2500));
    expect(labelsOf("few")).toEqual(want.slice(-7));
  });

  it("a writer's string columns go into its append-only pages as UTF-8, sealed by their bytes, across a restart", () => {
    const db = memoryDb();
    const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    let host = make();
    host.create("w", { source: "writer", columns: { Label: "string", N: "int64" } });
    const labels = ["AAPL", "MSFT", "IBM", "ORCL", "a-value-of-17-byt"];
    const want: string[] = [];
    for (let b = 0; b < 5; b++) {
      // Pages 0 and 1 hold short ASCII values; page 2 also one of 17 bytes (rows 8,192 on).
      const v = Array.from({ length: 2000 }, (_, i) => labels[(i + b) % (b < 4 ? 4 : 5)]!);
      publishStrings(host, "Label", v, b % 2 === 0);
      want.push(...v);
      host.runCycle();
      expect(columnOf(host, "source", "Label")).toEqual(want);
    }
    const c = asPagedColumn(host.view("source").column("Label"));
    expect([c.pageForm(0), c.pageForm(1), c.pageForm(2)]).toEqual([
      "dictionary",
      "dictionary",
      "utf8",
    ]);
    host = make();
    expect(columnOf(host, "source", "Label")).toEqual(want);
  });

  it("a stream naming one column twice is refused, not stored as received", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", {
      columns: { S: "string", L: "int64" },
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const fields = [0, 1].map(() => new arrow.Field("S", new arrow.Utf8(), true));
    const schema = new arrow.Schema(fields);
    const s = arrow.vectorFromArray(["a"], new arrow.Utf8()).data[0]!;
    const batch = new arrow.RecordBatch(
      schema,
      arrow.makeData({ type: new arrow.Struct(fields), length: 1, nullCount: 0, children: [s, s] }),
    );
    const twice = arrow.tableToIPC(new arrow.Table(schema, [batch]), "stream");
    expect(() => host.publish({ arrow: twice })).toThrow(/"S" appears more than once/);
    expect([...nodePort(db).exec("SELECT seq FROM host_pending")]).toEqual([]);
  });
});

describe("mirror failure", () => {
  it("a failed mirror fails the tables derived from it", async () => {
    const g = new UpdateGraph();
    const m = mirrorTable(g, { X: "int32" });
    const derived = m.table.where("X > 0");
    const err = new Error("remote failed");
    const failures: unknown[] = [];
    derived.listen(
      () => {},
      (e) => failures.push(e),
    );
    m.fail(err);
    await g.runCycle();
    expect(m.table.isFailed).toBe(true);
    expect(failures).toEqual([err]);
  });
});

describe("memory after a restart", () => {
  it("history and formula columns over it come back lazily: nothing is read until asked for", () => {
    const db = memoryDb();
    const spec = {
      columns: { X: "int32" },
      derived: { hist: "blinkToAppendOnly(source)", doubled: 'hist.update("Y = X * 2")' },
    };
    const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    let host = make();
    host.create("t", spec);
    const n = 4096 * 30;
    for (let start = 0; start < n; start += 20_000) {
      host.publish({
        rows: Array.from({ length: Math.min(20_000, n - start) }, (_, i) => ({ X: start + i })),
      });
      host.runCycle();
    }
    host = make(); // restart
    const doubled = host.view("doubled");
    expect(doubled.size).toBe(n);
    expect(asPagedColumn(doubled.column("X")).loadedPages()).toEqual([]);
    expect(asPagedColumn(doubled.column("Y")).loadedPages()).toEqual([]);
    expect(doubled.getValue("Y", 4096 * 7 + 3)).toBe(2 * (4096 * 7 + 3));
    expect(asPagedColumn(doubled.column("Y")).loadedPages()).toEqual([7]);
    const ys = doubled.toRows().map((r) => r.Y as number);
    expect(ys.every((y, i) => y === 2 * i)).toBe(true);
  });
});
