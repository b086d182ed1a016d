/**
 * Publishing: `POST /v1/tables/:name/rows` (one batch per request) and
 * `GET /v1/tables/:name/publish` (a WebSocket stream of batches, for high-rate producers), which
 * address the source named `source`; the same under `/v1/tables/:name/sources/:source/` for any
 * source of the family; and `POST .../sources/:source/delete` (rows of an input table's key
 * columns, deleted by key).
 */
import type { IRequest } from "itty-router";
import { released } from "../durable/catalog.ts";
import { authorize } from "./auth.ts";
import { readPublishBody } from "./body.ts";
import { json, unwrap } from "./http.ts";
import { familyOf } from "./tables.ts";
import { forwardUpgrade, requireUpgrade } from "./upgrade.ts";
import { acceptQuery, idempotencyKey, sourceName, tableName } from "./validate.ts";

/** The request's source: the `:source` path parameter, else `source`. */
function sourceOf(request: IRequest): string {
  return request.params.source === undefined ? "source" : sourceName(request.params.source);
}

/**
 * POST /v1/tables/:name[/sources/:source]/rows — 202 `{ accepted, cycle, duplicate }` once the
 * batch is durable. An input table's rows upsert by key.
 */
export async function publishRows(request: IRequest, env: Env): Promise<Response> {
  return accept(request, env, "add");
}

/** POST /v1/tables/:name/sources/:source/delete — 202 once the delete by key is durable. */
export async function deleteRows(request: IRequest, env: Env): Promise<Response> {
  return accept(request, env, "delete");
}

async function accept(request: IRequest, env: Env, op: "add" | "delete"): Promise<Response> {
  const name = tableName(request.params.name);
  const source = sourceOf(request);
  await authorize(request, env, "publish", name);
  acceptQuery(new URL(request.url), []);
  const key = idempotencyKey(request);
  const body = await readPublishBody(request);
  const options = key === undefined ? { source } : { source, idempotencyKey: key };
  const stub = familyOf(env, name);
  const r = unwrap(
    await released(op === "add" ? stub.publish(body, options) : stub.deleteRows(body, options)),
  );
  return json({ accepted: r.accepted, cycle: r.cycle, duplicate: r.duplicate }, 202);
}

/**
 * GET /v1/tables/:name[/sources/:source]/publish — WebSocket; every frame is a batch for the
 * source, acknowledged by sequence.
 */
export async function publishStream(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  const source = sourceOf(request);
  await authorize(request, env, "publish", name, { queryToken: true });
  acceptQuery(new URL(request.url), []);
  requireUpgrade(request);
  const query = new URLSearchParams(source === "source" ? {} : { source });
  return forwardUpgrade(request, familyOf(env, name), "/publish", query);
}
