/**
 * group kernel (`agg.group`, `groupBy`): the values of a group's rows in row-key order, as one
 * array cell of type `T[]` (a null value is a null element). Output cells are immutable: a
 * changed group gets a new frozen array, so whoever read the previous one (previous values
 * during a cycle, a consumer that kept a row) still holds what it read.
 *
 * - addOnly (static, add-only and append-only parents): rows only arrive. The kernel collects
 *   each group's new elements during the cycle and, at flush, makes the group's new array from
 *   its current one plus those: O(group size) per changed group, without re-reading the
 *   parent's older rows (which may have been evicted to storage). Over static and append-only
 *   parents rows arrive in key order, so new elements go at the end. Over other add-only parents
 *   (a merge) a row may land before the group's rows, so the kernel also keeps each group's row
 *   keys and merges by key.
 * - removals: a changed group's array is rebuilt from its sorted row keys (group-rows.ts) and
 *   the parent's current values: O(group size) per changed group.
 * - blink: never built (groupBy and agg.group need the whole history and refuse blink parents).
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import type { Span } from "../spans.ts";
import type { ArrayValue, RawValue, ScalarType, ScalarValue } from "../types.ts";
import { EMPTY_ARRAY, rawToValue } from "../types.ts";
import type { GroupRows } from "./group-rows.ts";
import type { AggKernel, AggMode } from "./kernel.ts";
import { KernelBase, keyAt } from "./kernel.ts";
import { grow, sameRaw } from "./slot-arrays.ts";

/** Elements that arrived for one group this cycle (`keys` only over unordered parents). */
interface Pending {
  values: ScalarValue[];
  keys: number[] | null;
}

/** The API-form element of `vec[i]` (null for a null value). */
function elementAt(type: ScalarType, vec: Vec, i: number): ScalarValue {
  if (vec.valid !== null && vec.valid[i] === 0) return null;
  return rawToValue(type, vec.data[i] as RawValue) as ScalarValue;
}

/** Whether two arrays hold the same elements (NaN equals NaN, bigints by value). */
function sameElements(a: ArrayValue, b: ArrayValue): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameRaw(a[i], b[i])) return false;
  return true;
}

/** The current array of `slot` in `column` (empty if never written). */
function cellOf(column: PagedColumn, slot: number): ArrayValue {
  const v = column.getRaw(slot);
  return v === null ? EMPTY_ARRAY : (v as ArrayValue);
}

class AppendGroupKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #type: ScalarType;
  /** Null over static and append-only parents (rows arrive in key order). */
  readonly #keys: (number[] | undefined)[] | null;
  #pending: (Pending | undefined)[] = [];

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    type: ScalarType,
    ordered: boolean,
  ) {
    super(output, column, input);
    this.#type = type;
    this.#keys = ordered ? null : [];
  }

  ensureCapacity(): void {}

  add(slots: Int32Array, n: number, vec: Vec | null, span: Span): void {
    const type = this.#type;
    const pending = this.#pending;
    const keyed = this.#keys !== null;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      let p = pending[s];
      if (p === undefined) {
        p = { values: [], keys: keyed ? [] : null };
        pending[s] = p;
      }
      p.values.push(elementAt(type, vec!, i));
      p.keys?.push(keyAt(span, i));
    }
  }

  remove(): void {
    throw new Error("agg.group: an add-only parent removed rows");
  }

  flush(slot: number, fresh: boolean): boolean {
    const p = this.#pending[slot];
    if (p === undefined) {
      if (fresh) this.column.setRaw(slot, cellOf(this.column, slot));
      return fresh;
    }
    this.#pending[slot] = undefined;
    const old = fresh ? EMPTY_ARRAY : cellOf(this.column, slot);
    const next = p.keys === null ? old.concat(p.values) : this.#merge(slot, old, p);
    this.column.setRaw(slot, Object.freeze(next));
    return true;
  }

  /** `old` (rows with keys `#keys[slot]`) and the pending rows, in key order. */
  #merge(slot: number, old: ArrayValue, p: Pending): ScalarValue[] {
    const keys = this.#keys!;
    const oldKeys = keys[slot] ?? [];
    const newKeys = p.keys!;
    const order = newKeys.map((_, i) => i);
    order.sort((a, b) => newKeys[a]! - newKeys[b]!);
    const n = old.length + order.length;
    const values = new Array<ScalarValue>(n);
    const merged = new Array<number>(n);
    let i = 0;
    let j = 0;
    for (let o = 0; o < n; o++) {
      if (j >= order.length || (i < old.length && oldKeys[i]! < newKeys[order[j]!]!)) {
        values[o] = old[i]!;
        merged[o] = oldKeys[i++]!;
      } else {
        values[o] = p.values[order[j]!]!;
        merged[o] = newKeys[order[j++]!]!;
      }
    }
    keys[slot] = merged;
    return values;
  }
}

class RebuildGroupKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #src: ColumnSource;
  readonly #rows: GroupRows;
  #dirty = new Uint8Array(16);

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    src: ColumnSource,
    rows: GroupRows,
  ) {
    super(output, column, input);
    this.#src = src;
    this.#rows = rows;
  }

  ensureCapacity(n: number): void {
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) this.#dirty[slots[i]!] = 1;
  }

  remove(slots: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) this.#dirty[slots[i]!] = 1;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    const src = this.#src;
    const values = new Array<ScalarValue>(this.#rows.size(slot));
    let at = 0;
    this.#rows.forEachKey(slot, (k) => {
      values[at++] = src.get(k) as ScalarValue;
    });
    if (!fresh && sameElements(cellOf(this.column, slot), values)) return false;
    this.column.setRaw(slot, Object.freeze(values));
    return true;
  }
}

/**
 * A group kernel of input column `input` (element type `type`, parent column `src`) into the
 * array column `column`. `ordered`: rows arrive in key order (static and append-only parents).
 */
export function groupKernel(
  output: string,
  column: PagedColumn,
  input: string,
  type: ScalarType,
  src: ColumnSource,
  mode: AggMode,
  ordered: boolean,
  rows: () => GroupRows,
): AggKernel {
  if (mode === "blink") throw new Error("agg.group cannot aggregate a blink table");
  if (mode === "removals") return new RebuildGroupKernel(output, column, input, src, rows());
  return new AppendGroupKernel(output, column, input, type, ordered);
}
