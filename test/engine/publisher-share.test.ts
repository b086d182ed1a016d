/**
 * A publisher given static tables takes their page-aligned pages without copying them
 * (PagedColumn.copyRunFrom with `share`): the blink table reads the right values, previous values
 * stay readable in the next cycle, a second batch in the same page copies the page first, and
 * neither later cycles nor the ring and history fed from the blink table ever write into the
 * published table's storage.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  longCol,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { RowSet } from "../../src/engine/row-set.ts";

const batch = (n: number, base: number) =>
  newTable([
    stringCol(
      "S",
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `s${base + i}`)),
    ),
    doubleCol(
      "D",
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : base + i / 2)),
    ),
    longCol(
      "L",
      Array.from({ length: n }, (_, i) => BigInt(base + i)),
    ),
  ]);

const rowsOf = (n: number, base: number) =>
  Array.from({ length: n }, (_, i) => ({
    S: i % 5 === 0 ? null : `s${base + i}`,
    D: i % 7 === 0 ? null : base + i / 2,
    L: BigInt(base + i),
  }));

describe("publisher: static tables' pages shared, not copied", () => {
  it("blink rows, previous values, a second batch in the page, and the tables left intact", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { S: "string", D: "float64", L: "int64" },
    });
    const ring = ringTable(blink, 5000);
    const history = blinkToAppendOnly(blink);
    const prevSeen: unknown[] = [];
    blink.listen((u) => {
      if (!u.removed.isEmpty) prevSeen.push(blink.column("L").getPrev(u.removed.first()));
    });
    const a = batch(1000, 0);
    const b = batch(1000, 10_000);
    const c = batch(PAGE_SIZE + 10, 20_000);
    pub.add(a);
    await g.runCycle();
    expect(blink.toRows()).toEqual(rowsOf(1000, 0));
    pub.add(b);
    pub.add(a); // lands at key 1000, inside the page taken from b: that page is copied first
    await g.runCycle();
    expect(blink.toRows()).toEqual([...rowsOf(1000, 10_000), ...rowsOf(1000, 0)]);
    pub.add(c); // one whole page and 10 rows of the next
    await g.runCycle();
    expect(blink.toRows()).toEqual(rowsOf(PAGE_SIZE + 10, 20_000));
    const fed = [...rowsOf(1000, 10_000), ...rowsOf(1000, 0), ...rowsOf(PAGE_SIZE + 10, 20_000)];
    for (let k = 0; k < 6; k++) {
      pub.add(k % 2 === 0 ? a : b);
      fed.push(...(k % 2 === 0 ? rowsOf(1000, 0) : rowsOf(1000, 10_000)));
      await g.runCycle();
    }
    // Rows starting inside a page: page 1 is a new page of the blink table's own (recycled
    // pages must never be storage shared earlier).
    for (let k = 0; k < 3; k++) {
      pub.add(a);
      pub.add(c);
      fed.push(...rowsOf(1000, 0), ...rowsOf(PAGE_SIZE + 10, 20_000));
      await g.runCycle();
      expect(blink.toRows()).toEqual([...rowsOf(1000, 0), ...rowsOf(PAGE_SIZE + 10, 20_000)]);
    }
    // Previous values of the removed rows were the last cycle's rows.
    expect(prevSeen.slice(0, 3)).toEqual([0n, 10_000n, 20_000n]);
    // The published tables are unchanged after their pages were shared, released and the
    // blink table's pages recycled.
    expect(a.toRows()).toEqual(rowsOf(1000, 0));
    expect(b.toRows()).toEqual(rowsOf(1000, 10_000));
    expect(c.toRows()).toEqual(rowsOf(PAGE_SIZE + 10, 20_000));
    expect(history.size).toBe(1000 + fed.length);
    expect(ring.toRows()).toEqual(fed.slice(-5000));
  });

  it("shares typed pages but copies string pages (a borrowed JS array would live on into the next cycle)", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { S: "string", D: "float64", L: "int64" },
    });
    const t = batch(PAGE_SIZE, 0);
    pub.add(t);
    await g.runCycle();
    const page = (table: typeof t, name: string) =>
      (table.column(name) as PagedColumn).run(0, PAGE_SIZE).data as ArrayBufferView | string[];
    const shared = (name: string) => {
      const mine = page(blink, name);
      const theirs = page(t, name);
      return Array.isArray(mine)
        ? mine === theirs
        : (mine as ArrayBufferView).buffer === (theirs as ArrayBufferView).buffer;
    };
    expect([shared("S"), shared("D"), shared("L")]).toEqual([false, true, true]);
    expect(blink.toRows()).toEqual(rowsOf(PAGE_SIZE, 0));
  });

  it("a shared page written over in a later cycle is copied first and kept as previous values", () => {
    let cycle = 1;
    const dirty: { endCycle(): void }[] = [];
    const tracker = {
      get cycle() {
        return cycle;
      },
      markDirty: (c: { endCycle(): void }) => dirty.push(c),
    };
    const src = new PagedColumn("float64");
    src.writeRun(0, { data: Float64Array.of(1, 2, 3), valid: null, length: 3 });
    const dst = new PagedColumn("float64", tracker);
    dst.copyRunFrom(src, 0, 0, 3, true);
    for (const c of dirty.splice(0)) c.endCycle();
    cycle++;
    dst.setRaw(1, 20);
    expect([dst.getRaw(0), dst.getRaw(1), dst.getRaw(2)]).toEqual([1, 20, 3]);
    expect(dst.getRaw(1, true)).toBe(2);
    expect(src.getRaw(1)).toBe(2);
    dst.release(RowSet.range(0, 3), RowSet.EMPTY);
    for (const c of dirty.splice(0)) c.endCycle();
    cycle++;
    dst.writeRun(0, { data: Float64Array.of(9, 9, 9), valid: null, length: 3 });
    expect([src.getRaw(0), src.getRaw(1), src.getRaw(2)]).toEqual([1, 2, 3]);
  });
});
