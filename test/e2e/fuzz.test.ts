/**
 * A seeded fuzz run against the real `wrangler dev` (AUTH off): malformed, truncated and valid
 * JSON, NDJSON, CSV and Arrow publish bodies, random specs and formulas, garbage frames on the
 * publish and subscribe WebSockets, and bad query parameters. Invariants:
 *
 * - no answer is a 5xx, and every 4xx is a JSON `{ error, detail }`;
 * - a request the server accepted (202, or an ack on the publish socket) is one an in-process
 *   oracle (FamilyHost over node:sqlite, fed only the accepted requests) accepts too;
 * - afterwards the table's history (a blinkToAppendOnly view) holds exactly the oracle's rows,
 *   in order, and a subscriber's snapshot plus deltas add up to the same rows: nothing refused
 *   was stored, nothing accepted was lost, changed or doubled.
 *
 * `FUZZ_SEED` picks the run (printed at the start); `FUZZ_COUNT` scales it. Requests go one at a
 * time, so the order of batches is the order they were sent.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import WS from "ws";
import { FamilyHost } from "../../src/durable/host.ts";
import { batchDigest } from "../../src/durable/idempotency.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";
import { DevServer } from "./dev-server.ts";
import {
  arrowBody,
  badCsvBody,
  badRowsJson,
  corrupt,
  csvBody,
  FUZZ_COLUMNS,
  fuzzRows,
  jsonBody,
  jsonRow,
  ndjsonBody,
  Rng,
  randomBytes,
  randomQuery,
  randomSpec,
} from "./fuzz-gen.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const COUNT = Number(process.env.FUZZ_COUNT ?? 160);
const TABLE = "fuzz";
const SPEC = {
  columns: FUZZ_COLUMNS,
  cycleMs: 50,
  derived: { history: "blinkToAppendOnly(source)" },
};
const JSON_TYPE = "application/json";
const NDJSON_TYPE = "application/x-ndjson";
const ARROW_TYPE = "application/vnd.apache.arrow.stream";

let server: DevServer;
const problems: string[] = [];
const oracle = (() => {
  const db = memoryDb();
  return new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
})();

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces this run), count ${COUNT}`);
  server = await DevServer.start({ vars: { AUTH: "off" } });
});
afterAll(async () => {
  await server?.dispose();
});

/** Checks the invariants every answer must keep; returns the status. */
async function check(what: string, res: Response): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  let body: unknown = text;
  if (res.status === 599) return { status: 599, body }; // no answer; already a problem
  if (res.status >= 500) problems.push(`${what}: ${res.status} ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${what}: ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
      return { status: res.status, body };
    }
    const b = body as { error?: unknown; detail?: unknown };
    if (typeof b.error !== "string" || typeof b.detail !== "string" || b.detail === "") {
      problems.push(`${what}: ${res.status} body is not { error, detail }: ${text.slice(0, 200)}`);
    }
  } else if (res.headers.get("Content-Type")?.includes("json")) {
    body = JSON.parse(text);
  }
  return { status: res.status, body };
}

/** A request with a deadline: a server that hangs is a finding, not a stuck test. */
async function call(path: string, init: RequestInit = {}, what = path): Promise<Response> {
  try {
    return await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    problems.push(`${what.slice(0, 120)}: no answer (${String(e)})`);
    return Response.json({ error: "no_answer", detail: String(e) }, { status: 599 });
  }
}

/** Rows of a publish body as the router reads them, or null when it is not readable. */
function rowsOf(bytes: Uint8Array, type: string): unknown[] | null {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    if (type === JSON_TYPE) {
      const v = JSON.parse(text) as unknown;
      return Array.isArray(v) ? v : null;
    }
    return text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as unknown);
  } catch {
    return null;
  }
}

/** A broken server makes every later request fail: stop early, with the first problems. */
const tooMany = () => problems.length >= 12;

function opened(ws: WS): Promise<void> {
  return new Promise((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", fail);
  });
}

type OracleInput = { rows: unknown[] } | { arrow: Uint8Array };

/** The oracle's publish options: a key comes with the digest the server computes of the body. */
async function keyed(key: string | undefined, digestOf: Parameters<typeof batchDigest>[0]) {
  return key === undefined ? {} : { idempotencyKey: key, bodyDigest: await batchDigest(digestOf) };
}

/**
 * Feeds an accepted batch to the oracle, recording a problem if the oracle refuses it.
 * `digestOf` is the batch as the server hashes it (a CSV body: its text stands for its records).
 */
async function accept(what: string, input: OracleInput, key?: string, digestOf = input as never) {
  try {
    oracle.publish(input, await keyed(key, digestOf));
  } catch (e) {
    problems.push(`${what}: the server accepted a batch the oracle refuses: ${String(e)}`);
  }
}

/** A 422 from the server: the oracle must refuse the same batch for the same reason. */
async function refusedAsReused(
  what: string,
  input: OracleInput,
  key?: string,
  digestOf = input as never,
) {
  try {
    oracle.publish(input, await keyed(key, digestOf));
    problems.push(`${what}: the server answered 422 but the oracle accepts the batch`);
  } catch (e) {
    if ((e as { code?: string }).code !== "idempotency_key_reused")
      problems.push(`${what}: the server answered 422, the oracle refuses with: ${String(e)}`);
  }
}

it("survives a seeded fuzz run: no 5xx, JSON errors, and exactly the accepted rows", async () => {
  // The dev server starts without stack traces (no request.cf download).
  expect(server.log).not.toMatch(/^\s+at /m);
  const r = new Rng(SEED);
  expect(
    (
      await check(
        "create",
        await call(`/v1/tables/${TABLE}`, { method: "PUT", body: JSON.stringify(SPEC) }),
      )
    ).status,
  ).toBe(201);
  oracle.create(TABLE, SPEC);

  // A subscriber from the start: its snapshot plus deltas must add up to the history.
  const seen: unknown[] = [];
  const sub = new WS(
    `${server.url.replace("http", "ws")}/v1/tables/${TABLE}/views/history/subscribe?format=json`,
    {
      perMessageDeflate: false,
    },
  );
  let subClosed = "";
  sub.on("message", (data, binary) => {
    if (binary) return;
    const msg = JSON.parse(String(data)) as {
      type: string;
      rows?: unknown[];
      addedRows?: unknown[];
    };
    if (msg.type === "snapshot") seen.push(...(msg.rows ?? []));
    if (msg.type === "delta") seen.push(...(msg.addedRows ?? []));
  });
  sub.on("close", (code, reason) => {
    subClosed = `closed ${code} ${String(reason)}`;
  });
  await opened(sub);

  // ---- HTTP publishes ---------------------------------------------------------------------
  const keys: string[] = [];
  for (let i = 0; i < COUNT && !tooMany(); i++) {
    const rows = fuzzRows(r);
    let type = JSON_TYPE;
    let bytes: Uint8Array;
    const kind = r.int(0, 14);
    switch (kind) {
      case 0:
      case 1:
        bytes = new TextEncoder().encode(jsonBody(rows));
        break;
      case 2:
        bytes = new TextEncoder().encode(badRowsJson(r));
        break;
      case 3:
      case 4:
        bytes = corrupt(new TextEncoder().encode(jsonBody(rows)), r);
        break;
      case 5:
        type = NDJSON_TYPE;
        bytes = new TextEncoder().encode(ndjsonBody(rows, r));
        break;
      case 6:
        type = NDJSON_TYPE;
        bytes = corrupt(new TextEncoder().encode(ndjsonBody(rows, r)), r);
        break;
      case 7:
        type = ARROW_TYPE;
        bytes = arrowBody(rows);
        break;
      case 8:
      case 9:
        type = ARROW_TYPE;
        bytes = corrupt(arrowBody(rows.length === 0 ? fuzzRows(r, 3) : rows), r);
        break;
      case 10:
        type = "text/csv";
        bytes = new TextEncoder().encode(csvBody(rows));
        break;
      case 11:
        type = "text/csv";
        bytes = new TextEncoder().encode(badCsvBody(r));
        break;
      case 12:
        type = r.pick([JSON_TYPE, ARROW_TYPE, NDJSON_TYPE, "application/xml", "text/plain"]);
        bytes = randomBytes(r, r.int(0, 400));
        break;
      default:
        bytes = new TextEncoder().encode(
          r.pick(["", "{}", "5", "null", '"rows"', "[1]", "[[]]", '{"rows":[]}']),
        );
    }
    const headers: Record<string, string> = { "Content-Type": type };
    let key: string | undefined;
    if (r.chance(0.2)) {
      key = keys.length > 0 && r.chance(0.3) ? r.pick(keys) : `k-${SEED}-${i}`;
      if (r.chance(0.05)) key = "x".repeat(257);
      keys.push(key);
      headers["Idempotency-Key"] = key;
    }
    const what = `publish #${i} (kind ${kind}, ${type}, ${bytes.length} bytes)`;
    const { status } = await check(
      what,
      await call(`/v1/tables/${TABLE}/rows`, { method: "POST", headers, body: bytes }, what),
    );
    if (status === 202 || status === 422) {
      const settle = status === 202 ? accept : refusedAsReused;
      if (type === ARROW_TYPE) await settle(what, { arrow: bytes }, key);
      else if (type === "text/csv") {
        if (kind === 11) problems.push(`${what}: an invalid CSV body was answered ${status}`);
        else
          await settle(what, { rows: rows.map(jsonRow) }, key, {
            csv: new TextDecoder().decode(bytes),
          } as never);
      } else {
        const parsed = rowsOf(bytes, type);
        if (parsed === null)
          problems.push(`${what}: answered ${status}, but the body does not parse`);
        else await settle(what, { rows: parsed }, key);
      }
    } else if (status !== 400 && status !== 413 && status !== 415 && status !== 599) {
      problems.push(`${what}: unexpected status ${status}`);
    }
    if (r.chance(0.1)) sub.send(r.chance(0.5) ? "garbage" : randomBytes(r, 20));
  }

  // ---- the publish WebSocket --------------------------------------------------------------
  const pub = new WS(`${server.url.replace("http", "ws")}/v1/tables/${TABLE}/publish`, {
    perMessageDeflate: false,
  });
  const answers: { type: string; seq: number; error?: string; detail?: string }[] = [];
  pub.on("message", (data, binary) => {
    if (!binary && String(data) !== "pong") answers.push(JSON.parse(String(data)));
  });
  const pubOpen = await opened(pub).then(
    () => true,
    (e) => problems.push(`the publish socket did not open: ${String(e)}`) < 0,
  );
  for (let seq = 1; seq <= Math.ceil(COUNT / 4) && pubOpen && !tooMany(); seq++) {
    const rows = fuzzRows(r);
    let frame: string | Uint8Array;
    let input: { rows: unknown[] } | { arrow: Uint8Array } | null = null;
    let key: string | undefined;
    switch (r.int(0, 7)) {
      case 0:
        frame = jsonBody(rows);
        break;
      case 1:
        key = `ws-${SEED}-${seq}`;
        frame = JSON.stringify({ rows: rows.map(jsonRow), idempotencyKey: key });
        break;
      case 2:
        frame = arrowBody(rows);
        break;
      case 3:
        frame = corrupt(arrowBody(rows.length === 0 ? fuzzRows(r, 3) : rows), r);
        break;
      case 4:
        frame = new TextDecoder().decode(corrupt(new TextEncoder().encode(jsonBody(rows)), r));
        break;
      case 5:
        frame = JSON.stringify({
          rows: rows.map(jsonRow),
          idempotencyKey: r.pick(["", "\u0000", "é", "x".repeat(300)]),
        });
        break;
      default:
        frame = r.chance(0.5)
          ? randomBytes(r, r.int(0, 200))
          : r.pick(["", "{", "[1,2]", "{}", "null"]);
    }
    pub.send(frame);
    const what = `publish frame ${seq} (${typeof frame === "string" ? frame.slice(0, 60) : `${frame.length} bytes`})`;
    const deadline = Date.now() + 10_000;
    while (
      !answers.some((a) => a.seq === seq) &&
      Date.now() < deadline &&
      pub.readyState === WS.OPEN
    ) {
      await new Promise((ok) => setTimeout(ok, 5));
    }
    const a = answers.find((x) => x.seq === seq);
    if (!a) {
      problems.push(`${what}: no answer (socket state ${pub.readyState})`);
      break;
    }
    if (a.type === "ack") {
      if (typeof frame !== "string") input = { arrow: frame };
      else {
        const v = JSON.parse(frame) as unknown;
        input = { rows: Array.isArray(v) ? v : (v as { rows: unknown[] }).rows };
        if (!Array.isArray(v)) key = (v as { idempotencyKey?: string }).idempotencyKey;
      }
      await accept(what, input, key);
    } else if (a.type !== "error" || typeof a.error !== "string" || typeof a.detail !== "string") {
      problems.push(
        `${what}: answer is neither an ack nor { error, detail }: ${JSON.stringify(a)}`,
      );
    }
  }
  pub.close();

  // ---- specs, formulas and query parameters -----------------------------------------------
  for (let i = 0; i < Math.ceil(COUNT / 4) && !tooMany(); i++) {
    const name = `fuzz-spec-${i}`;
    const body = randomSpec(r);
    const { status, body: answer } = await check(
      `spec #${i} ${body.slice(0, 120)}`,
      await call(`/v1/tables/${name}`, {
        method: "PUT",
        headers: { "Content-Type": JSON_TYPE },
        body,
      }),
    );
    if (status === 201) {
      await check(`describe ${name}`, await call(`/v1/tables/${name}`));
      await check(`delete ${name}`, await call(`/v1/tables/${name}`, { method: "DELETE" }));
    } else if (status === 400) {
      const code = (answer as { error: string }).error;
      if (
        ![
          "bad_json",
          "bad_spec",
          "bad_schema",
          "bad_formula",
          "bad_argument",
          "unsupported_operation",
        ].includes(code)
      ) {
        problems.push(`spec #${i}: undocumented spec error code ${code}`);
      }
    } else problems.push(`spec #${i}: unexpected status ${status}`);
  }
  // Socket endpoints check their parameters before the upgrade (without one: 426).
  const endpoints: [string, string[]][] = [
    [
      `/v1/tables/${TABLE}/views/history`,
      ["format", "offset", "limit", "sort", "where", "columns"],
    ],
    [
      `/v1/tables/${TABLE}/views/history/subscribe`,
      ["format", "since", "sort", "where", "columns", "first", "last"],
    ],
    [`/v1/tables/${TABLE}/publish`, []],
    [`/v1/tables/${TABLE}`, []],
    [`/v1/data/${TABLE}%2Fhistory/schema`, ["format"]],
    [`/v1/data/${TABLE}%2Fhistory/locations/all/columns/N`, ["offset", "minRows", "maxRows"]],
  ];
  for (let i = 0; i < Math.ceil(COUNT / 4) && !tooMany(); i++) {
    const [path, known] = r.pick(endpoints);
    const url = `${path}${randomQuery(r, known)}`;
    const unknown = [...new URL(url, server.url).searchParams.keys()].filter(
      (k) => k !== "token" && !known.includes(k),
    );
    const { status, body } = await check(`query ${url}`, await call(url));
    if (
      unknown.length > 0 &&
      (status !== 400 || (body as { error?: string }).error !== "bad_query")
    ) {
      problems.push(
        `${url}: unknown parameter ${unknown[0]} answered ${status} ${JSON.stringify(body).slice(0, 120)}`,
      );
    }
  }

  // ---- afterwards: the history holds exactly the accepted rows ------------------------------
  for (let g = 0; g < 100; g++) {
    try {
      if (!oracle.runCycle()?.backlog) break;
    } catch (e) {
      problems.push(`the oracle's cycle failed on an accepted batch: ${String(e)}`);
      break;
    }
  }
  const expected = (
    oracle.snapshot("history", { format: "json", limit: 1_000_000 }) as { rows: unknown[] }
  ).rows;
  const history = async () => {
    const res = await call(`/v1/tables/${TABLE}/views/history?format=json&limit=1000000`);
    return ((await res.json()) as { rows: unknown[] }).rows;
  };
  const deadline = Date.now() + 30_000;
  let rows = await history();
  while (rows.length < expected.length && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 100));
    rows = await history();
  }
  while (seen.length < expected.length && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const subState = subClosed || "open";
  sub.close();
  console.log(
    `fuzz seed ${SEED}: ${expected.length} rows accepted; ${problems.length} problems; subscriber ${subState}`,
  );
  if (problems.length > 0) console.log(`the dev server's last output:\n${server.log.slice(-4000)}`);
  expect(problems).toEqual([]);
  expect(subState).toBe("open");
  expect(rows.length).toBe(expected.length);
  expect(rows).toEqual(expected);
  expect(seen).toEqual(expected);
});
