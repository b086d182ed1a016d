/**
 * Dictionary-encoded Arrow columns through the engine: batches published as Dictionary<Int32,
 * Utf8> (a large dictionary, kept and reused across publishes, and small ones made per batch,
 * with a null entry and a repeated string) flow through a publisher's blink table, a ring and an
 * append-only history into group-bys, `naturalJoin` and `whereIn`, whose keys are then read by
 * dictionary code. After every cycle each result equals the same pipeline fed the same values as
 * plain strings (property).
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  fromArrowIPC,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
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
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 8 }), async (batches) => {
        const ga = new UpdateGraph({ seed: 1 });
        const gb = new UpdateGraph({ seed: 1 });
        const a = pipeline(ga);
        const b = pipeline(gb);
        for (const bt of batches) {
          a.pub.add(encoded(bt));
          b.pub.add(plain(bt));
          await ga.runCycle();
          await gb.runCycle();
          expect(a.read()).toEqual(b.read());
        }
      }),
      { numRuns: 60 },
    );
  });
});
