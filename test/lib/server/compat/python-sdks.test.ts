/**
 * The real Python SDKs against the real server: the issue's script (login,
 * init with a config, 100 steps of train_loss, 4 captioned images at 3 epochs,
 * finish) on SwanLab's SDK, once per source tree given, and an MLflow script.
 * Runs where a Python with the SDKs' dependencies exists, and skips, saying
 * what is missing, where it does not:
 * - INKSTONE_SDK_PYTHON: the Python to use (default python3);
 * - INKSTONE_SWANLAB_SOURCES: ':'-separated SwanLab source trees (each holds
 *   swanlab/), e.g. checkouts of v0.9.7 and v0.7.20; without it, the swanlab
 *   that Python imports;
 * - PYTHONPATH is kept, e.g. for pure-Python dependencies checked out by hand.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../../helpers/server";
import { createApiKey, signUpAndIn } from "../../../helpers/auth";
import { buildImageGrid } from "@/lib/browser/charts/image-grid";
import { listImages } from "@/lib/server/runs/images";
import { prisma } from "@/lib/server/db/prisma";
import { readEnv } from "@/lib/config/env";

const run = promisify(execFile);
const PYTHON = readEnv("INKSTONE_SDK_PYTHON");
const SCRIPTS = path.join(import.meta.dirname, "python");
const SOURCES = (readEnv("INKSTONE_SWANLAB_SOURCES") ?? "").split(":").filter(Boolean);
const PROMPTS = ["a red fox", "a castle at dusk", "a bowl of ramen", "a lighthouse in fog"];

/** PYTHONPATH for a source tree, with a stand-in for each compiled or GPU-only module the Python lacks. */
async function pythonPath(source: string | undefined): Promise<string> {
  const base = [...(source ? [source] : []), ...(process.env.PYTHONPATH ?? "").split(":").filter(Boolean)];
  const standIns: string[] = [];
  for (const module of ["pyroaring", "pynvml"]) {
    const probe = await run(PYTHON, ["-c", `import ${module}`], { env: { ...process.env, PYTHONPATH: base.join(":") } }).then(() => true, () => false);
    if (!probe) standIns.push(path.join(SCRIPTS, "stand-ins", module));
  }
  return [...base, ...standIns].join(":");
}

/** Why this Python cannot run the SDK, or undefined when it can. */
async function missing(imports: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    await run(PYTHON, ["-c", `import ${imports}`], { env });
    return undefined;
  } catch (err) {
    const lines = String((err as { stderr?: string }).stderr ?? err).trim().split("\n");
    return `${PYTHON} cannot import ${imports}: ${lines.at(-1)}`;
  }
}

let server: TestServer;
let apiKey: string;
let workDir: string;

before(async () => {
  server = await startTestServer();
  const cookie = await signUpAndIn(server.url, { email: "lin@example.com", password: "password123" });
  apiKey = (await createApiKey(server.url, cookie, "python")).key;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-python-sdks-"));
});
after(async () => {
  await server?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** The run is there with its curve and a 4-prompt x 3-epoch grid, and nothing was refused. */
async function assertLanded(runName: string, gridKey: string) {
  const stored = await prisma.run.findFirstOrThrow({ where: { name: runName }, include: { project: true } });
  assert.equal(stored.status, "finished");
  const loss = await prisma.metricPoint.findMany({ where: { runId: stored.id, key: "train_loss" }, orderBy: { step: "asc" } });
  assert.equal(loss.length, 100);
  assert.equal(loss[99].value, 1 / 100);
  const grid = buildImageGrid(gridKey, (await listImages(stored.id)).filter((i) => i.key === gridKey));
  assert.deepEqual(grid.rows.map((r) => r.prompt), PROMPTS);
  assert.deepEqual(grid.epochs, [0, 1, 2]);
  assert.equal(grid.cells.size, 12);
  const refused = await prisma.logLine.findMany({ where: { runId: stored.id, stream: "stderr" } });
  assert.deepEqual(refused.map((l) => l.text), []);
  return stored;
}

for (const source of SOURCES.length ? SOURCES : [undefined]) {
  const label = source ? path.basename(source) : "installed";
  test(`SwanLab's SDK (${label}) runs the issue's script against Inkstone unchanged`, async (t) => {
    const env = { ...process.env, PYTHONPATH: await pythonPath(source) };
    const why = await missing("swanlab, PIL", env);
    if (why) return t.skip(`${why}; set INKSTONE_SDK_PYTHON and INKSTONE_SWANLAB_SOURCES to run it`);
    const cwd = fs.mkdtempSync(path.join(workDir, "swanlab-"));
    const name = `swanlab-${label}`;
    const { stdout } = await run(PYTHON, [path.join(SCRIPTS, "swanlab_script.py"), server.url, "python-sdks", name], {
      cwd,
      env: { ...env, SWANLAB_API_KEY: apiKey, HOME: cwd },
      timeout: 180_000,
    });
    assert.match(stdout, /swanlab script finished/);
    const stored = await assertLanded(name, "validation");
    assert.equal(stored.project.name, "python-sdks");
    assert.deepEqual(stored.config, { lr: 1e-4, epochs: 3, resolution: 512 });
  });
}

test("MLflow's client runs a script against Inkstone with MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN", async (t) => {
  const env = { ...process.env, PYTHONPATH: process.env.PYTHONPATH ?? "" };
  const why = await missing("mlflow, PIL", env);
  if (why) return t.skip(`${why}; install mlflow (or mlflow-skinny) for INKSTONE_SDK_PYTHON to run it`);
  const cwd = fs.mkdtempSync(path.join(workDir, "mlflow-"));
  const { stdout } = await run(PYTHON, [path.join(SCRIPTS, "mlflow_script.py"), "python-sdks-mlflow", "mlflow-run"], {
    cwd,
    env: { ...env, MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: apiKey, HOME: cwd },
    timeout: 180_000,
  });
  assert.match(stdout, /mlflow script finished/);
  const stored = await assertLanded("mlflow-run", "validation");
  assert.equal(stored.project.name, "python-sdks-mlflow");
  assert.deepEqual(stored.config, { lr: "0.0001", epochs: "3" });
  assert.deepEqual(stored.tags, ["team=vision"]);
});
