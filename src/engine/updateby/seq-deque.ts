/**
 * SeqDeque: a growable circular double-ended queue of numbers (row sequence numbers), the
 * monotonic deque of a rolling min or max (rolling.ts): values are pushed at the back, popped
 * from the back while they lose to a new value, and from the front as rows leave the window, so
 * each row enters and leaves once (O(1) amortized per row).
 */
export class SeqDeque {
  #a = new Float64Array(8);
  #head = 0;
  size = 0;

  #at(k: number): number {
    const j = this.#head + k;
    return j >= this.#a.length ? j - this.#a.length : j;
  }

  front(): number {
    return this.#a[this.#head]!;
  }

  back(): number {
    return this.#a[this.#at(this.size - 1)]!;
  }

  push(v: number): void {
    if (this.size === this.#a.length) {
      const b = new Float64Array(this.#a.length * 2);
      for (let k = 0; k < this.size; k++) b[k] = this.#a[this.#at(k)]!;
      this.#a = b;
      this.#head = 0;
    }
    this.#a[this.#at(this.size)] = v;
    this.size++;
  }

  popBack(): void {
    this.size--;
  }

  popFront(): void {
    this.#head = this.#at(1);
    this.size--;
  }

  clear(): void {
    this.#head = 0;
    this.size = 0;
  }
}
