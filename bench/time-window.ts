/**
 * Time-window benchmark (`npm run bench -- timewindow`): the cost of one cycle of
 * `timeWindow(history, "Ts", "PT10S", "InWindow")` with 1,000,000 rows in the window. A blink
 * stream of 10,000 rows a cycle, stamped 10 µs apart, is accumulated by `blinkToAppendOnly`; the
 * clock moves 100 ms a cycle, so after 100 cycles the window holds 1,000,000 rows and every later
 * cycle adds 10,000 rows and ages 10,000 out. Reported per steady-state cycle (best of 3 runs of
 * 50 cycles): the window alone, with `.where("InWindow")` (the sliding window), with a sliding sum
 * over it, and the history alone (the cost the window adds is the difference); also a cycle in
 * which only the clock moves (10,000 rows age out, none arrive).
 */
import type { Table } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  instantCol,
  newTable,
  tablePublisher,
  timeWindow,
  UpdateGraph,
} from "../src/engine/index.ts";
import { printTable } from "./util.ts";

const BATCH = 10_000;
const STEP_MS = 100;
const FILL = 100; // cycles until the window (10 s) is full: 1,000,000 rows
const MEASURED = 50;
const T0_MS = 1_700_000_000_000;

function batches(count: number): Table[] {
  return Array.from({ length: count }, (_, b) =>
    newTable([
      instantCol(
        "Ts",
        Array.from(
          { length: BATCH },
          (_, i) => BigInt(T0_MS) * 1_000_000n + BigInt(b * BATCH + i) * 10_000n,
        ),
      ),
      doubleCol(
        "Px",
        Array.from({ length: BATCH }, (_, i) => (i % 100) + 0.5),
      ),
    ]),
  );
}

interface Result {
  msPerCycle: number;
  inWindow: number;
}

/** Fills the window, then times MEASURED cycles (`feed`: whether rows arrive each cycle). */
function run(all: Table[], build: ((window: Table) => Table) | null, feed: boolean): Result {
  let now = T0_MS;
  const g = new UpdateGraph({ clock: () => now });
  const [blink, pub] = tablePublisher(g, {
    name: "ticks",
    columns: { Ts: "instant", Px: "float64" },
  });
  const history = blinkToAppendOnly(blink);
  const window = build ? timeWindow(history, "Ts", "PT10S", "InWindow") : null;
  const out = build && window ? build(window) : history;
  let b = 0;
  const cycle = (rows: boolean) => {
    if (rows) pub.add(all[b++]!);
    now += STEP_MS;
    g.runCycleSync();
  };
  for (let i = 0; i < FILL; i++) cycle(true);
  const t0 = performance.now();
  for (let i = 0; i < MEASURED; i++) cycle(feed);
  const ms = (performance.now() - t0) / MEASURED;
  if (out.isFailed) throw new Error(String(out.failure));
  const inWindow = window ? window.where("InWindow").size : 0;
  return { msPerCycle: ms, inWindow };
}

export async function benchTimeWindow(): Promise<void> {
  const all = batches(FILL + MEASURED);
  const cases: [string, ((w: Table) => Table) | null, boolean][] = [
    ["history only (blinkToAppendOnly, no window)", null, true],
    ["timeWindow", (w) => w, true],
    ['timeWindow(...).where("InWindow")', (w) => w.where("InWindow"), true],
    [
      '... .where("InWindow").view("Px").sumBy()',
      (w) => w.where("InWindow").view("Px").sumBy(),
      true,
    ],
    ['clock only: .where("InWindow"), no new rows', (w) => w.where("InWindow"), false],
  ];
  const rows: string[][] = [];
  for (const [name, build, feed] of cases) {
    let best: Result | null = null;
    for (let r = 0; r < 3; r++) {
      const res = run(all, build, feed);
      if (!best || res.msPerCycle < best.msPerCycle) best = res;
    }
    rows.push([
      name,
      best!.inWindow > 0 ? String(best!.inWindow) : "-",
      feed ? String(BATCH) : "0",
      build ? String(BATCH) : "-",
      best!.msPerCycle.toFixed(2),
    ]);
  }
  printTable(
    "timeWindow: one cycle with 1,000,000 rows in a 10 s window (best of 3 runs of 50 cycles)",
    [
      "pipeline",
      "rows in window after",
      "rows added / cycle",
      "rows aged out / cycle",
      "ms / cycle",
    ],
    rows,
  );
}
