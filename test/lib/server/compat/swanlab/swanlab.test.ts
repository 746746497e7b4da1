/**
 * SwanLab's SDK against the real server and PostgreSQL: the request sequences
 * that SDK 0.9.7 and 0.7.20 sent (recordings/), replayed with new ids, and
 * what lands in Inkstone's tables; then the edge cases that break the SDK
 * (expiry format, 201 vs 200, absolute upload URLs, no 5xx on bad content).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../../../helpers/server";
import { createApiKey, signUpAndIn } from "../../../../helpers/auth";
import { png, subscribeLive } from "../../../sdk/clients";
import { buildImageGrid } from "@/lib/browser/charts/image-grid";
import { listImages } from "@/lib/server/runs/images";
import { prisma } from "@/lib/server/db/prisma";
import { sha256 } from "@/lib/server/tokens";
import { loadRecording, Replayer, type RecordedRequest } from "../replay";

let server: TestServer;
let apiKey: string;
let cookie: string;

before(async () => {
  server = await startTestServer();
  cookie = await signUpAndIn(server.url, { email: "mei@example.com", password: "password123" });
  apiKey = (await createApiKey(server.url, cookie, "swanlab")).key;
});
after(async () => {
  await server?.close();
});

const find = (rec: RecordedRequest[], re: RegExp) => rec.map((r) => re.exec(r.path)?.[1]).find(Boolean)!;

/** Replays a SwanLab recording, mapping the stand-in's ids to this server's; asserts every status the SDK got. */
async function replaySwanlab(file: string, project: string, onRun?: (runId: string) => Promise<void>) {
  const rec = loadRecording(file);
  const uploadUrls = new Map<string, string>();
  const replayer = new Replayer(server.url, (req) => {
    const blob = /^\/blob\/[^/]+\/([^?]+)/.exec(req.path);
    return blob ? { url: uploadUrls.get(blob[1])! } : undefined;
  });
  replayer.ids.set(rec[0].headers.authorization, apiKey);
  // A project of its own, so that creating it answers 201 as it did when recorded.
  replayer.ids.set("inkstone-probe", project);
  const recordedSid = /sid=([^;]+)/.exec(rec[1].headers.Cookie)![1];
  const recordedUser = find(rec, /^\/api\/project\/([^/]+)\/[^/]+$/);
  const recordedRun = find(rec, /^\/api\/house\/experiments\/([^/]+)\/heartbeat$/);
  const recordedProject = rec.map((r) => (r.body as { projectId?: string } | null)?.projectId).find(Boolean)!;
  const recordedFlag = rec.map((r) => (r.body as { flagId?: string } | null)?.flagId).find(Boolean)!;
  let runId = "";
  for (const req of rec) {
    const ex = await replayer.send(req);
    assert.equal(ex.status, req.status, `${req.method} ${req.path}: ${JSON.stringify(ex.body)}`);
    if (req.path === "/api/login/api_key") {
      replayer.ids.set(recordedSid, ex.body.sid);
      replayer.ids.set(recordedUser, ex.body.userInfo.username);
    } else if (req.method === "GET" && /^\/api\/project\/[^/]+\/[^/]+$/.test(req.path)) {
      replayer.ids.set(recordedProject, ex.body.cuid);
    } else if (req.path.endsWith("/experiment")) {
      runId = ex.body.cuid;
      replayer.ids.set(recordedRun, runId);
      replayer.ids.set(recordedFlag, ex.body.flagId);
      await onRun?.(runId);
    } else if (req.path === "/api/resources/presigned/put") {
      const paths = (req.body as { paths: string[] }).paths;
      assert.equal(ex.body.urls.length, paths.length);
      paths.forEach((p, i) => uploadUrls.set(p, ex.body.urls[i]));
    }
  }
  return { runId, replayer };
}

async function storedRun(runId: string) {
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { project: true, environment: true, createdBy: true } });
  const points = await prisma.metricPoint.findMany({ where: { runId }, orderBy: [{ key: "asc" }, { step: "asc" }] });
  const logs = await prisma.logLine.findMany({ where: { runId }, orderBy: { seq: "asc" } });
  const images = await listImages(runId);
  return { run, points, logs, images, series: (key: string) => points.filter((p) => p.key === key).map((p) => [p.step, p.value]) };
}

test("SwanLab 0.9.7's recorded session: every reply as the SDK expects; run, config, profile, scalars, images, text and console lines land, live", async () => {
  let live: Awaited<ReturnType<typeof subscribeLive>> | undefined;
  const { runId } = await replaySwanlab("swanlab-v0.9.7-online-requests.jsonl", "probe-v097", async (id) => {
    live = await subscribeLive(server.url, id, { cookie });
  });
  try {
    const s = await storedRun(runId);
    assert.equal(s.run.project.name, "probe-v097");
    assert.equal(s.run.name, "probe-online");
    assert.equal(s.run.status, "finished");
    assert.equal(s.run.createdBy?.email, "mei@example.com", "the API key's owner");
    assert.deepEqual(s.run.config, { epochs: 3, lr: 0.001 }, "SwanLab's {value, sort, desc} config keeps the values");
    const env = s.run.environment!.data as Record<string, any>;
    assert.equal(env.swanlab.runtime.python_version, "3.11.7");
    assert.match(env.requirements, /^pydantic==2\.13\.5$/m);
    assert.equal(s.run.commandLine, "/scratch/swvenv/bin/python train_online.py 12");
    assert.deepEqual(s.series("train_loss"), [[0, 1], [1, 0.5], [2, 1 / 3], [3, 0.25], [4, 0.2]]);
    assert.equal(s.series("acc/top1").length, 5);
    assert.deepEqual(s.series("system/cpu.thds"), [[0, 8]], "SwanLab's system metrics under system/");
    assert.deepEqual(
      s.images.map((i) => [i.key, i.step, i.index, i.caption, i.mimeType, i.width]),
      [
        ["validation", 4, 0, "0: a prompt", "image/png", 8],
        ["validation", 4, 1, "1: a prompt", "image/png", 8],
      ],
    );
    const grid = buildImageGrid("validation", s.images);
    assert.deepEqual(grid.rows, [{ index: 0, prompt: "a prompt" }, { index: 1, prompt: "a prompt" }]);
    assert.deepEqual(grid.epochs, [4]);
    const texts = s.logs.map((l) => l.text);
    assert.ok(texts.includes("printed line to console"), "console lines");
    assert.ok(texts.includes("[note @ step 4] cap: hello text"), `the uploaded text record: ${texts.join(" | ")}`);
    assert.equal(s.logs.filter((l) => l.stream === "stderr").length, 0, `nothing refused: ${texts.join(" | ")}`);
    assert.equal(await prisma.pendingUpload.count({ where: { runId } }), 0, "claimed uploads are removed");
    const link = await fetch(`${server.url}/@mei/probe-v097/runs/${runId}`, { redirect: "manual" });
    assert.equal(new URL(link.headers.get("location")!, server.url).pathname, `/runs/${runId}`, "the run link the SDK prints");
    await live!.until((ev) => ev.some((e) => e.event === "metrics" && e.payload.points.some((p: { key: string }) => p.key === "train_loss")));
    await live!.until((ev) => ev.some((e) => e.event === "image"));
    await live!.until((ev) => ev.some((e) => e.event === "status" && e.payload.status === "finished"));
  } finally {
    live?.close();
  }
});

test("SwanLab 0.7.20's recorded session: flagId echoed, columns at /experiment/{id}/columns, inline text, the same tables", async () => {
  const { runId, replayer } = await replaySwanlab("swanlab-v0.7.20-online-requests.jsonl", "probe-v0720");
  const created = replayer.exchanges.find((e) => e.request.path.endsWith("/experiment"))!;
  assert.match(created.body.flagId, /^\w+$/, "0.7.x reads flagId");
  const project = replayer.exchanges.find((e) => e.request.path === "/api/project")!;
  assert.equal(project.body.username, "mei", "0.7.x reads the workspace from the project reply");
  const s = await storedRun(runId);
  assert.equal(s.run.status, "finished");
  assert.deepEqual(s.series("train_loss"), [[0, 1], [1, 0.5], [2, 1 / 3], [3, 0.25], [4, 0.2]]);
  assert.ok(s.points.some((p) => p.key === "system/cpu.pct"));
  assert.deepEqual(
    s.images.map((i) => [i.key, i.step, i.index, i.caption]),
    [
      ["validation", 4, 0, "0: a prompt"],
      ["validation", 4, 1, "1: a prompt"],
    ],
  );
  const texts = s.logs.map((l) => l.text);
  assert.ok(texts.includes("[note @ step 4] cap: hello text"), `the inline text record: ${texts.join(" | ")}`);
  assert.ok(texts.includes("printed line to console"));
  assert.equal(s.logs.filter((l) => l.stream === "stderr").length, 0, texts.join(" | "));
  assert.match((s.run.environment!.data as { requirements: string }).requirements, /^numpy==2\.4\.6$/m);
});

async function login(key = apiKey) {
  const res = await fetch(`${server.url}/api/login/api_key`, { method: "POST", headers: { authorization: key } });
  return { status: res.status, body: (await res.json()) as any, cookie: res.headers.get("set-cookie") };
}

function swan(sid: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api${path}`, {
      method,
      headers: { cookie: `sid=${sid}`, "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
}

test("login: expiredAt is ISO with milliseconds and Z, over 7 days ahead; a sid cookie; wrong keys 401; keys issued before still work", async () => {
  const ok = await login();
  assert.equal(ok.status, 200, "0.7.x accepts exactly 200");
  assert.match(ok.body.expiredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(ok.body.expiredAt) - Date.now() > 7 * 86_400_000, "the SDK logs in again when under 7 days are left");
  assert.equal(ok.body.userInfo.username, "mei");
  assert.match(ok.cookie ?? "", new RegExp(`^sid=${ok.body.sid};`));
  assert.equal((await login("Abcdefghij0123456789X")).status, 401);
  assert.equal((await swan("forged.sid")("GET", "/project/mei/inkstone-probe")).status, 401);

  // Revoking a key ends the sessions opened with it.
  const temp = await createApiKey(server.url, cookie, "temp");
  const session = swan((await login(temp.key)).body.sid);
  assert.equal((await session("POST", "/projects/mei", { name: "revoked" })).status, 201);
  await fetch(`${server.url}/api/keys/${temp.id}`, { method: "DELETE", headers: { cookie } });
  assert.equal((await session("POST", "/projects/mei", { name: "revoked" })).status, 401);

  // A key in the form issued before SwanLab compatibility ("ink_" + base64url) still logs in.
  const user = await prisma.user.findUniqueOrThrow({ where: { email: "mei@example.com" } });
  const oldKey = "ink_" + "x".repeat(43);
  await prisma.apiKey.create({ data: { userId: user.id, name: "old", prefix: "ink_xx", keyHash: sha256(oldKey) } });
  assert.equal((await login(oldKey)).status, 200);
  const runs = await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${oldKey}` } });
  assert.equal(runs.status, 200);
});

test("experiments: 201 for a new run, 200 (resume) for an existing run's id, which keeps its data", async () => {
  const call = swan((await login()).body.sid);
  assert.equal((await call("POST", "/projects/mei", { name: "resume-p", visibility: "PRIVATE" })).status, 201);
  assert.equal((await call("POST", "/projects/mei", { name: "resume-p", visibility: "PRIVATE" })).status, 200, "exists");
  const project = await call("GET", "/project/mei/resume-p");
  assert.equal(project.body.version, 1);
  assert.equal(project.body.group.username, "mei");
  assert.equal(project.body._count.experiments, 0);
  const first = await call("POST", "/project/mei/resume-p/experiment", { name: "a", cuid: "kw0y3wvh", colors: ["#000", "#000"] });
  assert.equal(first.status, 201, "an SDK-made cuid that is no run here: a new run");
  assert.notEqual(first.body.cuid, "kw0y3wvh");
  await call("POST", "/house/metrics", { type: "scalar", projectId: project.body.cuid, experimentId: first.body.cuid, metrics: [{ key: "loss", index: 0, data: 2 }] });
  await call("PUT", `/project/mei/resume-p/runs/${first.body.cuid}/state`, { state: "CRASHED" });
  const again = await call("POST", "/project/mei/resume-p/experiment", { name: "a", cuid: first.body.cuid, colors: ["#000", "#000"] });
  assert.equal(again.status, 200, "resume");
  assert.equal(again.body.cuid, first.body.cuid);
  assert.match(again.body.createdAt, /Z$/);
  assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: first.body.cuid } })).status, "running");
  const summary = await call("GET", `/house/metrics/summaries/${project.body.cuid}/${first.body.cuid}?all=true`);
  assert.deepEqual(summary.body.scalar, [{ key: "loss", step: 0 }]);
  const described = await call("GET", `/project/mei/resume-p/runs/${first.body.cuid}`);
  assert.equal(described.status, 200);
  assert.equal((await call("GET", "/project/mei/resume-p/runs/nosuchrun")).status, 404, "resume='must' of a missing run");
  assert.equal((await call("GET", "/project/mei/resume-p")).body._count.experiments, 1);
});

test("uploads: absolute, self-signed URLs that take a PUT without a cookie; a tampered URL is refused", async () => {
  const call = swan((await login()).body.sid);
  await call("POST", "/projects/mei", { name: "uploads" });
  const exp = await call("POST", "/project/mei/uploads/experiment", { name: "u" });
  const presigned = await call("POST", "/resources/presigned/put", { experimentId: exp.body.cuid, paths: ["media/image/001-aa.png"] });
  assert.equal(presigned.status, 200);
  const [url] = presigned.body.urls as string[];
  assert.ok(url.startsWith(`${server.url}/`), `absolute: ${url}`);
  const bytes = await png(5, 4, "#00ff00");
  const tampered = url.slice(0, -3) + (url.endsWith("AAA") ? "BBB" : "AAA");
  assert.equal((await fetch(tampered, { method: "PUT", body: new Uint8Array(bytes) })).status, 401);
  assert.equal((await fetch(url, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": "application/octet-stream" } })).status, 200);
  const media = await call("POST", "/house/metrics", {
    type: "media",
    experimentId: exp.body.cuid,
    metrics: [{ key: "samples", index: 1, data: ["media/image/001-aa.png"], more: [{ caption: "0: a cat" }] }],
  });
  assert.equal(media.status, 201);
  const [image] = await listImages(exp.body.cuid);
  assert.deepEqual([image.key, image.step, image.width, image.height, image.caption], ["samples", 1, 5, 4, "0: a cat"]);
});

test("bad content never gets a 5xx or drops the batch: good records are stored, the refusals are noted on the run", async () => {
  const call = swan((await login()).body.sid);
  await call("POST", "/projects/mei", { name: "bad" });
  const exp = await call("POST", "/project/mei/bad/experiment", { name: "b" });
  const runId = exp.body.cuid as string;
  const presigned = await call("POST", "/resources/presigned/put", { experimentId: runId, paths: ["media/image/002-notpng.png", "media/audio/002-a.wav"] });
  await fetch(presigned.body.urls[0], { method: "PUT", body: "not an image at all" });
  await fetch(presigned.body.urls[1], { method: "PUT", body: "RIFF....WAVE" });
  const replies = [
    await call("POST", "/house/metrics", {
      type: "scalar",
      experimentId: runId,
      metrics: [
        { key: "loss", index: 0, data: 1.5 },
        { key: "loss", index: -1, data: 1 },
        { key: "loss", index: 1, data: "many" },
        { index: 2, data: 3 },
        { key: "loss", index: 2, data: "nan" },
        { key: "loss", index: 3, data: "INF" },
        "junk",
      ],
    }),
    await call("POST", "/house/metrics", {
      type: "media",
      experimentId: runId,
      metrics: [{ key: "v", index: 2, data: ["media/image/002-notpng.png", "media/audio/002-a.wav", "media/image/002-missing.png"] }],
    }),
    await call("POST", "/house/metrics", { type: "log", experimentId: runId, metrics: [{ epoch: "x", message: 5 }, { epoch: 1, message: "ok line" }] }),
    await call("POST", "/house/metrics", { type: "video", experimentId: runId, metrics: {} }),
    await call("POST", "/house/metrics", { type: "scalar", experimentId: runId, metrics: Array.from({ length: 10_001 }, (_, i) => ({ key: "big", index: i, data: i })) }),
  ];
  assert.deepEqual(replies.map((r) => r.status), [201, 201, 201, 201, 201]);
  const s = await storedRun(runId);
  assert.deepEqual(s.series("loss").map(([step, v]) => [step, Number.isNaN(v) ? "NaN" : v]), [[0, 1.5], [2, "NaN"], [3, Infinity]], "0.9 sends nan, 0.7 NaN and INF");
  assert.equal(s.series("big").length, 0);
  assert.ok(s.logs.some((l) => l.text === "ok line"));
  const refusals = s.logs.filter((l) => l.stream === "stderr").map((l) => l.text).join("\n");
  assert.match(refusals, /scalar record 1: index/);
  assert.match(refusals, /scalar record 2: data/);
  assert.match(refusals, /scalar record 3: key/);
  assert.match(refusals, /002-notpng\.png is not an image or text/);
  assert.match(refusals, /002-a\.wav is not an image or text/);
  assert.match(refusals, /002-missing\.png was never uploaded/);
  assert.match(refusals, /log record 0: epoch/);
  assert.match(refusals, /a batch: type/);
  assert.match(refusals, /at most 10000 records/);

  // Without a run to note the refusal on, a 4xx is all there is; still never a 5xx.
  assert.equal((await call("POST", "/house/metrics", "{not json")).status, 400);
  assert.equal((await call("POST", "/house/metrics", { type: "scalar", metrics: [] })).status, 400);
  assert.equal((await call("POST", "/house/metrics", { type: "scalar", experimentId: "nosuchrun", metrics: [] })).status, 404);
  assert.equal((await call("PUT", `/project/mei/bad/runs/${runId}/profile`, { config: "nope" })).status, 200);
  assert.equal((await call("PUT", `/project/mei/bad/runs/${runId}/state`, { state: "EXPLODED" })).status, 200);
  const later = (await storedRun(runId)).logs.filter((l) => l.stream === "stderr").map((l) => l.text).join("\n");
  assert.match(later, /profile: config/);
  assert.match(later, /state: state/);
});

test("a batch of 10,000 records, SwanLab's largest, is stored whole", async () => {
  const call = swan((await login()).body.sid);
  await call("POST", "/projects/mei", { name: "big" });
  const exp = await call("POST", "/project/mei/big/experiment", { name: "big" });
  const metrics = Array.from({ length: 10_000 }, (_, i) => ({ key: "train_loss", index: i, data: 1 / (i + 1), create_time: "2026-11-26T02:22:48.369986Z" }));
  assert.equal((await call("POST", "/house/metrics", { type: "scalar", experimentId: exp.body.cuid, metrics })).status, 201);
  assert.equal(await prisma.metricPoint.count({ where: { runId: exp.body.cuid, key: "train_loss" } }), 10_000);
});
