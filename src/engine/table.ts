/**
 * The public `Table`: the core class of `table-core.ts` with every registered operation
 * installed as a method (`t.where(...)`, `t.sumBy(...)`, ...). Engine modules that build tables
 * import this module; operations import the core, so no import cycle runs through here.
 */
import type { OperationMethods } from "./operations.ts";
import { METHODS } from "./operations.ts";
import { Table } from "./table-core.ts";

export * from "./table-core.ts";

declare module "./table-core.ts" {
  /** The operation methods, typed from the registry's descriptors. */
  interface Table extends OperationMethods {}
}

for (const op of METHODS.values()) {
  const apply = op.apply as (t: Table, ...args: unknown[]) => unknown;
  Object.defineProperty(Table.prototype, op.name, {
    value: function (this: Table, ...args: unknown[]): unknown {
      return apply(this, ...args);
    },
    writable: true,
    configurable: true,
  });
}
