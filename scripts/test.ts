/**
 * `npm test`: everything the tests need, then every test file.
 * - Debian's chromium for the browser tests (installed with apt-get when missing and we are root);
 * - Mesa's lavapipe (a software Vulkan) from bookworm-backports, so the trainer's tests run a second
 *   time on WebGPU (Dawn) without a GPU: bookworm's own Mesa 22 lacks features Dawn requires;
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

const LAVAPIPE_MIN_MESA = 25;

/** The installed mesa-vulkan-drivers' major version, or null. */
function mesaVulkanMajor(): number | null {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Version}", "mesa-vulkan-drivers"], { encoding: "utf8" });
  const major = r.status === 0 ? Number(/^(?:\d+:)?(\d+)\./.exec(r.stdout)?.[1]) : NaN;
  return Number.isFinite(major) ? major : null;
}

function aptInstall(args: string[]): void {
  execFileSync("apt-get", ["install", "-y", "-qq", ...args], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

function ensureLavapipe(): void {
  if ((mesaVulkanMajor() ?? 0) >= LAVAPIPE_MIN_MESA) return;
  if (os.userInfo().uid !== 0) {
    console.error(`test: the WebGPU tests need Mesa >= ${LAVAPIPE_MIN_MESA}'s lavapipe; on Debian bookworm: sudo apt-get install -t bookworm-backports mesa-vulkan-drivers`);
    process.exit(1);
  }
  console.log(`test: installing Mesa ${LAVAPIPE_MIN_MESA}'s lavapipe (software Vulkan) for the WebGPU tests…`);
  const codename = /^VERSION_CODENAME=(\w+)/m.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1];
  if (codename === "bookworm") {
    const source = "/etc/apt/sources.list.d/bookworm-backports.sources";
    if (!fs.existsSync(source)) {
      fs.writeFileSync(
        source,
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
      );
    }
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    aptInstall(["-t", "bookworm-backports", "mesa-vulkan-drivers"]);
  } else {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    aptInstall(["mesa-vulkan-drivers"]);
  }
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
/** One node:test run of the files, with extra environment. */
function runTests(testFiles: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(process.execPath, ["--experimental-wasm-modules", "--import", "tsx", "--test", "--test-concurrency=1", ...testFiles], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
  });
  return result.status ?? 1;
}

// The trainer's tests again on WebGPU (lavapipe here): the GPU path is checked without a GPU.
const trainerFiles = files.filter((f) => path.normalize(f).split(path.sep).includes("trainer"));
if (trainerFiles.length) ensureLavapipe();
const status = runTests(files);
let webgpuStatus = 0;
if (trainerFiles.length) {
  console.log("test: the trainer's tests again on WebGPU (INKSTONE_BACKEND=webgpu)");
  webgpuStatus = runTests(trainerFiles, { INKSTONE_BACKEND: "webgpu" });
}
process.exit(status || webgpuStatus);
