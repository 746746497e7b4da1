import { configNumber, configString, requireSetting } from "../models/config_values";

/**
 * The beta/alpha tables shared by DDPM, PNDM and DDIM (diffusers 0.29).
 * diffusers keeps betas and alphas_cumprod as torch float32 tensors, so every
 * value here is a float32 number held in a Float64Array: computed in float64,
 * rounded with Math.fround exactly where torch rounds.
 */

export const f32 = Math.fround;

/** Config keys common to the three schedulers, with diffusers' defaults. */
export interface NoiseScheduleConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: "linear" | "scaled_linear" | "squaredcos_cap_v2";
  trained_betas: number[] | null;
  prediction_type: "epsilon" | "v_prediction" | "sample";
  timestep_spacing: "leading" | "linspace" | "trailing";
  steps_offset: number;
}

function oneOf<T extends string>(value: string, key: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`scheduler config: ${key} "${value}" is not supported; choose one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function readNoiseScheduleConfig(cfg: Record<string, unknown>): NoiseScheduleConfig {
  // Options that would change the math and that this port does not implement.
  requireSetting(cfg, "rescale_betas_zero_snr", [null, false]);
  requireSetting(cfg, "thresholding", [null, false]);
  const trained = cfg.trained_betas ?? null;
  if (trained !== null && !(Array.isArray(trained) && trained.every((b) => typeof b === "number"))) {
    throw new Error("scheduler config: trained_betas should be a list of numbers or null");
  }
  return {
    num_train_timesteps: configNumber(cfg, "num_train_timesteps", 1000),
    beta_start: configNumber(cfg, "beta_start", 0.0001),
    beta_end: configNumber(cfg, "beta_end", 0.02),
    beta_schedule: oneOf(configString(cfg, "beta_schedule", "linear"), "beta_schedule", ["linear", "scaled_linear", "squaredcos_cap_v2"]),
    trained_betas: trained as number[] | null,
    prediction_type: oneOf(configString(cfg, "prediction_type", "epsilon"), "prediction_type", ["epsilon", "v_prediction", "sample"]),
    timestep_spacing: oneOf(configString(cfg, "timestep_spacing", "leading"), "timestep_spacing", ["leading", "linspace", "trailing"]),
    steps_offset: configNumber(cfg, "steps_offset", 0),
  };
}

/** a + b * c rounded once to float32, as a fused multiply-add (b * c is exact in float64 here). */
const fmaF32 = (a: number, b: number, c: number): number => f32(a + b * c);

/** Lanes of torch's AVX2 float vectors, which fill linspace's output 8 values at a time. */
const TORCH_VECTOR_LANES = 8;

/**
 * torch.linspace(start, end, steps, dtype=float32) on x86 CPU, bit for bit:
 * endpoints and step are float32; each vector of 8 starts from
 * start + step * i (first half) or end - step * (steps - 1 - i) (second half),
 * computed with a fused multiply-add, then adds k * step per lane; the last
 * values, beyond whole pairs of vectors, take the scalar formula. (Verified
 * against the golden add_noise: every element matches exactly.)
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  const s = f32(start);
  const e = f32(end);
  const step = steps > 1 ? f32(f32(e - s) / (steps - 1)) : 0;
  const halfway = Math.floor(steps / 2);
  const at = (i: number): number => (i < halfway ? fmaF32(s, step, i) : fmaF32(e, -step, steps - i - 1));
  const pair = 2 * TORCH_VECTOR_LANES;
  let i = 0;
  // torch's vectorized loop writes two vectors per iteration, then finishes with scalars.
  for (; i + pair <= steps; i += pair) {
    for (const start of [i, i + TORCH_VECTOR_LANES]) {
      const base = at(start);
      for (let k = 0; k < TORCH_VECTOR_LANES; k++) out[start + k] = fmaF32(base, k, step);
    }
  }
  for (; i < steps; i++) out[i] = at(i);
  return out;
}

/** Glide's cosine schedule, in float64 as diffusers computes it, then stored as float32. */
function cosineBetas(n: number, maxBeta = 0.999): Float64Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI * 0.5) ** 2;
  return Float64Array.from({ length: n }, (_, i) => f32(Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta)));
}

export function betasFor(cfg: NoiseScheduleConfig): Float64Array {
  const n = cfg.num_train_timesteps;
  if (cfg.trained_betas !== null) return Float64Array.from(cfg.trained_betas, f32);
  if (cfg.beta_schedule === "linear") return torchLinspaceF32(cfg.beta_start, cfg.beta_end, n);
  if (cfg.beta_schedule === "scaled_linear") {
    return torchLinspaceF32(Math.sqrt(cfg.beta_start), Math.sqrt(cfg.beta_end), n).map((r) => f32(r * r));
  }
  return cosineBetas(n);
}

/** torch.cumprod(1 - betas) in float32: the CPU kernel accumulates in double and stores each product as float32. */
export function alphasCumprodFor(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let product = 1;
  betas.forEach((beta, i) => {
    product *= f32(1 - beta);
    out[i] = f32(product);
  });
  return out;
}

/** numpy's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The inference timesteps in ascending order, as diffusers' set_timesteps spaces them. */
export function spacedTimesteps(cfg: NoiseScheduleConfig, numInferenceSteps: number): number[] {
  const total = cfg.num_train_timesteps;
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > total) {
    throw new Error(`num_inference_steps must be an integer in [1, ${total}], got ${numInferenceSteps}`);
  }
  const idx = Array.from({ length: numInferenceSteps }, (_, i) => i);
  if (cfg.timestep_spacing === "linspace") {
    const step = numInferenceSteps > 1 ? (total - 1) / (numInferenceSteps - 1) : 0;
    return idx.map((i) => roundHalfEven(i === numInferenceSteps - 1 ? total - 1 : i * step));
  }
  if (cfg.timestep_spacing === "leading") {
    const ratio = Math.floor(total / numInferenceSteps);
    return idx.map((i) => i * ratio + cfg.steps_offset);
  }
  // trailing: np.round(np.arange(total, 0, -ratio)) - 1, reversed to ascending.
  const ratio = total / numInferenceSteps;
  const down: number[] = [];
  for (let k = 0; total - k * ratio > 0; k++) down.push(roundHalfEven(total - k * ratio) - 1);
  return down.reverse();
}
