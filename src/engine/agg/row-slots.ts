/**
 * RowSlots: the group slot of every live parent row, remembered when the row is added, so the
 * aggregation finds the group of a removed row (a ring's evictions, a table's deletes) or of a
 * modified row (its previous key) without hashing its key again, which is what Deephaven's
 * incremental by-operators get from their per-row state.
 *
 * Storage: one Int32Array page per PAGE_SIZE parent row keys that hold a live row (the pages
 * the parent's spans already fall in), 4 bytes per key of such a page (-1: no live row), a page
 * released when its last row goes. A ring of 100,000 rows costs ~26 pages (≈ 420 KB). Parents
 * whose keys are sparse (a refreshing sort spreads its keys over the key space) would spend a
 * page per row: once the pages hold more than 16 keys per live row (and more than 2 pages), the
 * memory is dropped for good and the aggregation hashes previous keys instead (`active` false).
 */
import { PAGE_SIZE } from "../column.ts";
import type { Span } from "../spans.ts";

/** Pages allowed regardless of density (a small table straddling a page boundary). */
const FREE_PAGES = 2;
/** Keys per live row above which the parent's keys count as sparse. */
const MAX_KEYS_PER_ROW = 16;

interface SlotPage {
  readonly slots: Int32Array;
  /** Live rows in the page. */
  live: number;
}

export class RowSlots {
  readonly #pages = new Map<number, SlotPage>();
  /** One released page kept for reuse (a ring frees and takes one page per PAGE_SIZE rows). */
  #spare: SlotPage | null = null;
  #live = 0;
  #active = true;

  /** False once the parent's keys proved sparse: callers must hash previous keys instead. */
  get active(): boolean {
    return this.#active;
  }

  /** Remembers `slots[0..n)` as the slots of the span's rows, which were not live. */
  add(span: Span, slots: Int32Array): void {
    const n = span.length;
    this.#live += n;
    if (span.isRun) {
      const pi = Math.floor(span.start / PAGE_SIZE);
      const p = this.#page(pi, true)!;
      const dst = p.slots;
      const off = (span.start - pi * PAGE_SIZE) | 0;
      for (let i = 0; i < n; i++) dst[off + i] = slots[i]!;
      p.live += n;
      return;
    }
    const keys = span.keys;
    let pi = -1;
    let p: SlotPage | undefined;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const kp = Math.floor(k / PAGE_SIZE);
      if (kp !== pi) {
        pi = kp;
        p = this.#page(kp, true)!;
      }
      p!.slots[k - kp * PAGE_SIZE] = slots[i]!;
      p!.live++;
    }
  }

  /**
   * Fills `out[0..n)` with the remembered slots of the span's rows; `release`: the rows leave
   * (removed), so their entries and emptied pages are freed.
   */
  get(span: Span, out: Int32Array, release: boolean): void {
    const n = span.length;
    if (span.isRun) {
      const pi = Math.floor(span.start / PAGE_SIZE);
      const p = this.#page(pi, false);
      const off = (span.start - pi * PAGE_SIZE) | 0;
      if (p === undefined) throw missing(span.start);
      const src = p.slots;
      for (let i = 0; i < n; i++) {
        const s = src[off + i]!;
        if (s < 0) throw missing(span.start + i);
        out[i] = s;
      }
      if (release) {
        src.fill(-1, off, off + n);
        this.#drop(pi, p, n);
      }
      return;
    }
    const keys = span.keys;
    let pi = -1;
    let p: SlotPage | undefined;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const kp = Math.floor(k / PAGE_SIZE);
      if (kp !== pi) {
        if (release && p !== undefined && p.live === 0) this.#free(pi, p);
        pi = kp;
        p = this.#page(kp, false);
        if (p === undefined) throw missing(k);
      }
      const off = k - kp * PAGE_SIZE;
      const s = p!.slots[off]!;
      if (s < 0) throw missing(k);
      out[i] = s;
      if (release) {
        p!.slots[off] = -1;
        p!.live--;
        this.#live--;
      }
    }
    if (release && p !== undefined && p.live === 0) this.#free(pi, p);
  }

  /** Overwrites the remembered slots of the span's (live) rows with `slots[0..n)`. */
  set(span: Span, slots: Int32Array): void {
    const n = span.length;
    if (span.isRun) {
      const pi = Math.floor(span.start / PAGE_SIZE);
      const p = this.#page(pi, false);
      if (p === undefined) throw missing(span.start);
      const dst = p.slots;
      const off = (span.start - pi * PAGE_SIZE) | 0;
      for (let i = 0; i < n; i++) dst[off + i] = slots[i]!;
      return;
    }
    const keys = span.keys;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const kp = Math.floor(k / PAGE_SIZE);
      const p = this.#page(kp, false);
      if (p === undefined) throw missing(k);
      p.slots[k - kp * PAGE_SIZE] = slots[i]!;
    }
  }

  /**
   * Called after a cycle's rows were added: drops the memory for good if the parent's keys are
   * sparse (see the module comment). Returns `active`.
   */
  checkDensity(): boolean {
    const pages = this.#pages.size;
    if (pages > FREE_PAGES && pages * PAGE_SIZE > MAX_KEYS_PER_ROW * this.#live) {
      this.#pages.clear();
      this.#spare = null;
      this.#live = 0;
      this.#active = false;
    }
    return this.#active;
  }

  /** Bytes held (pages and the spare), for docs and tests. */
  get bytes(): number {
    return (this.#pages.size + (this.#spare ? 1 : 0)) * PAGE_SIZE * 4;
  }

  #page(pi: number, create: boolean): SlotPage | undefined {
    let p = this.#pages.get(pi);
    if (p === undefined && create) {
      p = this.#spare ?? { slots: new Int32Array(PAGE_SIZE).fill(-1), live: 0 };
      this.#spare = null;
      this.#pages.set(pi, p);
    }
    return p;
  }

  #drop(pi: number, p: SlotPage, n: number): void {
    p.live -= n;
    this.#live -= n;
    if (p.live === 0) this.#free(pi, p);
  }

  /** Releases an emptied page (every entry is -1 again), keeping it as the spare. */
  #free(pi: number, p: SlotPage): void {
    this.#pages.delete(pi);
    this.#spare = p;
  }
}

function missing(key: number): Error {
  return new Error(
    `aggregation: parent row ${key} was removed or modified but never added (or already removed)`,
  );
}
