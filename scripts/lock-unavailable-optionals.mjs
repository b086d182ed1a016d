// Adds package-lock.json entries for platform-specific optional dependencies that the registry
// used to create the lock did not serve (e.g. the macOS/Windows builds of biome, deno and
// workerd on a partial mirror). npm >= 11.16 leaves such packages out of the lock and then
// `npm ci` rejects its own lock ("Missing: @biomejs/cli-darwin-arm64@ from lock file";
// npm/cli#9846). Each added entry is marked optional and carries the os/cpu/libc of its
// platform, so `npm ci` skips it on other platforms and installs it where it belongs.
// Run after any `npm install` that rewrites the lock: `npm run lock:fix`.
import { readFileSync, writeFileSync } from "node:fs";

const file = "package-lock.json";
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;

/** Platform constraints encoded in the package names used by biome, deno, workerd, esbuild… */
function platformOf(name) {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const os = /darwin/.test(base)
    ? "darwin"
    : /win32|windows/.test(base)
      ? "win32"
      : /android/.test(base)
        ? "android"
        : /linux/.test(base)
          ? "linux"
          : /freebsd/.test(base)
            ? "freebsd"
            : undefined;
  const cpu = /arm64|aarch64/.test(base)
    ? "arm64"
    : /x64|-64$|x86_64|amd64/.test(base)
      ? "x64"
      : /ia32/.test(base)
        ? "ia32"
        : /arm/.test(base)
          ? "arm"
          : undefined;
  const libc = /musl/.test(base) ? "musl" : /glibc|gnu/.test(base) ? "glibc" : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (path === "" || !entry.optionalDependencies) continue;
  for (const [name, spec] of Object.entries(entry.optionalDependencies)) {
    const nested = `${path}/node_modules/${name}`;
    if (packages[`node_modules/${name}`] || packages[nested]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
      console.error(`skipping ${name}@${spec}: not an exact version`);
      continue;
    }
    const { os, cpu, libc } = platformOf(name);
    if (!os || !cpu) {
      console.error(`skipping ${name}@${spec}: platform not recognised from its name`);
      continue;
    }
    const placeholder = { version: spec };
    if (entry.dev) placeholder.dev = true;
    placeholder.optional = true;
    placeholder.os = [os];
    placeholder.cpu = [cpu];
    if (libc) placeholder.libc = [libc];
    packages[`node_modules/${name}`] = placeholder;
    added += 1;
    console.log(`added ${name}@${spec} (${os}/${cpu}${libc ? `/${libc}` : ""})`);
  }
}

if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => a.localeCompare(b, "en")),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`${added} placeholder entr${added === 1 ? "y" : "ies"} added to ${file}`);
