/**
 * Lexer of the formula language: turns formula text into tokens carrying their 0-based start
 * offset, so every later error can point at the character where the problem starts.
 *
 * Literals follow Java: decimal, hex (`0x`), octal (leading `0`) and binary (`0b`) integers with
 * `_` separators and an optional `L` suffix; floating literals with an optional `f`/`d` suffix;
 * strings in backticks (Deephaven) or double quotes; single quotes hold a char (`'a'`), an
 * ISO-8601 instant (`'2024-01-01T00:00:00Z'`) or an ISO-8601 duration (`'PT1s'`).
 */
import { FormulaError } from "../errors.ts";
import { parseInstantOrReason } from "../types.ts";

/** Operators and punctuation the lexer recognises (longest first where they share a prefix). */
const OPERATORS = [
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
  "<",
  ">",
  "=",
  "?",
  ":",
  "(",
  ")",
  ",",
  ".",
  "&",
  "|",
  "^",
  "~",
] as const;

export type Operator = (typeof OPERATORS)[number];

export type Token =
  /** An integer literal; `value` is its unsigned magnitude, range-checked by the parser. */
  | { kind: "int" | "long"; pos: number; text: string; value: bigint; radix: number }
  | { kind: "float" | "double"; pos: number; text: string; value: number }
  | { kind: "string"; pos: number; text: string; value: string }
  /** A char literal; `value` is the UTF-16 code unit. */
  | { kind: "char"; pos: number; text: string; value: number }
  /** An instant literal (epoch nanoseconds) or a duration literal (nanoseconds). */
  | { kind: "instant" | "duration"; pos: number; text: string; value: bigint }
  | { kind: "ident"; pos: number; text: string }
  | { kind: "op"; pos: number; text: Operator }
  | { kind: "eof"; pos: number; text: "" };

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;
/** A quoted literal starting like a date is meant as an instant: say why it is not one. */
const DATE_START = /^\d{4}-\d{2}-\d{2}/;

const ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  "'": "'",
  '"': '"',
  "`": "`",
  "\\": "\\",
  s: " ",
};

const DURATION = /^([-+]?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?)?$/i;

/** Parses an ISO-8601 duration (`PT1s`, `PT0.5S`, `P1DT2H`, `-PT5M`) into nanoseconds. */
export function parseDuration(s: string): bigint | null {
  const m = DURATION.exec(s);
  if (!m || /^[-+]?PT?$/i.test(s)) return null;
  const [, sign, d = "0", h = "0", mi = "0", se = "0", frac = ""] = m;
  const ns =
    ((BigInt(d) * 24n + BigInt(h)) * 60n + BigInt(mi)) * 60_000_000_000n +
    BigInt(se) * 1_000_000_000n +
    BigInt(`${frac}000000000`.slice(0, 9));
  return sign === "-" ? -ns : ns;
}

/** Splits `text` into tokens, ending with an `eof` token. Throws FormulaError on bad input. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (pos: number, detail: string): never => {
    throw new FormulaError(text, pos, detail);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      out.push({ kind: "ident", pos: start, text: text.slice(start, i) });
      continue;
    }
    if (DIGIT.test(c) || (c === "." && DIGIT.test(text[i + 1] ?? ""))) {
      const tok = lexNumber(text, start, fail);
      out.push(tok);
      i = start + tok.text.length;
      continue;
    }
    if (c === "`" || c === '"' || c === "'") {
      const [value, end] = lexQuoted(text, start, fail);
      i = end;
      const raw = text.slice(start, end);
      if (c !== "'") {
        out.push({ kind: "string", pos: start, text: raw, value });
      } else if (value.length === 1) {
        out.push({ kind: "char", pos: start, text: raw, value: value.charCodeAt(0) });
      } else {
        const parsed = parseInstantOrReason(value);
        const instant = typeof parsed === "bigint" ? parsed : null;
        const duration = instant === null ? parseDuration(value) : null;
        if (instant !== null) out.push({ kind: "instant", pos: start, text: raw, value: instant });
        else if (duration === null && DATE_START.test(value))
          fail(start, `Invalid instant literal ${raw}: ${parsed}`);
        else if (duration !== null)
          out.push({ kind: "duration", pos: start, text: raw, value: duration });
        else if (value.length === 0) fail(start, "Empty character literal ''");
        else fail(start, badSingleQuoted(raw, value));
      }
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) fail(start, `Unexpected character "${c}"`);
    out.push({ kind: "op", pos: start, text: op! });
    i += op!.length;
  }
  out.push({ kind: "eof", pos: text.length, text: "" });
  return out;
}

/**
 * The error for a single-quoted literal that is no char, instant or duration. Text that does not
 * look like a date or a duration is most likely a string written the SQL or Python way (`'AAPL'`):
 * say that strings go in backticks, as in Deephaven.
 */
function badSingleQuoted(raw: string, value: string): string {
  const base = `Cannot parse ${raw} as a char, an ISO-8601 instant or an ISO-8601 duration`;
  if (/^\s*([-+]?\d|[-+]?P)/i.test(value)) return base;
  return `${base}; single quotes hold only those, so write a string in backticks: \`${value}\``;
}

/** Reads a quoted literal starting at `start`; returns its decoded value and the end offset. */
function lexQuoted(
  text: string,
  start: number,
  fail: (p: number, d: string) => never,
): [string, number] {
  const quote = text[start]!;
  const what = quote === "'" ? "character literal" : "string literal";
  let value = "";
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === "\\") {
      const e = text[i + 1];
      if (e === undefined) break;
      if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, `Invalid unicode escape in ${what}`);
        value += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
      if (octal && parseInt(octal[0], 8) <= 0xff) {
        value += String.fromCharCode(parseInt(octal[0], 8));
        i += 1 + octal[0].length;
        continue;
      }
      const decoded = ESCAPES[e];
      if (decoded === undefined) fail(i, `Invalid escape sequence "\\${e}" in ${what}`);
      value += decoded;
      i += 2;
      continue;
    }
    value += text[i];
    i++;
  }
  if (i >= text.length) fail(start, `Unterminated ${what}`);
  return [value, i + 1];
}

/** Reads a Java numeric literal at `start`. */
function lexNumber(text: string, start: number, fail: (p: number, d: string) => never): Token {
  const rest = text.slice(start);
  const radixMatch = /^0([xX][0-9a-fA-F_]+|[bB][01_]+)([lL]?)/.exec(rest);
  if (radixMatch) {
    const body = radixMatch[1]!;
    const radix = body[0] === "x" || body[0] === "X" ? 16 : 2;
    const digits = body.slice(1);
    if (digits.startsWith("_") || digits.endsWith("_"))
      fail(start, `Invalid numeric literal ${radixMatch[0]}`);
    const value = BigInt(`${radix === 16 ? "0x" : "0b"}${digits.replaceAll("_", "")}`);
    const kind = radixMatch[2] ? "long" : "int";
    return checkEnd({ kind, pos: start, text: radixMatch[0], value, radix }, text, fail);
  }
  const m = /^(?:\d[\d_]*)?(?:\.(?:\d[\d_]*)?)?(?:[eE][+-]?\d[\d_]*)?[fFdDlL]?/.exec(rest)!;
  const raw = m[0];
  const suffix = /[fFdDlL]$/.test(raw) ? raw[raw.length - 1]!.toLowerCase() : "";
  const body = suffix ? raw.slice(0, -1) : raw;
  if (/_(?![\d_])|(?<![\d_])_/.test(body)) fail(start, `Invalid numeric literal ${raw}`);
  const clean = body.replaceAll("_", "");
  const isFloating = /[.eE]/.test(clean) || suffix === "f" || suffix === "d";
  if (!isFloating) {
    if (clean.length > 1 && clean[0] === "0") {
      if (!/^[0-7]+$/.test(clean)) fail(start, `Invalid octal literal ${raw}`);
      const value = BigInt(`0o${clean.slice(1)}`);
      return checkEnd(
        { kind: suffix === "l" ? "long" : "int", pos: start, text: raw, value, radix: 8 },
        text,
        fail,
      );
    }
    return checkEnd(
      {
        kind: suffix === "l" ? "long" : "int",
        pos: start,
        text: raw,
        value: BigInt(clean),
        radix: 10,
      },
      text,
      fail,
    );
  }
  if (suffix === "l" || /[eE][+-]?$/.test(clean)) fail(start, `Invalid numeric literal ${raw}`);
  const num = Number(clean);
  const value = suffix === "f" ? Math.fround(num) : num;
  if (!Number.isFinite(value)) {
    fail(
      start,
      `Floating-point literal ${raw} is out of range for ${suffix === "f" ? "float" : "double"}`,
    );
  }
  return checkEnd(
    { kind: suffix === "f" ? "float" : "double", pos: start, text: raw, value },
    text,
    fail,
  );
}

/** A literal must not run straight into an identifier (`12abc`). */
function checkEnd<T extends Token>(tok: T, text: string, fail: (p: number, d: string) => never): T {
  const next = text[tok.pos + tok.text.length];
  if (next !== undefined && IDENT_PART.test(next)) {
    fail(tok.pos, `Invalid numeric literal ${text.slice(tok.pos).match(/^[A-Za-z0-9_$.]+/)![0]}`);
  }
  return tok;
}
