/**
 * The public `Table`: the core class of `table-core.ts` with every registered operation
 * installed as a method (`t.where(...)`, `t.sumBy(...)`, ...). Engine modules that build tables
 * import `Table` from here; operations import the core, so no import cycle runs through here.
 *
 * `Table` is exported as the value the installation returns (not re-exported from the core), so
 * a bundler that honours `sideEffects: false` keeps the installation whenever `Table` is used.
 */
import type { OperationMethods } from "./operations.ts";
import { METHODS } from "./operations.ts";
import { Table as CoreTable } from "./table-core.ts";

export * from "./table-core.ts";

declare module "./table-core.ts" {
  /** The operation methods, typed from the registry's descriptors. */
  interface Table extends OperationMethods {}
}

function installOperations(cls: typeof CoreTable): typeof CoreTable {
  for (const op of METHODS.values()) {
    const apply = op.apply as (t: CoreTable, ...args: unknown[]) => unknown;
    Object.defineProperty(cls.prototype, op.name, {
      value: function (this: CoreTable, ...args: unknown[]): unknown {
        return apply(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
  return cls;
}

/** A table: see `table-core.ts` for the class, `operations.ts` for its operation methods. */
export const Table: typeof CoreTable = installOperations(CoreTable);
export type Table = CoreTable;
