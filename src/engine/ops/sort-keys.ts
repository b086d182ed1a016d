/**
 * Keys for the rows a refreshing sort inserted (sort-state.ts): each run of new entries takes
 * keys in the gap between its neighbours' keys, and a neighbourhood is spread evenly again
 * ("re-spread") when a gap has no room left. See sort-state.ts's header for the key space.
 */
import type { RowSet } from "../row-set.ts";
import type { KeyBlock, SortedRedirection } from "../sorted-redirection.ts";

/** Exclusive upper bound of result keys (keys stay exact JSON numbers). */
export const KEY_END = 2 ** 53 - 1;
export const CENTER = 2 ** 52;
/** Gap between the initial rows (smaller when more than 2^20 rows). */
export const SPACING = 2 ** 32;
/** Gap an inserted row leaves below it, when there is room. */
export const STEP = 2 ** 20;
/** Average gap a re-spread neighbourhood must reach (else it grows). */
const MIN_GAP = 2 ** 16;

/** Gives keys to the unassigned (NaN) entries of touched blocks, re-spreading when a gap is full. */
export class KeyAssigner {
  readonly #blocks: KeyBlock[];
  readonly #oldKey: ReadonlyMap<number, number>;
  readonly #inserted: RowSet;
  readonly #redirection: SortedRedirection;
  /** Movers that kept their old key (modifications). */
  readonly reused = new Set<number>();
  /** Existing rows (parent key) that a re-spread gave new keys, and the key they have now. */
  readonly respread = new Map<number, number>();
  readonly respreadOldKeys: number[] = [];

  constructor(
    blocks: KeyBlock[],
    oldKey: ReadonlyMap<number, number>,
    inserted: RowSet,
    redirection: SortedRedirection,
  ) {
    this.#blocks = blocks;
    this.#oldKey = oldKey;
    this.#inserted = inserted;
    this.#redirection = redirection;
  }

  /** Keys for the unassigned entries of block `b`, which are among `at` (ascending indices). */
  assignBlock(b: number, at: ArrayLike<number>): void {
    const blocks = this.#blocks;
    const blk = blocks[b]!;
    const keys = blk.keys;
    const n = blk.n;
    const inline = this.#oldKey.size === 0;
    const after = b + 1 < blocks.length ? blocks[b + 1]!.keys[0]! : KEY_END;
    let a = 0;
    while (a < at.length) {
      const i = at[a]!;
      if (!Number.isNaN(keys[i]!)) {
        a++;
        continue;
      }
      let j = i + 1;
      while (j < n && Number.isNaN(keys[j]!)) j++;
      const lo = i > 0 ? keys[i - 1]! : b > 0 ? lastKey(blocks[b - 1]!) : -1;
      if (j === n && Number.isNaN(after)) {
        // The run goes on into the next blocks (whose first entries left this cycle).
        if (!this.#assignSpanning(b, i, lo)) this.#respread(b);
        return;
      }
      const hi = j < n ? keys[j]! : after;
      if (inline && lo >= 0 && hi - lo - 1 >= j - i) {
        // The common case inline (fill's last branch): STEP apart above `lo`, or evenly spread.
        if (j === i + 1) keys[i] = lo + Math.min(STEP, Math.floor((hi - lo) / 2));
        else {
          const step = Math.min(STEP, Math.floor((hi - lo) / (j - i + 1)));
          for (let t = i; t < j; t++) keys[t] = lo + step * (t - i + 1);
        }
      } else if (!this.#assignGap(blk, i, j, lo, hi)) {
        this.#respread(b);
        return;
      }
      while (a < at.length && at[a]! < j) a++;
    }
  }

  /**
   * Keys for a run of unassigned entries from entry `i` of block `b` through the leading
   * unassigned entries of the next blocks, in the gap above `lo`: assigned as one run (gathered
   * into a scratch block and written back).
   */
  #assignSpanning(b: number, i: number, lo: number): boolean {
    const blocks = this.#blocks;
    const parts: [number, number, number][] = [[b, i, blocks[b]!.n]];
    let hi = KEY_END;
    for (let x = b + 1; x < blocks.length; x++) {
      const keys = blocks[x]!.keys;
      let t = 0;
      while (t < blocks[x]!.n && Number.isNaN(keys[t]!)) t++;
      if (t > 0) parts.push([x, 0, t]);
      if (t < blocks[x]!.n) {
        hi = keys[t]!;
        break;
      }
    }
    let c = 0;
    for (const [, from, to] of parts) c += to - from;
    const run: KeyBlock = { keys: new Float64Array(c), parents: new Float64Array(c), n: c };
    let w = 0;
    for (const [x, from, to] of parts)
      for (let y = from; y < to; y++) run.parents[w++] = blocks[x]!.parents[y]!;
    if (!this.#assignGap(run, 0, c, lo, hi)) return false;
    w = 0;
    for (const [x, from, to] of parts)
      for (let y = from; y < to; y++) blocks[x]!.keys[y] = run.keys[w++]!;
    return true;
  }

  /** Keys for entries [i, j) of `blk` in (lo, hi); movers keep old keys where the order allows. */
  #assignGap(blk: KeyBlock, i: number, j: number, lo: number, hi: number): boolean {
    if (hi - lo - 1 < j - i) return false;
    if (this.#oldKey.size === 0) {
      fill(blk, i, j, lo, hi);
      return true;
    }
    let fixedKey = lo;
    let fixedAt = i - 1;
    for (let x = i; x < j; x++) {
      const k = this.#oldKey.get(blk.parents[x]!);
      if (
        k !== undefined &&
        k > fixedKey &&
        k < hi &&
        k - fixedKey - 1 >= x - fixedAt - 1 &&
        hi - k - 1 >= j - x - 1
      ) {
        fill(blk, fixedAt + 1, x, fixedKey, k);
        blk.keys[x] = k;
        this.reused.add(blk.parents[x]!);
        fixedKey = k;
        fixedAt = x;
      }
    }
    fill(blk, fixedAt + 1, j, fixedKey, hi);
    return true;
  }

  /** Spreads the keys of a neighbourhood of block `b` evenly (see the module header). */
  #respread(b: number): void {
    const blocks = this.#blocks;
    let w = 0;
    let b0 = b;
    let b1 = b;
    let lo = -1;
    let spacing = 0;
    for (;;) {
      b0 = Math.max(0, b - w);
      b1 = Math.min(blocks.length - 1, b + w);
      // Blocks whose first entries are still unassigned belong to the neighbourhood too.
      while (b1 + 1 < blocks.length && Number.isNaN(blocks[b1 + 1]!.keys[0]!)) b1++;
      lo = b0 > 0 ? lastKey(blocks[b0 - 1]!) : -1;
      const hi = b1 + 1 < blocks.length ? blocks[b1 + 1]!.keys[0]! : KEY_END;
      let m = 0;
      for (let x = b0; x <= b1; x++) m += blocks[x]!.n;
      spacing = Math.floor((hi - lo) / (m + 1));
      if (spacing >= MIN_GAP || (b0 === 0 && b1 === blocks.length - 1)) break;
      w = w === 0 ? 1 : 2 * w;
    }
    if (spacing < 1) throw new RangeError("sort: the result's key space is exhausted");
    let t = 0;
    for (let x = b0; x <= b1; x++) {
      const blk = blocks[x]!;
      // The installed key arrays are shared with earlier RowSets: rewrite a copy.
      blk.keys = blk.keys.slice();
      for (let i = 0; i < blk.n; i++) {
        const p = blk.parents[i]!;
        const old = blk.keys[i]!;
        const key = lo + spacing * ++t;
        blk.keys[i] = key;
        if (this.#inserted.contains(p)) this.reused.delete(p);
        else {
          if (!this.respread.has(p)) {
            this.respreadOldKeys.push(old);
            this.#redirection.rememberRemoved(old, p);
          }
          this.respread.set(p, key);
        }
      }
    }
  }
}

/** Keys for entries [from, to) of `blk` in the open gap (lo, hi), which has room for them. */
function fill(blk: KeyBlock, from: number, to: number, lo: number, hi: number): void {
  const c = to - from;
  if (c <= 0) return;
  const even = Math.floor((hi - lo) / (c + 1));
  if (lo < 0 && hi >= KEY_END) {
    // An empty table: spread around the middle, as a first build does.
    const spacing = Math.min(SPACING, Math.floor(CENTER / (c + 1)));
    const first = CENTER - Math.floor(c / 2) * spacing;
    for (let t = 0; t < c; t++) blk.keys[from + t] = first + t * spacing;
    return;
  }
  const step = Math.min(STEP, even);
  if (lo < 0) {
    // Before the first row: leave the room below, for rows sorting even earlier.
    for (let t = 0; t < c; t++) blk.keys[from + t] = hi - step * (c - t);
    return;
  }
  for (let t = 0; t < c; t++) blk.keys[from + t] = lo + step * (t + 1);
}

function lastKey(blk: KeyBlock): number {
  return blk.keys[blk.n - 1]!;
}
