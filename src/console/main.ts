/**
 * tickflare console: the web page the Worker serves at `/` (bundled by `npm run build:console`
 * into dist/console, the Worker's static assets). Sign in with a token (kept in sessionStorage
 * only), list the table families, open a view as a live grid and chart, create a family from a
 * spec and publish rows by hand. Everything goes through `tickflare/client`, so the page speaks
 * exactly the public protocol (docs/protocol.md). The address holds the open view and its grid
 * and chart state (url-state.ts), so a link opens the same view the same way. When the server
 * answers the table list without a token (AUTH=off), the console signs in by itself.
 */
import type { TableDescription, TickflareClient } from "../client/index.ts";
import { connect, TickflareClientError } from "../client/index.ts";
import { addShapeQuery } from "../client/shape.ts";
import type { ActiveView, FamilyEntry } from "./catalog.ts";
import { loadFamilies, renderFamilies, showFamilySizes, showLiveStatus } from "./catalog.ts";
import { describeError, fieldError, wireCreateForm, wirePublishForm } from "./forms.ts";
import type { Downsampler } from "./live-view.ts";
import { LiveView } from "./live-view.ts";
import type { ChartSettings } from "./url-state.ts";
import { formatHash, parseHash } from "./url-state.ts";
import type { ViewQuery } from "./view-query.ts";
import { EMPTY_QUERY } from "./view-query.ts";

const TOKEN_KEY = "tickflare.token";
const REFRESH_MS = 10_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

let client: TickflareClient | null = null;
let families: FamilyEntry[] = [];
/** Families opened by name (a token that may not list them all). */
const extraNames = new Set<string>();
let canList = true;
let active: ActiveView | null = null;
let refreshTimer: ReturnType<typeof setInterval> | null = null;
let refreshing: Promise<void> | null = null;
/** The token signed in with ("" for none), for the downsample requests. */
let token = "";
/** The open family's sizes are re-read at most once per cycle, one request at a time. */
let sizesInFlight = false;
let sizesAt = 0;

const live = new LiveView({
  title: $("view-title"),
  type: $("view-type"),
  state: $("st-state"),
  cycle: $("st-cycle"),
  rows: $("st-rows"),
  rate: $("st-rate"),
  error: $("view-error"),
  follow: $<HTMLInputElement>("follow"),
  gridHost: $("grid-host"),
  chartPanel: $("chart-panel"),
  chartX: $<HTMLSelectElement>("chart-x"),
  chartY: $<HTMLFieldSetElement>("chart-y"),
  chartY2: $<HTMLSelectElement>("chart-y2"),
  chartBy: $<HTMLSelectElement>("chart-by"),
  chart: $("chart"),
  chartNote: $("chart-note"),
  blinkHint: $("blink-hint"),
  blinkText: $("blink-text"),
  followRing: $<HTMLButtonElement>("follow-ring"),
  where: $<HTMLInputElement>("where"),
  whereError: $("where-error"),
  columns: $<HTMLDetailsElement>("columns"),
  columnList: $("column-list"),
});

live.onStatus = (family, view, rows, cycle) => {
  const entry = families.find((f) => f.name === family);
  const ul = $<HTMLUListElement>("family-list");
  showLiveStatus(ul, entry, view, rows, cycle);
  // The family's other views change size with the same cycles: re-read them as cycles pass.
  const c = client;
  const d = entry?.description;
  if (!c || !entry || !d || d.state !== "live" || sizesInFlight) return;
  if (performance.now() - sizesAt < Math.max(250, d.cycleMs)) return;
  sizesInFlight = true;
  sizesAt = performance.now();
  c.describe(family)
    .then((fresh) => {
      if (c !== client) return;
      showFamilySizes(ul, entry, fresh);
      // A filtered view's status reads "20 of 60": the 60 is the view's size before filters.
      const size = fresh.views[view]?.size;
      if (size !== undefined) live.setViewSize(family, view, size);
    })
    .catch(() => {})
    .finally(() => {
      sizesInFlight = false;
    });
};

live.onStateChange = (query, chart) => {
  if (!active) return;
  const hash = formatHash({ family: active.family, view: active.view, query, chart });
  if (location.hash !== hash) history.replaceState(null, "", hash);
};

live.onOpenView = (family, view) => {
  void openView(family, view);
};

/** `GET .../downsample` with the signed-in token (docs/protocol.md). */
const downsampler: Downsampler = async (family, view, p) => {
  const q = new URLSearchParams({ y: p.y.join(","), width: String(p.width) });
  if (p.x !== null) q.set("x", p.x);
  if (p.by !== null) q.set("by", p.by);
  // The grid's filters and sort: the subscribers' server-side table answers at once.
  addShapeQuery(q, { where: p.where, sort: p.sort });
  const res = await fetch(
    `/v1/tables/${encodeURIComponent(family)}/views/${encodeURIComponent(view)}/downsample?${q}`,
    { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  );
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.error}: ${body.detail}`);
  return body;
};

const currentClient = (): TickflareClient => {
  if (!client) throw new TickflareClientError(0, "signed_out", "sign in first");
  return client;
};

const createForm = wireCreateForm(
  {
    dialog: $<HTMLDialogElement>("create-dialog"),
    form: $<HTMLFormElement>("create-form"),
    name: $<HTMLInputElement>("create-name"),
    nameError: $("create-name-error"),
    spec: $<HTMLTextAreaElement>("create-spec"),
    specError: $("create-spec-error"),
    formError: $("create-error"),
    cancel: $<HTMLButtonElement>("create-cancel"),
  },
  currentClient,
  async (name) => {
    announce(`Created ${name}`);
    if (!canList) extraNames.add(name);
    await refresh();
    void openView(name, "source");
  },
);

const publishForm = wirePublishForm(
  {
    panel: $<HTMLDetailsElement>("publish-panel"),
    form: $<HTMLFormElement>("publish-form"),
    family: $("publish-family"),
    rows: $<HTMLTextAreaElement>("publish-rows"),
    rowsError: $("publish-rows-error"),
    result: $("publish-result"),
  },
  currentClient,
  () => active?.family ?? null,
);

function announce(text: string): void {
  $("announce").textContent = text;
}

// ---- sign in ------------------------------------------------------------------------------

async function signIn(given: string): Promise<boolean> {
  const c = connect(location.origin, given ? { token: given } : {});
  const tokenField = $<HTMLInputElement>("token");
  fieldError(tokenField, $("token-error"), null);
  canList = true;
  let listed: FamilyEntry[] | null = null;
  try {
    listed = await loadFamilies(c);
  } catch (e) {
    const err = describeError(e);
    if (TickflareClientError.isClientError(e) && e.status === 403) {
      // Listing needs the admin scope; a read or publish token can still open families by name.
      canList = false;
    } else {
      fieldError(tokenField, $("token-error"), err);
      return false;
    }
  }
  client = c;
  token = given;
  sessionStorage.setItem(TOKEN_KEY, given);
  families = listed ?? [];
  $("signin").hidden = true;
  $("workspace").hidden = false;
  $("signout").hidden = false;
  const note = $("tables-note");
  note.hidden = canList;
  note.textContent =
    "This token may not list tables (that needs the admin scope): open one by name.";
  render();
  // The sign-in form is gone: keyboard focus moves to the list.
  (document.querySelector<HTMLElement>("#family-list .view-btn") ?? $("new-table")).focus();
  refreshTimer = setInterval(() => {
    if (document.visibilityState === "visible") void refresh();
  }, REFRESH_MS);
  openFromHash();
  return true;
}

function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  live.close();
  client = null;
  token = "";
  active = null;
  families = [];
  extraNames.clear();
  if (refreshTimer) clearInterval(refreshTimer);
  refreshTimer = null;
  history.replaceState(null, "", location.pathname);
  $("workspace").hidden = true;
  $("signout").hidden = true;
  $("signin").hidden = false;
  $<HTMLInputElement>("token").value = "";
  $("token").focus();
}

// ---- the table list ----------------------------------------------------------------------------

function render(): void {
  renderFamilies($<HTMLUListElement>("family-list"), families, active, (f, v) => {
    void openView(f, v);
  });
  if (families.length === 0 && canList) {
    const li = document.createElement("li");
    li.className = "help";
    li.textContent = "No table families yet. Create one with New…";
    $("family-list").append(li);
  }
}

/** Re-lists and re-describes the families (one refresh at a time). */
function refresh(): Promise<void> {
  const c = client;
  if (!c) return Promise.resolve();
  refreshing ??= (async () => {
    try {
      const listed = canList ? await loadFamilies(c) : [];
      const names = new Set(listed.map((f) => f.name));
      const extra = [...extraNames].filter((n) => !names.has(n));
      const more = extra.length > 0 ? await loadFamilies(c, extra) : [];
      if (c === client) {
        families = [...listed, ...more].sort((a, b) => a.name.localeCompare(b.name));
        render();
      }
    } catch (e) {
      console.warn("tickflare console: refreshing the table list failed", e);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function describeOf(family: string): TableDescription | null {
  return families.find((f) => f.name === family)?.description ?? null;
}

async function openView(
  family: string,
  view: string,
  state: { query: ViewQuery; chart: ChartSettings | null } = { query: EMPTY_QUERY, chart: null },
): Promise<void> {
  const c = client;
  if (!c) return;
  active = { family, view };
  history.replaceState(null, "", formatHash({ family, view, ...state }));
  render();
  let desc = describeOf(family);
  if (!desc) {
    try {
      desc = await c.describe(family);
    } catch {
      desc = null;
    }
  }
  // The publish form publishes to the open view when it is a source (an input table's rows
  // upsert), else to the source named `source` (the one-source form's).
  const sourceName = desc?.sources?.[view] ? view : "source";
  const source = desc?.sources?.[sourceName];
  publishForm.show(
    family,
    source?.columns ?? null,
    desc ? source !== undefined && source.type !== "timeTable" : true,
    sourceName,
  );
  await live.open(c, family, view, desc, state, downsampler, desc?.sources?.[view]);
  announce(`Opened ${family} ${view}`);
}

function openFromHash(): void {
  const s = parseHash(location.hash);
  if (!s) return;
  if (!canList) extraNames.add(s.family);
  void openView(s.family, s.view, { query: s.query, chart: s.chart });
}

// ---- events --------------------------------------------------------------------------------------

$<HTMLFormElement>("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const button = (ev.currentTarget as HTMLFormElement).querySelector("button")!;
  button.disabled = true;
  try {
    await signIn($<HTMLInputElement>("token").value.trim());
  } finally {
    button.disabled = false;
  }
});
$("signout").addEventListener("click", signOut);
$("refresh").addEventListener("click", () => void refresh());
$("new-table").addEventListener("click", () => createForm.open());
$<HTMLFormElement>("open-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $<HTMLInputElement>("open-name");
  const name = input.value.trim();
  const error = $("open-error");
  fieldError(input, error, null);
  if (!name || !client) return;
  try {
    await client.describe(name);
  } catch (e) {
    fieldError(input, error, describeError(e));
    return;
  }
  extraNames.add(name);
  input.value = "";
  await refresh();
  void openView(name, "source");
});
window.addEventListener("hashchange", () => {
  if (!client) return;
  const now = active ? formatHash({ ...active, query: live.query, chart: live.chartSettings }) : "";
  if (now !== location.hash) openFromHash();
});

$("server").textContent = location.host;
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved !== null) {
  void signIn(saved).then((ok) => {
    if (!ok) $("signin").hidden = false;
  });
} else {
  // With AUTH=off the server answers without a token: no sign-in step.
  connect(location.origin)
    .listTables()
    .then(
      () => signIn(""),
      () => false,
    )
    .then((ok) => {
      if (ok) return;
      $("signin").hidden = false;
      $("token").focus();
    });
}
