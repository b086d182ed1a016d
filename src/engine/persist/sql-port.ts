/**
 * SqlPort: the structural storage port the engine persists through. Cloudflare's
 * `ctx.storage.sql` fits it as is; tests wrap an in-process SQLite (node:sqlite) the same way.
 * Only single statements, `?` parameters, and synchronous execution are assumed.
 */

export type SqlValue = string | number | null | ArrayBuffer | Uint8Array;

export interface SqlPort {
  exec(sql: string, ...params: SqlValue[]): Iterable<Record<string, SqlValue>>;
}

/** Largest BLOB we store: the platform allows 2 MB per value; we keep a wide margin. */
export const MAX_BLOB_BYTES = 1_000_000;

export function rows(
  port: SqlPort,
  sql: string,
  ...params: SqlValue[]
): Record<string, SqlValue>[] {
  return [...port.exec(sql, ...params)];
}

export function one(
  port: SqlPort,
  sql: string,
  ...params: SqlValue[]
): Record<string, SqlValue> | undefined {
  for (const r of port.exec(sql, ...params)) return r;
  return undefined;
}

export function bytesOf(v: SqlValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`expected a BLOB, got ${typeof v}`);
}

/** Stores a BLOB, refusing anything over MAX_BLOB_BYTES (local dev does not enforce the limit). */
export function checkBlob(b: Uint8Array): Uint8Array {
  if (b.byteLength > MAX_BLOB_BYTES) {
    throw new RangeError(`refusing to store a ${b.byteLength}-byte BLOB (limit ${MAX_BLOB_BYTES})`);
  }
  return b;
}
