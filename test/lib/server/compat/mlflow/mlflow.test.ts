/**
 * MLflow's tracking client against the real server and PostgreSQL: the
 * request sequence MLflow 3.6 sent for start_run, log_metric, log_image and
 * end_run (recordings/), replayed with new ids and an Inkstone API key as
 * MLFLOW_TRACKING_TOKEN; then named experiments, params, tags and errors.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../../../helpers/server";
import { createApiKey, signUpAndIn } from "../../../../helpers/auth";
import { png } from "../../../sdk/clients";
import { listImages } from "@/lib/server/runs/images";
import { prisma } from "@/lib/server/db/prisma";
import { loadRecording, Replayer } from "../replay";

let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer();
  const cookie = await signUpAndIn(server.url, { email: "ana@example.com", password: "password123" });
  token = (await createApiKey(server.url, cookie, "mlflow")).key;
});
after(async () => {
  await server?.close();
});

async function mlflow(method: string, path: string, body?: unknown, auth: string | null = token) {
  const res = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method,
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test("MLflow 3.6's recorded run replays: exactly 200 everywhere; metrics, images (PNG and WebP companion) and status land", async () => {
  const rec = loadRecording("mlflow-3.6.1dev-requests.jsonl");
  const recordedRun = (rec[1].body as { run_id: string }).run_id;
  const replayer = new Replayer(server.url, (req, r) => ({ url: server.url + r.swap(req.path), headers: { authorization: `Bearer ${token}` } }));
  let runId = "";
  for (const req of rec) {
    const ex = await replayer.send(req);
    assert.equal(ex.status, 200, `${req.method} ${req.path}: ${JSON.stringify(ex.body)}`);
    assert.equal(typeof ex.body, "object", "JSON replies");
    if (req.path.endsWith("/runs/create")) {
      runId = ex.body.run.info.run_id;
      assert.equal(ex.body.run.info.artifact_uri, `mlflow-artifacts:/0/${runId}/artifacts`);
      assert.equal(ex.body.run.info.status, "RUNNING");
      replayer.ids.set(recordedRun, runId);
    }
  }
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { project: true, createdBy: true } });
  assert.equal(run.status, "finished");
  assert.equal(run.project.name, "default", "MLflow's experiment 0");
  assert.equal(run.createdBy?.email, "ana@example.com");
  const points = await prisma.metricPoint.findMany({ where: { runId }, orderBy: { step: "asc" } });
  assert.deepEqual(points.map((p) => [p.key, p.step, p.value]), [["train_loss", 0, 0.5], ["train_loss", 1, 0.5], ["train_loss", 2, 1 / 3]], "a step logged twice keeps its first value");
  const images = await listImages(runId);
  assert.deepEqual(
    images.map((i) => [i.key, i.step, i.index, i.mimeType]),
    [
      ["val/sample0", 0, 0, "image/png"],
      ["validation", 2, 0, "image/png"],
    ],
    "log_image(key, step) is one image, the full-size PNG; an image logged by file name keeps its name",
  );
  const got = await mlflow("GET", `runs/get?run_id=${runId}`);
  assert.deepEqual(got.body.run.data.metrics.map((m: { key: string; step: number }) => [m.key, m.step]), [["train_loss", 2]]);
  assert.ok(got.body.run.data.tags.some((t: { key: string; value: string }) => t.key === "mlflow.loggedImages" && t.value === "True"));
  assert.equal(got.body.run.info.status, "FINISHED");
});

test("a named experiment, params, tags and a run name: set_experiment's calls, then Inkstone's config, tags and notes", async () => {
  const missing = await mlflow("GET", "experiments/get-by-name?experiment_name=sd-finetune");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error_code, "RESOURCE_DOES_NOT_EXIST");
  const created = await mlflow("POST", "experiments/create", { name: "sd-finetune" });
  assert.equal(created.status, 200);
  assert.equal((await mlflow("POST", "experiments/create", { name: "sd-finetune" })).body.error_code, "RESOURCE_ALREADY_EXISTS");
  const byName = await mlflow("GET", "experiments/get-by-name?experiment_name=sd-finetune");
  assert.equal(byName.body.experiment.experiment_id, created.body.experiment_id);
  assert.equal((await mlflow("GET", `experiments/get?experiment_id=${created.body.experiment_id}`)).body.experiment.name, "sd-finetune");

  const run = await mlflow("POST", "runs/create", { experiment_id: created.body.experiment_id, run_name: "lr-sweep-1", tags: [{ key: "mlflow.user", value: "ana" }] });
  const runId = run.body.run.info.run_id as string;
  assert.equal((await mlflow("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "1e-4" })).status, 200);
  assert.equal((await mlflow("POST", "runs/log-batch", { run_id: runId, params: [{ key: "epochs", value: "3" }], metrics: [{ key: "loss", value: "NaN", timestamp: 1, step: 0 }, { key: "loss", value: 0.7, timestamp: 2, step: 1 }], tags: [{ key: "team", value: "vision" }] })).status, 200);
  assert.equal((await mlflow("POST", "runs/set-tag", { run_id: runId, key: "mlflow.note.content", value: "first sweep" })).status, 200);
  assert.equal((await mlflow("POST", "runs/set-tag", { run_id: runId, key: "team", value: "gen" })).status, 200);
  assert.equal((await mlflow("POST", "runs/update", { run_id: runId, status: "KILLED", end_time: Date.now() })).body.run_info.status, "KILLED");

  const stored = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { project: true, environment: true } });
  assert.equal(stored.project.name, "sd-finetune");
  assert.equal(stored.name, "lr-sweep-1");
  assert.deepEqual(stored.config, { lr: "1e-4", epochs: "3" });
  assert.deepEqual(stored.tags, ["team=gen"]);
  assert.equal(stored.notes, "first sweep");
  assert.equal(stored.status, "cancelled");
  const loss = await prisma.metricPoint.findMany({ where: { runId }, orderBy: { step: "asc" } });
  assert.ok(Number.isNaN(loss[0].value) && loss[1].value === 0.7);
  const got = await mlflow("GET", `runs/get?run_id=${runId}`);
  assert.deepEqual(got.body.run.data.params, [{ key: "lr", value: "1e-4" }, { key: "epochs", value: "3" }]);
});

test("errors are MLflow's {error_code, message}: unknown runs, bad values, missing or wrong tokens; artifacts that are not images are noted", async () => {
  const unknown = await mlflow("POST", "runs/log-metric", { run_id: "nosuchrun", key: "loss", value: 1, timestamp: 1, step: 0 });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error_code, "RESOURCE_DOES_NOT_EXIST");
  const run = (await mlflow("POST", "runs/create", { experiment_id: "0" })).body.run.info.run_id as string;
  const bad = await mlflow("POST", "runs/log-metric", { run_id: run, key: "loss", value: "lots", timestamp: 1, step: 0 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, "INVALID_PARAMETER_VALUE");
  assert.match(bad.body.message, /value/);
  assert.equal((await mlflow("POST", "runs/create", { experiment_id: "0" }, null)).status, 401);
  assert.equal((await mlflow("POST", "runs/create", { experiment_id: "0" }, "Wrongkey0123456789abc")).status, 401);
  assert.equal((await mlflow("GET", "registered-models/search")).body.error_code, "RESOURCE_DOES_NOT_EXIST");

  const put = (path: string, body: BodyInit) =>
    fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/${path}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body });
  assert.equal((await put("model/config.json", new TextEncoder().encode("{}"))).status, 200);
  assert.equal((await put(`images/${encodeURIComponent("a#b%step%7%timestamp%1%u1.png")}`, new Uint8Array(await png(3, 3)))).status, 200);
  assert.equal((await put(`images/${encodeURIComponent("validation#3: a red fox%step%2%timestamp%1%u2.png")}`, new Uint8Array(await png(3, 3)))).status, 200);
  const images = await listImages(run);
  assert.deepEqual(
    images.map((i) => [i.key, i.step, i.index, i.caption]),
    [
      ["a/b", 7, 0, null],
      ["validation", 2, 3, "3: a red fox"],
    ],
    "'#' in the file name is the key's '/'; a key ending in '{i}: {prompt}' is a cell of the prompt x epoch grid",
  );
  const logs = await prisma.logLine.findMany({ where: { runId: run } });
  assert.match(logs.map((l) => l.text).join("\n"), /model\/config\.json: Inkstone keeps images only/);
});
