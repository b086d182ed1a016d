/**
 * A minimal WebSocket client (RFC 6455) over node:net for the benchmarks' plain subscribers
 * (e2e-subscribers.ts): thousands of sockets in one thread, each receiving one small text frame
 * per cycle. It does what they need and nothing else: the upgrade (checking the server's
 * `Sec-WebSocket-Accept`), unmasked server frames parsed straight from the socket's chunks (text,
 * binary, fragments), pong for ping, and a masked close. No streams, events or per-message
 * objects between the socket's `data` and the handler, which gets the payload's bytes. In the
 * fan-out bench the subscriber threads spent 24-33 ms of CPU per 1,000 deltas with the `ws`
 * package and a full JSON.parse, 18-26 ms with this client (BENCHMARKS.md, issue 18): most of
 * what is left is Node's per-socket read and the kernel's TCP receive.
 * Not for anything but benchmarks: no extensions, no limits on a server's frame sizes.
 */
import { createHash, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** An open socket. */
export interface RawSocket {
  /** Sends a close frame (1000) and ends the connection. */
  close(): void;
}

/** Called with each complete message: its payload bytes and whether it was a text frame. */
export type RawHandler = (payload: Buffer, text: boolean) => void;

/** A masked frame from the client (clients must mask: RFC 6455 5.3). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error("control frames carry at most 125 bytes");
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * Opens `url` (`ws://host:port/path?query`); resolves once the server answered 101, rejects with
 * the status and the start of the body when it refused the upgrade.
 */
export function openRawSocket(url: string, onMessage: RawHandler): Promise<RawSocket> {
  const u = new URL(url);
  const key = randomBytes(16).toString("base64");
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: u.hostname, port: Number(u.port) });
    socket.setNoDelay(true);
    let head: Buffer | null = Buffer.alloc(0);
    let rest: Buffer | null = null;
    let parts: Buffer[] = [];
    let partsText = false;
    let open = false;
    /** The status line of a refused upgrade. */
    let refused: string | null = null;
    const fail = (why: string) => {
      socket.destroy();
      if (!open) reject(new Error(why));
    };
    socket.once("connect", () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("error", (e) => fail(e.message));
    socket.on("close", () => {
      if (open) return;
      const text = head?.toString() ?? "";
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      reject(
        new Error(
          refused === null
            ? `closed before the upgrade: ${text.slice(0, 300)}`
            : `${refused}: ${body.slice(0, 300)}`,
        ),
      );
    });
    /** Parses every complete frame of `buf`; keeps an incomplete one for the next chunk. */
    const frames = (buf: Buffer) => {
      let o = 0;
      for (;;) {
        if (buf.length - o < 2) break;
        const b0 = buf[o]!;
        const b1 = buf[o + 1]!;
        if (b1 & 0x80) return fail("the server masked a frame");
        let len = b1 & 0x7f;
        let at = o + 2;
        if (len === 126) {
          if (buf.length - o < 4) break;
          len = buf.readUInt16BE(o + 2);
          at = o + 4;
        } else if (len === 127) {
          if (buf.length - o < 10) break;
          len = Number(buf.readBigUInt64BE(o + 2));
          at = o + 10;
        }
        if (buf.length - at < len) break;
        const payload = buf.subarray(at, at + len);
        o = at + len;
        const opcode = b0 & 0x0f;
        const fin = (b0 & 0x80) !== 0;
        if (opcode === 0x8) {
          socket.end(clientFrame(0x8, payload.subarray(0, 2)));
          return;
        }
        if (opcode === 0x9) socket.write(clientFrame(0xa, payload));
        if (opcode === 0x1 || opcode === 0x2) {
          if (fin) onMessage(payload, opcode === 0x1);
          else {
            parts = [Buffer.from(payload)];
            partsText = opcode === 0x1;
          }
        } else if (opcode === 0x0) {
          parts.push(Buffer.from(payload));
          if (fin) {
            onMessage(Buffer.concat(parts), partsText);
            parts = [];
          }
        }
      }
      rest = o < buf.length ? Buffer.from(buf.subarray(o)) : null;
    };
    socket.on("data", (chunk: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        if (refused !== null) return;
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const lines = head.subarray(0, end).toString("latin1").split("\r\n");
        if (!/^HTTP\/1\.1 101 /.test(lines[0]!)) {
          // Refused: keep reading the body (the close rejects with the status and the body).
          refused = lines[0]!;
          setTimeout(() => socket.destroy(), 1000).unref(); // a kept-alive connection
          return;
        }
        const got = lines
          .find((l) => /^sec-websocket-accept:/i.test(l))
          ?.split(":")[1]
          ?.trim();
        if (got !== accept) return fail(`bad Sec-WebSocket-Accept: ${got}`);
        const after = head.subarray(end + 4);
        head = null;
        open = true;
        resolve({
          close: () => {
            if (!socket.destroyed) socket.end(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
          },
        });
        if (after.length > 0) frames(after);
        return;
      }
      if (rest !== null) {
        const r: Buffer = rest;
        rest = null;
        frames(Buffer.concat([r, chunk]));
      } else frames(chunk);
    });
  });
}
