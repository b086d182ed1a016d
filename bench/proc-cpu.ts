/**
 * CPU time of a local `wrangler dev`'s workerd processes, read from Linux's /proc (for the fan-out
 * bench, e2e-fanout.ts). A dev server's process group (led by wrangler) holds two workerd
 * processes: wrangler's proxy, which listens on the server's public port and forwards every
 * request and WebSocket frame, and the one running the Worker and its Durable Objects. Their
 * utime + stime (all threads) is the CPU they used, whatever workerd's own clocks say.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The workerd processes of one dev server. */
export interface WorkerdPids {
  /** Runs the Worker and its Durable Objects. */
  worker: number;
  /** wrangler's proxy in front of it (the public port). */
  proxy: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  return s.slice(s.lastIndexOf(")") + 2).split(" ");
}

/**
 * The workerd processes in the process group `pgid` (the dev server's `pid`), told apart by the
 * proxy's `--socket-addr=entry=127.0.0.1:<port>`. Throws unless there is exactly one of each.
 */
export function workerdPids(pgid: number, port: number): WorkerdPids {
  const worker: number[] = [];
  const proxy: number[] = [];
  for (const d of readdirSync("/proc")) {
    const pid = Number(d);
    if (!Number.isInteger(pid)) continue;
    try {
      // After the name: state, ppid, pgrp.
      if (Number(statFields(pid)[2]) !== pgid) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (!argv[0]?.endsWith("/workerd")) continue;
      (argv.includes(`--socket-addr=entry=127.0.0.1:${port}`) ? proxy : worker).push(pid);
    } catch {
      // the process ended while being read
    }
  }
  if (worker.length !== 1 || proxy.length !== 1) {
    throw new Error(
      `process group ${pgid}: expected one workerd proxy and one workerd worker, found proxy ${proxy.join(",") || "none"} and worker ${worker.join(",") || "none"}`,
    );
  }
  return { worker: worker[0]!, proxy: proxy[0]! };
}

/** CPU seconds (user + system, every thread) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of stat: 11 and 12 after the name.
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

/** The 127.0.0.1 TCP ports a process listens on (/proc/net/tcp matched to its socket fds). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed while being read
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // local_address is 0100007F:PORT (hex) for 127.0.0.1; state 0A is LISTEN; field 9 the inode.
    if (f[3] === "0A" && f[1]?.startsWith("0100007F:") && inodes.has(f[9]!))
      ports.push(Number.parseInt(f[1].slice(9), 16));
  }
  return ports;
}

/**
 * The URL of the workerd process running the Worker itself (behind wrangler's proxy): the one
 * of its listening ports that answers `/health` with 200. Clients that connect here skip the
 * proxy, a hop only `wrangler dev` has (and whose process runs out of file descriptors near
 * 5,000 WebSockets: it holds four per socket).
 */
export async function workerUrl(pid: number): Promise<string> {
  for (const port of listeningPorts(pid)) {
    const url = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return url;
    } catch {
      // not an HTTP port (inspector, debug port)
    }
  }
  throw new Error(`workerd ${pid}: no listening port answers /health`);
}
