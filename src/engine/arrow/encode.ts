/**
 * Engine vectors -> Arrow: one `Data` per column built directly from the typed arrays (no
 * per-row builders), then a single RecordBatch. Values under null slots are written as zeros or
 * empty strings (empty lists), so the bytes of a table do not depend on what a null slot held
 * before. An array column becomes a List: Int32 offsets plus one child of every element.
 */

import type { Data, DataType } from "apache-arrow";
import { Table as ArrowTable, makeData, RecordBatch, Schema, Struct } from "apache-arrow";
import type { Vec } from "../column.ts";
import { ArrowError } from "../errors.ts";
import type { ColumnType, TypedStorage } from "../types.ts";
import { elementType, isArrayType } from "../types.ts";
import { packBits } from "./bitmap.ts";
import { listParts } from "./list-parts.ts";
import { arrowFieldOf, arrowTypeOf } from "./type-map.ts";
import { encodeUtf8 } from "./utf8.ts";

/**
 * One Arrow `Data` for `vec[0..vec.length)` of `type`. `owned`: the vector's arrays may be
 * modified (masked slots zeroed in place) instead of copied.
 */
export function vecToData(type: ColumnType, vec: Vec, name: string, owned: boolean): Data {
  const n = vec.length;
  const arrowType = arrowTypeOf(type) as DataType;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (vec.valid) {
    const { bits, ones } = packBits(vec.valid, n);
    if (ones < n) {
      nullBitmap = bits;
      nullCount = n - ones;
    }
  }
  const valid = nullCount > 0 ? vec.valid : null;

  if (isArrayType(type)) {
    const { offsets, child: elements } = listParts(type, vec, 0, n, name);
    const child = vecToData(elementType(type), elements, name, true);
    return makeData({
      type: arrowType,
      length: n,
      nullCount,
      nullBitmap,
      valueOffsets: offsets,
      child,
    } as never);
  }
  if (type === "string") {
    const { offsets, bytes } = encodeUtf8(vec, 0, n, name);
    return makeData({
      type: arrowType,
      length: n,
      nullCount,
      nullBitmap,
      valueOffsets: offsets,
      data: bytes,
    } as never);
  }
  if (type === "bool") {
    const src = vec.data as Uint8Array;
    let bytes = src;
    if (valid) {
      bytes = owned ? src : src.slice(0, n);
      for (let i = 0; i < n; i++) if (valid[i] === 0) bytes[i] = 0;
    }
    const { bits } = packBits(bytes, n);
    return makeData({ type: arrowType, length: n, nullCount, nullBitmap, data: bits } as never);
  }
  let data = vec.data as TypedStorage;
  if (data.length !== n) data = data.subarray(0, n) as TypedStorage;
  if (valid) {
    if (!owned) data = data.slice() as TypedStorage;
    if (data instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) if (valid[i] === 0) data[i] = 0n;
    } else {
      const d = data as Exclude<TypedStorage, BigInt64Array>;
      for (let i = 0; i < n; i++) if (valid[i] === 0) d[i] = 0;
    }
  }
  return makeData({ type: arrowType, length: n, nullCount, nullBitmap, data } as never);
}

/**
 * An Arrow table of one record batch from contiguous vectors, one per schema column, each of
 * `length` rows. `owned`: see `vecToData`.
 */
export function vecsToArrow(
  schema: Readonly<Record<string, ColumnType>>,
  vecs: readonly Vec[],
  length: number,
  owned = false,
): ArrowTable {
  const names = Object.keys(schema);
  const fields = names.map((name) => arrowFieldOf(name, schema[name]!));
  const children = names.map((name, j) => {
    const v = vecs[j];
    if (!v || v.length !== length) {
      throw new ArrowError(
        `Column "${name}": expected ${length} values, got ${v ? v.length : "none"}`,
      );
    }
    return vecToData(schema[name]!, v, name, owned);
  });
  const arrowSchema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new ArrowTable(arrowSchema, [new RecordBatch(arrowSchema, struct)]);
}
