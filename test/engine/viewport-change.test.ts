/**
 * The viewport diff (src/durable/shaped.ts's viewportChange) and the shaped wire frames
 * (wire.ts with `columns`, `keys`, `size`, `viewport`), without a runtime: a client applying a
 * viewport snapshot and then each cycle's viewport delta to a key -> row map holds exactly the
 * rows at the viewport's positions after every cycle, over a ring (keys reused and shifted) fed
 * random batches, in JSON and in Arrow.
 */
import { describe, expect, it } from "vitest";
import { viewportChange } from "../../src/durable/shaped.ts";
import { decodeIPC } from "../../src/engine/arrow.ts";
import type { TableUpdate } from "../../src/engine/index.ts";
import { RowSet, ringTable, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import type { Frame } from "../../src/engine/wire.ts";
import { deltaFrames, snapshotFrames } from "../../src/engine/wire.ts";

const COLUMNS = { Id: "int32", Sym: "string", Price: "float64" } as const;

describe("viewportChange", () => {
  it("sends keys leaving, entering, re-keyed and modified inside the viewport only", () => {
    const u: TableUpdate = {
      added: RowSet.of(4, 9),
      removed: RowSet.of(4, 7),
      modified: RowSet.of(3, 5, 8),
      modifiedColumns: ["Price"],
    };
    const c = viewportChange(RowSet.of(3, 4, 5, 6), RowSet.of(4, 5, 6, 9), u);
    expect(c.added.toArray()).toEqual([4, 9]);
    expect(c.removed.toArray()).toEqual([3, 4]);
    expect(c.modified.toArray()).toEqual([5]);
    expect(c.modifiedColumns).toEqual(["Price"]);
    const moved = viewportChange(RowSet.range(0, 5), RowSet.range(3, 8), null);
    expect([moved.removed.toArray(), moved.added.toArray(), moved.modified.size]).toEqual([
      [0, 1, 2],
      [5, 6, 7],
      0,
    ]);
  });
});

/** Applies JSON or Arrow frames of a shaped subscription to a key -> row map. */
function applyFrames(rows: Map<number, Record<string, unknown>>, frames: Frame[]) {
  let header: Record<string, unknown> | null = null;
  const binary: Uint8Array[] = [];
  for (const f of frames) {
    if (typeof f === "string") header = JSON.parse(f);
    else binary.push(f);
  }
  const h = header!;
  const decode = (bin: Uint8Array[]) =>
    bin.flatMap((b) => {
      const t = decodeIPC(b);
      return Array.from({ length: t.numRows }, (_, i) => ({
        Sym: t.getChild("Sym")!.get(i),
        Price: t.getChild("Price")!.get(i),
      }));
    });
  const put = (keys: unknown, values: Record<string, unknown>[]) =>
    (keys as number[]).forEach((k, i) => {
      rows.set(k, values[i]!);
    });
  if (h.type === "snapshot") {
    rows.clear();
    put(h.keys, (h.rows as Record<string, unknown>[]) ?? decode(binary));
  } else {
    for (const k of h.removed as number[]) rows.delete(k);
    const nAdded = (h.addedFrames as number | undefined) ?? 0;
    put(h.added, (h.addedRows as Record<string, unknown>[]) ?? decode(binary.slice(0, nAdded)));
    put(h.modified, (h.modifiedRows as Record<string, unknown>[]) ?? decode(binary.slice(nAdded)));
  }
  return h;
}

describe("shaped frames", () => {
  for (const format of ["json", "arrow"] as const) {
    it(`keep a ${format} client's viewport exact over a ring`, async () => {
      const g = new UpdateGraph({ seed: 3 });
      const [blink, pub] = tablePublisher(g, { name: "t", columns: { ...COLUMNS } });
      const ring = ringTable(blink, 12);
      let u: TableUpdate | null = null;
      ring.listen((x) => {
        u = x;
      });
      let id = 0;
      const feed = async (n: number) => {
        pub.addRows(
          Array.from({ length: n }, () => ({ Id: id, Sym: `S${id % 4}`, Price: id++ * 1.5 })),
        );
        u = null;
        await g.runCycle();
      };
      await feed(12);
      const columns = ["Sym", "Price"];
      let vp = { first: 3, last: 7 };
      const at = () => ring.rowSet.subSetByPosition(vp.first, vp.last + 1);
      const want = () =>
        ring
          .toRows()
          .slice(vp.first, vp.last + 1)
          .map((r) => ({ Sym: r.Sym, Price: r.Price }));
      const client = new Map<number, Record<string, unknown>>();
      let sent = at();
      const snap = applyFrames(
        client,
        snapshotFrames(ring, 1, format, undefined, { keys: sent, columns, size: 12, viewport: vp }),
      );
      expect(snap).toMatchObject({
        size: 12,
        viewport: vp,
        schema: { Sym: "string", Price: "float64" },
      });
      expect([...client.values()]).toEqual(want());
      for (const n of [1, 3, 0, 7, 2, 12, 5]) {
        await feed(n);
        if (n === 0) vp = { first: 0, last: 4 };
        const next = at();
        const change = viewportChange(sent, next, u);
        applyFrames(
          client,
          deltaFrames(ring, change, g.cycle, format, { columns, size: ring.size, viewport: vp }),
        );
        sent = next;
        const ordered = [...client.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
        expect(ordered).toEqual(want());
      }
    });
  }
});
