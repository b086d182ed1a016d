/** Recompute-harness nuggets of update, updateView, view and select (formulas without i/ii). */
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  {
    name: "update(Y = Px * 2, Z = K + 1)",
    arity: 1,
    build: ([t]) => t!.update("Y = Px * 2", "Z = K + 1"),
  },
  { name: "update(Px = Px + Size)", arity: 1, build: ([t]) => t!.update("Px = Px + Size") },
  {
    name: "updateView(S = Sym + `x`, B = K > 0 ? Px : null)",
    arity: 1,
    build: ([t]) => t!.updateView("S = Sym + `x`", "B = K > 0 ? Px : null"),
  },
  { name: "view(Sym, P = Px)", arity: 1, build: ([t]) => t!.view("Sym", "P = Px") },
  { name: "view(N = K * 2)", arity: 1, build: ([t]) => t!.view("N = K * 2") },
  {
    name: "select(Sym, T = Ts, F = !Flag)",
    arity: 1,
    build: ([t]) => t!.select("Sym", "T = Ts", "F = !Flag"),
  },
];
