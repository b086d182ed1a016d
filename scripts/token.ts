/**
 * Mints an access token: `npm run token -- --scope publish --tables 'trades*' [--ttl 3600]`.
 * Scopes: read, publish, admin (repeat --scope or separate with commas). The secret is
 * TOKEN_SECRET from the environment, else from .dev.vars. Prints the token on stdout and its
 * payload on stderr. Format and checks: docs/protocol.md, "Authentication".
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Scope } from "../src/worker/token.ts";
import { mintToken, SCOPES } from "../src/worker/token.ts";

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

/** TOKEN_SECRET from the environment or from a `.dev.vars` file (dotenv syntax). */
function secret(): string {
  if (process.env.TOKEN_SECRET) return process.env.TOKEN_SECRET;
  if (existsSync(".dev.vars")) {
    for (const line of readFileSync(".dev.vars", "utf8").split(/\r?\n/)) {
      const m = /^\s*(?:export\s+)?TOKEN_SECRET\s*=\s*(.*?)\s*$/.exec(line);
      if (m) return m[1]!.replace(/^(["'])(.*)\1$/, "$2");
    }
  }
  return fail("no TOKEN_SECRET in the environment or in .dev.vars");
}

const { values } = parseArgs({
  options: {
    scope: { type: "string", multiple: true },
    tables: { type: "string", default: "*" },
    ttl: { type: "string", default: "3600" },
    sub: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(
    "usage: npm run token -- --scope read|publish|admin[,...] [--tables GLOB] [--ttl SECONDS] [--sub WHO]\n",
  );
  process.exit(0);
}
const scopes = (values.scope ?? []).flatMap((s) => s.split(",")).map((s) => s.trim());
if (scopes.length === 0) fail(`--scope is required (${SCOPES.join(", ")})`);
for (const s of scopes) if (!SCOPES.includes(s as Scope)) fail(`unknown scope "${s}"`);
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) fail(`--ttl must be a positive number of seconds`);
const key = secret();
if (key.length < 16) fail("TOKEN_SECRET must be at least 16 characters");
const now = Math.floor(Date.now() / 1000);
const payload = {
  scopes: [...new Set(scopes)] as Scope[],
  tables: values.tables!,
  exp: now + ttl,
  iat: now,
  ...(values.sub ? { sub: values.sub } : {}),
};
try {
  const token = await mintToken(key, payload);
  process.stderr.write(`${JSON.stringify(payload)}\n`);
  process.stdout.write(`${token}\n`);
} catch (e) {
  fail((e as Error).message);
}
