/**
 * A straightforward recomputation of updateBy for the recompute harness and the exact tests:
 * rows as plain objects, groups as arrays, every window scanned from its rows, bigints for
 * integer sums. It reads only the public fields of the `updateby.*` specs and shares no code
 * with the engine's kernels.
 */
import type { Table, UpdateBySpec, Value } from "../../../src/engine/index.ts";
import { tableFromRows } from "../../../src/engine/index.ts";
import type { ColumnType } from "../../../src/engine/types.ts";

type Row = Record<string, Value>;
type Num = number | bigint;

const INTS = new Set(["int8", "int16", "int32", "int64"]);

function outType(spec: UpdateBySpec, t: ColumnType): ColumnType {
  const int = INTS.has(t);
  if (spec.type === "ema") return "float64";
  if (spec.type === "cumulative") {
    if (spec.kind === "cumSum" || spec.kind === "cumProd") return int ? "int64" : "float64";
    return t;
  }
  if (spec.kind === "Count") return "int64";
  if (spec.kind === "Sum") return int ? "int64" : "float64";
  if (spec.kind === "Min" || spec.kind === "Max") return t;
  return "float64";
}

/** NaN sorts above every number. */
const above = (a: Num, b: Num) =>
  Number.isNaN(a) ? !Number.isNaN(b) : Number.isNaN(b) ? false : a > b;

function wrap(t: ColumnType, v: Num): Num {
  if (t === "int64") return BigInt.asIntN(64, BigInt(v));
  if (t === "int32") return Number(v) | 0;
  if (t === "int16") return (Number(v) << 16) >> 16;
  if (t === "int8") return (Number(v) << 24) >> 24;
  return v;
}

function floatSum(vals: number[]): number {
  if (vals.some((v) => Number.isNaN(v))) return Number.NaN;
  const p = vals.includes(Number.POSITIVE_INFINITY);
  const m = vals.includes(Number.NEGATIVE_INFINITY);
  if (p && m) return Number.NaN;
  if (p) return Number.POSITIVE_INFINITY;
  if (m) return Number.NEGATIVE_INFINITY;
  let s = 0;
  for (const v of vals) s += v;
  return s;
}

function windowValue(kind: string, t: ColumnType, vals: Num[]): Value {
  const int = INTS.has(t);
  const n = vals.length;
  if (kind === "Count") return BigInt(n);
  if (n === 0) return null;
  switch (kind) {
    case "Sum":
      return int
        ? BigInt.asIntN(
            64,
            vals.reduce<bigint>((s, v) => s + BigInt(v), 0n),
          )
        : floatSum(vals as number[]);
    case "Avg":
      return int
        ? Number(vals.reduce<bigint>((s, v) => s + BigInt(v), 0n)) / n
        : floatSum(vals as number[]) / n;
    case "Std": {
      if (n === 1) return Number.NaN;
      if (int) {
        const s = vals.reduce<bigint>((a, v) => a + BigInt(v), 0n);
        const q = vals.reduce<bigint>((a, v) => a + BigInt(v) * BigInt(v), 0n);
        return Math.sqrt(Number(BigInt(n) * q - s * s) / (n * (n - 1)));
      }
      const fs = vals as number[];
      if (fs.some((v) => !Number.isFinite(v))) return Number.NaN;
      let s = 0;
      let q = 0;
      for (const v of fs) {
        s += v;
        q += v * v;
      }
      const variance = (q - s * (s / n)) / (n - 1);
      return Math.sqrt(Math.max(variance, 0));
    }
    case "Product": {
      let p = 1;
      for (const v of vals) p *= Number(v);
      return p;
    }
    default: {
      let best = vals[0]!;
      for (const v of vals) if (kind === "Max" ? above(v, best) : above(best, v)) best = v;
      return best;
    }
  }
}

/** The outputs of one op over one group's rows. */
function groupOutputs(spec: UpdateBySpec, input: string, t: ColumnType, rows: Row[]): Value[] {
  const xs = rows.map((r) => r[input] as Num | null);
  const ts = spec.tsCol === null ? null : rows.map((r) => r[spec.tsCol!] as bigint | null);
  const out: Value[] = [];
  if (spec.type === "cumulative") {
    let cur: Value = null;
    let prev: Num | null = null;
    const int = INTS.has(t);
    for (const x of xs) {
      switch (spec.kind) {
        case "forwardFill":
          if (x !== null) cur = x;
          out.push(cur);
          continue;
        case "delta":
          out.push(
            x === null || prev === null
              ? null
              : wrap(t, int ? BigInt(x) - BigInt(prev) : (x as number) - (prev as number)),
          );
          prev = x;
          continue;
        case "cumSum":
        case "cumProd":
          if (x !== null) {
            if (cur === null) cur = int ? BigInt(x) : x;
            else if (int)
              cur = BigInt.asIntN(
                64,
                spec.kind === "cumSum" ? (cur as bigint) + BigInt(x) : (cur as bigint) * BigInt(x),
              );
            else
              cur =
                spec.kind === "cumSum"
                  ? (cur as number) + (x as number)
                  : (cur as number) * (x as number);
          }
          out.push(cur);
          continue;
        default:
          if (
            x !== null &&
            (cur === null || (spec.kind === "cumMax" ? above(x, cur as Num) : above(cur as Num, x)))
          )
            cur = x;
          out.push(cur);
      }
    }
    return out;
  }
  if (spec.type === "ema") {
    let ema: number | null = null;
    let last = 0n;
    rows.forEach((_, i) => {
      const x = xs[i];
      if (ts !== null && ts[i] === null) {
        out.push(null);
        return;
      }
      if (x !== null && !Number.isNaN(Number(x))) {
        const v = Number(x);
        if (ema === null) ema = v;
        else {
          const a =
            ts === null ? Math.exp(-1 / spec.decay) : Math.exp(-Number(ts[i]! - last) / spec.decay);
          ema = a * ema + (1 - a) * v;
        }
        if (ts !== null) last = ts[i]!;
      }
      out.push(ema);
    });
    return out;
  }
  rows.forEach((_, i) => {
    const vals: Num[] = [];
    if (ts === null) {
      for (let j = i - spec.rev + 1; j <= i + spec.fwd; j++) {
        if (j >= 0 && j < rows.length && xs[j] !== null) vals.push(xs[j]!);
      }
    } else {
      const t0 = ts[i];
      if (t0 === null) {
        out.push(null);
        return;
      }
      rows.forEach((__, j) => {
        const tj = ts[j];
        if (tj === null || xs[j] === null) return;
        if (spec.fwd === 0 && j > i) return;
        const d = Number(tj - t0);
        if (d >= -spec.rev && d <= spec.fwd) vals.push(xs[j]!);
      });
    }
    out.push(windowValue(spec.kind, t, vals));
  });
  return out;
}

/** updateBy of `ops` by `by` over `rows` of a table with `schema`, from scratch. */
export function updateByRows(
  schema: Readonly<Record<string, ColumnType>>,
  rows: readonly Row[],
  ops: readonly UpdateBySpec[],
  by: readonly string[],
): { schema: Record<string, ColumnType>; rows: Row[] } {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const k = JSON.stringify(by.map((b) => (typeof r[b] === "bigint" ? String(r[b]) : r[b])));
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const outSchema: Record<string, ColumnType> = { ...schema };
  const result = rows.map((r) => ({ ...r }));
  for (const spec of ops) {
    for (const p of spec.pairs) {
      const t = schema[p.input]!;
      outSchema[p.output] = outType(spec, t);
      for (const idx of groups.values()) {
        const vals = groupOutputs(
          spec,
          p.input,
          t,
          idx.map((i) => rows[i]!),
        );
        idx.forEach((i, k) => {
          result[i]![p.output] = vals[k]!;
        });
      }
    }
  }
  return { schema: outSchema, rows: result };
}

/**
 * The harness's recomputation: updateBy over everything the input delivered (`stream`: a blink
 * input's whole stream), keeping the rows the input holds now (a blink input's last cycle).
 */
export function recomputeUpdateBy(
  current: Table,
  stream: Table,
  ops: readonly UpdateBySpec[],
  by: readonly string[],
): Table {
  const r = updateByRows(stream.columns, stream.toRows(), ops, by);
  return tableFromRows(r.schema, r.rows.slice(r.rows.length - current.size));
}
