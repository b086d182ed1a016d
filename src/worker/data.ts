/**
 * The Table Data Service endpoints (`/v1/data/...`, docs/protocol.md): any backend registered
 * with the Worker (data-registry.ts) and every table family's append-only views, served with the
 * six backend calls over HTTP so `HttpBackend` can read them from elsewhere.
 *
 * ```
 * GET /v1/data/:table/schema                                  JSON, or Arrow with ?format=arrow
 * GET /v1/data/:table/locations                               JSON
 * GET /v1/data/:table/locations/:loc/size                     JSON
 * GET /v1/data/:table/locations/:loc/columns/:col?offset=&minRows=&maxRows=   Arrow IPC
 * GET /v1/data/:table/subscribe                               WebSocket (data-subscribe.ts)
 * ```
 *
 * Each of `:table`, `:loc` and `:col` is one path segment, percent-encoded (`trades%2Fhistory`,
 * `Ticker%3DGOOG%2FExchange%3DNYSE`). Checks run in the usual order: names (400), token (401,
 * 403: the `read` scope, the glob matched against the table's first segment), parameters (400),
 * then the backend (404 for what does not exist; a backend's own failure is its BackendError's
 * status, anything else 502 `backend_failed`).
 */

import type { Table as ArrowTable } from "apache-arrow";
import { Table as ArrowTableClass, tableToIPC } from "apache-arrow";
import type { IRequest } from "itty-router";
import type { TableDataServiceBackend, TableKey, TableLocationKey } from "../engine/index.ts";
import { backendStatusOf, StringTableKey, StringTableLocationKey } from "../engine/index.ts";
import type { DataLocation, DataSchemaBody } from "../engine/tds/data-protocol.ts";
import {
  columnTypesOf,
  partitionValuesToJson,
  schemaToArrow,
} from "../engine/tds/data-protocol.ts";
import { failureText } from "../engine/tds/errors.ts";
import { invokeBackend, oneShot } from "../engine/tds/invoke.ts";
import { validateColumnName } from "../engine/types.ts";
import { authorize } from "./auth.ts";
import { ARROW_STREAM_TYPE } from "./body.ts";
import { FamilyHistoryBackend } from "./data-family.ts";
import { dataMount, mountKeys } from "./data-registry.ts";
import { errorResponse, HttpError, json } from "./http.ts";
import { acceptQuery, formatParam, intParam, TABLE_NAME, VIEW_NAME } from "./validate.ts";

/** Rows one column request returns at most. */
export const MAX_DATA_ROWS = 1_000_000;
/** `maxRows` when the request does not say. */
export const DEFAULT_DATA_ROWS = 65_536;

/** A data table resolved to the backend that serves it. */
export interface DataTable {
  /** The table's name, as in the URL (decoded). */
  name: string;
  backend: TableDataServiceBackend;
  key: TableKey;
  locationKey(name: string): TableLocationKey;
  locationName(key: TableLocationKey): string;
  /** The backend is shared by requests (data-registry.ts); callbacks may come from any. */
  shared: boolean;
}

function segment(raw: string | undefined, what: string, code: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw ?? "");
  } catch {
    throw new HttpError(400, code, `the ${what} in the path is not valid percent-encoding`);
  }
  const control = [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (s.length === 0 || s.length > 1024 || control) {
    throw new HttpError(400, code, `the ${what} must be 1 to 1024 printable characters`);
  }
  return s;
}

/**
 * Checks the table's name and the token, then finds its backend: a mount's, or a family's
 * history. 400 for a malformed name, 401/403 for the token, 404 for no such table.
 */
export async function resolveTable(
  request: IRequest,
  env: Env,
  options: { queryToken?: boolean; query?: readonly string[] } = {},
): Promise<DataTable> {
  const name = segment(request.params.table, "table name", "bad_table");
  const slash = name.indexOf("/");
  const first = slash < 0 ? name : name.slice(0, slash);
  const rest = slash < 0 ? "" : name.slice(slash + 1);
  if (!TABLE_NAME.test(first)) {
    throw new HttpError(
      400,
      "bad_table",
      `a data table is "<family>/<view>" or "<mount>/<table>", where the first part is 1 to 64 letters, digits, '_' or '-'; got "${name.slice(0, 80)}"`,
    );
  }
  const mount = dataMount(first);
  if (!mount && !VIEW_NAME.test(rest)) {
    throw new HttpError(
      400,
      "bad_table",
      `"${name.slice(0, 80)}": a family's table is "<family>/<view>" with a view name (letters, digits, '_')`,
    );
  }
  await authorize(request, env, "read", first, options);
  acceptQuery(new URL(request.url), options.query ?? []);
  if (!mount) {
    return {
      name,
      backend: new FamilyHistoryBackend(env),
      key: new StringTableKey(name),
      locationKey: (l) => new StringTableLocationKey(l),
      locationName: (k) => String((k as { name?: unknown }).name ?? k),
      shared: false,
    };
  }
  const keys = mountKeys(mount);
  let key: TableKey | null;
  try {
    key = keys.tableKey(rest);
  } catch (e) {
    throw failureToHttp(e);
  }
  if (!key) {
    throw new HttpError(404, "unknown_table", `mount "${first}" has no table "${rest}"`);
  }
  let backend: TableDataServiceBackend;
  try {
    backend = mount.backend(env);
  } catch (e) {
    throw failureToHttp(e);
  }
  return {
    name,
    backend,
    key,
    locationKey: keys.locationKey,
    locationName: keys.locationName,
    shared: mount.shared ?? false,
  };
}

/** A backend failure as the HTTP error to answer with. */
export function failureToHttp(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  const s = backendStatusOf(e);
  if (s) return new HttpError(s.status, s.code, failureText(e));
  return new HttpError(502, "backend_failed", `the backend failed: ${failureText(e)}`);
}

/** Calls a callback-style backend method; resolves with what its result callback received. */
export function ask<A extends unknown[]>(
  call: (ok: (...args: A) => void, fail: (e: unknown) => void) => unknown,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const once = oneShot<A>(
      (...args) => resolve(args),
      (e) => reject(failureToHttp(e)),
    );
    invokeBackend(() => call(once.result, once.failure), once.failure);
  });
}

/** The schema as JSON: data columns and partitioning columns with their types. */
export function schemaBody(
  name: string,
  schema: unknown,
  partitions: unknown,
): { body: DataSchemaBody; arrow: () => Uint8Array } {
  try {
    const s = schema as Parameters<typeof schemaToArrow>[0];
    const p = (partitions ?? null) as Parameters<typeof schemaToArrow>[1];
    const both = schemaToArrow(s, p);
    const partitionColumns = columnTypesOf(p);
    const columns = columnTypesOf(s);
    for (const n of Object.keys(partitionColumns)) delete columns[n];
    return {
      body: { table: name, columns, partitionColumns },
      // A table without rows still writes its schema message.
      arrow: () => tableToIPC(new ArrowTableClass(both), "stream"),
    };
  } catch (e) {
    throw new HttpError(
      502,
      "bad_backend_response",
      `${name}: the backend's schema: ${failureText(e)}`,
    );
  }
}

/** GET /v1/data/:table/schema?format=json|arrow */
export async function dataSchema(request: IRequest, env: Env): Promise<Response> {
  const t = await resolveTable(request, env, { query: ["format"] });
  const url = new URL(request.url);
  const accept = request.headers.get("Accept") ?? "";
  const format = formatParam(
    url,
    ["json", "arrow"],
    accept.includes(ARROW_STREAM_TYPE) ? "arrow" : "json",
  );
  const [schema, partitions] = await ask((ok, fail) => t.backend.tableSchema(t.key, ok, fail));
  const s = schemaBody(t.name, schema, partitions);
  if (format === "arrow") {
    return new Response(s.arrow(), { headers: { "Content-Type": ARROW_STREAM_TYPE } });
  }
  return json(s.body);
}

/** GET /v1/data/:table/locations */
export async function dataLocations(request: IRequest, env: Env): Promise<Response> {
  const t = await resolveTable(request, env);
  const [schema, partitions] = await ask((ok, fail) => t.backend.tableSchema(t.key, ok, fail));
  const { partitionColumns } = schemaBody(t.name, schema, partitions).body;
  const found: [TableLocationKey, unknown][] = [];
  await ask<[]>((ok, fail) =>
    t.backend.tableLocations(t.key, (loc, values) => found.push([loc, values]), ok, fail),
  );
  const locations: DataLocation[] = [];
  const seen = new Set<string>();
  for (const [loc, values] of found) {
    const name = t.locationName(loc);
    if (seen.has(name)) continue;
    seen.add(name);
    locations.push({ location: name, partitionValues: partitionJson(t.name, name, values) });
  }
  return json({ table: t.name, partitionColumns, locations });
}

/** A location's partition values in JSON form (502 when the backend's are not readable). */
export function partitionJson(table: string, location: string, values: unknown) {
  try {
    return partitionValuesToJson(values as Parameters<typeof partitionValuesToJson>[0]);
  } catch (e) {
    throw new HttpError(
      502,
      "bad_backend_response",
      `${table}: location "${location}": the backend's partition values: ${failureText(e)}`,
    );
  }
}

/** GET /v1/data/:table/locations/:loc/size */
export async function dataSize(request: IRequest, env: Env): Promise<Response> {
  const t = await resolveTable(request, env);
  const location = segment(request.params.loc, "location", "bad_location");
  const [size] = await ask<[number | bigint]>((ok, fail) =>
    t.backend.tableLocationSize(t.key, t.locationKey(location), ok, fail),
  );
  return json({ table: t.name, location, size: Number(size) });
}

/** GET /v1/data/:table/locations/:loc/columns/:col?offset=&minRows=&maxRows= */
export async function dataColumn(request: IRequest, env: Env): Promise<Response> {
  const t = await resolveTable(request, env, { query: ["offset", "minRows", "maxRows"] });
  const location = segment(request.params.loc, "location", "bad_location");
  const column = segment(request.params.col, "column", "bad_column");
  try {
    validateColumnName(column);
  } catch (e) {
    throw new HttpError(400, "bad_column", failureText(e));
  }
  const url = new URL(request.url);
  const offset = intParam(url, "offset") ?? 0;
  const minRows = intParam(url, "minRows", MAX_DATA_ROWS) ?? 0;
  const maxRows = intParam(url, "maxRows", MAX_DATA_ROWS) ?? Math.max(minRows, DEFAULT_DATA_ROWS);
  if (minRows > maxRows) {
    throw new HttpError(
      400,
      "bad_range",
      `minRows (${minRows}) must not exceed maxRows (${maxRows})`,
    );
  }
  const [values] = await ask<[ArrowTable]>((ok, fail) =>
    t.backend.columnValues(
      t.key,
      t.locationKey(location),
      column,
      offset,
      minRows,
      maxRows,
      ok,
      fail,
    ),
  );
  const fields = values?.schema?.fields;
  const problem = !Array.isArray(fields)
    ? "not an Arrow table"
    : fields.length !== 1
      ? `${fields.length} fields`
      : values.numRows < minRows || values.numRows > maxRows
        ? `${values.numRows} rows (asked for ${minRows} to ${maxRows})`
        : null;
  if (problem) {
    throw new HttpError(
      502,
      "bad_backend_response",
      `${t.name}: location "${location}": column ${column}: the backend returned ${problem}`,
    );
  }
  return new Response(tableToIPC(values, "stream"), {
    headers: { "Content-Type": ARROW_STREAM_TYPE },
  });
}

/** Any other path under /v1/data: 404, with the usual mistake (an unescaped '/') explained. */
export function dataNotFound(request: IRequest): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(
    404,
    "not_found",
    `no route for ${request.method} ${path}; a data table, location or column is one path segment, with '/' escaped as %2F (/v1/data/trades%2Fhistory/schema)`,
  );
}
