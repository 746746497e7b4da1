/**
 * Fault test: the server's PostgreSQL goes away in the middle of a run, then
 * again for 30 s as it ends. The SDK keeps logging, retries what the server
 * could not store, resumes live delivery within seconds of the database
 * coming back, and finish() waits the outage out: nothing is lost and the run
 * ends `finished`, with no manual sync. Uses an embedded PostgreSQL of its
 * own, to stop it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as holdFor } from "node:timers/promises";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/server/db/embedded-postgres";
import { Run } from "@/lib/sdk/run";
import { storedCounts } from "../../helpers/stored";
import { waitFor } from "../../helpers/wait-for";
import { startServer, type RunningServer } from "@/lib/server/start-server";

const OUTAGE_MS = 30_000;
/** The SDK retries every 2 s at most; the rest is slack for a loaded machine. */
const RESUME_WITHIN_MS = 6_000;

let dataDir: string;
let spoolDir: string;
let pgPort: number;
let db: EmbeddedDatabase;
let server: RunningServer;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-outage-"));
  fs.chmodSync(dataDir, 0o755);
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-outage-spool-"));
  pgPort = 40000 + Math.floor(Math.random() * 20000);
  db = await startEmbeddedPostgres({ dataDir, port: pgPort });
  process.env.DATABASE_URL = db.url;
  server = await startServer({ port: 0, log: () => {} });
});
after(async () => {
  await server?.close();
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

test("database outages mid-run: delivery resumes within seconds, and a finish() during a 30 s outage waits it out", { timeout: 180_000 }, async () => {
  const warnings: string[] = [];
  const run = await Run.init({ url: server.url, project: "outage", spoolDir, onWarning: (w) => warnings.push(w) });
  let step = 0;
  const logging = setInterval(() => {
    run.log({ loss: 1 / (step + 1) }, step);
    if (step % 10 === 0) run.logText(`step ${step}`);
    step++;
  }, 20);
  let finished: Promise<unknown> | undefined;
  /** Until the server has stored every point logged so far: live delivery. */
  const caughtUp = (what: string, timeout?: number) => {
    const logged = step;
    return waitFor(async () => (await storedCounts(run.id!)).points, { what, until: (points) => points >= logged, timeout });
  };
  /**
   * The fault itself: the database is down for `ms` (a duration the scenario
   * sets, not a wait for anything), with `meanwhile` done during it.
   */
  const outage = async (ms: number, meanwhile: () => Promise<void> = async () => {}) => {
    const stopped = Date.now();
    await db.stop();
    await meanwhile();
    await holdFor(Math.max(0, stopped + ms - Date.now()));
    db = await startEmbeddedPostgres({ dataDir, port: pgPort });
  };
  try {
    await waitFor(async () => (await storedCounts(run.id!)).points, { what: "the first 100 points stored", until: (points) => points >= 100 });
    // A 17 s outage while the script keeps logging: once the database is back, the points
    // logged meanwhile arrive within seconds (a 30 s backoff used to leave them waiting).
    await outage(17_000);
    await caughtUp("the points logged during the outage, within seconds of the database coming back", RESUME_WITHIN_MS);

    // The run ends in the middle of a 30 s outage: finish() waits for the database instead of spooling.
    await outage(OUTAGE_MS, async () => {
      const atStop = step;
      await waitFor(() => step, { what: "points logged during the second outage", until: (n) => n >= atStop + 250 });
      clearInterval(logging);
      finished = run.finish();
    });
  } finally {
    clearInterval(logging);
  }
  assert.deepEqual(await finished, { delivered: true });
  assert.deepEqual(await storedCounts(run.id!), { points: step, logs: Math.ceil(step / 10), status: "finished" });
  assert.equal(fs.existsSync(run.spoolDir), false, "nothing left to sync");
  assert.ok(step > 1000, `${step} steps logged`);
});
