/**
 * PublishStream: a WebSocket to `/v1/tables/:name/publish` for high-rate producers. Every frame
 * is one batch (a JSON array of rows, `{ rows, idempotencyKey }`, or Arrow IPC bytes); the server
 * numbers frames from 1 in the order received and answers each with `ack` (once the batch is
 * durable) or `error` (the batch changed nothing; the stream stays usable). `send` resolves or
 * rejects with that answer, so many batches can be in flight at once. No automatic reconnect:
 * after a drop, batches without an answer are rejected; resend them (with idempotency keys, to
 * make that safe) on a new stream.
 */
import { TickflareClientError } from "./errors.ts";
import type { WebSocketLike } from "./subscription.ts";
import type { PublishResult } from "./types.ts";

interface Waiter {
  resolve: (r: PublishResult) => void;
  reject: (e: TickflareClientError) => void;
}

export class PublishStream {
  readonly #ws: WebSocketLike;
  #seq = 0;
  readonly #pending = new Map<number, Waiter>();
  #closed: TickflareClientError | null = null;

  constructor(ws: WebSocketLike) {
    this.#ws = ws;
    if ("binaryType" in ws) ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev: { data: unknown }) => this.#onMessage(ev.data));
    ws.addEventListener("close", (ev: { code?: number; reason?: string }) =>
      this.#fail(
        new TickflareClientError(
          0,
          "closed",
          `the publish stream closed (${ev?.code ?? "?"} ${ev?.reason ?? ""})`.trim(),
        ),
      ),
    );
  }

  /** Batches sent and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Sends one batch: row objects (JSON) or Arrow IPC stream bytes. An idempotency key makes a
   * resent batch count once (JSON batches only; Arrow frames carry no key).
   */
  send(
    batch: readonly object[] | Uint8Array,
    options: { idempotencyKey?: string } = {},
  ): Promise<PublishResult> {
    if (this.#closed) return Promise.reject(this.#closed);
    let frame: string | Uint8Array;
    if (batch instanceof Uint8Array) {
      if (options.idempotencyKey !== undefined) {
        return Promise.reject(
          new TickflareClientError(
            0,
            "bad_request",
            "Arrow frames on a publish stream carry no idempotency key; use JSON or POST /rows",
          ),
        );
      }
      frame = batch;
    } else {
      frame = jsonRows(
        options.idempotencyKey === undefined
          ? batch
          : { rows: batch, idempotencyKey: options.idempotencyKey },
      );
    }
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      try {
        this.#ws.send(frame);
      } catch (e) {
        this.#pending.delete(seq);
        reject(new TickflareClientError(0, "closed", (e as Error).message));
      }
    });
  }

  /** Closes the stream; unanswered batches are rejected. */
  close(): void {
    try {
      this.#ws.close(1000, "done");
    } catch {
      // already closed
    }
    this.#fail(new TickflareClientError(0, "closed", "the publish stream was closed"));
  }

  #onMessage(data: unknown): void {
    if (typeof data !== "string" || data === "pong") return;
    let m: { type?: string; seq?: number; error?: string; detail?: string } & PublishResult;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    const w = m.seq === undefined ? undefined : this.#pending.get(m.seq);
    if (m.type === "ack" && w) {
      this.#pending.delete(m.seq!);
      w.resolve({ accepted: m.accepted, cycle: m.cycle, duplicate: m.duplicate });
    } else if (m.type === "error") {
      const err = new TickflareClientError(0, m.error ?? "error", m.detail ?? "");
      if (w) {
        this.#pending.delete(m.seq!);
        w.reject(err);
      }
    }
  }

  #fail(err: TickflareClientError): void {
    if (!this.#closed) this.#closed = err;
    for (const w of this.#pending.values()) w.reject(err);
    this.#pending.clear();
  }
}

/** JSON with int64 values as the protocol wants them: numbers when safe, else strings. */
export function jsonRows(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === "bigint"
      ? v >= -9007199254740991n && v <= 9007199254740991n
        ? Number(v)
        : v.toString()
      : v,
  );
}
