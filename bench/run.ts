/**
 * `npm run bench`: engine benchmarks (Node 22). Prints markdown tables; copy them into
 * BENCHMARKS.md with the machine description. Sections: formulas, streaming, aggregations,
 * merge, relational, keys, cycle, arrow (`arrow decode` / `arrow encode` / `arrow categories`: one part), json, viewport, timewindow, updateby (`updateby windows`: the
 * rolling min / max / product rows only; `updateby blink` / `updateby append`: one parent), peers
 * and downsample (these two only when named; `peers warm`: tickflare alone, warm and cold in one
 * process; `peers phases`: tickflare alone, batch by batch from a process's start; `downsample
 * stored`: over a persisted history).
 * `npm run bench -- formulas` runs one section (`npm run bench -- relational sort`: one part of it).
 */
import os from "node:os";
import { benchAggregations } from "./aggregations.ts";
import { benchArrow } from "./arrow.ts";
import { benchArrowCategories } from "./arrow-categories.ts";
import { benchArrowEncode, benchArrowEncodeHistory } from "./arrow-encode.ts";
import { benchCycle } from "./cycle.ts";
import { benchDownsample } from "./downsample.ts";
import { benchDownsampleStored } from "./downsample-stored.ts";
import { benchFormulas } from "./formulas.ts";
import { benchJson } from "./json.ts";
import { benchKeys } from "./keys.ts";
import { benchMerge } from "./merge.ts";
import { benchPeers } from "./peers.ts";
import { benchPeersPhases } from "./peers-phases.ts";
import { benchPeersWarm } from "./peers-warm.ts";
import { benchRelational } from "./relational.ts";
import { benchStoredHistory } from "./stored-history.ts";
import { benchStreaming } from "./streaming.ts";
import { benchTimeWindow } from "./time-window.ts";
import { benchUpdateBy } from "./updateby.ts";
import { benchViewport } from "./viewport.ts";

const only = process.argv[2];
console.log(
  `tickflare bench — node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}`,
);
if (!only || only === "formulas") benchFormulas();
if (!only || only === "streaming") await benchStreaming();
if (!only || only === "aggregations") await benchAggregations();
if (!only || only === "merge") await benchMerge();
// `relational sort` (or whereIn, naturalJoin, peers, joins, asOf / aj): one part of the section.
if (!only || only === "relational") await benchRelational(only ? process.argv[3] : undefined);
if (!only || only === "keys") await benchKeys();
if (!only || only === "cycle") await benchCycle();
// `arrow decode` / `arrow encode` / `arrow history` / `arrow categories`: one part of the section.
if (!only || (only === "arrow" && (!process.argv[3] || process.argv[3] === "decode"))) benchArrow();
if (!only || (only === "arrow" && (!process.argv[3] || process.argv[3] === "encode")))
  benchArrowEncode();
// `arrow history`: the encode of a history whose pages are sealed.
if (!only || (only === "arrow" && (!process.argv[3] || process.argv[3] === "history")))
  await benchArrowEncodeHistory();
// `arrow stored`: a stored history read back and snapshotted.
if (!only || (only === "arrow" && (!process.argv[3] || process.argv[3] === "stored")))
  benchStoredHistory();
if (!only || (only === "arrow" && (!process.argv[3] || process.argv[3] === "categories")))
  benchArrowCategories();
if (!only || only === "json") benchJson();
if (!only || only === "viewport") await benchViewport();
if (!only || only === "timewindow") await benchTimeWindow();
// `updateby windows`: only the rolling min / max / product rows; `updateby append`: one parent.
if (!only || only === "updateby") await benchUpdateBy(process.argv[3]);
// Forks a process per run (several minutes): only on request. `peers warm`: tickflare alone, three
// runs of each scenario in one process (bench/peers-warm.ts); `peers phases`: one scenario's
// speed window by window from the start of this process (bench/peers-phases.ts).
if (only === "peers" && process.argv[3] === "warm") await benchPeersWarm();
else if (only === "peers" && process.argv[3] === "phases") await benchPeersPhases();
else if (only === "peers") await benchPeers();
// Builds a 10M-row history (about 1 GB of heap): only on request. `downsample stored`: the same
// history persisted over node:sqlite and read back as after a wake (bench/downsample-stored.ts).
if (only === "downsample" && process.argv[3] === "stored") await benchDownsampleStored();
else if (only === "downsample") await benchDownsample();
