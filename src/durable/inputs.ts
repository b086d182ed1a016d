/**
 * The consumer's side of inputs from other families (docs/protocol.md "Inputs from other
 * families"): what each input applied last, and how a producer's answer (input-links.ts) is fed
 * to the input's local table (a mirror table) at the start of a consumer cycle.
 *
 * Each input's state (`InputState`: the producer cycle applied last, or the failure that stopped
 * it) is stored in the same transaction as the cycle that applied it, together with the local
 * table's rows (the mirror persists its contents), so after an eviction the family resumes with
 * exactly the rows it had and asks the producer for what changed `since` that cycle.
 */
import { arrowToVecs, decodeIPC } from "../engine/arrow.ts";
import type { BuiltInput } from "../engine/family/family.ts";
import type { Schema } from "../engine/index.ts";
import { RowSet } from "../engine/row-set.ts";
import type { RpcResult } from "./errors.ts";
import { HostError } from "./errors.ts";
import type { InputPull } from "./input-links.ts";

/** One input's progress, kept in the consumer's storage. */
export interface InputState {
  /** The producer cycle whose state the local table holds (null before the first answer). */
  since: number | null;
  /** Why the input failed (it stays failed; the family must be re-created). */
  failed: { error: string; detail: string } | null;
}

/**
 * What asking the producer gave: its answer, its refusal (the producer was deleted, shut down or
 * failed: the input fails), or null when the call itself failed (retried at the next cycle).
 */
export type PullOutcome = RpcResult<InputPull> | null;

/** The error a failed input's local table (and everything derived from it) fails with. */
export function inputFailure(
  input: BuiltInput,
  failed: { error: string; detail: string },
  status = 409,
): HostError {
  return new HostError(
    status,
    failed.error,
    `input "${input.name}" (${input.ref.family}/${input.ref.view}): ${failed.detail}`,
  );
}

/**
 * Feeds one answer to the input's local table (applied at the cycle about to run). Throws a
 * HostError when the producer view's columns no longer match the ones the family was created with.
 */
export function applyPull(input: BuiltInput, pull: InputPull): void {
  checkColumns(input, pull.columns);
  const schema = input.shape.columns;
  const decode = (bytes: Uint8Array) => arrowToVecs(decodeIPC(bytes), schema).vecs;
  if (pull.kind === "snapshot") {
    input.mirror.reset({ keys: RowSet.fromRanges(pull.keys), vecs: decode(pull.arrow) });
    return;
  }
  input.mirror.delta(
    RowSet.fromRanges(pull.removed),
    { keys: RowSet.fromRanges(pull.added), vecs: decode(pull.addedArrow) },
    { keys: RowSet.fromRanges(pull.modified), vecs: decode(pull.modifiedArrow) },
    Object.keys(schema),
  );
}

function checkColumns(input: BuiltInput, columns: Schema): void {
  const want = JSON.stringify(input.shape.columns);
  const got = JSON.stringify(columns);
  if (want !== got) {
    throw new HostError(
      409,
      "input_changed",
      `the producer view's columns are now ${got}; this family was created when they were ${want} (delete and re-create it)`,
    );
  }
}
