/**
 * NumberSlots: number -> slot, an open-addressing hash table in typed arrays (linear probing,
 * power-of-two capacity, at most half full) for the joins' single numeric match column. A JS Map
 * of 100,000 numbers costs a few cache misses a lookup; this costs about one. -0 is stored as 0
 * and NaN in its own field, so NaN matches NaN and -0 matches 0, as the Map did.
 */

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

function hash(x: number): number {
  f64[0] = x;
  const h = Math.imul(i32[0]! ^ Math.imul(i32[1]!, 0x27d4eb2d), 0x9e3779b1);
  return h ^ (h >>> 15);
}

export class NumberSlots {
  #keys = new Float64Array(64);
  #slots = new Int32Array(64).fill(-1);
  #mask = 63;
  #count = 0;
  #nan = -1;

  /** The slot of `x`, or -1. */
  get(x: number): number {
    if (x !== x) return this.#nan;
    if (x === 0) x = 0;
    const keys = this.#keys;
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hash(x) & mask;
    for (;;) {
      const s = slots[i]!;
      if (s < 0 || keys[i] === x) return s;
      i = (i + 1) & mask;
    }
  }

  /** Records `x -> slot` (`x` must be absent). */
  set(x: number, slot: number): void {
    if (x !== x) {
      this.#nan = slot;
      return;
    }
    if (x === 0) x = 0;
    if (2 * (this.#count + 1) > this.#slots.length) this.#grow();
    this.#insert(x, slot);
    this.#count++;
  }

  #insert(x: number, slot: number): void {
    const mask = this.#mask;
    let i = hash(x) & mask;
    while (this.#slots[i]! >= 0) i = (i + 1) & mask;
    this.#keys[i] = x;
    this.#slots[i] = slot;
  }

  #grow(): void {
    const keys = this.#keys;
    const slots = this.#slots;
    const n = slots.length * 2;
    this.#keys = new Float64Array(n);
    this.#slots = new Int32Array(n).fill(-1);
    this.#mask = n - 1;
    for (let i = 0; i < slots.length; i++) if (slots[i]! >= 0) this.#insert(keys[i]!, slots[i]!);
  }
}
