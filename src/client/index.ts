/**
 * tickflare client (`tickflare/client`): create, describe, list and delete table families,
 * publish rows (JSON or Arrow), read snapshots, and subscribe to views as local engine tables that
 * tick with the server. Runs in Node 22, Deno and browsers (fetch + WebSocket). The protocol it
 * speaks is docs/protocol.md.
 *
 * @example
 * const tf = connect("http://127.0.0.1:8787", { token });
 * await tf.createTable("trades", { columns: { Sym: "string", Price: "float64" }, cycleMs: 100 });
 * const sub = await tf.subscribe("trades", "source");
 * const big = sub.table.where("Price > 100"); // ticks with every server cycle
 * await tf.publish("trades", [{ Sym: "AAPL", Price: 190.5 }]);
 */

/** Protocol version this client speaks (the `/v1` API). */
export const version = "1";

export type {
  ArrowSnapshot,
  ConnectOptions,
  CsvSnapshot,
  JsonSnapshot,
  PublishData,
  PublishOptions,
  SnapshotOptions,
} from "./client.ts";
// Connecting and the HTTP endpoints
export { connect, TickflareClient } from "./client.ts";
// Errors
export { TickflareClientError } from "./errors.ts";
export { PublishStream } from "./publish-stream.ts";
export type { ShapeOptions, SortSpec } from "./shape.ts";
export type {
  SocketFactory,
  SubscribeOptions,
  SubscriptionState,
  SubscriptionStats,
  UpdateEvent,
  WebSocketLike,
} from "./subscription.ts";
// Subscriptions and publish streams
export { Subscription } from "./subscription.ts";
export type {
  PublishResult,
  SetAsideBatch,
  SourceDescription,
  TableDescription,
  TableListEntry,
  TableSpec,
  ViewDescription,
} from "./types.ts";
