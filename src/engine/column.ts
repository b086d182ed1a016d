/**
 * PagedColumn: the storage of one column, addressed by row key.
 *
 * Keys map to fixed pages of PAGE_SIZE slots (`page = floor(key / PAGE_SIZE)`), each a typed
 * array (a JS array for strings and array cells) plus a validity mask that is allocated only once a null is
 * written. Dense key spaces (static, blink, append-only) fill pages in order; a ring's keys slide
 * through pages and dead pages are released, so memory follows the live rows.
 *
 * Previous values: during a cycle, a write over data that was visible before the cycle first
 * saves the slots it overwrites in the page's undo log (undo-log.ts), and released pages are kept
 * until the cycle ends, so an operator can still read what a removed or modified row held
 * (`getPrev`, `run(.., prev=true)`). The log becomes a whole copy of the page's previous contents
 * (copy-on-write) once it would hold more than UNDO_SLOTS slots, or when the page's previous
 * values are first read: a cycle that rewrites a few rows in many pages copies none of them. The
 * copy goes into a recycled page when one is free, so a table whose pages are rewritten every
 * cycle (an aggregation's outputs) takes no new memory for them.
 *
 * Sealed pages: a column of an append-only table (`sealFullPages`) turns each page it fills
 * into a compact form when the cycle ends. A string page becomes one small index a slot into a
 * dictionary of the column's strings (categorical strings take 1 or 2 bytes a row, not an 8-byte
 * reference), or, with too many distinct strings for a dictionary, their UTF-8 bytes and offsets
 * (no string object a row). An int64, instant or float64 page whose values fit becomes 8-, 16-
 * or 32-bit integers (a float64 one as exact decimals).
 *
 * Dictionary codes (column-source.ts): a string page may hold codes into one `StringDict`, the
 * page's `dict`. Writes from a vector or page with codes of that dictionary copy them (a page
 * with no codes yet, or whose every written slot is being replaced, takes the writer's
 * dictionary); any other write marks its slots' codes unknown (-1). Reads hand them out with the
 * values: a view in `run`, copied into a chunk by `fillChunk`. Previous values carry none once a
 * page was written in the cycle (the copy kept aside has no codes). Codes serve the key lookups of
 * rows as they arrive; a full page of a refreshing table not written in the cycle that ends drops
 * them (4 bytes a row), so rings and histories keep codes only in the pages still being filled
 * (a history's full page whose every slot has a code is sealed with them, narrowed: see above).
 */

import { decodeUtf8, encodeUtf8 } from "./arrow/utf8.ts";
import { sharedUtf8Intern } from "./arrow/utf8-intern.ts";
import {
  KEY_TAIL,
  keyHash,
  keyLength0,
  keyLength1,
  keyWordAt,
  MAX_KEY_BYTES,
} from "./arrow/utf8-key.ts";
import type { ChunkKeys, ColumnSource, CycleTracker, StringDict, Vec } from "./column-source.ts";
import { type Chunk, filledChunk, NO_STRINGS } from "./column-source.ts";
import { IntMap } from "./int-map.ts";
import type { RowSet } from "./row-set.ts";
import type {
  ArrayValue,
  ColumnType,
  ObjectStorage,
  RawValue,
  Storage,
  TypedStorage,
  Value,
} from "./types.ts";
import {
  allocStorage,
  checkNumberType,
  isArrayType,
  isBigType,
  isNumeric,
  rawToNumber,
  rawToValue,
} from "./types.ts";
import { UndoLog } from "./undo-log.ts";
import { isUtf8 } from "./utf8-check.ts";
import type { EngineWasm } from "./wasm/engine-wasm.ts";
import { engineWasm } from "./wasm/engine-wasm.ts";
import { narrowWasm, wasmSealIndexes } from "./wasm/seal-wasm.ts";
import { LITTLE_ENDIAN, TWO_32, wordsOf } from "./words.ts";

export const PAGE_BITS = 12;
/**
 * Rows a page holds. A slot's offset in its page is written `(key - pi * PAGE_SIZE) | 0`: a key
 * read from a Float64Array (row sets keep keys there) is a heap number, and so is any difference
 * from it, which V8 then passes boxed to every callee and whose arithmetic it compiles as float64
 * (a fresh ring-only run took 19 % longer with its copies' offsets left as doubles).
 */
export const PAGE_SIZE = 1 << PAGE_BITS;
/**
 * Freed pages a column keeps for reuse (blink tables free and refill the same pages every
 * cycle): this many, or as many pages as it holds, whichever is more. A blink table refilling
 * 60 pages a cycle then allocates none, and keeps no more than it holds during a cycle anyway
 * (its pages and their previous values).
 */
const MAX_FREE_PAGES = 16;
/** Slots a page's undo log holds before the page is copied aside instead. */
const UNDO_SLOTS = PAGE_SIZE >> 3;

export type { CycleParticipant, CycleTracker, Vec } from "./column-source.ts";

interface Page {
  data: Storage;
  valid: Uint8Array | null;
  /** Slots [0, hw) have been written at some point. */
  hw: number;
  /** Cycle in which the page was created or first written over (its previous values kept). */
  cycle: number;
  /** This cycle's overwritten slots, while its previous values are not yet a whole page. */
  log: UndoLog | null;
  /** An int64 page's storage as 32-bit words (made by the first `pageWords`), or null. */
  words: Int32Array | null;
  /**
   * The storage was taken (`takeStorage`): possibly shorter than a page, possibly a view of the
   * caller's buffer (an Arrow body). Copied into a page of its own before any write, never reused.
   */
  borrowed: boolean;
  /** A string page's dictionary codes (slot -> code, -1 unknown), valid while `dict` is set. */
  codes: Int32Array | null;
  /** The dictionary `codes` index into, or null (then `codes` is only a buffer to reuse). */
  dict: StringDict | null;
  /**
   * A sealed string page (see `sealFullPages`): slot -> index into `strs` (`data` is then
   * SEALED, holding nothing); null for any other page.
   */
  sealed: Uint8Array | Uint16Array | null;
  /** A sealed page's dictionary (its column's, shared by the pages sealed with it). */
  strs: readonly string[] | null;
  /**
   * A page sealed as UTF-8 (its strings too many for a dictionary): the values' bytes, and their
   * PAGE_SIZE + 1 offsets into them (`data` is then SEALED); null for any other page.
   */
  utf8: Uint8Array | null;
  utf8Offsets: Uint16Array | Int32Array | null;
  /**
   * A UTF-8 page still being filled (`takeUtf8`): `utf8` is a buffer of spare room (its bytes
   * `[0, utf8Offsets[hw])` in use) and `utf8Offsets` an Int32Array of PAGE_SIZE + 1, both
   * recycled; rows are appended at `hw` (`#appendUtf8`). Read as any UTF-8 page. When full, a
   * sealing column seals it (by dictionary, or as UTF-8 of exactly its size); it is never
   * written over in place (a write that is not an append makes it a page of strings).
   */
  open: boolean;
  /**
   * A sealed int64, instant or float64 page whose values fit a narrower integer (`#sealNarrow`):
   * slot -> value (`data` is then SEALED); null for any other page.
   */
  narrow: Int8Array | Int16Array | Int32Array | null;
  /** A narrow page's float64 values are `narrow[slot] / scale`; 0 for integers. */
  scale: number;
}

/** A free-page slot let go (see `#free`). */
const NO_PAGE: Page = ownPage(Object.freeze([]) as unknown as ObjectStorage, null, 0, 0);
/** The `data` of a sealed page: its values are `strs[sealed[slot]]`. */
const SEALED: ObjectStorage = Object.freeze([]) as unknown as ObjectStorage;
/**
 * Most strings a column's sealing dictionary holds: a page that would add more stays an array of
 * strings. (Sealing costs 10-20 ns a slot while the dictionary's strings mostly have a slot of the
 * memo below to themselves; with 3,000 strings it cost 40.)
 */
export const SEAL_MAX_STRINGS = 1024;
/**
 * Slots of a page after which sealing gives up if more than three quarters of them were new to
 * the dictionary (a column of ids, or of more keys than a dictionary would pay for).
 */
const SEAL_SAMPLE = 256;
/** Pages a column skips sealing, at most, after a page it could not seal (doubling from 1). */
const SEAL_MAX_BACKOFF = 64;
/** Pages in a row that could not be sealed, after which the column starts a new dictionary. */
const SEAL_FAILS_TO_RESET = 8;
/** Most decimals a float64 page is narrowed with (see `#sealNarrow`). */
const NARROW_MAX_DECIMALS = 6;
/** 10^e for e in 0..NARROW_MAX_DECIMALS: a float64 page's scale by its decimals. */
const NARROW_SCALES = Float64Array.from({ length: NARROW_MAX_DECIMALS + 1 }, (_, e) => 10 ** e);
/** Scratch of `#sealNarrow`: one integer per slot. */
const narrowScratch = new Int32Array(PAGE_SIZE);
/** `#sealUtf8`'s page as a vector, for `encodeUtf8`. */
const sealVec: Vec = { data: SEALED, valid: null, length: PAGE_SIZE };
/** Slots of `#sealTranslated`'s table: twice the most strings a sealing dictionary holds. */
const XLAT_BITS = 11;
const XLAT_SLOTS = 1 << XLAT_BITS;
/** Scratch of `#seal`: one code per slot. */
const sealCodes = new Uint16Array(PAGE_SIZE);
/**
 * `#seal`'s memo in front of its `Map`: a value's string and code at a slot picked by a hash of
 * its length and last three characters (symbols that differ in their last digits take different
 * slots), so that a repeated value, usually the same string object, is matched by one comparison.
 */
const SEAL_MEMO_BITS = 12;
const SEAL_MEMO = 1 << SEAL_MEMO_BITS;
const sealMemoStrs: (string | null)[] = new Array<string | null>(SEAL_MEMO).fill(null);
const sealMemoCodes = new Uint16Array(SEAL_MEMO);
/** The dictionary whose codes the memo holds. */
let sealMemoOwner: readonly string[] | null = null;
/**
 * Entries of a column's byte-keyed index of its sealing dictionary (`#sealBytes`): four times the
 * most strings a dictionary holds (linear probing stays short), 4 key words each.
 */
const SEAL_KEY_BITS = 12;
const SEAL_KEY_SLOTS = 1 << SEAL_KEY_BITS;
const latin1 = new TextDecoder("latin1");

/** Whether a sealed page of dictionary `strs` keeps its codes in 8 bits (else 16). */
function codesIn8Bits(strs: readonly string[]): boolean {
  return strs.length <= 256;
}

/** A page of its own over `data`: no log, codes, seal or words. */
function ownPage(data: Storage, valid: Uint8Array | null, hw: number, cycle: number): Page {
  return pageOf(data, valid, hw, cycle, false, null, null);
}

/**
 * Every page is made here (one object shape): over `data`, borrowed (see `takeStorage`) or not,
 * with `codes` of `dict` or none; no log, seal or words.
 */
function pageOf(
  data: Storage,
  valid: Uint8Array | null,
  hw: number,
  cycle: number,
  borrowed: boolean,
  codes: Int32Array | null,
  dict: StringDict | null,
): Page {
  return {
    data,
    valid,
    hw,
    cycle,
    log: null,
    words: null,
    borrowed,
    codes,
    dict,
    sealed: null,
    strs: null,
    utf8: null,
    utf8Offsets: null,
    open: false,
    narrow: null,
    scale: 0,
  };
}

function clonePage(p: Page): Page {
  const data = Array.isArray(p.data) ? p.data.slice() : (p.data as TypedStorage).slice();
  return ownPage(data, p.valid ? p.valid.slice() : null, p.hw, p.cycle);
}

/** An int64 or instant page's storage as 32-bit words (kept in `p.words` until its storage changes). */
function pageWords(p: Page): Int32Array {
  if (p.words === null) p.words = wordsOf(p.data as BigInt64Array);
  return p.words;
}

/** `heapBytes` of one page, less a sealed page's shared dictionary. */
function pageBytes(p: Page, type: ColumnType): number {
  let n = 0;
  if (p.narrow !== null) n += p.narrow.byteLength;
  else if (p.utf8 !== null) n += p.utf8.byteLength + p.utf8Offsets!.byteLength;
  else if (p.sealed !== null) n += p.sealed.byteLength;
  else if (Array.isArray(p.data)) {
    const data = p.data;
    n += data.length * 8;
    if (type === "string") {
      // A character a byte (a string shared by several slots counts for each).
      for (let i = 0; i < p.hw; i++) n += (data[i] as string | null)?.length ?? 0;
    } else if (isArrayType(type)) for (const cell of data as ArrayValue[]) n += cell.length * 8;
  } else n += (p.data as TypedStorage).byteLength;
  if (p.valid) n += p.valid.byteLength;
  if (p.dict !== null) n += p.codes!.byteLength;
  return n;
}

/** Slots `[off, off + n)` of sealed page `p` into `to[at..)` (an array, or the column's storage). */
function unsealInto(
  p: Page,
  off: number,
  n: number,
  to: unknown[] | TypedStorage,
  at: number,
): void {
  const narrow = p.narrow;
  if (narrow !== null) {
    if (p.scale === 0) {
      // int64 or instant (sealed only where LITTLE_ENDIAN): each value's two 32-bit words.
      const d = to as BigInt64Array;
      const w = new Int32Array(d.buffer, d.byteOffset + 8 * at, 2 * n);
      for (let i = 0; i < n; i++) {
        const v = narrow[off + i]!;
        w[2 * i] = v;
        w[2 * i + 1] = v >> 31;
      }
    } else {
      const d = to as Float64Array;
      const scale = p.scale;
      for (let i = 0; i < n; i++) d[at + i] = narrow[off + i]! / scale;
    }
    return;
  }
  if (p.utf8 !== null) {
    const o = p.utf8Offsets!;
    const s = utf8Scratch;
    for (let i = 0; i <= n; i++) s[i] = o[off + i]!;
    // An open page's values (a publish's, on their way) through the string cache, as their
    // decode would have gone; a sealed page's (too many distinct strings for a dictionary) not.
    if (p.open)
      decodeUtf8(p.utf8, s, n, to as unknown as string[], at, OPEN_PAGES, sharedUtf8Intern);
    else decodeUtf8(p.utf8, s, n, to as unknown as string[], at, "", null);
    return;
  }
  const codes = p.sealed!;
  const strs = p.strs!;
  const out = to as unknown[];
  for (let i = 0; i < n; i++) out[at + i] = strs[codes[off + i]!];
}

/** Slot `off` of sealed page `p` (not null). */
function sealedAt(p: Page, off: number): string | number | bigint {
  const narrow = p.narrow;
  if (narrow !== null) return p.scale === 0 ? BigInt(narrow[off]!) : narrow[off]! / p.scale;
  const bytes = p.utf8;
  if (bytes === null) return p.strs![p.sealed![off]!]!;
  const o = p.utf8Offsets!;
  const start = o[off]!;
  const end = o[off + 1]!;
  if (end - start <= 24) {
    // A short ASCII value by its characters (a TextDecoder call costs more than the value).
    let s = "";
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}
const utf8Decoder = new TextDecoder();
/** `unsealInto`'s offsets of a UTF-8 page's slots, from 0. */
const utf8Scratch = new Int32Array(PAGE_SIZE + 1);
/** The string cache's name for the values of open UTF-8 pages (see `takeUtf8`). */
const OPEN_PAGES = "\u0000open UTF-8 pages";
/** `#seal`'s strings of an open UTF-8 page, decoded. */
const openStrings: string[] = new Array<string>(PAGE_SIZE).fill("");
/** An open UTF-8 page's buffers, kept for the next (see `#utf8Free`). */
interface Utf8Buffers {
  bytes: Uint8Array;
  offsets: Int32Array;
}
/** Buffers of open UTF-8 pages a column keeps for reuse. */
const MAX_FREE_UTF8 = 8;
/** Bytes an open UTF-8 page's buffer starts with, at least. */
const MIN_UTF8_BYTES = 4096;

/** `to[at + i] = from[start + i] + shift` for i in 1..n: a run's offsets where its bytes land. */
function rebase(
  to: Int32Array,
  at: number,
  from: Int32Array,
  start: number,
  n: number,
  shift: number,
): void {
  if (shift === 0) to.set(from.subarray(start + 1, start + n + 1), at + 1);
  else for (let i = 1; i <= n; i++) to[at + i] = from[start + i]! + shift;
}

/**
 * A UTF-8 page's PAGE_SIZE + 1 offsets as it keeps them: 16-bit when its `size` bytes allow
 * (memory a table keeps is fresh memory, paid for in page faults), else 32-bit (`o` itself when
 * `own`, else a copy).
 */
function pageOffsets(o: Int32Array, size: number, own: boolean): Uint16Array | Int32Array {
  if (size <= 0xffff) {
    const narrow = new Uint16Array(PAGE_SIZE + 1);
    narrow.set(o.subarray(0, PAGE_SIZE + 1));
    return narrow;
  }
  return own ? o : o.slice(0, PAGE_SIZE + 1);
}

/** `readUtf8`: a run of one page, and where its bytes come from. */
interface Utf8Piece {
  page: Page;
  off: number;
  len: number;
  /** The bytes: the page's (UTF-8), its dictionary's (sealed), or the run's encoded. */
  bytes: Uint8Array;
  /** Offsets into `bytes`: the page's slots', the dictionary's codes', or the run's from 0. */
  offsets: ArrayLike<number>;
  /**
   * Where the run's offsets start in `offsets` (its bytes are one block from `offsets[base]`):
   * `off` for a UTF-8 page, 0 for a run encoded; -1 for a dictionary (its bytes row by row).
   */
  base: number;
  /** The run's byte length (nulls "" ). */
  size: number;
}

/** Rows `[from, from + n)` of a UTF-8 vector (`Vec.utf8`) as a vector of strings. */
function stringsOf(vec: Vec, from: number, n: number): Vec {
  const { offsets, bytes } = vec.utf8!;
  const data = new Array<string>(n);
  decodeUtf8(bytes, offsets.subarray(from, from + n + 1), n, data, 0, "", null);
  const valid = vec.valid === null ? null : vec.valid.slice(from, from + n);
  if (valid !== null) for (let i = 0; i < n; i++) if (valid[i] === 0) data[i] = "";
  return { data, valid, length: n };
}

/** Each sealing dictionary's strings as UTF-8 (extended when the dictionary has grown). */
const dictBytes = new WeakMap<
  readonly string[],
  { count: number; offsets: Int32Array; bytes: Uint8Array }
>();

/** `strs` encoded (code c's bytes: `bytes[offsets[c]..offsets[c + 1])`), made once a dictionary. */
function dictUtf8(strs: readonly string[]): { offsets: Int32Array; bytes: Uint8Array } {
  let d = dictBytes.get(strs);
  if (d === undefined || d.count < strs.length) {
    const e = encodeUtf8(
      { data: strs as string[], valid: null, length: strs.length },
      0,
      strs.length,
      "",
    );
    d = { count: strs.length, offsets: e.offsets, bytes: e.bytes };
    dictBytes.set(strs, d);
  }
  return d;
}

/** Consecutive keys at least this long are copied with one `TypedArray.set` when gathering. */
const MIN_COPY_RUN = 8;

export class PagedColumn implements ColumnSource {
  readonly type: ColumnType;
  readonly #pages = new IntMap<Page>();
  readonly #prev = new IntMap<Page>();
  #tracker: CycleTracker | null;
  #dirty = false;
  #loader: ((page: number) => boolean) | null = null;
  /**
   * Recycled pages `#free[0..#freeCount)` (contents are stale: only slots written after reuse
   * are ever read). A count, not the array's length: an array popped empty gives up its backing
   * store, and a blink table's columns empty and refill theirs every cycle.
   */
  readonly #free: Page[] = [];
  #freeCount = 0;
  /** Pages with an undo log this cycle. */
  #logged: Page[] = [];
  /** Emptied undo logs for reuse. */
  #logs: UndoLog[] = [];
  /** Pages holding codes (page number -> the last cycle a write kept them), to drop when full. */
  readonly #coded = new IntMap<number>();
  /** The page `#noteCoded` noted last (-1: none since the last `endCycle`), and in which cycle. */
  #codedLast = -1;
  #codedCycle = -1;
  /** Full string pages are sealed at the end of the cycle that filled them (`sealFullPages`). */
  #sealing = false;
  /** Rows given as UTF-8 may be kept as such in open pages (`takeUtf8`). */
  #utf8Pages = false;
  /** Buffers of open UTF-8 pages let go, for the next (at most MAX_FREE_UTF8). */
  readonly #utf8Free: Utf8Buffers[] = [];
  /** Pages filled this cycle, to seal when it ends. */
  #filled: number[] = [];
  /** Full pages still to skip before trying to seal one again, and the next such backoff. */
  #sealSkip = 0;
  #sealBackoff = 1;
  #sealFails = 0;
  /**
   * The dictionary pages are sealed with: strings in the order first seen (never changed once
   * added), and each one's code. Shared by every page sealed while it lasts.
   */
  #sealStrs: string[] = [];
  #sealIndex: Map<string, number> | null = null;
  /**
   * `#sealBytes`'s index of `#sealKeysFor` (the sealing dictionary it was made for) by its
   * values' bytes: per entry four key words (all zero: free) and the value's code. Made when
   * first needed.
   */
  #sealKeys: Int32Array | null = null;
  #sealKeyCodes: Uint16Array | null = null;
  #sealKeysFor: readonly string[] | null = null;
  /**
   * `#sealTranslated`'s table: codes of `#xlatFrom` (slots of -1 are free) and their codes in
   * `#xlatTo` (the sealing dictionary it was made for). Made when first needed.
   */
  #xlatKeys: Int32Array | null = null;
  #xlatVals: Uint16Array | null = null;
  #xlatFrom: StringDict | null = null;
  #xlatTo: readonly string[] | null = null;

  constructor(type: ColumnType, tracker: CycleTracker | null = null) {
    this.type = type;
    this.#tracker = tracker;
    this.#numeric = isNumeric(type);
    this.#int64 = type === "int64";
  }

  /** Whether `getNumber` reads this column, and reads its values' 32-bit words (int64). */
  readonly #numeric: boolean;
  readonly #int64: boolean;

  /** ColumnSource: starts tracking previous values (the column now belongs to a refreshing table). */
  setTracker(tracker: CycleTracker | null): void {
    this.#tracker = tracker;
  }

  /**
   * From now on, a page that a run write (`writeRun`, `copyRunFrom`) fills is sealed when the
   * cycle ends, for tables whose full pages are never written again (append-only tables): what
   * they keep then takes a fraction of the memory, and no array of references lives on for the
   * garbage collector to move. Reads of a sealed page widen or decode its values (`run` of one
   * makes new storage); a write to one first turns it back into storage of its type (the sealed
   * page stays the previous values for the rest of the cycle). Its storage serves the next page.
   *
   * - A string page: each slot becomes an 8- or 16-bit index into the column's dictionary (its
   *   strings in the order first seen, at most SEAL_MAX_STRINGS, never changed once added,
   *   shared by the pages sealed with it): categorical strings take 1 or 2 bytes a row. A page
   *   whose every slot holds a dictionary code (an Arrow dictionary column, or a key column's
   *   codes from the string cache) of a dictionary of at most 2^16 strings is sealed with that
   *   dictionary instead: its codes, narrowed, with no string looked up, so a dictionary-encoded
   *   column stays dictionary-encoded in the table's history. Codes of a larger dictionary (the
   *   string cache's large level: a key column's) are translated into the column's dictionary
   *   through a small table of the codes seen (`#sealTranslated`: an integer probe a slot, not a
   *   string hashed); such a page is tried even while the column skips pages after a failure.
   * - A string page that would take the dictionary past SEAL_MAX_STRINGS, or whose first
   *   SEAL_SAMPLE slots are mostly new strings, is sealed as UTF-8 (`#sealUtf8`: its values'
   *   bytes, and offsets of 16 bits when the bytes fit, else 32): a page of short ids takes the
   *   ids' bytes plus 2 a row and keeps no string object a row; reading one value back decodes
   *   it (2-3 times the cost of an array's read). What a failed page added stays in the
   *   dictionary, so a column of a few hundred keys seals with it from its second or third
   *   page; the column then seals its next 1, 2, 4 .. SEAL_MAX_BACKOFF pages as UTF-8 without
   *   trying the dictionary, and starts a new dictionary after SEAL_FAILS_TO_RESET failures in a
   *   row.
   * - An int64 or instant page (on little-endian hosts) whose values are 32-bit integers, or a
   *   float64 page whose values are exact decimals of at most NARROW_MAX_DECIMALS places that
   *   scale to 32-bit integers (prices, sizes, counts), becomes 8-, 16- or 32-bit integers
   *   (`#sealNarrow`): sizes of 1..1,000 take 2 bytes a row, prices of two decimals 2 or 4.
   *
   * Other types, and columns without a cycle tracker, do not seal.
   */
  sealFullPages(): void {
    if (this.#tracker === null) return;
    const t = this.type;
    if (t === "string" || t === "float64" || (isBigType(t) && LITTLE_ENDIAN)) this.#sealing = true;
    this.takeUtf8();
  }

  /**
   * From now on, rows of a string column given as UTF-8 (a `Vec.utf8` written by `writeRun`, or
   * copied from a UTF-8 page by `copyRunFrom`) are appended as they are to an open UTF-8 page
   * (a new page, or the open page they continue), without a string made a row: a publisher's
   * blink table (given the Utf8 columns of Arrow and JSON publishes whose values are mostly
   * distinct: `passUtf8`), a ring's (whose keys only grow), and a column that seals its full
   * pages (an append-only table's, a history's: its open pages are sealed). Such a page is read
   * as a page sealed as UTF-8 (a run of it decodes its values in one pass, through the string
   * cache), and written to only at its end; any other write makes it a page of strings first.
   * Rows that cannot be taken so (a write that is not an append, bytes under a null, invalid
   * UTF-8) are decoded and written as strings. Pass-through for Arrow: an append-only table
   * fed Utf8 values keeps their bytes from the publish to its sealed pages.
   */
  takeUtf8(): void {
    if (this.type === "string" && this.#tracker !== null) this.#utf8Pages = true;
  }

  /** Number of allocated pages (current and held previous). */
  get pageCount(): number {
    return this.#pages.size + this.#prev.size;
  }

  /**
   * Approximate heap bytes held by this column's pages (8 bytes per JS-array slot, plus a byte
   * per character of a string in it, counted for each slot that holds it, or 8 per element of an
   * array cell; a sealed page's indices, and each dictionary once, its strings as an array's; a
   * UTF-8 page's bytes and offsets; a narrow page's integers).
   */
  get heapBytes(): number {
    let n = 0;
    const type = this.type;
    const dicts = new Set<readonly string[]>();
    const count = (p: Page) => {
      n += pageBytes(p, type);
      if (p.sealed !== null && !dicts.has(p.strs!)) {
        const strs = p.strs!;
        dicts.add(strs);
        n += strs.length * 8;
        for (let i = 0; i < strs.length; i++) n += strs[i]!.length;
      }
    };
    this.#pages.forEach(count);
    this.#prev.forEach(count);
    return n;
  }

  /**
   * Approximate bytes page `pi` holds in memory (as `heapBytes` counts them, less a sealed page's
   * dictionary, which its column's pages share); 0 when it is not in memory (no loader is asked).
   */
  pageBytes(pi: number): number {
    const p = this.#pages.get(pi);
    return p === undefined ? 0 : pageBytes(p, this.type);
  }

  #page(pi: number, prev: boolean): Page | undefined {
    if (prev) {
      const p = this.#prev.get(pi);
      if (p) return p;
      const cur = this.#pages.get(pi);
      if (cur?.log) return this.#copyAside(pi, cur);
    }
    const p = this.#pages.get(pi);
    if (p || !this.#loader) return p;
    return this.#loader(pi) ? this.#pages.get(pi) : undefined;
  }

  /**
   * Pages missing from memory are asked of `loader` (which installs them with `installPage`,
   * typically for every column of a table at once) before a read gives up.
   */
  setLoader(loader: ((page: number) => boolean) | null): void {
    this.#loader = loader;
  }

  /** Installs a page read back from storage (no previous-value tracking: it is not a write). */
  installPage(pi: number, vec: Vec, from: number, length: number, offset = 0): void {
    const utf8 = vec.utf8;
    if (utf8 !== undefined && utf8 !== null) {
      // A stored page read back as UTF-8 (`loadPage(.., true)`): a whole page of a column that
      // seals stays UTF-8 (then sealed as its pages are); anything else is decoded into strings.
      if (this.#installUtf8(pi, vec, utf8, from, length, offset)) return;
      vec = stringsOf(vec, from, length);
      from = 0;
    }
    let p = this.#pages.get(pi);
    if (!p) {
      // Loaders serve append-only data, whose rows never change: a page read back during a cycle
      // needs no copy-on-write clone if the cycle then appends to it.
      p = this.#newPage(this.#tracker ? this.#tracker.cycle : -1);
      this.#pages.set(pi, p);
    } else if (p.borrowed) own(this.type, p);
    else if (p.data === SEALED) this.#unseal(p);
    copyInto(p, offset, vec, from, length);
    if (offset + length > p.hw) p.hw = offset + length;
    if (p.dict !== null) this.#noteCoded(pi);
    // A full page read back (or computed again) seals at the cycle's end as one written does.
    if (this.#sealing) this.#noteFilled(pi, p);
  }

  /**
   * `installPage` of a whole page of UTF-8 (offsets from 0) into a column that seals its full
   * pages (its bytes and offsets copied; nulls must be "", as the IPC writer writes them): in a
   * refreshing table, a full open page that the cycle's end seals as the pages written are (by
   * dictionary, else as UTF-8); elsewhere a page sealed as UTF-8. True, or false when it is not
   * that.
   */
  #installUtf8(
    pi: number,
    vec: Vec,
    utf8: NonNullable<Vec["utf8"]>,
    from: number,
    length: number,
    offset: number,
  ): boolean {
    const o = utf8.offsets;
    if (!this.#sealing || from !== 0 || offset !== 0 || length !== PAGE_SIZE || o[0] !== 0)
      return false;
    if (this.#pages.has(pi)) return false;
    const valid = vec.valid;
    if (valid !== null) {
      for (let i = 0; i < PAGE_SIZE; i++) if (valid[i] === 0 && o[i + 1] !== o[i]) return false;
    }
    // A sealed page made as it is (no storage of strings to retire); copies, as the vector's
    // arrays are views of the stored bytes.
    const size = o[PAGE_SIZE]!;
    const cycle = this.#tracker ? this.#tracker.cycle : -1;
    const kept = valid === null ? null : valid.slice(0, PAGE_SIZE);
    const p = pageOf(SEALED, kept, PAGE_SIZE, cycle, false, null, null);
    p.utf8 = utf8.bytes.slice(0, size);
    if (this.#tracker !== null) {
      // A full open page, sealed with the column's filled pages when the cycle ends, as any
      // other: by dictionary when its values are few (a byte or two a row, each string shared,
      // and a read makes no string), else as UTF-8 of its size. Read as UTF-8 until then.
      const offs = new Int32Array(PAGE_SIZE + 1);
      offs.set(o.subarray(0, PAGE_SIZE + 1));
      p.utf8Offsets = offs;
      p.open = true;
      this.#pages.set(pi, p);
      this.#noteFilled(pi, p);
      return true;
    }
    p.utf8Offsets = pageOffsets(o, size, false);
    this.#pages.set(pi, p);
    return true;
  }

  /** Page `pi` holds codes after a write this cycle (see `endCycle`). */
  #noteCoded(pi: number): void {
    const t = this.#tracker;
    if (t === null) return;
    // (A cycle's writes go to the same page again and again: one map entry is enough.)
    const cycle = t.cycle;
    if (pi === this.#codedLast && cycle === this.#codedCycle) return;
    this.#codedLast = pi;
    this.#codedCycle = cycle;
    this.#coded.set(pi, cycle);
    if (!this.#dirty) {
      this.#dirty = true;
      t.markDirty(this);
    }
  }

  /** Drops a page from memory (it must be readable again through the loader). */
  evictPage(pi: number): void {
    const p = this.#pages.get(pi);
    if (p?.log) this.#copyAside(pi, p);
    this.#pages.delete(pi);
  }

  /**
   * The form page `pi` is held in (no loader is asked): "absent", "strings" or "values" (an
   * array or typed array), or sealed: "dictionary", "utf8" or "narrow" (see `sealFullPages`).
   */
  pageForm(pi: number): "absent" | "strings" | "values" | "dictionary" | "utf8" | "narrow" {
    const p = this.#pages.get(pi);
    if (p === undefined) return "absent";
    if (p.narrow !== null) return "narrow";
    if (p.utf8 !== null) return "utf8";
    if (p.sealed !== null) return "dictionary";
    return this.type === "string" ? "strings" : "values";
  }

  /** True when page `pi` is in memory (no loader is asked). */
  hasPage(pi: number): boolean {
    return this.#pages.has(pi);
  }

  /** Page numbers held in memory, ascending. */
  loadedPages(): number[] {
    return this.#pages.keys().sort((a, b) => a - b);
  }

  /**
   * The page for writing slots `[off, off + n)`, created if missing; keeps the previous values of
   * those slots if they were visible before the cycle (in the page's undo log, or a copy of the
   * whole page once the log is full).
   */
  #writable(pi: number, off: number, n = 1): Page {
    let p = this.#pages.get(pi);
    if (!p && this.#loader && this.#loader(pi)) p = this.#pages.get(pi);
    const t = this.#tracker;
    if (!p) {
      p = this.#newPage(t ? t.cycle : 0);
      this.#pages.set(pi, p);
      return p;
    }
    if (p.data === SEALED) {
      // A sealed page never changes: it is the previous values as it is, and the writes go to
      // an array of its strings.
      const q = this.#newPage(t ? t.cycle : 0);
      unsealInto(p, 0, p.hw, q.data as unknown[] | TypedStorage, 0);
      q.valid = p.valid === null ? null : p.valid.slice();
      q.hw = p.hw;
      this.#pages.set(pi, q);
      if (t && p.cycle !== t.cycle && !this.#prev.has(pi)) {
        this.#prev.set(pi, p);
        this.#markDirty();
      }
      return q;
    }
    if (p.borrowed) own(this.type, p);
    if (t && p.cycle !== t.cycle && off < p.hw) {
      if (!this.#prev.has(pi)) {
        const log = this.#logs.pop() ?? new UndoLog(this.type, UNDO_SLOTS);
        log.hw = p.hw;
        p.log = log;
        this.#logged.push(p);
      }
      p.cycle = t.cycle;
      this.#markDirty();
    }
    if (p.log !== null && !p.log.save(p.data, p.valid, off, off + n, p.words))
      this.#copyAside(pi, p);
    return p;
  }

  /** Turns page `pi`'s undo log into a whole copy of its previous contents (in `#prev`). */
  #copyAside(pi: number, p: Page): Page {
    const log = p.log!;
    const q = this.#cloneOf(p);
    log.undo(q.data, q.valid);
    q.hw = log.hw;
    log.reset();
    this.#logs.push(log);
    p.log = null;
    this.#prev.set(pi, q);
    return q;
  }

  /**
   * A copy of `p` in a recycled page when one of the same size is free (no new memory: a table
   * whose pages are rewritten every cycle copies each aside every cycle), else a new one.
   */
  #cloneOf(p: Page): Page {
    const q = this.#freeCount > 0 ? this.#free[this.#freeCount - 1]! : undefined;
    if (q === undefined || q.data.length !== p.data.length) return clonePage(p);
    this.#takeFree();
    if (Array.isArray(p.data)) {
      const from = p.data as unknown[];
      const to = q.data as unknown[];
      for (let i = 0; i < from.length; i++) to[i] = from[i];
    } else (q.data as TypedStorage).set(p.data as never);
    if (p.valid === null) q.valid = null;
    else if (q.valid !== null && q.valid.length === p.valid.length) q.valid.set(p.valid);
    else q.valid = p.valid.slice();
    q.hw = p.hw;
    q.cycle = p.cycle;
    q.log = null;
    q.codes = null;
    q.dict = null;
    return q;
  }

  #markDirty(): void {
    if (!this.#dirty && this.#tracker) {
      this.#dirty = true;
      this.#tracker.markDirty(this);
    }
  }

  /** Keeps `p` for reuse, unless as many pages as the column may keep are kept already. */
  #giveFree(p: Page): void {
    if (this.#freeCount < Math.max(MAX_FREE_PAGES, this.#pages.size))
      this.#free[this.#freeCount++] = p;
  }

  /** The page kept for reuse last (its slot let go), or undefined. */
  #takeFree(): Page | undefined {
    if (this.#freeCount === 0) return undefined;
    const p = this.#free[--this.#freeCount]!;
    this.#free[this.#freeCount] = NO_PAGE;
    return p;
  }

  #newPage(cycle: number): Page {
    const p = this.#takeFree();
    if (p) {
      p.valid = null;
      p.hw = 0;
      p.cycle = cycle;
      p.log = null;
      p.dict = null;
      return p;
    }
    return ownPage(allocStorage(this.type, PAGE_SIZE), null, 0, cycle);
  }

  readonly #recycle = (p: Page, pi: number): void => {
    if (this.#pages.get(pi) === p || p.borrowed) return;
    if (p.data !== SEALED) this.#giveFree(p);
    else if (p.open) this.#giveUtf8(p.utf8!, p.utf8Offsets as Int32Array);
  };

  /**
   * Appends rows `[from, from + n)` of UTF-8 values (`bytes`, `offsets`; `valid`: null, or one
   * byte a row) to slots `[off, off + n)` of page `pi` when it can keep them as UTF-8 (see
   * `takeUtf8`): the page is missing (then `off` is 0) or open with `off` at its end, each null
   * row's bytes are empty, and the bytes are valid UTF-8 (checked when `check`: not for bytes
   * known to be ASCII). False (nothing written) otherwise.
   */
  #appendUtf8(
    pi: number,
    off: number,
    bytes: Uint8Array,
    offsets: ArrayLike<number>,
    valid: Uint8Array | null,
    from: number,
    n: number,
    check: boolean,
  ): boolean {
    if (!this.#utf8Pages) return false;
    let p = this.#pages.get(pi);
    if (p === undefined && this.#loader !== null && this.#loader(pi)) p = this.#pages.get(pi);
    if (p === undefined ? off !== 0 : !p.open || off !== p.hw) return false;
    const b0 = offsets[from]!;
    const b1 = offsets[from + n]!;
    if (valid !== null)
      for (let i = from; i < from + n; i++)
        if (valid[i] === 0 && offsets[i + 1] !== offsets[i]) return false;
    if (check && !isUtf8(bytes, b0, b1)) return false;
    const size = b1 - b0;
    if (p === undefined) {
      p = this.#openPage(size);
      this.#pages.set(pi, p);
    }
    const o = p.utf8Offsets as Int32Array;
    const used = o[off]!;
    let buf = p.utf8!;
    if (used + size > buf.length) {
      const grown = new Uint8Array(Math.max(2 * buf.length, used + size));
      grown.set(buf.subarray(0, used));
      buf = p.utf8 = grown;
    }
    buf.set(bytes.subarray(b0, b1), used);
    if (offsets instanceof Int32Array) rebase(o, off, offsets, from, n, used - b0);
    else for (let i = 1; i <= n; i++) o[off + i] = offsets[from + i]! + used - b0;
    copyValidity(p, off, valid, from, n);
    p.hw = off + n;
    if (this.#sealing) this.#noteFilled(pi, p);
    return true;
  }

  /**
   * Appends string rows `data[from, from + n)` (`valid`: null, or one byte a row) to slots
   * `[off, off + n)` of page `pi` when it is open with `off` at its end, encoded (an open page
   * stays UTF-8 when a batch's values came as strings). False (nothing written) otherwise.
   */
  #appendStrings(
    pi: number,
    off: number,
    data: Storage,
    valid: Uint8Array | null,
    from: number,
    n: number,
  ): boolean {
    const p = this.#pages.get(pi);
    if (p === undefined || !p.open || off !== p.hw || data === SEALED) return false;
    const e = encodeUtf8({ data, valid, length: from + n }, from, n, "");
    this.#appendUtf8(pi, off, e.bytes, e.offsets, null, 0, n, false);
    copyValidity(p, off, valid, from, n);
    return true;
  }

  /** A new open UTF-8 page (no rows), with room for `size` bytes; recycled buffers if any. */
  #openPage(size: number): Page {
    const t = this.#tracker;
    const p = ownPage(SEALED, null, 0, t ? t.cycle : 0);
    const kept = this.#utf8Free.pop();
    p.utf8 =
      kept !== undefined && kept.bytes.length >= size
        ? kept.bytes
        : new Uint8Array(Math.max(size, MIN_UTF8_BYTES));
    p.utf8Offsets = kept?.offsets ?? new Int32Array(PAGE_SIZE + 1);
    p.utf8Offsets[0] = 0;
    p.open = true;
    return p;
  }

  /** Keeps open page `p`'s buffers for the next open page (`p` is no longer read). */
  #giveUtf8(bytes: Uint8Array, offsets: Int32Array): void {
    if (this.#utf8Free.length < MAX_FREE_UTF8) this.#utf8Free.push({ bytes, offsets });
  }

  /**
   * Makes full open page `p` a page sealed as UTF-8: its bytes in a buffer of exactly their size
   * and its offsets narrowed (see `pageOffsets`); the open page's buffers serve the next.
   */
  #closeUtf8(p: Page): void {
    const o = p.utf8Offsets as Int32Array;
    const buf = p.utf8!;
    const size = o[PAGE_SIZE]!;
    p.utf8 = buf.slice(0, size);
    p.utf8Offsets = pageOffsets(o, size, true);
    p.open = false;
    if (p.utf8Offsets !== o) this.#giveUtf8(buf, o);
  }

  /** Called by the update graph at the end of a cycle: drops previous values. */
  endCycle(): void {
    const logged = this.#logged;
    for (let i = 0; i < logged.length; i++) {
      const log = logged[i]!.log;
      if (log === null) continue;
      log.reset();
      this.#logs.push(log);
      logged[i]!.log = null;
    }
    logged.length = 0;
    // Pages only kept as previous values are free now: recycle a few instead of allocating.
    // (forEach, not for-of: no iterator or entry arrays, which a cycle would pay per column.)
    if (this.#prev.size > 0) this.#prev.forEach(this.#recycle);
    this.#prev.clear();
    this.#codedLast = -1;
    if (this.#coded.size > 0) this.#coded.forEach(this.#dropCodes);
    if (this.#filled.length > 0) this.#sealFilled();
    this.#dirty = false;
  }

  /** Page `pi` was written: noted for sealing at the end of the cycle if it is now full. */
  #noteFilled(pi: number, p: Page): void {
    if (p.hw !== PAGE_SIZE) return;
    const filled = this.#filled;
    if (filled.length > 0 && filled[filled.length - 1] === pi) return;
    filled.push(pi);
    this.#markDirty();
  }

  /** Seals the pages filled this cycle (see `sealFullPages`). */
  #sealFilled(): void {
    const filled = this.#filled;
    for (let i = 0; i < filled.length; i++) {
      const pi = filled[i]!;
      const p = this.#pages.get(pi);
      if (p === undefined || p.hw !== PAGE_SIZE || p.borrowed) continue;
      if (p.data === SEALED && !p.open) continue;
      if (this.type !== "string") {
        this.#sealNarrow(p);
        continue;
      }
      // A page with a code a slot is tried first, skipped or not: it costs an integer probe a
      // slot, and once the column's dictionary is full, a code it lacks fails it within a few.
      if (!p.open && p.dict !== null && this.#sealCoded(p)) {
        this.#sealBackoff = 1;
        this.#sealFails = 0;
        continue;
      }
      if (this.#sealSkip > 0) {
        this.#sealSkip--;
        this.#sealUtf8(p);
        continue;
      }
      const byBytes = p.open ? this.#sealBytes(p) : null;
      if (byBytes ?? this.#seal(p, p.open ? this.#openStrings(p) : (p.data as string[]))) {
        this.#sealBackoff = 1;
        this.#sealFails = 0;
      } else {
        this.#sealUtf8(p);
        this.#sealSkip = this.#sealBackoff;
        this.#sealBackoff = Math.min(2 * this.#sealBackoff, SEAL_MAX_BACKOFF);
        // What the failed pages added is kept (a column whose keys outnumber one page's rows
        // fills the dictionary over a few tries), unless they keep failing.
        if (++this.#sealFails === SEAL_FAILS_TO_RESET) {
          this.#sealIndex = null;
          this.#sealFails = 0;
        }
      }
    }
    filled.length = 0;
  }

  /**
   * Seals full string page `p` (no undo log: the cycle has ended) with the column's dictionary:
   * true, or false, leaving the page as it was, when its strings would take the dictionary past
   * SEAL_MAX_STRINGS or its first SEAL_SAMPLE slots are mostly new strings.
   */
  #seal(p: Page, data: readonly string[]): boolean {
    const valid = p.valid;
    const index = this.#sealDictionary();
    const strs = this.#sealStrs;
    const codes = sealCodes;
    const memo = sealMemoStrs;
    const memoCodes = sealMemoCodes;
    if (sealMemoOwner !== strs) {
      memo.fill(null);
      sealMemoOwner = strs;
    }
    const before = strs.length;
    let ok = true;
    for (let i = 0; i < PAGE_SIZE; i++) {
      // A null slot's value is never read.
      if (valid !== null && valid[i] === 0) {
        codes[i] = 0;
        continue;
      }
      const v = data[i]!;
      if (typeof v !== "string") {
        ok = false;
        break;
      }
      const len = v.length;
      const m =
        len < 3
          ? len
          : Math.imul(
              v.charCodeAt(len - 1) ^
                (v.charCodeAt(len - 2) << 8) ^
                (v.charCodeAt(len - 3) << 16) ^
                (len << 24),
              0x9e3779b1,
            ) >>>
            (32 - SEAL_MEMO_BITS);
      if (memo[m] === v) {
        codes[i] = memoCodes[m]!;
        continue;
      }
      let c = index.get(v);
      if (c === undefined) {
        c = strs.length;
        if (c === SEAL_MAX_STRINGS || (i >= SEAL_SAMPLE && 4 * (c - before) > 3 * i)) {
          ok = false;
          break;
        }
        strs.push(v);
        index.set(v, c);
      }
      memo[m] = v;
      memoCodes[m] = c;
      codes[i] = c;
    }
    if (!ok) return false;
    this.#sealAsCodes(p, strs);
    return true;
  }

  /**
   * `#seal` of a page whose every slot holds a code of its dictionary (`dict`: an Arrow
   * dictionary), when that dictionary has at most 2^16 strings: the codes, narrowed, index the
   * dictionary itself (no string is looked up). The codes of a larger or open dictionary (the
   * string cache's large level, which may grow to 262,144 strings, all kept alive by a page
   * holding it) are translated into the column's own (`#sealTranslated`). False otherwise.
   */
  #sealCoded(p: Page): boolean {
    const dict = p.dict!;
    const strs = dict.strs;
    const n = strs.length;
    if (n === 0) return false;
    if (n > 1 << 16 || dict.open === true) return this.#sealTranslated(p);
    const codes = p.codes!;
    const valid = p.valid;
    const sealed = n <= 256 ? new Uint8Array(PAGE_SIZE) : new Uint16Array(PAGE_SIZE);
    for (let i = 0; i < PAGE_SIZE; i++) {
      const c = codes[i]!;
      if (c >= 0) sealed[i] = c;
      else if (valid === null || valid[i] !== 0) return false; // a slot whose code is unknown
    }
    this.#sealAs(p, sealed, strs);
    return true;
  }

  /**
   * `#seal` of a page whose every slot holds a code of a dictionary too large to index with 16
   * bits (the string cache's large level: a key column's codes): each code is translated into the
   * column's dictionary through a small table of the codes seen (an integer probe, not a string
   * hashed), whose strings are added as `#seal` adds them. False, leaving the page as it was, when
   * a slot's code is unknown or the column's dictionary would pass SEAL_MAX_STRINGS.
   */
  #sealTranslated(p: Page): boolean {
    const from = p.dict!;
    const fromStrs = from.strs;
    const codes = p.codes!;
    const valid = p.valid;
    const index = this.#sealDictionary();
    const strs = this.#sealStrs;
    let keys = this.#xlatKeys;
    let vals = this.#xlatVals;
    if (keys === null || vals === null) {
      keys = this.#xlatKeys = new Int32Array(XLAT_SLOTS);
      vals = this.#xlatVals = new Uint16Array(XLAT_SLOTS);
      this.#xlatFrom = null;
    }
    if (this.#xlatFrom !== from || this.#xlatTo !== strs) {
      // Codes of another dictionary, or into a new column dictionary: start over.
      keys.fill(-1);
      this.#xlatFrom = from;
      this.#xlatTo = strs;
    }
    const out = sealCodes;
    for (let i = 0; i < PAGE_SIZE; i++) {
      const c = codes[i]!;
      if (c < 0) {
        if (valid !== null && valid[i] === 0) {
          out[i] = 0;
          continue;
        }
        return false; // a slot whose code is unknown
      }
      let h = Math.imul(c, 0x9e3779b1) >>> (32 - XLAT_BITS);
      let k = keys[h]!;
      while (k !== c && k !== -1) {
        h = (h + 1) & (XLAT_SLOTS - 1);
        k = keys[h]!;
      }
      if (k === c) {
        out[i] = vals[h]!;
        continue;
      }
      // A code not seen yet: its string's code in the column's dictionary. (At most one table
      // entry a string of that dictionary, so the table stays at most half full.)
      const v = fromStrs[c]!;
      let sc = index.get(v);
      if (sc === undefined) {
        sc = strs.length;
        if (sc === SEAL_MAX_STRINGS) return false;
        strs.push(v);
        index.set(v, sc);
      }
      keys[h] = c;
      vals[h] = sc;
      out[i] = sc;
    }
    this.#sealAsCodes(p, strs);
    return true;
  }

  /**
   * `#seal` of full open page `p` from its bytes: each value of 1..16 ASCII bytes is found in the
   * column's dictionary by its bytes (`#sealKeys`: its four little-endian words, zero past its
   * end, its length folded into the top bits ASCII leaves zero, as the string cache keys them),
   * so a value the dictionary holds makes no string; a new one is decoded once and added as
   * `#seal` adds it. True when sealed; false, as `#seal`, when the dictionary would pass
   * SEAL_MAX_STRINGS or the first SEAL_SAMPLE slots are mostly new values (the strings added so
   * far stay); null at a value longer than 16 bytes or not ASCII, the page as it was (then the
   * caller decodes it and takes `#seal`; what was added to the dictionary stays, as it would).
   */
  #sealBytes(p: Page): boolean | null {
    const w = engineWasm();
    if (w !== null) {
      const r = this.#sealBytesWasm(p, w);
      if (r !== undefined) return r;
    }
    const bytes = p.utf8!;
    const offs = p.utf8Offsets as Int32Array;
    const valid = p.valid;
    const index = this.#sealDictionary();
    const strs = this.#sealStrs;
    let keys = this.#sealKeys;
    let keyCodes = this.#sealKeyCodes;
    if (keys === null || keyCodes === null) {
      keys = this.#sealKeys = new Int32Array(4 * SEAL_KEY_SLOTS);
      keyCodes = this.#sealKeyCodes = new Uint16Array(SEAL_KEY_SLOTS);
      this.#sealKeysFor = null;
    }
    if (this.#sealKeysFor !== strs) {
      keys.fill(0);
      this.#sealKeysFor = strs;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = bytes.byteLength - MAX_KEY_BYTES;
    const codes = sealCodes;
    const before = strs.length;
    let b = offs[0]!;
    for (let i = 0; i < PAGE_SIZE; i++) {
      const e = offs[i + 1]!;
      const len = e - b;
      if (len === 0 || (valid !== null && valid[i] === 0)) {
        // "" is code 0, and a null slot's code is never read.
        codes[i] = 0;
        b = e;
        continue;
      }
      if (len > MAX_KEY_BYTES) return null;
      let w0: number;
      let w1 = 0;
      let w2 = 0;
      let w3 = 0;
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
      if (((w0 | w1 | w2 | w3) & 0x80808080) !== 0) return null; // not ASCII
      w0 |= keyLength0(len);
      w1 |= keyLength1(len);
      let h = keyHash(w0, w1, w2, w3) >>> (32 - SEAL_KEY_BITS);
      let k = h << 2;
      while (keys[k] !== 0) {
        if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) break;
        h = (h + 1) & (SEAL_KEY_SLOTS - 1);
        k = h << 2;
      }
      if (keys[k] !== 0) {
        codes[i] = keyCodes[h]!;
        b = e;
        continue;
      }
      // A value not in the index: its string's code in the dictionary (added if new).
      const c = this.#sealCode(index, latin1.decode(bytes.subarray(b, e)), i, before);
      if (c < 0) return false;
      keys[k] = w0;
      keys[k + 1] = w1;
      keys[k + 2] = w2;
      keys[k + 3] = w3;
      keyCodes[h] = c;
      codes[i] = c;
      b = e;
    }
    this.#sealAsCodes(p, strs);
    return true;
  }

  /**
   * `#sealBytes` on the engine's WebAssembly (wasm/seal-wasm.ts): the page is looked up in the
   * module's byte-keyed index of the column's dictionary; a row it lacks comes back here, where
   * its string is found or added (`#sealCode`) and indexed, and the look-up goes on from it.
   * Undefined when the module's memory cannot take the page (the JavaScript loop then runs).
   */
  #sealBytesWasm(p: Page, w: EngineWasm): boolean | null | undefined {
    const bytes = p.utf8!;
    const offs = p.utf8Offsets as Int32Array;
    const index = this.#sealDictionary();
    const strs = this.#sealStrs;
    const ix = wasmSealIndexes(w);
    if (!ix.begin(strs, bytes, offs, p.valid, PAGE_SIZE)) return undefined;
    const before = strs.length;
    let from = 0;
    for (;;) {
      const r = ix.run(from);
      if (r === PAGE_SIZE) break;
      if (r < 0) return null; // not a key: longer than 16 bytes or not ASCII
      const b = offs[r]!;
      const e = offs[r + 1]!;
      const c = this.#sealCode(index, latin1.decode(bytes.subarray(b, e)), r, before);
      if (c < 0) return false;
      ix.insert(b, e, c, strs.length);
      from = r;
    }
    const narrow = codesIn8Bits(strs);
    const sealed = narrow ? new Uint8Array(PAGE_SIZE) : new Uint16Array(PAGE_SIZE);
    sealed.set(ix.codes(narrow));
    this.#sealAs(p, sealed, strs);
    return true;
  }

  /**
   * The code of `v`, row `i` of a page whose seal began with `before` strings, in the column's
   * sealing dictionary (`index` of `#sealStrs`), added if new; -1 when adding it would take the
   * dictionary to SEAL_MAX_STRINGS or the page's first SEAL_SAMPLE rows are mostly new strings.
   */
  #sealCode(index: Map<string, number>, v: string, i: number, before: number): number {
    const strs = this.#sealStrs;
    let c = index.get(v);
    if (c === undefined) {
      c = strs.length;
      if (c === SEAL_MAX_STRINGS || (i >= SEAL_SAMPLE && 4 * (c - before) > 3 * i)) return -1;
      strs.push(v);
      index.set(v, c);
    }
    return c;
  }

  /** Full open page `p`'s values (in `openStrings`), decoded through the string cache. */
  #openStrings(p: Page): string[] {
    unsealInto(p, 0, PAGE_SIZE, openStrings, 0);
    return openStrings;
  }

  /** The column's sealing dictionary's index, made (with "" as code 0) if there is none. */
  #sealDictionary(): Map<string, number> {
    if (this.#sealIndex === null) {
      // A new dictionary (pages sealed before keep theirs). Code 0 is "": a null slot's code.
      this.#sealStrs = [""];
      this.#sealIndex = new Map([["", 0]]);
    }
    return this.#sealIndex;
  }

  /** `#sealAs` with the codes in `sealCodes`, in 8 bits when `strs` has at most 256 strings. */
  #sealAsCodes(p: Page, strs: readonly string[]): void {
    let sealed: Uint8Array | Uint16Array;
    if (codesIn8Bits(strs)) {
      sealed = new Uint8Array(PAGE_SIZE);
      sealed.set(sealCodes);
    } else sealed = sealCodes.slice();
    this.#sealAs(p, sealed, strs);
  }

  /** Makes `p` a sealed page of `sealed` indices into `strs`. */
  #sealAs(p: Page, sealed: Uint8Array | Uint16Array, strs: readonly string[]): void {
    p.sealed = sealed;
    p.strs = strs;
    this.#retire(p);
  }

  /**
   * The end of every seal, once `p`'s sealed form is set: `data` becomes SEALED (with no codes or
   * words), and the storage it held serves the next page.
   */
  #retire(p: Page): void {
    const data = p.data;
    p.codes = null;
    p.dict = null;
    p.words = null;
    if (p.open) {
      // Sealed by dictionary: the open page's buffers serve the next.
      this.#giveUtf8(p.utf8!, p.utf8Offsets as Int32Array);
      p.utf8 = null;
      p.utf8Offsets = null;
      p.open = false;
      return;
    }
    p.data = SEALED;
    this.#giveFree(ownPage(data, null, 0, 0));
  }

  /**
   * Seals full string page `p` as UTF-8: its values' bytes and offsets (nulls as ""). For a page
   * whose strings are too many for the dictionary: its string objects then die young instead of
   * living on with the table.
   */
  #sealUtf8(p: Page): void {
    if (p.open) {
      this.#closeUtf8(p);
      return;
    }
    const data = p.data as string[];
    const valid = p.valid;
    for (let i = 0; i < PAGE_SIZE; i++)
      if (typeof data[i] !== "string" && (valid === null || valid[i] !== 0)) return;
    sealVec.data = data;
    sealVec.valid = valid;
    const { offsets, bytes } = encodeUtf8(sealVec, 0, PAGE_SIZE, "");
    sealVec.data = SEALED;
    sealVec.valid = null;
    // Memory the table keeps is fresh memory, paid for in page faults: the bytes no more than
    // they need.
    p.utf8 = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    p.utf8Offsets = pageOffsets(offsets, bytes.length, true);
    this.#retire(p);
  }

  /**
   * Seals full int64, instant or float64 page `p` as 8-, 16- or 32-bit integers when every value
   * fits: an integer's own value; a float64 as an integer count of 10^-e for the least e <=
   * NARROW_MAX_DECIMALS that holds every value exactly (prices, sizes, counts; NaN, infinities
   * and -0 never narrow). Its storage then serves the next page. False, leaving it as it was,
   * otherwise.
   */
  #sealNarrow(p: Page): boolean {
    const valid = p.valid;
    const w = engineWasm();
    if (w !== null) {
      // The same loop on the engine's WebAssembly (wasm/seal-wasm.ts).
      const float = this.type === "float64";
      const d = p.data as Float64Array | BigInt64Array;
      const words = float ? null : pageWords(p);
      const r = narrowWasm(
        w,
        float ? (d as Float64Array) : null,
        words,
        valid,
        PAGE_SIZE,
        NARROW_MAX_DECIMALS,
      );
      if (r === null) return false;
      // (A copy out of the module's memory, of the width it packed them in.)
      if (r !== undefined)
        return this.#sealNarrowAs(p, r.k.slice(), float ? NARROW_SCALES[r.decimals]! : 0);
      // (undefined: the module's memory could not take the page; the loop below runs.)
    }
    const k = narrowScratch;
    let min = 0;
    let max = 0;
    let scale = 0;
    if (this.type === "float64") {
      const d = p.data as Float64Array;
      // One pass at the least power of ten that every value so far needs: a value that needs
      // more raises it, and the integers before it are scaled up to match (exact: the same
      // decimals times a power of ten). The values then read back as `k / scale` exactly.
      let e = 0;
      scale = 1;
      for (let i = 0; i < PAGE_SIZE; i++) {
        if (valid !== null && valid[i] === 0) {
          k[i] = 0;
          continue;
        }
        const v = d[i]!;
        let c = Math.round(v * scale);
        if (c / scale !== v || (c === 0 && 1 / v < 0)) {
          if (v === 0 || v !== v) return false; // -0 or NaN
          const before = scale;
          do {
            if (e === NARROW_MAX_DECIMALS) return false;
            e++;
            scale *= 10;
            c = Math.round(v * scale);
          } while (c / scale !== v);
          const f = scale / before;
          min *= f;
          max *= f;
          if (min < -0x80000000 || max > 0x7fffffff) return false;
          for (let j = 0; j < i; j++) k[j]! *= f;
        }
        // (An infinity passes the test above and fails this one.)
        if (c > 0x7fffffff || c < -0x80000000) return false;
        k[i] = c;
        if (c < min) min = c;
        else if (c > max) max = c;
      }
    } else {
      const w = pageWords(p);
      for (let i = 0; i < PAGE_SIZE; i++) {
        if (valid !== null && valid[i] === 0) {
          k[i] = 0;
          continue;
        }
        const lo = w[2 * i]!;
        if (w[2 * i + 1] !== lo >> 31) return false; // not a 32-bit integer
        k[i] = lo;
        if (lo < min) min = lo;
        else if (lo > max) max = lo;
      }
    }
    const narrow =
      min >= -0x80 && max <= 0x7f
        ? new Int8Array(PAGE_SIZE)
        : min >= -0x8000 && max <= 0x7fff
          ? new Int16Array(PAGE_SIZE)
          : new Int32Array(PAGE_SIZE);
    narrow.set(k);
    return this.#sealNarrowAs(p, narrow, scale);
  }

  /**
   * Makes `p` a sealed page of `narrow` (its values as integers in the narrowest of 8, 16 and 32
   * bits that holds them), read back as `narrow / scale` (a float64 page's) or as they are
   * (scale 0).
   */
  #sealNarrowAs(p: Page, narrow: Int8Array | Int16Array | Int32Array, scale: number): true {
    p.narrow = narrow;
    p.scale = scale;
    this.#retire(p);
    return true;
  }

  /** Turns sealed page `p` back into storage of its type, in place (no previous values kept). */
  #unseal(p: Page): void {
    const data = allocStorage(this.type, PAGE_SIZE);
    unsealInto(p, 0, p.hw, data as unknown[] | TypedStorage, 0);
    p.data = data;
    p.sealed = null;
    p.strs = null;
    p.utf8 = null;
    p.utf8Offsets = null;
    p.open = false;
    p.narrow = null;
    p.scale = 0;
  }

  /** Drops the codes of page `pi` once it is full and was not written in the cycle ending now. */
  readonly #dropCodes = (cycle: number, pi: number): void => {
    const p = this.#pages.get(pi);
    if (p === undefined || p.dict === null) this.#coded.delete(pi);
    else if (p.hw === PAGE_SIZE && cycle !== this.#tracker!.cycle) {
      p.dict = null;
      p.codes = null;
      this.#coded.delete(pi);
    }
  };

  /** Raw storage value at key (bigint, number, string or array cell), or null. */
  getRaw(key: number, prev = false): RawValue {
    const p = this.#page(Math.floor(key / PAGE_SIZE), prev);
    if (!p) return null;
    const off = (key % PAGE_SIZE) | 0;
    if (p.valid && p.valid[off] === 0) return null;
    if (p.data === SEALED) return sealedAt(p, off);
    return p.data[off]!;
  }

  /** Value at key as the API presents it (bool as boolean, char as string, arrays as is). */
  get(key: number, prev = false): Value {
    return rawToValue(this.type, this.getRaw(key, prev));
  }

  getPrev(key: number): Value {
    return this.get(key, true);
  }

  getNumber(key: number, prev = false): number | null {
    if (!this.#numeric) checkNumberType(this.type);
    const p = this.#page(Math.floor(key / PAGE_SIZE), prev);
    if (!p) return null;
    const off = (key % PAGE_SIZE) | 0;
    if (p.valid && p.valid[off] === 0) return null;
    if (p.data === SEALED) {
      const narrow = p.narrow;
      if (narrow === null) return rawToNumber(sealedAt(p, off));
      return p.scale === 0 ? narrow[off]! : narrow[off]! / p.scale;
    }
    if (this.#int64 && LITTLE_ENDIAN) {
      // The value's two 32-bit words (one rounding past 2^53), not a BigInt.
      const w = pageWords(p);
      return w[2 * off + 1]! * TWO_32 + (w[2 * off]! >>> 0);
    }
    return rawToNumber(p.data[off]!);
  }

  isNull(key: number, prev = false): boolean {
    return this.getRaw(key, prev) === null;
  }

  /** Sets one storage value (null for null; an array cell must be frozen, never mutated). */
  setRaw(key: number, v: RawValue): void {
    const pi = Math.floor(key / PAGE_SIZE);
    const off = (key % PAGE_SIZE) | 0;
    const p = this.#writable(pi, off);
    if (p.dict !== null) p.codes![off] = -1;
    if (v === null) {
      if (!p.valid) p.valid = new Uint8Array(PAGE_SIZE).fill(1);
      p.valid[off] = 0;
    } else {
      (p.data as unknown as Array<typeof v>)[off] = v;
      if (p.valid) p.valid[off] = 1;
    }
    if (off >= p.hw) p.hw = off + 1;
  }

  /**
   * Zero-copy view of keys `[start, start + length)`, which must lie within one page (see
   * `forEachSpan`). Strings are copied unless the view is a whole page.
   */
  run(start: number, length: number, prev = false): Vec {
    const pi = Math.floor(start / PAGE_SIZE);
    const off = (start - pi * PAGE_SIZE) | 0;
    const p = this.#page(pi, prev);
    if (!p) throw new RangeError(`column has no page for key ${start}`);
    let data: Storage;
    if (p.data === SEALED) {
      data = this.type === "string" ? new Array<string>(length) : allocStorage(this.type, length);
      unsealInto(p, off, length, data as unknown[] | TypedStorage, 0);
    } else if (Array.isArray(p.data)) {
      data = off === 0 && length === PAGE_SIZE ? p.data : p.data.slice(off, off + length);
    } else data = (p.data as TypedStorage).subarray(off, off + length) as TypedStorage;
    const dict = p.dict;
    return {
      data,
      valid: p.valid ? p.valid.subarray(off, off + length) : null,
      length,
      codes: dict === null ? null : p.codes!.subarray(off, off + length),
      dict,
    };
  }

  /**
   * ColumnSource: a run inside one page is a zero-copy view (strings too when `chunk` is not
   * given and the run is not a whole page: then they are copied, as `run`); anything else, and a
   * run of a sealed page when `chunk` is given, is filled into `chunk`.
   */
  getChunk(rows: ChunkKeys, prev = false, chunk?: Chunk): Vec {
    if (rows.isRun && rows.length > 0) {
      const pi = Math.floor(rows.start / PAGE_SIZE);
      const off = (rows.start - pi * PAGE_SIZE) | 0;
      if (
        off + rows.length <= PAGE_SIZE &&
        (chunk === undefined || this.#viewable(pi, off, rows, prev))
      ) {
        return this.run(rows.start, rows.length, prev);
      }
    }
    return filledChunk(this, rows, prev, chunk);
  }

  /**
   * Rows `[start, start + n)` of a string column (every key present) as UTF-8, for the Arrow IPC
   * writer: `utf8` (offsets from 0, bytes) and `valid`, with `data` holding no strings. A page
   * sealed as UTF-8 gives its bytes as they are, one copy, and a dictionary page each row's
   * bytes from its dictionary encoded once; only a page still of strings is encoded. Nulls are
   * "". So a history's snapshot makes no string a row, and decodes nothing. Null when no page of
   * the rows is sealed (or absent: it may be loaded sealed), or a page is missing (the caller
   * reads the rows as strings).
   */
  readUtf8(start: number, n: number): Vec | null {
    if (this.type !== "string") return null;
    const end = start + n;
    // Only sealed pages spare work: rows that are all strings are encoded by the writer straight
    // into its buffer (here they would be encoded, then copied).
    let sealed = false;
    for (let pi = Math.floor(start / PAGE_SIZE); pi * PAGE_SIZE < end && !sealed; pi++) {
      const p = this.#pages.get(pi);
      sealed = p === undefined || p.data === SEALED;
    }
    if (!sealed) return null;
    // Pass 1: each piece's byte length (a page of strings is encoded now, kept for pass 2).
    const pieces: Utf8Piece[] = [];
    let total = 0;
    let nulls = false;
    for (let k = start; k < end; ) {
      const pi = Math.floor(k / PAGE_SIZE);
      const off = (k - pi * PAGE_SIZE) | 0;
      const len = Math.min(PAGE_SIZE - off, end - k);
      const p = this.#page(pi, false);
      if (p === undefined || off + len > p.hw) return null;
      let piece: Utf8Piece;
      if (p.utf8 !== null) {
        const o = p.utf8Offsets!;
        piece = {
          page: p,
          off,
          len,
          bytes: p.utf8,
          offsets: o,
          base: off,
          size: o[off + len]! - o[off]!,
        };
      } else if (p.sealed !== null) {
        const d = dictUtf8(p.strs!);
        const codes = p.sealed;
        const valid = p.valid;
        const lens = d.offsets;
        let size = 0;
        for (let i = off; i < off + len; i++) {
          if (valid !== null && valid[i] === 0) continue;
          const c = codes[i]!;
          size += lens[c + 1]! - lens[c]!;
        }
        piece = { page: p, off, len, bytes: d.bytes, offsets: d.offsets, base: -1, size };
      } else {
        const view: Vec = { data: p.data, valid: p.valid, length: p.hw };
        const e = encodeUtf8(view, off, len, "");
        piece = {
          page: p,
          off,
          len,
          bytes: e.bytes,
          offsets: e.offsets,
          base: 0,
          size: e.offsets[len]!,
        };
      }
      if (p.valid !== null) nulls = true;
      total += piece.size;
      if (total > 0x7fffffff) return null;
      pieces.push(piece);
      k += len;
    }
    // Pass 2: the bytes and offsets, piece by piece.
    const bytes = new Uint8Array(total);
    const offsets = new Int32Array(n + 1);
    const valid = nulls ? new Uint8Array(n).fill(1) : null;
    let o = 0;
    let r = 0;
    for (let j = 0; j < pieces.length; j++) {
      const { page, off, len, bytes: src, offsets: so, base, size } = pieces[j]!;
      if (valid !== null && page.valid !== null) valid.set(page.valid.subarray(off, off + len), r);
      if (base >= 0) {
        // Bytes in order: one copy, and the offsets moved to where they land.
        const at = so[base]!;
        bytes.set(src.subarray(at, at + size), o);
        const shift = o - at;
        for (let i = 0; i < len; i++) offsets[r + i] = so[base + i]! + shift;
        o += size;
      } else {
        const codes = page.sealed!;
        const pv = page.valid;
        for (let i = 0; i < len; i++) {
          offsets[r + i] = o;
          if (pv !== null && pv[off + i] === 0) continue;
          const c = codes[off + i]!;
          const b = so[c]!;
          const e = so[c + 1]!;
          for (let x = b; x < e; x++) bytes[o++] = src[x]!;
        }
      }
      r += len;
    }
    offsets[n] = o;
    return { data: NO_STRINGS, valid, length: n, utf8: { offsets, bytes } };
  }

  /** Whether `run` gives a view of page `pi` for these rows (else `chunk` is filled instead). */
  #viewable(pi: number, off: number, rows: ChunkKeys, prev: boolean): boolean {
    return (
      (!(this.type === "string" || isArrayType(this.type)) ||
        (off === 0 && rows.length === PAGE_SIZE)) &&
      // A sealed page has nothing to view: its values are widened or decoded into the chunk.
      this.#page(pi, prev)?.data !== SEALED
    );
  }

  /** ColumnSource: copies the values at `rows` into `dest` at `at` (`NULL_KEY` reads as null). */
  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev = false): void {
    if (rows.isRun) {
      let start = rows.start;
      let left = rows.length;
      let to = at;
      while (left > 0) {
        const pi = Math.floor(start / PAGE_SIZE);
        const off = (start - pi * PAGE_SIZE) | 0;
        const n = Math.min(left, PAGE_SIZE - off);
        const p = this.#page(pi, prev);
        if (!p) throw new RangeError(`column has no page for key ${start}`);
        copyOut(p, off, dest, to, n);
        start += n;
        left -= n;
        to += n;
      }
      return;
    }
    const keys = rows.keys;
    const n = rows.length;
    const out = dest.data as unknown as unknown[];
    let lastPi = -1;
    let p: Page | undefined;
    let i = 0;
    while (i < n) {
      const k = keys[i]!;
      if (k < 0) {
        dest.setNull(at + i);
        if (dest.dict !== null) dest.codes![at + i] = -1;
        i++;
        continue;
      }
      const pi = Math.floor(k / PAGE_SIZE);
      if (pi !== lastPi) {
        p = this.#page(pi, prev);
        if (!p) throw new RangeError(`column has no page for key ${k}`);
        lastPi = pi;
      }
      const off = (k - pi * PAGE_SIZE) | 0;
      // A run of consecutive keys in this page: one block copy.
      let j = i + 1;
      const limit = Math.min(n, i + PAGE_SIZE - off);
      while (j < limit && keys[j] === k + (j - i)) j++;
      if (j - i >= MIN_COPY_RUN) {
        copyOut(p!, off, dest, at + i, j - i);
        i = j;
        continue;
      }
      out[at + i] = p!.data === SEALED ? sealedAt(p!, off) : p!.data[off];
      if (p!.valid && p!.valid[off] === 0) dest.setNull(at + i);
      else dest.setValid(at + i);
      if (p!.dict !== null && dest.adoptCodes(p!.dict, at + i))
        dest.codes![at + i] = p!.codes![off]!;
      else if (dest.dict !== null) dest.codes![at + i] = -1;
      i++;
    }
  }

  /** Writes `vec[from, from + length)` to keys `[start, start + length)` (any page span). */
  writeRun(start: number, vec: Vec, from = 0, length = vec.length - from): void {
    const utf8 = vec.utf8 ?? null;
    while (length > 0) {
      const pi = Math.floor(start / PAGE_SIZE);
      const off = (start - pi * PAGE_SIZE) | 0;
      const n = Math.min(length, PAGE_SIZE - off);
      if (
        utf8 !== null
          ? this.#appendUtf8(
              pi,
              off,
              utf8.bytes,
              utf8.offsets,
              vec.valid,
              from,
              n,
              utf8.ascii !== true,
            )
          : this.#utf8Pages && this.#appendStrings(pi, off, vec.data, vec.valid, from, n)
      ) {
        start += n;
        from += n;
        length -= n;
        continue;
      }
      const p = this.#writable(pi, off, n);
      if (utf8 !== null) copyInto(p, off, stringsOf(vec, from, n), 0, n);
      else copyInto(p, off, vec, from, n);
      if (off + n > p.hw) p.hw = off + n;
      if (p.dict !== null) this.#noteCoded(pi);
      if (this.#sealing) this.#noteFilled(pi, p);
      start += n;
      from += n;
      length -= n;
    }
  }

  /**
   * Copies keys `[from, from + length)` of `src` (current values; a column of the same type) to
   * keys `[start, start + length)` of this column, page to page: no intermediate chunk, no view
   * objects (the ring's and the publisher's per-cycle copy). `share`: `src` never changes (a
   * static table's column), so a typed source page that starts where an empty page of this
   * column starts is borrowed as it is, storage and validity (copied before its first write,
   * never recycled). String and array pages are copied: a borrowed JS array would stay alive into
   * the next cycle (a blink table's pages are its previous values until then), long enough for
   * the garbage collector to move it to the old generation, which made a ring fed 10,000-row
   * static tables 2-4x slower than one fed their rows as vectors.
   */
  copyRunFrom(src: PagedColumn, from: number, start: number, length: number, share = false): void {
    while (length > 0) {
      const spi = Math.floor(from / PAGE_SIZE);
      const soff = (from - spi * PAGE_SIZE) | 0;
      const pi = Math.floor(start / PAGE_SIZE);
      const off = (start - pi * PAGE_SIZE) | 0;
      const n = Math.min(length, PAGE_SIZE - soff, PAGE_SIZE - off);
      const sp = src.#page(spi, false);
      if (!sp) throw new RangeError(`column has no page for key ${from}`);
      if (share && soff === 0 && off === 0 && !Array.isArray(sp.data) && !this.#pages.has(pi)) {
        // A page of an immutable column into an empty page: borrowed as it is, not copied.
        const t = this.#tracker;
        this.#pages.set(pi, pageOf(sp.data, sp.valid, n, t ? t.cycle : 0, true, sp.codes, sp.dict));
        if (sp.dict !== null) this.#noteCoded(pi);
        start += n;
        from += n;
        length -= n;
        continue;
      }
      if (
        sp.utf8 !== null
          ? this.#appendUtf8(pi, off, sp.utf8, sp.utf8Offsets!, sp.valid, soff, n, false)
          : this.#utf8Pages && this.#appendStrings(pi, off, sp.data, sp.valid, soff, n)
      ) {
        start += n;
        from += n;
        length -= n;
        continue;
      }
      const p = this.#writable(pi, off, n);
      if (sp.data === SEALED) unsealInto(sp, soff, n, p.data as unknown[] | TypedStorage, off);
      else if (Array.isArray(sp.data)) {
        const s = sp.data;
        const d = p.data as ObjectStorage;
        for (let i = 0; i < n; i++) d[off + i] = s[soff + i]!;
      } else if (soff === 0 && n === sp.data.length)
        // A whole page, or the whole of a borrowed one (a publish's Arrow buffer): no view made.
        (p.data as TypedStorage).set(sp.data as never, off);
      else
        (p.data as TypedStorage).set(
          (sp.data as TypedStorage).subarray(soff, soff + n) as never,
          off,
        );
      copyValidity(p, off, sp.valid, soff, n);
      if (sp.dict !== null || p.dict !== null) copyCodes(p, off, sp.codes, sp.dict, soff, n);
      if (off + n > p.hw) p.hw = off + n;
      if (p.dict !== null) this.#noteCoded(pi);
      if (this.#sealing) this.#noteFilled(pi, p);
      start += n;
      from += n;
      length -= n;
    }
  }

  /**
   * The storage of keys `[start, start + length)`, which must lie within one page of a typed
   * column, to be written in place (instead of a chunk copied by `writeRun`): the page is made
   * writable as for `writeRun` (copied aside first if the cycle overwrites visible values) and
   * the keys count as written. Their validity is then set by `setRunValidity`, in the same cycle.
   */
  writableRun(start: number, length: number): TypedStorage {
    const pi = Math.floor(start / PAGE_SIZE);
    const off = (start - pi * PAGE_SIZE) | 0;
    if (off + length > PAGE_SIZE) throw new RangeError(`keys ${start} + ${length} cross a page`);
    if (this.type === "string" || isArrayType(this.type))
      throw new TypeError(`a ${this.type} column has no typed storage`);
    const p = this.#writable(pi, off, length);
    if (off + length > p.hw) p.hw = off + length;
    return (p.data as TypedStorage).subarray(off, off + length) as TypedStorage;
  }

  /**
   * Sets the validity of keys `[start, start + length)` just written through `writableRun` from
   * `valid[0, length)` (null: all valid).
   */
  setRunValidity(start: number, valid: Uint8Array | null, length: number): void {
    const pi = Math.floor(start / PAGE_SIZE);
    const off = (start - pi * PAGE_SIZE) | 0;
    const p = this.#pages.get(pi);
    if (!p) throw new RangeError(`column has no page for key ${start}`);
    copyValidity(p, off, valid, 0, length);
  }

  /**
   * Takes `vec`'s storage (and validity, if any) as the pages of keys `[0, vec.length)` of this
   * column, which must have no pages yet; the storage is `ceil(vec.length / PAGE_SIZE)` pages long
   * or exactly `vec.length` (then the last page is short: a static table from a small Arrow batch
   * holds its rows, not a page), and the validity as long as the storage. Typed storage is shared
   * as one subarray per page (no copy); string and array storage is taken whole when it is one
   * page, else cut into per-page copies. For a column built from decoded data (`fromArrowIPC`):
   * the decoder writes straight into what become the pages, or the pages are views of the Arrow
   * body. Taken pages are borrowed: copied into whole pages of their own before anything writes
   * to them, and never recycled.
   */
  takeStorage(vec: Vec): void {
    const n = vec.length;
    const pages = Math.ceil(n / PAGE_SIZE);
    const data = vec.data as Storage;
    const valid = vec.valid;
    const codes = vec.codes ?? null;
    const dict = codes === null || codes.length < data.length ? null : (vec.dict ?? null);
    if (this.#pages.size > 0 || (data.length !== pages * PAGE_SIZE && data.length !== n)) {
      throw new Error("takeStorage: the column has pages, or the storage is not page-sized");
    }
    if (valid !== null && valid.length !== data.length) {
      throw new Error("takeStorage: the validity is not as long as the storage");
    }
    const cycle = this.#tracker ? this.#tracker.cycle : 0;
    for (let pi = 0; pi < pages; pi++) {
      const lo = pi * PAGE_SIZE;
      const hi = Math.min(lo + PAGE_SIZE, data.length);
      let pd: Storage;
      if (pages === 1) pd = data;
      else if (Array.isArray(data)) pd = data.slice(lo, hi) as Storage;
      else pd = (data as TypedStorage).subarray(lo, hi) as Storage;
      const pv = valid === null ? null : pages === 1 ? valid : valid.subarray(lo, hi);
      this.#pages.set(
        pi,
        pageOf(
          pd,
          pv,
          Math.min(PAGE_SIZE, n - lo),
          cycle,
          true,
          dict === null ? null : codes!.subarray(lo, hi),
          dict,
        ),
      );
    }
  }

  /** Writes `vec[0..n)` to the given keys. */
  scatter(keys: ArrayLike<number>, n: number, vec: Vec): void {
    let lastPi = -1;
    let p: Page | undefined;
    const src = vec.data as unknown as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const pi = Math.floor(k / PAGE_SIZE);
      const off = (k - pi * PAGE_SIZE) | 0;
      if (pi !== lastPi || off < p!.hw) {
        p = this.#writable(pi, off);
        lastPi = pi;
      }
      (p!.data as unknown as unknown[])[off] = src[i];
      if (p!.dict !== null) p!.codes![off] = -1;
      if (vec.valid && vec.valid[i] === 0) {
        if (!p!.valid) p!.valid = new Uint8Array(PAGE_SIZE).fill(1);
        p!.valid[off] = 0;
      } else if (p!.valid) p!.valid[off] = 1;
      if (off >= p!.hw) p!.hw = off + 1;
    }
  }

  /**
   * Releases pages that no longer hold a live key. `touched` are the keys just removed; `live`
   * the keys still present. Released pages stay readable as previous values until cycle end.
   */
  release(touched: RowSet, live: RowSet): void {
    if (touched.isEmpty) return;
    const first = Math.floor(touched.first() / PAGE_SIZE);
    const last = Math.floor(touched.last() / PAGE_SIZE);
    if (last - first <= 2 * touched.rangeCount + 8) {
      for (let pi = first; pi <= last; pi++) this.#releasePage(pi, live);
    } else {
      let lastPi = -1;
      touched.forEachRange((s, e) => {
        for (let pi = Math.floor(s / PAGE_SIZE); pi <= Math.floor((e - 1) / PAGE_SIZE); pi++) {
          if (pi !== lastPi) this.#releasePage(pi, live);
          lastPi = pi;
        }
      });
    }
  }

  /** `release` of page `pi`, unless a key of `live` is on it. */
  #releasePage(pi: number, live: RowSet): void {
    const p = this.#pages.get(pi);
    if (!p || live.overlapsRange(pi * PAGE_SIZE, (pi + 1) * PAGE_SIZE)) return;
    if (p.log) this.#copyAside(pi, p);
    this.#pages.delete(pi);
    if (this.#tracker && !this.#prev.has(pi) && p.cycle !== this.#tracker.cycle) {
      this.#prev.set(pi, p);
      this.#markDirty();
    }
  }

  /** Drops every page (the table was closed). */
  clear(): void {
    for (const p of this.#logged) p.log = null;
    this.#logged.length = 0;
    this.#coded.clear();
    this.#codedLast = -1;
    this.#filled.length = 0;
    this.#sealStrs = [];
    this.#sealIndex = null;
    this.#xlatFrom = null;
    this.#xlatTo = null;
    this.#pages.clear();
    this.#prev.clear();
  }
}

/** Replaces a borrowed page's storage (and validity) by whole-page copies (see `takeStorage`). */
function own(type: ColumnType, p: Page): void {
  const data = allocStorage(type, PAGE_SIZE);
  if (Array.isArray(data)) {
    const src = p.data as ObjectStorage;
    for (let i = 0; i < src.length; i++) (data as ObjectStorage)[i] = src[i]!;
  } else (data as TypedStorage).set(p.data as never);
  p.data = data;
  p.words = null;
  p.borrowed = false;
  if (p.dict !== null) {
    const codes = new Int32Array(PAGE_SIZE);
    codes.set(p.codes!);
    p.codes = codes;
  } else p.codes = null;
  if (p.valid) {
    const valid = new Uint8Array(PAGE_SIZE).fill(1);
    valid.set(p.valid);
    p.valid = valid;
  }
}

function copyInto(p: Page, off: number, vec: Vec, from: number, n: number): void {
  const src = vec.data;
  if (Array.isArray(src)) {
    const dst = p.data as ObjectStorage;
    for (let i = 0; i < n; i++) dst[off + i] = src[from + i]!;
  } else {
    const s = from === 0 && n === src.length ? src : (src as TypedStorage).subarray(from, from + n);
    (p.data as TypedStorage).set(s as never, off);
  }
  copyValidity(p, off, vec.valid, from, n);
  const dict = vec.dict ?? null;
  if (dict !== null || p.dict !== null) copyCodes(p, off, vec.codes ?? null, dict, from, n);
}

/**
 * Sets page slots `[off, off + n)`'s codes from `codes[from, from + n)` of dictionary `dict`
 * (null: none), just written: copied if the page's dictionary is `dict`, or becomes it (the page
 * has no codes, or every slot written so far is among these); otherwise unknown (-1).
 */
function copyCodes(
  p: Page,
  off: number,
  codes: Int32Array | null,
  dict: StringDict | null,
  from: number,
  n: number,
): void {
  if (dict !== null && codes !== null && p.dict !== dict) {
    if (p.dict === null || (off === 0 && n >= p.hw)) {
      if (p.codes === null || p.codes.length < PAGE_SIZE) p.codes = new Int32Array(PAGE_SIZE);
      p.codes.fill(-1);
      p.dict = dict;
    }
  }
  if (p.dict === null) return;
  if (p.dict === dict) p.codes!.set(codes!.subarray(from, from + n), off);
  else p.codes!.fill(-1, off, off + n);
}

/** Sets page slots `[off, off + n)` valid where `valid[from, from + n)` is (null: all valid). */
function copyValidity(
  p: Page,
  off: number,
  valid: Uint8Array | null,
  from: number,
  n: number,
): void {
  if (valid) {
    if (!p.valid) {
      // Allocate the mask only if a null is actually written.
      let anyNull = false;
      for (let i = 0; i < n; i++) {
        if (valid[from + i] === 0) {
          anyNull = true;
          break;
        }
      }
      if (!anyNull) return;
      p.valid = new Uint8Array(PAGE_SIZE).fill(1);
    }
    p.valid.set(valid.subarray(from, from + n), off);
  } else if (p.valid) p.valid.fill(1, off, off + n);
}

/** Copies page slots `[off, off + n)` into `dest` at `at`. */
function copyOut(p: Page, off: number, dest: Chunk, at: number, n: number): void {
  if (p.data === SEALED) unsealInto(p, off, n, dest.data as unknown[] | TypedStorage, at);
  else if (Array.isArray(p.data)) {
    const d = dest.data as ObjectStorage;
    const src = p.data;
    for (let i = 0; i < n; i++) d[at + i] = src[off + i]!;
  } else {
    (dest.data as TypedStorage).set((p.data as TypedStorage).subarray(off, off + n) as never, at);
  }
  dest.copyValidity(at, p.valid, off, n);
  if (p.dict !== null && dest.adoptCodes(p.dict, at))
    dest.codes!.set(p.codes!.subarray(off, off + n), at);
  else dest.clearCodes(at, n);
}

/**
 * The PagedColumn behind `source`: for code that writes to, persists or evicts a table's own
 * storage (sources, rings, histories). Throws if the column is a view over another table's.
 */
export function asPagedColumn(source: ColumnSource): PagedColumn {
  if (source instanceof PagedColumn) return source;
  throw new TypeError(`expected a column that owns its pages, got a view of type ${source.type}`);
}
