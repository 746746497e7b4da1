/**
 * The SDK against the real server: batching, steps, non-finite values, logs,
 * images, input it refuses without throwing, the module-level API and
 * attaching to a run the server launched.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as inkstone from "@/lib/sdk";
import { Run } from "@/lib/sdk/run";
import { pool } from "@/lib/server/db/prisma";
import { createRunViaApi, startTestServer, type TestServer } from "../../helpers/server";
import { png, subscribeLive } from "./clients";

let server: TestServer;
let spoolDir: string;
/** Events the server received on /ingest, with how many points or lines each carried. */
let received: { event: string; items: number }[] = [];

before(async () => {
  server = await startTestServer();
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-sdk-"));
  server.io.of("/ingest").on("connection", (socket) => {
    socket.onAny((event: string, payload: { points?: unknown[]; lines?: unknown[] }) => {
      received.push({ event, items: payload?.points?.length ?? payload?.lines?.length ?? 1 });
    });
  });
});
after(async () => {
  await server?.close();
  if (spoolDir) fs.rmSync(spoolDir, { recursive: true, force: true });
});
beforeEach(() => {
  received = [];
});

async function stored(runId: string) {
  const q = (sql: string) => pool().query(sql, [runId]).then((r) => r.rows);
  return {
    points: await q(`SELECT "key", "step", "value" FROM "MetricPoint" WHERE "runId" = $1 ORDER BY "key", "step"`),
    logs: await q(`SELECT "seq", "stream", "text" FROM "LogLine" WHERE "runId" = $1 ORDER BY "seq"`),
    images: await q(`SELECT "key", "step", "epoch", "index", "caption", "width" FROM "RunImage" WHERE "runId" = $1 ORDER BY "key", "step", "index"`),
    run: (await q(`SELECT "status", "error", "config", "name", "tags" FROM "Run" WHERE "id" = $1`))[0],
    environment: (await q(`SELECT "data" FROM "RunEnvironment" WHERE "runId" = $1`))[0]?.data,
  };
}

test("points are sent in full batches, with auto-incremented steps and non-finite values", async () => {
  const run = await Run.init({ url: server.url, project: "sdk", name: "batching", config: { lr: 0.01 }, tags: ["a"], spoolDir });
  for (let i = 0; i < 2500; i++) run.log({ loss: 1 / (i + 1), acc: i === 3 ? NaN : i === 4 ? Infinity : i === 5 ? -Infinity : i });
  run.log({ jump: 1 }, 10_000);
  run.log({ jump: 2 });
  const result = await run.finish();
  assert.deepEqual(result, { delivered: true });

  const metricEvents = received.filter((e) => e.event === "metrics");
  assert.deepEqual(
    metricEvents.map((e) => e.items),
    [1000, 1000, 1000, 1000, 1000, 2],
    "5,000 points logged in one go travel as five full batches",
  );
  assert.deepEqual(
    received.map((e) => e.event).filter((e) => e !== "metrics" && e !== "heartbeat"),
    ["run:start", "run:finish"],
  );
  const s = await stored(run.id!);
  assert.equal(s.points.length, 5002);
  const acc = s.points.filter((p) => p.key === "acc");
  assert.deepEqual(
    acc.slice(0, 7).map((p) => [p.step, p.value]),
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, NaN],
      [4, Infinity],
      [5, -Infinity],
      [6, 6],
    ],
  );
  assert.equal(acc.at(-1).step, 2499);
  assert.deepEqual(
    s.points.filter((p) => p.key === "jump").map((p) => p.step),
    [10_000, 10_001],
  );
  assert.equal(s.run.status, "finished");
  assert.equal(s.run.name, "batching");
  assert.deepEqual(s.run.tags, ["a"]);
  assert.deepEqual(s.run.config, { lr: 0.01 });
  assert.equal(s.environment.runtime.node, process.version);
  assert.equal(fs.existsSync(run.spoolDir), false, "a delivered run leaves no spool");
});

test("a few points reach /live within the flush interval, without finish()", async () => {
  const run = await Run.init({ url: server.url, project: "sdk", spoolDir, flushIntervalMs: 100 });
  const live = await subscribeLive(server.url, run.id!);
  try {
    run.log({ loss: 0.5 });
    await live.until((ev) => ev.some((e) => e.event === "metrics"), 5_000);
    assert.deepEqual(live.events.find((e) => e.event === "metrics")!.payload.points.map((p: { key: string; value: number }) => [p.key, p.value]), [["loss", 0.5]]);
  } finally {
    live.close();
    await run.finish();
  }
});

test("logs, images and refused input: warned once, never thrown, nothing else lost", async () => {
  const warnings: string[] = [];
  const run = await Run.init({ url: server.url, project: "sdk", spoolDir, onWarning: (m) => warnings.push(m) });
  const image = await png(5, 4);
  run.log({ ["k".repeat(256)]: 1, ok: 1 }, 0);
  run.log({ ["k".repeat(256)]: 2, ok: 2 }, 1);
  run.log({ text: "high" as unknown as number, ok: 3 }, 2);
  run.log({ ok: 4 }, -1);
  run.log({ ok: 5 }, 1.5);
  run.logImage("samples", Buffer.from("not an image"), { step: 1 });
  run.logImage("samples", image, { step: 2, epoch: 1, caption: "red", index: 1 });
  run.logImage("samples", image, { step: 2, index: 0 });
  image.fill(0); // the SDK copied the bytes
  run.logText("first\nsecond\n");
  run.logText("oops", "stderr");
  run.logText("x".repeat(40_000));
  assert.deepEqual(await run.finish("failed", "diverged"), { delivered: true });
  run.log({ late: 1 });
  run.log({ late: 2 });

  const s = await stored(run.id!);
  assert.deepEqual(
    s.points.map((p) => [p.key, p.step, p.value]),
    [
      ["ok", 0, 1],
      ["ok", 1, 2],
      ["ok", 2, 3],
    ],
  );
  assert.deepEqual(
    s.images.map((i) => [i.step, i.index, i.epoch, i.caption, i.width]),
    [
      [2, 0, null, null, 5],
      [2, 1, 1, "red", 5],
    ],
  );
  assert.deepEqual(
    s.logs.map((l) => [l.seq, l.stream, l.text.length > 20 ? l.text.length : l.text]),
    [
      [0, "stdout", "first"],
      [1, "stdout", "second"],
      [2, "stderr", "oops"],
      [3, "stdout", 16_384],
      [4, "stdout", 16_384],
      [5, "stdout", 40_000 - 2 * 16_384],
    ],
  );
  assert.equal(s.run.status, "failed");
  assert.equal(s.run.error, "diverged");
  assert.equal(warnings.filter((w) => w.includes("at most") || w.includes("1 to 255")).length, 1, warnings.join("\n"));
  assert.equal(warnings.filter((w) => w.includes('"text" is a string')).length, 1);
  assert.equal(warnings.filter((w) => w.includes("step must be an integer")).length, 2);
  assert.equal(warnings.filter((w) => w.includes("not a PNG, JPEG or WebP")).length, 1);
  assert.equal(warnings.filter((w) => w.includes("after finish")).length, 1);
});

test("module-level functions act on the current run; a launched process attaches to its run", async () => {
  const launched = await createRunViaApi(server.url, { project: "sdk", name: "launched", config: { from: "form" } });
  process.env.INKSTONE_RUN_ID = launched.id;
  process.env.INKSTONE_RUN_TOKEN = launched.token;
  process.env.INKSTONE_URL = server.url;
  try {
    // The script names another server: the one that launched it wins.
    const run = await inkstone.init({ project: "ignored", url: "http://127.0.0.1:9", config: { seed: 1 }, spoolDir });
    assert.equal(run.id, launched.id);
    assert.equal(inkstone.currentRun(), run);
    inkstone.log({ loss: 1 });
    inkstone.log({ loss: 0.5 });
    inkstone.logImage("samples", await png(), { step: 1 });
    inkstone.logText("hello");
    assert.deepEqual(await inkstone.finish(), { delivered: true });
    assert.equal(inkstone.currentRun(), undefined);
  } finally {
    delete process.env.INKSTONE_RUN_ID;
    delete process.env.INKSTONE_RUN_TOKEN;
    delete process.env.INKSTONE_URL;
  }
  const s = await stored(launched.id);
  assert.deepEqual(
    s.points.map((p) => [p.step, p.value]),
    [
      [0, 1],
      [1, 0.5],
    ],
  );
  assert.equal(s.images.length, 1);
  assert.equal(s.logs.length, 1);
  assert.equal(s.run.status, "finished");
  assert.equal(s.run.name, "launched");
  assert.deepEqual(s.run.config, { from: "form", seed: 1 });
});

test("init refuses bad input from the server with a clear error", async () => {
  await assert.rejects(Run.init({ url: server.url, project: "", spoolDir }), /could not create the run: .*400/);
});
