/**
 * mirrorTable: a local table that replays another table's changes, as a subscriber receives
 * them (a snapshot, then deltas keyed by the remote row keys). Changes are buffered and applied at
 * the next cycle of the local graph; several buffered changes become one net update, so a local
 * cycle may cover many remote cycles. Derived tables built on the mirror tick with it.
 *
 * The table is keyed by the remote keys (their ascending order is the remote view's order), but
 * rows are stored at dense local slots (key-slots.ts): a sorted remote view's keys are sparse,
 * and storing by key would spend a page per row.
 *
 * Persistence (a graph with a store, e.g. a family's input from another family): the remote keys
 * and the rows of every key page a cycle touched are saved after that cycle, so a restored mirror
 * holds exactly the rows it had, at the same keys, without asking the remote table again.
 */
import type { Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowSet } from "../row-set.ts";
import type { Table, TableAttributes } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { Schema } from "../types.ts";
import { validateSchema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { KeySlots } from "./key-slots.ts";
import { SourceNode } from "./source-node.ts";

/** Rows at given keys: one vector per schema column, `keys.size` rows in key order. */
export interface KeyedRows {
  keys: RowSet;
  vecs: readonly Vec[];
}

type Change =
  | { kind: "reset"; rows: KeyedRows }
  | {
      kind: "delta";
      removed: RowSet;
      added: KeyedRows;
      modified: KeyedRows;
      modifiedColumns: readonly string[];
    };

class MirrorNode extends SourceNode {
  pending: Change[] = [];
  readonly names: string[];
  readonly #slots: KeySlots;
  /** True until the first save (which then saves every row). */
  #fresh = true;

  constructor(graph: UpdateGraph, schema: Schema, attrs: TableAttributes) {
    const slots = new KeySlots(graph);
    super(graph, schema, attrs, "mirror", undefined, (storage) => {
      const views = new Map<string, ColumnSource>();
      let owned = true;
      for (const [name, col] of storage) {
        views.set(name, new RedirectedColumnSource(col, slots.redirection, owned));
        owned = false;
      }
      return views;
    });
    this.#slots = slots;
    this.names = Object.keys(schema);
    const h = graph.store?.register("mirror", {
      table: this.table,
      save: (handle) => this.#save(handle),
    });
    if (h?.restored) this.#restore(h, schema);
  }

  #save(h: StateHandle): void {
    const t = this.table;
    const u = this.#fresh ? null : nodeOf(t).currentUpdate();
    this.#fresh = false;
    const ranges: number[] = [];
    t.rowSet.forEachRange((s, e) => ranges.push(s, e));
    h.putMeta("rows", ranges);
    // A page that lost rows is rewritten too (savePage replaces a page with what it holds now).
    h.savePagesOf(t, u ? u.added.union(u.removed).union(u.modified) : t.rowSet);
  }

  /** Puts the saved rows back at their keys (no update: they were there before the restart). */
  #restore(h: StateHandle, schema: Schema): void {
    this.#fresh = false;
    const rows = RowSet.fromRanges(h.getMeta<number[]>("rows") ?? []);
    this.#slots.reset(rows);
    let at = 0;
    let last = -1;
    rows.forEachRange((s, e) => {
      for (let p = Math.floor(s / PAGE_SIZE); p <= Math.floor((e - 1) / PAGE_SIZE); p++) {
        if (p === last) continue;
        last = p;
        const page = h.loadPage(schema, p);
        if (!page) throw new RangeError(`stored page ${p} of ${h.id} is missing`);
        for (let j = 0; j < this.cols.length; j++)
          this.cols[j]!.writeRun(at, page.vecs[j]!, 0, page.length);
        at += page.length;
      }
    });
    if (at !== rows.size)
      throw new RangeError(`stored mirror ${h.id} holds ${at} rows for ${rows.size} keys`);
    nodeOf(this.table).setRowSet(rows);
  }

  /** Writes `rows` at `slots` (one per key, in key order). */
  #write(slots: Float64Array, rows: KeyedRows): void {
    if (slots.length === 0) return;
    for (let j = 0; j < this.cols.length; j++)
      this.cols[j]!.scatter(slots, slots.length, rows.vecs[j]!);
  }

  protected flush(): TableUpdate | null {
    const changes = this.pending;
    if (changes.length === 0) return null;
    this.pending = [];
    const before = this.table.rowSet;
    const slots = this.#slots;
    let rows = before;
    let gone = RowSet.EMPTY; // keys of `before` removed at some point (maybe re-added)
    let modified = RowSet.EMPTY;
    const modifiedColumns = new Set<string>();
    for (const c of changes) {
      if (c.kind === "reset") {
        gone = gone.union(rows.intersect(before));
        rows = c.rows.keys;
        slots.reset(rows);
        const extent = slots.extent;
        for (let j = 0; j < this.cols.length; j++) {
          this.cols[j]!.writeRun(0, c.rows.vecs[j]!, 0, rows.size);
          // Slots past the new rows hold nothing now: let their pages go.
          if (extent > rows.size)
            this.cols[j]!.release(RowSet.range(rows.size, extent), RowSet.flat(rows.size));
        }
        continue;
      }
      const removed = c.removed.intersect(rows);
      gone = gone.union(c.removed.intersect(before));
      slots.remove(removed);
      rows = rows.minusUnion(c.removed, c.added.keys);
      this.#write(slots.add(c.added.keys), c.added);
      this.#write(slots.slotsOf(c.modified.keys), c.modified);
      modified = modified.union(c.modified.keys);
      for (const m of c.modifiedColumns) modifiedColumns.add(m);
    }
    nodeOf(this.table).setRowSet(rows);
    const removed = before.minusUnion(rows, gone.intersect(before));
    const added = rows.minusUnion(before, gone.intersect(rows));
    const mod = modified.intersect(before).intersect(rows).minus(gone);
    return makeUpdate(added, removed, mod, mod.isEmpty ? [] : [...modifiedColumns]);
  }
}

/** Feeds a mirror table. */
export class Mirror {
  readonly #node: MirrorNode;
  constructor(node: MirrorNode) {
    this.#node = node;
  }
  get table(): Table {
    return this.#node.table;
  }
  /** Replaces the whole contents at the next cycle. */
  reset(rows: KeyedRows): void {
    this.#check(rows, "reset");
    this.#node.pending.push({ kind: "reset", rows });
  }
  /** Applies one remote cycle's change at the next local cycle. */
  delta(
    removed: RowSet,
    added: KeyedRows,
    modified: KeyedRows,
    modifiedColumns: readonly string[] = [],
  ): void {
    this.#check(added, "added");
    this.#check(modified, "modified");
    this.#node.pending.push({ kind: "delta", removed, added, modified, modifiedColumns });
  }
  /** Fails the mirror (and tables derived from it) at the next cycle, e.g. when the remote failed. */
  fail(error: unknown): void {
    this.#node.requestFailure(error);
  }
  /** Number of changes waiting for the next cycle. */
  get pendingChanges(): number {
    return this.#node.pending.length;
  }
  #check(rows: KeyedRows, what: string): void {
    const n = this.#node.names.length;
    if (rows.vecs.length !== n)
      throw new ArgumentError(
        `mirror ${what}: expected ${n} column vectors, got ${rows.vecs.length}`,
      );
    rows.vecs.forEach((v, j) => {
      if (v.length !== rows.keys.size) {
        throw new ArgumentError(
          `mirror ${what}: column "${this.#node.names[j]}" has ${v.length} values for ${rows.keys.size} keys`,
        );
      }
    });
  }
}

/** A mirror of a remote table with `schema` and the remote table's type attributes. */
export function mirrorTable(
  graph: UpdateGraph,
  columns: Record<string, string>,
  attributes: Partial<Omit<TableAttributes, "refreshing">> = {},
): Mirror {
  const schema = validateSchema(columns);
  const attrs: TableAttributes = {
    refreshing: true,
    blink: attributes.blink ?? false,
    appendOnly: attributes.appendOnly ?? false,
    addOnly: attributes.addOnly ?? false,
  };
  return new Mirror(new MirrorNode(graph, schema, attrs));
}
