/**
 * headBy / tailBy over a blink parent: the first / last `n` rows of each group over the whole
 * stream since the result was made (tickflare's blink semantics, as the aggregations': a blink
 * table's rows are gone the next cycle, so the result keeps its own copy of the rows it holds).
 * Rows are keyed by arrival (stream order), so the result's order is the stream's.
 *
 * - headBy: a group takes rows until it has `n`, then ignores the rest. Rows never leave: the
 *   result is append-only. Memory: n rows per group.
 * - tailBy: a per-group ring; a group's new rows push out its oldest. Only the last `n` rows of
 *   a group in one cycle are copied. The result is a standard table (rows leave).
 *
 * Persisted like a ring: the result's rows (pages), its row keys and the next key; a restored
 * result regroups its own rows to rebuild the per-group counts and rings.
 */
import { PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { Operator } from "../operator.ts";
import { loadAll } from "../persist/history.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { copyRowsTo } from "./copy.ts";
import { RowGroups } from "./row-groups.ts";

const HEAD_ATTRIBUTES: TableAttributes = {
  refreshing: true,
  blink: false,
  appendOnly: true,
  addOnly: true,
};
const TAIL_ATTRIBUTES: TableAttributes = {
  refreshing: true,
  blink: false,
  appendOnly: false,
  addOnly: false,
};

/** A group's result keys, oldest first (a queue with a moving head). */
class KeyQueue {
  keys: number[] = [];
  head = 0;
  get size(): number {
    return this.keys.length - this.head;
  }
  push(k: number): void {
    this.keys.push(k);
  }
  shift(): number {
    const k = this.keys[this.head++]!;
    if (this.head > 64 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
    return k;
  }
}

abstract class BlinkTopOperator extends Operator {
  protected readonly n: number;
  protected readonly groups: RowGroups;
  readonly #src: readonly ColumnSource[];
  readonly #dst: readonly PagedColumn[];
  /** The key of the next row the result takes. */
  #next = 0;
  /** True until the first save, which writes every row (later saves write what changed). */
  #fresh = true;

  constructor(result: Table, parent: Table, n: number, groups: RowGroups) {
    super(result, [parent]);
    this.n = n;
    this.groups = groups;
    this.#src = parent.columnNames.map((c) => parent.column(c));
    this.#dst = parent.columnNames.map((c) => result.column(c) as PagedColumn);
  }

  /** Which of the cycle's `rows` the result takes; records their new keys from `first`. */
  protected abstract take(rows: RowSet, first: number): { taken: RowSet; evicted: RowSet };

  /** Records result row `key` of group `group` (restoring, in key order). */
  protected abstract restoreRow(key: number, group: number): void;

  /** Persists the next key, the row keys and the pages this cycle changed. */
  save(h: StateHandle): void {
    const rows = this.result.rowSet;
    h.putMeta("next", this.#next);
    const ranges: number[] = [];
    rows.forEachRange((s, e) => ranges.push(s, e));
    h.putMeta("rows", ranges);
    const u = this.#fresh ? null : nodeOf(this.result).currentUpdate();
    this.#fresh = false;
    h.savePagesOf(this.result, u ? u.added.union(u.removed) : rows);
  }

  /** Resumes from storage: the rows, the next key, and the groups rebuilt from the rows. */
  restore(h: StateHandle): void {
    this.#next = h.getMeta<number>("next") ?? 0;
    const rows = RowSet.fromRanges(h.getMeta<number[]>("rows") ?? []);
    nodeOf(this.result).setRowSet(rows);
    loadAll(h, this.result, rows);
    this.groups.forEachOf(this.result, rows, (k, g) => this.restoreRow(k, g));
    this.#fresh = false;
  }

  /** Takes the parent's current rows (at construction, and each cycle). */
  ingest(rows: RowSet): TableUpdate | null {
    const { taken, evicted } = this.take(rows, this.#next);
    if (taken.isEmpty) return null;
    const start = this.#next;
    copyRowsTo(this.#src, taken, this.#dst, start);
    this.#next = start + taken.size;
    const added = RowSet.range(start, this.#next);
    const next = this.result.rowSet.minusUnion(evicted, added);
    nodeOf(this.result).setRowSet(next);
    for (const c of this.#dst) c.release(evicted, next);
    return makeUpdate(added, evicted);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    return this.ingest(u!.added);
  }
}

class BlinkHeadOperator extends BlinkTopOperator {
  readonly #count: number[] = [];

  protected restoreRow(_key: number, g: number): void {
    this.#count[g] = (this.#count[g] ?? 0) + 1;
  }

  protected take(rows: RowSet): { taken: RowSet; evicted: RowSet } {
    const b = new RowSetBuilder();
    const count = this.#count;
    this.groups.forEach(rows, false, (k, g) => {
      const c = count[g] ?? 0;
      if (c >= this.n) return;
      count[g] = c + 1;
      b.addKey(k);
    });
    return { taken: b.build(), evicted: RowSet.EMPTY };
  }
}

class BlinkTailOperator extends BlinkTopOperator {
  readonly #queues: (KeyQueue | undefined)[] = [];

  protected restoreRow(key: number, g: number): void {
    let q = this.#queues[g];
    if (!q) this.#queues[g] = q = new KeyQueue();
    q.push(key);
  }

  protected take(rows: RowSet, first: number): { taken: RowSet; evicted: RowSet } {
    // Per group, only the cycle's last n rows are taken.
    const keys: number[] = [];
    const gs: number[] = [];
    const inCycle = new Map<number, number>();
    this.groups.forEach(rows, false, (k, g) => {
      keys.push(k);
      gs.push(g);
      inCycle.set(g, (inCycle.get(g) ?? 0) + 1);
    });
    const seen = new Map<number, number>();
    const b = new RowSetBuilder();
    const evicted: number[] = [];
    let next = first;
    for (let i = 0; i < keys.length; i++) {
      const g = gs[i]!;
      const idx = seen.get(g) ?? 0;
      seen.set(g, idx + 1);
      if (idx < inCycle.get(g)! - this.n) continue;
      b.addKey(keys[i]!);
      let q = this.#queues[g];
      if (!q) this.#queues[g] = q = new KeyQueue();
      q.push(next++);
      if (q.size > this.n) evicted.push(q.shift());
    }
    return { taken: b.build(), evicted: RowSet.fromKeys(evicted) };
  }
}

function blinkTop(parent: Table, n: number, keys: readonly string[], tail: boolean): Table {
  const columns = new Map<string, PagedColumn>();
  for (const [name, c] of parent.columnMap)
    columns.set(name, new PagedColumn(c.type, parent.graph));
  const result = new Table(
    columns,
    RowSet.EMPTY,
    tail ? TAIL_ATTRIBUTES : HEAD_ATTRIBUTES,
    parent.graph,
    tail ? "tailBy" : "headBy",
  );
  const groups = new RowGroups(parent, keys);
  const op = tail
    ? new BlinkTailOperator(result, parent, n, groups)
    : new BlinkHeadOperator(result, parent, n, groups);
  const h = parent.graph?.store?.register(tail ? "tailBy" : "headBy", {
    table: result,
    save: (handle) => op.save(handle),
  });
  // A restored result resumes where it was; a new one starts with the blink's current rows.
  if (h?.restored) op.restore(h);
  else op.ingest(parent.rowSet);
  nodeOf(result).attach(op);
  return result;
}

/** headBy over a blink parent (see the module header). */
export function headByBlink(parent: Table, n: number, keys: readonly string[]): Table {
  return blinkTop(parent, n, keys, false);
}

/** tailBy over a blink parent (see the module header). */
export function tailByBlink(parent: Table, n: number, keys: readonly string[]): Table {
  return blinkTop(parent, n, keys, true);
}
