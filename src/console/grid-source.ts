/**
 * What the grid reads rows through: rows by position in the view's order, the view's total size
 * and the range of positions on screen. The grid never touches a table directly: the console shows
 * every view through a server-side viewport (ViewportSource, viewport-source.ts: `setRange` moves
 * the subscription's viewport, and rows outside it are not loaded yet).
 */
import type { ColumnType, Value } from "../engine/index.ts";

export interface GridSource {
  /** Rows in the whole view (after its filters). */
  readonly size: number;
  /** The view's columns in its order. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Row key of position `pos` (shown in the key column and used to match highlights), or null when not loaded. */
  keyAt(pos: number): number | null;
  /** Value of `column` at position `pos`; undefined when that row is not loaded yet. */
  valueAt(pos: number, column: string): Value | undefined;
  /** The grid shows positions `first..last` (inclusive); a viewport source loads them (and a margin). */
  setRange(first: number, last: number): void;
  /** True when the rows are one cycle's only (a blink view). */
  readonly isBlink: boolean;
  /**
   * What the first column shows: the row key (`key`), or the position (`position`) when keys mean
   * nothing to a reader (a sort's keys are sparse numbers spread over the key space).
   */
  readonly keyColumn: "key" | "position";
}
