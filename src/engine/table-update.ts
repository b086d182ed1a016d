/**
 * TableUpdate: what one table changed in one cycle, as row-key sets (Deephaven's update model
 * without shifts). Apply `removed` to the previous keys, then `added`; `modified` keys exist
 * both before and after and name the changed columns in `modifiedColumns`.
 */
import { RowSet } from "./row-set.ts";

export interface TableUpdate {
  readonly added: RowSet;
  readonly removed: RowSet;
  readonly modified: RowSet;
  readonly modifiedColumns: string[];
}

/** The `modifiedColumns` of an update without modified rows (shared: consumers never change it). */
const NO_COLUMNS: string[] = [];

export function makeUpdate(
  added: RowSet,
  removed: RowSet = RowSet.EMPTY,
  modified: RowSet = RowSet.EMPTY,
  modifiedColumns: string[] = NO_COLUMNS,
): TableUpdate {
  return {
    added,
    removed,
    modified,
    modifiedColumns: modified.isEmpty ? NO_COLUMNS : modifiedColumns,
  };
}

export function isEmptyUpdate(u: TableUpdate): boolean {
  return u.added.isEmpty && u.removed.isEmpty && u.modified.isEmpty;
}
