/**
 * A consumer's script for the installed tickflare package (run by test/e2e/package.test.ts in
 * plain Node, in Deno and as a browser bundle): it creates a family, subscribes to its history,
 * publishes one batch as JSON rows and one as an engine table (Arrow IPC), and prints what the
 * subscription's mirror holds once both cycles are applied. Plain JavaScript on purpose: it
 * imports only the package's entry points, as a user's script would.
 */
import { connect } from "tickflare/client";
import { longCol, newTable, stringCol } from "tickflare/engine";
import { table, url } from "./config.mjs";

const tf = connect(url);
await tf.createTable(table, {
  columns: { Sym: "string", Size: "int64" },
  cycleMs: 50,
  derived: { all: "blinkToAppendOnly(source)" },
});
const sub = await tf.subscribe(table, "all");
await tf.publish(table, [{ Sym: "AAPL", Size: 100 }]);
const { cycle } = await tf.publish(
  table,
  newTable([stringCol("Sym", ["MSFT", "IBM"]), longCol("Size", [50n, 7n])]),
);
await sub.waitForCycle(cycle);
const rows = sub.table.toRows().map((r) => `${r.Sym}:${typeof r.Size}:${r.Size}`);
console.log(JSON.stringify({ rows }));
sub.close();
