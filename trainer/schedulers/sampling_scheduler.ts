import type * as tf from "@tensorflow/tfjs";
import { configBoolean } from "../models/config_values";
import { alphasCumprodFor, betasFor, readNoiseScheduleConfig, type NoiseScheduleConfig } from "./noise_schedule";

/** What PNDM and DDIM share: the alpha table, the step spacing and the sampling-loop interface. */
export abstract class SamplingScheduler {
  readonly config: NoiseScheduleConfig;
  readonly alphasCumprod: Float64Array;
  /** alpha_bar "before" t = 0: 1 when set_alpha_to_one, else alpha_bar_0 (SD1.5 uses the latter). */
  readonly finalAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  /** The timesteps of the sampling loop, in the order the pipeline visits them. */
  timesteps: number[] = [];
  protected numInferenceSteps: number | null = null;

  protected constructor(cfg: Record<string, unknown>, setAlphaToOneDefault: boolean) {
    this.config = readNoiseScheduleConfig(cfg);
    this.alphasCumprod = alphasCumprodFor(betasFor(this.config));
    this.finalAlphaCumprod = configBoolean(cfg, "set_alpha_to_one", setAlphaToOneDefault) ? 1 : this.alphasCumprod[0]!;
  }

  abstract setTimesteps(numInferenceSteps: number): void;

  /** One denoising step from `sample` at timestep t. Inputs stay owned by the caller; the result is new. */
  abstract step(modelOutput: tf.Tensor, t: number, sample: tf.Tensor): tf.Tensor;

  /** Both schedulers feed the UNet the sample unscaled. */
  scaleModelInput(sample: tf.Tensor): tf.Tensor {
    return sample;
  }

  /** Distance between consecutive inference timesteps, as diffusers computes prev_timestep. */
  protected get stepRatio(): number {
    if (this.numInferenceSteps === null) throw new Error("call setTimesteps(n) before step()");
    return Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
  }

  /** alpha_bar at t, or the final value for t < 0. */
  protected alphaAt(t: number): number {
    if (t < 0) return this.finalAlphaCumprod;
    const a = this.alphasCumprod[t];
    if (a === undefined) throw new Error(`timestep ${t} is outside [0, ${this.config.num_train_timesteps})`);
    return a;
  }
}
