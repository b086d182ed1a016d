/**
 * The order of a refreshing (non-blink) sort, kept incrementally in a SortedRedirection.
 *
 * Key space. The result's ascending row keys are its order (toRows, snapshots, the wire and the
 * client mirror all iterate keys ascending), and a TableUpdate has no shifts, so the keys are
 * sparse: the initial rows are spread `SPACING` apart around the middle of [0, 2^53), and a row
 * inserted between two others takes a key in the gap between theirs (`STEP` above the lower
 * neighbour, so rows appended after the same neighbour, like new ties, use a gap slowly; the
 * evenly spread middle when the gap is smaller). A change at the top of a 100,000-row view is one
 * removed and one added key; no other row is resent.
 *
 * Re-spread. When a gap has no room left for the rows going into it, the keys of a neighbourhood
 * (the block of the gap, then 2, 4, ... blocks either side until the average gap is at least
 * `MIN_GAP`, or the whole table) are spread evenly again. Those rows keep their values and
 * order but change keys, so the update reports them as removed (old key) and added (new key);
 * `respreadRows` counts them. With 2^53 keys and gaps of 2^20..2^32 this is rare (a gap takes ~20
 * inserts between the same two rows, or ~4,000 appended after the same row, before it runs out).
 *
 * A cycle. With prev values over the order as it stood: find the rows that leave (removed parent
 * rows, and modified rows whose sort columns changed: "movers") and the modified rows that stay.
 * Remove the leavers. With current values: insert the added rows and the movers at their sorted
 * positions, then give them keys. A mover whose new position is still between the neighbours of
 * its old key keeps its key and is a modification. Rows are found by sorting the batch (a stable
 * sort, so ties keep parent-key order) and walking the blocks once: a block is found by galloping
 * over block first entries, then binary search inside it. Blocks keep their rows' sort values
 * (SortBlock), so comparisons read typed arrays; only the batch's own values are read from the
 * parent. When the leaving rows are many (1/16 of the order or more) in a few ranges of parent
 * keys (a ring's evicted rows), they are found by one scan of the blocks' parent keys instead.
 * A touched block is rebuilt once (leaving entries dropped while the batch rows merge in); a run of
 * new rows that continues into the next block (its first entries left) gets keys as one gap.
 * Cost per cycle: O(change * log n) comparisons, O(block size) copying per touched block and an
 * O(n / block size) walk of the block list. The result's RowSet is a sparse one over the blocks'
 * key arrays (RowSet.fromKeyChunks): O(blocks), no copy, no per-key ranges.
 *
 * Memory a row: its key (8 bytes, shared by the redirection and the row set), its parent key (4
 * bytes while every parent key is below 2^32, else 8) and a copy of its sort values (4 bytes an
 * int32 column, 8 a float64 one).
 */
import type { Vec } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import { RowSet as RowSets } from "../row-set.ts";
import type { KeyBlock, ParentKeys } from "../sorted-redirection.ts";
import { SortedRedirection } from "../sorted-redirection.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { ColumnType, Storage } from "../types.ts";
import { allocStorage } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { RowComparator, SortColumn } from "./sort-columns.ts";
import { keysOf, rowComparator, SortValues } from "./sort-columns.ts";
import { sortedPositions } from "./stable-sort.ts";

/** Exclusive upper bound of result keys (keys stay exact JSON numbers). */
const KEY_END = 2 ** 53 - 1;
const CENTER = 2 ** 52;
/** Gap between the initial rows (smaller when more than 2^20 rows). */
const SPACING = 2 ** 32;
/** Gap an inserted row leaves below it, when there is room. */
const STEP = 2 ** 20;
/** Average gap a re-spread neighbourhood must reach (else it grows). */
const MIN_GAP = 2 ** 16;
/** Entries of a block when built; a block splits beyond MAX_BLOCK. */
const BLOCK = 1024;
const MAX_BLOCK = 2048;
/** Entries of a block of a first build (fewer, larger blocks; split when first touched). */
const BUILD_BLOCK = 8192;

/**
 * Leaving rows are found by scanning every entry's parent key against their ranges, instead of
 * by value, when they are at least 1/SCAN_FACTOR of the rows (so the scan costs at most
 * SCAN_FACTOR per leaving row) in at most SCAN_RANGES ranges (a ring's evicted rows: one range).
 */
const SCAN_FACTOR = 16;
const SCAN_RANGES = 4;

/** Calls `at(block, index)` for each entry whose parent key is in `rows` (few ranges), in order. */
function scanLeaving(
  blocks: readonly KeyBlock[],
  rows: RowSet,
  at: (b: number, i: number) => void,
) {
  const r: number[] = [];
  rows.forEachRange((s, e) => r.push(s, e));
  for (let b = 0; b < blocks.length; b++) {
    const parents = blocks[b]!.parents;
    const n = blocks[b]!.n;
    for (let i = 0; i < n; i++) {
      const p = parents[i]!;
      for (let j = 0; j < r.length; j += 2) {
        if (p >= r[j]! && p < r[j + 1]!) {
          at(b, i);
          break;
        }
      }
    }
  }
}

/** A row of a batch: its values (one Vec per sort column), index and parent key. */
interface Batch {
  vals: Vec[];
  parents: Float64Array;
  order: Uint32Array;
}

export class SparseSortState {
  readonly redirection: SortedRedirection;
  /** Rows that changed keys in re-spreads (removed and added), since creation. */
  respreadRows = 0;
  readonly #cols: readonly SortColumn[];
  readonly #names: ReadonlySet<string>;
  readonly #types: readonly ColumnType[];
  readonly #batch: SortValues;
  readonly #compare: RowComparator;
  /** Whether some parent key is 2^32 or more (new blocks then keep parents in a Float64Array). */
  #wide = false;

  constructor(cols: readonly SortColumn[], graph: UpdateGraph) {
    this.#cols = cols;
    this.#names = new Set(cols.map((c) => c.name));
    this.redirection = new SortedRedirection(graph);
    this.#types = cols.map((c) => c.type);
    this.#batch = new SortValues(cols);
    this.#compare = rowComparator(cols);
  }

  /** Orders `rows` of the parent (its current rows); returns the result's keys. */
  build(rows: RowSet): RowSet {
    if (rows.last() >= 2 ** 32) this.#wide = true;
    const parents = keysOf(rows);
    const vals = this.#batch.readRows(rows, false);
    const batch: Batch = {
      vals,
      parents,
      order: sortedPositions(this.#cols, vals, parents.length),
    };
    const n = batch.order.length;
    const spacing = Math.min(SPACING, Math.floor(CENTER / (n + 1)));
    const first = CENTER - Math.floor(n / 2) * spacing;
    // Larger blocks than later ones (fewer objects); a block beyond MAX_BLOCK is split when first
    // touched.
    const blocks: SortBlock[] = [];
    for (let s = 0; s < n; s += BUILD_BLOCK) {
      const m = Math.min(BUILD_BLOCK, n - s);
      const blk: SortBlock = {
        keys: new Float64Array(m),
        parents: newParents(m, this.#wide),
        n: m,
        vals: takeVals(this.#types, batch.vals, batch.order, s, m),
      };
      for (let i = 0; i < m; i++) {
        blk.keys[i] = first + (s + i) * spacing;
        blk.parents[i] = batch.parents[batch.order[s + i]!]!;
      }
      blocks.push(blk);
    }
    this.redirection.setBlocks(blocks);
    this.#batch.release();
    return this.#rows();
  }

  /**
   * The result's keys: a sparse RowSet over the blocks' key arrays, which are never modified once
   * installed (a touched block gets new arrays; a re-spread copies before rewriting), so the
   * snapshot costs O(blocks), not a copy of the keys.
   */
  #rows(): RowSet {
    return RowSets.fromKeyChunks(
      this.redirection.blocks.map((b) =>
        b.keys.length === b.n ? b.keys : b.keys.subarray(0, b.n),
      ),
    );
  }

  /** Applies the parent's update; returns the result's update and its new keys. */
  apply(u: TableUpdate): { update: TableUpdate; rows: RowSet } {
    const sortChanged = u.modifiedColumns.some((c) => this.#names.has(c));
    const leaving = sortChanged ? u.removed.union(u.modified) : u.removed;
    const staying = sortChanged ? RowSets.EMPTY : u.modified;
    const inserting = sortChanged ? u.added.union(u.modified) : u.added;
    const redirection = this.redirection;
    let blocks = [...redirection.blocks] as SortBlock[];

    // Rows that stay modified, then rows that leave, found in the order as it stood (prev values).
    const modifiedKeys: number[] = [];
    this.#locate(blocks, staying, (b, i) => {
      modifiedKeys.push(blocks[b]!.keys[i]!);
    });
    const removedKeys: number[] = [];
    // Old keys of the movers (a mover may keep its key); rows removed for good never come back.
    const oldKey = new Map<number, number>();
    const movers = sortChanged ? u.modified : RowSets.EMPTY;
    const gone: number[][] = blocks.map(() => []);
    const leave = (b: number, i: number) => {
      const blk = blocks[b]!;
      const key = blk.keys[i]!;
      const parent = blk.parents[i]!;
      removedKeys.push(key);
      redirection.rememberRemoved(key, parent);
      if (!movers.isEmpty && movers.contains(parent)) oldKey.set(parent, key);
      gone[b]!.push(i);
    };
    if (leaving.size * SCAN_FACTOR >= redirection.size && leaving.rangeCount <= SCAN_RANGES) {
      scanLeaving(blocks, leaving, leave);
    } else this.#locate(blocks, leaving, leave);

    // Rows that come in: merged into their blocks with keys unassigned (NaN), in the same pass
    // that drops the leaving entries; then given keys.
    const insertedAt = new Map<number, Int32Array>();
    let batch: Batch | null = null;
    if (!inserting.isEmpty) {
      if (inserting.last() >= 2 ** 32) this.#wide = true;
      batch = this.#read(inserting, false);
    }
    if (batch !== null || removedKeys.length > 0)
      blocks = this.#merge(blocks, batch, gone, insertedAt);
    const touched = [...insertedAt.keys()].sort((x, y) => x - y);
    const keys = new KeyAssigner(blocks, oldKey, inserting, redirection);
    for (const b of touched) keys.assignBlock(b);
    this.respreadRows += keys.respread.size;
    removedKeys.push(...keys.respreadOldKeys);

    const addedKeys: number[] = [...keys.respread.values()];
    const reusedKeys: number[] = [];
    for (const [b, at] of insertedAt) {
      const blk = blocks[b]!;
      for (const i of at) {
        if (keys.reused.has(blk.parents[i]!)) reusedKeys.push(blk.keys[i]!);
        else addedKeys.push(blk.keys[i]!);
      }
    }
    redirection.setBlocks(splitBlocks(blocks, touched, this.#types));

    const reused = RowSets.fromKeys(reusedKeys);
    const removed = RowSets.fromKeys(removedKeys).minus(reused);
    const added = RowSets.fromKeys(addedKeys);
    const modified = RowSets.fromKeys(modifiedKeys).union(reused).minus(removed);
    return {
      update: makeUpdate(added, removed, modified, u.modifiedColumns),
      rows: this.#rows(),
    };
  }

  /** The sort values (current or prev) of `rows`, and their sorted order. */
  #read(rows: RowSet, prev: boolean): Batch {
    const parents = keysOf(rows);
    const vals = this.#batch.read(parents, parents.length, prev);
    return { vals, parents, order: sortedPositions(this.#cols, vals, parents.length) };
  }

  /** Compares batch row `r` with the entry `i` of `blk` whose values are `bv`. */
  #cmp(batch: Batch, r: number, bv: readonly Vec[], blk: SortBlock, i: number): number {
    return this.#compare(batch.vals, r, bv, i) || batch.parents[r]! - blk.parents[i]!;
  }

  /** Compares batch row `r` with the first entry of `blk`. */
  #cmpFirst(batch: Batch, r: number, blk: SortBlock): number {
    return this.#compare(batch.vals, r, blk.vals, 0) || batch.parents[r]! - blk.parents[0]!;
  }

  /**
   * The last block from `b` on whose first entry is below row `r` (`orEqual`: or equal), found by
   * galloping then binary search over block first entries.
   */
  #advance(blocks: SortBlock[], b: number, batch: Batch, r: number, orEqual: boolean) {
    const below = (j: number) => {
      const c = this.#cmpFirst(batch, r, blocks[j]!);
      return orEqual ? c >= 0 : c > 0;
    };
    let step = 1;
    let lo = b; // known below (or the start)
    while (lo + step < blocks.length && below(lo + step)) {
      lo += step;
      step *= 2;
    }
    let hi = Math.min(blocks.length - 1, lo + step - 1);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (below(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Finds each row of `rows` (present in the order, prev values) and calls `at(block, index)`. */
  #locate(blocks: SortBlock[], rows: RowSet, at: (b: number, i: number) => void): void {
    if (rows.isEmpty) return;
    const batch = this.#read(rows, true);
    let b = -1;
    let from = 0;
    for (const r of batch.order) {
      // Most rows fall in the block of the previous one: one comparison with the next block's
      // first entry decides; otherwise gallop.
      if (b < 0 || (b + 1 < blocks.length && this.#cmpFirst(batch, r, blocks[b + 1]!) >= 0)) {
        b = this.#advance(blocks, Math.max(b, 0), batch, r, true);
        from = 0;
      }
      const bv = blocks[b]!.vals;
      const blk = blocks[b]!;
      let lo = from;
      let hi = blk.n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.#cmp(batch, r, bv, blk, mid) > 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= blk.n || blk.parents[lo] !== batch.parents[r]) {
        throw new Error(`sort: parent row ${batch.parents[r]} is not in the sorted order`);
      }
      at(b, lo);
      from = lo + 1;
    }
  }

  /**
   * Rebuilds the blocks that lose entries (`gone[b]`, ascending indices) or take batch rows, in one
   * copy each: inserted entries get key NaN; blocks left empty are dropped. Records, per block of
   * the result that took rows, the indices of its inserted entries.
   */
  #merge(
    blocks: SortBlock[],
    batch: Batch | null,
    gone: readonly number[][],
    insertedAt: Map<number, Int32Array>,
  ): SortBlock[] {
    const m = batch?.order.length ?? 0;
    if (blocks.length === 0) {
      if (batch === null) return blocks;
      const order = batch.order;
      const parents = newParents(m, this.#wide);
      for (let i = 0; i < m; i++) parents[i] = batch.parents[order[i]!]!;
      insertedAt.set(
        0,
        Int32Array.from({ length: m }, (_, i) => i),
      );
      const vals = takeVals(this.#types, batch.vals, order, 0, m);
      return [{ keys: new Float64Array(m).fill(Number.NaN), parents, n: m, vals }];
    }
    // The batch rows each block takes: [start, end) of the sorted batch, found by galloping.
    const starts = new Map<number, number>();
    const ends = new Map<number, number>();
    if (batch !== null) {
      const order = batch.order;
      let b = 0;
      let i = 0;
      while (i < m) {
        b = this.#advance(blocks, b, batch, order[i]!, false);
        // This block takes every row before the next block's first entry.
        let e = i + 1;
        if (b + 1 < blocks.length) {
          const next = blocks[b + 1]!;
          while (e < m && this.#cmpFirst(batch, order[e]!, next) < 0) e++;
        } else e = m;
        starts.set(b, i);
        ends.set(b, e);
        i = e;
        b = Math.min(b + 1, blocks.length - 1);
      }
    }
    const out: SortBlock[] = [];
    for (let b = 0; b < blocks.length; b++) {
      const blk = blocks[b]!;
      const g = gone[b]!;
      const i = starts.get(b);
      if (i === undefined) {
        if (g.length === 0) out.push(blk);
        else if (g.length < blk.n)
          out.push(rebuildBlock(blk, g, null, 0, 0, null, null, this.#types, this.#wide));
        continue;
      }
      const e = ends.get(b)!;
      const bt = batch!;
      const bv = blk.vals;
      const pos = new Int32Array(e - i);
      let from = 0;
      for (let j = i; j < e; j++) {
        const r = bt.order[j]!;
        let lo = from;
        let hi = blk.n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.#cmp(bt, r, bv, blk, mid) > 0) lo = mid + 1;
          else hi = mid;
        }
        pos[j - i] = lo;
        from = lo;
      }
      const at = new Int32Array(e - i);
      out.push(rebuildBlock(blk, g, bt, i, e, pos, at, this.#types, this.#wide));
      insertedAt.set(out.length - 1, at);
    }
    return out;
  }
}

/**
 * `blk` without its entries `g` (ascending indices) and with batch rows `order[i..e)` inserted
 * before entries `pos[..]` (keys NaN; their new indices go to `at`).
 */
function rebuildBlock(
  blk: SortBlock,
  g: readonly number[],
  batch: Batch | null,
  i: number,
  e: number,
  pos: Int32Array | null,
  at: Int32Array | null,
  types: readonly ColumnType[],
  wide: boolean,
): SortBlock {
  const n = blk.n - g.length + (e - i);
  const keys = new Float64Array(n);
  const parents = newParents(n, wide || blk.parents instanceof Float64Array);
  const vals = newVals(types, n);
  let src = 0;
  let dst = 0;
  let gi = 0;
  const segment = (to: number) => {
    const len = to - src;
    if (len <= 0) return;
    copyNumbers(keys, dst, blk.keys, src, len);
    copyNumbers(parents, dst, blk.parents, src, len);
    for (let c = 0; c < vals.length; c++) copyVals(vals[c]!, dst, blk.vals[c]!, src, len);
    dst += len;
    src = to;
  };
  // Copies the old entries before `to`, skipping the gone ones.
  const copyTo = (to: number) => {
    while (gi < g.length && g[gi]! < to) {
      segment(g[gi]!);
      src = g[gi]! + 1;
      gi++;
    }
    segment(to);
  };
  if (batch !== null) {
    const order = batch.order;
    for (let j = i; j < e; j++) {
      copyTo(pos![j - i]!);
      const r = order[j]!;
      keys[dst] = Number.NaN;
      parents[dst] = batch.parents[r]!;
      for (let c = 0; c < vals.length; c++) copyVals(vals[c]!, dst, batch.vals[c]!, r, 1);
      at![j - i] = dst;
      dst++;
    }
  }
  copyTo(blk.n);
  return { keys, parents, n, vals };
}

/** Copies `src[from, from + n)` to `dst` at `at` (short runs by a loop: no subarray views). */
function copyNumbers(
  dst: Float64Array | Uint32Array,
  at: number,
  src: Float64Array | Uint32Array,
  from: number,
  n: number,
): void {
  if (n >= 64) dst.set(src.subarray(from, from + n), at);
  else for (let x = 0; x < n; x++) dst[at + x] = src[from + x]!;
}

/** Splits touched blocks beyond MAX_BLOCK into blocks of BLOCK entries. */
function splitBlocks(
  blocks: SortBlock[],
  touched: readonly number[],
  types: readonly ColumnType[],
): SortBlock[] {
  if (!touched.some((b) => blocks[b]!.n > MAX_BLOCK)) return blocks;
  const out: SortBlock[] = [];
  blocks.forEach((blk) => {
    if (blk.n <= MAX_BLOCK) {
      out.push(blk);
      return;
    }
    for (let s = 0; s < blk.n; s += BLOCK) {
      const e = Math.min(blk.n, s + BLOCK);
      const vals = newVals(types, e - s);
      for (let c = 0; c < vals.length; c++) copyVals(vals[c]!, 0, blk.vals[c]!, s, e - s);
      out.push({ keys: blk.keys.slice(s, e), parents: blk.parents.slice(s, e), n: e - s, vals });
    }
  });
  return out;
}

/**
 * A block of the order with its rows' sort values (one Vec per sort column), so that finding a
 * row compares typed arrays instead of reading the parent at scattered keys. A row's sort values
 * never change while it holds its key (a row whose sort values change leaves and comes back), so
 * these are its current and its previous values alike.
 */
interface SortBlock extends KeyBlock {
  vals: Vec[];
}

/** Parent keys for `n` entries: a Float64Array when `wide`, else a Uint32Array. */
function newParents(n: number, wide: boolean): ParentKeys {
  return wide ? new Float64Array(n) : new Uint32Array(n);
}

function newVals(types: readonly ColumnType[], n: number): Vec[] {
  return types.map((t) => ({ data: allocStorage(t, n), valid: null, length: n }));
}

/** Copies `src[from, from + n)` (values and nulls) to `dst` at `at`. */
function copyVals(dst: Vec, at: number, src: Vec, from: number, n: number): void {
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
function takeVals(
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

/** Gives keys to the unassigned (NaN) entries of touched blocks, re-spreading when a gap is full. */
class KeyAssigner {
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

  assignBlock(b: number): void {
    const blocks = this.#blocks;
    const blk = blocks[b]!;
    let i = 0;
    while (i < blk.n) {
      if (!Number.isNaN(blk.keys[i]!)) {
        i++;
        continue;
      }
      let j = i;
      while (j < blk.n && Number.isNaN(blk.keys[j]!)) j++;
      const lo = i > 0 ? blk.keys[i - 1]! : b > 0 ? lastKey(blocks[b - 1]!) : -1;
      if (j === blk.n && b + 1 < blocks.length && Number.isNaN(blocks[b + 1]!.keys[0]!)) {
        // The run goes on into the next blocks (whose first entries left this cycle).
        if (!this.#assignSpanning(b, i, lo)) {
          this.#respread(b);
          return;
        }
        return;
      }
      const hi =
        j < blk.n ? blk.keys[j]! : b + 1 < blocks.length ? blocks[b + 1]!.keys[0]! : KEY_END;
      if (!this.#assignGap(blk, i, j, lo, hi)) {
        this.#respread(b);
        return;
      }
      i = j;
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
