/**
 * Two instances (separate processes, two ports) on one PostgreSQL and one
 * Redis, as behind a balancer: live points cross instances, sessions and API
 * keys work on either, and the singleton duties move when their holder dies.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { Run } from "@/lib/sdk/run";
import { createCluster, type Cluster, type Instance } from "../../helpers/instances";
import { createApiKey, signInViaApi, signUpAndIn } from "../../helpers/auth";
import { createRunViaApi } from "../../helpers/server";
import { connectIngest, emitAck, subscribeLive } from "../sdk/clients";
import { waitFor } from "../../helpers/wait-for";

const LEADER = /this instance runs the singleton duties/;
let cluster: Cluster;
let a: Instance;
let b: Instance;
let spoolDir: string;

before(async () => {
  // A short heartbeat timeout keeps the crash check quick; the election keeps its real 5 s retry.
  cluster = await createCluster({ INKSTONE_HEARTBEAT_TIMEOUT_MS: "3000", INKSTONE_LAUNCH_SLOTS: "cpu" });
  // One after the other: the first applies the migrations.
  a = await cluster.start("a");
  await a.waitFor(LEADER, 15_000);
  b = await cluster.start("b");
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-cluster-"));
});
after(async () => {
  await cluster?.close();
  if (spoolDir) fs.rmSync(spoolDir, { recursive: true, force: true });
});

test("a subscriber on instance B sees, live and exactly once, the points a trainer sends to instance A", async () => {
  assert.doesNotMatch(b.output(), LEADER, "only one instance holds the duties");
  const run = await Run.init({ url: a.url, project: "cluster", name: "fan-out", spoolDir });
  const live = await subscribeLive(b.url, run.id!);
  try {
    for (let step = 0; step < 300; step++) run.log({ loss: 1 / (step + 1) }, step);
    assert.deepEqual(await run.finish(), { delivered: true });
    const steps = () => live.events.filter((e) => e.event === "metrics").flatMap((e) => e.payload.points.map((p: { step: number }) => p.step));
    await live.until(() => steps().length >= 300 && live.events.some((e) => e.event === "status" && e.payload.status === "finished"));
    assert.deepEqual(steps().sort((x: number, y: number) => x - y), Array.from({ length: 300 }, (_, i) => i), "every point once");
  } finally {
    live.close();
  }
});

test("trainers starting together in a new project, on both instances, all get their runs", async () => {
  const created = await Promise.all(Array.from({ length: 12 }, (_, i) => createRunViaApi([a, b][i % 2].url, { project: "together" })));
  assert.equal(new Set(created.map((r) => r.id)).size, 12);
});

test("a session cookie and an API key made on A are honoured on B", async () => {
  const cookie = await signUpAndIn(a.url, { email: "ada@example.com", password: "correct horse battery" });
  const key = (await createApiKey(a.url, cookie, "ci")).key;

  assert.equal((await fetch(`${b.url}/api/keys`, { headers: { cookie } })).status, 200, "B reads A's session cookie");
  assert.equal((await fetch(`${b.url}/api/keys`)).status, 401, "and refuses without one");
  const created = await createRunViaApi(b.url, { name: "by-key" }, { authorization: `Bearer ${key}` });
  assert.ok(created.id, "B accepts A's API key");
  assert.ok(await signInViaApi(b.url, "ada@example.com", "correct horse battery"), "signing in on B works too");
});

test("when the instance with the singleton duties dies, the other takes over within 30 s and still crashes silent runs", async () => {
  await a.kill("SIGKILL");
  const takeover = b.waitFor(LEADER, 30_000);
  takeover.catch(() => {}); // awaited below, after the silent run is made
  // A run on B that starts, then falls silent: only the new leader can mark it crashed.
  const signedIn = await signInViaApi(b.url, "ada@example.com", "correct horse battery");
  const key = (await createApiKey(b.url, signedIn, "crash")).key;
  const created = await createRunViaApi(b.url, { name: "goes-silent" }, { authorization: `Bearer ${key}` });
  const socket = await connectIngest(b.url, created.id, created.token);
  assert.equal((await emitAck(socket, "run:start", {})).ok, true);
  socket.close();

  await takeover;

  const client = new pg.Client({ connectionString: cluster.db.url });
  await client.connect();
  try {
    const status = async () => (await client.query(`SELECT "status" FROM "Run" WHERE "id" = $1`, [created.id])).rows[0].status as string;
    await waitFor(status, { what: "the new leader's heartbeat check to mark the silent run crashed", until: (s) => s === "crashed", timeout: 20_000 });
  } finally {
    await client.end();
  }
});
