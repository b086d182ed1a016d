/**
 * KeyedMap / KeyedSet: maps and sets over user keys that define `hashCode()` and `equals()`
 * (TableKey, TableLocationKey). Entries are bucketed by `hashCode()` and matched with `equals()`
 * within a bucket, so keys that collide still stay distinct and equal keys always meet. Iteration
 * follows insertion order. Every map the Table Data Service keeps is one of these.
 */
import { ArgumentError } from "../errors.ts";
import type { Hashable } from "./table-key.ts";

interface Entry<K, V> {
  readonly key: K;
  value: V;
}

/** The hash of `key`, checked: a key without `hashCode`/`equals`, or a non-finite hash, throws. */
export function hashOf(key: Hashable): number {
  if (
    key === null ||
    typeof key !== "object" ||
    typeof key.hashCode !== "function" ||
    typeof key.equals !== "function"
  ) {
    throw new ArgumentError(
      `Expected a key with hashCode() and equals() (a TableKey or TableLocationKey), got ${describe(key)}`,
    );
  }
  const h = key.hashCode();
  if (typeof h !== "number" || !Number.isFinite(h)) {
    throw new ArgumentError(`${String(key)}.hashCode() returned ${String(h)}; expected a number`);
  }
  return h;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return `${typeof x} ${String(x)}`;
  return String(x);
}

export class KeyedMap<K extends Hashable, V> {
  readonly #buckets = new Map<number, Entry<K, V>[]>();
  // A Set keeps insertion order and deletes in O(1).
  readonly #order = new Set<Entry<K, V>>();

  get size(): number {
    return this.#order.size;
  }

  #find(key: K): Entry<K, V> | undefined {
    const bucket = this.#buckets.get(hashOf(key));
    if (!bucket) return undefined;
    for (const e of bucket) if (e.key === key || key.equals(e.key)) return e;
    return undefined;
  }

  get(key: K): V | undefined {
    return this.#find(key)?.value;
  }

  has(key: K): boolean {
    return this.#find(key) !== undefined;
  }

  /** The key stored for `key` (the first one set), or undefined. */
  storedKey(key: K): K | undefined {
    return this.#find(key)?.key;
  }

  set(key: K, value: V): this {
    const e = this.#find(key);
    if (e) {
      e.value = value;
      return this;
    }
    const h = hashOf(key);
    const entry = { key, value };
    const bucket = this.#buckets.get(h);
    if (bucket) bucket.push(entry);
    else this.#buckets.set(h, [entry]);
    this.#order.add(entry);
    return this;
  }

  delete(key: K): boolean {
    const h = hashOf(key);
    const bucket = this.#buckets.get(h);
    if (!bucket) return false;
    const i = bucket.findIndex((e) => e.key === key || key.equals(e.key));
    if (i < 0) return false;
    const [e] = bucket.splice(i, 1);
    if (bucket.length === 0) this.#buckets.delete(h);
    this.#order.delete(e!);
    return true;
  }

  clear(): void {
    this.#buckets.clear();
    this.#order.clear();
  }

  *entries(): IterableIterator<[K, V]> {
    for (const e of this.#order) yield [e.key, e.value];
  }
  *keys(): IterableIterator<K> {
    for (const e of this.#order) yield e.key;
  }
  *values(): IterableIterator<V> {
    for (const e of this.#order) yield e.value;
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

export class KeyedSet<K extends Hashable> {
  readonly #map = new KeyedMap<K, true>();

  get size(): number {
    return this.#map.size;
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  /** Adds `key`; returns false if an equal key was already present. */
  add(key: K): boolean {
    if (this.#map.has(key)) return false;
    this.#map.set(key, true);
    return true;
  }
  delete(key: K): boolean {
    return this.#map.delete(key);
  }
  clear(): void {
    this.#map.clear();
  }
  values(): IterableIterator<K> {
    return this.#map.keys();
  }
  [Symbol.iterator](): IterableIterator<K> {
    return this.#map.keys();
  }
}
