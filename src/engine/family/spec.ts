/**
 * Table-family specs: the JSON that defines a source and its derived tables. `normalizeSpec`
 * validates everything that can be checked without building (types, names, numbers, syntax) and
 * fills defaults, so two specs that mean the same compare equal as canonical JSON.
 */

import { isTickflareError } from "../errors.ts";
import { parseDuration } from "../sources/time-table.ts";
import type { Schema } from "../types.ts";
import { validateSchema } from "../types.ts";
import { parseChain, references, SpecError } from "./chain-parser.ts";

export type SourceSpec =
  | { type: "publisher" }
  | { type: "writer" }
  | { type: "timeTable"; period: string; blink: boolean; startTime: string | null };

export interface FamilySpec {
  columns: Schema;
  source: SourceSpec;
  cycleMs: number;
  derived: Record<string, string>;
}

export const MIN_CYCLE_MS = 10;
export const MAX_CYCLE_MS = 3_600_000;
export const DEFAULT_CYCLE_MS = 1000;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const TOP_KEYS = new Set(["columns", "source", "cycleMs", "derived"]);

function fail(msg: string): never {
  throw new SpecError(msg);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Validates a spec given as parsed JSON and returns its canonical form. */
export function normalizeSpec(input: unknown): FamilySpec {
  if (!isObject(input)) fail("a spec must be a JSON object");
  for (const k of Object.keys(input)) {
    if (!TOP_KEYS.has(k))
      fail(`unknown spec field "${k}"; expected columns, source, cycleMs, derived`);
  }
  const source = normalizeSource(input.source);
  let columns: Schema;
  if (source.type === "timeTable") {
    if (input.columns !== undefined) {
      const c = input.columns;
      if (!isObject(c) || Object.keys(c).length !== 1 || c.Timestamp !== "instant") {
        fail(
          'a time-table source has exactly one column, { "Timestamp": "instant" }; omit "columns"',
        );
      }
    }
    columns = { Timestamp: "instant" };
  } else {
    if (input.columns === undefined) fail('the spec needs "columns" (name -> type)');
    try {
      columns = validateSchema(input.columns);
    } catch (e) {
      if (isTickflareError(e))
        throw new SpecError(`columns: ${e.message}`, undefined, undefined, e.code);
      throw e;
    }
    if (Object.keys(columns).length === 0) {
      throw new SpecError(
        '"columns" must name at least one column',
        undefined,
        undefined,
        "bad_schema",
      );
    }
  }
  let cycleMs = DEFAULT_CYCLE_MS;
  if (input.cycleMs !== undefined) {
    const c = input.cycleMs;
    if (typeof c !== "number" || !Number.isInteger(c) || c < MIN_CYCLE_MS || c > MAX_CYCLE_MS) {
      fail(
        `cycleMs must be an integer from ${MIN_CYCLE_MS} to ${MAX_CYCLE_MS}, got ${JSON.stringify(c)}`,
      );
    }
    cycleMs = c;
  }
  const derived: Record<string, string> = {};
  if (input.derived !== undefined) {
    if (!isObject(input.derived)) fail('"derived" must be an object of name -> chain');
    for (const [name, def] of Object.entries(input.derived)) {
      if (!TABLE_NAME.test(name)) {
        fail(
          `derived table name "${name}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
        );
      }
      if (name === "source")
        fail('"source" is the source table; a derived table cannot take that name');
      if (typeof def !== "string") fail(`derived table "${name}": the definition must be a string`);
      derived[name] = def;
    }
  }
  // Syntax and references are checked here; types and formulas when the family is built.
  for (const [name, def] of Object.entries(derived)) {
    for (const r of references(parseChain(def, name))) {
      if (r.name !== "source" && !(r.name in derived)) {
        throw new SpecError(
          `derived table "${name}": unknown table "${r.name}" at position ${r.pos} in \`${def}\``,
          name,
          r.pos,
        );
      }
    }
  }
  buildOrder(derived);
  return { columns, source, cycleMs, derived };
}

function normalizeSource(s: unknown): SourceSpec {
  if (s === undefined || s === "publisher") return { type: "publisher" };
  if (s === "writer") return { type: "writer" };
  // The normalized forms are accepted too, so normalizing is idempotent.
  if (
    isObject(s) &&
    (s.type === "publisher" || s.type === "writer") &&
    Object.keys(s).length === 1
  ) {
    return { type: s.type };
  }
  if (isObject(s) && s.type === "timeTable") {
    const { type: _t, period, ...rest } = s;
    return normalizeSource({
      timeTable: period,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)),
    });
  }
  if (isObject(s) && "timeTable" in s) {
    for (const k of Object.keys(s)) {
      if (!["timeTable", "blink", "startTime"].includes(k))
        fail(`unknown time-table source field "${k}"`);
    }
    const period = s.timeTable;
    if (typeof period !== "string" || parseDuration(period) === null) {
      fail(
        `source.timeTable must be an ISO-8601 duration such as "PT1s", got ${JSON.stringify(period)}`,
      );
    }
    const ns = parseDuration(period as string)!;
    if (ns <= 0n) fail(`source.timeTable must be a positive duration, got "${period}"`);
    if (s.blink !== undefined && typeof s.blink !== "boolean")
      fail("source.blink must be true or false");
    if (s.startTime !== undefined && typeof s.startTime !== "string")
      fail("source.startTime must be an ISO-8601 instant string");
    return {
      type: "timeTable",
      period: period as string,
      blink: (s.blink as boolean) ?? false,
      startTime: (s.startTime as string) ?? null,
    };
  }
  return fail(
    `source must be "publisher", "writer" or { "timeTable": "PT1s" }, got ${JSON.stringify(s)}`,
  );
}

/** Derived table names in an order where every table comes after those it reads. */
export function buildOrder(derived: Readonly<Record<string, string>>): string[] {
  const deps = new Map<string, string[]>();
  for (const [name, def] of Object.entries(derived)) {
    deps.set(
      name,
      references(parseChain(def, name))
        .map((r) => r.name)
        .filter((n) => n !== "source"),
    );
  }
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new SpecError(`derived table "${name}": cyclic reference ${cycle.join(" -> ")}`, name);
    }
    state.set(name, 1);
    for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
    state.set(name, 2);
    order.push(name);
  };
  for (const name of deps.keys()) visit(name, []);
  return order;
}

/** Canonical JSON of a normalized spec, for "same spec again" checks. */
export function canonicalSpec(spec: FamilySpec): string {
  return JSON.stringify({
    columns: spec.columns,
    source: spec.source,
    cycleMs: spec.cycleMs,
    derived: spec.derived,
  });
}
