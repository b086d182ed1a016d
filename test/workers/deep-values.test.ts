/**
 * A JSON value nested far deeper than any column takes (a scalar, or an array of scalars) is a
 * 400 naming row and column on every path (HTTP, with and without an idempotency key, NDJSON,
 * the publish WebSocket), never a crash of the object: a recursive `JSON.stringify` of it (an
 * error message, an idempotency digest) overflows the stack.
 */
import { describe, expect, it } from "vitest";
import { call, create, mustOpen } from "./router-helpers.ts";

const SPEC = { columns: { S: "string", I: "int32", Xs: "string[]" }, cycleMs: 3_600_000 };
/** Deeper than the runtime's JSON.stringify recurses (which throws a RangeError). */
const DEPTH = 1_000_000;
const deep = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;

const post = (name: string, body: string, headers: Record<string, string> = {}) =>
  call(`/v1/tables/${name}/rows`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });

const pendingRows = async (name: string) =>
  ((await (await call(`/v1/tables/${name}`)).json()) as { pending: { rows: number } }).pending.rows;

describe("values nested deeper than any column takes", () => {
  it("are 400s naming row and column over HTTP, with or without an idempotency key", async () => {
    await create("deep-http", SPEC);
    const shown = "got an array of 1 (nested too deeply to show)";
    const cases: [string, string][] = [
      ["S", `expected string, ${shown}`],
      ["I", `expected int32, ${shown}`],
      ["Xs", `element 0: expected string, ${shown}`],
    ];
    for (const [column, why] of cases) {
      // Without a key the values are converted, which refuses the value.
      const plain = await post("deep-http", `[{"S":"a"},{"${column}":${deep}}]`);
      expect([plain.status, await plain.json()]).toEqual([
        400,
        { error: "bad_value", detail: `row 1, column "${column}": ${why}` },
      ]);
      // With a key the batch is digested first; the runtime's JSON.stringify takes this depth, so
      // the conversion refuses it as above (idempotency.ts names such a value itself where the
      // digest overflows: test/engine/idempotency-digest.test.ts).
      const keyed = await post("deep-http", `[{"S":"a"},{"${column}":${deep}}]`, {
        "Idempotency-Key": `k-${column}`,
      });
      expect([keyed.status, await keyed.json()]).toEqual([
        400,
        { error: "bad_value", detail: `row 1, column "${column}": ${why}` },
      ]);
    }
    const nd = await call("/v1/tables/deep-http/rows", {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson" },
      body: `{"S":"a"}\n{"I":${deep}}\n`,
    });
    expect(nd.status).toBe(400);
    expect(((await nd.json()) as { detail: string }).detail).toMatch(/^row 1, column "I"/);
    expect(await pendingRows("deep-http")).toBe(0);
  });

  it("are refused frame by frame on the publish WebSocket, which goes on", async () => {
    await create("deep-ws", SPEC);
    const p = await mustOpen("/v1/tables/deep-ws/publish");
    p.ws.send(`[{"Xs":${deep}}]`);
    p.ws.send(`{"rows":[{"S":${deep}}],"idempotencyKey":"d-1"}`);
    p.ws.send(`[{"S":"ok"}]`);
    await p.frameCount(3);
    const [a, b, c] = p.messages();
    expect(a).toMatchObject({ type: "error", seq: 1, error: "bad_value" });
    expect(String(a!.detail)).toMatch(/row 0, column "Xs"/);
    expect(b).toMatchObject({ type: "error", seq: 2, error: "bad_value" });
    expect(String(b!.detail)).toMatch(/row 0, column "S"/);
    expect(c).toMatchObject({ type: "ack", seq: 3, accepted: 1 });
    p.ws.close();
  });
});
