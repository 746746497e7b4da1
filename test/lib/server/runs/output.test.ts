/**
 * A run's output over the real server: the folder and checkpoints listed from
 * the run's stored config, sampling from the final model with the real
 * `npm run sample` on a tiny pipeline (make-tiny), one sampler at a time per
 * run, and sampling refused to anonymous callers and share links once
 * accounts exist.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { signUpAndIn } from "../../../helpers/auth";
import type { RunOutput } from "@/lib/server/runs/output";
import type { SampleJob } from "@/lib/server/runs/samples";
import { prisma } from "@/lib/server/db/prisma";
import { waitFor } from "../../../helpers/wait-for";

const PROMPT = "Lebron James with a hat";

let server: TestServer;
let tmp: string;
let tinyModel: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-output-test-"));
  const made = spawnSync(process.execPath, ["--import", "tsx", "trainer/make_tiny.ts", "--out", path.join(tmp, "tiny"), "--num_images", "2", "--vae_steps", "0"], { encoding: "utf8" });
  assert.equal(made.status, 0, `make-tiny failed:\n${made.stderr}`);
  tinyModel = path.join(tmp, "tiny", "model");
  server = await startTestServer();
});
after(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { "content-type": "application/json", ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const body = (await res.json()) as { ok: boolean; data?: unknown; error?: string };
  return { status: res.status, ...body };
}

/** A hand-made output folder: two checkpoints of known sizes and a folder that is not one. */
function makeOutputDir(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, "checkpoint-10", "unet"), { recursive: true });
  fs.writeFileSync(path.join(dir, "checkpoint-10", "unet", "weights.bin"), Buffer.alloc(3000));
  fs.writeFileSync(path.join(dir, "checkpoint-10", "training_state.json"), "{}");
  fs.mkdirSync(path.join(dir, "checkpoint-2"));
  fs.writeFileSync(path.join(dir, "checkpoint-2", "optimizer.safetensors"), Buffer.alloc(500));
  fs.mkdirSync(path.join(dir, "logs"));
  fs.writeFileSync(path.join(dir, "checkpoint-99"), "a file, not a checkpoint folder");
  return dir;
}

function waitForJob(runId: string): Promise<SampleJob> {
  const job = async () => (await call("GET", `/api/runs/${runId}/samples`)).data as SampleJob;
  return waitFor(job, { what: `sampling for run ${runId} to end`, until: (j) => j.state !== "running", timeout: 120_000, interval: 250 });
}

let sampled: { id: string; token: string };

test("the output listing resolves output_dir from the run's config and lists checkpoints by step", async () => {
  const dir = makeOutputDir("listing");
  // Relative to the server's directory, as a launched trainer writes it.
  const run = await createRunViaApi(server.url, { config: { output_dir: path.relative(process.cwd(), dir) } });
  const res = await call("GET", `/api/runs/${run.id}/output`);
  assert.equal(res.status, 200, res.error);
  const out = res.data as RunOutput;
  assert.equal(out.path, dir);
  assert.equal(out.exists, true);
  assert.equal(out.finalModel, false);
  assert.deepEqual(
    out.checkpoints.map((c) => [c.name, c.step, c.bytes]),
    [
      ["checkpoint-2", 2, 500],
      ["checkpoint-10", 10, 3002],
    ],
  );
  const refused = await call("POST", `/api/runs/${run.id}/samples`, { body: { prompt: PROMPT } });
  assert.equal(refused.status, 409);
  assert.match(refused.error ?? "", /no final model/);

  const missing = await createRunViaApi(server.url, { config: { output_dir: path.join(tmp, "never-written") } });
  const none = (await call("GET", `/api/runs/${missing.id}/output`)).data as RunOutput;
  assert.deepEqual([none.exists, none.finalModel, none.checkpoints.length], [false, false, 0]);
  const sdkOnly = await createRunViaApi(server.url);
  assert.equal(((await call("GET", `/api/runs/${sdkOnly.id}/output`)).data as RunOutput).path, null);
  assert.equal((await call("GET", `/api/runs/not-a-run/output`)).status, 404);
});

test("sampling runs the sampler on the final model and stores the PNG as a run image captioned with the prompt; a second request meanwhile gets 409", async () => {
  const dir = makeOutputDir("final");
  fs.cpSync(tinyModel, dir, { recursive: true });
  sampled = await createRunViaApi(server.url, { config: { output_dir: dir } });
  const metrics = await fetch(`${server.url}/api/runs/${sampled.id}/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${sampled.token}` },
    body: JSON.stringify({ points: [{ key: "train_loss", step: 24, value: 0.5 }] }),
  });
  assert.equal(metrics.status, 200);
  const out = (await call("GET", `/api/runs/${sampled.id}/output`)).data as RunOutput;
  assert.equal(out.finalModel, true);
  assert.equal(out.sampleCommand, `npm run sample -- --model ${dir} --prompt "${PROMPT}" --out result.png`);

  assert.equal((await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: "  " } })).status, 400);
  assert.equal((await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: PROMPT, steps: 0 } })).status, 400);

  const started = await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: PROMPT, steps: 2, seed: 7 } });
  assert.equal(started.status, 202, started.error);
  assert.equal((started.data as SampleJob).state, "running");
  const second = await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: "another", steps: 2 } });
  assert.equal(second.status, 409);
  assert.match(second.error ?? "", /already/);

  const job = await waitForJob(sampled.id);
  assert.equal(job.state, "finished", job.error ?? "");
  const images = await prisma.runImage.findMany({ where: { runId: sampled.id } });
  assert.equal(images.length, 1);
  const [image] = images;
  assert.equal(image.id, job.imageId);
  assert.deepEqual([image.key, image.caption, image.step, image.index, image.mimeType], ["samples", PROMPT, 24, 0, "image/png"]);
  const meta = await sharp(Buffer.from(image.bytes)).metadata();
  assert.deepEqual([meta.width, meta.height], [32, 32], "the tiny pipeline's default size");
  const listed = await call("GET", `/api/runs/${sampled.id}/images?key=samples`);
  assert.equal((listed.data as { caption: string }[])[0]?.caption, PROMPT);
});

test("a failing sampler leaves the job failed with its message, and the next sample can start", async () => {
  const dir = path.join(tmp, "broken");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "model_index.json"), "{}");
  const run = await createRunViaApi(server.url, { config: { output_dir: dir } });
  assert.equal((await call("POST", `/api/runs/${run.id}/samples`, { body: { prompt: PROMPT, steps: 1 } })).status, 202);
  const job = await waitForJob(run.id);
  assert.equal(job.state, "failed");
  assert.match(job.error ?? "", /the sampler exited with code 1:\n(.*\n)*.*model_index.json/);
  assert.equal(await prisma.runImage.count({ where: { runId: run.id } }), 0);
  assert.equal((await call("POST", `/api/runs/${run.id}/samples`, { body: { prompt: PROMPT, steps: 1 } })).status, 202);
  await waitForJob(run.id);
});

test("once accounts exist, sampling is refused to anonymous callers and to share links, which can still read the output", async () => {
  const admin = await signUpAndIn(server.url, { email: "admin@example.com", password: "correct horse battery" });
  const anonymous = await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: PROMPT } });
  assert.equal(anonymous.status, 401);
  assert.equal((await call("GET", `/api/runs/${sampled.id}/output`)).status, 401);

  const link = await call("POST", `/api/runs/${sampled.id}/share`, { headers: { cookie: admin } });
  assert.equal(link.status, 200, link.error);
  const share = { "x-inkstone-share": (link.data as { token: string }).token };
  assert.equal((await call("POST", `/api/runs/${sampled.id}/samples`, { body: { prompt: PROMPT }, headers: share })).status, 403);
  assert.equal((await call("GET", `/api/runs/${sampled.id}/output`, { headers: share })).status, 200);
  assert.equal((await call("GET", `/api/runs/${sampled.id}/samples`, { headers: share })).status, 200);
  assert.equal(await prisma.runImage.count({ where: { runId: sampled.id } }), 1, "nothing was sampled through the refused requests");
});
