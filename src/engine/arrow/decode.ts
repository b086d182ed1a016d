/**
 * Arrow -> engine vectors: every chunk (record batch) of an Arrow column is converted into one
 * contiguous Vec of the column's engine type. Typed arrays are copied with `set` where the layout
 * matches; validity bitmaps are unpacked byte by byte; strings are decoded per chunk (see
 * `utf8.ts`); timestamps in coarser units are scaled exactly with BigInt math and range-checked.
 * Lists (array columns) decode their rows' element range of the child once, as a Vec of the
 * element type, then cut it into one frozen array per row (elements in API form).
 * Slots under nulls end up zero / "" / the empty array whatever the Arrow buffers held there.
 */
import type { Vec } from "../column.ts";
import type { StringDict } from "../column-source.ts";
import { ArrowError } from "../errors.ts";
import { isStringKey } from "../keys/string-key-hints.ts";
import type { ArrayValue, ScalarType, ScalarValue, Storage, TypedStorage } from "../types.ts";
import { allocStorage, rawToValue } from "../types.ts";
import { unpackBits } from "./bitmap.ts";
import type { ArrowChunk as Data, ArrowDictionary as Vector } from "./chunk.ts";
import type { DecodedDictionary } from "./dictionary-cache.ts";
import { keepableParts, sharedDictionaryCache, takeVouched } from "./dictionary-cache.ts";
import type { ListReadPlan, ReadPlan } from "./type-map.ts";
import { decodeUtf8 } from "./utf8.ts";
import { sharedUtf8Intern } from "./utf8-intern.ts";

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

type AnyInts = TypedStorage | Uint32Array | BigUint64Array;

/**
 * Converts the chunks of one Arrow column (`total` rows in all) into one Vec of new storage
 * (exactly `total` slots, never a view of the Arrow buffers: a static table takes it as its pages).
 */
export function chunksToVec(
  name: string,
  plan: ReadPlan,
  chunks: readonly Data[],
  total: number,
): Vec {
  if (plan.kind === "copy" && chunks.length === 1) {
    const whole = sliceWhole(plan.type, chunks[0]!, total);
    if (whole) return whole;
  }
  const data = (plan.kind === "utf8" ? takeStrings(total) : null) ?? allocStorage(plan.type, total);
  const vec: Vec = { data, valid: null, length: total };
  let dictionaries: Map<Vector, DecodedDictionary> | null = null;
  // A dictionary column keeps its codes when every chunk reads the same decoded dictionary; a
  // Utf8 column routed to the string cache's large level (a key column: see utf8-intern.ts) when
  // every chunk was served there, whose entries are a dictionary, all with the same one.
  let codes: Int32Array | null =
    plan.kind === "dictionary" || (plan.kind === "utf8" && sharedUtf8Intern.credit(name) > 0)
      ? (takeCodes(total) ?? new Int32Array(total))
      : null;
  let codeDict: StringDict | null = null;
  let at = 0;
  for (let c = 0; c < chunks.length; c++) {
    const d = chunks[c]!;
    const n = d.length;
    if (at + n > total)
      throw new ArrowError(`Column "${name}" has more values than the table has rows`);
    if (n === 0) continue;
    readValidity(d, vec, at, n);
    switch (plan.kind) {
      case "copy":
        copyValues(name, d, data as TypedStorage, at, n);
        break;
      case "uint32": {
        const src = values(name, d, n) as Uint32Array;
        const out = data as BigInt64Array;
        for (let i = 0; i < n; i++) out[at + i] = BigInt(src[i]!);
        break;
      }
      case "bool": {
        const bits = d.values as Uint8Array | undefined;
        if (!bits || bits.length * 8 < d.offset + n) truncated(name);
        unpackBits(bits, d.offset, n, data as Uint8Array, at);
        break;
      }
      case "utf8": {
        const used = readUtf8(name, d, data as string[], at, n, codes);
        if (used === null) codes = null;
        else if (codeDict === null) codeDict = used;
        else if (codeDict !== used) codes = null;
        break;
      }
      case "dictionary": {
        const used = readDictionary(name, d, vec, at, n, (dictionaries ??= new Map()), codes);
        if (codeDict === null) codeDict = used;
        else if (codeDict !== used) codes = null;
        break;
      }
      case "time":
        readTime(name, plan, d, vec, at, n);
        break;
      case "list":
        readList(name, plan, d, vec, at, n);
        break;
    }
    at += n;
  }
  if (at !== total)
    throw new ArrowError(`Column "${name}" has ${at} values but the table has ${total} rows`);
  // List rows under nulls were never written: they hold the empty array already.
  if (vec.valid && plan.kind !== "list") clearNulls(data, vec.valid, total);
  if (codes !== null && codeDict !== null) {
    vec.codes = codes;
    vec.dict = codeDict;
  }
  return vec;
}

/**
 * String arrays of decoded Utf8 columns given back by their reader (`giveStrings`), for the next
 * column of the same length: a publisher's `addArrow` rows are copied into pages at the cycle,
 * after which their strings array is not read again. A Utf8 column writes every row ("" under a
 * null), so what the array held before never shows.
 */
const spareStrings: Spare<string[]> = { items: [], count: 0 };
/**
 * The same for the code arrays of key and dictionary columns (`Vec.codes`, every row written by
 * the decode): given back with the strings, taken by the next column of as many rows.
 */
const spareCodes: Spare<Int32Array> = { items: [], count: 0 };
const MAX_SPARE_STRINGS = 8;
/** Longest array kept (slots). */
const MAX_SPARE_LENGTH = 1 << 17;

/**
 * A pool: `items[0..count)`, oldest first. A count, not the array's length: an array popped empty
 * gives up its backing store, and a publisher's pool empties and refills every batch.
 */
interface Spare<T> {
  readonly items: (T | null)[];
  count: number;
}

/** An array of exactly `n` slots from `pool` (taken out of it), or null. */
function takeSpare<T extends { readonly length: number }>(pool: Spare<T>, n: number): T | null {
  const items = pool.items;
  for (let i = pool.count - 1; i >= 0; i--) {
    const a = items[i]!;
    if (a.length === n) {
      const last = --pool.count;
      items[i] = items[last]!;
      items[last] = null;
      return a;
    }
  }
  return null;
}

/** Puts `arrays` in `pool` (at most MAX_SPARE_STRINGS kept, the oldest dropped first). */
function giveSpare<T extends { readonly length: number }>(
  pool: Spare<T>,
  arrays: readonly T[],
): void {
  const items = pool.items;
  for (let j = 0; j < arrays.length; j++) {
    const a = arrays[j]!;
    if (a.length > MAX_SPARE_LENGTH) continue;
    if (pool.count === MAX_SPARE_STRINGS) {
      for (let i = 1; i < pool.count; i++) items[i - 1] = items[i]!;
      pool.count--;
    }
    items[pool.count++] = a;
  }
}

function takeStrings(n: number): string[] | null {
  return takeSpare(spareStrings, n);
}

function takeCodes(n: number): Int32Array | null {
  return takeSpare(spareCodes, n);
}

/** Gives back the strings arrays of Utf8 columns that will not be read again (see above). */
export function giveStrings(arrays: readonly string[][]): void {
  giveSpare(spareStrings, arrays);
}

/** Gives back code arrays that will not be read again. */
export function giveCodes(arrays: readonly Int32Array[]): void {
  giveSpare(spareCodes, arrays);
}

/**
 * `chunksToVec`, except that a column of one chunk without nulls whose Arrow values are already
 * its storage (a fixed-width type's typed array, nanosecond timestamps for an instant) comes
 * back as a view of the Arrow buffer, not a copy. Only for a caller that reads the Vec and lets
 * it go (a publish's rows, copied into the source's pages by the cycle that takes them):
 * writing it would write the Arrow body.
 */
export function chunksToVecView(
  name: string,
  plan: ReadPlan,
  chunks: readonly Data[],
  total: number,
): Vec {
  const d = chunks[0];
  if (chunks.length === 1 && total > 0 && d!.length === total && d!.nullCount === 0) {
    const v = d!.values as TypedStorage | undefined;
    const ctor =
      plan.kind === "copy"
        ? STORAGE[plan.type]
        : plan.kind === "time" && plan.nanosPer === 1n
          ? BigInt64Array
          : undefined;
    if (ctor && v && v.constructor === ctor && v.length >= total) {
      const data = v.length === total ? v : (v.subarray(0, total) as TypedStorage);
      return { data, valid: null, length: total };
    }
  }
  return chunksToVec(name, plan, chunks, total);
}

/** The typed array a fixed-width type is stored in. */
const STORAGE: Partial<Record<ScalarType, new (n: number) => TypedStorage>> = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
  char: Uint16Array,
};

/**
 * One chunk holding a whole column whose Arrow values are already of the storage's typed-array
 * type: one `slice` (allocation and copy in one step, no zeroing), or null for the general path.
 */
function sliceWhole(type: ScalarType, d: Data, total: number): Vec | null {
  const v = d.values as TypedStorage | undefined;
  const ctor = STORAGE[type];
  if (d.length !== total || total === 0 || !ctor || !v || v.constructor !== ctor) return null;
  if (v.length < total) return null;
  const vec: Vec = { data: v.slice(0, total), valid: null, length: total };
  readValidity(d, vec, 0, total);
  if (vec.valid) clearNulls(vec.data, vec.valid, total);
  return vec;
}

/** Reads one chunk of a List / LargeList / FixedSizeList into frozen array cells. */
function readList(
  name: string,
  plan: ListReadPlan,
  d: Data,
  vec: Vec,
  at: number,
  n: number,
): void {
  const child = d.children[0] as Data | undefined;
  if (!child) truncated(name);
  const size = plan.size;
  const offsets = d.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (size === null && (!offsets || offsets.length < n + 1)) truncated(name);
  const start = (i: number): number => (size === null ? Number(offsets![i]!) : i * size);
  const lo = start(0);
  const hi = start(n);
  if (!(lo >= 0 && hi >= lo && hi <= child.length)) {
    throw new ArrowError(
      `Column "${name}": list offsets [${lo}, ${hi}) lie outside its ${child.length} elements`,
    );
  }
  const elems = chunksToVec(name, plan.element, [child.slice(lo, hi - lo)], hi - lo);
  const et = plan.element.type;
  const ed = elems.data as ArrayLike<number | bigint | string>;
  const ev = elems.valid;
  const out = vec.data as ArrayValue[];
  const valid = vec.valid;
  for (let i = 0; i < n; i++) {
    if (valid && valid[at + i] === 0) continue;
    const s = start(i) - lo;
    const e = start(i + 1) - lo;
    if (e < s) throw new ArrowError(`Column "${name}": list offsets decrease at row ${at + i}`);
    const cell = new Array<ScalarValue>(e - s);
    for (let j = s; j < e; j++) {
      cell[j - s] = ev !== null && ev[j] === 0 ? null : (rawToValue(et, ed[j]!) as ScalarValue);
    }
    out[at + i] = Object.freeze(cell);
  }
}

/** An all-valid validity array as long as the vector's storage. */
function newValid(vec: Vec): Uint8Array {
  return new Uint8Array((vec.data as ArrayLike<unknown>).length).fill(1);
}

function truncated(name: string): never {
  throw new ArrowError(`Column "${name}": an Arrow buffer is shorter than its length says`);
}

function values(name: string, d: Data, n: number): AnyInts {
  const v = d.values as AnyInts | undefined;
  if (!v || v.length < n) truncated(name);
  return v;
}

/** Unpacks the chunk's validity bitmap into `vec.valid[at..at + n)` if it has nulls. */
function readValidity(d: Data, vec: Vec, at: number, n: number): void {
  const bitmap = d.nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || d.nullCount === 0) return;
  if (!vec.valid) vec.valid = newValid(vec);
  unpackBits(bitmap, d.offset, n, vec.valid, at);
}

function copyValues(name: string, d: Data, out: TypedStorage, at: number, n: number): void {
  const src = values(name, d, n);
  out.set(src.subarray(0, n) as never, at);
}

/**
 * Decodes one Utf8 chunk into `out` at `at`; with `codes`, returns the dictionary the rows' codes
 * written there index into, or null (no codes: see `decodeUtf8`).
 */
function readUtf8(
  name: string,
  d: Data,
  out: string[],
  at: number,
  n: number,
  codes: Int32Array | null = null,
): StringDict | null {
  const offsets = d.valueOffsets as Int32Array | BigInt64Array | undefined;
  const bytes = (d.values as Uint8Array | undefined) ?? new Uint8Array(0);
  if (!offsets || offsets.length < n + 1) truncated(name);
  return decodeUtf8(bytes, offsets, n, out, at, name, sharedUtf8Intern, codes);
}

function decodeDictionary(name: string, dict: Vector): DecodedDictionary {
  const total = dict.length;
  const vouched = takeVouched(dict);
  if (vouched) return vouched;
  const parts = keepableParts(dict);
  if (parts !== null && vouched === undefined) {
    const kept = sharedDictionaryCache.find(parts.offsets, parts.bytes, total);
    if (kept !== null) return kept;
  }
  const strs = new Array<string>(total).fill("");
  const tmp: Vec = { data: strs, valid: null, length: total };
  // A kept dictionary of a key column (pyarrow and DuckDB send it again with every batch) says
  // whether a string appears twice in it: without, string keys read its codes without a Map
  // (keys/key-columns.ts, StringKeys). Its strings come through the string cache's large level
  // (a key column's), whose codes tell.
  const codes = parts !== null && isStringKey(name) ? new Int32Array(total) : null;
  let level: StringDict | null = null;
  let at = 0;
  for (const d of dict.data as Data[]) {
    if (d.length === 0) continue;
    readValidity(d, tmp, at, d.length);
    level = readUtf8(name, d, strs, at, d.length, codes);
    at += d.length;
  }
  const unique =
    codes !== null && level !== null && tmp.valid === null && noRepeats(strs, codes, level);
  const decoded = { strs, valid: tmp.valid, unique };
  if (parts !== null) sharedDictionaryCache.keep(parts.offsets, parts.bytes, total, decoded);
  return decoded;
}

/**
 * Whether no string appears twice in `strs`, given each one's code in `level` (the string cache's
 * large level; -1: not held when it was decoded). Strings with codes repeat only under one code
 * (the level holds a string once); one without may have come in since (a repeat of it took the
 * level's last credit), so its code now is asked; the rest, which the level does not hold (a full
 * set turned them away, or empty), are compared as strings. No answer from the level: false.
 */
function noRepeats(strs: readonly string[], codes: Int32Array, level: StringDict): boolean {
  const seen = new Uint8Array(level.strs.length);
  let rest: Set<string> | null = null;
  for (let i = 0; i < strs.length; i++) {
    let c = codes[i]!;
    if (c < 0) {
      c = level.codeOf?.(strs[i]!) ?? -2;
      if (c === -2) return false;
      if (c === -1) {
        rest ??= new Set();
        if (rest.has(strs[i]!)) return false;
        rest.add(strs[i]!);
        continue;
      }
    }
    if (seen[c] === 1) return false;
    seen[c] = 1;
  }
  return true;
}

/**
 * Reads one chunk of a dictionary column into `vec` at `at`, and each row's dictionary index into
 * `codes` (if given); returns the decoded dictionary it read.
 */
function readDictionary(
  name: string,
  d: Data,
  vec: Vec,
  at: number,
  n: number,
  cache: Map<Vector, DecodedDictionary>,
  codes: Int32Array | null,
): DecodedDictionary {
  const dictVec = d.dictionary;
  if (!dictVec)
    throw new ArrowError(`Column "${name}": dictionary-encoded data without its dictionary`);
  let dict = cache.get(dictVec);
  if (!dict) {
    dict = decodeDictionary(name, dictVec);
    cache.set(dictVec, dict);
  }
  const { strs, valid: dvalid } = dict;
  const size = strs.length;
  const idx = values(name, d, n);
  const out = vec.data as string[];
  const valid = vec.valid;
  const big = idx instanceof BigInt64Array || idx instanceof BigUint64Array;
  if (valid === null && dvalid === null && !big) {
    // No nulls anywhere and number indices: one lookup per row.
    const ix = idx as Exclude<AnyInts, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) {
      const k = ix[i]!;
      if (!(k >= 0 && k < size)) badIndex(name, k, at + i, size);
      out[at + i] = strs[k]!;
    }
    if (codes !== null) codes.set(ix.subarray(0, n), at);
    return dict;
  }
  for (let i = 0; i < n; i++) {
    if (valid && valid[at + i] === 0) continue;
    const k = Number(idx[i]!);
    if (!(k >= 0 && k < size)) badIndex(name, k, at + i, size);
    if (dvalid && dvalid[k] === 0) {
      if (!vec.valid) vec.valid = newValid(vec);
      vec.valid[at + i] = 0;
    } else {
      out[at + i] = strs[k]!;
      if (codes !== null) codes[at + i] = k;
    }
  }
  return dict;
}

function badIndex(name: string, k: number, row: number, size: number): never {
  throw new ArrowError(
    `Column "${name}": dictionary index ${k} at row ${row} is outside the dictionary of ${size}`,
  );
}

function readTime(
  name: string,
  plan: Extract<ReadPlan, { kind: "time" }>,
  d: Data,
  vec: Vec,
  at: number,
  n: number,
): void {
  const src = values(name, d, n);
  const out = vec.data as BigInt64Array;
  const f = plan.nanosPer;
  if (f === 1n && src instanceof BigInt64Array) {
    out.set(src.subarray(0, n), at);
    return;
  }
  const lo = MIN_I64 / f;
  const hi = MAX_I64 / f;
  const valid = vec.valid;
  for (let i = 0; i < n; i++) {
    if (valid && valid[at + i] === 0) continue;
    const raw = src[i]!;
    const v = typeof raw === "bigint" ? raw : BigInt(raw);
    if (v < lo || v > hi) {
      throw new ArrowError(
        `Column "${name}": value ${v} at row ${at + i} is outside the range of a nanosecond instant`,
      );
    }
    out[at + i] = v * f;
  }
}

/** Writes zero / "" under every null slot. */
function clearNulls(data: Storage, valid: Uint8Array, n: number): void {
  if (Array.isArray(data)) {
    for (let i = 0; i < n; i++) if (valid[i] === 0) data[i] = "";
  } else if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) if (valid[i] === 0) data[i] = 0n;
  } else {
    const d = data as Exclude<TypedStorage, BigInt64Array>;
    for (let i = 0; i < n; i++) if (valid[i] === 0) d[i] = 0;
  }
}
