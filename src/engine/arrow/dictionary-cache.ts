/**
 * Decoded Arrow string dictionaries kept across decodes (`decode.ts`).
 *
 * A dictionary-encoded column from pyarrow (a pandas categorical) or DuckDB (an ENUM) carries its
 * whole dictionary, every category, in every IPC stream, and each publish is a stream of its own:
 * a 1,000-row publish over 100,000 categories decoded 100,000 strings to read 1,000 rows. Kept
 * here, a dictionary sent again with the same bytes is recognised by comparing its offsets and
 * bytes with the kept copy (64-bit words at a time when both are aligned: a fraction of the cost of
 * decoding it) and its strings are reused: no decode, no new string objects, and every later key
 * lookup (group-by, join) sees the same objects as before and matches them by identity.
 *
 * Only a dictionary of one Utf8 chunk without nulls and of at least MIN_ENTRIES entries is kept (a
 * small one decodes faster than a comparison would pay off); at most MAX_KEPT dictionaries and
 * MAX_BYTES of their bytes (copies, plus their strings), least recently used dropped first. The
 * match is exact, byte for byte: a dictionary that differs anywhere is decoded afresh.
 */

import type { ArrowDictionary } from "./chunk.ts";
import { sameBytes } from "./framing.ts";

/** Entries below which a dictionary is decoded every time. */
export const MIN_ENTRIES = 256;
/** Dictionaries kept at most. */
const MAX_KEPT = 8;
/** Bytes of kept dictionary text at most (the strings they decode to come on top). */
const MAX_BYTES = 16 * 2 ** 20;

/** A dictionary's decoded strings (shared by every decode that finds it: never written). */
export interface DecodedDictionary {
  readonly strs: readonly string[];
  readonly valid: Uint8Array | null;
  /** No string appears twice (checked for a kept dictionary of a key column: decode.ts). */
  readonly unique?: boolean;
}

interface Kept {
  /** Value offsets rebased to start at 0 (n + 1 of them). */
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly decoded: DecodedDictionary;
}

export class DictionaryCache {
  /** Most recently used first. */
  #kept: Kept[] = [];
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  /** Dictionaries found kept so far. */
  get hits(): number {
    return this.#hits;
  }

  /** Dictionaries looked up and not found so far. */
  get misses(): number {
    return this.#misses;
  }

  /**
   * The kept decode of the dictionary of `n` values at `offsets[0..n]` into `bytes`, or null
   * (counted as a miss; the caller decodes it and may `keep` it).
   */
  find(offsets: Int32Array, bytes: Uint8Array, n: number): DecodedDictionary | null {
    const kept = this.#kept;
    const o0 = offsets[0]!;
    const size = offsets[n]! - o0;
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (k.offsets.length !== n + 1 || k.bytes.length !== size) continue;
      if (!sameOffsets(k.offsets, offsets, o0, n)) continue;
      if (!sameBytes(k.bytes, bytes.subarray(o0, o0 + size))) continue;
      if (i > 0) {
        kept.splice(i, 1);
        kept.unshift(k);
      }
      this.#hits++;
      return k.decoded;
    }
    this.#misses++;
    return null;
  }

  /** Keeps `decoded`, the decode of the dictionary `find` was just given (copied here). */
  keep(offsets: Int32Array, bytes: Uint8Array, n: number, decoded: DecodedDictionary): void {
    const o0 = offsets[0]!;
    const size = offsets[n]! - o0;
    if (size > MAX_BYTES) return;
    const own = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) own[i] = offsets[i]! - o0;
    this.#kept.unshift({ offsets: own, bytes: bytes.slice(o0, o0 + size), decoded });
    this.#bytes += size;
    while (this.#kept.length > MAX_KEPT || this.#bytes > MAX_BYTES) {
      this.#bytes -= this.#kept.pop()!.bytes.length;
    }
  }
}

/** Whether `offsets[0..n]`, less `o0`, are `own[0..n]` (compared as bytes when `o0` is 0). */
function sameOffsets(own: Int32Array, offsets: Int32Array, o0: number, n: number): boolean {
  if (o0 === 0) {
    const len = 4 * (n + 1);
    return sameBytes(
      new Uint8Array(own.buffer, own.byteOffset, len),
      new Uint8Array(offsets.buffer, offsets.byteOffset, len),
    );
  }
  for (let i = 1; i <= n; i++) if (own[i] !== offsets[i]! - o0) return false;
  return true;
}

/** The cache every Arrow decode shares (its strings are immutable, so sharing is safe). */
export const sharedDictionaryCache = new DictionaryCache();

/**
 * The offsets and bytes of `dict` when it is a dictionary the cache keeps (one Utf8 chunk
 * without nulls, at least MIN_ENTRIES entries, int32 offsets inside its bytes), else null.
 */
export function keepableParts(
  dict: ArrowDictionary,
): { offsets: Int32Array; bytes: Uint8Array } | null {
  const total = dict.length;
  const one = dict.data.length === 1 ? dict.data[0]! : null;
  if (one === null || one.nullCount !== 0 || total < MIN_ENTRIES) return null;
  const offsets = one.valueOffsets;
  const bytes = one.values;
  if (
    offsets instanceof Int32Array &&
    offsets.length > total &&
    bytes instanceof Uint8Array &&
    offsets[0]! >= 0 &&
    offsets[total]! >= offsets[0]! &&
    offsets[total]! <= bytes.length
  ) {
    return { offsets, bytes };
  }
  return null;
}

/** The shared cache's decode of `dict` when it is kept there (same offsets and bytes), else null. */
export function findKept(dict: ArrowDictionary): DecodedDictionary | null {
  const parts = keepableParts(dict);
  return parts === null
    ? null
    : sharedDictionaryCache.find(parts.offsets, parts.bytes, dict.length);
}

/**
 * The dictionary the validation of a column looked up last, and what it found: its kept decode
 * (then its offsets were not checked: they are those of a dictionary decoded before) or null
 * (not kept). The decode that follows takes that answer instead of comparing the bytes again.
 * One at a time; every validation starts by forgetting it (`forgetVouched`), and every decode is
 * preceded by its column's validation (arrow.ts), so what is taken is what that validation just
 * compared.
 */
let vouched: ArrowDictionary | null = null;
let vouchedDecode: DecodedDictionary | null = null;

export function vouch(dict: ArrowDictionary, decoded: DecodedDictionary | null): void {
  vouched = dict;
  vouchedDecode = decoded;
}

export function forgetVouched(): void {
  vouched = null;
  vouchedDecode = null;
}

/**
 * What the last validation found for `dict` (its kept decode, or null: not kept), taken once;
 * undefined when it was not the dictionary looked up last.
 */
export function takeVouched(dict: ArrowDictionary): DecodedDictionary | null | undefined {
  if (vouched !== dict) return undefined;
  const d = vouchedDecode;
  forgetVouched();
  return d;
}
