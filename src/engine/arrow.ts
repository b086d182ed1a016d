/**
 * Arrow interop: engine tables <-> apache-arrow Tables and Arrow IPC bytes.
 *
 * Type mapping (see `arrow/type-map.ts`): int8..int64 <-> Int8..Int64, float32/64 <-> Float32/64,
 * bool <-> Bool, char <-> Uint16 (+ field metadata `deephaven:type=char`), string <-> Utf8,
 * instant <-> Timestamp(NANOSECOND, "UTC"), an array type `T[]` <-> List<T> (nullable elements).
 * Reading also accepts LargeUtf8, Dictionary<Utf8>, Timestamp in any unit, Date, Uint8/Uint16/
 * Uint32 (widened losslessly), and LargeList / FixedSizeList. int64 and instant stay exact end
 * to end (bigint elements in arrays), never rounded. Nulls (cells and array elements) travel as
 * Arrow validity bitmaps.
 *
 * Conversions work on whole columns (typed-array copies, one UTF-8 pass per column); a table is
 * written as one record batch, and every chunk of a multi-batch Arrow table is read.
 */

import type { Data, RecordBatch } from "apache-arrow";
import { Table as ArrowTable, RecordBatchReader, tableToIPC } from "apache-arrow";
import { unpackBits } from "./arrow/bitmap.ts";
import { chunksToVec, chunksToVecView, giveCodes, giveStrings } from "./arrow/decode.ts";
import { ipcStructureFault } from "./arrow/framing.ts";
import type { IpcColumns } from "./arrow/ipc-read.ts";
import { readIPC } from "./arrow/ipc-read.ts";
import { writeIPC } from "./arrow/ipc-write.ts";
import type { ReadPlan } from "./arrow/type-map.ts";
import { readPlanOf } from "./arrow/type-map.ts";
import type { Utf8Mode } from "./arrow/utf8.ts";
import { keptAsUtf8 } from "./arrow/utf8.ts";
import { validateChunks } from "./arrow/validate.ts";
import type { Vec } from "./column.ts";
import { PAGE_SIZE, PagedColumn } from "./column.ts";
import { NO_STRINGS } from "./column-source.ts";
import { ArrowError, isTickflareError } from "./errors.ts";
import { readRows } from "./ops/copy.ts";
import { RowSet } from "./row-set.ts";
import { STATIC_ATTRIBUTES, Table } from "./table.ts";
import type { ColumnType } from "./types.ts";
import { validateColumnName } from "./types.ts";

export { vecsToArrow } from "./arrow/encode.ts";
export { writeIPC, writeIPCParts } from "./arrow/ipc-write.ts";
export { tableToArrow } from "./arrow/table-to-arrow.ts";
export { arrowFieldOf, arrowTypeOf, columnTypeOfField, DH_TYPE_KEY } from "./arrow/type-map.ts";

/** A static engine table holding the rows of an apache-arrow Table (or of record batches). */
export function fromArrow(t: ArrowTable | readonly RecordBatch[]): Table {
  return tableOfVecs(arrowToVecs(asArrowTable(t)), "fromArrow");
}

function tableOfVecs(
  { schema, vecs, length }: { schema: Record<string, ColumnType>; vecs: Vec[]; length: number },
  op: string,
): Table {
  const map = new Map<string, PagedColumn>();
  const pageSized = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
  Object.keys(schema).forEach((name, j) => {
    const col = new PagedColumn(schema[name]!);
    const v = vecs[j]!;
    const valid = v.valid;
    const size = v.data.length;
    // Decoded storage (the Vecs are the caller's own) becomes the pages as it is: page-sized, or
    // exactly the rows (a short last page; a 1,000-row batch then allocates 1,000 slots, not 4,096).
    if (length > 0 && (size === pageSized || size === length) && (!valid || valid.length === size))
      col.takeStorage(v);
    else col.writeRun(0, v);
    map.set(name, col);
  });
  return new Table(map, RowSet.flat(length), STATIC_ATTRIBUTES, null, op);
}

/**
 * Arrow IPC *stream* format bytes of an engine table (current rows, in key order: written by
 * `arrow/ipc-write.ts`) or of an arrow Table (written by apache-arrow).
 */
export function toArrowIPC(t: Table | ArrowTable): Uint8Array {
  if (Table.isTable(t)) {
    const names = t.columnNames;
    const vecs = readRows(
      names.map((n) => t.column(n)),
      t.rowSet,
    );
    return writeIPC(t.columns, vecs, 0, t.size);
  }
  if (ArrowTable.isTable(t)) return tableToIPC(t, "stream");
  throw new ArrowError("toArrowIPC expects a tickflare Table or an apache-arrow Table");
}

/**
 * Decodes Arrow IPC bytes (stream or file format) into a static engine table. Bytes that are not
 * Arrow IPC, or that hold types the engine has no column type for, throw ArrowError.
 *
 * Like apache-arrow's `tableFromIPC`, the table reads a fixed-width column of one record batch
 * without nulls in place, as a view of `bytes` (no copy): the engine never writes to it, and the
 * caller must not either while the table is in use.
 */
export function fromArrowIPC(bytes: Uint8Array | ArrayBuffer): Table {
  return tableOfVecs(readVecs(bytes, undefined, undefined, true), "fromArrow");
}

/**
 * `arrowToVecs(decodeIPC(bytes), expected)`, with the same results and errors, but reading the
 * IPC buffers straight into the Vecs (`arrow/ipc-read.ts`) rather than through apache-arrow's
 * Table, whenever the bytes hold only types the engine maps and the schema fits (otherwise, and
 * for every schema error, it takes that path itself).
 * `utf8`: which Utf8 columns of one batch come as their UTF-8 (`Utf8Mode`; views of `bytes`), as
 * `arrowIPCToVecViews` gives them: for a publisher's blink table (the host's cycle), whose
 * columns keep them so.
 */
export function arrowIPCToVecs(
  bytes: Uint8Array | ArrayBuffer,
  expected?: Readonly<Record<string, ColumnType>>,
  utf8: Utf8Mode = "none",
): { schema: Record<string, ColumnType>; vecs: Vec[]; length: number } {
  const r = readVecs(bytes, expected, undefined, false, utf8);
  return { schema: r.schema, vecs: r.vecs, length: r.length };
}

/**
 * `arrowIPCToVecs(bytes, expected)`, but a Utf8 column of a stream of one record batch comes as
 * its UTF-8 (`Vec.utf8`, views of `bytes`; `data` holds no strings), not decoded: for
 * `PagedColumn.installPage`, which keeps a full page of it as a sealed UTF-8 page (a stored
 * history page read back: no string made a row).
 */
export function arrowIPCToUtf8Vecs(
  bytes: Uint8Array | ArrayBuffer,
  expected: Readonly<Record<string, ColumnType>>,
): { vecs: Vec[]; length: number } {
  const r = readVecs(bytes, expected, undefined, false, "all");
  return { vecs: r.vecs, length: r.length };
}

/**
 * `arrowIPCToVecs(bytes, expected)`, but a fixed-width column of one record batch without nulls is
 * a view of `bytes` (`chunksToVecView`), not a copy: for a reader that copies the Vecs before
 * `bytes` can change (a publisher's `addArrow`, whose rows are copied into pages at the cycle).
 * `utf8`: which Utf8 columns of one batch are their UTF-8 (`Vec.utf8`, views of `bytes`; see
 * `Utf8Mode`): for a reader whose columns take UTF-8 (`PagedColumn.takeUtf8`; `writeRun` decodes
 * what a column cannot keep so).
 */
export function arrowIPCToVecViews(
  bytes: Uint8Array | ArrayBuffer,
  expected: Readonly<Record<string, ColumnType>>,
  utf8: Utf8Mode = "none",
): ArrowRows {
  const r = readVecs(bytes, expected, undefined, true, utf8);
  let codes: Int32Array[] | null = null;
  for (let c = 0; c < r.vecs.length; c++) {
    const k = r.vecs[c]!.codes;
    if (k === undefined || k === null) continue;
    if (codes === null) codes = [k];
    else codes.push(k);
  }
  return new ArrowRows(r.vecs, r.length, r.strings, codes);
}

/**
 * What `arrowIPCToVecViews` read. `release()`: the vectors are no longer read (the publisher
 * calls it once its cycle copied them into pages), so the Utf8 columns' string arrays may serve
 * the next batches' (`giveStrings`).
 */
export class ArrowRows {
  readonly vecs: Vec[];
  readonly length: number;
  #strings: string[][] | null;
  #codes: Int32Array[] | null;

  /** @internal */
  constructor(
    vecs: Vec[],
    length: number,
    strings: string[][] | null,
    codes: Int32Array[] | null = null,
  ) {
    this.vecs = vecs;
    this.length = length;
    this.#strings = strings;
    this.#codes = codes;
  }

  release(): void {
    const s = this.#strings;
    const c = this.#codes;
    this.#strings = null;
    this.#codes = null;
    if (s !== null) giveStrings(s);
    if (c !== null) giveCodes(c);
  }
}

/**
 * `arrowIPCToVecs(bytes, expected)` reduced to the columns `names` (of `expected`, in that order):
 * the direct reader decodes only those, so reading two columns of a stored page of many costs two.
 */
export function arrowIPCColumns(
  bytes: Uint8Array | ArrayBuffer,
  expected: Readonly<Record<string, ColumnType>>,
  names: readonly string[],
): { vecs: Vec[]; length: number } {
  const all = Object.keys(expected);
  const at = names.map((n) => {
    const i = all.indexOf(n);
    if (i < 0) throw new ArrowError(`no column "${n}" in [${all.join(", ")}]`);
    return i;
  });
  const r = readVecs(bytes, expected, at);
  return { vecs: r.vecs, length: r.length };
}

/**
 * `arrowIPCToVecs` (the columns at `only`, when given). With `views`, a fixed-width column of one
 * batch without nulls is a view of `bytes` (`chunksToVecView`): for a reader that never writes.
 * `utf8`: which Utf8 columns of one batch are given as their UTF-8 (`utf8Vec`) instead of
 * decoded (`Utf8Mode`).
 */
function readVecs(
  bytes: Uint8Array | ArrayBuffer,
  expected: Readonly<Record<string, ColumnType>> | undefined,
  only?: readonly number[],
  views = false,
  utf8: Utf8Mode = "none",
): {
  schema: Record<string, ColumnType>;
  vecs: Vec[];
  length: number;
  /** The Utf8 columns' string arrays (made by this call; null when none). */
  strings: string[][] | null;
} {
  const u8 = ipcBytes(bytes);
  const ipc = readIPC(u8);
  const picks = ipc === null ? null : fastPicks(ipc, expected);
  if (ipc === null || picks === null) {
    const r = arrowToVecs(decodeIPC(u8), expected);
    return { ...r, vecs: only ? only.map((i) => r.vecs[i]!) : r.vecs, strings: null };
  }
  // Loops rather than callbacks, and one batch's chunks without an array per column: a publisher
  // calls this for every small batch it is sent (issue 14, allocation per cycle).
  const schema: Record<string, ColumnType> = {};
  let strings: string[][] | null = null;
  const n = only ? only.length : picks.length;
  const vecs: Vec[] = new Array<Vec>(n);
  const one = ipc.batches.length === 1 ? ipc.batches[0]! : null;
  for (let c = 0; c < n; c++) {
    const at = picks[only ? only[c]! : c]!;
    const { name, plan } = ipc.fields[at]!;
    schema[name] = plan.type;
    let chunks: IpcChunkOf[];
    if (one !== null) {
      oneChunk[0] = one[at]!;
      chunks = oneChunk;
    } else chunks = ipc.batches.map((b) => b[at]!);
    try {
      validateChunks(name, plan, chunks);
      const u = utf8Of(utf8, name, plan, chunks, ipc.rows);
      if (u !== null) {
        vecs[c] = u;
        continue;
      }
      const v = views
        ? chunksToVecView(name, plan, chunks, ipc.rows)
        : chunksToVec(name, plan, chunks, ipc.rows);
      if (plan.kind === "utf8") {
        if (strings === null) strings = [v.data as string[]];
        else strings.push(v.data as string[]);
      }
      vecs[c] = v;
    } finally {
      oneChunk[0] = NO_CHUNK;
    }
  }
  return { schema, vecs, length: ipc.rows, strings };
}

/**
 * Column `name`'s checked chunks as their UTF-8 (`utf8Vec`) when `utf8` keeps it so
 * (`keptAsUtf8`); null otherwise (then the chunks are decoded).
 */
function utf8Of(
  utf8: Utf8Mode,
  name: string,
  plan: ReadPlan,
  chunks: readonly IpcChunkOf[],
  n: number,
): Vec | null {
  if (plan.kind !== "utf8" || utf8 === "none") return null;
  return keptAsUtf8(utf8, name) ? utf8Vec(chunks, n) : null;
}

/**
 * A checked Utf8 column of one chunk as its UTF-8 (`Vec.utf8`: offsets from 0, views of the
 * stream where they already start at 0), validity unpacked; null for several chunks or 64-bit
 * offsets (then the strings are decoded).
 */
function utf8Vec(chunks: readonly IpcChunkOf[], n: number): Vec | null {
  if (chunks.length !== 1) return null;
  const ch = chunks[0]!;
  const offs = ch.valueOffsets;
  if (!(offs instanceof Int32Array) || ch.length !== n) return null;
  const o = ch.offset;
  const start = offs[o]!;
  let offsets = offs.subarray(o, o + n + 1);
  if (start !== 0) {
    offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = offs[o + i]! - start;
  }
  const values = ch.values as Uint8Array;
  const bytes = values.subarray(start, start + offsets[n]!);
  let valid: Uint8Array | null = null;
  const bits = ch.nullBitmap;
  // As the decode reads validity: no bitmap (or an empty one) is no nulls.
  if (ch.nullCount > 0 && bits !== undefined && bits.length > 0) {
    valid = new Uint8Array(n);
    unpackBits(bits, o, n, valid, 0);
  }
  return { data: NO_STRINGS, valid, length: n, utf8: { offsets, bytes } };
}

/** The chunk array of a one-batch read, reused (emptied after each column). */
type IpcChunkOf = IpcColumns["batches"][number][number];
const oneChunk: IpcChunkOf[] = [];
const NO_CHUNK = undefined as unknown as IpcChunkOf;

/**
 * For a publish stored as received (the host's `storableAsIs`): whether the stream's fields are
 * exactly `schema`'s columns (each once), each of the Arrow type tickflare writes for it; its row count; and
 * `validate`, which checks every buffer as `validateArrowBuffers` does. Null when the direct
 * reader leaves the bytes to apache-arrow (use `decodeIPC` then). Bytes that are not Arrow IPC
 * throw ArrowError as `decodeIPC` does.
 *
 * `decode` (when `fits`, after `validate`) gives the values `arrowIPCToVecs(bytes, schema)`
 * would, from the structure read here: the bytes are neither framed, read nor checked a second
 * time, and fixed-width columns without nulls are views of `bytes` (`chunksToVecView`: to be
 * read, never written); `utf8` as for `arrowIPCToVecs`.
 */
export function exactIPCShape(
  bytes: Uint8Array | ArrayBuffer,
  schema: Readonly<Record<string, ColumnType>>,
): {
  fits: boolean;
  rows: number;
  validate: () => void;
  decode: (utf8?: Utf8Mode) => { vecs: Vec[]; length: number };
} | null {
  const ipc = readIPC(ipcBytes(bytes));
  if (ipc === null) return null;
  const fits =
    ipc.fields.length === Object.keys(schema).length &&
    new Set(ipc.fields.map((f) => f.name)).size === ipc.fields.length &&
    ipc.fields.every((f) => Object.hasOwn(schema, f.name) && f.written === schema[f.name]);
  const validate = () => {
    ipc.fields.forEach((f, at) => {
      validateChunks(
        f.name,
        f.plan,
        ipc.batches.map((b) => b[at]!),
      );
    });
  };
  const decode = (utf8: Utf8Mode = "none") => {
    const picks = fits ? fastPicks(ipc, schema) : null;
    if (picks === null) throw new ArrowError("the stream's fields are not the schema's columns");
    const vecs = picks.map((at) => {
      const { name, plan } = ipc.fields[at]!;
      const chunks = ipc.batches.map((b) => b[at]!);
      const u = utf8Of(utf8, name, plan, chunks, ipc.rows);
      return u ?? chunksToVecView(name, plan, chunks, ipc.rows);
    });
    return { vecs, length: ipc.rows };
  };
  return { fits, rows: ipc.rows, validate, decode };
}

/**
 * The last `fastPicks` answer, for its fields (by identity) and expected schema (the same object
 * holding the same columns: `copy`, so that a schema object changed in place is not mistaken).
 */
let lastPicks: {
  fields: IpcColumns["fields"];
  expected: Readonly<Record<string, ColumnType>> | undefined;
  copy: Record<string, ColumnType>;
  picks: number[] | null;
} | null = null;

function sameColumns(
  a: Readonly<Record<string, ColumnType>>,
  b: Readonly<Record<string, ColumnType>>,
): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * The field positions to read (in `expected`'s order), or null when the schema does not fit.
 * Batches of one stream share their fields (`ipc-read.ts` reads a repeated schema message once),
 * and a publisher's schema is one object: the answer is kept for the next call with both.
 */
function fastPicks(
  ipc: IpcColumns,
  expected?: Readonly<Record<string, ColumnType>>,
): number[] | null {
  const last = lastPicks;
  if (
    last !== null &&
    last.fields === ipc.fields &&
    last.expected === expected &&
    (expected === undefined || sameColumns(expected, last.copy))
  )
    return last.picks;
  const picks = picksOf(ipc, expected);
  lastPicks = { fields: ipc.fields, expected, copy: { ...expected }, picks };
  return picks;
}

function picksOf(
  ipc: IpcColumns,
  expected?: Readonly<Record<string, ColumnType>>,
): number[] | null {
  const index = new Map<string, number>();
  for (const [i, f] of ipc.fields.entries()) {
    if (index.has(f.name)) return null;
    index.set(f.name, i);
  }
  if (!expected) {
    for (const f of ipc.fields) {
      try {
        validateColumnName(f.name);
      } catch {
        return null;
      }
    }
    return ipc.fields.map((_, i) => i);
  }
  const names = Object.keys(expected);
  if (names.length !== ipc.fields.length) return null;
  const picks: number[] = [];
  for (const name of names) {
    const at = index.get(name);
    if (at === undefined || ipc.fields[at]!.plan.type !== expected[name]) return null;
    picks.push(at);
  }
  return picks;
}

/** `bytes` as a Uint8Array whose IPC framing and metadata are sound (else ArrowError). */
function ipcBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  let u8: Uint8Array;
  if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes);
  else if (bytes instanceof Uint8Array && bytes.constructor === Uint8Array) u8 = bytes;
  else if (ArrayBuffer.isView(bytes))
    u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new ArrowError("Arrow IPC data must be a Uint8Array or an ArrayBuffer");
  // apache-arrow trusts the metadata's offsets and lengths; check them first (framing.ts).
  const fault = ipcStructureFault(u8);
  if (fault !== null)
    throw new ArrowError(`Invalid Arrow IPC data (${u8.byteLength} bytes): ${fault}`);
  return u8;
}

/**
 * Decodes Arrow IPC bytes (stream or file format) into an apache-arrow Table. Bytes not framed as
 * Arrow IPC throw ArrowError saying "not an Arrow IPC stream", as do malformed message metadata
 * and record batches larger than their bodies. The column buffers are taken as the body describes
 * them; `validateArrowBuffers` (or `arrowToVecs`, which runs it) checks them.
 */
export function decodeIPC(bytes: Uint8Array | ArrayBuffer): ArrowTable {
  const u8 = ipcBytes(bytes);
  try {
    const reader = RecordBatchReader.from(u8);
    reader.open();
    // Read the schema before iterating: the reader forgets it once the stream is exhausted.
    const schema = reader.schema;
    if (!schema) throw new ArrowError("no schema message found");
    const batches: RecordBatch[] = [];
    for (const b of reader) batches.push(b);
    return new ArrowTable(schema, batches);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ArrowError(`Invalid Arrow IPC data (${u8.byteLength} bytes): ${why}`);
  }
}

/**
 * Converts an Arrow table into one contiguous Vec per column. With `expected`, the columns must be
 * exactly those of `expected` (any order; a missing, extra or differently typed column throws
 * ArrowError naming it) and the result follows `expected`'s column order. Without it, the result
 * follows the Arrow schema, whose field names must be valid, distinct column names.
 */
export function arrowToVecs(
  t: ArrowTable,
  expected?: Readonly<Record<string, ColumnType>>,
): { schema: Record<string, ColumnType>; vecs: Vec[]; length: number } {
  if (!ArrowTable.isTable(t)) throw new ArrowError("Expected an apache-arrow Table");
  const fields = t.schema.fields;
  const index = new Map<string, number>();
  fields.forEach((f, i) => {
    if (index.has(f.name))
      throw new ArrowError(`Column "${f.name}" appears more than once in the Arrow schema`);
    index.set(f.name, i);
  });
  const picks: { name: string; at: number; plan: ReadPlan }[] = [];
  if (expected) {
    for (const [name, type] of Object.entries(expected)) {
      const at = index.get(name);
      if (at === undefined) {
        throw new ArrowError(
          `Column "${name}" (${type}) is missing from the Arrow data; it has [${[...index.keys()].join(", ")}]`,
        );
      }
      const field = fields[at]!;
      const plan = readPlanOf(field);
      if (plan.type !== type) {
        throw new ArrowError(
          `Column "${name}": expected ${type}, but the Arrow data has ${String(field.type)} (which reads as ${plan.type})`,
        );
      }
      picks.push({ name, at, plan });
    }
    for (const f of fields) {
      if (!(f.name in expected)) {
        throw new ArrowError(
          `Column "${f.name}" is not in the table's schema [${Object.keys(expected).join(", ")}]`,
        );
      }
    }
  } else {
    fields.forEach((f, at) => {
      try {
        validateColumnName(f.name);
      } catch (e) {
        throw new ArrowError(isTickflareError(e) ? e.message : `Invalid column name "${f.name}"`);
      }
      picks.push({ name: f.name, at, plan: readPlanOf(f) });
    });
  }
  const length = t.numRows;
  const schema: Record<string, ColumnType> = {};
  const vecs = picks.map(({ name, at, plan }) => {
    schema[name] = plan.type;
    const chunks = (t.getChildAt(at)?.data ?? []) as Data[];
    validateChunks(name, plan, chunks);
    return chunksToVec(name, plan, chunks, length);
  });
  return { schema, vecs, length };
}

/**
 * Checks every column buffer of a decoded Arrow table without decoding any value (see
 * `arrow/validate.ts`): buffer sizes against declared lengths, validity bitmaps against null
 * counts, string and list offsets in order and in bounds, dictionary indices inside their
 * dictionary. Throws ArrowError naming the column and row; a table that passes converts with
 * `arrowToVecs` (given a schema its types match). Unsupported types throw as in `arrowToVecs`.
 */
export function validateArrowBuffers(t: ArrowTable): void {
  if (!ArrowTable.isTable(t)) throw new ArrowError("Expected an apache-arrow Table");
  t.schema.fields.forEach((f, at) => {
    validateChunks(f.name, readPlanOf(f), (t.getChildAt(at)?.data ?? []) as Data[]);
  });
}

function asArrowTable(t: ArrowTable | readonly RecordBatch[]): ArrowTable {
  if (ArrowTable.isTable(t)) return t;
  if (Array.isArray(t)) {
    if (t.length === 0) return new ArrowTable();
    try {
      return new ArrowTable(t as RecordBatch[]);
    } catch (e) {
      throw new ArrowError(
        `Cannot combine the record batches: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  throw new ArrowError("fromArrow expects an apache-arrow Table or an array of RecordBatches");
}
