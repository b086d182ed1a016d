/**
 * KeySlots: where a mirror keeps the rows of remote keys. A remote view's keys may be sparse (a
 * sorted view spreads its keys over [0, 2^53) with gaps, see docs/protocol.md "Order"); paged
 * columns written at those keys would spend a 4096-slot page per row. So the mirror stores rows
 * at dense local slots (reused when rows leave) and maps each remote key to its slot in a
 * SortedRedirection (blocks of ascending keys, 16 bytes a row); the mirror table's columns read
 * the slots through it, keyed by the remote keys, so their ascending order is the remote order.
 *
 * Previous values: a key that leaves is remembered with its slot until the cycle ends, and the
 * slot columns keep their own previous values (copy-on-write), so a removed key reads as it was
 * even when its slot was reused by an added key in the same cycle.
 */
import type { CycleTracker } from "../column-source.ts";
import { NULL_KEY } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import type { KeyBlock } from "../sorted-redirection.ts";
import { blockOf, SortedRedirection } from "../sorted-redirection.ts";

const BLOCK = 1024;
const MAX_BLOCK = 2048;

export class KeySlots {
  readonly redirection: SortedRedirection;
  #free: number[] = [];
  #next = 0;

  constructor(tracker: CycleTracker | null) {
    this.redirection = new SortedRedirection(tracker);
  }

  /** One past the highest slot ever used (the slot columns' extent). */
  get extent(): number {
    return this.#next;
  }

  /** Replaces every key: `keys` get slots 0..n-1 in key order (returned as the first slot, 0). */
  reset(keys: RowSet): void {
    const r = this.redirection;
    for (const blk of r.blocks)
      for (let i = 0; i < blk.n; i++) r.rememberRemoved(blk.keys[i]!, blk.parents[i]!);
    const blocks: KeyBlock[] = [];
    let blk: KeyBlock | null = null;
    let slot = 0;
    keys.forEachRange((s, e) => {
      for (let k = s; k < e; k++) {
        if (blk === null || blk.n === BLOCK) {
          blk = { keys: new Float64Array(BLOCK), parents: new Float64Array(BLOCK), n: 0 };
          blocks.push(blk);
        }
        blk.keys[blk.n] = k;
        blk.parents[blk.n++] = slot++;
      }
    });
    r.setBlocks(blocks.map(trim));
    this.#free = [];
    this.#next = Math.max(this.#next, slot);
  }

  /** Drops `keys` (all present), freeing their slots. */
  remove(keys: RowSet): void {
    if (keys.isEmpty) return;
    const r = this.redirection;
    const blocks = r.blocks;
    const gone = new Map<number, Set<number>>();
    keys.forEachRange((s, e) => {
      for (let k = s; k < e; k++) {
        const b = blockOf(blocks, k);
        const blk = b < 0 ? null : blocks[b]!;
        const i = blk ? indexOf(blk, k) : -1;
        if (!blk || i < 0) throw new RangeError(`mirror: removed key ${k} is not present`);
        r.rememberRemoved(k, blk.parents[i]!);
        this.#free.push(blk.parents[i]!);
        let g = gone.get(b);
        if (!g) gone.set(b, (g = new Set()));
        g.add(i);
      }
    });
    const out: KeyBlock[] = [];
    blocks.forEach((blk, b) => {
      const g = gone.get(b);
      if (!g) {
        out.push(blk);
        return;
      }
      let w = 0;
      const keys2 = new Float64Array(blk.n);
      const parents = new Float64Array(blk.n);
      for (let i = 0; i < blk.n; i++) {
        if (g.has(i)) continue;
        keys2[w] = blk.keys[i]!;
        parents[w++] = blk.parents[i]!;
      }
      if (w > 0) out.push(trim({ keys: keys2, parents, n: w }));
    });
    r.setBlocks(out);
  }

  /** Adds `keys` (none present); returns their slots in key order. */
  add(keys: RowSet): Float64Array {
    const n = keys.size;
    const slots = new Float64Array(n);
    if (n === 0) return slots;
    const add = new Float64Array(n);
    let w = 0;
    keys.forEachRange((s, e) => {
      for (let k = s; k < e; k++) {
        add[w] = k;
        slots[w++] = this.#free.length > 0 ? this.#free.pop()! : this.#next++;
      }
    });
    const blocks = [...this.redirection.blocks];
    const out: KeyBlock[] = [];
    let j = 0;
    for (let b = 0; b < blocks.length; b++) {
      const blk = blocks[b]!;
      // Keys before the next block's first key go into this block (keys before block 0's first
      // key too).
      const limit = b + 1 < blocks.length ? blocks[b + 1]!.keys[0]! : Number.POSITIVE_INFINITY;
      let e = j;
      while (e < n && add[e]! < limit) e++;
      if (e === j) {
        out.push(blk);
        continue;
      }
      const m = blk.n + (e - j);
      const merged: KeyBlock = { keys: new Float64Array(m), parents: new Float64Array(m), n: m };
      let i = 0;
      let x = 0;
      for (let t = 0; t < m; t++) {
        if (x < e - j && (i >= blk.n || add[j + x]! < blk.keys[i]!)) {
          merged.keys[t] = add[j + x]!;
          merged.parents[t] = slots[j + x]!;
          x++;
        } else {
          merged.keys[t] = blk.keys[i]!;
          merged.parents[t] = blk.parents[i]!;
          i++;
        }
      }
      j = e;
      for (const piece of split(merged)) out.push(piece);
    }
    if (j < n) {
      const rest: KeyBlock = { keys: add.slice(j), parents: slots.slice(j), n: n - j };
      for (const piece of split(rest)) out.push(piece);
    }
    this.redirection.setBlocks(out);
    return slots;
  }

  /** The slots of `keys` (all present), in key order. */
  slotsOf(keys: RowSet): Float64Array {
    const out = new Float64Array(keys.size);
    let w = 0;
    keys.forEachRange((s, e) => {
      for (let k = s; k < e; k++) {
        const slot = this.redirection.get(k);
        if (slot === NULL_KEY) throw new RangeError(`mirror: modified key ${k} is not present`);
        out[w++] = slot;
      }
    });
    return out;
  }
}

function indexOf(blk: KeyBlock, key: number): number {
  let lo = 0;
  let hi = blk.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = blk.keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function trim(blk: KeyBlock): KeyBlock {
  if (blk.keys.length === blk.n) return blk;
  return { keys: blk.keys.slice(0, blk.n), parents: blk.parents.slice(0, blk.n), n: blk.n };
}

function split(blk: KeyBlock): KeyBlock[] {
  if (blk.n <= MAX_BLOCK) return [blk];
  const out: KeyBlock[] = [];
  for (let s = 0; s < blk.n; s += BLOCK) {
    const e = Math.min(blk.n, s + BLOCK);
    out.push({ keys: blk.keys.slice(s, e), parents: blk.parents.slice(s, e), n: e - s });
  }
  return out;
}
