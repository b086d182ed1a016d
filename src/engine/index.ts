/**
 * tickflare engine: ticking tables in the Deephaven model, runtime-agnostic (Workers, Deno,
 * Node, browsers). See docs/engine.md. Exports are grouped by concern; import order here is
 * deliberate (the file is exempt from import sorting in biome.json).
 */

// Update graph and table updates
export { UpdateGraph } from "./update-graph.ts";
export type { UpdateGraphOptions } from "./update-graph.ts";
export type { TableUpdate } from "./table-update.ts";
// Persistence: a graph given `store` saves its stateful operators' state there (docs/engine.md).
export type { SqlPort, SqlValue } from "./persist/sql-port.ts";
export { SqlStateStore } from "./persist/state-store.ts";
export type { StateStore, StateStoreOptions } from "./persist/state-store.ts";
export { RowSet, RowSetBuilder } from "./row-set.ts";

// Tables and static construction
export { Table } from "./table.ts";
export type { FailureListener, TableAttributes, UpdateListener } from "./table.ts";
export type { AttributeChanges } from "./ops/with-attributes.ts";
export {
  arrayCol,
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
export type { ColumnData } from "./new-table.ts";
export { seedStaticRandom } from "./ops/eval.ts";

// Derived tables that are functions rather than methods
export { merge } from "./ops/merge.ts";
export { ringTable } from "./ops/ring.ts";
export { timeWindow } from "./ops/time-window.ts";
export type { RingTableOptions } from "./ops/ring.ts";
export { blinkToAppendOnly } from "./ops/blink-to-append-only.ts";
export type { BlinkToAppendOnlyOptions } from "./ops/blink-to-append-only.ts";

// Joins
export type { NaturalJoinOptions, NaturalJoinType } from "./ops/natural-join.ts";

// Aggregations
export { agg, PartitionedTable } from "./agg/index.ts";
export type { AggSpec } from "./agg/index.ts";

// Running and windowed values (updateBy)
export { updateby } from "./updateby/update-by-spec.ts";
export type { UpdateByColumns, UpdateBySpec } from "./updateby/update-by-spec.ts";

// Sources
export { TablePublisher, tablePublisher } from "./sources/table-publisher.ts";
export type { TablePublisherOptions } from "./sources/table-publisher.ts";
export { DynamicTableWriter, WriterClosedError } from "./sources/dynamic-table-writer.ts";
export { parseDuration, timeTable } from "./sources/time-table.ts";
export type { TimeTableOptions } from "./sources/time-table.ts";
export { Mirror, mirrorTable } from "./sources/mirror-table.ts";
export { InputTable, inputTable } from "./sources/input-table.ts";
export type { InputRows, InputTableOptions } from "./sources/input-table.ts";
export type { KeyedRows } from "./sources/mirror-table.ts";

// Formulas
export { compileFormula } from "./formula/index.ts";
export type { CompiledFormula } from "./formula/index.ts";

// Types and values
export {
  COLUMN_TYPES,
  elementType,
  formatInstant,
  isArrayType,
  parseInstant,
  SCALAR_TYPES,
  validateSchema,
} from "./types.ts";
export type {
  ArrayType,
  ArrayValue,
  ColumnType,
  ScalarType,
  ScalarValue,
  Schema,
  Value,
} from "./types.ts";

// Arrow and JSON forms
export { arrowToVecs, fromArrow, fromArrowIPC, tableToArrow, toArrowIPC } from "./arrow.ts";
export { rowsToCsv } from "./csv-forms.ts";
export { rowsToJson, toJsonValue } from "./json-forms.ts";
export { useEngineWasm } from "./wasm/engine-wasm.ts";
export type { JsonScalar, JsonValue } from "./json-forms.ts";

// Wire protocol (subscribe / publish WebSockets)
export { deltaFrames, FRAME_BYTES, snapshotFrames } from "./wire.ts";
export type {
  AckMessage,
  DeltaMessage,
  ErrorMessage,
  FailureMessage,
  Frame,
  JsonRow,
  ResumeMessage,
  ServerMessage,
  SnapshotMessage,
  Viewport,
  WireFormat,
  WireShape,
} from "./wire.ts";

// Errors
export {
  ArgumentError,
  ArrowError,
  CsvError,
  FormulaError,
  isTickflareError,
  SchemaError,
  TableFailedError,
  TickflareError,
  UnsupportedOperationError,
  ValueError,
} from "./errors.ts";
// Table Data Service
export type {
  FailureCallback,
  Hashable,
  InMemoryBackendOptions,
  LocationCallback,
  MakeTableOptions,
  SchemaCallback,
  SizeCallback,
  TableDataServiceBackend,
  TableDataServiceOptions,
  Unsubscribe,
  ValuesCallback,
} from "./tds/index.ts";
export {
  hashString,
  InMemoryBackend,
  KeyedMap,
  KeyedSet,
  StringTableKey,
  StringTableLocationKey,
  TableDataService,
  TableDataServiceError,
  TableKey,
  TableLocationKey,
} from "./tds/index.ts";
export type {
  FetchLike,
  HttpBackendOptions,
  ResponseLike,
  WebSocketConstructorLike,
  WebSocketEventLike,
  WebSocketLike,
} from "./tds/http-backend.ts";
export { HttpBackend } from "./tds/http-backend.ts";
export { BackendError, backendStatusOf } from "./tds/backend-error.ts";
export type {
  R2BackendOptions,
  R2BucketLike,
  R2ObjectBodyLike,
  R2ObjectLike,
  R2ObjectsLike,
  TimerLike,
} from "./tds/r2-backend.ts";
export { R2Backend } from "./tds/r2-backend.ts";
export { ALL_LOCATION, hivePath } from "./tds/r2-layout.ts";
export type { R2PartCacheOptions } from "./tds/r2-part-cache.ts";
export { R2PartCache } from "./tds/r2-part-cache.ts";
