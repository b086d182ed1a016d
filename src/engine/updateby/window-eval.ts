/**
 * The rolling windows of one group computed from its rows, for any window (forward windows,
 * windows that exclude the current row): each output scans its window, O(window) per row. Used
 * where a group is recomputed (a refreshing parent that inserts, removes or modifies rows, or a
 * forward window that new rows reach); streams use the running kernels of rolling.ts.
 *
 * Tick window of row `i`: rows `[i - revTicks + 1, i + fwdTicks]` of the group. Time window of a
 * row stamped `t`: the rows stamped in `[t - revTime, t + fwdTime]`, except that with `fwdTime = 0`
 * the window ends at the row itself (a later row with the same stamp is not in it, so a stream's
 * rows are never revised). Rows with a null stamp are in no window and output null.
 */
import type { Moments } from "./moments.ts";
import type { RollingSpec } from "./update-by-spec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { putNull } from "./values.ts";
import type { WindowRing } from "./window-ring.ts";

/**
 * Writes the outputs of rows `[from, to)` of a group whose rows `[0, n)` are `x` (and `ts`) to
 * `out[0, to - from)`. Rows before `from` must cover the windows of the rows from `from` on.
 */
export function evalWindows(
  spec: RollingSpec,
  x: Values,
  ts: Stamps | null,
  n: number,
  from: number,
  to: number,
  out: Out,
  m: Moments,
  scratch: WindowRing,
): void {
  const running =
    spec.kind === "Sum" || spec.kind === "Avg" || spec.kind === "Std" || spec.kind === "Count";
  let a = 0;
  let b = 0;
  for (let i = from; i < to; i++) {
    const o = i - from;
    if (ts === null) {
      a = Math.max(0, i - spec.rev + 1);
      b = Math.min(n, i + spec.fwd + 1);
    } else {
      if (ts.ok[i] === 0) {
        putNull(out, o);
        continue;
      }
      const h = ts.th[i]!;
      const l = ts.tl[i]!;
      while (a < n && (ts.ok[a] === 0 || ts.th[a]! - h + (ts.tl[a]! - l) < -spec.rev)) a++;
      if (spec.fwd === 0) b = i + 1;
      else {
        if (b < a) b = a;
        while (b < n && (ts.ok[b] === 0 || ts.th[b]! - h + (ts.tl[b]! - l) <= spec.fwd)) b++;
      }
    }
    m.reset(0);
    scratch.head = 0;
    scratch.size = 0;
    for (let j = a; j < b; j++) {
      if (ts !== null && ts.ok[j] === 0) continue;
      if (running) {
        if (x.ok[j] === 1) m.add(0, x.f[j]!, x.big === null ? undefined : x.big[j], 1);
      } else scratch.push(x.f[j]!, x.ok[j]!, x.big === null ? undefined : x.big[j], 0, 0);
    }
    if (running) m.write(spec.kind, 0, out, o);
    else scratch.scan(spec.kind, out, o);
  }
}
