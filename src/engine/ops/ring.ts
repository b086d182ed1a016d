/**
 * ringTable: the last `capacity` rows ever added to the parent (RingTableTools.of). Rows are
 * keyed by stream sequence number; parent removals are ignored; a parent modification fails the
 * ring. Memory is O(capacity): evicted pages are released.
 */
import { asPagedColumn, PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError, UnsupportedOperationError } from "../errors.ts";
import { defineFunction, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { loadAll } from "../persist/history.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet } from "../row-set.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { copyRowsTo } from "./copy.ts";
import { copyColumns } from "./snapshot.ts";

export interface RingTableOptions {
  /** Start from the parent's current rows (default true). */
  initialize?: boolean;
}

const RING_ATTRIBUTES = { refreshing: true, blink: false, appendOnly: false, addOnly: false };

class RingOperator extends Operator {
  /** A ring copies UTF-8 rows into its open pages as bytes (see the constructor). */
  static override readonly keepsUtf8Rows = true;
  readonly #capacity: number;
  readonly #src: ColumnSource[];
  readonly #dst: PagedColumn[];
  #next: number;
  /** True until the first save, which writes every row (later saves write what changed). */
  #fresh = true;

  constructor(result: Table, parent: Table, capacity: number, next: number) {
    super(result, [parent]);
    this.#capacity = capacity;
    this.#src = parent.columnNames.map((n) => parent.column(n));
    this.#dst = parent.columnNames.map((n) => asPagedColumn(result.column(n)));
    // Rows the source holds as UTF-8 (a publish's distinct strings) stay so: a ring's keys only
    // grow, so each page is written from its first slot on, as an open page.
    for (let i = 0; i < this.#dst.length; i++) this.#dst[i]!.takeUtf8();
    this.#next = next;
  }

  markSaved(): void {
    this.#fresh = false;
  }

  /** Persists the sequence number and the pages this cycle wrote; drops evicted pages. */
  save(h: StateHandle): void {
    const rows = this.result.rowSet;
    h.putMeta("next", this.#next);
    const u = this.#fresh ? null : nodeOf(this.result).currentUpdate();
    this.#fresh = false;
    h.savePagesOf(this.result, u ? u.added : rows);
    h.deletePagesBelow(Math.floor(Math.max(0, this.#next - this.#capacity) / PAGE_SIZE));
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const up = u!;
    if (!up.modified.isEmpty)
      throw new UnsupportedOperationError("Not expecting modifies or shifts");
    if (up.added.isEmpty) return null;
    const cap = this.#capacity;
    const take =
      up.added.size > cap
        ? up.added.subSetByPosition(up.added.size - cap, up.added.size)
        : up.added;
    // Rows skipped because one update brought more than the capacity still use sequence numbers.
    const start = this.#next + (up.added.size - take.size);
    copyRowsTo(this.#src, take, this.#dst, start);
    this.#next = start + take.size;
    const old = this.result.rowSet;
    const lo = Math.max(0, this.#next - cap);
    const rows = RowSet.range(lo, this.#next);
    // The ring's rows are one range, which only moves up: what fell out is a range too.
    const removed =
      old.rangeCount === 1
        ? RowSet.range(old.first(), Math.min(lo, old.last() + 1))
        : old.minus(rows);
    nodeOf(this.result).setRowSet(rows);
    const dst = this.#dst;
    for (let i = 0; i < dst.length; i++) dst[i]!.release(removed, rows);
    return makeUpdate(RowSet.range(start, this.#next), removed);
  }
}

/** The last `capacity` rows of `parent`, ticking as it grows. */
export function ringTable(parent: Table, capacity: number, options: RingTableOptions = {}): Table {
  assertUsable(parent);
  const initialize = options.initialize ?? true;
  if (!Number.isInteger(capacity) || capacity <= 0) {
    throw new ArgumentError(`ringTable: capacity must be a positive integer, got ${capacity}`);
  }
  if (!parent.isRefreshing) {
    if (!initialize) {
      throw new ArgumentError(
        "ringTable: a static parent needs initialize = true (it would stay empty forever)",
      );
    }
    const rows = parent.rowSet.subSetByPosition(parent.size - capacity, parent.size);
    return new Table(
      copyColumns(parent, rows),
      RowSet.flat(rows.size),
      STATIC_ATTRIBUTES,
      null,
      "ring",
    );
  }
  const columns = new Map<string, PagedColumn>();
  for (const [n, c] of parent.columnMap) columns.set(n, new PagedColumn(c.type, parent.graph));
  const result = new Table(columns, RowSet.EMPTY, RING_ATTRIBUTES, parent.graph, "ring");
  let op: RingOperator | null = null;
  const h = parent.graph?.store?.register("ring", {
    table: result,
    save: (handle) => op!.save(handle),
  });
  let next = 0;
  if (h?.restored) {
    // Resume exactly where the ring was: its rows come from storage, not from the parent.
    next = h.getMeta<number>("next") ?? 0;
    const rows = RowSet.range(Math.max(0, next - capacity), next);
    nodeOf(result).setRowSet(rows);
    loadAll(h, result, rows);
  } else if (initialize) {
    const init = parent.rowSet.subSetByPosition(parent.size - capacity, parent.size);
    copyRowsTo(
      parent.columnNames.map((n) => parent.column(n)),
      init,
      [...columns.values()],
      0,
    );
    next = init.size;
    nodeOf(result).setRowSet(RowSet.range(0, next));
  }
  op = new RingOperator(result, parent, capacity, next);
  if (h?.restored) op.markSaved();
  nodeOf(result).attach(op);
  return result;
}

/** Descriptor (registered in operations.ts). */
export const ringTableOp = defineFunction({
  name: "ringTable",
  params: [
    param("parent", kinds.table, "first argument"),
    param("capacity", kinds.integer),
    optional(param("options", kinds.options({ initialize: kinds.boolean }, "initialize"))),
  ],
  apply: (parent: Table, capacity: number, options?: RingTableOptions): Table =>
    ringTable(parent, capacity, options),
  doc: "the last `capacity` rows ever added; `initialize` (default true) starts from the parent's rows",
});
