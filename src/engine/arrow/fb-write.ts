/**
 * A small flatbuffer writer for the metadata of the Arrow IPC messages tickflare writes (Schema
 * and RecordBatch). The tree is described as plain values (`fbTable`, `fbString`, ...) and written
 * front to back: a table's vtable, then the table, then (breadth first) what its offsets point
 * at, each offset patched once its target's position is known. Flatbuffer offsets (uoffset) only
 * point forward, which this order satisfies; a vtable sits just before its table (a positive
 * soffset). Every scalar lies at a multiple of its size from the buffer's start, so the result is
 * aligned wherever it is placed at a multiple of 8.
 *
 * Only what Arrow's Message.fbs / Schema.fbs need here: scalar fields, strings, tables, vectors
 * of tables, and vectors of 16-byte structs of two int64 (FieldNode, Buffer).
 */

/** A scalar field: its width in bytes and value (int64 values are JS numbers below 2^53). */
export interface FbScalar {
  readonly size: 1 | 2 | 4 | 8;
  readonly value: number;
}

/** Something a table field or vector slot points at. */
export type FbObject = FbTable | FbString | FbTables | FbStructs;

export interface FbTable {
  readonly kind: "table";
  /** By field index; undefined: absent (the reader takes the default). */
  readonly fields: readonly (FbScalar | FbObject | undefined)[];
}
export interface FbString {
  readonly kind: "string";
  readonly bytes: Uint8Array;
}
export interface FbTables {
  readonly kind: "tables";
  readonly items: readonly FbTable[];
}
/** A vector of structs of two int64 each, given as the flat list of int64 values. */
export interface FbStructs {
  readonly kind: "structs";
  readonly int64s: ArrayLike<number>;
}

const UTF8 = new TextEncoder();

export const fbTable = (...fields: (FbScalar | FbObject | undefined)[]): FbTable => ({
  kind: "table",
  fields,
});
export const fbString = (s: string): FbString => ({ kind: "string", bytes: UTF8.encode(s) });
export const fbTables = (items: readonly FbTable[]): FbTables => ({ kind: "tables", items });
export const fbStructs = (int64s: ArrayLike<number>): FbStructs => ({ kind: "structs", int64s });
export const u8 = (value: number): FbScalar => ({ size: 1, value });
export const i16 = (value: number): FbScalar => ({ size: 2, value });
export const i32 = (value: number): FbScalar => ({ size: 4, value });
export const i64 = (value: number): FbScalar => ({ size: 8, value });

/** The flatbuffer whose root table is `root`, its length a multiple of 8. */
export function writeFlatbuffer(root: FbTable): Uint8Array {
  return new FbWriter().finish(root);
}

class FbWriter {
  #buf = new Uint8Array(256);
  #dv = new DataView(this.#buf.buffer);
  #pos = 0;
  /** Objects still to write, with the position of the uoffset that points at each. */
  #queue: { obj: FbObject; from: number }[] = [];

  finish(root: FbTable): Uint8Array {
    this.#pos = 4;
    this.#queue.push({ obj: root, from: 0 });
    for (let q = 0; q < this.#queue.length; q++) {
      const { obj, from } = this.#queue[q]!;
      const at = this.#write(obj);
      this.#dv.setUint32(from, at - from, true);
    }
    this.#align(8, 0);
    return this.#buf.slice(0, this.#pos);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    grown.set(this.#buf);
    this.#buf = grown;
    this.#dv = new DataView(grown.buffer);
  }

  /** Pads with zeros until `#pos % align === rem`. */
  #align(align: number, rem: number): void {
    const pad = (rem - (this.#pos % align) + align) % align;
    this.#room(pad);
    this.#buf.fill(0, this.#pos, this.#pos + pad);
    this.#pos += pad;
  }

  /** Writes `obj`; returns where an offset to it must point. */
  #write(obj: FbObject): number {
    switch (obj.kind) {
      case "table":
        return this.#table(obj);
      case "string": {
        this.#align(4, 0);
        const at = this.#pos;
        this.#room(4 + obj.bytes.length + 1);
        this.#dv.setUint32(at, obj.bytes.length, true);
        this.#buf.set(obj.bytes, at + 4);
        this.#buf[at + 4 + obj.bytes.length] = 0;
        this.#pos = at + 5 + obj.bytes.length;
        return at;
      }
      case "tables": {
        this.#align(4, 0);
        const at = this.#pos;
        const n = obj.items.length;
        this.#room(4 + 4 * n);
        this.#dv.setUint32(at, n, true);
        this.#pos = at + 4 + 4 * n;
        obj.items.forEach((t, k) => {
          this.#queue.push({ obj: t, from: at + 4 + 4 * k });
        });
        return at;
      }
      case "structs": {
        // The elements (int64) start 8-aligned, right after the 4-byte length.
        this.#align(8, 4);
        const at = this.#pos;
        const n = obj.int64s.length;
        this.#room(4 + 8 * n);
        this.#dv.setUint32(at, n / 2, true);
        for (let k = 0; k < n; k++)
          this.#dv.setBigInt64(at + 4 + 8 * k, BigInt(obj.int64s[k]!), true);
        this.#pos = at + 4 + 8 * n;
        return at;
      }
    }
  }

  #table(t: FbTable): number {
    const n = t.fields.length;
    // Field slots by descending size, so each is aligned once the first is.
    const order: number[] = [];
    for (const size of [8, 4, 2, 1]) {
      t.fields.forEach((f, i) => {
        if (f !== undefined && fieldSize(f) === size) order.push(i);
      });
    }
    const wide = order.length > 0 && fieldSize(t.fields[order[0]!]!) === 8;
    const slots = new Uint16Array(n);
    let size = 4;
    for (const i of order) {
      slots[i] = size;
      size += fieldSize(t.fields[i]!);
    }
    // vtable: its size, the table's size, one slot per field.
    const vtSize = 4 + 2 * n;
    this.#align(2, 0);
    const vt = this.#pos;
    this.#room(vtSize);
    this.#dv.setUint16(vt, vtSize, true);
    this.#dv.setUint16(vt + 2, size, true);
    for (let i = 0; i < n; i++) this.#dv.setUint16(vt + 4 + 2 * i, slots[i]!, true);
    this.#pos = vt + vtSize;
    // The table: its soffset to the vtable, then the fields (8-byte ones 8-aligned).
    this.#align(wide ? 8 : 4, wide ? 4 : 0);
    const at = this.#pos;
    this.#room(size);
    this.#buf.fill(0, at, at + size);
    this.#dv.setInt32(at, at - vt, true);
    for (const i of order) {
      const f = t.fields[i]!;
      const p = at + slots[i]!;
      if ("kind" in f) this.#queue.push({ obj: f, from: p });
      else if (f.size === 1) this.#dv.setUint8(p, f.value);
      else if (f.size === 2) this.#dv.setInt16(p, f.value, true);
      else if (f.size === 4) this.#dv.setInt32(p, f.value, true);
      else this.#dv.setBigInt64(p, BigInt(f.value), true);
    }
    this.#pos = at + size;
    return at;
  }
}

function fieldSize(f: FbScalar | FbObject): number {
  return "kind" in f ? 4 : f.size;
}
