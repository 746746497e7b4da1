/**
 * The test runner behind `npm test` and its three parts, split by what a test
 * file needs (itself or the test/ helpers it imports):
 * - `unit`: nothing beyond the code (the trainer, pure functions);
 * - `integration`: a server or a database (the test/ helpers that start them,
 *   lib/'s server, Prisma client and database modules, or server.ts as a process);
 * - `e2e`: a browser (test/helpers/browser: Debian's chromium, installed with
 *   apt-get when missing and we are root).
 * Integration and e2e files get a production build of the web app first
 * (INKSTONE_SKIP_BUILD=1 reuses the last one). The trainer's tests run a second
 * time on WebGPU (Dawn) without a GPU, on Mesa's lavapipe (a software Vulkan)
 * from bookworm-backports: bookworm's own Mesa 22 lacks features Dawn requires.
 * Tests run on node:test against a real PostgreSQL (DATABASE_URL's server when
 * set, an embedded one otherwise).
 *
 *   tsx scripts/test.ts --kind unit            # one part
 *   tsx scripts/test.ts test/trainer/nn/a.test.ts # given files
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ArgumentParser } from "argparse";
import { checkEnv, readEnv } from "@/lib/config/env";

checkEnv("tests");
const CHROMIUM = readEnv("INKSTONE_CHROMIUM");

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

const KINDS = ["unit", "integration", "e2e"] as const;
type Kind = (typeof KINDS)[number];

/** The test/ files a file imports, followed through the helpers and fixtures they import in turn. */
function sourcesOf(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
    const target = path.resolve(path.dirname(file), spec);
    const found = [`${target}.ts`, target].find((f) => f.includes(`${path.sep}test${path.sep}`) && fs.existsSync(f) && fs.statSync(f).isFile());
    if (found) sourcesOf(found, seen);
  }
  return seen;
}

/** What a test file needs, from what it imports. */
function kindOf(file: string): Kind {
  const text = [...sourcesOf(path.resolve(file))].map((f) => fs.readFileSync(f, "utf8")).join("\n");
  if (/from "[./]*helpers\/browser"|from "playwright-core"/.test(text)) return "e2e";
  // A server or a database: through the test helpers, straight from lib/, or server.ts as a process.
  if (/from "[./]*helpers\/(server|database|instances)"|from "@\/lib\/server\/(start-server|db\/)|"server\.ts"/.test(text)) return "integration";
  return "unit";
}

const parser = new ArgumentParser({ prog: "tsx scripts/test.ts", description: "Runs Inkstone's tests." });
parser.add_argument("--kind", { choices: KINDS, action: "append", help: "Only the test files of this kind (repeatable)." });
parser.add_argument("files", { nargs: "*", help: "Test files (default: every test/**/*.test.ts of the kinds)." });
const args = parser.parse_args() as { kind?: Kind[]; files: string[] };

const kinds = args.kind ?? [...KINDS];
const files = args.files.length ? args.files : findTests("test").filter((f) => kinds.includes(kindOf(f)));
const needs = new Set(files.map(kindOf));
if (!files.length) {
  console.log(`test: no ${kinds.join("/")} test files`);
  process.exit(0);
}
if (needs.has("e2e")) ensureChromium();
if ((needs.has("integration") || needs.has("e2e")) && !readEnv("INKSTONE_SKIP_BUILD")) {
  execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}
/** One node:test run of the files, with extra environment. */
function runTests(testFiles: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...testFiles], {
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
