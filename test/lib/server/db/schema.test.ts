/**
 * The migrations in prisma/migrations, applied to an empty database, give
 * exactly schema.prisma, and every model works through the generated client.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { applyPendingMigrations, diffMigrationsToSchema } from "@/lib/server/db/migrations";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";

let db: TestDatabase;
let prisma: PrismaClient;

before(async () => {
  db = await createTestDatabase();
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
});
after(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

test("a database migrated from empty matches schema.prisma", async () => {
  const applied = await applyPendingMigrations(db.url);
  assert.ok(applied.length >= 1, "the migrations were applied");
  assert.deepEqual(await applyPendingMigrations(db.url), [], "a second start applies nothing");
  assert.equal(await diffMigrationsToSchema(db.url), "", "no SQL separates the migrations from the schema");
});

test("the schema engine runs on plain Node, with no flag and no ExperimentalWarning", () => {
  // The node that `npm start` runs: NODE_OPTIONS as a user's shell would have it, without --experimental-wasm-modules.
  const env = { ...process.env, NODE_OPTIONS: "" };
  const script = `import("./lib/server/db/migrations.ts").then(async (m) => { console.log("pending=" + (await m.applyPendingMigrations(${JSON.stringify(db.url)})).length); process.exit(0) })`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { env, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /pending=0/);
  assert.doesNotMatch(run.stderr, /ExperimentalWarning|experimental/i);
});

test("every model works through the client", async () => {
  const user = await prisma.user.create({ data: { email: "a@example.com", name: "A", passwordHash: "x", role: "admin" } });
  const project = await prisma.project.create({ data: { name: "p" } });
  const run = await prisma.run.create({
    data: { projectId: project.id, name: "r", ingestTokenHash: "h", config: { lr: 1e-5 }, tags: ["a"], createdById: user.id },
  });
  await prisma.runEnvironment.create({ data: { runId: run.id, data: { node: process.version } } });
  await prisma.metricPoint.createMany({
    data: [
      { runId: run.id, key: "loss", step: 0, value: 1.5 },
      { runId: run.id, key: "loss", step: 1, value: Number.NaN },
    ],
  });
  await prisma.metricRollup.create({
    data: { runId: run.id, key: "loss", width: 64, bucket: 0, count: 2, minValue: 1.5, maxValue: 1.5, lastStep: 1, lastValue: Number.NaN, lastTime: new Date() },
  });
  await prisma.runImage.create({
    data: { runId: run.id, key: "validation", step: 1, epoch: 0, mimeType: "image/png", width: 1, height: 1, sha256: "s", bytes: new Uint8Array([1, 2, 3]) },
  });
  await prisma.logLine.create({ data: { runId: run.id, seq: 0, stream: "stderr", text: "hello" } });
  await prisma.invite.create({ data: { tokenHash: "t", createdById: user.id, expiresAt: new Date(Date.now() + 1e6) } });
  await prisma.apiKey.create({ data: { userId: user.id, name: "k", prefix: "ink_", keyHash: "kh" } });
  await prisma.shareLink.create({ data: { runId: run.id, tokenHash: "tok", createdById: user.id } });
  await prisma.launch.create({ data: { runId: run.id, argv: ["npm", "run", "train"], cwd: "/", slot: "cpu" } });

  const loaded = await prisma.run.findUniqueOrThrow({
    where: { id: run.id },
    include: { environment: true, metricPoints: { orderBy: { step: "asc" } }, images: true, logLines: true, shareLinks: true, launch: true, metricRollups: true },
  });
  assert.equal(loaded.metricPoints.length, 2);
  assert.ok(Number.isNaN(loaded.metricPoints[1].value), "NaN survives a round trip");
  assert.deepEqual([...loaded.images[0].bytes], [1, 2, 3]);
  assert.equal(loaded.logLines[0].stream, "stderr");
  assert.equal(loaded.launch?.slot, "cpu");

  await prisma.run.delete({ where: { id: run.id } });
  assert.equal(await prisma.metricPoint.count(), 0, "a run's data goes with it");
});
