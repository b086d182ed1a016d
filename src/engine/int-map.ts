/**
 * A map from non-negative safe integers (page numbers) to values that allocates nothing once it
 * has grown to its largest size. A `Map` whose keys come and go every cycle (a blink table's page
 * released and made again, the pages kept as previous values for one cycle) allocates in steady
 * state: V8's `Map.prototype.clear` makes a new table, and deleted entries leave holes that a
 * later `set` pays for with a rehash into a new table. Every such allocation lands in fresh
 * young-generation memory, which on a VM costs page faults (BENCHMARKS.md, issue 14, stop 24).
 *
 * Layout: the entries are dense (`#keys`, `#vals`, in no particular order); an open-addressing
 * table of `#slots` (linear probing, at most half full) holds each entry's index + 1 (0: empty).
 * `delete` shifts the entries of its probe run back over the hole (no tombstones) and moves the
 * last dense entry into the freed place.
 */
export class IntMap<V> {
  #slots = new Int32Array(8);
  #shift = 29;
  #keys = new Float64Array(4);
  #vals: (V | undefined)[] = [];
  #size = 0;
  /** The key `get` looked up last and its answer (NaN: none), for reads that stay on one page. */
  #lastKey = Number.NaN;
  #lastVal: V | undefined = undefined;

  get size(): number {
    return this.#size;
  }

  /** The slot a key's probe starts at (Fibonacci hashing of its low and high 32-bit words). */
  #home(k: number): number {
    const x = k <= 0x7fffffff ? k : (k | 0) ^ Math.imul((k / 4294967296) | 0, 0x85ebca6b);
    return Math.imul(x, 0x9e3779b1) >>> this.#shift;
  }

  /** The slot holding key `k`, or -1. */
  #find(k: number): number {
    const slots = this.#slots;
    const keys = this.#keys;
    const mask = slots.length - 1;
    for (let i = this.#home(k); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === 0) return -1;
      if (keys[s - 1] === k) return i;
    }
  }

  get(k: number): V | undefined {
    if (k === this.#lastKey) return this.#lastVal;
    const i = this.#find(k);
    const v = i < 0 ? undefined : this.#vals[this.#slots[i]! - 1];
    this.#lastKey = k;
    this.#lastVal = v;
    return v;
  }

  has(k: number): boolean {
    return this.#find(k) >= 0;
  }

  set(k: number, v: V): this {
    if (k === this.#lastKey) this.#lastVal = v;
    const i = this.#find(k);
    if (i >= 0) {
      this.#vals[this.#slots[i]! - 1] = v;
      return this;
    }
    if (2 * (this.#size + 1) > this.#slots.length) this.#grow();
    const d = this.#size++;
    if (d === this.#keys.length) {
      const keys = new Float64Array(2 * d);
      keys.set(this.#keys);
      this.#keys = keys;
    }
    this.#keys[d] = k;
    this.#vals[d] = v;
    this.#place(k, d);
    return this;
  }

  /** Points the first empty slot of `k`'s probe run at dense entry `d`. */
  #place(k: number, d: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let i = this.#home(k);
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = d + 1;
  }

  #grow(): void {
    this.#slots = new Int32Array(2 * this.#slots.length);
    this.#shift--;
    for (let d = 0; d < this.#size; d++) this.#place(this.#keys[d]!, d);
  }

  delete(k: number): boolean {
    if (k === this.#lastKey) this.#lastVal = undefined;
    let i = this.#find(k);
    if (i < 0) return false;
    const slots = this.#slots;
    const keys = this.#keys;
    const mask = slots.length - 1;
    const d = slots[i]! - 1;
    // Backward shift: an entry after the hole in its run moves into it unless its probe starts
    // cyclically after the hole (then it would no longer be found from its start).
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const h = this.#home(keys[slots[j]! - 1]!);
      if (i <= j ? h > i && h <= j : h > i || h <= j) continue;
      slots[i] = slots[j]!;
      i = j;
    }
    slots[i] = 0;
    const last = --this.#size;
    if (d !== last) {
      // The last dense entry fills the freed place; its slot is repointed.
      const lk = keys[last]!;
      keys[d] = lk;
      this.#vals[d] = this.#vals[last];
      slots[this.#find(lk)] = d + 1;
    }
    this.#vals[last] = undefined;
    return true;
  }

  clear(): void {
    this.#lastVal = undefined;
    if (this.#size === 0) return;
    this.#slots.fill(0);
    this.#vals.fill(undefined, 0, this.#size);
    this.#size = 0;
  }

  /**
   * Calls `fn` for every entry. `fn` may delete the key it is given (the entry moved into its
   * place was visited already), and no other; entries it adds are not visited.
   */
  forEach(fn: (v: V, k: number) => void): void {
    for (let d = this.#size - 1; d >= 0; d--) fn(this.#vals[d]!, this.#keys[d]!);
  }

  /** The keys, in no particular order (a new array). */
  keys(): number[] {
    return Array.from(this.#keys.subarray(0, this.#size));
  }
}
