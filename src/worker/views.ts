/**
 * Reading views: `GET /v1/tables/:name/views/:view` (a snapshot as JSON, Arrow IPC or CSV) and
 * `GET /v1/tables/:name/views/:view/subscribe` (WebSocket: a snapshot, then one delta per cycle)
 * and `GET /v1/tables/:name/views/:view/downsample` (min/max pairs per pixel column, for charts).
 */
import type { IRequest } from "itty-router";
import { released } from "../durable/catalog.ts";
import { MAX_DOWNSAMPLE_WIDTH } from "../engine/downsample.ts";
import { authorize } from "./auth.ts";
import { ARROW_STREAM_TYPE } from "./body.ts";
import { HttpError, json, unwrap } from "./http.ts";
import { relaySubscribers, subscribeViaRelay } from "./relays.ts";
import { shapeQuery, viewportQuery } from "./shape-query.ts";
import { familyOf } from "./tables.ts";
import { forwardUpgrade, requireUpgrade } from "./upgrade.ts";
import {
  acceptQuery,
  formatParam,
  intParam,
  snapshotLimit,
  tableName,
  viewName,
} from "./validate.ts";

type SnapshotFormat = "json" | "arrow" | "csv";

/** Without `?format=`, the Accept header chooses: Arrow, CSV, else JSON. */
function defaultFormat(request: Request): SnapshotFormat {
  const accept = request.headers.get("Accept") ?? "";
  if (accept.includes(ARROW_STREAM_TYPE)) return "arrow";
  if (accept.includes("text/csv")) return "csv";
  return "json";
}

/** GET /v1/tables/:name/views/:view?format=json|arrow|csv&offset=&limit=&sort=&where=&columns= */
export async function snapshotView(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  const view = viewName(request.params.view);
  await authorize(request, env, "read", name);
  const url = new URL(request.url);
  acceptQuery(url, ["format", "offset", "limit", "sort", "where", "columns"]);
  const format = formatParam<SnapshotFormat>(url, ["json", "arrow", "csv"], defaultFormat(request));
  const offset = intParam(url, "offset");
  const limit = snapshotLimit(url);
  const { where, sort, columns } = shapeQuery(url);
  const s = unwrap(
    await released(
      familyOf(env, name).snapshot(view, {
        format,
        ...(offset === null ? {} : { offset }),
        ...(limit === null ? {} : { limit }),
        ...(where.length > 0 ? { where } : {}),
        ...(sort.length > 0 ? { sort } : {}),
        ...(columns === null ? {} : { columns }),
      }),
    ),
  );
  const headers = {
    "X-Tickflare-Cycle": String(s.cycle),
    "X-Tickflare-Total": String(s.total),
    "X-Tickflare-Offset": String(s.offset),
  };
  if (s.format === "arrow") {
    return new Response(s.bytes, { headers: { ...headers, "Content-Type": ARROW_STREAM_TYPE } });
  }
  if (s.format === "csv") {
    return new Response(s.text, {
      headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" },
    });
  }
  const { schema, cycle, total, offset: at, keys, rows } = s;
  return json({ schema, cycle, total, offset: at, keys, rows }, 200, headers);
}

/**
 * GET /v1/tables/:name/views/:view/subscribe?format=json|arrow&since=<cycle>, and optionally
 * sort, where, columns, first and last (a viewport) (WebSocket). Plain subscriptions go through
 * relays when `RELAY_SUBSCRIBERS` says so (relays.ts); shaped ones to the family object.
 */
export async function subscribeView(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  const view = viewName(request.params.view);
  await authorize(request, env, "read", name, { queryToken: true });
  const url = new URL(request.url);
  acceptQuery(url, ["format", "since", "sort", "where", "columns", "first", "last"]);
  const format = formatParam(url, ["json", "arrow"], "json");
  const since = intParam(url, "since");
  const { where, sort, columns } = shapeQuery(url);
  const viewport = viewportQuery(url);
  requireUpgrade(request);
  const shaped = viewport || columns || where.length > 0 || sort.length > 0;
  const perRelay = relaySubscribers(env);
  if (!shaped && perRelay > 0) {
    return subscribeViaRelay(request, env, { family: name, view, format }, since, perRelay);
  }
  const q = new URLSearchParams({ view, format });
  if (since !== null) q.set("since", String(since));
  if (shaped) q.set("shape", JSON.stringify({ where, sort, columns, viewport }));
  return forwardUpgrade(request, familyOf(env, name), "/subscribe", q);
}

/** Default pixel columns of a downsample. */
const DEFAULT_DOWNSAMPLE_WIDTH = 800;

/** One value of a downsample parameter (repeated: 400 `bad_query`); null when absent. */
function oneParam(url: URL, key: string): string | null {
  const all = url.searchParams.getAll(key);
  if (all.length > 1) throw new HttpError(400, "bad_query", `query parameter ${key} is repeated`);
  return all[0] ?? null;
}

/** A query parameter that names a column: present and non-empty, or absent (null). */
function columnParam(url: URL, key: string): string | null {
  const v = oneParam(url, key);
  if (v === null) return null;
  if (v === "") throw new HttpError(400, "bad_query", `${key} must name a column, got ""`);
  return v;
}

/** GET /v1/tables/:name/views/:view/downsample?x=&y=A,B&by=&width=&where=&sort= */
export async function downsampleView(request: IRequest, env: Env): Promise<Response> {
  const name = tableName(request.params.name);
  const view = viewName(request.params.view);
  await authorize(request, env, "read", name);
  const url = new URL(request.url);
  acceptQuery(url, ["x", "y", "by", "width", "where", "sort"]);
  const { where, sort } = shapeQuery(url);
  const y = columnParam(url, "y");
  if (y === null) {
    throw new HttpError(400, "bad_query", "y is required: the columns to plot, comma-separated");
  }
  const ys = y.split(",").map((c) => c.trim());
  if (ys.some((c) => c === "")) {
    throw new HttpError(
      400,
      "bad_query",
      `y must be column names separated by commas, got "${y.slice(0, 80)}"`,
    );
  }
  const w = oneParam(url, "width");
  if (w !== null && (!/^\d{1,5}$/.test(w) || Number(w) < 1 || Number(w) > MAX_DOWNSAMPLE_WIDTH)) {
    throw new HttpError(
      400,
      "bad_query",
      `width must be an integer from 1 to ${MAX_DOWNSAMPLE_WIDTH}, got "${w.slice(0, 80)}"`,
    );
  }
  const d = unwrap(
    await released(
      familyOf(env, name).downsample(
        view,
        {
          x: columnParam(url, "x"),
          y: ys,
          by: columnParam(url, "by"),
          width: w === null ? DEFAULT_DOWNSAMPLE_WIDTH : Number(w),
        },
        { where, sort },
      ),
    ),
  );
  return json(d, 200, { "X-Tickflare-Cycle": String(d.cycle) });
}
