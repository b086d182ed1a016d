/**
 * Partitioned Table Data Service tables: a PartitionedTable whose `table` has one row per
 * location (the partitioning columns, then an int32 `Constituent` column holding the row's
 * index into `constituents`), whose `constituents[i]` holds location i's rows, and whose
 * `merge()` is every row. Rows of `table` are keyed by location index, in discovery order.
 * Constituents share the merged table's column storage and see only their location's key range.
 *
 * Refreshing: a location gets its row and its constituent at the cycle in which it joins the
 * merged table; a constituent made during a cycle ticks from the next one (as partitionBy's).
 * Closing `table` closes the merged source (releasing every subscription) and the constituents.
 */

import { CONSTITUENT, PartitionedTable } from "../agg/partition.ts";
import type { Prim } from "../agg/prim.ts";
import { canonBig, NULL_KEY } from "../agg/prim.ts";
import type { Vec } from "../column.ts";
import { PagedColumn } from "../column.ts";
import { RowSet } from "../row-set.ts";
import { nodeOf, STATIC_ATTRIBUTES, Table } from "../table.ts";
import { makeUpdate } from "../table-update.ts";
import type { GraphNode } from "../update-graph.ts";
import { fillColumn, locationBase } from "./location-rows.ts";
import { LOCATION_CAPACITY } from "./location-state.ts";
import type { LocationEntry } from "./location-subscription.ts";
import type { RefreshingSource } from "./refreshing-source.ts";
import type { TableDefinition } from "./table-definition.ts";

const APPEND_ONLY = { refreshing: true, blink: false, appendOnly: true, addOnly: true };

function keyColumns(def: TableDefinition): Map<string, PagedColumn> {
  const cols = new Map<string, PagedColumn>();
  for (const name of def.partitionColumns) cols.set(name, new PagedColumn(def.schema[name]!));
  cols.set(CONSTITUENT, new PagedColumn("int32"));
  return cols;
}

function writeKeyRow(
  cols: ReadonlyMap<string, PagedColumn>,
  def: TableDefinition,
  entry: LocationEntry,
  i: number,
): void {
  def.partitionColumns.forEach((name, j) => {
    fillColumn(cols.get(name)!, entry.partitionValues[j]!, i, 1);
  });
  cols.get(CONSTITUENT)!.setRaw(i, i);
}

function regionOf(rows: RowSet, i: number): RowSet {
  const base = locationBase(i);
  return rows.subSetByKeyRange(base, base + LOCATION_CAPACITY);
}

/** The static partitioned table of a loaded static merged table. */
export function staticPartitioned(
  def: TableDefinition,
  merged: Table,
  entries: readonly LocationEntry[],
): PartitionedTable {
  const cols = keyColumns(def);
  const constituents: Table[] = [];
  entries.forEach((e, i) => {
    writeKeyRow(cols, def, e, i);
    constituents.push(
      new Table(
        new Map(merged.columnMap),
        regionOf(merged.rowSet, i),
        STATIC_ATTRIBUTES,
        null,
        "constituent",
      ),
    );
  });
  const keys = new Table(cols, RowSet.flat(entries.length), STATIC_ATTRIBUTES, null, "locations");
  return assemble(def, merged, keys, constituents, (i) => entries[i]!);
}

/** Ticks one constituent: its share of the merged table's added rows. */
class ConstituentNode implements GraphNode {
  readonly #table: Table;
  readonly #merged: Table;
  readonly #index: number;
  constructor(table: Table, merged: Table, index: number) {
    this.#table = table;
    this.#merged = merged;
    this.#index = index;
  }
  process(): void {
    const t = this.#table;
    if (t.isFailed) return;
    if (this.#merged.isFailed) {
      nodeOf(t).fail(this.#merged.failure);
      return;
    }
    const u = nodeOf(this.#merged).currentUpdate();
    if (!u) return;
    const added = regionOf(u.added, this.#index);
    if (added.isEmpty) return;
    nodeOf(t).setRowSet(t.rowSet.union(added));
    nodeOf(t).setUpdate(makeUpdate(added));
  }
  notify(): void {
    nodeOf(this.#table).notify();
  }
}

/** Adds a row (and a constituent) per location that joined the merged table this cycle. */
class LocationsNode implements GraphNode {
  readonly #keys: Table;
  readonly #keyCols: ReadonlyMap<string, PagedColumn>;
  readonly #source: RefreshingSource;
  readonly #def: TableDefinition;
  readonly constituents: Table[] = [];

  constructor(
    keys: Table,
    keyCols: ReadonlyMap<string, PagedColumn>,
    source: RefreshingSource,
    def: TableDefinition,
  ) {
    this.#keys = keys;
    this.#keyCols = keyCols;
    this.#source = source;
    this.#def = def;
  }

  process(): void {
    const keys = this.#keys;
    const merged = this.#source.table;
    if (keys.isFailed) return;
    if (merged.isFailed) {
      nodeOf(keys).fail(merged.failure);
      return;
    }
    const from = this.constituents.length;
    const to = this.#source.joinedCount;
    if (to <= from) return;
    const graph = merged.graph!;
    for (let i = from; i < to; i++) {
      writeKeyRow(this.#keyCols, this.#def, this.#source.entryAt(i), i);
      const c = new Table(
        new Map(merged.columnMap),
        regionOf(merged.rowSet, i),
        APPEND_ONLY,
        graph,
        "constituent",
      );
      nodeOf(c).attach(new ConstituentNode(c, merged, i));
      this.constituents.push(c);
    }
    nodeOf(keys).setRowSet(RowSet.flat(to));
    nodeOf(keys).setUpdate(makeUpdate(RowSet.range(from, to)));
  }

  notify(): void {
    nodeOf(this.#keys).notify();
  }
}

/** The refreshing partitioned table over a refreshing source. */
export function refreshingPartitioned(
  def: TableDefinition,
  source: RefreshingSource,
): PartitionedTable {
  const merged = source.table;
  const keyCols = keyColumns(def);
  const keys = new Table(keyCols, RowSet.EMPTY, APPEND_ONLY, merged.graph, "locations");
  const node = new LocationsNode(keys, keyCols, source, def);
  nodeOf(keys).attach(node);
  nodeOf(keys).onClose(() => {
    merged.close();
    for (const c of node.constituents) c.close();
  });
  return assemble(def, merged, keys, node.constituents, (i) => source.entryAt(i));
}

/** The canonical primitive of a length-1 partition value (as agg/prim.ts's valueToPrim). */
function primOf(vec: Vec): Prim {
  if (vec.valid && vec.valid[0] === 0) return NULL_KEY;
  const v = vec.data[0]!;
  // Partition columns are scalar (array types are refused as partition values upstream).
  return typeof v === "bigint" ? canonBig(v) : (v as number | string);
}

/** Wraps our tables in a PartitionedTable: constituents by location, found by partition values. */
function assemble(
  def: TableDefinition,
  merged: Table,
  keys: Table,
  constituents: Table[],
  entryAt: (i: number) => LocationEntry,
): PartitionedTable {
  const find = (prims: readonly Prim[]): number => {
    const n = keys.size;
    for (let i = 0; i < n; i++) {
      const pv = entryAt(i).partitionValues;
      if (prims.every((p, j) => primOf(pv[j]!) === p)) return i;
    }
    return -1;
  };
  return new PartitionedTable(merged, keys, { constituents, find }, def.partitionColumns);
}
