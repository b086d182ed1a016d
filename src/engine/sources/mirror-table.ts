/**
 * mirrorTable: a local table that replays another table's changes, as a subscriber receives
 * them (a snapshot, then deltas keyed by the remote row keys). Changes are buffered and applied at
 * the next cycle of the local graph; several buffered changes become one net update, so a local
 * cycle may cover many remote cycles. Derived tables built on the mirror tick with it.
 */
import type { Vec } from "../column.ts";
import { ArgumentError } from "../errors.ts";
import { RowSet } from "../row-set.ts";
import type { Table, TableAttributes } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { Schema } from "../types.ts";
import { validateSchema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
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

  constructor(graph: UpdateGraph, schema: Schema, attrs: TableAttributes) {
    super(graph, schema, attrs, "mirror");
    this.names = Object.keys(schema);
  }

  #write(rows: KeyedRows): void {
    if (rows.keys.isEmpty) return;
    const keys = Float64Array.from(rows.keys);
    for (let j = 0; j < this.cols.length; j++)
      this.cols[j]!.scatter(keys, keys.length, rows.vecs[j]!);
  }

  protected flush(): TableUpdate | null {
    const changes = this.pending;
    if (changes.length === 0) return null;
    this.pending = [];
    const before = this.table.rowSet;
    // Pages holding only keys that go away are set aside (as previous values, without a copy)
    // before anything is written, so a blink view's reused keys cost no copy-on-write clone.
    let leaving = RowSet.EMPTY;
    for (const c of changes)
      leaving = leaving.union(c.kind === "reset" ? before : c.removed.intersect(before));
    if (!leaving.isEmpty) {
      const staying = before.minus(leaving);
      for (const col of this.cols) col.release(leaving, staying);
    }
    let rows = before;
    let gone = RowSet.EMPTY; // keys of `before` removed at some point (maybe re-added)
    let modified = RowSet.EMPTY;
    const modifiedColumns = new Set<string>();
    for (const c of changes) {
      if (c.kind === "reset") {
        gone = gone.union(rows.intersect(before));
        rows = c.rows.keys;
        this.#write(c.rows);
        continue;
      }
      gone = gone.union(c.removed.intersect(before));
      rows = rows.minus(c.removed).union(c.added.keys);
      this.#write(c.added);
      this.#write(c.modified);
      modified = modified.union(c.modified.keys);
      for (const m of c.modifiedColumns) modifiedColumns.add(m);
    }
    nodeOf(this.table).setRowSet(rows);
    const removed = before.minus(rows).union(gone.intersect(before));
    const added = rows.minus(before).union(gone.intersect(rows));
    const mod = modified.intersect(before).intersect(rows).minus(gone);
    for (const col of this.cols) col.release(removed, rows);
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
