/**
 * The recompute harness's inputs: random rows of the shared schema (see nugget.ts) and one live
 * table of each InputKind, driven cycle by cycle from a fast-check generated script.
 *
 * - static: a newTable; cycles do nothing.
 * - blink: a tablePublisher's table; a cycle's adds replace the previous cycle's rows. Its
 *   `stream` is every row delivered since the nugget was built.
 * - appendOnly: a DynamicTableWriter's table, or blinkToAppendOnly of a publisher (chosen by the
 *   script); adds only.
 * - ring: ringTable of a publisher with a small capacity, so rows fall out.
 * - standard: a mirrorTable fed adds (at the end of the key space and into gaps between keys),
 *   removes and modifications (each changing at least one value, naming exactly the changed
 *   columns).
 * - input: a keyed inputTable (keys Sym and K) fed upserts (new keys and existing ones), deletes
 *   by key of existing rows and of absent keys, and modifications as upserts of existing keys.
 *   Its row keys are reused, so unlike the other kinds its Ts is not ordered by row key.
 */
import fc from "fast-check";
import type { Table, Value } from "../../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  DynamicTableWriter,
  inputTable,
  mirrorTable,
  newTable,
  RowSet,
  ringTable,
  tablePublisher,
  type UpdateGraph,
} from "../../../src/engine/index.ts";
import { col, vecFromValues } from "../../../src/engine/new-table.ts";
import type { ColumnType } from "../../../src/engine/types.ts";
import type { InputKind } from "./nugget.ts";

export type Row = Record<string, Value>;

/** The shared schema of every input. */
export const SCHEMA = {
  Sym: "string",
  K: "int32",
  Px: "float64",
  Size: "int64",
  Ts: "instant",
  Flag: "bool",
} as const satisfies Record<string, ColumnType>;
const NAMES = Object.keys(SCHEMA) as (keyof typeof SCHEMA)[];

export const KINDS: readonly InputKind[] = [
  "static",
  "blink",
  "appendOnly",
  "ring",
  "standard",
  "input",
];

/** A generated row; `Ts` is a step (0..2, ties at 0) from the previous stamp, or null. */
export interface GenRow {
  Sym: string | null;
  K: number | null;
  Px: number | null;
  Size: bigint | null;
  dTs: number | null;
  Flag: boolean | null;
}

// Px values are small dyadic fractions so sums are exact in any order (incremental == recompute).
const PX = [0, -0, 0.5, 1, 2.25, -3, 4, Number.NaN, Number.POSITIVE_INFINITY] as const;

export const genRowArb: fc.Arbitrary<GenRow> = fc.record({
  Sym: fc.constantFrom("a", "b", "c", null),
  K: fc.option(fc.integer({ min: -1, max: 2 }), { nil: null, freq: 6 }),
  Px: fc.option(fc.constantFrom(...PX), { nil: null, freq: 6 }),
  Size: fc.option(fc.bigInt({ min: -3n, max: 20n }), { nil: null, freq: 8 }),
  dTs: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null, freq: 8 }),
  Flag: fc.option(fc.boolean(), { nil: null, freq: 5 }),
});

/** A modification of an existing row: which row (a selector taken modulo the size), new values. */
export interface GenModify {
  sel: number;
  row: GenRow;
  /** Which of Sym, K, Px, Size, Flag take the new value (Ts never changes). */
  cols: boolean[];
}

/** One input's change in one cycle (each kind uses what it allows). */
export interface GenCycle {
  adds: GenRow[];
  /** Add positions for a standard input: null appends, n goes after the n-th key (mod size). */
  gaps: (number | null)[];
  removes: number[];
  modifies: GenModify[];
}

export const genCycleArb: fc.Arbitrary<GenCycle> = fc.record({
  adds: fc.array(genRowArb, { maxLength: 6 }),
  gaps: fc.array(fc.option(fc.nat(), { freq: 2 }), { minLength: 6, maxLength: 6 }),
  removes: fc.array(fc.nat(), { maxLength: 3 }),
  modifies: fc.array(
    fc.record({
      sel: fc.nat(),
      row: genRowArb,
      cols: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    }),
    { maxLength: 3 },
  ),
});

/** An input's script: its construction options, initial rows and one change per cycle. */
export interface GenInput {
  initial: GenRow[];
  ringCapacity: number;
  /** appendOnly: a DynamicTableWriter (true) or blinkToAppendOnly of a publisher (false). */
  writer: boolean;
}

export const genInputArb: fc.Arbitrary<GenInput> = fc.record({
  initial: fc.array(genRowArb, { maxLength: 8 }),
  ringCapacity: fc.integer({ min: 1, max: 6 }),
  writer: fc.boolean(),
});

/** A live input: its table, how a cycle changes it, and its static views for recompute. */
export interface LiveInput {
  readonly kind: InputKind;
  readonly table: Table;
  /** Queues a cycle's change (applied at the next runCycle). */
  apply(c: GenCycle): void;
  /** Called after each cycle: records what a blink input delivered. */
  afterCycle(): void;
  /** Starts the blink stream at the rows present now (when the nugget is built). */
  startStream(): void;
  /** A static copy of the current rows. */
  current(): Table;
  /** Everything delivered since startStream for blink; else `current()`. */
  stream(): Table;
}

/** Static table of `rows` with the shared schema. */
export function staticOf(rows: readonly Row[]): Table {
  return newTable(
    NAMES.map((n) =>
      col(
        n,
        SCHEMA[n],
        rows.map((r) => r[n] ?? null),
      ),
    ),
  );
}

/** The first stamp (epoch ns); the harness's graph clock starts at it too (in ms). */
export const STAMP_BASE_NS = 1_700_000_000_000_000_000n;

/** How far the graph's clock moves before a cycle (ms): mostly a little, sometimes a jump. */
export const clockStepArb: fc.Arbitrary<number> = fc.constantFrom(0, 1, 2, 3, 5, 40);

/** Turns generated rows into rows of the schema, advancing the stamp clock. */
class Stamper {
  #ts = STAMP_BASE_NS;
  row(g: GenRow): Row {
    let ts: bigint | null = null;
    if (g.dTs !== null) {
      this.#ts += BigInt(g.dTs);
      ts = this.#ts;
    }
    return { Sym: g.Sym, K: g.K, Px: g.Px, Size: g.Size, Ts: ts, Flag: g.Flag };
  }
}

/** `old` with the modification's chosen columns set to its values. */
function modified(old: Row, m: GenModify): Row {
  const row: Row = { ...old };
  const editable = ["Sym", "K", "Px", "Size", "Flag"] as const;
  editable.forEach((n, i) => {
    if (m.cols[i]) row[n] = m.row[n];
  });
  return row;
}

/** Builds a live input of `kind` on `g` holding the script's initial rows after one cycle. */
export function makeInput(g: UpdateGraph, kind: InputKind, gen: GenInput): LiveInput {
  const stamper = new Stamper();
  const initial = gen.initial.map((r) => stamper.row(r));
  if (kind === "static") {
    const t = staticOf(initial);
    return {
      kind,
      table: t,
      apply: () => {},
      afterCycle: () => {},
      startStream: () => {},
      current: () => t,
      stream: () => t,
    };
  }
  if (kind === "standard") return mirrorInput(g, stamper, initial);
  if (kind === "input") return keyedInput(g, stamper, initial);
  const [blink, pub] = tablePublisher(g, { name: "in", columns: SCHEMA });
  let table = blink;
  let writer: DynamicTableWriter | null = null;
  if (kind === "appendOnly" && gen.writer) {
    writer = new DynamicTableWriter(g, SCHEMA);
    table = writer.table;
  } else if (kind === "appendOnly") table = blinkToAppendOnly(blink);
  else if (kind === "ring") table = ringTable(blink, gen.ringCapacity);
  const add = (rows: readonly Row[]): void => {
    if (writer) for (const r of rows) writer.writeRow(...NAMES.map((n) => r[n]));
    else pub.addRows(rows);
  };
  add(initial);
  let history: Row[] | null = null;
  const input: LiveInput = {
    kind,
    table,
    apply: (c) => add(c.adds.map((r) => stamper.row(r))),
    afterCycle: () => {
      if (history && kind === "blink") history.push(...table.toRows());
    },
    startStream: () => {
      history = kind === "blink" ? table.toRows() : null;
    },
    current: () => staticOf(table.toRows()),
    stream: () => (history ? staticOf(history) : input.current()),
  };
  return input;
}

/**
 * A keyed input table (keys Sym, K): adds upsert (a generated row's key may exist), removes
 * delete existing keys (and one absent key), modifications upsert an existing key's row changed.
 */
function keyedInput(g: UpdateGraph, stamper: Stamper, initial: readonly Row[]): LiveInput {
  const input = inputTable(g, { columns: SCHEMA, keys: ["Sym", "K"] });
  input.add(initial);
  const current = () => staticOf(input.table.toRows());
  return {
    kind: "input",
    table: input.table,
    apply: (c) => {
      const rows = input.table.toRows();
      const pick = (s: number) => rows[s % rows.length]!;
      if (rows.length > 0) {
        for (const m of c.modifies) {
          const old = pick(m.sel);
          input.add([{ ...modified(old, m), Sym: old.Sym, K: old.K }]); // same key: a modification
        }
      }
      input.add(c.adds.map((r) => stamper.row(r)));
      const gone = rows.length === 0 ? [] : c.removes.map((s) => pick(s));
      input.delete([...gone.map((r) => ({ Sym: r.Sym, K: r.K })), { Sym: "absent", K: null }]);
    },
    afterCycle: () => {},
    startStream: () => {},
    current,
    stream: current,
  };
}

/** A standard table: a mirror fed adds, removes and modifications at chosen keys. */
function mirrorInput(g: UpdateGraph, stamper: Stamper, initial: readonly Row[]): LiveInput {
  const m = mirrorTable(g, SCHEMA);
  const rows = new Map<number, Row>();
  const keyed = (entries: [number, Row][]) => {
    entries.sort((a, b) => a[0] - b[0]);
    return {
      keys: RowSet.fromKeys(entries.map((e) => e[0])),
      vecs: NAMES.map((n) =>
        vecFromValues(
          SCHEMA[n],
          entries.map((e) => e[1][n]),
          n,
        ),
      ),
    };
  };
  const init: [number, Row][] = initial.map((r, i) => [i * 4, r]);
  for (const [k, r] of init) rows.set(k, r);
  m.delta(RowSet.EMPTY, keyed(init), keyed([]));
  const current = () => staticOf(m.table.toRows());
  return {
    kind: "standard",
    table: m.table,
    apply: (c) => {
      const keys = [...rows.keys()].sort((a, b) => a - b);
      const removed = new Set<number>();
      for (const s of c.removes) if (keys.length > 0) removed.add(keys[s % keys.length]!);
      const mods = new Map<number, Row>();
      const cols = new Set<string>();
      for (const mod of c.modifies) {
        const live = keys.filter((k) => !removed.has(k));
        if (live.length === 0) break;
        const k = live[mod.sel % live.length]!;
        mods.set(k, modified(mods.get(k) ?? rows.get(k)!, mod));
      }
      // A row modified twice may end as it was: only net changes count.
      for (const [k, row] of mods) {
        const was = rows.get(k)!;
        const changed = NAMES.filter((n) => !Object.is(row[n], was[n]));
        if (changed.length === 0) mods.delete(k);
        for (const n of changed) cols.add(n);
      }
      const added: [number, Row][] = [];
      let top = keys.length > 0 ? keys[keys.length - 1]! : -4;
      c.adds.forEach((gr, i) => {
        // Into a gap: the key after an existing one, with that row's stamp (stamps stay sorted).
        const gap = c.gaps[i] ?? null;
        const prev = gap === null || keys.length === 0 ? undefined : keys[gap % keys.length]!;
        if (prev !== undefined && !rows.has(prev + 1) && prev + 1 < top) {
          const base = stamper.row(gr);
          const r = { ...base, Ts: base.Ts === null ? null : rows.get(prev)!.Ts };
          added.push([prev + 1, r]);
          rows.set(prev + 1, r);
          return;
        }
        top += 4;
        const r = stamper.row(gr);
        added.push([top, r]);
        rows.set(top, r);
      });
      for (const k of removed) rows.delete(k);
      for (const [k, r] of mods) rows.set(k, r);
      // A changed column is named only when some modified row really changed it.
      const changedCols = NAMES.filter((n) => cols.has(n));
      m.delta(
        RowSet.fromKeys([...removed].sort((a, b) => a - b)),
        keyed(added),
        keyed([...mods.entries()]),
        changedCols,
      );
    },
    afterCycle: () => {},
    startStream: () => {},
    current,
    stream: current,
  };
}
