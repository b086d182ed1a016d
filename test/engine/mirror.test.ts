import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arrowToVecs, decodeIPC } from "../../src/engine/arrow.ts";
import type {
  DeltaMessage,
  Frame,
  SnapshotMessage,
  Table,
  TableUpdate,
} from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  mirrorTable,
  RowSet,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { vecFromValues } from "../../src/engine/new-table.ts";
import { deltaFrames, snapshotFrames } from "../../src/engine/wire.ts";
import { record } from "./helpers.ts";

/** Decodes wire frames the way a client does and feeds a mirror. */
function feed(
  mirror: ReturnType<typeof mirrorTable>,
  frames: Frame[],
  schema: Record<string, string>,
): void {
  const names = Object.keys(schema);
  let i = 0;
  while (i < frames.length) {
    const msg = JSON.parse(frames[i++] as string) as SnapshotMessage | DeltaMessage;
    const rowsFromJson = (rows: Record<string, unknown>[]) =>
      names.map((n) =>
        vecFromValues(
          schema[n] as never,
          rows.map((r) => r[n]),
          n,
        ),
      );
    const rowsFromArrow = (count: number) => {
      const vecsParts = [];
      for (let k = 0; k < count; k++)
        vecsParts.push(arrowToVecs(decodeIPC(frames[i++] as Uint8Array), schema as never).vecs);
      return vecsParts;
    };
    if (msg.type === "snapshot") {
      const vecs = msg.rows ? rowsFromJson(msg.rows) : rowsFromArrow(msg.frames!)[0]!;
      mirror.reset({ keys: RowSet.fromKeys(msg.keys), vecs });
    } else {
      const added = msg.addedRows
        ? rowsFromJson(msg.addedRows)
        : (rowsFromArrow(msg.addedFrames!)[0] ?? rowsFromJson([]));
      const modified = msg.modifiedRows
        ? rowsFromJson(msg.modifiedRows)
        : (rowsFromArrow(msg.modifiedFrames!)[0] ?? rowsFromJson([]));
      mirror.delta(
        RowSet.fromKeys(msg.removed),
        { keys: RowSet.fromKeys(msg.added), vecs: added },
        { keys: RowSet.fromKeys(msg.modified), vecs: modified },
        msg.modifiedColumns,
      );
    }
  }
}

const plainRows = (t: Table) => t.rowSet.toArray().map((k) => [k, t.toRows()[t.rowSet.find(k)]]);

describe("mirrorTable", () => {
  it("replays snapshots and deltas as one net update per local cycle", async () => {
    const local = new UpdateGraph();
    const m = mirrorTable(local, { X: "int32" }, { blink: true });
    const vec = (xs: number[]) => [vecFromValues("int32", xs, "X")];
    const rec = record(m.table);
    m.reset({ keys: RowSet.of(0, 1), vecs: vec([10, 11]) });
    await local.runCycle();
    expect(m.table.toRows()).toEqual([{ X: 10 }, { X: 11 }]);
    expect(m.table.isBlink).toBe(true);
    // Two remote cycles in one local cycle: key 0 is removed and re-added (blink key reuse).
    m.delta(
      RowSet.of(0, 1),
      { keys: RowSet.of(0), vecs: vec([20]) },
      { keys: RowSet.EMPTY, vecs: vec([]) },
    );
    m.delta(
      RowSet.EMPTY,
      { keys: RowSet.of(5), vecs: vec([25]) },
      { keys: RowSet.of(0), vecs: vec([21]) },
      ["X"],
    );
    await local.runCycle();
    expect(m.table.toRows()).toEqual([{ X: 21 }, { X: 25 }]);
    expect(rec.updates).toEqual([
      { added: [0, 1], removed: [], modified: [], modifiedColumns: [] },
      { added: [0, 5], removed: [0, 1], modified: [], modifiedColumns: [] },
    ]);
    expect(() => m.reset({ keys: RowSet.of(1), vecs: [] })).toThrow(/expected 1 column vectors/);
  });

  for (const format of ["json", "arrow"] as const) {
    it(`equals the remote table after every cycle, whatever the batching (${format}, property)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 8 }), {
            minLength: 1,
            maxLength: 12,
          }),
          fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
          async (batches, runLocal) => {
            const remote = new UpdateGraph();
            const schema = { K: "string", X: "int32" };
            const [blink, pub] = tablePublisher(remote, { name: "p", columns: schema });
            const views: Table[] = [
              blink,
              ringTable(blink, 5),
              blinkToAppendOnly(blink),
              blink.view("K", "X").sumBy("K"),
            ];
            const local = new UpdateGraph();
            const mirrors = views.map((v) => {
              const m = mirrorTable(local, v.columns, { blink: v.isBlink });
              feed(m, snapshotFrames(v, 0, format), v.columns);
              return m;
            });
            const updates: (TableUpdate | null)[] = views.map(() => null);
            views.forEach((v, j) => {
              v.listen((u) => {
                updates[j] = u;
              });
            });
            await local.runCycle();
            for (const [c, b] of batches.entries()) {
              updates.fill(null);
              pub.addRows(b.map((x) => ({ K: `k${Math.abs(x) % 3}`, X: x })));
              await remote.runCycle();
              views.forEach((v, j) => {
                if (updates[j])
                  feed(mirrors[j]!, deltaFrames(v, updates[j]!, c + 1, format), v.columns);
              });
              if (runLocal[c] || c === batches.length - 1) {
                await local.runCycle();
                views.forEach((v, j) => {
                  expect(plainRows(mirrors[j]!.table)).toEqual(plainRows(v));
                });
              }
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
