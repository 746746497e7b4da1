/**
 * One training step of the seed script (train_sd1-5_naruto.py), as plain functions for trainer/train.ts:
 * per micro-batch `sampleLatents` + `sampleNoise` + `microStep` (loss and gradients of loss / grad_accum),
 * `accumulateGradients` across micro-batches, then at the sync step `optimizerStep` (clip, AdamW, EMA).
 * The logged train_loss is the sum over the micro-steps of loss / grad_accum.
 */
import * as tf from "@tensorflow/tfjs";
import type { AutoencoderKL } from "../models/autoencoder_kl";
import type { UNet2DConditionModel } from "../models/unet_2d_condition";
import type { Parameter } from "../nn/module";
import type { AdamW } from "./adamw";
import { clipCoefficient, clipGradNorm, globalNormOnHost } from "./clip_grad_norm";
import type { EMAModel } from "./ema";
import { hostMemory, type HostMemory } from "./host_memory";
import { adamwUpdate, addInPlace, clipByGlobalNorm, emaUpdate } from "./multi_tensor_webgpu";
import { WebGpuEncoder } from "./webgpu_encoder";
import { chainSegments, segmentGradients } from "./gradient_checkpointing";
import { diffusionLoss, minSnrWeights, trainingTarget, type PredictionType, type TrainingNoiseScheduler } from "./loss";

/** The DDPM scheduler calls a training step makes. */
export interface DiffusionNoiseScheduler extends TrainingNoiseScheduler {
  addNoise(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D): tf.Tensor;
}

/**
 * VAE latents for training: (mean + exp(logvar / 2) * eps) * scaling_factor, i.e.
 * latent_dist.sample() scaled; eps is drawn when not given. NHWC in, NHWC out.
 */
export function sampleLatents(vae: AutoencoderKL, pixelValues: tf.Tensor4D, eps?: tf.Tensor4D, seed?: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, logvar } = vae.encode(pixelValues);
    const e = eps ?? tf.randomNormal(mean.shape, 0, 1, "float32", seed);
    return tf.mul(tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), e)), vae.config.scaling_factor) as tf.Tensor4D;
  });
}

export interface NoiseOptions {
  /** --noise_offset: adds offset * N(0, 1) per sample and channel. */
  noiseOffset?: number;
  /** --input_perturbation: the UNet input is noised with noise + p * N(0, 1), the target stays `noise`. */
  inputPerturbation?: number;
  seed?: number;
}

/** The seed's noise for one micro-batch of NHWC latents: the target noise and the noise the input is built from. */
export function sampleNoise(shape: [number, number, number, number], opts: NoiseOptions = {}): { noise: tf.Tensor4D; inputNoise: tf.Tensor4D } {
  const seed = (k: number): number | undefined => (opts.seed === undefined ? undefined : opts.seed + k);
  return tf.tidy(() => {
    let noise = tf.randomNormal(shape, 0, 1, "float32", seed(0)) as tf.Tensor4D;
    if (opts.noiseOffset) {
      const [n, , , c] = shape;
      noise = tf.add(noise, tf.mul(tf.randomNormal([n, 1, 1, c], 0, 1, "float32", seed(1)), opts.noiseOffset));
    }
    const inputNoise = opts.inputPerturbation
      ? (tf.add(noise, tf.mul(tf.randomNormal(shape, 0, 1, "float32", seed(2)), opts.inputPerturbation)) as tf.Tensor4D)
      : noise.clone();
    return { noise, inputNoise };
  });
}

/** Uniform integer timesteps in [0, numTrainTimesteps), one per sample (int32). */
export function sampleTimesteps(batch: number, numTrainTimesteps: number, seed?: number): tf.Tensor1D {
  return tf.randomUniform([batch], 0, numTrainTimesteps, "int32", seed) as tf.Tensor1D;
}

export interface MicroBatch {
  /** Scaled VAE latents, NHWC. */
  latents: tf.Tensor4D;
  /** The noise the loss targets (epsilon) or builds the velocity from. */
  noise: tf.Tensor4D;
  /** The noise the UNet input is made with; `noise` unless input perturbation is on. */
  inputNoise?: tf.Tensor4D;
  /** int32 [N]. */
  timesteps: tf.Tensor1D;
  encoderHiddenStates: tf.Tensor3D;
}

export interface ObjectiveOptions {
  predictionType: PredictionType;
  /** --snr_gamma: min-SNR weighting when set. */
  snrGamma?: number | null;
  gradAccum: number;
  /** Recompute each UNet block during backward instead of keeping every activation. */
  gradientCheckpointing: boolean;
}

/**
 * Forward and backward of one micro-batch. Returns the loss as logged (before the division by
 * grad_accum; a scalar the caller reads and disposes, so that one read per optimizer step serves
 * all its micro-steps) and the gradients of loss / grad_accum, keyed like `unet.namedParameters()`.
 */
export function microStep(
  unet: UNet2DConditionModel,
  scheduler: DiffusionNoiseScheduler,
  batch: MicroBatch,
  opts: ObjectiveOptions,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const { noisy, target, weights } = tf.tidy(() => ({
    noisy: scheduler.addNoise(batch.latents, batch.inputNoise ?? batch.noise, batch.timesteps),
    target: trainingTarget(scheduler, opts.predictionType, batch.latents, batch.noise, batch.timesteps).clone(),
    weights: opts.snrGamma
      ? minSnrWeights(scheduler.alphasCumprod, batch.timesteps, opts.snrGamma, opts.predictionType)
      : undefined,
  }));
  const timesteps = tf.cast(batch.timesteps, "float32");
  // The unscaled loss is kept out of the gradient scope for logging.
  const logged: tf.Scalar[] = [];
  const head = ([pred]: tf.Tensor[]): tf.Scalar => {
    const loss = tf.keep(diffusionLoss(pred, target, weights));
    logged.push(loss);
    return tf.div(loss, opts.gradAccum);
  };
  const segments = unet.segments();
  const result = segmentGradients(
    opts.gradientCheckpointing ? segments : [chainSegments(segments)],
    [noisy, timesteps, batch.encoderHiddenStates],
    head,
    unet.namedParameters(),
  );
  const [loss, ...recomputed] = logged;
  tf.dispose([noisy, target, timesteps, result.loss, ...recomputed, ...(weights ? [weights] : [])]);
  return { loss: loss!, grads: result.grads };
}

/**
 * Adds a micro-step's gradients into the running sums (taking ownership of both). On webgpu the
 * sums are added to in place by multi-tensor kernels (`encoder`; null runs tfjs ops).
 */
export function accumulateGradients(
  sums: Map<string, tf.Tensor> | null,
  grads: Map<string, tf.Tensor>,
  encoder: WebGpuEncoder | null = WebGpuEncoder.active(),
): Map<string, tf.Tensor> {
  if (!sums) return grads;
  if (encoder) return accumulateOnDevice(encoder, sums, grads);
  for (const [name, g] of grads) {
    const prev = sums.get(name);
    sums.set(name, prev ? tf.add(prev, g) : g);
    if (prev) {
      prev.dispose();
      g.dispose();
    }
  }
  return sums;
}

function accumulateOnDevice(encoder: WebGpuEncoder, sums: Map<string, tf.Tensor>, grads: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  const pairs: Array<{ sum: tf.Tensor; addend: tf.Tensor }> = [];
  for (const [name, g] of grads) {
    let sum = sums.get(name);
    if (!sum) {
      sums.set(name, g);
      continue;
    }
    // A sum is written in place, so it must not share its buffer (gradients can be reshapes of one dy).
    if (encoder.shared(sum)) {
      const copy = encoder.copyOf(sum);
      sum.dispose();
      sums.set(name, (sum = copy));
    }
    pairs.push({ sum, addend: g });
  }
  addInPlace(encoder, pairs);
  tf.dispose(pairs.map((p) => p.addend));
  return sums;
}

export interface OptimizerStepOptions {
  optimizer: AdamW;
  /** The lr scheduler's value for this step. */
  lr: number;
  maxGradNorm: number;
  ema?: EMAModel | null;
  /** The trained parameters (for the EMA update). */
  params: Array<[string, Parameter]>;
  /**
   * Where the update can run as plain loops over tensor memory (much faster than tfjs ops on a
   * small model); defaults to the backend's. null runs it as tfjs ops.
   */
  memory?: HostMemory | null;
  /** On webgpu, where the update runs as multi-tensor kernels; defaults to the backend's. null runs it as tfjs ops. */
  encoder?: WebGpuEncoder | null;
}

/**
 * The sync step: clip the accumulated gradients, AdamW, then the EMA update. Disposes the
 * gradients and returns their global norm before clipping, as a scalar the caller reads and disposes.
 */
export function optimizerStep(grads: Map<string, tf.Tensor>, opts: OptimizerStepOptions): tf.Scalar {
  const memory = opts.memory === undefined ? hostMemory() : opts.memory;
  const encoder = memory ? null : opts.encoder === undefined ? WebGpuEncoder.active() : opts.encoder;
  if (encoder) return optimizerStepOnDevice(encoder, grads, opts);
  let norm: tf.Scalar;
  if (memory) {
    // The clip is folded into AdamW's reading of the gradients.
    const value = globalNormOnHost(memory, grads.values());
    opts.optimizer.stepOnHost(memory, grads, opts.lr, clipCoefficient(value, opts.maxGradNorm));
    norm = tf.scalar(value);
  } else {
    norm = clipGradNorm(grads, opts.maxGradNorm);
    opts.optimizer.step(grads, opts.lr);
  }
  tf.dispose([...grads.values()]);
  grads.clear();
  if (memory) opts.ema?.stepOnHost(memory, opts.params);
  else opts.ema?.step(opts.params);
  return norm;
}

/**
 * The sync step as multi-tensor WebGPU kernels: the clip coefficient stays on the device, and
 * each trained parameter's EMA update runs in its AdamW pass. A few dispatches per ~10 parameters
 * instead of ~16 per parameter.
 */
function optimizerStepOnDevice(encoder: WebGpuEncoder, grads: Map<string, tf.Tensor>, opts: OptimizerStepOptions): tf.Scalar {
  const { norm, coef } = clipByGlobalNorm(encoder, [...grads.values()], opts.maxGradNorm);
  const updates = opts.optimizer.deviceUpdates(grads, opts.lr);
  const ema = opts.ema;
  const oneMinusDecay = ema ? 1 - ema.advance() : null;
  // diffusers' EMA covers every parameter; those AdamW updates with a trainable value get it fused.
  const fused = new Set(ema ? updates.filter((u) => u.param.trainable).map((u) => u.name) : []);
  for (const u of updates) if (fused.has(u.name)) u.shadow = ema!.shadowOf(u.name);
  adamwUpdate(encoder, updates, coef, opts.optimizer, oneMinusDecay);
  if (ema) {
    const rest = opts.params.filter(([name]) => !fused.has(name));
    emaUpdate(encoder, rest.map(([name, p]) => ({ param: p.value, shadow: ema.shadowOf(name), copy: !p.value.trainable })), oneMinusDecay!);
  }
  coef.dispose();
  tf.dispose([...grads.values()]);
  grads.clear();
  encoder.submit();
  return norm;
}
