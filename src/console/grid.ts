/**
 * VirtualGrid: a read-only data grid over a GridSource (grid-source.ts) that only puts the visible
 * rows in the DOM (a pool of absolutely positioned row elements, re-filled on scroll and on every
 * cycle), so 100,000 rows scroll as smoothly as 100. Rows are shown in the source's order with the
 * row key in the first column. Cells that an update modified (its `modified` keys and
 * `modifiedColumns`) are highlighted briefly, as are added rows; a "follow" mode keeps the newest
 * rows (the end) in view, which is how ring and append-only views scroll.
 *
 * The header sorts (click: ascending, descending, none; shift-click adds a column), filters (a
 * row of quick-filter fields), resizes (drag a header's right edge), reorders (drag a header onto
 * another, or its menu's Move left / Move right) and hides columns (its menu). The grid keeps no
 * such state itself: it shows a ViewQuery (view-query.ts) and reports each change through
 * `onQueryChange`. Click a cell and shift-click another to select a block; Ctrl+C (or the copy
 * command) copies it as tab-separated text.
 *
 * An input table's view can be edited (`setEditing`): double-click (or Enter on) a value cell to
 * edit it in place, Enter commits, Escape cancels, and the server's error for the value is shown
 * in the cell; each row's key cell has a button that deletes the row. The values arrive back
 * through the subscription like any other change.
 *
 * Rendering happens on animation frames only; any number of updates between two frames cost one
 * render of the ~40 visible rows. Very tall tables (over MAX_SCROLL_PX of rows) map the scroll
 * position proportionally, because browsers cap element heights.
 */
import type { ColumnType, RowSet, TableUpdate } from "../engine/index.ts";
import { formatValue, isNumericType, typicalWidth } from "./format.ts";
import type { GridSource } from "./grid-source.ts";
import type { ViewQuery } from "./view-query.ts";
import {
  EMPTY_QUERY,
  moveColumn,
  orderedColumns,
  setFilter,
  setHidden,
  setWidth,
  toggleSort,
  visibleColumns,
} from "./view-query.ts";

const MAX_SCROLL_PX = 8_000_000;
/** How long a changed cell or added row stays highlighted. */
const HIGHLIGHT_MS = 900;
/** Cell padding plus border, in px. */
const CELL_PAD = 18;
/** Widest automatic column, in px (wider text is cut with an ellipsis and shown on hover). */
const MAX_AUTO_PX = 380;

/** How an editable grid (an input table's view) commits edits; see `setEditing`. */
export interface CellEditing {
  /** Key columns: they identify a row and are not edited in place. */
  readonly keys: readonly string[];
  /** Upserts row `key` with `column` set from `text`; resolves to null, or the error to show. */
  commit(key: number, column: string, text: string): Promise<string | null>;
  /** Deletes row `key`. */
  remove(key: number): Promise<void>;
}

/** The open cell editor. */
interface Editor {
  key: number;
  column: string;
  /** The cell holding it: an input and, after a refused value, the server's error. */
  box: HTMLDivElement;
  input: HTMLInputElement;
  error: HTMLDivElement;
}

/** Stands for "the cell holds the editor" in a slot's texts, so leaving it rewrites the text. */
const EDITING = "\u0000editing";

interface Column {
  name: string;
  type: ColumnType;
  numeric: boolean;
  /** Automatic width in px (grows to fit the widest text seen, up to MAX_AUTO_PX). */
  auto: number;
}

interface Slot {
  el: HTMLDivElement;
  key: HTMLDivElement;
  keyLabel: Text;
  deleteButton: HTMLButtonElement | null;
  cells: HTMLDivElement[];
  texts: (string | null)[];
  changed: boolean[];
  selected: boolean[];
  added: boolean;
  odd: boolean;
  shown: boolean;
  pos: number;
}

interface Mark {
  rows: RowSet;
  /** Columns that changed (null: the whole row, i.e. added). */
  cols: ReadonlySet<string> | null;
  at: number;
}

/** A selected block of cells: positions and display-column indexes, inclusive. */
interface Selection {
  anchor: { pos: number; col: number };
  focus: { pos: number; col: number };
}

export class VirtualGrid {
  /** The scrolling element (role="grid"); focus it to scroll with the keyboard. */
  readonly element: HTMLDivElement;
  readonly #headWrap: HTMLDivElement;
  readonly #head: HTMLDivElement;
  readonly #filterRow: HTMLDivElement;
  readonly #body: HTMLDivElement;
  readonly #empty: HTMLDivElement;
  readonly #menu: HTMLDivElement;
  #source: GridSource | null = null;
  /** Every column of the source, in the source's order. */
  #all: Column[] = [];
  /** Shown columns, in display order. */
  #cols: Column[] = [];
  #query: ViewQuery = EMPTY_QUERY;
  #filterErrors = new Map<string, string>();
  #keyPx = 48;
  #slots: Slot[] = [];
  #marks: Mark[] = [];
  #frame = 0;
  #expiry: ReturnType<typeof setTimeout> | null = null;
  #rowH = 24;
  #follow = false;
  #followable = false;
  #cycle = -1;
  /** Where following last put the scroll position. */
  #followTop = 0;
  #widthsDirty = true;
  #selection: Selection | null = null;
  #measure: CanvasRenderingContext2D | null = null;
  readonly #observer: ResizeObserver;
  /** Shown in place of rows while no source is set. */
  placeholder = "";
  /** Called when follow mode changes because the user scrolled. */
  onFollowChange: (follow: boolean) => void = () => {};
  /** Called with the new state after a header click, a filter, a resize, a move or a hide. */
  onQueryChange: (query: ViewQuery) => void = () => {};
  #editing: CellEditing | null = null;
  #editor: Editor | null = null;

  constructor(host: HTMLElement) {
    const el = document.createElement("div");
    el.className = "grid";
    el.tabIndex = 0;
    el.setAttribute("role", "grid");
    el.setAttribute("aria-readonly", "true");
    this.#headWrap = document.createElement("div");
    this.#headWrap.className = "grid-headwrap";
    this.#head = document.createElement("div");
    this.#head.className = "grid-head";
    this.#head.setAttribute("role", "row");
    this.#head.setAttribute("aria-rowindex", "1");
    this.#filterRow = document.createElement("div");
    this.#filterRow.className = "grid-filters";
    this.#headWrap.append(this.#head, this.#filterRow);
    this.#body = document.createElement("div");
    this.#body.className = "grid-body";
    this.#body.setAttribute("role", "rowgroup");
    this.#empty = document.createElement("div");
    this.#empty.className = "grid-empty";
    this.#empty.textContent = "No rows";
    this.#menu = document.createElement("div");
    this.#menu.className = "col-menu";
    this.#menu.setAttribute("role", "menu");
    this.#menu.hidden = true;
    el.append(this.#headWrap, this.#empty, this.#body);
    host.replaceChildren(el, this.#menu);
    this.element = el;
    el.addEventListener("scroll", () => this.#onScroll(), { passive: true });
    el.addEventListener("keydown", (e) => this.#onKey(e));
    el.addEventListener("copy", (e) => this.#onCopy(e));
    this.#body.addEventListener("mousedown", (e) => this.#onCellClick(e));
    this.#body.addEventListener("dblclick", (e) => this.#startEdit(e.target));
    this.#body.addEventListener("click", (e) => {
      const b = (e.target as HTMLElement).closest("button.row-delete");
      if (b) void this.#remove(b as HTMLButtonElement);
    });
    document.addEventListener("mousedown", (e) => {
      if (!this.#menu.hidden && !this.#menu.contains(e.target as Node)) this.#closeMenu();
    });
    this.#observer = new ResizeObserver(() => this.invalidate());
    this.#observer.observe(el);
    const rh = Number.parseFloat(getComputedStyle(el).getPropertyValue("--row-h"));
    if (rh > 0) this.#rowH = rh;
  }

  /** Shows `source` (null: nothing). `followable`: the newest rows arrive at the end. */
  setSource(source: GridSource | null, opts: { label: string; followable: boolean }): void {
    const sameColumns =
      source !== null &&
      this.#source !== null &&
      JSON.stringify(source.columns) === JSON.stringify(this.#source.columns);
    this.#source = source;
    this.#editing = null;
    this.#editor = null;
    this.element.setAttribute("aria-readonly", "true");
    this.element.classList.remove("editable");
    this.#marks = [];
    this.#followable = opts.followable;
    this.#follow = opts.followable;
    this.#followTop = 0;
    this.#cycle = -1;
    this.#selection = null;
    this.element.setAttribute("aria-label", opts.label);
    if (!sameColumns) {
      this.#all = source
        ? Object.entries(source.columns).map(([name, type]) => ({
            name,
            type,
            numeric: isNumericType(type),
            auto: 0,
          }))
        : [];
      for (const c of this.#all) c.auto = this.#headerPx(c);
    }
    this.#keyPx = 48;
    this.#layout();
    this.element.scrollTop = 0;
    this.element.scrollLeft = 0;
    this.#renderNow();
  }

  /**
   * Makes the shown source editable (an input table with keys) or read-only again (null). Call
   * after `setSource`.
   */
  setEditing(editing: CellEditing | null): void {
    this.#editing = editing;
    this.#editor = null;
    this.element.setAttribute("aria-readonly", editing ? "false" : "true");
    this.element.classList.toggle("editable", editing !== null);
    for (const s of this.#slots) s.el.remove();
    this.#slots = [];
    this.#renderNow();
  }

  /** Shows `query`'s sort, filters, column order, hidden columns and widths. */
  setQuery(query: ViewQuery): void {
    this.#query = query;
    this.#layout();
    this.#renderNow();
  }

  /** Clears every quick filter's error mark. */
  clearFilterErrors(): void {
    if (this.#filterErrors.size === 0) return;
    this.#filterErrors.clear();
    this.#renderFilters();
  }

  /** Marks a column's quick filter as wrong (null: right). */
  setFilterError(column: string, message: string | null): void {
    if (message === null) this.#filterErrors.delete(column);
    else this.#filterErrors.set(column, message);
    this.#renderFilters();
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
    const s = this.#source;
    if (kind === "snapshot") this.#marks = [];
    else if (update && s) {
      const now = performance.now();
      if (!update.modified.isEmpty) {
        this.#marks.push({ rows: update.modified, cols: new Set(update.modifiedColumns), at: now });
      }
      // New rows of blink, ring and append-only views are everything or the end of the view:
      // highlighting them says nothing. New groups of an aggregation do stand out.
      if (!update.added.isEmpty && !s.isBlink && !this.#followable) {
        this.#marks.push({ rows: update.added, cols: null, at: now });
      }
    }
    this.invalidate();
  }

  /**
   * Renders at once (a pending frame is dropped). `#layout` replaces the header and drops the row
   * elements: rendering in the same task means the header never shows a sort, filter or column
   * order that the rows below it do not have yet.
   */
  #renderNow(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#render();
  }

  /** Schedules one render on the next animation frame. */
  invalidate(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  /** The selected cells as tab-separated lines (empty when nothing is selected). */
  selectionText(): string {
    const sel = this.#selection;
    const s = this.#source;
    if (!sel || !s) return "";
    const [p0, p1] = [sel.anchor.pos, sel.focus.pos].sort((a, b) => a - b) as [number, number];
    const [c0, c1] = [sel.anchor.col, sel.focus.col].sort((a, b) => a - b) as [number, number];
    const lines: string[] = [];
    for (let p = p0; p <= Math.min(p1, s.size - 1); p++) {
      const cells: string[] = [];
      for (let j = c0; j <= c1; j++) {
        const c = this.#cols[j];
        if (!c) continue;
        const v = s.valueAt(p, c.name);
        cells.push(v === undefined ? "" : (formatValue(c.type, v) ?? ""));
      }
      lines.push(cells.join("\t"));
    }
    return lines.join("\n");
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#observer.disconnect();
    this.#source = null;
  }

  // ---- layout: header, filter row, widths ----------------------------------------------------

  #layout(): void {
    const names = this.#all.map((c) => c.name);
    const byName = new Map(this.#all.map((c) => [c.name, c]));
    this.#cols = visibleColumns(this.#query, names).map((n) => byName.get(n)!);
    this.element.setAttribute("aria-colcount", String(this.#cols.length + 1));
    this.#renderHead();
    this.#renderFilters();
    for (const s of this.#slots) s.el.remove();
    this.#slots = [];
    this.#widthsDirty = true;
  }

  #renderHead(): void {
    const positional = this.#source?.keyColumn === "position";
    const key = cell(positional ? "row" : "key", "grid-cell key", "columnheader");
    key.title = positional ? "row position in this order" : "row key";
    const heads = [key];
    const sort = this.#query.sort;
    this.#cols.forEach((c, j) => {
      const h = cell("", `grid-cell head${c.numeric ? " num" : ""}`, "columnheader");
      h.dataset.column = c.name;
      const at = sort.findIndex((s) => s.column === c.name);
      h.setAttribute(
        "aria-sort",
        at < 0 ? "none" : sort[at]!.order === "asc" ? "ascending" : "descending",
      );
      const label = document.createElement("button");
      label.type = "button";
      label.className = "sort-btn";
      label.title = `${c.name}: ${c.type}. Click to sort (ascending, descending, none); shift-click to add to the sort`;
      const name = document.createElement("span");
      name.className = "col-name";
      name.textContent = c.name;
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = c.type;
      label.append(name, type);
      if (at >= 0) {
        const ind = document.createElement("span");
        ind.className = "sort-ind";
        ind.textContent = `${sort[at]!.order === "asc" ? "▲" : "▼"}${sort.length > 1 ? at + 1 : ""}`;
        label.append(ind);
      }
      label.addEventListener("click", (e) =>
        this.onQueryChange(toggleSort(this.#query, c.name, e.shiftKey)),
      );
      const menuBtn = document.createElement("button");
      menuBtn.type = "button";
      menuBtn.className = "menu-btn";
      menuBtn.textContent = "⋮";
      menuBtn.setAttribute("aria-label", `Column ${c.name} menu`);
      menuBtn.setAttribute("aria-haspopup", "menu");
      menuBtn.addEventListener("click", () => this.#openMenu(c.name, j, menuBtn));
      const grip = document.createElement("span");
      grip.className = "resize";
      grip.title = "Drag to resize; double-click for automatic width";
      grip.addEventListener("pointerdown", (e) => this.#startResize(e, c, grip));
      grip.addEventListener("dblclick", () =>
        this.onQueryChange(setWidth(this.#query, c.name, null)),
      );
      h.draggable = true;
      h.addEventListener("dragstart", (e) => {
        e.dataTransfer?.setData("text/x-tickflare-column", c.name);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      });
      h.addEventListener("dragover", (e) => {
        if (e.dataTransfer?.types.includes("text/x-tickflare-column")) e.preventDefault();
      });
      h.addEventListener("drop", (e) => {
        const moved = e.dataTransfer?.getData("text/x-tickflare-column");
        if (!moved || moved === c.name) return;
        e.preventDefault();
        this.#moveTo(moved, c.name);
      });
      h.append(label, menuBtn, grip);
      heads.push(h);
    });
    this.#head.replaceChildren(...heads);
  }

  #renderFilters(): void {
    const key = cell("", "grid-cell key");
    key.textContent = "filter";
    const cells = [key];
    for (const c of this.#cols) {
      const box = cell("", "grid-cell filter");
      const input = document.createElement("input");
      input.type = "text";
      input.spellcheck = false;
      input.autocomplete = "off";
      input.placeholder = c.numeric ? "> 100" : c.type === "string" ? "AAPL" : "!= null";
      input.value = this.#query.filters[c.name] ?? "";
      input.dataset.column = c.name;
      input.setAttribute("aria-label", `Filter ${c.name}`);
      const err = this.#filterErrors.get(c.name);
      if (err) {
        input.setAttribute("aria-invalid", "true");
        input.title = err;
      }
      const commit = () => {
        if (input.value.trim() === (this.#query.filters[c.name] ?? "")) return;
        this.onQueryChange(setFilter(this.#query, c.name, input.value));
      };
      input.addEventListener("change", commit);
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") commit();
        e.stopPropagation();
      });
      box.append(input);
      cells.push(box);
    }
    this.#filterRow.replaceChildren(...cells);
  }

  #widthOf(c: Column): number {
    return this.#query.widths[c.name] ?? c.auto;
  }

  #applyWidths(): void {
    this.#widthsDirty = false;
    const widths = [this.#keyPx, ...this.#cols.map((c) => this.#widthOf(c))];
    const st = this.element.style;
    st.setProperty("--grid-cols", widths.map((w) => `${w}px`).join(" "));
    st.setProperty("--grid-width", `${widths.reduce((a, b) => a + b, 0)}px`);
  }

  /** Pixel width of `text` in the grid's font. */
  #textPx(text: string, bold = false): number {
    if (!this.#measure) {
      this.#measure = document.createElement("canvas").getContext("2d");
      if (!this.#measure) return text.length * 8;
    }
    const st = getComputedStyle(this.element);
    this.#measure.font = `${bold ? "600 " : ""}${st.fontSize} ${st.fontFamily}`;
    return Math.ceil(this.#measure.measureText(text).width);
  }

  #headerPx(c: Column): number {
    const chars = typicalWidth(c.type);
    const typical = this.#textPx("0".repeat(chars));
    // Name, type label, sort indicator and menu button.
    const head = this.#textPx(c.name, true) + this.#textPx(c.type) * 0.85 + 48;
    return Math.min(MAX_AUTO_PX, Math.max(typical + CELL_PAD, head));
  }

  // ---- menu, resize, reorder ----------------------------------------------------------------

  #openMenu(column: string, index: number, anchor: HTMLElement): void {
    const names = this.#all.map((c) => c.name);
    const order = orderedColumns(this.#query, names);
    const at = order.indexOf(column);
    const items: [string, boolean, () => ViewQuery][] = [
      ["Sort ascending", true, () => ({ ...this.#query, sort: [{ column, order: "asc" }] })],
      ["Sort descending", true, () => ({ ...this.#query, sort: [{ column, order: "desc" }] })],
      [
        "Clear filter",
        this.#query.filters[column] !== undefined,
        () => setFilter(this.#query, column, ""),
      ],
      ["Move left", index > 0, () => moveColumn(this.#query, names, column, at - 1)],
      [
        "Move right",
        index < this.#cols.length - 1,
        () => moveColumn(this.#query, names, column, at + 1),
      ],
      ["Hide column", this.#cols.length > 1, () => setHidden(this.#query, column, true)],
    ];
    const buttons = items.map(([label, enabled, next]) => {
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.textContent = label;
      b.disabled = !enabled;
      b.addEventListener("click", () => {
        this.#closeMenu();
        this.onQueryChange(next());
        this.element.focus();
      });
      return b;
    });
    this.#menu.replaceChildren(...buttons);
    this.#menu.setAttribute("aria-label", `Column ${column}`);
    this.#menu.dataset.column = column;
    const r = anchor.getBoundingClientRect();
    const host = this.#menu.parentElement!.getBoundingClientRect();
    this.#menu.style.left = `${Math.max(0, r.right - host.left - 160)}px`;
    this.#menu.style.top = `${r.bottom - host.top}px`;
    this.#menu.hidden = false;
    buttons.find((b) => !b.disabled)?.focus();
    this.#menu.onkeydown = (e) => {
      if (e.key === "Escape") {
        this.#closeMenu();
        anchor.focus();
      }
    };
  }

  #closeMenu(): void {
    this.#menu.hidden = true;
  }

  #moveTo(moved: string, onto: string): void {
    const names = this.#all.map((c) => c.name);
    const order = orderedColumns(this.#query, names);
    this.onQueryChange(moveColumn(this.#query, names, moved, order.indexOf(onto)));
  }

  #startResize(e: PointerEvent, c: Column, grip: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    const w0 = this.#widthOf(c);
    grip.setPointerCapture(e.pointerId);
    let w = w0;
    const move = (ev: PointerEvent) => {
      w = Math.max(24, w0 + ev.clientX - x0);
      this.#query = setWidth(this.#query, c.name, w);
      this.#applyWidths();
    };
    const up = () => {
      grip.removeEventListener("pointermove", move);
      grip.removeEventListener("pointerup", up);
      if (w !== w0) this.onQueryChange(this.#query);
    };
    grip.addEventListener("pointermove", move);
    grip.addEventListener("pointerup", up);
  }

  // ---- rows ------------------------------------------------------------------------------------

  #render(): void {
    const el = this.element;
    const src = this.#source;
    const n = src ? src.size : 0;
    const rowH = this.#rowH;
    el.setAttribute("aria-rowcount", String(n + 1));
    el.dataset.rows = String(n);
    el.dataset.cycle = String(this.#cycle);
    this.#empty.hidden = n > 0;
    this.#empty.textContent = src ? "No rows" : this.placeholder;
    this.#headWrap.hidden = !src;

    const total = n * rowH;
    const spacer = Math.min(total, MAX_SCROLL_PX);
    this.#body.style.height = `${spacer}px`;
    const viewH = Math.max(rowH, el.clientHeight - this.#headWrap.offsetHeight);
    if (this.#follow && n > 0) {
      el.scrollTop = el.scrollHeight;
      this.#followTop = el.scrollTop;
    }
    const top = el.scrollTop;
    const firstF =
      total <= MAX_SCROLL_PX
        ? top / rowH
        : (top / Math.max(1, spacer - viewH)) * Math.max(0, n - viewH / rowH);
    const first = Math.max(0, Math.floor(firstF));
    const count = Math.ceil(viewH / rowH) + 1;
    if (src && n > 0) src.setRange(first, Math.min(n - 1, first + count - 1));
    while (this.#slots.length < count) this.#slots.push(this.#newSlot());

    const now = performance.now();
    this.#marks = this.#marks.filter((m) => now - m.at < HIGHLIGHT_MS);
    const marks = this.#marks;
    const sel = this.#selection;
    const selRows = sel ? [sel.anchor.pos, sel.focus.pos].sort((a, b) => a - b) : null;
    const selCols = sel ? [sel.anchor.col, sel.focus.col].sort((a, b) => a - b) : null;
    let grew = false;
    for (let i = 0; i < this.#slots.length; i++) {
      const s = this.#slots[i]!;
      const pos = first + i;
      if (i >= count || pos >= n || !src) {
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
      s.pos = pos;
      const key = src.keyAt(pos);
      const y = total <= MAX_SCROLL_PX ? pos * rowH : top + (pos - firstF) * rowH;
      s.el.style.transform = `translateY(${y}px)`;
      s.el.setAttribute("aria-rowindex", String(pos + 2));
      s.el.dataset.pos = String(pos);
      const odd = pos % 2 === 1;
      if (odd !== s.odd) {
        s.el.classList.toggle("odd", odd);
        s.odd = odd;
      }
      const keyText = key === null ? "…" : src.keyColumn === "position" ? String(pos) : String(key);
      if (s.keyLabel.data !== keyText) {
        s.keyLabel.data = keyText;
        s.deleteButton?.setAttribute("aria-label", `Delete row ${keyText}`);
      }
      s.el.dataset.key = key === null ? "" : String(key);
      // An editable grid's key cell also holds the delete button.
      const keyW = this.#textPx(keyText) + CELL_PAD + (this.#editing ? 22 : 0);
      if (keyW > this.#keyPx) {
        this.#keyPx = keyW;
        grew = true;
      }
      let added = false;
      let rowMarks: Mark[] | null = null;
      if (key !== null) {
        for (const m of marks) {
          if (!m.rows.contains(key)) continue;
          if (m.cols === null) added = true;
          else if (rowMarks) rowMarks.push(m);
          else rowMarks = [m];
        }
      }
      if (added !== s.added) {
        s.el.classList.toggle("added", added);
        s.added = added;
      }
      const rowSelected = selRows !== null && pos >= selRows[0]! && pos <= selRows[1]!;
      const ed = this.#editor;
      for (let j = 0; j < this.#cols.length; j++) {
        const c = this.#cols[j]!;
        if (ed && ed.key === key && ed.column === c.name) {
          if (s.texts[j] !== EDITING || s.cells[j]!.firstChild !== ed.box) {
            s.cells[j]!.replaceChildren(ed.box);
            s.texts[j] = EDITING;
            if (document.activeElement === document.body) ed.input.focus();
          }
          continue;
        }
        const v = src.valueAt(pos, c.name);
        const text = v === undefined ? "…" : formatValue(c.type, v);
        const cellEl = s.cells[j]!;
        if (text !== s.texts[j]) {
          cellEl.textContent = text ?? "null";
          cellEl.title = text ?? "null";
          if ((text === null) !== (s.texts[j] === null))
            cellEl.classList.toggle("null", text === null);
          s.texts[j] = text;
          if (text !== null && text.length * 9 + CELL_PAD > c.auto && c.auto < MAX_AUTO_PX) {
            const w = Math.min(MAX_AUTO_PX, this.#textPx(text) + CELL_PAD);
            if (w > c.auto) {
              c.auto = w;
              grew = true;
            }
          }
        }
        const changed = rowMarks?.some((m) => m.cols!.has(c.name)) ?? false;
        if (changed !== s.changed[j]) {
          cellEl.classList.toggle("changed", changed);
          s.changed[j] = changed;
        }
        const selected = rowSelected && j >= selCols![0]! && j <= selCols![1]!;
        if (selected !== s.selected[j]) {
          cellEl.classList.toggle("selected", selected);
          cellEl.setAttribute("aria-selected", String(selected));
          s.selected[j] = selected;
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

  #newSlot(): Slot {
    const el = document.createElement("div");
    el.className = "grid-row";
    el.setAttribute("role", "row");
    const key = cell("", "grid-cell key", "rowheader");
    const keyLabel = document.createTextNode("");
    key.replaceChildren(keyLabel);
    let deleteButton: HTMLButtonElement | null = null;
    if (this.#editing) {
      deleteButton = document.createElement("button");
      deleteButton.type = "button";
      deleteButton.className = "row-delete";
      deleteButton.textContent = "×";
      deleteButton.title = "Delete this row";
      key.append(deleteButton);
    }
    const cells = this.#cols.map((c, j) => {
      const d = cell("", `grid-cell${c.numeric ? " num" : ""}`);
      d.dataset.col = String(j);
      d.dataset.column = c.name;
      return d;
    });
    el.append(key, ...cells);
    el.hidden = true;
    this.#body.append(el);
    return {
      el,
      key,
      keyLabel,
      deleteButton,
      cells,
      texts: cells.map(() => ""),
      changed: cells.map(() => false),
      selected: cells.map(() => false),
      added: false,
      odd: false,
      shown: false,
      pos: -1,
    };
  }

  #onCellClick(e: MouseEvent): void {
    const target = (e.target as HTMLElement).closest<HTMLElement>(".grid-cell[data-col]");
    const row = target?.closest<HTMLElement>(".grid-row");
    if (!target || !row) return;
    const at = { pos: Number(row.dataset.pos), col: Number(target.dataset.col) };
    this.#selection =
      e.shiftKey && this.#selection ? { ...this.#selection, focus: at } : { anchor: at, focus: at };
    if (e.shiftKey) e.preventDefault();
    this.element.focus({ preventScroll: true });
    this.invalidate();
  }

  #onCopy(e: ClipboardEvent): void {
    const text = this.selectionText();
    if (!text || !e.clipboardData) return;
    e.clipboardData.setData("text/plain", text);
    e.preventDefault();
  }

  #onScroll(): void {
    const el = this.element;
    if (this.#followable) {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - this.#rowH / 2;
      // Following stops only when the reader scrolls up from where following put the view: the
      // page's layout changing under it (the chart appearing) is not a reason to stop.
      const scrolledUp = el.scrollTop < this.#followTop - this.#rowH / 2;
      const follow = this.#follow ? !scrolledUp || atEnd : atEnd;
      if (follow !== this.#follow) {
        this.#follow = follow;
        this.onFollowChange(follow);
      }
    }
    this.invalidate();
  }

  /** Opens the editor on the value cell `target` is in (an editable grid's non-key column). */
  #startEdit(target: EventTarget | null): void {
    const editing = this.#editing;
    const src = this.#source;
    const cellEl = (target as HTMLElement | null)?.closest<HTMLDivElement>(".grid-cell[data-col]");
    const rowEl = cellEl?.closest<HTMLDivElement>(".grid-row");
    const c = this.#cols[Number(cellEl?.dataset.col)];
    if (!editing || !src || !rowEl || !c || editing.keys.includes(c.name)) return;
    if (this.#editor?.box.contains(target as Node)) return;
    const pos = Number(rowEl.dataset.pos);
    const key = src.keyAt(pos);
    const value = src.valueAt(pos, c.name);
    if (key === null || value === undefined) return;
    const column = c.name;
    const box = document.createElement("div");
    box.className = "cell-editor";
    const input = document.createElement("input");
    input.type = "text";
    input.setAttribute("aria-label", `${column} of row ${key}`);
    input.value = formatValue(c.type, value) ?? "";
    const error = document.createElement("div");
    error.className = "cell-error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    error.id = `cell-error-${key}-${column}`;
    input.setAttribute("aria-describedby", error.id);
    box.append(input, error);
    const editor: Editor = { key, column, box, input, error };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation(); // the grid's keys scroll; here they edit
      if (e.key === "Escape") this.#closeEditor(editor);
      else if (e.key === "Enter") void this.#commit(editor);
    });
    input.addEventListener("mousedown", (e) => e.stopPropagation());
    this.#editor = editor;
    this.invalidate();
    requestAnimationFrame(() => {
      input.focus();
      input.select();
    });
  }

  async #commit(editor: Editor): Promise<void> {
    const editing = this.#editing;
    if (!editing || this.#editor !== editor) return;
    editor.input.disabled = true;
    const error = await editing.commit(editor.key, editor.column, editor.input.value);
    editor.input.disabled = false;
    if (this.#editor !== editor) return;
    if (error === null) {
      this.#closeEditor(editor);
      return;
    }
    editor.error.textContent = error;
    editor.error.hidden = false;
    editor.input.setAttribute("aria-invalid", "true");
    editor.box.classList.add("invalid");
    editor.input.focus();
  }

  #closeEditor(editor: Editor): void {
    if (this.#editor !== editor) return;
    this.#editor = null;
    this.invalidate();
    this.element.focus();
  }

  async #remove(button: HTMLButtonElement): Promise<void> {
    const keyText = button.closest<HTMLDivElement>(".grid-row")?.dataset.key;
    const key = Number(keyText);
    if (!this.#editing || !keyText || !Number.isFinite(key)) return;
    button.disabled = true;
    try {
      await this.#editing.remove(key);
    } finally {
      button.disabled = false;
    }
  }

  #onKey(e: KeyboardEvent): void {
    if (e.target !== this.element) return;
    const el = this.element;
    const page = Math.max(this.#rowH, el.clientHeight - this.#headWrap.offsetHeight - this.#rowH);
    const moves: Record<string, () => void> = {
      ArrowDown: () => el.scrollBy(0, this.#rowH),
      ArrowUp: () => el.scrollBy(0, -this.#rowH),
      PageDown: () => el.scrollBy(0, page),
      PageUp: () => el.scrollBy(0, -page),
      Home: () => el.scrollTo(el.scrollLeft, 0),
      End: () => el.scrollTo(el.scrollLeft, el.scrollHeight),
      ArrowRight: () => el.scrollBy(80, 0),
      ArrowLeft: () => el.scrollBy(-80, 0),
      Escape: () => {
        this.#selection = null;
        this.invalidate();
      },
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
