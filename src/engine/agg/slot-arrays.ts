/**
 * Per-slot state helpers: growable typed arrays indexed by group slot, and the compare-and-write
 * of one output cell that every kernel's `flush` ends with.
 */
import type { PagedColumn } from "../column.ts";
import type { RawValue } from "../types.ts";

type Growable = Float64Array | Int32Array | Uint8Array | BigInt64Array;

/** `a` if it holds `n` slots, else a copy at least twice as large (new slots set to `fill`). */
export function grow<T extends Growable>(a: T, n: number, fill = 0): T {
  if (n <= a.length) return a;
  const Ctor = a.constructor as new (len: number) => T;
  const b = new Ctor(Math.max(n, a.length * 2, 16));
  b.set(a as never);
  if (fill !== 0) (b as unknown as { fill(v: number, s: number): void }).fill(fill, a.length);
  return b;
}

/**
 * Equality of two storage values (NaN equals NaN; -0 differs from 0, so an output that turns
 * from one to the other is rewritten; bigints by value; array cells by identity).
 */
export function sameRaw(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

/**
 * Writes `raw` at `slot` of `col` unless it already holds it. Returns whether the cell changed;
 * `fresh` (a group that just appeared) always writes and reports true.
 */
export function writeCell(col: PagedColumn, slot: number, raw: RawValue, fresh: boolean): boolean {
  if (!fresh && sameRaw(col.getRaw(slot), raw)) return false;
  col.setRaw(slot, raw);
  return true;
}
