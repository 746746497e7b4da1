/**
 * End to end: `npm run make-tiny`, then the README's training command with the
 * model and dataset pointed at the tiny ones, a few steps at 64 px.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { selectBackend } from "../../trainer/backend";
import type { TrainLogger } from "../../trainer/logger";
import { makeTiny } from "../../trainer/make_tiny";
import { parseOptions } from "../../trainer/options";
import { train } from "../../trainer/train";
import { waitFor } from "../helpers/wait-for";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The README's flags, with only the step count and resolution made small. */
const TUTORIAL_FLAGS = [
  "--use_ema",
  "--resolution=64",
  "--center_crop",
  "--random_flip",
  "--train_batch_size=1",
  "--gradient_accumulation_steps=4",
  "--gradient_checkpointing",
  "--max_train_steps=2",
  "--learning_rate=1e-05",
  "--max_grad_norm=1",
  "--seed=42",
  "--lr_scheduler=constant",
  "--lr_warmup_steps=0",
];

function npm(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("npm", ["run", "--silent", ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, INKSTONE_URL: "" } });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

function metrics(outputDir: string): Array<Record<string, number>> {
  return fs
    .readFileSync(path.join(outputDir, "logs", "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);
}

test("make-tiny, then the tutorial command trains, validates, checkpoints, resumes and saves the pipeline", async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-cli-"));
  // 8 examples: 2 optimizer steps of 4 micro-batches close epoch 0, which the resume below relies on.
  const made = npm(["make-tiny", "--", "--out", tmp, "--num_images", "8", "--vae_steps", "0"]);
  assert.equal(made.status, 0, made.output);
  const model = path.join(tmp, "model");
  const dataset = path.join(tmp, "dataset");
  const out = path.join(tmp, "sd-naruto-model");
  const where = [`--pretrained_model_name_or_path=${model}`, `--dataset_name=${dataset}`, `--output_dir=${out}`];

  const started = performance.now();
  const run = npm(["train", "--", ...TUTORIAL_FLAGS, ...where, "--checkpointing_steps=1", "--checkpoints_total_limit=1"]);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(run.status, 0, run.output);
  t.diagnostic(`tiny tutorial command (2 steps x 4 micro-batches + validation + save): ${seconds.toFixed(1)}s`);
  assert.match(run.output, /Num examples = 8/);
  assert.match(run.output, /Total optimization steps = 2/);
  assert.match(run.output, /Steps: 100%\|.*\| 2\/2 \[.*it.*loss=.*lr=/);

  // One metrics line per optimizer step with the fields the tracker charts.
  const logged = metrics(out);
  assert.deepEqual(logged.map((m) => m.step), [1, 2]);
  for (const m of logged) {
    for (const key of ["train_loss", "lr", "epoch", "grad_norm", "step_time", "images_per_sec"]) assert.equal(typeof m[key], "number", key);
    assert.ok(Number.isFinite(m.train_loss) && m.train_loss > 0, JSON.stringify(m));
    assert.equal(m.lr, 1e-5);
  }
  // Validation after epoch 0: one image per default prompt.
  assert.deepEqual(fs.readdirSync(path.join(out, "logs", "validation")).sort(), [0, 1, 2, 3].map((i) => `step-2-${i}.png`));
  assert.match(run.output, /"3: Mickael Jackson as a ninja"/);
  // --checkpoints_total_limit=1 keeps the last one only.
  assert.deepEqual(fs.readdirSync(out).filter((d) => d.startsWith("checkpoint")), ["checkpoint-2"]);
  // The final pipeline, in the input's layout.
  for (const f of ["model_index.json", "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors", "tokenizer/vocab.json", "scheduler/scheduler_config.json"]) {
    assert.ok(fs.existsSync(path.join(out, f)), f);
  }
  // With --use_ema the saved UNet is the EMA copy, which is the checkpoint's unet_ema.
  const saved = fs.readFileSync(path.join(out, "unet", "diffusion_pytorch_model.safetensors"));
  assert.ok(saved.equals(fs.readFileSync(path.join(out, "checkpoint-2", "unet_ema", "diffusion_pytorch_model.safetensors"))), "final UNet = EMA weights");
  assert.ok(!saved.equals(fs.readFileSync(path.join(model, "unet", "diffusion_pytorch_model.safetensors"))), "the UNet was trained");

  // Resume from the latest checkpoint for one more step (epoch 1: no validation).
  const resumed = npm(["train", "--", ...TUTORIAL_FLAGS, ...where, "--max_train_steps=3", "--resume_from_checkpoint=latest"]);
  assert.equal(resumed.status, 0, resumed.output);
  assert.match(resumed.output, /Resuming from checkpoint .*checkpoint-2/);
  assert.deepEqual(metrics(out).map((m) => [m.step, m.epoch]), [[1, 0], [2, 0], [3, 1]]);

  // checkpoint-2 closes epoch 0, so the resumed run must equal an uninterrupted 3-step run bit for bit
  // (validation draws from its own generator; one prompt keeps this run short).
  const straight = path.join(tmp, "straight");
  const uninterrupted = npm(["train", "--", ...TUTORIAL_FLAGS, ...where.slice(0, 2), `--output_dir=${straight}`, "--max_train_steps=3", "--validation_prompts", "a cat"]);
  assert.equal(uninterrupted.status, 0, uninterrupted.output);
  assert.deepEqual(metrics(straight).map((m) => m.train_loss), metrics(out).map((m) => m.train_loss));
  const unetFile = path.join("unet", "diffusion_pytorch_model.safetensors");
  assert.ok(fs.readFileSync(path.join(straight, unetFile)).equals(fs.readFileSync(path.join(out, unetFile))), "resumed == uninterrupted");
});

test("SIGTERM saves a checkpoint and ends the run as cancelled", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-sigterm-"));
  const made = npm(["make-tiny", "--", "--out", tmp, "--num_images", "4", "--vae_steps", "0"]);
  assert.equal(made.status, 0, made.output);
  const out = path.join(tmp, "out");
  const flags = [...TUTORIAL_FLAGS, "--max_train_steps=50", "--gradient_accumulation_steps=1", `--pretrained_model_name_or_path=${tmp}/model`, `--dataset_name=${tmp}/dataset`, `--output_dir=${out}`];
  const child = spawn(process.execPath, ["--import", "tsx", "trainer/train.ts", ...flags], { cwd: repoRoot });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const metricsFile = path.join(out, "logs", "metrics.jsonl");
  // Signal as soon as the first optimizer step is logged.
  const stepLogged = () => fs.existsSync(metricsFile) && fs.readFileSync(metricsFile, "utf8").length > 0;
  await waitFor(() => stepLogged() || child.exitCode !== null, { what: "the first optimizer step", describe: () => output, timeout: 600_000 });
  child.kill("SIGTERM");
  const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  assert.equal(status, 143, output);
  assert.match(output, /run cancelled/);
  const checkpoints = fs.readdirSync(out).filter((d) => /^checkpoint-\d+$/.test(d));
  assert.equal(checkpoints.length, 1, output);
  const state = JSON.parse(fs.readFileSync(path.join(out, checkpoints[0], "training_state.json"), "utf8"));
  assert.ok(state.globalStep >= 1 && state.globalStep < 50, JSON.stringify(state));
  assert.equal(fs.existsSync(path.join(out, "model_index.json")), false, "no final save after a cancel");
});

test("a short last accumulation group at an epoch's end still makes an optimizer step (accelerate's sync)", async () => {
  await selectBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-accum-"));
  const { modelDir, datasetDir } = await makeTiny(tmp, { numImages: 8, vaeSteps: 0 });
  const steps: Array<Record<string, number>> = [];
  const images: string[] = [];
  const logger: TrainLogger = {
    start: () => undefined,
    log: (metrics, step) => void steps.push({ step, ...metrics }),
    logImage: (key, _png, meta) => void images.push(`${key} ${meta.epoch} ${meta.step} ${meta.caption}`),
    logText: () => undefined,
    finish: () => undefined,
  };
  // 8 examples in batches of 3 -> 3 batches per epoch; groups of 2 -> [2, 1]: 2 optimizer steps per epoch.
  const parsed = parseOptions([
    `--pretrained_model_name_or_path=${modelDir}`,
    `--dataset_name=${datasetDir}`,
    `--output_dir=${path.join(tmp, "out")}`,
    "--resolution=64",
    "--train_batch_size=3",
    "--gradient_accumulation_steps=2",
    "--max_train_steps=4",
    "--seed=3",
    "--validation_epochs=2",
    "--validation_prompts",
    "a red square",
  ]);
  assert.equal(await train(parsed, logger), "finished");
  assert.deepEqual(steps.map((m) => [m.step, m.epoch]), [[1, 0], [2, 0], [3, 1], [4, 1]]);
  // Images per step: two batches (3 + 3), then the short group (2).
  assert.deepEqual(steps.map((m) => Math.round(m.images_per_sec * m.step_time)), [6, 2, 6, 2]);
  assert.deepEqual(images, ["validation 0 2 0: a red square"]);
});
