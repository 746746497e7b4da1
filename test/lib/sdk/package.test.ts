/**
 * The SDK builds on its own (`npm run build:sdk`): into a fresh folder, as
 * JavaScript that plain Node (no tsx) imports by the package's name, and
 * .d.ts that a TypeScript project resolves, with no path alias left in either.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const repo = path.resolve(import.meta.dirname, "../../..");
let out: string;

before(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-sdk-"));
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-sdk.ts", "--out", out], { cwd: repo, stdio: "pipe" });
  // The package's dependencies, as `npm install` of it would provide them.
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(out, "node_modules"), "dir");
});
after(() => fs.rmSync(out, { recursive: true, force: true }));

/** Every emitted file under the package folder (not its node_modules). */
function emitted(dir = out): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules") return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? emitted(p) : [p];
  });
}

test("the package holds the SDK and the protocol it imports, and nothing of the server or the browser", () => {
  const files = emitted().map((f) => path.relative(out, f));
  for (const f of ["package.json", "sdk/index.js", "sdk/index.d.ts", "sdk/sync.js", "protocol/wire.js", "protocol/schemas.d.ts"]) assert.ok(files.includes(f), `${f} is built`);
  assert.deepEqual(files.filter((f) => !/^(sdk|protocol)\//.test(f) && f !== "package.json"), []);
  for (const f of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const text = fs.readFileSync(path.join(out, f), "utf8");
    assert.doesNotMatch(text, /^(import|export)\b[^\n]*from "@\/|import\("@\//m, `${f} imports through a path alias`);
  }
});

test("plain Node imports the built SDK by its package name", () => {
  const check = path.join(out, "check.mjs");
  fs.writeFileSync(
    check,
    `import * as sdk from "inkstone-sdk";
import { findSpools } from "inkstone-sdk/sync";
sdk.log({ loss: 1 });
console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), run: typeof sdk.Run.init, spools: findSpools(${JSON.stringify(out)}) }));`,
  );
  // No tsx and no loader: only what Node itself resolves.
  const result = JSON.parse(execFileSync(process.execPath, [check], { cwd: out, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "pipe"] }));
  assert.deepEqual(result, { exports: ["Run", "currentRun", "finish", "init", "log", "logImage", "logText"], run: "function", spools: [] });
});

test("a TypeScript project type-checks against the built .d.ts", () => {
  const consumer = path.join(out, "consumer.ts");
  fs.writeFileSync(
    consumer,
    `import { init, type FinishStatus } from "inkstone-sdk";
const status: FinishStatus = "finished";
export async function start(): Promise<void> {
  const run = await init({ project: "p" });
  run.log({ loss: 0.5 }, 3);
  await run.finish(status);
}
// @ts-expect-error a step is a number
export const wrong = () => init({ project: "p" }).then((r) => r.log({ loss: 1 }, "3"));
`,
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  // Any error, an unresolved import of the .d.ts included, fails; so does a @ts-expect-error that is not one.
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "false", "--types", "node", consumer], {
    cwd: out,
    stdio: "pipe",
  });
});
