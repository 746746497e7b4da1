/**
 * The SDK's spool: a bounded memory buffer that spills to disk while the
 * server does not take batches, the offline spool left when the server is
 * unreachable at finish (or at init), and `sync`, which uploads it later.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setImmediate } from "node:timers/promises";
import { promisify } from "node:util";
import { Run } from "@/lib/sdk/run";
import { findSpools, syncSpool } from "@/lib/sdk/sync";
import { pool } from "@/lib/server/db/prisma";
import { startTestServer, type TestServer } from "../../helpers/server";
import { png } from "./clients";
import { waitFor } from "../../helpers/wait-for";

let server: TestServer;
let root: string;
/** While true, the server refuses /ingest connections as if its database were down. */
let refuseSockets = false;

before(async () => {
  server = await startTestServer();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-spool-"));
  server.io.of("/ingest").use((_socket, next) => (refuseSockets ? next(new Error("internal error (see the server log)")) : next()));
});
after(async () => {
  await server?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function counts(runId: string) {
  const { rows } = await pool().query(
    `SELECT (SELECT count(*)::int FROM "MetricPoint" WHERE "runId" = $1) AS points,
            (SELECT coalesce(sum("count"), 0)::int FROM "MetricRollup" WHERE "runId" = $1 AND "width" = 64) AS rollup,
            (SELECT count(*)::int FROM "LogLine" WHERE "runId" = $1) AS logs,
            (SELECT count(*)::int FROM "RunImage" WHERE "runId" = $1) AS images,
            (SELECT "status"::text FROM "Run" WHERE "id" = $1) AS status`,
    [runId],
  );
  return rows[0];
}

/** Logs `steps` steps of 4 metrics, a log line every 100 steps and two images. */
async function logWorkload(run: Run, steps: number, image: Buffer) {
  for (let step = 0; step < steps; step++) {
    run.log({ loss: 1 / (step + 1), acc: step / steps, lr: 1e-4, nan: step % 10 ? step : NaN });
    if (step % 100 === 0) run.logText(`step ${step}`);
    if (step % 1000 === 999) await setImmediate(); // a training loop gives the event loop a turn now and then
  }
  run.logImage("samples", image, { step: 0 });
  run.logImage("samples", image, { step: steps - 1, caption: "last" });
}

test("a full buffer spills to the spool file and drains once the server takes batches again", async () => {
  refuseSockets = true;
  const maxBufferBytes = 64 * 1024;
  const run = await Run.init({ url: server.url, project: "spill", spoolDir: root, maxBufferBytes, onWarning: () => {} });
  await logWorkload(run, 5000, await png());
  run.flush();
  assert.ok(run.bufferedBytes <= maxBufferBytes, `memory stays bounded: ${run.bufferedBytes} bytes buffered`);
  const spool = path.join(run.spoolDir, "spool.jsonl");
  await waitFor(() => (fs.existsSync(spool) ? fs.statSync(spool).size : 0), { what: "the rest to go to the spool file", until: (size) => size > 300_000 });
  assert.deepEqual(await counts(run.id!), { points: 0, rollup: 0, logs: 0, images: 0, status: "queued" });

  refuseSockets = false;
  assert.deepEqual(await run.finish(), { delivered: true });
  assert.deepEqual(await counts(run.id!), { points: 20_000, rollup: 20_000, logs: 50, images: 2, status: "finished" });
  assert.equal(fs.existsSync(run.spoolDir), false, "the drained spool is removed");
});

test("unreachable at finish: everything stays in the spool, and sync uploads it once", async () => {
  refuseSockets = true;
  const warnings: string[] = [];
  const run = await Run.init({
    url: server.url,
    project: "offline",
    spoolDir: root,
    maxBufferBytes: 256 * 1024,
    finishTimeoutMs: 500,
    onWarning: (m) => warnings.push(m),
  });
  await logWorkload(run, 3000, await png());
  const result = await run.finish("failed", "out of memory");
  assert.deepEqual(result, { delivered: false, spoolDir: run.spoolDir });
  assert.ok(warnings.some((w) => w.includes(`npm run sync -- ${run.spoolDir}`)), warnings.join("\n"));
  assert.deepEqual(await counts(run.id!), { points: 0, rollup: 0, logs: 0, images: 0, status: "queued" });
  refuseSockets = false;

  // A copy replayed after the real sync must change nothing.
  const copy = path.join(root, "replay", run.id!);
  fs.cpSync(run.spoolDir, copy, { recursive: true });
  assert.deepEqual(findSpools(root), [run.spoolDir]);

  const out = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/sync.ts", root], { cwd: process.cwd() });
  assert.match(out.stdout, /synced 1 of 1 spool/);
  assert.equal(fs.existsSync(run.spoolDir), false, "a synced spool is removed");
  const expected = { points: 12_000, rollup: 12_000, logs: 30, images: 2, status: "failed" };
  assert.deepEqual(await counts(run.id!), expected);
  const { rows } = await pool().query(`SELECT "error" FROM "Run" WHERE "id" = $1`, [run.id]);
  assert.equal(rows[0].error, "out of memory");

  const replay = await syncSpool(copy);
  assert.equal(replay.error, undefined);
  assert.deepEqual(await counts(run.id!), expected);
});

test("unreachable at init: the run is kept locally and sync creates it", async () => {
  const closed = "http://127.0.0.1:9"; // discard port: nothing listens
  const warnings: string[] = [];
  const run = await Run.init({ url: closed, project: "local", name: "offline-run", config: { bs: 2 }, spoolDir: root, onWarning: (m) => warnings.push(m) });
  assert.equal(run.id, undefined);
  assert.match(warnings[0], /cannot reach http:\/\/127\.0\.0\.1:9/);
  await logWorkload(run, 500, await png());
  const result = await run.finish();
  assert.equal(result.delivered, false);

  // The server is not where the spool says: sync fails and keeps everything.
  const failed = await syncSpool(result.spoolDir!, { attempts: 1 });
  assert.match(failed.error!, /127\.0\.0\.1:9/);
  assert.ok(fs.existsSync(path.join(result.spoolDir!, "spool.jsonl")));

  const synced = await syncSpool(result.spoolDir!, { url: server.url });
  assert.equal(synced.error, undefined);
  assert.ok(synced.runId);
  assert.deepEqual(await counts(synced.runId), { points: 2000, rollup: 2000, logs: 5, images: 2, status: "finished" });
  const { rows } = await pool().query(`SELECT r."name", r."config", p."name" AS project FROM "Run" r JOIN "Project" p ON p."id" = r."projectId" WHERE r."id" = $1`, [synced.runId]);
  assert.deepEqual(rows[0], { name: "offline-run", config: { bs: 2 }, project: "local" });
});
