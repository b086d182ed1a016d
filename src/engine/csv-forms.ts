/**
 * CSV forms of rows (docs/protocol.md): what CSV snapshots write and what `text/csv` publish
 * bodies are read as, kept in one file so the two agree and a snapshot can be published again.
 *
 * RFC 4180: a header row of column names, then one record per row; fields separated by `,`,
 * records by CRLF (LF alone is read too); a field holding `,` `"` CR or LF is quoted, `"` doubled.
 * Each cell is its value's JSON form as text (numbers, `true`/`false`, ISO-8601 instants, int64
 * beyond ±(2^53−1) as digits, `NaN`/`Infinity`/`-Infinity`, array cells as JSON text). A null is
 * an empty unquoted field; the empty string is written quoted (`""`), so the two stay apart.
 */
import { CsvError, showValue, ValueError } from "./errors.ts";
import type { JsonValue } from "./json-forms.ts";
import type { ColumnType, Schema } from "./types.ts";
import { isArrayType } from "./types.ts";

/** A parsed CSV body: the header's column names and the records (null = empty unquoted field). */
export interface CsvRecords {
  columns: string[];
  records: (string | null)[][];
}

/** CSV of rows in JSON form; nulls are empty fields, empty strings `""`, arrays JSON text. */
export function rowsToCsv(
  columns: readonly string[],
  rows: readonly Record<string, JsonValue>[],
): string {
  const cell = (v: JsonValue): string => {
    if (v === null) return "";
    const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
    if (s === "") return '""';
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] ?? null)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Parses a CSV body (RFC 4180; see the module comment): the first record is the header. Every
 * record must have as many fields as the header; a blank line is a record of one null field.
 * The line terminator after the last record is optional. Throws CsvError naming the row (0-based,
 * counting data rows only, as JSON bodies do) and the line.
 */
export function parseCsv(text: string): CsvRecords {
  if (text === "") throw new CsvError("the CSV body is empty; expected a header row", null, 1);
  const all: (string | null)[][] = [];
  const lines: number[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    const row = all.length - 2; // the record being read, counted as a data row (-1: the header)
    throw new CsvError(
      row < 0 ? `the CSV header (line ${line}): ${what}` : `row ${row} (line ${line}): ${what}`,
      row < 0 ? null : row,
      line,
    );
  };
  while (i < n) {
    const record: (string | null)[] = [];
    all.push(record);
    lines.push(line);
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line;
        let value = "";
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) {
            line = opened;
            fail("a quoted field is not closed");
          }
          const part = text.slice(from, q);
          for (let k = part.indexOf("\n"); k >= 0; k = part.indexOf("\n", k + 1)) line++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += `${part}"`;
            from = q + 2;
          } else {
            value += part;
            i = q + 1;
            break;
          }
        }
        record.push(value);
      } else {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) fail(`field ${record.length + 1} has a '"' but does not start with one`);
        }
        record.push(j === i ? null : text.slice(i, j));
        i = j;
      }
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === LF || (c === CR && text.charCodeAt(i + 1) === LF)) {
        i += c === LF ? 1 : 2;
        line++;
        break;
      }
      if (c === CR) fail("a CR must be followed by LF");
      fail(`field ${record.length} has characters after its closing quote`);
    }
  }
  const header = all[0]!;
  const columns: string[] = [];
  for (const [k, name] of header.entries()) {
    if (name === null || name === "")
      throw new CsvError(`the CSV header (line 1): column ${k + 1} has no name`, null, 1);
    if (columns.includes(name))
      throw new CsvError(`the CSV header (line 1): column "${name}" appears twice`, null, 1);
    columns.push(name);
  }
  for (let r = 1; r < all.length; r++) {
    const got = all[r]!.length;
    if (got !== columns.length) {
      throw new CsvError(
        `row ${r - 1} (line ${lines[r]}): ${got} field${got === 1 ? "" : "s"}, but the header has ${columns.length}`,
        r - 1,
        lines[r]!,
      );
    }
  }
  return { columns, records: all.slice(1) };
}

/** JSON number syntax (what the writer produces for numbers). */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * Rows in JSON form from parsed CSV, by the schema's column types (the header may list the
 * columns in any order; a column it leaves out is null). Cells that are not their type's text
 * form are passed on as strings, so the strict conversion refuses them naming row and column.
 */
export function csvToRows(schema: Schema, csv: CsvRecords): Record<string, unknown>[] {
  const names = Object.keys(schema);
  for (const c of csv.columns) {
    if (schema[c] === undefined) {
      throw new ValueError(
        `the CSV header names unknown column "${c}"; columns are [${names.join(", ")}]`,
        c,
      );
    }
  }
  const types = csv.columns.map((c) => schema[c]!);
  return csv.records.map((record, row) => {
    const out: Record<string, unknown> = {};
    for (let k = 0; k < types.length; k++) {
      out[csv.columns[k]!] = cellValue(types[k]!, record[k] ?? null, csv.columns[k]!, row);
    }
    return out;
  });
}

function cellValue(type: ColumnType, f: string | null, column: string, row: number): unknown {
  if (f === null) return null;
  if (isArrayType(type)) {
    try {
      return JSON.parse(f);
    } catch {
      throw new ValueError(
        `row ${row}, column "${column}": expected ${type} as JSON array text, got ${showValue(f)}`,
        column,
        row,
      );
    }
  }
  switch (type) {
    case "string":
    case "char":
      return f;
    case "bool":
      return f === "true" ? true : f === "false" ? false : f;
    case "int64":
    case "instant":
      // Digits stay text: int64 and instant read decimal strings exactly.
      return INTEGER.test(f) ? f : NUMBER.test(f) ? Number(f) : f;
    default:
      return NUMBER.test(f) ? Number(f) : f;
  }
}
