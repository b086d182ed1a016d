/**
 * A table family's append-only views as Table Data Service tables (the `/v1/data` endpoints,
 * docs/table-data-service.md): what a view is (its columns, size and the cycle it was read at)
 * and one column's rows by position as Arrow IPC. A view qualifies only while it is append-only
 * (a `blinkToAppendOnly` view, a writer source, a time table that is not blink): rows are only
 * added at the end, so a row's position never changes and a size says everything.
 *
 * Runtime-agnostic, over FamilyHost; table-family.ts exposes these as RPC methods.
 */
import { writeIPC } from "../engine/arrow.ts";
import type { Schema, Table } from "../engine/index.ts";
import { readRows } from "../engine/ops/copy.ts";
import { HostError } from "./errors.ts";
import type { FamilyHost } from "./host.ts";

/** Rows one column read returns at most. */
export const MAX_HISTORY_ROWS = 1_000_000;

export interface HistoryInfo {
  /** The view's columns. */
  columns: Schema;
  /** Rows in the view now. */
  size: number;
  /** The family's cycle when `size` was read. */
  cycle: number;
  /** True when the view (or the family) has failed; its rows stay readable. */
  failed: boolean;
}

export interface HistoryColumn {
  /** Arrow IPC stream of one field: rows `[offset, offset + rows)` of the column. */
  bytes: Uint8Array;
  rows: number;
}

function appendOnlyView(host: FamilyHost, view: string): Table {
  const t = host.view(view); // 404 unknown_view
  if (!t.isAppendOnly) {
    throw new HostError(
      409,
      "not_append_only",
      `view "${view}" is a ${t.kind} table, not append-only; /v1/data serves append-only views (blinkToAppendOnly, a writer source, a time table)`,
    );
  }
  return t;
}

/** Columns, size and cycle of an append-only view (409 `not_append_only` for any other view). */
export function historyInfo(host: FamilyHost, view: string): HistoryInfo {
  const t = appendOnlyView(host, view);
  return { columns: t.columns, size: t.size, cycle: host.cycle, failed: t.isFailed };
}

/**
 * Rows `[offset, offset + n)` of one column of an append-only view, `n = min(maxRows, size -
 * offset)`, which must be at least `minRows` (else 400 `bad_range`).
 */
export function historyColumn(
  host: FamilyHost,
  view: string,
  column: string,
  offset: number,
  minRows: number,
  maxRows: number,
): HistoryColumn {
  const t = appendOnlyView(host, view);
  const type = t.columns[column];
  if (type === undefined) {
    throw new HostError(
      404,
      "unknown_column",
      `view "${view}" has no column "${column}"; columns are [${t.columnNames.join(", ")}]`,
    );
  }
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (
    !ok(offset) ||
    !ok(minRows) ||
    !ok(maxRows) ||
    minRows > maxRows ||
    maxRows > MAX_HISTORY_ROWS
  ) {
    throw new HostError(
      400,
      "bad_range",
      `offset=${offset}, minRows=${minRows}, maxRows=${maxRows}: expected integers with 0 <= minRows <= maxRows <= ${MAX_HISTORY_ROWS}`,
    );
  }
  if (offset + minRows > t.size) {
    throw new HostError(
      400,
      "bad_range",
      `view "${view}" has ${t.size} rows; rows [${offset}, ${offset + minRows}) do not exist`,
    );
  }
  const n = Math.max(0, Math.min(maxRows, t.size - offset));
  const keys = t.rowSet.subSetByPosition(offset, offset + n);
  const vecs = readRows([t.column(column)], keys);
  const bytes = writeIPC({ [column]: type }, vecs, 0, n);
  return { bytes, rows: n };
}
