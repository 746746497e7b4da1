/**
 * The seed script's training objective: `trainingTarget` (epsilon or v), `minSnrWeights` (snr_gamma) and
 * `diffusionLoss`, an MSE in float32, mean-reduced, optionally weighted per sample.
 */
import * as tf from "@tensorflow/tfjs";

export type PredictionType = "epsilon" | "v_prediction";

/** What the loss needs from a DDPM noise scheduler (trainer/schedulers/ddpm.ts). */
export interface TrainingNoiseScheduler {
  alphasCumprod: ArrayLike<number>;
  getVelocity(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D): tf.Tensor;
}

/** The regression target: the noise itself, or the velocity for v_prediction. */
export function trainingTarget(
  scheduler: TrainingNoiseScheduler,
  predictionType: PredictionType,
  latents: tf.Tensor,
  noise: tf.Tensor,
  timesteps: tf.Tensor1D,
): tf.Tensor {
  if (predictionType === "epsilon") return noise;
  if (predictionType === "v_prediction") return scheduler.getVelocity(latents, noise, timesteps);
  throw new Error(`unknown prediction type ${String(predictionType)}`);
}

/**
 * Min-SNR loss weights (arXiv 2303.09556, section 3.4, with the section 4.2 change for epsilon and v
 * targets): min(snr, gamma) / snr, or / (snr + 1) for v_prediction, where snr = alpha_t^2 / sigma_t^2
 * computed in float32 like diffusers' compute_snr.
 */
export function minSnrWeights(
  alphasCumprod: ArrayLike<number>,
  timesteps: tf.Tensor1D,
  snrGamma: number,
  predictionType: PredictionType,
): tf.Tensor1D {
  return tf.tidy(() => {
    // Gathered on the device: no read of the timesteps mid-step.
    const acp = tf.gather(tf.tensor1d(Array.from(alphasCumprod), "float32"), tf.cast(timesteps, "int32"));
    const snr = tf.square(tf.div(tf.sqrt(acp), tf.sqrt(tf.sub(1, acp))));
    const clipped = tf.minimum(snr, snrGamma);
    return tf.div(clipped, predictionType === "v_prediction" ? tf.add(snr, 1) : snr) as tf.Tensor1D;
  });
}

/** mean((pred - target)^2); with weights, each sample's mean is weighted before the batch mean. */
export function diffusionLoss(pred: tf.Tensor, target: tf.Tensor, sampleWeights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const err = tf.squaredDifference(tf.cast(pred, "float32"), tf.cast(target, "float32"));
    if (!sampleWeights) return tf.mean(err) as tf.Scalar;
    const perSample = tf.mean(err, err.shape.slice(1).map((_, i) => i + 1));
    return tf.mean(tf.mul(perSample, sampleWeights)) as tf.Scalar;
  });
}
