/**
 * A TypeScript consumer of the installed package (typechecked by test/e2e/package.test.ts with
 * `moduleResolution: NodeNext`): the shipped .d.ts files must give real types, so each
 * `@ts-expect-error` below must find an error (an unused one fails the check).
 */
import type { Subscription, TableSpec } from "tickflare/client";
import { connect, TickflareClientError } from "tickflare/client";
import type { Table } from "tickflare/engine";
import { longCol, newTable, stringCol, UpdateGraph } from "tickflare/engine";

const spec: TableSpec = { columns: { Sym: "string", Size: "int64" }, cycleMs: 50 };
const table: Table = newTable([stringCol("Sym", ["AAPL"]), longCol("Size", [1n])]);
const size: number = table.size;
const graph = new UpdateGraph({ seed: 1 });

export async function use(url: string): Promise<Subscription> {
  const tf = connect(url, { token: "t" });
  await tf.createTable("t", spec);
  const { cycle } = await tf.publish("t", table);
  const sub = await tf.subscribe("t", "source", { graph });
  await sub.waitForCycle(cycle);
  return sub;
}

export const checks = [size, new TickflareClientError(400, "bad_name", "x").status];

// @ts-expect-error size is a number
export const notAString: string = table.size;
// @ts-expect-error connect takes a URL string
connect(8787);
