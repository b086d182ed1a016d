/**
 * Test inputs of every table type for the join tests: a driver per kind that applies one cycle's
 * random change (adds for stream kinds; adds, removes and modifies for a standard table) and
 * keeps the rows it holds. Rows have `Sym` (string, few values and null), `K` (int32, small,
 * null) and `V` (float64 with null and NaN).
 */
import { runKeys } from "../../src/engine/column-source.ts";
import type { ColumnType, KeyedRows, Table, Value } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  mirrorTable,
  RowSet,
  ringTable,
  tableFromRows,
  tablePublisher,
  type UpdateGraph,
} from "../../src/engine/index.ts";

export type Kind = "static" | "blink" | "appendOnly" | "ring" | "standard";
export const KINDS: readonly Kind[] = ["static", "blink", "appendOnly", "ring", "standard"];

export const SCHEMA = { Sym: "string", K: "int32", V: "float64" } as const;
export type Row = { Sym: string | null; K: number | null; V: number | null };

/** One cycle's change: rows to add, and (standard only) keys to remove/modify by index. */
export interface Change {
  add: Row[];
  remove: number[];
  modify: { at: number; row: Row; cols: ("Sym" | "K" | "V")[] }[];
}

export interface Driver {
  readonly table: Table;
  apply(c: Change): void;
}

/** Rows of `schema` at `keys` (ascending), as a mirror table takes them. */
export function keyedRows(
  schema: Readonly<Record<string, ColumnType>>,
  rows: readonly Record<string, Value>[],
  keys: readonly number[],
): KeyedRows {
  const t = tableFromRows(schema, rows);
  return {
    keys: RowSet.fromKeys(keys),
    vecs: Object.keys(schema).map((c) => t.column(c).getChunk(runKeys(0, rows.length))),
  };
}

function keyed(rows: readonly Row[], keys: readonly number[]): KeyedRows {
  return keyedRows(SCHEMA, rows as unknown as Record<string, Value>[], keys);
}

/** Builds an input of `kind` holding `initial` rows (stream kinds receive them in cycle 1). */
export function makeInput(g: UpdateGraph, kind: Kind, initial: Row[], name: string): Driver {
  if (kind === "static") {
    return {
      table: tableFromRows(SCHEMA, initial as unknown as Record<string, Value>[]),
      apply() {},
    };
  }
  if (kind === "standard") {
    const m = mirrorTable(g, SCHEMA);
    const live = new Map<number, Row>();
    // Initial keys are spread out (gaps of 1 or 2) so later adds can land between rows.
    let next = 0;
    const k0 = initial.map(() => {
      next += 1 + (next % 3);
      return next;
    });
    initial.forEach((r, i) => {
      live.set(k0[i]!, r);
    });
    m.reset(keyed(initial, k0));
    return {
      table: m.table,
      apply(c) {
        const keys = [...live.keys()].sort((a, b) => a - b);
        const removed = [...new Set(c.remove.filter((i) => i < keys.length).map((i) => keys[i]!))];
        const modified = new Map<number, Row>();
        const cols = new Set<string>();
        for (const mo of c.modify) {
          const k = keys[mo.at];
          if (k === undefined || removed.includes(k) || modified.has(k)) continue;
          const row = { ...live.get(k)! };
          for (const col of mo.cols) (row as Record<string, unknown>)[col] = mo.row[col];
          modified.set(k, row);
          for (const col of mo.cols) cols.add(col);
        }
        // New keys: some reuse gaps between existing keys, the rest go after the end.
        const addKeys: number[] = [];
        for (let i = 0; i < c.add.length; i++) {
          let k = -1;
          if (i % 2 === 0) {
            for (let cand = 1; cand < next; cand += 2 + i) {
              if (!live.has(cand) && !addKeys.includes(cand) && !removed.includes(cand)) {
                k = cand;
                break;
              }
            }
          }
          if (k < 0) k = ++next;
          addKeys.push(k);
        }
        for (const k of removed) live.delete(k);
        addKeys.forEach((k, i) => {
          live.set(k, c.add[i]!);
        });
        for (const [k, r] of modified) live.set(k, r);
        const modKeys = [...modified.keys()].sort((a, b) => a - b);
        const addOrder = addKeys.map((k, i) => [k, c.add[i]!] as const).sort((a, b) => a[0] - b[0]);
        m.delta(
          RowSet.fromKeys(removed),
          keyed(
            addOrder.map((e) => e[1]),
            addOrder.map((e) => e[0]),
          ),
          keyed(
            modKeys.map((k) => modified.get(k)!),
            modKeys,
          ),
          modKeys.length > 0 ? [...cols] : [],
        );
      },
    };
  }
  const [blink, pub] = tablePublisher(g, { name, columns: SCHEMA });
  const table =
    kind === "blink"
      ? blink
      : kind === "appendOnly"
        ? blinkToAppendOnly(blink)
        : ringTable(blink, 4);
  let first: Row[] | null = initial;
  return {
    table,
    apply(c) {
      const rows = first ? [...first, ...c.add] : c.add;
      first = null;
      if (rows.length > 0) pub.addRows(rows);
    },
  };
}
