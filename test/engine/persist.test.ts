import type { DatabaseSync } from "node:sqlite";
import { describe } from "vitest";
import { memoryDb, nodePort } from "../contracts/sqlite-node.ts";
import { stateStoreContract } from "../contracts/state-store.contract.ts";

describe("state store over node:sqlite", () => {
  const dbs = new Map<string, DatabaseSync>();
  stateStoreContract("node:sqlite", async (name, fn) => {
    let db = dbs.get(name);
    if (!db) {
      db = memoryDb();
      dbs.set(name, db);
    }
    return fn(nodePort(db));
  });
});
