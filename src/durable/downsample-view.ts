/**
 * `GET /v1/tables/:name/views/:view/downsample`: a view downsampled for a line chart (one min/max
 * pair per pixel column per series, src/engine/downsample.ts), read at the family's current
 * cycle, optionally after an ad-hoc `where` and `sort` (the subscribers' table when one matches,
 * else one built for this answer only, as snapshots do). A bad parameter (an unknown or
 * unplottable column, a key column with too many values, a width out of range) is `400
 * bad_query` naming the parameter; a bad filter `400 bad_formula`.
 *
 * Runtime-agnostic, over FamilyHost; table-family.ts exposes it as an RPC method.
 */
import type { Downsampled, DownsampleOptions } from "../engine/downsample.ts";
import { downsample } from "../engine/downsample.ts";
import { ArgumentError } from "../engine/index.ts";
import { HostError } from "./errors.ts";
import type { FamilyHost } from "./host.ts";
import type { Transform } from "./transients.ts";

/** The wire form: the downsampled series and the cycle they were read at. */
export type DownsampledView = Downsampled & { cycle: number };

/** Downsamples view `view` of `host` (404 `unknown_view`, 400 `bad_query` / `bad_formula`). */
export function downsampleView(
  host: FamilyHost,
  view: string,
  opts: DownsampleOptions,
  transform: Transform = { where: [], sort: [] },
): DownsampledView {
  host.checkShape(view, undefined, transform.sort);
  return host.readShaped(view, transform, (t) => {
    try {
      return { cycle: host.cycle, ...downsample(t, opts) };
    } catch (e) {
      if (e instanceof ArgumentError) throw new HostError(400, "bad_query", e.message);
      throw e;
    }
  });
}
