/**
 * Recompute-harness nuggets of `timeWindow`: over append-only inputs (the only kind it takes),
 * with the harness clock moving between cycles. The stamps are spread by `Size` milliseconds so
 * rows age out in different cycles; recompute compares each stamp with the cycle's clock.
 */
import type { Table, UpdateGraph } from "../../../src/engine/index.ts";
import { newTable, timeWindow } from "../../../src/engine/index.ts";
import { col } from "../../../src/engine/new-table.ts";
import type { Nugget } from "../harness/nugget.ts";

const WINDOW_NS = 5_000_000n; // "PT0.005S"
const spread = (t: Table): Table => t.update("T = Ts + Size * 1000000");

/** `t` plus InWindow as of `now`, from scratch. */
function inWindowAt(t: Table, now: bigint): Table {
  const s = spread(t);
  const rows = s.toRows();
  const flag = rows.map((r) => (r.T === null ? null : (r.T as bigint) >= now - WINDOW_NS));
  return newTable([
    ...s.columnNames.map((n) =>
      col(
        n,
        s.columns[n]!,
        rows.map((r) => r[n] ?? null),
      ),
    ),
    col("InWindow", "bool", flag),
  ]);
}

function windowNugget(name: string, then: (t: Table) => Table): Nugget {
  let graph: UpdateGraph | null = null;
  return {
    name,
    arity: 1,
    kinds: [["appendOnly"]],
    build: ([t]) => {
      graph = t!.graph;
      return then(timeWindow(spread(t!), "T", "PT0.005S", "InWindow"));
    },
    // The harness clock only moves forward, so the window's clock is the cycle's reading.
    recompute: ([t]) => then(inWindowAt(t!, graph!.nowNanos())),
    exactModifications: true,
  };
}

export const nuggets: Nugget[] = [
  windowNugget("timeWindow(T, PT0.005S)", (t) => t),
  windowNugget("timeWindow(...).where(InWindow)", (t) => t.where("InWindow")),
];
