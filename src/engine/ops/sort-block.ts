/**
 * The blocks of a refreshing sort's order (sort-state.ts) and the one-pass rebuild of a block
 * that a cycle touches: its leaving entries dropped and the cycle's sorted rows that fall into it
 * merged in, in one walk of the block (no search per row, no second copy).
 *
 * A sort by one column of plain numbers (every type but string, int64 and instant) compares
 * inline: the batch's values in sorted order, times the column's sign (-1 descending), against
 * the block's values times the sign, ties by parent key; NaN is the only unordered value and
 * takes a slower branch. Anything else (several columns, strings, 64-bit integers, nulls) goes
 * through the sort's row comparator, entry by entry.
 */
import type { Vec } from "../column-source.ts";
import type { KeyBlock, ParentKeys } from "../sorted-redirection.ts";
import type { ColumnType, Storage } from "../types.ts";
import { allocStorage } from "../types.ts";
import { STEP } from "./sort-keys.ts";

/**
 * A block of the order with its rows' sort values (one Vec per sort column), so that finding a
 * row compares typed arrays instead of reading the parent at scattered keys. A row's sort values
 * never change while it holds its key (a row whose sort values change leaves and comes back), so
 * these are its current and its previous values alike.
 */
export interface SortBlock extends KeyBlock {
  vals: Vec[];
}

/** Rows of a cycle: their values (one Vec per sort column), parent keys and sorted order. */
export interface Batch {
  vals: Vec[];
  parents: Float64Array;
  order: Uint32Array;
}

/**
 * A batch in sorted order for the inline comparison: `x[j]` the value of the j-th row times the
 * sign, `p[j]` its parent key. Only for one plain-number column and a batch without nulls.
 */
export interface SortedNumbers {
  x: Float64Array;
  p: Float64Array;
  /** -1 descending, 1 ascending. */
  sign: number;
  desc: boolean;
}

/**
 * Whether a row of (signed) value `x` and parent key `px` sorts before one of `y`, `py`: by value,
 * then by parent key; NaN above every number ascending, below descending.
 */
export function before(x: number, px: number, y: number, py: number, desc: boolean): boolean {
  if (x < y) return true;
  if (x > y) return false;
  if (x === y) return px < py;
  const xNaN = x !== x;
  if (xNaN && y !== y) return px < py;
  return xNaN === desc;
}

/** Parent keys for `n` entries: a Float64Array when `wide`, else a Uint32Array. */
export function newParents(n: number, wide: boolean): ParentKeys {
  return wide ? new Float64Array(n) : new Uint32Array(n);
}

export function newVals(types: readonly ColumnType[], n: number): Vec[] {
  return types.map((t) => ({ data: allocStorage(t, n), valid: null, length: n }));
}

/** Copies `src[from, from + n)` (values and nulls) to `dst` at `at`. */
export function copyVals(dst: Vec, at: number, src: Vec, from: number, n: number): void {
  const d = dst.data as unknown as { [i: number]: unknown };
  const s = src.data as unknown as { [i: number]: unknown };
  if (n === 1) d[at] = s[from];
  else if (n < 64 || Array.isArray(src.data)) for (let i = 0; i < n; i++) d[at + i] = s[from + i];
  else
    (dst.data as Exclude<Storage, unknown[]>).set(
      (src.data as Exclude<Storage, unknown[]>).subarray(from, from + n) as never,
      at,
    );
  if (src.valid === null && dst.valid === null) return;
  if (dst.valid === null) dst.valid = new Uint8Array(dst.length).fill(1);
  if (src.valid === null) dst.valid.fill(1, at, at + n);
  else for (let i = 0; i < n; i++) dst.valid[at + i] = src.valid[from + i]!;
}

/** The values of `src` at `idx[from..from + n)`, as new Vecs. */
export function takeVals(
  types: readonly ColumnType[],
  src: readonly Vec[],
  idx: ArrayLike<number>,
  from: number,
  n: number,
): Vec[] {
  const out = newVals(types, n);
  for (let c = 0; c < out.length; c++) {
    const d = out[c]!.data as unknown as { [i: number]: unknown };
    const s = src[c]!.data as unknown as { [i: number]: unknown };
    const v = src[c]!.valid;
    for (let i = 0; i < n; i++) d[i] = s[idx[from + i]!];
    if (v !== null) {
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) valid[i] = v[idx[from + i]!]!;
      out[c]!.valid = valid;
    }
  }
  return out;
}

/** What a block's rebuild needs besides the block: the batch rows `[from, to)` of sorted order. */
export interface MergeInput {
  /** Ascending indices of the block's entries that leave (besides those of `lo`..`hi`). */
  gone: readonly number[];
  /**
   * How many of the block's entries leave (those of `gone`), or -1 when unknown (entries of
   * `lo`..`hi` leave: the new block's arrays are then sized for none leaving, and its `n` counts
   * the entries written).
   */
  goneCount: number;
  /**
   * Entries whose parent key is in [lo, hi) leave too (a ring's evicted rows; lo = hi when none):
   * their keys and parents are appended to `removedKeys` / `removedParents` at `nRemoved`.
   */
  lo: number;
  hi: number;
  removedKeys: Float64Array;
  removedParents: Float64Array;
  nRemoved: number;
  batch: Batch | null;
  /** The inline form of the batch, when the sort allows it (else null). */
  numbers: SortedNumbers | null;
  from: number;
  to: number;
  /** Receives the new index of each inserted row (length to - from). */
  at: Int32Array;
  types: readonly ColumnType[];
  wide: boolean;
  /**
   * Blocks this cycle's merge replaced (no longer read): their parent and value arrays may be
   * written again for a later block (mergeNumbers takes the first that fits).
   */
  spare: SortBlock[];
  /** The sort's comparison of batch row `r` (a batch position) with entry `i` of the block. */
  compare: (r: number, blk: SortBlock, i: number) => number;
  /**
   * Whether no mover may keep its old key (sort-keys.ts's inline case): the fused walk then gives
   * a run of new rows between two kept entries its keys itself, as KeyAssigner would (STEP apart
   * above the lower key, or evenly spread); other runs stay NaN for KeyAssigner.
   */
  inlineKeys: boolean;
}

/**
 * `blk` without its `gone` entries and with the batch rows `[from, to)` merged in at their
 * sorted places (keys NaN, to be assigned; their new indices go to `at`).
 */
export function mergeBlock(blk: SortBlock, m: MergeInput): SortBlock {
  if (m.numbers !== null && blk.vals[0]!.valid === null) return mergeNumbers(blk, m, m.numbers);
  return mergeRows(blk, m);
}

/** mergeBlock for one plain-number column without nulls: inline comparisons and copies. */
function mergeNumbers(blk: SortBlock, m: MergeInput, s: SortedNumbers): SortBlock {
  const n0 = blk.n;
  const g = m.gone;
  const n = n0 - Math.max(0, m.goneCount) + (m.to - m.from);
  const src = blk.vals[0]!.data as Float64Array;
  const keys = new Float64Array(n);
  const wide = m.wide || blk.parents instanceof Float64Array;
  // A replaced block's arrays when they fit (at most a quarter larger), else new ones with an
  // eighth to spare (so that they fit a later block too).
  let parents: ParentKeys | null = null;
  let out: Float64Array | null = null;
  const spares = m.spare;
  for (let x = spares.length - 1; x >= 0; x--) {
    const sp = spares[x]!;
    const sv = sp.vals[0]!.data as Float64Array;
    const cap = sp.parents.length;
    if (
      cap >= n &&
      cap <= n + (n >> 2) &&
      sv.length === cap &&
      sp.parents instanceof Float64Array === wide &&
      sv.constructor === src.constructor
    ) {
      parents = sp.parents;
      out = sv;
      spares[x] = spares[spares.length - 1]!;
      spares.pop();
      break;
    }
  }
  if (parents === null || out === null) {
    const cap = n + (n >> 3);
    parents = newParents(cap, wide);
    out = allocStorage(m.types[0]!, cap) as Float64Array;
  }
  const vals: Vec[] = [{ data: out, valid: null, length: n }];
  const { lo, hi, removedKeys, removedParents } = m;
  let nr = m.nRemoved;
  const oldKeys = blk.keys;
  const oldParents = blk.parents;
  const { x, p, sign, desc } = s;
  const at = m.at;
  if (g.length === 0) {
    // No entries leave by index (a ring's evicted rows leave by parent range, or none): one
    // fused walk, each old entry compared with the next batch row once and copied.
    const to = m.to;
    let j = m.from;
    let xj = j < to ? x[j]! : 0;
    let pj = j < to ? p[j]! : 0;
    let d = 0;
    // Start of the run of new rows written since the last kept entry (-1: none).
    let run = -1;
    const inlineKeys = m.inlineKeys;
    for (let i = 0; i < n0; i++) {
      const pp = oldParents[i]!;
      const v = src[i]!;
      // Batch rows that sort before entry i go first (the common case, the next batch row
      // above the entry, is one comparison; NaN falls through to the exact test).
      if (j < to && !(xj > sign * v)) {
        const y = sign * v;
        if (run < 0) run = d;
        while (xj < y || (xj === y ? pj < pp : !(xj > y) && before(xj, pj, y, pp, desc))) {
          keys[d] = Number.NaN;
          parents[d] = pj;
          out[d] = sign * xj;
          at[j - m.from] = d;
          d++;
          if (++j === to) break;
          xj = x[j]!;
          pj = p[j]!;
        }
        if (run === d) run = -1;
      }
      if (pp >= lo && pp < hi) {
        removedKeys[nr] = oldKeys[i]!;
        removedParents[nr++] = pp;
        continue;
      }
      const k = oldKeys[i]!;
      if (run >= 0) {
        // The run [run, d) lies between the kept entries run - 1 and this one.
        const c = d - run;
        const below = run > 0 ? keys[run - 1]! : -1;
        if (inlineKeys && below >= 0 && k - below - 1 >= c) {
          const step = Math.min(STEP, Math.floor((k - below) / (c + 1)));
          for (let t = 0; t < c; t++) keys[run + t] = below + step * (t + 1);
        }
        run = -1;
      }
      keys[d] = k;
      parents[d] = pp;
      out[d] = v;
      d++;
    }
    for (; j < to; j++) {
      keys[d] = Number.NaN;
      parents[d] = p[j]!;
      out[d] = sign * x[j]!;
      at[j - m.from] = d;
      d++;
    }
    m.nRemoved = nr;
    vals[0]!.length = d;
    return { keys, parents, n: d, vals };
  }
  let i = 0;
  let d = 0;
  let gi = 0;
  let nextGone = g.length > 0 ? g[0]! : n0;
  for (let j = m.from; j <= m.to; j++) {
    // The old entries before batch row j (all the rest after the last row) go first.
    let k = i;
    if (j === m.to) k = n0;
    else {
      const xj = x[j]!;
      const pj = p[j]!;
      for (; k < n0; k++) {
        const y = sign * src[k]!;
        if (xj < y) break;
        if (xj > y) continue;
        if (xj === y ? pj < oldParents[k]! : before(xj, pj, y, oldParents[k]!, desc)) break;
      }
    }
    // Old entries [i, k), without the gone ones.
    while (i < k) {
      const end = Math.min(nextGone, k);
      for (; i < end; i++) {
        const pp = oldParents[i]!;
        if (pp >= lo && pp < hi) {
          removedKeys[nr] = oldKeys[i]!;
          removedParents[nr++] = pp;
          continue;
        }
        keys[d] = oldKeys[i]!;
        parents[d] = pp;
        out[d] = src[i]!;
        d++;
      }
      if (i === nextGone) {
        i++;
        nextGone = ++gi < g.length ? g[gi]! : n0;
      }
    }
    if (j === m.to) break;
    keys[d] = Number.NaN;
    parents[d] = p[j]!;
    out[d] = sign * x[j]!;
    at[j - m.from] = d;
    d++;
  }
  m.nRemoved = nr;
  vals[0]!.length = d;
  return { keys, parents, n: d, vals };
}

/** mergeBlock for any sort: the sort's comparator, values and nulls copied column by column. */
function mergeRows(blk: SortBlock, m: MergeInput): SortBlock {
  const n0 = blk.n;
  const g = m.gone;
  const batch = m.batch;
  const n = n0 - Math.max(0, m.goneCount) + (m.to - m.from);
  const keys = new Float64Array(n);
  const parents = newParents(n, m.wide || blk.parents instanceof Float64Array);
  const vals = newVals(m.types, n);
  const cols = vals.length;
  const od = vals.map((v) => v.data as unknown as { [i: number]: unknown });
  const ov = vals.map((v, c) =>
    blk.vals[c]!.valid !== null || (batch !== null && batch.vals[c]!.valid !== null)
      ? (v.valid = new Uint8Array(n))
      : null,
  );
  const bd = blk.vals.map((v) => v.data as unknown as { [i: number]: unknown });
  const bv = blk.vals.map((v) => v.valid);
  let i = 0;
  let d = 0;
  let gi = 0;
  let nextGone = g.length > 0 ? g[0]! : -1;
  const copyOld = () => {
    if (i === nextGone) {
      nextGone = ++gi < g.length ? g[gi]! : -1;
      return;
    }
    const pp = blk.parents[i]!;
    if (pp >= m.lo && pp < m.hi) {
      m.removedKeys[m.nRemoved] = blk.keys[i]!;
      m.removedParents[m.nRemoved++] = pp;
      return;
    }
    keys[d] = blk.keys[i]!;
    parents[d] = pp;
    for (let c = 0; c < cols; c++) {
      od[c]![d] = bd[c]![i];
      const valid = ov[c];
      if (valid) valid[d] = bv[c] ? bv[c]![i]! : 1;
    }
    d++;
  };
  if (batch !== null) {
    const nd = batch.vals.map((v) => v.data as unknown as { [i: number]: unknown });
    const nv = batch.vals.map((v) => v.valid);
    for (let j = m.from; j < m.to; j++) {
      const r = batch.order[j]!;
      for (; i < n0 && m.compare(r, blk, i) >= 0; i++) copyOld();
      keys[d] = Number.NaN;
      parents[d] = batch.parents[r]!;
      for (let c = 0; c < cols; c++) {
        od[c]![d] = nd[c]![r];
        const valid = ov[c];
        if (valid) valid[d] = nv[c] ? nv[c]![r]! : 1;
      }
      m.at[j - m.from] = d;
      d++;
    }
  }
  for (; i < n0; i++) copyOld();
  for (const v of vals) v.length = d;
  return { keys, parents, n: d, vals };
}
