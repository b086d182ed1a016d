/**
 * DenseRedirection: result keys 0..n-1 redirected to the parent keys in one typed array (4 bytes
 * a row while every parent key is below 2^32, else 8). A static sort keys its rows this way, and
 * so does a sort of a blink table, whose rows are all replaced every cycle: `replace` installs the
 * new cycle's order and keeps the old one for previous-value reads until the cycle ends.
 */
import type { ChunkKeys, CycleParticipant, CycleTracker } from "./column-source.ts";
import { NULL_KEY } from "./column-source.ts";
import type { Redirection } from "./redirected-column-source.ts";

type Keys = Uint32Array | Float64Array;

/** Parent keys in the smallest array that holds them. */
export function compactKeys(keys: Float64Array, n: number): Keys {
  let max = 0;
  for (let i = 0; i < n; i++) if (keys[i]! > max) max = keys[i]!;
  if (max >= 2 ** 32) return keys.slice(0, n);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = keys[i]!;
  return out;
}

export class DenseRedirection implements Redirection, CycleParticipant {
  #cur: Keys;
  #prev: Keys | null = null;
  #out = new Float64Array(0);
  readonly #tracker: CycleTracker | null;

  /** `parents[i]`: the parent key of result key i. */
  constructor(parents: Keys, tracker: CycleTracker | null = null) {
    this.#cur = parents;
    this.#tracker = tracker;
  }

  get size(): number {
    return this.#cur.length;
  }

  get heapBytes(): number {
    return this.#cur.byteLength + (this.#prev?.byteLength ?? 0) + this.#out.byteLength;
  }

  /** Installs a new order (keys 0..parents.length-1); the old one answers `prev` reads this cycle. */
  replace(parents: Keys): void {
    if (this.#prev === null) {
      this.#prev = this.#cur;
      this.#tracker?.markDirty(this);
    }
    this.#cur = parents;
  }

  endCycle(): void {
    this.#prev = null;
  }

  get(key: number, prev = false): number {
    const a = prev && this.#prev !== null ? this.#prev : this.#cur;
    return key >= 0 && key < a.length ? a[key]! : NULL_KEY;
  }

  parentKeys(rows: ChunkKeys, prev = false): Float64Array {
    const a = prev && this.#prev !== null ? this.#prev : this.#cur;
    const n = rows.length;
    if (this.#out.length < n) this.#out = new Float64Array(Math.max(n, 2 * this.#out.length));
    const out = this.#out;
    const len = a.length;
    if (rows.isRun) {
      const s = rows.start;
      if (s >= 0 && s + n <= len) {
        for (let i = 0; i < n; i++) out[i] = a[s + i]!;
        return out;
      }
      for (let i = 0; i < n; i++) {
        const k = s + i;
        out[i] = k >= 0 && k < len ? a[k]! : NULL_KEY;
      }
      return out;
    }
    const keys = rows.keys;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      out[i] = k >= 0 && k < len ? a[k]! : NULL_KEY;
    }
    return out;
  }
}
