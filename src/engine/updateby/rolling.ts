/**
 * Rolling updateBy kernels over windows that end at the current row (`fwdTicks = 0`,
 * `fwdTime = 0`): each group keeps its window's rows in a WindowRing (window-ring.ts), so a
 * stream's windows span cycles. Sum, Avg, Std and Count keep running moments (moments.ts): O(1)
 * per row; Min, Max and Product scan the window: O(window) per row.
 *
 * Tick windows hold the last `revTicks` rows of the group, nulls included (a null counts as a
 * row but not as a value). Time windows hold the rows at or before the current one whose stamp
 * is at least `ts - revTime`; a row with a null stamp is in no window and outputs null.
 */
import { ValueError } from "../errors.ts";
import type { ColumnType } from "../types.ts";
import type { Kernel } from "./kernel.ts";
import { stampOrderMessage } from "./kernel.ts";
import { Moments } from "./moments.ts";
import type { RollingKind } from "./update-by-spec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { putNull } from "./values.ts";
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

  constructor(kind: RollingKind, type: ColumnType, int: boolean) {
    this.kind = kind;
    this.outType = rollingType(kind, type, int);
    const running = kind === "Sum" || kind === "Avg" || kind === "Std" || kind === "Count";
    this.moments = running ? new Moments(int, kind === "Std") : null;
  }
  ensure(n: number): void {
    this.moments?.ensure(n);
  }
  reset(slot: number): void {
    const r = this.rings[slot];
    if (r) {
      r.head = 0;
      r.size = 0;
    }
    this.moments?.reset(slot);
  }
  save(slot: number): unknown {
    return [encRing(this.rings[slot]), this.moments?.save(slot) ?? null];
  }
  restore(slot: number, data: unknown): void {
    const [ring, m] = data as [unknown, unknown];
    this.rings[slot] = decRing(ring, 16);
    if (this.moments !== null) this.moments.restore(slot, m);
  }
  abstract run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void;

  /** Takes the oldest row out of slot `s`'s window. */
  protected dropOldest(s: number, r: WindowRing): void {
    const m = this.moments;
    if (m !== null) {
      const j = r.head;
      if (r.ok[j] === 1) m.add(s, r.f[j]!, r.big === null ? undefined : r.big[j], -1);
    }
    r.shift();
  }

  protected output(s: number, r: WindowRing, out: Out, i: number): void {
    if (this.moments !== null) this.moments.write(this.kind, s, out, i);
    else r.scan(this.kind, out, i);
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
    const m = this.moments;
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
      r.push(f[i]!, ok[i]!, big, 0, 0);
      if (m !== null && ok[i] === 1) m.add(s, f[i]!, big, 1);
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
    const m = this.moments;
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
      r.push(f[i]!, ok[i]!, big, h, l);
      if (m !== null && ok[i] === 1) m.add(s, f[i]!, big, 1);
      this.output(s, r, out, i);
    }
  }
}
