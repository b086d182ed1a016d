/**
 * Access tokens: `base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))`,
 * where payload is the UTF-8 JSON `{ "scopes": [...], "tables": "<glob>", "exp": <epoch s> }`
 * (docs/protocol.md, "Authentication"). WebCrypto only, so the same code mints tokens in Node
 * (`npm run token`), verifies them in the Worker and runs in tests. No platform imports.
 */

/** What a token may do: `admin` creates, deletes and lists; `publish` writes; `read` reads. */
export type Scope = "read" | "publish" | "admin";
export const SCOPES: readonly Scope[] = ["read", "publish", "admin"];

export interface TokenPayload {
  scopes: Scope[];
  /** Table-name glob: `*` matches any run of characters, `?` one character. */
  tables: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Issued at, epoch seconds (informational). */
  iat?: number;
  /** Who the token is for (informational). */
  sub?: string;
}

/** Why a token was refused (all answer 401). */
export type TokenProblem = "malformed" | "bad_signature" | "expired";

export class TokenError extends Error {
  readonly problem: TokenProblem;
  constructor(problem: TokenProblem, message: string) {
    super(message);
    this.name = "TokenError";
    this.problem = problem;
  }
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    // Secrets are few (one per deployment); the cache only avoids re-importing per request.
    if (keys.size > 16) keys.clear();
    keys.set(secret, k);
  }
  return k;
}

export function base64urlEncode(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64urlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Signs a payload into a token. */
export async function mintToken(secret: string, payload: TokenPayload): Promise<string> {
  checkPayload(payload);
  const body = base64urlEncode(encoder.encode(JSON.stringify(payload)));
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(body));
  return `${body}.${base64urlEncode(new Uint8Array(sig))}`;
}

/**
 * Verifies a token's signature and expiry and returns its payload; throws TokenError otherwise.
 * The signature is checked (in constant time, by WebCrypto) before the payload is parsed.
 */
export async function verifyToken(
  secret: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<TokenPayload> {
  const parts = token.split(".");
  if (parts.length !== 2 || parts[0]!.length === 0 || parts[0]!.length > 4096) {
    throw new TokenError("malformed", "a token is base64url(payload).base64url(signature)");
  }
  const [body, sigText] = parts as [string, string];
  const sig = base64urlDecode(sigText);
  if (sig?.length !== 32)
    throw new TokenError("malformed", "the signature is not 32 base64url-encoded bytes");
  const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, encoder.encode(body));
  if (!ok) throw new TokenError("bad_signature", "the token's signature does not verify");
  const raw = base64urlDecode(body);
  let payload: unknown;
  try {
    payload = raw ? JSON.parse(new TextDecoder().decode(raw)) : undefined;
  } catch {
    payload = undefined;
  }
  let p: TokenPayload;
  try {
    p = checkPayload(payload);
  } catch (e) {
    throw new TokenError("malformed", (e as Error).message);
  }
  if (p.exp <= nowSeconds) {
    throw new TokenError("expired", `the token expired at ${new Date(p.exp * 1000).toISOString()}`);
  }
  return p;
}

/** Validates a payload's shape; returns it typed. */
export function checkPayload(p: unknown): TokenPayload {
  if (p === null || typeof p !== "object" || Array.isArray(p))
    throw new TypeError("the token payload must be a JSON object");
  const o = p as Record<string, unknown>;
  if (
    !Array.isArray(o.scopes) ||
    o.scopes.length === 0 ||
    !o.scopes.every((s) => SCOPES.includes(s as Scope))
  ) {
    throw new TypeError(`scopes must be a non-empty array of ${SCOPES.join(", ")}`);
  }
  if (typeof o.tables !== "string" || !/^[A-Za-z0-9_*?-]{1,256}$/.test(o.tables)) {
    throw new TypeError("tables must be a glob of letters, digits, '_', '-', '*' and '?'");
  }
  if (typeof o.exp !== "number" || !Number.isInteger(o.exp) || o.exp <= 0)
    throw new TypeError("exp must be an integer number of seconds since the epoch");
  return p as TokenPayload;
}

/** True when `name` matches the glob (`*`: any run of characters, `?`: one character). */
export function globMatches(glob: string, name: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}
