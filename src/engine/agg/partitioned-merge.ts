/**
 * `merge()` of a transformed PartitionedTable: every row of every constituent, constituent by
 * constituent, following the constituents as they appear. Like `merge` it copies nothing:
 * constituent `i` owns the key slice `[i * 2^32, (i + 1) * 2^32)` of the result, whose columns
 * are UnionColumnSources over the constituents' columns; a segment is added when a constituent
 * appears, and its rows are added in that same cycle. A constituent key at or beyond 2^32 fails
 * the result (a RangeError naming the constituent).
 */
import type { ColumnSource } from "../column-source.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { nodeOf, Table } from "../table-core.ts";
import { makeUpdate } from "../table-update.ts";
import type { UnionSegment } from "../union-column-source.ts";
import { UnionColumnSource } from "../union-column-source.ts";
import type { GraphNode } from "../update-graph.ts";
import type { PartitionIndex } from "./partition-transform.ts";

const SLICE = 2 ** 32;

class PartitionedMergeNode implements GraphNode {
  readonly #result: Table;
  readonly #index: PartitionIndex;
  readonly #segments: Map<string, UnionSegment[]>;
  #known = 0;

  constructor(result: Table, index: PartitionIndex, segments: Map<string, UnionSegment[]>) {
    this.#result = result;
    this.#index = index;
    this.#segments = segments;
  }

  /** Adds the segments of constituents that appeared; returns their rows (result keys). */
  catchUp(): RowSet {
    const cs = this.#index.constituents;
    let rows = RowSet.EMPTY;
    for (; this.#known < cs.length; this.#known++) {
      const i = this.#known;
      const c = cs[i]!;
      for (const [name, segs] of this.#segments) {
        segs.push({
          start: i * SLICE,
          end: (i + 1) * SLICE,
          source: c.column(name),
          shift: i * SLICE,
        });
      }
      rows = rows.union(shifted(c.rowSet, i));
    }
    return rows;
  }

  process(): void {
    const result = this.#result;
    if (result.isFailed) return;
    const node = nodeOf(result);
    const failure = this.#index.failure;
    if (failure !== undefined) {
      node.fail(failure);
      return;
    }
    try {
      const cs = this.#index.constituents;
      const known = this.#known;
      const added = new RowSetBuilder();
      const removed = new RowSetBuilder();
      const modified = new RowSetBuilder();
      const mc = new Set<string>();
      for (let i = 0; i < known; i++) {
        const c = cs[i]!;
        if (c.isFailed) {
          node.fail(c.failure);
          return;
        }
        const u = nodeOf(c).currentUpdate();
        if (!u) continue;
        shifted(u.added, i).forEachRange((s, e) => added.addRange(s, e));
        shifted(u.removed, i).forEachRange((s, e) => removed.addRange(s, e));
        shifted(u.modified, i).forEachRange((s, e) => modified.addRange(s, e));
        for (const n of u.modifiedColumns) mc.add(n);
      }
      const a = added.build().union(this.catchUp());
      const r = removed.build();
      const m = modified.build();
      if (a.isEmpty && r.isEmpty && m.isEmpty) return;
      node.setRowSet(result.rowSet.minusUnion(r, a));
      node.setUpdate(makeUpdate(a, r, m, m.isEmpty ? [] : [...mc]));
    } catch (e) {
      node.fail(e);
    }
  }

  notify(): void {
    nodeOf(this.#result).notify();
  }
}

/** `rows` of constituent `i` as result keys. */
function shifted(rows: RowSet, i: number): RowSet {
  if (!rows.isEmpty && rows.last() >= SLICE) {
    throw new RangeError(
      `merge: constituent ${i} has row key ${rows.last()}, beyond the 2^32 keys a constituent may use in a merge`,
    );
  }
  return rows.shift(i * SLICE);
}

/** Every row of `index`'s constituents, which look like `template`; see the module header. */
export function mergeConstituents(index: PartitionIndex, template: Table): Table {
  const segments = new Map<string, UnionSegment[]>();
  const columns = new Map<string, ColumnSource>();
  for (const [name, type] of Object.entries(template.columns)) {
    const segs: UnionSegment[] = [];
    segments.set(name, segs);
    columns.set(name, new UnionColumnSource(type, segs));
  }
  const t = template.attributes;
  const attrs: TableAttributes = {
    refreshing: t.refreshing,
    blink: t.blink,
    appendOnly: false,
    addOnly: !t.blink && (t.addOnly || t.appendOnly),
  };
  const result = new Table(columns, RowSet.EMPTY, attrs, template.graph, "merge");
  const node = new PartitionedMergeNode(result, index, segments);
  nodeOf(result).setRowSet(node.catchUp());
  if (t.refreshing) nodeOf(result).attach(node);
  return result;
}
