/**
 * Checks on path and query parameters, done by the router before any object wakes.
 */
import { HostError } from "../durable/errors.ts";
import { MAX_SNAPSHOT_LIMIT } from "../durable/host.ts";
import { checkIdempotencyKey } from "../durable/idempotency.ts";
import { HttpError } from "./http.ts";

/** Table-family names: 1 to 64 letters, digits, '_' or '-'. */
export const TABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** View names: `source` or a derived table's name (as in specs). */
export const VIEW_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function tableName(raw: string | undefined): string {
  const name = raw ?? "";
  if (!TABLE_NAME.test(name)) {
    throw new HttpError(
      400,
      "bad_name",
      `table name "${safe(name)}" must be 1 to 64 letters, digits, '_' or '-'`,
    );
  }
  return name;
}

/** Source names: as view names (a source is the view of its name). */
export function sourceName(raw: string | undefined): string {
  const name = raw ?? "";
  if (!VIEW_NAME.test(name)) {
    throw new HttpError(
      400,
      "bad_source",
      `source name "${safe(name)}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
    );
  }
  return name;
}

export function viewName(raw: string | undefined): string {
  const name = raw ?? "";
  if (!VIEW_NAME.test(name)) {
    throw new HttpError(
      400,
      "bad_view",
      `view name "${safe(name)}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
    );
  }
  return name;
}

/**
 * Refuses query parameters an endpoint does not declare (`?fromat=csv` must not quietly answer
 * JSON): 400 `bad_query` naming the first one, the endpoint's parameters and, for a near miss, the
 * one meant. `token` is always allowed: WebSocket endpoints read it and the others ignore it.
 */
export function acceptQuery(url: URL, accepted: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (key === "token" || accepted.includes(key)) continue;
    const near = accepted.find((a) => editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
    const takes =
      accepted.length === 0
        ? "this endpoint takes no query parameters"
        : `this endpoint takes ${accepted.join(", ")}`;
    throw new HttpError(
      400,
      "bad_query",
      `unknown query parameter "${safe(key)}"${near ? ` (did you mean "${near}"?)` : ""}; ${takes}`,
    );
  }
}

/** Levenshtein distance of two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** One value of a query parameter (repeating it is an error); null when absent. */
export function queryParam(url: URL, key: string): string | null {
  const all = url.searchParams.getAll(key);
  if (all.length > 1) throw new HttpError(400, `bad_${key}`, `query parameter ${key} is repeated`);
  return all[0] ?? null;
}

/** `format`: one of `allowed`, or `fallback` when absent. */
export function formatParam<F extends string>(url: URL, allowed: readonly F[], fallback: F): F {
  const f = queryParam(url, "format");
  if (f === null) return fallback;
  if (!(allowed as readonly string[]).includes(f)) {
    throw new HttpError(
      400,
      "bad_format",
      `format must be ${allowed.join(", ").replace(/, ([^,]*)$/, " or $1")}, got "${safe(f)}"`,
    );
  }
  return f as F;
}

/** A non-negative integer query parameter (at most `max`), or null when absent. */
export function intParam(url: URL, key: string, max = Number.MAX_SAFE_INTEGER): number | null {
  const v = queryParam(url, key);
  if (v === null) return null;
  if (!/^\d{1,16}$/.test(v) || Number(v) > max) {
    throw new HttpError(
      400,
      `bad_${key}`,
      `${key} must be an integer from 0 to ${max}, got "${safe(v)}"`,
    );
  }
  return Number(v);
}

export const snapshotLimit = (url: URL) => intParam(url, "limit", MAX_SNAPSHOT_LIMIT);

/**
 * An Idempotency-Key header, or undefined; checked by the validator the publish WebSocket uses
 * too (1 to 256 printable ASCII characters).
 */
export function idempotencyKey(request: Request): string | undefined {
  const k = request.headers.get("Idempotency-Key");
  if (k === null) return undefined;
  try {
    return checkIdempotencyKey(k);
  } catch (e) {
    if (e instanceof HostError) throw new HttpError(e.status, e.code, e.message);
    throw e;
  }
}

/** Truncates user text echoed in error details. */
function safe(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
