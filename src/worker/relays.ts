/**
 * Fan-out policy (docs/architecture.md, "Fan-out: relays"): which subscribers the router sends to
 * relay objects, and to which one.
 *
 * With `RELAY_SUBSCRIBERS` = N > 0, a plain subscriber (no viewport, sort, where or columns) of a
 * view is served by a relay `relay:<family>:<view>:<format>:<n>` (durable/relay.ts); with "0" (the
 * default) or a shaped subscription, by the family object itself. A relay takes at most N
 * subscribers. The relays of a view grow with its subscribers: a connection's hash h picks
 * relay `h mod R`, R the number of relays this isolate last saw in use (1 at first); a full relay
 * answers 409 `relay_full` with the most relays it has heard routers use (R'): the router moves
 * to `h mod R'` when R' > R, else doubles R and tries that relay's new sibling (`n + R`), up to
 * MAX_RELAYS. So a view with S subscribers uses about `2^ceil(log2(S / N))` relays (a small
 * view uses one); an isolate that knew less may open a relay beyond those on its way up.
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
  let r = seen.get(key) ?? 1;
  let n = h % r;
  const hint = locationHintOf(request);
  const q = new URLSearchParams({ ...target, cap: String(perRelay) });
  if (since !== null) q.set("since", String(since));
  for (;;) {
    q.set("relays", String(r));
    const id = env.RELAYS.idFromName(`relay:${key}:${n}`);
    const stub = env.RELAYS.get(id, hint ? { locationHint: hint } : {});
    const res = await forwardUpgrade(request, stub, "/subscribe", q);
    if (res.status !== 409 || res.headers.get("X-Tickflare-Relay") !== "full") {
      if (res.status === 101 && r > (seen.get(key) ?? 1)) seen.set(key, r);
      return res;
    }
    if (r * 2 > MAX_RELAYS) {
      throw new HttpError(
        503,
        "overloaded",
        `view "${target.view}" of "${target.family}" has ${MAX_RELAYS} relays of ${perRelay} subscribers, all full`,
      );
    }
    // A full relay tells the most relays it has heard of; start from there, else grow.
    const told = Number(res.headers.get("X-Tickflare-Relays"));
    if (Number.isInteger(told) && told > r && told <= MAX_RELAYS) {
      r = told;
      n = h % r;
    } else {
      n += r;
      r *= 2;
    }
  }
}
