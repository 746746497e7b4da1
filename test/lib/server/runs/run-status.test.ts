/**
 * Run status transitions (lib/server/runs/status.ts): the allowed moves, and the
 * conditional write every status writer goes through, on a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";
import { applyPendingMigrations } from "@/lib/server/db/migrations";
import { finishRun, heartbeat, startRun } from "@/lib/server/ingest/store";
import { markSilentRunsCrashed } from "@/lib/server/runs/heartbeat-monitor";
import { prisma } from "@/lib/server/db/prisma";
import { RUN_STATUSES } from "@/lib/protocol/wire";
import { createRun } from "@/lib/server/runs/create-run";
import { canTransition, moveRun, NOT_ENDED, statusesLeadingTo } from "@/lib/server/runs/status";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  await applyPendingMigrations(db.url);
});
after(async () => {
  await prisma.$disconnect();
  await db?.drop();
});

async function statusOf(runId: string) {
  return prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, error: true, endedAt: true } });
}

test("the allowed transitions", () => {
  const allowed = RUN_STATUSES.flatMap((from) => RUN_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
  assert.deepEqual(allowed.sort(), [
    "cancelled->running",
    "crashed->cancelled",
    "crashed->failed",
    "crashed->finished",
    "crashed->running",
    "failed->running",
    "finished->running",
    "queued->cancelled",
    "queued->crashed",
    "queued->failed",
    "queued->finished",
    "queued->running",
    "running->cancelled",
    "running->crashed",
    "running->failed",
    "running->finished",
    "running->running",
  ]);
  assert.deepEqual(statusesLeadingTo("crashed"), ["queued", "running"]);
  assert.deepEqual(NOT_ENDED, ["queued", "running"]);
});

test("queued -> running -> finished; a late or repeated finish keeps the first end", async () => {
  const run = await createRun({ project: "status" });
  assert.equal((await statusOf(run.id)).status, "queued");
  await startRun(run.id, {});
  assert.equal((await statusOf(run.id)).status, "running");
  await finishRun(run.id, { status: "finished" });
  const finished = await statusOf(run.id);
  assert.equal(finished.status, "finished");
  assert.ok(finished.endedAt);
  await finishRun(run.id, { status: "failed", error: "late" });
  assert.deepEqual(await statusOf(run.id), finished);
  // A resumed run starts again.
  await startRun(run.id, {});
  assert.deepEqual(await statusOf(run.id), { status: "running", error: null, endedAt: null });
});

test("a silent run is marked crashed, a late heartbeat revives it, and its trainer may still finish it", async () => {
  const run = await createRun({ project: "status" });
  await startRun(run.id, {});
  const later = new Date(Date.now() + 3_600_000);
  assert.ok((await markSilentRunsCrashed(later)).includes(run.id));
  assert.match((await statusOf(run.id)).error ?? "", /no heartbeat/);
  await heartbeat(run.id);
  assert.deepEqual(await statusOf(run.id), { status: "running", error: null, endedAt: null });
  await heartbeat(run.id); // a heartbeat of a running run changes no status
  assert.equal((await statusOf(run.id)).status, "running");
  await finishRun(run.id, { status: "finished" });
  await heartbeat(run.id); // nor of an ended one
  assert.equal((await statusOf(run.id)).status, "finished");
});

test("the launcher settles only runs that have not ended", async () => {
  const run = await createRun({ project: "status" });
  await startRun(run.id, {});
  await finishRun(run.id, { status: "failed", error: "out of memory" });
  assert.equal(await moveRun(run.id, "finished", { from: NOT_ENDED }), false);
  assert.deepEqual((await statusOf(run.id)).error, "out of memory");
  const queued = await createRun({ project: "status" });
  assert.equal(await moveRun(queued.id, "cancelled", { from: NOT_ENDED, error: "cancelled before it started" }), true);
  assert.equal((await statusOf(queued.id)).status, "cancelled");
});
