/**
 * TableKey and TableLocationKey: the identifiers a Table Data Service backend understands (seed
 * 001). Users extend them with `hashCode()`, `equals()` and `toString()`; equal keys must have the
 * same hash code, because every map the service keeps buckets keys by `hashCode()` and compares
 * them with `equals()` within a bucket (see keyed-map.ts). `toString()` names the key in errors.
 */

/** What the service needs of a key: a hash, an equality consistent with it, and a name. */
export interface Hashable {
  /** A 32-bit (or any finite) number; `a.equals(b)` must imply `a.hashCode() === b.hashCode()`. */
  hashCode(): number;
  equals(other: unknown): boolean;
  toString(): string;
}

/**
 * Identifies a table for a backend. Extend it:
 *
 * @example
 * class MyTableKey extends TableKey {
 *   readonly name: string;
 *   constructor(name: string) { super(); this.name = name; }
 *   hashCode() { return hashString(this.name); }
 *   equals(o: unknown) { return o instanceof MyTableKey && o.name === this.name; }
 *   toString() { return `MyTableKey{${this.name}}`; }
 * }
 */
export abstract class TableKey implements Hashable {
  abstract hashCode(): number;
  abstract equals(other: unknown): boolean;
  abstract toString(): string;
}

/** Identifies one location (a partition, a file, a shard) of a table. Extend it like TableKey. */
export abstract class TableLocationKey implements Hashable {
  abstract hashCode(): number;
  abstract equals(other: unknown): boolean;
  abstract toString(): string;
}

/** Java's `String.hashCode`: a 32-bit hash of the UTF-16 code units, for `hashCode()` methods. */
export function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

const STRING_KEY = Symbol.for("tickflare.tds.StringTableKey");
const STRING_LOCATION = Symbol.for("tickflare.tds.StringTableLocationKey");

/** A TableKey that is just a name (`StringTableKey{trades}`); equal when the names are. */
export class StringTableKey extends TableKey {
  readonly name: string;
  constructor(name: string) {
    super();
    this.name = name;
    (this as unknown as Record<symbol, boolean>)[STRING_KEY] = true;
  }
  hashCode(): number {
    return hashString(this.name);
  }
  equals(other: unknown): boolean {
    return isBranded(other, STRING_KEY) && (other as StringTableKey).name === this.name;
  }
  toString(): string {
    return `StringTableKey{${this.name}}`;
  }
}

/** A TableLocationKey that is just a name (e.g. `Ticker=GOOG/Exchange=NYSE`). */
export class StringTableLocationKey extends TableLocationKey {
  readonly name: string;
  constructor(name: string) {
    super();
    this.name = name;
    (this as unknown as Record<symbol, boolean>)[STRING_LOCATION] = true;
  }
  hashCode(): number {
    return hashString(this.name);
  }
  equals(other: unknown): boolean {
    return (
      isBranded(other, STRING_LOCATION) && (other as StringTableLocationKey).name === this.name
    );
  }
  toString(): string {
    return `StringTableLocationKey{${this.name}}`;
  }
}

// Brand checks instead of instanceof: the engine may be loaded twice (worker bundle + tests).
function isBranded(x: unknown, brand: symbol): boolean {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[brand] === true;
}
