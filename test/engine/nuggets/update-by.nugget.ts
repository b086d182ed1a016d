/**
 * Recompute-harness nuggets of updateBy: every op, with and without `by`, over every parent
 * kind. The recomputation (update-by-ref.ts) runs over the whole stream of a blink input (its
 * ops carry state across cycles) and keeps the rows of the last cycle. Forward windows
 * and windows that stop before the current row are refused over blink inputs, so their nuggets
 * skip that kind. Time-based ops need timestamps that do not decrease within a group in table
 * order (as Deephaven's), which an input table cannot promise (a new key takes a freed row key
 * before later rows), so their nuggets skip the input kind (the table fails instead, as
 * test/engine/update-by.test.ts checks).
 */
import type { Table, UpdateBySpec } from "../../../src/engine/index.ts";
import { updateby } from "../../../src/engine/index.ts";
import type { InputKind, Nugget } from "../harness/nugget.ts";
import { recomputeUpdateBy } from "./update-by-ref.ts";

const NOT_BLINK: readonly (readonly InputKind[])[] = [["static", "appendOnly", "ring", "standard"]];
const ORDERED_TIMES: readonly (readonly InputKind[])[] = [
  ["static", "blink", "appendOnly", "ring", "standard"],
];

const nugget = (
  name: string,
  ops: readonly UpdateBySpec[],
  by: readonly string[],
  forward = false,
  pre: (t: Table) => Table = (t) => t,
  timed = ops.some((op) => op.tsCol !== null),
): Nugget => ({
  name,
  arity: 1,
  ...(forward ? { kinds: NOT_BLINK } : timed ? { kinds: ORDERED_TIMES } : {}),
  build: ([t]) => pre(t!).updateBy([...ops], ...by),
  recompute: ([c], [s]) => recomputeUpdateBy(pre(c!), pre(s!), ops, by),
});

const cumulative = [
  updateby.cumSum("SumSize = Size, SumPx = Px, SumK = K"),
  updateby.cumProd("ProdK = K, ProdPx = Px"),
  updateby.cumMin("MinPx = Px, MinSize = Size"),
  updateby.cumMax("MaxPx = Px, MaxK = K"),
  updateby.delta("DSize = Size, DPx = Px, DK = K"),
  updateby.forwardFill("FSym = Sym, FFlag = Flag, FTs = Ts"),
];
const emas = [
  updateby.emaTick(2, "EPx = Px, ESize = Size"),
  updateby.emaTime("Ts", 3n, "ETPx = Px, ETK = K"),
];
const KINDS = ["Sum", "Avg", "Min", "Max", "Std", "Count", "Product"] as const;
const ticks = (rev: number, fwd: number) =>
  KINDS.map((k) => updateby[`rolling${k}Tick`](`T${k}Px = Px, T${k}Size = Size`, rev, fwd));
const times = (rev: bigint, fwd: bigint) =>
  KINDS.map((k) => updateby[`rolling${k}Time`]("Ts", `W${k}Px = Px, W${k}K = K`, rev, fwd));

export const nuggets: Nugget[] = [
  nugget("updateBy(cumulative)", cumulative, []),
  nugget("updateBy(cumulative, Sym)", cumulative, ["Sym"]),
  nugget("updateBy(ema, Sym)", emas, ["Sym"]),
  nugget("updateBy(ema, K, Flag)", emas, ["K", "Flag"]),
  nugget("updateBy(rolling ticks 3, Sym)", ticks(3, 0), ["Sym"]),
  nugget("updateBy(rolling ticks 1)", ticks(1, 0), []),
  nugget("updateBy(rolling ticks 2 back 1 ahead, Sym)", ticks(2, 1), ["Sym"], true),
  nugget("updateBy(rolling ticks ahead only, K)", ticks(-1, 3), ["K"], true),
  nugget("updateBy(rolling ticks 3 back to 1 back, Sym)", ticks(3, -1), ["Sym"], true),
  nugget("updateBy(rolling time 2ns, Sym)", times(2n, 0n), ["Sym"]),
  nugget("updateBy(rolling time 0ns)", times(0n, 0n), []),
  nugget("updateBy(rolling time 1ns back 2ns ahead, Sym)", times(1n, 2n), ["Sym"], true),
  nugget(
    "updateBy(cumSum of Px, bare name) of where(K != null)",
    [updateby.cumSum("Px")],
    ["Sym"],
    false,
    (t) => t.where("K != null"),
  ),
];
