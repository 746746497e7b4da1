/**
 * A server restart during a launched run: the process keeps going (its own
 * process group, console in a file), the next server adopts it by pid, and
 * can still cancel it.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, test } from "node:test";
import { startServer, type RunningServer } from "@/lib/server/start-server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { signUpAndIn } from "../helpers/auth";
import { killLeftoverLaunches } from "../helpers/launches";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { prisma } from "@/lib/server/db/prisma";

process.env.INKSTONE_TRAIN_COMMAND = JSON.stringify([process.execPath, "test/dashboard/fixtures/fake-trainer.mjs"]);
process.env.INKSTONE_LAUNCH_SLOTS = "cpu";

let db: TestDatabase | undefined;
let server: RunningServer | undefined;
after(async () => {
  await killLeftoverLaunches();
  await server?.close();
  await db?.drop();
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

test("a running launch survives a server restart and is adopted by the next server", async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const port = await freePort();
  server = await startServer({ port, log: () => {} });
  const cookie = await signUpAndIn(server.url, { email: "admin@example.com", password: "correct horse battery" });
  const res = await fetch(`${server.url}/api/launches`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ ...PRESETS.naruto.values, project: "slow", tags: "" }),
  });
  const { id } = ((await res.json()) as { data: { id: string } }).data;
  const metricCount = () => prisma.metricPoint.count({ where: { runId: id } });
  await until("the first points", metricCount, (n) => n >= 3);
  const { pid } = await prisma.launch.findUniqueOrThrow({ where: { runId: id } });
  assert.ok(pid);

  await server.close();
  server = undefined;
  process.kill(pid, 0); // still running without a server
  await new Promise((r) => setTimeout(r, 600));

  server = await startServer({ port, log: () => {} });
  const before = await metricCount();
  await until("points after the restart", metricCount, (n) => n > before + 2);
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id } })).status, "running");
  assert.equal((await prisma.launch.findUniqueOrThrow({ where: { runId: id } })).exitedAt, null, "adopted, not marked failed");

  const cancel = await fetch(`${server.url}/api/runs/${id}/cancel`, { method: "POST", headers: { cookie } });
  assert.equal(cancel.status, 200, await cancel.text());
  await until("the cancelled status", () => prisma.run.findUniqueOrThrow({ where: { id } }), (r) => r.status === "cancelled");
  const launch = await until("the adopted process's exit", () => prisma.launch.findUniqueOrThrow({ where: { runId: id } }), (l) => l.exitedAt !== null);
  assert.match(launch.outputTail, /SIGTERM, saving a checkpoint/);
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id } })).status, "cancelled", "the run's own report stands");
});
