/**
 * The structure of an Arrow IPC body, checked before apache-arrow's reader sees it:
 *
 * - A body that is not Arrow at all (JSON sent with the Arrow content type, say) is reported as
 *   "not an Arrow IPC stream" rather than as "Expected to read 1394768731 metadata bytes" (its
 *   first four bytes taken as a length).
 * - Every message's metadata is a well-formed flatbuffer (`flatbuffer.ts`), since apache-arrow
 *   trusts its offsets and lengths: one flipped bit there can make the reader loop until the
 *   object runs out of memory. Record batch lengths and buffers must fit the message's body.
 *
 * A stream is a sequence of messages: the continuation marker 0xFFFFFFFF and a little-endian int32
 * metadata length (or, from writers before Arrow 0.15, the length alone), that many bytes of a
 * flatbuffer `Message`, then its body; a zero length ends it. The first message is the Schema. A
 * file starts with "ARROW1" and ends with a Footer (schema and the positions of its messages).
 */
import { FlatbufferFault, FlatbufferView } from "./flatbuffer.ts";

/** Message header types (Arrow's Message.fbs `MessageHeader` union). */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
/** Type union tags (Schema.fbs `Type`) whose tables hold more than scalars. */
const TIMESTAMP = 10;
const UNION = 14;
/** Nesting deeper than this is no table tickflare reads (it reads lists of scalars at most). */
const MAX_FIELD_DEPTH = 32;
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/**
 * True when `a` and `b` hold the same bytes. Eight bytes a step as int64 words when both start
 * on a multiple of 8 (V8 compares BigInt64Array elements without making a BigInt: about twice
 * the speed of int32 words), four when both start on a multiple of 4, else byte by byte; the
 * bytes past the last whole word one by one.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.byteLength;
  if (b.byteLength !== n) return false;
  let i = 0;
  const align = (a.byteOffset | b.byteOffset) & 7;
  if (align === 0) {
    const w = n >> 3;
    const x = new BigInt64Array(a.buffer, a.byteOffset, w);
    const y = new BigInt64Array(b.buffer, b.byteOffset, w);
    for (let k = 0; k < w; k++) if (x[k] !== y[k]) return false;
    i = w << 3;
  } else if ((align & 3) === 0) {
    const w = n >> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, w);
    const y = new Int32Array(b.buffer, b.byteOffset, w);
    for (let k = 0; k < w; k++) if (x[k] !== y[k]) return false;
    i = w << 2;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The metadata bytes of the schema message checked last (sound): a stream of a publisher's
 * batches repeats the same schema message in every body, which is then not walked again.
 */
let checkedSchema: Uint8Array | null = null;

/** True when `b` starts with the Arrow IPC *file* magic "ARROW1". */
export function isArrowFile(b: Uint8Array): boolean {
  if (b.byteLength < 6) return false;
  for (let i = 0; i < 6; i++) if (b[i] !== FILE_MAGIC[i]) return false;
  return true;
}

/**
 * Why `b` is not a well-formed Arrow IPC stream or file (a phrase for an error message), or null
 * when its framing and every message's metadata are sound. Buffers are checked later, once
 * decoded (`validate.ts`).
 */
export function ipcStructureFault(b: Uint8Array): string | null {
  if (b.byteLength === 0) return "not an Arrow IPC stream: the body is empty";
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    if (isArrowFile(b)) checkFile(dv);
    else checkStream(dv, b);
    return null;
  } catch (e) {
    if (e instanceof FlatbufferFault) return e.message;
    throw e;
  } finally {
    checkView.reset(NO_VIEW, 0, 0); // keeps no body alive
  }
}

const NO_VIEW = new DataView(new ArrayBuffer(0));
/** The view `messageAt` walks each message's metadata with (one at a time). */
const checkView = new FlatbufferView(NO_VIEW, 0, 0);

function fault(why: string): never {
  throw new FlatbufferFault(why);
}

function checkStream(dv: DataView, b: Uint8Array): void {
  const len = dv.byteLength;
  if (len < 8) notArrow(b, "too short for an Arrow message");
  let pos = 0;
  let k = 0;
  while (pos < len) {
    const next = messageAt(dv, pos, k, k === 0 ? b : null);
    if (next < 0) {
      // The end-of-stream marker must end the body: bytes after it would be dropped unread (a
      // second stream, or a corrupted length that landed on four zero bytes mid-message).
      const end = pos + (dv.getInt32(pos, true) === -1 ? 8 : 4);
      for (let i = end; k > 0 && i < len; i++) {
        if (b[i] !== 0) {
          fault(
            `message ${k}: an end-of-stream marker at byte ${pos} is followed by ${len - end} more bytes`,
          );
        }
      }
      break;
    }
    if (k === 0 && lastType !== SCHEMA) {
      fault("not an Arrow IPC stream: its first message is not a schema message");
    }
    pos = next;
    k++;
  }
  if (k === 0) fault("not an Arrow IPC stream: it ends before its first (schema) message");
}

/** `not an Arrow IPC stream` of body `b`, saying why. */
function notArrow(b: Uint8Array, why: string): never {
  fault(`not an Arrow IPC stream: it starts with the bytes ${hexOf(b)}, ${why}`);
}

/** The header type of the message `messageAt` checked last. */
let lastType = 0;

/**
 * Checks the message framed at `pos` (the `k`-th); returns where the next one starts (its header
 * type is left in `lastType`), or -1 at an end-of-stream marker. `first`: the body, for the first
 * message (framing that is not Arrow's at all is reported as such), else null.
 */
function messageAt(dv: DataView, pos: number, k: number, first: Uint8Array | null): number {
  const len = dv.byteLength;
  if (pos + 4 > len) fault(`message ${k}: the body ends inside its length prefix`);
  let length = dv.getInt32(pos, true);
  pos += 4;
  if (length === -1) {
    if (pos + 4 > len) fault(`message ${k}: the body ends inside its length prefix`);
    length = dv.getInt32(pos, true);
    pos += 4;
  }
  if (length === 0) return -1;
  if (length < 0 || length > len - pos) {
    const why = `a metadata length of ${length} where ${len - pos} bytes remain`;
    if (first)
      notArrow(
        first,
        `not an Arrow message header (0xFFFFFFFF, then a metadata length within the body); it reads as ${why}`,
      );
    fault(`message ${k}: ${why}`);
  }
  const fb = checkView.reset(dv, pos, pos + length);
  let type: number;
  let bodyLength: number;
  try {
    const msg = fb.root();
    type = fb.u8(msg, 1, "header_type");
    bodyLength = fb.i64(msg, 3, "bodyLength");
    if (bodyLength < 0 || bodyLength > len - pos - length) {
      fault(
        `its body of ${fb.i64Exact(msg, 3, "bodyLength")} bytes runs past the end (${len - pos - length} bytes remain)`,
      );
    }
    lastType = type;
    if (type === SCHEMA && checkedSchema !== null && fb.sameBytesAs(checkedSchema)) {
      // The same metadata as the schema message checked last: sound as it was.
      return pos + length + bodyLength;
    }
    keyValues(fb, msg, 4);
    const header = fb.table(msg, 2, "header");
    if (header === 0) fault("it has no header");
    if (type === SCHEMA) {
      checkSchema(fb, header);
      checkedSchema = fb.bytes().slice();
    } else if (type === RECORD_BATCH) checkRecordBatch(fb, header, bodyLength);
    else if (type === DICTIONARY_BATCH) {
      const data = fb.table(header, 1, "data");
      if (data === 0) fault("a dictionary batch without data");
      checkRecordBatch(fb, data, bodyLength);
    } else fault(`unsupported message type ${type}`);
  } catch (e) {
    if (!(e instanceof FlatbufferFault)) throw e;
    if (first) notArrow(first, `not an Arrow message (${e.message})`);
    fault(`message ${k}: ${e.message}`);
  }
  lastType = type;
  return pos + length + bodyLength;
}

function keyValues(fb: FlatbufferView, table: number, i: number): void {
  const at = fb.vectorAt(table, i, 4, "custom_metadata");
  const n = fb.count;
  for (let k = 0; k < n; k++) {
    const kv = fb.tableAt(at, k, "custom_metadata");
    fb.string(kv, 0, "a metadata key");
    fb.string(kv, 1, "a metadata value");
  }
}

function checkSchema(fb: FlatbufferView, schema: number): void {
  for (const f of fb.tables(schema, 1, "fields")) checkField(fb, f, 1);
  keyValues(fb, schema, 2);
  fb.vector(schema, 3, 8, "features");
}

function checkField(fb: FlatbufferView, field: number, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) fault(`fields nest deeper than ${MAX_FIELD_DEPTH} levels`);
  fb.string(field, 0, "a field name");
  const typeTag = fb.u8(field, 2, "a field's type tag");
  const type = fb.table(field, 3, "a field's type");
  if (type !== 0 && typeTag === TIMESTAMP) fb.string(type, 1, "a timestamp's time zone");
  if (type !== 0 && typeTag === UNION) fb.vector(type, 1, 4, "a union's type ids");
  const dictionary = fb.table(field, 4, "a field's dictionary encoding");
  if (dictionary !== 0) fb.table(dictionary, 1, "a dictionary's index type");
  for (const c of fb.tables(field, 5, "a field's children")) checkField(fb, c, depth + 1);
  keyValues(fb, field, 6);
}

/**
 * A record batch's nodes and buffers: every row needs at least one bit of the body in the types
 * tickflare reads, so no length may exceed the body's bits (what keeps a corrupt length from
 * making apache-arrow allocate a bitmap for billions of rows), and every buffer lies in the body.
 */
function checkRecordBatch(fb: FlatbufferView, batch: number, body: number): void {
  // apache-arrow has no decompression codec unless one is registered, and tickflare registers none.
  if (fb.table(batch, 3, "compression") !== 0) {
    fault("compressed record batches are not supported; send the stream uncompressed");
  }
  // Numbers, not BigInts: exact up to 2^53, and anything near that is refused here anyway (an
  // int64 past it reads as a number past it, of the same sign).
  const maxRows = body * 8 + 64;
  const length = fb.i64(batch, 0, "length");
  if (length < 0 || length > maxRows) {
    fault(
      `a record batch of ${fb.i64Exact(batch, 0, "length")} rows cannot fit its ${body}-byte body`,
    );
  }
  const nodesAt = fb.vectorAt(batch, 1, 16, "nodes");
  const nodesN = fb.count;
  for (let k = 0; k < nodesN; k++) {
    const at = nodesAt + 16 * k;
    const n = fb.int64At(at);
    const nulls = fb.int64At(at + 8);
    if (n < 0 || n > maxRows || nulls < 0 || nulls > n) {
      fault(
        `array ${k} declares ${fb.int64Exact(at)} values with ${fb.int64Exact(at + 8)} nulls in a ${body}-byte body`,
      );
    }
  }
  const buffersAt = fb.vectorAt(batch, 2, 16, "buffers");
  const buffersN = fb.count;
  for (let k = 0; k < buffersN; k++) {
    const at = buffersAt + 16 * k;
    const offset = fb.int64At(at);
    const size = fb.int64At(at + 8);
    if (offset < 0 || size < 0 || offset + size > body) {
      fault(
        `buffer ${k} (${fb.int64Exact(at + 8)} bytes at ${fb.int64Exact(at)}) lies outside the ${body}-byte body`,
      );
    }
  }
  fb.vectorAt(batch, 4, 8, "variadicBufferCounts");
}

/** A file: magic at both ends, a sound footer, and every message a footer block points at. */
function checkFile(dv: DataView): void {
  const len = dv.byteLength;
  if (len < 18) fault("an Arrow IPC file: too short for its footer");
  for (let i = 0; i < 6; i++) {
    if (dv.getUint8(len - 6 + i) !== FILE_MAGIC[i]) fault("an Arrow IPC file: no closing magic");
  }
  const footerLength = dv.getInt32(len - 10, true);
  const footerStart = len - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) fault("an Arrow IPC file: its footer length is wrong");
  const fb = new FlatbufferView(dv, footerStart, len - 10);
  const blocks: number[] = [];
  try {
    const footer = fb.root();
    const schema = fb.table(footer, 1, "schema");
    if (schema === 0) fault("no schema");
    checkSchema(fb, schema);
    for (const i of [2, 3]) {
      const v = fb.vector(footer, i, 24, "blocks");
      for (let k = 0; k < v.n; k++) {
        const offset = fb.int64At(v.at + 24 * k);
        if (offset < 8 || offset >= footerStart) fault(`block ${k} lies outside the file`);
        blocks.push(offset);
      }
    }
    keyValues(fb, footer, 4);
  } catch (e) {
    if (e instanceof FlatbufferFault) fault(`an Arrow IPC file's footer: ${e.message}`);
    throw e;
  }
  blocks.forEach((at, k) => {
    if (messageAt(dv, at, k, null) < 0) fault(`an Arrow IPC file: block ${k} is an end marker`);
  });
}

function hexOf(b: Uint8Array): string {
  const head = b.subarray(0, 8);
  const shown = [...head].map((x) => x.toString(16).padStart(2, "0")).join(" ");
  const text = [...head]
    .map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : "."))
    .join("");
  return `${shown}${b.byteLength > 8 ? " ..." : ""} ("${text}")`;
}
