/**
 * Shapes of the server's JSON answers (docs/protocol.md). Declared here, structurally, so the
 * client depends only on the engine and never on the server's modules.
 */
import type { Schema } from "../engine/index.ts";

export interface ViewDescription {
  kind: string;
  columns: Schema;
  size: number;
  refreshing: boolean;
  blink: boolean;
  appendOnly: boolean;
  addOnly: boolean;
  failed: boolean;
  heapBytes: number;
  storedBytes: number;
}

/** `GET /v1/tables/:name`. */
export interface TableDescription {
  name: string;
  spec: {
    columns: Schema;
    source: { type: string; [k: string]: unknown };
    cycleMs: number;
    derived: Record<string, string>;
  };
  cycle: number;
  cycleMs: number;
  state: "live" | "shutdown";
  shutdownReason: string | null;
  pending: { batches: number; rows: number };
  views: Record<string, ViewDescription>;
}

/** `GET /v1/tables` entries. */
export interface TableListEntry {
  name: string;
  createdAt: string;
}

/** `POST /v1/tables/:name/rows` and publish-stream acks. */
export interface PublishResult {
  accepted: number;
  /** The cycle in which the rows are expected to appear. */
  cycle: number;
  /** True when the Idempotency-Key was seen before and nothing was added. */
  duplicate: boolean;
}

/** A table-family spec (docs/protocol.md, "Specs"). */
export interface TableSpec {
  columns?: Record<string, string>;
  source?: unknown;
  cycleMs?: number;
  derived?: Record<string, string>;
}
