/**
 * EMA updateBy kernels. `emaTick`: `a = exp(-1 / decayTicks)`; `emaTime`: `a = exp(-dt /
 * decayTime)` with `dt` the time since the last row that moved the EMA. `ema = a * prev + (1 - a)
 * * x`, starting at the group's first usable `x`. Nulls and NaN leave the EMA (and its last stamp)
 * unchanged (Deephaven's default control); a null stamp outputs null; equal stamps give `dt = 0`.
 */

import { grow } from "../agg/slot-arrays.ts";
import { ValueError } from "../errors.ts";
import type { ColumnType } from "../types.ts";
import type { Kernel } from "./kernel.ts";
import { stampOrderMessage } from "./kernel.ts";
import { decF, encNum } from "./state-codec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { putNull, putNumber } from "./values.ts";

export class EmaTick implements Kernel {
  readonly outType: ColumnType = "float64";
  readonly raw = false;
  #ema = new Float64Array(16);
  #has = new Uint8Array(16);
  readonly #a: number;
  constructor(decayTicks: number) {
    this.#a = Math.exp(-1 / decayTicks);
  }
  ensure(n: number): void {
    this.#ema = grow(this.#ema, n);
    this.#has = grow(this.#has, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
  }
  save(slot: number): unknown {
    return [this.#has[slot], encNum(this.#ema[slot]!)];
  }
  restore(slot: number, data: unknown): void {
    const [has, ema] = data as [number, unknown];
    this.#has[slot] = has;
    this.#ema[slot] = decF(ema);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const ema = this.#ema;
    const has = this.#has;
    const a = this.#a;
    const f = x.f;
    const ok = x.ok;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const v = f[i]!;
      if (ok[i] === 1 && v === v) {
        if (has[s] === 0) {
          ema[s] = v;
          has[s] = 1;
        } else ema[s] = a * ema[s]! + (1 - a) * v;
      }
      if (has[s] === 1) putNumber(out, i, ema[s]!);
      else putNull(out, i);
    }
  }
}

export class EmaTime implements Kernel {
  readonly outType: ColumnType = "float64";
  readonly raw = false;
  #ema = new Float64Array(16);
  #has = new Uint8Array(16);
  #th = new Float64Array(16);
  #tl = new Float64Array(16);
  readonly #decay: number;
  readonly #tsCol: string;
  constructor(decayNanos: number, tsCol: string) {
    this.#decay = decayNanos;
    this.#tsCol = tsCol;
  }
  ensure(n: number): void {
    this.#ema = grow(this.#ema, n);
    this.#has = grow(this.#has, n);
    this.#th = grow(this.#th, n);
    this.#tl = grow(this.#tl, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
  }
  save(slot: number): unknown {
    return [this.#has[slot], encNum(this.#ema[slot]!), this.#th[slot], this.#tl[slot]];
  }
  restore(slot: number, data: unknown): void {
    const [has, ema, th, tl] = data as [number, unknown, number, number];
    this.#has[slot] = has;
    this.#ema[slot] = decF(ema);
    this.#th[slot] = th;
    this.#tl[slot] = tl;
  }
  run(slots: Int32Array, n: number, x: Values, ts: Stamps | null, out: Out): void {
    const ema = this.#ema;
    const has = this.#has;
    const lth = this.#th;
    const ltl = this.#tl;
    const decay = this.#decay;
    const f = x.f;
    const ok = x.ok;
    const th = ts!.th;
    const tl = ts!.tl;
    const tok = ts!.ok;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (tok[i] === 0) {
        putNull(out, i);
        continue;
      }
      const v = f[i]!;
      if (ok[i] === 1 && v === v) {
        if (has[s] === 0) {
          ema[s] = v;
          has[s] = 1;
        } else {
          const dt = th[i]! - lth[s]! + (tl[i]! - ltl[s]!);
          if (dt < 0) throw new ValueError(stampOrderMessage("emaTime", this.#tsCol), this.#tsCol);
          const a = Math.exp(-dt / decay);
          ema[s] = a * ema[s]! + (1 - a) * v;
        }
        lth[s] = th[i]!;
        ltl[s] = tl[i]!;
      }
      if (has[s] === 1) putNumber(out, i, ema[s]!);
      else putNull(out, i);
    }
  }
}
