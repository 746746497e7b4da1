/**
 * The runs list's sorts (lib/server/runs/queries.ts) on a real PostgreSQL: by a
 * metric's last or lowest value and by duration, ordered and paged in SQL
 * across every page, runs without a value last; filters still apply.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";
import { applyPendingMigrations } from "@/lib/server/db/migrations";
import { storeMetrics } from "@/lib/server/ingest/store";
import { disconnect, prisma } from "@/lib/server/db/prisma";
import { createRun } from "@/lib/server/runs/create-run";
import { listRuns, parseRunListQuery } from "@/lib/server/runs/queries";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  await applyPendingMigrations(db.url);
  const hour = 3_600_000;
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  // name: train_loss values in step order, and minutes run (null: never started).
  const runs: [string, number[], number | null][] = [
    ["falls-low", [0.9, 0.1, 0.4], 30],
    ["ends-lowest", [0.5, 0.3, 0.2], 90],
    ["flat", [0.6, 0.6], 10],
    ["nan-only", [NaN], 60],
    ["no-loss", [], null],
  ];
  for (const [i, [name, losses, minutes]] of runs.entries()) {
    const { id } = await createRun({ project: i < 4 ? "sorts" : "other", name });
    if (losses.length) await storeMetrics(id, { points: losses.map((v, step) => ({ key: "train_loss", step, value: Number.isNaN(v) ? "NaN" : v })) });
    if (minutes !== null) {
      const startedAt = new Date(t0 + i * hour);
      await prisma.run.update({ where: { id }, data: { status: "finished", startedAt, endedAt: new Date(startedAt.getTime() + minutes * 60_000) } });
    }
  }
});
after(async () => {
  await disconnect();
  await db?.drop();
});

async function names(query: string): Promise<string[]> {
  return (await listRuns(parseRunListQuery(new URLSearchParams(query)))).runs.map((r) => r.name);
}

test("by the metric's last value, either way, runs without one last", async () => {
  assert.deepEqual(await names("sort=lastMetric&order=asc"), ["ends-lowest", "falls-low", "flat", "nan-only", "no-loss"]);
  assert.deepEqual(await names("sort=lastMetric&order=desc"), ["flat", "falls-low", "ends-lowest", "nan-only", "no-loss"]);
});

test("by the metric's lowest value", async () => {
  assert.deepEqual(await names("sort=minMetric&order=asc"), ["falls-low", "ends-lowest", "flat", "nan-only", "no-loss"]);
});

test("by duration, never-started runs last", async () => {
  assert.deepEqual(await names("sort=duration&order=desc"), ["ends-lowest", "nan-only", "falls-low", "flat", "no-loss"]);
  assert.deepEqual(await names("sort=duration&order=asc"), ["flat", "falls-low", "nan-only", "ends-lowest", "no-loss"]);
});

test("the order holds across pages, and filters apply before paging", async () => {
  assert.deepEqual(await names("sort=lastMetric&order=asc&pageSize=2&page=2"), ["flat", "nan-only"]);
  const filtered = await listRuns(parseRunListQuery(new URLSearchParams("sort=minMetric&order=asc&project=sorts&q=l&pageSize=2")));
  assert.deepEqual(filtered.runs.map((r) => r.name), ["falls-low", "ends-lowest"]);
  assert.equal(filtered.total, 4, "the project's four runs all have an l in their names");
});

test("each row carries the metric's last and lowest values", async () => {
  const { runs } = await listRuns(parseRunListQuery(new URLSearchParams("sort=name&order=asc")));
  const row = (name: string) => runs.find((r) => r.name === name)!;
  assert.deepEqual([row("falls-low").lastMetric, row("falls-low").minMetric], [0.4, 0.1]);
  assert.equal(row("nan-only").lastMetric, "NaN");
  assert.equal(row("nan-only").minMetric, null);
  assert.equal(row("no-loss").lastMetric, null);
});

test("an unknown sort is refused with the allowed ones named", () => {
  assert.throws(() => parseRunListQuery(new URLSearchParams("sort=loss")), /sort must be one of createdAt, name, status, startedAt, duration, lastMetric, minMetric/);
});
