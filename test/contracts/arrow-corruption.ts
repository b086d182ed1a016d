/**
 * Corrupted Arrow IPC bodies for the "nothing acknowledged that the cycle cannot apply" property
 * tests (engine and workers): random small tables, random damage to their encoded stream (bit
 * flips, byte overwrites, truncations, edits of the int32 offset and index buffers), and
 * apache-arrow's own reading of a body as the oracle an accepted body must match.
 */
import type { Data, Field, Vector } from "apache-arrow";
import {
  Table as ArrowTable,
  DataType,
  Dictionary,
  Int32,
  makeVector,
  RecordBatchReader,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { tableToArrow } from "../../src/engine/arrow.ts";
import type { ColumnData } from "../../src/engine/index.ts";
import {
  arrayCol,
  boolCol,
  doubleCol,
  instantCol,
  intCol,
  longCol,
  newTable,
  stringCol,
} from "../../src/engine/index.ts";

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const str = fc.string({ maxLength: 5, unit: fc.constantFrom("a", "b", "é", "中", "😀", "\u0000") });

/** The columns a publish of an exact-typed body (stored as received) carries. */
export const EXACT_SCHEMA = {
  Sym: "string",
  Px: "float64",
  Size: "int64",
  Ts: "instant",
  Ok: "bool",
  N: "int32",
} as const;

/** Rows of EXACT_SCHEMA, as engine column data (0 to `max` rows, nulls included). */
export function exactColumns(max = 6): fc.Arbitrary<ColumnData[]> {
  return fc.integer({ min: 0, max }).chain(exactColumnsOf);
}

function exactColumnsOf(n: number): fc.Arbitrary<ColumnData[]> {
  const of = <T>(a: fc.Arbitrary<T>) => fc.array(opt(a), { minLength: n, maxLength: n });
  return fc
    .tuple(
      of(str),
      of(fc.double()),
      of(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
      of(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n })),
      of(fc.boolean()),
      of(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    )
    .map(([s, p, z, t, o, i]) => [
      stringCol("Sym", s),
      doubleCol("Px", p),
      longCol("Size", z),
      instantCol("Ts", t),
      boolCol("Ok", o),
      intCol("N", i),
    ]);
}

/** An exact-typed stream body of EXACT_SCHEMA. */
export function exactBody(max = 6): fc.Arbitrary<Uint8Array> {
  return exactColumns(max).map((cols) => fresh(tableToIPC(tableToArrow(newTable(cols)), "stream")));
}

/**
 * A stream of several column kinds: every exact type plus a Dictionary<Utf8> string column and
 * a List<Int32> column (both read by conversion), in one or two record batches.
 */
export function mixedBody(max = 6): fc.Arbitrary<Uint8Array> {
  const batch = fc.integer({ min: 0, max }).chain((n) =>
    fc.tuple(
      fc.array(opt(str), { minLength: n, maxLength: n }),
      fc.array(opt(fc.array(opt(fc.integer({ min: -5, max: 5 })), { maxLength: 3 })), {
        minLength: n,
        maxLength: n,
      }),
      exactColumnsOf(n),
    ),
  );
  return fc.array(batch, { minLength: 1, maxLength: 2 }).map((batches) => {
    const tables = batches.map(([dict, lists, cols]) => {
      const base = tableToArrow(newTable([...cols, arrayCol("L", "int32", lists)]));
      const d = vectorFromArray(dict, new Dictionary(new Utf8(), new Int32()));
      return base.assign(new ArrowTable({ D: d }));
    });
    const all = tables.slice(1).reduce((a, b) => a.concat(b), tables[0]!);
    return fresh(tableToIPC(all, "stream"));
  });
}

/** A copy in its own ArrayBuffer (so buffer views found by decoding map to body positions). */
function fresh(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** One damage to a body. */
export type Corruption =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "byte"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "int32"; region: number; index: number; value: number };

export const corruptionArb: fc.Arbitrary<Corruption[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant("flip" as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({
      kind: fc.constant("byte" as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant("int32" as const),
      region: fc.nat(),
      index: fc.nat(),
      value: fc.oneof(
        fc.integer({ min: -3, max: 40 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      ),
    }),
  ),
  { minLength: 1, maxLength: 3 },
);

/**
 * Where the int32 offset and dictionary-index buffers of a valid body lie: `[byte position, count]`
 * of each (found by decoding it: apache-arrow's buffers are views into the body).
 */
export function int32Regions(body: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const reader = RecordBatchReader.from(body);
  const visit = (d: Data | undefined) => {
    if (!d) return;
    for (const b of [d.valueOffsets, DataType.isDictionary(d.type) ? d.values : undefined]) {
      if (b instanceof Int32Array && b.buffer === body.buffer && b.length > 0) {
        out.push([b.byteOffset - body.byteOffset, b.length]);
      }
    }
    for (const c of d.children) visit(c);
  };
  for (const batch of reader) for (const c of batch.data.children) visit(c);
  return out;
}

/** `body` with the damages applied, in order (positions taken modulo the current length). */
export function corrupt(body: Uint8Array, damages: readonly Corruption[]): Uint8Array {
  const regions = int32Regions(body);
  let b = new Uint8Array(body);
  for (const c of damages) {
    if (b.length === 0) break;
    if (c.kind === "flip") b[c.at % b.length]! ^= 1 << c.bit;
    else if (c.kind === "byte") b[c.at % b.length] = c.value;
    else if (c.kind === "truncate") b = b.slice(0, c.at % b.length);
    else if (regions.length > 0) {
      const [start, count] = regions[c.region % regions.length]!;
      const at = start + 4 * (c.index % count);
      if (at + 4 <= b.length) new DataView(b.buffer).setInt32(at, c.value, true);
    }
  }
  return b;
}

/**
 * What apache-arrow's own reader yields for a body: its field names and, per column, every row's
 * value (null for an invalid slot or a null dictionary entry; timestamps as their raw bigint,
 * which `get` would round to milliseconds; Uint32 values as bigints; lists as arrays of such
 * cells; bools as booleans). Throws when the reader does.
 */
export function referenceRead(body: Uint8Array): { names: string[]; columns: unknown[][] } {
  const reader = RecordBatchReader.from(body);
  reader.open();
  const schema = reader.schema;
  const batches = [...reader];
  const t = new ArrowTable(schema, batches);
  const fields = t.schema.fields as Field[];
  const columns = fields.map((f, j) => {
    const out: unknown[] = [];
    for (const d of (t.getChildAt(j)?.data ?? []) as Data[]) {
      const v = makeVector(d) as Vector;
      for (let i = 0; i < d.length; i++) out.push(referenceCell(f.type as DataType, d, v, i));
    }
    return out;
  });
  return { names: fields.map((f) => f.name), columns };
}

/** Nanoseconds per unit of a Timestamp (by TimeUnit) and of a Date (by DateUnit: day, ms). */
const NANOS_PER_TIME_UNIT = [1_000_000_000n, 1_000_000n, 1_000n, 1n];
const NANOS_PER_DATE_UNIT = [86_400_000_000_000n, 1_000_000n];

function referenceCell(type: DataType, d: Data, v: Vector, i: number): unknown {
  if (!d.getValid(i)) return null;
  // `get` rounds timestamps to milliseconds: read the raw value and scale it exactly.
  if (DataType.isTimestamp(type)) {
    return BigInt((d.values as BigInt64Array)[i]!) * NANOS_PER_TIME_UNIT[type.unit]!;
  }
  if (DataType.isDate(type)) {
    return BigInt((d.values as ArrayLike<number | bigint>)[i]!) * NANOS_PER_DATE_UNIT[type.unit]!;
  }
  if (DataType.isList(type)) {
    // The elements read as cells of the child type (so a List<Uint32>'s are bigints, as a
    // Uint32 column's are), from the child's data at the list's offsets.
    const child = d.children[0] as Data;
    const cv = makeVector(child) as Vector;
    const offsets = d.valueOffsets as Int32Array;
    const out: unknown[] = [];
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
      out.push(referenceCell(child.type as DataType, child, cv, j));
    }
    return out;
  }
  const x = v.get(i) as unknown;
  if (DataType.isInt(type) && !type.isSigned && type.bitWidth === 32) return BigInt(x as number);
  return x ?? null;
}
