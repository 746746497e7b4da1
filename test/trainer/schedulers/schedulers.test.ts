import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { scalarOf } from "../read";
import { DDIMScheduler } from "../../../trainer/schedulers/ddim";
import { DDPMScheduler } from "../../../trainer/schedulers/ddpm";
import { spacedTimesteps, readNoiseScheduleConfig, torchLinspaceF32 } from "../../../trainer/schedulers/noise_schedule";
import { PNDMScheduler } from "../../../trainer/schedulers/pndm";
import { SafetensorsFile } from "../../../trainer/weights/safetensors";
import { GOLDEN_DIR, requireGoldenSet } from "../golden";


/** Stable Diffusion 1.5's scheduler_config.json. */
const SD15 = {
  _class_name: "PNDMScheduler",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

await selectBackend();

test("betas and alphas_cumprod follow diffusers' float32 tables", () => {
  const s = DDPMScheduler.fromConfig(SD15);
  assert.equal(s.betas[0], Math.fround(Math.fround(Math.sqrt(0.00085)) ** 2));
  assert.equal(s.betas[999], Math.fround(Math.fround(Math.sqrt(0.012)) ** 2));
  assert.equal(s.alphasCumprod[0], Math.fround(1 - s.betas[0]!));
  // diffusers prints alphas_cumprod[-1] = 0.0047 for SD1.5.
  assert.ok(Math.abs(s.alphasCumprod[999]! - 0.004660) < 1e-5, `alphas_cumprod[999] = ${s.alphasCumprod[999]}`);
  for (let i = 1; i < 1000; i++) assert.ok(s.alphasCumprod[i]! < s.alphasCumprod[i - 1]!);
  const linear = torchLinspaceF32(0.0001, 0.02, 1000);
  assert.equal(linear[0], Math.fround(0.0001));
  assert.equal(linear[999], Math.fround(0.02));
  assert.ok(Math.abs(linear[500]! - (0.0001 + (500 * (0.02 - 0.0001)) / 999)) < 1e-9);
});

test("timesteps: PNDM repeats its second step, DDIM spaces leading with steps_offset", () => {
  const pndm = PNDMScheduler.fromConfig(SD15);
  pndm.setTimesteps(20);
  assert.deepEqual(pndm.timesteps.slice(0, 4), [951, 901, 901, 851]);
  assert.equal(pndm.timesteps.length, 21);
  assert.equal(pndm.timesteps.at(-1), 1);
  const ddim = DDIMScheduler.fromConfig(SD15);
  ddim.setTimesteps(50);
  assert.deepEqual(ddim.timesteps.slice(0, 3), [981, 961, 941]);
  assert.equal(ddim.timesteps.at(-1), 1);
  const cfg = (spacing: string) => readNoiseScheduleConfig({ ...SD15, timestep_spacing: spacing });
  assert.deepEqual(spacedTimesteps(cfg("linspace"), 4), [0, 333, 666, 999]);
  assert.deepEqual(spacedTimesteps(cfg("trailing"), 4), [249, 499, 749, 999]);
  assert.throws(() => spacedTimesteps(cfg("leading"), 0), /num_inference_steps/);
  assert.throws(() => DDPMScheduler.fromConfig({ ...SD15, beta_schedule: "sigmoid" }), /beta_schedule "sigmoid" is not supported/);
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return scalarOf(() => tf.max(tf.abs(tf.sub(a, b))));
}

/** x_t for a fixed clean sample and noise: what a perfect epsilon model lets each step land on. */
function noised(x0: tf.Tensor, eps: tf.Tensor, alphaBar: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x0, Math.sqrt(alphaBar)), tf.mul(eps, Math.sqrt(1 - alphaBar))));
}

for (const [name, make] of [
  ["PNDM", () => PNDMScheduler.fromConfig(SD15)],
  ["DDIM", () => DDIMScheduler.fromConfig(SD15)],
] as const) {
  test(`${name} with a perfect noise prediction walks the forward process back to x0`, async () => {
    const ddpm = DDPMScheduler.fromConfig(SD15);
    const scheduler = make();
    scheduler.setTimesteps(20);
    const x0 = tf.randomNormal([1, 4, 4, 2], 0, 1, "float32", 1);
    const eps = tf.randomNormal([1, 4, 4, 2], 0, 1, "float32", 2);
    const before = tf.memory().numTensors;
    let x = noised(x0, eps, ddpm.alphasCumprod[scheduler.timesteps[0]!]!);
    for (const t of scheduler.timesteps) {
      const next = scheduler.step(eps, t, x);
      x.dispose();
      x = next;
    }
    const want = noised(x0, eps, ddpm.alphasCumprod[0]!);
    const err = await maxAbsDiff(x, want);
    assert.ok(err < 1e-4, `${name} ends ${err} away from the exact x0 mix`);
    tf.dispose([x, want]);
    if (scheduler instanceof PNDMScheduler) scheduler.dispose();
    assert.equal(tf.memory().numTensors, before, "tensors leaked across the sampling loop");
    tf.dispose([x0, eps]);
  });
}

test("v-prediction: DDIM steps exactly on get_velocity's target", async () => {
  const cfg = { ...SD15, prediction_type: "v_prediction" };
  const ddpm = DDPMScheduler.fromConfig(cfg);
  const ddim = DDIMScheduler.fromConfig(cfg);
  ddim.setTimesteps(10);
  const x0 = tf.randomNormal([2, 3, 3, 4], 0, 1, "float32", 3);
  const eps = tf.randomNormal([2, 3, 3, 4], 0, 1, "float32", 4);
  const [t, prevT] = [ddim.timesteps[3]!, ddim.timesteps[4]!];
  const xt = ddpm.addNoise(x0, eps, [t, t]);
  const v = ddpm.getVelocity(x0, eps, [t, t]);
  const got = ddim.step(v, t, xt);
  const want = ddpm.addNoise(x0, eps, [prevT, prevT]);
  assert.ok((await maxAbsDiff(got, want)) < 1e-5);
});

test("add_noise matches diffusers' golden output bit for bit", async () => {
  requireGoldenSet();
  const config = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, "model/scheduler/scheduler_config.json"), "utf8")) as Record<string, unknown>;
  const file = SafetensorsFile.open(path.join(GOLDEN_DIR, "tensors.safetensors"));
  const s = DDPMScheduler.fromConfig(config);
  const got = s.addNoise(file.read("add_noise.latents"), file.read("add_noise.noise"), tf.cast(file.read("add_noise.timesteps"), "int32") as tf.Tensor1D);
  assert.deepEqual(await got.data(), await file.read("add_noise.noisy").data());
  file.close();
});
