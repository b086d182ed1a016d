/**
 * TableDataServiceError: anything that went wrong between the engine and a backend: a failure
 * callback, a backend method that threw, or data that breaks the contract (a wrong schema, a
 * partition-values table of the wrong shape, a page with too few rows). The message starts with
 * the table key, then the location and the column where they apply, as Deephaven's do
 * (`TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: column_values(Price, ...) ...`).
 */
import { TickflareError } from "../errors.ts";

export class TableDataServiceError extends TickflareError {
  /** `toString()` of the table key. */
  readonly tableKey: string;
  /** `toString()` of the location key, when one location was concerned. */
  readonly location: string | undefined;
  /** The column concerned, if any. */
  readonly column: string | undefined;

  constructor(
    message: string,
    where: { tableKey: string; location?: string; column?: string },
    cause?: unknown,
  ) {
    super("table_data_service", message);
    this.tableKey = where.tableKey;
    this.location = where.location;
    this.column = where.column;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** The text of a failure callback's argument (an Error's message, or the value as a string). */
export function failureText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (error === undefined) return "no reason given";
  try {
    return String(error);
  } catch {
    return "an unprintable error";
  }
}
