/**
 * AsOfState: the incremental state of one as-of join (`aj` / `raj`). Per exact-key group it keeps
 * the right rows ordered by stamp (StampList) and, when the right side can change, the left rows
 * ordered by stamp too, and it writes each left row's match into the result's RowRedirection.
 *
 * Everything is written in `aj`'s form (`raj` reverses the lists' order, see stamp-list.ts):
 * a left row with stamp t matches the last right row (by row key among equal stamps) whose stamp
 * is <= t (`strict`: < t). A change of the right rows at stamp c (an addition, a removal, or a
 * modification of a joined value) can only change the match of left rows with stamps in
 * [c, succ(c)) (`strict`: (c, succ(c)]), where succ(c) is the next right stamp after c, and all
 * of them then match the same right row: the last one at or before c. So a cycle touches the
 * changed right rows and exactly the left rows in those intervals (O(log n) each), never the
 * rest of either table.
 */
import { PAGE_SIZE } from "../column.ts";
import type { Chunk, ColumnSource, Vec } from "../column-source.ts";
import type { RowRedirection } from "../row-redirection.ts";
import type { RowSet } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType } from "../types.ts";
import { AsOfGroups } from "./as-of-groups.ts";
import { chunksFor } from "./eval.ts";
import { StampCodec } from "./stamp-codec.ts";
import { StampCursor, StampList } from "./stamp-list.ts";

class Group {
  /** The group's slot in AsOfGroups. */
  readonly slot: number;
  readonly right: StampList;
  readonly left: StampList | null;
  /** Right stamps changed this cycle (list order not yet sorted). */
  chA: number[] = [];
  chB: number[] = [];
  chS: string[] = [];
  dirty = false;
  /** Listed in AsOfState's groups with left rows. */
  listed = false;
  /** Deleted from AsOfGroups (its slot may belong to another key now). */
  gone = false;
  /** Where the last left row of this `addLeft` call matched (valid while `epoch` is current). */
  readonly cursor = new StampCursor();
  epoch = -1;
  constructor(slot: number, strings: boolean, dir: 1 | -1, withLeft: boolean) {
    this.slot = slot;
    this.right = new StampList(strings, dir);
    this.left = withLeft ? new StampList(strings, dir) : null;
  }
}

/** One side's key and stamp columns, with reusable chunks for current and previous reads. */
class Side {
  readonly cols: ColumnSource[];
  readonly #cur: Chunk[];
  readonly #prev: Chunk[];
  readonly codec: StampCodec;
  readonly groups: (Group | undefined)[] = [];
  constructor(keyCols: ColumnSource[], stamp: ColumnSource) {
    this.cols = [...keyCols, stamp];
    this.#cur = chunksFor(this.cols);
    this.#prev = chunksFor(this.cols);
    this.codec = new StampCodec(stamp.type, PAGE_SIZE);
  }
  read(span: Span, prev: boolean): Vec[] {
    const chunks = prev ? this.#prev : this.#cur;
    return this.cols.map((c, j) => c.getChunk(span, prev, chunks[j]));
  }
}

export class AsOfState {
  readonly #keys: AsOfGroups<Group>;
  readonly #left: Side;
  readonly #right: Side;
  readonly #strings: boolean;
  readonly #strict: boolean;
  readonly #withLeft: boolean;
  readonly #redirection: RowRedirection;
  readonly #make: (slot: number) => Group;
  #dirty: Group[] = [];
  #maybeEmpty: Group[] = [];
  /** Groups that may hold left rows (for clearLeft). */
  #leftGroups: Group[] = [];
  /** The left is a blink table: every cycle removes all its rows (clearLeft). */
  readonly #blinkLeft: boolean;
  /** Counts `addLeft` calls: a group's cursor is reset once per call. */
  #epoch = 0;
  #parentKeys = new Float64Array(0);
  #childKeys = new Float64Array(0);

  /**
   * `dir`: 1 for aj, -1 for raj; `strict`: `>` / `<`; `withLeft`: keep the left rows ordered
   * (needed when the right side can change and left rows outlive a cycle); `blinkLeft`: the left is a blink table.
   */
  constructor(
    keyTypes: readonly ColumnType[],
    left: { keys: ColumnSource[]; stamp: ColumnSource },
    right: { keys: ColumnSource[]; stamp: ColumnSource },
    dir: 1 | -1,
    strict: boolean,
    withLeft: boolean,
    blinkLeft: boolean,
    redirection: RowRedirection,
  ) {
    this.#blinkLeft = blinkLeft;
    this.#keys = new AsOfGroups<Group>(keyTypes);
    this.#left = new Side(left.keys, left.stamp);
    this.#right = new Side(right.keys, right.stamp);
    this.#strings = left.stamp.type === "string";
    this.#strict = strict;
    this.#withLeft = withLeft;
    this.#redirection = redirection;
    this.#make = (slot) => new Group(slot, this.#strings, dir, withLeft);
  }

  /** Reads `rows` of a side in spans: each row's group (created when `create`) and stamp. */
  #each(
    side: Side,
    rows: RowSet,
    prev: boolean,
    create: boolean,
    visit: (span: Span, n: number) => void,
  ): void {
    const k = side.cols.length - 1;
    forEachSpan(rows, (span) => {
      const n = span.length;
      const vecs = side.read(span, prev);
      this.#keys.lookup(vecs, n, side.groups, create ? this.#make : null);
      side.codec.read(vecs[k]!, n);
      visit(span, n);
    });
  }

  #note(g: Group, a: number, b: number, s: string): void {
    // Noted stamps re-match left rows kept in lists; without lists there is nothing to re-match.
    if (!this.#withLeft) return;
    // A change at stamp c re-matches only left rows at or after c, and the left lists do not
    // change while the right's changes are noted (left rows leave before, arrive after): when
    // every left row of the group lies before c (stamps arriving in order), nothing to note.
    if (g.left!.endsBefore(a, b, s)) return;
    if (!g.dirty) {
      g.dirty = true;
      this.#dirty.push(g);
    }
    g.chA.push(a);
    g.chB.push(b);
    if (this.#strings) g.chS.push(s);
  }

  /** Right rows added (current values); `track`: note their stamps for `rescan`. */
  addRight(rows: RowSet, track: boolean): void {
    const side = this.#right;
    const groups = side.groups;
    const withLeft = this.#withLeft;
    this.#each(side, rows, false, true, (span, n) => {
      const { a, b, s, isNull } = side.codec;
      for (let i = 0; i < n; i++) {
        if (isNull[i]) continue;
        const g = groups[i]!;
        const key = span.isRun ? span.start + i : span.keys[i]!;
        g.right.insert(a[i]!, b[i]!, s[i]!, key);
        if (track && withLeft) this.#note(g, a[i]!, b[i]!, s[i]!);
      }
    });
  }

  /** Right rows removed (previous values); their stamps are noted for `rescan`. */
  removeRight(rows: RowSet): void {
    const side = this.#right;
    const groups = side.groups;
    this.#each(side, rows, true, false, (span, n) => {
      const { a, b, s, isNull } = side.codec;
      for (let i = 0; i < n; i++) {
        const g = groups[i];
        if (isNull[i] || g === undefined) continue;
        const key = span.isRun ? span.start + i : span.keys[i]!;
        if (!g.right.remove(a[i]!, b[i]!, s[i]!, key))
          throw new Error(`as-of join: removed right row ${key} was not in its group`);
        this.#note(g, a[i]!, b[i]!, s[i]!);
        this.#maybeEmpty.push(g);
      }
    });
  }

  /** Right rows whose joined values changed in place: their stamps are noted for `rescan`. */
  touchRight(rows: RowSet): void {
    const side = this.#right;
    const groups = side.groups;
    this.#each(side, rows, false, false, (_span, n) => {
      const { a, b, s, isNull } = side.codec;
      for (let i = 0; i < n; i++) {
        const g = groups[i];
        if (!isNull[i] && g !== undefined) this.#note(g, a[i]!, b[i]!, s[i]!);
      }
    });
  }

  /** Left rows removed, or about to move (previous values): out of their groups' lists. */
  removeLeft(rows: RowSet): void {
    if (!this.#withLeft) return;
    const side = this.#left;
    const groups = side.groups;
    this.#each(side, rows, true, false, (span, n) => {
      const { a, b, s, isNull } = side.codec;
      for (let i = 0; i < n; i++) {
        const g = groups[i];
        if (isNull[i] || g === undefined) continue;
        const key = span.isRun ? span.start + i : span.keys[i]!;
        if (!g.left!.remove(a[i]!, b[i]!, s[i]!, key))
          throw new Error(`as-of join: removed left row ${key} was not in its group`);
        this.#maybeEmpty.push(g);
      }
    });
  }

  /** Every left row was removed (a blink table's cycle): empties the left lists at once. */
  clearLeft(): void {
    for (const g of this.#leftGroups) {
      g.left?.clear();
      g.listed = false;
      this.#maybeEmpty.push(g);
    }
    this.#leftGroups = [];
  }

  /**
   * Left rows added or moved (current values): into their groups' lists, each matched and
   * redirected. With `compare`, returns whether some row's match differs from before.
   */
  addLeft(rows: RowSet, compare: boolean): boolean {
    const side = this.#left;
    const groups = side.groups;
    const withLeft = this.#withLeft;
    const strict = this.#strict;
    const redirection = this.#redirection;
    const epoch = ++this.#epoch;
    let changed = false;
    this.#each(side, rows, false, withLeft, (span, n) => {
      const { a, b, s, isNull } = side.codec;
      if (this.#parentKeys.length < n) {
        this.#parentKeys = new Float64Array(Math.max(n, 4096));
        this.#childKeys = new Float64Array(Math.max(n, 4096));
      }
      const parents = this.#parentKeys;
      const children = this.#childKeys;
      for (let i = 0; i < n; i++) {
        const key = span.isRun ? span.start + i : span.keys[i]!;
        children[i] = key;
        const g = groups[i];
        if (isNull[i] || g === undefined) {
          parents[i] = -1;
        } else {
          if (withLeft) {
            g.left!.insert(a[i]!, b[i]!, s[i]!, key);
            if (this.#blinkLeft && !g.listed) {
              g.listed = true;
              this.#leftGroups.push(g);
            }
          }
          if (g.epoch !== epoch) {
            g.epoch = epoch;
            g.cursor.fresh = true;
          }
          parents[i] = g.right.floorKeyAt(g.cursor, a[i]!, b[i]!, s[i]!, strict);
        }
        if (compare && !changed && redirection.get(key) !== parents[i]) changed = true;
      }
      if (span.isRun) redirection.setRange(span.start, parents, n);
      else redirection.setKeys(children, parents, n);
    });
    return changed;
  }

  /**
   * Re-matches the left rows in the intervals of the right stamps noted this cycle; calls
   * `onRematch(leftKey, rightKey, changed)` for each (changed: the redirection moved).
   */
  rescan(onRematch: (leftKey: number, rightKey: number, changed: boolean) => void): void {
    const strict = this.#strict;
    const redirection = this.#redirection;
    for (const g of this.#dirty) {
      const list = g.left;
      const right = g.right;
      if (list === null || this.#before(list, g)) {
        // No left row at or after the earliest changed stamp: no match can change.
        this.#clean(g);
        continue;
      }
      const order = this.#order(g);
      const rc = new StampCursor();
      const lc = new StampCursor();
      let covered = false;
      let endless = false;
      let hiA = 0;
      let hiB = 0;
      let hiS = "";
      let m = -1;
      const visit = (lk: number) => {
        const old = redirection.get(lk);
        if (old !== m) redirection.set(lk, m);
        onRematch(lk, m, old !== m);
      };
      for (const j of order) {
        const ca = g.chA[j]!;
        const cb = g.chB[j]!;
        const cs = this.#strings ? g.chS[j]! : "";
        if (covered && (endless || right.compareStamps(ca, cb, cs, hiA, hiB, hiS) < 0)) continue;
        // Every left row in [c, next right stamp) (strict: (c, next]) matches the last right row
        // at or before c.
        m = right.floorAndNext(rc, ca, cb, cs);
        const hasHi = right.hasNext;
        hiA = right.nextA;
        hiB = right.nextB;
        hiS = right.nextS;
        covered = true;
        endless = !hasHi;
        list?.scan(lc, ca, cb, cs, !strict, hasHi, hiA, hiB, hiS, strict, visit);
      }
      this.#clean(g);
    }
    this.#dirty = [];
  }

  /** Whether every left row of `g` lies before its earliest changed right stamp. */
  #before(list: StampList, g: Group): boolean {
    if (list.size === 0) return true;
    const { chA, chB, chS } = g;
    const str = this.#strings;
    let m = 0;
    for (let j = 1; j < chA.length; j++) {
      if (
        g.right.compareStamps(
          chA[j]!,
          chB[j]!,
          str ? chS[j]! : "",
          chA[m]!,
          chB[m]!,
          str ? chS[m]! : "",
        ) < 0
      )
        m = j;
    }
    return list.endsBefore(chA[m]!, chB[m]!, str ? chS[m]! : "");
  }

  #clean(g: Group): void {
    g.dirty = false;
    g.chA.length = 0;
    g.chB.length = 0;
    g.chS.length = 0;
  }

  /** Indices of `g`'s noted stamps in list order (already in order: no sort). */
  #order(g: Group): number[] {
    const n = g.chA.length;
    const { chA, chB, chS } = g;
    const str = this.#strings;
    const cmp = (x: number, y: number) =>
      g.right.compareStamps(
        chA[x]!,
        chB[x]!,
        str ? chS[x]! : "",
        chA[y]!,
        chB[y]!,
        str ? chS[y]! : "",
      );
    const idx = new Array<number>(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      idx[i] = i;
      if (sorted && i > 0 && cmp(i - 1, i) > 0) sorted = false;
    }
    if (!sorted) idx.sort(cmp);
    return idx;
  }

  /** Forgets groups emptied this cycle (so a stream of new keys does not grow the state). */
  endCycle(): void {
    for (const g of this.#maybeEmpty) {
      if (g.right.size === 0 && (g.left === null || g.left.size === 0) && !g.dirty && !g.gone) {
        g.gone = true;
        this.#keys.delete(g.slot);
      }
    }
    this.#maybeEmpty = [];
  }
}
