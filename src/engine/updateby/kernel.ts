/**
 * The contract of an updateBy kernel: one op over one input column, computing an output per row
 * from per-group state held in typed arrays indexed by group slot. `run` takes rows in their
 * group order (rows of different groups interleaved), so the same kernel serves a blink or
 * append-only parent (state carried across cycles) and the recomputation of a group (`reset`
 * its slot, then run its rows).
 */
import type { ColumnType } from "../types.ts";
import type { Out, Stamps, Values } from "./values.ts";

export interface Kernel {
  /** The output column's type. */
  readonly outType: ColumnType;
  /** Whether `run` needs raw storage values (`Values.raw`). */
  readonly raw: boolean;
  /** Room for slots `[0, n)`. */
  ensure(n: number): void;
  /** Forgets the state of `slot` (its group is recomputed from its first row). */
  reset(slot: number): void;
  /** Computes rows `[0, n)`: row `i` of group `slots[i]`, input `x`, stamps `ts`; writes `out[i]`. */
  run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void;
  /** The state of `slot` as a JSON-safe value (persistence of blink parents; state-codec.ts). */
  save(slot: number): unknown;
  /** Sets the state of `slot` (made by `ensure`) from `save`'s value. */
  restore(slot: number, data: unknown): void;
}

/** The failure of a time op over stamps that go back in time within a group. */
export function stampOrderMessage(op: string, tsCol: string): string {
  return `updateBy ${op}: timestamps of "${tsCol}" must not decrease within a group (rows are taken in table order)`;
}
