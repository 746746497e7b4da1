/**
 * `npm test`: everything the tests need, then every test file.
 * - Debian's chromium for the browser tests (installed with apt-get when missing and we are root);
 * - a production build of the web app, which the integration tests serve;
 * - the tests themselves, on node:test, against a real PostgreSQL
 *   (DATABASE_URL's server when set, an embedded one otherwise).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CHROMIUM = process.env.INKSTONE_CHROMIUM ?? "/usr/bin/chromium";

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (os.userInfo().uid !== 0) {
    console.error(`test: ${CHROMIUM} is missing; install it with: sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.log("test: installing Debian's chromium for the browser tests…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(path.join(dir, e.name)) : e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : []))
    .sort();
}

const only = process.argv.slice(2);
const files = only.length ? only : findTests("test");
ensureChromium();
if (!process.env.INKSTONE_SKIP_BUILD) {
  execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
const result = spawnSync(process.execPath, ["--experimental-wasm-modules", "--import", "tsx", "--test", "--test-concurrency=1", ...files], {
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(result.status ?? 1);
