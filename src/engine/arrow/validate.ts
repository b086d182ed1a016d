/**
 * A structural check of Arrow column buffers, without decoding them: every buffer is long enough
 * for the length its array declares, validity bitmaps agree with their declared null counts,
 * string and list offsets start at or after 0, never decrease and stay inside their value buffer
 * or child array, and every dictionary index (under a non-null row) points into its dictionary.
 *
 * Why: apache-arrow's IPC reader takes buffers as the body's metadata describes them and checks
 * none of this; a corrupt body it reads "successfully" fails only when the values are decoded.
 * A publish runs this pass before it acknowledges anything, so a batch that is stored as received
 * (and decoded at the next cycle) is one that decodes. It costs a pass over the offsets, indices
 * and validity bytes (no strings are made), far less than decoding.
 */
import { ArrowError } from "../errors.ts";
import type { ArrowChunk as Data, ArrowDictionary as Vector } from "./chunk.ts";
import { findKept, forgetVouched, vouch } from "./dictionary-cache.ts";
import type { ReadPlan, ScalarReadPlan } from "./type-map.ts";

/** Population count of every byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

type Offsets = Int32Array | BigInt64Array;
type Indices = ArrayLike<number | bigint>;

/**
 * Checks the chunks of one Arrow column read with `plan`; throws ArrowError naming the column and
 * the row (or element / dictionary entry) where the first inconsistency is.
 */
export function validateChunks(name: string, plan: ReadPlan, chunks: readonly Data[]): void {
  // One set for every call (emptied after; a set that stayed empty is not cleared, which would
  // allocate): a batch without dictionaries allocates nothing here.
  const checked = checkedDicts;
  forgetVouched();
  try {
    let base = 0;
    for (let i = 0; i < chunks.length; i++) {
      const d = chunks[i]!;
      checkData(name, plan, d, base, "row", checked);
      base += d.length;
    }
  } finally {
    if (checked.size > 0) checked.clear();
  }
}

/** The dictionaries `validateChunks` checked so far in its call. */
const checkedDicts = new Set<Vector>();

/** One chunk. `what` names the positions in messages ("row", "list element", ...). */
function checkData(
  name: string,
  plan: ReadPlan,
  d: Data,
  base: number,
  what: string,
  checked: Set<Vector>,
): void {
  const n = d.length;
  const off = d.offset;
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(off) || off < 0) {
    fail(name, `an array declares length ${n} at offset ${off}`);
  }
  if (n === 0) return;
  checkValidity(name, d, base, what);
  // apache-arrow slices value, offset and fixed-size-list child buffers when it slices an array,
  // so those start at index 0; only validity bitmaps and Bool values are read from `d.offset` on.
  switch (plan.kind) {
    case "copy":
    case "uint32":
    case "time":
      need(name, "value buffer", (d.values as ArrayLike<unknown> | undefined)?.length, n);
      return;
    case "bool": {
      const bytes = (d.values as Uint8Array | undefined)?.length ?? 0;
      need(name, "value buffer (bytes)", bytes, (off + n + 7) >> 3);
      return;
    }
    case "utf8":
      checkOffsets(name, d, (d.values as Uint8Array | undefined)?.length ?? 0, base, {
        thing: "string",
        what,
        unit: "byte",
        holder: "value buffer",
      });
      return;
    case "dictionary":
      checkDictionary(name, d, base, what, checked);
      return;
    case "list": {
      const child = d.children[0] as Data | undefined;
      if (!child) fail(name, "a list array has no child array");
      if (plan.size === null) {
        checkOffsets(name, d, child.length, base, {
          thing: "list",
          what,
          unit: "element",
          holder: "child array",
        });
      } else if (child.length < n * plan.size) {
        fail(
          name,
          `its ${n} ${what}s of ${plan.size} elements need ${n * plan.size} elements, the child array has ${child.length}`,
        );
      }
      checkData(name, plan.element, child, 0, "list element", checked);
      return;
    }
  }
}

function fail(name: string, why: string): never {
  throw new ArrowError(`Column "${name}": ${why}`);
}

/** A buffer of `have` elements must hold `want`. */
function need(name: string, buffer: string, have: number | undefined, want: number): void {
  if ((have ?? 0) < want) {
    fail(name, `its ${buffer} holds ${have ?? 0} entries, its length says ${want}`);
  }
}

/**
 * A declared null count needs a bitmap covering the rows whose cleared bits number exactly that.
 * (A zero null count means no bitmap is read at all, here and in apache-arrow.)
 */
function checkValidity(name: string, d: Data, base: number, what: string): void {
  const bitmap = d.nullBitmap as Uint8Array | undefined;
  const declared = d.nullCount;
  if (!bitmap || bitmap.length === 0 || declared === 0) return;
  const n = d.length;
  const off = d.offset;
  need(name, "validity bitmap (bytes)", bitmap.length, (off + n + 7) >> 3);
  const nulls = n - countSet(bitmap, off, n);
  if (nulls !== declared) {
    fail(
      name,
      `the ${what}s from ${what} ${base} on declare ${declared} nulls, their validity bitmap marks ${nulls}`,
    );
  }
}

/** Set bits in `[off, off + n)` of a bitmap long enough for them. */
function countSet(bits: Uint8Array, off: number, n: number): number {
  let ones = 0;
  let i = 0;
  while (i < n && ((off + i) & 7) !== 0) {
    const p = off + i++;
    ones += (bits[p >> 3]! >> (p & 7)) & 1;
  }
  let byte = (off + i) >> 3;
  for (; i + 8 <= n; i += 8) ones += POPCOUNT[bits[byte++]!]!;
  for (; i < n; i++) {
    const p = off + i;
    ones += (bits[p >> 3]! >> (p & 7)) & 1;
  }
  return ones;
}

/** What one offset buffer delimits, for messages: "the string at row 3 ends at byte 40". */
interface OffsetsOf {
  /** A value: "string", "list". */
  thing: string;
  /** Its position: "row", "list element", "dictionary entry". */
  what: string;
  /** The unit of the offsets: "byte", "element". */
  unit: string;
  /** What they point into: "value buffer", "child array". */
  holder: string;
}

/**
 * The `n + 1` offsets: a first one of at least 0, never decreasing, the last at most `limit`
 * (bytes of the value buffer, or elements of the list's child).
 */
function checkOffsets(name: string, d: Data, limit: number, base: number, of: OffsetsOf): void {
  const offsets = d.valueOffsets as Offsets | undefined;
  const n = d.length;
  need(name, "offset buffer", offsets?.length, n + 1);
  const o = offsets!;
  let prev = Number(o[0]!);
  if (prev < 0 || prev > limit) {
    fail(
      name,
      `the ${of.thing} at ${of.what} ${base} starts at ${of.unit} ${prev}, outside the ${limit} ${of.unit}s of its ${of.holder}`,
    );
  }
  if (o instanceof Int32Array) {
    for (let i = 1; i <= n; i++) {
      const cur = o[i]!;
      if (cur < prev || cur > limit) offsetFault(name, base + i - 1, of, prev, cur, limit);
      prev = cur;
    }
  } else {
    for (let i = 1; i <= n; i++) {
      const cur = Number(o[i]!);
      if (cur < prev || cur > limit) offsetFault(name, base + i - 1, of, prev, cur, limit);
      prev = cur;
    }
  }
}

function offsetFault(
  name: string,
  row: number,
  of: OffsetsOf,
  start: number,
  end: number,
  limit: number,
): never {
  const head = `the ${of.thing} at ${of.what} ${row} ends at ${of.unit} ${end}`;
  if (end < start) fail(name, `${head}, before it starts (${of.unit} ${start})`);
  fail(name, `${head}, beyond the ${limit} ${of.unit}s of its ${of.holder}`);
}

/** Indices within the dictionary under every non-null row; the dictionary itself checked once. */
function checkDictionary(
  name: string,
  d: Data,
  base: number,
  what: string,
  checked: Set<Vector>,
): void {
  const dict = d.dictionary as Vector | undefined;
  if (!dict) fail(name, "dictionary-encoded data without its dictionary");
  if (!checked.has(dict)) {
    // A dictionary kept by the decoded-dictionary cache (offsets and bytes equal to one decoded
    // before, which passed this check) is not checked again; the decode takes what was found.
    const kept = findKept(dict);
    vouch(dict, kept);
    if (kept === null) {
      const plan: ScalarReadPlan = { kind: "utf8", type: "string" };
      let at = 0;
      for (const c of dict.data as Data[]) {
        checkData(name, plan, c, at, "dictionary entry", checked);
        at += c.length;
      }
    }
    checked.add(dict);
  }
  const size = dict.length;
  const n = d.length;
  const off = d.offset;
  const idx = d.values as Indices | undefined;
  need(name, "index buffer", idx?.length, n);
  const bits = d.nullCount > 0 ? (d.nullBitmap as Uint8Array | undefined) : undefined;
  const nullable = bits !== undefined && bits.length > 0;
  if (!nullable && !(idx instanceof BigInt64Array || idx instanceof BigUint64Array)) {
    // No nulls and number indices: a range check per row, the message from the loop below.
    const ix = idx as ArrayLike<number>;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const k = ix[i]!;
      if (!(k >= 0 && k < size)) {
        ok = false;
        break;
      }
    }
    if (ok) return;
  }
  for (let i = 0; i < n; i++) {
    const p = off + i;
    if (nullable && ((bits[p >> 3]! >> (p & 7)) & 1) === 0) continue;
    const k = Number(idx![i]!);
    if (!(k >= 0 && k < size)) {
      fail(
        name,
        `the dictionary index ${k} at ${what} ${base + i} is outside the dictionary of ${size}`,
      );
    }
  }
}
