/**
 * Three vitest projects:
 * - `engine`: the runtime-agnostic engine in plain Node (the same files also run under Deno).
 * - `workers`: the Worker and Durable Objects inside workerd via @cloudflare/vitest-plugin.
 * - `e2e`: Node clients against the real `wrangler dev` on a free loopback port. It runs after
 *   the other projects (groupOrder 1), one file at a time, so a loaded machine is not loaded
 *   further while the dev server starts.
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
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
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
    ],
  },
});
