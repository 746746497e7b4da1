/**
 * The launch queue's claims on a real PostgreSQL: concurrent claimers take
 * each queued launch exactly once (SKIP LOCKED), claims are renewed, adopted
 * by a later server on the same machine, and settled by the leader once lapsed.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { applyPendingMigrations } from "@/lib/server/db/migrations";
import { createRun } from "@/lib/server/runs/create-run";
import { disconnect, prisma } from "@/lib/server/db/prisma";
import { LEASE_MS, adoptLapsedClaims, claimNextQueued, renewClaims, type Claimer } from "@/lib/server/launcher/queue";
import { settleLapsedClaims } from "@/lib/server/launcher/housekeeping";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";

let db: TestDatabase;
const savedUrl = process.env.DATABASE_URL;
before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  await applyPendingMigrations(db.url);
});
after(async () => {
  await disconnect();
  await db?.drop();
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
});

async function queue(project: string, count: number, slot = "cpu"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await createRun({ project });
    await prisma.launch.create({ data: { runId: id, argv: ["true"], cwd: "/", slot } });
    ids.push(id);
  }
  return ids;
}

test("concurrent claimers take every queued launch exactly once", async () => {
  const ids = await queue("claims", 40);
  // Eight claimers at once; the pool gives each statement a connection of its own, as eight servers would have.
  const claimers: Claimer[] = Array.from({ length: 8 }, (_, i) => ({ host: `host-${i % 2}`, id: `server-${i}` }));
  const taken: { runId: string; by: string }[] = [];
  await Promise.all(
    claimers.map(async (claimer) => {
      for (let next = await claimNextQueued("cpu", claimer); next; next = await claimNextQueued("cpu", claimer)) {
        taken.push({ runId: next.runId, by: claimer.id });
      }
    }),
  );
  assert.equal(taken.length, ids.length, "no launch claimed twice, none left behind");
  assert.deepEqual(new Set(taken.map((t) => t.runId)), new Set(ids));
  assert.ok(new Set(taken.map((t) => t.by)).size > 1, "the claims were really concurrent");
  const rows = await prisma.launch.findMany({ where: { runId: { in: ids } } });
  for (const row of rows) assert.equal(row.claimedBy, taken.find((t) => t.runId === row.runId)!.by);
});

test("claimNextQueued hands out the oldest launch of its slot and null once the slot is empty", async () => {
  const [first, second] = await queue("order", 2, "gpu7");
  const me: Claimer = { host: "h", id: "h/1" };
  assert.equal((await claimNextQueued("gpu7", me))?.runId, first);
  assert.equal((await claimNextQueued("gpu7", me))?.runId, second);
  assert.equal(await claimNextQueued("gpu7", me), null);
  const row = await prisma.launch.findUniqueOrThrow({ where: { runId: first } });
  assert.equal(row.host, "h");
  assert.ok(row.leaseExpiresAt! > new Date(Date.now() + LEASE_MS - 5_000), "the claim carries a lease");
});

test("a lapsed claim is adopted on its machine, else requeued (no process) or settled (process) by the leader", async () => {
  const [adopted, requeued, settled] = await queue("lapsed", 3, "gpu8");
  const gone: Claimer = { host: "box", id: "box/1" };
  const elsewhere: Claimer = { host: "other", id: "other/1" };
  await claimNextQueued("gpu8", gone);
  await claimNextQueued("gpu8", elsewhere);
  await claimNextQueued("gpu8", elsewhere);
  await prisma.launch.updateMany({ where: { runId: { in: [adopted, settled] } }, data: { pid: 4242 } });
  const lapsed = new Date(Date.now() - 2 * LEASE_MS - 1000);
  await prisma.launch.updateMany({ where: { runId: { in: [adopted, requeued, settled] } }, data: { leaseExpiresAt: lapsed } });

  // A restarted server on "box" renews nothing of its own but adopts box's lapsed launch.
  const restarted: Claimer = { host: "box", id: "box/2" };
  await renewClaims(restarted);
  await adoptLapsedClaims(restarted);
  const adoptedRow = await prisma.launch.findUniqueOrThrow({ where: { runId: adopted } });
  assert.equal(adoptedRow.claimedBy, "box/2");
  assert.ok(adoptedRow.leaseExpiresAt! > new Date());

  const result = await settleLapsedClaims();
  assert.deepEqual(result, { requeued: [requeued], lost: [settled] });
  const back = await prisma.launch.findUniqueOrThrow({ where: { runId: requeued } });
  assert.equal(back.startedAt, null, "claimed but never started: queued again");
  assert.equal(back.claimedBy, null);
  const lost = await prisma.launch.findUniqueOrThrow({ where: { runId: settled } });
  assert.ok(lost.exitedAt);
  assert.match(lost.outputTail, /server on other .* stopped renewing/);
  const run = await prisma.run.findUniqueOrThrow({ where: { id: settled } });
  assert.equal(run.status, "failed", "a run that never reported fails");
  assert.equal((await claimNextQueued("gpu8", elsewhere))?.runId, requeued, "the requeued launch is claimable again");
});
