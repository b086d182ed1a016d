/**
 * Open UTF-8 pages (`PagedColumn.takeUtf8`): a publisher's Utf8 values that a decode would make
 * new strings of (`passUtf8`) stay UTF-8 from the Arrow or JSON publish, through the blink table,
 * into an append-only table's pages, which seal them as UTF-8 or by dictionary. Checked against
 * the rows published (every cycle, every table: blink, append-only, ring, a group-by count over
 * another column, the append-only table's Arrow snapshot), whatever mix of distinct, repeated,
 * non-ASCII, empty and null values and of Arrow and JSON batches; and for what must not pass
 * through: invalid UTF-8 (decoded with U+FFFD, as before), bytes under a null, a key column. A
 * publisher whose blink table only rings read keeps every non-key string column as UTF-8.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { passUtf8 } from "../../src/engine/arrow/utf8.ts";
import { asPagedColumn, PAGE_SIZE } from "../../src/engine/column.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  agg,
  blinkToAppendOnly,
  ringTable,
  tablePublisher,
  toArrowIPC,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { isUtf8 } from "../../src/engine/utf8-check.ts";
import { colValues } from "./helpers.ts";

type Row = { Name: string | null; G: number };

/** Arrow IPC stream bytes of `rows` (Name as Utf8, G as Int32). */
function arrowOf(rows: readonly Row[]): Uint8Array {
  return ipcOf(rows, ["Name"], ["G"]);
}

/** Arrow IPC stream bytes of `rows`: columns `strings` as Utf8, `ints` as Int32. */
function ipcOf(
  rows: readonly Record<string, unknown>[],
  strings: readonly string[],
  ints: readonly string[],
): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of strings)
    vectors[c] = arrow.vectorFromArray(
      rows.map((r) => r[c] as string | null),
      new arrow.Utf8(),
    );
  for (const c of ints)
    vectors[c] = arrow.vectorFromArray(
      rows.map((r) => r[c] as number),
      new arrow.Int32(),
    );
  return arrow.tableToIPC(new arrow.Table(vectors), "stream");
}

/** An Arrow stream of one Utf8 column `Name` (and G = 0) from raw offsets, bytes and nulls. */
function rawArrow(offsets: number[], bytes: number[], nulls: boolean[]): Uint8Array {
  const n = offsets.length - 1;
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if (!nulls[i]) bitmap[i >> 3]! |= 1 << (i & 7);
  const name = arrow.makeData({
    type: new arrow.Utf8(),
    length: n,
    nullCount: nulls.filter(Boolean).length,
    nullBitmap: bitmap,
    valueOffsets: Int32Array.from(offsets),
    data: Uint8Array.from(bytes),
  });
  const g = arrow.makeData({ type: new arrow.Int32(), length: n, data: new Int32Array(n) });
  const t = new arrow.Table({ Name: arrow.makeVector(name), G: arrow.makeVector(g) });
  return arrow.tableToIPC(t, "stream");
}

/** Distinct values enough that the string cache gives up on column `name` (`passUtf8`). */
function distinct(prefix: string, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({ Name: `${prefix}-${i}-${i * 7919}`, G: i % 5 }));
}

/** The values of `rows` as `Table.toRows` gives them. */
function names(rows: readonly Row[]): (string | null)[] {
  return rows.map((r) => r.Name);
}

/** Name values of `t`'s Arrow snapshot, read by apache-arrow. */
function snapshotNames(t: Table): (string | null)[] {
  return snapshotOf(t, "Name");
}

/** Word values of `t`'s Arrow snapshot, read by apache-arrow. */
function snapshotWords(t: Table): (string | null)[] {
  return snapshotOf(t, "Word");
}

/** Column `name` of `t`'s Arrow snapshot, read by apache-arrow. */
function snapshotOf(t: Table, name: string): (string | null)[] {
  const a = arrow.tableFromIPC(toArrowIPC(t));
  return Array.from({ length: a.numRows }, (_, i) => a.getChild(name)!.get(i) as string | null);
}

describe("open UTF-8 pages", () => {
  it("take a column of mostly distinct values from Arrow and JSON into sealed UTF-8 pages", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
    const all = blinkToAppendOnly(blink);
    const ring = ringTable(blink, 2500);
    // A filter of the blink table is a reader that may decode its strings: the publisher keeps
    // only a column of mostly distinct values as UTF-8 ("values"), by the string cache's verdict.
    const evens = blink.where("G % 2 == 0");
    const c = asPagedColumn(all.column("Name"));
    const published: Row[] = [];
    const blinkForms: string[] = [];
    const lastForms: string[] = [];
    const ringForms: string[] = [];
    // 1,000-row batches, Arrow and JSON in turn.
    for (let b = 0; b < 10; b++) {
      const rows = distinct(`b${b}`, 1000);
      if (b % 2 === 0) pub.addArrow(arrowOf(rows));
      else pub.addJson(JSON.stringify(rows));
      published.push(...rows);
      await g.runCycle();
      expect(colValues(blink, "Name")).toEqual(names(rows));
      expect(colValues(evens, "Name")).toEqual(names(rows.filter((r) => r.G % 2 === 0)));
      blinkForms.push(asPagedColumn(blink.column("Name")).pageForm(0));
      lastForms.push(c.pageForm(Math.floor((all.size - 1) / PAGE_SIZE)));
      // The ring's keys are the append-only table's (one sequence): the same last page.
      ringForms.push(
        asPagedColumn(ring.column("Name")).pageForm(Math.floor((all.size - 1) / PAGE_SIZE)),
      );
      expect(colValues(ring, "Name")).toEqual(names(published.slice(-2500)));
    }
    // The first two batches are decoded: the string cache looks the column's first call up whole
    // (and inserts its misses), samples the second and gives up on the column. The next seven
    // stay UTF-8 (IDLE_CALLS), then one is decoded and sampled again, after which 63 would stay
    // UTF-8 (PASS_IDLE_CALLS). The append-only table's page being filled is open (UTF-8) from
    // the first passing batch that starts it (page 1, at row 4,096 in batch 4; page 2, at row
    // 8,192 in batch 8), and stays open when decoded rows come after (batch 9's strings are
    // encoded onto its end).
    const S = "strings";
    const U = "utf8";
    expect(blinkForms).toEqual([S, S, U, U, U, U, U, U, U, S]);
    expect(lastForms).toEqual([S, S, S, S, U, U, U, U, U, U]);
    expect(ringForms).toEqual(lastForms);
    // Full pages are sealed as UTF-8 either way.
    expect([c.pageForm(0), c.pageForm(1)]).toEqual([U, U]);
    expect(colValues(all, "Name")).toEqual(names(published));
    expect(snapshotNames(all)).toEqual(names(published));
    expect(all.size).toBe(10_000);
  });

  it("seal a page of few values by dictionary, whichever way its rows came", async () => {
    // A column the string cache gave up on (a publisher of distinct values under the same name:
    // its first call is looked up whole, its second gives up), then a publisher of three values
    // under it: their rows stay UTF-8, and the full page is sealed by dictionary.
    const g = new UpdateGraph({ seed: 1 });
    const [b1, p1] = tablePublisher(g, { columns: { Tag: "string" } });
    for (let b = 0; b < 2; b++) {
      p1.addArrow(
        arrow.tableToIPC(
          new arrow.Table({
            Tag: arrow.vectorFromArray(
              Array.from({ length: 500 }, (_, i) => `t${b}-${i * 31}`),
              new arrow.Utf8(),
            ),
          }),
          "stream",
        ),
      );
      await g.runCycle();
      expect(b1.size).toBe(500);
      expect(passUtf8("Tag")).toBe(b === 1);
    }
    expect(passUtf8("Tag")).toBe(true);
    const [blink, pub] = tablePublisher(g, { columns: { Tag: "string" } });
    const all = blinkToAppendOnly(blink);
    const want: string[] = [];
    for (let b = 0; b < 5; b++) {
      const vals = Array.from({ length: 1000 }, (_, i) => ["x", "yy", "zzz"][(i + b) % 3]!);
      pub.addJson(JSON.stringify(vals.map((Tag) => ({ Tag }))));
      want.push(...vals);
      await g.runCycle();
    }
    const c = asPagedColumn(all.column("Tag"));
    expect(c.pageForm(0)).toBe("dictionary");
    expect(c.pageForm(1)).toBe("utf8");
    expect(colValues(all, "Tag")).toEqual(want);
  });

  it("never take a key column's values as UTF-8", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { columns: { Key9: "string", V: "int32" } });
    const counts = blink.aggBy([agg.count("N")], "Key9");
    for (let b = 0; b < 3; b++) {
      const rows = Array.from({ length: 300 }, (_, i) => ({ Key9: `k${b}-${i}`, V: i }));
      pub.addJson(JSON.stringify(rows));
      await g.runCycle();
      expect(passUtf8("Key9")).toBe(false);
      expect(asPagedColumn(blink.column("Key9")).pageForm(0)).toBe("strings");
      expect(counts.size).toBe(300 * (b + 1));
    }
  });

  it("decode invalid UTF-8 as a decode always did (U+FFFD), not keep its bytes", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [, p1] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
    // Make sure the column passes UTF-8, then send bytes that are not UTF-8.
    for (const w of ["warm", "warm-again"]) {
      p1.addArrow(arrowOf(distinct(w, 300)));
      await g.runCycle();
    }
    expect(passUtf8("Name")).toBe(true);
    const [blink, pub] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
    const all = blinkToAppendOnly(blink);
    // "a", 0xff, "b" | an overlong "/" (c0 af) | a lone surrogate (ed a0 80) | "é" cut short
    pub.addArrow(
      rawArrow(
        [0, 3, 5, 8, 9],
        [0x61, 0xff, 0x62, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xc3],
        [false, false, false, false],
      ),
    );
    await g.runCycle();
    const want = new TextDecoder().decode(Uint8Array.from([0x61, 0xff, 0x62]));
    expect(colValues(all, "Name")).toEqual([
      want,
      new TextDecoder().decode(Uint8Array.from([0xc0, 0xaf])),
      new TextDecoder().decode(Uint8Array.from([0xed, 0xa0, 0x80])),
      new TextDecoder().decode(Uint8Array.from([0xc3])),
    ]);
    expect(colValues(all, "Name")[0]).toBe("a\ufffdb");
    // Its Arrow snapshot holds the decoded values' UTF-8, not the bytes sent.
    expect(snapshotNames(all)).toEqual(colValues(all, "Name"));
    expect(asPagedColumn(blink.column("Name")).pageForm(0)).toBe("strings");
    // Valid UTF-8 of two, three and four bytes a character stays UTF-8.
    const text = ["é", "€uro", "𝄞", "plain", "ü".repeat(9)];
    pub.addArrow(arrowOf(text.map((Name) => ({ Name, G: 0 }))));
    await g.runCycle();
    expect(asPagedColumn(blink.column("Name")).pageForm(0)).toBe("utf8");
    expect(colValues(blink, "Name")).toEqual(text);
  });

  it("read a null as null whatever bytes Arrow left under it", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [, p1] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
    for (const w of ["warm2", "warm2-again"]) {
      p1.addArrow(arrowOf(distinct(w, 300)));
      await g.runCycle();
    }
    const [blink, pub] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
    const all = blinkToAppendOnly(blink);
    // Rows without bytes under their null stay UTF-8 (40 of them: a copy of fewer than 16 rows
    // goes through a chunk of strings).
    const clean = Array.from({ length: 40 }, (_, i) => (i % 3 === 1 ? null : `e${i}`));
    const offsets = [0];
    const bytes: number[] = [];
    for (const v of clean) {
      for (const ch of v ?? "") bytes.push(ch.charCodeAt(0));
      offsets.push(bytes.length);
    }
    pub.addArrow(
      rawArrow(
        offsets,
        bytes,
        clean.map((v) => v === null),
      ),
    );
    await g.runCycle();
    expect(asPagedColumn(blink.column("Name")).pageForm(0)).toBe("utf8");
    expect(asPagedColumn(all.column("Name")).pageForm(0)).toBe("utf8");
    expect(colValues(all, "Name")).toEqual(clean);
    // Rows "ab", null over "cd", "", null over nothing: decoded into the blink table (the null
    // is null, its bytes gone); the append-only table's open page takes them encoded.
    pub.addArrow(rawArrow([0, 2, 4, 4, 4], [0x61, 0x62, 0x63, 0x64], [false, true, false, true]));
    await g.runCycle();
    const want = [...clean, "ab", null, "", null];
    expect(asPagedColumn(blink.column("Name")).pageForm(0)).toBe("strings");
    expect(asPagedColumn(all.column("Name")).pageForm(0)).toBe("utf8");
    expect(colValues(all, "Name")).toEqual(want);
    expect(snapshotNames(all)).toEqual(want);
  });

  it("equal the rows published, every cycle, in every table (property)", async () => {
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.nat(1_000_000).map((i) => `id${i}`) },
      { weight: 2, arbitrary: fc.constantFrom("a", "b", "c", "") },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const batch = fc.record({
      json: fc.boolean(),
      // Distinct values first, now and then, so that the cache gives up and the rows pass.
      warm: fc.boolean(),
      rows: fc.array(fc.record({ Name: value, G: fc.integer({ min: 0, max: 3 }) }), {
        maxLength: 300,
      }),
    });
    const cycles = fc.array(fc.array(batch, { maxLength: 3 }), { minLength: 1, maxLength: 12 });
    let utf8Seen = 0;
    await fc.assert(
      fc.asyncProperty(cycles, async (plan) => {
        const g = new UpdateGraph({ seed: 1 });
        const [blink, pub] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
        const all = blinkToAppendOnly(blink);
        const ring = ringTable(blink, 700);
        const byG = all.aggBy([agg.count("N")], "G");
        const published: Row[] = [];
        let k = 0;
        for (const cycle of plan) {
          const now: Row[] = [];
          for (const b of cycle) {
            const rows = b.warm ? [...distinct(`w${k++}`, 100), ...b.rows] : b.rows;
            if (rows.length === 0) continue;
            if (b.json) pub.addJson(JSON.stringify(rows));
            else pub.addArrow(arrowOf(rows));
            now.push(...rows);
          }
          published.push(...now);
          await g.runCycle();
          expect(colValues(blink, "Name")).toEqual(names(now));
          expect(colValues(all, "Name")).toEqual(names(published));
          expect(colValues(all, "G")).toEqual(published.map((r) => r.G));
          expect(colValues(ring, "Name")).toEqual(names(published.slice(-700)));
          const counts = new Map<number, number>();
          for (const r of published) counts.set(r.G, (counts.get(r.G) ?? 0) + 1);
          const got = new Map(byG.toRows().map((r) => [r.G as number, Number(r.N)]));
          expect(got).toEqual(counts);
          // (A blink table's page is UTF-8 only when open: its rows passed as UTF-8.)
          if (blink.size > 0 && asPagedColumn(blink.column("Name")).pageForm(0) === "utf8")
            utf8Seen++;
        }
        expect(snapshotNames(all)).toEqual(names(published));
      }),
      { numRuns: 40 },
    );
    // The property went through open pages (not only through pages of strings).
    expect(utf8Seen).toBeGreaterThan(0);
  });

  it("keep every non-key string column as UTF-8 while only rings and append-only tables read the blink table", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const cols = { Code: "string", Venue: "string", G: "int32" } as const;
    const [blink, pub] = tablePublisher(g, { columns: cols });
    const last = ringTable(blink, 2500);
    const tail = ringTable(blink, 10);
    // An append-only table takes UTF-8 rows as bytes too, and seals a full page of them by its
    // bytes (`#sealBytes`): by dictionary, no string made for a value it holds.
    const all = blinkToAppendOnly(blink);
    // A group-by over the ring makes Venue a key column: it is decoded (the key lookups read the
    // string cache's codes), Code (3 values, which the cache would hand out) stays UTF-8. (Code
    // is no key column anywhere in this isolate.)
    const byVenue = last.aggBy([agg.count("N")], "Venue");
    const codes = ["AAPL", "MSFT", "IBM"];
    const published: { Code: string; Venue: string; G: number }[] = [];
    const forms: string[] = [];
    for (let b = 0; b < 6; b++) {
      const rows = Array.from({ length: 1000 }, (_, i) => ({
        Code: codes[(i + b) % 3]!,
        Venue: i % 2 === 0 ? "X" : "Y",
        G: i,
      }));
      if (b % 2 === 0) pub.addArrow(ipcOf(rows, ["Code", "Venue"], ["G"]));
      else pub.addJson(JSON.stringify(rows));
      published.push(...rows);
      await g.runCycle();
      forms.push(
        `${asPagedColumn(blink.column("Code")).pageForm(0)}/${asPagedColumn(blink.column("Venue")).pageForm(0)}`,
      );
      expect(colValues(blink, "Code")).toEqual(rows.map((r) => r.Code));
      expect(colValues(last, "Code")).toEqual(published.slice(-2500).map((r) => r.Code));
      expect(colValues(last, "Venue")).toEqual(published.slice(-2500).map((r) => r.Venue));
      expect(colValues(tail, "Code")).toEqual(published.slice(-10).map((r) => r.Code));
      expect(new Map(byVenue.toRows().map((r) => [r.Venue, Number(r.N)]))).toEqual(
        new Map([
          ["X", Math.min(2500, published.length) / 2],
          ["Y", Math.min(2500, published.length) / 2],
        ]),
      );
    }
    expect(forms).toEqual(Array(6).fill("utf8/strings"));
    expect(asPagedColumn(all.column("Code")).pageForm(0)).toBe("dictionary");
    expect(asPagedColumn(all.column("Code")).pageForm(1)).toBe("utf8");
    expect(colValues(all, "Code")).toEqual(published.map((r) => r.Code));
    // The ring's own pages are UTF-8 too; its Arrow snapshot reads back the values.
    expect(asPagedColumn(last.column("Code")).pageForm(1)).toBe("utf8");
    const a = arrow.tableFromIPC(toArrowIPC(last));
    expect(Array.from({ length: a.numRows }, (_, i) => a.getChild("Code")!.get(i))).toEqual(
      published.slice(-2500).map((r) => r.Code),
    );
    // Another kind of reader of the blink table (a filter reads its strings): from then on the
    // publisher decodes the column (three values: the cache's strings).
    const aapl = blink.where('Code == "AAPL"');
    pub.addJson(
      JSON.stringify([
        { Code: "AAPL", Venue: "X", G: 1 },
        { Code: "IBM", Venue: "Y", G: 2 },
      ]),
    );
    await g.runCycle();
    expect(asPagedColumn(blink.column("Code")).pageForm(0)).toBe("strings");
    expect(colValues(aapl, "G")).toEqual([1]);
    expect(colValues(last, "Code").slice(-2)).toEqual(["AAPL", "IBM"]);
    // That reader closed: only rings and the append-only table read the blink table again, and
    // the publisher hands the column over as UTF-8 again.
    aapl.close();
    pub.addJson(JSON.stringify([{ Code: "MSFT", Venue: "X", G: 3 }]));
    await g.runCycle();
    expect(asPagedColumn(blink.column("Code")).pageForm(0)).toBe("utf8");
    expect(colValues(last, "Code").slice(-3)).toEqual(["AAPL", "IBM", "MSFT"]);
  });

  it("a publisher read only by rings and an append-only table gives each the rows published (property)", async () => {
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("a", "bb", "ccc", "", "déjà", "𝄞") },
      { weight: 1, arbitrary: fc.constantFrom("sixteen-bytes-16", "seventeen-bytes17") },
      { weight: 2, arbitrary: fc.nat(1_000_000).map((i) => `id${i}`) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const batch = fc.record({
      json: fc.boolean(),
      rows: fc.array(fc.record({ Name: value, G: fc.integer({ min: 0, max: 3 }) }), {
        minLength: 600,
        maxLength: 1500,
      }),
    });
    const cycles = fc.array(fc.array(batch, { minLength: 1, maxLength: 3 }), {
      minLength: 2,
      maxLength: 10,
    });
    const sizes = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }));
    await fc.assert(
      fc.asyncProperty(cycles, sizes, async (plan, [n1, n2]) => {
        const g = new UpdateGraph({ seed: 1 });
        const [blink, pub] = tablePublisher(g, { columns: { Name: "string", G: "int32" } });
        const r1 = ringTable(blink, n1);
        const r2 = ringTable(blink, n2);
        const all = blinkToAppendOnly(blink);
        const published: Row[] = [];
        for (const cycle of plan) {
          const now: Row[] = [];
          for (const b of cycle) {
            if (b.rows.length === 0) continue;
            if (b.json) pub.addJson(JSON.stringify(b.rows));
            else pub.addArrow(arrowOf(b.rows));
            now.push(...b.rows);
          }
          published.push(...now);
          await g.runCycle();
          expect(colValues(blink, "Name")).toEqual(names(now));
          expect(colValues(r1, "Name")).toEqual(names(published.slice(-n1)));
          expect(colValues(r2, "Name")).toEqual(names(published.slice(-n2)));
          expect(colValues(r2, "G")).toEqual(published.slice(-n2).map((r) => r.G));
          expect(colValues(all, "Name")).toEqual(names(published));
        }
        expect(snapshotNames(r1)).toEqual(names(published.slice(-n1)));
        expect(snapshotNames(all)).toEqual(names(published));
      }),
      { numRuns: 30 },
    );
  });

  it("seal a full page that came as UTF-8 by its bytes, or from its strings, or as UTF-8", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { columns: { Word: "string", G: "int32" } });
    const all = blinkToAppendOnly(blink);
    const c = asPagedColumn(all.column("Word"));
    // One page each (4,096 rows), published as 4 Arrow or JSON batches of 1,024 rows:
    const pages: string[][] = [
      // 0: three short ASCII values: by dictionary, from the bytes;
      Array.from({ length: PAGE_SIZE }, (_, i) => ["ab", "cde", ""][i % 3]!),
      // 1: the same and a value of 17 bytes: by dictionary, from the page decoded;
      Array.from({ length: PAGE_SIZE }, (_, i) => (i === 4000 ? "a-value-of-17-byt" : "ab")),
      // 2: the same and a non-ASCII value: by dictionary, from the page decoded;
      Array.from({ length: PAGE_SIZE }, (_, i) => (i === 9 ? "déjà" : "cde")),
      // 3: distinct values: as UTF-8 (the dictionary gives up after 256 rows of mostly new ones);
      Array.from({ length: PAGE_SIZE }, (_, i) => `w${i}`),
      // 4: short values: as UTF-8 untried (a page after one that failed is skipped);
      Array.from({ length: PAGE_SIZE }, (_, i) => ["ab", "cde"][i % 2]!),
      // 5: short ASCII values again, of which one new: by dictionary, from the bytes.
      Array.from({ length: PAGE_SIZE }, (_, i) => (i % 2 === 0 ? "ab" : "fresh")),
    ];
    const want: string[] = [];
    for (const [pi, values] of pages.entries()) {
      for (let q = 0; q < 4; q++) {
        const rows = values.slice(q * 1024, (q + 1) * 1024).map((Word, G) => ({ Word, G }));
        if ((pi + q) % 2 === 0) pub.addArrow(ipcOf(rows, ["Word"], ["G"]));
        else pub.addJson(JSON.stringify(rows));
        await g.runCycle();
        expect(asPagedColumn(blink.column("Word")).pageForm(0)).toBe("utf8");
      }
      want.push(...values);
    }
    expect(pages.map((_, pi) => c.pageForm(pi))).toEqual([
      "dictionary",
      "dictionary",
      "dictionary",
      "utf8",
      "utf8",
      "dictionary",
    ]);
    expect(colValues(all, "Word")).toEqual(want);
    expect(snapshotWords(all)).toEqual(want);
  });

  it("check UTF-8 as a fatal TextDecoder does (property)", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const valid = (b: Uint8Array): boolean => {
      try {
        fatal.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    // Random bytes (mostly invalid), and valid text with a byte changed (mostly near-valid).
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .tuple(
          fc.string({ unit: "binary", maxLength: 12 }),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
        )
        .map(([s, at, x]) => {
          const b = new TextEncoder().encode(s);
          if (b.length > 0) b[at % b.length] = x;
          return b;
        }),
    );
    fc.assert(
      fc.property(bytes, fc.nat(8), fc.nat(8), (b, cutA, cutB) => {
        const from = Math.min(cutA, b.length);
        const to = Math.max(from, b.length - cutB);
        expect(isUtf8(b, from, to)).toBe(valid(b.subarray(from, to)));
      }),
      { numRuns: 3000 },
    );
  });

  it("finds a byte past ASCII at any place of a long run, at any offset in its buffer (property)", () => {
    // The ASCII check reads several bytes a step: every offset in the buffer, length and place.
    fc.assert(
      fc.property(
        fc.nat(7),
        fc.integer({ min: 0, max: 200 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))),
        fc.nat(5),
        fc.nat(5),
        (shift, len, bad, cutA, cutB) => {
          const buffer = new Uint8Array(shift + len + 8).fill(0x41);
          const b = buffer.subarray(shift, shift + len);
          if (bad !== null && len > 0) b[bad[0] % len] = bad[1];
          const from = Math.min(cutA, len);
          const to = Math.max(from, len - cutB);
          const ascii = b.subarray(from, to).every((x) => x < 0x80);
          // All ASCII is valid; a lone byte past ASCII never is.
          expect(isUtf8(b, from, to)).toBe(ascii);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
