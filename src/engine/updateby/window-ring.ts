/**
 * WindowRing: the rows of one group's rolling window, oldest first, in a growable circular
 * buffer of typed arrays (values, non-null flags, stamps). One per group slot, made when the
 * group first appears; tick windows stop growing at `revTicks` rows.
 */

import { above } from "./cumulative.ts";
import { decF, encNum } from "./state-codec.ts";
import type { RollingKind } from "./update-by-spec.ts";
import { type Out, putNull, putNumber, putPrim } from "./values.ts";

export class WindowRing {
  f: Float64Array;
  ok: Uint8Array;
  th: Float64Array | null;
  tl: Float64Array | null;
  big: (bigint | undefined)[] | null = null;
  /** Per-row scratch of the kernel that owns the ring (rolling products' suffix products). */
  p: Float64Array | null = null;
  head = 0;
  size = 0;

  constructor(capacity: number, stamps: boolean) {
    this.f = new Float64Array(capacity);
    this.ok = new Uint8Array(capacity);
    this.th = stamps ? new Float64Array(capacity) : null;
    this.tl = stamps ? new Float64Array(capacity) : null;
  }

  get capacity(): number {
    return this.f.length;
  }

  /** Position of the `k`-th oldest row in the arrays. */
  at(k: number): number {
    const j = this.head + k;
    return j >= this.f.length ? j - this.f.length : j;
  }

  /** Appends a row at the end (the caller made room). */
  push(v: number, ok: number, big: bigint | undefined, th: number, tl: number): void {
    if (this.size === this.f.length) this.#grow();
    const j = this.at(this.size);
    this.f[j] = v;
    this.ok[j] = ok;
    if (this.th !== null) {
      this.th[j] = th;
      this.tl![j] = tl;
    }
    if (big !== undefined || (this.big !== null && this.big[j] !== undefined)) {
      if (this.big === null) this.big = [];
      this.big[j] = big;
    }
    this.size++;
  }

  /** Drops the oldest row. */
  shift(): void {
    this.head = this.at(1);
    this.size--;
  }

  #grow(): void {
    const cap = Math.max(8, this.f.length * 2);
    const order = (a: Float64Array | Uint8Array) => {
      const b = new (a.constructor as new (n: number) => typeof a)(cap);
      for (let k = 0; k < this.size; k++) b[k] = a[this.at(k)]!;
      return b;
    };
    const big = this.big;
    const nb: (bigint | undefined)[] | null = big === null ? null : [];
    if (nb !== null) for (let k = 0; k < this.size; k++) nb[k] = big![this.at(k)];
    if (this.p !== null) this.p = order(this.p) as Float64Array;
    this.f = order(this.f) as Float64Array;
    this.ok = order(this.ok) as Uint8Array;
    if (this.th !== null) {
      this.th = order(this.th) as Float64Array;
      this.tl = order(this.tl!) as Float64Array;
    }
    this.big = nb;
    this.head = 0;
  }

  /** The exact value at array position `j`. */
  prim(j: number): number | bigint {
    const b = this.big === null ? undefined : this.big[j];
    return b === undefined ? this.f[j]! : b;
  }

  /** Writes the Min, Max or Product of the window's non-null values at `out[i]` (null if none). */
  scan(kind: RollingKind, out: Out, i: number): void {
    let has = false;
    if (kind === "Product") {
      let p = 1;
      for (let k = 0; k < this.size; k++) {
        const j = this.at(k);
        if (this.ok[j] === 1) {
          p *= this.f[j]!;
          has = true;
        }
      }
      if (has) putNumber(out, i, p);
      else putNull(out, i);
      return;
    }
    const max = kind === "Max";
    let best: number | bigint = 0;
    for (let k = 0; k < this.size; k++) {
      const j = this.at(k);
      if (this.ok[j] !== 1) continue;
      const v = this.prim(j);
      if (!has || (max ? above(v, best) : above(best, v))) best = v;
      has = true;
    }
    if (has) putPrim(out, i, best);
    else putNull(out, i);
  }
}

interface RingJson {
  f: unknown[];
  ok: number[];
  big?: [number, string][];
  th?: number[];
  tl?: number[];
  p?: unknown[];
}

/** A group's window (null: no ring yet), rows oldest first. */
export function encRing(r: WindowRing | undefined): RingJson | null {
  if (r === undefined) return null;
  const out: RingJson = { f: [], ok: [] };
  if (r.th !== null) {
    out.th = [];
    out.tl = [];
  }
  if (r.p !== null) out.p = [];
  for (let k = 0; k < r.size; k++) {
    const j = r.at(k);
    out.f.push(encNum(r.f[j]!));
    out.ok.push(r.ok[j]!);
    if (out.p) out.p.push(encNum(r.p![j]!));
    if (out.th) {
      out.th.push(r.th![j]!);
      out.tl!.push(r.tl![j]!);
    }
    const b = r.big === null ? undefined : r.big[j];
    if (b !== undefined) (out.big ??= []).push([k, b.toString()]);
  }
  return out;
}

/** The ring `encRing` saved, with room for at least `capacity` rows. */
export function decRing(e: unknown, capacity: number): WindowRing | undefined {
  if (e === null || e === undefined) return undefined;
  const j = e as RingJson;
  const n = j.f.length;
  const r = new WindowRing(Math.max(capacity, n, 1), j.th !== undefined);
  const big = new Map((j.big ?? []).map(([k, b]) => [k, BigInt(b)]));
  for (let k = 0; k < n; k++)
    r.push(decF(j.f[k]), j.ok[k]!, big.get(k), j.th?.[k] ?? 0, j.tl?.[k] ?? 0);
  if (j.p !== undefined) {
    r.p = new Float64Array(r.capacity);
    for (let k = 0; k < n; k++) r.p[k] = decF(j.p[k]);
  }
  return r;
}
