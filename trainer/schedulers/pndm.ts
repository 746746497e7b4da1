import * as tf from "@tensorflow/tfjs";
import { configBoolean } from "../models/config_values";
import { f32, spacedTimesteps } from "./noise_schedule";
import { SamplingScheduler } from "./sampling_scheduler";

/**
 * diffusers' PNDMScheduler with skip_prk_steps (PLMS), as Stable Diffusion
 * uses it: a linear multistep method over the last four noise predictions.
 * Stateful: step() must be called once per entry of `timesteps`, in order.
 */
export class PNDMScheduler extends SamplingScheduler {
  private counter = 0;
  /** The latest model outputs, newest last; PLMS needs at most four. */
  private ets: tf.Tensor[] = [];
  private curSample: tf.Tensor | null = null;

  private constructor(cfg: Record<string, unknown>) {
    super(cfg, false);
    if (!configBoolean(cfg, "skip_prk_steps", false)) {
      throw new Error("PNDMScheduler: only skip_prk_steps=true (PLMS, as Stable Diffusion uses) is implemented");
    }
    if (this.config.prediction_type === "sample") throw new Error('PNDMScheduler: prediction_type "sample" is not supported (as in diffusers)');
  }

  static fromConfig(cfg: Record<string, unknown>): PNDMScheduler {
    return new PNDMScheduler(cfg);
  }

  /**
   * diffusers' PLMS timesteps: the spaced steps descending, with the second
   * one repeated (its first visit is a predictor step, the second the corrector).
   */
  setTimesteps(numInferenceSteps: number): void {
    const ascending = spacedTimesteps(this.config, numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
    this.timesteps = [...ascending.slice(0, -1), ...ascending.slice(-2, -1), ...ascending.slice(-1)].reverse();
    this.reset();
  }

  step(modelOutput: tf.Tensor, t: number, sample: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let timestep = t;
      let prevTimestep = t - this.stepRatio;
      if (this.counter !== 1) {
        this.ets.push(tf.keep(modelOutput.clone()));
        if (this.ets.length > 4) this.ets.shift()!.dispose();
      } else {
        // The repeated timestep: redo the first step with the averaged prediction.
        prevTimestep = t;
        timestep = t + this.stepRatio;
      }
      const e = (back: number): tf.Tensor => this.ets[this.ets.length - back]!;
      let eps: tf.Tensor;
      let from = sample;
      if (this.ets.length === 1 && this.counter === 0) {
        eps = modelOutput;
        this.curSample = tf.keep(sample.clone());
      } else if (this.ets.length === 1 && this.counter === 1) {
        eps = tf.div(tf.add(modelOutput, e(1)), 2);
        from = this.curSample!;
      } else if (this.ets.length === 2) {
        eps = tf.div(tf.sub(tf.mul(e(1), 3), e(2)), 2);
      } else if (this.ets.length === 3) {
        eps = tf.div(tf.add(tf.sub(tf.mul(e(1), 23), tf.mul(e(2), 16)), tf.mul(e(3), 5)), 12);
      } else {
        const sum = tf.sub(tf.add(tf.sub(tf.mul(e(1), 55), tf.mul(e(2), 59)), tf.mul(e(3), 37)), tf.mul(e(4), 9));
        eps = tf.mul(sum, f32(1 / 24));
      }
      const prev = this.prevSample(from, timestep, prevTimestep, eps);
      if (this.counter === 1) {
        this.curSample!.dispose();
        this.curSample = null;
      }
      this.counter++;
      return prev;
    });
  }

  /** Formula (9) of the PNDM paper, with the scalar coefficients in float32 like torch. */
  private prevSample(sample: tf.Tensor, t: number, prevT: number, modelOutput: tf.Tensor): tf.Tensor {
    const alpha = this.alphaAt(t);
    const alphaPrev = this.alphaAt(prevT);
    const beta = f32(1 - alpha);
    const betaPrev = f32(1 - alphaPrev);
    const eps =
      this.config.prediction_type === "v_prediction"
        ? tf.add(tf.mul(modelOutput, f32(Math.sqrt(alpha))), tf.mul(sample, f32(Math.sqrt(beta))))
        : modelOutput;
    const sampleCoeff = f32(Math.sqrt(f32(alphaPrev / alpha)));
    const denom = f32(f32(alpha * f32(Math.sqrt(betaPrev))) + f32(Math.sqrt(f32(f32(alpha * beta) * alphaPrev))));
    return tf.sub(tf.mul(sample, sampleCoeff), tf.div(tf.mul(eps, f32(alphaPrev - alpha)), denom));
  }

  private reset(): void {
    tf.dispose(this.ets);
    this.ets = [];
    this.curSample?.dispose();
    this.curSample = null;
    this.counter = 0;
  }

  /** Frees the remembered model outputs. */
  dispose(): void {
    this.reset();
  }
}
