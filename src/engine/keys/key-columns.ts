/**
 * The per-column half of KeyHashTable (key-hash-table.ts): one `KeyColumn` per key column hashes
 * a vector of keys into a running hash per row, stores the key of each slot in typed arrays (a
 * JS array for strings) and compares a stored key with a row.
 *
 * Equality, shared by groupBy and the joins: null equals null and nothing else; NaN equals NaN
 * (as Deephaven groups NaN keys together); -0 equals 0 (the key of the group is the value of the
 * row that created it); int64 compares all 64 bits; strings compare by content.
 *
 * Hashes: numbers that are int32 hash on their value, others on their float64 bits (NaN has one
 * hash); int64 on its two 32-bit words; strings on a dense id per distinct string (see
 * StringKeys). None allocates per row.
 */

import type { Vec } from "../column.ts";
import type { StringDict } from "../column-source.ts";
import type { ColumnType } from "../types.ts";

/** Stand-in hash of a null key. */
const NULL_HASH = 0x5bd1e995;
/** Hash of every NaN. */
const NAN_HASH = 0x7ff80000;
const F64 = new Float64Array(1);
const F64_WORDS = new Int32Array(F64.buffer);

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Folds a column's hash `h` into the running hash `acc` of a row. */
export function combine(acc: number, h: number): number {
  return Math.imul(acc ^ h, 0x01000193) + 0x165667b1;
}

/** Hash of a (non-null) number key; equal keys (NaN, -0) hash alike. */
export function hashNumber(v: number): number {
  if ((v | 0) === v) return fmix(v);
  if (v !== v) return NAN_HASH;
  F64[0] = v;
  return fmix(F64_WORDS[0]! ^ fmix(F64_WORDS[1]!));
}

/**
 * One key column of a KeyHashTable: hashing, per-slot storage and equality, over the chunk of
 * keys last given to `bind`.
 */
export interface KeyColumn {
  /** Makes `vec` the chunk that `hash`, `equals` and `push` read. */
  bind(vec: Vec): void;
  /**
   * `hs[i] = combine(hs[i], hash of row i)` for rows `[0, n)` of the bound chunk; `insert`: the
   * rows are being inserted (lookup-only otherwise).
   */
  hash(n: number, hs: Int32Array, insert: boolean): void;
  /** Whether slot `slot`'s key equals row `i` of the bound chunk. */
  equals(slot: number, i: number): boolean;
  /** Stores row `i` of the bound chunk as the key of slot `slot` (the next one). */
  push(slot: number, i: number): void;
  /** Drops the reference to the bound chunk. */
  unbind(): void;
  /**
   * Set by a table whose only key column this is: a matching stored hash then proves equality
   * wherever the hash is injective (int32 keys), so `equals` need not read the stored key.
   */
  only: boolean;
}

const NO_ROWS = new Uint8Array(0);

/** Null flags per slot and the bound chunk's validity, shared by the column kinds. */
abstract class Keys {
  only = false;
  /** 1 where the slot's key is null. */
  protected nulls = new Uint8Array(16);
  /** The bound chunk's validity (`valid[i] === 0`: null), or null when it has no nulls. */
  protected valid: Uint8Array | null = NO_ROWS;

  protected isNull(i: number): boolean {
    return this.valid !== null && this.valid[i] === 0;
  }

  /** Equality of nulls: `1` both null, `0` one null, `-1` neither (compare the values). */
  protected nullsEqual(slot: number, i: number): number {
    const a = this.nulls[slot] === 1;
    const b = this.valid !== null && this.valid[i] === 0;
    return a || b ? (a && b ? 1 : 0) : -1;
  }

  protected setNull(slot: number, isNull: boolean): void {
    if (slot >= this.nulls.length) {
      const next = new Uint8Array(Math.max(slot + 1, this.nulls.length * 2));
      next.set(this.nulls);
      this.nulls = next;
    }
    this.nulls[slot] = isNull ? 1 : 0;
  }
}

function grown<T extends Float64Array | Int32Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const next = make(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

const NO_NUMBERS: ArrayLike<number> = new Float64Array(0);

/**
 * int8/16/32, float32/64, bool (0/1), char (code unit): the number itself. While every stored
 * key is a non-null int32, the hash of an int32 row (fmix, a bijection) equals a stored key's
 * only when the keys are equal, so the only key column compares hashes alone.
 */
class NumberKeys extends Keys implements KeyColumn {
  #values = new Float64Array(16);
  #data: ArrayLike<number> = NO_NUMBERS;
  /** Every key ever stored is a non-null int32. */
  #int32 = true;

  bind(vec: Vec): void {
    this.#data = vec.data as ArrayLike<number>;
    this.valid = vec.valid;
  }

  unbind(): void {
    this.#data = NO_NUMBERS;
    this.valid = NO_ROWS;
  }

  hash(n: number, hs: Int32Array, _insert: boolean): void {
    const data = this.#data;
    const valid = this.valid;
    for (let i = 0; i < n; i++) {
      const h = valid !== null && valid[i] === 0 ? NULL_HASH : hashNumber(data[i]!);
      hs[i] = combine(hs[i]!, h);
    }
  }

  equals(slot: number, i: number): boolean {
    const b = this.#data[i]!;
    if (this.only && this.#int32 && (b | 0) === b && !this.isNull(i)) return true;
    const e = this.nullsEqual(slot, i);
    if (e >= 0) return e === 1;
    const a = this.#values[slot]!;
    return a === b || (a !== a && b !== b);
  }

  push(slot: number, i: number): void {
    const isNull = this.isNull(i);
    if (isNull || (this.#data[i]! | 0) !== this.#data[i]) this.#int32 = false;
    this.#values = grown(this.#values, slot + 1, (n) => new Float64Array(n));
    this.#values[slot] = isNull ? 0 : this.#data[i]!;
    this.setNull(slot, isNull);
  }
}

const NO_WORDS: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** int64 / instant: the two 32-bit words of each value (no BigInt per row). */
class LongKeys extends Keys implements KeyColumn {
  #words = new Int32Array(32);
  #data = NO_WORDS;

  bind(vec: Vec): void {
    const d = vec.data as BigInt64Array;
    this.#data = new Int32Array(d.buffer, d.byteOffset, 2 * d.length);
    this.valid = vec.valid;
  }

  unbind(): void {
    this.#data = NO_WORDS;
    this.valid = NO_ROWS;
  }

  hash(n: number, hs: Int32Array, _insert: boolean): void {
    const w = this.#data;
    const valid = this.valid;
    for (let i = 0; i < n; i++) {
      const h =
        valid !== null && valid[i] === 0 ? NULL_HASH : fmix(w[2 * i]! ^ fmix(w[2 * i + 1]!));
      hs[i] = combine(hs[i]!, h);
    }
  }

  equals(slot: number, i: number): boolean {
    const e = this.nullsEqual(slot, i);
    if (e >= 0) return e === 1;
    const w = this.#data;
    return this.#words[2 * slot] === w[2 * i] && this.#words[2 * slot + 1] === w[2 * i + 1];
  }

  push(slot: number, i: number): void {
    const isNull = this.isNull(i);
    this.#words = grown(this.#words, 2 * slot + 2, (n) => new Int32Array(n));
    this.#words[2 * slot] = isNull ? 0 : this.#data[2 * i]!;
    this.#words[2 * slot + 1] = isNull ? 0 : this.#data[2 * i + 1]!;
    this.setNull(slot, isNull);
  }
}

const NO_STRINGS: ArrayLike<string> = [];
/** Id of a string (or null) that a lookup-only pass did not find. */
const UNKNOWN = -2;

/**
 * string: each distinct string (and null) gets a dense id, in order of first appearance, from a
 * `Map` (V8 keeps a string's hash in the string, so this is the cheapest lookup of a JS string:
 * hashing its code units in JS touches every character again). Slots store ids; hashing and
 * equality work on the ids. With a single string key column the ids are the slots themselves.
 *
 * Keys that come as codes of a dictionary without repeats (`StringDict.unique`: a kept Arrow
 * dictionary of a key column, as pyarrow's categoricals and DuckDB's ENUMs send in every batch;
 * the string cache's large level) need no `Map` of them: while every id came from codes of one
 * such dictionary, a code `#tr` has no id for is a string never seen, unless it came before in a
 * row without a code (a value the level did not hold then: it turns away a value whose set is
 * full). The `Map` then holds only the strings of such rows, whose code now the dictionary tells
 * (`codeOf`), and is filled from the ids' strings when anything else comes (a chunk without codes,
 * another dictionary, a dictionary that can no longer tell, a released id): a group-by's first
 * sight of 100,000 keys takes no `Map` look-up and insert per key, and no `Map` of them stays in
 * memory.
 */
export class StringKeys implements KeyColumn {
  only = false;
  readonly #dict = new Map<string, number>();
  /**
   * The dictionary every coded string's id came from while the `Map` holds only the strings of
   * rows without a code (see the class comment); null once the `Map` holds every string (or
   * before the first string).
   */
  #mapless: StringDict | null = null;
  /** The `Map` holds every live id's string (always, once set). */
  #mapKept = false;
  #nullId = -1;
  #count = 0;
  /** The string of each id (null: the null id or a freed one), for `release`. */
  #strings: (string | null)[] = [];
  /** Released ids, reused last-in first-out. */
  #free: number[] = [];
  #data: ArrayLike<string> = NO_STRINGS;
  #valid: Uint8Array | null = NO_ROWS;
  /** The bound chunk's dictionary codes and their dictionary (see column-source.ts), or null. */
  #codes: Int32Array | null = null;
  #codeDict: StringDict | null = null;
  /** Code of `#trDict` -> id (-1: not known yet). */
  #tr = new Int32Array(0);
  #trDict: StringDict | null = null;
  /** Codes of `#trDict` that `#tr` covers (an open dictionary grows past them). */
  #trSize = 0;
  /** An id was released since `#tr` was filled: it is cleared before its next use. */
  #trStale = false;
  /** Ids of the bound chunk's rows (after `intern`). */
  #ids = new Int32Array(0);
  #created = new Int32Array(0);
  #slotIds = new Int32Array(16);

  /** Number of ids handed out (released ones included). */
  get count(): number {
    return this.#count;
  }

  /** Number of ids held (handed out minus released). */
  get live(): number {
    return this.#count - this.#free.length;
  }

  /** Fills the `Map` from the ids' strings, and keeps it from now on. */
  #keepMap(): void {
    if (this.#mapKept) return;
    this.#mapKept = true;
    this.#mapless = null;
    const strings = this.#strings;
    const map = this.#dict;
    for (let id = 0; id < strings.length; id++) {
      const s = strings[id];
      if (s !== null && s !== undefined) map.set(s, id);
    }
  }

  /** Forgets the string (or null) of id `id`; a later new string reuses the id. */
  release(id: number): void {
    this.#keepMap();
    if (id === this.#nullId) this.#nullId = -1;
    else {
      const s = this.#strings[id];
      if (s === null || s === undefined || this.#dict.get(s) !== id)
        throw new Error(`StringKeys: id ${id} is not live`);
      this.#dict.delete(s);
      this.#strings[id] = null;
    }
    this.#free.push(id);
    this.#trStale = true;
  }

  #next(s: string | null): number {
    const id = this.#free.length > 0 ? this.#free.pop()! : this.#count++;
    this.#strings[id] = s;
    return id;
  }

  bind(vec: Vec): void {
    this.#data = vec.data as ArrayLike<string>;
    this.#valid = vec.valid;
    const dict = vec.dict ?? null;
    this.#codes = dict === null ? null : (vec.codes ?? null);
    this.#codeDict = this.#codes === null ? null : dict;
  }

  unbind(): void {
    this.#data = NO_STRINGS;
    this.#valid = NO_ROWS;
    this.#codes = null;
    this.#codeDict = null;
  }

  /**
   * Fills `out[0..n)` with the ids of the bound chunk's rows. New strings get new ids when
   * `created` is given (their rows are written to it; returns how many), else UNKNOWN. A chunk
   * with dictionary codes: a row whose code was seen before (since the last release) takes that
   * code's id from `#tr`, one typed-array read; the others go through the string `Map` (while it
   * holds only the strings of rows without a code, a coded string it lacks is new: see the class
   * comment) and teach `#tr` their code's id.
   */
  intern(n: number, out: Int32Array, created: Int32Array | null): number {
    const codes = this.#codes;
    const codeDict = this.#codeDict;
    let tr = codes === null ? this.#tr : this.#translation(codeDict!);
    const data = this.#data;
    const valid = this.#valid;
    const map = this.#dict;
    // Without the Map of every string (see the class comment) while the chunk's codes are of the
    // one dictionary.
    if (!this.#mapKept) {
      // (Neither Map nor dictionary yet: no string has an id.)
      if (codeDict?.unique === true && (this.#mapless === codeDict || this.#mapless === null))
        this.#mapless = codeDict;
      else this.#keepMap();
    }
    let mapless = !this.#mapKept;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) {
        if (this.#nullId < 0 && created !== null) {
          this.#nullId = this.#next(null);
          created[c++] = i;
        }
        out[i] = this.#nullId < 0 ? UNKNOWN : this.#nullId;
        continue;
      }
      let code = codes === null ? -1 : codes[i]!;
      let id: number | undefined;
      if (code >= 0) {
        id = tr[code]!;
        if (id >= 0) {
          out[i] = id;
          continue;
        }
      } else if (mapless) {
        // A row without a code: a value the dictionary did not hold when the row was read. Its
        // code now, if it has come in since; else (-1) it has none, and only the Map (which,
        // without the ids of coded strings, holds such strings alone) can know it.
        const now = codeDict!.codeOf?.(data[i]!) ?? -2;
        if (now === -2) {
          this.#keepMap();
          mapless = false;
        } else if (now >= 0) {
          tr = this.#translation(codeDict!);
          id = tr[now]!;
          if (id >= 0) {
            out[i] = id;
            continue;
          }
          code = now;
        }
      }
      // Without the Map of every string, a coded string without an id is new unless it came
      // before without a code (then the Map has it).
      const s = data[i]!;
      id = mapless && map.size === 0 ? undefined : map.get(s);
      if (id === undefined) {
        if (created === null) {
          out[i] = UNKNOWN;
          continue;
        }
        id = this.#next(s);
        if (!mapless || code < 0) map.set(s, id);
        created[c++] = i;
      }
      if (code >= 0) tr[code] = id;
      out[i] = id;
    }
    return c;
  }

  /**
   * `#tr` made ready for codes of `dict` (cleared on a new dictionary or after a release; an
   * open dictionary's new codes, once it grew, are cleared as it grows).
   */
  #translation(dict: StringDict): Int32Array {
    let tr = this.#tr;
    const size = dict.strs.length;
    if (this.#trDict !== dict || this.#trStale) {
      if (tr.length < size) this.#tr = tr = new Int32Array(Math.max(size, 16));
      tr.fill(-1, 0, size);
      this.#trDict = dict;
      this.#trStale = false;
      this.#trSize = size;
    } else if (size > this.#trSize) {
      if (tr.length < size) {
        const grown = new Int32Array(Math.max(size, 2 * tr.length));
        grown.set(tr.subarray(0, this.#trSize));
        this.#tr = tr = grown;
      }
      tr.fill(-1, this.#trSize, size);
      this.#trSize = size;
    }
    return tr;
  }

  /** Interns the chunk (new strings get ids when `insert`) and folds the ids' hashes into `hs`. */
  hash(n: number, hs: Int32Array, insert: boolean): void {
    if (this.#ids.length < n) {
      this.#ids = new Int32Array(Math.max(n, 16));
      this.#created = new Int32Array(this.#ids.length);
    }
    const ids = this.#ids;
    this.intern(n, ids, insert ? this.#created : null);
    for (let i = 0; i < n; i++) hs[i] = combine(hs[i]!, fmix(ids[i]!));
  }

  equals(slot: number, i: number): boolean {
    return this.#slotIds[slot] === this.#ids[i];
  }

  push(slot: number, i: number): void {
    this.#slotIds = grown(this.#slotIds, slot + 1, (n) => new Int32Array(n));
    this.#slotIds[slot] = this.#ids[i]!;
  }
}

/** The KeyColumn for a column of `type`; array columns cannot be keys. */
export function keyColumn(type: ColumnType): KeyColumn {
  switch (type) {
    case "int64":
    case "instant":
      return new LongKeys();
    case "string":
      return new StringKeys();
    case "int8":
    case "int16":
    case "int32":
    case "float32":
    case "float64":
    case "bool":
    case "char":
      return new NumberKeys();
    default:
      throw new TypeError(`a ${type} column cannot be a key`);
  }
}
