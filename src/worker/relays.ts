/**
 * Fan-out policy (docs/architecture.md, "Fan-out: relays"): which subscribers the router sends to
 * relay objects, and to which one.
 *
 * With `RELAY_SUBSCRIBERS` = N > 0, a plain subscriber (no viewport, sort, where or columns) of a
 * view is served by a relay `relay:<family>:<view>:<format>:<n>` (durable/relay.ts); with "0" (the
 * default) or a shaped subscription, by the family object itself. A relay takes at most N
 * subscribers. The relays of a view grow with its subscribers, newest half first: a connection's
 * hash h picks relay `n = h mod R`, R the number of relays this isolate last saw in use (1 at
 * first). A full relay answers 409 `relay_full` with the most relays it has heard routers use
 * (R'); the router then takes the first step of `nextRelay` that applies: move to `h mod R'` when
 * R' > R; else, if n lies in the older half, try its partner `n + R/2` in the newer half (relays
 * fill oldest first, so the newer half is where room is); else (the newer half is full too) double
 * R and try `(h mod R) + R`, up to MAX_RELAYS (past which it tries every relay in turn before
 * answering 503 `overloaded`). A connection makes at most two tries per R below that, and a
 * view with S subscribers uses about `2^ceil(log2(S / N))` relays (one below N), at most twice
 * that when hashing fills one newer relay early (simulated in test/workers/relay-policy.test.ts).
 *
 * Relays are created near the first subscriber that reaches them (a location hint from the
 * request's `cf` continent and longitude); the platform may place them elsewhere.
 */
import { HttpError } from "./http.ts";
import { forwardUpgrade } from "./upgrade.ts";

/** Relays per (family, view, format) at most. */
export const MAX_RELAYS = 1024;

/** Relays in use per view, as this isolate last saw them. */
const seen = new Map<string, number>();

/** N from `RELAY_SUBSCRIBERS`, or 0 (no relays). A malformed value is the operator's error. */
export function relaySubscribers(env: Env): number {
  const raw = env.RELAY_SUBSCRIBERS ?? "0";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new HttpError(
      503,
      "relays_misconfigured",
      `RELAY_SUBSCRIBERS must be a whole number of subscribers per relay (0: no relays), got "${raw}"`,
    );
  }
  return n;
}

/** FNV-1a of a string (32 bits): spreads connections over relays. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Where to create a relay for this request (a location hint), when the platform tells. */
export function locationHintOf(request: Request): DurableObjectLocationHint | undefined {
  const cf = (request as { cf?: { continent?: unknown; longitude?: unknown } }).cf;
  const lon = Number(cf?.longitude);
  switch (cf?.continent) {
    case "NA":
      return Number.isFinite(lon) && lon < -100 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return Number.isFinite(lon) && lon > 20 ? "eeur" : "weur";
    case "AF":
      return "afr";
    case "OC":
      return "oc";
    case "AS":
      return Number.isFinite(lon) && lon < 60 ? "me" : "apac";
    default:
      return undefined;
  }
}

/**
 * Forwards a plain subscription to a relay with room (see the module comment). The WebSocket key
 * (random per connection) is the connection's hash.
 */
export async function subscribeViaRelay(
  request: Request,
  env: Env,
  target: { family: string; view: string; format: "json" | "arrow" },
  since: number | null,
  perRelay: number,
): Promise<Response> {
  const key = `${target.family}:${target.view}:${target.format}`;
  const h = hash32(request.headers.get("Sec-WebSocket-Key") ?? crypto.randomUUID());
  const hint = locationHintOf(request);
  const q = new URLSearchParams({ ...target, cap: String(perRelay) });
  if (since !== null) q.set("since", String(since));
  const placed = await placeOnRelay(h, seen.get(key) ?? 1, async (n, r) => {
    q.set("relays", String(r));
    const id = env.RELAYS.idFromName(`relay:${key}:${n}`);
    const stub = env.RELAYS.get(id, hint ? { locationHint: hint } : {});
    const res = await forwardUpgrade(request, stub, "/subscribe", q);
    const full = res.status === 409 && res.headers.get("X-Tickflare-Relay") === "full";
    return { full, told: Number(res.headers.get("X-Tickflare-Relays")), answer: res };
  });
  if (placed === null) {
    throw new HttpError(
      503,
      "overloaded",
      `view "${target.view}" of "${target.family}" has ${MAX_RELAYS} relays of ${perRelay} subscribers, all full`,
    );
  }
  if (placed.answer.status === 101 && placed.r > (seen.get(key) ?? 1)) seen.set(key, placed.r);
  return placed.answer;
}

/** What one try at relay `n` of `r` gave: full (with the relay count it reported), or an answer. */
export interface RelayTry<T> {
  full: boolean;
  told: number;
  answer: T;
}

/**
 * Tries relays for a connection of hash `h`, starting from `r` relays, until one is not full
 * (its answer and the relay count it was tried at), or null once MAX_RELAYS relays are all full.
 */
export async function placeOnRelay<T>(
  h: number,
  r: number,
  tryRelay: (n: number, r: number) => Promise<RelayTry<T>>,
): Promise<{ answer: T; n: number; r: number } | null> {
  let n = h % r;
  for (;;) {
    const got = await tryRelay(n, r);
    if (!got.full) return { answer: got.answer, n, r };
    const next = nextRelay(h, n, r, got.told);
    if (next.r > MAX_RELAYS) return lastResort(n, r, tryRelay);
    n = next.n;
    r = next.r;
  }
}

/** At MAX_RELAYS: every other relay in turn (only a view near MAX_RELAYS x N subscribers gets here). */
async function lastResort<T>(
  from: number,
  r: number,
  tryRelay: (n: number, r: number) => Promise<RelayTry<T>>,
): Promise<{ answer: T; n: number; r: number } | null> {
  for (let i = 1; i < r; i++) {
    const n = (from + i) % r;
    const got = await tryRelay(n, r);
    if (!got.full) return { answer: got.answer, n, r };
  }
  return null;
}

/**
 * The relay to try after relay `n` of `r` answered full (the module comment's policy): `told` is
 * the relay count the full relay reported (ignored unless a whole number above `r`, at most
 * MAX_RELAYS). Pure, so the policy is simulated in tests.
 */
export function nextRelay(h: number, n: number, r: number, told: number): { n: number; r: number } {
  if (Number.isInteger(told) && told > r && told <= MAX_RELAYS) return { n: h % told, r: told };
  const half = r >> 1;
  if (n < half) return { n: n + half, r };
  return { n: (h % r) + r, r: r * 2 };
}
