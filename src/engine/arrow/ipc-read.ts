/**
 * Reads Arrow IPC bytes (stream or file format) straight into `ArrowChunk`s: typed-array views
 * over the body's buffers, cut by walking the schema, dictionary batch and record batch
 * metadata with `FlatbufferView`, without apache-arrow's object model (no Schema, Data, Vector or
 * RecordBatch objects, no visitor per array). The chunks then go through the same `validate.ts`
 * and `decode.ts` as apache-arrow's, so both readers give the same values and the same errors.
 *
 * Dictionaries follow apache-arrow's reader: in a stream, a dictionary batch replaces the
 * dictionary of its id, or (isDelta) appends to it, and each record batch sees the dictionaries
 * read before it; in a file, every dictionary block is read first.
 *
 * Only what the engine maps is read here: Int8..Int64, Uint8/16/32, Float32/64, Bool, Utf8,
 * LargeUtf8, Dictionary<Utf8 | LargeUtf8> (any integer indices), Timestamp, Date, and List,
 * LargeList or FixedSizeList of those, little-endian, metadata version V4 or later. For
 * anything else (other types, a buffer not aligned for its type, metadata that does not describe
 * the schema's arrays) `readIPC` returns null and the caller uses apache-arrow's reader, which
 * reads or rejects it as it always did. `framing.ts` must have passed the bytes first: offsets
 * here are trusted to lie inside the body.
 */

import type { ColumnType } from "../types.ts";
import type { ArrowChunk, ArrowDictionary } from "./chunk.ts";
import { FlatbufferView } from "./flatbuffer.ts";
import { isArrowFile } from "./framing.ts";
import type { ReadPlan, ScalarReadPlan } from "./type-map.ts";

/** Message header types and schema type tags (Message.fbs, Schema.fbs). */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
const INT = 2;
const FLOAT = 3;
const UTF8 = 5;
const BOOL = 6;
const DATE = 8;
const TIMESTAMP = 10;
const LIST = 12;
const FIXED_SIZE_LIST = 16;
const LARGE_UTF8 = 20;
const LARGE_LIST = 21;
/** MetadataVersion V4: the first with today's buffer layout. */
const V4 = 3;

type ViewCtor =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** How one array's nodes and buffers are laid out in a record batch. */
type Layout =
  | { kind: "fixed"; ctor: ViewCtor }
  | { kind: "bool" }
  | { kind: "utf8"; offsets: ViewCtor }
  | { kind: "list"; offsets: ViewCtor; child: Layout }
  | { kind: "fixedList"; size: number; child: Layout }
  | { kind: "dictionary"; ctor: ViewCtor; id: number };

/** A top-level field: its name, how the engine reads it, and its layout. */
export interface IpcField {
  name: string;
  plan: ReadPlan;
  layout: Layout;
  /**
   * The column type whose Arrow type (as tickflare writes it, `arrowTypeOf`) this field's type
   * is exactly, or null (Uint8, LargeUtf8, dictionaries, other timestamp units or zones, ...).
   */
  written: ColumnType | null;
}

/** The decoded structure: fields, and per record batch one chunk per field. */
export interface IpcColumns {
  fields: IpcField[];
  batches: ArrowChunk[][];
  rows: number;
}

/** Thrown inside the walk for anything left to apache-arrow's reader (as is any other error). */
class Unhandled extends Error {}

const EMPTY = new Uint8Array(0);

/** One array cut out of a body; slices as apache-arrow's `Data.slice` does. */
class IpcChunk implements ArrowChunk {
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  readonly nullBitmap: Uint8Array;
  readonly values: ArrayBufferView | undefined;
  readonly valueOffsets: Int32Array | BigInt64Array | undefined;
  readonly children: readonly IpcChunk[];
  readonly dictionary: ArrowDictionary | undefined;
  /** Child rows per row (FixedSizeList), for slicing children. */
  readonly childStride: number;
  /** Bool: values are bits read from `offset`, never sliced. */
  readonly bitValues: boolean;

  constructor(
    length: number,
    offset: number,
    nullCount: number,
    nullBitmap: Uint8Array,
    values: ArrayBufferView | undefined,
    valueOffsets: Int32Array | BigInt64Array | undefined,
    children: readonly IpcChunk[],
    dictionary: ArrowDictionary | undefined,
    childStride: number,
    bitValues: boolean,
  ) {
    this.length = length;
    this.offset = offset;
    this.nullCount = nullCount;
    this.nullBitmap = nullBitmap;
    this.values = values;
    this.valueOffsets = valueOffsets;
    this.children = children;
    this.dictionary = dictionary;
    this.childStride = childStride;
    this.bitValues = bitValues;
  }

  slice(offset: number, length: number): IpcChunk {
    const at = this.offset + offset;
    const nulls =
      this.nullCount === 0 || this.nullBitmap.length === 0
        ? 0
        : length - countSet(this.nullBitmap, at, length);
    let values = this.values as
      | (ArrayBufferView & { subarray(a: number, b: number): never })
      | undefined;
    let offsets = this.valueOffsets;
    if (offsets) offsets = offsets.subarray(offset, offset + length + 1);
    else if (values && !this.bitValues) values = values.subarray(offset, offset + length);
    const children =
      this.children.length === 0 || this.valueOffsets
        ? this.children
        : this.children.map((c) => c.slice(this.childStride * offset, this.childStride * length));
    return new IpcChunk(
      length,
      at,
      nulls,
      this.nullBitmap,
      values,
      offsets,
      children,
      this.dictionary,
      this.childStride,
      this.bitValues,
    );
  }
}

function countSet(bits: Uint8Array, off: number, n: number): number {
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const p = off + i;
    ones += (bits[p >> 3]! >> (p & 7)) & 1;
  }
  return ones;
}

/** Reads `u8` (already checked by `ipcStructureFault`), or null to leave it to apache-arrow. */
export function readIPC(u8: Uint8Array): IpcColumns | null {
  try {
    return isArrowFile(u8) ? readFile(u8) : readStream(u8);
  } catch {
    // Unhandled, or metadata `framing.ts` does not look at (a message's version, say) that is
    // malformed: apache-arrow's reader reports it as it always did.
    return null;
  }
}

const NO_LAYOUTS: Map<number, Layout> = new Map();
const NO_CHUNKS: IpcChunk[] = [];

/** The fields' layouts, made once per fields array (a stream's schema is read once, then kept). */
const layoutsByFields = new WeakMap<readonly IpcField[], Layout[]>();
function layoutsOf(fields: readonly IpcField[]): Layout[] {
  let l = layoutsByFields.get(fields);
  if (l === undefined) {
    l = fields.map((f) => f.layout);
    layoutsByFields.set(fields, l);
  }
  return l;
}

/** Reader state: the schema's fields, dictionary layouts, and dictionaries read so far. */
class Walk {
  fields: IpcField[] = [];
  dictLayouts: Map<number, Layout> = NO_LAYOUTS;
  /** The dictionaries read so far (made by the first dictionary batch). */
  dicts: Map<number, ArrowDictionary> | null = null;
  batches: ArrowChunk[][] = [];
  rows = 0;
  /** The record batch `batch` cuts arrays from: its flatbuffer, body, node and buffer vectors. */
  #fb: FlatbufferView | null = null;
  /** The stream's bytes, and where the batch's body lies in them. */
  #u8: Uint8Array = EMPTY;
  #bodyStart = 0;
  #bodyEnd = 0;
  #nodesAt = 0;
  #nodesN = 0;
  #buffersAt = 0;
  #buffersN = 0;
  /** The next node and buffer `#load` takes. */
  #ni = 0;
  #bi = 0;
  /** The byte length of the buffer `#next` took last. */
  #bufLen = 0;

  schema(fb: FlatbufferView, schema: number): void {
    if (fb.i16(schema, 0, "endianness") !== 0) throw new Unhandled();
    for (const f of fb.tables(schema, 1, "fields")) {
      const { plan, layout } = this.field(fb, f, true);
      const name = fb.text(f, 0, "a field name");
      this.fields.push({ name, plan, layout, written: writtenAs(fb, f, plan) });
    }
  }

  field(fb: FlatbufferView, f: number, top: boolean): { plan: ReadPlan; layout: Layout } {
    const tag = fb.u8(f, 2, "a field's type tag");
    const type = fb.table(f, 3, "a field's type");
    const dict = fb.table(f, 4, "a field's dictionary encoding");
    if (dict !== 0) {
      if (tag !== UTF8 && tag !== LARGE_UTF8) throw new Unhandled();
      const indexType = fb.table(dict, 1, "a dictionary's index type");
      if (indexType === 0) throw new Unhandled();
      const ctor = intCtor(fb.i32(indexType, 0, "bitWidth"), fb.u8(indexType, 1, "is_signed"));
      const id = fb.i64(dict, 0, "a dictionary id");
      // (An id past 2^53 is not exactly a number, so two could be one: left to apache-arrow's
      // reader, which refuses it.)
      if (!Number.isSafeInteger(id)) throw new Unhandled();
      const offsets = tag === UTF8 ? Int32Array : BigInt64Array;
      if (this.dictLayouts === NO_LAYOUTS) this.dictLayouts = new Map();
      this.dictLayouts.set(id, { kind: "utf8", offsets });
      return {
        plan: { kind: "dictionary", type: "string" },
        layout: { kind: "dictionary", ctor, id },
      };
    }
    if (tag === LIST || tag === LARGE_LIST || tag === FIXED_SIZE_LIST) {
      if (!top) throw new Unhandled();
      const kids = fb.tables(f, 5, "a field's children");
      if (kids.length !== 1) throw new Unhandled();
      const c = this.field(fb, kids[0]!, false);
      const element = c.plan as ScalarReadPlan;
      if (tag === FIXED_SIZE_LIST) {
        if (type === 0) throw new Unhandled();
        const size = fb.i32(type, 0, "listSize");
        return {
          plan: { kind: "list", type: `${element.type}[]`, element, size },
          layout: { kind: "fixedList", size, child: c.layout },
        };
      }
      const offsets = tag === LIST ? Int32Array : BigInt64Array;
      return {
        plan: { kind: "list", type: `${element.type}[]`, element, size: null },
        layout: { kind: "list", offsets, child: c.layout },
      };
    }
    return scalar(fb, tag, type);
  }

  /** Cuts the arrays of `layouts` out of the nodes and buffers of record batch `rb` of `m`. */
  batch(m: Message, rb: number, layouts: readonly Layout[]): ArrowChunk[] {
    const fb = m.fb;
    this.#nodesAt = fb.vectorAt(rb, 1, 16, "nodes");
    this.#nodesN = fb.count;
    this.#buffersAt = fb.vectorAt(rb, 2, 16, "buffers");
    this.#buffersN = fb.count;
    this.#fb = fb;
    this.#u8 = m.u8;
    this.#bodyStart = m.bodyStart;
    this.#bodyEnd = m.bodyEnd;
    this.#ni = 0;
    this.#bi = 0;
    const out = new Array<ArrowChunk>(layouts.length);
    for (let c = 0; c < layouts.length; c++) out[c] = this.#load(layouts[c]!);
    this.#fb = null;
    this.#u8 = EMPTY;
    return out;
  }

  /** The next buffer of the batch (EMPTY: skipped, not cut, when `want` is false). */
  #buf(want = true): Uint8Array {
    const at = this.#next();
    return want ? this.#u8.subarray(at, at + this.#bufLen) : EMPTY;
  }

  /**
   * Takes the batch's next buffer: where it starts in `#u8` (its length goes to `#bufLen`). Its
   * offset and length were checked by `ipcStructureFault`; outside the body, the bytes are left
   * to apache-arrow's reader.
   */
  #next(): number {
    if (this.#bi >= this.#buffersN) throw new Unhandled();
    const p = this.#buffersAt + 16 * this.#bi++;
    const fb = this.#fb!;
    const off = fb.int64At(p);
    const len = fb.int64At(p + 8);
    if (!(off >= 0 && len >= 0 && off + len <= this.#bodyEnd - this.#bodyStart))
      throw new Unhandled();
    this.#bufLen = len;
    return this.#bodyStart + off;
  }

  /**
   * The next buffer of the batch as a typed-array view (made straight over the body's bytes, not
   * through a Uint8Array of them: one object a buffer). apache-arrow's reader rejects misaligned
   * buffers: so does this.
   */
  #view(ctor: ViewCtor): ArrayBufferView {
    const start = this.#next();
    const len = this.#bufLen;
    const size = ctor.BYTES_PER_ELEMENT;
    if (len === 0) return new ctor(0);
    const u8 = this.#u8;
    const at = u8.byteOffset + start;
    if (at % size !== 0) throw new Unhandled();
    return new ctor(u8.buffer as ArrayBuffer, at, Math.floor(len / size));
  }

  /** The array of `layout` at the batch's next node (and its children's after it). */
  #load(layout: Layout): IpcChunk {
    if (this.#ni >= this.#nodesN) throw new Unhandled();
    const p = this.#nodesAt + 16 * this.#ni++;
    const fb = this.#fb!;
    const length = fb.int64At(p);
    const nullCount = fb.int64At(p + 8);
    // Without nulls the validity buffer is not read: no view is made of it.
    const bitmap = this.#buf(nullCount > 0);
    let values: ArrayBufferView | undefined;
    let offsets: Int32Array | BigInt64Array | undefined;
    let children: IpcChunk[] = NO_CHUNKS;
    let dictionary: ArrowDictionary | undefined;
    let stride = 1;
    switch (layout.kind) {
      case "fixed":
        values = this.#view(layout.ctor);
        break;
      case "bool":
        values = this.#buf();
        break;
      case "utf8":
        offsets = this.#view(layout.offsets) as Int32Array | BigInt64Array;
        values = this.#buf();
        break;
      case "list":
        offsets = this.#view(layout.offsets) as Int32Array | BigInt64Array;
        children = [this.#load(layout.child)];
        break;
      case "fixedList":
        children = [this.#load(layout.child)];
        stride = layout.size;
        break;
      case "dictionary":
        values = this.#view(layout.ctor);
        dictionary = this.dicts?.get(layout.id);
        break;
    }
    return new IpcChunk(
      length,
      0,
      nullCount,
      bitmap,
      values,
      offsets,
      children,
      dictionary,
      stride,
      layout.kind === "bool",
    );
  }

  record(m: Message): void {
    const length = m.fb.i64(m.header, 0, "length");
    const chunks = this.batch(m, m.header, layoutsOf(this.fields));
    // apache-arrow's RecordBatch resizes a column whose length is not the batch's (cutting or
    // padding its validity bitmap): such a body is left to it.
    for (let i = 0; i < chunks.length; i++) if (chunks[i]!.length !== length) throw new Unhandled();
    if (this.batches.length === 0) this.batches = [chunks];
    else this.batches.push(chunks);
    this.rows += length;
  }

  dictionary(m: Message): void {
    const id = m.fb.i64(m.header, 0, "id");
    const layout = this.dictLayouts.get(id);
    if (!layout) throw new Unhandled();
    const data = m.fb.table(m.header, 1, "data");
    const delta = m.fb.u8(m.header, 2, "isDelta") !== 0;
    const c = this.batch(m, data, [layout])[0]!;
    this.dicts ??= new Map();
    const prev = this.dicts.get(id);
    this.dicts.set(
      id,
      delta && prev
        ? { length: prev.length + c.length, data: [...prev.data, c] }
        : { length: c.length, data: [c] },
    );
  }

  result(): IpcColumns {
    return { fields: this.fields, batches: this.batches, rows: this.rows };
  }
}

function scalar(fb: FlatbufferView, tag: number, type: number): { plan: ReadPlan; layout: Layout } {
  switch (tag) {
    case INT: {
      if (type === 0) throw new Unhandled();
      const bits = fb.i32(type, 0, "bitWidth");
      const signed = fb.u8(type, 1, "is_signed");
      const ctor = intCtor(bits, signed);
      let plan: ScalarReadPlan;
      if (signed) {
        const t = bits === 8 ? "int8" : bits === 16 ? "int16" : bits === 32 ? "int32" : "int64";
        plan = { kind: "copy", type: t };
      } else if (bits === 8) plan = { kind: "copy", type: "int16" };
      else if (bits === 16) plan = { kind: "copy", type: "char" };
      else if (bits === 32) plan = { kind: "uint32", type: "int64" };
      else throw new Unhandled();
      return { plan, layout: { kind: "fixed", ctor } };
    }
    case FLOAT: {
      const precision = type === 0 ? 0 : fb.i16(type, 0, "precision");
      if (precision === 1)
        return {
          plan: { kind: "copy", type: "float32" },
          layout: { kind: "fixed", ctor: Float32Array },
        };
      if (precision === 2)
        return {
          plan: { kind: "copy", type: "float64" },
          layout: { kind: "fixed", ctor: Float64Array },
        };
      throw new Unhandled();
    }
    case BOOL:
      return { plan: { kind: "bool", type: "bool" }, layout: { kind: "bool" } };
    case UTF8:
      return {
        plan: { kind: "utf8", type: "string" },
        layout: { kind: "utf8", offsets: Int32Array },
      };
    case LARGE_UTF8:
      return {
        plan: { kind: "utf8", type: "string" },
        layout: { kind: "utf8", offsets: BigInt64Array },
      };
    case TIMESTAMP: {
      if (type === 0) throw new Unhandled();
      const unit = fb.i16(type, 0, "unit");
      const nanosPer = [1_000_000_000n, 1_000_000n, 1_000n, 1n][unit];
      if (nanosPer === undefined) throw new Unhandled();
      return {
        plan: { kind: "time", type: "instant", nanosPer },
        layout: { kind: "fixed", ctor: BigInt64Array },
      };
    }
    case DATE: {
      if (type === 0) throw new Unhandled();
      const unit = fb.i16(type, 0, "unit", 1);
      if (unit === 0)
        return {
          plan: { kind: "time", type: "instant", nanosPer: 86_400_000_000_000n },
          layout: { kind: "fixed", ctor: Int32Array },
        };
      if (unit === 1)
        return {
          plan: { kind: "time", type: "instant", nanosPer: 1_000_000n },
          layout: { kind: "fixed", ctor: BigInt64Array },
        };
      throw new Unhandled();
    }
  }
  throw new Unhandled();
}

/** See `IpcField.written`. */
function writtenAs(fb: FlatbufferView, f: number, plan: ReadPlan): ColumnType | null {
  if (fb.table(f, 4, "a field's dictionary encoding") !== 0) return null;
  const type = fb.table(f, 3, "a field's type");
  switch (fb.u8(f, 2, "a field's type tag")) {
    case INT:
      if (fb.u8(type, 1, "is_signed") !== 0) return plan.type;
      return fb.i32(type, 0, "bitWidth") === 16 ? "char" : null;
    case FLOAT:
    case BOOL:
    case UTF8:
      return plan.type;
    case TIMESTAMP:
      return fb.i16(type, 0, "unit") === 3 && fb.text(type, 1, "timezone") === "UTC"
        ? "instant"
        : null;
  }
  return null;
}

function intCtor(bits: number, signed: number): ViewCtor {
  if (bits === 8) return signed ? Int8Array : Uint8Array;
  if (bits === 16) return signed ? Int16Array : Uint16Array;
  if (bits === 32) return signed ? Int32Array : Uint32Array;
  if (bits === 64) return signed ? BigInt64Array : BigUint64Array;
  throw new Unhandled();
}

/** One framed message: its metadata, header table and body (`u8[bodyStart, bodyEnd)`). */
interface Message {
  type: number;
  fb: FlatbufferView;
  header: number;
  u8: Uint8Array;
  bodyStart: number;
  bodyEnd: number;
  next: number;
}

/**
 * The message framed at `pos`, or null at an end-of-stream marker or the end of the bytes.
 * `into`: a message (and its view) to fill instead of new ones (`readStream` walks its messages
 * one after the other).
 */
function messageAt(
  u8: Uint8Array,
  dv: DataView,
  pos: number,
  into: Message | null = null,
): Message | null {
  if (pos + 4 > u8.byteLength) return null;
  let length = dv.getInt32(pos, true);
  pos += 4;
  if (length === -1) {
    length = dv.getInt32(pos, true);
    pos += 4;
  }
  if (length === 0) return null;
  const fb =
    into !== null
      ? into.fb.reset(dv, pos, pos + length)
      : new FlatbufferView(dv, pos, pos + length);
  const msg = fb.root();
  if (fb.i16(msg, 0, "version") < V4) throw new Unhandled();
  const type = fb.u8(msg, 1, "header_type");
  const bodyLength = fb.i64(msg, 3, "bodyLength");
  const header = fb.table(msg, 2, "header");
  const start = pos + length;
  const bodyStart = Math.min(start, u8.byteLength);
  const bodyEnd = Math.min(start + bodyLength, u8.byteLength);
  const next = start + bodyLength;
  if (into === null) return { type, fb, header, u8, bodyStart, bodyEnd, next };
  into.type = type;
  into.header = header;
  into.u8 = u8;
  into.bodyStart = bodyStart;
  into.bodyEnd = bodyEnd;
  into.next = next;
  return into;
}

const NO_VIEW = new DataView(new ArrayBuffer(0));
/** The message `readStream` fills for each of its messages (emptied after each call). */
const streamMessage: Message = {
  type: 0,
  fb: new FlatbufferView(NO_VIEW, 0, 0),
  header: 0,
  u8: EMPTY,
  bodyStart: 0,
  bodyEnd: 0,
  next: 0,
};

/**
 * The schema message read last: its metadata bytes, and the fields and dictionary layouts read
 * from them. A stream of a publisher's batches repeats the same schema message in every body;
 * one equal to this one is not walked again. The fields are shared between the results that
 * read them, which only ever read them.
 */
let lastSchema: { meta: Uint8Array; fields: IpcField[]; dictLayouts: Map<number, Layout> } | null =
  null;

function readStream(u8: Uint8Array): IpcColumns {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const w = new Walk();
  const into = streamMessage;
  try {
    let m = messageAt(u8, dv, 0, into);
    if (m === null || m.type !== SCHEMA) throw new Unhandled();
    const last = lastSchema;
    if (last !== null && m.fb.sameBytesAs(last.meta)) {
      w.fields = last.fields;
      w.dictLayouts = last.dictLayouts;
    } else {
      w.schema(m.fb, m.header);
      lastSchema = { meta: m.fb.bytes().slice(), fields: w.fields, dictLayouts: w.dictLayouts };
    }
    for (m = messageAt(u8, dv, m.next, into); m !== null; m = messageAt(u8, dv, m.next, into)) {
      if (m.type === RECORD_BATCH) w.record(m);
      else if (m.type === DICTIONARY_BATCH) w.dictionary(m);
      else throw new Unhandled();
    }
    return w.result();
  } finally {
    // The reused message must not keep this body alive.
    into.u8 = EMPTY;
    into.fb.reset(NO_VIEW, 0, 0);
  }
}

function readFile(u8: Uint8Array): IpcColumns {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const len = u8.byteLength;
  const footerLength = dv.getInt32(len - 10, true);
  const fb = new FlatbufferView(dv, len - 10 - footerLength, len - 10);
  const footer = fb.root();
  if (fb.i16(footer, 0, "version") < V4) throw new Unhandled();
  const w = new Walk();
  w.schema(fb, fb.table(footer, 1, "schema"));
  const blocks = (i: number, type: number): Message[] => {
    const v = fb.vector(footer, i, 24, "blocks");
    const out: Message[] = [];
    for (let k = 0; k < v.n; k++) {
      const m = messageAt(u8, dv, fb.int64At(v.at + 24 * k));
      if (m === null || m.type !== type) throw new Unhandled();
      out.push(m);
    }
    return out;
  };
  for (const m of blocks(2, DICTIONARY_BATCH)) w.dictionary(m);
  for (const m of blocks(3, RECORD_BATCH)) w.record(m);
  return w.result();
}
