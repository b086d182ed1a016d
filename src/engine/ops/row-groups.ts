/**
 * RowGroups: which group (key tuple) each row of a table belongs to, as a dense group number
 * handed out in order of first appearance (null keys are a group like any other value). Behind
 * this small interface so the key hashing can be swapped (today the aggregations' GroupIndex).
 */

import { GroupIndex } from "../agg/group-index.ts";
import { keyAt } from "../agg/kernel.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { noteStringKeys } from "../keys/string-key-hints.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { Table } from "../table-core.ts";
import { chunksFor, readSpan } from "./eval.ts";

export class RowGroups {
  readonly #index: GroupIndex;
  readonly #names: readonly string[];
  readonly #cols: readonly ColumnSource[];
  readonly #chunks;
  readonly #slots = new Int32Array(PAGE_SIZE);

  /** Groups of `table`'s rows by the columns `keys` (checked by the caller). */
  constructor(table: Table, keys: readonly string[]) {
    this.#names = keys;
    this.#cols = keys.map((k) => table.column(k));
    noteStringKeys(table.columns, keys);
    this.#index = new GroupIndex(
      this.#cols.map((c) => c.type),
      [],
    );
    this.#chunks = chunksFor(this.#cols);
  }

  /** Calls `fn(rowKey, group)` for each of `rows`, in key order, by current or previous values. */
  forEach(rows: RowSet, prev: boolean, fn: (key: number, group: number) => void): void {
    this.#forEach(this.#cols, rows, prev, fn);
  }

  /** As `forEach`, over the same-named key columns of another table (a copy of the rows). */
  forEachOf(other: Table, rows: RowSet, fn: (key: number, group: number) => void): void {
    this.#forEach(
      this.#names.map((k) => other.column(k)),
      rows,
      false,
      fn,
    );
  }

  #forEach(
    cols: readonly ColumnSource[],
    rows: RowSet,
    prev: boolean,
    fn: (key: number, group: number) => void,
  ): void {
    const slots = this.#slots;
    forEachSpan(rows, (span) => {
      const vecs = readSpan(cols, span, prev, this.#chunks);
      this.#index.assign(vecs, span.length, slots, true);
      for (let i = 0; i < span.length; i++) fn(keyAt(span, i), slots[i]!);
    });
  }
}
