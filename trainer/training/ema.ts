/**
 * diffusers EMAModel (v0.29.0 training_utils.py): shadow copies of the trained parameters, updated after
 * every optimizer step with `ema.step(params)`; `store`/`copyTo`/`restore` swap them in for validation.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeToTorch, torchToNative, type Parameter } from "../nn/module";
import type { HostMemory } from "./host_memory";
import { stateVariable } from "./state_variable";

export interface EMAOptions {
  decay?: number;
  minDecay?: number;
  updateAfterStep?: number;
  useEmaWarmup?: boolean;
  invGamma?: number;
  power?: number;
}

/** The scalar part of diffusers' EMA state dict, under its keys (saved in the EMA UNet's config.json). */
export interface EMAConfig {
  decay: number;
  min_decay: number;
  optimization_step: number;
  update_after_step: number;
  use_ema_warmup: boolean;
  inv_gamma: number;
  power: number;
}

type NamedParameters = Array<[string, Parameter]>;

export class EMAModel {
  decay: number;
  minDecay: number;
  updateAfterStep: number;
  useEmaWarmup: boolean;
  invGamma: number;
  power: number;
  optimizationStep = 0;
  /** The decay used by the latest step. */
  curDecayValue: number | null = null;
  /** Shadow parameters in tfjs layout, keyed like the model's parameters. */
  private readonly shadow = new Map<string, tf.Variable>();
  private stored: Map<string, tf.Tensor> | null = null;

  constructor(params: NamedParameters, opts: EMAOptions = {}) {
    this.decay = opts.decay ?? 0.9999;
    this.minDecay = opts.minDecay ?? 0;
    this.updateAfterStep = opts.updateAfterStep ?? 0;
    this.useEmaWarmup = opts.useEmaWarmup ?? false;
    this.invGamma = opts.invGamma ?? 1;
    this.power = opts.power ?? 2 / 3;
    for (const [name, p] of params) this.shadow.set(name, stateVariable(p.value.clone()));
  }

  /**
   * The decay for a given optimization step: 0 on the first, then (1 + s) / (10 + s) (or the warmup
   * curve), clamped to [minDecay, decay]. v0.29.0 still has the (1 + s) / (10 + s) ramp; later
   * releases replaced it with the constant decay.
   */
  getDecay(optimizationStep: number): number {
    const s = Math.max(0, optimizationStep - this.updateAfterStep - 1);
    if (s <= 0) return 0;
    const ramp = this.useEmaWarmup ? 1 - (1 + s / this.invGamma) ** -this.power : (1 + s) / (10 + s);
    return Math.max(Math.min(ramp, this.decay), this.minDecay);
  }

  /** Counts an optimization step and returns its decay. */
  advance(): number {
    this.optimizationStep += 1;
    this.curDecayValue = this.getDecay(this.optimizationStep);
    return this.curDecayValue;
  }

  /** shadow -= (1 - decay) * (shadow - param) for trainable parameters; others are copied. */
  step(params: NamedParameters): void {
    const decay = this.advance();
    for (const [name, p] of params) {
      const s = this.shadowOf(name);
      tf.tidy(() => s.assign(p.value.trainable ? tf.sub(s, tf.mul(tf.sub(s, p.value), 1 - decay)) : p.value));
    }
  }

  /**
   * `step` as one loop per parameter over host memory. Each shadow gets a new buffer rather than
   * an update in place: `copyTo` lends shadow buffers to the model, whose kernels may cache them.
   */
  stepOnHost(memory: HostMemory, params: NamedParameters): void {
    const decay = this.advance();
    for (const [name, p] of params) {
      const s = this.shadowOf(name);
      if (!p.value.trainable) {
        s.assign(p.value);
        continue;
      }
      const next = memory.empty(s.shape);
      const [shadow, x, out] = [s, p.value, next].map((t) => memory.view(t));
      for (let i = 0; i < out.length; i++) out[i] = shadow[i] - (1 - decay) * (shadow[i] - x[i]);
      s.assign(next);
      next.dispose();
    }
  }

  /** Writes the averaged weights into the parameters. */
  copyTo(params: NamedParameters): void {
    for (const [name, p] of params) p.value.assign(this.shadowOf(name));
  }

  /** Keeps a copy of the parameters, to put back with `restore` after validating with `copyTo`. */
  store(params: NamedParameters): void {
    this.disposeStored();
    this.stored = new Map(params.map(([name, p]) => [name, p.value.clone()]));
  }

  restore(params: NamedParameters): void {
    if (!this.stored) throw new Error("EMAModel.restore: nothing was stored");
    for (const [name, p] of params) {
      const t = this.stored.get(name);
      if (!t) throw new Error(`EMAModel.restore: ${name} was not stored`);
      p.value.assign(t);
    }
    this.disposeStored();
  }

  config(): EMAConfig {
    return {
      decay: this.decay,
      min_decay: this.minDecay,
      optimization_step: this.optimizationStep,
      update_after_step: this.updateAfterStep,
      use_ema_warmup: this.useEmaWarmup,
      inv_gamma: this.invGamma,
      power: this.power,
    };
  }

  /**
   * The shadow weights in torch layout under the model's keys (what diffusers saves as `unet_ema`);
   * `params` supplies each weight's layout. The caller disposes.
   */
  stateDict(params: NamedParameters): Map<string, tf.Tensor> {
    return new Map(params.map(([name, p]) => [name, nativeToTorch(this.shadowOf(name), p.layout)]));
  }

  /** Loads torch-layout shadow weights and, when given, the settings and step counter saved with them. */
  loadStateDict(params: NamedParameters, weights: Map<string, tf.Tensor>, config?: Partial<EMAConfig>): void {
    for (const [name, p] of params) {
      const t = weights.get(name);
      if (!t) throw new Error(`EMAModel.loadStateDict: missing ${name}`);
      const native = torchToNative(t, p.layout);
      this.shadowOf(name).assign(native);
      native.dispose();
    }
    // Like diffusers' load_state_dict: every setting present in the saved state replaces the current one.
    this.decay = config?.decay ?? this.decay;
    this.minDecay = config?.min_decay ?? this.minDecay;
    this.optimizationStep = config?.optimization_step ?? this.optimizationStep;
    this.updateAfterStep = config?.update_after_step ?? this.updateAfterStep;
    this.useEmaWarmup = config?.use_ema_warmup ?? this.useEmaWarmup;
    this.invGamma = config?.inv_gamma ?? this.invGamma;
    this.power = config?.power ?? this.power;
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
    this.disposeStored();
  }

  /** The shadow of the named parameter. */
  shadowOf(name: string): tf.Variable {
    const s = this.shadow.get(name);
    if (!s) throw new Error(`EMAModel: no shadow parameter ${name}`);
    return s;
  }

  private disposeStored(): void {
    for (const t of this.stored?.values() ?? []) t.dispose();
    this.stored = null;
  }
}
