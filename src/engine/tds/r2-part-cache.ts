/**
 * R2PartCache: what R2Backend remembers about part files, by object key and etag (so a rewritten
 * object is never mistaken for the old one): each part's row count, kept for long, and decoded
 * parts, kept least-recently-used within a byte budget (counted in the objects' stored bytes).
 *
 * It holds plain data only, no promises or I/O objects, so one cache can serve several backends:
 * a Worker makes one R2Backend per request (a request's I/O cannot be awaited from another's)
 * and shares one cache between them.
 */
import type { Table as ArrowTable } from "apache-arrow";

export interface R2PartCacheOptions {
  /** Budget of decoded parts, in stored bytes (default 32 MiB). The newest part always stays. */
  maxBytes?: number;
  /** Row counts kept at most (default 1,000,000). */
  maxCounts?: number;
}

export class R2PartCache {
  readonly #maxBytes: number;
  readonly #maxCounts: number;
  readonly #tables = new Map<string, { table: ArrowTable; bytes: number }>();
  readonly #rows = new Map<string, number>();
  #bytes = 0;

  constructor(options: R2PartCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 32 << 20;
    this.#maxCounts = options.maxCounts ?? 1_000_000;
  }

  /** The identity of one version of an object. */
  static id(key: string, etag: string): string {
    return `${key}\u0000${etag}`;
  }

  /** The part's row count, if known. */
  rows(id: string): number | undefined {
    return this.#rows.get(id);
  }

  setRows(id: string, rows: number): void {
    this.#rows.set(id, rows);
    while (this.#rows.size > this.#maxCounts) {
      this.#rows.delete(this.#rows.keys().next().value!);
    }
  }

  /** The decoded part, if held (and marks it recently used). */
  table(id: string): ArrowTable | undefined {
    const e = this.#tables.get(id);
    if (!e) return undefined;
    this.#tables.delete(id);
    this.#tables.set(id, e);
    return e.table;
  }

  setTable(id: string, table: ArrowTable, bytes: number): void {
    const old = this.#tables.get(id);
    if (old) {
      this.#bytes -= old.bytes;
      this.#tables.delete(id);
    }
    this.#tables.set(id, { table, bytes });
    this.#bytes += bytes;
    this.setRows(id, table.numRows);
    for (const [k, e] of this.#tables) {
      if (this.#bytes <= this.#maxBytes || this.#tables.size <= 1) break;
      this.#tables.delete(k);
      this.#bytes -= e.bytes;
    }
  }

  /** Stored bytes of the decoded parts held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Decoded parts held. */
  get parts(): number {
    return this.#tables.size;
  }
}
