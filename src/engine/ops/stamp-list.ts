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
 * Storage is a list of sorted blocks (at most BLOCK entries each; a block starts small and
 * doubles), so an insert or removal costs two binary searches and a shift inside one block:
 * O(log n + BLOCK) however long the list. A block is one Float64Array of (a, b, row key) triples,
 * interleaved so a probe of an entry reads one cache line and a block is one allocation (string
 * stamps sit in a parallel array; their a and b are unused). Numbers are stored multiplied by
 * `dir` (so the stored order is always ascending and comparisons are plain `<`), row keys too.
 * Probes at or past the last entry (stamps arriving in order) are answered without searching.
 */

const BLOCK = 512;
const FIRST_CAPACITY = 8;
/** Numbers per entry in a block: a, b, row key. */
const W = 3;

class Block {
  /** Entry i: stamp words at W * i and W * i + 1, row key at W * i + 2. */
  d: Float64Array;
  s: string[] | null;
  n = 0;
  constructor(capacity: number, strings: boolean) {
    this.d = new Float64Array(W * capacity);
    this.s = strings ? [] : null;
  }
  get capacity(): number {
    return this.d.length / W;
  }
  /** Row key (stored) of entry i. */
  key(i: number): number {
    return this.d[W * i + 2]!;
  }
  grow(capacity: number): void {
    const d = new Float64Array(W * capacity);
    d.set(this.d.subarray(0, W * this.n));
    this.d = d;
  }
}

/** Key bounds of a search probe (stored, i.e. already times dir): before / after every key. */
const BEFORE_ALL = Number.NEGATIVE_INFINITY;
const AFTER_ALL = Number.POSITIVE_INFINITY;

/**
 * A position in a StampList for a scan whose probes only move forward (the re-matching of one
 * cycle's changes, in stamp order): each seek starts where the last one stopped, so a run of
 * nearby probes costs a few steps each instead of a search.
 */
export class StampCursor {
  bi = 0;
  off = 0;
  fresh = true;
}

export class StampList {
  readonly #strings: boolean;
  readonly #dir: 1 | -1;
  #blocks: Block[] = [];
  #size = 0;
  /** An emptied block kept by `clear` (a blink table's rows come and go every cycle). */
  #spare: Block | null = null;
  // Position found by #upper: block index and offset.
  #bi = 0;
  #off = 0;
  /** Whether `floorAndNext` found a following entry. */
  hasNext = false;
  /** The stamp `higher` / `floorAndNext` found. */
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

  /** Sign of stamp (a1, b1, s1) - (a2, b2, s2) in list order. */
  compareStamps(a1: number, b1: number, s1: string, a2: number, b2: number, s2: string): number {
    let c: number;
    if (this.#strings) c = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
    else c = a1 < a2 ? -1 : a1 > a2 ? 1 : b1 < b2 ? -1 : b1 > b2 ? 1 : 0;
    return c * this.#dir;
  }

  /** Whether entry i of blk is <= the probe (stored a, b, kd; or string s) in list order. */
  #atOrBefore(blk: Block, i: number, a: number, b: number, s: string, kd: number): boolean {
    if (this.#strings) {
      const es = blk.s![i]!;
      if (es !== s) return this.#dir === 1 ? es < s : es > s;
    } else {
      const d = blk.d;
      const ea = d[W * i]!;
      if (ea !== a) return ea < a;
      const eb = d[W * i + 1]!;
      if (eb !== b) return eb < b;
    }
    return blk.d[W * i + 2]! <= kd;
  }

  /**
   * Sets #bi/#off to the first entry greater than the probe (a, b stored; kd stored key bound);
   * (blocks, 0) if none.
   */
  #upper(a: number, b: number, s: string, kd: number): void {
    const bs = this.#blocks;
    const nb = bs.length;
    if (nb === 0) {
      this.#bi = 0;
      this.#off = 0;
      return;
    }
    const last = bs[nb - 1]!;
    if (this.#atOrBefore(last, last.n - 1, a, b, s, kd)) {
      this.#bi = nb;
      this.#off = 0;
      return;
    }
    let lo = nb - 1;
    let l = 0;
    let h = last.n - 1;
    if (this.#atOrBefore(last, 0, a, b, s, kd)) {
      // Inside the last block (a probe near the newest stamps): gallop back from its end.
      let step = 1;
      for (;;) {
        const p = h - step;
        if (p <= 0) break;
        if (this.#atOrBefore(last, p, a, b, s, kd)) {
          l = p + 1;
          break;
        }
        h = p;
        step *= 2;
      }
      if (l === 0) l = 1;
    } else {
      lo = 0;
      let hi = nb - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const blk = bs[mid]!;
        if (this.#atOrBefore(blk, blk.n - 1, a, b, s, kd)) lo = mid + 1;
        else hi = mid;
      }
      h = bs[lo]!.n - 1;
    }
    const blk = bs[lo]!;
    if (this.#strings) {
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (this.#atOrBefore(blk, mid, a, b, s, kd)) l = mid + 1;
        else h = mid;
      }
    } else {
      const D = blk.d;
      while (l < h) {
        const mid = (l + h) >>> 1;
        const ea = D[W * mid]!;
        const eb = D[W * mid + 1]!;
        if (ea < a || (ea === a && (eb < b || (eb === b && D[W * mid + 2]! <= kd)))) l = mid + 1;
        else h = mid;
      }
    }
    this.#bi = lo;
    this.#off = l;
  }

  /** Moves `cur` to the first entry greater than the probe (stored values), from where it is. */
  #seek(cur: StampCursor, a: number, b: number, s: string, kd: number): void {
    const bs = this.#blocks;
    if (cur.fresh || cur.bi < bs.length) {
      let bi = cur.bi;
      let off = cur.off;
      let far = cur.fresh;
      while (!far && bi < bs.length) {
        const blk = bs[bi]!;
        if (!this.#atOrBefore(blk, blk.n - 1, a, b, s, kd)) break;
        bi++;
        off = 0;
        if (bi - cur.bi > 2) far = true;
      }
      cur.fresh = false;
      if (far) {
        this.#upper(a, b, s, kd);
        cur.bi = this.#bi;
        cur.off = this.#off;
        return;
      }
      if (bi < bs.length) {
        const blk = bs[bi]!;
        let l = off;
        let h = blk.n - 1;
        // A few steps first: the next probe is usually just past the last one.
        let step = 0;
        while (step < 4 && l < h && this.#atOrBefore(blk, l, a, b, s, kd)) {
          l++;
          step++;
        }
        if (step < 4) h = l;
        while (l < h) {
          const mid = (l + h) >>> 1;
          if (this.#atOrBefore(blk, mid, a, b, s, kd)) l = mid + 1;
          else h = mid;
        }
        off = l;
      }
      cur.bi = bi;
      cur.off = off;
    }
  }

  /**
   * `floorKey` through a cursor (the list must not change between the calls sharing it): a
   * probe at or after the previous one moves the cursor forward a few steps, as a stream of
   * left rows in stamp order does; an earlier probe searches afresh.
   */
  floorKeyAt(cur: StampCursor, a: number, b: number, s: string, strict: boolean): number {
    const d = this.#dir;
    const sa = a * d;
    const sb = b * d;
    const kd = strict ? BEFORE_ALL : AFTER_ALL;
    const bs = this.#blocks;
    if (!cur.fresh && (cur.bi > 0 || cur.off > 0)) {
      // The entry before the cursor must still be at or before the probe.
      const blk = cur.off > 0 ? bs[cur.bi]! : bs[cur.bi - 1]!;
      const i = cur.off > 0 ? cur.off - 1 : blk.n - 1;
      if (!this.#atOrBefore(blk, i, sa, sb, s, kd)) cur.fresh = true;
    }
    this.#seek(cur, sa, sb, s, kd);
    if (cur.off > 0) return bs[cur.bi]!.key(cur.off - 1) * d;
    if (cur.bi === 0) return -1;
    const prev = bs[cur.bi - 1]!;
    return prev.key(prev.n - 1) * d;
  }

  /**
   * Seeks `cur` past the probe's stamp and returns the row key of the last entry at or before
   * it (-1 if none); `higher` is then whether an entry follows, its stamp in nextA/nextB/nextS.
   */
  floorAndNext(cur: StampCursor, a: number, b: number, s: string): number {
    const d = this.#dir;
    this.#seek(cur, a * d, b * d, s, AFTER_ALL);
    const bs = this.#blocks;
    const blk = bs[cur.bi];
    this.hasNext = blk !== undefined;
    if (blk !== undefined) {
      if (blk.s) this.nextS = blk.s[cur.off]!;
      else {
        this.nextA = blk.d[W * cur.off]! * d;
        this.nextB = blk.d[W * cur.off + 1]! * d;
      }
    }
    if (cur.off > 0) return blk!.key(cur.off - 1) * d;
    if (cur.bi === 0) return -1;
    const prev = bs[cur.bi - 1]!;
    return prev.key(prev.n - 1) * d;
  }

  /**
   * As forEachBetween, starting from `cur` (which the scan leaves at the first entry it did not
   * visit).
   */
  scan(
    cur: StampCursor,
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
    const d = this.#dir;
    this.#seek(cur, loA * d, loB * d, loS, loIncl ? BEFORE_ALL : AFTER_ALL);
    const bs = this.#blocks;
    const ha = hiA * d;
    const hb = hiB * d;
    const hiKd = hiIncl ? AFTER_ALL : BEFORE_ALL;
    let bi = cur.bi;
    let off = cur.off;
    for (; bi < bs.length; bi++, off = 0) {
      const blk = bs[bi]!;
      for (; off < blk.n; off++) {
        if (hasHi && !this.#atOrBefore(blk, off, ha, hb, hiS, hiKd)) {
          cur.bi = bi;
          cur.off = off;
          return;
        }
        fn(blk.key(off) * d);
      }
    }
    cur.bi = bs.length;
    cur.off = 0;
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
    const d = this.#dir;
    const sa = a * d;
    const sb = b * d;
    const kd = key * d;
    const bs = this.#blocks;
    this.#size++;
    if (bs.length === 0) {
      const blk = this.#spare ?? new Block(FIRST_CAPACITY, this.#strings);
      this.#spare = null;
      blk.n = 0;
      if (blk.s) blk.s.length = 0;
      bs.push(blk);
      this.#put(blk, 0, sa, sb, s, kd);
      return;
    }
    this.#upper(sa, sb, s, kd);
    let blk: Block;
    let at: number;
    if (this.#bi === bs.length) {
      this.#bi = bs.length - 1;
      blk = bs[this.#bi]!;
      at = blk.n;
    } else {
      blk = bs[this.#bi]!;
      at = this.#off;
    }
    if (blk.n === BLOCK && at === BLOCK && this.#bi === bs.length - 1) {
      // Appending past a full last block (stamps arriving in order): start a new block, so
      // blocks stay full.
      blk = new Block(BLOCK, this.#strings);
      bs.push(blk);
      at = 0;
    } else if (blk.n === BLOCK) {
      // Split the full block in two halves, then insert into the half that holds `at`.
      const half = BLOCK >>> 1;
      const right = new Block(BLOCK, this.#strings);
      right.n = BLOCK - half;
      right.d.set(blk.d.subarray(W * half, W * BLOCK));
      if (blk.s) right.s = blk.s.splice(half, BLOCK - half);
      blk.n = half;
      bs.splice(this.#bi + 1, 0, right);
      if (at > half) {
        blk = right;
        at -= half;
      }
    }
    this.#put(blk, at, sa, sb, s, kd);
  }

  #put(blk: Block, at: number, a: number, b: number, s: string, kd: number): void {
    if (blk.n === blk.capacity) blk.grow(Math.min(BLOCK, blk.capacity * 2));
    const n = blk.n;
    const d = blk.d;
    if (at < n) d.copyWithin(W * (at + 1), W * at, W * n);
    d[W * at] = a;
    d[W * at + 1] = b;
    d[W * at + 2] = kd;
    if (blk.s) blk.s.splice(at, 0, s);
    blk.n = n + 1;
  }

  /** Removes the entry (stamp, key); false if it is not there. */
  remove(a: number, b: number, s: string, key: number): boolean {
    const d = this.#dir;
    const sa = a * d;
    const sb = b * d;
    const kd = key * d;
    this.#upper(sa, sb, s, kd);
    if (!this.#back()) return false;
    const blk = this.#blocks[this.#bi]!;
    const at = this.#off;
    const e = blk.d;
    if (e[W * at + 2] !== kd) return false;
    if (blk.s ? blk.s[at] !== s : e[W * at] !== sa || e[W * at + 1] !== sb) return false;
    const n = blk.n;
    if (at < n - 1) e.copyWithin(W * at, W * (at + 1), W * n);
    if (blk.s) blk.s.splice(at, 1);
    blk.n = n - 1;
    if (blk.n === 0) this.#blocks.splice(this.#bi, 1);
    this.#size--;
    return true;
  }

  /** Whether every entry's stamp is before the stamp (a, b, s) in list order (true if empty). */
  endsBefore(a: number, b: number, s: string): boolean {
    const bs = this.#blocks;
    if (bs.length === 0) return true;
    const blk = bs[bs.length - 1]!;
    const i = blk.n - 1;
    if (blk.s) {
      const es = blk.s[i]!;
      return this.#dir === 1 ? es < s : es > s;
    }
    const d = this.#dir;
    const ea = blk.d[W * i]!;
    const sa = a * d;
    return ea < sa || (ea === sa && blk.d[W * i + 1]! < b * d);
  }

  /** Removes every entry (the first block is kept for the next inserts). */
  clear(): void {
    if (this.#blocks.length > 0) this.#spare = this.#blocks[0]!;
    this.#blocks = [];
    this.#size = 0;
  }

  /**
   * Row key of the last entry whose stamp is <= the probe (< with `strict`), in list order; -1
   * if none. For aj that is the greatest stamp at or before the probe, the last row among ties.
   */
  floorKey(a: number, b: number, s: string, strict: boolean): number {
    const d = this.#dir;
    this.#upper(a * d, b * d, s, strict ? BEFORE_ALL : AFTER_ALL);
    if (!this.#back()) return -1;
    return this.#blocks[this.#bi]!.key(this.#off) * d;
  }

  /** Finds the first stamp greater than the probe into nextA/nextB/nextS; false if none. */
  higher(a: number, b: number, s: string): boolean {
    const d = this.#dir;
    this.#upper(a * d, b * d, s, AFTER_ALL);
    const blk = this.#blocks[this.#bi];
    if (blk === undefined) return false;
    if (blk.s) this.nextS = blk.s[this.#off]!;
    else {
      this.nextA = blk.d[W * this.#off]! * d;
      this.nextB = blk.d[W * this.#off + 1]! * d;
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
    const d = this.#dir;
    this.#upper(loA * d, loB * d, loS, loIncl ? BEFORE_ALL : AFTER_ALL);
    const bs = this.#blocks;
    const ha = hiA * d;
    const hb = hiB * d;
    const hiKd = hiIncl ? AFTER_ALL : BEFORE_ALL;
    let off = this.#off;
    for (let bi = this.#bi; bi < bs.length; bi++, off = 0) {
      const blk = bs[bi]!;
      for (let i = off; i < blk.n; i++) {
        if (hasHi && !this.#atOrBefore(blk, i, ha, hb, hiS, hiKd)) return;
        fn(blk.key(i) * d);
      }
    }
  }

  /** Every entry's row key, in order (tests). */
  keys(): number[] {
    const out: number[] = [];
    for (const blk of this.#blocks)
      for (let i = 0; i < blk.n; i++) out.push(blk.key(i) * this.#dir);
    return out;
  }
}
