/**
 * LocationData: the page cache of one location's data columns, and the reader that fills it
 * through `columnValues` with Deephaven's paging contract (AppendOnlyFixedSizePageRegion):
 *
 * Rows are grouped in pages of `pageSize` rows. To have rows up to `target`, each column asks
 * for the missing suffix of one page at a time: `offset` = rows cached so far, `maxRows` = the
 * rest of that page, `minRows` = the rows of that page below `target`. The backend may return
 * anything from `minRows` to `maxRows` rows; extra rows are kept, so later growth only asks for
 * what is still missing. Each result is validated (an Arrow table, exactly one field of the
 * column's type, a row count within range) before it is cached.
 *
 * Columns are read concurrently, pages of one column in order. Callbacks that arrive
 * synchronously are handled in a loop (no recursion per page). A failure fails every waiter and
 * is not sticky: a later `request` tries again from what is cached.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { Table as ArrowTableClass } from "apache-arrow";
import { arrowToVecs, columnTypeOfField } from "../arrow.ts";
import type { PagedColumn, Vec } from "../column.ts";
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend } from "./invoke.ts";
import type { TableDefinition } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

interface Chunk {
  /** Row position of `vec[0]` in the location. */
  readonly start: number;
  readonly vec: Vec;
}

interface ColumnCache {
  readonly name: string;
  readonly chunks: Chunk[];
  /** Rows [0, cached) are in `chunks`. */
  cached: number;
  /** A `columnValues` call is in flight. */
  busy: boolean;
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

type Done = (error?: unknown) => void;

export class LocationData {
  readonly #backend: TableDataServiceBackend;
  readonly #key: TableKey;
  readonly #location: TableLocationKey;
  readonly #def: TableDefinition;
  readonly #locText: string;
  readonly #pageSize: number;
  readonly #cols: ColumnCache[];
  #target = 0;
  #waiters: { target: number; done: Done }[] = [];

  constructor(
    backend: TableDataServiceBackend,
    key: TableKey,
    location: TableLocationKey,
    def: TableDefinition,
    locText: string,
    pageSize: number,
  ) {
    this.#backend = backend;
    this.#key = key;
    this.#location = location;
    this.#def = def;
    this.#locText = locText;
    this.#pageSize = pageSize;
    this.#cols = def.dataColumns.map((name) => ({ name, chunks: [], cached: 0, busy: false }));
  }

  /** Rows cached in every data column (Infinity when the table has no data columns). */
  get available(): number {
    let n = Number.POSITIVE_INFINITY;
    for (const c of this.#cols) if (c.cached < n) n = c.cached;
    return n;
  }

  /** Calls `done()` once rows `[0, target)` of every data column are cached, or `done(error)`. */
  request(target: number, done: Done): void {
    if (this.available >= target) {
      done();
      return;
    }
    this.#waiters.push({ target, done });
    if (target > this.#target) this.#target = target;
    for (const c of this.#cols) this.#pump(c);
  }

  /** Writes rows `[from, to)` of data column `name` to `dst` at keys `[dstStart, ...)`. */
  copyRows(name: string, from: number, to: number, dst: PagedColumn, dstStart: number): void {
    const c = this.#cols.find((x) => x.name === name);
    if (!c) throw new RangeError(`LocationData: no data column "${name}"`);
    const chunks = c.chunks;
    // Binary search for the chunk holding `from`.
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid]!.start <= from) lo = mid;
      else hi = mid - 1;
    }
    let pos = from;
    for (let i = lo; pos < to && i < chunks.length; i++) {
      const ch = chunks[i]!;
      const at = pos - ch.start;
      const n = Math.min(ch.vec.length - at, to - pos);
      if (n <= 0) continue;
      dst.writeRun(dstStart + (pos - from), ch.vec, at, n);
      pos += n;
    }
    if (pos < to)
      throw new RangeError(`LocationData: rows [${pos}, ${to}) of "${name}" are not cached`);
  }

  #pump(c: ColumnCache): void {
    if (c.busy) return;
    c.busy = true;
    while (c.cached < this.#target) {
      const pageStart = Math.floor(c.cached / this.#pageSize) * this.#pageSize;
      const pageEnd = pageStart + this.#pageSize;
      const req: Request = {
        offset: c.cached,
        minRows: Math.min(this.#target, pageEnd) - c.cached,
        maxRows: pageEnd - c.cached,
      };
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
    if (vec.length > 0) c.chunks.push({ start: req.offset, vec });
    c.cached += vec.length;
    this.#resolve();
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
    const avail = this.available;
    if (!this.#waiters.some((w) => w.target <= avail)) return;
    const due = this.#waiters.filter((w) => w.target <= avail);
    this.#waiters = this.#waiters.filter((w) => w.target > avail);
    for (const w of due) w.done();
  }

  #fail(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    // Stop asking: later requests start again from what is cached.
    this.#target = Math.min(this.#target, this.available);
    for (const w of waiters) w.done(error);
  }
}
