/**
 * tickflare engine: ticking tables in the Deephaven model, runtime-agnostic (Workers, Deno,
 * Node, browsers). See docs/engine.md.
 */

// Arrow
export { arrowToVecs, fromArrow, fromArrowIPC, tableToArrow, toArrowIPC } from "./arrow.ts";
// Errors
export {
  ArgumentError,
  ArrowError,
  FormulaError,
  isTickflareError,
  SchemaError,
  TableFailedError,
  TickflareError,
  UnsupportedOperationError,
  ValueError,
} from "./errors.ts";
export type { CompiledFormula } from "./formula/index.ts";
// Formulas
export { compileFormula } from "./formula/index.ts";
export type { JsonValue } from "./json-forms.ts";
export { rowsToCsv, rowsToJson, toJsonValue } from "./json-forms.ts";
export type { ColumnData } from "./new-table.ts";
export {
  boolCol,
  byteCol,
  charCol,
  col,
  doubleCol,
  emptyTable,
  floatCol,
  instantCol,
  intCol,
  longCol,
  newTable,
  shortCol,
  stringCol,
  tableFromRows,
} from "./new-table.ts";
export type { BlinkToAppendOnlyOptions } from "./ops/blink-to-append-only.ts";
export { blinkToAppendOnly } from "./ops/blink-to-append-only.ts";
export { seedStaticRandom } from "./ops/eval.ts";
export { merge } from "./ops/merge.ts";
export type { RingTableOptions } from "./ops/ring.ts";
export { ringTable } from "./ops/ring.ts";
export { RowSet, RowSetBuilder } from "./row-set.ts";
export { DynamicTableWriter, WriterClosedError } from "./sources/dynamic-table-writer.ts";
export type { TablePublisherOptions } from "./sources/table-publisher.ts";

// Sources
export { TablePublisher, tablePublisher } from "./sources/table-publisher.ts";
export type { TimeTableOptions } from "./sources/time-table.ts";
export { parseDuration, timeTable } from "./sources/time-table.ts";
export type { FailureListener, TableAttributes, UpdateListener } from "./table.ts";
// Tables
export { Table } from "./table.ts";
export type { TableUpdate } from "./table-update.ts";
// Types and values
export type { ColumnType, Schema, Value } from "./types.ts";
export { COLUMN_TYPES, formatInstant, parseInstant, validateSchema } from "./types.ts";
export type { UpdateGraphOptions } from "./update-graph.ts";
// Update graph and table updates
export { UpdateGraph } from "./update-graph.ts";
