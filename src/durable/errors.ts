/**
 * HostError: a refusal the router maps straight to an HTTP status. RPC results carry errors as
 * values ({ ok: false, status, error, detail }) so nothing reaches the client as an opaque 500.
 */
import { isTickflareError } from "../engine/index.ts";

export class HostError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/** JSON text (a publish body or frame) that does not parse: 400 `bad_json`; `reason`: the parser's. */
export class JsonTextError extends HostError {
  readonly reason: string;
  constructor(reason: string) {
    super(400, "bad_json", `the body is not valid JSON: ${reason}`);
    this.reason = reason;
  }
}

/**
 * The one table from engine error codes (`TickflareError.code`) to HTTP statuses. docs/protocol.md
 * lists the same codes with the same statuses (test/engine/error-codes.test.ts keeps them equal).
 */
export const ENGINE_ERROR_STATUS: Readonly<Record<string, number>> = {
  bad_spec: 400,
  bad_schema: 400,
  bad_formula: 400,
  bad_argument: 400,
  unsupported_operation: 400,
  bad_value: 400,
  bad_arrow: 400,
  bad_csv: 400,
  table_failed: 409,
};

/**
 * Codes the family object itself answers for viewports and ad-hoc views (docs/protocol.md lists
 * them with these statuses; test/engine/error-codes.test.ts keeps them equal).
 */
export const VIEW_ERROR_STATUS = {
  /** A family holds MAX_TRANSIENT_VIEWS ad-hoc views already (transients.ts). */
  transient_limit: 409,
  /** A `viewport` message on a subscribe socket is malformed (shaped.ts). */
  bad_viewport: 400,
} as const;

/** The status of an engine error code; a code outside the table is still the caller's 400. */
export function engineErrorStatus(code: string): number {
  return Object.hasOwn(ENGINE_ERROR_STATUS, code) ? ENGINE_ERROR_STATUS[code]! : 400;
}

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; error: string; detail: string };

/** Runs `fn`, turning client mistakes into 4xx results; anything else is rethrown. */
export function asResult<T>(fn: () => T): RpcResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    const r = errorResult(e);
    if (r) return r;
    throw e;
  }
}

/** `asResult` for an asynchronous `fn`. */
export async function asResultAsync<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    const r = errorResult(e);
    if (r) return r;
    throw e;
  }
}

export function errorResult(
  e: unknown,
): { ok: false; status: number; error: string; detail: string } | null {
  if (e instanceof HostError)
    return { ok: false, status: e.status, error: e.code, detail: e.message };
  if (isTickflareError(e)) {
    return { ok: false, status: engineErrorStatus(e.code), error: e.code, detail: e.message };
  }
  return null;
}
