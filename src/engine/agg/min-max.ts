/**
 * min and max kernels (output type = input type; nulls skipped; no non-null value gives null).
 * NaN sorts above every number, as in Deephaven's ordering: max is NaN once a NaN is present,
 * min is NaN only when every value is NaN.
 *
 * Without removals (blink, add-only and static parents) a running value per group: O(1) per row,
 * read straight from the typed arrays (int64/instant through their 32-bit words, no BigInt per
 * row). With removals a per-group sorted multiset of distinct values with counts, so the extreme
 * stays right when its row leaves; memory grows with the distinct values per group.
 */
import type { Vec } from "../column.ts";
import { PagedColumn } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { LITTLE_ENDIAN, wordsOf } from "../words.ts";
import { GroupValues } from "./group-values.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import { isBig } from "./prim.ts";
import { grow, writeCell } from "./slot-arrays.ts";
import { SlotColumn } from "./slot-column.ts";
import { dec, enc } from "./state-codec.ts";

/** Running min/max of number-backed columns (int8..int32, floats, bool, char). */
class RunningNumberKernel extends KernelBase<SlotColumn> implements AggKernel {
  readonly readsValues = true;
  readonly #max: boolean;
  #val = new Float64Array(16);
  #has = new Uint8Array(16);
  #dirty = new Uint8Array(16);

  constructor(output: string, column: SlotColumn, input: string, max: boolean) {
    super(output, column, input);
    this.#max = max;
  }

  ensureCapacity(n: number): void {
    this.column.ensure(n);
    this.#val = grow(this.#val, n);
    this.#has = grow(this.#has, n);
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number, vec: Vec | null): void {
    const data = vec!.data as ArrayLike<number>;
    const valid = vec!.valid;
    const val = this.#val;
    const has = this.#has;
    const dirty = this.#dirty;
    const max = this.#max;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      const x = data[i]!;
      if (has[s] === 0) {
        val[s] = x;
        has[s] = 1;
        dirty[s] = 1;
        continue;
      }
      const c = val[s]!;
      const better = max ? x > c || (x !== x && c === c) : x < c || (c !== c && x === x);
      if (better) {
        val[s] = x;
        dirty[s] = 1;
      }
    }
  }

  remove(): void {
    throw new Error("running min/max cannot remove rows");
  }

  saveSlot(slot: number): unknown {
    return this.#has[slot] ? enc(this.#val[slot]!) : null;
  }
  restoreSlot(slot: number, state: unknown): boolean {
    const v = dec(state);
    if (v !== null) {
      this.#val[slot] = v as number;
      this.#has[slot] = 1;
    }
    return false;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    return this.column.write(slot, this.#has[slot] ? this.#val[slot]! : null, fresh);
  }
}

/** Running min/max of int64/instant columns, compared word by word. */
class RunningBigKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #max: boolean;
  #val = new BigInt64Array(16);
  #words = wordsOf(this.#val);
  #has = new Uint8Array(16);
  #dirty = new Uint8Array(16);

  constructor(output: string, column: PagedColumn, input: string, max: boolean) {
    super(output, column, input);
    this.#max = max;
  }

  ensureCapacity(n: number): void {
    if (n > this.#val.length) {
      this.#val = grow(this.#val, n);
      this.#words = wordsOf(this.#val);
    }
    this.#has = grow(this.#has, n);
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number, vec: Vec | null): void {
    const data = vec!.data as BigInt64Array;
    const valid = vec!.valid;
    const has = this.#has;
    const dirty = this.#dirty;
    const max = this.#max;
    if (!LITTLE_ENDIAN) {
      const val = this.#val;
      for (let i = 0; i < n; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const s = slots[i]!;
        const x = data[i]!;
        if (has[s] === 0 || (max ? x > val[s]! : x < val[s]!)) {
          val[s] = x;
          has[s] = 1;
          dirty[s] = 1;
        }
      }
      return;
    }
    const w = wordsOf(data);
    const vw = this.#words;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      const hi = w[2 * i + 1]!;
      const lo = w[2 * i]!;
      let better = has[s] === 0;
      if (!better) {
        const chi = vw[2 * s + 1]!;
        const clo = vw[2 * s]!;
        better = max
          ? hi > chi || (hi === chi && lo >>> 0 > clo >>> 0)
          : hi < chi || (hi === chi && lo >>> 0 < clo >>> 0);
      }
      if (better) {
        vw[2 * s] = lo;
        vw[2 * s + 1] = hi;
        has[s] = 1;
        dirty[s] = 1;
      }
    }
  }

  remove(): void {
    throw new Error("running min/max cannot remove rows");
  }

  saveSlot(slot: number): unknown {
    return this.#has[slot] ? enc(this.#val[slot]!) : null;
  }
  restoreSlot(slot: number, state: unknown): boolean {
    const v = dec(state);
    if (v !== null) {
      this.#val[slot] = v as bigint;
      this.#has[slot] = 1;
    }
    return false;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    return writeCell(this.column, slot, this.#has[slot] ? this.#val[slot]! : null, fresh);
  }
}

/** Running min/max of string columns. */
class RunningStringKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #max: boolean;
  readonly #val: (string | undefined)[] = [];
  #dirty = new Uint8Array(16);

  constructor(output: string, column: PagedColumn, input: string, max: boolean) {
    super(output, column, input);
    this.#max = max;
  }

  ensureCapacity(n: number): void {
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number, vec: Vec | null): void {
    const data = vec!.data as string[];
    const valid = vec!.valid;
    const val = this.#val;
    const max = this.#max;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      const x = data[i]!;
      const c = val[s];
      if (c === undefined || (max ? x > c : x < c)) {
        val[s] = x;
        this.#dirty[s] = 1;
      }
    }
  }

  remove(): void {
    throw new Error("running min/max cannot remove rows");
  }

  saveSlot(slot: number): unknown {
    return this.#val[slot] ?? null;
  }
  restoreSlot(slot: number, state: unknown): boolean {
    if (typeof state === "string") this.#val[slot] = state;
    return false;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    return writeCell(this.column, slot, this.#val[slot] ?? null, fresh);
  }
}

/** min/max over a parent with removals. */
class SortedMinMaxKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #max: boolean;
  readonly #values: GroupValues;

  constructor(output: string, column: PagedColumn, input: string, type: ColumnType, max: boolean) {
    super(output, column, input);
    this.#max = max;
    this.#values = new GroupValues(type);
  }

  ensureCapacity(n: number): void {
    this.#values.ensure(n);
  }
  add(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#values.add(slots, n, vec!);
  }
  remove(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#values.remove(slots, n, vec!);
  }
  flush(slot: number, fresh: boolean): boolean {
    const vals = this.#values;
    const set = vals.sets[slot];
    const hasNaN = vals.nan[slot]! > 0;
    let raw: number | bigint | string | null;
    if (this.#max) raw = hasNaN ? Number.NaN : set ? vals.raw(set.max()!) : null;
    else raw = set ? vals.raw(set.min()!) : hasNaN ? Number.NaN : null;
    return writeCell(this.column, slot, raw, fresh);
  }
}

/**
 * A min (`max` false) or max kernel for `type`, running or sorted by `removals`, with its output
 * column (of `type`).
 */
export function minMaxKernel(
  output: string,
  input: string,
  type: ColumnType,
  max: boolean,
  removals: boolean,
): AggKernel {
  if (removals) return new SortedMinMaxKernel(output, new PagedColumn(type), input, type, max);
  if (type === "string") return new RunningStringKernel(output, new PagedColumn(type), input, max);
  if (isBig(type)) return new RunningBigKernel(output, new PagedColumn(type), input, max);
  return new RunningNumberKernel(output, new SlotColumn(type), input, max);
}
