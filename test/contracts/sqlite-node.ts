/** node:sqlite behind the engine's SqlPort, with real transactions (for Node-side tests). */
import { DatabaseSync } from "node:sqlite";
import type { SqlPort, SqlValue } from "../../src/engine/persist/sql-port.ts";

export function nodePort(db: DatabaseSync): SqlPort {
  return {
    exec: (sql: string, ...params: SqlValue[]) =>
      db.prepare(sql).all(...(params as never[])) as Record<string, SqlValue>[],
  };
}

/** A transaction runner like `ctx.storage.transactionSync`: commits, or rolls back on throw. */
export function nodeTransaction(db: DatabaseSync): <T>(fn: () => T) => T {
  let depth = 0;
  return <T>(fn: () => T): T => {
    if (depth > 0) return fn();
    depth++;
    db.exec("BEGIN");
    try {
      const out = fn();
      db.exec("COMMIT");
      return out;
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    } finally {
      depth--;
    }
  };
}

export function memoryDb(): DatabaseSync {
  return new DatabaseSync(":memory:");
}
