/**
 * A server restart during a launched run: the process keeps going (its own
 * process group, console in a file), the next server adopts it by pid, and
 * can still cancel it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { after, test } from "node:test";
import { startServer, type RunningServer } from "@/lib/server/start-server";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";
import { signUpAndIn } from "../../../helpers/auth";
import { killLeftoverLaunches } from "../../../helpers/launches";
import { outputLogPath } from "@/lib/server/launcher/output-log";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { prisma } from "@/lib/server/db/prisma";
import { waitFor } from "../../../helpers/wait-for";

process.env.INKSTONE_TRAIN_COMMAND = JSON.stringify([process.execPath, "test/lib/server/launcher/fixtures/fake-trainer.mjs"]);
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
  await waitFor(metricCount, { what: "the first points", until: (n) => n >= 3 });
  const { pid } = await prisma.launch.findUniqueOrThrow({ where: { runId: id } });
  assert.ok(pid);

  await server.close();
  server = undefined;
  const log = () => fs.readFileSync(outputLogPath(id), "utf8");
  await waitFor(log, { what: "the trainer to carry on without a server", until: (text) => text.includes("not delivered"), describe: (text) => `\n${text}` });
  process.kill(pid, 0); // still running without a server

  server = await startServer({ port, log: () => {} });
  const before = await metricCount();
  await waitFor(metricCount, { what: "points after the restart", until: (n) => n > before + 2 });
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id } })).status, "running");
  assert.equal((await prisma.launch.findUniqueOrThrow({ where: { runId: id } })).exitedAt, null, "adopted, not marked failed");

  const cancel = await fetch(`${server.url}/api/runs/${id}/cancel`, { method: "POST", headers: { cookie } });
  assert.equal(cancel.status, 200, await cancel.text());
  await waitFor(() => prisma.run.findUniqueOrThrow({ where: { id } }), { what: "the cancelled status", until: (r) => r.status === "cancelled" });
  const launch = await waitFor(() => prisma.launch.findUniqueOrThrow({ where: { runId: id } }), { what: "the adopted process's exit", until: (l) => l.exitedAt !== null });
  assert.match(launch.outputTail, /SIGTERM, saving a checkpoint/);
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id } })).status, "cancelled", "the run's own report stands");
});
