/**
 * AggKernel: the per-aggregation half of an aggregation (one per output column). The operator
 * (aggregation-operator.ts) maps each span of rows to group slots and hands every kernel the
 * slots plus that span's input vector; the kernel updates its per-slot state in a typed-array
 * loop. At the end of the cycle it calls `flush` once for each group that rows touched.
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import type { Span } from "../spans.ts";
import type { GroupRows } from "./group-rows.ts";

/**
 * How the parent changes, which decides the state a kernel keeps:
 * - `blink`: only additions count (removals ignored, the result covers every row ever seen);
 *   rows arrive in (cycle, key) order;
 * - `addOnly`: only additions, at any key (static, add-only and append-only parents);
 * - `removals`: rows may be removed or modified; the state must be able to subtract them.
 */
export type AggMode = "blink" | "addOnly" | "removals";

export interface AggKernel {
  /** Output column name and storage (row key = slot): a SlotColumn or a PagedColumn. */
  readonly output: string;
  readonly column: ColumnSource;
  /** Input column name; modified rows are reprocessed when it changes. Null for count. */
  readonly input: string | null;
  /** Whether add/remove read the input values (false: slots and row keys suffice). */
  readonly readsValues: boolean;
  /** Makes room for slots [0, n). */
  ensureCapacity(n: number): void;
  /** Adds rows `[0, n)` of a span: `slots[i]` is row i's group, `vec` its input values. */
  add(slots: Int32Array, n: number, vec: Vec | null, span: Span): void;
  /** Subtracts rows (previous values); only called in `removals` mode. */
  remove(slots: Int32Array, n: number, vec: Vec | null, span: Span): void;
  /**
   * Writes the group's output at row key `slot`; returns whether it changed. `fresh`: the group
   * just (re)appeared, so write unconditionally.
   */
  flush(slot: number, fresh: boolean): boolean;
  /**
   * Optional, for kernels that read their outputs' values from elsewhere (first/last): `flush`
   * for the groups `slots[0..n)` at once, so their reads and writes go in chunks. `fresh[i]`:
   * group i just (re)appeared; sets `changed[i] = 1` where a group that was there before changed
   * (leaves the others as they are) and returns whether any did.
   */
  flushMany?(slots: Int32Array, fresh: Uint8Array, n: number, changed: Uint8Array): boolean;
  /**
   * Persistence (blink mode only, where the parent keeps no history): the slot's state as a
   * JSON-able value (see state-codec.ts for numbers and bigints), and its restoration. Returns
   * true if restoring wrote the output itself (otherwise the operator flushes the slot).
   */
  saveSlot?(slot: number): unknown;
  /**
   * True when a group's state grows with its distinct values (median, countDistinct): saving it
   * after every change costs more than re-aggregating a history once on restart.
   */
  readonly stateGrows?: boolean;
  restoreSlot?(slot: number, state: unknown): boolean;
}

/** What a kernel factory gets besides its column names and types. */
export interface KernelEnv {
  readonly mode: AggMode;
  /**
   * Rows per group (slot), counted for a span before the kernels see its values (an integer
   * sum's non-null values are these less its nulls: int-accumulator.ts).
   */
  readonly counts: Float64Array;
  /** Rows arrive in increasing key order across cycles (static and append-only parents). */
  readonly ordered: boolean;
  /** The parent's column of that name (first/last read values from it at flush time). */
  parentColumn(name: string): ColumnSource;
  /** Per-group sorted row keys (made on first request; `removals` mode only). */
  groupRows(): GroupRows;
}

/** Row key of position `i` of a span. */
export function keyAt(span: Span, i: number): number {
  return span.isRun ? span.start + i : span.keys[i]!;
}

/** Names and storage shared by every kernel; subclasses add state and the four methods. */
export abstract class KernelBase<C extends ColumnSource = PagedColumn> {
  readonly output: string;
  readonly column: C;
  readonly input: string | null;
  abstract readonly readsValues: boolean;

  constructor(output: string, column: C, input: string | null) {
    this.output = output;
    this.column = column;
    this.input = input;
  }
}
