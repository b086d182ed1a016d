/**
 * The body of one Arrow record batch written from engine vectors: for each column (depth first,
 * as Arrow lays them out) its field nodes (length, null count) and buffers, each buffer a byte
 * view copied into the body once with `Uint8Array.set`. Validity is packed once per column (no
 * buffer when a column has no nulls); fixed-width values are the column's own storage, viewed
 * (the slots under nulls are zeroed in the body after the copy, so a batch's bytes never depend
 * on what a null slot held); Bool values are bit-packed; strings go through `encodeUtf8`;
 * array columns through `listParts`.
 */
import type { Vec } from "../column.ts";
import type { ColumnType, TypedStorage } from "../types.ts";
import { elementType, isArrayType } from "../types.ts";
import { packBits } from "./bitmap.ts";
import { listParts } from "./list-parts.ts";
import { encodeUtf8 } from "./utf8.ts";

/** One body buffer: bytes to copy, and (fixed width with nulls) the slots to zero after. */
export interface BodyBuffer {
  readonly bytes: Uint8Array;
  /** Validity (1 = valid) of each `width`-byte slot of `bytes`, when some are null. */
  readonly nulls: { valid: Uint8Array; width: number } | null;
}

/** A record batch body being assembled: nodes as flat (length, nullCount) pairs. */
export class BodyParts {
  readonly nodes: number[] = [];
  readonly buffers: BodyBuffer[] = [];
  /** The body's length: every buffer padded to a multiple of 8. */
  byteLength = 0;

  #push(bytes: Uint8Array, nulls: BodyBuffer["nulls"] = null): void {
    this.buffers.push({ bytes, nulls });
    this.byteLength += (bytes.byteLength + 7) & ~7;
  }

  /** Adds rows `[from, from + n)` of `vec`, a column of `type` named `name`. */
  add(type: ColumnType, vec: Vec, from: number, n: number, name: string): void {
    let valid: Uint8Array | null = null;
    let validBits: Uint8Array | null = null;
    if (vec.valid !== null) {
      const v = vec.valid.subarray(from, from + n);
      const { bits, ones } = packBits(v, n);
      if (ones < n) {
        valid = v;
        validBits = bits;
        this.nodes.push(n, n - ones);
        this.#push(bits.subarray(0, (n + 7) >> 3));
      }
    }
    if (valid === null) {
      this.nodes.push(n, 0);
      this.#push(EMPTY);
    }
    if (isArrayType(type)) {
      const { offsets, child } = listParts(type, vec, from, n, name);
      this.#push(bytesOf(offsets));
      this.add(elementType(type), child, 0, child.length, name);
      return;
    }
    if (type === "string") {
      const { offsets, bytes } = encodeUtf8(vec, from, n, name);
      this.#push(bytesOf(offsets));
      this.#push(bytes);
      return;
    }
    const data = (vec.data as TypedStorage).subarray(from, from + n) as TypedStorage;
    if (type === "bool") {
      const { bits } = packBits(data as Uint8Array, n);
      if (validBits !== null) {
        // A null slot's value bit is 0: AND with the validity bits.
        for (let k = 0; k < bits.length; k++) bits[k] = bits[k]! & validBits[k]!;
      }
      this.#push(bits.subarray(0, (n + 7) >> 3));
      return;
    }
    this.#push(bytesOf(data), valid === null ? null : { valid, width: data.BYTES_PER_ELEMENT });
  }

  /** Copies the buffers into `out` from `at` on, each at a multiple of 8 after the last. */
  writeTo(out: Uint8Array, at: number): void {
    let pos = 0;
    for (const { bytes, nulls } of this.buffers) {
      const start = at + pos;
      out.set(bytes, start);
      if (nulls !== null) zeroNulls(out, start, nulls.valid, nulls.width);
      pos += (bytes.byteLength + 7) & ~7;
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Zeros the `width`-byte slots at `start` of `out` whose `valid` byte is 0, through a typed view
 * of that width (`start` is a multiple of 8: every body buffer is).
 */
function zeroNulls(out: Uint8Array, start: number, valid: Uint8Array, width: number): void {
  const n = valid.length;
  const at = out.byteOffset + start;
  const slots =
    width === 8
      ? new Float64Array(out.buffer, at, n)
      : width === 4
        ? new Uint32Array(out.buffer, at, n)
        : width === 2
          ? new Uint16Array(out.buffer, at, n)
          : new Uint8Array(out.buffer, at, n);
  for (let i = 0; i < n; i++) if (valid[i] === 0) slots[i] = 0;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
