import * as tf from "@tensorflow/tfjs";
import { configBoolean, configNumber } from "../models/config_values";
import { f32, spacedTimesteps } from "./noise_schedule";
import { SamplingScheduler } from "./sampling_scheduler";

/** diffusers' DDIMScheduler, deterministic (eta = 0): stateless, one UNet call per step. */
export class DDIMScheduler extends SamplingScheduler {
  private readonly clipSample: boolean;
  private readonly clipSampleRange: number;

  private constructor(cfg: Record<string, unknown>) {
    super(cfg, true);
    this.clipSample = configBoolean(cfg, "clip_sample", true);
    this.clipSampleRange = configNumber(cfg, "clip_sample_range", 1);
  }

  static fromConfig(cfg: Record<string, unknown>): DDIMScheduler {
    return new DDIMScheduler(cfg);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = spacedTimesteps(this.config, numInferenceSteps).reverse();
    this.numInferenceSteps = numInferenceSteps;
  }

  step(modelOutput: tf.Tensor, t: number, sample: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const alpha = this.alphaAt(t);
      const alphaPrev = this.alphaAt(t - this.stepRatio);
      const sqrtAlpha = f32(Math.sqrt(alpha));
      const sqrtBeta = f32(Math.sqrt(f32(1 - alpha)));
      let predX0: tf.Tensor;
      let predEps: tf.Tensor;
      if (this.config.prediction_type === "epsilon") {
        predX0 = tf.div(tf.sub(sample, tf.mul(modelOutput, sqrtBeta)), sqrtAlpha);
        predEps = modelOutput;
      } else if (this.config.prediction_type === "sample") {
        predX0 = modelOutput;
        predEps = tf.div(tf.sub(sample, tf.mul(predX0, sqrtAlpha)), sqrtBeta);
      } else {
        predX0 = tf.sub(tf.mul(sample, sqrtAlpha), tf.mul(modelOutput, sqrtBeta));
        predEps = tf.add(tf.mul(modelOutput, sqrtAlpha), tf.mul(sample, sqrtBeta));
      }
      if (this.clipSample) predX0 = tf.clipByValue(predX0, -this.clipSampleRange, this.clipSampleRange);
      // With eta = 0 the step adds no noise and the direction keeps all of 1 - alpha_bar_prev.
      const direction = tf.mul(predEps, f32(Math.sqrt(f32(1 - alphaPrev))));
      return tf.add(tf.mul(predX0, f32(Math.sqrt(alphaPrev))), direction);
    });
  }
}
