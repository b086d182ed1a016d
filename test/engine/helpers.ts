/** Test helpers: recording updates, plain views of rows. */
import type { Table, TableUpdate } from "../../src/engine/index.ts";

export interface Recorded {
  added: number[];
  removed: number[];
  modified: number[];
  modifiedColumns: string[];
}

export function plain(u: TableUpdate): Recorded {
  return {
    added: u.added.toArray(),
    removed: u.removed.toArray(),
    modified: u.modified.toArray(),
    modifiedColumns: [...u.modifiedColumns],
  };
}

/** Listens to `t`; returns the list that fills with one entry per update, and the failures. */
export function record(t: Table): { updates: Recorded[]; failures: unknown[]; stop: () => void } {
  const updates: Recorded[] = [];
  const failures: unknown[] = [];
  const stop = t.listen(
    (u) => updates.push(plain(u)),
    (e) => failures.push(e),
  );
  return { updates, failures, stop };
}

/** Values of one column, in row order. */
export function colValues(t: Table, name: string): unknown[] {
  return t.toRows().map((r) => r[name]);
}

/** A clock the test moves by hand (epoch ms). */
export function manualClock(startMs = Date.UTC(2024, 0, 1)): {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
} {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    set: (ms: number) => {
      t = ms;
    },
  };
}
