/**
 * Wire messages of the subscribe and publish WebSockets (docs/protocol.md). The server sends a
 * snapshot (possibly split into parts of about 1 MiB), then one delta per cycle in which the view
 * changed. With `format=arrow` each JSON header frame is followed by binary frames, each one Arrow
 * IPC stream: a snapshot's `frames` frames of rows in key order, or a delta's `addedFrames` then
 * `modifiedFrames`. Keys are row keys; rows are in key order.
 */
import { writeIPC } from "./arrow/ipc-write.ts";
import type { FamilySpec } from "./family/spec.ts";
import type { JsonValue } from "./json-forms.ts";
import { rowsToJson } from "./json-forms.ts";
import { readRows } from "./ops/copy.ts";
import { encodeParts } from "./persist/state-store.ts";
import type { RowSet } from "./row-set.ts";
import type { Table } from "./table-core.ts";
import type { TableUpdate } from "./table-update.ts";
import type { Schema } from "./types.ts";

export type JsonRow = Record<string, JsonValue>;
export type WireFormat = "json" | "arrow";

export interface SnapshotMessage {
  type: "snapshot";
  cycle: number;
  schema: Schema;
  /** Rows in the whole snapshot. */
  total: number;
  /** The view's type attributes, so a mirror can reproduce them. */
  attributes: { blink: boolean; appendOnly: boolean; addOnly: boolean };
  /** 0-based part number; `last` marks the final part. */
  part: number;
  last: boolean;
  keys: number[];
  /** JSON format only. */
  rows?: JsonRow[];
  /** Arrow format only: binary frames that follow this header. */
  frames?: number;
  /** Viewport subscriptions: the whole view's size (rows, after `where`). */
  size?: number;
  /** Viewport subscriptions: the positions these rows fill. */
  viewport?: Viewport;
}

export interface DeltaMessage {
  type: "delta";
  cycle: number;
  removed: number[];
  added: number[];
  modified: number[];
  modifiedColumns: string[];
  addedRows?: JsonRow[];
  modifiedRows?: JsonRow[];
  addedFrames?: number;
  modifiedFrames?: number;
  /** Viewport subscriptions: the whole view's size after this delta. */
  size?: number;
  /** Viewport subscriptions: the viewport after this delta (it answers a `viewport` message when set there). */
  viewport?: Viewport;
}

export interface FailureMessage {
  type: "failure";
  cycle: number;
  error: string;
  detail: string;
}

/** Resuming with `since` found every delta still held: they follow, then live deltas. */
export interface ResumeMessage {
  type: "resume";
  since: number;
  cycle: number;
}

export interface AckMessage {
  type: "ack";
  seq: number;
  accepted: number;
  cycle: number;
  duplicate: boolean;
}

export interface ErrorMessage {
  type: "error";
  seq?: number;
  error: string;
  detail: string;
}

export type ServerMessage =
  | SnapshotMessage
  | DeltaMessage
  | FailureMessage
  | ResumeMessage
  | AckMessage
  | ErrorMessage;
export type Frame = string | Uint8Array;

/** Target size of one snapshot part. */
export const FRAME_BYTES = 1 << 20;

/**
 * What a shaped subscription (a viewport, ad-hoc columns; docs/protocol.md "Viewports") sends
 * instead of the whole view: some of the rows, some of the columns, and the view's size.
 */
export interface WireShape {
  /** The rows sent (default: every row of the table). */
  keys?: RowSet;
  /** The columns sent, in this order (default: every column). */
  columns?: readonly string[];
  /** The view's whole size, sent as `size` (viewport subscriptions). */
  size?: number;
  /** The viewport these rows fill, sent as `viewport`. */
  viewport?: Viewport;
}

/** A range of row positions in a view's order, both ends included. */
export interface Viewport {
  first: number;
  last: number;
}

/** The schema of `names` in `t` (every column when absent). */
function schemaOf(t: Table, names: readonly string[] | undefined): Schema {
  if (!names) return t.columns;
  const all = t.columns;
  return Object.fromEntries(names.map((n) => [n, all[n]!]));
}

/** Snapshot frames of `t` (or of its `shape`): JSON parts of about FRAME_BYTES, or headers with Arrow frames. */
export function snapshotFrames(
  t: Table,
  cycle: number,
  format: WireFormat,
  frameBytes = FRAME_BYTES,
  shape: WireShape = {},
): Frame[] {
  const keys = shape.keys ?? t.rowSet;
  const names = shape.columns ?? t.columnNames;
  const schema = schemaOf(t, shape.columns);
  const out: Frame[] = [];
  const head = (part: number, last: boolean, partKeys: number[], frames: number | undefined) =>
    header(t, schema, keys.size, shape, cycle, part, last, partKeys, frames);
  if (format === "arrow") {
    const vecs = readRows(
      names.map((n) => t.column(n)),
      keys,
    );
    const parts = keys.isEmpty ? [] : encodeParts(schema, vecs, 0, keys.size);
    // One header per part keeps every header small; keys of part i follow the part's rows.
    let at = 0;
    if (parts.length === 0) {
      // An empty snapshot still sends one (empty) IPC stream: it carries the Arrow schema.
      out.push(JSON.stringify(head(0, true, [], 1)));
      out.push(writeIPC(schema, vecs, 0, 0));
      return out;
    }
    parts.forEach((p, i) => {
      const partKeys = keys.subSetByPosition(at, at + p.rows).toArray();
      at += p.rows;
      out.push(JSON.stringify(head(i, i === parts.length - 1, partKeys, 1)));
      out.push(p.bytes);
    });
    return out;
  }
  const all = keys.toArray();
  const rows = rowsToJson(t, all, names);
  const chunks: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += JSON.stringify(rows[i]).length + 16;
    if (bytes >= frameBytes) {
      chunks.push([start, i + 1]);
      start = i + 1;
      bytes = 0;
    }
  }
  if (start < rows.length || chunks.length === 0) chunks.push([start, rows.length]);
  chunks.forEach(([s, e], part) => {
    const msg: SnapshotMessage = {
      ...head(part, part === chunks.length - 1, all.slice(s, e), undefined),
      rows: rows.slice(s, e),
    };
    out.push(JSON.stringify(msg));
  });
  return out;
}

/** A viewport holds positions of a view, not the view: its rows come and go like a plain table's. */
const VIEWPORT_ATTRIBUTES = { blink: false, appendOnly: false, addOnly: false };

function header(
  t: Table,
  schema: Schema,
  total: number,
  shape: WireShape,
  cycle: number,
  part: number,
  last: boolean,
  keys: number[],
  frames: number | undefined,
): SnapshotMessage {
  const attributes = shape.viewport
    ? VIEWPORT_ATTRIBUTES
    : { blink: t.isBlink, appendOnly: t.isAppendOnly, addOnly: t.isAddOnly };
  const m: SnapshotMessage = {
    type: "snapshot",
    cycle,
    schema,
    total,
    attributes,
    part,
    last,
    keys,
  };
  if (frames !== undefined) m.frames = frames;
  if (shape.size !== undefined) m.size = shape.size;
  if (shape.viewport) m.viewport = shape.viewport;
  return m;
}

/** The frames of one cycle's delta of `t` (only `columns` when given; `size`, `viewport` added when given). */
export function deltaFrames(
  t: Table,
  u: TableUpdate,
  cycle: number,
  format: WireFormat,
  shape: Omit<WireShape, "keys"> = {},
): Frame[] {
  const names = shape.columns ?? t.columnNames;
  const msg: DeltaMessage = {
    type: "delta",
    cycle,
    removed: u.removed.toArray(),
    added: u.added.toArray(),
    modified: u.modified.toArray(),
    modifiedColumns: shape.columns
      ? u.modifiedColumns.filter((c) => shape.columns!.includes(c))
      : [...u.modifiedColumns],
  };
  if (shape.size !== undefined) msg.size = shape.size;
  if (shape.viewport) msg.viewport = shape.viewport;
  if (format === "json") {
    msg.addedRows = rowsToJson(t, u.added, names);
    msg.modifiedRows = rowsToJson(t, u.modified, names);
    return [JSON.stringify(msg)];
  }
  const schema = schemaOf(t, shape.columns);
  const added = ipcParts(t, names, schema, u.added);
  const modified = ipcParts(t, names, schema, u.modified);
  msg.addedFrames = added.length;
  msg.modifiedFrames = modified.length;
  return [JSON.stringify(msg), ...added, ...modified];
}

function ipcParts(t: Table, names: readonly string[], schema: Schema, keys: RowSet): Uint8Array[] {
  if (keys.isEmpty) return [];
  const vecs = readRows(
    names.map((n) => t.column(n)),
    keys,
  );
  return encodeParts(schema, vecs, 0, keys.size).map((p) => p.bytes);
}

/** One view of a family in `GET /v1/tables/:name` (docs/protocol.md). */
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

/**
 * A stored batch that a cycle could not decode and set aside instead of applying (docs/protocol.md,
 * "Set-aside batches"). Publish validation makes this unreachable for batches it checked; the
 * record exists so that a batch stored before that, or one damaged in storage, cannot stop the
 * family's cycles.
 */
export interface SetAsideBatch {
  /** The batch's sequence number in this family (the order batches were accepted in). */
  seq: number;
  /** Rows the batch held when it was acknowledged. */
  rows: number;
  /** The cycle that set it aside (its rows would have appeared in it). */
  cycle: number;
  /** When it was set aside (ISO 8601). */
  at: string;
  /** The error code and message decoding it threw. */
  error: string;
  detail: string;
}

/** One sort column and its direction (ad-hoc `sort` of a subscription or snapshot). */
export interface SortKey {
  column: string;
  order: "asc" | "desc";
}

/** An ad-hoc view (`where`, `sort`) subscribers share, in `GET /v1/tables/:name` (`transient`). */
export interface TransientDescription {
  view: string;
  where: string[];
  sort: SortKey[];
  /** Subscribers sharing it. */
  subscribers: number;
  /** Its rows now. */
  size: number;
}

/** One source of a family in `GET /v1/tables/:name`. */
export interface SourceDescription {
  type: "publisher" | "writer" | "input" | "timeTable";
  columns: Schema;
  /** An input table's key columns (absent for other sources; empty: append-only). */
  keys?: string[];
}

/** `GET /v1/tables/:name`: a family's spec, sources, cycle, state, pending rows and views. */
export interface TableDescription {
  name: string;
  spec: FamilySpec;
  /** Every source by name, with its type and columns, in the spec's order. */
  sources: Record<string, SourceDescription>;
  cycle: number;
  cycleMs: number;
  state: "live" | "shutdown";
  shutdownReason: string | null;
  pending: { batches: number; rows: number };
  /** The most recent batches set aside by cycles (at most 16), oldest first; usually empty. */
  setAside: SetAsideBatch[];
  views: Record<string, ViewDescription>;
  /** Ad-hoc views held for subscribers now (never persisted; gone when their last subscriber is). */
  transient: TransientDescription[];
  /** Inputs from other families by local name (present only when the spec names some). */
  inputs?: Record<string, InputDescription>;
}

/** One input from another family, as `describe` reports it. */
export interface InputDescription {
  /** The producer's `"family/view"`. */
  from: string;
  /** The producer cycle whose state the local table holds (null before the first). */
  producerCycle: number | null;
  /** `failed` once the producer was deleted, shut down or failed (then `error`/`detail` say why). */
  state: "live" | "failed";
  error: string | null;
  detail: string | null;
}

/** The answer to a publish (`POST .../rows`) and a publish-stream ack's body. */
export interface PublishResult {
  accepted: number;
  /** The cycle in which the rows are expected to appear. */
  cycle: number;
  /** True when the Idempotency-Key was seen before and nothing was added. */
  duplicate: boolean;
}
