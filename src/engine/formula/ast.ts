/**
 * Syntax tree of a parsed formula, before any name or type is resolved. Every node keeps `start`
 * (offset of its first character) and `pos` (offset of the token an error about the node points
 * at: the operator of a binary expression, the name of a call).
 */
import type { ScalarType } from "../types.ts";

/** A formula type: a column type, or `null` for the untyped `null` literal. */
export type FType = ScalarType | "null";

export type UnaryOp = "-" | "+" | "!";
export type ArithOp = "+" | "-" | "*" | "/" | "%";
export type CmpOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type LogicOp = "&&" | "||";
export type BinaryOp = ArithOp | CmpOp | LogicOp;

/**
 * A literal value in storage form: numbers for int8..int32, float32/64 and char (code unit),
 * bigint for int64/instant, 0/1 for bool, string for string; `null` for a null.
 */
export type Scalar = number | bigint | string | null;

export type Expr =
  | { k: "lit"; start: number; pos: number; type: FType; value: Scalar }
  | { k: "ident"; start: number; pos: number; name: string }
  | { k: "unary"; start: number; pos: number; op: UnaryOp; arg: Expr }
  | { k: "binary"; start: number; pos: number; op: BinaryOp; left: Expr; right: Expr }
  | { k: "cond"; start: number; pos: number; cond: Expr; ifTrue: Expr; ifFalse: Expr }
  | { k: "cast"; start: number; pos: number; to: ScalarType; arg: Expr }
  /** `f(a, b)`, or `recv.m(a)` with `method` set and the receiver as `args[0]`. */
  | { k: "call"; start: number; pos: number; name: string; args: Expr[]; method: boolean };

/** A parsed formula: `target = expr` (assign mode) or a bare expression (filter mode). */
export interface ParsedFormula {
  readonly target: { readonly name: string; readonly pos: number } | null;
  readonly expr: Expr;
}
