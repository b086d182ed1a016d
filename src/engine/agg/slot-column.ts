/**
 * SlotColumn: an aggregation's output column held as per-group values that its kernel writes at
 * flush (row key = group slot), instead of a PagedColumn the kernel copies its results into.
 * The kernels whose output is a number or an int64 use it (count, sum, absSum, avg, var, std, and
 * running min/max of number-backed columns); the others keep a PagedColumn.
 *
 * The value a kernel last wrote is what it compares the next one with (no read back), and what the
 * table reads. Each slot is never written (reads null), null, a number (`number` values; an int64
 * column's safe integers, read back as bigints) or, for int64, a bigint.
 *
 * Previous values: once the column belongs to a refreshing table, every write over a value in a
 * cycle appends the value it replaces to a log, in write order (appends: with 100,000 groups the
 * writes land all over the slots, and a second set of per-slot arrays would cost each one more
 * cache misses). The first previous read of the cycle indexes the log into per-slot arrays (the
 * oldest entry of a slot wins) stamped with the cycle; a previous read of a stamped slot answers
 * from there, any other from the current value. The update graph ends the cycle (`endCycle`),
 * which empties the log: previous reads answer as current ones again. A slot written for the
 * first time logs nothing (its previous value is its current one, as for a PagedColumn page
 * made in the cycle).
 */
import type {
  Chunk,
  ChunkKeys,
  ColumnSource,
  CycleParticipant,
  CycleTracker,
  Vec,
} from "../column-source.ts";
import { filledChunk } from "../column-source.ts";
import type { ColumnType, RawValue, Value } from "../types.ts";
import { checkNumberType, isBigType, isNumeric, rawToValue } from "../types.ts";
import { LITTLE_ENDIAN, TWO_32 } from "../words.ts";
import { grow } from "./slot-arrays.ts";

const NONE = 0;
const NULL = 1;
const NUMBER = 2;
const BIG = 3;

/** A slot's value (state, number, bigint) as `getNumber` gives it. */
function numberOf(st: number, x: number, b: bigint | undefined): number | null {
  if (st === NUMBER) return x;
  if (st === BIG) return Number(b!);
  return null;
}

export class SlotColumn implements ColumnSource, CycleParticipant {
  readonly type: ColumnType;
  /** int64 (or instant): numbers read back as bigints; bigints may be written. */
  readonly #big: boolean;
  /** float32: numbers are stored as the float32 a PagedColumn would store. */
  readonly #f32: boolean;
  #state = new Uint8Array(16);
  #num = new Float64Array(16);
  readonly #bigs: (bigint | undefined)[] = [];
  /** The log of the open cycle: slot, state, number and bigint replaced, in write order. */
  #logSlot = new Int32Array(16);
  #logState = new Uint8Array(16);
  #logNum = new Float64Array(16);
  readonly #logBigs: (bigint | undefined)[] = [];
  #logged = 0;
  /** The log indexed by slot (valid where `#prevStamp[s] === #indexed`). */
  #prevStamp = new Float64Array(0);
  #prevState = new Uint8Array(0);
  #prevNum = new Float64Array(0);
  readonly #prevBigs: (bigint | undefined)[] = [];
  /** The cycle the log is indexed for (-1: not indexed). */
  #indexed = -1;
  #tracker: CycleTracker | null = null;
  /** The cycle whose previous values are kept (-1: none; previous reads are current reads). */
  #open = -1;

  constructor(type: ColumnType) {
    this.type = type;
    this.#big = isBigType(type);
    this.#f32 = type === "float32";
    this.#numeric = isNumeric(type);
  }

  /** Whether `getNumber` reads this column. */
  readonly #numeric: boolean;

  /** Makes room for slots `[0, n)`. */
  ensure(n: number): void {
    if (n <= this.#state.length) return;
    this.#state = grow(this.#state, n);
    this.#num = grow(this.#num, n);
  }

  /**
   * Writes number `v` (an int64 column: a safe integer) or null at `slot` unless the slot holds
   * it already (NaN equals NaN; -0 differs from 0). Returns whether the value changed; `fresh`
   * (a group that just appeared) always writes and reports true.
   */
  write(slot: number, v: number | null, fresh: boolean): boolean {
    const st = v === null ? NULL : NUMBER;
    const x = v === null ? 0 : this.#f32 ? Math.fround(v) : v;
    const state = this.#state;
    if (!fresh && state[slot] === st && (st === NULL || Object.is(this.#num[slot], x))) {
      return false;
    }
    if (this.#tracker !== null && state[slot] !== NONE) this.#keep(slot);
    state[slot] = st;
    this.#num[slot] = x;
    if (this.#bigs[slot] !== undefined) this.#bigs[slot] = undefined;
    return true;
  }

  /**
   * Writes bigint `v` at `slot` of an int64 column (see `write`), wrapped to 64 bits as the
   * column's storage would (a sum past the int64 range wraps, as Java's long does).
   */
  writeBig(slot: number, total: bigint, fresh: boolean): boolean {
    const v = BigInt.asIntN(64, total);
    const st = this.#state[slot];
    if (
      !fresh &&
      ((st === BIG && this.#bigs[slot] === v) || (st === NUMBER && BigInt(this.#num[slot]!) === v))
    ) {
      return false;
    }
    if (this.#tracker !== null && st !== NONE) this.#keep(slot);
    this.#state[slot] = BIG;
    this.#bigs[slot] = v;
    return true;
  }

  /** Logs the slot's value before a write over it (see the module header). */
  #keep(slot: number): void {
    const c = this.#tracker!.cycle;
    if (this.#open !== c) {
      this.#open = c;
      this.#tracker!.markDirty(this);
    }
    const st = this.#state[slot]!;
    if (this.#indexed === c) {
      // Indexed already (a previous read came first): index this write's entry too.
      if (this.#prevStamp[slot] !== c) this.#index(slot, st, this.#num[slot]!, this.#bigs[slot]);
      return;
    }
    const i = this.#logged++;
    if (i === this.#logSlot.length) {
      this.#logSlot = grow(this.#logSlot, i + 1);
      this.#logState = grow(this.#logState, i + 1);
      this.#logNum = grow(this.#logNum, i + 1);
    }
    this.#logSlot[i] = slot;
    this.#logState[i] = st;
    this.#logNum[i] = this.#num[slot]!;
    if (st === BIG) this.#logBigs[i] = this.#bigs[slot];
  }

  #index(slot: number, st: number, x: number, b: bigint | undefined): void {
    this.#prevStamp[slot] = this.#indexed;
    this.#prevState[slot] = st;
    this.#prevNum[slot] = x;
    if (st === BIG || this.#prevBigs[slot] !== undefined) this.#prevBigs[slot] = b;
  }

  /** The cycle whose previous values `#prev*` hold (indexing the log first), or -1: none. */
  #prevCycle(): number {
    const c = this.#open;
    if (c < 0 || this.#indexed === c) return c;
    const n = this.#state.length;
    if (this.#prevStamp.length < n) {
      this.#prevStamp = grow(this.#prevStamp, n, -1);
      this.#prevState = grow(this.#prevState, n);
      this.#prevNum = grow(this.#prevNum, n);
    }
    this.#indexed = c;
    // Newest first, so each slot ends with its oldest entry: its value before the cycle.
    for (let i = this.#logged - 1; i >= 0; i--) {
      this.#index(this.#logSlot[i]!, this.#logState[i]!, this.#logNum[i]!, this.#logBigs[i]);
    }
    this.#clearLog();
    return c;
  }

  #clearLog(): void {
    if (this.#logBigs.length > 0) this.#logBigs.length = 0;
    this.#logged = 0;
  }

  endCycle(): void {
    this.#open = -1;
    this.#indexed = -1;
    this.#clearLog();
  }

  setTracker(tracker: CycleTracker | null): void {
    this.#tracker = tracker;
  }

  get heapBytes(): number {
    return (
      9 * this.#state.length +
      13 * this.#logSlot.length +
      17 * this.#prevStamp.length +
      8 * (this.#bigs.length + this.#logBigs.length + this.#prevBigs.length)
    );
  }

  getRaw(key: number, prev = false): RawValue {
    if (key < 0 || key >= this.#state.length) return null;
    if (prev && this.#open >= 0 && this.#prevCycle() === this.#prevStamp[key]) {
      return this.#raw(this.#prevState[key]!, this.#prevNum[key]!, this.#prevBigs[key]);
    }
    return this.#raw(this.#state[key]!, this.#num[key]!, this.#bigs[key]);
  }

  #raw(st: number, x: number, b: bigint | undefined): RawValue {
    if (st === NUMBER) return this.#big ? BigInt(x) : x;
    if (st === BIG) return b!;
    return null;
  }

  get(key: number, prev = false): Value {
    return rawToValue(this.type, this.getRaw(key, prev));
  }

  getNumber(key: number, prev = false): number | null {
    if (!this.#numeric) checkNumberType(this.type);
    if (key < 0 || key >= this.#state.length) return null;
    if (prev && this.#open >= 0 && this.#prevCycle() === this.#prevStamp[key])
      return numberOf(this.#prevState[key]!, this.#prevNum[key]!, this.#prevBigs[key]);
    return numberOf(this.#state[key]!, this.#num[key]!, this.#bigs[key]);
  }

  getPrev(key: number): Value {
    return this.get(key, true);
  }

  getChunk(rows: ChunkKeys, prev = false, chunk?: Chunk): Vec {
    return filledChunk(this, rows, prev, chunk);
  }

  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev = false): void {
    const n = rows.length;
    const run = rows.isRun;
    const keys = rows.keys;
    const start = rows.start;
    const open = prev ? this.#prevCycle() : -1;
    const cap = this.#state.length;
    const stamp = this.#prevStamp;
    const data = dest.data;
    const words =
      this.#big && LITTLE_ENDIAN
        ? new Int32Array(
            (data as BigInt64Array).buffer,
            (data as BigInt64Array).byteOffset,
            2 * data.length,
          )
        : null;
    const out = data as unknown as { [i: number]: number };
    for (let i = 0; i < n; i++) {
      const k = run ? start + i : keys[i]!;
      const to = at + i;
      let st: number;
      let x: number;
      let b: bigint | undefined;
      if (k < 0 || k >= cap) st = NONE;
      else if (open >= 0 && stamp[k] === open) {
        st = this.#prevState[k]!;
        x = this.#prevNum[k]!;
        b = this.#prevBigs[k];
      } else {
        st = this.#state[k]!;
        x = this.#num[k]!;
        b = this.#bigs[k];
      }
      if (st === NUMBER) {
        if (this.#big && words === null) (data as BigInt64Array)[to] = BigInt(x!);
        else if (words !== null) {
          words[2 * to] = x! >>> 0;
          words[2 * to + 1] = Math.floor(x! / TWO_32);
        } else out[to] = x!;
        dest.setValid(to);
      } else if (st === BIG) {
        (data as BigInt64Array)[to] = b!;
        dest.setValid(to);
      } else {
        if (this.#big) (data as BigInt64Array)[to] = 0n;
        else out[to] = 0;
        dest.setNull(to);
      }
    }
  }
}
