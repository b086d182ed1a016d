/**
 * Idempotency keys of publishes (docs/protocol.md, "Idempotency"): the one validator every path
 * uses (the HTTP `Idempotency-Key` header and the publish WebSocket's `idempotencyKey`), the
 * digest of a batch, and the key index in SQLite.
 *
 * A key remembers the SHA-256 digest of its batch and the acknowledgement for 24 hours. The same
 * key with the same batch answers that acknowledgement again (`duplicate: true`); with a different
 * batch it is refused with 422 `idempotency_key_reused` and nothing is stored, as Stripe and the
 * IETF Idempotency-Key draft do. The digest is computed with `crypto.subtle` (asynchronous), by
 * the caller before the host's synchronous publish, so looking the key up and storing the batch
 * still happen with no `await` between them.
 */

import { ValueError } from "../engine/index.ts";
import type { SqlPort } from "../engine/persist/sql-port.ts";
import { one } from "../engine/persist/sql-port.ts";
import type { PublishResult } from "../engine/wire.ts";
import { HostError } from "./errors.ts";
import { parseJsonText } from "./json-text.ts";

/** Longest idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/**
 * Returns `k` when it is a valid idempotency key (1 to 256 printable ASCII characters, space to
 * `~`); otherwise throws a 400 `bad_idempotency_key` naming what is wrong. `what` names the key in
 * the message (`Idempotency-Key`, `frame 3: idempotencyKey`).
 */
export function checkIdempotencyKey(k: unknown, what = "Idempotency-Key"): string {
  const bad = (why: string): never => {
    throw new HostError(400, "bad_idempotency_key", `${what} ${why}`);
  };
  const rule = `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (space to ~)`;
  if (typeof k !== "string") return bad(`must be a string of ${rule}, got ${jsonType(k)}`);
  if (k.length === 0) return bad(`is empty; it must be ${rule}`);
  if (k.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    return bad(`has ${k.length} characters; it must be ${rule}`);
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      const code = `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
      const kind = c < 0x20 || c === 0x7f ? "a control character" : "not ASCII";
      return bad(`has ${code} (${kind}) at position ${i}; it must be ${rule}`);
    }
  }
  return k;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** A publish body as the host receives it (see host.ts `PublishInput`). */
type Batch =
  | { rows: unknown }
  | { json: string | Uint8Array }
  | { arrow: Uint8Array | ArrayBuffer }
  | { csv: unknown };

/**
 * Hex SHA-256 of a batch: of its Arrow bytes, or of the JSON text of its rows (or parsed CSV
 * records), tagged with the kind. JSON and NDJSON bodies of the same row objects, over HTTP or the
 * publish WebSocket, are the same batch; the same rows as Arrow are another. The source and the
 * operation are part of the batch: the same rows for another source, or as a delete, are another
 * batch (an add for the source named `source` digests as it did before families had several).
 */
export async function batchDigest(
  input: Batch,
  source = "source",
  op: "add" | "delete" = "add",
): Promise<string> {
  let bytes: Uint8Array;
  if ("arrow" in input) {
    const body = input.arrow instanceof Uint8Array ? input.arrow : new Uint8Array(input.arrow);
    bytes = new Uint8Array(body.byteLength + 6);
    bytes.set(new TextEncoder().encode("arrow\n"));
    bytes.set(body, 6);
  } else if ("csv" in input) {
    bytes = new TextEncoder().encode(`csv\n${JSON.stringify(input.csv)}`);
  } else {
    // JSON text digests as the rows it holds (whitespace and key spelling aside).
    const rows = "json" in input ? parseJsonText(input.json) : input.rows;
    let text: string;
    try {
      text = JSON.stringify(rows);
    } catch (e) {
      // JSON.stringify recurses: a value nested too deeply for it is no column's value anyway.
      if (e instanceof RangeError) throw nestedTooDeeply(rows);
      throw e;
    }
    bytes = new TextEncoder().encode(`rows\n${text}`);
  }
  if (source !== "source" || op !== "add") {
    const scope = new TextEncoder().encode(`${op} ${source}\n`);
    const scoped = new Uint8Array(scope.byteLength + bytes.byteLength);
    scoped.set(scope);
    scoped.set(bytes, scope.byteLength);
    bytes = scoped;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Nesting a cell may have before `nestedTooDeeply` names it (a column takes two: an array of values). */
const MAX_CELL_DEPTH = 64;

/**
 * The 400 for rows holding a value nested too deeply to digest: names the first row and column
 * whose value nests more than MAX_CELL_DEPTH levels (walked without recursion).
 */
function nestedTooDeeply(rows: unknown): ValueError {
  if (Array.isArray(rows)) {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r === null || typeof r !== "object" || Array.isArray(r)) continue;
      for (const [column, v] of Object.entries(r)) {
        if (nestsDeeper(v, MAX_CELL_DEPTH)) {
          return new ValueError(
            `row ${i}, column "${column}": a value nested more than ${MAX_CELL_DEPTH} levels deep; a cell holds a value or an array of values`,
            column,
            i,
          );
        }
      }
    }
  }
  return new ValueError(`the body nests values more than ${MAX_CELL_DEPTH} levels deep`);
}

/** Whether `v` has arrays or objects nested more than `limit` levels deep. */
function nestsDeeper(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Object.values(x)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The key index: one row per key seen in the last 24 hours (pruned by `at` every cycle). */
export class IdempotencyIndex {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS host_idem (key TEXT PRIMARY KEY, accepted INTEGER NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL, digest TEXT)",
    );
    // Every cycle prunes expired keys by time: without an index that scans every key.
    sql.exec("CREATE INDEX IF NOT EXISTS host_idem_at ON host_idem (at)");
    // Objects created before digests were kept have the table without the column.
    try {
      sql.exec("SELECT digest FROM host_idem LIMIT 0");
    } catch {
      sql.exec("ALTER TABLE host_idem ADD COLUMN digest TEXT");
    }
  }

  /**
   * The acknowledgement of an earlier batch with this key and digest (as a duplicate), null for
   * a new key (or one older than 24 hours at `now`, which cycles prune but an idle family keeps);
   * throws 422 `idempotency_key_reused` when the key came with another batch. A key stored before
   * digests were kept (no digest) answers as a duplicate, as it did then.
   */
  find(key: string, digest: string, now: number): PublishResult | null {
    const seen = one(
      this.#sql,
      "SELECT accepted, cycle, digest FROM host_idem WHERE key = ? AND at >= ?",
      key,
      now - IDEMPOTENCY_TTL_MS,
    );
    if (!seen) return null;
    if (seen.digest !== null && seen.digest !== digest) {
      throw new HostError(
        422,
        "idempotency_key_reused",
        `idempotency key "${key}" was used for a different batch; nothing was stored (use a new key for a new batch)`,
      );
    }
    return { accepted: Number(seen.accepted), cycle: Number(seen.cycle), duplicate: true };
  }

  /**
   * Records a stored batch's key (call inside the transaction that stores the batch); an expired
   * entry of the same key is replaced.
   */
  remember(key: string, digest: string, accepted: number, cycle: number, at: number): void {
    this.#sql.exec(
      "INSERT INTO host_idem (key, accepted, cycle, at, digest) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET accepted = excluded.accepted, cycle = excluded.cycle, at = excluded.at, digest = excluded.digest",
      key,
      accepted,
      cycle,
      at,
      digest,
    );
  }
}
