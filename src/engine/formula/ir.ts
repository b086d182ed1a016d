/**
 * Typed intermediate form of a formula, produced by the type checker and consumed by the
 * compiler. Every implicit conversion (numeric promotion, string concatenation, null typing) is
 * an explicit `conv` node here, so each operator node sees operands of exactly the type its
 * kernel expects.
 */
import type { ColumnType } from "../types.ts";
import type { ArithOp, CmpOp, LogicOp, Scalar } from "./ast.ts";
import type { Kernel } from "./kernel.ts";

/** Builds the kernel of a function call from the kernels of its (converted) arguments. */
export type CallBuilder = (args: readonly Kernel[]) => Kernel;

export type TExpr =
  | { k: "const"; type: ColumnType; value: Scalar }
  /** Input column number `index` of the compiled formula. */
  | { k: "col"; type: ColumnType; index: number }
  /** `i` (int32) or `ii` (int64): the row position. */
  | { k: "pos"; type: "int32" | "int64" }
  | { k: "conv"; type: ColumnType; arg: TExpr }
  | { k: "neg"; type: ColumnType; arg: TExpr }
  | { k: "not"; type: "bool"; arg: TExpr }
  /**
   * Arithmetic on two operands of type `opType`; the result has `type`, which differs from
   * `opType` only for instants (computed as int64).
   */
  | { k: "arith"; type: ColumnType; opType: ColumnType; op: ArithOp; left: TExpr; right: TExpr }
  | { k: "concat"; type: "string"; left: TExpr; right: TExpr }
  /** Comparison of two operands of the same type `opType`. */
  | { k: "cmp"; type: "bool"; opType: ColumnType; op: CmpOp; left: TExpr; right: TExpr }
  | { k: "logic"; type: "bool"; op: LogicOp; left: TExpr; right: TExpr }
  | { k: "cond"; type: ColumnType; cond: TExpr; ifTrue: TExpr; ifFalse: TExpr }
  /** A built-in function call; `volatile` for random*() and now(). */
  | {
      k: "call";
      type: ColumnType;
      name: string;
      build: CallBuilder;
      args: TExpr[];
      volatile: boolean;
    };
