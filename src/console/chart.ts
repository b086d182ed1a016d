/**
 * LineChart: a small canvas line chart of numeric columns against an x column (or the row
 * position), redrawn only on animation frames after something changed (data, size, series), with
 * every series decimated to about four points per pixel column. A library would be heavier than
 * this and still need the table adapter (readNumbers) that is most of the work.
 */
import type { Table } from "../engine/index.ts";
import { m4, niceTicks, readNumbers, tickLabel, yRange } from "./chart-math.ts";

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
];

export interface ChartSelection {
  /** x column, or null for the row position. */
  x: string | null;
  /** y columns, each with its colour. */
  ys: { name: string; color: string }[];
  /** Format x tick labels as times (an instant x column, in epoch ms). */
  xIsTime: boolean;
}

const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

export class LineChart {
  readonly canvas: HTMLCanvasElement;
  #table: Table | null = null;
  #sel: ChartSelection = { x: null, ys: [], xIsTime: false };
  #frame = 0;
  #buffers = new Map<string, Float64Array>();
  #xBuffer: Float64Array | undefined;
  #observer: ResizeObserver;
  #onNote: (note: string) => void;
  /** Points drawn in the last frame (all series), for tests and the accessible label. */
  drawnPoints = 0;

  constructor(canvas: HTMLCanvasElement, onNote: (note: string) => void = () => {}) {
    this.canvas = canvas;
    this.#onNote = onNote;
    this.#observer = new ResizeObserver(() => this.invalidate());
    this.#observer.observe(canvas);
  }

  setTable(table: Table | null, sel: ChartSelection): void {
    this.#table = table;
    this.#sel = sel;
    this.#buffers.clear();
    this.#xBuffer = undefined;
    this.invalidate();
  }

  select(sel: ChartSelection): void {
    this.#sel = sel;
    this.invalidate();
  }

  /** Schedules one redraw on the next animation frame (many calls, one draw). */
  invalidate(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#observer.disconnect();
    this.#table = null;
  }

  #draw(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (w === 0 || h === 0) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext("2d");
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const style = getComputedStyle(c);
    const ink = style.getPropertyValue("--muted").trim() || "#5d6778";
    const grid = style.getPropertyValue("--line").trim() || "#dde1e8";
    g.font = `11px ${style.fontFamily}`;

    const t = this.#table;
    const n = t && !t.isFailed ? t.size : 0;
    const sel = this.#sel;
    this.drawnPoints = 0;
    if (!t || n === 0 || sel.ys.length === 0) {
      g.fillStyle = ink;
      g.fillText(!t || n === 0 ? "No rows yet" : "Choose a series to plot", PAD.left, PAD.top + 16);
      this.#onNote("");
      return;
    }

    const xs = readNumbers(t, sel.x, this.#xBuffer);
    this.#xBuffer = xs;
    const ys = sel.ys.map((s) => {
      const buf = readNumbers(t, s.name, this.#buffers.get(s.name));
      this.#buffers.set(s.name, buf);
      return buf;
    });
    let xMin = Number.POSITIVE_INFINITY;
    let xMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
    }
    const yr = yRange(ys, n);
    if (!yr || !(xMax >= xMin)) {
      g.fillStyle = ink;
      g.fillText("No finite values to plot", PAD.left, PAD.top + 16);
      this.#onNote("");
      return;
    }
    if (xMin === xMax) {
      xMin -= 1;
      xMax += 1;
    }
    const pw = w - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;
    const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin)) * pw;
    const sy = (y: number) => PAD.top + (1 - (y - yr.min) / (yr.max - yr.min)) * ph;

    // Axes: grid lines and labels.
    g.lineWidth = 1;
    g.strokeStyle = grid;
    g.fillStyle = ink;
    g.textAlign = "right";
    g.textBaseline = "middle";
    const yTicks = niceTicks(yr.min, yr.max, Math.max(2, Math.floor(ph / 40)));
    const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
    g.beginPath();
    for (const v of yTicks) {
      const y = Math.round(sy(v)) + 0.5;
      g.moveTo(PAD.left, y);
      g.lineTo(PAD.left + pw, y);
      g.fillText(tickLabel(v, yStep), PAD.left - 6, y);
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor(pw / 90)));
    const xStep = xTicks.length > 1 ? xTicks[1]! - xTicks[0]! : 1;
    for (const v of xTicks) {
      const x = Math.round(sx(v)) + 0.5;
      g.moveTo(x, PAD.top);
      g.lineTo(x, PAD.top + ph);
      g.fillText(sel.xIsTime ? timeLabel(v, xStep) : tickLabel(v, xStep), x, PAD.top + ph + 6);
    }
    g.stroke();
    g.strokeStyle = ink;
    g.strokeRect(PAD.left + 0.5, PAD.top + 0.5, pw, ph);

    // Series, clipped to the plot area.
    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top, pw, ph);
    g.clip();
    g.lineWidth = 1.6;
    g.lineJoin = "round";
    const buckets = Math.max(1, Math.ceil(pw));
    let drawn = 0;
    sel.ys.forEach((s, j) => {
      const yv = ys[j]!;
      const idx = m4(yv, n, buckets);
      g.strokeStyle = s.color;
      g.beginPath();
      let pen = false;
      let side = 0;
      for (let q = 0; q < idx.length; q++) {
        const i = idx[q]!;
        const y = yv[i]!;
        const x = xs[i]!;
        if (!Number.isFinite(y) || !Number.isFinite(x)) {
          pen = false;
          continue;
        }
        // With clipped outliers, a jump from far above to far below (tan at π/2) is a pole,
        // not a line: lift the pen instead of drawing a vertical stroke through the plot.
        const s = !yr.clipped ? 0 : y > yr.max ? 1 : y < yr.min ? -1 : 0;
        if (pen && s !== 0 && s === -side) pen = false;
        side = s;
        const px = sx(x);
        const py = Math.max(-1e6, Math.min(1e6, sy(y)));
        if (pen) g.lineTo(px, py);
        else g.moveTo(px, py);
        pen = true;
        drawn++;
      }
      g.stroke();
      if (idx.length === 1) {
        const i = idx[0]!;
        g.fillStyle = s.color;
        g.fillRect(sx(xs[i]!) - 2, sy(yv[i]!) - 2, 4, 4);
      }
    });
    g.restore();
    this.drawnPoints = drawn;
    this.canvas.setAttribute(
      "aria-label",
      `Line chart of ${sel.ys.map((s) => s.name).join(", ")} against ${sel.x ?? "row number"}, ${n} rows`,
    );
    this.#onNote(
      `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"}${drawn < n * sel.ys.length ? `, ${drawn.toLocaleString("en-US")} points drawn` : ""}${yr.clipped ? " · y clipped to the 2nd–98th percentile" : ""}`,
    );
  }
}

function timeLabel(ms: number, stepMs: number): string {
  const d = new Date(ms);
  const iso = d.toISOString(); // 2024-05-01T13:30:00.123Z
  if (stepMs >= 86_400_000) return iso.slice(0, 10);
  if (stepMs >= 60_000) return iso.slice(11, 16);
  if (stepMs >= 1000) return iso.slice(11, 19);
  return iso.slice(14, 23);
}
