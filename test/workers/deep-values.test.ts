/**
 * A JSON value nested far deeper than anything takes is a 4xx naming where it is, never a crash:
 * a recursive `JSON.stringify` of it (an error message's "got ...", an idempotency digest)
 * overflows the stack. Publishes (HTTP with and without an idempotency key, NDJSON, the publish
 * WebSocket) name row and column; a table spec names its field; a subscriber's viewport message
 * is refused on its socket, which goes on.
 */
import { describe, expect, it } from "vitest";
import { call, create, mustOpen, publish, step } from "./router-helpers.ts";

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
    // A row that is not an object is shown as any refused value is: cut after 200 characters.
    const notRow = await post("deep-http", JSON.stringify(["x".repeat(1000)]));
    expect([notRow.status, await notRow.json()]).toEqual([
      400,
      {
        error: "bad_value",
        detail: `row 0: expected an object of column values, got "${"x".repeat(199)}... (1002 characters)`,
      },
    ]);
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

  it("in a table spec are 400s naming the field", async () => {
    // A spec body takes at most 1 MiB: 400,000 levels.
    const nested = `${"[".repeat(400_000)}${"]".repeat(400_000)}`;
    const spec = (text: string) =>
      call("/v1/tables/deep-spec", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: text,
      });
    const shown = "an array of 1 (nested too deeply to show)";
    const cases: [string, string, string][] = [
      [`{"columns":{"X":${nested}}}`, "bad_schema", `Unknown type ${shown} for column "X"`],
      [
        `{"columns":{"X":"int32"},"cycleMs":${nested}}`,
        "bad_spec",
        `cycleMs must be an integer from`,
      ],
      [`{"columns":{"X":"int32"},"source":${nested}}`, "bad_spec", `got ${shown}`],
    ];
    for (const [text, error, detail] of cases) {
      const res = await spec(text);
      const body = (await res.json()) as { error: string; detail: string };
      expect([res.status, body.error]).toEqual([400, error]);
      expect(body.detail).toContain(detail);
      expect(body.detail).toContain(shown);
    }
  });

  it("in a viewport message are refused on the subscriber's socket, which goes on", async () => {
    await create("deep-vp", SPEC);
    expect((await publish("deep-vp", [{ S: "a" }, { S: "b" }])).status).toBe(202);
    await step("deep-vp");
    const sub = await mustOpen(
      "/v1/tables/deep-vp/views/source/subscribe?format=json&first=0&last=1",
    );
    await sub.frameCount(1);
    sub.ws.send(`{"type":"viewport","first":${deep},"last":1}`);
    sub.ws.send(JSON.stringify({ type: "viewport", first: 1, last: 1 }));
    await sub.frameCount(3);
    const [, refused, moved] = sub.messages();
    expect(refused).toMatchObject({ type: "error", error: "bad_viewport" });
    expect(String(refused!.detail)).toBe(
      "viewport first and last must be row positions (integers from 0), got first an array of 1 (nested too deeply to show) and last 1",
    );
    expect(moved).toMatchObject({ viewport: { first: 1, last: 1 } });
    sub.ws.close();
  });
});
