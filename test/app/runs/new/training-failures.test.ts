/**
 * The real trainer launched from the form (over HTTP) when things go wrong:
 * cancelled (SIGTERM: a checkpoint on disk, status cancelled), killed
 * (SIGKILL: failed within 60 s, with its last output), and a server restart
 * mid-run (the trainer keeps going, reconnects, and the run finishes with
 * nothing lost or stored twice).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { startServer, type RunningServer } from "@/lib/server/start-server";
import { prisma } from "@/lib/server/db/prisma";
import { signUpAndIn } from "../../../helpers/auth";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";
import { killLeftoverLaunches } from "../../../helpers/launches";
import { assertRunAddsUp, outputDir, removeOutputs, reportedConfig, runStatus, tinyLaunchBody, trainLossCount } from "../../training-fixtures";
import { waitFor } from "../../../helpers/wait-for";

process.env.INKSTONE_LAUNCH_SLOTS = "cpu";

let db: TestDatabase;
let server: RunningServer | undefined;
let port: number;
let cookie: string;
const outputs: string[] = [];

before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  port = await freePort();
  server = await startServer({ port, log: () => {} });
  cookie = await signUpAndIn(server.url, { email: "admin@example.com", password: "correct horse battery" });
});

after(async () => {
  await killLeftoverLaunches();
  await server?.close();
  await db?.drop();
  removeOutputs(outputs);
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port: p } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return p;
}

async function api(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server!.url}${route}`, {
    method,
    headers: { "content-type": "application/json", cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Launches the tiny demo and waits until the trainer has logged its first optimizer step. */
async function launchAndWaitForTraining(overrides: Record<string, unknown>): Promise<string> {
  const res = await api("POST", "/api/launches", tinyLaunchBody(overrides));
  const body = await res.text();
  assert.equal(res.status, 201, body);
  const { id } = (JSON.parse(body) as { data: { id: string } }).data;
  outputs.push(path.resolve("data", "outputs", id));
  await waitFor(() => trainLossCount(id), { what: "the first train_loss point", until: (n) => n >= 1, timeout: 120_000 });
  return id;
}

/** Pids of the processes in a launch's process group that run the trainer (not npm around it). */
function trainerPids(groupLeader: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return pgrp === groupLeader && cmdline.includes("trainer/train.ts") && !cmdline.includes("npm");
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

test("cancelling a run stops the trainer with a checkpoint on disk and the status cancelled", async () => {
  const id = await launchAndWaitForTraining({ max_train_steps: 1000, train_batch_size: 1, name: "to-cancel" });
  const cancel = await api("POST", `/api/runs/${id}/cancel`);
  assert.equal(cancel.status, 200, await cancel.text());
  await waitFor(() => runStatus(id), { what: "the cancelled status", until: (r) => r.status === "cancelled", timeout: 60_000 });
  const out = await outputDir(id);
  const checkpoints = await waitFor(() => (fs.existsSync(out) ? fs.readdirSync(out).filter((f) => /^checkpoint-\d+$/.test(f)) : []), {
    what: "a checkpoint folder",
    until: (c) => c.length === 1,
    timeout: 60_000,
  });
  const step = Number(checkpoints[0].split("-")[1]);
  assert.ok(step >= 1, `the checkpoint holds the steps done: ${checkpoints[0]}`);
  await waitFor(() => prisma.launch.findUniqueOrThrow({ where: { runId: id } }), { what: "the trainer's exit", until: (l) => l.exitedAt !== null, timeout: 60_000 });
  assert.equal((await runStatus(id)).status, "cancelled");
});

test("a trainer killed with SIGKILL leaves its run failed within 60 s, with its last output", async () => {
  const id = await launchAndWaitForTraining({ max_train_steps: 1000, train_batch_size: 1, name: "to-kill" });
  const { pid } = await prisma.launch.findUniqueOrThrow({ where: { runId: id } });
  const pids = trainerPids(pid!);
  assert.ok(pids.length >= 1, "found the trainer's process");
  for (const p of pids) process.kill(p, "SIGKILL");
  const run = await waitFor(() => runStatus(id), { what: "the failed status within 60 s", until: (r) => r.status === "failed" || r.status === "crashed", timeout: 60_000 });
  if (run.status === "failed") assert.match(run.error ?? "", /last output:/, "the error carries the trainer's last output");
});

test("a server restart mid-run loses nothing: the trainer reconnects and the run finishes with every point once", async () => {
  const id = await launchAndWaitForTraining({ max_train_steps: 6, train_batch_size: 2, name: "restart" });
  const { pid } = await prisma.launch.findUniqueOrThrow({ where: { runId: id } });
  const config = await reportedConfig(id);
  // The trainer also writes every step's metrics to a local file, which shows it training on while the server is down.
  const localMetrics = path.join(config.output_dir, config.logging_dir, "metrics.jsonl");
  const stepsTrained = () => (fs.existsSync(localMetrics) ? fs.readFileSync(localMetrics, "utf8").split("\n").filter((l) => l.includes('"train_loss"')).length : 0);
  await server!.close();
  server = undefined;
  const stored = await trainLossCount(id);
  assert.ok(stored < 6, "the server went down mid-run");
  await waitFor(stepsTrained, { what: "a step trained while the server is down", until: (n) => n > stored, timeout: 120_000 });
  process.kill(pid!, 0); // still running
  server = await startServer({ port, log: () => {} });
  const run = await waitFor(() => runStatus(id), { what: "the finished status", until: (r) => r.status !== "running" && r.status !== "queued", timeout: 180_000 });
  assert.equal(run.status, "finished", run.error ?? "");
  const counts = await assertRunAddsUp(id);
  assert.equal(counts.steps, 6);
});
