/**
 * blinkToAppendOnly: every row a blink table ever held, in arrival order, keyed 0..n-1
 * (BlinkTableTools.blinkToAppendOnly). `sizeLimit` keeps the first N rows ever, then stops.
 */
import { asPagedColumn, PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { defineFunction, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { attachHistory, evictHistory, saveHistoryPages } from "../persist/history.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet } from "../row-set.ts";
import { assertUsable, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { copyRowsTo } from "./copy.ts";

export interface BlinkToAppendOnlyOptions {
  /** Keep at most this many rows (the first ones). */
  sizeLimit?: number;
}

const APPEND_ONLY = { refreshing: true, blink: false, appendOnly: true, addOnly: true };

class BlinkToAppendOnlyOperator extends Operator {
  /**
   * Its columns append UTF-8 rows to open pages as bytes and seal a full one by its bytes
   * (`PagedColumn.sealFullPages`): a decode at the publish would only cost.
   */
  static override readonly keepsUtf8Rows = true;
  readonly #limit: number;
  readonly #src: ColumnSource[];
  readonly #dst: PagedColumn[];
  /** True until the first save, which writes every row (later saves write what changed). */
  #fresh = true;

  constructor(result: Table, parent: Table, limit: number) {
    super(result, [parent]);
    this.#limit = limit;
    this.#src = parent.columnNames.map((n) => parent.column(n));
    this.#dst = parent.columnNames.map((n) => asPagedColumn(result.column(n)));
  }

  markSaved(): void {
    this.#fresh = false;
  }

  /** Persists the size and the pages this cycle appended to; keeps a bounded tail in memory. */
  save(h: StateHandle): void {
    h.putMeta("size", this.result.size);
    const u = this.#fresh ? null : nodeOf(this.result).currentUpdate();
    this.#fresh = false;
    saveHistoryPages(h, this.result, u ? u.added : this.result.rowSet);
    evictHistory(this.result, h.historyBytes);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const added = u!.added;
    const size = this.result.size;
    const room = this.#limit - size;
    if (added.isEmpty || room <= 0) return null;
    const take = added.size > room ? added.subSetByPosition(0, room) : added;
    copyRowsTo(this.#src, take, this.#dst, size);
    nodeOf(this.result).setRowSet(RowSet.flat(size + take.size));
    return makeUpdate(RowSet.range(size, size + take.size));
  }
}

export function blinkToAppendOnly(blink: Table, options: BlinkToAppendOnlyOptions = {}): Table {
  assertUsable(blink);
  if (!blink.isBlink) throw new ArgumentError("Input is not a blink table!");
  const limit = options.sizeLimit ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new ArgumentError(
      `blinkToAppendOnly: sizeLimit must be a non-negative integer, got ${limit}`,
    );
  }
  const columns = new Map<string, PagedColumn>();
  for (const [n, c] of blink.columnMap) {
    const col = new PagedColumn(c.type, blink.graph);
    // Rows are only ever appended: a full page never changes again.
    col.sealFullPages();
    columns.set(n, col);
  }
  const result = new Table(columns, RowSet.EMPTY, APPEND_ONLY, blink.graph, "blinkToAppendOnly");
  let op: BlinkToAppendOnlyOperator | null = null;
  const h = blink.graph?.store?.register("appendOnly", {
    table: result,
    save: (handle) => op!.save(handle),
  });
  if (h?.restored) {
    // History comes back from storage lazily, page by page, as it is read.
    nodeOf(result).setRowSet(RowSet.flat(h.getMeta<number>("size") ?? 0));
    attachHistory(h, result);
  } else {
    const init = blink.rowSet.subSetByPosition(0, limit);
    copyRowsTo(
      blink.columnNames.map((n) => blink.column(n)),
      init,
      [...columns.values()],
      0,
    );
    nodeOf(result).setRowSet(RowSet.flat(init.size));
    if (h) attachHistory(h, result);
  }
  op = new BlinkToAppendOnlyOperator(result, blink, limit);
  if (h?.restored) op.markSaved();
  nodeOf(result).attach(op);
  return result;
}

/** Descriptor (registered in operations.ts). */
export const blinkToAppendOnlyOp = defineFunction({
  name: "blinkToAppendOnly",
  params: [
    param("blink", kinds.table, "argument"),
    optional(param("options", kinds.options({ sizeLimit: kinds.integer }))),
  ],
  apply: (blink: Table, options?: BlinkToAppendOnlyOptions): Table =>
    blinkToAppendOnly(blink, options),
  doc: "every row a blink table ever held, keyed `0..n-1`; `sizeLimit` keeps the first N",
});
