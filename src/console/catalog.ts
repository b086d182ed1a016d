/**
 * The table list: every family the token may see (`listTables`, then `describe` for each, a few
 * at a time), rendered as families with their views, each view's type, size and the family's
 * cycle period. A view's type comes from `describe`: its blink / append-only attributes and the
 * kind of table that made it (ring, an aggregation).
 */
import type { TableDescription, TickflareClient, ViewDescription } from "../client/index.ts";
import { formatCount } from "./format.ts";

export type ViewType =
  | "blink"
  | "ring"
  | "append-only"
  | "aggregation"
  | "add-only"
  | "ticking"
  | "static";

/** What kind of table a view is, as the console groups them. */
export function viewType(v: ViewDescription): ViewType {
  if (v.blink) return "blink";
  if (v.kind === "ring") return "ring";
  if (v.appendOnly) return "append-only";
  if (/By$/.test(v.kind)) return "aggregation";
  if (v.addOnly) return "add-only";
  return v.refreshing ? "ticking" : "static";
}

export interface FamilyEntry {
  name: string;
  description: TableDescription | null;
  /** Why `describe` failed, when it did. */
  error: string | null;
}

const CONCURRENCY = 6;

/** Lists the families and describes each; `names` skips the listing (e.g. a read-only token). */
export async function loadFamilies(
  client: TickflareClient,
  names?: readonly string[],
): Promise<FamilyEntry[]> {
  const list = names ?? (await client.listTables()).map((t) => t.name);
  const out: FamilyEntry[] = list.map((name) => ({ name, description: null, error: null }));
  let next = 0;
  const worker = async () => {
    while (next < out.length) {
      const entry = out[next++]!;
      try {
        entry.description = await client.describe(entry.name);
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, out.length) }, worker));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export interface ActiveView {
  family: string;
  view: string;
}

/** Renders the list into `ul`, keeping keyboard focus on the same view button if it had it. */
export function renderFamilies(
  ul: HTMLUListElement,
  families: readonly FamilyEntry[],
  active: ActiveView | null,
  onOpen: (family: string, view: string) => void,
): void {
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = ul.contains(focused) ? focused?.dataset.viewKey : undefined;
  const items: HTMLLIElement[] = [];
  for (const f of families) {
    const li = document.createElement("li");
    li.className = "family";
    const head = document.createElement("div");
    head.className = "family-head";
    const name = document.createElement("span");
    name.className = "family-name";
    name.textContent = f.name;
    const meta = document.createElement("span");
    meta.className = "family-meta";
    const d = f.description;
    if (d) {
      meta.textContent =
        d.state === "live" ? `every ${periodText(d.cycleMs)} · cycle ${d.cycle}` : "shut down";
      meta.title = `cycle period ${d.cycleMs} ms; sources: ${Object.entries(d.sources ?? {})
        .map(([n, s]) => `${n} (${s.type})`)
        .join(", ")}`;
    } else meta.textContent = f.error ? "unavailable" : "…";
    if (f.error) meta.title = f.error;
    head.append(name, meta);
    li.append(head);
    if (d) {
      const views = document.createElement("ul");
      views.className = "family-views";
      views.setAttribute("aria-label", `Views of ${f.name}`);
      for (const [vname, v] of Object.entries(d.views)) {
        const vli = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "view-btn";
        b.dataset.family = f.name;
        b.dataset.view = vname;
        b.dataset.viewKey = `${f.name}/${vname}`;
        const type = viewType(v);
        const isActive = active?.family === f.name && active.view === vname;
        b.setAttribute("aria-current", String(isActive));
        b.setAttribute(
          "aria-label",
          `${f.name} ${vname}: ${type}, ${v.size} rows${v.failed ? ", failed" : ""}`,
        );
        const vn = document.createElement("span");
        vn.className = "view-name";
        vn.textContent = vname;
        const badge = document.createElement("span");
        badge.className = `badge ${type}`;
        badge.textContent = v.failed ? "failed" : type;
        badge.title = `table kind: ${v.kind}`;
        const size = document.createElement("span");
        size.className = "view-size";
        size.textContent = formatCount(v.size);
        size.title = `${v.size.toLocaleString("en-US")} rows`;
        b.append(vn, badge, size);
        b.addEventListener("click", () => onOpen(f.name, vname));
        vli.append(b);
        views.append(vli);
      }
      li.append(views);
    }
    items.push(li);
  }
  ul.replaceChildren(...items);
  if (focusKey) {
    ul.querySelector<HTMLElement>(`[data-view-key="${CSS.escape(focusKey)}"]`)?.focus();
  }
}

/** Updates one view's size and its family's cycle in place (between two list refreshes). */
export function showLiveStatus(
  ul: HTMLUListElement,
  family: FamilyEntry | undefined,
  view: string,
  rows: number,
  cycle: number,
): void {
  const d = family?.description;
  if (!family || !d || d.state !== "live") return;
  const v = d.views[view];
  if (v) v.size = rows;
  d.cycle = Math.max(d.cycle, cycle);
  const key = CSS.escape(`${family.name}/${view}`);
  const button = ul.querySelector<HTMLElement>(`[data-view-key="${key}"]`);
  const size = button?.querySelector(".view-size");
  if (size) {
    size.textContent = formatCount(rows);
    (size as HTMLElement).title = `${rows.toLocaleString("en-US")} rows`;
  }
  const meta = button?.closest(".family")?.querySelector(".family-meta");
  if (meta) meta.textContent = `every ${periodText(d.cycleMs)} · cycle ${d.cycle}`;
}

export function periodText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)} s`;
  return `${+(ms / 60_000).toFixed(1)} min`;
}

/** A ring or history view that keeps the rows of a blink view (see `followTarget`). */
export interface FollowTarget {
  view: string;
  kind: "ring" | "history";
}

/**
 * The view to open to follow blink view `view` of `desc` for longer than one cycle: a derived
 * `ringTable(view, n)` (preferred: it is bounded) or `blinkToAppendOnly(view)` of the family's
 * spec, or null when the family has neither.
 */
export function followTarget(desc: TableDescription, view: string): FollowTarget | null {
  const derived = Object.entries(desc.spec.derived ?? {});
  const esc = view.replaceAll(/[$]/g, "\\$");
  const call = (fn: string) =>
    new RegExp(`^\\s*(${fn}\\(\\s*${esc}\\s*[,)]|${esc}\\s*\\.\\s*${fn}\\s*\\()`);
  const ring = derived.find(([n, f]) => call("ringTable").test(f) && desc.views[n]);
  if (ring) return { view: ring[0], kind: "ring" };
  const hist = derived.find(([n, f]) => call("blinkToAppendOnly").test(f) && desc.views[n]);
  return hist ? { view: hist[0], kind: "history" } : null;
}

/**
 * Updates every view's size and the family's cycle in place from a fresh `describe` (the open
 * family's, re-read as its cycles pass), without rebuilding the list.
 */
export function showFamilySizes(
  ul: HTMLUListElement,
  family: FamilyEntry,
  fresh: TableDescription,
): void {
  family.description = fresh;
  for (const [view, v] of Object.entries(fresh.views)) {
    showLiveStatus(ul, family, view, v.size, fresh.cycle);
  }
}
