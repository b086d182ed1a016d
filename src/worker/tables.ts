/**
 * Table-family endpoints: create (PUT), describe (GET), delete (DELETE) and list. Creates and
 * deletes go through the Catalog object so the list stays right under concurrency; describe goes
 * straight to the family.
 */
import type { IRequest } from "itty-router";
import { released } from "../durable/catalog.ts";
import { normalizeSpec } from "../engine/family/spec.ts";
import { authorize, grantCovers } from "./auth.ts";
import { JSON_TYPE, MAX_SPEC_BYTES, mediaType, parseJson, readBody } from "./body.ts";
import { HttpError, json, unwrap } from "./http.ts";
import { acceptQuery, tableName } from "./validate.ts";

export const catalogOf = (env: Env) => env.CATALOG.get(env.CATALOG.idFromName("catalog"));
export const familyOf = (env: Env, name: string) => env.TABLES.get(env.TABLES.idFromName(name));

/** PUT /v1/tables/:name — 201 with the description when created, 200 when it already existed. */
export async function createTable(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  await authorize(request, env, "admin", name);
  acceptQuery(new URL(request.url), []);
  // fetch() labels a string body text/plain unless told otherwise; accept that too.
  const type = mediaType(request);
  if (type !== null && type !== JSON_TYPE && type !== "text/plain") {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Content-Type ${type}; a spec is ${JSON_TYPE}`,
    );
  }
  const spec = parseJson(await readBody(request, MAX_SPEC_BYTES), "the spec");
  // Checked here as the family checks it (same errors), so what crosses to the objects is a
  // spec's shape: a value nested too deeply for the RPC message never leaves the Worker.
  normalizeSpec(spec);
  const { created, description } = unwrap(await released(catalogOf(env).create(name, spec)));
  return json(description, created ? 201 : 200, created ? { Location: `/v1/tables/${name}` } : {});
}

/** GET /v1/tables/:name — schema, attributes, sizes, derived tables, cycle. */
export async function describeTable(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  await authorize(request, env, "read", name);
  acceptQuery(new URL(request.url), []);
  return json(unwrap(await released(familyOf(env, name).describe())));
}

/** DELETE /v1/tables/:name — shuts the family down (publishFailure), then deletes it. */
export async function deleteTable(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  await authorize(request, env, "admin", name);
  acceptQuery(new URL(request.url), []);
  unwrap(await released(catalogOf(env).delete(name)));
  return json({ name, deleted: true });
}

/** GET /v1/tables — the live families the token's table glob covers. */
export async function listTables(request: IRequest, env: Env): Promise<Response> {
  const grant = await authorize(request, env, "admin", null);
  acceptQuery(new URL(request.url), []);
  const tables = (await released(catalogOf(env).list())).filter((t) => grantCovers(grant, t.name));
  return json({ tables });
}
