/**
 * `GET /v1/tables/:name/views/:view/downsample`: a view downsampled for a line chart (one min/max
 * pair per pixel column per series, src/engine/downsample.ts), read at the family's current
 * cycle. A bad parameter (an unknown or unplottable column, a key column with too many values, a
 * width out of range) is `400 bad_query` naming the parameter.
 *
 * Runtime-agnostic, over FamilyHost; table-family.ts exposes it as an RPC method.
 */
import type { Downsampled, DownsampleOptions } from "../engine/downsample.ts";
import { downsample } from "../engine/downsample.ts";
import { ArgumentError } from "../engine/index.ts";
import { HostError } from "./errors.ts";
import type { FamilyHost } from "./host.ts";

/** The wire form: the downsampled series and the cycle they were read at. */
export type DownsampledView = Downsampled & { cycle: number };

/** Downsamples view `view` of `host` (404 `unknown_view`, 400 `bad_query`). */
export function downsampleView(
  host: FamilyHost,
  view: string,
  opts: DownsampleOptions,
): DownsampledView {
  const t = host.view(view);
  try {
    return { cycle: host.cycle, ...downsample(t, opts) };
  } catch (e) {
    if (e instanceof ArgumentError) throw new HostError(400, "bad_query", e.message);
    throw e;
  }
}
