/**
 * StampList: (stamp, row key) entries kept in order, for the as-of joins (one list of right rows
 * and one of left rows per exact-key group). Entries are ordered by stamp, then by row key; with
 * `dir = -1` both orders are reversed, which turns `raj` ("the least right stamp >= mine, the
 * first row among ties") into `aj`'s form ("the greatest stamp <= mine, the last row among ties"),
 * so the join is written once.
 *
 * A stamp is encoded by stamp-codec.ts as two numbers `(a, b)` compared in that order (an int64's
 * high and low words; a float's value, with NaN as `(+Infinity, 1)` above +Infinity) or, for
 * string columns, as the string itself (compared by UTF-16 code units, as `<` does).
 *
 * Storage is a list of sorted blocks of typed arrays (at most BLOCK entries each; a block starts
 * small and doubles), so an insert or removal costs two binary searches and a shift inside one
 * block: O(log n + BLOCK) however long the list. Appending past the last entry (stamps arriving
 * in order) skips the searches.
 */

const BLOCK = 512;
const FIRST_CAPACITY = 8;

class Block {
  a: Float64Array;
  b: Float64Array;
  s: string[] | null;
  k: Float64Array;
  n = 0;
  constructor(capacity: number, strings: boolean) {
    this.a = new Float64Array(strings ? 0 : capacity);
    this.b = new Float64Array(strings ? 0 : capacity);
    this.s = strings ? [] : null;
    this.k = new Float64Array(capacity);
  }
  get capacity(): number {
    return this.k.length;
  }
  grow(capacity: number): void {
    const k = new Float64Array(capacity);
    k.set(this.k.subarray(0, this.n));
    this.k = k;
    if (this.s === null) {
      const a = new Float64Array(capacity);
      const b = new Float64Array(capacity);
      a.set(this.a.subarray(0, this.n));
      b.set(this.b.subarray(0, this.n));
      this.a = a;
      this.b = b;
    }
  }
}

/** Key bounds of a search probe: before / after every entry with the probe's stamp. */
const BEFORE_ALL = Number.NEGATIVE_INFINITY;
const AFTER_ALL = Number.POSITIVE_INFINITY;

export class StampList {
  readonly #strings: boolean;
  readonly #dir: 1 | -1;
  #blocks: Block[] = [];
  #size = 0;
  // Position found by #upper: block index and offset.
  #bi = 0;
  #off = 0;
  /** The stamp `higher` found. */
  nextA = 0;
  nextB = 0;
  nextS = "";

  /** `strings`: the stamps are strings; `dir`: 1 ascending, -1 descending (raj). */
  constructor(strings: boolean, dir: 1 | -1) {
    this.#strings = strings;
    this.#dir = dir;
  }

  get size(): number {
    return this.#size;
  }

  /** Sign of (entry i of blk) - (stamp, kd) in list order; kd is a key already times dir. */
  #cmp(blk: Block, i: number, a: number, b: number, s: string, kd: number): number {
    let c: number;
    if (this.#strings) {
      const es = blk.s![i]!;
      c = es < s ? -1 : es > s ? 1 : 0;
    } else {
      const ea = blk.a[i]!;
      c = ea < a ? -1 : ea > a ? 1 : 0;
      if (c === 0) {
        const eb = blk.b[i]!;
        c = eb < b ? -1 : eb > b ? 1 : 0;
      }
    }
    if (c !== 0) return c * this.#dir;
    const ek = blk.k[i]! * this.#dir;
    return ek < kd ? -1 : ek > kd ? 1 : 0;
  }

  /** Sign of stamp (a1, b1, s1) - (a2, b2, s2) in list order. */
  compareStamps(a1: number, b1: number, s1: string, a2: number, b2: number, s2: string): number {
    let c: number;
    if (this.#strings) c = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
    else c = a1 < a2 ? -1 : a1 > a2 ? 1 : b1 < b2 ? -1 : b1 > b2 ? 1 : 0;
    return c * this.#dir;
  }

  /** Sets #bi/#off to the first entry greater than (stamp, kd); (blocks, 0) if none. */
  #upper(a: number, b: number, s: string, kd: number): void {
    const bs = this.#blocks;
    let lo = 0;
    let hi = bs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = bs[mid]!;
      if (this.#cmp(blk, blk.n - 1, a, b, s, kd) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === bs.length) {
      this.#bi = bs.length;
      this.#off = 0;
      return;
    }
    const blk = bs[lo]!;
    let l = 0;
    let h = blk.n - 1;
    while (l < h) {
      const mid = (l + h) >>> 1;
      if (this.#cmp(blk, mid, a, b, s, kd) <= 0) l = mid + 1;
      else h = mid;
    }
    this.#bi = lo;
    this.#off = l;
  }

  /** Moves #bi/#off one entry back; false at the start. */
  #back(): boolean {
    if (this.#off > 0) {
      this.#off--;
      return true;
    }
    if (this.#bi <= 0) return false;
    this.#bi--;
    this.#off = this.#blocks[this.#bi]!.n - 1;
    return true;
  }

  insert(a: number, b: number, s: string, key: number): void {
    const bs = this.#blocks;
    const kd = key * this.#dir;
    this.#size++;
    if (bs.length === 0) {
      const blk = new Block(FIRST_CAPACITY, this.#strings);
      bs.push(blk);
      this.#put(blk, 0, a, b, s, key);
      return;
    }
    const last = bs[bs.length - 1]!;
    let blk: Block;
    let at: number;
    if (this.#cmp(last, last.n - 1, a, b, s, kd) < 0) this.#bi = bs.length;
    else this.#upper(a, b, s, kd);
    if (this.#bi === bs.length) {
      this.#bi = bs.length - 1;
      blk = last;
      at = last.n;
    } else {
      blk = bs[this.#bi]!;
      at = this.#off;
    }
    if (blk.n === BLOCK) {
      // Split the full block in two halves, then insert into the half that holds `at`.
      const half = BLOCK >>> 1;
      const right = new Block(BLOCK, this.#strings);
      right.n = BLOCK - half;
      right.k.set(blk.k.subarray(half, BLOCK));
      if (blk.s) right.s = blk.s.splice(half, BLOCK - half);
      else {
        right.a.set(blk.a.subarray(half, BLOCK));
        right.b.set(blk.b.subarray(half, BLOCK));
      }
      blk.n = half;
      bs.splice(this.#bi + 1, 0, right);
      if (at > half) {
        blk = right;
        at -= half;
      }
    }
    this.#put(blk, at, a, b, s, key);
  }

  #put(blk: Block, at: number, a: number, b: number, s: string, key: number): void {
    if (blk.n === blk.capacity) blk.grow(Math.min(BLOCK, blk.capacity * 2));
    const n = blk.n;
    if (at < n) blk.k.copyWithin(at + 1, at, n);
    blk.k[at] = key;
    if (blk.s) blk.s.splice(at, 0, s);
    else {
      if (at < n) {
        blk.a.copyWithin(at + 1, at, n);
        blk.b.copyWithin(at + 1, at, n);
      }
      blk.a[at] = a;
      blk.b[at] = b;
    }
    blk.n = n + 1;
  }

  /** Removes the entry (stamp, key); false if it is not there. */
  remove(a: number, b: number, s: string, key: number): boolean {
    this.#upper(a, b, s, key * this.#dir);
    if (!this.#back()) return false;
    const blk = this.#blocks[this.#bi]!;
    const at = this.#off;
    if (blk.k[at] !== key || this.#cmp(blk, at, a, b, s, key * this.#dir) !== 0) return false;
    const n = blk.n;
    blk.k.copyWithin(at, at + 1, n);
    if (blk.s) blk.s.splice(at, 1);
    else {
      blk.a.copyWithin(at, at + 1, n);
      blk.b.copyWithin(at, at + 1, n);
    }
    blk.n = n - 1;
    if (blk.n === 0) this.#blocks.splice(this.#bi, 1);
    this.#size--;
    return true;
  }

  /**
   * Row key of the last entry whose stamp is <= the probe (< with `strict`), in list order; -1
   * if none. For aj that is the greatest stamp at or before the probe, the last row among ties.
   */
  floorKey(a: number, b: number, s: string, strict: boolean): number {
    this.#upper(a, b, s, strict ? BEFORE_ALL : AFTER_ALL);
    if (!this.#back()) return -1;
    return this.#blocks[this.#bi]!.k[this.#off]!;
  }

  /** Finds the first stamp greater than the probe into nextA/nextB/nextS; false if none. */
  higher(a: number, b: number, s: string): boolean {
    this.#upper(a, b, s, AFTER_ALL);
    const blk = this.#blocks[this.#bi];
    if (blk === undefined || this.#off >= blk.n) return false;
    if (blk.s) this.nextS = blk.s[this.#off]!;
    else {
      this.nextA = blk.a[this.#off]!;
      this.nextB = blk.b[this.#off]!;
    }
    return true;
  }

  /**
   * Calls `fn(key)` for every entry whose stamp lies after the low bound (at or after it with
   * `loIncl`) and, when `hasHi`, before the high bound (at or before it with `hiIncl`), in order.
   */
  forEachBetween(
    loA: number,
    loB: number,
    loS: string,
    loIncl: boolean,
    hasHi: boolean,
    hiA: number,
    hiB: number,
    hiS: string,
    hiIncl: boolean,
    fn: (key: number) => void,
  ): void {
    this.#upper(loA, loB, loS, loIncl ? BEFORE_ALL : AFTER_ALL);
    const bs = this.#blocks;
    const hiKd = hiIncl ? AFTER_ALL : BEFORE_ALL;
    let off = this.#off;
    for (let bi = this.#bi; bi < bs.length; bi++, off = 0) {
      const blk = bs[bi]!;
      for (let i = off; i < blk.n; i++) {
        if (hasHi && this.#cmp(blk, i, hiA, hiB, hiS, hiKd) > 0) return;
        fn(blk.k[i]!);
      }
    }
  }

  /** Every entry's row key, in order (tests). */
  keys(): number[] {
    const out: number[] = [];
    for (const blk of this.#blocks) for (let i = 0; i < blk.n; i++) out.push(blk.k[i]!);
    return out;
  }
}
