/**
 * Parser of the table-spec chain language: the method chains users know from Deephaven,
 * e.g. `source.where("Price > 100").update("Notional = Price * Size")`,
 * `ringTable(source, 1000)`, `source.aggBy([agg.sum("Total = Size"), agg.last("Price")], "Sym")`.
 *
 * Grammar (never evaluated as code; see chain-eval.ts for the calls it may make):
 *   chain   := primary ( "." IDENT "(" args ")" )*
 *   primary := IDENT "(" args ")" | IDENT "." IDENT "(" args ")" | IDENT | literal | list | object
 *   args    := [ chain ( "," chain )* ]
 *   literal := string ("..." or '...', JSON escapes) | number | true | false | null
 *   list    := "[" [ chain ( "," chain )* ] "]"
 *   object  := "{" [ IDENT ":" chain ( "," IDENT ":" chain )* ] "}"
 *
 * The tree is at most `MAX_CHAIN_DEPTH` deep (a method is one level above its target and its
 * arguments; a call, list or object one above its items), so neither this parser nor the
 * interpreter (chain-eval.ts) can overflow the stack; deeper is a SpecError naming the limit.
 */
import { TickflareError } from "../errors.ts";

/**
 * A spec that cannot be parsed or built; names the derived table and the position. `code` is
 * `bad_spec` for the spec's own structure and syntax, or the code of the engine error it wraps
 * (`bad_schema`, `bad_formula`, `bad_argument`, `unsupported_operation`, ...), so a client can
 * tell a bad formula from a bad chain.
 */
export class SpecError extends TickflareError {
  readonly table: string | undefined;
  readonly position: number | undefined;
  constructor(message: string, table?: string, position?: number, code = "bad_spec") {
    super(code, message);
    this.table = table;
    this.position = position;
  }
}

/** Deepest a chain's tree may be: methods in a row plus nested arguments, lists and objects. */
export const MAX_CHAIN_DEPTH = 256;

export type ChainNode =
  | { kind: "ref"; name: string; pos: number }
  | { kind: "call"; name: string; args: ChainNode[]; pos: number }
  | { kind: "ns"; ns: string; name: string; args: ChainNode[]; pos: number }
  | { kind: "method"; target: ChainNode; name: string; args: ChainNode[]; pos: number }
  | { kind: "literal"; value: string | number | boolean | null; pos: number }
  | { kind: "list"; items: ChainNode[]; pos: number }
  | { kind: "object"; props: { key: string; value: ChainNode; pos: number }[]; pos: number };

type Tok =
  | { t: "ident"; v: string; pos: number }
  | { t: "str"; v: string; pos: number }
  | { t: "num"; v: number; pos: number }
  | { t: "punct"; v: string; pos: number }
  | { t: "eof"; pos: number };

function lex(src: string, fail: (msg: string, pos: number) => never): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_$]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_$]/.test(src[i]!)) i++;
      out.push({ t: "ident", v: src.slice(start, i), pos: start });
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9.]/.test(src[i + 1] ?? ""))) {
      i++;
      while (i < src.length && /[0-9._eE+-]/.test(src[i]!)) {
        if ((src[i] === "+" || src[i] === "-") && !/[eE]/.test(src[i - 1]!)) break;
        i++;
      }
      const text = src.slice(start, i).replace(/_/g, "");
      const v = Number(text);
      if (!Number.isFinite(v)) fail(`bad number "${src.slice(start, i)}"`, start);
      out.push({ t: "num", v, pos: start });
    } else if (c === '"' || c === "'") {
      i++;
      let s = "";
      for (;;) {
        if (i >= src.length) fail("unterminated string", start);
        const d = src[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (d === "\\") {
          const e = src[i + 1];
          const map: Record<string, string> = {
            n: "\n",
            t: "\t",
            r: "\r",
            '"': '"',
            "'": "'",
            "\\": "\\",
            "/": "/",
            "`": "`",
          };
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          if (e === undefined || !(e in map)) fail(`bad escape "\\${e ?? ""}" in string`, i);
          s += map[e]!;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ t: "str", v: s, pos: start });
    } else if ("().,[]{}:".includes(c)) {
      out.push({ t: "punct", v: c, pos: i });
      i++;
    } else fail(`unexpected character "${c}"`, i);
  }
  out.push({ t: "eof", pos: src.length });
  return out;
}

/** Parses one chain; `table` names the derived table for error messages. */
export function parseChain(src: string, table: string): ChainNode {
  const fail = (msg: string, pos: number): never => {
    throw new SpecError(
      `derived table "${table}": ${msg} at position ${pos} in \`${src}\``,
      table,
      pos,
    );
  };
  if (typeof src !== "string") fail("the definition must be a string", 0);
  const toks = lex(src, fail);
  let p = 0;
  const peek = () => toks[p]!;
  const isPunct = (v: string) => {
    const t = peek();
    return t.t === "punct" && t.v === v;
  };
  const expect = (v: string) => {
    const t = peek();
    if (t.t !== "punct" || t.v !== v) fail(`expected "${v}" but found ${describe(t)}`, t.pos);
    p++;
  };
  const tooDeep = (pos: number): never =>
    fail(
      `the chain nests deeper than ${MAX_CHAIN_DEPTH} levels (methods in a row, calls, lists and objects)`,
      pos,
    );
  /** `depth` counts the argument lists, lists and objects around a chain (bounds the recursion). */
  const deeper = (depth: number, pos: number): number =>
    depth >= MAX_CHAIN_DEPTH ? tooDeep(pos) : depth + 1;
  /** Each node's height (leaves: 1), computed as nodes are built, so nothing recurses to check. */
  const heights = new Map<ChainNode, number>();
  const built = <N extends ChainNode>(node: N, children: readonly ChainNode[]): N => {
    let h = 0;
    for (const c of children) h = Math.max(h, heights.get(c) ?? 1);
    if (h + 1 > MAX_CHAIN_DEPTH) tooDeep(node.pos);
    heights.set(node, h + 1);
    return node;
  };
  const args = (close: string, depth: number): ChainNode[] => {
    const out: ChainNode[] = [];
    if (isPunct(close)) {
      p++;
      return out;
    }
    for (;;) {
      out.push(chain(deeper(depth, peek().pos)));
      if (isPunct(",")) {
        p++;
        continue;
      }
      expect(close);
      return out;
    }
  };
  const primary = (depth: number): ChainNode => {
    const t = peek();
    if (t.t === "str" || t.t === "num") {
      p++;
      return { kind: "literal", value: t.v, pos: t.pos };
    }
    if (t.t === "punct" && t.v === "[") {
      p++;
      const items = args("]", depth);
      return built({ kind: "list", items, pos: t.pos }, items);
    }
    if (t.t === "punct" && t.v === "{") {
      p++;
      const props: { key: string; value: ChainNode; pos: number }[] = [];
      if (!isPunct("}")) {
        for (;;) {
          const k = peek();
          if (k.t !== "ident" && k.t !== "str")
            fail(`expected a property name but found ${describe(k)}`, k.pos);
          p++;
          expect(":");
          const value = chain(deeper(depth, peek().pos));
          props.push({ key: String((k as { v: string }).v), value, pos: k.pos });
          if (isPunct(",")) {
            p++;
            continue;
          }
          break;
        }
      }
      expect("}");
      return built(
        { kind: "object", props, pos: t.pos },
        props.map((q) => q.value),
      );
    }
    if (t.t === "ident") {
      p++;
      if (t.v === "true" || t.v === "false")
        return { kind: "literal", value: t.v === "true", pos: t.pos };
      if (t.v === "null") return { kind: "literal", value: null, pos: t.pos };
      if (isPunct("(")) {
        p++;
        const a = args(")", depth);
        return built({ kind: "call", name: t.v, args: a, pos: t.pos }, a);
      }
      // Namespaced call such as agg.sum(...): an identifier that is not a table reference.
      const dot = toks[p];
      const name = toks[p + 1];
      const paren = toks[p + 2];
      if (
        (t.v === "agg" || t.v === "updateby") &&
        dot?.t === "punct" &&
        dot.v === "." &&
        name?.t === "ident" &&
        paren?.t === "punct" &&
        paren.v === "("
      ) {
        p += 3;
        const a = args(")", depth);
        return built({ kind: "ns", ns: t.v, name: name.v, args: a, pos: t.pos }, a);
      }
      return { kind: "ref", name: t.v, pos: t.pos };
    }
    return fail(`expected a table, call or value but found ${describe(t)}`, t.pos);
  };
  const chain = (depth: number): ChainNode => {
    let node = primary(depth);
    while (isPunct(".")) {
      p++;
      const m = peek();
      if (m.t !== "ident") fail(`expected a method name after "." but found ${describe(m)}`, m.pos);
      p++;
      expect("(");
      const a = args(")", depth);
      // A method's target is one level below it: `source.head(1).tail(1)` is three deep.
      node = built(
        { kind: "method", target: node, name: (m as { v: string }).v, args: a, pos: m.pos },
        [node, ...a],
      );
    }
    return node;
  };
  const node = chain(1);
  if (peek().t !== "eof")
    fail(`unexpected ${describe(peek())} after the end of the chain`, peek().pos);
  return node;
}

function describe(t: Tok): string {
  switch (t.t) {
    case "eof":
      return "the end";
    case "ident":
      return `"${t.v}"`;
    case "str":
      return "a string";
    case "num":
      return `the number ${t.v}`;
    case "punct":
      return `"${t.v}"`;
  }
}

/** Names of tables a chain refers to, with positions. */
export function references(
  node: ChainNode,
  out: { name: string; pos: number }[] = [],
): { name: string; pos: number }[] {
  switch (node.kind) {
    case "ref":
      out.push({ name: node.name, pos: node.pos });
      break;
    case "call":
    case "ns":
      for (const a of node.args) references(a, out);
      break;
    case "method":
      references(node.target, out);
      for (const a of node.args) references(a, out);
      break;
    case "list":
      for (const a of node.items) references(a, out);
      break;
    case "object":
      for (const a of node.props) references(a.value, out);
      break;
    case "literal":
      break;
  }
  return out;
}
