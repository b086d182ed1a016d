/** KeyedMap / KeyedSet and the key base classes: equal keys meet, colliding hashes stay apart. */
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  hashString,
  InMemoryBackend,
  intCol,
  KeyedMap,
  KeyedSet,
  newTable,
  StringTableKey,
  StringTableLocationKey,
  TableDataService,
  TableKey,
  TableLocationKey,
} from "../../../src/engine/index.ts";

/** Every key hashes to `hash`: all collide. */
class Colliding extends TableKey {
  readonly name: string;
  readonly hash: number;
  constructor(name: string, hash = 7) {
    super();
    this.name = name;
    this.hash = hash;
  }
  hashCode(): number {
    return this.hash;
  }
  equals(o: unknown): boolean {
    return o instanceof Colliding && o.name === this.name;
  }
  toString(): string {
    return `Colliding{${this.name}}`;
  }
}

class CollidingLocation extends TableLocationKey {
  readonly name: string;
  constructor(name: string) {
    super();
    this.name = name;
  }
  hashCode(): number {
    return 0;
  }
  equals(o: unknown): boolean {
    return o instanceof CollidingLocation && o.name === this.name;
  }
  toString(): string {
    return `CollidingLocation{${this.name}}`;
  }
}

describe("KeyedMap", () => {
  it("keeps keys with colliding hash codes apart and finds equal keys", () => {
    const m = new KeyedMap<Colliding, number>();
    m.set(new Colliding("a"), 1);
    m.set(new Colliding("b"), 2);
    m.set(new Colliding("c"), 3);
    expect(m.size).toBe(3);
    expect(m.get(new Colliding("a"))).toBe(1);
    expect(m.get(new Colliding("b"))).toBe(2);
    expect(m.get(new Colliding("z"))).toBeUndefined();
    m.set(new Colliding("b"), 20);
    expect(m.size).toBe(3);
    expect(m.get(new Colliding("b"))).toBe(20);
    expect(m.delete(new Colliding("b"))).toBe(true);
    expect(m.delete(new Colliding("b"))).toBe(false);
    expect(m.has(new Colliding("a"))).toBe(true);
    expect(m.has(new Colliding("c"))).toBe(true);
    expect([...m.keys()].map((k) => k.name)).toEqual(["a", "c"]);
  });

  it("keeps the first key stored and iterates in insertion order", () => {
    const m = new KeyedMap<Colliding, string>();
    const first = new Colliding("x", 1);
    m.set(first, "1");
    m.set(new Colliding("y", 2), "2");
    m.set(new Colliding("x", 1), "3");
    expect(m.storedKey(new Colliding("x", 1))).toBe(first);
    expect([...m.entries()].map(([k, v]) => `${k.name}=${v}`)).toEqual(["x=3", "y=2"]);
    expect([...m.values()]).toEqual(["3", "2"]);
    m.clear();
    expect(m.size).toBe(0);
  });

  it("rejects keys without hashCode/equals and non-numeric hashes", () => {
    const m = new KeyedMap<Colliding, number>();
    expect(() => m.set({} as never, 1)).toThrow(ArgumentError);
    expect(() => m.get("k" as never)).toThrow(/Expected a key with hashCode\(\) and equals\(\)/);
    expect(() => m.set(new Colliding("n", Number.NaN), 1)).toThrow(
      "Colliding{n}.hashCode() returned NaN; expected a number",
    );
  });
});

describe("KeyedSet", () => {
  it("adds each equal key once", () => {
    const s = new KeyedSet<CollidingLocation>();
    expect(s.add(new CollidingLocation("a"))).toBe(true);
    expect(s.add(new CollidingLocation("a"))).toBe(false);
    expect(s.add(new CollidingLocation("b"))).toBe(true);
    expect(s.size).toBe(2);
    expect(s.delete(new CollidingLocation("a"))).toBe(true);
    expect([...s].map((k) => k.name)).toEqual(["b"]);
  });
});

describe("keys", () => {
  it("hashString is Java's String.hashCode", () => {
    expect(hashString("")).toBe(0);
    expect(hashString("a")).toBe(97);
    expect(hashString("hello")).toBe(99162322);
    expect(hashString("the quick brown fox")).toBe(1302335171);
    expect(hashString("polygenelubricants")).toBe(-2147483648);
  });

  it("StringTableKey and StringTableLocationKey compare by name and kind", () => {
    const a = new StringTableKey("x");
    expect(a.equals(new StringTableKey("x"))).toBe(true);
    expect(a.equals(new StringTableKey("y"))).toBe(false);
    expect(a.equals(new StringTableLocationKey("x"))).toBe(false);
    expect(a.hashCode()).toBe(new StringTableKey("x").hashCode());
    expect(String(a)).toBe("StringTableKey{x}");
    expect(String(new StringTableLocationKey("p=1"))).toBe("StringTableLocationKey{p=1}");
  });

  it("the service and the backend keep colliding table and location keys apart", async () => {
    const backend = new InMemoryBackend();
    const schema = newTable([intCol("X", [])]).toArrow().schema;
    for (const name of ["a", "b"]) {
      const k = new Colliding(name);
      backend.addTable(k, schema);
      backend.addLocation(
        k,
        new CollidingLocation("1"),
        null,
        newTable([intCol("X", [name === "a" ? 1 : 2])]).toArrow(),
      );
      backend.addLocation(
        k,
        new CollidingLocation("2"),
        null,
        newTable([intCol("X", [name === "a" ? 10 : 20])]).toArrow(),
      );
    }
    const svc = new TableDataService(backend);
    const a = await svc.makeTable(new Colliding("a"));
    const b = await svc.makeTable(new Colliding("b"));
    expect(a.toRows()).toEqual([{ X: 1 }, { X: 10 }]);
    expect(b.toRows()).toEqual([{ X: 2 }, { X: 20 }]);
  });

  it("makeTable rejects a key without hashCode/equals", async () => {
    const svc = new TableDataService(new InMemoryBackend());
    await expect(svc.makeTable({} as never)).rejects.toThrow(ArgumentError);
  });
});

describe("TableDataService options", () => {
  it("rejects a backend that lacks methods and a bad page size", () => {
    expect(() => new TableDataService({} as never)).toThrow(
      "TableDataService: the backend lacks the method(s) tableSchema, tableLocations, tableLocationSize, columnValues, subscribeToTableLocations, subscribeToTableLocationSize",
    );
    expect(() => new TableDataService(new InMemoryBackend(), { pageSize: 0 })).toThrow(
      "TableDataService: pageSize must be a positive integer up to 2^31, got 0",
    );
    expect(() => new TableDataService(new InMemoryBackend(), { pageSize: 1.5 })).toThrow(
      ArgumentError,
    );
  });
});
