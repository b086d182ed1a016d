/**
 * WindowRedirection: the redirection of a small result over sparse keys (a head or tail over a
 * sort, ops/top-n.ts): one map result key -> parent key, replaced whole each cycle the window
 * changes. The map of the cycle before answers previous-value reads until the cycle ends. Meant
 * for windows of a few thousand rows at most (a map entry a row, a copy a changed cycle).
 */
import type { ChunkKeys, CycleParticipant, CycleTracker } from "./column-source.ts";
import { NULL_KEY } from "./column-source.ts";
import type { Redirection } from "./redirected-column-source.ts";

/** Approximate heap bytes of one map entry. */
const ENTRY_BYTES = 40;

export class WindowRedirection implements Redirection, CycleParticipant {
  #cur = new Map<number, number>();
  #prev: Map<number, number> | null = null;
  #out = new Float64Array(0);
  readonly #tracker: CycleTracker;

  constructor(tracker: CycleTracker) {
    this.#tracker = tracker;
  }

  get heapBytes(): number {
    return (this.#cur.size + (this.#prev?.size ?? 0)) * ENTRY_BYTES + this.#out.byteLength;
  }

  /** Installs the first map (before any cycle: no previous one). */
  init(map: Map<number, number>): void {
    this.#cur = map;
  }

  /** Installs the window's new map; the one it replaces answers `prev` reads this cycle. */
  replace(next: Map<number, number>): void {
    if (this.#prev === null) {
      this.#prev = this.#cur;
      this.#tracker.markDirty(this);
    }
    this.#cur = next;
  }

  endCycle(): void {
    this.#prev = null;
  }

  get(key: number, prev = false): number {
    const m = prev && this.#prev !== null ? this.#prev : this.#cur;
    return m.get(key) ?? NULL_KEY;
  }

  parentKeys(rows: ChunkKeys, prev = false): Float64Array {
    const m = prev && this.#prev !== null ? this.#prev : this.#cur;
    const n = rows.length;
    if (this.#out.length < n) this.#out = new Float64Array(Math.max(n, 2 * this.#out.length));
    const out = this.#out;
    for (let i = 0; i < n; i++)
      out[i] = m.get(rows.isRun ? rows.start + i : rows.keys[i]!) ?? NULL_KEY;
    return out;
  }
}
