/**
 * head(n) / tail(n) over a refreshing sort (`t.sortDescending("Price").head(10)`): the first (last)
 * n rows of the sort's order, computed from the sort's parent without the sort's full order.
 *
 * `head` and `tail` choose this at construction when their parent is a refreshing, non-blink sort
 * result (`registerSortSource`) and n is at most TOP_N_MAX. The sort result itself stays dormant
 * (table-node.ts `setDemand`): it builds and keeps its order only once something else reads its
 * rows, its updates or listens to it, so a head or tail alone costs what this operator does.
 *
 * Each cycle: the parent's removed rows (and modified rows whose sort columns changed) leave a
 * TopBuffer of the best `n + reserve` rows, its added rows (and those modified rows again) are
 * offered to it (one comparison each with the buffer's worst entry), and when removals leave it
 * with fewer than n rows while the parent has more, it is refilled by one sorted read of the whole
 * parent (top-n-buffer.ts). The window is the buffer's first n rows. Cost per cycle: O(change)
 * comparisons plus O(n + reserve); a refill O(parent rows).
 *
 * Keys. As the sort's, the result's ascending keys are its order and are sparse: rows that stay
 * keep their keys, a row coming in takes a key in the gap between its neighbours' (SPACING apart
 * at the ends, the middle of the gap between two), and when a gap has no room left the whole
 * window is spread again (every row a new key: rare, and at most n rows). A row whose sort values
 * changed keeps its key when it still lies between its neighbours (a modification), else it is
 * removed and added. A key one row left and another took is a modification of the columns in
 * which the two rows differ (none: not reported). So a cycle that changes no row of the window
 * emits no update, and a new best row is one added and one removed key, as under the sort.
 */
import type { ColumnSource } from "../column-source.ts";
import { Operator } from "../operator.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { RawValue } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { WindowRedirection } from "../window-redirection.ts";
import type { SortColumn } from "./sort-columns.ts";
import { CENTER, KEY_END, SPACING } from "./sort-keys.ts";
import { TopBuffer } from "./top-n-buffer.ts";

/** Largest n a head or tail over a sort keeps by itself; larger windows slice the full sort. */
export const TOP_N_MAX = 4096;

/** Rows the buffer keeps beyond the window (at least), so that removals rarely force a refill. */
const RESERVE = 64;

const STANDARD: TableAttributes = {
  refreshing: true,
  blink: false,
  appendOnly: false,
  addOnly: false,
};

interface SortSource {
  readonly parent: Table;
  readonly cols: readonly SortColumn[];
}

const SOURCES = new WeakMap<Table, SortSource>();
const WINDOWS = new WeakSet<Table>();

/** @internal Whether `t` is a head or tail computed from the parent of a sort (tests). */
export function isWindowOverSort(t: Table): boolean {
  return WINDOWS.has(t);
}

/** @internal Records that `result` is a refreshing sort of `parent` by `cols` (sort.ts). */
export function registerSortSource(
  result: Table,
  parent: Table,
  cols: readonly SortColumn[],
): void {
  SOURCES.set(result, { parent, cols });
}

/**
 * Keys for the rows `keys[s..e)` (NaN) between the keys `lo` and `hi` (-1: none), ascending;
 * false when the gap has no room.
 */
function fillGap(keys: Float64Array, s: number, e: number, lo: number, hi: number): boolean {
  const c = e - s;
  let first: number;
  let step: number;
  if (lo < 0 && hi < 0) {
    step = SPACING;
    first = CENTER - Math.floor(c / 2) * SPACING;
  } else if (hi < 0) {
    step = Math.min(SPACING, Math.floor((KEY_END - 1 - lo) / c));
    first = lo + step;
  } else if (lo < 0) {
    step = Math.min(SPACING, Math.floor(hi / (c + 1)));
    first = hi - c * step;
  } else {
    step = Math.floor((hi - lo) / (c + 1));
    first = lo + step;
  }
  if (step < 1) return false;
  for (let j = 0; j < c; j++) keys[s + j] = first + j * step;
  return true;
}

class TopNOperator extends Operator {
  readonly #n: number;
  readonly #fromEnd: boolean;
  readonly #buffer: TopBuffer;
  readonly #names: ReadonlySet<string>;
  readonly #columns: string[];
  readonly #redirection: WindowRedirection;
  /** The window now, in order: parent keys and result keys. */
  #parents: number[] = [];
  #keys = new Float64Array(0);

  constructor(
    result: Table,
    parent: Table,
    src: SortSource,
    n: number,
    fromEnd: boolean,
    reserve: number,
    redirection: WindowRedirection,
  ) {
    super(result, [parent]);
    this.#n = n;
    this.#fromEnd = fromEnd;
    this.#buffer = new TopBuffer(src.cols, n + reserve, fromEnd);
    this.#names = new Set(src.cols.map((c) => c.name));
    this.#columns = parent.columnNames;
    this.#redirection = redirection;
  }

  /** The window's rows (parent keys) in the sort's order, from the buffer. */
  #window(): number[] {
    const b = this.#buffer;
    const w = Math.min(this.#n, b.size);
    const out = new Array<number>(w);
    for (let i = 0; i < w; i++) out[i] = b.parent(this.#fromEnd ? w - 1 - i : i);
    return out;
  }

  /** Builds the first window (the result's initial rows) from the parent's rows now. */
  init(): RowSet {
    this.#buffer.fill(this.parents[0]!.rowSet);
    const parents = this.#window();
    const keys = new Float64Array(parents.length).fill(Number.NaN);
    if (parents.length > 0) fillGap(keys, 0, parents.length, -1, -1);
    const map = new Map<number, number>();
    for (let i = 0; i < parents.length; i++) map.set(keys[i]!, parents[i]!);
    this.#redirection.init(map);
    this.#parents = parents;
    this.#keys = keys;
    return RowSet.fromKeys(keys);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const up = u!;
    const sortChanged = up.modifiedColumns.some((c) => this.#names.has(c));
    const movers = sortChanged ? up.modified : RowSet.EMPTY;
    const b = this.#buffer;
    b.drop(sortChanged ? up.removed.union(movers) : up.removed);
    b.offer(sortChanged ? up.added.union(movers) : up.added);
    if (b.size < this.#n && !b.complete) b.fill(this.parents[0]!.rowSet);
    return this.#change(this.#window(), up, movers);
  }

  /** Gives the new window keys and reports what changed against the old one. */
  #change(parents: number[], u: TableUpdate, movers: RowSet): TableUpdate | null {
    const w = parents.length;
    const oldKey = new Map<number, number>();
    for (let i = 0; i < this.#parents.length; i++) oldKey.set(this.#parents[i]!, this.#keys[i]!);
    const keys = new Float64Array(w).fill(Number.NaN);
    // Rows that stay with unchanged sort values keep their keys (their order among themselves
    // holds); a mover keeps its key when it still lies between its kept neighbours.
    const next = new Float64Array(w + 1);
    next[w] = KEY_END;
    for (let i = w - 1; i >= 0; i--) {
      const k = oldKey.get(parents[i]!);
      next[i] = k !== undefined && !movers.contains(parents[i]!) ? k : next[i + 1]!;
    }
    let last = -1;
    for (let i = 0; i < w; i++) {
      const p = parents[i]!;
      const k = oldKey.get(p);
      if (k === undefined) continue;
      if (!movers.contains(p) || (k > last && k < next[i + 1]!)) {
        keys[i] = k;
        last = k;
      }
    }
    let ok = true;
    for (let s = 0; s < w && ok; ) {
      if (!Number.isNaN(keys[s]!)) {
        s++;
        continue;
      }
      let e = s;
      while (e < w && Number.isNaN(keys[e]!)) e++;
      ok = fillGap(keys, s, e, s > 0 ? keys[s - 1]! : -1, e < w ? keys[e]! : -1);
      s = e;
    }
    if (!ok) {
      keys.fill(Number.NaN);
      fillGap(keys, 0, w, -1, -1);
    }

    // Keys that left (or whose row took another key), keys taken by a row that did not hold them,
    // and rows that kept their key and were modified.
    const newKey = new Map<number, number>();
    for (let i = 0; i < w; i++) newKey.set(parents[i]!, keys[i]!);
    const removed: number[] = [];
    for (let i = 0; i < this.#parents.length; i++)
      if (newKey.get(this.#parents[i]!) !== this.#keys[i]!) removed.push(this.#keys[i]!);
    const added: number[] = [];
    const modified: number[] = [];
    for (let i = 0; i < w; i++) {
      const p = parents[i]!;
      const k = keys[i]!;
      if (oldKey.get(p) !== k) added.push(k);
      else if (u.modified.contains(p)) modified.push(k);
    }
    if (removed.length === 0 && added.length === 0 && modified.length === 0) return null;
    const addedSet = RowSet.fromKeys(added);
    const removedSet = RowSet.fromKeys(removed);
    // A key that one row left and another took is a modification of that position, in the
    // columns whose values differ between the two rows (none: the position did not change).
    const both = addedSet.intersect(removedSet);
    if (removed.length > 0 || added.length > 0) {
      const map = new Map<number, number>();
      for (let i = 0; i < w; i++) map.set(keys[i]!, parents[i]!);
      this.#redirection.replace(map);
    }
    const { keys: taken, columns: takenColumns } = both.isEmpty
      ? { keys: RowSet.EMPTY, columns: [] }
      : this.#differing(both);
    this.#parents = parents;
    this.#keys = keys;
    const rows = RowSet.fromKeys(keys);
    nodeOf(this.result).setRowSet(rows);
    const modifiedSet = RowSet.fromKeys(modified).union(taken);
    const columns =
      modified.length === 0
        ? takenColumns
        : taken.isEmpty
          ? u.modifiedColumns
          : this.#columns.filter((c) => takenColumns.includes(c) || u.modifiedColumns.includes(c));
    const up = makeUpdate(
      addedSet.minus(both),
      removedSet.minus(both),
      modifiedSet,
      modifiedSet.isEmpty ? [] : columns,
    );
    return up.added.isEmpty && up.removed.isEmpty && up.modified.isEmpty ? null : up;
  }

  /**
   * Of the keys `both` (each left by one parent row and taken by another; the redirection maps
   * them to the new rows, and to the old ones for `prev`), those whose new row differs from the
   * old one in some column (the old row read as of the end of the previous cycle: what the window
   * showed), and the columns that differ, in table order. At most n keys, each a read of every
   * column.
   */
  #differing(both: RowSet): { keys: RowSet; columns: string[] } {
    const sources = this.parents[0]!.columnMap;
    const redirection = this.#redirection;
    const differs = new Set<string>();
    const keys: number[] = [];
    both.forEach((k) => {
      const was = redirection.get(k, true);
      const now = redirection.get(k);
      let any = false;
      for (const [name, col] of sources) {
        if (!sameCell(col.getRaw(was, true), col.getRaw(now))) {
          differs.add(name);
          any = true;
        }
      }
      if (any) keys.push(k);
    });
    return { keys: RowSet.fromKeys(keys), columns: this.#columns.filter((c) => differs.has(c)) };
  }
}

/** Whether two cells hold the same value (NaN equals NaN, -0 differs from 0; arrays by element). */
function sameCell(a: RawValue, b: RawValue): boolean {
  if (Object.is(a, b)) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * `head(n)` (`fromEnd` false) or `tail(n)` of `t` computed from the parent of the sort `t`, or
 * null when `t` is not a refreshing non-blink sort result or n is above TOP_N_MAX (the caller then
 * slices `t` itself). `reserve`: rows kept beyond the window (tests pass small ones to force
 * refills).
 */
export function windowOverSort(
  t: Table,
  n: number,
  fromEnd: boolean,
  kind: string,
  reserve = Math.max(n, RESERVE),
): Table | null {
  const src = SOURCES.get(t);
  if (src === undefined || n > TOP_N_MAX) return null;
  assertUsable(t);
  const parent = src.parent;
  const graph = parent.graph as UpdateGraph;
  const redirection = new WindowRedirection(graph);
  const columns = new Map<string, ColumnSource>();
  let owned = true;
  for (const [name, col] of parent.columnMap) {
    columns.set(name, new RedirectedColumnSource(col, redirection, owned));
    owned = false;
  }
  const result = new Table(columns, RowSet.EMPTY, STANDARD, graph, kind);
  const op = new TopNOperator(result, parent, src, n, fromEnd, reserve, redirection);
  nodeOf(result).setRowSet(op.init());
  nodeOf(result).attach(op);
  WINDOWS.add(result);
  return result;
}
