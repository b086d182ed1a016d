/**
 * VirtualGrid: a read-only data grid over an engine table that only puts the visible rows in the
 * DOM (a pool of absolutely positioned row elements, re-filled on scroll and on every cycle), so
 * 100,000 rows scroll as smoothly as 100. Rows are shown in row-key order with the row key in the
 * first column. Cells that an update modified (its `modified` keys and `modifiedColumns`) are
 * highlighted briefly, as are added rows; a "follow" mode keeps the newest rows (the end) in
 * view, which is how ring and append-only views scroll.
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
import type { ColumnType, RowSet, Table, TableUpdate } from "../engine/index.ts";
import { formatValue, isNumericType, typicalWidth } from "./format.ts";

const MAX_SCROLL_PX = 8_000_000;
/** How long a changed cell or added row stays highlighted. */
const HIGHLIGHT_MS = 900;
const CHAR_PX = 7.4;

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
  chars: number;
}

interface Slot {
  el: HTMLDivElement;
  key: HTMLDivElement;
  /** The row's delete button (editable grids only). */
  deleteButton: HTMLButtonElement | null;
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
  #editing: CellEditing | null = null;
  #editor: Editor | null = null;

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
    this.#body.addEventListener("dblclick", (e) => this.#startEdit(e.target));
    this.#body.addEventListener("click", (e) => {
      const b = (e.target as HTMLElement).closest("button.row-delete");
      if (b) void this.#remove(b as HTMLButtonElement);
    });
    this.#observer = new ResizeObserver(() => this.invalidate());
    this.#observer.observe(el);
    const rh = Number.parseFloat(getComputedStyle(el).getPropertyValue("--row-h"));
    if (rh > 0) this.#rowH = rh;
  }

  /** Shows `table` (null: nothing). `followable`: the newest rows arrive at the end. */
  setTable(table: Table | null, opts: { label: string; followable: boolean }): void {
    this.#table = table;
    this.#editing = null;
    this.#editor = null;
    this.element.setAttribute("aria-readonly", "true");
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

  /**
   * Makes the shown table editable (an input table with keys) or read-only again (null). Call
   * after `setTable`.
   */
  setEditing(editing: CellEditing | null): void {
    this.#editing = editing;
    this.#editor = null;
    this.element.setAttribute("aria-readonly", editing ? "false" : "true");
    this.element.classList.toggle("editable", editing !== null);
    for (const s of this.#slots) s.el.remove();
    this.#slots = [];
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
      if (s.el.dataset.key !== keyText) {
        s.el.dataset.key = keyText;
        const label = s.key.firstChild as Text;
        label.data = keyText;
        s.deleteButton?.setAttribute("aria-label", `Delete row ${keyText}`);
      }
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
    const keyChars = Math.max(4, this.#keyChars) + (this.#editing ? 3 : 0); // the delete button
    const widths = [px(keyChars), ...this.#cols.map((c) => px(c.chars))];
    const st = this.element.style;
    st.setProperty("--grid-cols", widths.map((w) => `${w}px`).join(" "));
    st.setProperty("--grid-width", `${widths.reduce((a, b) => a + b, 0)}px`);
  }

  #newSlot(): Slot {
    const el = document.createElement("div");
    el.className = "grid-row";
    el.setAttribute("role", "row");
    const key = cell("", "grid-cell key", "rowheader");
    key.append(document.createTextNode(""));
    let deleteButton: HTMLButtonElement | null = null;
    if (this.#editing) {
      deleteButton = document.createElement("button");
      deleteButton.type = "button";
      deleteButton.className = "row-delete";
      deleteButton.textContent = "×";
      deleteButton.title = "Delete this row";
      key.append(deleteButton);
    }
    const cells = this.#cols.map((c) => {
      const d = cell("", `grid-cell${c.numeric ? " num" : ""}`);
      d.dataset.col = c.name;
      return d;
    });
    el.append(key, ...cells);
    el.hidden = true;
    this.#body.append(el);
    return {
      el,
      key,
      deleteButton,
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

  /** Opens the editor on the value cell `target` is in (an editable grid's non-key column). */
  #startEdit(target: EventTarget | null): void {
    const editing = this.#editing;
    const t = this.#table;
    const cellEl = (target as HTMLElement | null)?.closest<HTMLDivElement>(".grid-cell");
    const rowEl = cellEl?.closest<HTMLDivElement>(".grid-row");
    const column = cellEl?.dataset.col;
    if (!editing || !t || !rowEl || column === undefined || editing.keys.includes(column)) return;
    if (this.#editor?.box.contains(target as Node)) return;
    const key = Number(rowEl.dataset.key);
    if (!t.rowSet.contains(key)) return;
    const box = document.createElement("div");
    box.className = "cell-editor";
    const input = document.createElement("input");
    input.type = "text";
    input.setAttribute("aria-label", `${column} of row ${key}`);
    const c = this.#cols.find((x) => x.name === column)!;
    input.value = formatValue(c.type, t.getValue(column, key)) ?? "";
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
    const key = Number(button.closest<HTMLDivElement>(".grid-row")?.dataset.key);
    if (!this.#editing || !Number.isFinite(key)) return;
    button.disabled = true;
    try {
      await this.#editing.remove(key);
    } finally {
      button.disabled = false;
    }
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
