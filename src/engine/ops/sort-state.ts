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
 * its old key keeps its key and is a modification. Leaving and staying rows are found by sorting
 * them (a stable sort, so ties keep parent-key order) and walking the blocks once: a block is
 * found by galloping over block first entries, then binary search inside it. Blocks keep their
 * rows' sort values (SortBlock), so comparisons read typed arrays; only the batch's own values are
 * read from the parent. When the leaving rows are many (1/16 of the order or more) in a few ranges
 * of parent keys, they are found by one scan of the blocks' parent keys instead; in one range and
 * without movers (a ring's evicted rows) the merge below drops them itself, by parent key.
 * Incoming rows are sorted once (radix), split over the blocks by one walk against each block's
 * first entry, and each touched block is rebuilt in one walk (sort-block.ts): leaving entries
 * dropped while the block's batch rows merge in, with inline comparisons for one plain-number
 * column. A run of new rows that continues into the next block (its first entries left) gets keys
 * as one gap. The update's sets are sparse row sets over the cycle's sorted key arrays; a key that
 * one row left and another took is a modification.
 * Cost per cycle: O(change log change) to sort the change (less for radix), O(block size) per
 * touched block, an O(n / block size) walk of the block list and O(change * log n) comparisons to
 * locate leaving rows by value. The result's RowSet is a sparse one over the blocks' key arrays
 * (RowSet.fromKeyChunks): O(blocks), no copy, no per-key ranges.
 *
 * Memory a row: its key (8 bytes, shared by the redirection and the row set), its parent key (4
 * bytes while every parent key is below 2^32, else 8) and a copy of its sort values (4 bytes an
 * int32 column, 8 a float64 one). A block rebuilt while a ring evicts rows by range is sized
 * before the walk knows how many leave, so it keeps room for those (at most one cycle's evicted
 * rows of that block) until it is rebuilt again. A rebuild by inline comparisons writes its parent
 * keys and values into the arrays of a block the same merge replaced when they fit (at most a
 * quarter larger), else into new ones with an eighth to spare: fewer allocations, at most that
 * much room unused. Key arrays are always new (earlier row sets hold the old ones). Arrays used
 * only within a cycle (the inline batch, inserted rows' indices, evicted rows' parents) are
 * kept across cycles, sized by the largest cycle so far up to SCRATCH_MAX rows. A run of new rows
 * between two kept entries of a ring's block gets its keys in the merge walk itself.
 */
import type { Vec } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import { RowSet as RowSets } from "../row-set.ts";
import type { KeyBlock } from "../sorted-redirection.ts";
import { SortedRedirection } from "../sorted-redirection.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { ColumnType } from "../types.ts";
import { isBigType } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { Batch, MergeInput, SortBlock, SortedNumbers } from "./sort-block.ts";
import { before, copyVals, mergeBlock, newParents, newVals, takeVals } from "./sort-block.ts";
import type { RowComparator, SortColumn } from "./sort-columns.ts";
import { keysOf, rowComparator, SortValues } from "./sort-columns.ts";
import { CENTER, KeyAssigner, SPACING } from "./sort-keys.ts";
import { sortedPositions } from "./stable-sort.ts";

/**
 * Scratch arrays kept across cycles are for cycles of at most this many rows (at most ~3.5 MB in
 * all); a larger cycle (a first fill) allocates its own, so its size is not kept afterwards.
 */
const SCRATCH_MAX = 1 << 17;

/** Entries of a block when built; a block splits beyond MAX_BLOCK. */
const BLOCK = 4096;
const MAX_BLOCK = 8192;
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
  const lo = rows.first();
  const hi = rows.last();
  for (let b = 0; b < blocks.length; b++) {
    const parents = blocks[b]!.parents;
    const n = blocks[b]!.n;
    for (let i = 0; i < n; i++) {
      const p = parents[i]!;
      if (p < lo || p > hi) continue;
      for (let j = 0; j < r.length; j += 2) {
        if (p >= r[j]! && p < r[j + 1]!) {
          at(b, i);
          break;
        }
      }
    }
  }
}

/** Whether some entry of `blk` has a parent key in [lo, hi). */
function anyInRange(blk: KeyBlock, lo: number, hi: number): boolean {
  const parents = blk.parents;
  for (let i = 0; i < blk.n; i++) {
    const p = parents[i]!;
    if (p >= lo && p < hi) return true;
  }
  return false;
}

/** A sparse row set over ascending, distinct keys (kept, not copied). */
function keySet(keys: Float64Array): RowSet {
  return keys.length === 0 ? RowSets.EMPTY : RowSets.fromKeyChunks([keys]);
}

/**
 * A cycle's update from the keys that left and the keys that rows took (each ascending and
 * distinct): a key in both is a modification of that position (another row took it; its
 * previous values are the leaving row's), not a removal plus an addition. The sets are sparse
 * row sets over new arrays (views of them): no per-key ranges.
 */
function changeOf(removed: Float64Array, added: Float64Array, columns: string[]): TableUpdate {
  // One merge walk into three outputs, with the advances computed, not branched on (the two key
  // lists interleave unpredictably): each step writes the smaller key to its side and a key in
  // both to `both`, and only the outputs that take it advance.
  const nr = removed.length;
  const na = added.length;
  const onlyR = new Float64Array(nr);
  const onlyA = new Float64Array(na);
  const both = new Float64Array(Math.min(nr, na));
  let i = 0;
  let j = 0;
  let wr = 0;
  let wa = 0;
  let nb = 0;
  while (i < nr && j < na) {
    const r = removed[i]!;
    const a = added[j]!;
    onlyR[wr] = r;
    onlyA[wa] = a;
    both[nb] = r;
    wr += +(r < a);
    wa += +(a < r);
    nb += +(r === a);
    i += +(r <= a);
    j += +(a <= r);
  }
  if (nb === 0) return makeUpdate(keySet(added), keySet(removed));
  while (i < nr) onlyR[wr++] = removed[i++]!;
  while (j < na) onlyA[wa++] = added[j++]!;
  return makeUpdate(
    keySet(onlyA.subarray(0, wa)),
    keySet(onlyR.subarray(0, wr)),
    keySet(both.subarray(0, nb)),
    columns,
  );
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
  /** The result's columns (a key re-used within a cycle modifies every column). */
  readonly #columns: string[];
  /** Whether some parent key is 2^32 or more (new blocks then keep parents in a Float64Array). */
  #wide = false;
  /**
   * Scratch arrays kept across cycles (a new large typed array costs an off-heap allocation and
   * GC pressure): the inline batch (`#numbers`, read only during the merge) and the parents of a
   * ring's evicted rows (held by the redirection until the cycle ends, the next cycle's earliest
   * write).
   */
  #x = new Float64Array(0);
  #p = new Float64Array(0);
  #removedParents = new Float64Array(0);
  /** Each inserted batch row's index in its block (`insertedAt` holds views), read within apply. */
  #at = new Int32Array(0);

  constructor(cols: readonly SortColumn[], columns: readonly string[], graph: UpdateGraph) {
    this.#cols = cols;
    this.#columns = [...columns];
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
  apply(u: TableUpdate): { update: TableUpdate | null; rows: RowSet } {
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
    // Keys that leave, ascending (both searches walk the order forwards).
    const removedKeys = new Float64Array(leaving.size);
    let nRemoved = 0;
    // Old keys of the movers (a mover may keep its key); rows removed for good never come back.
    const oldKey = new Map<number, number>();
    const movers = sortChanged ? u.modified : RowSets.EMPTY;
    const gone: number[][] = blocks.map(() => []);
    const leave = (b: number, i: number) => {
      const blk = blocks[b]!;
      const key = blk.keys[i]!;
      const parent = blk.parents[i]!;
      removedKeys[nRemoved++] = key;
      redirection.rememberRemoved(key, parent);
      if (!movers.isEmpty && movers.contains(parent)) oldKey.set(parent, key);
      gone[b]!.push(i);
    };
    // A ring's evicted rows (one range of parent keys, many rows) are dropped by the merge itself,
    // which walks every block that holds some.
    const many = leaving.size * SCAN_FACTOR >= redirection.size;
    const range = !sortChanged && many && leaving.rangeCount === 1;
    if (range) nRemoved = leaving.size;
    else if (many && leaving.rangeCount <= SCAN_RANGES) scanLeaving(blocks, leaving, leave);
    else this.#locate(blocks, leaving, leave);

    // Rows that come in: merged into their blocks with keys unassigned (NaN), in the same pass
    // that drops the leaving entries; then given keys.
    const insertedAt = new Map<number, Int32Array>();
    let batch: Batch | null = null;
    if (!inserting.isEmpty) {
      if (inserting.last() >= 2 ** 32) this.#wide = true;
      batch = this.#read(inserting, false);
    }
    if (batch !== null || nRemoved > 0) {
      const sink = range
        ? {
            lo: leaving.first(),
            hi: leaving.last() + 1,
            removedKeys,
            removedParents: this.#scratchParents(nRemoved),
            nRemoved: 0,
          }
        : null;
      blocks = this.#merge(blocks, batch, gone, sink, insertedAt, oldKey.size === 0);
      if (sink !== null) {
        if (sink.nRemoved !== nRemoved)
          throw new Error(
            `sort: ${nRemoved - sink.nRemoved} removed parent rows are not in the order`,
          );
        redirection.rememberRemovedAll(removedKeys, sink.removedParents, nRemoved);
      }
    }
    const keys = new KeyAssigner(blocks, oldKey, inserting, redirection);
    for (const [b, at] of insertedAt) keys.assignBlock(b, at);
    this.respreadRows += keys.respread.size;

    // Keys that come in, ascending (blocks in order, entries in order) unless a re-spread moved
    // rows or a mover kept its key.
    let nAdded = 0;
    for (const at of insertedAt.values()) nAdded += at.length;
    const addedKeys = new Float64Array(nAdded);
    const reusedKeys: number[] = [];
    nAdded = 0;
    const anyReused = keys.reused.size > 0;
    for (const [b, at] of insertedAt) {
      const blk = blocks[b]!;
      for (let x = 0; x < at.length; x++) {
        const i = at[x]!;
        if (anyReused && keys.reused.has(blk.parents[i]!)) reusedKeys.push(blk.keys[i]!);
        else addedKeys[nAdded++] = blk.keys[i]!;
      }
    }
    redirection.setBlocks(splitBlocks(blocks, [...insertedAt.keys()], this.#types));
    const rows = this.#rows();

    if (keys.respread.size === 0 && reusedKeys.length === 0 && modifiedKeys.length === 0)
      return {
        update: changeOf(removedKeys.subarray(0, nRemoved), addedKeys, this.#columns),
        rows,
      };
    const respread = [...keys.respread.values()];
    const added = RowSets.fromKeys(
      respread.length > 0
        ? [...addedKeys.subarray(0, nAdded), ...respread]
        : addedKeys.subarray(0, nAdded),
    );
    const reused = RowSets.fromKeys(reusedKeys);
    const removed = RowSets.fromKeys([
      ...removedKeys.subarray(0, nRemoved),
      ...keys.respreadOldKeys,
    ]).minus(reused);
    const modified = RowSets.fromKeys(modifiedKeys).union(reused).minus(removed);
    // A key that one row left and another took in the same cycle is a modification of that
    // position (its previous values are the leaving row's), not a removal plus an addition.
    const both = added.intersect(removed);
    return {
      update: makeUpdate(
        added.minus(both),
        removed.minus(both),
        modified.union(both),
        both.isEmpty ? u.modifiedColumns : this.#columns,
      ),
      rows,
    };
  }

  /** The kept array for a ring's evicted parents, at least `n` long. */
  #scratchParents(n: number): Float64Array {
    if (this.#removedParents.length >= n) return this.#removedParents;
    const a = new Float64Array(n + (n >> 2));
    if (n <= SCRATCH_MAX) this.#removedParents = a;
    return a;
  }

  /** The sort values (current or prev) of `rows`, and their sorted order. */
  #read(rows: RowSet, prev: boolean): Batch {
    const parents = keysOf(rows);
    // Runs of keys (a ring's new rows) are copied page by page, not gathered key by key.
    const vals = this.#batch.readRows(rows, prev);
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
   * walk each: inserted entries get key NaN; blocks left empty are dropped. Records, per block of
   * the result that took rows, the indices of its inserted entries.
   */
  #merge(
    blocks: SortBlock[],
    batch: Batch | null,
    gone: readonly number[][],
    sink: Pick<MergeInput, "lo" | "hi" | "removedKeys" | "removedParents" | "nRemoved"> | null,
    insertedAt: Map<number, Int32Array>,
    inlineKeys: boolean,
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
    const numbers = batch === null ? null : this.#numbers(batch);
    const input: MergeInput = {
      gone: [],
      goneCount: 0,
      lo: 0,
      hi: 0,
      removedKeys: new Float64Array(0),
      removedParents: new Float64Array(0),
      nRemoved: 0,
      ...sink,
      spare: [],
      batch,
      numbers,
      from: 0,
      to: 0,
      at: new Int32Array(0),
      types: this.#types,
      wide: this.#wide,
      compare: (r, blk, i) => this.#cmp(batch!, r, blk.vals, blk, i),
      inlineKeys,
    };
    let atAll = this.#at;
    if (atAll.length < m) {
      atAll = new Int32Array(m + (m >> 2));
      if (m <= SCRATCH_MAX) this.#at = atAll;
    }
    const out: SortBlock[] = [];
    // The batch rows (sorted) each block takes: those before the next block's first entry.
    let j = 0;
    for (let b = 0; b < blocks.length; b++) {
      const blk = blocks[b]!;
      const g = gone[b]!;
      // With a range of leaving parents, the count is known only after the walk (-1).
      const c = sink !== null ? -1 : g.length;
      let e = j;
      if (b + 1 === blocks.length) e = m;
      else {
        const next = blocks[b + 1]!;
        const v = next.vals[0]!;
        if (numbers !== null && (v.valid === null || v.valid[0] !== 0)) {
          // Inline: the next block's first entry is a number.
          const { x, p, sign, desc } = numbers;
          const y = sign * (v.data as Float64Array)[0]!;
          const py = next.parents[0]!;
          for (; e < m; e++) {
            const xe = x[e]!;
            if (xe < y) continue;
            if (xe > y || !(xe === y ? p[e]! < py : before(xe, p[e]!, y, py, desc))) break;
          }
        } else while (e < m && this.#before(batch!, numbers, e, next)) e++;
      }
      input.gone = g;
      input.goneCount = c;
      if (e === j) {
        if (c === 0 || (c < 0 && !anyInRange(blk, input.lo, input.hi))) {
          out.push(blk);
          continue;
        }
        if (c !== blk.n) {
          input.from = input.to = j;
          const rebuilt = mergeBlock(blk, input);
          if (rebuilt.n > 0) out.push(rebuilt);
        }
        // Nothing reads the replaced block again: a later rebuild may reuse its arrays.
        input.spare.push(blk);
        continue;
      }
      input.from = j;
      input.to = e;
      // A view of one kept array: the batch rows' new indices, read before the next cycle.
      input.at = atAll.subarray(j, e);
      out.push(mergeBlock(blk, input));
      insertedAt.set(out.length - 1, input.at);
      input.spare.push(blk);
      j = e;
    }
    if (sink !== null) sink.nRemoved = input.nRemoved;
    return out;
  }

  /**
   * The batch in sorted order for mergeBlock's inline comparison, or null when the sort is not by
   * one plain-number column or the batch has nulls.
   */
  #numbers(batch: Batch): SortedNumbers | null {
    const col = this.#cols[0]!;
    const v = batch.vals[0]!;
    if (this.#cols.length !== 1 || col.type === "string" || isBigType(col.type) || v.valid !== null)
      return null;
    const order = batch.order;
    const m = order.length;
    const data = v.data as Float64Array;
    const sign = col.descending ? -1 : 1;
    let x = this.#x;
    let p = this.#p;
    if (x.length < m) {
      x = new Float64Array(m + (m >> 2));
      p = new Float64Array(m + (m >> 2));
      if (m <= SCRATCH_MAX) {
        this.#x = x;
        this.#p = p;
      }
    }
    const parents = batch.parents;
    for (let j = 0; j < m; j++) {
      const r = order[j]!;
      x[j] = sign * data[r]!;
      p[j] = parents[r]!;
    }
    return { x, p, sign, desc: col.descending };
  }

  /** Whether the batch's j-th row (sorted order) sorts before the first entry of `blk`. */
  #before(batch: Batch, numbers: SortedNumbers | null, j: number, blk: SortBlock): boolean {
    const v = blk.vals[0]!;
    if (numbers !== null) {
      if (v.valid !== null && v.valid[0] === 0) return numbers.desc; // a null entry
      const y = numbers.sign * (v.data as Float64Array)[0]!;
      return before(numbers.x[j]!, numbers.p[j]!, y, blk.parents[0]!, numbers.desc);
    }
    return this.#cmpFirst(batch, batch.order[j]!, blk) < 0;
  }
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
