/**
 * The family's side of relays (durable/sockets.ts, durable/relay-frames.ts) straight on a
 * TableFamily object, and the relay's bookkeeping (durable/relay-stream.ts): every group of
 * frames is announced by a header, an unchanged view still sends a `tick`, `since` resumes with a
 * counted run of `delta` groups, a relay's snapshot request is answered in order with the
 * deltas, and a relay's history stays within its bounds.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  parseRelayHeader,
  RELAY_SNAPSHOT_REQUEST,
  relayHeader,
} from "../../src/durable/relay-frames.ts";
import { RelayStream } from "../../src/durable/relay-stream.ts";
import { until } from "./router-helpers.ts";

const stubFor = (name: string) => env.TABLES.get(env.TABLES.idFromName(name));

async function upstream(name: string, since?: number) {
  const stub = stubFor(name);
  const q = since === undefined ? "" : `&since=${since}`;
  const res = await stub.fetch(`http://object/subscribe?view=source&format=json&relay=1${q}`, {
    headers: { Upgrade: "websocket" },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const frames: string[] = [];
  ws.addEventListener("message", (e) => frames.push(e.data as string));
  return { ws, frames };
}

describe("relay upstream on the family object", () => {
  it("announces each group: snapshot, a delta per change, a tick per unchanged cycle; snapshots on request", async () => {
    const name = "rl-up";
    const stub = stubFor(name);
    const r = await stub.create(name, {
      columns: { X: "int32" },
      source: "writer",
      cycleMs: 3_600_000,
    });
    expect(r.ok).toBe(true);
    const up = await upstream(name);
    await until(() => up.frames.length === 2, "snapshot group");
    expect(JSON.parse(up.frames[0]!)).toEqual({
      type: "relay",
      kind: "snapshot",
      cycle: 0,
      frames: 1,
    });
    expect(JSON.parse(up.frames[1]!)).toMatchObject({ type: "snapshot", cycle: 0, total: 0 });
    await stub.publish({ rows: [{ X: 7 }] });
    await runDurableObjectAlarm(stub); // cycle 1: a row
    await runDurableObjectAlarm(stub); // cycle 2: nothing
    await until(() => up.frames.length === 5, "delta and tick");
    expect(JSON.parse(up.frames[2]!)).toEqual({
      type: "relay",
      kind: "delta",
      cycle: 1,
      frames: 1,
    });
    expect(JSON.parse(up.frames[3]!)).toMatchObject({ type: "delta", cycle: 1, added: [0] });
    expect(JSON.parse(up.frames[4]!)).toEqual({ type: "relay", kind: "tick", cycle: 2, frames: 0 });
    up.ws.send(RELAY_SNAPSHOT_REQUEST);
    await until(() => up.frames.length === 7, "requested snapshot");
    expect(JSON.parse(up.frames[5]!)).toEqual({
      type: "relay",
      kind: "snapshot",
      cycle: 2,
      frames: 1,
    });
    expect(JSON.parse(up.frames[6]!)).toMatchObject({ type: "snapshot", cycle: 2, keys: [0] });
    // A second relay resuming from cycle 0: the counted missed deltas, exactly a direct resume's.
    const again = await upstream(name, 0);
    await until(() => again.frames.length === 3, "resume group");
    expect(JSON.parse(again.frames[0]!)).toEqual({
      type: "relay",
      kind: "resume",
      cycle: 2,
      frames: 0,
      since: 0,
      deltas: 1,
    });
    expect(again.frames.slice(1)).toEqual(up.frames.slice(2, 4));
    up.ws.close();
    again.ws.close();
  });
});

describe("RelayStream", () => {
  it("assembles announced groups and refuses a frame where a header is due", () => {
    const s = new RelayStream();
    expect(s.take(relayHeader("delta", 3, 2))).toBeNull();
    expect(s.take("a")).toBeNull();
    expect(s.take("b")).toEqual({
      header: { kind: "delta", cycle: 3, frames: 2 },
      frames: ["a", "b"],
    });
    expect(s.take(relayHeader("tick", 4, 0))).toEqual({
      header: { kind: "tick", cycle: 4, frames: 0 },
      frames: [],
    });
    expect(() => s.take('{"type":"delta"}')).toThrow(/relay header was due/);
    expect(parseRelayHeader(relayHeader("resume", 5, 0))).toBeNull(); // resume needs since, deltas
  });

  it("holds at most 256 cycles, and resumes only from cycles it holds", () => {
    const s = new RelayStream();
    s.restart(10, ["snap"]);
    for (let c = 11; c <= 300; c++) s.hold(c, [`d${c}`]);
    s.cycle = 300;
    expect(s.entries.length).toBe(256);
    expect(s.entries[0]!.cycle).toBe(45);
    expect(s.from).toBe(44);
    expect(s.canResume(44)).toBe(true);
    expect(s.canResume(43)).toBe(false);
    expect(s.canResume(301)).toBe(false);
  });
});
