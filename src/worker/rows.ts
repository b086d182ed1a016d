/**
 * Publishing: `POST /v1/tables/:name/rows` (one batch per request) and
 * `GET /v1/tables/:name/publish` (a WebSocket stream of batches, for high-rate producers).
 */
import type { IRequest } from "itty-router";
import { released } from "../durable/catalog.ts";
import { authorize } from "./auth.ts";
import { readPublishBody } from "./body.ts";
import { json, unwrap } from "./http.ts";
import { familyOf } from "./tables.ts";
import { forwardUpgrade, requireUpgrade } from "./upgrade.ts";
import { acceptQuery, idempotencyKey, tableName } from "./validate.ts";

/** POST /v1/tables/:name/rows — 202 `{ accepted, cycle, duplicate }` once the batch is durable. */
export async function publishRows(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  await authorize(request, env, "publish", name);
  acceptQuery(new URL(request.url), []);
  const key = idempotencyKey(request);
  const body = await readPublishBody(request);
  const r = unwrap(
    await released(
      familyOf(env, name).publish(body, key === undefined ? {} : { idempotencyKey: key }),
    ),
  );
  return json({ accepted: r.accepted, cycle: r.cycle, duplicate: r.duplicate }, 202);
}

/** GET /v1/tables/:name/publish — WebSocket; every frame is a batch, acknowledged by sequence. */
export async function publishStream(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  await authorize(request, env, "publish", name, { queryToken: true });
  acceptQuery(new URL(request.url), []);
  requireUpgrade(request);
  return forwardUpgrade(request, familyOf(env, name), "/publish", new URLSearchParams());
}
