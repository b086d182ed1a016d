/**
 * fast-check values of every column type (scalars, and arrays of them with null elements), for
 * the property tests that write random tables out and read them back (Arrow IPC, publishers).
 */
import fc from "fast-check";
import type { ColumnType } from "../../src/engine/index.ts";

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

/** One arbitrary per scalar column type, in the engine's value forms. */
export const CELLS: Record<string, fc.Arbitrary<unknown>> = {
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64,
  float32: fc.float(),
  float64: fc.double(),
  bool: fc.boolean(),
  char: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  string: fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "grapheme", maxLength: 4 })),
  instant: int64,
};

export const SCALARS = Object.keys(CELLS) as ColumnType[];

/** A cell of `type` (an array type: up to `maxArray` elements, a fifth of them null). */
export function cellOf(type: ColumnType, maxArray = 4): fc.Arbitrary<unknown> {
  if (type.endsWith("[]")) {
    const element = fc.option(CELLS[type.slice(0, -2)]!, { nil: null, freq: 4 });
    return fc.array(element, { maxLength: maxArray });
  }
  return CELLS[type]!;
}
