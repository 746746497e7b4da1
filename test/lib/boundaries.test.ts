/**
 * The folders of lib/ say where their code runs (docs/architecture.md), and
 * these rules keep it so by reading every import: the SDK is publishable
 * (only the protocol and packages), the protocol is shared by all (nothing
 * of lib/ besides itself, nothing of Node), the browser's code never pulls in
 * the server's, and lib/ never imports components/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../..");

interface Import {
  /** The importing file, relative to the repository. */
  file: string;
  spec: string;
  /** `import type` / `export type`: erased when compiled. */
  typeOnly: boolean;
  /** The imported file or folder, relative to the repository; null for a package. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

/** Static imports and re-exports, `import("…")` and `require("…")` of one file. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(repo, file), "utf8");
  const found: Import[] = [];
  const patterns = [/^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s*"([^"]+)"/gm, /^\s*import\s*"([^"]+)"/gm, /\b(?:import|require)\(\s*"([^"]+)"\s*\)/g];
  for (const [i, re] of patterns.entries()) {
    for (const m of text.matchAll(re)) {
      const spec = i === 0 ? m[3] : m[1];
      const target = spec.startsWith("@/") ? spec.slice(2) : spec.startsWith(".") ? path.join(path.dirname(file), spec) : null;
      found.push({ file, spec, typeOnly: i === 0 && Boolean(m[2]), target: target && path.normalize(target) });
    }
  }
  return found;
}

const lib = sourceFiles("lib").flatMap(importsOf);
const inside = (target: string | null, folder: string) => target !== null && (target === folder || target.startsWith(folder + "/"));
const show = (found: Import[]) => found.map((i) => `${i.file}: "${i.spec}"`);

test("the importer reads every kind of import", () => {
  const all = [...lib, ...sourceFiles("components").flatMap(importsOf)];
  assert.ok(all.some((i) => i.spec === "zod"));
  assert.ok(all.some((i) => i.typeOnly && inside(i.target, "lib/server")));
  assert.ok(all.some((i) => !i.typeOnly && inside(i.target, "lib/sdk")));
  assert.ok(all.length > 500, `${all.length} imports`);
});

test("lib/sdk imports only lib/protocol and packages, by relative paths (the built package has no aliases)", () => {
  const sdk = lib.filter((i) => inside(i.file, "lib/sdk"));
  assert.ok(sdk.length > 20);
  assert.deepEqual(show(sdk.filter((i) => i.target !== null && !inside(i.target, "lib/sdk") && !inside(i.target, "lib/protocol"))), []);
  assert.deepEqual(show(sdk.filter((i) => i.spec.startsWith("@/"))), []);
});

test("lib/protocol imports nothing of lib/ but itself, and no Node module (browsers load it)", () => {
  const protocol = lib.filter((i) => inside(i.file, "lib/protocol"));
  assert.deepEqual(show(protocol.filter((i) => i.target !== null && !inside(i.target, "lib/protocol"))), []);
  assert.deepEqual(show(protocol.filter((i) => i.spec.startsWith("node:") || i.spec.startsWith("@/"))), []);
});

// That no browser module reaches lib/config, even through other modules, is test/lib/config/env.test.ts's.
test("lib/config builds only on the SDK's env reading, the protocol and the trainer's names", () => {
  const config = lib.filter((i) => inside(i.file, "lib/config"));
  assert.ok(config.some((i) => inside(i.target, "lib/sdk")));
  const allowed = (target: string) =>
    target.replace(/\.ts$/, "") === "lib/sdk/env" || ["lib/config", "lib/protocol", "trainer"].some((folder) => inside(target, folder));
  assert.deepEqual(show(config.filter((i) => i.target !== null && !allowed(i.target))), []);
});

test("lib/browser never imports lib/server, not even a type", () => {
  assert.deepEqual(show(lib.filter((i) => inside(i.file, "lib/browser") && inside(i.target, "lib/server"))), []);
});

test("components/ take only types from lib/server", () => {
  const components = sourceFiles("components").flatMap(importsOf);
  assert.deepEqual(show(components.filter((i) => inside(i.target, "lib/server") && !i.typeOnly)), []);
});

test("lib/ never imports components/", () => {
  assert.deepEqual(show(lib.filter((i) => inside(i.target, "components"))), []);
});
