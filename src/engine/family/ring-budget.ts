/**
 * The memory bound of a ring in a table family. A family lives in one Durable Object, whose
 * isolate has 128 MB for everything it holds; a ring keeps all its rows in memory, so its capacity
 * is bounded by what its rows can take of that: `RING_BUDGET_BYTES` (64 MiB, half the isolate,
 * leaving the other half for the copy-on-write pages of a cycle, the family's other views,
 * decoding published batches and serialising snapshots).
 *
 * A row's size is estimated from the column types (the page storage of column.ts): the typed
 * width of fixed-width types, 32 bytes for a string or array cell (a reference plus a short
 * string's heap object), plus one validity byte per column. Long strings take more, so the bound
 * only refuses capacities that can never fit; it does not promise that every allowed ring does.
 */
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table.ts";
import type { ColumnType } from "../types.ts";
import { isArrayType } from "../types.ts";

/** Bytes the rows of one ring may take (estimated; see the module comment). */
export const RING_BUDGET_BYTES = 64 * 1024 * 1024;
/** Estimated bytes of one string or array cell. */
const REFERENCE_CELL_BYTES = 32;

const FIXED_WIDTH: Readonly<Record<string, number>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  char: 2,
  int32: 4,
  float32: 4,
  int64: 8,
  float64: 8,
  instant: 8,
};

/** Estimated bytes of one row of `columns` held in a ring (data plus validity). */
export function ringRowBytes(columns: Readonly<Record<string, ColumnType>>): number {
  let n = 0;
  for (const type of Object.values(columns)) {
    n +=
      1 + (isArrayType(type) ? REFERENCE_CELL_BYTES : (FIXED_WIDTH[type] ?? REFERENCE_CELL_BYTES));
  }
  return Math.max(1, n);
}

/** The largest ring capacity the budget allows for rows of `columns`. */
export function maxRingCapacity(columns: Readonly<Record<string, ColumnType>>): number {
  return Math.floor(RING_BUDGET_BYTES / ringRowBytes(columns));
}

/** Throws an ArgumentError naming the limit when a ring over `parent` cannot fit the budget. */
export function checkRingCapacity(parent: Table, capacity: number): void {
  if (!Number.isInteger(capacity) || capacity <= 0) return; // ringTable names that mistake
  const max = maxRingCapacity(parent.columns);
  if (capacity <= max) return;
  throw new ArgumentError(
    `ringTable: capacity ${capacity} is above the limit of ${max} rows for this table: a ring in a table family may take at most ${RING_BUDGET_BYTES / 1024 / 1024} MiB of its object's 128 MB, and a row of these columns takes about ${ringRowBytes(parent.columns)} bytes`,
  );
}

/**
 * The checks a family applies to a call before the engine runs it, by operation name (only
 * `ringTable` has a budget today); the spec language calls this for every function call.
 */
export function familyBudgetCheck(op: string, args: readonly unknown[]): void {
  if (op === "ringTable") checkRingCapacity(args[0] as Table, args[1] as number);
}
