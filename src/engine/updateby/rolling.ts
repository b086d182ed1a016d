/**
 * Rolling updateBy kernels over windows that end at the current row (`fwdTicks = 0`,
 * `fwdTime = 0`): each group keeps its window's rows in a WindowRing (window-ring.ts), so a
 * stream's windows span cycles. Every kind costs O(1) amortized per row:
 * - Sum, Avg, Std and Count keep running moments (moments.ts);
 * - Min and Max keep a monotonic deque of the window's rows (seq-deque.ts): a row enters once,
 *   drops out of the back when a later value beats it (strictly: the earlier of equal values
 *   stays, as the scan's "ties keep the earlier value"), and out of the front when it leaves;
 * - Product keeps the window as two segments (a two-stack queue): the newer rows' running
 *   product, and for the older rows their suffix products, computed once when the older segment
 *   runs out (each row is in one such pass). Nulls count as 1 and a non-null count says whether
 *   the window has a value; IEEE products take NaN, infinities and signed zeros the same in any
 *   grouping, and only roundings of inexact products may differ from a left-to-right product.
 *
 * Tick windows hold the last `revTicks` rows of the group, nulls included (a null counts as a
 * row but not as a value). Time windows hold the rows at or before the current one whose stamp
 * is at least `ts - revTime`; a row with a null stamp is in no window and outputs null.
 */

import { grow } from "../agg/slot-arrays.ts";
import { ValueError } from "../errors.ts";
import type { ColumnType } from "../types.ts";
import { above } from "./cumulative.ts";
import type { Kernel } from "./kernel.ts";
import { stampOrderMessage } from "./kernel.ts";
import { Moments } from "./moments.ts";
import { SeqDeque } from "./seq-deque.ts";
import { decF, encNum } from "./state-codec.ts";
import type { RollingKind } from "./update-by-spec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { putNull, putNumber, putPrim } from "./values.ts";
import { decRing, encRing, WindowRing } from "./window-ring.ts";

/** The output type of a rolling `kind` over an input of `type`. */
export function rollingType(kind: RollingKind, type: ColumnType, int: boolean): ColumnType {
  if (kind === "Count") return "int64";
  if (kind === "Sum") return int ? "int64" : "float64";
  if (kind === "Min" || kind === "Max") return type;
  return "float64";
}

abstract class RingKernel implements Kernel {
  readonly outType: ColumnType;
  readonly raw = false;
  protected readonly kind: RollingKind;
  protected readonly moments: Moments | null;
  protected rings: (WindowRing | undefined)[] = [];
  /** 1: max, -1: min, 0: neither. */
  readonly #extreme: number;
  readonly #product: boolean;
  #deques: (SeqDeque | undefined)[] = [];
  /** Rows pushed into each slot's ring so far (the next row's sequence number). */
  #pushed = new Float64Array(16);
  /** Product: non-null rows in the window, the newer segment's product, the older's length. */
  #nn = new Float64Array(16);
  #back = new Float64Array(16).fill(1);
  #front = new Float64Array(16);

  constructor(kind: RollingKind, type: ColumnType, int: boolean) {
    this.kind = kind;
    this.outType = rollingType(kind, type, int);
    const running = kind === "Sum" || kind === "Avg" || kind === "Std" || kind === "Count";
    this.moments = running ? new Moments(int, kind === "Std") : null;
    this.#extreme = kind === "Max" ? 1 : kind === "Min" ? -1 : 0;
    this.#product = kind === "Product";
  }
  ensure(n: number): void {
    this.moments?.ensure(n);
    this.#pushed = grow(this.#pushed, n);
    if (this.#product) {
      this.#nn = grow(this.#nn, n);
      this.#back = grow(this.#back, n, 1);
      this.#front = grow(this.#front, n);
    }
  }
  reset(slot: number): void {
    const r = this.rings[slot];
    if (r) {
      r.head = 0;
      r.size = 0;
    }
    this.moments?.reset(slot);
    this.#deques[slot]?.clear();
    if (this.#product) {
      this.#nn[slot] = 0;
      this.#back[slot] = 1;
      this.#front[slot] = 0;
    }
  }
  save(slot: number): unknown {
    const product = this.#product
      ? [this.#nn[slot], encNum(this.#back[slot]!), this.#front[slot]]
      : null;
    return [encRing(this.rings[slot]), this.moments?.save(slot) ?? null, product];
  }
  restore(slot: number, data: unknown): void {
    const [ring, m, product] = data as [unknown, unknown, [number, unknown, number] | null];
    const r = decRing(ring, 16);
    this.rings[slot] = r;
    if (this.moments !== null) this.moments.restore(slot, m);
    if (product !== null) {
      this.#nn[slot] = product[0];
      this.#back[slot] = decF(product[1]);
      this.#front[slot] = product[2];
    }
    if (this.#extreme !== 0 && r !== undefined) {
      // The deque is a function of the window's rows: replay them.
      const d = this.#deque(slot);
      d.clear();
      this.#pushed[slot] = r.size;
      for (let k = 0; k < r.size; k++) if (r.ok[r.at(k)] === 1) this.#enter(slot, r, d, k);
    }
  }
  abstract run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void;

  #deque(s: number): SeqDeque {
    let d = this.#deques[s];
    if (d === undefined) {
      d = new SeqDeque();
      this.#deques[s] = d;
    }
    return d;
  }

  /** Array position in `r` of the row numbered `seq` (it is in the window). */
  #pos(s: number, r: WindowRing, seq: number): number {
    return r.at(seq - (this.#pushed[s]! - r.size));
  }

  /** Min/max: the row numbered `seq`, just pushed, enters the deque. */
  #enter(s: number, r: WindowRing, d: SeqDeque, seq: number): void {
    const v = r.prim(this.#pos(s, r, seq));
    const max = this.#extreme > 0;
    while (d.size > 0) {
      const b = r.prim(this.#pos(s, r, d.back()));
      if (!(max ? above(v, b) : above(b, v))) break;
      d.popBack();
    }
    d.push(seq);
  }

  /** Appends a row to slot `s`'s window. */
  protected add(
    s: number,
    r: WindowRing,
    v: number,
    ok: number,
    big: bigint | undefined,
    th: number,
    tl: number,
  ): void {
    r.push(v, ok, big, th, tl);
    const seq = this.#pushed[s]!;
    this.#pushed[s] = seq + 1;
    if (ok !== 1) return;
    if (this.moments !== null) this.moments.add(s, v, big, 1);
    else if (this.#extreme !== 0) this.#enter(s, r, this.#deque(s), seq);
    else if (this.#product) {
      this.#nn[s]! += 1;
      this.#back[s] = this.#back[s]! * v;
    }
  }

  /** Takes the oldest row out of slot `s`'s window. */
  protected dropOldest(s: number, r: WindowRing): void {
    const j = r.head;
    const ok = r.ok[j] === 1;
    const m = this.moments;
    if (m !== null) {
      if (ok) m.add(s, r.f[j]!, r.big === null ? undefined : r.big[j], -1);
    } else if (this.#extreme !== 0) {
      const d = this.#deques[s];
      if (d !== undefined && d.size > 0 && d.front() === this.#pushed[s]! - r.size) d.popFront();
    } else if (this.#product) {
      if (this.#front[s] === 0) this.#flip(s, r);
      this.#front[s]! -= 1;
      if (ok) this.#nn[s]! -= 1;
    }
    r.shift();
  }

  /** Product: every row of the window moves to the older segment, with its suffix products. */
  #flip(s: number, r: WindowRing): void {
    if (r.p === null || r.p.length !== r.capacity) {
      const p = new Float64Array(r.capacity);
      r.p = p;
    }
    const p = r.p;
    let acc = 1;
    for (let k = r.size - 1; k >= 0; k--) {
      const j = r.at(k);
      acc = (r.ok[j] === 1 ? r.f[j]! : 1) * acc;
      p[j] = acc;
    }
    this.#front[s] = r.size;
    this.#back[s] = 1;
  }

  protected output(s: number, r: WindowRing, out: Out, i: number): void {
    if (this.moments !== null) {
      this.moments.write(this.kind, s, out, i);
      return;
    }
    if (this.#product) {
      if (this.#nn[s] === 0) putNull(out, i);
      else {
        const older = this.#front[s]! > 0 ? r.p![r.head]! : 1;
        putNumber(out, i, older * this.#back[s]!);
      }
      return;
    }
    const d = this.#deques[s];
    if (d === undefined || d.size === 0) putNull(out, i);
    else putPrim(out, i, r.prim(this.#pos(s, r, d.front())));
  }
}

export class RollingTick extends RingKernel {
  readonly #rev: number;
  constructor(kind: RollingKind, type: ColumnType, int: boolean, revTicks: number) {
    super(kind, type, int);
    this.#rev = revTicks;
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const rings = this.rings;
    const rev = this.#rev;
    const f = x.f;
    const ok = x.ok;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      let r = rings[s];
      if (r === undefined) {
        r = new WindowRing(Math.min(rev, 16), false);
        rings[s] = r;
      }
      if (r.size === rev) this.dropOldest(s, r);
      const big = x.big === null ? undefined : x.big[i];
      this.add(s, r, f[i]!, ok[i]!, big, 0, 0);
      this.output(s, r, out, i);
    }
  }
}

export class RollingTime extends RingKernel {
  readonly #rev: number;
  readonly #op: string;
  readonly #tsCol: string;
  constructor(
    kind: RollingKind,
    type: ColumnType,
    int: boolean,
    revNanos: number,
    op: string,
    tsCol: string,
  ) {
    super(kind, type, int);
    this.#rev = revNanos;
    this.#op = op;
    this.#tsCol = tsCol;
  }
  run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void {
    const rings = this.rings;
    const rev = this.#rev;
    const f = x.f;
    const ok = x.ok;
    const th = ts!.th;
    const tl = ts!.tl;
    const tok = ts!.ok;
    for (let i = 0; i < n; i++) {
      if (tok[i] === 0) {
        putNull(out, i);
        continue;
      }
      const s = slots[i]!;
      let r = rings[s];
      if (r === undefined) {
        r = new WindowRing(16, true);
        rings[s] = r;
      }
      const h = th[i]!;
      const l = tl[i]!;
      if (r.size > 0) {
        const last = r.at(r.size - 1);
        if (h - r.th![last]! + (l - r.tl![last]!) < 0)
          throw new ValueError(stampOrderMessage(this.#op, this.#tsCol), this.#tsCol);
      }
      while (r.size > 0 && h - r.th![r.head]! + (l - r.tl![r.head]!) > rev) this.dropOldest(s, r);
      const big = x.big === null ? undefined : x.big[i];
      this.add(s, r, f[i]!, ok[i]!, big, h, l);
      this.output(s, r, out, i);
    }
  }
}
