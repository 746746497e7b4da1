/**
 * Delivery across failures: acknowledgements lost to a dropped connection and
 * a server restart in the middle of a run. The SDK resends what was not
 * acknowledged, the server stores each point once: the database ends up with
 * exactly what was logged.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setImmediate } from "node:timers/promises";
import { Run } from "@/lib/sdk/run";
import { pool } from "@/lib/server/db/prisma";
import { startServer, type RunningServer } from "@/lib/server/start-server";
import { createTestDatabase, type TestDatabase } from "../../helpers/database";
import { waitFor } from "../../helpers/wait-for";

let db: TestDatabase;
let server: RunningServer;
let spoolDir: string;
/** Points the server received in metrics events, resends included. */
let receivedPoints = 0;
/** Drop the connection, without acknowledging, on these metrics events (counted from 1). */
let dropOn = new Set<number>();
let metricsEvents = 0;

async function start(port = 0): Promise<RunningServer> {
  process.env.DATABASE_URL = db.url;
  const s = await startServer({ port, log: () => {} });
  s.io.of("/ingest").on("connection", (socket) => {
    // Runs after the real handler has begun storing the batch, so it is stored but its ack is lost.
    socket.on("metrics", (payload: { points?: unknown[] }) => {
      receivedPoints += payload?.points?.length ?? 0;
      if (dropOn.has(++metricsEvents)) socket.disconnect(true);
    });
  });
  return s;
}

before(async () => {
  db = await createTestDatabase();
  server = await start();
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-sdk-"));
});
after(async () => {
  await server?.close();
  await db?.drop();
  if (spoolDir) fs.rmSync(spoolDir, { recursive: true, force: true });
});

async function counts(runId: string) {
  const { rows } = await pool().query(
    `SELECT (SELECT count(*)::int FROM "MetricPoint" WHERE "runId" = $1) AS points,
            (SELECT count(DISTINCT ("key", "step"))::int FROM "MetricPoint" WHERE "runId" = $1) AS distinct_points,
            (SELECT coalesce(sum("count"), 0)::int FROM "MetricRollup" WHERE "runId" = $1 AND "width" = 64) AS rollup,
            (SELECT count(*)::int FROM "LogLine" WHERE "runId" = $1) AS logs,
            (SELECT "status"::text FROM "Run" WHERE "id" = $1) AS status`,
    [runId],
  );
  return rows[0];
}

/** Until the server has received every point logged so far (resends may add more). */
const receivedAll = (logged: number) => waitFor(() => receivedPoints, { what: `the server to receive ${logged} points`, until: (n) => n >= logged });

test("batches whose acknowledgement was lost are resent and stored once", async () => {
  receivedPoints = 0;
  metricsEvents = 0;
  dropOn = new Set([2, 5]);
  const run = await Run.init({ url: server.url, project: "resend", spoolDir, onWarning: () => {} });
  for (let step = 0; step < 6000; step++) {
    run.log({ loss: 1 / (step + 1) });
    if (step % 500 === 499) {
      run.logText(`step ${step}`);
      // Batch by batch, so the lost acknowledgements fall in the middle of the run.
      await receivedAll(step + 1);
    }
  }
  assert.deepEqual(await run.finish(), { delivered: true });
  assert.deepEqual(await counts(run.id!), { points: 6000, distinct_points: 6000, rollup: 6000, logs: 12, status: "finished" });
  assert.ok(receivedPoints > 6000, `the dropped batches were sent again (${receivedPoints} points received)`);
});

test("a server restart mid-run loses nothing and duplicates nothing", async () => {
  dropOn = new Set();
  receivedPoints = 0;
  const run = await Run.init({ url: server.url, project: "restart", spoolDir, onWarning: () => {} });
  let step = 0;
  /** A training loop's worth of logging: 25 rounds of 200 steps, giving the event loop a turn after each. */
  const logRounds = async () => {
    for (let round = 0; round < 25; round++) {
      for (let i = 0; i < 200; i++, step++) run.log({ loss: Math.sin(step), lr: 1e-4 });
      run.logText(`step ${step}`);
      await setImmediate();
    }
  };
  await logRounds();
  await receivedAll(2 * step);
  const port = server.port;
  await server.close();
  await logRounds(); // the server is down: everything waits in the SDK
  assert.ok(run.bufferedBytes > 0, "the SDK holds what it could not send");
  server = await start(port);
  await logRounds();
  assert.deepEqual(await run.finish(), { delivered: true });
  const logLines = Math.ceil(step / 200);
  assert.deepEqual(await counts(run.id!), { points: 2 * step, distinct_points: 2 * step, rollup: 2 * step, logs: logLines, status: "finished" });
});
