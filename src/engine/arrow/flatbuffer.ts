/**
 * A bounds-checking walk over one flatbuffer (the metadata of an Arrow IPC message), used before
 * apache-arrow decodes it. apache-arrow's flatbuffer accessors trust every offset and vector
 * length: one flipped bit in a vector length makes it loop billions of times (the object runs out
 * of memory), and an offset pointing back at its own table recurses without end. Each table, vector
 * and string read here must lie inside the buffer, and the walk visits at most one table per four
 * bytes of the buffer, so cycles and shared subtrees are rejected rather than followed.
 */

const UTF8 = new TextDecoder();

/** A flatbuffer that is not well formed; `message` says where. */
export class FlatbufferFault extends Error {}

export class FlatbufferView {
  #dv: DataView;
  #start: number;
  #end: number;
  #budget: number;
  /** The length of the vector `vectorAt` found last. */
  count = 0;

  /** The flatbuffer in bytes `[start, end)` of `dv`. */
  constructor(dv: DataView, start: number, end: number) {
    this.#dv = dv;
    this.#start = start;
    this.#end = end;
    this.#budget = Math.floor((end - start) / 4);
  }

  /** This view, now of bytes `[start, end)` of `dv` (a reader walking message after message). */
  reset(dv: DataView, start: number, end: number): this {
    this.#dv = dv;
    this.#start = start;
    this.#end = end;
    this.#budget = Math.floor((end - start) / 4);
    return this;
  }

  /**
   * Checks that bytes `[pos, pos + size)` lie in the buffer. The name of what is read there is
   * built only for the error (`vtable`: "the vtable of" it; `k` >= 0: its element `k`), so that a
   * sound buffer is walked without making a string.
   */
  #in(pos: number, size: number, what: string, k = -1, vtable = false): void {
    if (!(pos >= this.#start && pos + size <= this.#end)) {
      throw new FlatbufferFault(
        `${nameOf(what, k, vtable)} at byte ${pos - this.#start} lies outside its ${this.#end - this.#start} bytes`,
      );
    }
  }

  /** The flatbuffer's bytes (a view). */
  bytes(): Uint8Array {
    const dv = this.#dv;
    return new Uint8Array(dv.buffer, dv.byteOffset + this.#start, this.#end - this.#start);
  }

  /** The root table's position. */
  root(): number {
    this.#in(this.#start, 4, "the root offset");
    return this.#table(this.#start + this.#dv.getUint32(this.#start, true), "the root table");
  }

  #table(pos: number, what: string, k = -1): number {
    if (--this.#budget < 0)
      throw new FlatbufferFault(`${nameOf(what, k, false)}: more tables than its bytes hold`);
    this.#in(pos, 4, what, k);
    const vtable = pos - this.#dv.getInt32(pos, true);
    this.#in(vtable, 4, what, k, true);
    const size = this.#dv.getUint16(vtable, true);
    if (size < 4 || (size & 1) !== 0)
      throw new FlatbufferFault(`${nameOf(what, k, true)} is malformed`);
    this.#in(vtable, size, what, k, true);
    this.#in(pos, this.#dv.getUint16(vtable + 2, true), what, k);
    return pos;
  }

  /** Position of field `i` of `table` (`size` bytes), or 0 when the field is absent. */
  #field(table: number, i: number, size: number, what: string): number {
    const vtable = table - this.#dv.getInt32(table, true);
    const slot = 4 + 2 * i;
    if (slot + 2 > this.#dv.getUint16(vtable, true)) return 0;
    const at = this.#dv.getUint16(vtable + slot, true);
    if (at === 0) return 0;
    this.#in(table + at, size, what);
    return table + at;
  }

  /** Scalar fields (the default when absent). */
  u8(table: number, i: number, what: string): number {
    const at = this.#field(table, i, 1, what);
    return at === 0 ? 0 : this.#dv.getUint8(at);
  }
  i16(table: number, i: number, what: string, dflt = 0): number {
    const at = this.#field(table, i, 2, what);
    return at === 0 ? dflt : this.#dv.getInt16(at, true);
  }
  i32(table: number, i: number, what: string): number {
    const at = this.#field(table, i, 4, what);
    return at === 0 ? 0 : this.#dv.getInt32(at, true);
  }
  /**
   * An int64 field as a number (no BigInt made): exact within +-2^53, beyond that a number of the
   * same sign and at least that size (no length, offset or id a body can hold comes near it).
   */
  i64(table: number, i: number, what: string): number {
    const at = this.#field(table, i, 8, what);
    return at === 0 ? 0 : this.int64At(at);
  }

  #ref(table: number, i: number, what: string): number {
    const at = this.#field(table, i, 4, what);
    return at === 0 ? 0 : at + this.#dv.getUint32(at, true);
  }

  /** A table field's position, or 0 when absent. */
  table(table: number, i: number, what: string): number {
    const at = this.#ref(table, i, what);
    return at === 0 ? 0 : this.#table(at, what);
  }

  /** A vector field of `elementSize`-byte elements: where its first element is, and how many. */
  vector(table: number, i: number, elementSize: number, what: string): { at: number; n: number } {
    const at = this.vectorAt(table, i, elementSize, what);
    return { at, n: this.count };
  }

  /**
   * `vector` without an object: where the first element is (0 when the field is absent); how
   * many are left in `count` (until the next call).
   */
  vectorAt(table: number, i: number, elementSize: number, what: string): number {
    const at = this.#ref(table, i, what);
    if (at === 0) {
      this.count = 0;
      return 0;
    }
    this.#in(at, 4, what);
    const n = this.#dv.getUint32(at, true);
    if (n > (this.#end - at - 4) / elementSize) {
      throw new FlatbufferFault(`${what} says it has ${n} entries, more than its bytes hold`);
    }
    this.count = n;
    return at + 4;
  }

  /** A string field (checked like a vector of bytes). */
  string(table: number, i: number, what: string): void {
    this.vectorAt(table, i, 1, what);
  }

  /** Table `k` of the vector of tables that `vectorAt(..., 4, what)` put at `at` (as `tables`). */
  tableAt(at: number, k: number, what: string): number {
    const p = at + 4 * k;
    return this.#table(p + this.#dv.getUint32(p, true), what, k);
  }

  /** A string field's text ("" when absent); short ASCII without a TextDecoder call. */
  text(table: number, i: number, what: string): string {
    const { at, n } = this.vector(table, i, 1, what);
    const dv = this.#dv;
    if (n <= 64) {
      let s = "";
      let k = 0;
      for (; k < n; k++) {
        const c = dv.getUint8(at + k);
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (k === n) return s;
    }
    return UTF8.decode(new Uint8Array(dv.buffer, dv.byteOffset + at, n));
  }

  /** The tables of a vector-of-tables field. */
  tables(table: number, i: number, what: string): number[] {
    const { at, n } = this.vector(table, i, 4, what);
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = at + 4 * k;
      out.push(this.#table(p + this.#dv.getUint32(p, true), what, k));
    }
    return out;
  }

  /** An int64 at an absolute position (inside a struct vector already checked), as `i64`. */
  int64At(pos: number): number {
    const dv = this.#dv;
    const hi = dv.getInt32(pos + 4, true);
    const lo = dv.getUint32(pos, true);
    // A value under 2^32 as `lo` itself: V8 keeps any product with 2^32 a heap number, and a
    // batch's length or a buffer's offset made so spreads into every row key and page offset
    // computed from it (a fresh ring + group-by run took 8 % longer).
    return hi === 0 ? lo : hi * 4294967296 + lo;
  }

  /** The exact int64 at an absolute position (for an error message). */
  int64Exact(pos: number): bigint {
    return this.#dv.getBigInt64(pos, true);
  }

  /** The exact value of int64 field `i` of `table` (for an error message). */
  i64Exact(table: number, i: number, what: string): bigint {
    const at = this.#field(table, i, 8, what);
    return at === 0 ? 0n : this.#dv.getBigInt64(at, true);
  }

  /** True when the flatbuffer's bytes are those of `b` (compared in place, no view made). */
  sameBytesAs(b: Uint8Array): boolean {
    const n = this.#end - this.#start;
    if (b.byteLength !== n) return false;
    const dv = this.#dv;
    const at = this.#start;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      if (
        dv.getInt32(at + i, true) !==
        (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24))
      )
        return false;
    }
    for (; i < n; i++) if (dv.getUint8(at + i) !== b[i]) return false;
    return true;
  }
}

/** The name an error gives what was read: `what`, its element `k` (if >= 0), or their vtable. */
function nameOf(what: string, k: number, vtable: boolean): string {
  const name = k >= 0 ? `${what}[${k}]` : what;
  return vtable ? `the vtable of ${name}` : name;
}
