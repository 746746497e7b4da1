/**
 * Trains the tiny demo's VAE to reconstruct its pictures, with the trainer's
 * own modules, gradients and AdamW, so that the latents the UNet learns to
 * denoise decode to pictures rather than colour noise.
 *
 * It is trained as a plain autoencoder on the posterior mean; afterwards its
 * posterior is made deterministic (logvar at the clamp's floor, -30) so the
 * trainer's latent_dist.sample() is the mean, and scaling_factor is set from
 * the latents' standard deviation, as the Stable Diffusion paper derives its
 * 0.18215, so the UNet sees unit-variance latents.
 */
import * as tf from "@tensorflow/tfjs";
import type { AutoencoderKL } from "../models/autoencoder_kl";
import { Rng } from "../data/rng";
import { AdamW } from "../training/adamw";
import { segmentGradients } from "../training/gradient_checkpointing";
import { diffusionLoss } from "../training/loss";

export interface VaeTrainingOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Called every few steps with the reconstruction loss, for progress output. */
  onProgress?: (step: number, loss: number) => void;
}

/** logvar's lower clamp in AutoencoderKL.encode: exp(-30 / 2) is a standard deviation of 3e-7. */
const DETERMINISTIC_LOGVAR = -30;

/**
 * Trains `vae` in place on `images` (NHWC in [-1, 1]) and returns the scaling factor
 * for its config. `images` stays owned by the caller.
 */
export function trainTinyVae(vae: AutoencoderKL, images: tf.Tensor4D, opts: VaeTrainingOptions): number {
  const params = vae.namedParameters();
  const optimizer = new AdamW(params, { lr: opts.learningRate, weightDecay: 0 });
  const rng = new Rng(opts.seed);
  const n = images.shape[0];
  const reconstruct = ([x]: tf.Tensor[]): tf.Tensor[] => [vae.decode(vae.encode(x as tf.Tensor4D).mean)];
  for (let step = 1; step <= opts.steps; step++) {
    const indices = Array.from({ length: opts.batchSize }, () => rng.int(0, n));
    const batch = tf.gather(images, indices);
    const { loss, grads } = segmentGradients([reconstruct], [batch], ([out]) => diffusionLoss(out, batch), params);
    optimizer.step(grads);
    if (step % 25 === 0 || step === opts.steps) opts.onProgress?.(step, loss.dataSync()[0]);
    tf.dispose([batch, loss, ...grads.values()]);
  }
  makePosteriorDeterministic(vae);
  return tf.tidy(() => 1 / tf.moments(vae.encode(images).mean).variance.sqrt().dataSync()[0]);
}

/** quant_conv's logvar half: zero weights and a bias at the clamp's floor. */
function makePosteriorDeterministic(vae: AutoencoderKL): void {
  const conv = vae.quant_conv;
  if (!conv) throw new Error("the tiny VAE needs a quant_conv to fix its posterior's variance");
  const latent = vae.config.latent_channels;
  tf.tidy(() => {
    // tfjs layout: weight [1, 1, in, out], bias [out]; the logvar outputs are the last `latent`.
    const [w, b] = [conv.weight.value, conv.bias!.value];
    const keep = tf.concat([tf.ones([latent]), tf.zeros([latent])]);
    w.assign(tf.mul(w, keep));
    b.assign(tf.add(tf.mul(b, keep), tf.concat([tf.zeros([latent]), tf.fill([latent], DETERMINISTIC_LOGVAR)])));
  });
}
