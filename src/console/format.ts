/**
 * Cell text for the grid: numbers grouped and right-aligned, floats to at most 4 decimals
 * (exponent form when huge or tiny), int64 exact, instants as ISO-8601 UTC. Pure and DOM-free.
 */
import type { ColumnType, Value } from "../engine/index.ts";
import { formatInstant } from "../engine/index.ts";

const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const FLOAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** True for the types the grid right-aligns and the chart can plot. */
export function isNumericType(type: ColumnType): boolean {
  return /^(int8|int16|int32|int64|float32|float64)$/.test(type);
}

/** Text of one value; `null` (the table's null) gives null so the caller can style it. */
export function formatValue(type: ColumnType, v: Value): string | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "float32":
    case "float64":
      return formatFloat(v as number);
    case "int8":
    case "int16":
    case "int32":
      return INT.format(v as number);
    case "int64":
      return (v as bigint).toLocaleString("en-US");
    case "instant":
      return formatInstant(v as bigint);
    case "bool":
      return v ? "true" : "false";
    default:
      if (Array.isArray(v)) return formatArray(v);
      return String(v);
  }
}

export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e12 || a < 1e-4)) return x.toExponential(4);
  return FLOAT.format(x);
}

function formatArray(v: readonly unknown[]): string {
  const shown = v
    .slice(0, 16)
    .map((e) => (e === null ? "null" : typeof e === "bigint" ? e.toString() : JSON.stringify(e)));
  return `[${shown.join(", ")}${v.length > 16 ? `, … (${v.length})` : ""}]`;
}

/** A short, readable count: 1,234 / 12.3k / 4.5M. */
export function formatCount(n: number): string {
  if (n < 10_000) return INT.format(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

/** Characters a column's header and typical values need (for its width). */
export function typicalWidth(type: ColumnType): number {
  switch (type) {
    case "bool":
      return 5;
    case "char":
    case "int8":
      return 4;
    case "int16":
      return 6;
    case "int32":
      return 9;
    case "int64":
      return 12;
    case "float32":
    case "float64":
      return 10;
    case "instant":
      return 24;
    default:
      return 10;
  }
}
