/**
 * Bad input against the real server: every point is judged on its own, every
 * text field is cleaned or refused the same way, every number is checked
 * before PostgreSQL, and nothing answers 500. Also the request guard
 * (cross-origin writes, %00 in URLs), search wildcards and size caps.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { io } from "socket.io-client";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { connectIngest, emitAck, getJson, png, postJson } from "../../sdk/clients";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LIMITS } from "@/lib/protocol/wire";
import { Run } from "@/lib/sdk/run";
import { pool } from "@/lib/server/db/prisma";

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

const NUL = "\u0000";
const LONE = "\uD800";

test("a batch holding one bad point stores all of its good points and lists the bad one", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    const points: unknown[] = Array.from({ length: 222 }, (_, step) => ({ key: "loss", step, value: 1 / (step + 1) }));
    points.splice(100, 0, { key: `bad${NUL}key`, step: 0, value: 1 });
    const ack = await emitAck(socket, "metrics", { points });
    assert.deepEqual(ack, {
      ok: true,
      data: { stored: 222, refused: [{ index: 100, error: "points.100.key: key must not contain NUL bytes or unpaired surrogates" }] },
    });
    const lines = [
      { seq: 0, text: "first" },
      { seq: 2 ** 31, text: "seq too large" },
      { seq: 1, text: `nul${NUL} and lone ${LONE} are cleaned` },
    ];
    const logs = await emitAck(socket, "logs", { lines });
    assert.equal(logs.ok, true);
    assert.deepEqual((logs as { data: unknown }).data, { stored: 2, refused: [{ index: 1, error: "lines.1.seq: seq must be at most 2147483647" }] });
  } finally {
    socket.close();
  }
  const { rows } = await pool().query(`SELECT "text" FROM "LogLine" WHERE "runId" = $1 ORDER BY "seq"`, [run.id]);
  assert.deepEqual(
    rows.map((r) => r.text),
    ["first", "nul\uFFFD and lone \uFFFD are cleaned"],
  );
  const { rows: n } = await pool().query(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1`, [run.id]);
  assert.equal(n[0].n, 222);
});

test("each of the inputs that once gave 500 gets a 4xx naming its field, or is stored cleaned", async () => {
  const run = await createRunViaApi(server.url);
  const base = `${server.url}/api/runs/${run.id}`;
  const expect4xx = async (what: string, res: Promise<{ status: number; body: any }>, field: RegExp) => {
    const { status, body } = await res;
    assert.ok(status >= 400 && status < 500, `${what}: answered ${status} ${JSON.stringify(body)}`);
    assert.match(body?.error ?? "", field, what);
  };
  const point = (p: Record<string, unknown>) => ({ points: [{ key: "k", step: 0, value: 1, ...p }] });
  const post = (path: string, body: unknown) => postJson(`${base}/${path}`, body, run.token);

  // NUL bytes and lone surrogates in names are refused...
  for (const bad of [NUL, LONE]) {
    await expect4xx("metric key", post("metrics", point({ key: `a${bad}` })), /points\.0\.key/);
    await expect4xx("project", postJson(`${server.url}/api/runs`, { project: `p${bad}` }), /project/);
    await expect4xx("run name", postJson(`${server.url}/api/runs`, { name: `n${bad}` }), /name/);
    await expect4xx("tag", postJson(`${server.url}/api/runs`, { tags: [`t${bad}`] }), /tags\.0/);
    await expect4xx("edited name", patchJson(`${base}`, { name: `n${bad}` }), /name/);
    await expect4xx("edited tag", patchJson(`${base}`, { tags: [`t${bad}`] }), /tags\.0/);
    await expect4xx("series key", postJson(`${server.url}/api/series`, { requests: [{ runId: run.id, key: `k${bad}`, buckets: 10 }] }), /key/);
  }
  // ...and free text is stored cleaned.
  const dirty = `x${NUL}y${LONE}z`;
  const created = await postJson(`${server.url}/api/runs`, { notes: dirty, commandLine: dirty, config: { [dirty]: dirty, nested: [dirty] } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await post("start", { commandLine: dirty, environment: { e: dirty }, config: { c: dirty } })).status, 200);
  assert.equal((await patchJson(base, { notes: dirty })).status, 200);
  const finish = await post("finish", { status: "failed", error: dirty });
  assert.equal(finish.status, 200);
  const { rows } = await pool().query(`SELECT "notes", "error", "commandLine", "config"->>'c' AS c FROM "Run" WHERE "id" = $1`, [run.id]);
  assert.deepEqual(rows[0], { notes: "x\uFFFDy\uFFFDz", error: "x\uFFFDy\uFFFDz", commandLine: "x\uFFFDy\uFFFDz", c: "x\uFFFDy\uFFFDz" });
  const other = await getJson(`${server.url}/api/runs/${created.body.id}`);
  assert.deepEqual(other.data.config, { "x\uFFFDy\uFFFDz": "x\uFFFDy\uFFFDz", nested: ["x\uFFFDy\uFFFDz"] });

  // Numbers outside what PostgreSQL holds.
  await expect4xx("time too late", post("metrics", point({ time: 1e20 })), /points\.0\.time/);
  await expect4xx("time too early", post("metrics", point({ time: -1e16 })), /points\.0\.time/);
  await expect4xx("ISO time out of range", post("logs", { lines: [{ seq: 0, text: "a", time: "0000-01-01T00:00:00Z" }] }), /lines\.0\.time/);
  await expect4xx("log seq", post("logs", { lines: [{ seq: 2 ** 31, text: "a" }] }), /lines\.0\.seq/);
  await expect4xx("image epoch", uploadImage(base, run.token, { key: "img", step: 0, epoch: 2 ** 31 }, await png()), /epoch/);
  await expect4xx("page", getStatus(`${server.url}/api/runs?page=1e20`), /page/);
  // Structure.
  const deep = `{"config": {"deep": ${"[".repeat(5000)}1${"]".repeat(5000)}}}`;
  await expect4xx("deep JSON", postJson(`${server.url}/api/runs`, deep), /config.*nested deeper/);
  await expect4xx("run id with %00", postJson(`${server.url}/api/runs/x%00y/metrics`, point({}), run.token), /url/);
  await expect4xx("run id with %00 (read)", getStatus(`${server.url}/api/runs/abc%00def`), /url/);
});

test("socket events are looked up without the prototype chain; unknown ones are acknowledged with an error", async () => {
  const run = await createRunViaApi(server.url);
  const socket = await connectIngest(server.url, run.id, run.token);
  try {
    for (const event of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      const ack = await emitAck(socket, event, {});
      assert.equal(ack.ok, false, event);
      assert.match((ack as { error: string }).error, new RegExp(`unknown event "${event}"`));
    }
    assert.deepEqual(await emitAck(socket, "heartbeat", {}), { ok: true });
  } finally {
    socket.close();
  }
});

test("cross-origin requests that change state are refused; same-origin and bearer ones go through", async () => {
  const url = `${server.url}/api/runs`;
  const body = JSON.stringify({ project: "csrf" });
  const send = (headers: Record<string, string>) => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const otherPort = new URL(server.url);
  otherPort.port = String(Number(otherPort.port) + 1);
  const refused = await send({ origin: otherPort.origin });
  assert.equal(refused.status, 403);
  assert.match(((await refused.json()) as { error: string }).error, /cross-origin/);
  assert.equal((await send({ origin: "null" })).status, 403);
  assert.equal((await send({ "sec-fetch-site": "same-site" })).status, 403);
  assert.equal((await send({ origin: server.url, "sec-fetch-site": "same-origin" })).status, 201);
  assert.equal((await send({})).status, 201, "scripts send no Origin");
  assert.equal((await fetch(url, { headers: { origin: otherPort.origin } })).status, 200, "reads are not state-changing");

  // /live authenticates with the session cookie: a foreign page cannot open it.
  const foreign = io(`${server.url}/live`, { forceNew: true, transports: ["websocket"], reconnection: false, extraHeaders: { origin: otherPort.origin } });
  const outcome = await new Promise<string>((resolve) => {
    foreign.once("connect", () => resolve("connected"));
    foreign.once("connect_error", (err) => resolve(err.message));
  });
  foreign.close();
  assert.notEqual(outcome, "connected");
  const same = io(`${server.url}/live`, { forceNew: true, transports: ["websocket"], reconnection: false, extraHeaders: { origin: server.url } });
  const sameOutcome = await new Promise<string>((resolve) => {
    same.once("connect", () => resolve("connected"));
    same.once("connect_error", (err) => resolve(err.message));
  });
  same.close();
  assert.equal(sameOutcome, "connected", "the server's own pages still connect");
});

test("search treats _ and % literally", async () => {
  const project = `wild-${Date.now()}`;
  for (const name of ["plain", "with_underscore", "100%"]) await createRunViaApi(server.url, { project, name });
  const names = async (q: string) => ((await getJson(`${server.url}/api/runs?project=${project}&q=${encodeURIComponent(q)}`)).data.runs as { name: string }[]).map((r) => r.name).sort();
  assert.deepEqual(await names("_"), ["with_underscore"]);
  assert.deepEqual(await names("%"), ["100%"]);
  assert.deepEqual(await names("n"), ["plain", "with_underscore"]);

  const run = await createRunViaApi(server.url, { project });
  await postJson(`${server.url}/api/runs/${run.id}/logs`, { lines: [{ seq: 0, text: "no wildcard here" }, { seq: 1, text: "50% done" }] }, run.token);
  const logs = async (q: string) => (await getJson(`${server.url}/api/runs/${run.id}/logs?q=${encodeURIComponent(q)}`)).data.lines.map((l: { text: string }) => l.text);
  assert.deepEqual(await logs("%"), ["50% done"]);
  assert.deepEqual(await logs("_"), []);
});

test("size caps: configs over 256 KB and images over the pixel limit are refused", async () => {
  const big = { blob: "x".repeat(LIMITS.configBytes) };
  const res = await postJson(`${server.url}/api/runs`, { config: big });
  assert.equal(res.status, 400);
  assert.match(res.body.error, /config: \d+ bytes as JSON, the limit is 262144/);
  const run = await createRunViaApi(server.url, { config: { half: "x".repeat(LIMITS.configBytes / 2) } });
  const merged = await postJson(`${server.url}/api/runs/${run.id}/start`, { config: { more: "y".repeat(LIMITS.configBytes / 2 + 10) } }, run.token);
  assert.equal(merged.status, 413);
  assert.match(merged.body.error, /config: .* once merged/);

  // A flat 5000x5000 PNG is a few KB of file and 25 megapixels of canvas.
  const bomb = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: "#000" } }).png().toBuffer();
  assert.ok(bomb.length < 200_000, `${bomb.length} bytes`);
  const image = await uploadImage(`${server.url}/api/runs/${run.id}`, run.token, { key: "img", step: 0 }, bomb);
  assert.equal(image.status, 413);
  assert.match(image.body.error, /5000x5000 pixels/);
});

function patchJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  return fetch(url, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (res) => ({
    status: res.status,
    body: await res.json().catch(() => null),
  }));
}

async function getStatus(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function uploadImage(base: string, token: string, meta: unknown, file: Uint8Array): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.set("meta", JSON.stringify(meta));
  form.set("file", new Blob([file as Uint8Array<ArrayBuffer>]), "a.png");
  const res = await fetch(`${base}/images`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test("two processes attached to one run both keep their log lines", async () => {
  const run = await createRunViaApi(server.url);
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-writers-"));
  Object.assign(process.env, { INKSTONE_RUN_ID: run.id, INKSTONE_RUN_TOKEN: run.token, INKSTONE_URL: server.url });
  try {
    // Two SDK instances, as a launched trainer and a helper process it starts would be: each numbers its lines from 0.
    const first = await Run.init({ project: "ignored", spoolDir });
    const second = await Run.init({ project: "ignored", spoolDir });
    for (let i = 0; i < 5; i++) {
      first.logText(`first ${i}`);
      second.logText(`second ${i}`);
    }
    assert.deepEqual(await first.finish(), { delivered: true });
    assert.deepEqual(await second.finish(), { delivered: true });
  } finally {
    for (const name of ["INKSTONE_RUN_ID", "INKSTONE_RUN_TOKEN", "INKSTONE_URL"]) delete process.env[name];
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }
  const { rows } = await pool().query(`SELECT "text" FROM "LogLine" WHERE "runId" = $1 ORDER BY "text"`, [run.id]);
  assert.deepEqual(
    rows.map((r) => r.text),
    [0, 1, 2, 3, 4].map((i) => `first ${i}`).concat([0, 1, 2, 3, 4].map((i) => `second ${i}`)),
  );
  const lines = await getJson(`${server.url}/api/runs/${run.id}/logs`);
  assert.equal(lines.data.lines.length, 10, "the logs API reads both");
});
