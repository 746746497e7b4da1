import * as tf from "@tensorflow/tfjs";
import { alphasCumprodFor, betasFor, f32, readNoiseScheduleConfig, type NoiseScheduleConfig } from "./noise_schedule";

/**
 * diffusers' DDPMScheduler as training uses it: the forward (noising) process
 * and the v-prediction target. Sampling uses PNDM or DDIM instead.
 */
export class DDPMScheduler {
  readonly betas: Float64Array;
  readonly alphasCumprod: Float64Array;
  readonly initNoiseSigma = 1;
  /** float32 tables of sqrt(alpha_bar_t) and sqrt(1 - alpha_bar_t), as torch computes them, indexed by t. */
  private tables: { sqrtAlpha: tf.Tensor1D; sqrtOneMinusAlpha: tf.Tensor1D } | null = null;

  constructor(readonly config: NoiseScheduleConfig) {
    this.betas = betasFor(config);
    this.alphasCumprod = alphasCumprodFor(this.betas);
  }

  static fromConfig(cfg: Record<string, unknown>): DDPMScheduler {
    return new DDPMScheduler(readNoiseScheduleConfig(cfg));
  }

  /** sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * noise, per sample t. */
  addNoise(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D | number[]): tf.Tensor {
    return tf.tidy(() => {
      const [sa, s1a] = this.coefficients(timesteps, x0.rank);
      return tf.add(tf.mul(sa, x0), tf.mul(s1a, noise));
    });
  }

  /** The v-prediction target: sqrt(alpha_bar_t) * noise - sqrt(1 - alpha_bar_t) * x0. */
  getVelocity(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D | number[]): tf.Tensor {
    return tf.tidy(() => {
      const [sa, s1a] = this.coefficients(timesteps, x0.rank);
      return tf.sub(tf.mul(sa, noise), tf.mul(s1a, x0));
    });
  }

  /** The two per-sample coefficients, shaped [N, 1, ...] to broadcast over a rank-`rank` batch. */
  private coefficients(timesteps: tf.Tensor1D | number[], rank: number): [tf.Tensor, tf.Tensor] {
    // Float32Array holds the float32 rounding of the exact root, which is what torch's float32 sqrt returns.
    this.tables ??= tf.tidy(() => ({
      sqrtAlpha: tf.keep(tf.tensor1d(Float32Array.from(this.alphasCumprod, (a) => Math.sqrt(a)))),
      sqrtOneMinusAlpha: tf.keep(tf.tensor1d(Float32Array.from(this.alphasCumprod, (a) => Math.sqrt(f32(1 - a))))),
    }));
    const t = Array.isArray(timesteps) ? tf.tensor1d(timesteps, "int32") : tf.cast(timesteps, "int32");
    const shape = [t.shape[0], ...Array<number>(rank - 1).fill(1)];
    return [tf.reshape(tf.gather(this.tables.sqrtAlpha, t), shape), tf.reshape(tf.gather(this.tables.sqrtOneMinusAlpha, t), shape)];
  }

  /** Frees the coefficient tables (they are rebuilt on next use). */
  dispose(): void {
    if (this.tables) tf.dispose([this.tables.sqrtAlpha, this.tables.sqrtOneMinusAlpha]);
    this.tables = null;
  }
}
