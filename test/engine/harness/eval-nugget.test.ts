/**
 * The recompute harness (Deephaven's EvalNugget): every registered nugget (harness/nuggets.ts)
 * runs over random inputs of every InputKind through random cycles of adds, removes and
 * modifications. After every cycle its live result must equal the operation recomputed from
 * scratch over static copies of the inputs (`recompute(current, stream)`), row for row in
 * row-key order (NaN equals NaN, -0 differs from 0), and the updates its listeners saw must
 * describe the change exactly (see update-checker.ts).
 *
 * Reproduce a failure with the seed it prints: `NUGGET_SEED=<seed> npx vitest run --project
 * engine test/engine/harness/eval-nugget.test.ts -t "<nugget name>"`; `NUGGET_RUNS` sets the runs
 * per nugget and input kind.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table } from "../../../src/engine/index.ts";
import { UpdateGraph } from "../../../src/engine/index.ts";
import type { GenCycle, GenInput, LiveInput } from "./inputs.ts";
import {
  clockStepArb,
  genCycleArb,
  genInputArb,
  KINDS,
  makeInput,
  STAMP_BASE_NS,
} from "./inputs.ts";
import type { InputKind, Nugget } from "./nugget.ts";
import { NUGGETS } from "./nuggets.ts";
import { show, UpdateChecker } from "./update-checker.ts";

const RUNS = Number(process.env.NUGGET_RUNS ?? 6);
const SEED = process.env.NUGGET_SEED === undefined ? undefined : Number(process.env.NUGGET_SEED);

interface Scenario {
  kinds: InputKind[];
  inputs: GenInput[];
  /** Per cycle, one change per input. */
  cycles: GenCycle[][];
  /** Per cycle, how far the graph's clock moves before it (ms). */
  steps: number[];
}

function kindsOf(n: Nugget, input: number): readonly InputKind[] {
  return n.kinds?.[input] ?? KINDS;
}

/** Scenarios whose first input is of `first`; the others' kinds are random among those allowed. */
function scenarioArb(n: Nugget, first: InputKind): fc.Arbitrary<Scenario> {
  const kinds = fc.tuple(
    fc.constant(first),
    ...Array.from({ length: n.arity - 1 }, (_, i) => fc.constantFrom(...kindsOf(n, i + 1))),
  );
  return fc.record({
    kinds,
    inputs: fc.array(genInputArb, { minLength: n.arity, maxLength: n.arity }),
    cycles: fc.array(fc.array(genCycleArb, { minLength: n.arity, maxLength: n.arity }), {
      minLength: 1,
      maxLength: 6,
    }),
    steps: fc.array(clockStepArb, { minLength: 6, maxLength: 6 }),
  });
}

function recomputed(n: Nugget, inputs: readonly LiveInput[]): Table {
  const current = inputs.map((i) => i.current());
  if (n.recompute)
    return n.recompute(
      current,
      inputs.map((i) => i.stream()),
    );
  return n.build(current);
}

function unsignZeros(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = Object.is(v, -0) ? 0 : v;
  return out;
}

/** Rows in a canonical order (by their printed form), for nuggets whose order is not defined. */
function canonical(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows
    .map((r) => [show(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

function describeInputs(inputs: readonly LiveInput[]): string {
  return inputs.map((i, j) => `input ${j} (${i.kind}): ${show(i.table.toRows())}`).join("\n");
}

function run(n: Nugget, sc: Scenario): void {
  // The clock starts at the first stamp and moves only between cycles (time windows read it).
  let nowMs = Number(STAMP_BASE_NS / 1_000_000n);
  const g = new UpdateGraph({ seed: 1, clock: () => nowMs });
  const inputs = sc.kinds.map((k, j) => makeInput(g, k, sc.inputs[j]!));
  g.runCycleSync();
  for (const i of inputs) i.startStream();
  const live = n.build(inputs.map((i) => i.table));
  const checker = new UpdateChecker(live, {
    readds: live.isBlink || inputs.some((i) => i.table.isBlink),
    exact: n.exactModifications,
  });
  const compare = (cycle: number) => {
    const where = `${n.name} after cycle ${cycle}\n${describeInputs(inputs)}`;
    if (checker.problems.length > 0)
      throw new Error(`${where}\nupdates do not match the rows:\n${checker.problems.join("\n")}`);
    expect(live.isFailed, `${where}\nfailed: ${String(live.failure)}`).toBe(false);
    const rowsOf = (t: Table) => (n.equalZeros ? t.toRows().map(unsignZeros) : t.toRows());
    const want = rowsOf(recomputed(n, inputs));
    const got = rowsOf(live);
    if (n.unordered) expect(canonical(got), where).toEqual(canonical(want));
    else expect(got, where).toEqual(want);
  };
  compare(0);
  sc.cycles.forEach((changes, c) => {
    inputs.forEach((i, j) => {
      i.apply(changes[j]!);
    });
    nowMs += sc.steps[c]!;
    g.runCycleSync();
    for (const i of inputs) i.afterCycle();
    checker.verify();
    compare(c + 1);
  });
  checker.stop();
}

describe("recompute harness", () => {
  it("has nuggets registered", () => {
    expect(NUGGETS.length).toBeGreaterThan(0);
    expect(new Set(NUGGETS.map((n) => n.name)).size).toBe(NUGGETS.length);
  });
  for (const n of NUGGETS) {
    describe(n.name, () => {
      for (const kind of kindsOf(n, 0)) {
        it(`over ${kind} input${n.arity > 1 ? " (and random kinds)" : ""}`, () => {
          const details = fc.check(
            fc.property(scenarioArb(n, kind), (sc) => run(n, sc)),
            { numRuns: RUNS, seed: SEED },
          );
          if (details.failed) {
            throw new Error(
              `${n.name} over ${kind}: reproduce with NUGGET_SEED=${details.seed}\n${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`,
            );
          }
        });
      }
    });
  }
});
