/**
 * partitionBy / partitionedAggBy: a PartitionedTable whose `table` has one row per key tuple
 * (the key columns, any aggregation outputs, then an int32 `Constituent` column) and whose
 * `constituents[c]` is the table of the parent's rows with the keys of the row whose
 * Constituent is c. Table columns cannot hold tables, hence the index.
 *
 * It is an aggregation (aggregation-operator.ts) with a RowRouter that sorts each cycle's added,
 * removed and modified parent rows into per-group row sets; every constituent shares the
 * parent's column storage and gets its own update. A group whose rows all leave loses its row
 * in `table`; its constituent stays (empty) and fills again if the key comes back.
 * Constituents made while the graph runs start ticking at the next cycle.
 */

import { PagedColumn } from "../column.ts";
import { columnList } from "../column-list.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { view } from "../ops/select.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { assertNotBlink, assertUsable, inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { Value } from "../types.ts";
import type { GraphNode } from "../update-graph.ts";
import type { AggItem } from "./agg-by.ts";
import { aggregate, checkKeys, resolveSpecs } from "./agg-by.ts";
import type { AggSpec } from "./agg-spec.ts";
import type { RowRouter } from "./aggregation-operator.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase, keyAt } from "./kernel.ts";
import type { PartitionIndex } from "./partition-transform.ts";
import { checkTransformed, TransformedIndex } from "./partition-transform.ts";
import { mergeConstituents } from "./partitioned-merge.ts";
import type { Prim } from "./prim.ts";
import { valueToPrim } from "./prim.ts";

/** Name of the column of `PartitionedTable.table` that indexes `constituents`. */
export const CONSTITUENT = "Constituent";

/** Writes the slot as the Constituent index when a group appears. */
class ConstituentKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  ensureCapacity(): void {}
  add(): void {}
  remove(): void {}
  flush(slot: number, fresh: boolean): boolean {
    if (!fresh) return false;
    this.column.setRaw(slot, slot);
    return true;
  }
}

/** Fails a constituent with its partitioned table and delivers its listeners' callbacks. */
class ConstituentNode implements GraphNode {
  readonly #table: Table;
  readonly #source: () => Table | null;
  constructor(table: Table, source: () => Table | null) {
    this.#table = table;
    this.#source = source;
  }
  process(): void {
    const s = this.#source();
    if (s?.isFailed) nodeOf(this.#table).fail(s.failure);
  }
  notify(): void {
    nodeOf(this.#table).notify();
  }
}

interface Pending {
  added: RowSetBuilder;
  movedIn: RowSetBuilder;
  removed: RowSetBuilder;
  movedOut: RowSetBuilder;
  modified: RowSetBuilder;
}

class PartitionRouter implements RowRouter {
  readonly #parent: Table;
  readonly tables: Table[] = [];
  source: Table | null = null;
  readonly #pending = new Map<number, Pending>();

  constructor(parent: Table) {
    this.#parent = parent;
  }

  #at(slot: number): Pending {
    let p = this.#pending.get(slot);
    if (p === undefined) {
      p = {
        added: new RowSetBuilder(),
        movedIn: new RowSetBuilder(),
        removed: new RowSetBuilder(),
        movedOut: new RowSetBuilder(),
        modified: new RowSetBuilder(),
      };
      this.#pending.set(slot, p);
    }
    return p;
  }

  added(slots: Int32Array, n: number, span: Span): void {
    for (let i = 0; i < n; i++) this.#at(slots[i]!).added.addKey(keyAt(span, i));
  }
  removed(slots: Int32Array, n: number, span: Span): void {
    for (let i = 0; i < n; i++) this.#at(slots[i]!).removed.addKey(keyAt(span, i));
  }
  modified(before: Int32Array, after: Int32Array, n: number, span: Span): void {
    for (let i = 0; i < n; i++) {
      const k = keyAt(span, i);
      const b = before[i]!;
      const a = after[i]!;
      if (a === b) this.#at(a).modified.addKey(k);
      else {
        this.#at(b).movedOut.addKey(k);
        this.#at(a).movedIn.addKey(k);
      }
    }
  }

  finish(update: TableUpdate | null): void {
    const slots = [...this.#pending.keys()].sort((x, y) => x - y);
    for (const slot of slots) {
      const p = this.#pending.get(slot)!;
      const added = p.added.build().union(p.movedIn.build());
      const removed = p.removed.build().union(p.movedOut.build());
      const modified = p.modified.build();
      const t = this.tables[slot];
      if (t === undefined) this.#create(slot, added);
      else {
        nodeOf(t).setRowSet(t.rowSet.minusUnion(removed, added));
        if (update)
          nodeOf(t).setUpdate(makeUpdate(added, removed, modified, update.modifiedColumns));
      }
    }
    this.#pending.clear();
  }

  #create(slot: number, rows: RowSet): void {
    // Slots restored from storage without rows get empty constituents.
    while (this.tables.length < slot) this.#create(this.tables.length, RowSet.EMPTY);
    const parent = this.#parent;
    const t = new Table(
      new Map(parent.columnMap),
      rows,
      inheritAttributes(parent),
      parent.graph,
      "constituent",
    );
    if (parent.isRefreshing) nodeOf(t).attach(new ConstituentNode(t, () => this.source));
    this.tables.push(t);
  }
}

/** The parent's rows and updates unchanged: `PartitionedTable.merge()`. */
class PassThroughOperator extends Operator {
  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    nodeOf(this.result).setRowSet(this.parents[0]!.rowSet);
    return u;
  }
}

export type { PartitionIndex } from "./partition-transform.ts";

/**
 * A table of key tuples and one constituent table per tuple. Made by `t.partitionBy(...)`,
 * `t.partitionedAggBy(...)`, a partitioned Table Data Service table, or `transform(fn)` of one.
 */
export class PartitionedTable {
  readonly #parent: Table;
  readonly #table: Table;
  readonly #index: PartitionIndex;
  readonly #keys: readonly string[];
  /** A transform's empty template (fn over the source's); null: constituents share the parent's rows. */
  readonly #template: Table | null;

  /**
   * @internal `parent`: every row (for `merge()`); `table`: one row per constituent, keys first;
   * `keys`: the key column names; `template`: set by `transform`.
   */
  constructor(
    parent: Table,
    table: Table,
    index: PartitionIndex,
    keys: readonly string[],
    template: Table | null = null,
  ) {
    this.#parent = parent;
    this.#table = table;
    this.#index = index;
    this.#keys = keys;
    this.#template = template;
  }

  /** Key columns (and aggregation outputs), then `Constituent`: an index into `constituents`. */
  get table(): Table {
    return this.#table;
  }
  /** Constituent tables, indexed by the `Constituent` column (grows as new keys appear). */
  get constituents(): readonly Table[] {
    return this.#index.constituents;
  }
  get keyColumnNames(): readonly string[] {
    return this.#keys;
  }
  get constituentColumnName(): string {
    return CONSTITUENT;
  }

  /**
   * Every row of every constituent, ticking; a key that appears in a cycle adds its rows in that
   * cycle. Untransformed: the parent's rows in its row-key order (a view of the parent). After a
   * transform: constituent after constituent (see partitioned-merge.ts).
   */
  merge(): Table {
    if (this.#template !== null) return mergeConstituents(this.#index, this.#template);
    const p = this.#parent;
    assertUsable(p);
    const t = new Table(new Map(p.columnMap), p.rowSet, inheritAttributes(p), p.graph, "merge");
    if (p.isRefreshing) nodeOf(t).attach(new PassThroughOperator(t, [p]));
    return t;
  }

  /** The key tuples present now, ticking: `table`'s key columns. */
  keys(): Table {
    return view(this.#table, [...this.#keys]);
  }

  /**
   * A PartitionedTable with the same `table` (keys) whose constituents are `fn(c)` for every
   * constituent `c`, present and future (applied in the cycle a key appears). `fn` gets a table
   * and returns one with the same columns for every constituent (it may use tables that exist
   * when `transform` is called). Not in the spec language, which has no functions.
   *
   * ```ts
   * const byGroup = blink.removeBlink().partitionBy("Group")
   *   .transform((t) => t.withAttributes({ blink: true }));
   * ```
   */
  transform(fn: (t: Table) => Table): PartitionedTable {
    if (typeof fn !== "function") throw new ArgumentError("transform: expected a function");
    assertUsable(this.#table);
    const template = checkTransformed(fn(this.#emptyConstituent()), null, null);
    const index = new TransformedIndex(this.#index, fn, template, this.#table.graph);
    return new PartitionedTable(this.#parent, this.#table, index, this.#keys, template);
  }

  /** An empty table shaped like the constituents (it never ticks): what `transform` checks `fn` on. */
  #emptyConstituent(): Table {
    if (this.#template !== null) return this.#template;
    const p = this.#parent;
    return new Table(
      new Map(p.columnMap),
      RowSet.EMPTY,
      inheritAttributes(p),
      p.graph,
      "constituent",
    );
  }

  /**
   * The constituent for one key tuple (values as in `toRows()`: bigint or number for int64,
   * one-character strings for char, booleans, null), or null if `table` has no such row now.
   */
  constituentFor(...values: (Value | Date)[]): Table | null {
    const keys = this.#keys;
    if (values.length !== keys.length) {
      throw new ArgumentError(
        `constituentFor: expected ${keys.length} key value(s) for [${keys.join(", ")}], got ${values.length}`,
      );
    }
    const prims: Prim[] = values.map((v, j) => {
      const type = this.#parent.columns[keys[j]!]!;
      const p = valueToPrim(type, v);
      if (p === undefined) {
        throw new ArgumentError(
          `constituentFor: ${String(v)} is not a value of key column "${keys[j]}" (${type})`,
        );
      }
      return p;
    });
    const slot = this.#index.find(prims);
    if (slot < 0 || !this.#table.rowSet.contains(slot)) return null;
    return this.#index.constituents[slot] ?? null;
  }
}

function partitioned(op: string, t: Table, items: AggItem[], keys: string[]): PartitionedTable {
  if (keys.includes(CONSTITUENT) || items.some((i) => i.output === CONSTITUENT)) {
    throw new ArgumentError(
      `${op}: "${CONSTITUENT}" is the constituent column; rename the column that uses it`,
    );
  }
  const router = new PartitionRouter(t);
  const { table, core } = aggregate(t, items, keys, op, {
    kernels: (_core, columns: Map<string, ColumnSource>) => {
      const col = new PagedColumn("int32");
      columns.set(CONSTITUENT, col);
      return [new ConstituentKernel(CONSTITUENT, col, null)];
    },
    router: () => router,
  });
  router.source = table;
  const index: PartitionIndex = {
    get constituents() {
      return router.tables;
    },
    find: (prims) => core.index.find(prims),
  };
  return new PartitionedTable(t, table, index, keys);
}

/** `t.partitionBy(...keys)`: one constituent table per distinct key tuple. */
export function partitionBy(t: Table, keys: readonly string[]): PartitionedTable {
  assertUsable(t);
  assertNotBlink(t, "partitionBy");
  const ks = checkKeys("partitionBy", t, keys);
  return partitioned("partitionBy", t, [], ks);
}

/** `t.partitionedAggBy(aggs, ...keys)`: aggBy whose result also indexes per-key constituents. */
export function partitionedAggBy(
  t: Table,
  aggs: AggSpec | readonly AggSpec[],
  keys: readonly string[],
): PartitionedTable {
  assertUsable(t);
  assertNotBlink(t, "partitionedAggBy");
  const specs = Array.isArray(aggs) ? (aggs as readonly AggSpec[]) : [aggs as AggSpec];
  const ks = checkKeys("partitionedAggBy", t, keys);
  return partitioned("partitionedAggBy", t, resolveSpecs("partitionedAggBy", t, specs, ks), ks);
}

// ---- descriptors (registered in operations.ts); a PartitionedTable is no view of a family -------

const keys = rest(param("keys", kinds.columns, "key"));

export const partitionByOp = defineMethod({
  name: "partitionBy",
  params: [keys],
  apply: (t: Table, ...keys: (string | string[])[]): PartitionedTable =>
    partitionBy(t, columnList(keys, "partitionBy")),
  doc: "one constituent table per key (a `PartitionedTable`); not on blink tables",
  spec: false,
});
export const partitionedAggByOp = defineMethod({
  name: "partitionedAggBy",
  params: [param("aggs", kinds.aggs, "aggregations"), keys],
  apply: (
    t: Table,
    aggs: AggSpec | readonly AggSpec[],
    ...keys: (string | string[])[]
  ): PartitionedTable => partitionedAggBy(t, aggs, columnList(keys, "partitionedAggBy")),
  doc: "`aggBy` whose result also indexes per-key constituents; not on blink tables",
  spec: false,
});
