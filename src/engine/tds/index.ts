/** Table Data Service: engine tables backed by an external data source (seed 001). */
export type {
  FailureCallback,
  LocationCallback,
  SchemaCallback,
  SizeCallback,
  TableDataServiceBackend,
  Unsubscribe,
  ValuesCallback,
} from "./backend.ts";
export { TableDataServiceError } from "./errors.ts";
export type { InMemoryBackendOptions } from "./in-memory-backend.ts";
export { InMemoryBackend } from "./in-memory-backend.ts";
export { KeyedMap, KeyedSet } from "./keyed-map.ts";
export type { MakeTableOptions, TableDataServiceOptions } from "./table-data-service.ts";
export { TableDataService } from "./table-data-service.ts";
export type { Hashable } from "./table-key.ts";
export {
  hashString,
  StringTableKey,
  StringTableLocationKey,
  TableKey,
  TableLocationKey,
} from "./table-key.ts";
