/**
 * StringSlots: string -> slot, an open-addressing hash table (linear probing, power-of-two
 * capacity, at most half full) for the joins' single string match column, with its own hash of
 * the UTF-16 code units (FNV-1a). A JS Map degrades on many keys that share a prefix and differ
 * in a few digits (`SYM000000`..`SYM099999`: several hundred ns a lookup at 100,000 keys).
 */

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 16);
}

export class StringSlots {
  #keys: string[] = new Array<string>(64).fill("");
  #slots = new Int32Array(64).fill(-1);
  #mask = 63;
  #count = 0;

  /** The slot of `x`, or -1. */
  get(x: string): number {
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
  set(x: string, slot: number): void {
    if (2 * (this.#count + 1) > this.#slots.length) this.#grow();
    this.#insert(x, slot);
    this.#count++;
  }

  #insert(x: string, slot: number): void {
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
    this.#keys = new Array<string>(n).fill("");
    this.#slots = new Int32Array(n).fill(-1);
    this.#mask = n - 1;
    for (let i = 0; i < slots.length; i++) if (slots[i]! >= 0) this.#insert(keys[i]!, slots[i]!);
  }
}
