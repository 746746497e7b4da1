/**
 * The launcher over the real server with a fake trainer (INKSTONE_TRAIN_COMMAND):
 * the run token travels in the environment only, one run at a time per slot,
 * cancel (queued and running), failures with the output's tail, lost processes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../../../helpers/server";
import { signUpAndIn } from "../../../helpers/auth";
import { killLeftoverLaunches } from "../../../helpers/launches";
import { waitFor } from "../../../helpers/wait-for";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { prisma } from "@/lib/server/db/prisma";

process.env.INKSTONE_TRAIN_COMMAND = JSON.stringify([process.execPath, "test/lib/server/launcher/fixtures/fake-trainer.mjs"]);
process.env.INKSTONE_LAUNCH_SLOTS = "cpu";

let server: TestServer;
let admin: string;
before(async () => {
  server = await startTestServer();
  admin = await signUpAndIn(server.url, { email: "admin@example.com", password: "correct horse battery" });
});
after(async () => {
  await killLeftoverLaunches();
  await server?.close();
});

async function launch(project: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/api/launches`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: admin },
    body: JSON.stringify({ ...PRESETS.naruto.values, project, tags: "", ...extra }),
  });
  const body = (await res.json()) as { ok: boolean; data: { id: string; url: string }; fields?: Record<string, string>; error?: string };
  return { status: res.status, ...body };
}

function waitForStatus(runId: string, statuses: string[], timeout = 20_000) {
  return waitFor(() => prisma.run.findUniqueOrThrow({ where: { id: runId } }), {
    what: `run ${runId} to be ${statuses.join("/")}`,
    until: (run) => statuses.includes(run.status),
    describe: (run) => run.status,
    timeout,
  });
}

/** The run may report its final status a moment before its process exits. */
function waitForExit(runId: string) {
  return waitFor(() => prisma.launch.findUniqueOrThrow({ where: { runId } }), { what: `the process of run ${runId} to exit`, until: (launch) => launch.exitedAt !== null });
}

/** When the launcher's tick after the present one has begun: each tick first renews the leases of its launches, so the tick in between ran whole. */
async function afterAWholeTick(runId: string): Promise<void> {
  const lease = () => prisma.launch.findUniqueOrThrow({ where: { runId } }).then((l) => l.leaseExpiresAt?.getTime() ?? 0);
  const now = await lease();
  const next = await waitFor(lease, { what: "the launcher's next tick", until: (t) => t > now });
  await waitFor(lease, { what: "the tick after it", until: (t) => t > next });
}

test("the form's API refuses bad values field by field and creates nothing", async () => {
  const before = await prisma.run.count();
  const res = await launch("bad", { resolution: "63", max_train_steps: "0" });
  assert.equal(res.status, 400);
  assert.deepEqual(Object.keys(res.fields ?? {}).sort(), ["max_train_steps", "resolution"]);
  assert.equal(await prisma.run.count(), before);
});

test("a launch runs the command with the run's id and token in its environment only", async () => {
  const res = await launch("ok");
  assert.equal(res.status, 201);
  assert.equal(res.data.url, `/runs/${res.data.id}`);
  const run = await waitForStatus(res.data.id, ["finished", "failed"]);
  assert.equal(run.status, "finished", run.error ?? "");
  assert.equal(await prisma.metricPoint.count({ where: { runId: run.id } }), 3);
  assert.match(run.commandLine ?? "", /--max_train_steps=15000/);
  const launchRow = await waitForExit(run.id);
  assert.equal(launchRow.exitCode, 0);
  assert.match(launchRow.outputTail, /token on the command line: false/);
  assert.ok(!launchRow.argv.some((a) => a.includes("TOKEN")));
});

test("one run at a time per slot; cancel withdraws a queued run at once and stops a running one", async () => {
  const first = await launch("slow");
  const second = await launch("ok");
  await waitForStatus(first.data.id, ["running"]);
  await afterAWholeTick(first.data.id);
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: second.data.id } })).status, "queued", "waits for the slot");
  const info = await fetch(`${server.url}/api/runs/${second.data.id}/launch`, { headers: { cookie: admin } }).then((r) => r.json());
  assert.deepEqual(info.data, { slot: "cpu", runsOn: "this server", host: null, outputDir: null, state: "queued", position: 1, exitCode: null, cancelRequested: false });

  const cancelQueued = await fetch(`${server.url}/api/runs/${second.data.id}/cancel`, { method: "POST", headers: { cookie: admin } });
  assert.deepEqual(((await cancelQueued.json()) as { data: unknown }).data, { state: "cancelled" });
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: second.data.id } })).status, "cancelled");

  const cancelRunning = await fetch(`${server.url}/api/runs/${first.data.id}/cancel`, { method: "POST", headers: { cookie: admin } });
  assert.deepEqual(((await cancelRunning.json()) as { data: unknown }).data, { state: "stopping" });
  const stopped = await waitForStatus(first.data.id, ["cancelled", "failed", "finished"]);
  assert.equal(stopped.status, "cancelled");
  assert.match((await waitForExit(first.data.id)).outputTail, /SIGTERM, saving a checkpoint/);

  const again = await fetch(`${server.url}/api/runs/${first.data.id}/cancel`, { method: "POST", headers: { cookie: admin } });
  assert.equal(again.status, 409);
});

test("a process that exits non-zero fails its run with the last lines of its output", async () => {
  const res = await launch("fail");
  const run = await waitForStatus(res.data.id, ["failed", "finished"]);
  assert.equal(run.status, "failed");
  assert.match(run.error ?? "", /exited with code 3/);
  assert.match(run.error ?? "", /out of memory \(fake\)/);
  assert.ok(!(run.error ?? "").includes("step 1 loss"), "only the tail");
});

test("a trainer killed with SIGKILL fails its run at once", async () => {
  const res = await launch("slow");
  await waitForStatus(res.data.id, ["running"]);
  const { pid } = await prisma.launch.findUniqueOrThrow({ where: { runId: res.data.id } });
  process.kill(pid!, "SIGKILL");
  const run = await waitForStatus(res.data.id, ["failed", "crashed"], 5000);
  assert.match(run.error ?? "", /killed by SIGKILL/);
});

test("a launch adopted from an earlier server whose process is gone is marked failed", async () => {
  const res = await launch("silent");
  await waitForStatus(res.data.id, ["finished"]);
  // A launch left 'active' by a previous server, with a pid that no longer exists.
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
  const orphan = await prisma.run.create({
    data: { project: { connect: { name: "ok" } }, name: "orphan", status: "running", ingestTokenHash: `x${Date.now()}`, startedAt: new Date() },
  });
  await prisma.launch.create({ data: { runId: orphan.id, argv: ["node"], cwd: ".", slot: "cpu", startedAt: new Date(), pid: dead } });
  const run = await waitForStatus(orphan.id, ["failed"]);
  assert.match(run.error ?? "", /ended without reporting \(started before a server restart/);
});
