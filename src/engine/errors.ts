/**
 * Error classes of the engine. Every error a user can cause is one of these, with a message that
 * names what was wrong (column, row, position, expected type). The router maps them to 4xx bodies
 * by their `code`.
 */

/** Base class of every tickflare engine error; `code` is a short stable identifier. */
export class TickflareError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad schema: unknown type, invalid or duplicate column name. */
export class SchemaError extends TickflareError {
  readonly column: string | undefined;
  constructor(message: string, column?: string) {
    super("bad_schema", message);
    this.column = column;
  }
}

/** A value that does not fit its column's type. `row` is the 0-based row index in the input. */
export class ValueError extends TickflareError {
  readonly column: string | undefined;
  readonly row: number | undefined;
  constructor(message: string, column?: string, row?: number) {
    super("bad_value", message);
    this.column = column;
    this.row = row;
  }
}

/**
 * A formula that cannot be parsed, typed or compiled. `position` is the 0-based character offset
 * in `formula` where the problem starts.
 */
export class FormulaError extends TickflareError {
  readonly formula: string;
  readonly position: number;
  constructor(formula: string, position: number, detail: string) {
    super("bad_formula", `${detail} at position ${position} in formula \`${formula}\``);
    this.formula = formula;
    this.position = position;
  }
}

/** An operation that the table's type does not allow (e.g. `groupBy` on a blink table). */
export class UnsupportedOperationError extends TickflareError {
  constructor(message: string) {
    super("unsupported_operation", message);
  }
}

/** A bad argument to an engine call (capacity <= 0, unknown column, wrong arity, ...). */
export class ArgumentError extends TickflareError {
  constructor(message: string) {
    super("bad_argument", message);
  }
}

/** Reading or listening to a table that has failed. `cause` is the original failure. */
export class TableFailedError extends TickflareError {
  constructor(message: string, cause?: unknown) {
    super("table_failed", message);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** An Arrow or IPC payload that does not decode into a table of the expected schema. */
export class ArrowError extends TickflareError {
  constructor(message: string) {
    super("bad_arrow", message);
  }
}

/**
 * A CSV body that does not parse (unclosed quote, wrong number of fields, bad header). `row` is
 * the 0-based data row (null for the header), `line` the 1-based line where the problem is.
 */
export class CsvError extends TickflareError {
  readonly row: number | null;
  readonly line: number;
  constructor(message: string, row: number | null, line: number) {
    super("bad_csv", message);
    this.row = row;
    this.line = line;
  }
}

/** Brand check that survives the engine being bundled twice (no `instanceof` across bundles). */
export function isTickflareError(e: unknown): e is TickflareError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string" && "code" in e;
}

/** Characters of a value an error message shows; a longer rendering is cut there. */
const SHOWN_CHARS = 200;

/**
 * A value as an error message shows it (every "got ..." of a user's value): its JSON (bigints as
 * `12n`, numbers as JS writes them), cut after SHOWN_CHARS characters. Never throws: a value too
 * deeply nested to render (`JSON.stringify` recurses, and a 16 MiB body can nest arrays a million
 * deep) or holding a cycle is named by its kind.
 */
export function showValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  // NaN and the infinities (JSON's 1e400 parses to Infinity), which JSON writes as null.
  if (typeof value === "number") return String(value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as Uint8Array).length})`;
  let s: string;
  try {
    s = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    s = Array.isArray(value)
      ? `an array of ${value.length} (nested too deeply to show)`
      : value !== null && typeof value === "object"
        ? "an object (nested too deeply to show)"
        : typeof value;
  }
  return s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}... (${s.length} characters)` : s;
}
