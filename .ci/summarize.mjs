// Prints "N passed, N failed" for the test results `npm test` wrote into .ci-results/:
// vitest's JSON report (both projects) and Deno's JUnit report. A missing report counts as
// one failure (the layer did not run or crashed before reporting), as does a test file that
// failed to load (vitest reports it with zero tests). Exits 1 if anything failed.
// Usage: node .ci/summarize.mjs [npm-test-exit-code]
import { existsSync, readFileSync } from "node:fs";

const dir = ".ci-results";
const exitCode = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;

const vitestFile = `${dir}/vitest.json`;
if (existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  for (const file of report.testResults ?? []) {
    const failedTests = file.assertionResults.filter((t) => t.status === "failed").length;
    if (file.status === "failed" && failedTests === 0) {
      console.error(`vitest: ${file.name} failed to run: ${file.message ?? ""}`.trim());
      failed += 1;
    }
  }
} else {
  console.error(`vitest: no report at ${vitestFile}`);
  failed += 1;
}

const denoFile = `${dir}/deno-junit.xml`;
if (existsSync(denoFile)) {
  const xml = readFileSync(denoFile, "utf8");
  const head = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name) => Number(head.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const skipped = (xml.match(/<skipped\s*\/>/g) ?? []).length;
  const bad = attr("failures") + attr("errors");
  passed += attr("tests") - bad - skipped;
  failed += bad;
} else {
  console.error(`deno: no report at ${denoFile}`);
  failed += 1;
}

if (exitCode !== 0 && failed === 0) {
  console.error(`npm test exited with ${exitCode} although every reported test passed`);
  failed = 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
