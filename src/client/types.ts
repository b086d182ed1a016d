/**
 * Shapes of the server's JSON answers (docs/protocol.md). The shared ones live in the engine
 * (wire.ts), so the client depends only on the engine and never on the server's modules.
 */
export type {
  PublishResult,
  SetAsideBatch,
  SourceDescription,
  TableDescription,
  TransientDescription,
  ViewDescription,
} from "../engine/wire.ts";

/** `GET /v1/tables` entries. */
export interface TableListEntry {
  name: string;
  createdAt: string;
}

/** A table-family spec (docs/protocol.md, "Specs"). */
export interface TableSpec {
  /** Source name -> source (instead of `columns` and `source`). */
  sources?: Record<string, unknown>;
  columns?: Record<string, string>;
  source?: unknown;
  cycleMs?: number;
  derived?: Record<string, string>;
}
