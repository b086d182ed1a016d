/**
 * Dictionary codes through the engine: batches published as Dictionary<Int32, Utf8> (a large
 * dictionary, kept and reused across publishes, and small ones made per batch, with a null entry
 * and a repeated string), or as plain Utf8 for a join key column that the string cache's large
 * level serves (its entries are the codes; long, non-ASCII and empty values have none), flow
 * through a publisher's blink table, a ring and an append-only history into group-bys,
 * `naturalJoin` and `whereIn`, whose keys are then read by code. After every cycle each result
 * equals the same pipeline fed the same values as plain strings (property).
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asPagedColumn } from "../../src/engine/column.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  fromArrowIPC,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  toArrowIPC,
  UpdateGraph,
} from "../../src/engine/index.ts";

const BIG = Array.from({ length: 400 }, (_, i) => `K${i % 390}`); // K0..K9 twice
const SMALL: (string | null)[] = ["K1", null, "K2", "K1", "Z"];
const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());

interface Batch {
  big: boolean;
  idx: number[];
  px: number[];
}

/** The batch as dictionary-encoded Arrow IPC, decoded. */
function encoded(b: Batch): Table {
  const dict = arrow.vectorFromArray(b.big ? BIG : SMALL, new arrow.Utf8());
  const sym = arrow.makeVector({
    type,
    length: b.idx.length,
    nullCount: 0,
    data: Int32Array.from(b.idx),
    dictionary: dict,
  });
  const px = arrow.makeVector(Float64Array.from(b.px));
  return fromArrowIPC(arrow.tableToIPC(new arrow.Table({ Sym: sym, Px: px }), "stream"));
}

/** The same batch as plain strings. */
function plain(b: Batch): Table {
  const d = b.big ? BIG : SMALL;
  return newTable([
    stringCol(
      "Sym",
      b.idx.map((k) => d[k]!),
    ),
    doubleCol("Px", b.px),
  ]);
}

/** Every result of one pipeline, as sorted rows per result. */
function pipeline(g: UpdateGraph) {
  const [blink, pub] = tablePublisher(g, { name: "t", columns: { Sym: "string", Px: "float64" } });
  const ring = ringTable(blink, 37);
  const hist = blinkToAppendOnly(blink);
  const ref = newTable([stringCol("Sym", ["K1", "K3", "Z"]), doubleCol("Ref", [1, 3, 26])]);
  const results = [
    blink.sumBy("Sym"),
    ring.countBy("N", "Sym"),
    hist.lastBy("Sym"),
    ring.naturalJoin(ref, "Sym", "Ref"),
    hist.whereIn(ref, "Sym"),
    blink.naturalJoin(ring.lastBy("Sym"), "Sym", "Last = Px"),
  ];
  const read = () =>
    results.map((t) =>
      t
        .toRows()
        .map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? `${v}n` : v)))
        .sort(),
    );
  return { pub, read };
}

/**
 * Feeds each pair's first table to one pipeline and its second to another, a cycle a pair, and
 * checks after every cycle that every result of the first equals that of the second.
 */
async function sameResults(pairs: readonly [Table, Table][]): Promise<void> {
  const ga = new UpdateGraph({ seed: 1 });
  const gb = new UpdateGraph({ seed: 1 });
  const a = pipeline(ga);
  const b = pipeline(gb);
  for (const [ta, tb] of pairs) {
    a.pub.add(ta);
    b.pub.add(tb);
    await ga.runCycle();
    await gb.runCycle();
    expect(a.read()).toEqual(b.read());
  }
}

describe("dictionary-encoded Arrow keys through the engine", () => {
  it("give every result the plain strings give, cycle by cycle (property)", async () => {
    const batch = fc.oneof(
      fc.integer({ min: 1, max: 60 }).chain((n) =>
        fc.record({
          big: fc.constant(true),
          idx: fc.array(fc.integer({ min: 0, max: BIG.length - 1 }), {
            minLength: n,
            maxLength: n,
          }),
          px: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
        }),
      ),
      fc.integer({ min: 1, max: 20 }).chain((n) =>
        fc.record({
          big: fc.constant(false),
          idx: fc.array(fc.integer({ min: 0, max: SMALL.length - 1 }), {
            minLength: n,
            maxLength: n,
          }),
          px: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 8 }), (batches) =>
        sameResults(batches.map((bt) => [encoded(bt), plain(bt)])),
      ),
      { numRuns: 60 },
    );
  });

  it("give every result the plain strings give from Utf8 join keys with codes (property)", async () => {
    const pool = [
      ...Array.from({ length: 50 }, (_, i) => `U${i}`),
      "",
      "é",
      "a-value-longer-than-sixteen-bytes",
    ];
    // Declaring the pipeline names Sym a join key; 20,000 distinct values then move the column
    // to the large level, whose entries give codes from the next decode on.
    pipeline(new UpdateGraph({ seed: 1 }));
    const warm = Array.from({ length: 20_000 }, (_, i) => `W${i}`);
    fromArrowIPC(
      toArrowIPC(
        newTable([
          stringCol("Sym", warm),
          doubleCol(
            "Px",
            warm.map(() => 0),
          ),
        ]),
      ),
    );
    const probe = fromArrowIPC(
      toArrowIPC(newTable([stringCol("Sym", ["U1", "U2"]), doubleCol("Px", [0, 0])])),
    );
    const v = asPagedColumn(probe.column("Sym")).run(0, 2);
    expect(v.dict).not.toBeNull();
    expect(Array.from(v.codes!).map((c) => v.dict!.strs[c])).toEqual(["U1", "U2"]);
    const batch = fc.integer({ min: 1, max: 40 }).chain((n) =>
      fc.record({
        syms: fc.array(fc.constantFrom(...pool), { minLength: n, maxLength: n }),
        px: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 6 }), (batches) =>
        sameResults(
          batches.map((bt) => {
            const t = newTable([stringCol("Sym", bt.syms), doubleCol("Px", bt.px)]);
            return [fromArrowIPC(toArrowIPC(t)), t];
          }),
        ),
      ),
      { numRuns: 60 },
    );
  });
});
