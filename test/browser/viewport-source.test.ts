/**
 * The console's ViewportSource in plain Node, over a stand-in subscription whose table holds the
 * rows of the viewport it last answered: rows read at their positions, not-loaded positions read
 * as not loaded, and the viewport moved (with its margin) only when the rows on screen come near
 * the loaded range's edge, one move in flight at a time; the rows' positions follow the viewport
 * the server answered, not the one asked for last.
 */
import { describe, expect, it } from "vitest";
import type { Subscription } from "../../src/client/index.ts";
import { initialViewport, MARGIN, ViewportSource } from "../../src/console/viewport-source.ts";
import type { Table } from "../../src/engine/index.ts";
import { col, newTable } from "../../src/engine/index.ts";

/** The view: `size` rows whose `Id` is their position. A viewport's table has its rows. */
function fakeSubscription(size: number, first: number, last: number) {
  const rowsOf = (f: number, l: number): Table => {
    const ids: number[] = [];
    for (let p = f; p <= Math.min(l, size - 1); p++) ids.push(p);
    return newTable([col("Id", "int32", ids)]);
  };
  const asked: [number, number][] = [];
  const answers: (() => void)[] = [];
  let table = rowsOf(first, last);
  let viewport = { first, last };
  const sub = {
    get viewport() {
      return { ...viewport };
    },
    get table() {
      return table;
    },
    get size() {
      return size;
    },
    setViewport(f: number, l: number): Promise<void> {
      asked.push([f, l]);
      viewport = { first: f, last: l };
      return new Promise<void>((resolve) =>
        answers.push(() => {
          table = rowsOf(f, l);
          resolve();
        }),
      );
    },
  };
  return { sub: sub as unknown as Subscription, asked, answers };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("ViewportSource", () => {
  it("reads the viewport's rows at their positions and nothing outside it", () => {
    const { sub } = fakeSubscription(1_000_000, 500, 759);
    const s = new ViewportSource(sub, { Id: "int32" }, { isBlink: false, keyColumn: "key" });
    expect(s.size).toBe(1_000_000);
    expect(s.loaded).toBe(260);
    expect([s.valueAt(500, "Id"), s.valueAt(759, "Id"), s.valueAt(600, "Id")]).toEqual([
      500, 759, 600,
    ]);
    expect([s.valueAt(499, "Id"), s.valueAt(760, "Id"), s.keyAt(760)]).toEqual([
      undefined,
      undefined,
      null,
    ]);
    expect(s.valueAt(600, "Nope")).toBe(undefined);
  });

  it("moves the viewport only near the loaded range's edge, then reads the answered rows", async () => {
    const { sub, asked, answers } = fakeSubscription(1_000_000, 0, 259);
    const s = new ViewportSource(sub, { Id: "int32" }, { isBlink: false, keyColumn: "key" });
    let loads = 0;
    s.onLoad = () => loads++;
    s.setRange(0, 40);
    s.setRange(100, 140); // 119 rows of slack below: no move
    expect(asked).toEqual([]);
    s.setRange(200, 240); // 19 rows below: move
    expect(asked).toEqual([[200 - MARGIN, 240 + MARGIN]]);
    // Until the answer, the rows still loaded read at their positions; the rest are not loaded.
    expect([s.valueAt(220, "Id"), s.valueAt(300, "Id")]).toEqual([220, undefined]);
    // Moves asked while one is in flight wait, merged into the last of them.
    s.setRange(300_000, 300_040);
    s.setRange(500_000, 500_040);
    expect(asked.length).toBe(1);
    answers[0]!();
    await settle();
    expect(asked).toEqual([
      [200 - MARGIN, 240 + MARGIN],
      [500_000 - MARGIN, 500_040 + MARGIN],
    ]);
    expect(s.valueAt(300, "Id")).toBe(300);
    answers[1]!();
    await settle();
    expect(loads).toBe(2);
    expect([s.valueAt(500_000, "Id"), s.valueAt(500_140, "Id"), s.valueAt(220, "Id")]).toEqual([
      500_000,
      500_140,
      undefined,
    ]);
  });

  it("opens at the end of a followed view with the margin past it, else at the start", () => {
    expect(initialViewport(1_000_000, 40, true)).toEqual({
      first: 1_000_000 - 40 - MARGIN,
      last: 1_000_000 + MARGIN - 1,
    });
    expect(initialViewport(10, 40, true)).toEqual({ first: 0, last: 10 + MARGIN - 1 });
    expect(initialViewport(1_000_000, 40, false)).toEqual({ first: 0, last: 40 + 2 * MARGIN - 1 });
  });
});
