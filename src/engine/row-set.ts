/**
 * RowSet: an immutable, sorted set of row keys. Row keys are non-negative integers below 2^53.
 *
 * Two containers behind one API:
 * - Ranges (the usual one): disjoint half-open ranges `[start, end)`. Set algebra runs in time
 *   proportional to the number of ranges, not keys, so a million-row append costs one range.
 * - Sparse keys: chunks of ascending, distinct keys (Float64Arrays shared with their owner, never
 *   modified once in a RowSet), for key spaces where nearly every key is its own range: a
 *   refreshing sort's keys (ops/sort-state.ts), which are spread over 2^53 with gaps. Its owner
 *   hands over its blocks' key arrays each cycle (`fromKeyChunks`, O(chunks)), so the snapshot of
 *   a cycle costs neither a copy of the keys nor 16 bytes a key of ranges; lookups by key or
 *   position are two binary searches, iteration walks the chunks, and a slice by position shares
 *   the chunks' buffers. Set algebra with a set of few ranges touches only the chunks it changes;
 *   anything else reads the keys as ranges once (built on first use and kept).
 */

/**
 * Flattened ranges: a JS array while small, a Float64Array from BIG_RANGES numbers on. V8 puts an
 * array past 128 KB (16,384 numbers) in its large object space, where filling one cost 5-6 ns a
 * number against 1 for a typed array (a table of 60,000 scattered groups is 23,000 ranges); a
 * typed array costs 30 ns to make against 8 for a two-number array, which a one-row cycle's
 * dozens of small sets would pay.
 */
type Ranges = number[] | Float64Array;
const BIG_RANGES = 4096;
const EMPTY_RANGES: number[] = [];
let emptySet: RowSet | null = null;

export class RowSet {
  /** Flattened ranges: [s0, e0, s1, e1, ...], sorted, disjoint, non-adjacent, end exclusive. */
  #r: Ranges | null;
  /** Sparse container: chunks of ascending distinct keys (null for a range set). */
  readonly #k: readonly Float64Array[] | null;
  /** Sparse container: keys before each chunk (length chunks + 1). */
  readonly #kc: Float64Array | null;
  readonly size: number;
  #cum: Float64Array | null = null; // cumulative sizes before each range, for positional lookup

  private constructor(
    ranges: Ranges | null,
    size: number,
    chunks: readonly Float64Array[] | null = null,
    counts: Float64Array | null = null,
  ) {
    this.#r = ranges;
    this.size = size;
    this.#k = chunks;
    this.#kc = counts;
  }

  // A getter, not a static field: tsc aliases the class (`_a`) once a private method names it,
  // and a static field initialiser then runs before that alias is set (the built package broke).
  static get EMPTY(): RowSet {
    if (emptySet === null) emptySet = new RowSet(EMPTY_RANGES, 0);
    return emptySet;
  }

  /** Keys `[start, end)`. */
  static range(start: number, end: number): RowSet {
    return end <= start ? RowSet.EMPTY : new RowSet([start, end], end - start);
  }

  /** Keys `[0, n)`. */
  static flat(n: number): RowSet {
    return RowSet.range(0, n);
  }

  /** From keys in any order (duplicates allowed). */
  static of(...keys: number[]): RowSet {
    return RowSet.fromKeys(keys);
  }

  /**
   * From keys in any order (duplicates allowed). Keys already ascending are taken as they come;
   * keys spread over a span of at most 256 per key (a cycle's touched slots, a table's changed
   * rows) are set in a bitmap over their span and read back as ranges, in time linear in the keys
   * and the span's words; keys spread wider are sorted (by radix, see `radixSorted`, when many
   * enough: V8 sorts a typed array at tens of nanoseconds a key).
   */
  static fromKeys(keys: ArrayLike<number>): RowSet {
    const n = keys.length;
    if (n === 0) return RowSet.EMPTY;
    let ascending = 1;
    while (ascending < n && keys[ascending]! > keys[ascending - 1]!) ascending++;
    if (ascending === n) return RowSet.fromRanges(rangesOfSorted(keys, n));
    let lo = keys[0]!;
    let hi = lo;
    for (let i = 1; i < n; i++) {
      const k = keys[i]!;
      if (k < lo) lo = k;
      else if (k > hi) hi = k;
    }
    if (hi - lo < DENSE_SPAN * n && hi - lo < DENSE_MAX_SPAN)
      return RowSet.fromRanges(rangesByBitmap(keys, n, lo, hi));
    const sorted =
      n >= RADIX_MIN && hi - lo < 2 ** 32
        ? radixSorted(keys, n, lo, hi)
        : Float64Array.from(keys).sort();
    return RowSet.fromRanges(rangesOfSorted(sorted, n));
  }

  /**
   * @internal Trusted constructor from flattened, normalised ranges (kept, not copied: the caller
   * must not modify them afterwards).
   */
  static fromRanges(given: ArrayLike<number>): RowSet {
    const ranges =
      Array.isArray(given) || given instanceof Float64Array ? given : Array.from(given);
    let size = 0;
    for (let i = 0; i < ranges.length; i += 2) size += ranges[i + 1]! - ranges[i]!;
    return size === 0 ? RowSet.EMPTY : new RowSet(ranges, size);
  }

  /**
   * @internal A sparse set over `chunks` of ascending, distinct keys (each chunk ascending, every
   * key above the previous chunk's). The arrays are kept, not copied: the caller must never modify
   * them afterwards. O(chunks).
   */
  static fromKeyChunks(chunks: readonly Float64Array[]): RowSet {
    const kept = chunks.filter((c) => c.length > 0);
    const counts = new Float64Array(kept.length + 1);
    for (let i = 0; i < kept.length; i++) counts[i + 1] = counts[i]! + kept[i]!.length;
    const size = counts[kept.length]!;
    return size === 0 ? RowSet.EMPTY : new RowSet(null, size, kept, counts);
  }

  /** The flattened ranges (a sparse set's are built on first use and kept). */
  #ranges(): Ranges {
    if (this.#r !== null) return this.#r;
    const r = new RangeBuffer();
    let s = -1;
    let e = -1;
    for (const c of this.#k!) {
      for (let i = 0; i < c.length; i++) {
        const k = c[i]!;
        if (k === e) e++;
        else {
          if (s >= 0) r.push(s, e);
          s = k;
          e = k + 1;
        }
      }
    }
    if (s >= 0) r.push(s, e);
    const ranges = r.take();
    this.#r = ranges;
    return ranges;
  }

  /** Sparse: the chunk holding position `p` (0 <= p < size). */
  #chunkAt(p: number): number {
    const kc = this.#kc!;
    let lo = 0;
    let hi = this.#k!.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (kc[mid]! <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Sparse: the position of the first key >= `key` (size when none). */
  #lowerBound(key: number): number {
    const k = this.#k!;
    let lo = 0;
    let hi = k.length - 1;
    if (key <= k[0]![0]!) return 0;
    // Last chunk whose first key is < key.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (k[mid]![0]! < key) lo = mid;
      else hi = mid - 1;
    }
    const c = k[lo]!;
    let a = 0;
    let b = c.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (c[mid]! < key) a = mid + 1;
      else b = mid;
    }
    return this.#kc![lo]! + a;
  }

  /** Sparse: the sparse set of positions `[start, end)` (0 <= start < end <= size). */
  #slice(start: number, end: number): RowSet {
    const k = this.#k!;
    const kc = this.#kc!;
    const out: Float64Array[] = [];
    for (let c = this.#chunkAt(start); c < k.length && kc[c]! < end; c++) {
      const s = Math.max(0, start - kc[c]!);
      const e = Math.min(k[c]!.length, end - kc[c]!);
      out.push(s === 0 && e === k[c]!.length ? k[c]! : k[c]!.subarray(s, e));
    }
    return RowSet.fromKeyChunks(out);
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }
  get rangeCount(): number {
    return this.#ranges().length >> 1;
  }
  rangeStart(i: number): number {
    return this.#ranges()[2 * i]!;
  }
  rangeEnd(i: number): number {
    return this.#ranges()[2 * i + 1]!;
  }
  /** First key, or -1 when empty. */
  first(): number {
    if (this.size === 0) return -1;
    return this.#k !== null ? this.#k[0]![0]! : this.#r![0]!;
  }
  /** Last key, or -1 when empty. */
  last(): number {
    if (this.size === 0) return -1;
    if (this.#k !== null) {
      const c = this.#k[this.#k.length - 1]!;
      return c[c.length - 1]!;
    }
    return this.#r![this.#r!.length - 1]! - 1;
  }
  /** True when the keys are exactly one range. */
  get isContiguous(): boolean {
    if (this.#k !== null) return this.last() - this.first() + 1 === this.size;
    return this.#r!.length <= 2;
  }

  forEachRange(fn: (start: number, end: number) => void): void {
    if (this.#k !== null && this.#r === null) {
      let s = -1;
      let e = -1;
      for (const c of this.#k) {
        for (let i = 0; i < c.length; i++) {
          const k = c[i]!;
          if (k === e) e++;
          else {
            if (s >= 0) fn(s, e);
            s = k;
            e = k + 1;
          }
        }
      }
      if (s >= 0) fn(s, e);
      return;
    }
    const r = this.#r!;
    for (let i = 0; i < r.length; i += 2) fn(r[i]!, r[i + 1]!);
  }

  forEach(fn: (key: number, position: number) => void): void {
    if (this.#k !== null) {
      let p = 0;
      for (const c of this.#k) for (let i = 0; i < c.length; i++) fn(c[i]!, p++);
      return;
    }
    const r = this.#r!;
    let p = 0;
    for (let i = 0; i < r.length; i += 2) {
      for (let k = r[i]!, e = r[i + 1]!; k < e; k++) fn(k, p++);
    }
  }

  *[Symbol.iterator](): IterableIterator<number> {
    if (this.#k !== null) {
      for (const c of this.#k) for (let i = 0; i < c.length; i++) yield c[i]!;
      return;
    }
    const r = this.#r!;
    for (let i = 0; i < r.length; i += 2) for (let k = r[i]!; k < r[i + 1]!; k++) yield k;
  }

  toArray(): number[] {
    const out = new Array<number>(this.size);
    let p = 0;
    if (this.#k !== null) {
      for (const c of this.#k) for (let i = 0; i < c.length; i++) out[p++] = c[i]!;
      return out;
    }
    const r = this.#r!;
    for (let i = 0; i < r.length; i += 2) for (let k = r[i]!; k < r[i + 1]!; k++) out[p++] = k;
    return out;
  }

  /** Index of the range containing key, or -(insertion point) - 1. */
  #findRange(key: number): number {
    const r = this.#ranges();
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (key < r[2 * mid]!) hi = mid - 1;
      else if (key >= r[2 * mid + 1]!) lo = mid + 1;
      else return mid;
    }
    return -lo - 1;
  }

  contains(key: number): boolean {
    if (this.#k !== null) return this.find(key) >= 0;
    return this.#findRange(key) >= 0;
  }

  /** True when some key lies in `[start, end)`. */
  overlapsRange(start: number, end: number): boolean {
    if (end <= start || this.size === 0) return false;
    if (this.#k !== null) {
      const p = this.#lowerBound(start);
      return p < this.size && this.get(p) < end;
    }
    const i = this.#findRange(start);
    if (i >= 0) return true;
    const next = -i - 1;
    return next < this.rangeCount && this.#r![2 * next]! < end;
  }

  #cumulative(): Float64Array {
    if (this.#cum) return this.#cum;
    const r = this.#ranges();
    const n = r.length >> 1;
    const c = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) c[i + 1] = c[i]! + r[2 * i + 1]! - r[2 * i]!;
    this.#cum = c;
    return c;
  }

  /** Key at a 0-based position, or -1 if out of range. */
  get(position: number): number {
    if (position < 0 || position >= this.size) return -1;
    if (this.#k !== null) {
      const c = this.#chunkAt(position);
      return this.#k[c]![position - this.#kc![c]!]!;
    }
    const r = this.#r!;
    if (r.length === 2) return r[0]! + position;
    const i = this.#rangeAt(position);
    return r[2 * i]! + (position - this.#cumulative()[i]!);
  }

  /** 0-based position of a key, or -1 if absent. */
  find(key: number): number {
    if (this.#k !== null) {
      if (this.size === 0) return -1;
      const p = this.#lowerBound(key);
      return p < this.size && this.get(p) === key ? p : -1;
    }
    const i = this.#findRange(key);
    if (i < 0) return -1;
    const r = this.#r!;
    return (r.length === 2 ? 0 : this.#cumulative()[i]!) + key - r[2 * i]!;
  }

  /** Index of the range holding `position` (0 <= position < size): O(log ranges). */
  #rangeAt(position: number): number {
    if (this.#r!.length === 2) return 0;
    const c = this.#cumulative();
    let lo = 0;
    let hi = this.rangeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Number of keys below `key` (present or not): the position `key` has, or would have once
   * inserted. O(log ranges).
   */
  rank(key: number): number {
    if (this.#k !== null) return this.size === 0 ? 0 : this.#lowerBound(key);
    const r = this.#r!;
    const i = this.#findRange(key);
    const at = i >= 0 ? i : -i - 1;
    const before = at === 0 ? 0 : r.length === 2 ? this.size : this.#cumulative()[at]!;
    return i >= 0 ? before + key - r[2 * i]! : before;
  }

  /**
   * Keys at positions `[start, end)`: O(log ranges) to find the first, then one step a range of
   * the result (a viewport over a large row set costs its own size, not the set's).
   */
  subSetByPosition(start: number, end: number): RowSet {
    start = Math.max(0, start);
    end = Math.min(this.size, end);
    if (end <= start) return RowSet.EMPTY;
    if (start === 0 && end === this.size) return this;
    if (this.#k !== null) return this.#slice(start, end);
    const b = new RowSetBuilder();
    const r = this.#r!;
    let i = this.#rangeAt(start);
    let p = r.length === 2 ? 0 : this.#cumulative()[i]!;
    for (i *= 2; i < r.length && p < end; i += 2) {
      const len = r[i + 1]! - r[i]!;
      const s = Math.max(start, p);
      const e = Math.min(end, p + len);
      if (s < e) b.addRange(r[i]! + (s - p), r[i]! + (e - p));
      p += len;
    }
    return b.build();
  }

  /** Keys in `[start, end)` of key space. */
  subSetByKeyRange(start: number, end: number): RowSet {
    if (this.#k !== null) {
      if (end <= start || this.size === 0) return RowSet.EMPTY;
      return this.subSetByPosition(this.#lowerBound(start), this.#lowerBound(end));
    }
    if (end <= start || this.size === 0) return RowSet.EMPTY;
    if (start <= this.first() && end > this.last()) return this;
    // Binary search for the first range reaching `start`, then copy up to `end`: O(log + output).
    const r = this.#r!;
    const i = this.#findRange(start);
    const out = new RangeBuffer();
    for (let k = 2 * (i >= 0 ? i : -i - 1); k < r.length && r[k]! < end; k += 2)
      out.push(Math.max(start, r[k]!), Math.min(end, r[k + 1]!));
    return RowSet.fromRanges(out.take());
  }

  /** Every key plus `delta`. */
  shift(delta: number): RowSet {
    if (delta === 0 || this.size === 0) return this;
    if (this.#k !== null) return RowSet.fromKeyChunks(this.#k.map((c) => c.map((k) => k + delta)));
    const r = this.#r!;
    const out = newRanges(r.length);
    for (let i = 0; i < r.length; i++) out[i] = r[i]! + delta;
    return new RowSet(out, this.size);
  }

  /** Sparse `this` minus a set of few ranges: only the chunks it touches are rebuilt. */
  #minusFewSparse(o: RowSet): RowSet {
    const out: Float64Array[] = [];
    for (const c of this.#k!) {
      if (!o.overlapsRange(c[0]!, c[c.length - 1]! + 1)) {
        out.push(c);
        continue;
      }
      const kept = new Float64Array(c.length);
      let w = 0;
      for (let i = 0; i < c.length; i++) if (!o.contains(c[i]!)) kept[w++] = c[i]!;
      if (w > 0) out.push(w === c.length ? c : kept.subarray(0, w));
    }
    return RowSet.fromKeyChunks(out);
  }

  /** `this` (few ranges) intersected with or minus (`keep` false) the sparse `o`. */
  #filterBySparse(o: RowSet, keep: boolean): RowSet {
    const b = new RowSetBuilder();
    const r = this.#ranges();
    for (let i = 0; i < r.length; i += 2) {
      const s = r[i]!;
      const e = r[i + 1]!;
      let p = o.#lowerBound(s);
      let from = s;
      for (; p < o.size; p++) {
        const k = o.get(p);
        if (k >= e) break;
        if (keep) b.addKey(k);
        else {
          b.addRange(from, k);
          from = k + 1;
        }
      }
      if (!keep) b.addRange(from, e);
    }
    return b.build();
  }

  /** Whether `o` has far fewer ranges than this set has keys (a cycle's change). */
  #isFewAgainst(o: RowSet): boolean {
    return o.#k === null && o.#r!.length * SMALL_FACTOR < this.size;
  }

  union(o: RowSet): RowSet {
    if (o.size === 0) return this;
    if (this.size === 0) return o;
    const a = this.#ranges();
    const b = o.#ranges();
    if (b.length * SMALL_FACTOR < a.length) return RowSet.fromRanges(unionFew(a, b));
    // Fast path: appending after the end.
    if (b[0]! >= a[a.length - 1]!) {
      const joined = b[0] === a[a.length - 1];
      const out = newRanges(a.length + b.length - (joined ? 2 : 0));
      let w = copyRanges(out, 0, a, 0, a.length);
      if (joined) out[w - 1] = b[1]!;
      w = copyRanges(out, w, b, joined ? 2 : 0, b.length);
      return new RowSet(out, this.size + o.size);
    }
    return RowSet.fromRanges(unionAll(a, b));
  }

  minus(o: RowSet): RowSet {
    if (o.size === 0 || this.size === 0) return this;
    if (this.#k !== null && this.#isFewAgainst(o)) return this.#minusFewSparse(o);
    if (o.#k !== null && o.#isFewAgainst(this)) return this.#filterBySparse(o, false);
    const a = this.#ranges();
    const b = o.#ranges();
    if (b.length * SMALL_FACTOR < a.length) return RowSet.fromRanges(minusFew(a, b));
    return RowSet.fromRanges(minusAll(a, b));
  }

  /**
   * `this.minus(removed).union(added)`, a cycle's change applied to a table's rows: in one pass
   * and one new array when the change is not far smaller than the set (then `minus` and `union`
   * each copy the untouched stretches, by binary search, and that costs less).
   */
  minusUnion(removed: RowSet, added: RowSet): RowSet {
    if (removed.size === 0) return this.union(added);
    if (added.size === 0 || this.size === 0) return this.minus(removed).union(added);
    if (this.#k !== null || removed.#k !== null || added.#k !== null)
      return this.minus(removed).union(added);
    const t = this.#r!;
    const r = removed.#r!;
    const a = added.#r!;
    if ((r.length + a.length) * SMALL_FACTOR < t.length) return this.minus(removed).union(added);
    return RowSet.fromRanges(minusUnionAll(t, r, a));
  }

  intersect(o: RowSet): RowSet {
    if (o.size === 0 || this.size === 0) return RowSet.EMPTY;
    if (this.#k !== null && this.#isFewAgainst(o)) return o.#filterBySparse(this, true);
    if (o.#k !== null && o.#isFewAgainst(this)) return this.#filterBySparse(o, true);
    const a = this.#ranges();
    const b = o.#ranges();
    const out = newRanges(a.length + b.length);
    let w = 0;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const s = Math.max(a[i]!, b[j]!);
      const e = Math.min(a[i + 1]!, b[j + 1]!);
      if (s < e) {
        if (w > 0 && out[w - 1] === s) out[w - 1] = e;
        else {
          out[w++] = s;
          out[w++] = e;
        }
      }
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return RowSet.fromRanges(trimmed(out, w));
  }

  equals(o: RowSet): boolean {
    if (this === o) return true;
    if (this.size !== o.size) return false;
    const a = this.#ranges();
    const b = o.#ranges();
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Compact text form, e.g. `{0-4,7}`. */
  toString(): string {
    const parts: string[] = [];
    this.forEachRange((s, e) => parts.push(e - s === 1 ? `${s}` : `${s}-${e - 1}`));
    return `{${parts.join(",")}}`;
  }

  toJSON(): number[] {
    return this.toArray();
  }
}

/**
 * Keys a span may hold per key given for `fromKeys` to read them by bitmap rather than sort: the
 * walk reads a word per 32 keys of span, a sort costs V8 30-40 ns a key, and the two meet near
 * 300 keys of span a key (1,000 keys over 100,000: 27 us by bitmap, 66 by sort; 100 keys over
 * 100,000: 7 against 3). DENSE_MAX_SPAN bounds the bitmap, which is kept for the next call, to
 * 8 MB.
 */
const DENSE_SPAN = 256;
const DENSE_MAX_SPAN = 2 ** 26;

/** `fromKeys`'s bitmap, all zero between calls (grown as needed, never shrunk). */
let denseBits = new Int32Array(64);

/** Flattened ranges of `keys[0..n)` (n > 0), ascending, duplicates allowed: a range a run. */
function rangesOfSorted(keys: ArrayLike<number>, n: number): Ranges {
  const out = new RangeBuffer(2 * n);
  let s = keys[0]!;
  let e = s + 1;
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    if (k === e) e++;
    else if (k > e) {
      out.push(s, e);
      s = k;
      e = k + 1;
    }
  }
  out.push(s, e);
  return out.take();
}

/**
 * Keys from which `fromKeys` sorts keys spanning less than 2^32 by radix rather than by V8's sort
 * of a typed array (tens of ns a key): 1,000 keys over 1,000,000 in 18-20 us against 57.
 */
const RADIX_MIN = 256;
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const radixCounts = new Int32Array(RADIX);

/**
 * `keys[0..n)` (integers within `[lo, hi]`, any order, `hi - lo` below 2^32) ascending: a
 * least-significant-digit radix sort of `key - lo` as 32-bit words by 11-bit digits, as many
 * passes as `hi - lo` has digits (2 below 2^22, 3 above).
 */
function radixSorted(keys: ArrayLike<number>, n: number, lo: number, hi: number): Float64Array {
  let a = new Uint32Array(n);
  let t = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = keys[i]! - lo;
  const counts = radixCounts;
  for (let shift = 0; shift < 32 && (hi - lo) / 2 ** shift >= 1; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(a[i]! >>> shift) & (RADIX - 1)]!++;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      t[counts[(x >>> shift) & (RADIX - 1)]!++] = x;
    }
    const swap = a;
    a = t;
    t = swap;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! + lo;
  return out;
}

/**
 * Flattened ranges of `keys[0..n)` (any order, duplicates allowed), all within `[lo, hi]`: each
 * key's bit set, then the bitmap read word by word, each run of ones one range (a run may cross
 * words), and every word cleared again. O(n + (hi - lo) / 32).
 */
function rangesByBitmap(keys: ArrayLike<number>, n: number, lo: number, hi: number): Ranges {
  const words = ((hi - lo) >>> 5) + 1;
  if (denseBits.length < words) denseBits = new Int32Array(Math.max(words, 2 * denseBits.length));
  const bits = denseBits;
  for (let i = 0; i < n; i++) {
    const d = keys[i]! - lo;
    bits[d >>> 5]! |= 1 << (d & 31);
  }
  const out = new RangeBuffer(2 * n);
  // Start of the run still open at the end of the previous word, or -1.
  let open = -1;
  for (let w = 0; w < words; w++) {
    let m = bits[w]!;
    const base = lo + w * 32;
    if (m === 0) {
      if (open >= 0) {
        out.push(open, base);
        open = -1;
      }
      continue;
    }
    bits[w] = 0;
    if (m === -1) {
      if (open < 0) open = base;
      continue;
    }
    if (open >= 0 && (m & 1) === 0) {
      out.push(open, base);
      open = -1;
    }
    while (m !== 0) {
      const first = 31 - Math.clz32(m & -m);
      // Length of the run of ones from bit `first` (up to bit 31 at most).
      const rest = ~(m >>> first);
      const len = rest === 0 ? 32 - first : 31 - Math.clz32(rest & -rest);
      const start = open >= 0 && first === 0 ? open : base + first;
      open = -1;
      if (first + len === 32) {
        open = start;
        break;
      }
      out.push(start, base + first + len);
      m &= ~(((1 << len) - 1) << first);
    }
  }
  if (open >= 0) out.push(open, lo + words * 32);
  return out.take();
}

/**
 * `union` and `minus` with a set of far fewer ranges (a cycle's change against a table of many
 * ranges, e.g. a sort's sparse keys) find each of its ranges by binary search and copy the
 * untouched stretches between them in tight loops: O(few * log many) comparisons plus a copy.
 */
const SMALL_FACTOR = 8;

/** First even index k >= from of flattened ranges `a` whose range end is > x (`orEqual`: >= x). */
function firstEndingAfter(a: Ranges, from: number, x: number, orEqual: boolean): number {
  let lo = from >> 1;
  let hi = a.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const end = a[2 * mid + 1]!;
    if (end > x || (orEqual && end === x)) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo;
}

function copyRanges(out: Ranges, w: number, a: Ranges, from: number, to: number): number {
  // A long stretch between typed arrays by \`set\`; a short one by a loop (a \`subarray\` is an
  // allocation).
  if (to - from >= 64 && out instanceof Float64Array && a instanceof Float64Array) {
    out.set(a.subarray(from, to), w);
    return w + to - from;
  }
  for (let i = from; i < to; i++) out[w++] = a[i]!;
  return w;
}

/** Room for `n` numbers of flattened ranges (see Ranges). */
function newRanges(n: number): Ranges {
  return n < BIG_RANGES ? new Array<number>(n) : new Float64Array(n);
}

/** Flattened ranges of `a` minus `b` (any sizes). */
function minusAll(a: Ranges, b: Ranges): Ranges {
  const na = a.length;
  const nb = b.length;
  const out = newRanges(na + nb);
  let w = 0;
  let j = 0;
  for (let i = 0; i < na; i += 2) {
    let s = a[i]!;
    const e = a[i + 1]!;
    while (j < nb && b[j + 1]! <= s) j += 2;
    let jj = j;
    while (s < e) {
      if (jj >= nb || b[jj]! >= e) {
        out[w++] = s;
        out[w++] = e;
        break;
      }
      const bs = b[jj]!;
      if (bs > s) {
        out[w++] = s;
        out[w++] = bs;
      }
      const be = b[jj + 1]!;
      if (be > s) s = be;
      jj += 2;
    }
  }
  return trimmed(out, w);
}

/** Flattened ranges of `a` union `b` (any sizes): a merge by start, overlapping or adjacent ranges joined. */
function unionAll(a: Ranges, b: Ranges): Ranges {
  const na = a.length;
  const nb = b.length;
  const out = newRanges(na + nb);
  let w = 0;
  let i = 0;
  let j = 0;
  while (i < na || j < nb) {
    let s: number;
    let e: number;
    if (j >= nb || (i < na && a[i]! <= b[j]!)) {
      s = a[i]!;
      e = a[i + 1]!;
      i += 2;
    } else {
      s = b[j]!;
      e = b[j + 1]!;
      j += 2;
    }
    if (w > 0 && s <= out[w - 1]!) {
      if (e > out[w - 1]!) out[w - 1] = e;
    } else {
      out[w++] = s;
      out[w++] = e;
    }
  }
  return trimmed(out, w);
}

/**
 * Flattened ranges of (`t` minus `r`) union `a` in one pass: `t`'s ranges cut by `r` as in
 * `minusAll`, each piece written after the ranges of `a` that start no later (so the output goes
 * by start), overlapping and adjacent ranges joined as they are written. (`minusAll` and
 * `unionAll` stay loops of their own: as this with `a` or `r` empty they took 13 % longer.)
 */
function minusUnionAll(t: Ranges, r: Ranges, a: Ranges): Ranges {
  const nt = t.length;
  const nr = r.length;
  const na = a.length;
  // Each range of `r` splits at most one piece off a range of `t`.
  const out = newRanges(nt + nr + na);
  let w = 0;
  let j = 0;
  let k = 0;
  for (let i = 0; i < nt; i += 2) {
    let s = t[i]!;
    const e = t[i + 1]!;
    while (j < nr && r[j + 1]! <= s) j += 2;
    let jj = j;
    while (s < e) {
      // The piece [s, pieceEnd) of t's range before the next cut (or its end).
      let pieceEnd = e;
      let next = e;
      if (jj < nr && r[jj]! < e) {
        const rs = r[jj]!;
        const re = r[jj + 1]!;
        pieceEnd = Math.max(rs, s);
        next = Math.max(re, s);
        jj += 2;
      }
      if (pieceEnd > s) {
        while (k < na && a[k]! <= s) {
          w = appendRange(out, w, a[k]!, a[k + 1]!);
          k += 2;
        }
        w = appendRange(out, w, s, pieceEnd);
      }
      if (next <= s) break;
      s = next;
    }
  }
  for (; k < na; k += 2) w = appendRange(out, w, a[k]!, a[k + 1]!);
  return trimmed(out, w);
}

/** Writes `[s, e)` at `w` of `out`, joined to the last range when they overlap or touch. */
function appendRange(out: Ranges, w: number, s: number, e: number): number {
  if (w > 0 && s <= out[w - 1]!) {
    if (e > out[w - 1]!) out[w - 1] = e;
    return w;
  }
  out[w] = s;
  out[w + 1] = e;
  return w + 2;
}

/** Flattened ranges of `a` minus `b` (b has few ranges). */
function minusFew(a: Ranges, b: Ranges): Ranges {
  const out = newRanges(a.length + b.length);
  let w = 0;
  let i = 0;
  let pendS = -1; // an `a` range cut by the previous `b` range, still to place: [pendS, pendE)
  let pendE = -1;
  for (let j = 0; j < b.length; j += 2) {
    const bs = b[j]!;
    const be = b[j + 1]!;
    if (pendS >= 0) {
      if (pendE <= bs) {
        out[w++] = pendS;
        out[w++] = pendE;
        pendS = -1;
      } else {
        if (pendS < bs) {
          out[w++] = pendS;
          out[w++] = bs;
        }
        if (pendE > be) {
          pendS = be;
          continue;
        }
        pendS = -1;
      }
    }
    const k = firstEndingAfter(a, i, bs, false);
    w = copyRanges(out, w, a, i, k);
    i = k;
    while (i < a.length && a[i]! < be) {
      const s = a[i]!;
      const e = a[i + 1]!;
      i += 2;
      if (s < bs) {
        out[w++] = s;
        out[w++] = bs;
      }
      if (e > be) {
        pendS = be;
        pendE = e;
        break;
      }
    }
  }
  if (pendS >= 0) {
    out[w++] = pendS;
    out[w++] = pendE;
  }
  w = copyRanges(out, w, a, i, a.length);
  return trimmed(out, w);
}

/** Flattened ranges of `a` union `b` (b has few ranges). */
function unionFew(a: Ranges, b: Ranges): Ranges {
  const out = newRanges(a.length + b.length);
  let w = 0;
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    let bs = b[j]!;
    let be = b[j + 1]!;
    const k = firstEndingAfter(a, i, bs, true);
    w = copyRanges(out, w, a, i, k);
    i = k;
    while (i < a.length && a[i]! <= be) {
      if (a[i]! < bs) bs = a[i]!;
      if (a[i + 1]! > be) be = a[i + 1]!;
      i += 2;
    }
    if (w > 0 && out[w - 1]! >= bs) {
      if (be > out[w - 1]!) out[w - 1] = be;
    } else {
      out[w++] = bs;
      out[w++] = be;
    }
  }
  w = copyRanges(out, w, a, i, a.length);
  return trimmed(out, w);
}

/** Builds a RowSet from keys or ranges given in ascending order. */
export class RowSetBuilder {
  #r = new RangeBuffer();

  /** Adds a key greater than every key added so far (equal to the last is ignored). */
  addKey(k: number): void {
    const r = this.#r;
    const n = r.n;
    if (n > 0) {
      const a = r.a;
      const lastEnd = a[n - 1]!;
      if (k < lastEnd) {
        if (k >= a[n - 2]!) return;
        throw new RangeError(`RowSetBuilder.addKey: key ${k} is not ascending`);
      }
      if (k === lastEnd) {
        a[n - 1] = k + 1;
        return;
      }
    }
    r.push(k, k + 1);
  }

  /** Adds `[start, end)`, starting at or after the last range's end. */
  addRange(start: number, end: number): void {
    if (end <= start) return;
    const r = this.#r;
    const n = r.n;
    if (n > 0 && start < r.a[n - 1]!)
      throw new RangeError(`RowSetBuilder.addRange: ${start} is not ascending`);
    if (n > 0 && start === r.a[n - 1]!) r.a[n - 1] = end;
    else r.push(start, end);
  }

  /** Adds a range whose start is >= the previous start (ranges may overlap). */
  addRangeUnordered(start: number, end: number): void {
    const r = this.#r;
    const n = r.n;
    if (n > 0 && start <= r.a[n - 1]!) {
      if (end > r.a[n - 1]!) r.a[n - 1] = end;
      return;
    }
    r.push(start, end);
  }

  get isEmpty(): boolean {
    return this.#r.n === 0;
  }

  build(): RowSet {
    return RowSet.fromRanges(this.#r.take());
  }
}

/**
 * Flattened ranges written pair by pair: a JS array up to BIG_RANGES numbers, then a Float64Array
 * that doubles as it fills (see Ranges).
 */
class RangeBuffer {
  a: Ranges;
  n = 0;

  /** `most`: at most how many numbers will be written, if known (room for them at once). */
  constructor(most = 0) {
    this.a = most >= BIG_RANGES ? new Float64Array(most) : [];
  }

  push(start: number, end: number): void {
    const a = this.a;
    if (Array.isArray(a)) {
      a.push(start, end);
      this.n += 2;
      if (this.n >= BIG_RANGES) this.a = Float64Array.from(a);
      return;
    }
    if (this.n + 2 > a.length) {
      const grown = new Float64Array(2 * a.length);
      grown.set(a);
      this.a = grown;
    }
    this.a[this.n++] = start;
    this.a[this.n++] = end;
  }

  /** The ranges written (the buffer starts again empty). */
  take(): Ranges {
    const out = trimmed(this.a, this.n);
    this.a = [];
    this.n = 0;
    return out;
  }
}

/**
 * `a[0..n)` as ranges to keep: a JS array trimmed in place; a typed array itself when full, a
 * view when at least half full (so a kept set holds at most twice its ranges), else a copy.
 */
function trimmed(a: Ranges, n: number): Ranges {
  if (n === a.length) return a;
  if (Array.isArray(a)) {
    a.length = n;
    return a;
  }
  return 2 * n >= a.length ? a.subarray(0, n) : a.slice(0, n);
}
