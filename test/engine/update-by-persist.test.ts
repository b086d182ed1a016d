/**
 * updateBy persistence through the state store over node:sqlite: a family rebuilt from storage
 * after every cycle (a restart) outputs, cycle by cycle, exactly what the same family kept in
 * memory outputs. Over a blink parent the kernels' per-group state is restored (-0, NaN,
 * infinities, nulls, int64 past 2^53, window rows); over an append-only parent updateBy is
 * computed again from the restored history. The host contract
 * (contracts/update-by-host.contract.ts) does the same through FamilyHost and workerd.
 */
import { describe, expect, it } from "vitest";
import type { Table } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  tablePublisher,
  UpdateGraph,
  updateby,
} from "../../src/engine/index.ts";
import type { SqlPort } from "../../src/engine/persist/sql-port.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { splitRecord } from "../../src/engine/updateby/persist.ts";
import { memoryDb, nodePort } from "../contracts/sqlite-node.ts";

const S = 1_000_000_000n;

/** The same family on every call, stored through `sql` when given. */
function family(sql: SqlPort | null) {
  const store = sql === null ? undefined : new SqlStateStore(sql);
  const g = new UpdateGraph({ seed: 1, store, clock: () => 0 });
  const [blink, pub] = tablePublisher(g, {
    name: "p",
    columns: { G: "string", X: "float64", L: "int64", Ts: "instant", Tag: "string" },
  });
  const ops = [
    updateby.cumSum("CX = X, CL = L"),
    updateby.cumProd("PX = X, PL = L"),
    updateby.cumMin("MinX = X, MinL = L"),
    updateby.cumMax("MaxX = X"),
    updateby.delta("DX = X, DL = L"),
    updateby.forwardFill("FX = X, FTag = Tag"),
    updateby.emaTick(2, "EX = X"),
    updateby.emaTime("Ts", "PT2S", "ETX = X"),
    updateby.rollingSumTick("RSX = X, RSL = L", 3),
    updateby.rollingAvgTick("RAX = X", 3),
    updateby.rollingStdTick("SDX = X, SDL = L", 4),
    updateby.rollingMinTick("RMinX = X, RMinL = L", 3),
    updateby.rollingMaxTick("RMaxX = X", 2),
    updateby.rollingProductTick("RPX = X", 3),
    updateby.rollingCountTick("RCX = X", 3),
    updateby.rollingSumTime("Ts", "TSX = X, TSL = L", "PT2S"),
    updateby.rollingMaxTime("Ts", "TMaxL = L", "PT3S"),
    updateby.rollingStdTime("Ts", "TSDX = X", "PT3S"),
  ];
  const stream = blink.updateBy(ops, "G");
  const hist = blinkToAppendOnly(blink);
  const fromHistory = hist.updateBy(
    [
      updateby.cumSum("CL = L"),
      updateby.rollingSumTick("W = L", 2, 1),
      updateby.emaTick(2, "E = X"),
    ],
    "G",
  );
  return { g, pub, views: { stream, fromHistory } as Record<string, Table> };
}

const BIG = 2n ** 62n;
const XS = [
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  -2.25,
  0.1,
  Number.NEGATIVE_INFINITY,
];

function rowsOf(c: number) {
  return Array.from({ length: 5 }, (_, i) => ({
    G: i === 4 ? null : ["a", "b"][(c + i) % 2]!,
    X: XS[(c * 5 + i) % XS.length]!,
    L: i === 2 ? BIG + BigInt(c) : i === 3 && c % 3 === 0 ? null : BigInt(c * 10 - i),
    Ts: c % 4 === 1 && i === 1 ? null : BigInt(c) * S + BigInt(i) * 300_000_000n,
    Tag: i === 0 && c % 2 === 0 ? null : `t${c}.${i}`,
  }));
}

describe("updateBy persistence", () => {
  it("a family restored after every cycle outputs exactly what one kept in memory outputs", () => {
    const db = memoryDb();
    const ref = family(null);
    for (let c = 1; c <= 10; c++) {
      const f = family(nodePort(db)); // a restart: everything in memory is rebuilt from storage
      f.pub.addRows(rowsOf(c));
      ref.pub.addRows(rowsOf(c));
      f.g.runCycleSync();
      ref.g.runCycleSync();
      for (const [name, t] of Object.entries(ref.views)) {
        expect(f.views[name]!.toRows(), `${name} at cycle ${c}`).toEqual(t.toRows());
      }
    }
    // The windows and running values reach across cycles (not restarted from empty).
    const last = ref.views.stream!.toRows();
    // The null group's L is 10c - 4 in cycle c: its running sum is the whole stream's.
    expect(BigInt(last.find((r) => r.G === null)!.CL as bigint)).toBe(510n);
  });

  it("a window too long for one stored value is saved in parts; a shorter one drops the extra parts", () => {
    const db = memoryDb();
    const make = (sql: SqlPort | null) => {
      const g = new UpdateGraph({ seed: 1, store: sql ? new SqlStateStore(sql) : undefined });
      const [blink, pub] = tablePublisher(g, {
        name: "p",
        columns: { X: "float64", Ts: "instant" },
      });
      const r = blink.updateBy([
        updateby.rollingMaxTime("Ts", "Hi = X", "PT1H"),
        updateby.rollingProductTime("Ts", "Pr = X", "PT1H"),
      ]);
      return { g, pub, r };
    };
    const ref = make(null);
    // Cycle 1: 20,000 rows one millisecond apart (one window, several parts); cycle 2: an hour
    // later, the window holds 3 rows (one part); cycle 3: the same again after a restart.
    const cycles = [
      Array.from({ length: 20_000 }, (_, i) => ({
        X: 1 + (i % 7) / 8,
        Ts: BigInt(i) * 1_000_000n,
      })),
      [1, 2, 3].map((i) => ({ X: i + 0.5, Ts: 7_200n * S + BigInt(i) })),
      [4, 5].map((i) => ({ X: i + 0.25, Ts: 7_200n * S + BigInt(i) })),
    ];
    for (const rows of cycles) {
      const f = make(nodePort(db));
      f.pub.addRows(rows);
      ref.pub.addRows(rows);
      f.g.runCycleSync();
      ref.g.runCycleSync();
      expect(f.r.toRows()).toEqual(ref.r.toRows());
      const parts = [...nodePort(db).exec("SELECT COUNT(*) AS n FROM tf_slot")][0]!.n;
      expect(Number(parts)).toBe(rows.length > 3 ? 5 : 1);
    }
    expect(ref.r.toRows().map((r) => r.Hi)).toEqual([4.25, 5.25]);
  });

  it("a record is cut into parts, never inside a surrogate pair", () => {
    expect(splitRecord("a\u{1F600}b", 2)).toEqual(["a", "\u{1F600}", "b"]);
    expect(splitRecord("abcde", 2)).toEqual(["ab", "cd", "e"]);
    expect(splitRecord("", 2)).toEqual([""]);
  });
});
