/**
 * Generators for the fuzz suite (fuzz.test.ts): a seeded PRNG, rows of the fuzz table in the
 * engine's value forms and their JSON, NDJSON, CSV and Arrow bodies, corruptions of those bodies,
 * random specs and formulas, and random query strings. Everything is a pure function of the PRNG,
 * so a seed reproduces a run exactly.
 */
import type { ColumnType } from "../../src/engine/index.ts";
import { col, newTable, toArrowIPC } from "../../src/engine/index.ts";

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length)]!;
  }
}

export const FUZZ_COLUMNS: Record<string, ColumnType> = {
  Sym: "string",
  Price: "float64",
  Size: "int64",
  N: "int32",
  Ok: "bool",
  Ts: "instant",
};

/** A row as the engine holds it (bigint for int64 and instant). */
export interface FuzzRow {
  Sym: string | null;
  Price: number | null;
  Size: bigint | null;
  N: number | null;
  Ok: boolean | null;
  Ts: bigint | null;
}

const SYMS = ["AAPL", "MSFT", "GOOG", "a b", "ü", "", 'x"y', "line\nbreak", "comma,sep"];
const T0 = 1_700_000_000_000_000_000n;

export function fuzzRow(r: Rng): FuzzRow {
  const maybe = <T>(v: () => T): T | null => (r.chance(0.1) ? null : v());
  return {
    Sym: maybe(() => r.pick(SYMS)),
    Price: maybe(() => (r.chance(0.5) ? r.int(-1000, 1000) / 8 : r.next() * 1e6)),
    Size: maybe(() =>
      r.chance(0.2) ? 9_007_199_254_740_993n + BigInt(r.int(0, 1000)) : BigInt(r.int(-1e6, 1e6)),
    ),
    N: maybe(() => r.int(-(2 ** 31), 2 ** 31)),
    Ok: maybe(() => r.chance(0.5)),
    Ts: maybe(() => T0 + BigInt(r.int(0, 2 ** 30)) * 1_000_003n),
  };
}

export const fuzzRows = (r: Rng, max = 8) =>
  Array.from({ length: r.int(0, max + 1) }, () => fuzzRow(r));

/** An instant in nanoseconds as ISO-8601 with nine fractional digits. */
export function isoOf(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = String(ns % 1_000_000_000n).padStart(9, "0");
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The JSON form of a row (what a publisher sends). */
export function jsonRow(row: FuzzRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null) out[k] = null;
    else if (k === "Ts") out[k] = isoOf(v as bigint);
    else if (typeof v === "bigint")
      out[k] = v > 9_007_199_254_740_991n || v < -9_007_199_254_740_991n ? String(v) : Number(v);
    else out[k] = v;
  }
  return out;
}

export const jsonBody = (rows: FuzzRow[]) => JSON.stringify(rows.map(jsonRow));
export const ndjsonBody = (rows: FuzzRow[], r: Rng) =>
  rows.map((x) => JSON.stringify(jsonRow(x))).join(r.chance(0.3) ? "\r\n" : "\n") +
  (r.chance(0.5) ? "\n" : "");

export function arrowBody(rows: FuzzRow[]): Uint8Array {
  return toArrowIPC(
    newTable(
      Object.entries(FUZZ_COLUMNS).map(([name, type]) =>
        col(
          name,
          type,
          rows.map((x) => x[name as keyof FuzzRow]),
        ),
      ),
    ),
  );
}

/** A CSV field as CSV snapshots write it: null is an empty field, the empty string `""`. */
function csvField(v: unknown): string {
  if (v === null) return "";
  const s = String(v);
  return s === "" || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvBody(rows: FuzzRow[]): string {
  const names = Object.keys(FUZZ_COLUMNS);
  const lines = [names.join(",")];
  for (const x of rows) lines.push(names.map((n) => csvField(jsonRow(x)[n])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** A CSV body no server may accept (unknown column, bad value, unterminated quote). */
export function badCsvBody(r: Rng): string {
  switch (r.int(0, 3)) {
    case 0:
      return "Sym,Nope\r\nA,1\r\n";
    case 1:
      return "Sym,N\r\nA,not-a-number\r\n";
    default:
      return 'Sym,N\r\n"unterminated,1\r\n';
  }
}

/** Rows with exactly one value no column accepts (the batch must be refused). */
export function badRowsJson(r: Rng): string {
  const rows = fuzzRows(r, 4).map(jsonRow);
  const bad = r.pick<[string, unknown]>([
    ["N", 2 ** 31],
    ["N", 1.5],
    ["Size", 1.5],
    ["Size", "12x"],
    ["Ok", "yes"],
    ["Price", "cheap"],
    ["Ts", "2024-05-01T13:99:99Z"],
    ["Ts", "yesterday"],
    ["Nope", 1],
    ["Sym", { nested: true }],
  ]);
  rows.splice(r.int(0, rows.length + 1), 0, { [bad[0]]: bad[1] });
  return JSON.stringify(rows);
}

const NOISE = '{}[]",:0123456789abcdefxyz-+.eE \\\n\ttrue';

/** Truncates, flips bits in, overwrites or inserts bytes into `body` (a copy). */
export function corrupt(body: Uint8Array, r: Rng): Uint8Array {
  const out = new Uint8Array(body);
  const n = r.int(1, 4);
  switch (r.int(0, 4)) {
    case 0:
      return out.slice(0, r.int(0, Math.max(1, out.length)));
    case 1:
      for (let i = 0; i < n && out.length > 0; i++) out[r.int(0, out.length)]! ^= 1 << r.int(0, 8);
      return out;
    case 2:
      for (let i = 0; i < n && out.length > 0; i++) out[r.int(0, out.length)] = r.int(0, 256);
      return out;
    default: {
      const at = r.int(0, out.length + 1);
      const ins = new TextEncoder().encode(
        Array.from({ length: n }, () => r.pick([...NOISE])).join(""),
      );
      const res = new Uint8Array(out.length + ins.length);
      res.set(out.subarray(0, at));
      res.set(ins, at);
      res.set(out.subarray(at), at + ins.length);
      return res;
    }
  }
}

export const randomBytes = (r: Rng, n: number) =>
  Uint8Array.from({ length: n }, () => r.int(0, 256));

// ---- specs and formulas -------------------------------------------------------------------

const F_TOKENS = [
  "X",
  "Sym",
  "Price",
  "Size",
  "N",
  "Ts",
  "ii",
  "i",
  "1",
  "2.5",
  "3L",
  "0x10",
  "`A`",
  '"B"',
  "'AAPL'",
  "'c'",
  "'PT1s'",
  "'2024-01-01T00:00:00Z'",
  "+",
  "-",
  "*",
  "/",
  "%",
  "==",
  "!=",
  "<",
  ">=",
  "&&",
  "||",
  "!",
  "?",
  ":",
  "(",
  ")",
  ",",
  ".",
  "=",
  "abs(",
  "sqrt(",
  "Math.sin(",
  "randomInt(",
  "len(",
  "(int)",
  "(long)",
  "null",
  "NULL_INT",
  "true",
  "#",
  "[",
  "\\",
];

/** A formula: usually token soup, sometimes a well-formed one, sometimes deeply nested. */
export function randomFormula(r: Rng, assign: boolean): string {
  const roll = r.next();
  if (roll < 0.2) {
    const valid = assign
      ? ["Y = Price * 2", "Y = Size + N", "Y = Sym == `A` ? 1 : 2", "Y = abs(N)", "Y = ii"]
      : ["Price > 10", "Sym == `AAPL`", "N % 2 == 0", "!isNull(Ts)", "Ok"];
    return r.pick(valid);
  }
  if (roll < 0.3) {
    const n = r.pick([255, 256, 1000, 3000]);
    return `${assign ? "Y = " : ""}${r.pick(["(", "abs(", "-"]).repeat(n)}N${r.chance(0.5) ? ")".repeat(n) : ""}`;
  }
  if (roll < 0.35)
    return `${assign ? "Y = " : ""}N${" + N".repeat(r.pick([999, 1000, 1001, 5000]))}`;
  const toks = Array.from({ length: r.int(1, 12) }, () => r.pick(F_TOKENS));
  return `${assign && r.chance(0.7) ? "Y = " : ""}${toks.join(r.chance(0.5) ? " " : "")}`;
}

const METHODS = [
  "where",
  "update",
  "view",
  "select",
  "updateView",
  "dropColumns",
  "sumBy",
  "countBy",
  "lastBy",
  "head",
  "tail",
  "groupBy",
  "nope",
];

/** A derived table's chain: random methods with random arguments over the source. */
export function randomChain(r: Rng): string {
  const roll = r.next();
  if (roll < 0.1) return `ringTable(source, ${r.pick([0, -1, 1.5, 10, 1_000_000_000, "x"])})`;
  if (roll < 0.15) return `${"merge(".repeat(r.pick([255, 256, 3000]))}source${")".repeat(3)}`;
  if (roll < 0.2) return `source${".tail(5)".repeat(r.pick([255, 256, 2000]))}`;
  if (roll < 0.25) return r.pick(["source.", "source.where(", "source;", "[[[", "{a:", "agg.sum("]);
  let chain = r.chance(0.5) ? "source" : "blinkToAppendOnly(source)";
  for (let i = r.int(0, 4); i > 0; i--) {
    const m = r.pick(METHODS);
    const arg =
      m === "head" || m === "tail"
        ? String(r.pick([1, 5, -1, 0.5]))
        : JSON.stringify(randomFormula(r, m !== "where"));
    chain += `.${m}(${arg})`;
  }
  return chain;
}

/** A spec: mostly well-formed JSON with random chains, sometimes broken in other ways. */
export function randomSpec(r: Rng): string {
  const columns: unknown = r.chance(0.9)
    ? { Sym: "string", Price: "float64", Size: "int64", N: "int32", Ok: "bool", Ts: "instant" }
    : r.pick<unknown>([{}, { X: "int33" }, { "1X": "int32" }, [], "columns"]);
  const derived: Record<string, string> = {};
  for (let i = r.int(0, 4); i > 0; i--) derived[`d${i}`] = randomChain(r);
  const spec: Record<string, unknown> = { columns, cycleMs: 3_600_000, derived };
  if (r.chance(0.1))
    spec[r.pick(["colums", "cycleMs", "source", "derived"])] = r.pick([5, "x", null, {}]);
  const text = JSON.stringify(spec);
  return r.chance(0.1)
    ? new TextDecoder().decode(corrupt(new TextEncoder().encode(text), r))
    : text;
}

/** A random query string for an endpoint taking `known` parameters. */
export function randomQuery(r: Rng, known: readonly string[]): string {
  const keys = [...known, "fromat", "Format", "limit ", "x", "", "token", "since", "offset", "%ZZ"];
  const values = [
    "json",
    "arrow",
    "csv",
    "xml",
    "-1",
    "0",
    "5",
    "1e3",
    "",
    "99999999999999999",
    "%00",
    "N",
    "-N,N",
    "N%20%3E%201",
    "N%20%3E",
  ];
  const parts: string[] = [];
  for (let i = r.int(0, 4); i > 0; i--) parts.push(`${r.pick(keys)}=${r.pick(values)}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}
