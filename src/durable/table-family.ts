/**
 * TableFamily: the Durable Object that hosts one table family (a source plus the derived tables
 * of its spec). The work is FamilyHost's (host.ts); this class adds what only the platform has:
 * typed RPC for the router, the alarm that runs cycles, and SQLite transactions.
 *
 * Cycles run on the object's single alarm, every `cycleMs` while there is something to do
 * (pending rows, a time-table source, a connected subscriber, a blink view to clear); an idle
 * family has no alarm. An
 * alarm that throws is retried by the platform; the host rolled the cycle back and rebuilds its
 * tables from storage, so the retry applies the cycle once.
 *
 * A steady stream of publishes can hold the alarm back: in workerd it did not run while publish
 * frames kept arriving (8 in flight), only once they stopped, so rows piled up unapplied. A
 * publish that finds the alarm LATE_ALARM_MS overdue therefore runs the due cycle itself, after
 * storing its batch (cycles never overlap: the alarm and a publish share the running one).
 *
 * Inputs from other families: a cycle first asks each producer (its object's `inputPull`) for
 * what changed since the producer cycle the input holds, then applies the answers in the cycle's
 * transaction. After a cycle, a producer tells the families reading a view that changed or
 * failed (`inputChanged`), which sets their alarm, so a consumer cycles when its inputs change
 * even if nothing is published to it.
 */
import { DurableObject } from "cloudflare:workers";
import type { DownsampleOptions } from "../engine/downsample.ts";
import type { InputShape } from "../engine/family/family.ts";
import { released } from "./catalog.ts";
import type { DownsampledView } from "./downsample-view.ts";
import { downsampleView } from "./downsample-view.ts";
import type { RpcResult } from "./errors.ts";
import { asResult, asResultAsync, errorResult } from "./errors.ts";
import type { HistoryColumn, HistoryInfo } from "./history.ts";
import { historyColumn, historyInfo } from "./history.ts";
import type {
  BatchOp,
  Description,
  PublishInput,
  PublishResult,
  Snapshot,
  SnapshotOptions,
} from "./host.ts";
import { FamilyHost } from "./host.ts";
import { batchDigest } from "./idempotency.ts";
import type { InputPull } from "./input-links.ts";
import type { PullOutcome } from "./inputs.ts";
import { parseJsonText } from "./json-text.ts";
import type { SubShape } from "./shaped.ts";
import { SocketHub } from "./sockets.ts";
import type { Transform } from "./transients.ts";

/** Result of {@link TableFamily.health}. */
export interface TableFamilyHealth {
  ok: true;
  /** Hex id of this object (`ctx.id.toString()`). */
  object: string;
}

/** How long past its time the alarm may be before a publish runs the due cycle itself. */
export const LATE_ALARM_MS = 10;

export class TableFamily extends DurableObject<Env> {
  readonly #host: FamilyHost;
  readonly #sockets: SocketHub;
  /** The cycle running now (the alarm's or a publish's), which the other then waits for. */
  #cycling: Promise<void> | null = null;
  /** A cycle a publish ran failed: publishes leave cycles to the alarm (and its retries) again. */
  #lateCycleFailed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sockets = new SocketHub(ctx);
    this.#host = new FamilyHost(ctx.storage.sql, {
      transaction: (fn) => ctx.storage.transactionSync(fn),
      // The router addresses families with idFromName(name), so a 404 can name the family.
      ...(ctx.id.name === undefined ? {} : { name: ctx.id.name }),
    });
    // Rebuild the tables before the first request. A failure is not thrown here (that would
    // wedge the object): the next call rebuilds again and reports the error as its result.
    void ctx.blockConcurrencyWhile(async () => {
      try {
        if (this.#host.exists) {
          this.#host.family();
          this.#sockets.restore(this.#host);
        }
      } catch (e) {
        console.error("tickflare: rebuilding the table family failed", e);
        this.#host.reset();
      }
    });
  }

  /** RPC: liveness check; returns this object's id. */
  health(): TableFamilyHealth {
    return { ok: true, object: this.ctx.id.toString() };
  }

  /**
   * RPC: creates the family (the same spec again is a no-op; another spec is a 409). The catalog
   * passes the shapes of the spec's inputs from other families, having asked their producers.
   */
  async create(
    name: string,
    spec: unknown,
    inputShapes: Record<string, InputShape> = {},
  ): Promise<RpcResult<{ created: boolean; description: Description }>> {
    const r = asResult(() => {
      const { created } = this.#host.create(name, spec, inputShapes);
      return { created, description: this.#host.describe() };
    });
    await this.#schedule();
    return r;
  }

  /** RPC: schema, type attributes, sizes, memory and storage per view, cycle, pending rows. */
  async describe(): Promise<RpcResult<Description>> {
    return asResult(() => this.#host.describe());
  }

  /**
   * RPC: stores a batch durably, then acknowledges it with the cycle it will appear in. With an
   * idempotency key, the batch's digest is computed first (asynchronously); the host then looks
   * the key up and stores the batch with no `await` in between.
   */
  async publish(
    input: PublishInput,
    options: { idempotencyKey?: string; source?: string } = {},
  ): Promise<RpcResult<PublishResult>> {
    return this.#accept("add", input, options);
  }

  /**
   * RPC: stores a delete by key for an input-table source durably, then acknowledges it with the
   * cycle it will apply in (the body holds rows of the key columns).
   */
  async deleteRows(
    input: PublishInput,
    options: { idempotencyKey?: string; source?: string } = {},
  ): Promise<RpcResult<PublishResult>> {
    return this.#accept("delete", input, options);
  }

  async #accept(
    op: BatchOp,
    body: PublishInput,
    options: { idempotencyKey?: string; source?: string },
  ): Promise<RpcResult<PublishResult>> {
    const key = options.idempotencyKey;
    const parsed = asResult(() => parseJsonBody(body, key !== undefined));
    if (!parsed.ok) return parsed;
    const input = parsed.value;
    const source = options.source ?? "source";
    // The digest reads the rows (a body nested too deeply for it is a 400, idempotency.ts).
    const digest =
      key === undefined ? undefined : await asResultAsync(() => batchDigest(input, source, op));
    if (digest !== undefined && !digest.ok) return digest;
    const r = asResult(() => {
      const o = { idempotencyKey: key, bodyDigest: digest?.value, source };
      return op === "add" ? this.#host.publish(input, o) : this.#host.deleteRows(input, o);
    });
    if (r.ok && !r.value.duplicate) {
      await this.#cycleIfAlarmLate(await this.#schedule());
    }
    return r;
  }

  /** RPC: the current contents of a view. */
  async snapshot(view: string, options: SnapshotOptions = {}): Promise<RpcResult<Snapshot>> {
    return asResult(() => this.#host.snapshot(view, options));
  }

  /** RPC: a view downsampled for a chart (downsample-view.ts). */
  async downsample(
    view: string,
    opts: DownsampleOptions,
    transform?: Transform,
  ): Promise<RpcResult<DownsampledView>> {
    return asResult(() => downsampleView(this.#host, view, opts, transform));
  }

  /** RPC (`/v1/data`): an append-only view's columns, size and the cycle (history.ts). */
  async historyInfo(view: string): Promise<RpcResult<HistoryInfo>> {
    return asResult(() => historyInfo(this.#host, view));
  }

  /** RPC (`/v1/data`): rows of one column of an append-only view by position, as Arrow IPC. */
  async historyColumn(
    view: string,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<RpcResult<HistoryColumn>> {
    return asResult(() => historyColumn(this.#host, view, column, offset, minRows, maxRows));
  }

  /** RPC: fails the source (publishFailure) now; the family accepts no more rows. */
  async shutdown(reason: string): Promise<RpcResult<{ cycle: number }>> {
    const r = asResult(() => this.#host.shutdown(reason));
    if (r.ok) {
      this.#sockets.broadcast(this.#host, r.value.cycle);
      // Families reading this one fail their inputs at their next cycle.
      await this.#notifyDependents(null);
    }
    await this.#schedule();
    return r;
  }

  /** RPC (the producer's side of inputs): `consumer`'s input `input` reading `view` (input-links.ts). */
  async inputPull(
    consumer: string,
    input: string,
    view: string,
    since: number | null,
  ): Promise<RpcResult<InputPull>> {
    return asResult(() => this.#host.inputPull(consumer, input, view, since));
  }

  /** RPC (the catalog, before creating a family that reads `view`): the view's shape. */
  async inputShape(view: string): Promise<RpcResult<InputShape>> {
    return asResult(() => this.#host.inputShape(view));
  }

  /**
   * RPC (from a producer): a view this family reads changed or failed, so its next cycle is due.
   * False when this family does not read `producer` (the producer then forgets it).
   */
  async inputChanged(producer: string): Promise<boolean> {
    const reads = this.#host.inputChanged(producer);
    if (reads) await this.#schedule();
    return reads;
  }

  /** RPC: deletes everything the family stored. */
  async destroy(): Promise<RpcResult<{ destroyed: true }>> {
    await this.ctx.storage.deleteAlarm();
    // Subscribers of a deleted family must not see a later family of the same name.
    this.#sockets.closeAll(4404, "table family deleted");
    return asResult(() => {
      this.#host.destroy();
      return { destroyed: true as const };
    });
  }

  /** RPC (tests and diagnostics): when the next cycle is due, or null when idle. */
  async nextCycleAt(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  override async alarm(): Promise<void> {
    this.#lateCycleFailed = false;
    await this.#runCycle();
  }

  /** Runs a cycle, or waits for the one running (from the alarm or a publish). */
  #runCycle(): Promise<void> {
    this.#cycling ??= this.#cycle().finally(() => {
      this.#cycling = null;
    });
    return this.#cycling;
  }

  /**
   * After a publish: runs the due cycle when the alarm is LATE_ALARM_MS past its time (see the
   * module comment). A cycle that fails here is logged, and publishes run none until the alarm
   * (still set) has run again: its retries, with the platform's backoff, take over.
   */
  async #cycleIfAlarmLate(at: number | null): Promise<void> {
    if (this.#cycling || this.#lateCycleFailed) return;
    if (at === null || Date.now() < at + LATE_ALARM_MS) return;
    try {
      await this.#runCycle();
    } catch (e) {
      this.#lateCycleFailed = true;
      console.error("tickflare: a cycle run by a publish (the alarm was late) failed", e);
    }
  }

  /** One cycle: inputs pulled, the host's cycle, subscribers and dependents told, next alarm set. */
  async #cycle(): Promise<void> {
    // A notification an earlier alarm did not finish goes to every dependent (see below).
    const leftover = this.#host.notifyDue;
    const pulls = await this.#pullInputs();
    const r = this.#host.runCycle(pulls);
    // An input whose producer could not be asked is asked again at the next cycle.
    if ([...pulls.values()].includes(null)) this.#host.markInputsDue();
    if (r && r.setAside > 0) {
      // Publish validation should make this unreachable; describe() lists the batches.
      console.error(
        `tickflare: cycle ${r.cycle} set aside ${r.setAside} stored batch(es) it could not decode`,
      );
    }
    if (r) this.#sockets.broadcast(this.#host, r.cycle);
    // The cycle flagged (durably) that families reading a view it changed must be told; telling
    // them sets their alarms. The flag is cleared once they were told (or could not be).
    if (this.#host.notifyDue) {
      const changed = new Set([
        ...this.#host.lastUpdates.keys(),
        ...this.#host.lastFailures.keys(),
      ]);
      await this.#notifyDependents(leftover || !r ? null : changed);
      this.#host.clearNotifyDue();
    }
    // The alarm is set to the next cycle even when it is set earlier: after a cycle a publish
    // ran, the alarm still holds the time that cycle was due at.
    await this.#schedule(true);
  }

  /**
   * Asks each input's producer for what changed since the cycle the input holds (in parallel).
   * A call that throws (the producer's object is unreachable or overloaded) gives null: the input
   * is asked again at the next cycle; a refusal (a result with an error) fails the input.
   */
  async #pullInputs(): Promise<Map<string, PullOutcome>> {
    const out = new Map<string, PullOutcome>();
    const asks = this.#host.inputsToPull();
    if (asks.length === 0) return out;
    const me = this.#host.name;
    await Promise.all(
      asks.map(async (a) => {
        const stub = this.env.TABLES.get(this.env.TABLES.idFromName(a.family));
        try {
          out.set(a.input, await released(stub.inputPull(me, a.input, a.view, a.since)));
        } catch (e) {
          console.error(`tickflare: input "${a.input}" could not ask "${a.family}"`, e);
          out.set(a.input, null);
        }
      }),
    );
    return out;
  }

  /** Tells the families reading `views` (every view when null) that their next cycle is due. */
  async #notifyDependents(views: ReadonlySet<string> | null): Promise<void> {
    const me = this.#host.name;
    await Promise.all(
      this.#host.links.dependents(views).map(async (consumer) => {
        const stub = this.env.TABLES.get(this.env.TABLES.idFromName(consumer));
        try {
          if (!(await stub.inputChanged(me))) this.#host.links.unlink(consumer);
        } catch (e) {
          console.error(`tickflare: could not tell "${consumer}" that its input changed`, e);
        }
      }),
    );
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const a = this.#sockets.attachment(ws);
    if (a?.role === "pub") {
      if ((await this.#sockets.onPublishFrame(this.#host, ws, message)) > 0) {
        await this.#cycleIfAlarmLate(await this.#schedule());
      }
      return;
    }
    if (typeof message === "string" && message !== "ping") {
      this.#sockets.onSubscriberMessage(this.#host, ws, message);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.#sockets.closed(this.#host, ws);
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#sockets.closed(this.#host, ws);
    try {
      ws.close(1011, "socket error");
    } catch {
      // already closed
    }
  }

  /**
   * Sets the alarm for the next cycle (unless it is set earlier already; with `exact`, even
   * then), or clears it when the family is idle. Returns the alarm time now set (or null).
   */
  async #schedule(exact = false): Promise<number | null> {
    // Connected subscribers keep the family cycling (issue 5); the other reasons are the host's.
    const at = this.#host.nextCycleAt(this.#sockets.hasSubscribers);
    const current = await this.ctx.storage.getAlarm();
    if (at === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return null;
    }
    if (current === null || current > at || (exact && current !== at)) {
      await this.ctx.storage.setAlarm(at);
      return at;
    }
    return current;
  }

  /**
   * WebSocket upgrades (the only traffic that uses fetch; everything else is RPC). The router has
   * authenticated the request and checked the parameters' shape already:
   * `/subscribe?view=<v>&format=json|arrow[&since=<cycle>][&shape=<JSON SubShape>][&relay=1]`
   * (`relay=1`: a Relay object's upstream, relay-frames.ts) and `/publish[?source=<s>]`.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/health") {
      return Response.json(this.health());
    }
    if (url.pathname === "/subscribe" || url.pathname === "/publish") {
      if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
        return Response.json(
          { error: "upgrade_required", detail: "this endpoint needs a WebSocket upgrade" },
          { status: 426 },
        );
      }
      try {
        if (url.pathname === "/publish") {
          const source = url.searchParams.get("source") ?? "source";
          this.#host.publishTarget(source); // 404 unknown_source, 409 not_publishable
          return this.#sockets.openPublish(source);
        }
        const format = url.searchParams.get("format") ?? "json";
        if (format !== "json" && format !== "arrow") {
          return Response.json(
            { error: "bad_format", detail: `format must be json or arrow, got "${format}"` },
            { status: 400 },
          );
        }
        const sinceText = url.searchParams.get("since");
        const since = sinceText === null ? null : Number(sinceText);
        if (since !== null && (!Number.isInteger(since) || since < 0)) {
          return Response.json(
            { error: "bad_since", detail: `since must be a cycle number, got "${sinceText}"` },
            { status: 400 },
          );
        }
        const res = this.#sockets.subscribe(
          this.#host,
          url.searchParams.get("view") ?? "source",
          format,
          since,
          shapeParam(url.searchParams.get("shape")),
          url.searchParams.get("relay") === "1",
        );
        await this.#schedule(); // a subscriber keeps the family cycling
        return res;
      } catch (e) {
        const err = errorResult(e);
        if (!err) throw e;
        return Response.json({ error: err.error, detail: err.detail }, { status: err.status });
      }
    }
    return Response.json(
      { error: "not_found", detail: `no route for ${request.method} ${url.pathname}` },
      { status: 404 },
    );
  }
}

/** The router's `shape` parameter (JSON, already checked there), or undefined. */
function shapeParam(text: string | null): SubShape | undefined {
  return text === null ? undefined : (JSON.parse(text) as SubShape);
}

/**
 * A publish body for the host: JSON text or bytes (the router has checked they are an array of
 * objects: body.ts) go on as they are (the host reads them into columns without making row
 * objects: engine/json-rows.ts), except when an idempotency key needs the digest of the rows
 * (`batchDigest`), which parses them here.
 */
function parseJsonBody(body: PublishInput, digest: boolean): PublishInput {
  if (!("json" in body) || !digest) return body;
  return { rows: parseJsonText(body.json) };
}
