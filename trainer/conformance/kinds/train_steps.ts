import * as tf from "@tensorflow/tfjs";
import { AutoencoderKL } from "../../models/autoencoder_kl";
import { CLIPTextModel } from "../../models/clip_text_model";
import { UNet2DConditionModel } from "../../models/unet_2d_condition";
import { nchwToNhwc } from "../../nn/layout";
import type { Module } from "../../nn/module";
import { DDPMScheduler } from "../../schedulers/ddpm";
import { AdamW } from "../../training/adamw";
import { EMAModel } from "../../training/ema";
import { lrLambda, type LrSchedulerName } from "../../training/lr_scheduler";
import { readScalars } from "../../training/read_scalars";
import { accumulateGradients, microStep, optimizerStep, sampleLatents } from "../../training/train_step";
import { readComponent, readComponentConfig } from "../../weights/diffusers_loader";
import { allClose } from "../compare";
import type { CaseResult, CaseRunner, GoldenCase, GoldenSet } from "../types";

/**
 * The seed's training loop from the golden model: params.steps optimizer steps of params.grad_accum
 * micro-steps each, fed the recorded pixels, prompts, VAE eps, noise and timesteps (all [micro_step, batch, ...]).
 * Losses and grad norms are compared per value; the trained UNet and EMA weights as one delta per prefix.
 */

interface TrainParams {
  grad_accum: number;
  steps: number;
  lr: number;
  wd: number;
  max_grad_norm: number;
  ema: boolean;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  lr_scheduler: LrSchedulerName;
  gradient_checkpointing?: boolean;
}

/** ||(got - init) - (want - init)|| / ||want - init|| over every tensor of one prefix, in float64. */
async function deltaRatio(got: Map<string, tf.Tensor>, init: Map<string, tf.Tensor>, c: GoldenCase, set: GoldenSet, prefix: string): Promise<number> {
  let err = 0;
  let ref = 0;
  const keys = Object.keys(c.outputs).filter((k) => k.startsWith(`${prefix}:`));
  if (keys.length !== init.size) throw new Error(`${prefix}: ${keys.length} golden tensors for ${init.size} weights`);
  for (const key of keys) {
    const name = key.slice(prefix.length + 1);
    const [g, i0, w] = await Promise.all([got.get(name), init.get(name), set.tensor(c.outputs[key])].map((t) => t?.data()));
    if (!g || !i0 || !w || g.length !== w.length) throw new Error(`${prefix}: no matching weight ${name}`);
    for (let k = 0; k < w.length; k++) {
      const dw = w[k] - i0[k];
      const d = g[k] - i0[k] - dw;
      err += d * d;
      ref += dw * dw;
    }
  }
  return Math.sqrt(err / ref);
}

function worstOf(parts: Array<[string, CaseResult]>): CaseResult {
  const worst = Math.max(...parts.map(([, r]) => r.worst));
  return { worst, detail: parts.map(([what, r]) => `${what} ${r.worst.toPrecision(3)}${r.worst > 1 ? ` (${r.detail})` : ""}`).join("; ") };
}

function disposeModel(m: Module): void {
  m.parameters().forEach((p) => p.value.dispose());
}

/** The recorded losses, grad norms and final weights of the training loop. */
interface TrainRecord {
  microLosses: number[];
  trainLosses: number[];
  gradNorms: number[];
}

/** Runs the loop in place on `unet` (and `ema`), feeding micro-step m the m-th slice of each input. */
async function train(
  c: GoldenCase,
  set: GoldenSet,
  models: { unet: UNet2DConditionModel; vae: AutoencoderKL; textEncoder: CLIPTextModel; scheduler: DDPMScheduler },
  optimizer: AdamW,
  ema: EMAModel | null,
): Promise<TrainRecord> {
  const p = c.params as unknown as TrainParams;
  const { unet, vae, textEncoder, scheduler } = models;
  const params = unet.namedParameters();
  const schedule = lrLambda({ name: p.lr_scheduler, baseLr: p.lr });
  const input = (role: string): tf.Tensor => set.tensor(c.inputs[role] as string);
  const [pixels, ids, vaeEps, noise, timesteps] = ["pixel_values", "input_ids", "vae_eps", "noise", "timesteps"].map(input);
  const at = (t: tf.Tensor, m: number): tf.Tensor => tf.squeeze(tf.slice(t, m, 1), [0]);

  const record: TrainRecord = { microLosses: [], trainLosses: [], gradNorms: [] };
  for (let step = 0; step < p.steps; step++) {
    let grads: Map<string, tf.Tensor> | null = null;
    const losses: tf.Scalar[] = [];
    for (let k = 0; k < p.grad_accum; k++) {
      const m = step * p.grad_accum + k;
      const batch = tf.tidy(() => ({
        latents: sampleLatents(vae, nchwToNhwc(at(pixels, m)), nchwToNhwc(at(vaeEps, m))),
        encoderHiddenStates: textEncoder.forward(at(ids, m) as tf.Tensor2D),
        noise: nchwToNhwc(at(noise, m)),
        timesteps: at(timesteps, m) as tf.Tensor1D,
      }));
      const out = microStep(unet, scheduler, batch, {
        predictionType: "epsilon",
        gradAccum: p.grad_accum,
        gradientCheckpointing: p.gradient_checkpointing ?? true,
      });
      tf.dispose(batch);
      losses.push(out.loss);
      grads = accumulateGradients(grads, out.grads);
    }
    const lr = p.lr * schedule(step);
    const norm = optimizerStep(grads!, { optimizer, lr, maxGradNorm: p.max_grad_norm, ema, params });
    const [gradNorm, ...microLosses] = await readScalars([norm, ...losses]);
    record.gradNorms.push(gradNorm!);
    record.microLosses.push(...microLosses);
    // The seed logs the sum of loss / grad_accum over the micro-steps of an optimizer step.
    record.trainLosses.push(microLosses.reduce((sum, l) => sum + l / p.grad_accum, 0));
  }
  return record;
}

export const run: CaseRunner = async (c, set) => {
  const p = c.params as unknown as TrainParams;
  const [unet, vae, textEncoder] = await Promise.all([
    UNet2DConditionModel.fromPretrained(set.modelDir),
    AutoencoderKL.fromPretrained(set.modelDir),
    CLIPTextModel.fromPretrained(set.modelDir),
  ]);
  const scheduler = DDPMScheduler.fromConfig(await readComponentConfig(set.modelDir, "scheduler"));
  const init = (await readComponent(set.modelDir, "unet")).weights;
  const params = unet.namedParameters();
  const optimizer = new AdamW(params, { lr: p.lr, betas: [p.adam_beta1, p.adam_beta2], eps: p.adam_epsilon, weightDecay: p.wd });
  const ema = p.ema ? new EMAModel(params) : null;
  const finalWeights: tf.Tensor[] = [];
  try {
    const record = await train(c, set, { unet, vae, textEncoder, scheduler }, optimizer, ema);
    const trained = unet.stateDict();
    const averaged = ema?.stateDict(params);
    finalWeights.push(...trained.values(), ...(averaged?.values() ?? []));
    const compare = async (got: number[], role: string, atol: number, rtol: number): Promise<CaseResult> => {
      const t = tf.tensor1d(got);
      const result = await allClose(t, set.tensor(c.outputs[role]), atol, rtol);
      t.dispose();
      return result;
    };
    const deltaTol = c.delta_rtol ?? c.rtol;
    const parts: Array<[string, CaseResult]> = [
      ["micro_loss", await compare(record.microLosses, "micro_loss", c.atol, 0)],
      ["train_loss", await compare(record.trainLosses, "train_loss", c.atol, 0)],
      ["grad_norm", await compare(record.gradNorms, "grad_norm", 0, c.rtol)],
      ["unet delta", { worst: (await deltaRatio(trained, init, c, set, "unet")) / deltaTol }],
    ];
    if (averaged) parts.push(["ema delta", { worst: (await deltaRatio(averaged, init, c, set, "ema")) / deltaTol }]);
    return worstOf(parts);
  } finally {
    tf.dispose([...finalWeights, ...init.values()]);
    optimizer.dispose();
    ema?.dispose();
    scheduler.dispose();
    [unet, vae, textEncoder].forEach(disposeModel);
  }
};
