/**
 * Idempotency keys in the host, over node:sqlite: the shared key validator, the batch digest,
 * a key reused with another batch refused (422, nothing stored) while the same batch is answered
 * as a duplicate, keys forgotten after 24 hours, and an object whose key table predates digests.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { errorResult } from "../../src/durable/errors.ts";
import type { PublishInput } from "../../src/durable/host.ts";
import { FamilyHost, pendingBatches } from "../../src/durable/host.ts";
import { batchDigest, checkIdempotencyKey } from "../../src/durable/idempotency.ts";
import { parseCsv } from "../../src/engine/csv-forms.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";

function setup(db = memoryDb()) {
  let now = 1_000_000;
  const host = new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
  if (!host.exists) host.create("t", { columns: { X: "int32", S: "string" } });
  const publish = async (input: PublishInput, key: string) =>
    host.publish(input, { idempotencyKey: key, bodyDigest: await batchDigest(input) });
  return {
    db,
    host,
    publish,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The refusal `fn` throws, as the RPC boundary reports it. */
async function refusal(
  fn: () => unknown,
): Promise<{ status: number; code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    const r = errorResult(e);
    if (r) return { status: r.status, code: r.error, message: r.detail };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("idempotency keys", () => {
  it("one validator: 1 to 256 printable ASCII characters, the reason named", async () => {
    expect(checkIdempotencyKey(" !~azAZ09")).toBe(" !~azAZ09");
    expect(checkIdempotencyKey("k".repeat(256))).toBe("k".repeat(256));
    const rule = "it must be 1 to 256 printable ASCII characters (space to ~)";
    const cases: [unknown, string][] = [
      ["", `Idempotency-Key is empty; ${rule}`],
      ["k".repeat(257), `Idempotency-Key has 257 characters; ${rule}`],
      ["a\u0000b", `Idempotency-Key has U+0000 (a control character) at position 1; ${rule}`],
      ["tab\there", `Idempotency-Key has U+0009 (a control character) at position 3; ${rule}`],
      ["del\u007f", `Idempotency-Key has U+007F (a control character) at position 3; ${rule}`],
      ["café", `Idempotency-Key has U+00E9 (not ASCII) at position 3; ${rule}`],
      [
        17,
        "Idempotency-Key must be a string of 1 to 256 printable ASCII characters (space to ~), got a number",
      ],
    ];
    for (const [key, detail] of cases) {
      const e = await refusal(() => checkIdempotencyKey(key));
      expect(e.status).toBe(400);
      expect(e.code).toBe("bad_idempotency_key");
      expect(e.message).toBe(detail);
    }
    expect(
      (await refusal(() => checkIdempotencyKey(null, "frame 3: idempotencyKey"))).message,
    ).toBe(
      "frame 3: idempotencyKey must be a string of 1 to 256 printable ASCII characters (space to ~), got null",
    );
  });

  it("the digest is SHA-256 of the batch tagged with its kind; JSON rows compare as JSON", async () => {
    // Checked against node:crypto's SHA-256.
    expect(await batchDigest({ rows: [] })).toBe(sha256("rows\n[]"));
    expect(await batchDigest({ arrow: new Uint8Array([1, 2]) })).toBe(
      sha256(new Uint8Array([...new TextEncoder().encode("arrow\n"), 1, 2])),
    );
    expect(await batchDigest({ csv: parseCsv("X\r\n\r\n") })).toBe(
      sha256('csv\n{"columns":["X"],"records":[[null]]}'),
    );
    expect(await batchDigest({ rows: [{ X: 1 }] })).not.toBe(
      await batchDigest({ rows: [{ X: 2 }] }),
    );
    expect(await batchDigest({ rows: [{ X: 1 }] })).toBe(await batchDigest({ rows: [{ X: 1.0 }] }));
  });

  it("the same key and batch answer the first acknowledgement; another batch is a 422, nothing stored", async () => {
    const { db, host, publish } = setup();
    const first = await publish({ rows: [{ X: 1 }, { X: 2 }] }, "k-1");
    expect(first).toEqual({ accepted: 2, cycle: 1, duplicate: false });
    expect(await publish({ rows: [{ X: 1 }, { X: 2 }] }, "k-1")).toEqual({
      accepted: 2,
      cycle: 1,
      duplicate: true,
    });
    const reused = await refusal(() => publish({ rows: [{ X: 3 }] }, "k-1"));
    expect(reused.status).toBe(422);
    expect(reused.code).toBe("idempotency_key_reused");
    expect(reused.message).toBe(
      'idempotency key "k-1" was used for a different batch; nothing was stored (use a new key for a new batch)',
    );
    // An empty batch is a batch too: its key is remembered and compared.
    expect(await publish({ rows: [] }, "k-empty")).toEqual({
      accepted: 0,
      cycle: 1,
      duplicate: false,
    });
    expect((await refusal(() => publish({ rows: [{ X: 9 }] }, "k-empty"))).code).toBe(
      "idempotency_key_reused",
    );
    expect(pendingBatches(nodePort(db)).map((b) => b.rows)).toEqual([2]);
    host.runCycle();
    expect(host.view("source").toRows()).toEqual([
      { X: 1, S: null },
      { X: 2, S: null },
    ]);
    // After the cycle the key still answers the first acknowledgement (and still refuses others).
    expect(await publish({ rows: [{ X: 1 }, { X: 2 }] }, "k-1")).toEqual({
      accepted: 2,
      cycle: 1,
      duplicate: true,
    });
    expect((await refusal(() => publish({ rows: [{ X: 3 }] }, "k-1"))).status).toBe(422);
  });

  it("a refused batch leaves its key unused; keys are forgotten after 24 hours", async () => {
    const { host, publish, advance } = setup();
    expect((await refusal(() => publish({ rows: [{ X: "no" }] }, "k-2"))).code).toBe("bad_value");
    expect(await publish({ rows: [{ X: 5 }] }, "k-2")).toMatchObject({ duplicate: false });
    advance(24 * 3600 * 1000 + 1);
    // Forgotten even before a cycle prunes it (an idle family runs none) ...
    expect(await publish({ rows: [{ X: 6 }] }, "k-2")).toMatchObject({
      accepted: 1,
      duplicate: false,
    });
    expect((await refusal(() => publish({ rows: [{ X: 7 }] }, "k-2"))).status).toBe(422);
    // ... and after the prune.
    advance(24 * 3600 * 1000 + 1);
    host.runCycle();
    expect(await publish({ rows: [{ X: 7 }] }, "k-2")).toMatchObject({
      accepted: 1,
      duplicate: false,
    });
  });

  it("a key without its digest is a programming error; bad keys are refused by the host too", async () => {
    const { host } = setup();
    expect(() => host.publish({ rows: [] }, { idempotencyKey: "k" })).toThrow(TypeError);
    expect(() =>
      host.publish({ rows: [] }, { idempotencyKey: "a\u0000", bodyDigest: "x" }),
    ).toThrow(/U\+0000/);
  });

  it("an object whose key table predates digests gains the column; its old keys stay duplicates", async () => {
    const db = memoryDb();
    db.exec(
      "CREATE TABLE host_idem (key TEXT PRIMARY KEY, accepted INTEGER NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL)",
    );
    db.exec("INSERT INTO host_idem (key, accepted, cycle, at) VALUES ('old', 3, 7, 1000000)");
    const { publish } = setup(db);
    expect(await publish({ rows: [{ X: 1 }] }, "old")).toEqual({
      accepted: 3,
      cycle: 7,
      duplicate: true,
    });
    expect(await publish({ rows: [{ X: 1 }] }, "new")).toMatchObject({ duplicate: false });
    expect((await refusal(() => publish({ rows: [{ X: 2 }] }, "new"))).status).toBe(422);
  });
});

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
