/**
 * inputTable: a table edited by adds and deletes rather than streamed (Deephaven's input
 * tables). With `keys`, `add` upserts by key (a row whose key exists replaces that row's values,
 * a modification) and `delete` removes by key (an absent key is a no-op); without keys the table
 * is append-only and takes no deletes. Changes are buffered and appear together at the next
 * cycle, applied in the order they were made: several adds of one key in a cycle leave the last
 * one's values, and a delete then an add of one key is a modification.
 *
 * Rows live at row keys of the table's own pages. A new key takes the lowest row key freed in an
 * earlier cycle, else the next unused one, so keys stay dense however often rows are deleted (a
 * freed key is not reused in the cycle that freed it: a key is never removed and added at once).
 * Row order is therefore row-key order, not insertion order.
 *
 * Persistence (a family's graph with a store): the table's current pages and row set are saved
 * each cycle it changes (pages it touched only), so what is stored is the contents, not a log;
 * a restored table has exactly the rows it had.
 */
import type { Vec } from "../column.ts";
import {
  ArgumentError,
  SchemaError,
  showValue,
  UnsupportedOperationError,
  ValueError,
} from "../errors.ts";
import { readContiguous } from "../ops/copy.ts";
import {
  attachHistory,
  attachLoader,
  evictHistory,
  loadAll,
  saveHistoryPages,
} from "../persist/history.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet } from "../row-set.ts";
import type { Table } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { ColumnType, Schema } from "../types.ts";
import { allocStorage, isArrayType, validateSchema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { vecFromRows } from "../values-to-vec.ts";
import { SourceNode } from "./source-node.ts";

export interface InputTableOptions {
  /** Column name -> type, as for `tablePublisher`. */
  columns: Record<string, string>;
  /** Key columns: rows are upserted and deleted by their values. Omit for an append-only table. */
  keys?: readonly string[];
}

/** Rows an input table can take: plain row objects, or a table with (at least) the columns. */
export type InputRows = readonly Record<string, unknown>[] | Table;

type Change = { kind: "add" | "delete"; vecs: readonly Vec[]; length: number };

const KEYED = { refreshing: true, blink: false, appendOnly: false, addOnly: false };
const APPEND_ONLY = { refreshing: true, blink: false, appendOnly: true, addOnly: true };

/** One key's identity: its values, type-tagged, so 1 and "1" and null never collide. */
function keyString(vecs: readonly Vec[], i: number): string {
  let s = "";
  for (const v of vecs) {
    const x = v.valid && v.valid[i] === 0 ? null : (v.data as ArrayLike<unknown>)[i];
    s += x === null ? "\u0000n" : `\u0000${typeof x}:${typeof x === "string" ? x : String(x)}`;
  }
  return s;
}

class InputNode extends SourceNode {
  readonly schema: Schema;
  readonly names: string[];
  readonly keys: readonly string[];
  /** Positions of the key columns in `names`. */
  readonly keyAt: number[];
  pending: Change[] = [];
  /** Key string -> row key, for the rows of the current row set (keyed tables). */
  readonly #rowOf = new Map<string, number>();
  /** Row keys freed in earlier cycles (reusable), and those freed in this one. */
  #free: number[] = [];
  #freed: number[] = [];
  #next = 0;
  #fresh = true;

  constructor(graph: UpdateGraph, schema: Schema, keys: readonly string[]) {
    super(graph, schema, keys.length > 0 ? KEYED : APPEND_ONLY, "inputTable");
    this.schema = schema;
    this.names = Object.keys(schema);
    this.keys = keys;
    this.keyAt = keys.map((k) => this.names.indexOf(k));
    const h = graph.store?.register(keys.length > 0 ? "input" : "inputAppend", {
      table: this.table,
      save: (handle) => this.#save(handle),
    });
    if (h?.restored) this.#restore(h);
    else if (h && keys.length === 0) attachHistory(h, this.table);
    else if (h) attachLoader(h, this.table);
  }

  #restore(h: StateHandle): void {
    const rows = RowSet.fromRanges(h.getMeta<number[]>("rows") ?? []);
    nodeOf(this.table).setRowSet(rows);
    this.#fresh = false;
    if (this.keys.length === 0) {
      attachHistory(h, this.table);
      this.#next = rows.isEmpty ? 0 : rows.last() + 1;
      return;
    }
    loadAll(h, this.table, rows);
    this.#next = h.getMeta<number>("next") ?? (rows.isEmpty ? 0 : rows.last() + 1);
    this.#free = (h.getMeta<number[]>("free") ?? []).slice();
    const keyCols = this.keyAt.map((j) => this.cols[j]!);
    rows.forEach((k) => {
      const vecs = keyCols.map((c) => ({ data: [c.getRaw(k)], valid: null, length: 1 }) as Vec);
      this.#rowOf.set(keyString(vecs, 0), k);
    });
  }

  #save(h: StateHandle): void {
    const t = this.table;
    const u = this.#fresh ? null : nodeOf(t).currentUpdate();
    this.#fresh = false;
    const ranges: number[] = [];
    t.rowSet.forEachRange((s, e) => ranges.push(s, e));
    h.putMeta("rows", ranges);
    if (this.keys.length === 0) {
      saveHistoryPages(h, t, u ? u.added : t.rowSet);
      evictHistory(t, h.historyBytes);
      return;
    }
    h.putMeta("next", this.#next);
    h.putMeta("free", [...this.#free, ...this.#freed]);
    h.savePagesOf(t, u ? u.added.union(u.removed).union(u.modified) : t.rowSet);
  }

  protected flush(): TableUpdate | null {
    const changes = this.pending;
    this.pending = [];
    if (this.#freed.length > 0) {
      this.#free = [...this.#free, ...this.#freed].sort((a, b) => b - a); // pop() takes the lowest
      this.#freed = [];
    }
    if (changes.length === 0) return null;
    return this.keys.length === 0 ? this.#append(changes) : this.#upsert(changes);
  }

  #append(changes: Change[]): TableUpdate | null {
    const start = this.table.size;
    const end = this.writeBatches(changes, start);
    if (end === start) return null;
    this.#next = end;
    nodeOf(this.table).setRowSet(RowSet.flat(end));
    return makeUpdate(RowSet.range(start, end));
  }

  #upsert(changes: Change[]): TableUpdate | null {
    // The last change of each key wins: its values (an add) or its absence (a delete).
    const last = new Map<string, { c: Change; i: number } | null>();
    for (const c of changes) {
      const keyVecs = c.kind === "add" ? this.keyAt.map((j) => c.vecs[j]!) : c.vecs;
      for (let i = 0; i < c.length; i++)
        last.set(keyString(keyVecs, i), c.kind === "add" ? { c, i } : null);
    }
    const before = this.table.rowSet;
    const removed: number[] = [];
    const writeKeys: number[] = [];
    const writeFrom: { c: Change; i: number }[] = [];
    const added: number[] = [];
    const modified: number[] = [];
    const changed = new Set<number>(); // column positions some modified row changes
    for (const [k, to] of last) {
      const at = this.#rowOf.get(k);
      if (to === null) {
        if (at === undefined) continue;
        this.#rowOf.delete(k);
        removed.push(at);
        this.#freed.push(at);
        continue;
      }
      let key = at;
      if (key === undefined) {
        key = this.#free.length > 0 ? this.#free.pop()! : this.#next++;
        this.#rowOf.set(k, key);
        added.push(key);
      } else {
        // An upsert that leaves every value as it was is no change (no modification).
        const cols = this.#changedColumns(key, to);
        if (cols.length === 0) continue;
        for (const j of cols) changed.add(j);
        modified.push(key);
      }
      writeKeys.push(key);
      writeFrom.push(to);
    }
    for (let j = 0; j < this.cols.length; j++) {
      this.cols[j]!.scatter(
        writeKeys,
        writeKeys.length,
        gather(this.names, j, this.schema, writeFrom),
      );
    }
    const gone = RowSet.fromKeys(removed);
    const addedSet = RowSet.fromKeys(added);
    const rows = before.minusUnion(gone, addedSet);
    for (const c of this.cols) c.release(gone, rows);
    nodeOf(this.table).setRowSet(rows);
    const mod = RowSet.fromKeys(modified);
    if (addedSet.isEmpty && gone.isEmpty && mod.isEmpty) return null;
    const modifiedColumns = this.names.filter((_, j) => changed.has(j));
    return makeUpdate(addedSet, gone, mod, modifiedColumns);
  }

  /** Positions of the columns whose value at `key` differs from the row `to` (NaN equals NaN). */
  #changedColumns(key: number, to: { c: Change; i: number }): number[] {
    const out: number[] = [];
    for (let j = 0; j < this.cols.length; j++) {
      const v = to.c.vecs[j]!;
      const next = v.valid && v.valid[to.i] === 0 ? null : (v.data as ArrayLike<unknown>)[to.i];
      if (!Object.is(this.cols[j]!.getRaw(key), next)) out.push(j);
    }
    return out;
  }

  protected override onFailed(): void {
    this.pending = [];
  }
}

/** Column `j` of the rows `from` (each a change and a row of it), as one vector. */
function gather(
  names: readonly string[],
  j: number,
  schema: Schema,
  from: readonly { c: Change; i: number }[],
): Vec {
  const type = schema[names[j]!]! as ColumnType;
  const n = from.length;
  const data = allocStorage(type, n) as unknown as unknown[];
  let valid: Uint8Array | null = null;
  for (let r = 0; r < n; r++) {
    const { c, i } = from[r]!;
    const v = c.vecs[j]!;
    if (v.valid && v.valid[i] === 0) {
      if (!valid) valid = new Uint8Array(n).fill(1);
      valid[r] = 0;
    } else data[r] = (v.data as ArrayLike<unknown>)[i];
  }
  return { data: data as unknown as Vec["data"], valid, length: n };
}

/**
 * Checks that every row object names each key column (a row without its key cannot be upserted
 * or deleted): throws a ValueError naming the first row and column at fault. `null` is a key value.
 */
export function checkKeyRows(rows: readonly unknown[], keys: readonly string[]): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new ValueError(`row ${i}: expected an object of column values`, undefined, i);
    }
    for (const k of keys) {
      if ((r as Record<string, unknown>)[k] === undefined) {
        throw new ValueError(
          `row ${i}: key column "${k}" is missing; every row needs its key columns [${keys.join(", ")}]`,
          k,
          i,
        );
      }
    }
  }
}

/** Feeds an input table. Made by `inputTable`; `add` and `delete` may be destructured. */
export class InputTable {
  readonly #node: InputNode;
  /**
   * Adds rows at the next cycle; with keys, a row whose key exists replaces that row's values.
   * Row objects may leave out non-key columns (null); a table must have every column, with the
   * same types. A bad value rejects the whole call, naming the row and the column.
   */
  readonly add: (rows: InputRows) => void;
  /**
   * Deletes the rows with these keys at the next cycle (rows or a table with the key columns;
   * a table's other columns are ignored); an absent key is a no-op. Only a keyed input table
   * takes deletes.
   */
  readonly delete: (keyRows: InputRows) => void;

  /** @internal */
  constructor(node: InputNode) {
    this.#node = node;
    this.add = (rows) => {
      const b = toChange(node, rows, node.schema, "add");
      if (b.length > 0) node.pending.push({ kind: "add", ...b });
    };
    this.delete = (keyRows) => {
      const b = toChange(node, keyRows, keySchema(node), "delete");
      if (b.length > 0) node.pending.push({ kind: "delete", ...b });
    };
  }

  /** The table the adds and deletes appear in. */
  get table(): Table {
    return this.#node.table;
  }

  /** The key columns (empty for an append-only input table). */
  get keys(): readonly string[] {
    return this.#node.keys;
  }
}

function keySchema(node: InputNode): Schema {
  if (node.keys.length === 0) {
    throw new UnsupportedOperationError(
      "delete needs an input table with keys; this one is append-only",
    );
  }
  return Object.fromEntries(node.keys.map((k) => [k, node.schema[k]!]));
}

/** Validates rows (or a table) for an add or a delete; returns them as vectors of `schema`. */
function toChange(
  node: InputNode,
  rows: InputRows,
  schema: Schema,
  what: string,
): { vecs: Vec[]; length: number } {
  const names = Object.keys(schema);
  if (!Array.isArray(rows)) {
    const t = rows as Table;
    if (typeof t !== "object" || t === null || typeof t.hasColumn !== "function")
      throw new ValueError(`${what} expects an array of row objects or a table`);
    const missing = names.filter((n) => !t.hasColumn(n));
    if (missing.length > 0) {
      throw new ArgumentError(
        `${what}: unknown column names [${missing.join(", ")}], available column names are [${t.columnNames.join(", ")}]`,
      );
    }
    for (const n of names) {
      if (t.columns[n] !== schema[n]) {
        throw new SchemaError(
          `${what}: column "${n}" is ${t.columns[n]} in the table but the input table has ${schema[n]}`,
          n,
        );
      }
    }
    return {
      vecs: readContiguous(
        names.map((n) => t.column(n)),
        t.rowSet,
      ),
      length: t.size,
    };
  }
  const list = rows as readonly Record<string, unknown>[];
  checkKeyRows(list, node.keys);
  list.forEach((r, i) => {
    for (const k of Object.keys(r)) {
      if (!(k in schema)) {
        throw new ValueError(
          `row ${i}: unknown column ${showValue(k)}; ${what} takes [${names.join(", ")}]`,
          k,
          i,
        );
      }
    }
  });
  return {
    vecs: names.map((n) => vecFromRows(schema[n]!, list, n)),
    length: list.length,
  };
}

/** Validates input-table options: the schema, and key columns that exist, once each, scalar. */
export function inputTableSchema(options: InputTableOptions): { schema: Schema; keys: string[] } {
  if (!options || typeof options !== "object")
    throw new ArgumentError("inputTable needs options { columns, keys? }");
  const schema = validateSchema(options.columns);
  const keys = options.keys ?? [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string"))
    throw new ArgumentError(`keys must be a list of column names, got ${showValue(keys)}`);
  const seen = new Set<string>();
  for (const k of keys) {
    if (!(k in schema)) {
      throw new ArgumentError(
        `key column "${k}" is not a column; columns are [${Object.keys(schema).join(", ")}]`,
      );
    }
    if (seen.has(k)) throw new ArgumentError(`key column "${k}" is named twice`);
    if (isArrayType(schema[k]!))
      throw new ArgumentError(`key column "${k}" is ${schema[k]}; an array column cannot be a key`);
    seen.add(k);
  }
  return { schema, keys };
}

/**
 * An input table: `const { table, add, delete } = inputTable(g, { columns, keys: ["Sym"] })`.
 *
 * @example
 * const ref = inputTable(g, { columns: { Sym: "string", Name: "string" }, keys: ["Sym"] });
 * ref.add([{ Sym: "AAPL", Name: "Apple" }]);
 * await g.runCycle(); // ref.table has the row
 * ref.delete([{ Sym: "AAPL" }]);
 */
export function inputTable(graph: UpdateGraph, options: InputTableOptions): InputTable {
  const { schema, keys } = inputTableSchema(options);
  const node = new InputNode(graph, schema, keys);
  const input = new InputTable(node);
  nodeOf(node.table).setPort({
    addBatch: (vecs, length) => {
      if (length > 0) node.pending.push({ kind: "add", vecs, length });
    },
    deleteBatch: (vecs, length) => {
      keySchema(node); // an append-only input table takes no deletes
      if (length > 0) node.pending.push({ kind: "delete", vecs, length });
    },
    requestFailure: (error) => node.requestFailure(error),
  });
  return input;
}
