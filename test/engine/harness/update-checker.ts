/**
 * Checks that a table's updates describe its changes: applying each cycle's TableUpdate to a
 * mirror of the previous rows (by row key) gives the current rows; removed and modified keys
 * existed and read their previous values through `getPrev`; added keys are new (a blink result
 * and a table over a blink input may re-add keys they remove); modified keys stay; a modification
 * changes values only in the columns it names (and, when `exact`, changes some value).
 */
import type { Table, TableUpdate, Value } from "../../../src/engine/index.ts";
import type { Row } from "./inputs.ts";

/** Equality of cell values: NaN equals NaN, -0 differs from 0, arrays by element. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const x = a as ArrayLike<unknown>;
  const y = b as ArrayLike<unknown>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameValue(x[i], y[i])) return false;
  return true;
}

/** Printable form of a value (bigints with `n`, NaN, -0). */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return `${x}n`;
    if (typeof x === "number" && !Number.isFinite(x)) return String(x);
    if (Object.is(x, -0)) return "-0";
    return x;
  });
}

/** Row key -> row of `t`'s current (or previous) values. */
function rowAt(t: Table, key: number, prev: boolean): Row {
  const row: Row = {};
  for (const n of t.columnNames) row[n] = t.column(n).get(key, prev) as Value;
  return row;
}

function byKey(t: Table): Map<number, Row> {
  const out = new Map<number, Row>();
  t.rowSet.forEach((k) => {
    out.set(k, rowAt(t, k, false));
  });
  return out;
}

export class UpdateChecker {
  readonly #t: Table;
  #rows: Map<number, Row>;
  readonly problems: string[] = [];
  readonly #stop: () => void;
  readonly #readds: boolean;
  readonly #exact: boolean;

  /**
   * `readds`: the table may remove and add the same key in one cycle (it is over a blink input,
   * whose keys are reused every cycle). `exact`: a modification must change some value.
   */
  constructor(t: Table, options: { readds?: boolean; exact?: boolean } = {}) {
    this.#t = t;
    this.#readds = options.readds ?? t.isBlink;
    this.#exact = options.exact ?? false;
    this.#rows = byKey(t);
    this.#stop = t.isRefreshing
      ? t.listen(
          (u) => this.#onUpdate(u),
          (e) => this.problems.push(`failed: ${e instanceof Error ? e.message : String(e)}`),
        )
      : () => {};
  }

  stop(): void {
    this.#stop();
  }

  #problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }

  #onUpdate(u: TableUpdate): void {
    const t = this.#t;
    const rows = new Map(this.#rows);
    const names = new Set(t.columnNames);
    const keys = t.rowSet;
    for (const c of u.modifiedColumns)
      if (!names.has(c)) this.#problem(`modifiedColumns names unknown column ${c}`);
    if (u.modified.isEmpty !== (u.modifiedColumns.length === 0))
      this.#problem(`modified ${u.modified} with modifiedColumns [${u.modifiedColumns}]`);
    if (!this.#readds && !u.added.intersect(u.removed).isEmpty)
      this.#problem(
        `added ∩ removed = ${u.added.intersect(u.removed)} (a changed row is a modification)`,
      );
    const checkPrev = (k: number, what: string) => {
      const want = this.#rows.get(k);
      if (!want) return this.#problem(`${what} key ${k} did not exist`);
      const got = rowAt(t, k, true);
      for (const n of names)
        if (!sameValue(got[n], want[n]))
          this.#problem(`${what} key ${k}: getPrev(${n}) = ${show(got[n])}, was ${show(want[n])}`);
    };
    u.removed.forEach((k) => {
      checkPrev(k, "removed");
      rows.delete(k);
    });
    const modCols = new Set(u.modifiedColumns);
    u.modified.forEach((k) => {
      checkPrev(k, "modified");
      if (u.added.contains(k) || u.removed.contains(k))
        this.#problem(`modified key ${k} also added or removed`);
      if (!keys.contains(k)) this.#problem(`modified key ${k} is not in the table`);
      const before = this.#rows.get(k);
      const now = rowAt(t, k, false);
      if (before) {
        let changed = false;
        for (const n of names) {
          if (sameValue(before[n], now[n])) continue;
          changed = true;
          if (!modCols.has(n))
            this.#problem(
              `modified key ${k}: ${n} changed but modifiedColumns = [${[...modCols]}]`,
            );
        }
        if (!changed && this.#exact)
          this.#problem(`modified key ${k}: no value changed (${show(now)})`);
      }
      rows.set(k, now);
    });
    u.added.forEach((k) => {
      if (rows.has(k)) this.#problem(`added key ${k} already present`);
      if (!keys.contains(k)) this.#problem(`added key ${k} is not in the table`);
      rows.set(k, rowAt(t, k, false));
    });
    this.#rows = rows;
  }

  /** After a cycle: the mirror built from the updates equals the table's rows, key by key. */
  verify(): void {
    const now = byKey(this.#t);
    const mine = this.#rows;
    for (const [k, r] of now) {
      const m = mine.get(k);
      if (!m) {
        this.#problem(`key ${k} appeared without being added`);
        continue;
      }
      for (const n of Object.keys(r))
        if (!sameValue(r[n], m[n]))
          this.#problem(`key ${k}: ${n} is ${show(r[n])} but updates say ${show(m[n])}`);
    }
    for (const k of mine.keys())
      if (!now.has(k)) this.#problem(`key ${k} disappeared without being removed`);
    this.#rows = now;
  }
}
