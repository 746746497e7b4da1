/**
 * torch.optim.AdamW (single-tensor path): decoupled weight decay first, then Adam with bias correction,
 * eps added after the square root. `new AdamW(model.namedParameters(), opts).step(grads, lr)`.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeToTorch, torchToNative, type Parameter } from "../nn/module";
import { ensureExclusive, type HostMemory } from "./host_memory";
import type { AdamWTensors } from "./multi_tensor_webgpu";
import { stateVariable } from "./state_variable";

export interface AdamWOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** torch's default is 1e-2, as is the seed script's --adam_weight_decay. */
  weightDecay?: number;
}

interface Moments {
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  /** Optimizer steps taken on this parameter (torch keeps one per parameter). */
  step: number;
}

/** One parameter's update in a step: its state and the step's scalars. */
interface Update {
  p: Parameter;
  m: Moments;
  /** 1 - lr * weight_decay: the decoupled decay factor. */
  decay: number;
  /** lr / (1 - beta1^step). */
  stepSize: number;
  /** sqrt(1 - beta2^step). */
  biasCorrection2Sqrt: number;
}

export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly params: Map<string, Parameter>;
  private readonly moments = new Map<string, Moments>();

  constructor(params: Array<[string, Parameter]>, opts: AdamWOptions) {
    this.params = new Map(params);
    this.lr = opts.lr;
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 1e-2;
  }

  /** Moments are created on a parameter's first step, as torch creates its state lazily. */
  private momentsOf(name: string, p: Parameter): Moments {
    let m = this.moments.get(name);
    if (!m) {
      m = { expAvg: stateVariable(tf.zerosLike(p.value)), expAvgSq: stateVariable(tf.zerosLike(p.value)), step: 0 };
      this.moments.set(name, m);
    }
    return m;
  }

  /** Counts a step on the named parameter and works out its scalars. */
  private begin(name: string, lr: number): Update {
    const p = this.params.get(name);
    if (!p) throw new Error(`AdamW: gradient for unknown parameter ${name}`);
    const m = this.momentsOf(name, p);
    m.step += 1;
    return {
      p,
      m,
      decay: 1 - lr * this.weightDecay,
      stepSize: lr / (1 - this.beta1 ** m.step),
      biasCorrection2Sqrt: Math.sqrt(1 - this.beta2 ** m.step),
    };
  }

  /**
   * One update with the given lr (the lr scheduler's value for this step). Parameters without a
   * gradient are left alone, weight decay included, like torch does for `p.grad is None`.
   */
  step(grads: Map<string, tf.Tensor>, lr: number = this.lr): void {
    for (const [name, grad] of grads) {
      const { p, m, decay, stepSize, biasCorrection2Sqrt } = this.begin(name, lr);
      tf.tidy(() => {
        const decayed = tf.mul(p.value, decay);
        // torch's lerp_(grad, 1 - beta1), in its small-weight form: m + w * (g - m).
        const expAvg = tf.add(m.expAvg, tf.mul(tf.sub(grad, m.expAvg), 1 - this.beta1));
        const expAvgSq = tf.add(tf.mul(m.expAvgSq, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(expAvgSq), biasCorrection2Sqrt), this.eps);
        p.value.assign(tf.sub(decayed, tf.mul(tf.div(expAvg, denom), stepSize)));
        m.expAvg.assign(expAvg);
        m.expAvgSq.assign(expAvgSq);
      });
    }
  }

  /**
   * `step` as one loop per parameter over host memory, on gradients scaled by `gradScale` (the
   * clip coefficient) as they are read. The moments are updated in place; each parameter gets a
   * new buffer, since kernels may cache what they derived from the old one.
   */
  stepOnHost(memory: HostMemory, grads: Map<string, tf.Tensor>, lr: number = this.lr, gradScale = 1): void {
    const { beta1, beta2, eps } = this;
    for (const [name, grad] of grads) {
      const { p, m, decay, stepSize, biasCorrection2Sqrt } = this.begin(name, lr);
      ensureExclusive(memory, m.expAvg);
      ensureExclusive(memory, m.expAvgSq);
      const next = memory.empty(p.value.shape);
      // Views after the allocations above, which may have grown (and detached) wasm memory.
      const [g, x, expAvg, expAvgSq, out] = [grad, p.value, m.expAvg, m.expAvgSq, next].map((t) => memory.view(t));
      for (let i = 0; i < out.length; i++) {
        // The clipped gradient and both moments are float32 tensors in torch.
        const gi = Math.fround(g[i] * gradScale);
        const avg = Math.fround(expAvg[i] + (gi - expAvg[i]) * (1 - beta1));
        const avgSq = Math.fround(expAvgSq[i] * beta2 + gi * gi * (1 - beta2));
        expAvg[i] = avg;
        expAvgSq[i] = avgSq;
        out[i] = x[i] * decay - (stepSize * avg) / (Math.sqrt(avgSq) / biasCorrection2Sqrt + eps);
      }
      p.value.assign(next);
      next.dispose();
    }
  }

  /**
   * `step` as the multi-tensor WebGPU kernel's inputs: each parameter with a gradient, its moments
   * and scalars, its step counted (trainer/training/multi_tensor_webgpu.ts does the arithmetic).
   */
  deviceUpdates(grads: Map<string, tf.Tensor>, lr: number = this.lr): Array<AdamWTensors & { name: string }> {
    return [...grads].map(([name, grad]) => {
      const { p, m, decay, stepSize, biasCorrection2Sqrt } = this.begin(name, lr);
      return { name, param: p.value, grad, expAvg: m.expAvg, expAvgSq: m.expAvgSq, decay, stepSize, biasCorrection2Sqrt };
    });
  }

  /**
   * The optimizer state for a checkpoint, in torch layout: `NAME.exp_avg`, `NAME.exp_avg_sq`
   * and `NAME.step` (a float32 scalar, as torch stores it). The caller disposes.
   */
  stateDict(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, m] of this.moments) {
      const layout = this.params.get(name)!.layout;
      out.set(`${name}.exp_avg`, nativeToTorch(m.expAvg, layout));
      out.set(`${name}.exp_avg_sq`, nativeToTorch(m.expAvgSq, layout));
      out.set(`${name}.step`, tf.scalar(m.step));
    }
    return out;
  }

  /** Restores a `stateDict()`; parameters absent from it start fresh. */
  async loadStateDict(state: Map<string, tf.Tensor>): Promise<void> {
    this.dispose();
    for (const [name, p] of this.params) {
      const expAvg = state.get(`${name}.exp_avg`);
      const expAvgSq = state.get(`${name}.exp_avg_sq`);
      const step = state.get(`${name}.step`);
      if (!expAvg || !expAvgSq || !step) continue;
      this.moments.set(name, {
        expAvg: stateVariable(torchToNative(expAvg, p.layout)),
        expAvgSq: stateVariable(torchToNative(expAvgSq, p.layout)),
        step: (await step.data())[0]!,
      });
    }
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const m of this.moments.values()) {
      m.expAvg.dispose();
      m.expAvgSq.dispose();
    }
    this.moments.clear();
  }
}
