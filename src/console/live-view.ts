/**
 * LiveView: one open view. It subscribes with `tickflare/client` (a snapshot, then one delta per
 * server cycle applied to a local mirror table; the client reconnects and resumes by itself),
 * shows it in the grid through a GridSource and in the chart, and shows the connection state, the
 * cycle number, the row count and rows per second. Opening another view closes the previous
 * subscription and starts from that view's own state (from the address, or the defaults): nothing
 * carries over by name from the view before.
 *
 * The grid reads a viewport subscription (ViewportSource): only the rows on screen plus a margin
 * cross the wire, whatever the view's size, and scrolling moves the viewport. The grid's sort,
 * filters and hidden columns (a ViewQuery, turned into `{ sort, where, columns }` by
 * `queryOptions`) are applied on the server as an ad-hoc view (docs/protocol.md, "Viewports and
 * ad-hoc views"): a change of them opens a new subscription and closes the old one once the new
 * one has its snapshot; a refused filter keeps the old one. Blink views say that they hold one
 * cycle's rows and offer to follow a ring or history of them. The chart of a view up to
 * LOCAL_CHART_ROWS rows subscribes to the whole (filtered, sorted) view while a series is chosen;
 * larger views are charted from the server's downsample instead of every row.
 */
import type {
  SourceDescription,
  Subscription,
  SubscriptionState,
  TableDescription,
  TickflareClient,
  UpdateEvent,
} from "../client/index.ts";
import { TickflareClientError } from "../client/index.ts";
import type { ColumnType, Table } from "../engine/index.ts";
import type { FollowTarget, ViewType } from "./catalog.ts";
import { followTarget, viewType } from "./catalog.ts";
import { LineChart, SERIES_COLORS } from "./chart.ts";
import type { ChartData, DownsampleAnswer } from "./chart-data.ts";
import { downsampledChartData, localChartData } from "./chart-data.ts";
import { formatCount, isNumericType } from "./format.ts";
import { VirtualGrid } from "./grid.ts";
import { inputTableEditing } from "./input-editing.ts";
import type { ChartSettings } from "./url-state.ts";
import type { QueryOptions, SortKey, ViewQuery } from "./view-query.ts";
import { EMPTY_QUERY, QuickFilterError, queryOptions } from "./view-query.ts";
import { initialViewport, ViewportSource } from "./viewport-source.ts";

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
  params: {
    x: string | null;
    y: string[];
    by: string | null;
    width: number;
    where: readonly string[];
    sort: readonly SortKey[];
  },
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
  #client: TickflareClient | null = null;
  /** The open view's whole schema (the grid's columns; the subscription may send fewer). */
  #schema: Record<string, ColumnType> | null = null;
  #type: ViewType | null = null;
  /** The server options of the open subscription, and as a string to compare. */
  #opts: QueryOptions = {};
  #optsKey = "";
  /** Counts query changes: an answer to an older one is dropped. */
  #querySeq = 0;
  /** The view's size before filters (as last seen), for "20 of 60". */
  #total: number | null = null;
  /** The last server cycle the grid saw (a delta at the same cycle is a viewport move). */
  #lastCycle = -1;
  #lastSize = 0;
  /** The chart's whole-view subscription (views up to LOCAL_CHART_ROWS rows), and its options. */
  #chartSub: Subscription | null = null;
  #chartKey = "";
  #chartOpening = false;
  #stopChartSub: (() => void) | null = null;
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
   * the columns), replacing whatever was open; resolves once its snapshot is shown. `source`
   * describes the view when it is one of the family's sources (an input table is editable).
   */
  async open(
    client: TickflareClient,
    family: string,
    view: string,
    desc: TableDescription | null,
    state: { query: ViewQuery; chart: ChartSettings | null },
    downsampler: Downsampler | null = null,
    source?: SourceDescription,
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
    this.#client = client;
    this.#schema = vdesc ? { ...vdesc.columns } : null;
    this.#type = vdesc ? viewType(vdesc) : null;
    this.#total = vdesc ? vdesc.size : null;
    this.#followable =
      this.#type === "ring" || this.#type === "append-only" || this.#type === "add-only";
    this.#source = source ?? null;
    this.#optsKey = "";
    await this.#connect(seq, this.#querySeq);
    if (seq !== this.#seq || !this.#sub) return;
    const sub = this.#sub;
    const type = this.#type ?? mirrorType(sub.table);
    this.#type = type;
    this.#showType(type);
    this.#showBlink(type === "blink" ? desc : null, view);
    el.follow.checked = this.#followable;
    (el.follow.parentElement as HTMLElement).hidden = !this.#followable;
    this.#columns = Object.entries(this.#schema ?? sub.table.columns) as [string, ColumnType][];
    this.#renderColumnList();
    el.where.value = this.#query.where[0] ?? "";
    this.#setupChart(state.chart);
    this.#rate.reset();
    this.#ticker = setInterval(() => this.#scheduleStatus(), 1000);
    this.#scheduleStatus();
    this.onStateChange(this.#query, this.#chartSettings);
  }

  #followable = false;
  /** The open view's source description when it is one of the family's sources. */
  #source: SourceDescription | null = null;

  /**
   * Subscribes to the open view with the current query's server options and a viewport, and shows
   * it in the grid; keeps the open subscription when the options are the same, or when the server
   * refuses them (the error is shown at the filters).
   */
  async #connect(seq: number, qseq: number): Promise<void> {
    const client = this.#client;
    const el = this.#el;
    if (!client) return;
    this.grid.clearFilterErrors();
    el.whereError.hidden = true;
    el.where.removeAttribute("aria-invalid");
    let opts: QueryOptions = {};
    if (this.#schema) {
      try {
        opts = this.#serverOptions(this.#schema);
      } catch (e) {
        if (!(e instanceof QuickFilterError)) throw e;
        this.grid.setQuery(this.#query);
        this.grid.setFilterError(e.column, e.message);
        el.whereError.textContent = e.message;
        el.whereError.hidden = false;
        if (this.#sub) return;
        opts = {};
      }
    }
    const key = JSON.stringify(opts);
    // Only the grid's layout changed (order, widths), or nothing the server computes.
    if (this.#sub && key === this.#optsKey) {
      this.grid.setQuery(this.#query);
      return;
    }
    const atEnd = this.#followable && !opts.sort;
    const visible = Math.ceil(Math.max(600, el.gridHost.clientHeight) / 24) + 1;
    const viewport = initialViewport(this.#sub?.size ?? this.#total ?? 0, visible, atEnd);
    let sub: Subscription;
    try {
      sub = await client.subscribe(this.#family, this.#view, {
        ...opts,
        viewport,
        onStateChange: (st) => {
          if (seq === this.#seq && this.#sub === sub) this.#setState(st);
        },
        onError: (e) => {
          if (seq !== this.#seq) return;
          el.error.textContent = e.detail ? `${e.error}: ${e.detail}` : e.message;
          el.error.hidden = false;
        },
      });
    } catch (e) {
      if (seq !== this.#seq || qseq !== this.#querySeq) return;
      if (TickflareClientError.isClientError(e) && e.status >= 400 && e.status < 500 && this.#sub) {
        // A filter or sort the server refused (bad_formula, bad_query, transient_limit): the old
        // view stays.
        this.grid.setQuery(this.#query);
        el.whereError.textContent = e.detail || e.message;
        el.whereError.hidden = false;
        el.where.setAttribute("aria-invalid", "true");
        return;
      }
      this.#setState("failed");
      el.error.textContent = `Could not subscribe: ${e instanceof Error ? e.message : String(e)}`;
      el.error.hidden = false;
      return;
    }
    if (seq !== this.#seq || qseq !== this.#querySeq) {
      sub.close();
      return;
    }
    this.#attach(sub, opts, key, seq);
  }

  /** The server options for the current query: hidden columns are not sent (unless editing). */
  #serverOptions(schema: Readonly<Record<string, ColumnType>>): QueryOptions {
    const o = queryOptions(this.#query, schema);
    const hidden = new Set(this.#query.hidden);
    const editable = this.#source?.type === "input" && (this.#source.keys ?? []).length > 0;
    const out: QueryOptions = {};
    if (o.sort) out.sort = o.sort;
    if (o.where) out.where = o.where;
    // Column order is the grid's; only leaving columns out saves bytes. An input table's edits
    // upsert whole rows, so its grid receives every column.
    if (hidden.size > 0 && !editable)
      out.columns = Object.keys(schema).filter((c) => !hidden.has(c));
    return out;
  }

  /** Shows `sub` in the grid, replacing the open subscription. */
  #attach(sub: Subscription, opts: QueryOptions, key: string, seq: number): void {
    const el = this.#el;
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#sub?.close();
    this.#closeChartSub();
    this.#sub = sub;
    this.#opts = opts;
    this.#optsKey = key;
    this.#setState(sub.state);
    if (!this.#schema) this.#schema = { ...sub.table.columns };
    if (!opts.where) this.#total = sub.size;
    const source = new ViewportSource(sub, this.#schema, {
      isBlink: this.#type === "blink",
      keyColumn: opts.sort ? "position" : "key",
    });
    source.onLoad = () => {
      this.grid.invalidate();
      this.#scheduleStatus();
    };
    // The grid shows the new sort and filters with the rows they apply to.
    this.grid.setQuery(this.#query);
    this.grid.setSource(source, {
      label: `${this.#family} ${this.#view}`,
      followable: this.#followable && !opts.sort,
    });
    const src = this.#source;
    this.grid.setEditing(
      src?.type === "input" && (src.keys ?? []).length > 0 && this.#client
        ? // An input table with keys: its cells are edited and its rows deleted in place.
          inputTableEditing(this.#client, this.#family, this.#view, src, sub, (message) => {
            if (seq !== this.#seq) return;
            el.error.textContent = message;
            el.error.hidden = false;
          })
        : null,
    );
    this.grid.applyUpdate(null, "snapshot", sub.cycle);
    this.#lastCycle = sub.cycle;
    this.#lastSize = sub.size;
    this.#stops.push(
      sub.onUpdate((e: UpdateEvent) => {
        // The answer to a viewport move: the view did not change (a change comes in its own
        // event), so neither the chart nor the rate. Its cycle may be newer than the last shown
        // (cycles that changed nothing send nothing), so the cycle alone cannot tell.
        const moved = e.moved || (e.kind === "delta" && e.cycle === this.#lastCycle);
        this.#lastCycle = e.cycle;
        if (!moved) {
          const grown = sub.size - this.#lastSize;
          const u = e.update;
          if (e.kind === "delta") {
            this.#rate.add(Math.max(grown, u?.added.size ?? 0) + (u?.modified.size ?? 0));
          }
          if (!this.#opts.where) this.#total = sub.size;
          this.#scheduleChart();
        }
        this.#lastSize = sub.size;
        this.grid.applyUpdate(moved ? null : e.update, e.kind, e.cycle);
        this.#scheduleStatus();
      }),
    );
    this.#scheduleChart(true);
    this.#scheduleStatus();
  }

  /** Closes the open view's subscription (the grid and chart keep nothing). */
  close(): void {
    this.#querySeq++;
    for (const stop of this.#stops) stop();
    this.#stops = [];
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    if (this.#chartTimer) clearTimeout(this.#chartTimer);
    this.#chartTimer = null;
    this.#closeChartSub();
    this.#sub?.close();
    this.#sub = null;
    this.grid.setSource(null, { label: "no view", followable: false });
    this.chart.placeholder("No rows yet");
    this.#el.chartPanel.hidden = true;
    this.#el.blinkHint.hidden = true;
    this.#setState("idle");
  }

  /** Sets the view's size before filters, as a description read it (for "20 of 60"). */
  setViewSize(family: string, view: string, size: number): void {
    if (family !== this.#family || view !== this.#view) return;
    this.#total = size;
    this.#scheduleStatus();
  }

  // ---- the grid's sort and filters -----------------------------------------------------------

  #setQuery(q: ViewQuery): void {
    // Enter in a filter box commits it, and so does the change event that follows: the second
    // would open (and waste) another subscription for the same query.
    if (JSON.stringify(q) === JSON.stringify(this.#query)) return;
    this.#query = q;
    void this.#connect(this.#seq, ++this.#querySeq);
    this.#renderColumnList();
    this.onStateChange(this.#query, this.#chartSettings);
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
      const shown = sub.size;
      const size = this.#opts.where ? (this.#total ?? shown) : shown;
      el.gridHost.dataset.loaded = String(sub.table.size);
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
    const xType = s.x === null ? null : (this.#schema?.[s.x] ?? null);
    const view = {
      xIsTime: xType === "instant",
      xLabel: s.x ?? "row number",
      source: "",
    };
    if (s.ys.length === 0 && s.y2.length === 0) {
      this.chart.placeholder("Choose a series to plot");
      return;
    }
    if (sub.size > LOCAL_CHART_ROWS && this.#downsampler) {
      this.#closeChartSub();
      this.#downsample(view);
      return;
    }
    const t = this.#chartTable();
    if (!t) return; // drawn when the chart's subscription has its snapshot
    const data: ChartData = localChartData(t, s);
    this.chart.show(data, view);
  }

  /**
   * The whole view (with the grid's filters and sort) for the chart, from a subscription of its
   * own; null while that subscription is being opened.
   */
  #chartTable(): Table | null {
    const o = this.#opts;
    const key = JSON.stringify({ sort: o.sort, where: o.where });
    if (this.#chartSub && this.#chartKey === key) return this.#chartSub.table;
    if (this.#chartOpening || !this.#client) return null;
    this.#closeChartSub();
    this.#chartOpening = true;
    const seq = this.#seq;
    this.#client
      .subscribe(this.#family, this.#view, {
        ...(o.sort ? { sort: o.sort } : {}),
        ...(o.where ? { where: o.where } : {}),
      })
      .then(
        (sub) => {
          this.#chartOpening = false;
          // Kept only while the grid still shows these options: a query change attached
          // meanwhile needs another table (a change not attached yet still shows these rows).
          if (
            seq !== this.#seq ||
            key !== JSON.stringify({ sort: this.#opts.sort, where: this.#opts.where })
          ) {
            sub.close();
            this.#scheduleChart(true);
            return;
          }
          this.#chartSub = sub;
          this.#chartKey = key;
          const stop = sub.onUpdate(() => this.#scheduleChart());
          this.#stopChartSub = () => {
            stop();
            sub.close();
          };
          this.#scheduleChart(true);
        },
        (e: unknown) => {
          this.#chartOpening = false;
          if (seq !== this.#seq) return;
          this.chart.placeholder(
            `Could not subscribe for the chart: ${e instanceof Error ? e.message : String(e)}`,
          );
        },
      );
    return null;
  }

  #closeChartSub(): void {
    this.#stopChartSub?.();
    this.#stopChartSub = null;
    this.#chartSub = null;
    this.#chartKey = "";
  }

  /** Charts the whole view from the server's downsample (one request at a time). */
  #downsample(view: { xIsTime: boolean; xLabel: string; source: string }): void {
    if (this.#downsampling || !this.#downsampler) return;
    const seq = this.#seq;
    const s = this.#chartSettings;
    const width = Math.max(100, Math.min(4096, Math.round(this.#el.chart.clientWidth || 800)));
    this.#downsampling = true;
    const started = performance.now();
    this.#downsampler(this.#family, this.#view, {
      x: s.x,
      y: [...s.ys, ...s.y2.filter((y) => !s.ys.includes(y))],
      by: s.by,
      width,
      where: this.#opts.where ?? [],
      sort: this.#opts.sort ?? [],
    })
      .then((d) => {
        if (seq !== this.#seq) return;
        const ms = Math.round(performance.now() - started);
        this.chart.show(downsampledChartData(d, s), {
          ...view,
          source: `downsampled on the server to ${width} pixel columns in ${ms} ms`,
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
