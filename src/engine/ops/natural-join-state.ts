/**
 * The state of a naturalJoin / exactJoin (natural-join.ts): the key index, per key the right rows
 * and the chosen one, the left rows per key when the join must rewrite them on right changes, and
 * the redirection (left key -> chosen right key) its joined columns read through.
 */
import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { ValueError } from "../errors.ts";
import { RowRedirection } from "../row-redirection.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { Table } from "../table-core.ts";
import { JoinKeys, spanKeys } from "./join-keys.ts";
import type { ColumnPair } from "./match-columns.ts";
import { SlotRows } from "./slot-rows.ts";

/** How a naturalJoin treats several right rows with one key (Deephaven's NaturalJoinType). */
export type NaturalJoinType = "errorOnDuplicate" | "firstMatch" | "lastMatch" | "exactlyOneMatch";

export const NATURAL_JOIN_TYPES: readonly NaturalJoinType[] = [
  "errorOnDuplicate",
  "firstMatch",
  "lastMatch",
  "exactlyOneMatch",
];

export interface NaturalJoinOptions {
  readonly type?: NaturalJoinType;
}

const NONE = -1;

/** Key index, per-slot rows and the chosen right row; shared by construction and cycles. */
export class MatchState {
  readonly what: string;
  readonly type: NaturalJoinType;
  readonly keys: JoinKeys;
  readonly leftOn: ColumnSource[];
  readonly rightOn: ColumnSource[];
  readonly right = new SlotRows();
  /** Left rows per slot (null: not needed, see the module header). */
  readonly left: SlotRows | null;
  readonly redirection: RowRedirection;
  #chosen = new Float64Array(64).fill(NONE);
  readonly slots = new Int32Array(PAGE_SIZE);
  readonly prevSlots = new Int32Array(PAGE_SIZE);
  readonly keyBuf = new Float64Array(PAGE_SIZE);
  readonly parentBuf = new Float64Array(PAGE_SIZE);

  constructor(
    what: string,
    type: NaturalJoinType,
    left: Table,
    right: Table,
    on: readonly ColumnPair[],
    indexLeft: boolean,
  ) {
    this.what = what;
    this.type = type;
    this.keys = new JoinKeys(
      on.map((p) => p.left),
      on.map((p) => left.columns[p.left]!),
    );
    this.leftOn = on.map((p) => left.column(p.left));
    this.rightOn = on.map((p) => right.column(p.right));
    this.left = indexLeft ? new SlotRows() : null;
    this.redirection = new RowRedirection();
  }

  chosen(slot: number): number {
    return slot >= 0 && slot < this.#chosen.length ? this.#chosen[slot]! : NONE;
  }

  setChosen(slot: number, rightKey: number): void {
    if (slot >= this.#chosen.length) {
      let n = this.#chosen.length * 2;
      while (n <= slot) n *= 2;
      const next = new Float64Array(n).fill(NONE);
      next.set(this.#chosen);
      this.#chosen = next;
    }
    this.#chosen[slot] = rightKey;
  }

  /** The right row `slot` matches now (checking "errorOnDuplicate"). */
  choose(slot: number): number {
    const n = this.right.count(slot);
    if (n === 0) return NONE;
    switch (this.type) {
      case "firstMatch":
        return this.right.first(slot);
      case "lastMatch":
        return this.right.last(slot);
      case "errorOnDuplicate":
        if (n > 1) {
          const rows = this.right.rows(slot);
          throw new ValueError(
            `${this.what}: duplicate right key [${this.keys.describe(slot)}] (right row keys ${rows.slice(0, 2).join(" and ")}${n > 2 ? ` and ${n - 2} more` : ""}); use type "firstMatch" or "lastMatch" to pick one`,
          );
        }
        return this.right.first(slot);
      case "exactlyOneMatch":
        return n === 1 ? this.right.first(slot) : NONE;
    }
  }

  /** "exactlyOneMatch": a left row (key `leftKey`) of `slot` must have exactly one right row. */
  checkExactlyOne(slot: number, leftKey: number): void {
    if (this.type !== "exactlyOneMatch") return;
    const n = this.right.count(slot);
    if (n === 1) return;
    throw new ValueError(
      `${this.what}: left row key ${leftKey} [${this.keys.describe(slot)}] has ${n === 0 ? "no matching right row" : `${n} matching right rows`}; exactly one is required`,
    );
  }

  /** See JoinKeys.eachSlot. */
  eachSlot(
    rows: RowSet,
    sources: readonly ColumnSource[],
    prev: boolean,
    fn: (keys: Float64Array, slots: Int32Array, n: number) => void,
  ): void {
    this.keys.eachSlot(rows, sources, prev, fn);
  }

  /**
   * Frees the slots of `slots` whose key no right row (and, with a left index, no left row)
   * holds any more, so a stream of ever-new right keys does not grow the key index.
   */
  freeUnused(slots: Iterable<number>): void {
    const left = this.left;
    for (const s of slots) {
      if (s < 0 || this.right.count(s) > 0 || (left !== null && left.count(s) > 0)) continue;
      this.setChosen(s, NONE);
      this.keys.free(s);
    }
  }

  /** Matches left rows `rows` (added, or moved to another key): redirection and left index. */
  matchLeft(rows: RowSet): void {
    const parents = this.parentBuf;
    const perRow = this.left !== null || this.type === "exactlyOneMatch";
    forEachSpan(rows, (span) => {
      const slots = this.slots;
      const n = span.length;
      // Only indexed left rows (and exactJoin's, for its message) need a slot of their own.
      if (perRow) this.keys.slotsOf(this.leftOn, span, false, slots);
      else this.keys.lookup(this.leftOn, span, false, slots);
      for (let i = 0; i < n; i++) parents[i] = this.chosen(slots[i]!);
      if (perRow) {
        const keys = spanKeys(span, this.keyBuf);
        for (let i = 0; i < n; i++) {
          this.checkExactlyOne(slots[i]!, keys[i]!);
          this.left?.add(slots[i]!, keys[i]!);
        }
      }
      if (span.isRun) this.redirection.setRange(span.start, parents, n);
      else this.redirection.setKeys(span.keys, parents, n);
    });
  }
}
