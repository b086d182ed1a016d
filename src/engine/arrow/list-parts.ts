/**
 * An array column as Arrow's List layout: Int32 value offsets (a null row holds no elements) and
 * one child vector of every element, shared by both Arrow writers (`encode.ts`, `ipc-write.ts`).
 * Cells are JS arrays, so this is the one encoding step that visits every element.
 */
import type { Vec } from "../column.ts";
import { ArrowError } from "../errors.ts";
import type { ArrayType, ArrayValue } from "../types.ts";
import { allocStorage, elementType } from "../types.ts";

const MAX_LIST_ELEMENTS = 0x7fffffff;

/** The offsets (n + 1, from 0) and element vector of rows `[from, from + n)` of `vec`. */
export function listParts(
  type: ArrayType,
  vec: Vec,
  from: number,
  n: number,
  name: string,
): { offsets: Int32Array; child: Vec } {
  const cells = vec.data as readonly ArrayValue[];
  const valid = vec.valid;
  const et = elementType(type);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = total;
    if (valid === null || valid[from + i] !== 0) total += cells[from + i]!.length;
    if (total > MAX_LIST_ELEMENTS) {
      throw new ArrowError(`Column "${name}": more than 2^31 - 1 array elements in one batch`);
    }
  }
  offsets[n] = total;
  const data = allocStorage(et, total);
  const out = data as unknown as (number | bigint | string)[];
  let ev: Uint8Array | null = null;
  let at = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[from + i] === 0) continue;
    for (const x of cells[from + i]!) {
      if (x === null) {
        ev ??= new Uint8Array(total).fill(1);
        ev[at] = 0;
      } else if (et === "bool") out[at] = x ? 1 : 0;
      else if (et === "char") out[at] = (x as string).charCodeAt(0);
      else out[at] = x as number | bigint | string;
      at++;
    }
  }
  return { offsets, child: { data, valid: ev, length: total } };
}
