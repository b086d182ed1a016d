/**
 * Field errors and the two forms that write: create a family from a JSON spec, and publish rows
 * by hand. A refusal's `detail` (docs/protocol.md, "Errors") is shown next to the field at fault,
 * chosen by the error code: the name, the spec, or the rows; anything else (auth, network) next to
 * the submit button. The field gets `aria-invalid` and names the message in `aria-describedby`.
 */
import type { TableSpec, TickflareClient } from "../client/index.ts";
import { TickflareClientError } from "../client/index.ts";
import type { ColumnType, Schema } from "../engine/index.ts";

/** Codes whose detail is about the spec body. */
const SPEC_ERRORS = new Set([
  "bad_json",
  "bad_body",
  "bad_spec",
  "bad_schema",
  "bad_formula",
  "bad_argument",
  "unsupported_operation",
  "conflict",
  "too_large",
]);
/** Codes whose detail is about the published rows. */
const ROWS_ERRORS = new Set(["bad_json", "bad_body", "bad_value", "bad_arrow", "too_large"]);

/** Shows (or, with null, clears) the message under a field. */
export function fieldError(
  field: HTMLElement | null,
  box: HTMLElement,
  message: { code?: string; detail: string } | null,
): void {
  if (!message) {
    box.hidden = true;
    box.textContent = "";
    field?.removeAttribute("aria-invalid");
    return;
  }
  box.replaceChildren();
  if (message.code) {
    const code = document.createElement("code");
    code.textContent = message.code;
    box.append(code, ": ");
  }
  box.append(message.detail);
  box.hidden = false;
  field?.setAttribute("aria-invalid", "true");
}

/** A thrown value as `{ code, detail }` (a server refusal keeps its code). */
export function describeError(e: unknown): { code?: string; detail: string } {
  if (TickflareClientError.isClientError(e)) return { code: e.error, detail: e.detail };
  return { detail: e instanceof Error ? e.message : String(e) };
}

/** Parses JSON typed by a person; the error names the line and column. */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    if (!m || /line \d+/.test(msg)) return { ok: false, detail: `not valid JSON: ${msg}` };
    const pos = Number(m[1]);
    const before = text.slice(0, pos).split("\n");
    return {
      ok: false,
      detail: `not valid JSON: ${msg} (line ${before.length}, column ${before.at(-1)!.length + 1})`,
    };
  }
}

export const EXAMPLE_SPEC = `{
  "columns": { "X": "float64" },
  "source": "writer",
  "cycleMs": 250,
  "derived": {
    "trig": "source.update(\\"SinX = sin(X)\\", \\"CosX = cos(X)\\", \\"TanX = tan(X)\\")",
    "recent": "ringTable(source, 1000)",
    "stats": "source.aggBy([agg.count(\\"N\\"), agg.max(\\"MaxX = X\\")])"
  }
}`;

export interface CreateFormElements {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  name: HTMLInputElement;
  nameError: HTMLElement;
  spec: HTMLTextAreaElement;
  specError: HTMLElement;
  formError: HTMLElement;
  cancel: HTMLButtonElement;
}

/** Wires the "new table family" dialog; `onCreated` runs after a successful create. */
export function wireCreateForm(
  el: CreateFormElements,
  client: () => TickflareClient,
  onCreated: (name: string) => void,
): { open(): void } {
  const clear = () => {
    fieldError(el.name, el.nameError, null);
    fieldError(el.spec, el.specError, null);
    fieldError(null, el.formError, null);
  };
  el.cancel.addEventListener("click", () => el.dialog.close());
  el.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear();
    const name = el.name.value.trim();
    if (!name) {
      fieldError(el.name, el.nameError, { detail: "give the family a name" });
      el.name.focus();
      return;
    }
    const parsed = parseJson(el.spec.value);
    if (!parsed.ok) {
      fieldError(el.spec, el.specError, { code: "bad_json", detail: parsed.detail });
      el.spec.focus();
      return;
    }
    const submit = el.form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    submit.disabled = true;
    try {
      await client().createTable(name, parsed.value as TableSpec);
      el.dialog.close();
      onCreated(name);
    } catch (e) {
      const err = describeError(e);
      if (err.code === "bad_name") {
        fieldError(el.name, el.nameError, err);
        el.name.focus();
      } else if (err.code && SPEC_ERRORS.has(err.code)) {
        fieldError(el.spec, el.specError, err);
        el.spec.focus();
      } else fieldError(null, el.formError, err);
    } finally {
      submit.disabled = false;
    }
  });
  return {
    open() {
      clear();
      if (!el.spec.value.trim()) el.spec.value = EXAMPLE_SPEC;
      el.dialog.showModal();
      el.name.focus();
    },
  };
}

export interface PublishFormElements {
  panel: HTMLDetailsElement;
  form: HTMLFormElement;
  family: HTMLElement;
  rows: HTMLTextAreaElement;
  rowsError: HTMLElement;
  result: HTMLElement;
}

/**
 * Wires the publish form; `target()` is the open family (null: none). `show` names the source the
 * rows go to (default `source`; an input table's rows upsert by key).
 */
export function wirePublishForm(
  el: PublishFormElements,
  client: () => TickflareClient,
  target: () => string | null,
): {
  show(family: string | null, columns: Schema | null, publishable: boolean, source?: string): void;
} {
  let template = "";
  let source = "source";
  el.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const family = target();
    if (!family) return;
    fieldError(el.rows, el.rowsError, null);
    el.result.textContent = "";
    const parsed = parseJson(el.rows.value);
    if (!parsed.ok) {
      fieldError(el.rows, el.rowsError, { code: "bad_json", detail: parsed.detail });
      el.rows.focus();
      return;
    }
    if (!Array.isArray(parsed.value)) {
      fieldError(el.rows, el.rowsError, {
        code: "bad_body",
        detail: "rows are a JSON array of objects, one per row",
      });
      return;
    }
    const submit = el.form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    submit.disabled = true;
    try {
      const r = await client().publish(
        family,
        parsed.value as object[],
        source === "source" ? {} : { source },
      );
      el.result.textContent = `Accepted ${r.accepted} row${r.accepted === 1 ? "" : "s"}; expected in cycle ${r.cycle}.`;
    } catch (e) {
      const err = describeError(e);
      if (err.code && ROWS_ERRORS.has(err.code)) {
        fieldError(el.rows, el.rowsError, err);
        el.rows.focus();
      } else {
        el.result.textContent = "";
        fieldError(null, el.rowsError, err);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return {
    show(family, columns, publishable, to = "source") {
      el.panel.hidden = !family || !publishable;
      source = to;
      if (!family || !columns) return;
      el.family.textContent = to === "source" ? family : `${family} / ${to}`;
      fieldError(el.rows, el.rowsError, null);
      el.result.textContent = "";
      const next = exampleRows(columns);
      if (el.rows.value.trim() === "" || el.rows.value === template) el.rows.value = next;
      template = next;
    },
  };
}

/** A one-row JSON template for a schema (a value of the right form for each column). */
export function exampleRows(columns: Schema): string {
  const row: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(columns)) row[name] = exampleValue(type);
  return `[\n  ${JSON.stringify(row)}\n]`;
}

function exampleValue(type: ColumnType): unknown {
  if (type.endsWith("[]")) return [];
  switch (type) {
    case "string":
      return "text";
    case "char":
      return "c";
    case "bool":
      return true;
    case "instant":
      return new Date().toISOString();
    case "float32":
    case "float64":
      return 1.5;
    default:
      return 1;
  }
}
