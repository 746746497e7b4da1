import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend";
import { DDPMScheduler } from "../../trainer/schedulers/ddpm";
import { AdamW } from "../../trainer/training/adamw";
import { EMAModel } from "../../trainer/training/ema";
import { readScalars } from "../../trainer/training/read_scalars";
import { microStep, optimizerStep } from "../../trainer/training/train_step";
import { installWebGpuCounters, resetWebGpuPeak, skipDispatches, webGpuCounts } from "../../trainer/webgpu_counters";
import { tinyUNet } from "./tiny_unet";

const backend = await selectBackend();

test("a step with dispatches skipped (bench:trainer --memory_only) makes, holds and releases the same buffers as the step run", async (ctx) => {
  if (backend !== "webgpu" || !installWebGpuCounters()) return ctx.skip("not on webgpu");
  const unet = tinyUNet(5);
  const scheduler = DDPMScheduler.fromConfig({ beta_schedule: "scaled_linear", beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 });
  const params = unet.namedParameters();
  const optimizer = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  const ema = new EMAModel(params);
  // One training step, gradient checkpointing on (the bench's sd15_ckpt case); its counts, peak and the grad norm it read.
  const step = async (seed: number) => {
    const before = webGpuCounts();
    resetWebGpuPeak();
    const batch = {
      latents: tf.randomNormal([1, 16, 16, 4], 0, 1, "float32", seed) as tf.Tensor4D,
      noise: tf.randomNormal([1, 16, 16, 4], 0, 1, "float32", seed + 1) as tf.Tensor4D,
      timesteps: tf.tensor1d([seed % 1000], "int32"),
      encoderHiddenStates: tf.randomNormal([1, 77, 16], 0, 1, "float32", seed + 2) as tf.Tensor3D,
    };
    const { loss, grads } = microStep(unet, scheduler, batch, { predictionType: "epsilon", gradAccum: 1, gradientCheckpointing: true });
    tf.dispose(Object.values(batch));
    const [norm] = await readScalars([optimizerStep(grads, { optimizer, lr: 1e-3, maxGradNorm: 1, ema, params }), loss]);
    const after = webGpuCounts();
    return {
      dispatches: after.dispatches - before.dispatches,
      submits: after.submits - before.submits,
      creates: after.creates - before.creates,
      peakAboveStart: after.peakBytes - before.liveBytes,
      norm: norm!,
    };
  };
  for (let k = 0; k < 2; k++) await step(10 + k); // pools and pipelines settle
  const ran = await step(20);
  skipDispatches();
  const skipped = await step(20);
  assert.ok(ran.dispatches > 100 && ran.norm > 0, `the step that ran: ${JSON.stringify(ran)}`);
  assert.deepEqual({ ...skipped, norm: 0 }, { ...ran, norm: 0 });
  const doubled = await tf.tidy(() => tf.mul(tf.fill([4096], 3), 2)).data();
  assert.ok(!doubled.every((v) => v === 6), "with dispatches skipped, nothing is computed");
  optimizer.dispose();
  ema.dispose();
  scheduler.dispose();
});
