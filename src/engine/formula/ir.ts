/**
 * Typed intermediate form of a formula, produced by the type checker and consumed by the
 * compiler. Every implicit conversion (numeric promotion, string concatenation, null typing) is
 * an explicit `conv` node here, so each operator node sees operands of exactly the type its
 * kernel expects.
 */
import type { ScalarType } from "../types.ts";
import type { ArithOp, CmpOp, LogicOp, Scalar } from "./ast.ts";
import type { Kernel } from "./kernel.ts";

/** Builds the kernel of a function call from the kernels of its (converted) arguments. */
export type CallBuilder = (args: readonly Kernel[]) => Kernel;

export type TExpr =
  | { k: "const"; type: ScalarType; value: Scalar }
  /** Input column number `index` of the compiled formula. */
  | { k: "col"; type: ScalarType; index: number }
  /**
   * `len(X)` (int32, null for a null cell) or `isNull(X)` (bool) of array column input `index`:
   * the only uses of an array column in an expression.
   */
  | { k: "arrayLen"; type: "int32"; index: number }
  | { k: "arrayIsNull"; type: "bool"; index: number }
  /** `i` (int32) or `ii` (int64): the row position. */
  | { k: "pos"; type: "int32" | "int64" }
  | { k: "conv"; type: ScalarType; arg: TExpr }
  | { k: "neg"; type: ScalarType; arg: TExpr }
  | { k: "not"; type: "bool"; arg: TExpr }
  /**
   * Arithmetic on two operands of type `opType`; the result has `type`, which differs from
   * `opType` only for instants (computed as int64).
   */
  | { k: "arith"; type: ScalarType; opType: ScalarType; op: ArithOp; left: TExpr; right: TExpr }
  | { k: "concat"; type: "string"; left: TExpr; right: TExpr }
  /** Comparison of two operands of the same type `opType`. */
  | { k: "cmp"; type: "bool"; opType: ScalarType; op: CmpOp; left: TExpr; right: TExpr }
  | { k: "logic"; type: "bool"; op: LogicOp; left: TExpr; right: TExpr }
  | { k: "cond"; type: ScalarType; cond: TExpr; ifTrue: TExpr; ifFalse: TExpr }
  /** A built-in function call; `volatile` for random*() and now(). */
  | {
      k: "call";
      type: ScalarType;
      name: string;
      build: CallBuilder;
      args: TExpr[];
      volatile: boolean;
    };
