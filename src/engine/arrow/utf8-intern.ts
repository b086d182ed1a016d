/**
 * A byte-keyed cache of decoded strings for Arrow Utf8 decoding (`utf8.ts`).
 *
 * Ticking data repeats a few thousand keys (symbols, venues, sides) in every batch. Decoding each
 * value afresh gives a new string object per row, which every later `Map` lookup of it (a
 * group-by's key index) must hash and compare character by character. This cache reads a value's
 * UTF-8 bytes in place (no allocation), finds the string decoded for the same bytes before and
 * hands out that same object, whose hash V8 has already computed and which a `Map` matches by
 * identity.
 *
 * A value is cached when it is 1..16 bytes of ASCII. Its bytes, read as four little-endian 32-bit
 * words (zero past its length, its length folded into the top bits that ASCII leaves zero) are its
 * key: hashed to pick a set and compared whole, so a lookup is straight-line code with no
 * per-character loop (comparing a cached string with the bytes by `charCodeAt` cost twice the
 * decode it saved). Longer or non-ASCII values always miss; long values are mostly unique ids,
 * which caching would not help.
 *
 * Layout: `2^setBits` sets of two ways: 4 key words per entry in one Int32Array (all zero: empty)
 * and one array of strings. A miss goes into its set's first way and moves the older entry to the
 * second, dropping what the second held (FIFO per set: a hit writes nothing). Memory is fixed; the
 * default 2^12 sets hold 8,192 entries: 128 KB of keys and 64 KB of string references, which stay
 * in a core's cache, plus the strings (at most 16 characters each). Larger tables were measured
 * slower: with 2^14..2^16 sets and 3,000..100,000 keys a lookup, at a random place in the table,
 * missed the CPU caches and cost more than decoding the value afresh.
 *
 * A column's first call (since the cache was last emptied: `firstCall`) looks up every value and
 * inserts its misses, up to COLD_INSERTS of them (a value repeated among them is inserted once).
 * So a column of a few hundred keys is warm from its second call on, whatever the cache held
 * before. (With a sample from the first call, a cold cache misses all 64 values, and a column of
 * 100 symbols fed 1,000-row batches took 72 calls to warm up, 16 inserts a sampled call: 72,000
 * rows that were not looked up, and a decode still running unoptimized code when it began to.)
 * Any later call that finds fewer than three quarters of its first 64 values stops looking up
 * the rest (a column of ids, or more keys than the table holds): they are decoded as without the
 * cache, at the cost of 64 lookups, and 16 of its misses are inserted (so that a column whose
 * keys do fit warms up); the next 7 calls for a column of that name skip the cache altogether. (A
 * miss costs several hits: the lookup, the decode, and an insert whose new string the old table
 * keeps alive; inserting on every such call slowed a column of distinct values by 25 %. A column
 * of ids pays for COLD_INSERTS inserts once.)
 *
 * A second, larger level (`large`; the shared cache's has up to 2^15 sets of 8 ways: 262,144
 * entries, 4 MB of keys, 1 MB of codes and a reference a string; made when a column first needs
 * it, at 2^10 sets, and doubled whenever a value finds its set full) takes the key
 * columns (`want`: the shared cache asks `keys/string-key-hints.ts`), straight away, however few
 * keys they repeat. Two streams decoding the same keys then get the same string objects, and each
 * row its entry as a dictionary code (`dict`; column-source.ts), which the key lookups read
 * instead of hashing the string: a join over 100,000 string keys, decode included, runs three
 * times as fast, although a lookup at a random place in megabytes costs more than decoding the
 * value afresh (which is why other columns stay out); with 100 keys (whose few sets stay in the
 * CPU's caches) a group-by fed 1,000-row batches runs 8-14 % faster than when the column stayed
 * at this level and each key was found in a `Map` by its string. A column routed there looks
 * every value up (no sample) and inserts every miss while it has credit: it starts with
 * WARM_CREDIT rows of misses, earns one row a hit and spends one a miss. A column that spends it all (distinct values, more keys than the level
 * holds) decodes without either level for BARRED_CALLS calls; a later attempt starts with
 * RETRY_CREDIT only. So a column of ids pays for at most WARM_CREDIT inserts once. The large
 * level never evicts an entry, so an entry's string is fixed and can have a code: the order in
 * which it came in (its dictionary grows by one string an insert; a doubling moves entries, never
 * codes). At its largest, a value whose set is full stays out, and once as many values were
 * turned away as half the entries (the keys have changed), the level empties and starts over,
 * small, with a new dictionary (the old one, still referenced by pages holding its codes, keeps
 * its strings). Growing as it fills keeps a group-by over 100 keys at 160 KB instead of the
 * 6 MB of the whole level, which a fresh process (or a Durable Object waking up) paid for in
 * page faults: about 1,000 of them, 7-15 ms here, before the first row was looked up.
 *
 * Strings cut from a larger decoded text may keep that text alive (V8 makes a slice of 13 or more
 * characters a view of its parent). So that cached entries cannot pin unbounded text, the cache is
 * emptied once the decoded text its entries were cut from passes `textBudget` UTF-16 units.
 */

import type { StringDict } from "../column-source.ts";
import { isStringKey } from "../keys/string-key-hints.ts";
import { PROBE_EMPTY, PROBE_MISS, PROBE_ROWS, wasmKeyTable } from "../wasm/cache-wasm.ts";
import { engineWasm } from "../wasm/engine-wasm.ts";
import { KEY_TAIL, keyHash, keyLength0, keyLength1, keyWordAt, MAX_KEY_BYTES } from "./utf8-key.ts";

/** Longest value (in UTF-8 bytes) the cache holds; longer values are decoded every time. */
export const MAX_CACHED_BYTES = MAX_KEY_BYTES;

const DEFAULT_SET_BITS = 12;
/** UTF-16 units of parent text the entries may have been cut from before the cache is emptied. */
const DEFAULT_TEXT_BUDGET = 1 << 22;
/** Values a call looks up before it judges whether the cache pays off for it. */
export const SAMPLE = 64;
/** Misses a call that gives up on the cache inserts. */
export const WARM_INSERTS = 16;
/** Misses a column's first call inserts, at most (a quarter of the small level's entries). */
export const COLD_INSERTS = 2048;
/** Calls of a column that gave up which then decode without looking anything up. */
const IDLE_CALLS = 7;
/** `IDLE_CALLS` of a column whose values stayed UTF-8 (see `passUtf8`). */
const PASS_IDLE_CALLS = 63;
/** Columns whose idle calls are counted at once (more: the count starts over). */
const MAX_IDLE_COLUMNS = 1024;
/** Rows of the largest per-call scratch the cache keeps between calls. */
const MAX_KEPT_ROWS = 1 << 16;
/** Rows of misses a column routed to the large level may insert before it is barred from it. */
export const WARM_CREDIT = 1 << 17;
/** The credit of a column's later attempts at the large level. */
export const RETRY_CREDIT = 1 << 12;
/** Most credit a column can earn (hits past it earn nothing). */
const MAX_CREDIT = 1 << 20;
/** Calls that decode without either level after a column spent its credit. */
export const BARRED_CALLS = 64;
/** Set bits of the large level at its largest. */
export const LARGE_SET_BITS = 15;
/** Set bits a level with more than 2 ways starts with (it doubles as it fills, up to its own). */
export const GROW_FROM_SET_BITS = 10;
/** Ways of the large level's sets. */
export const LARGE_WAYS = 8;
const EMPTY_WORDS = new Int32Array(0);

/** What `Utf8Intern.probe` leaves for the caller: the rows it did not resolve. */
export interface ProbeResult {
  /** Rows (0-based within the call) that missed, ascending. */
  readonly rows: Int32Array;
  /** Per missed row (indexed by row): its set + 1 when the value is to be inserted, else 0. */
  readonly sets: Int32Array;
  /** Per missed row to insert: its 4 key words at `4 * row`. */
  readonly words: Int32Array;
  /** Number of entries of `rows` in use. */
  count: number;
  /** Non-empty values found. */
  hits: number;
  /**
   * True when the probe gave up after its sample: every row is to be decoded (rows past the
   * sample were not looked up; those listed in `rows` may be inserted).
   */
  all: boolean;
}

/** The second level of a Utf8Intern (see the constructor). */
export interface LargeLevel {
  make(): Utf8Intern;
  want?: (column: string) => boolean;
}

/** The string cache; `sharedUtf8Intern` is the one the decoder uses. */
export class Utf8Intern {
  /**
   * log2 of the sets now (set by `#resize`, with `#mask`, `#shift` and the arrays): `#maxSetBits`
   * at most (a level that fills grows up to it).
   */
  #mask = 0;
  #setBits = 0;
  readonly #maxSetBits: number;
  /** log2 of the ways a set has. */
  readonly #wayBits: number;
  /** log2 of the key words of a set (4 a way). */
  readonly #entryShift: number;
  /** More than 2 ways: entries are never evicted, only the whole level emptied (see `insert`). */
  readonly #fill: boolean;
  /** Values `insert` turned away (their set full) since the level was last emptied. */
  #rejected = 0;
  /** 32 - setBits (0 for one set). */
  #shift = 0;
  /** Four key words per entry, entry = (set << wayBits) + way. */
  #keys: Int32Array = EMPTY_WORDS;
  /**
   * With 2 ways: entry -> string. With more: code -> string (the dictionary, in the order the
   * strings came in; `#codes` gives an entry's code).
   */
  #strs: string[];
  /** With more than 2 ways: entry -> its code in `#strs` (meaningful while the entry is filled). */
  #codes: Int32Array = EMPTY_WORDS;
  /** The large (never evicting) level's current entries as a dictionary (see `#codes`). */
  #dict: StringDict;
  readonly #budget: number;
  #text = 0;
  #hits = 0;
  #misses = 0;
  #clears = 0;
  /** Per column name: calls left that skip the cache (after a call of that column gave up). */
  readonly #idle = new Map<string, number>();
  /** Columns `passUtf8` let stay UTF-8: a call of one that gives up skips PASS_IDLE_CALLS. */
  readonly #passing = new Set<string>();
  /** Columns that have made their first call since the level was last emptied (`firstCall`). */
  readonly #called = new Set<string>();
  #scratch: ProbeResult = {
    rows: new Int32Array(0),
    sets: new Int32Array(0),
    words: new Int32Array(0),
    count: 0,
    hits: 0,
    all: false,
  };
  /** The large level (made by `#makeLarge` when a column first needs it), or null. */
  #large: Utf8Intern | null = null;
  readonly #makeLarge: (() => Utf8Intern) | null;
  readonly #want: ((column: string) => boolean) | null;
  /** Per column name routed to the large level: its credit (rows of misses it may insert). */
  readonly #credit = new Map<string, number>();
  /** Columns that have spent their credit before (their next attempt gets RETRY_CREDIT). */
  readonly #spent = new Set<string>();

  /**
   * `setBits`: the cache has 2^setBits sets of 2 entries; `textBudget`: see the module header;
   * `ways`: entries a set holds: 2 (a miss evicts the older one) or 4..16 (nothing is evicted: see
   * `insert`).
   * `large`: the second level for columns that do not fit this one (`make` makes it; `want`: which
   * columns may use it, by name; default all), or null for none.
   */
  constructor(
    setBits = DEFAULT_SET_BITS,
    textBudget = DEFAULT_TEXT_BUDGET,
    large: LargeLevel | null = null,
    ways = 2,
  ) {
    if (!(Number.isInteger(setBits) && setBits >= 0 && setBits <= 20))
      throw new RangeError(`setBits must be an integer in [0, 20], got ${setBits}`);
    if (!(ways === 2 || ways === 4 || ways === 8 || ways === 16))
      throw new RangeError(`ways must be 2, 4, 8 or 16, got ${ways}`);
    this.#wayBits = Math.log2(ways);
    this.#entryShift = 2 + this.#wayBits;
    this.#fill = ways > 2;
    this.#maxSetBits = setBits;
    this.#resize(this.#fill ? Math.min(setBits, GROW_FROM_SET_BITS) : setBits);
    this.#strs = this.#fill ? [] : new Array<string>(ways << setBits).fill("");
    this.#dict = this.#newDict();
    this.#budget = textBudget;
    this.#makeLarge = large?.make ?? null;
    this.#want = large?.want ?? null;
  }

  /**
   * With more than 2 ways (nothing evicted), the entries as a dictionary (`probe` and `insert`
   * hand out its codes): it grows by a string an insert, and a code keeps its string until the
   * level empties, which then starts a new dictionary (the old one stays valid for the codes
   * taken from it). Null with 2 ways.
   */
  get dict(): StringDict | null {
    return this.#fill ? this.#dict : null;
  }

  /** Entries the level has room for now (a level with more than 2 ways grows as it fills). */
  get entries(): number {
    return this.#keys.length >> 2;
  }

  /** The large level, if it has been made. */
  get large(): Utf8Intern | null {
    return this.#large;
  }

  /** Non-empty values found in the cache so far. */
  get hits(): number {
    return this.#hits;
  }

  /**
   * Non-empty values not found so far (too long, not ASCII, absent, or not looked up by a call
   * that gave up; calls that idle count nothing).
   */
  get misses(): number {
    return this.#misses;
  }

  /** Times the cache was emptied because its entries' parent text passed the budget. */
  get clears(): number {
    return this.#clears;
  }

  /**
   * Looks up values `i` in [0, n) (bytes `offs[i]..offs[i + 1]`), writing each found string to
   * `out[at + i]` and "" for each empty value; returns the misses. Calls `badOffsets` for the
   * first value looked up whose end is before its start or past `end`. `sample`: give up after
   * SAMPLE values if too few are found (see the module header); otherwise every value is looked up.
   */
  probe(
    bytes: Uint8Array,
    offs: ArrayLike<number>,
    n: number,
    end: number,
    out: string[],
    at: number,
    badOffsets: () => never,
    sample = true,
    codes: Int32Array | null = null,
  ): ProbeResult {
    let r = this.#scratch;
    if (r.rows.length < n) {
      r = {
        rows: new Int32Array(n),
        sets: new Int32Array(n),
        words: new Int32Array(4 * n),
        count: 0,
        hits: 0,
        all: false,
      };
      // Kept for the next calls up to 2^16 rows (1.5 MB); a larger batch's is let go.
      if (n <= MAX_KEPT_ROWS) this.#scratch = r;
    }
    const rows = r.rows;
    const sets = r.sets;
    const words = r.words;
    const keys = this.#keys;
    const strs = this.#strs;
    const entryCodes = this.#codes;
    if (
      this.#fill &&
      !sample &&
      offs instanceof Int32Array &&
      this.#probeWasm(bytes, offs, n, end, out, at, codes, r)
    )
      return r;
    const mask = this.#mask;
    const shift = this.#shift;
    const fill = this.#fill;
    const entryShift = this.#entryShift;
    const setWords = 4 << this.#wayBits;
    // Whole words are read through a view reaching to the end of the buffer (bytes past a value
    // are masked off); a value within 16 bytes of that end is read byte by byte. (The explicit
    // length makes V8's reads faster than a view left to reach the end by itself.)
    const view = new DataView(
      bytes.buffer,
      bytes.byteOffset,
      bytes.buffer.byteLength - bytes.byteOffset,
    );
    const fast = view.byteLength - MAX_CACHED_BYTES;
    let count = 0;
    let empty = 0;
    let b = offs[0]!;
    let i = 0;
    for (; i < n; i++) {
      if (i === SAMPLE && sample && (i - count - empty) * 4 < (i - empty) * 3) break;
      const e = offs[i + 1]!;
      if (e < b || e > end) badOffsets();
      const len = e - b;
      if (len === 0) {
        out[at + i] = "";
        if (codes !== null) codes[at + i] = -1;
        empty++;
        continue;
      }
      let w0 = 0;
      let w1 = 0;
      let w2 = 0;
      let w3 = 0;
      if (len <= MAX_CACHED_BYTES) {
        if (b <= fast) {
          const t = KEY_TAIL[len & 3]!;
          w0 = view.getInt32(b, true);
          if (len <= 4) w0 &= len === 4 ? -1 : t;
          else {
            w1 = view.getInt32(b + 4, true);
            if (len <= 8) w1 &= len === 8 ? -1 : t;
            else {
              w2 = view.getInt32(b + 8, true);
              if (len <= 12) w2 &= len === 12 ? -1 : t;
              else {
                w3 = view.getInt32(b + 12, true);
                if (len < 16) w3 &= t;
              }
            }
          }
        } else {
          w0 = keyWordAt(bytes, b, e, 0);
          w1 = keyWordAt(bytes, b, e, 4);
          w2 = keyWordAt(bytes, b, e, 8);
          w3 = keyWordAt(bytes, b, e, 12);
        }
      }
      if (len > MAX_CACHED_BYTES || ((w0 | w1 | w2 | w3) & 0x80808080) !== 0) {
        // Too long or not ASCII: never cached.
        sets[i] = 0;
        rows[count++] = i;
        if (codes !== null) codes[at + i] = -1;
        b = e;
        continue;
      }
      w0 |= keyLength0(len);
      w1 |= keyLength1(len);
      const h = keyHash(w0, w1, w2, w3);
      const set = (h >>> shift) & mask;
      b = e;
      if (fill) {
        const k = set << entryShift;
        const hit = findKey(keys, k, k + setWords, w0, w1, w2, w3);
        if (hit >= 0) {
          const code = entryCodes[hit >> 2]!;
          if (codes !== null) codes[at + i] = code;
          out[at + i] = strs[code]!;
          continue;
        }
        if (codes !== null) codes[at + i] = -1;
      } else {
        // Two ways, compared inline (the small level's hot path).
        const k = set << 3;
        if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) {
          out[at + i] = strs[set << 1]!;
          continue;
        }
        if (keys[k + 4] === w0 && keys[k + 5] === w1 && keys[k + 6] === w2 && keys[k + 7] === w3) {
          out[at + i] = strs[(set << 1) + 1]!;
          continue;
        }
      }
      sets[i] = set + 1;
      const q = i << 2;
      words[q] = w0;
      words[q + 1] = w1;
      words[q + 2] = w2;
      words[q + 3] = w3;
      rows[count++] = i;
    }
    const hits = i - count - empty;
    r.all = i < n;
    if (r.all) {
      // The cache does not pay off for this call: the caller decodes every row. Of the misses
      // looked up, the first few are inserted (enough for a column whose keys do fit to warm up
      // over a few such calls).
      for (let j = WARM_INSERTS; j < count; j++) sets[rows[j]!] = 0;
      this.#misses += n - i;
    }
    r.count = count;
    r.hits = hits;
    this.#misses += count;
    this.#hits += hits;
    return r;
  }

  /**
   * `probe` of a level with more than 2 ways (unsampled) on the engine's WebAssembly (cache.c: the
   * same answers, about 3x as fast), where it runs: fills `r` and returns true; false when it
   * does not run here or cannot take the call (then `probe`'s loop looks the values up). A method
   * of its own, so that a process using it never optimizes that loop.
   */
  #probeWasm(
    bytes: Uint8Array,
    offs: Int32Array,
    n: number,
    end: number,
    out: string[],
    at: number,
    codes: Int32Array | null,
    r: ProbeResult,
  ): boolean {
    const w = engineWasm();
    if (w === null) return false;
    const t = wasmKeyTable(w);
    if (!t.hold(this.#keys, this.#codes, this.#wayBits)) return false;
    const strs = this.#strs;
    const rows = r.rows;
    const sets = r.sets;
    const words = r.words;
    let count = 0;
    let empty = 0;
    // In parts of PROBE_ROWS rows (the module's scratch stays small); a part the module does not
    // take gives the whole call to the loop in `probe`, which writes every answer again.
    for (let from = 0; from < n; from += PROBE_ROWS) {
      const m = Math.min(PROBE_ROWS, n - from);
      if (!t.probe(this.#wayBits, this.#shift, this.#mask, bytes, offs, from, m, end)) return false;
      const i32 = w.i32;
      const o = t.outAt - from;
      const so = t.setsAt - from;
      const wo = t.wordsAt - (from << 2);
      // The codes as they are (the rows that are not found are set to -1 below).
      if (codes !== null) codes.set(i32.subarray(t.outAt, t.outAt + m), at + from);
      for (let i = from; i < from + m; i++) {
        const c = i32[o + i]!;
        if (c >= 0) {
          out[at + i] = strs[c]!;
          continue;
        }
        if (codes !== null) codes[at + i] = -1;
        if (c === PROBE_EMPTY) {
          out[at + i] = "";
          empty++;
          continue;
        }
        if (c === PROBE_MISS) {
          sets[i] = i32[so + i]!;
          const q = i << 2;
          words[q] = i32[wo + q]!;
          words[q + 1] = i32[wo + q + 1]!;
          words[q + 2] = i32[wo + q + 2]!;
          words[q + 3] = i32[wo + q + 3]!;
        } else sets[i] = 0;
        rows[count++] = i;
      }
    }
    const hits = n - count - empty;
    r.all = false;
    r.count = count;
    r.hits = hits;
    this.#misses += count;
    this.#hits += hits;
    return true;
  }

  /**
   * Inserts `s`, the value whose key words `probe` left at `words[q..q + 4)`, missing in set
   * `set`: with 2 ways as the set's first (the older entry moves to the second, dropping what it
   * held); with more, into the set's first empty way (its set found again: the level may have
   * grown since the probe), doubling the level first when that set is full, or not at all when
   * it is full at the level's largest. A string cut from a larger text is inserted after
   * `chargeText` counted that text. Returns the value's code in `dict` with more than 2 ways, if
   * the value is in; else -1.
   */
  insert(set: number, words: Int32Array, q: number, s: string): number {
    const w0 = words[q]!;
    const w1 = words[q + 1]!;
    const w2 = words[q + 2]!;
    const w3 = words[q + 3]!;
    if (this.#fill) {
      for (;;) {
        const keys = this.#keys;
        const k = this.#setOf(w0, w1, w2, w3) << this.#entryShift;
        const end = k + (4 << this.#wayBits);
        for (let x = k; x < end; x += 4) {
          const v = keys[x]!;
          if (v === 0) {
            keys[x] = w0;
            keys[x + 1] = w1;
            keys[x + 2] = w2;
            keys[x + 3] = w3;
            const code = this.#strs.length;
            this.#strs.push(s);
            this.#codes[x >> 2] = code;
            const w = engineWasm();
            if (w !== null) wasmKeyTable(w).put(keys, x, code);
            return code;
          }
          // Already in (a value repeated among one call's misses): the first string stays.
          if (v === w0 && keys[x + 1] === w1 && keys[x + 2] === w2 && keys[x + 3] === w3)
            return this.#codes[x >> 2]!;
        }
        if (this.#setBits === this.#maxSetBits) break;
        this.#grow();
      }
      // The set is full: the value stays out. Once as many values were turned away as half the
      // entries, the keys have changed: the level starts over.
      if (++this.#rejected > this.#keys.length >> 3) this.#empty();
      return -1;
    }
    const keys = this.#keys;
    const k = set << this.#entryShift;
    const x = k >> 2;
    // Already in (a value repeated among one call's misses): the set stays as it is.
    if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) return -1;
    if (keys[k + 4] === w0 && keys[k + 5] === w1 && keys[k + 6] === w2 && keys[k + 7] === w3)
      return -1;
    keys[k + 4] = keys[k]!;
    keys[k + 5] = keys[k + 1]!;
    keys[k + 6] = keys[k + 2]!;
    keys[k + 7] = keys[k + 3]!;
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.#strs[x + 1] = this.#strs[x]!;
    this.#strs[x] = s;
    return -1;
  }

  /**
   * Where a call decoding column `column` looks its values up: ROUTE_LARGE (the large level: a key
   * column, or one that did not fit this level), ROUTE_SMALL (this level) or ROUTE_NONE (neither:
   * one of its last IDLE_CALLS + 1 calls gave up, or it spent its credit at the large level); counts
   * the call. Column names are only a hint (two tables may share one): a wrong guess costs speed,
   * never a value.
   */
  route(column: string): Route {
    if (this.#credit.has(column)) return ROUTE_LARGE;
    const left = this.#idle.get(column);
    if (left !== undefined) {
      if (left <= 1) this.#idle.delete(column);
      else this.#idle.set(column, left - 1);
      return ROUTE_NONE;
    }
    if (this.#makeLarge !== null && this.#wantsLarge(column)) {
      this.#enterLarge(column);
      return ROUTE_LARGE;
    }
    return ROUTE_SMALL;
  }

  /**
   * Whether this is `column`'s first call at this level since the level was last emptied (then
   * the call looks every value up, unsampled, and inserts its misses: see the module header);
   * notes the call.
   */
  firstCall(column: string): boolean {
    const called = this.#called;
    if (called.has(column)) return false;
    if (called.size >= MAX_IDLE_COLUMNS) called.clear();
    called.add(column);
    return true;
  }

  /**
   * Whether a reader that can keep `column`'s values as UTF-8 (a publisher's blink table: see
   * `PagedColumn.takeUtf8`) should, instead of decoding them: the column is not at the large
   * level and one of its last calls gave up on this level (its values are mostly distinct, so a
   * decode would make a new string a row). Counts as one of the calls that skip the cache (as
   * `route` does), so a call decodes and samples the column again after them: after
   * PASS_IDLE_CALLS once the column passed (its values decoded, and encoded again, cost more
   * than a sample).
   */
  passUtf8(column: string): boolean {
    const left = this.#idle.get(column);
    if (left === undefined || this.#credit.has(column)) return false;
    if (!this.#passing.has(column)) {
      if (this.#passing.size >= MAX_IDLE_COLUMNS) this.#passing.clear();
      this.#passing.add(column);
    }
    if (left <= 1) this.#idle.delete(column);
    else this.#idle.set(column, left - 1);
    return true;
  }

  /**
   * Records that a call of `column` gave up on this level (`probe` returned `all`). With a large
   * level that wants the column, it moves there: returns it (the call then looks its rows up
   * there). Otherwise the column's next IDLE_CALLS calls skip the cache (PASS_IDLE_CALLS for one
   * that `passUtf8` let through); returns null.
   */
  gaveUp(column: string): Utf8Intern | null {
    if (this.#makeLarge !== null && this.#wantsLarge(column)) return this.#enterLarge(column);
    if (this.#idle.size >= MAX_IDLE_COLUMNS) this.#idle.clear();
    this.#idle.set(column, this.#passing.has(column) ? PASS_IDLE_CALLS : IDLE_CALLS);
    return null;
  }

  /** Routes `column` to the large level with its credit (less if it spent it before). */
  #enterLarge(column: string): Utf8Intern {
    if (this.#credit.size >= MAX_IDLE_COLUMNS) this.#credit.clear();
    if (this.#spent.size >= MAX_IDLE_COLUMNS) this.#spent.clear();
    this.#credit.set(column, this.#spent.has(column) ? RETRY_CREDIT : WARM_CREDIT);
    return this.largeLevel();
  }

  /** Whether the large level is for `column` (by the `large` option's `want`). */
  #wantsLarge(column: string): boolean {
    return this.#want === null || this.#want(column);
  }

  /** The large level, made now if it was not (only for a column routed there). */
  largeLevel(): Utf8Intern {
    if (this.#large === null) {
      if (this.#makeLarge === null) throw new Error("Utf8Intern: no large level");
      this.#large = this.#makeLarge();
    }
    return this.#large;
  }

  /** Rows of misses column `column` may still insert at the large level (0 if not routed there). */
  credit(column: string): number {
    return this.#credit.get(column) ?? 0;
  }

  /**
   * Settles a call of `column` at the large level that found `hits` values and missed `misses`:
   * a column whose credit runs out leaves the large level and decodes without either level for
   * its next BARRED_CALLS calls.
   */
  settle(column: string, hits: number, misses: number): void {
    const credit = Math.min(MAX_CREDIT, this.credit(column) + hits - misses);
    if (credit > 0) {
      this.#credit.set(column, credit);
      return;
    }
    this.#credit.delete(column);
    this.#spent.add(column);
    if (this.#idle.size >= MAX_IDLE_COLUMNS) this.#idle.clear();
    this.#idle.set(column, BARRED_CALLS);
  }

  /**
   * Counts `units` of decoded text that entries inserted next are cut from; empties the cache
   * first when that would pass the budget (then no entry refers to older texts).
   */
  chargeText(units: number): void {
    if (this.#text + units > this.#budget && this.#text > 0) this.#empty();
    this.#text += units;
  }

  /**
   * The level's dictionary from now on (`dict`), over `#strs`: its `codeOf` answers while it is the
   * level's (-2 once the level has started another).
   */
  #newDict(): StringDict {
    const dict: StringDict = {
      strs: this.#strs,
      open: true,
      unique: true,
      codeOf: (s) => (this.#dict === dict ? this.codeOf(s) : -2),
    };
    return dict;
  }

  /**
   * The code of string `s` in the dictionary of this level (more than 2 ways), or -1 when it is
   * not in it (as a value of more than MAX_KEY_BYTES bytes, or not ASCII, never is); -1 for a
   * level of 2 ways. Its key words are made from its characters as `probe` makes them from the
   * bytes.
   */
  codeOf(s: string): number {
    const len = s.length;
    if (!this.#fill || len === 0 || len > MAX_KEY_BYTES) return -1;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return -1;
      const b = c << ((i & 3) << 3);
      if (i < 4) w0 |= b;
      else if (i < 8) w1 |= b;
      else if (i < 12) w2 |= b;
      else w3 |= b;
    }
    w0 |= keyLength0(len);
    w1 |= keyLength1(len);
    const k = this.#setOf(w0, w1, w2, w3) << this.#entryShift;
    const hit = findKey(this.#keys, k, k + (4 << this.#wayBits), w0, w1, w2, w3);
    return hit < 0 ? -1 : this.#codes[hit >> 2]!;
  }

  /** The set of the key words `w0..w3` (as `probe` finds it). */
  #setOf(w0: number, w1: number, w2: number, w3: number): number {
    return (keyHash(w0, w1, w2, w3) >>> this.#shift) & this.#mask;
  }

  /**
   * Doubles the sets of a level with more than 2 ways, moving each entry (with its code) to its
   * set in the new table. A new set takes entries of one old set only (its top bits are the old
   * set's), so every entry finds a way.
   */
  #grow(): void {
    const oldKeys = this.#keys;
    const oldCodes = this.#codes;
    this.#resize(this.#setBits + 1);
    const keys = this.#keys;
    const codes = this.#codes;
    const wayWords = 4 << this.#wayBits;
    for (let x = 0; x < oldKeys.length; x += 4) {
      const w0 = oldKeys[x]!;
      if (w0 === 0) continue;
      const w1 = oldKeys[x + 1]!;
      const w2 = oldKeys[x + 2]!;
      const w3 = oldKeys[x + 3]!;
      let y = this.#setOf(w0, w1, w2, w3) << this.#entryShift;
      const end = y + wayWords;
      while (keys[y] !== 0 && y < end) y += 4;
      keys[y] = w0;
      keys[y + 1] = w1;
      keys[y + 2] = w2;
      keys[y + 3] = w3;
      codes[y >> 2] = oldCodes[x >> 2]!;
    }
  }

  /** Makes the level `2^bits` sets, empty (new keys, and codes with more than 2 ways). */
  #resize(bits: number): void {
    this.#setBits = bits;
    this.#mask = (1 << bits) - 1;
    this.#shift = (32 - bits) & 31;
    this.#keys = new Int32Array((4 << this.#wayBits) << bits);
    this.#codes = new Int32Array(this.#fill ? (1 << this.#wayBits) << bits : 0);
  }

  /** Drops every entry (a level with more than 2 ways starts small again). */
  #empty(): void {
    if (this.#fill) {
      // Codes taken from the old entries stay valid: their dictionary keeps its strings.
      this.#resize(Math.min(this.#maxSetBits, GROW_FROM_SET_BITS));
      this.#strs = [];
      this.#dict = this.#newDict();
    } else {
      this.#keys.fill(0);
      this.#strs.fill("");
    }
    this.#called.clear();
    this.#text = 0;
    this.#rejected = 0;
    this.#clears++;
  }
}

/** The first key word of the entry of set words `[k, end)` holding the key, or -1. */
function findKey(
  keys: Int32Array,
  k: number,
  end: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  for (let x = k; x < end; x += 4) {
    const v = keys[x]!;
    if (v === 0) return -1;
    if (v === w0 && keys[x + 1] === w1 && keys[x + 2] === w2 && keys[x + 3] === w3) return x;
  }
  return -1;
}

/** Where `Utf8Intern.route` sends a call. */
export type Route = 0 | 1 | 2;
export const ROUTE_SMALL: Route = 0;
export const ROUTE_LARGE: Route = 1;
export const ROUTE_NONE: Route = 2;

/**
 * The cache every Arrow Utf8 decode shares (strings are immutable, so sharing is safe), with its
 * large level.
 */
export const sharedUtf8Intern = new Utf8Intern(DEFAULT_SET_BITS, DEFAULT_TEXT_BUDGET, {
  make: () => new Utf8Intern(LARGE_SET_BITS, DEFAULT_TEXT_BUDGET, null, LARGE_WAYS),
  want: isStringKey,
});
