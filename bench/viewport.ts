/**
 * Viewport benchmark (`npm run bench -- viewport`): bytes a viewport subscriber receives per
 * cycle, and the server's work for it, over a 10,000,000-row append-only history ticking 10,000
 * rows a cycle, with a 60-row viewport at the start and at the end of the history. Uses the same
 * code the family object runs (src/durable/shaped.ts's viewportChange, wire.ts's frames), over
 * the engine alone (no sockets), so the numbers are the wire's payload bytes.
 *
 * "At the end" is measured twice: a viewport fixed on the last 60 positions when it was opened
 * (appended rows fall after it: only the size changes), and a client following the end, which
 * moves its viewport to the new last 60 rows each cycle (the rows it is sent are those newly
 * visible: 60 when a cycle appends 10,000).
 */

import { viewportChange } from "../src/durable/shaped.ts";
import type { TableUpdate } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  type RowSet,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { vecFromValues } from "../src/engine/new-table.ts";
import { sourcePort } from "../src/engine/sources/source-port.ts";
import type { Frame, WireFormat } from "../src/engine/wire.ts";
import { deltaFrames } from "../src/engine/wire.ts";
import { printTable } from "./util.ts";

const HISTORY = 10_000_000;
const TICK = 10_000;
const VIEWPORT = 60;
const CYCLES = 20;
const COLUMNS = { Id: "int64", Sym: "string", Price: "float64", Size: "int32" } as const;
const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA"];

function batch(from: number, n: number) {
  const ids = Array.from({ length: n }, (_, k) => BigInt(from + k));
  return [
    vecFromValues("int64", ids, "Id"),
    vecFromValues(
      "string",
      ids.map((i) => SYMS[Number(i % 7n)]!),
      "Sym",
    ),
    vecFromValues(
      "float64",
      ids.map((i) => 100 + Number(i % 1000n) / 8),
      "Price",
    ),
    vecFromValues(
      "int32",
      ids.map((i) => Number(i % 500n)),
      "Size",
    ),
  ];
}

const bytesOf = (frames: Frame[]) =>
  frames.reduce((n, f) => n + (typeof f === "string" ? f.length : f.byteLength), 0);

export async function benchViewport(): Promise<void> {
  const g = new UpdateGraph();
  const [blink] = tablePublisher(g, { name: "ticks", columns: { ...COLUMNS } });
  const port = sourcePort(blink);
  const history = blinkToAppendOnly(blink);
  let update: TableUpdate | null = null;
  history.listen((u) => {
    update = u;
  });
  // The 10M-row history, built in 1M-row cycles.
  const fill = 1_000_000;
  for (let at = 0; at < HISTORY; at += fill) {
    port.addBatch(batch(at, fill), fill);
    await g.runCycle();
  }
  const formats: WireFormat[] = ["json", "arrow"];
  type Sub = { name: string; first: () => number; sent: RowSet };
  const span = (first: number) => history.rowSet.subSetByPosition(first, first + VIEWPORT);
  const size0 = history.size;
  const subs: Sub[] = [
    { name: "start (positions 0-59)", first: () => 0, sent: span(0) },
    {
      name: "end, fixed (last 60 when opened)",
      first: () => size0 - VIEWPORT,
      sent: span(size0 - VIEWPORT),
    },
    {
      name: "end, following (moved to the last 60 each cycle)",
      first: () => history.size - VIEWPORT,
      sent: span(size0 - VIEWPORT),
    },
  ];
  const totals = new Map<string, { bytes: Record<WireFormat, number>; rows: number; ms: number }>();
  for (const s of subs) totals.set(s.name, { bytes: { json: 0, arrow: 0 }, rows: 0, ms: 0 });
  const whole = { json: 0, arrow: 0 };
  for (let c = 0; c < CYCLES; c++) {
    const at = history.size;
    port.addBatch(batch(at, TICK), TICK);
    update = null;
    await g.runCycle();
    const u = update as TableUpdate | null;
    if (!u) throw new Error("the history did not tick");
    for (const f of formats) whole[f] += bytesOf(deltaFrames(history, u, c, f));
    for (const s of subs) {
      const t = totals.get(s.name)!;
      const t0 = performance.now();
      const next = span(s.first());
      const change = viewportChange(s.sent, next, u);
      const shape = { size: history.size, viewport: { first: s.first(), last: s.first() + 59 } };
      const frames = formats.map((f) => deltaFrames(history, change, c, f, shape));
      t.ms += performance.now() - t0;
      t.bytes.json += bytesOf(frames[0]!);
      t.bytes.arrow += bytesOf(frames[1]!);
      t.rows += change.added.size + change.modified.size;
      s.sent = next;
    }
  }
  const rows = [...totals].map(([name, t]) => [
    name,
    String(t.rows / CYCLES),
    (t.bytes.json / CYCLES).toFixed(0),
    (t.bytes.arrow / CYCLES).toFixed(0),
    ((t.ms / CYCLES) * 1000).toFixed(0),
  ]);
  rows.push([
    "whole view (no viewport), for comparison",
    String(TICK),
    (whole.json / CYCLES).toFixed(0),
    (whole.arrow / CYCLES).toFixed(0),
    "-",
  ]);
  printTable(
    `Viewport of ${VIEWPORT} rows over a ${(history.size / 1e6).toFixed(2)}M-row append-only history, ${TICK} rows a cycle (mean of ${CYCLES} cycles)`,
    [
      "viewport",
      "rows sent / cycle",
      "JSON bytes / cycle",
      "Arrow bytes / cycle",
      "server µs / cycle",
    ],
    rows,
  );
}
