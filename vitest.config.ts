/**
 * Four vitest projects:
 * - `engine`: the runtime-agnostic engine in plain Node (the same files also run under Deno).
 * - `workers`: the Worker and Durable Objects inside workerd via @cloudflare/vitest-plugin.
 * - `workers-relays`: the subscription tests of `workers` again, with every plain subscriber
 *   served through relay objects (RELAY_SUBSCRIBERS=2, so a test's subscribers span relays).
 * - `e2e`: Node clients against the real `wrangler dev` on a free loopback port. It runs after
 *   the other projects (groupOrder 1), one file at a time, so a loaded machine is not loaded
 *   further while the dev server starts.
 * - `browser`: the web console in Debian's chromium (playwright-core) against `wrangler dev`,
 *   after e2e (groupOrder 2) so two dev servers never start at once.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "engine",
          include: ["test/engine/**/*.test.ts"],
          environment: "node",
          // Property tests run hundreds of random cycles; on a loaded 2-core machine a few take
          // longer than the 5 s default (they are not timed: a timeout only means a slow box).
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // The local dev server's settings (`npm run dev` passes --var AUTH:off); the tests of
            // the deployed default (AUTH on) pass their own env to the Worker.
            miniflare: { bindings: { AUTH: "off" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { AUTH: "off", RELAY_SUBSCRIBERS: "2" } },
          }),
        ],
        test: {
          name: "workers-relays",
          include: [
            "test/workers/router.test.ts",
            "test/workers/router-client.test.ts",
            "test/workers/auth.test.ts",
            "test/workers/viewport.test.ts",
          ],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 150_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 150_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
