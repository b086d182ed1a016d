/**
 * LocationData: the page cache of one location's data columns, and the reader that fills it
 * through `columnValues` with Deephaven's paging contract (AppendOnlyFixedSizePageRegion):
 *
 * Rows are grouped in pages of `pageSize` rows. To have rows `[from, to)`, each column asks for
 * the missing suffix of one page at a time: `offset` = the end of the rows of that page cached
 * so far, `maxRows` = the rest of that page, `minRows` = the rows of that page below `to`. The
 * backend may return anything from `minRows` to `maxRows` rows; extra rows are kept, so later
 * growth only asks for what is still missing. Each result is validated (an Arrow table, exactly
 * one field of the column's type, a row count within range) before it is cached.
 *
 * Pages count against the service's PageCache budget and may be evicted (one page of one column
 * at a time) while nothing holds them: a `read` holds the pages of its rows from the call until
 * its lease is released, so they stay cached while they are fetched and until they are copied.
 * An evicted page is asked for again, from its start, when a read needs it.
 *
 * Columns are read concurrently, pages of one column in order. Callbacks that arrive
 * synchronously are handled in a loop (no recursion per page). A failure fails every pending
 * read and is not sticky: a later `read` tries again from what is cached.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { Table as ArrowTableClass } from "apache-arrow";
import { arrowToVecs, columnTypeOfField } from "../arrow.ts";
import type { PagedColumn, Vec } from "../column.ts";
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend } from "./invoke.ts";
import type { CachedPage, PageCache } from "./page-cache.ts";
import { arrowBytes } from "./page-cache.ts";
import type { TableDefinition } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

interface Chunk {
  /** Row position of `vec[0]` in the location. */
  readonly start: number;
  readonly vec: Vec;
}

interface ColumnCache {
  readonly name: string;
  readonly pages: Map<number, Page>;
  /** A `columnValues` call is in flight. */
  busy: boolean;
}

/** One page of one column: rows `[start, start + rows)` of the location, in chunks. */
class Page implements CachedPage {
  readonly chunks: Chunk[] = [];
  rows = 0;
  bytes = 0;
  readonly #col: ColumnCache;
  readonly #index: number;

  constructor(col: ColumnCache, index: number) {
    this.#col = col;
    this.#index = index;
  }

  evict(): void {
    if (this.#col.pages.get(this.#index) === this) this.#col.pages.delete(this.#index);
  }
}

interface Request {
  readonly offset: number;
  readonly minRows: number;
  readonly maxRows: number;
}

interface Outcome {
  readonly values?: ArrowTable;
  readonly error?: unknown;
  readonly failed: boolean;
}

/** Rows a reader holds in the cache until it calls `release()` (once or more). */
export interface Lease {
  release(): void;
}

/** Called once a read's rows are cached (`error` undefined), or when the read failed. */
export type ReadDone = (error: unknown, lease: Lease) => void;

/** A read of rows `[from, to)`: it holds their pages from the call until released. */
class Read implements Lease {
  readonly from: number;
  readonly to: number;
  readonly done: ReadDone;
  /** Per column: the first page that may still lack rows (held pages only gain rows). */
  readonly cursors: number[];
  pending = true;
  released = false;
  readonly #owner: LocationData;

  constructor(owner: LocationData, from: number, to: number, done: ReadDone, first: number) {
    this.#owner = owner;
    this.from = from;
    this.to = to;
    this.done = done;
    this.cursors = new Array<number>(owner.columnCount).fill(first);
  }

  release(): void {
    this.#owner._release(this);
  }
}

const NO_DONE: ReadDone = () => {};

export class LocationData {
  readonly #backend: TableDataServiceBackend;
  readonly #key: TableKey;
  readonly #location: TableLocationKey;
  readonly #def: TableDefinition;
  readonly #locText: string;
  readonly #pageSize: number;
  readonly #cache: PageCache;
  readonly #cols: ColumnCache[];
  /** Page index -> leases holding that page (of every column). */
  readonly #holds = new Map<number, number>();
  #waiters: Read[] = [];

  constructor(
    backend: TableDataServiceBackend,
    key: TableKey,
    location: TableLocationKey,
    def: TableDefinition,
    locText: string,
    pageSize: number,
    cache: PageCache,
  ) {
    this.#backend = backend;
    this.#key = key;
    this.#location = location;
    this.#def = def;
    this.#locText = locText;
    this.#pageSize = pageSize;
    this.#cache = cache;
    this.#cols = def.dataColumns.map((name) => ({ name, pages: new Map(), busy: false }));
  }

  /** Data columns. */
  get columnCount(): number {
    return this.#cols.length;
  }

  /**
   * Reads rows `[from, to)` of every data column into the cache; calls `done(undefined, lease)`
   * once they are cached (at once if they are), or `done(error, lease)`. The rows stay cached
   * until the lease is released; a failed read releases itself. A read released while pending
   * still finishes (its pages stay held till then), without calling `done`.
   */
  read(from: number, to: number, done: ReadDone): Lease {
    const r = this.#lease(from, to, done);
    if (this.#resident(r)) {
      r.pending = false;
      done(undefined, r);
      return r;
    }
    this.#waiters.push(r);
    for (const c of this.#cols) this.#pump(c);
    return r;
  }

  /** Holds rows `[from, to)`, which must be cached (held by a read or another lease). */
  hold(from: number, to: number): Lease {
    const r = this.#lease(from, to, NO_DONE);
    r.pending = false;
    return r;
  }

  /** @internal */
  _release(r: Read): void {
    if (r.released) return;
    r.released = true;
    if (r.pending) return; // let go when it settles
    this.#hold(r.from, r.to, -1);
    this.#cache.trim();
  }

  /** Writes rows `[from, to)` of data column `name` to `dst` at keys `[dstStart, ...)`. */
  copyRows(name: string, from: number, to: number, dst: PagedColumn, dstStart: number): void {
    const c = this.#cols.find((x) => x.name === name);
    if (!c) throw new RangeError(`LocationData: no data column "${name}"`);
    let pos = from;
    while (pos < to) {
      const page = c.pages.get(Math.floor(pos / this.#pageSize));
      const ch = page?.chunks.find((x) => x.start <= pos && pos < x.start + x.vec.length);
      if (!ch) break;
      const n = Math.min(ch.start + ch.vec.length - pos, to - pos);
      dst.writeRun(dstStart + (pos - from), ch.vec, pos - ch.start, n);
      pos += n;
    }
    if (pos < to)
      throw new RangeError(`LocationData: rows [${pos}, ${to}) of "${name}" are not cached`);
  }

  #lease(from: number, to: number, done: ReadDone): Read {
    const r = new Read(this, from, to, done, Math.floor(from / this.#pageSize));
    this.#hold(from, to, 1);
    return r;
  }

  /** Adds `delta` holds to the pages of rows `[from, to)`; a held page is not evicted. */
  #hold(from: number, to: number, delta: 1 | -1): void {
    if (to <= from) return;
    const last = Math.floor((to - 1) / this.#pageSize);
    for (let p = Math.floor(from / this.#pageSize); p <= last; p++) {
      const n = (this.#holds.get(p) ?? 0) + delta;
      if (n > 0) this.#holds.set(p, n);
      else this.#holds.delete(p);
      if (n !== (delta > 0 ? 1 : 0)) continue;
      for (const c of this.#cols) {
        const page = c.pages.get(p);
        if (!page) continue;
        if (delta > 0) this.#cache.hold(page);
        else this.#cache.release(page);
      }
    }
  }

  /**
   * The first page (index) of read `r` that column `ci` lacks rows of, or -1. Moves the read's
   * cursor past the pages it has: they are held, so they only gain rows.
   */
  #lacking(r: Read, ci: number): number {
    const c = this.#cols[ci]!;
    for (let p = r.cursors[ci]!; p * this.#pageSize < r.to; p++) {
      const start = p * this.#pageSize;
      if ((c.pages.get(p)?.rows ?? 0) < Math.min(r.to, start + this.#pageSize) - start) {
        r.cursors[ci] = p;
        return p;
      }
    }
    r.cursors[ci] = Math.ceil(r.to / this.#pageSize);
    return -1;
  }

  #resident(r: Read): boolean {
    if (r.to <= r.from) return true;
    for (let ci = 0; ci < this.#cols.length; ci++) if (this.#lacking(r, ci) >= 0) return false;
    return true;
  }

  /** Column `ci`'s next request: the missing suffix of the first page a pending read lacks. */
  #nextRequest(ci: number): Request | null {
    let p = -1;
    for (const w of this.#waiters) {
      const q = this.#lacking(w, ci);
      if (q >= 0 && (p < 0 || q < p)) p = q;
    }
    if (p < 0) return null;
    const start = p * this.#pageSize;
    const end = start + this.#pageSize;
    let need = start;
    for (const w of this.#waiters) if (w.from < end && w.to > start) need = Math.max(need, w.to);
    const offset = start + (this.#cols[ci]!.pages.get(p)?.rows ?? 0);
    return { offset, minRows: Math.min(need, end) - offset, maxRows: end - offset };
  }

  #pump(c: ColumnCache): void {
    if (c.busy) return;
    c.busy = true;
    const ci = this.#cols.indexOf(c);
    for (let next = this.#nextRequest(ci); next; next = this.#nextRequest(ci)) {
      const req = next;
      let outcome: Outcome | null = null;
      let sync = true;
      const settle = (o: Outcome) => {
        if (outcome) return;
        outcome = o;
        if (sync) return;
        // Arrived later: finish this page, then carry on with the next.
        c.busy = false;
        this.#complete(c, req, o);
        this.#pump(c);
      };
      invokeBackend(
        () =>
          this.#backend.columnValues(
            this.#key,
            this.#location,
            c.name,
            req.offset,
            req.minRows,
            req.maxRows,
            (values) => settle({ values, failed: false }),
            (error) => settle({ error, failed: true }),
          ),
        (error) => settle({ error, failed: true }),
      );
      sync = false;
      if (!outcome) return; // still busy: the callback continues the loop
      this.#complete(c, req, outcome);
    }
    c.busy = false;
  }

  #complete(c: ColumnCache, req: Request, o: Outcome): void {
    const call = `column_values(${c.name}, offset=${req.offset}, minRows=${req.minRows}, maxRows=${req.maxRows})`;
    const where = { tableKey: this.#def.keyText, location: this.#locText, column: c.name };
    const prefix = `${this.#def.keyText}:${this.#locText}: ${call}`;
    if (o.failed) {
      this.#fail(
        new TableDataServiceError(`${prefix} failed: ${failureText(o.error)}`, where, o.error),
      );
      return;
    }
    let vec: Vec;
    try {
      vec = this.#validate(c.name, req, o.values, prefix, where);
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#store(c, req.offset, vec, arrowBytes(o.values as ArrowTable));
    this.#resolve();
    this.#cache.trim();
  }

  /** Caches rows at `offset`, unless their page was evicted while they were asked for. */
  #store(c: ColumnCache, offset: number, vec: Vec, bytes: number): void {
    const p = Math.floor(offset / this.#pageSize);
    let page = c.pages.get(p);
    if (p * this.#pageSize + (page?.rows ?? 0) !== offset || vec.length === 0) return;
    if (!page) {
      page = new Page(c, p);
      c.pages.set(p, page);
    }
    page.chunks.push({ start: offset, vec });
    page.rows += vec.length;
    page.bytes += bytes;
    this.#cache.grow(bytes);
    if (this.#holds.has(p)) this.#cache.hold(page);
    else this.#cache.release(page); // fetched, but nobody waits for it now
  }

  #validate(
    name: string,
    req: Request,
    values: unknown,
    prefix: string,
    where: { tableKey: string; location: string; column: string },
  ): Vec {
    const bad = (why: string, cause?: unknown) =>
      new TableDataServiceError(`${prefix} ${why}`, where, cause);
    if (!ArrowTableClass.isTable(values))
      throw bad(`returned ${String(values)}, not an Arrow Table`);
    const fields = values.schema.fields;
    if (fields.length !== 1) {
      throw bad(
        `returned ${fields.length} fields [${fields.map((f) => f.name).join(", ")}]; expected exactly one field (column ${name})`,
      );
    }
    const field = fields[0]!;
    const expected = this.#def.schema[name]!;
    let actual: string;
    try {
      actual = columnTypeOfField(field);
    } catch (e) {
      throw bad(`returned an unsupported type: ${failureText(e)}`, e);
    }
    if (actual !== expected) {
      throw bad(`returned type ${actual} (Arrow ${String(field.type)}); expected ${expected}`);
    }
    const n = values.numRows;
    if (n < req.minRows || n > req.maxRows) {
      throw bad(`returned ${n} rows; expected between ${req.minRows} and ${req.maxRows}`);
    }
    try {
      return arrowToVecs(values, { [field.name]: expected }).vecs[0]!;
    } catch (e) {
      throw bad(`returned unreadable data: ${failureText(e)}`, e);
    }
  }

  #resolve(): void {
    const due = this.#waiters.filter((w) => this.#resident(w));
    if (due.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !due.includes(w));
    for (const w of due) this.#settle(w, undefined);
  }

  #fail(error: unknown): void {
    // Stop asking: later reads start again from what is cached.
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) this.#settle(w, error);
    this.#cache.trim();
  }

  /** A pending read is done: it calls back unless released, and lets go if released or failed. */
  #settle(r: Read, error: unknown): void {
    r.pending = false;
    const dropped = r.released;
    if (dropped || error !== undefined) {
      r.released = true;
      this.#hold(r.from, r.to, -1);
    }
    if (!dropped) r.done(error, r);
  }
}
