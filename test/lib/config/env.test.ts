/**
 * The config module: variables parse to their defaults and typed values, a bad
 * value names its variable, the README's list matches the table, product code
 * reads no variable around it, and no browser code can reach it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { checkEnv, EnvError, readEnv } from "@/lib/config/env";
import { withEnvSection } from "@/lib/config/readme";

test("unset and empty variables take their defaults; set ones parse to typed values", () => {
  assert.equal(readEnv("PORT", {}), 3000);
  assert.equal(readEnv("PORT", { PORT: "" }), 3000, "an empty variable counts as unset");
  assert.equal(readEnv("PORT", { PORT: "8080" }), 8080);
  assert.equal(readEnv("DATABASE_URL", {}), undefined);
  assert.equal(readEnv("HF_HUB_OFFLINE", { HF_HUB_OFFLINE: "TRUE" }), true);
  assert.equal(readEnv("HF_HUB_OFFLINE", { HF_HUB_OFFLINE: "0" }), false);
  assert.deepEqual(readEnv("INKSTONE_LAUNCH_SLOTS", { INKSTONE_LAUNCH_SLOTS: " gpu0, ,gpu1" }), ["gpu0", "gpu1"]);
  assert.deepEqual(readEnv("INKSTONE_TRAIN_COMMAND", { INKSTONE_TRAIN_COMMAND: '["node", "a b.ts"]' }), ["node", "a b.ts"]);
  assert.deepEqual(readEnv("INKSTONE_TRAIN_COMMAND", { INKSTONE_TRAIN_COMMAND: " node  fake.ts " }), ["node", "fake.ts"]);
});

test("a bad value is an error that names the variable and says what it is for", () => {
  const cases: [Parameters<typeof readEnv>[0], string, RegExp][] = [
    ["PORT", "eighty", /^PORT="eighty" is not valid .*The port the web app/],
    ["PORT", "70000", /^PORT="70000" is not valid/],
    ["INKSTONE_LEASE_MS", "1.5", /^INKSTONE_LEASE_MS="1.5" is not valid \(.*int/],
    ["HF_HUB_OFFLINE", "maybe", /^HF_HUB_OFFLINE="maybe" is not valid \(expected 1\/0/],
    ["DATABASE_URL", "mysql://db/x", /^DATABASE_URL="mysql:\/\/db\/x" is not valid \(expected a postgresql:\/\/ address\)/],
    ["INKSTONE_TRAIN_COMMAND", "[1, 2]", /^INKSTONE_TRAIN_COMMAND="\[1, 2\]" is not valid \(expected a JSON array of strings\)/],
    ["INKSTONE_TRAIN_COMMAND", "[not json", /expected a JSON array of strings/],
    ["INKSTONE_BACKEND", "cuda", /^INKSTONE_BACKEND="cuda" is not valid/],
  ];
  for (const [name, value, message] of cases) {
    assert.throws(() => readEnv(name, { [name]: value }), (e: Error) => e instanceof EnvError && message.test(e.message), `${name}=${value}`);
  }
});

test("checkEnv lists every bad variable of one process, and only that process's", () => {
  const source = { PORT: "x", INKSTONE_PG_POOL: "0", HF_HUB_OFFLINE: "maybe" };
  assert.throws(
    () => checkEnv("server", source),
    (e: Error) => e instanceof EnvError && /^invalid environment for the server:\n {2}PORT=.*\n {2}INKSTONE_PG_POOL=/.test(e.message) && !e.message.includes("HF_HUB_OFFLINE"),
  );
  assert.throws(() => checkEnv("trainer", source), /HF_HUB_OFFLINE/);
  assert.doesNotThrow(() => checkEnv("sdk", source));
});

test("the README lists every variable as lib/config/variables.ts defines it (npm run docs:env rewrites it)", () => {
  const readme = fs.readFileSync("README.md", "utf8");
  assert.equal(readme, withEnvSection(readme), "README.md's environment variables are out of date: run npm run docs:env");
});

const PRODUCT = ["app", "bench", "components", "lib", "scripts", "trainer", "server.ts", "prisma.config.ts"];

function sourceFiles(p: string): string[] {
  if (!fs.statSync(p).isDirectory()) return /\.tsx?$/.test(p) ? [p] : [];
  return fs.readdirSync(p).flatMap((name) => sourceFiles(path.join(p, name)));
}

test("product code reads environment variables only through lib/config", () => {
  // Setting one for a child or a library, or passing the whole environment on, is not a read.
  const read = /process\.env\.\w+\b(?!\s*(\?\?)?=[^=])|process\.env\[/g;
  const offenders = PRODUCT.flatMap(sourceFiles)
    .filter((f) => !f.startsWith(`lib${path.sep}config${path.sep}`))
    .flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(read)].map((m) => `${f}: ${m[0]}`));
  assert.deepEqual(offenders, []);
});

/** The project's files a module imports at run time (type-only imports are erased), as paths. */
function projectImports(file: string): string[] {
  const statements = /(?:^|\n)(?:import|export)(\s+type)?\s[^;]*?from\s*"((?:@\/|\.{1,2}\/)[^"]+)"|import\s*\(?\s*"((?:@\/|\.{1,2}\/)[^"]+)"/g;
  const specs = [...fs.readFileSync(file, "utf8").matchAll(statements)].flatMap((m) => (m[1] ? [] : [m[2] ?? m[3]]));
  return specs.flatMap((spec) => {
    const base = spec.startsWith("@/") ? spec.slice(2) : path.join(path.dirname(file), spec);
    const found = ["", ".ts", ".tsx", "/index.ts", "/index.tsx"].map((ext) => path.normalize(base + ext)).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    return found ? [found] : [];
  });
}

test("no browser module reaches lib/config, directly or through what it imports", () => {
  const clientModules = ["app", "components", "lib"].flatMap(sourceFiles).filter((f) => /^["']use client["']/.test(fs.readFileSync(f, "utf8")));
  assert.ok(clientModules.length > 10, "the walk finds the client components");
  const seen = new Set<string>();
  const reached: string[] = [];
  const walk = (file: string, from: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.startsWith(`lib${path.sep}config${path.sep}`)) return void reached.push(`${from} -> ${file}`);
    for (const next of projectImports(file)) walk(next, file);
  };
  for (const file of clientModules) walk(file, file);
  assert.deepEqual(reached, []);
});
