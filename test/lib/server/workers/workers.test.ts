/**
 * Remote workers against two instances on one PostgreSQL and Redis: two
 * worker clones (own folders, no database in their environment) take the
 * runs queued from the form exactly once; a cancel on instance B stops a run
 * on a worker talking to A; a worker that dies crashes its run and the queue
 * moves on to the other. The trainer is the launcher tests' fake one.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { createCluster, type Cluster, type Instance } from "../../../helpers/instances";
import { signUpAndIn } from "../../../helpers/auth";
import { startWorkerClone, type WorkerProcess } from "../../../helpers/worker-clone";
import { waitFor } from "../../../helpers/wait-for";

const FAKE_TRAINER = JSON.stringify([process.execPath, path.resolve("test/lib/server/launcher/fixtures/fake-trainer.mjs")]);
let cluster: Cluster;
let a: Instance;
let b: Instance;
let cookie: string;
let db: pg.Client;
const workers: WorkerProcess[] = [];

before(async () => {
  cluster = await createCluster({ INKSTONE_WORKER_TIMEOUT_MS: "5000" });
  a = await cluster.start("a");
  b = await cluster.start("b");
  cookie = await signUpAndIn(a.url, { email: "admin@example.com", password: "correct horse battery" });
  db = new pg.Client({ connectionString: cluster.db.url });
  await db.connect();
});
after(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await db?.end();
  await cluster?.close();
});

async function api(url: string, method: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { cookie, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; data: any; error?: string; fields?: Record<string, string> } };
}

/** Queues a run from the form; the fake trainer's behaviour follows the project ("slow": until SIGTERM, "ok": finishes). */
async function queue(project: "slow" | "ok", runsOn: string) {
  const res = await api(`${a.url}/api/launches`, "POST", { ...PRESETS.naruto.values, project, tags: "", runs_on: runsOn });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data.id as string;
}

const runRow = (id: string) => db.query(`SELECT r."status", r."error", l."workerId", l."exitedAt" FROM "Run" r JOIN "Launch" l ON l."runId" = r."id" WHERE r."id" = $1`, [id]).then((q) => q.rows[0]);

test("the form refuses an unknown worker, naming the field", async () => {
  const res = await api(`${a.url}/api/launches`, "POST", { ...PRESETS.naruto.values, project: "ok", tags: "", runs_on: "worker:nope" });
  assert.equal(res.status, 400);
  assert.ok(res.body.fields?.runs_on, JSON.stringify(res.body));
  assert.equal(Number((await db.query(`SELECT count(*) FROM "Run"`)).rows[0].count), 0, "nothing created");
});

test("two workers take the queued runs exactly once; cancel on B stops a run on a worker connected to A; a dead worker's run crashes and the queue moves on", async () => {
  const tokens: string[] = [];
  for (const name of ["w1", "w2"]) {
    const created = await api(`${a.url}/api/workers`, "POST", { name });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    tokens.push(created.body.data.token);
  }
  const slow1 = await queue("slow", "any_worker");
  const slow2 = await queue("slow", "any_worker");
  for (const [i, name] of ["w1", "w2"].entries()) {
    workers.push(startWorkerClone({ server: a.url, token: tokens[i], name, env: { INKSTONE_TRAIN_COMMAND: FAKE_TRAINER, INKSTONE_LAUNCH_SLOTS: "cpu" } }));
  }
  await Promise.all(workers.map((w) => w.waitFor(/registered as/)));

  const [row1, row2] = await waitFor(() => Promise.all([runRow(slow1), runRow(slow2)]), { what: "both runs running", until: (rows) => rows.every((r) => r.status === "running") });
  assert.notEqual(row1.workerId, row2.workerId, "one run per worker (each has one slot)");
  // Exactly once: each run's console log exists in one worker's folder only.
  for (const id of [slow1, slow2]) {
    const holders = workers.filter((w) => fs.existsSync(path.join(w.dir, "data", "launches", `${id}.log`)));
    assert.equal(holders.length, 1, `run ${id} started on ${holders.length} workers`);
  }

  const listed = await api(`${b.url}/api/workers`, "GET");
  assert.deepEqual(listed.body.data.map((w: any) => [w.name, w.state, w.current.length]), [["w1", "online", 1], ["w2", "online", 1]]);
  const page = await (await fetch(`${b.url}/workers`, { headers: { cookie } })).text();
  assert.match(page, /w1[\s\S]*online[\s\S]*w2/, "the Workers page lists both, online");
  const form = await (await fetch(`${b.url}/runs/new`, { headers: { cookie } })).text();
  assert.match(form, /value="any_worker"/, "the form offers any worker");
  assert.match(form, /Worker w1/, "and each worker");
  const runsPage = await (await fetch(`${b.url}/`, { headers: { cookie } })).text();
  assert.match(runsPage, /worker w[12]/, "the runs table says where each run runs");
  const where = await api(`${b.url}/api/runs/${slow1}/launch`, "GET");
  assert.match(where.body.data.runsOn, /^worker w[12] \(.+\)$/, "the worker and its host");
  assert.ok(where.body.data.host);
  assert.match(where.body.data.outputDir, /inkstone-worker-w[12]-.*\/data\/outputs|sd-naruto-model/);

  // Cancel on instance B; the worker hears of it through its heartbeat to A.
  const cancel = await api(`${b.url}/api/runs/${slow2}/cancel`, "POST");
  assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
  await waitFor(() => runRow(slow2), { what: "the cancel obeyed within seconds", until: (r) => r.status === "cancelled" && r.exitedAt !== null, timeout: 15_000 });

  // The worker still running slow1 dies with its host.
  const dying = workers.find((w) => w.output().includes(slow1))!;
  const survivor = workers.find((w) => w !== dying)!;
  await dying.killHost();
  const crashed = await waitFor(() => runRow(slow1), { what: "the dead worker's run crashed within 60 s", until: (r) => r.status === "crashed", timeout: 60_000 });
  assert.match(crashed.error, /stopped heartbeating/);

  // The queue moves on: the next run goes to the surviving worker and finishes.
  const next = await queue("ok", "any_worker");
  // Finished by the trainer's own report, then closed by the worker's exit report.
  await waitFor(() => runRow(next), { what: "the next run finished", until: (r) => r.status === "finished" && r.exitedAt !== null, timeout: 30_000 });
  assert.ok(survivor.output().includes(next), "run by the surviving worker");

  // Revoked in Settings (here on B): the worker's next heartbeat is refused and it stops.
  const survivorId = listed.body.data.find((w: any) => survivor.output().includes(`registered as ${w.name}`)).id;
  assert.equal((await api(`${b.url}/api/workers/${survivorId}`, "DELETE")).status, 200);
  await survivor.waitFor(/refuses this worker's token/, 15_000);
  await waitFor(() => survivor.process.exitCode, { what: "the revoked worker's exit", until: (code) => code === 1, timeout: 15_000 });
});
