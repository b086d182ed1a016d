/**
 * LiveView: one open view. It subscribes with `tickflare/client` (a snapshot, then one delta per
 * server cycle applied to a local mirror table; the client reconnects and resumes by itself),
 * feeds every cycle to the grid and the chart, and shows the connection state, the cycle number,
 * the row count and rows per second. Opening another view closes the previous subscription.
 */
import type {
  SourceDescription,
  Subscription,
  SubscriptionState,
  TickflareClient,
  UpdateEvent,
  ViewDescription,
} from "../client/index.ts";
import type { ColumnType, Table } from "../engine/index.ts";
import type { ViewType } from "./catalog.ts";
import { viewType } from "./catalog.ts";
import type { ChartSelection } from "./chart.ts";
import { LineChart, SERIES_COLORS } from "./chart.ts";
import { formatCount, isNumericType } from "./format.ts";
import { VirtualGrid } from "./grid.ts";
import { inputTableEditing } from "./input-editing.ts";

const RATE_WINDOW_MS = 5000;
const MAX_DEFAULT_SERIES = 4;

/** The elements of the view pane (see index.html). */
export interface LiveViewElements {
  title: HTMLElement;
  type: HTMLElement;
  state: HTMLElement;
  cycle: HTMLElement;
  rows: HTMLElement;
  rate: HTMLElement;
  error: HTMLElement;
  follow: HTMLInputElement;
  gridHost: HTMLElement;
  chartPanel: HTMLElement;
  chartX: HTMLSelectElement;
  chartY: HTMLFieldSetElement;
  chart: HTMLCanvasElement;
  chartNote: HTMLElement;
}

/** Rows added or modified per second over a sliding window. */
class RateMeter {
  #events: { at: number; rows: number }[] = [];
  #since = performance.now();

  add(rows: number): void {
    this.#events.push({ at: performance.now(), rows });
  }

  reset(): void {
    this.#events = [];
    this.#since = performance.now();
  }

  get perSecond(): number {
    const now = performance.now();
    while (this.#events.length > 0 && now - this.#events[0]!.at > RATE_WINDOW_MS)
      this.#events.shift();
    const span = Math.max(1000, Math.min(RATE_WINDOW_MS, now - this.#since));
    let sum = 0;
    for (const e of this.#events) sum += e.rows;
    return (sum * 1000) / span;
  }
}

export class LiveView {
  readonly grid: VirtualGrid;
  readonly chart: LineChart;
  readonly #el: LiveViewElements;
  #sub: Subscription | null = null;
  #stops: (() => void)[] = [];
  #seq = 0;
  #rate = new RateMeter();
  #ticker: ReturnType<typeof setInterval> | null = null;
  #statusFrame = 0;
  #columns: [string, ColumnType][] = [];
  #xIsTime = false;
  /** Called (at most once a frame) with the open view's row count and cycle. */
  onStatus: (family: string, view: string, rows: number, cycle: number) => void = () => {};

  constructor(el: LiveViewElements) {
    this.#el = el;
    this.grid = new VirtualGrid(el.gridHost);
    this.grid.placeholder = "Choose a view in the table list, or create a table family with New…";
    this.chart = new LineChart(el.chart, (note) => {
      el.chartNote.textContent = note;
      el.chartNote.hidden = note === "";
    });
    this.grid.onFollowChange = (on) => {
      el.follow.checked = on;
    };
    el.follow.addEventListener("change", () => this.grid.setFollow(el.follow.checked));
    el.chartX.addEventListener("change", () => this.#chartControls(el.chartX.value || null));
    el.chartY.addEventListener("change", () => this.chart.select(this.#selection()));
  }

  /** The subscription of the open view (null while none is open or it is connecting). */
  get subscription(): Subscription | null {
    return this.#sub;
  }

  /**
   * Opens `family/view`, replacing whatever was open; resolves once its snapshot is shown. `source`
   * describes the view when it is one of the family's sources (an input table is editable).
   */
  async open(
    client: TickflareClient,
    family: string,
    view: string,
    desc: ViewDescription | undefined,
    source?: SourceDescription,
  ): Promise<void> {
    const seq = ++this.#seq;
    this.close();
    const el = this.#el;
    el.title.textContent = `${family} / ${view}`;
    this.#showType(desc ? viewType(desc) : null);
    el.error.hidden = true;
    this.#setState("connecting");
    el.cycle.textContent = "–";
    el.rows.textContent = "–";
    el.rate.textContent = "–";
    let sub: Subscription;
    try {
      sub = await client.subscribe(family, view, {
        onStateChange: (s) => {
          if (seq === this.#seq) this.#setState(s);
        },
        onError: (e) => {
          if (seq !== this.#seq) return;
          el.error.textContent = e.detail ? `${e.error}: ${e.detail}` : e.message;
          el.error.hidden = false;
        },
      });
    } catch (e) {
      if (seq !== this.#seq) return;
      this.#setState("failed");
      el.error.textContent = `Could not subscribe: ${e instanceof Error ? e.message : String(e)}`;
      el.error.hidden = false;
      return;
    }
    if (seq !== this.#seq) {
      sub.close();
      return;
    }
    this.#sub = sub;
    this.#setState(sub.state);
    const table = sub.table;
    const type = desc ? viewType(desc) : mirrorType(table);
    this.#showType(type);
    const followable = type === "ring" || type === "append-only" || type === "add-only";
    el.follow.checked = followable;
    (el.follow.parentElement as HTMLElement).hidden = !followable;
    this.grid.setTable(table, { label: `${family} ${view}`, followable });
    if (source?.type === "input" && (source.keys ?? []).length > 0) {
      // An input table with keys: its cells are edited and its rows deleted in place.
      this.grid.setEditing(
        inputTableEditing(client, family, view, source, sub, (message) => {
          if (seq !== this.#seq) return;
          el.error.textContent = message;
          el.error.hidden = false;
        }),
      );
    }
    this.grid.applyUpdate(null, "snapshot", sub.cycle);
    this.#setupChart(table);
    this.#rate.reset();
    this.#stops.push(
      sub.onUpdate((e: UpdateEvent) => {
        if (e.kind === "delta" && e.update) {
          this.#rate.add(e.update.added.size + e.update.modified.size);
        }
        this.grid.applyUpdate(e.update, e.kind, e.cycle);
        this.chart.invalidate();
        this.#scheduleStatus();
      }),
    );
    this.#ticker = setInterval(() => this.#scheduleStatus(), 1000);
    this.#scheduleStatus();
  }

  /** Closes the open view's subscription (the grid and chart keep nothing). */
  close(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    this.#sub?.close();
    this.#sub = null;
    this.grid.setTable(null, { label: "no view", followable: false });
    this.chart.setTable(null, { x: null, ys: [], xIsTime: false });
    this.#el.chartPanel.hidden = true;
    this.#setState("idle");
  }

  #showType(type: ViewType | null): void {
    const t = this.#el.type;
    t.hidden = type === null;
    t.className = `badge ${type ?? ""}`;
    t.textContent = type ?? "";
  }

  #setState(state: SubscriptionState | "idle" | "failed"): void {
    const s = this.#el.state;
    s.dataset.state = state;
    s.textContent = state;
  }

  #scheduleStatus(): void {
    if (this.#statusFrame) return;
    this.#statusFrame = requestAnimationFrame(() => {
      this.#statusFrame = 0;
      const sub = this.#sub;
      if (!sub) return;
      const el = this.#el;
      el.cycle.textContent = sub.cycle >= 0 ? String(sub.cycle) : "–";
      el.rows.textContent = formatCount(sub.table.size);
      el.rows.title = `${sub.table.size.toLocaleString("en-US")} rows`;
      const r = this.#rate.perSecond;
      el.rate.textContent = r < 10 ? r.toFixed(1) : formatCount(Math.round(r));
      this.onStatus(sub.name, sub.view, sub.table.size, sub.cycle);
    });
  }

  // ---- chart controls --------------------------------------------------------------------------

  #setupChart(table: Table): void {
    const el = this.#el;
    this.#columns = Object.entries(table.columns) as [string, ColumnType][];
    const numeric = this.#columns.filter(([, t]) => isNumericType(t));
    const xCandidates = this.#columns.filter(([, t]) => isNumericType(t) || t === "instant");
    if (numeric.length === 0) {
      el.chartPanel.hidden = true;
      return;
    }
    el.chartPanel.hidden = false;
    const opts = [new Option("row number", "")];
    for (const [name, type] of xCandidates) opts.push(new Option(`${name} (${type})`, name));
    el.chartX.replaceChildren(...opts);
    const preferred =
      xCandidates.find(([n]) => n === "X") ??
      xCandidates.find(([, t]) => t === "instant") ??
      xCandidates.find(([n]) => /^(x|time|timestamp|ts)$/i.test(n));
    el.chartX.value = preferred?.[0] ?? "";
    this.chart.setTable(table, { x: null, ys: [], xIsTime: false });
    this.#chartControls(preferred?.[0] ?? null);
  }

  /** Rebuilds the series checkboxes for x column `x` (keeping what was checked). */
  #chartControls(x: string | null): void {
    const el = this.#el;
    const was = new Set(
      [...el.chartY.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value),
    );
    const first = was.size === 0;
    const numeric = this.#columns.filter(([n, t]) => isNumericType(t) && n !== x);
    const legend = el.chartY.querySelector("legend");
    const labels = numeric.map(([name], i) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = first ? i < MAX_DEFAULT_SERIES : was.has(name);
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = SERIES_COLORS[i % SERIES_COLORS.length]!;
      label.append(box, sw, document.createTextNode(name));
      return label;
    });
    el.chartY.replaceChildren(...(legend ? [legend] : []), ...labels);
    this.#xIsTime = x !== null && this.#columns.some(([n, t]) => n === x && t === "instant");
    this.chart.select(this.#selection());
  }

  #selection(): ChartSelection {
    const el = this.#el;
    const boxes = [...el.chartY.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
    return {
      x: el.chartX.value || null,
      ys: boxes
        .map((b, i) => ({ b, color: SERIES_COLORS[i % SERIES_COLORS.length]! }))
        .filter(({ b }) => b.checked)
        .map(({ b, color }) => ({ name: b.value, color })),
      xIsTime: this.#xIsTime,
    };
  }
}

/** A view's type from the mirror's attributes, when no description is at hand. */
function mirrorType(t: Table): ViewType {
  if (t.isBlink) return "blink";
  if (t.isAppendOnly) return "append-only";
  if (t.isAddOnly) return "add-only";
  return "ticking";
}
