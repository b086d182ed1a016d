/**
 * tickflare's Arrow IPC stream writer: engine vectors straight to the bytes of a stream (Schema
 * message, one RecordBatch message, end-of-stream marker), without apache-arrow's object model.
 * The metadata is written by `fb-write.ts`, the schema message cached (`ipc-schema.ts`), and
 * the body assembled from the columns' own buffers (`ipc-body.ts`) into one allocation: the
 * result is the only copy of the values. Types are those of `type-map.ts` (`arrowTypeOf`), so
 * any Arrow reader reads back what `vecsToArrow` + apache-arrow's `tableToIPC` gave before.
 */
import type { Vec } from "../column.ts";
import { ArrowError } from "../errors.ts";
import type { Schema } from "../types.ts";
import { fbStructs, fbTable, i64 } from "./fb-write.ts";
import { BodyParts } from "./ipc-body.ts";
import { frameMessage, RECORD_BATCH_MESSAGE, schemaMessage } from "./ipc-schema.ts";

/** The end-of-stream marker: continuation, then a zero metadata length. */
const EOS = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];

/**
 * An Arrow IPC stream of rows `[from, to)` of `vecs` (one per column of `schema`, in its order,
 * each holding at least `to` rows): the schema and one record batch (empty when `from === to`).
 */
export function writeIPC(
  schema: Readonly<Schema>,
  vecs: readonly Vec[],
  from = 0,
  to = vecs[0]?.length ?? 0,
): Uint8Array {
  const head = schemaMessage(schema);
  const body = bodyOf(schema, vecs, from, to);
  return assemble(head, batchMessage(body, to - from), body);
}

/**
 * Rows `[from, to)` of `vecs` as consecutive IPC streams of at most `maxBytes` bytes each (a row
 * set too large for one is split into nearly equal row ranges), with each stream's row count. A
 * single row over `maxBytes` throws RangeError.
 */
export function writeIPCParts(
  schema: Readonly<Schema>,
  vecs: readonly Vec[],
  from: number,
  to: number,
  maxBytes: number,
): { bytes: Uint8Array; rows: number }[] {
  const head = schemaMessage(schema);
  const out: { bytes: Uint8Array; rows: number }[] = [];
  const split = (a: number, b: number): void => {
    const body = bodyOf(schema, vecs, a, b);
    const meta = batchMessage(body, b - a);
    const size = head.byteLength + meta.byteLength + body.byteLength + EOS.length;
    if (size <= maxBytes) {
      out.push({ bytes: assemble(head, meta, body), rows: b - a });
      return;
    }
    const n = b - a;
    if (n <= 1) {
      throw new RangeError(
        `a single row needs ${size} bytes, over the ${maxBytes}-byte storage limit`,
      );
    }
    // Enough pieces for the size seen (rows are not equally wide: a piece may split again).
    const pieces = Math.min(n, Math.ceil(size / maxBytes));
    for (let k = 0; k < pieces; k++) {
      split(a + Math.floor((n * k) / pieces), a + Math.floor((n * (k + 1)) / pieces));
    }
  };
  split(from, to);
  return out;
}

function bodyOf(schema: Readonly<Schema>, vecs: readonly Vec[], from: number, to: number) {
  const body = new BodyParts();
  const names = Object.keys(schema);
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    const v = vecs[j];
    if (!v || v.length < to) {
      throw new ArrowError(`Column "${name}": expected ${to} values, got ${v ? v.length : "none"}`);
    }
    body.add(schema[name]!, v, from, to - from, name);
  }
  return body;
}

/** The framed RecordBatch message (metadata only) of `body`, a batch of `rows` rows. */
function batchMessage(body: BodyParts, rows: number): Uint8Array {
  const layout: number[] = [];
  // The buffers' positions are known before they are copied: lay them out first.
  // Lengths are written padded to 8, as apache-arrow writes them (the padding is zeros).
  let pos = 0;
  for (const { bytes } of body.buffers) {
    const padded = (bytes.byteLength + 7) & ~7;
    layout.push(pos, padded);
    pos += padded;
  }
  // RecordBatch { length, nodes, buffers }.
  return frameMessage(
    RECORD_BATCH_MESSAGE,
    fbTable(i64(rows), fbStructs(body.nodes), fbStructs(layout)),
    body.byteLength,
  );
}

/** The stream: schema message, record batch message, body, end-of-stream marker. */
function assemble(head: Uint8Array, meta: Uint8Array, body: BodyParts): Uint8Array {
  const out = new Uint8Array(head.byteLength + meta.byteLength + body.byteLength + EOS.length);
  out.set(head, 0);
  out.set(meta, head.byteLength);
  const at = head.byteLength + meta.byteLength;
  body.writeTo(out, at);
  out.set(EOS, at + body.byteLength);
  return out;
}
