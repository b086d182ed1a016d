/**
 * AsOfGroups: exact-match key tuple -> the as-of join's state for that key (a group), shared by both
 * sides of a join. A null key value is a key like any other (it matches null, as in Deephaven).
 *
 * Keys are the primitives of agg/prim.ts: one key column is a Map from the primitive, several are
 * nested Maps (no per-row allocation or string building), none is a single group. It sits behind
 * this small class so a typed-array hash table can replace it without touching the joins.
 */

import type { Prim } from "../agg/prim.ts";
import { primScratch, primsOf } from "../agg/prim.ts";
import type { Vec } from "../column-source.ts";
import type { ColumnType } from "../types.ts";

type Level<G> = Map<Prim, G | Level<G>>;

export class AsOfGroups<G> {
  readonly #types: readonly ColumnType[];
  readonly #root: Level<G> = new Map();
  #only: G | undefined;
  #scratch: Prim[][];
  #prims: ArrayLike<Prim>[] = [];

  constructor(types: readonly ColumnType[]) {
    this.#types = types;
    this.#scratch = types.map(() => primScratch(0));
  }

  /**
   * Fills `out[0..n)` with the group of each row of the key vectors `keys`; `make(prims)` creates
   * a missing group from its key primitives (undefined: a missing group stays undefined).
   */
  lookup(
    keys: readonly Vec[],
    n: number,
    out: (G | undefined)[],
    make: ((prims: Prim[]) => G) | null,
  ): void {
    const k = this.#types.length;
    if (k === 0) {
      if (this.#only === undefined && make) this.#only = make([]);
      for (let i = 0; i < n; i++) out[i] = this.#only;
      return;
    }
    const ps = this.#prims;
    ps.length = k;
    for (let j = 0; j < k; j++) {
      if (this.#scratch[j]!.length < n) this.#scratch[j] = primScratch(n);
      ps[j] = primsOf(this.#types[j]!, keys[j]!, n, this.#scratch[j]!);
    }
    if (k === 1) {
      const map = this.#root as Map<Prim, G>;
      const p = ps[0]!;
      for (let i = 0; i < n; i++) {
        const key = p[i]!;
        let g = map.get(key);
        if (g === undefined && make) {
          g = make([key]);
          map.set(key, g);
        }
        out[i] = g;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      let m = this.#root;
      let g: G | undefined;
      for (let j = 0; j < k; j++) {
        const key = ps[j]![i]!;
        const next = m.get(key);
        if (j === k - 1) {
          g = next as G | undefined;
          if (g === undefined && make) {
            g = make(ps.map((q) => q[i]!));
            m.set(key, g);
          }
        } else if (next === undefined) {
          if (!make) break;
          const level: Level<G> = new Map();
          m.set(key, level);
          m = level;
        } else m = next as Level<G>;
      }
      out[i] = g;
    }
  }

  /** Forgets the group of the key tuple `prims` (empty levels go too). */
  delete(prims: readonly Prim[]): void {
    if (this.#types.length === 0) {
      this.#only = undefined;
      return;
    }
    const path: Level<G>[] = [this.#root];
    for (let j = 0; j < prims.length - 1; j++) {
      const next = path[j]!.get(prims[j]!) as Level<G> | undefined;
      if (next === undefined) return;
      path.push(next);
    }
    for (let j = prims.length - 1; j >= 0; j--) {
      const m = path[j]!;
      m.delete(prims[j]!);
      if (m.size > 0) return;
    }
  }
}
