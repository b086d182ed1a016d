/**
 * VirtualGrid: a read-only data grid over an engine table that only puts the visible rows in the
 * DOM (a pool of absolutely positioned row elements, re-filled on scroll and on every cycle), so
 * 100,000 rows scroll as smoothly as 100. Rows are shown in row-key order with the row key in the
 * first column. Cells that an update modified (its `modified` keys and `modifiedColumns`) are
 * highlighted briefly, as are added rows; a "follow" mode keeps the newest rows (the end) in
 * view, which is how ring and append-only views scroll.
 *
 * Rendering happens on animation frames only; any number of updates between two frames cost one
 * render of the ~40 visible rows. Very tall tables (over MAX_SCROLL_PX of rows) map the scroll
 * position proportionally, because browsers cap element heights.
 */
import type { ColumnType, RowSet, Table, TableUpdate } from "../engine/index.ts";
import { formatValue, isNumericType, typicalWidth } from "./format.ts";

const MAX_SCROLL_PX = 8_000_000;
/** How long a changed cell or added row stays highlighted. */
const HIGHLIGHT_MS = 900;
const CHAR_PX = 7.4;

interface Column {
  name: string;
  type: ColumnType;
  numeric: boolean;
  chars: number;
}

interface Slot {
  el: HTMLDivElement;
  key: HTMLDivElement;
  cells: HTMLDivElement[];
  texts: (string | null)[];
  changed: boolean[];
  added: boolean;
  odd: boolean;
  shown: boolean;
}

interface Mark {
  rows: RowSet;
  /** Columns that changed (null: the whole row, i.e. added). */
  cols: ReadonlySet<string> | null;
  at: number;
}

export class VirtualGrid {
  /** The scrolling element (role="grid"); focus it to scroll with the keyboard. */
  readonly element: HTMLDivElement;
  readonly #head: HTMLDivElement;
  readonly #body: HTMLDivElement;
  readonly #empty: HTMLDivElement;
  #table: Table | null = null;
  #cols: Column[] = [];
  #keyChars = 4;
  #slots: Slot[] = [];
  #marks: Mark[] = [];
  #frame = 0;
  #expiry: ReturnType<typeof setTimeout> | null = null;
  #rowH = 24;
  #follow = false;
  #followable = false;
  #cycle = -1;
  #widthsDirty = true;
  readonly #observer: ResizeObserver;
  /** Shown in place of rows while no table is set. */
  placeholder = "";
  /** Called when follow mode changes because the user scrolled. */
  onFollowChange: (follow: boolean) => void = () => {};

  constructor(host: HTMLElement) {
    const el = document.createElement("div");
    el.className = "grid";
    el.tabIndex = 0;
    el.setAttribute("role", "grid");
    el.setAttribute("aria-readonly", "true");
    this.#head = document.createElement("div");
    this.#head.className = "grid-head";
    this.#head.setAttribute("role", "row");
    this.#head.setAttribute("aria-rowindex", "1");
    this.#body = document.createElement("div");
    this.#body.className = "grid-body";
    this.#body.setAttribute("role", "rowgroup");
    this.#empty = document.createElement("div");
    this.#empty.className = "grid-empty";
    this.#empty.textContent = "No rows";
    el.append(this.#head, this.#empty, this.#body);
    host.replaceChildren(el);
    this.element = el;
    el.addEventListener("scroll", () => this.#onScroll(), { passive: true });
    el.addEventListener("keydown", (e) => this.#onKey(e));
    this.#observer = new ResizeObserver(() => this.invalidate());
    this.#observer.observe(el);
    const rh = Number.parseFloat(getComputedStyle(el).getPropertyValue("--row-h"));
    if (rh > 0) this.#rowH = rh;
  }

  /** Shows `table` (null: nothing). `followable`: the newest rows arrive at the end. */
  setTable(table: Table | null, opts: { label: string; followable: boolean }): void {
    this.#table = table;
    this.#marks = [];
    this.#followable = opts.followable;
    this.#follow = opts.followable;
    this.#cycle = -1;
    this.element.setAttribute("aria-label", opts.label);
    this.#cols = table
      ? Object.entries(table.columns).map(([name, type]) => ({
          name,
          type,
          numeric: isNumericType(type),
          chars: Math.max(name.length * 1.1 + type.length * 0.85 + 1, typicalWidth(type)),
        }))
      : [];
    this.#keyChars = 4;
    this.element.setAttribute("aria-colcount", String(this.#cols.length + 1));
    const headCells = [cell("key", "grid-cell key", "columnheader")];
    headCells[0]!.title = "row key";
    for (const c of this.#cols) {
      const h = cell(c.name, `grid-cell${c.numeric ? " num" : ""}`, "columnheader");
      const t = document.createElement("span");
      t.className = "type";
      t.textContent = c.type;
      h.append(t);
      h.title = `${c.name}: ${c.type}`;
      headCells.push(h);
    }
    this.#head.replaceChildren(...headCells);
    for (const s of this.#slots) s.el.remove();
    this.#slots = [];
    this.#widthsDirty = true;
    this.element.scrollTop = 0;
    this.element.scrollLeft = 0;
    this.invalidate();
  }

  get follow(): boolean {
    return this.#follow;
  }

  /** Turns follow mode on (jump to the newest rows) or off. */
  setFollow(on: boolean): void {
    this.#follow = on && this.#followable;
    this.invalidate();
  }

  /** Records what a cycle changed (for highlighting) and schedules a render. */
  applyUpdate(update: TableUpdate | null, kind: "snapshot" | "delta", cycle: number): void {
    this.#cycle = cycle;
    const t = this.#table;
    if (kind === "snapshot") this.#marks = [];
    else if (update && t) {
      const now = performance.now();
      if (!update.modified.isEmpty) {
        this.#marks.push({ rows: update.modified, cols: new Set(update.modifiedColumns), at: now });
      }
      // New rows of blink, ring and append-only views are everything or the end of the view:
      // highlighting them says nothing. New groups of an aggregation do stand out.
      if (!update.added.isEmpty && !t.isBlink && !this.#followable) {
        this.#marks.push({ rows: update.added, cols: null, at: now });
      }
    }
    this.invalidate();
  }

  /** Schedules one render on the next animation frame. */
  invalidate(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#observer.disconnect();
    this.#table = null;
  }

  #render(): void {
    const el = this.element;
    const t = this.#table;
    const n = t && !t.isFailed ? t.size : 0;
    const rowH = this.#rowH;
    el.setAttribute("aria-rowcount", String(n + 1));
    el.dataset.rows = String(n);
    el.dataset.cycle = String(this.#cycle);
    this.#empty.hidden = n > 0;
    this.#empty.textContent = t ? "No rows" : this.placeholder;
    this.#head.hidden = !t;

    const total = n * rowH;
    const spacer = Math.min(total, MAX_SCROLL_PX);
    this.#body.style.height = `${spacer}px`;
    const viewH = Math.max(rowH, el.clientHeight - this.#head.offsetHeight);
    if (this.#follow && n > 0) el.scrollTop = el.scrollHeight;
    const top = el.scrollTop;
    const firstF =
      total <= MAX_SCROLL_PX
        ? top / rowH
        : (top / Math.max(1, spacer - viewH)) * Math.max(0, n - viewH / rowH);
    const first = Math.max(0, Math.floor(firstF));
    const count = Math.ceil(viewH / rowH) + 1;
    while (this.#slots.length < count) this.#slots.push(this.#newSlot());

    const now = performance.now();
    this.#marks = this.#marks.filter((m) => now - m.at < HIGHLIGHT_MS);
    const marks = this.#marks;
    let grew = false;
    for (let i = 0; i < this.#slots.length; i++) {
      const s = this.#slots[i]!;
      const pos = first + i;
      if (i >= count || pos >= n || !t) {
        if (s.shown) {
          s.el.hidden = true;
          s.shown = false;
        }
        continue;
      }
      if (!s.shown) {
        s.el.hidden = false;
        s.shown = true;
      }
      const key = t.rowSet.get(pos);
      const y = total <= MAX_SCROLL_PX ? pos * rowH : top + (pos - firstF) * rowH;
      s.el.style.transform = `translateY(${y}px)`;
      s.el.setAttribute("aria-rowindex", String(pos + 2));
      const odd = pos % 2 === 1;
      if (odd !== s.odd) {
        s.el.classList.toggle("odd", odd);
        s.odd = odd;
      }
      const keyText = String(key);
      if (s.key.textContent !== keyText) s.key.textContent = keyText;
      if (keyText.length > this.#keyChars) {
        this.#keyChars = keyText.length;
        grew = true;
      }
      let added = false;
      let rowMarks: Mark[] | null = null;
      for (const m of marks) {
        if (!m.rows.contains(key)) continue;
        if (m.cols === null) added = true;
        else if (rowMarks) rowMarks.push(m);
        else rowMarks = [m];
      }
      if (added !== s.added) {
        s.el.classList.toggle("added", added);
        s.added = added;
      }
      for (let j = 0; j < this.#cols.length; j++) {
        const c = this.#cols[j]!;
        const text = formatValue(c.type, t.getValue(c.name, key));
        if (text !== s.texts[j]) {
          const cellEl = s.cells[j]!;
          cellEl.textContent = text ?? "null";
          if ((text === null) !== (s.texts[j] === null))
            cellEl.classList.toggle("null", text === null);
          s.texts[j] = text;
          if (text !== null && text.length > c.chars) {
            c.chars = Math.min(48, text.length);
            grew = true;
          }
        }
        const changed = rowMarks?.some((m) => m.cols!.has(c.name)) ?? false;
        if (changed !== s.changed[j]) {
          s.cells[j]!.classList.toggle("changed", changed);
          s.changed[j] = changed;
        }
      }
    }
    if (grew || this.#widthsDirty) this.#applyWidths();
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#expiry = null;
    if (marks.length > 0) {
      const next = Math.min(...marks.map((m) => m.at)) + HIGHLIGHT_MS - now;
      this.#expiry = setTimeout(() => this.invalidate(), Math.max(16, next + 5));
    }
  }

  #applyWidths(): void {
    this.#widthsDirty = false;
    const px = (chars: number) => Math.round(chars * CHAR_PX + 18);
    const widths = [px(Math.max(4, this.#keyChars)), ...this.#cols.map((c) => px(c.chars))];
    const st = this.element.style;
    st.setProperty("--grid-cols", widths.map((w) => `${w}px`).join(" "));
    st.setProperty("--grid-width", `${widths.reduce((a, b) => a + b, 0)}px`);
  }

  #newSlot(): Slot {
    const el = document.createElement("div");
    el.className = "grid-row";
    el.setAttribute("role", "row");
    const key = cell("", "grid-cell key", "rowheader");
    const cells = this.#cols.map((c) => cell("", `grid-cell${c.numeric ? " num" : ""}`));
    el.append(key, ...cells);
    el.hidden = true;
    this.#body.append(el);
    return {
      el,
      key,
      cells,
      texts: cells.map(() => ""),
      changed: cells.map(() => false),
      added: false,
      odd: false,
      shown: false,
    };
  }

  #onScroll(): void {
    const el = this.element;
    if (this.#followable) {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - this.#rowH / 2;
      if (atEnd !== this.#follow) {
        this.#follow = atEnd;
        this.onFollowChange(atEnd);
      }
    }
    this.invalidate();
  }

  #onKey(e: KeyboardEvent): void {
    const el = this.element;
    const page = Math.max(this.#rowH, el.clientHeight - this.#head.offsetHeight - this.#rowH);
    const moves: Record<string, () => void> = {
      ArrowDown: () => el.scrollBy(0, this.#rowH),
      ArrowUp: () => el.scrollBy(0, -this.#rowH),
      PageDown: () => el.scrollBy(0, page),
      PageUp: () => el.scrollBy(0, -page),
      Home: () => el.scrollTo(el.scrollLeft, 0),
      End: () => el.scrollTo(el.scrollLeft, el.scrollHeight),
      ArrowRight: () => el.scrollBy(80, 0),
      ArrowLeft: () => el.scrollBy(-80, 0),
    };
    const move = moves[e.key];
    if (!move || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    move();
  }
}

function cell(text: string, className: string, role = "gridcell"): HTMLDivElement {
  const d = document.createElement("div");
  d.className = className;
  d.setAttribute("role", role);
  d.textContent = text;
  return d;
}
