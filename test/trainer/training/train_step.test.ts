import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { run as runTrainSteps } from "../../../trainer/conformance/kinds/train_steps";
import { DDPMScheduler } from "../../../trainer/schedulers/ddpm";
import { AdamW } from "../../../trainer/training/adamw";
import { EMAModel } from "../../../trainer/training/ema";
import { chainSegments } from "../../../trainer/training/gradient_checkpointing";
import { diffusionLoss, minSnrWeights } from "../../../trainer/training/loss";
import { readScalars } from "../../../trainer/training/read_scalars";
import { scalarOf } from "../read";
import {
  accumulateGradients,
  microStep,
  optimizerStep,
  sampleNoise,
  sampleTimesteps,
  type MicroBatch,
} from "../../../trainer/training/train_step";
import { runGoldenCase } from "../golden";
import { tinyUNet } from "../tiny_unet";

await selectBackend();

const SD15_SCHEDULER = { beta_schedule: "scaled_linear", beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 };

function microBatch(seed: number, timesteps: number[]): MicroBatch {
  const shape: [number, number, number, number] = [timesteps.length, 8, 8, 4];
  return {
    latents: tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor4D,
    noise: tf.randomNormal(shape, 0, 1, "float32", seed + 1) as tf.Tensor4D,
    timesteps: tf.tensor1d(timesteps, "int32"),
    encoderHiddenStates: tf.randomNormal([timesteps.length, 77, 16], 0, 1, "float32", seed + 2) as tf.Tensor3D,
  };
}

function relativeError(got: tf.Tensor, want: tf.Tensor): Promise<number> {
  return scalarOf(() => tf.div(tf.norm(tf.sub(got, want)), tf.norm(want)));
}

test("the golden train_steps case passes (losses, grad norms, UNet and EMA weight deltas)", async () => {
  const result = await runGoldenCase("train_steps", runTrainSteps);
  console.log(`train_steps worst ${result.worst.toPrecision(3)}: ${result.detail}`);
  assert.ok(result.worst <= 1, result.detail);
});

test("min-SNR weights and the weighted loss match a float64 reference", async () => {
  const scheduler = DDPMScheduler.fromConfig(SD15_SCHEDULER);
  const ts = [0, 10, 500, 999];
  const tsTensor = tf.tensor1d(ts, "int32");
  const gamma = 5;
  const snr = ts.map((t) => scheduler.alphasCumprod[t] / (1 - scheduler.alphasCumprod[t]));
  const eps = await minSnrWeights(scheduler.alphasCumprod, tsTensor, gamma, "epsilon").data();
  const v = await minSnrWeights(scheduler.alphasCumprod, tsTensor, gamma, "v_prediction").data();
  snr.forEach((s, i) => {
    assert.ok(Math.abs(eps[i] - Math.min(s, gamma) / s) <= 1e-5 * (Math.min(s, gamma) / s), `epsilon weight ${i}`);
    assert.ok(Math.abs(v[i] - Math.min(s, gamma) / (s + 1)) <= 1e-5 * (Math.min(s, gamma) / (s + 1)), `v weight ${i}`);
  });

  const pred = [[1, 2], [3, 5]];
  const target = [[0, 0], [1, 1]];
  const w = [0.5, 2];
  // Per-sample means 2.5 and 10, weighted 1.25 and 20, mean 10.625; unweighted mean 6.25.
  const [p, q, wt] = [tf.tensor2d(pred), tf.tensor2d(target), tf.tensor1d(w)];
  assert.equal(await scalarOf(() => diffusionLoss(p, q, wt as tf.Tensor1D)), 10.625);
  assert.equal(await scalarOf(() => diffusionLoss(p, q)), 6.25);
  tf.dispose([p, q, wt, tsTensor]);
  scheduler.dispose();
});

test("microStep noises the input with inputNoise, targets the velocity and applies min-SNR weights", async () => {
  const unet = tinyUNet(1);
  const scheduler = DDPMScheduler.fromConfig({ ...SD15_SCHEDULER, prediction_type: "v_prediction" });
  const batch = microBatch(10, [100, 900]);
  const inputNoise = tf.randomNormal(batch.noise.shape, 0, 1, "float32", 20) as tf.Tensor4D;
  const out = microStep(unet, scheduler, { ...batch, inputNoise }, {
    predictionType: "v_prediction",
    snrGamma: 5,
    gradAccum: 2,
    gradientCheckpointing: true,
  });
  const want = tf.tidy(() => {
    const noisy = scheduler.addNoise(batch.latents, inputNoise, batch.timesteps) as tf.Tensor4D;
    const pred = unet.forward(noisy, tf.cast(batch.timesteps, "float32") as tf.Tensor1D, batch.encoderHiddenStates);
    const target = scheduler.getVelocity(batch.latents, batch.noise, batch.timesteps);
    return diffusionLoss(pred, target, minSnrWeights(scheduler.alphasCumprod, batch.timesteps, 5, "v_prediction"));
  });
  const [loss, wantLoss] = await readScalars([out.loss, want]);
  assert.ok(Math.abs(loss! - wantLoss!) <= 1e-6 * wantLoss!, `loss ${loss} want ${wantLoss}`);
  tf.dispose([...out.grads.values(), ...Object.values(batch), inputNoise]);
  scheduler.dispose();
});

test("accumulateGradients sums per name and leaves buffers the sums shared untouched", async () => {
  const dy = tf.tensor([1, 2, 3]);
  const alias = tf.reshape(dy, [3]);
  const first = accumulateGradients(null, new Map([["a", dy], ["b", tf.reshape(dy, [3])]]));
  const sums = accumulateGradients(first, new Map([["a", tf.tensor([10, 20, 30])], ["b", tf.tensor([100, 200, 300])], ["c", tf.tensor([5])]]));
  assert.deepEqual(Array.from(await sums.get("a")!.data()), [11, 22, 33]);
  assert.deepEqual(Array.from(await sums.get("b")!.data()), [101, 202, 303]);
  assert.deepEqual(Array.from(await sums.get("c")!.data()), [5]);
  assert.deepEqual(Array.from(await alias.data()), [1, 2, 3]);
  tf.dispose([alias, ...sums.values()]);
});

test("accumulated micro-step gradients equal the gradient of the mean loss", async () => {
  const unet = tinyUNet(2);
  const scheduler = DDPMScheduler.fromConfig(SD15_SCHEDULER);
  const batches = [microBatch(30, [250]), microBatch(40, [750])];
  const opts = { predictionType: "epsilon" as const, gradAccum: 2, gradientCheckpointing: true };
  let sums: Map<string, tf.Tensor> | null = null;
  for (const b of batches) {
    const { loss, grads } = microStep(unet, scheduler, b, opts);
    loss.dispose();
    sums = accumulateGradients(sums, grads);
  }

  const named = unet.namedParameters();
  const full = tf.variableGrads(() => {
    const losses = batches.map((b) => {
      const noisy = scheduler.addNoise(b.latents, b.noise, b.timesteps) as tf.Tensor4D;
      const t = tf.cast(b.timesteps, "float32") as tf.Tensor1D;
      return diffusionLoss(chainSegments(unet.segments())([noisy, t, b.encoderHiddenStates])[0], b.noise);
    });
    return tf.div(tf.addN(losses), 2) as tf.Scalar;
  }, named.map(([, p]) => p.value));
  for (const [name, p] of named) {
    const err = await relativeError(sums!.get(name)!, full.grads[p.value.name]);
    assert.ok(err <= 1e-5, `${name}: relative error ${err}`);
  }
  tf.dispose([...sums!.values(), full.value, Object.values(full.grads), batches.flatMap((b) => Object.values(b))]);
  scheduler.dispose();
});

test("training keeps the tensor count flat from step to step", async () => {
  const unet = tinyUNet(3);
  const scheduler = DDPMScheduler.fromConfig(SD15_SCHEDULER);
  const params = unet.namedParameters();
  const optimizer = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  const ema = new EMAModel(params);
  const counts: number[] = [];
  for (let step = 1; step <= 5; step++) {
    let grads: Map<string, tf.Tensor> | null = null;
    const losses: tf.Scalar[] = [];
    for (let k = 0; k < 2; k++) {
      const batch = microBatch(100 * step + 10 * k, [0]);
      tf.dispose(batch.timesteps);
      batch.timesteps = sampleTimesteps(1, 1000, step * 7 + k);
      const noise = sampleNoise([1, 8, 8, 4], { noiseOffset: 0.1, inputPerturbation: 0.1, seed: step });
      tf.dispose(batch.noise);
      const out = microStep(unet, scheduler, { ...batch, ...noise }, {
        predictionType: "epsilon",
        snrGamma: 5,
        gradAccum: 2,
        gradientCheckpointing: k === 0,
      });
      losses.push(out.loss);
      tf.dispose([...Object.values(batch), ...Object.values(noise)]);
      grads = accumulateGradients(grads, out.grads);
    }
    const [norm, ...microLosses] = await readScalars([optimizerStep(grads!, { optimizer, lr: 1e-3, maxGradNorm: 1, ema, params }), ...losses]);
    assert.ok(Number.isFinite(norm) && norm! > 0);
    assert.ok(microLosses.every(Number.isFinite));
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[4], counts[1], `tensor counts per step: ${counts.join(", ")}`);
  optimizer.dispose();
  ema.dispose();
  scheduler.dispose();
});
