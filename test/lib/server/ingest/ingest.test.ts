/**
 * Ingestion end to end against the real server and PostgreSQL: socket.io and
 * HTTP, what is stored, what the read API and /live subscribers see, resends,
 * non-finite values, bad input, heartbeats and downsampling.
 */
import fs from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { connectIngest, emitAck, getJson, png, postJson, subscribeLive } from "../../sdk/clients";
import { HEARTBEAT_TIMEOUT_MS, markSilentRunsCrashed } from "@/lib/server/runs/heartbeat-monitor";
import { metricSeries } from "@/lib/server/metrics/series";
import { ROLLUP_WIDTHS } from "@/lib/protocol/wire";
import { LIMITS } from "@/lib/protocol/wire";
import { pool } from "@/lib/server/db/prisma";

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

async function counts(runId: string) {
  const { rows } = await pool().query<{ points: number; rollup: number; logs: number; images: number }>(
    `SELECT (SELECT count(*)::int FROM "MetricPoint" WHERE "runId" = $1) AS points,
            (SELECT coalesce(sum("count"), 0)::int FROM "MetricRollup" WHERE "runId" = $1 AND "width" = 64) AS rollup,
            (SELECT count(*)::int FROM "LogLine" WHERE "runId" = $1) AS logs,
            (SELECT count(*)::int FROM "RunImage" WHERE "runId" = $1) AS images`,
    [runId],
  );
  return rows[0];
}

/** Rollup rows that differ from the summary of the run's stored points, at every width. */
async function rollupMismatches(runId: string) {
  const { rows } = await pool().query(
    `WITH truth AS (
       SELECT w.width, p."step" / w.width AS bucket, count(*)::int AS n, min(p."value") AS lo, max(p."value") AS hi,
              max(p."step") AS last_step, (array_agg(p."value" ORDER BY p."step" DESC))[1] AS last_value,
              (array_agg(p."time" ORDER BY p."step" DESC))[1] AS last_time
       FROM "MetricPoint" p CROSS JOIN unnest($2::int[]) AS w(width) WHERE p."runId" = $1 GROUP BY 1, 2
     )
     SELECT t.width, t.bucket FROM truth t
       FULL JOIN (SELECT * FROM "MetricRollup" WHERE "runId" = $1) r ON r."width" = t.width AND r."bucket" = t.bucket
     WHERE r."count" IS DISTINCT FROM t.n OR r."minValue" IS DISTINCT FROM t.lo OR r."maxValue" IS DISTINCT FROM t.hi
        OR r."lastStep" IS DISTINCT FROM t.last_step OR r."lastValue" IS DISTINCT FROM t.last_value
        OR r."lastTime" IS DISTINCT FROM t.last_time`,
    [runId, ROLLUP_WIDTHS],
  );
  return rows;
}

const points = (key: string, from: number, n: number, value = (s: number) => Math.sin(s / 100)) =>
  Array.from({ length: n }, (_, i) => ({ key, step: from + i, value: value(from + i) }));

test("socket metrics are stored, served downsampled and pushed to /live subscribers", async () => {
  const run = await createRunViaApi(server.url, { name: "core" });
  const live = await subscribeLive(server.url, run.id);
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    assert.deepEqual(await emitAck(socket, "run:start", { config: { lr: 0.1 }, environment: { node: process.version } }), { ok: true });
    await live.until((ev) => ev.some((e) => e.event === "status" && e.payload.status === "running"));
    for (let from = 0; from < 3000; from += 1000) {
      assert.deepEqual(await emitAck(socket, "metrics", { points: points("loss", from, 1000) }), { ok: true, data: { stored: 1000, refused: [] } });
    }
    const seen = () => live.events.filter((e) => e.event === "metrics").flatMap((e) => e.payload.points);
    await live.until(() => seen().length >= 3000);
    assert.equal(seen().length, 3000);
    assert.deepEqual(seen()[5], { key: "loss", step: 5, value: Math.sin(0.05), time: seen()[5].time });

    const series = await getJson(`${server.url}/api/runs/${run.id}/metrics?key=loss&buckets=100`);
    assert.equal(series.ok, true);
    assert.equal(series.data.downsampled, true);
    assert.ok(series.data.points.length <= 100 && series.data.points.length >= 90, `${series.data.points.length} buckets`);
    assert.equal(series.data.points.reduce((n: number, p: { count: number }) => n + p.count, 0), 3000);
    assert.equal(series.data.points.at(-1).step, 2999);

    const raw = await getJson(`${server.url}/api/runs/${run.id}/metrics?key=loss&buckets=5000`);
    assert.equal(raw.data.downsampled, false);
    assert.equal(raw.data.points.length, 3000);
    assert.equal(raw.data.points[1234].value, Math.sin(12.34));

    const keys = await getJson(`${server.url}/api/runs/${run.id}/metrics`);
    assert.deepEqual(keys.data, [{ key: "loss", count: 3000, lastStep: 2999, lastValue: Math.sin(29.99) }]);
    const detail = await getJson(`${server.url}/api/runs/${run.id}`);
    assert.equal(detail.data.status ?? detail.data.run?.status, "running");
  } finally {
    socket.close();
    live.close();
  }
});

test("resending the same batches stores nothing new", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    const batch = { points: points("acc", 0, 500) };
    const lines = { lines: [0, 1, 2].map((seq) => ({ seq, stream: "stdout", text: `line ${seq}` })) };
    const image = { meta: { key: "samples", step: 3, index: 1, caption: "a cat" }, data: await png() };
    assert.deepEqual(await emitAck(socket, "metrics", batch), { ok: true, data: { stored: 500, refused: [] } });
    assert.deepEqual(await emitAck(socket, "logs", lines), { ok: true, data: { stored: 3, refused: [] } });
    const first = await emitAck<{ id: string }>(socket, "image", image);
    assert.ok(first.ok);
    const before = await counts(run.id);
    assert.deepEqual(before, { points: 500, rollup: 500, logs: 3, images: 1 });

    assert.deepEqual(await emitAck(socket, "metrics", batch), { ok: true, data: { stored: 0, refused: [] } });
    // A resend overlapping new points stores just the new ones.
    assert.deepEqual(await emitAck(socket, "metrics", { points: points("acc", 400, 200) }), { ok: true, data: { stored: 100, refused: [] } });
    assert.deepEqual(await emitAck(socket, "logs", lines), { ok: true, data: { stored: 0, refused: [] } });
    const again = await emitAck<{ id: string }>(socket, "image", image);
    assert.ok(again.ok && first.ok);
    assert.equal(again.data!.id, first.data!.id);
    assert.deepEqual(await counts(run.id), { points: 600, rollup: 600, logs: 3, images: 1 });
    const keys = await getJson(`${server.url}/api/runs/${run.id}/metrics`);
    assert.equal(keys.data[0].count, 600);

    // Events of one connection are applied in the order sent: of two batches in flight at once, the first wins.
    const acks = await Promise.all(
      [1, 2, 3].map((v) => emitAck(socket, "metrics", { points: points("order", 0, 2000, () => v) })),
    );
    assert.deepEqual(
      acks.map((a) => a.ok && a.data),
      [{ stored: 2000, refused: [] }, { stored: 0, refused: [] }, { stored: 0, refused: [] }],
    );
    const { rows } = await pool().query(`SELECT DISTINCT "value" FROM "MetricPoint" WHERE "runId" = $1 AND "key" = 'order'`, [run.id]);
    assert.deepEqual(rows, [{ value: 1 }]);
  } finally {
    socket.close();
  }
});

test("NaN and ±Infinity are stored and returned as strings", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    const batch = {
      points: [
        { key: "loss", step: 0, value: 1.5 },
        { key: "loss", step: 1, value: "NaN" },
        { key: "loss", step: 2, value: "Infinity" },
        { key: "loss", step: 3, value: "-Infinity" },
        { key: "loss", step: 4, value: -2 },
      ],
    };
    assert.deepEqual(await emitAck(socket, "metrics", batch), { ok: true, data: { stored: 5, refused: [] } });
    const { rows } = await pool().query<{ value: number }>(`SELECT "value" FROM "MetricPoint" WHERE "runId" = $1 ORDER BY "step"`, [run.id]);
    assert.deepEqual(
      rows.map((r) => r.value),
      [1.5, NaN, Infinity, -Infinity, -2],
    );
    const raw = await getJson(`${server.url}/api/runs/${run.id}/metrics?key=loss`);
    assert.deepEqual(
      raw.data.points.map((p: { value: unknown }) => p.value),
      [1.5, "NaN", "Infinity", "-Infinity", -2],
    );
    // Downsampled, the extremes skip NaN but keep the infinities.
    const down = await getJson(`${server.url}/api/runs/${run.id}/metrics?key=loss&buckets=1`);
    assert.deepEqual(
      down.data.points.map(({ time, ...p }: { time: string }) => ({ ...p, timed: !Number.isNaN(Date.parse(time)) })),
      [{ step: 4, value: -2, min: "-Infinity", max: "Infinity", count: 5, timed: true }],
    );
    const keys = await getJson(`${server.url}/api/runs/${run.id}/metrics`);
    assert.equal(keys.data[0].lastValue, -2);
  } finally {
    socket.close();
  }
});

test("bad socket input gets a clear error and stores nothing", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  const refused = async (event: string, payload: unknown, pattern: RegExp) => {
    const ack = await emitAck(socket, event, payload);
    assert.equal(ack.ok, false, `${event} ${JSON.stringify(payload)?.slice(0, 80)} was accepted`);
    assert.match((ack as { error: string }).error, pattern);
  };
  try {
    await refused("metrics", "not an object", /expected object/);
    await refused("metrics", {}, /points/);
    await refused("metrics", { points: [] }, /at least one point/);
    await refused("metrics", { points: [{ key: "a", step: 0, value: "abc" }] }, /points\.0\.value/);
    await refused("metrics", { points: [{ key: "a", step: -1, value: 1 }] }, /points\.0\.step/);
    await refused("metrics", { points: [{ key: "a", step: 1.5, value: 1 }] }, /step must be an integer/);
    await refused("metrics", { points: [{ key: 7, step: 1, value: 1 }] }, /points\.0\.key/);
    // A batch whose every point is bad is refused whole, naming the first problem (test/lib/server/http/hardening.test.ts: a mixed one).
    await refused("metrics", { points: [{ key: "k".repeat(256), step: 0, value: 1 }, { key: "", step: 0, value: 1 }] }, /points\.0\.key: key must be at most 255 characters.*1 more refused/);
    await refused("metrics", { points: points("big", 0, LIMITS.metricsPerBatch + 1) }, /at most 10000 points/);
    await refused("logs", { lines: [{ seq: "x", text: "a" }] }, /lines\.0\.seq/);
    await refused("logs", { lines: [{ seq: 0, stream: "stdlog", text: "a" }] }, /lines\.0\.stream/);
    await refused("image", { meta: { key: "img", step: 0 }, data: Buffer.from("GIF89a not accepted") }, /not a PNG, JPEG or WebP/);
    await refused("image", { meta: { key: "img", step: 0 } }, /no bytes/);
    await refused("image", { meta: { key: "img" }, data: await png() }, /step/);
    const huge = Buffer.alloc(LIMITS.imageBytes + 1);
    (await png()).copy(huge);
    await refused("image", { meta: { key: "img", step: 0 }, data: huge }, /limit is 10485760/);
    await refused("run:finish", { status: "exploded" }, /status/);
    await refused("no-such-event", {}, /unknown event "no-such-event"/);
    assert.deepEqual(await counts(run.id), { points: 0, rollup: 0, logs: 0, images: 0 });
    // The connection survives all of it.
    assert.deepEqual(await emitAck(socket, "metrics", { points: points("ok", 0, 1) }), { ok: true, data: { stored: 1, refused: [] } });
  } finally {
    socket.close();
  }
});

test("the handshake refuses unknown runs (404) and wrong tokens (401)", async () => {
  const run = await createRunViaApi(server.url);
  await assert.rejects(connectIngest(server.url, "no-such-run", run.token), (err: Error & { data?: { status?: number } }) => {
    assert.equal(err.data?.status, 404);
    assert.match(err.message, /unknown run/);
    return true;
  });
  await assert.rejects(connectIngest(server.url, run.id, "wrong-token"), (err: Error & { data?: { status?: number } }) => {
    assert.equal(err.data?.status, 401);
    assert.match(err.message, /wrong ingest token/);
    return true;
  });
});

test("HTTP ingestion: JSON routes and multipart images, with the same checks", async () => {
  const run = await createRunViaApi(server.url, { config: { batch: 4 } });
  const base = `${server.url}/api/runs/${run.id}`;
  assert.deepEqual(await postJson(`${base}/start`, { config: { lr: 1e-4 }, environment: { gpu: "none" } }, run.token), { status: 200, body: { ok: true } });
  assert.deepEqual(await postJson(`${base}/metrics`, { points: points("loss", 0, 10) }, run.token), { status: 200, body: { ok: true, data: { stored: 10, refused: [] } } });
  assert.deepEqual(await postJson(`${base}/logs`, { lines: [{ seq: 0, text: "hello" }, { seq: 1, stream: "stderr", text: "oops" }] }, run.token), {
    status: 200,
    body: { ok: true, data: { stored: 2, refused: [] } },
  });
  assert.deepEqual(await postJson(`${base}/heartbeat`, {}, run.token), { status: 200, body: { ok: true } });

  const bytes = await png(8, 6, "#00ff00");
  const upload = (meta: unknown, file: Uint8Array, token = run.token) => {
    const form = new FormData();
    form.set("meta", JSON.stringify(meta));
    form.set("file", new Blob([file as Uint8Array<ArrayBuffer>]), "sample.png");
    return fetch(`${base}/images`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  };
  const res = await upload({ key: "samples", step: 5, epoch: 1, caption: "green" }, bytes);
  assert.equal(res.status, 200);
  const { data: stored } = (await res.json()) as { data: { id: string } };
  const listed = await getJson(`${base}/images?key=samples`);
  assert.deepEqual(listed.data, [
    { id: stored.id, key: "samples", step: 5, epoch: 1, index: 0, caption: "green", width: 8, height: 6, mimeType: "image/png", url: `/api/runs/${run.id}/images/${stored.id}` },
  ]);
  const served = await fetch(`${server.url}${listed.data[0].url}`);
  assert.equal(served.headers.get("content-type"), "image/png");
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);

  // Refusals: each with its status and a message, storing nothing.
  assert.equal((await upload({ key: "samples", step: 6 }, Buffer.from("plain text, not an image"))).status, 400);
  const huge = Buffer.alloc(LIMITS.imageBytes + 1);
  bytes.copy(huge);
  const tooBig = await upload({ key: "samples", step: 7 }, huge);
  assert.equal(tooBig.status, 413);
  assert.match(((await tooBig.json()) as { error: string }).error, /limit/);
  assert.equal((await upload({ key: "samples", step: 8 }, bytes, "wrong")).status, 401);
  const bad = await postJson(`${base}/metrics`, "{not json", run.token);
  assert.deepEqual(bad, { status: 400, body: { ok: false, error: "body is not valid JSON" } });
  const badKey = await postJson(`${base}/metrics`, { points: [{ key: "k".repeat(256), step: 0, value: 1 }] }, run.token);
  assert.equal(badKey.status, 400);
  assert.match(badKey.body.error, /points\.0\.key: key must be at most 255 characters/);
  const overLimit = await postJson(`${base}/metrics`, { points: points("x", 0, LIMITS.metricsPerBatch + 1) }, run.token);
  assert.equal(overLimit.status, 413);
  assert.match(overLimit.body.error, /at most 10000 points/);
  const wrongType = await postJson(`${base}/metrics`, { points: [{ key: "x", step: "one", value: 1 }] }, run.token);
  assert.equal(wrongType.status, 400);
  assert.match(wrongType.body.error, /points\.0\.step/);
  assert.equal((await postJson(`${base}/metrics`, { points: points("x", 0, 1) }, "wrong-token")).status, 401);
  assert.equal((await postJson(`${base}/metrics`, { points: points("x", 0, 1) })).status, 401);
  const unknown = await postJson(`${server.url}/api/runs/no-such-run/metrics`, { points: points("x", 0, 1) }, run.token);
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error, /unknown run/);
  assert.deepEqual(await counts(run.id), { points: 10, rollup: 10, logs: 2, images: 1 });

  assert.deepEqual(await postJson(`${base}/finish`, { status: "failed", error: "diverged" }, run.token), { status: 200, body: { ok: true } });
  const detail = await getJson(base);
  const r = detail.data.run ?? detail.data;
  assert.equal(r.status, "failed");
  assert.equal(r.error, "diverged");
  assert.deepEqual(r.config, { batch: 4, lr: 1e-4 });
  const logs = await getJson(`${base}/logs`);
  assert.deepEqual(
    logs.data.lines.map((l: { seq: number; stream: string; text: string }) => [l.seq, l.stream, l.text]),
    [
      [0, "stdout", "hello"],
      [1, "stderr", "oops"],
    ],
  );
});

test("a run without heartbeats is marked crashed, and a heartbeat revives it", async () => {
  const run = await createRunViaApi(server.url);
  const watcher = await subscribeLive(server.url, "runs");
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    await emitAck(socket, "run:start", {});
    const later = new Date(Date.now() + HEARTBEAT_TIMEOUT_MS + 5_000);
    assert.ok((await markSilentRunsCrashed(later)).includes(run.id));
    await watcher.until((ev) => ev.some((e) => e.event === "status" && e.payload.runId === run.id && e.payload.status === "crashed"));
    const crashed = await pool().query(`SELECT status, error FROM "Run" WHERE id = $1`, [run.id]);
    assert.equal(crashed.rows[0].status, "crashed");
    assert.match(crashed.rows[0].error, /no heartbeat/);

    assert.deepEqual(await emitAck(socket, "heartbeat", {}), { ok: true });
    await watcher.until((ev) => ev.some((e) => e.event === "status" && e.payload.runId === run.id && e.payload.status === "running"));
    // A run that keeps beating is left alone.
    assert.ok(!(await markSilentRunsCrashed()).includes(run.id));
  } finally {
    socket.close();
    watcher.close();
  }
});

test("downsampling keeps a spike visible, from raw points and from rollups", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  const spikeAt = 54_321;
  try {
    for (let from = 0; from < 100_000; from += LIMITS.metricsPerBatch) {
      const batch = points("loss", from, LIMITS.metricsPerBatch, (s) => (s === spikeAt ? 1000 : 1 + (s % 7) / 100));
      const ack = await emitAck(socket, "metrics", { points: batch });
      assert.ok(ack.ok, JSON.stringify(ack));
    }
  } finally {
    socket.close();
  }
  // Every rollup equals the same summary computed from the stored points, though batches split buckets.
  assert.deepEqual(await rollupMismatches(run.id), []);
  // The migration that introduced the 16-step width rebuilds it from the points alone.
  await pool().query(`DELETE FROM "MetricRollup" WHERE "runId" = $1 AND "width" = 16`, [run.id]);
  await pool().query(fs.readFileSync("prisma/migrations/20261125214500_rollup_width_16/migration.sql", "utf8"));
  assert.deepEqual(await rollupMismatches(run.id), []);
  // 100,000 steps in 200 buckets read the 256-wide rollups; in 10 buckets, the 4096-wide ones.
  const wide = await metricSeries(run.id, "loss", { buckets: 200 });
  assert.equal(wide.downsampled, true);
  assert.ok(wide.points.length <= 200);
  assert.equal(wide.points.reduce((n, p) => n + (p.count ?? 0), 0), 100_000);
  assert.equal(wide.points.filter((p) => p.max === 1000).length, 1, "one bucket keeps the spike as its max");
  assert.ok(wide.points.every((p) => typeof p.time === "string" && !Number.isNaN(Date.parse(p.time))), "downsampled points carry wall time");
  const widest = await metricSeries(run.id, "loss", { buckets: 10 });
  assert.equal(widest.points.length, 10);
  assert.equal(widest.points.filter((p) => p.max === 1000).length, 1);
  const { time: _lastTime, ...last } = widest.points.at(-1)!;
  assert.deepEqual(last, { step: 99_999, value: 1 + (99_999 % 7) / 100, min: 1, max: 1.06, count: last.count });
  // 2,000 steps around the spike in 400 buckets: read from the raw points.
  const narrow = await metricSeries(run.id, "loss", { buckets: 400, from: spikeAt - 1000, to: spikeAt + 999 });
  assert.equal(narrow.downsampled, true);
  assert.equal(narrow.points.reduce((n, p) => n + (p.count ?? 0), 0), 2000);
  assert.equal(narrow.points.filter((p) => p.max === 1000).length, 1);
  assert.ok(narrow.points.every((p) => p.min !== null && Number(p.min) >= 1));
  // The HTTP endpoint says the same.
  const http = await getJson(`${server.url}/api/runs/${run.id}/metrics?key=loss&buckets=200`);
  assert.deepEqual(http.data, JSON.parse(JSON.stringify(wide)));
});
