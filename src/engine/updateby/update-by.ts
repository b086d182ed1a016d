/**
 * updateBy: the parent's rows and columns plus one column per op (running totals, EMAs, rolling
 * windows), computed per group of the `by` columns in the parent's order (update-by-plan.ts
 * checks the specs; the kernels live next to this file).
 *
 * Parent columns pass through as the parent's sources; outputs are stored by the parent's row
 * keys (refused over sparse keys, like `update`). Per cycle:
 * - stream ops (blink, append-only and static parents): added rows are read in chunks, their
 *   groups found with the aggregations' GroupIndex, and each kernel continues from the group's
 *   state, so over a blink parent every op covers the whole stream;
 * - history ops (other refreshing parents, forward windows): each group keeps its row keys
 *   (group-rows.ts) and a changed group is recomputed from its first affected row (for a window:
 *   from the first row whose window reaches the change), reading back only as far as the
 *   windows or running state need; recomputed rows that existed are modifications.
 */
import { GroupIndex } from "../agg/group-index.ts";
import type { Prim } from "../agg/prim.ts";
import { rawAt, rawToPrim } from "../agg/prim.ts";
import { decKey, enc } from "../agg/state-codec.ts";
import { PAGE_SIZE } from "../column.ts";
import type { Chunk, ColumnSource, Vec } from "../column-source.ts";
import { arrayKeys } from "../column-source.ts";
import { ValueError } from "../errors.ts";
import { noteStringKeys } from "../keys/string-key-hints.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { chunksFor, readSpan } from "../ops/eval.ts";
import { checkPageDensity } from "../ops/select.ts";
import { lowerBound } from "../ops/slot-rows.ts";
import { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import { assertUsable, inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { GroupRows } from "./group-rows.ts";
import { stampOrderMessage } from "./kernel.ts";
import { persistUpdateBy } from "./persist.ts";
import type { PlannedOp, UpdateByPlan } from "./update-by-plan.ts";
import { planUpdateBy } from "./update-by-plan.ts";
import type { UpdateBySpec } from "./update-by-spec.ts";
import { readStamps, readValues, type Stamps, type Values } from "./values.ts";
import { evalWindows } from "./window-eval.ts";

/** What changed in one group this cycle. */
interface GroupChange {
  /** Smallest row key added, removed or modified. */
  minKey: number;
  /** Only keys above the group's previous last key were added. */
  append: boolean;
  /** The group's last key before the cycle (-1: none). */
  lastBefore: number;
  /** Largest row key added, removed or modified. */
  maxKey: number;
  /** Rows were added or removed (positions after the change moved), or stamps changed. */
  shifted: boolean;
}

class UpdateByState {
  readonly plan: UpdateByPlan;
  readonly #index: GroupIndex;
  readonly #byCols: ColumnSource[];
  readonly #byChunks: Chunk[];
  readonly #slots = new Int32Array(PAGE_SIZE);
  readonly #rows: GroupRows | null;
  readonly #stream: PlannedOp[];
  readonly #history: PlannedOp[];
  readonly #keyBuf = new Float64Array(PAGE_SIZE);
  #slotCount = 0;
  readonly #kind: string;
  /** Persistence (blink parents, persist.ts): each slot's key tuple and the slots not saved. */
  #keys: Prim[][] | null = null;
  #mark = new Uint8Array(0);
  #unsaved: number[] = [];

  constructor(parent: Table, plan: UpdateByPlan, kind: string) {
    this.plan = plan;
    this.#kind = kind;
    this.#byCols = plan.by.map((b) => parent.column(b));
    noteStringKeys(parent.columns, plan.by);
    this.#byChunks = chunksFor(this.#byCols);
    this.#index = new GroupIndex(
      this.#byCols.map((c) => c.type),
      [],
    );
    this.#rows = plan.history ? new GroupRows() : null;
    this.#stream = plan.ops.filter((o) => !o.history);
    this.#history = plan.ops.filter((o) => o.history);
  }

  /** Starts recording slot keys and the slots each cycle changes, for `takeUnsaved`. */
  trackUnsaved(): void {
    this.#keys ??= [];
  }

  /** Slots whose state changed since the last call. */
  takeUnsaved(): number[] {
    const u = this.#unsaved;
    this.#unsaved = [];
    for (const s of u) this.#mark[s] = 0;
    return u;
  }

  /** One slot's key tuple and every stream kernel's state, as JSON. */
  saveSlot(slot: number): string {
    const k = this.#keys![slot]!.map(enc);
    return JSON.stringify({ k, s: this.#stream.map((o) => o.kernel!.save(slot)) });
  }

  /** Recreates slot `slot` (the next one) from `saveSlot`'s JSON. */
  restoreSlot(slot: number, json: string): void {
    const { k, s } = JSON.parse(json) as { k: unknown[]; s: unknown[] };
    const prims = k.map(decKey);
    this.#index.restore(slot, prims);
    this.#keys![slot] = prims;
    this.#ensure();
    this.#stream.forEach((o, j) => {
      o.kernel!.restore(slot, s[j]);
    });
  }

  /** Records new slots' keys and marks the slots of rows `[0, n)` unsaved. */
  #track(vecs: readonly Vec[], n: number): void {
    const keys = this.#keys!;
    const slots = this.#slots;
    if (this.#mark.length < this.#index.size) {
      const m = new Uint8Array(Math.max(this.#index.size, this.#mark.length * 2, 16));
      m.set(this.#mark);
      this.#mark = m;
    }
    const mark = this.#mark;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (mark[s] === 1) continue;
      mark[s] = 1;
      this.#unsaved.push(s);
      if (keys[s] === undefined)
        keys[s] = this.#byCols.map((c, j) => rawToPrim(c.type, rawAt(vecs[j]!, i)));
    }
  }

  /** Applies one parent update (the first: every row added); returns the recomputed old rows. */
  apply(up: TableUpdate, parent: Table): RowSet {
    const rows = parent.rowSet;
    if (!up.removed.isEmpty) {
      const survivors = rows.minus(up.added);
      for (const o of this.plan.ops) o.out.release(up.removed, survivors);
    }
    if (this.plan.ops.length > 0)
      checkPageDensity(
        this.#kind,
        "updateBy columns",
        "t.updateBy(...).sort(...)",
        this.plan.ops[0]!.out,
        up.added,
        rows.size,
      );
    const changes = new Map<number, GroupChange>();
    const gr = this.#rows;
    const relevantMod =
      gr !== null && !up.modified.isEmpty && up.modifiedColumns.some((c) => this.plan.deps.has(c));
    if (gr !== null) {
      this.#forGroups(up.removed, true, false, (key, slot) => {
        this.#touch(changes, slot, key, false, true);
        gr.remove(slot, key);
      });
    }
    this.#added(up.added, changes);
    if (gr !== null && relevantMod) this.#modified(up, changes, gr);
    if (changes.size === 0) return RowSet.EMPTY;
    const recomputed: number[] = [];
    for (const [slot, c] of changes) this.#recompute(slot, c, recomputed);
    return RowSet.fromKeys(recomputed).minus(up.added);
  }

  #touch(
    changes: Map<number, GroupChange>,
    slot: number,
    key: number,
    append: boolean,
    shifted: boolean,
  ): void {
    const c = changes.get(slot);
    if (c === undefined) {
      const keys = this.#rows!.keys(slot);
      const lastBefore = keys.length === 0 ? -1 : keys[keys.length - 1]!;
      changes.set(slot, {
        minKey: key,
        append: append && key > lastBefore,
        lastBefore,
        maxKey: key,
        shifted,
      });
      return;
    }
    if (key < c.minKey) c.minKey = key;
    if (key > c.maxKey) c.maxKey = key;
    if (!append || key <= c.lastBefore) c.append = false;
    if (shifted) c.shifted = true;
  }

  /**
   * Modified rows that changed a by, input or stamp column: a row whose group changed leaves its
   * old group and joins its new one; one that stays is recomputed in place.
   */
  #modified(up: TableUpdate, changes: Map<number, GroupChange>, gr: GroupRows): void {
    const n = up.modified.size;
    const prev = new Int32Array(n);
    let i = 0;
    this.#forGroups(up.modified, true, false, (_key, slot) => {
      prev[i++] = slot;
    });
    const stamps = up.modifiedColumns.some((c) => this.plan.stampColumns.has(c));
    i = 0;
    this.#forGroups(up.modified, false, true, (key, slot) => {
      const was = prev[i++]!;
      if (was === slot) {
        this.#touch(changes, slot, key, false, stamps);
        return;
      }
      this.#touch(changes, was, key, false, true);
      gr.remove(was, key);
      this.#touch(changes, slot, key, false, true);
      gr.add(slot, key);
    });
  }

  #ensure(): void {
    const n = this.#index.size;
    if (n === this.#slotCount) return;
    this.#slotCount = n;
    for (const o of this.plan.ops) o.kernel?.ensure(n);
  }

  #forGroups(
    rows: RowSet,
    prev: boolean,
    create: boolean,
    fn: (key: number, slot: number) => void,
  ): void {
    const slots = this.#slots;
    forEachSpan(rows, (span) => {
      const vecs = readSpan(this.#byCols, span, prev, this.#byChunks);
      this.#index.assign(vecs, span.length, slots, create);
      for (let i = 0; i < span.length; i++)
        fn(span.isRun ? span.start + i : span.keys[i]!, slots[i]!);
    });
    this.#ensure();
  }

  /** Added rows: stream ops compute them now; history groups record them. */
  #added(added: RowSet, changes: Map<number, GroupChange>): void {
    const slots = this.#slots;
    const gr = this.#rows;
    const history = this.#history.length > 0;
    forEachSpan(added, (span) => {
      const n = span.length;
      const vecs = readSpan(this.#byCols, span, false, this.#byChunks);
      this.#index.assign(vecs, n, slots, true);
      this.#ensure();
      if (this.#keys !== null) this.#track(vecs, n);
      for (const o of this.#stream) {
        const x = o.x.reset(n);
        readValues(o.input.getChunk(span, false, o.inChunk), o.inputType, n, x, 0, o.kernel!.raw);
        let ts: Stamps | null = null;
        if (o.ts !== null) {
          ts = o.ts.reset(n);
          readStamps(o.stamps!.getChunk(span, false, o.tsChunk!), n, ts, 0);
        }
        if (span.isRun && o.pageOut !== null) {
          // A run lies within one page: the kernel writes the output column's storage itself.
          const out = o.pageOut.into(o.out.writableRun(span.start, n), n);
          o.kernel!.run(slots, n, x, ts, out);
          o.out.setRunValidity(span.start, out.chunk.valid, n);
          continue;
        }
        const out = o.outBuf.reset(n);
        o.kernel!.run(slots, n, x, ts, out);
        o.out.scatter(span.keys, n, out.chunk);
      }
      if (history && gr !== null) {
        for (let i = 0; i < n; i++) {
          const key = span.isRun ? span.start + i : span.keys[i]!;
          const slot = slots[i]!;
          this.#touch(changes, slot, key, true, true);
          gr.add(slot, key);
        }
      }
    });
  }

  /** Recomputes the history ops of one changed group; pushes the keys it rewrote. */
  #recompute(slot: number, c: GroupChange, recomputed: number[]): void {
    const keys = this.#rows!.keys(slot);
    const n = keys.length;
    if (n === 0) {
      for (const o of this.#history) o.kernel?.reset(slot);
      return;
    }
    const p = lowerBound(keys, c.minKey);
    // Without rows added or removed, a window's outputs change only up to the rows whose windows
    // reach the last changed row; running state changes to the group's end.
    const last = c.shifted ? n : lowerBound(keys, c.maxKey);
    for (const o of this.#history) {
      const w = o.window;
      let from = p;
      let to = n;
      let q: number;
      let stamps: Stamps | null = null;
      if (w === null) {
        q = c.append ? p : 0;
        if (!c.append) o.kernel!.reset(slot);
        if (o.ts !== null) stamps = this.#readStamps(o, keys, q, n);
      } else if (w.tsCol === null) {
        from = Math.max(0, p - Math.max(w.fwd, 0));
        q = Math.max(0, from - Math.max(w.rev - 1, 0));
        if (!c.shifted) to = Math.min(n, last + Math.max(w.rev - 1, 0) + 1);
      } else {
        const all = this.#readStamps(o, keys, 0, n);
        from = timeStart(all, p, w.fwd);
        q = windowStart(all, n, from, w.rev);
        if (!c.shifted) to = timeEnd(all, n, last, w.rev);
        stamps = q === 0 ? all : this.#readStamps(o, keys, q, n);
      }
      // A running kernel replays a changed group even when no row of it is rewritten (its last
      // rows were removed), so its state is the group's again for the next append.
      if (from >= to && (w !== null || q >= n)) continue;
      const x = this.#readValues(o, keys, q, n);
      const target = Float64Array.from(keys.slice(from, to));
      if (w === null) {
        const out = o.outBuf.reset(n - q);
        o.kernel!.run(slotRun(slot, n - q), n - q, x, stamps, out);
        if (from < n) o.out.scatter(target, n - from, tail(out.chunk, from - q));
      } else {
        const out = o.outBuf.reset(to - from);
        evalWindows(w, x, stamps, n - q, from - q, to - q, out, o.moments!, o.ring!);
        o.out.scatter(target, to - from, out.chunk);
      }
      for (let i = from; i < to; i++) recomputed.push(keys[i]!);
    }
  }

  #readValues(o: PlannedOp, keys: readonly number[], from: number, to: number): Values {
    const x = o.x.reset(to - from);
    for (let at = from; at < to; at += PAGE_SIZE) {
      const m = Math.min(PAGE_SIZE, to - at);
      for (let i = 0; i < m; i++) this.#keyBuf[i] = keys[at + i]!;
      const vec: Vec = o.input.getChunk(arrayKeys(this.#keyBuf, m), false, o.inChunk);
      readValues(vec, o.inputType, m, x, at - from, o.kernel?.raw ?? false);
    }
    return x;
  }

  #readStamps(o: PlannedOp, keys: readonly number[], from: number, to: number): Stamps {
    const ts = o.ts!.reset(to - from);
    for (let at = from; at < to; at += PAGE_SIZE) {
      const m = Math.min(PAGE_SIZE, to - at);
      for (let i = 0; i < m; i++) this.#keyBuf[i] = keys[at + i]!;
      readStamps(
        o.stamps!.getChunk(arrayKeys(this.#keyBuf, m), false, o.tsChunk!),
        m,
        ts,
        at - from,
      );
    }
    // Windows and EMAs take a group's stamps in order: a stamp before an earlier one is an error.
    let last = -1;
    for (let i = 0; i < to - from; i++) {
      if (ts.ok[i] === 0) continue;
      if (last >= 0 && ts.th[i]! - ts.th[last]! + (ts.tl[i]! - ts.tl[last]!) < 0) {
        const col = o.spec.tsCol!;
        throw new ValueError(stampOrderMessage(o.spec.op, col), col);
      }
      last = i;
    }
    return ts;
  }
}

let slotBuf = new Int32Array(PAGE_SIZE);
/** `n` copies of `slot` (a group's rows all belong to its slot). */
function slotRun(slot: number, n: number): Int32Array {
  if (slotBuf.length < n) slotBuf = new Int32Array(Math.max(n, slotBuf.length * 2));
  slotBuf.fill(slot, 0, n);
  return slotBuf;
}

/** Exact difference `a - b` of stamps at positions of `ts`. */
function diff(ts: Stamps, a: number, b: number): number {
  return ts.th[a]! - ts.th[b]! + (ts.tl[a]! - ts.tl[b]!);
}

/** The last non-null stamp at or before `i`, or -1. */
function stampedAtOrBefore(ts: Stamps, i: number): number {
  for (let j = i; j >= 0; j--) if (ts.ok[j] === 1) return j;
  return -1;
}

/**
 * First row whose time window can reach a change at position `p`: rows stamped at least the
 * change's stamp minus `fwd` (the change lies after the last stamped row before `p`).
 */
function timeStart(ts: Stamps, p: number, fwd: number): number {
  if (fwd <= 0) return p;
  const ref = stampedAtOrBefore(ts, p - 1);
  if (ref < 0) return 0;
  let i = ref;
  for (let j = ref; j >= 0; j--) {
    if (ts.ok[j] === 0) continue;
    if (diff(ts, ref, j) > fwd) break;
    i = j;
  }
  return Math.min(i, p);
}

/**
 * End (exclusive) of the rows whose time window (reaching `rev` back) can hold the row at
 * `last`: rows stamped at most its stamp plus `rev`, and the null-stamped rows among them.
 */
function timeEnd(ts: Stamps, n: number, last: number, rev: number): number {
  const ref = stampedAtOrBefore(ts, last);
  if (ref < 0) return n;
  let e = last + 1;
  while (e < n && (ts.ok[e] === 0 || diff(ts, e, ref) <= Math.max(rev, 0))) e++;
  return e;
}

/** First row in the time window of row `from` (or of the first stamped row after it). */
function windowStart(ts: Stamps, n: number, from: number, rev: number): number {
  let r = from;
  while (r < n && ts.ok[r] === 0) r++;
  if (r >= n) return from;
  let q = from;
  for (let j = from - 1; j >= 0; j--) {
    if (ts.ok[j] === 0) continue;
    if (diff(ts, r, j) > Math.max(rev, 0)) break;
    q = j;
  }
  return q;
}

/** `vec` from position `off` on (a view where the storage allows). */
function tail(vec: Vec, off: number): Vec {
  if (off === 0) return vec;
  const data = vec.data;
  return {
    data: Array.isArray(data) ? data.slice(off) : (data as Float64Array).subarray(off),
    valid: vec.valid === null ? null : vec.valid.subarray(off),
    length: vec.length - off,
  } as Vec;
}

class UpdateByOperator extends Operator {
  readonly #state: UpdateByState;
  readonly #outputs: string[];
  constructor(result: Table, parent: Table, state: UpdateByState) {
    super(result, [parent]);
    this.#state = state;
    this.#outputs = state.plan.ops.filter((o) => o.history).map((o) => o.output);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const parent = this.parents[0]!;
    const up = u!;
    nodeOf(this.result).setRowSet(parent.rowSet);
    const recomputed = this.#state.apply(up, parent);
    if (recomputed.isEmpty)
      return makeUpdate(up.added, up.removed, up.modified, up.modifiedColumns);
    const columns = new Set(up.modified.isEmpty ? [] : up.modifiedColumns);
    for (const c of this.#outputs) columns.add(c);
    return makeUpdate(up.added, up.removed, up.modified.union(recomputed), [...columns]);
  }
}

/**
 * `t.updateBy(ops, ...by)`: the parent plus one column per op, computed per group of `by` in the
 * parent's order. See docs/engine.md#updateby.
 */
export function updateBy(
  t: Table,
  ops: UpdateBySpec | readonly UpdateBySpec[],
  ...by: (string | readonly string[])[]
): Table {
  assertUsable(t);
  const plan = planUpdateBy(t, ops, by);
  const state = new UpdateByState(t, plan, "updateBy");
  const reviseStream = t.isAppendOnly && plan.history;
  const attrs = reviseStream
    ? { refreshing: true, blink: false, appendOnly: false, addOnly: false }
    : inheritAttributes(t);
  const result = new Table(plan.columns, t.rowSet, attrs, t.graph, "updateBy");
  // A restored blink updateBy resumes from its saved state; any other is computed from the
  // parent's rows (restored by the parent itself).
  if (!persistUpdateBy(result, t, state)) state.apply(makeUpdate(t.rowSet), t);
  if (t.isRefreshing) nodeOf(result).attach(new UpdateByOperator(result, t, state));
  return result;
}

// ---- descriptor (registered in operations.ts) ----------------------------------------------------

export const updateByOp = defineMethod({
  name: "updateBy",
  params: [param("ops", kinds.updateBys, "ops"), rest(param("by", kinds.columns, "by column"))],
  apply: (t: Table, ops: UpdateBySpec | UpdateBySpec[], ...by: (string | string[])[]): Table =>
    updateBy(t, ops, ...by),
  doc: "running and windowed values per group (`updateby.*` ops: cumSum, emaTime, rollingAvgTick, ...)",
});
