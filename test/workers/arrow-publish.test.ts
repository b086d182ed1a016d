/**
 * Nothing is acknowledged that a cycle cannot apply, through the router inside workerd: corrupt
 * Arrow bodies over HTTP and the publish WebSocket are refused with a 400 (nothing stored), random
 * corruptions either are refused or appear exactly as apache-arrow reads them, and a bad batch
 * stored behind validation's back is set aside by the cycle (listed by describe) instead of
 * stopping the family.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeIPC } from "../../src/engine/arrow.ts";
import { newTable, stringCol, toArrowIPC } from "../../src/engine/index.ts";
import type { Corruption } from "../contracts/arrow-corruption.ts";
import {
  corrupt,
  corruptionArb,
  EXACT_SCHEMA,
  exactBody,
  mixedBody,
  referenceRead,
} from "../contracts/arrow-corruption.ts";
import { call, create, family, mustOpen, rowsOf, step } from "./router-helpers.ts";

const ARROW = "application/vnd.apache.arrow.stream";
const SYM_SPEC = {
  columns: { Sym: "string" },
  cycleMs: 3_600_000,
  derived: { all: "blinkToAppendOnly(source)" },
};
const REPRO_DETAIL =
  'Column "Sym": the string at row 0 ends at byte 1000, beyond the 8 bytes of its value buffer';

/** Mostly corruptions, sometimes none (so some bodies are accepted and must appear). */
const damagesOrNone = fc.oneof(
  { arbitrary: corruptionArb, weight: 3 },
  { arbitrary: fc.constant<Corruption[]>([]), weight: 1 },
);

const symBody = (values: string[]) => toArrowIPC(newTable([stringCol("Sym", values)]));

/** The reproduction: the stream of {Sym: ["abc"]} with its Utf8 offsets [0, 3] made [0, 1000]. */
function reproduction(): Uint8Array {
  const body = symBody(["abc"]);
  const offsets = decodeIPC(body).getChildAt(0)!.data[0]!.valueOffsets as Int32Array;
  expect(Array.from(offsets)).toEqual([0, 3]);
  const bad = new Uint8Array(body);
  new DataView(bad.buffer).setInt32(offsets.byteOffset - body.byteOffset + 4, 1000, true);
  return bad;
}

const postArrow = (name: string, body: Uint8Array) =>
  call(`/v1/tables/${name}/rows`, { method: "POST", headers: { "Content-Type": ARROW }, body });

async function describeOf(name: string) {
  const res = await call(`/v1/tables/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    pending: { batches: number; rows: number };
    setAside: unknown[];
    cycle: number;
  };
}

describe("corrupt Arrow publishes", () => {
  it("HTTP: the reproduction is a 400 naming column and row; nothing is stored; later rows appear", async () => {
    await create("ar-http", SYM_SPEC);
    const res = await postArrow("ar-http", reproduction());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "bad_arrow", detail: REPRO_DETAIL });
    expect((await describeOf("ar-http")).pending).toEqual({ batches: 0, rows: 0 });
    expect((await postArrow("ar-http", symBody(["ok"]))).status).toBe(202);
    await step("ar-http");
    expect(await rowsOf("ar-http", "all")).toEqual([{ Sym: "ok" }]);
  });

  it('HTTP: a body that is not Arrow sent as Arrow says "not an Arrow IPC stream"', async () => {
    await create("ar-json", SYM_SPEC);
    const res = await call("/v1/tables/ar-json/rows", {
      method: "POST",
      headers: { "Content-Type": ARROW },
      body: '[{"Sym":"abc"}]',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "bad_arrow",
      detail:
        'Invalid Arrow IPC data (15 bytes): not an Arrow IPC stream: it starts with the bytes 5b 7b 22 53 79 6d 22 3a ... ("[{"Sym":"), not an Arrow message header (0xFFFFFFFF, then a metadata length within the body); it reads as a metadata length of 1394768731 where 11 bytes remain',
    });
  });

  it("publish WebSocket: the reproduction gets an error frame; the stream and the family go on", async () => {
    await create("ar-ws", SYM_SPEC);
    const p = await mustOpen("/v1/tables/ar-ws/publish");
    p.ws.send(reproduction());
    p.ws.send(symBody(["next"]));
    await p.frameCount(2);
    expect(p.messages()).toEqual([
      { type: "error", seq: 1, error: "bad_arrow", detail: REPRO_DETAIL },
      { type: "ack", seq: 2, accepted: 1, cycle: 1, duplicate: false },
    ]);
    await step("ar-ws");
    expect(await rowsOf("ar-ws", "all")).toEqual([{ Sym: "next" }]);
    p.ws.close();
  });

  it("a stored batch the cycle cannot decode is set aside, listed by describe; the family keeps cycling", async () => {
    await create("ar-aside", SYM_SPEC);
    expect((await postArrow("ar-aside", symBody(["a"]))).status).toBe(202);
    // Store the reproduction as batch 2 behind validation's back (as an older version would have).
    await runInDurableObject(family("ar-aside"), (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(
        "INSERT INTO host_pending (seq, part, rows, data) VALUES (2, 0, 1, ?)",
        reproduction(),
      );
      sql.exec("UPDATE host_meta SET v = '3' WHERE k = 'nextSeq'");
    });
    expect((await postArrow("ar-aside", symBody(["b"]))).status).toBe(202);
    expect(await step("ar-aside")).toBe(true);
    expect(await rowsOf("ar-aside", "all")).toEqual([{ Sym: "a" }, { Sym: "b" }]);
    const d = await describeOf("ar-aside");
    expect(d.pending).toEqual({ batches: 0, rows: 0 });
    expect(d.setAside).toEqual([
      {
        seq: 2,
        rows: 1,
        cycle: 1,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        error: "bad_arrow",
        detail: REPRO_DETAIL,
      },
    ]);
    // It stays listed across a restart, and later publishes keep appearing.
    await evictDurableObject(family("ar-aside"));
    expect((await postArrow("ar-aside", symBody(["c"]))).status).toBe(202);
    await step("ar-aside");
    expect((await rowsOf("ar-aside", "all")).map((r) => r.Sym)).toEqual(["a", "b", "c"]);
    const after = await describeOf("ar-aside");
    expect(after.setAside).toEqual(d.setAside);
    expect(after.cycle).toBe(2);
  });

  for (const [kind, arb, columns] of [
    ["exact-typed (stored as received)", exactBody(3), EXACT_SCHEMA],
    [
      "dictionary and list (converted)",
      mixedBody(3),
      { ...EXACT_SCHEMA, L: "int32[]", D: "string" },
    ],
  ] as const) {
    it(`property: a corrupted ${kind} body is a 400 or appears exactly as apache-arrow reads it`, async () => {
      const name = `ar-prop-${kind.startsWith("exact") ? "exact" : "mixed"}`;
      await create(name, {
        columns,
        cycleMs: 3_600_000,
        derived: { all: "blinkToAppendOnly(source)" },
      });
      const names = Object.keys(columns);
      const expected: unknown[][] = names.map(() => []);
      await fc.assert(
        fc.asyncProperty(arb, damagesOrNone, async (body, damages) => {
          const bad = corrupt(body, damages);
          const res = await postArrow(name, bad);
          const answer = (await res.json()) as Record<string, unknown>;
          if (res.status !== 202) {
            expect(res.status).toBe(400);
            expect(Object.keys(answer).sort()).toEqual(["detail", "error"]);
            return;
          }
          const ref = referenceRead(bad);
          expect(answer.accepted).toBe(ref.columns[0]?.length ?? 0);
          for (const [j, n] of names.entries()) {
            expected[j]!.push(...ref.columns[ref.names.indexOf(n)]!);
          }
        }),
        { numRuns: 20 },
      );
      await step(name);
      expect((await describeOf(name)).setAside).toEqual([]);
      const snap = await call(`/v1/tables/${name}/views/all?format=arrow`);
      const got = referenceRead(new Uint8Array(await snap.arrayBuffer()));
      expect(got.names).toEqual(names);
      expect(got.columns).toEqual(expected);
    });
  }
});
