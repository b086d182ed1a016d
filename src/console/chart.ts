/**
 * LineChart: the view's chart, drawn by uPlot (a small, fast canvas chart library, pinned in
 * package.json; docs/console.md says why). It shows ChartData (chart-data.ts): series on a left
 * and an optional right y axis, against a numeric x, the row number, or instants as times. When
 * rare spikes would flatten everything else (tan near π/2) the left axis shows the 2nd to 98th
 * percentile and a jump across the clipped range (a pole) is not drawn. Hovering shows every
 * series' value at that x in the legend. With nothing to draw it shows a message in the page's
 * own text (not on the canvas), so it is never clipped.
 */
import uPlot from "uplot";
import type { ChartData } from "./chart-data.ts";
import { yRange } from "./chart-math.ts";

/** Series colours (Tableau 10), readable on light and dark backgrounds. */
export const SERIES_COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#bab0ac",
];

export interface ChartView {
  /** Format x as times (an instant column, epoch ms). */
  xIsTime: boolean;
  /** The x axis label. */
  xLabel: string;
  /** What the note says about where the data came from ("downsampled on the server ..."). */
  source: string;
}

const HEIGHT = 240;

export class LineChart {
  readonly box: HTMLElement;
  readonly #empty: HTMLElement;
  #plot: uPlot | null = null;
  #shape = "";
  #observer: ResizeObserver;
  #onNote: (note: string) => void;
  /** Points handed to the chart in the last draw (all series), for tests and the note. */
  drawnPoints = 0;

  constructor(box: HTMLElement, onNote: (note: string) => void = () => {}) {
    this.box = box;
    this.#onNote = onNote;
    this.#empty = document.createElement("p");
    this.#empty.className = "chart-empty";
    box.append(this.#empty);
    this.#observer = new ResizeObserver(() => {
      const w = this.box.clientWidth;
      if (this.#plot && w > 0 && w !== this.#plot.width) {
        this.#plot.setSize({ width: w, height: HEIGHT });
      }
    });
    this.#observer.observe(box);
  }

  /** Shows `message` instead of a chart. */
  placeholder(message: string): void {
    this.#destroy();
    this.#empty.textContent = message;
    this.#empty.hidden = false;
    this.drawnPoints = 0;
    this.box.dataset.points = "0";
    this.#onNote("");
  }

  /** Draws `data` (replacing what was drawn). */
  show(data: ChartData, view: ChartView): void {
    if (data.series.length === 0) {
      this.placeholder("Choose a series to plot");
      return;
    }
    if (data.xs.length === 0) {
      this.placeholder("No rows yet");
      return;
    }
    const left = data.series.filter((s) => s.axis === 1);
    const yr = yRange(
      left.map((s) => Float64Array.from(s.values, (v) => (v === null ? Number.NaN : v))),
      data.xs.length,
    );
    if (!yr && !data.series.some((s) => s.axis === 2)) {
      this.placeholder("No finite values to plot");
      return;
    }
    const split = data.series.some((s) => s.key !== null);
    const values = data.series.map((s) => {
      if (!yr?.clipped || s.axis !== 1) return s.values;
      // Values outside the clipped range come in runs (a spike, or both sides of a pole such as
      // tan at π/2). Each run keeps only its first and last value, pulled in to one range beyond
      // the edge, so lines still leave and enter the plot; the rest become a gap, and a run that
      // jumps straight from above to below (a pole) is cut so no line crosses the plot.
      const out = s.values.slice();
      const span = yr.max - yr.min;
      const outside = (v: number | null | undefined): v is number =>
        v !== null && v !== undefined && (v > yr.max || v < yr.min);
      const pull = (v: number) => Math.max(yr.min - span, Math.min(yr.max + span, v));
      let i = 0;
      while (i < out.length) {
        if (!outside(out[i])) {
          i++;
          continue;
        }
        let j = i;
        while (j < out.length && outside(out[j])) j++;
        const last = j - 1;
        for (let k = i + 1; k < last; k++) out[k] = null;
        const pole = last > i && out[i]! > yr.max !== out[last]! > yr.max;
        if (pole && last === i + 1) out[last] = null;
        else if (last > i) out[last] = pull(out[last]!);
        out[i] = pull(out[i]!);
        i = j;
      }
      return out;
    });
    const hasRight = data.series.some((s) => s.axis === 2);
    const shape = JSON.stringify([
      data.series.map((s) => [s.label, s.axis]),
      view.xIsTime,
      view.xLabel,
      yr?.clipped ? [yr.min, yr.max] : null,
    ]);
    const aligned = [data.xs, ...values] as uPlot.AlignedData;
    this.#empty.hidden = true;
    if (this.#plot && shape === this.#shape) {
      this.#plot.setData(aligned);
    } else {
      this.#destroy();
      this.#shape = shape;
      const style = getComputedStyle(this.box);
      const ink = style.getPropertyValue("--muted").trim() || "#5d6778";
      const grid = style.getPropertyValue("--line").trim() || "#dde1e8";
      const axis = (scale: string, side?: number): uPlot.Axis => ({
        scale,
        stroke: ink,
        grid: { stroke: grid, width: 1, show: side === undefined },
        ticks: { stroke: grid, width: 1 },
        ...(side === undefined ? {} : { side }),
        size: 56,
      });
      const opts: uPlot.Options = {
        width: Math.max(200, this.box.clientWidth),
        height: HEIGHT,
        ms: 1,
        // Times in UTC, as the grid shows instants.
        tzDate: (ts) => uPlot.tzDate(new Date(ts), "Etc/UTC"),
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
        scales: {
          x: { time: view.xIsTime },
          y: yr?.clipped ? { range: [yr.min, yr.max] } : { auto: true },
          ...(hasRight ? { y2: { auto: true } } : {}),
        },
        axes: [
          { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
          axis("y"),
          ...(hasRight ? [axis("y2", 1)] : []),
        ],
        series: [
          {
            label: view.xLabel,
            value: (_u, v) => (view.xIsTime ? timeText(v) : xText(v)),
          },
          ...data.series.map(
            (s, i): uPlot.Series => ({
              label: s.axis === 2 ? `${s.label} (right)` : s.label,
              scale: s.axis === 2 ? "y2" : "y",
              stroke: SERIES_COLORS[i % SERIES_COLORS.length]!,
              width: 1.6,
              spanGaps: split,
              points: { show: false },
            }),
          ),
        ],
      };
      this.#plot = new uPlot(opts, aligned, this.box);
    }
    this.drawnPoints = data.points;
    this.box.dataset.points = String(data.points);
    this.box.dataset.series = data.series.map((s) => s.label).join("|");
    this.box.setAttribute(
      "aria-label",
      `Line chart of ${data.series.map((s) => s.label).join(", ")} against ${view.xLabel}, ${data.rows} rows`,
    );
    this.#onNote(
      [
        `${data.rows.toLocaleString("en-US")} row${data.rows === 1 ? "" : "s"}`,
        view.source,
        yr?.clipped ? "y clipped to the 2nd–98th percentile" : "",
        data.truncated ? `only the first ${data.series.length} series are drawn` : "",
      ]
        .filter((t) => t !== "")
        .join(" · "),
    );
  }

  dispose(): void {
    this.#observer.disconnect();
    this.#destroy();
  }

  #destroy(): void {
    this.#plot?.destroy();
    this.#plot = null;
    this.#shape = "";
  }
}

function xText(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e6 || Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

function timeText(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "–";
  return new Date(v).toISOString();
}
