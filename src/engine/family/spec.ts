/**
 * Table-family specs: the JSON that defines a family's sources and its derived tables.
 * `normalizeSpec` validates everything that can be checked without building (types, names,
 * numbers, syntax) and fills defaults, so two specs that mean the same compare equal as
 * canonical JSON.
 *
 * A spec names its sources in `"sources"` (name -> source), or gives the one source named
 * `source` with the top-level `"columns"` and `"source"` fields (the original form, which
 * normalizes to `"sources": { "source": ... }`; a stored spec of that form restores as before).
 * The canonical form is `{ sources, cycleMs, derived }` (plus `inputs` when the spec names any);
 * sources keep the order the spec gives them, which is also the order they are built in (and the
 * order of their persisted state).
 *
 * `"inputs": { "ref": "refdata/source" }` names views of other families that this family reads as
 * local tables (docs/protocol.md "Inputs from other families"). Only the names are checked here;
 * that the family and view exist, and that inputs form no cycle, is checked where families are
 * known (the catalog).
 */

import { isTickflareError, showValue } from "../errors.ts";
import { inputTableSchema } from "../sources/input-table.ts";
import { parseDuration } from "../sources/time-table.ts";
import type { Schema } from "../types.ts";
import { validateSchema } from "../types.ts";
import { parseChain, references, SpecError } from "./chain-parser.ts";

/** One source of a family, in canonical form (every kind carries its columns). */
export type SourceSpec =
  | { type: "publisher"; columns: Schema }
  | { type: "writer"; columns: Schema }
  | { type: "input"; columns: Schema; keys: string[] }
  | {
      type: "timeTable";
      columns: Schema;
      period: string;
      blink: boolean;
      startTime: string | null;
    };

/** The kinds of source a spec may name. */
export type SourceType = SourceSpec["type"];

export interface FamilySpec {
  /** Source name -> source, in build order. */
  sources: Record<string, SourceSpec>;
  cycleMs: number;
  derived: Record<string, string>;
  /**
   * Local table name -> `"family/view"` of another family, in build order; absent when the spec
   * names none (so specs written before inputs existed keep their canonical form).
   */
  inputs?: Record<string, string>;
}

/** An input's producer: the family and view of `"family/view"`. */
export interface InputRef {
  family: string;
  view: string;
}

export const MIN_CYCLE_MS = 10;
export const MAX_CYCLE_MS = 3_600_000;
export const DEFAULT_CYCLE_MS = 1000;
/** Most sources one family may have. */
export const MAX_SOURCES = 32;
/** Most inputs from other families one family may have. */
export const MAX_INPUTS = 16;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A family name (as in URLs) and a view name: `refdata/source`. */
const INPUT_REF = /^([A-Za-z0-9_-]{1,64})\/([A-Za-z_][A-Za-z0-9_]{0,63})$/;
// Top-level fields.
const TOP_KEYS = ["sources", "columns", "source", "cycleMs", "derived", "inputs"];
const TIME_TABLE_COLUMNS: Schema = { Timestamp: "instant" };

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
    if (!TOP_KEYS.includes(k)) fail(`unknown spec field "${k}"; expected ${TOP_KEYS.join(", ")}`);
  }
  let sources: Record<string, SourceSpec>;
  if (input.sources !== undefined) {
    const both = ["columns", "source"].filter((k) => input[k] !== undefined);
    if (both.length > 0) {
      fail(
        `"sources" and ${both.map((k) => `"${k}"`).join(" and ")} cannot both be given: "sources" names every source; the top-level "columns"/"source" form is the one source named "source"`,
      );
    }
    sources = normalizeSources(input.sources);
  } else {
    sources = { source: legacySource(input.columns, input.source) };
  }
  let cycleMs = DEFAULT_CYCLE_MS;
  if (input.cycleMs !== undefined) {
    const c = input.cycleMs;
    if (typeof c !== "number" || !Number.isInteger(c) || c < MIN_CYCLE_MS || c > MAX_CYCLE_MS) {
      fail(
        `cycleMs must be an integer from ${MIN_CYCLE_MS} to ${MAX_CYCLE_MS}, got ${showValue(c)}`,
      );
    }
    cycleMs = c;
  }
  const inputs = normalizeInputs(input.inputs, sources);
  const derived: Record<string, string> = {};
  if (input.derived !== undefined) {
    if (!isObject(input.derived)) fail('"derived" must be an object of name -> chain');
    for (const [name, def] of Object.entries(input.derived)) {
      if (!TABLE_NAME.test(name)) {
        fail(
          `derived table name "${name}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
        );
      }
      if (name in sources)
        fail(`"${name}" is a source table; a derived table cannot take that name`);
      if (inputs && name in inputs)
        fail(`"${name}" is an input table; a derived table cannot take that name`);
      if (typeof def !== "string") fail(`derived table "${name}": the definition must be a string`);
      derived[name] = def;
    }
  }
  // Syntax and references are checked here; types and formulas when the family is built.
  for (const [name, def] of Object.entries(derived)) {
    for (const r of references(parseChain(def, name))) {
      if (!(r.name in sources) && !(r.name in derived) && !(inputs && r.name in inputs)) {
        throw new SpecError(
          `derived table "${name}": unknown table "${r.name}" at position ${r.pos} in \`${def}\``,
          name,
          r.pos,
        );
      }
    }
  }
  buildOrder(derived);
  return inputs ? { sources, cycleMs, derived, inputs } : { sources, cycleMs, derived };
}

/** `"inputs"`: local name -> "family/view"; undefined when absent or empty. */
function normalizeInputs(
  input: unknown,
  sources: Record<string, SourceSpec>,
): Record<string, string> | undefined {
  if (input === undefined) return undefined;
  if (!isObject(input))
    fail('"inputs" must be an object of name -> "family/view", e.g. { "ref": "refdata/source" }');
  const names = Object.keys(input);
  if (names.length > MAX_INPUTS)
    fail(`"inputs" names ${names.length} inputs; a family has at most ${MAX_INPUTS}`);
  const out: Record<string, string> = {};
  for (const name of names) {
    if (!TABLE_NAME.test(name)) {
      fail(
        `input name "${name}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
      );
    }
    if (name in sources) fail(`inputs.${name}: "${name}" is a source table already`);
    const ref = input[name];
    if (typeof ref !== "string" || !INPUT_REF.test(ref)) {
      fail(
        `inputs.${name} must be "family/view" (a family name of 1 to 64 letters, digits, '_' or '-', then a view name), got ${showValue(ref)}`,
      );
    }
    out[name] = ref;
  }
  return names.length > 0 ? out : undefined;
}

/** The family and view an input names (`"refdata/source"`); the input must be normalized. */
export function inputRef(ref: string): InputRef {
  const m = INPUT_REF.exec(ref);
  if (!m) throw new SpecError(`an input must be "family/view", got ${showValue(ref)}`);
  return { family: m[1]!, view: m[2]! };
}

/** `"sources"`: name -> source object. */
function normalizeSources(input: unknown): Record<string, SourceSpec> {
  if (!isObject(input))
    fail('"sources" must be an object of name -> source, e.g. { "trades": { "columns": {...} } }');
  const names = Object.keys(input);
  if (names.length === 0) fail('"sources" must name at least one source');
  if (names.length > MAX_SOURCES)
    fail(`"sources" names ${names.length} sources; a family has at most ${MAX_SOURCES}`);
  const out: Record<string, SourceSpec> = {};
  for (const name of names) {
    if (!TABLE_NAME.test(name)) {
      fail(
        `source name "${name}" must start with a letter or '_' and contain only letters, digits or '_' (at most 64)`,
      );
    }
    out[name] = namedSource(name, input[name]);
  }
  return out;
}

const SOURCE_FIELDS: Record<string, readonly string[]> = {
  publisher: ["type", "columns"],
  writer: ["type", "columns"],
  input: ["type", "columns", "keys"],
};

/** One entry of `"sources"`. */
function namedSource(name: string, s: unknown): SourceSpec {
  const where = `sources.${name}`;
  if (!isObject(s)) {
    fail(
      `${where} must be an object such as { "columns": {...} }, { "type": "input", "columns": {...}, "keys": [...] } or { "type": "timeTable", "period": "PT1s" }`,
    );
  }
  const type = s.type ?? ("timeTable" in s ? "timeTable" : "publisher");
  if (type === "timeTable") {
    const { columns, ...rest } = s;
    checkTimeTableColumns(columns, where);
    return timeTableSource(rest, where);
  }
  const fields = SOURCE_FIELDS[type as string];
  if (!fields) {
    fail(
      `${where}.type must be "publisher", "writer", "input" or "timeTable", got ${showValue(type)}`,
    );
  }
  for (const k of Object.keys(s)) {
    if (!fields.includes(k))
      fail(`unknown field "${k}" in ${where} (a ${type} source takes ${fields.join(", ")})`);
  }
  const columns = schemaOf(s.columns, `${where}.columns`);
  if (type !== "input") return { type: type as "publisher" | "writer", columns };
  try {
    const { keys } = inputTableSchema({ columns, keys: (s.keys ?? []) as string[] });
    return { type: "input", columns, keys };
  } catch (e) {
    if (isTickflareError(e))
      throw new SpecError(`${where}.keys: ${e.message}`, undefined, undefined, e.code);
    throw e;
  }
}

/** The top-level `"columns"` and `"source"` fields: the one source named `source`. */
function legacySource(columns: unknown, s: unknown): SourceSpec {
  const kind = normalizeSourceKind(s);
  if (kind.type === "timeTable") {
    checkTimeTableColumns(columns, "source");
    return kind;
  }
  if (columns === undefined) fail('the spec needs "columns" (name -> type) or "sources"');
  return { type: kind.type, columns: schemaOf(columns, "columns") };
}

function schemaOf(columns: unknown, where: string): Schema {
  if (columns === undefined) fail(`${where} is missing: name -> type`);
  let schema: Schema;
  try {
    schema = validateSchema(columns);
  } catch (e) {
    if (isTickflareError(e))
      throw new SpecError(`${where}: ${e.message}`, undefined, undefined, e.code);
    throw e;
  }
  if (Object.keys(schema).length === 0) {
    throw new SpecError(
      `"${where}" must name at least one column`,
      undefined,
      undefined,
      "bad_schema",
    );
  }
  return schema;
}

function checkTimeTableColumns(c: unknown, where: string): void {
  if (c === undefined) return;
  if (!isObject(c) || Object.keys(c).length !== 1 || c.Timestamp !== "instant") {
    fail(
      `a time-table source (${where}) has exactly one column, { "Timestamp": "instant" }; omit "columns"`,
    );
  }
}

/** The top-level `"source"` field's kind (no columns yet for publisher and writer). */
function normalizeSourceKind(
  s: unknown,
): { type: "publisher" } | { type: "writer" } | Extract<SourceSpec, { type: "timeTable" }> {
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
  if (isObject(s) && (s.type === "timeTable" || "timeTable" in s))
    return timeTableSource(s, "source");
  return fail(
    `source must be "publisher", "writer" or { "timeTable": "PT1s" }, got ${showValue(s)}`,
  );
}

/** `{ "timeTable": "PT1s", blink?, startTime? }` or `{ "type": "timeTable", "period", ... }`. */
function timeTableSource(
  s: Record<string, unknown>,
  where: string,
): Extract<SourceSpec, { type: "timeTable" }> {
  if (s.type === "timeTable") {
    const { type: _t, period, ...rest } = s;
    return timeTableSource(
      {
        timeTable: period,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)),
      },
      where,
    );
  }
  for (const k of Object.keys(s)) {
    if (!["timeTable", "blink", "startTime"].includes(k))
      fail(`unknown time-table source field "${k}"`);
  }
  const period = s.timeTable;
  if (typeof period !== "string" || parseDuration(period) === null) {
    fail(
      `${where}.timeTable must be an ISO-8601 duration such as "PT1s", got ${showValue(period)}`,
    );
  }
  const ns = parseDuration(period as string)!;
  if (ns <= 0n) fail(`${where}.timeTable must be a positive duration, got "${period}"`);
  if (s.blink !== undefined && typeof s.blink !== "boolean")
    fail(`${where}.blink must be true or false`);
  if (s.startTime !== undefined && typeof s.startTime !== "string")
    fail(`${where}.startTime must be an ISO-8601 instant string`);
  return {
    type: "timeTable",
    columns: TIME_TABLE_COLUMNS,
    period: period as string,
    blink: (s.blink as boolean) ?? false,
    startTime: (s.startTime as string) ?? null,
  };
}

/** Derived table names in an order where every table comes after those it reads. */
export function buildOrder(derived: Readonly<Record<string, string>>): string[] {
  const deps = new Map<string, string[]>();
  for (const [name, def] of Object.entries(derived)) {
    deps.set(
      name,
      references(parseChain(def, name))
        .map((r) => r.name)
        .filter((n) => n in derived),
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
    sources: spec.sources,
    cycleMs: spec.cycleMs,
    derived: spec.derived,
    ...(spec.inputs ? { inputs: spec.inputs } : {}),
  });
}
