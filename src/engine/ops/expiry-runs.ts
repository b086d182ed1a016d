/**
 * ExpiryRuns: the rows of a time window that are still in it, as runs ordered by when they age
 * out. A run is a range of consecutive row keys, all present, whose non-null timestamps do not
 * decrease; it is known by its next key to check (`cursor`), its last key and the timestamp at
 * the cursor. A binary min-heap over those timestamps says which run ages out first, so a cycle
 * touches only the runs whose first row left the window: cost per cycle is the rows that age
 * out plus a log factor per run, never the window's size.
 *
 * Everything lives in typed arrays (three per run plus the heap), grown by doubling; the slots of
 * finished runs are reused. An append of rows in time order is one run however many rows it has.
 */

const INITIAL = 64;

export class ExpiryRuns {
  #cursor = new Float64Array(INITIAL);
  #last = new Float64Array(INITIAL);
  #stamp = new BigInt64Array(INITIAL);
  /** Heap of run slots, least stamp first. */
  #heap = new Int32Array(INITIAL);
  #size = 0;
  /** Reusable slots, and the number of slots ever handed out. */
  #free = new Int32Array(INITIAL);
  #freeCount = 0;
  #used = 0;

  /** Number of runs. */
  get size(): number {
    return this.#size;
  }

  /** Approximate heap bytes. */
  get heapBytes(): number {
    return this.#cursor.length * (8 + 8 + 8 + 4 + 4);
  }

  /** The timestamp at which the first run's next row was stamped, or null when empty. */
  topStamp(): bigint | null {
    return this.#size === 0 ? null : this.#stamp[this.#heap[0]!]!;
  }
  /** The first run's next key to check (only when not empty). */
  topCursor(): number {
    return this.#cursor[this.#heap[0]!]!;
  }
  /** The first run's last key (only when not empty). */
  topLast(): number {
    return this.#last[this.#heap[0]!]!;
  }

  /** Adds the run of keys `[first, last]` whose first non-null timestamp is `stamp`. */
  push(first: number, last: number, stamp: bigint): void {
    const slot = this.#slot();
    this.#cursor[slot] = first;
    this.#last[slot] = last;
    this.#stamp[slot] = stamp;
    const heap = this.#heap;
    let i = this.#size++;
    heap[i] = slot;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.#stamp[heap[up]!]! <= stamp) break;
      heap[i] = heap[up]!;
      heap[up] = slot;
      i = up;
    }
  }

  /** The first run now starts at `cursor`, stamped `stamp` (not less than before). */
  advanceTop(cursor: number, stamp: bigint): void {
    const slot = this.#heap[0]!;
    this.#cursor[slot] = cursor;
    this.#stamp[slot] = stamp;
    this.#siftDown(0);
  }

  /** Drops the first run (all its rows left the window). */
  popTop(): void {
    const heap = this.#heap;
    const slot = heap[0]!;
    if (this.#freeCount === this.#free.length) this.#free = grown(this.#free);
    this.#free[this.#freeCount++] = slot;
    const n = --this.#size;
    if (n > 0) {
      heap[0] = heap[n]!;
      this.#siftDown(0);
    }
  }

  #siftDown(at: number): void {
    const heap = this.#heap;
    const stamp = this.#stamp;
    const n = this.#size;
    let i = at;
    const slot = heap[i]!;
    const s = stamp[slot]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && stamp[heap[c + 1]!]! < stamp[heap[c]!]!) c++;
      if (stamp[heap[c]!]! >= s) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = slot;
  }

  #slot(): number {
    if (this.#freeCount > 0) return this.#free[--this.#freeCount]!;
    if (this.#used === this.#cursor.length) {
      this.#cursor = grown(this.#cursor);
      this.#last = grown(this.#last);
      this.#stamp = grown(this.#stamp);
      this.#heap = grown(this.#heap);
    }
    return this.#used++;
  }
}

function grown<A extends Float64Array | BigInt64Array | Int32Array>(a: A): A {
  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
  (b as unknown as { set(x: A): void }).set(a);
  return b;
}
