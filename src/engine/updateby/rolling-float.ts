/**
 * The hot rolling kernel: Sum, Avg and Count of a float input over a window ending at the
 * current row (ticks or time), with the ring, the running sums and the output inlined in one loop
 * (rolling.ts's general kernels pay a call per step, which halves their rate). Same semantics:
 * finite values are summed, NaN and infinities counted, and a window whose count drops to 0
 * starts again from an exact 0.
 */
import { grow } from "../agg/slot-arrays.ts";
import { ValueError } from "../errors.ts";
import type { ColumnType } from "../types.ts";
import type { Kernel } from "./kernel.ts";
import { stampOrderMessage } from "./kernel.ts";
import { decF, encNum } from "./state-codec.ts";
import type { RollingKind } from "./update-by-spec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { decRing, encRing, WindowRing } from "./window-ring.ts";

const SUM = 0;
const AVG = 1;
const COUNT = 2;

export class FloatRolling implements Kernel {
  readonly outType: ColumnType;
  readonly raw = false;
  readonly #kind: number;
  /** Tick window length, or -1 for a time window. */
  readonly #ticks: number;
  readonly #rev: number;
  readonly #op: string;
  readonly #tsCol: string;
  #rings: (WindowRing | undefined)[] = [];
  #cnt = new Float64Array(16);
  #sum = new Float64Array(16);
  /** NaN, +Infinity and -Infinity values in the window. */
  #nan = new Float64Array(16);
  #pinf = new Float64Array(16);
  #ninf = new Float64Array(16);

  /** `revTicks` for a tick window, or `null` and `revNanos` for a time window. */
  constructor(
    kind: RollingKind,
    revTicks: number | null,
    revNanos: number,
    op: string,
    tsCol: string,
  ) {
    this.#kind = kind === "Sum" ? SUM : kind === "Avg" ? AVG : COUNT;
    this.outType = kind === "Count" ? "int64" : "float64";
    this.#ticks = revTicks ?? -1;
    this.#rev = revNanos;
    this.#op = op;
    this.#tsCol = tsCol;
  }

  /** Whether this kernel computes `kind` over an input of `type`. */
  static handles(kind: RollingKind, type: ColumnType): boolean {
    return (
      (type === "float64" || type === "float32") &&
      (kind === "Sum" || kind === "Avg" || kind === "Count")
    );
  }

  ensure(n: number): void {
    this.#cnt = grow(this.#cnt, n);
    this.#sum = grow(this.#sum, n);
    this.#nan = grow(this.#nan, n);
    this.#pinf = grow(this.#pinf, n);
    this.#ninf = grow(this.#ninf, n);
  }

  reset(slot: number): void {
    const r = this.#rings[slot];
    if (r) {
      r.head = 0;
      r.size = 0;
    }
    this.#cnt[slot] = 0;
    this.#sum[slot] = 0;
    this.#nan[slot] = 0;
    this.#pinf[slot] = 0;
    this.#ninf[slot] = 0;
  }

  save(slot: number): unknown {
    return [
      encRing(this.#rings[slot]),
      this.#cnt[slot],
      encNum(this.#sum[slot]!),
      this.#nan[slot],
      this.#pinf[slot],
      this.#ninf[slot],
    ];
  }

  restore(slot: number, data: unknown): void {
    const a = data as unknown[];
    this.#rings[slot] = decRing(a[0], 16);
    this.#cnt[slot] = a[1] as number;
    this.#sum[slot] = decF(a[2]);
    this.#nan[slot] = a[3] as number;
    this.#pinf[slot] = a[4] as number;
    this.#ninf[slot] = a[5] as number;
  }

  run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void {
    const rings = this.#rings;
    const cnt = this.#cnt;
    const sum = this.#sum;
    const nan = this.#nan;
    const pinf = this.#pinf;
    const ninf = this.#ninf;
    const ticks = this.#ticks;
    const rev = this.#rev;
    const kind = this.#kind;
    const f = x.f;
    const ok = x.ok;
    const time = ticks < 0;
    const chunk = out.chunk;
    const data = chunk.data as Float64Array;
    const words = out.words;
    for (let i = 0; i < n; i++) {
      if (time && ts!.ok[i] === 0) {
        chunk.setNull(i);
        continue;
      }
      const s = slots[i]!;
      let r = rings[s];
      if (r === undefined) {
        r = new WindowRing(time ? 16 : Math.min(ticks, 16), time);
        rings[s] = r;
      }
      let h = 0;
      let l = 0;
      if (time) {
        h = ts!.th[i]!;
        l = ts!.tl[i]!;
        if (r.size > 0) {
          const last = r.at(r.size - 1);
          if (h - r.th![last]! + (l - r.tl![last]!) < 0)
            throw new ValueError(stampOrderMessage(this.#op, this.#tsCol), this.#tsCol);
        }
      }
      // Rows leaving the window.
      while (
        r.size > 0 &&
        (time ? h - r.th![r.head]! + (l - r.tl![r.head]!) > rev : r.size >= ticks)
      ) {
        const j = r.head;
        if (r.ok[j] === 1) {
          const c = cnt[s]! - 1;
          cnt[s] = c;
          if (c === 0) {
            sum[s] = 0;
            nan[s] = 0;
            pinf[s] = 0;
            ninf[s] = 0;
          } else {
            const v = r.f[j]!;
            if (v - v === 0) sum[s]! -= v;
            else if (v !== v) nan[s]! -= 1;
            else if (v > 0) pinf[s]! -= 1;
            else ninf[s]! -= 1;
          }
        }
        const hd = j + 1;
        r.head = hd === r.f.length ? 0 : hd;
        r.size--;
      }
      // The row itself.
      const v = f[i]!;
      const valid = ok[i]!;
      r.push(v, valid, undefined, h, l);
      if (valid === 1) {
        cnt[s]! += 1;
        if (v - v === 0) sum[s]! += v;
        else if (v !== v) nan[s]! += 1;
        else if (v > 0) pinf[s]! += 1;
        else ninf[s]! += 1;
      }
      const c = cnt[s]!;
      if (kind === COUNT) {
        words![2 * i] = c;
        words![2 * i + 1] = 0;
      } else if (c === 0) {
        chunk.setNull(i);
        continue;
      } else {
        let t: number;
        if (nan[s]! > 0 || (pinf[s]! > 0 && ninf[s]! > 0)) t = Number.NaN;
        else if (pinf[s]! > 0) t = Number.POSITIVE_INFINITY;
        else if (ninf[s]! > 0) t = Number.NEGATIVE_INFINITY;
        else t = sum[s]!;
        data[i] = kind === SUM ? t : t / c;
      }
      if (chunk.valid !== null) chunk.valid[i] = 1;
    }
  }
}
