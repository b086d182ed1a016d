/**
 * LiveView: one open view. It subscribes with `tickflare/client` (a snapshot, then one delta per
 * server cycle applied to a local mirror table; the client reconnects and resumes by itself),
 * shows it in the grid through a GridSource and in the chart, and shows the connection state, the
 * cycle number, the row count and rows per second. Opening another view closes the previous
 * subscription and starts from that view's own state (from the address, or the defaults): nothing
 * carries over by name from the view before.
 *
 * The grid's sort and filters (a ViewQuery) are applied to the mirror with the engine's own
 * `where` and `sort`, as tables derived from it that tick with it; `queryOptions` makes the same
 * `{ sort, where, columns }` that server-side viewports take. Blink views say that they hold one
 * cycle's rows and offer to follow a ring or history of them. Views larger than LOCAL_CHART_ROWS
 * are charted from the server's downsample (docs/protocol.md) instead of every row.
 */
import type {
  Subscription,
  SubscriptionState,
  TableDescription,
  TickflareClient,
  UpdateEvent,
} from "../client/index.ts";
import type { ColumnType, Table, TableUpdate } from "../engine/index.ts";
import type { FollowTarget, ViewType } from "./catalog.ts";
import { followTarget, viewType } from "./catalog.ts";
import { LineChart, SERIES_COLORS } from "./chart.ts";
import type { ChartData, DownsampleAnswer } from "./chart-data.ts";
import { downsampledChartData, localChartData } from "./chart-data.ts";
import { formatCount, isNumericType } from "./format.ts";
import { VirtualGrid } from "./grid.ts";
import { TableSource } from "./grid-source.ts";
import type { ChartSettings } from "./url-state.ts";
import type { ViewQuery } from "./view-query.ts";
import { EMPTY_QUERY, QuickFilterError, queryOptions } from "./view-query.ts";

const RATE_WINDOW_MS = 5000;
const MAX_DEFAULT_SERIES = 4;
/** Views with more rows than this are charted from the server's downsample. */
export const LOCAL_CHART_ROWS = 50_000;
/** The chart redraws at most this often (a cycle's rows arrive between two draws). */
const CHART_MS = 200;
/** A server downsample is asked at most this often. */
const DOWNSAMPLE_MS = 1000;

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
  blinkHint: HTMLElement;
  blinkText: HTMLElement;
  followRing: HTMLButtonElement;
  where: HTMLInputElement;
  whereError: HTMLElement;
  columns: HTMLDetailsElement;
  columnList: HTMLElement;
  gridHost: HTMLElement;
  chartPanel: HTMLElement;
  chartX: HTMLSelectElement;
  chartY: HTMLFieldSetElement;
  chartY2: HTMLSelectElement;
  chartBy: HTMLSelectElement;
  chart: HTMLElement;
  chartNote: HTMLElement;
}

/** Downsamples a view on the server (`GET .../downsample`). */
export type Downsampler = (
  family: string,
  view: string,
  params: { x: string | null; y: string[]; by: string | null; width: number },
) => Promise<DownsampleAnswer>;

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
  #family = "";
  #view = "";
  #stops: (() => void)[] = [];
  #seq = 0;
  #rate = new RateMeter();
  #ticker: ReturnType<typeof setInterval> | null = null;
  #statusFrame = 0;
  #columns: [string, ColumnType][] = [];
  #query: ViewQuery = EMPTY_QUERY;
  #chartSettings: ChartSettings = { x: null, ys: [], y2: [], by: null };
  /** The table the grid shows: the mirror, or a where/sort derived from it. */
  #shown: Table | null = null;
  #shownUpdate: TableUpdate | null = null;
  #stopShown: (() => void) | null = null;
  #chartTimer: ReturnType<typeof setTimeout> | null = null;
  #chartAt = 0;
  #downsampling = false;
  #downsampler: Downsampler | null = null;
  #follow: FollowTarget | null = null;
  /** Called (at most once a frame) with the open view's row count and cycle. */
  onStatus: (family: string, view: string, rows: number, cycle: number) => void = () => {};
  /** Called when the grid's or the chart's state changes (for the address). */
  onStateChange: (query: ViewQuery, chart: ChartSettings) => void = () => {};
  /** Called to open another view of the family ("Follow as ring"). */
  onOpenView: (family: string, view: string) => void = () => {};

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
    this.grid.onQueryChange = (q) => this.#setQuery(q);
    el.follow.addEventListener("change", () => this.grid.setFollow(el.follow.checked));
    el.chartX.addEventListener("change", () => {
      const x = el.chartX.value || null;
      const s = this.#chartSettings;
      this.#setChart({ ...s, x, ys: s.ys.filter((y) => y !== x), y2: s.y2.filter((y) => y !== x) });
    });
    el.chartY.addEventListener("change", () => {
      const ys = [...el.chartY.querySelectorAll<HTMLInputElement>("input:checked")].map(
        (b) => b.value,
      );
      this.#setChart({ ...this.#chartSettings, ys });
    });
    el.chartY2.addEventListener("change", () => {
      const v = el.chartY2.value;
      this.#setChart({ ...this.#chartSettings, y2: v ? [v] : [] });
    });
    el.chartBy.addEventListener("change", () => {
      this.#setChart({ ...this.#chartSettings, by: el.chartBy.value || null });
    });
    const commitWhere = () => {
      const f = el.where.value.trim();
      if (f === (this.#query.where[0] ?? "")) return;
      this.#setQuery({ ...this.#query, where: f ? [f] : [] });
    };
    el.where.addEventListener("change", commitWhere);
    el.where.addEventListener("keydown", (e) => {
      if (e.key === "Enter") commitWhere();
    });
    el.followRing.addEventListener("click", () => {
      if (this.#follow) this.onOpenView(this.#family, this.#follow.view);
    });
  }

  /** The subscription of the open view (null while none is open or it is connecting). */
  get subscription(): Subscription | null {
    return this.#sub;
  }

  /** The open view's grid state. */
  get query(): ViewQuery {
    return this.#query;
  }

  /** The open view's chart settings. */
  get chartSettings(): ChartSettings {
    return this.#chartSettings;
  }

  /**
   * Opens `family/view` with the grid state `query` and chart settings `chart` (null: chosen from
   * the columns), replacing whatever was open; resolves once its snapshot is shown.
   */
  async open(
    client: TickflareClient,
    family: string,
    view: string,
    desc: TableDescription | null,
    state: { query: ViewQuery; chart: ChartSettings | null },
    downsampler: Downsampler | null = null,
  ): Promise<void> {
    const seq = ++this.#seq;
    this.close();
    this.#family = family;
    this.#view = view;
    this.#downsampler = downsampler;
    this.#downsampling = false;
    this.#query = state.query;
    const el = this.#el;
    const vdesc = desc?.views[view];
    el.title.textContent = `${family} / ${view}`;
    this.#showType(vdesc ? viewType(vdesc) : null);
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
    const type = vdesc ? viewType(vdesc) : mirrorType(table);
    this.#showType(type);
    this.#showBlink(type === "blink" ? desc : null, view);
    const followable = type === "ring" || type === "append-only" || type === "add-only";
    el.follow.checked = followable;
    (el.follow.parentElement as HTMLElement).hidden = !followable;
    this.#columns = Object.entries(table.columns) as [string, ColumnType][];
    this.#followable = followable;
    this.#applyQuery();
    this.#renderColumnList();
    el.where.value = this.#query.where[0] ?? "";
    this.#setupChart(state.chart);
    this.#rate.reset();
    this.#stops.push(
      sub.onUpdate((e: UpdateEvent) => {
        if (e.kind === "delta" && e.update) {
          this.#rate.add(e.update.added.size + e.update.modified.size);
        }
        const mine = this.#shown === sub.table ? e.update : this.#shownUpdate;
        this.#shownUpdate = null;
        this.grid.applyUpdate(mine, e.kind, e.cycle);
        this.#scheduleChart();
        this.#scheduleStatus();
      }),
    );
    this.#ticker = setInterval(() => this.#scheduleStatus(), 1000);
    this.#scheduleStatus();
    this.onStateChange(this.#query, this.#chartSettings);
  }

  #followable = false;

  /** Closes the open view's subscription (the grid and chart keep nothing). */
  close(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    if (this.#chartTimer) clearTimeout(this.#chartTimer);
    this.#chartTimer = null;
    this.#releaseShown();
    this.#sub?.close();
    this.#sub = null;
    this.grid.setSource(null, { label: "no view", followable: false });
    this.chart.placeholder("No rows yet");
    this.#el.chartPanel.hidden = true;
    this.#el.blinkHint.hidden = true;
    this.#setState("idle");
  }

  // ---- the grid's sort and filters -----------------------------------------------------------

  #setQuery(q: ViewQuery): void {
    this.#query = q;
    this.#applyQuery();
    this.#renderColumnList();
    this.onStateChange(this.#query, this.#chartSettings);
  }

  /** Derives the shown table from the mirror for the current query (keeping the old on error). */
  #applyQuery(): void {
    const sub = this.#sub;
    if (!sub) return;
    const el = this.#el;
    const mirror = sub.table;
    this.grid.setQuery(this.#query);
    this.grid.clearFilterErrors();
    el.whereError.hidden = true;
    el.where.removeAttribute("aria-invalid");
    let opts: ReturnType<typeof queryOptions>;
    try {
      opts = queryOptions(this.#query, mirror.columns);
    } catch (e) {
      if (e instanceof QuickFilterError) {
        this.grid.setFilterError(e.column, e.message);
        el.whereError.textContent = e.message;
        el.whereError.hidden = false;
        return;
      }
      throw e;
    }
    let t: Table = mirror;
    const made: Table[] = [];
    try {
      if (opts.where) {
        t = t.where(...opts.where);
        made.push(t);
      }
      if (opts.sort) {
        t = t.sort(
          opts.sort.map((s) => s.column),
          opts.sort.map((s) => s.order),
        );
        made.push(t);
      }
    } catch (e) {
      for (const m of made.reverse()) m.close();
      el.whereError.textContent = e instanceof Error ? e.message : String(e);
      el.whereError.hidden = false;
      el.where.setAttribute("aria-invalid", "true");
      return;
    }
    this.#releaseShown();
    this.#shown = t;
    if (t !== mirror) {
      const stop = t.listen((u) => {
        this.#shownUpdate = u;
      });
      this.#stopShown = () => {
        stop();
        for (const m of made.reverse()) m.close();
      };
    }
    this.grid.setSource(new TableSource(t, opts.sort ? "position" : "key"), {
      label: `${this.#family} ${this.#view}`,
      followable: this.#followable && !opts.sort,
    });
    this.grid.applyUpdate(null, "snapshot", sub.cycle);
    this.#scheduleChart();
    this.#scheduleStatus();
  }

  #releaseShown(): void {
    this.#stopShown?.();
    this.#stopShown = null;
    this.#shown = null;
    this.#shownUpdate = null;
  }

  /** The "Columns" menu: a checkbox per column to show or hide it. */
  #renderColumnList(): void {
    const el = this.#el;
    const hidden = new Set(this.#query.hidden);
    const summary = el.columns.querySelector("summary");
    if (summary) {
      summary.textContent = hidden.size > 0 ? `Columns (${hidden.size} hidden)` : "Columns";
    }
    const items = this.#columns.map(([name, type]) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = !hidden.has(name);
      box.addEventListener("change", () => {
        const rest = this.#query.hidden.filter((c) => c !== name);
        const next = box.checked ? rest : [...rest, name];
        if (next.length >= this.#columns.length) {
          box.checked = true;
          return;
        }
        this.#setQuery({ ...this.#query, hidden: next });
      });
      const t = document.createElement("span");
      t.className = "type";
      t.textContent = type;
      label.append(box, document.createTextNode(` ${name} `), t);
      return label;
    });
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "ghost";
    reset.textContent = "Reset columns";
    reset.addEventListener("click", () =>
      this.#setQuery({ ...this.#query, hidden: [], order: [], widths: {} }),
    );
    el.columnList.replaceChildren(...items, reset);
  }

  // ---- blink views ---------------------------------------------------------------------------

  #showBlink(desc: TableDescription | null, view: string): void {
    const el = this.#el;
    el.blinkHint.hidden = desc === null;
    this.#follow = desc ? followTarget(desc, view) : null;
    if (!desc) return;
    const f = this.#follow;
    el.blinkText.textContent = f
      ? `A blink view shows only the current cycle's rows: each cycle replaces them. To keep watching rows after their cycle, follow ${f.view}, the family's ${f.kind} of this view.`
      : `A blink view shows only the current cycle's rows: each cycle replaces them. This family keeps no ring or history of ${view}; a spec with "recent": "ringTable(${view}, 1000)" or "history": "blinkToAppendOnly(${view})" would (specs are fixed when a family is created).`;
    el.followRing.hidden = f === null;
    el.followRing.textContent = f ? `Follow as ${f.kind} (${f.view})` : "";
  }

  // ---- status --------------------------------------------------------------------------------

  #showType(type: ViewType | null): void {
    const t = this.#el.type;
    t.hidden = type === null;
    t.className = `badge ${type ?? ""}`;
    t.textContent = type ?? "";
    t.title = type === "blink" ? "blink: only the current cycle's rows" : "";
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
      const size = sub.table.size;
      const shown = this.#shown && !this.#shown.isFailed ? this.#shown.size : size;
      el.cycle.textContent = sub.cycle >= 0 ? String(sub.cycle) : "–";
      el.rows.textContent =
        shown === size ? formatCount(size) : `${formatCount(shown)} of ${formatCount(size)}`;
      el.rows.title = `${size.toLocaleString("en-US")} rows${shown === size ? "" : `, ${shown.toLocaleString("en-US")} after filters`}`;
      const r = this.#rate.perSecond;
      el.rate.textContent = r < 10 ? r.toFixed(1) : formatCount(Math.round(r));
      this.onStatus(sub.name, sub.view, size, sub.cycle);
    });
  }

  // ---- chart ---------------------------------------------------------------------------------

  /** Chooses the chart's settings for a newly opened view (`given`: from the address). */
  #setupChart(given: ChartSettings | null): void {
    const el = this.#el;
    const cols = this.#columns;
    const numeric = cols.filter(([, t]) => isNumericType(t)).map(([n]) => n);
    const xCandidates = cols.filter(([, t]) => isNumericType(t) || t === "instant");
    if (numeric.length === 0) {
      el.chartPanel.hidden = true;
      this.#chartSettings = { x: null, ys: [], y2: [], by: null };
      return;
    }
    el.chartPanel.hidden = false;
    const has = (n: string | null) => n !== null && cols.some(([c]) => c === n);
    let s: ChartSettings;
    if (given) {
      s = {
        x: has(given.x) ? given.x : null,
        ys: given.ys.filter((y) => numeric.includes(y)),
        y2: given.y2.filter((y) => numeric.includes(y)).slice(0, 1),
        by: has(given.by) ? given.by : null,
      };
    } else {
      const preferred =
        xCandidates.find(([n]) => n === "X") ??
        xCandidates.find(([, t]) => t === "instant") ??
        xCandidates.find(([n]) => /^(x|time|timestamp|ts)$/i.test(n));
      const x = preferred?.[0] ?? null;
      s = { x, ys: numeric.filter((n) => n !== x).slice(0, MAX_DEFAULT_SERIES), y2: [], by: null };
    }
    this.#chartSettings = s;
    const opts = [new Option("row number", "")];
    for (const [name, type] of xCandidates) opts.push(new Option(`${name} (${type})`, name));
    el.chartX.replaceChildren(...opts);
    el.chartX.value = s.x ?? "";
    const byOpts = [new Option("none", "")];
    for (const [name, type] of cols) {
      if (/^(string|char|bool|int8|int16|int32|int64)$/.test(type))
        byOpts.push(new Option(`${name} (${type})`, name));
    }
    el.chartBy.replaceChildren(...byOpts);
    el.chartBy.value = s.by ?? "";
    this.#chartControls();
    this.#scheduleChart(true);
  }

  #setChart(s: ChartSettings): void {
    this.#chartSettings = s;
    this.#chartControls();
    this.#scheduleChart(true);
    this.onStateChange(this.#query, this.#chartSettings);
  }

  /** The series checkboxes and the second-axis choice for the current settings. */
  #chartControls(): void {
    const el = this.#el;
    const s = this.#chartSettings;
    const numeric = this.#columns.filter(([n, t]) => isNumericType(t) && n !== s.x);
    const legend = el.chartY.querySelector("legend");
    const labels = numeric.map(([name], i) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = s.ys.includes(name);
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = SERIES_COLORS[i % SERIES_COLORS.length]!;
      label.append(box, sw, document.createTextNode(name));
      return label;
    });
    el.chartY.replaceChildren(...(legend ? [legend] : []), ...labels);
    const y2 = [new Option("none", "")];
    for (const [name] of numeric) y2.push(new Option(name, name));
    el.chartY2.replaceChildren(...y2);
    el.chartY2.value = s.y2[0] ?? "";
  }

  /** Redraws the chart soon (at most every CHART_MS; `now`: as soon as possible). */
  #scheduleChart(now = false): void {
    if (this.#chartTimer) {
      if (!now) return;
      clearTimeout(this.#chartTimer);
    }
    const wait = now ? 0 : Math.max(0, this.#chartAt + CHART_MS - performance.now());
    this.#chartTimer = setTimeout(() => {
      this.#chartTimer = null;
      this.#chartAt = performance.now();
      this.#drawChart();
    }, wait);
  }

  #drawChart(): void {
    const sub = this.#sub;
    const s = this.#chartSettings;
    if (!sub || this.#el.chartPanel.hidden) return;
    const t = this.#shown ?? sub.table;
    const xType = s.x === null ? null : (t.columns[s.x] ?? null);
    const view = {
      xIsTime: xType === "instant",
      xLabel: s.x ?? "row number",
      source: "",
    };
    if (s.ys.length === 0 && s.y2.length === 0) {
      this.chart.placeholder("Choose a series to plot");
      return;
    }
    if (sub.table.size > LOCAL_CHART_ROWS && this.#downsampler) {
      this.#downsample(view);
      return;
    }
    const data: ChartData = localChartData(t, s);
    this.chart.show(data, view);
  }

  /** Charts the whole view from the server's downsample (one request at a time). */
  #downsample(view: { xIsTime: boolean; xLabel: string; source: string }): void {
    if (this.#downsampling || !this.#downsampler) return;
    const seq = this.#seq;
    const s = this.#chartSettings;
    const width = Math.max(100, Math.min(4096, Math.round(this.#el.chart.clientWidth || 800)));
    const filtered = this.#shown !== null && this.#shown !== this.#sub?.table;
    this.#downsampling = true;
    const started = performance.now();
    this.#downsampler(this.#family, this.#view, {
      x: s.x,
      y: [...s.ys, ...s.y2.filter((y) => !s.ys.includes(y))],
      by: s.by,
      width,
    })
      .then((d) => {
        if (seq !== this.#seq) return;
        const ms = Math.round(performance.now() - started);
        this.chart.show(downsampledChartData(d, s), {
          ...view,
          source: `downsampled on the server to ${width} pixel columns in ${ms} ms${filtered ? " (whole view: filters not applied)" : ""}`,
        });
      })
      .catch((e: unknown) => {
        if (seq !== this.#seq) return;
        this.chart.placeholder(
          `Could not downsample: ${e instanceof Error ? e.message : String(e)}`,
        );
      })
      .finally(() => {
        if (seq !== this.#seq) return;
        this.#downsampling = false;
        // Ask again no sooner than DOWNSAMPLE_MS after this one started.
        if (!this.#chartTimer) {
          this.#chartAt = started + DOWNSAMPLE_MS - CHART_MS;
        }
      });
  }
}

/** A view's type from the mirror's attributes, when no description is at hand. */
function mirrorType(t: Table): ViewType {
  if (t.isBlink) return "blink";
  if (t.isAppendOnly) return "append-only";
  if (t.isAddOnly) return "add-only";
  return "ticking";
}
