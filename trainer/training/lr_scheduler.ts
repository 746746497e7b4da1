/**
 * diffusers `get_scheduler` (optimization.py) as plain multiplier functions.
 * `lrLambda(opts)(k)` is the factor applied to the base lr at optimizer step k (0-based), as torch's LambdaLR does.
 */

export const LR_SCHEDULERS = [
  "linear",
  "cosine",
  "cosine_with_restarts",
  "polynomial",
  "constant",
  "constant_with_warmup",
  "piecewise_constant",
] as const;
export type LrSchedulerName = (typeof LR_SCHEDULERS)[number];

export interface LrSchedulerOptions {
  name: LrSchedulerName;
  /** The optimizer's lr; needed by `polynomial`, whose end value is absolute. */
  baseLr: number;
  numWarmupSteps?: number;
  numTrainingSteps?: number;
  /** Hard restarts for `cosine_with_restarts` (diffusers default 1). */
  numCycles?: number;
  /** Exponent for `polynomial` (diffusers default 1). */
  power?: number;
  /** `polynomial`'s final lr (diffusers default 1e-7). */
  lrEnd?: number;
  /** `piecewise_constant` rules, e.g. "1:10,0.1:20,0.01" (factor:until_step, ..., final factor). */
  stepRules?: string;
}

export type LrLambda = (step: number) => number;

function required<T>(value: T | undefined, what: string, name: string): T {
  if (value === undefined) throw new Error(`lr scheduler "${name}" requires ${what}`);
  return value;
}

/** Linear ramp from 0 to 1 over the warmup steps, or null once warmup is over. */
function warmup(step: number, warmupSteps: number): number | null {
  return step < warmupSteps ? step / Math.max(1, warmupSteps) : null;
}

function piecewiseConstant(stepRules: string): LrLambda {
  const parts = stepRules.split(",");
  const finalFactor = Number(parts[parts.length - 1]);
  const rules = parts
    .slice(0, -1)
    .map((rule) => {
      const [factor, until] = rule.split(":");
      return { until: Number.parseInt(until, 10), factor: Number(factor) };
    })
    .sort((a, b) => a.until - b.until);
  return (step) => rules.find((r) => step < r.until)?.factor ?? finalFactor;
}

/**
 * The schedule's lr factor by optimizer step. Step k trains with baseLr * f(k); the seed then steps the
 * scheduler and logs get_last_lr(), which is baseLr * f(k + 1).
 */
export function lrLambda(opts: LrSchedulerOptions): LrLambda {
  const { name } = opts;
  if (name === "constant") return () => 1;
  if (name === "piecewise_constant") return piecewiseConstant(required(opts.stepRules, "stepRules", name));
  const warmupSteps = required(opts.numWarmupSteps, "numWarmupSteps", name);
  if (name === "constant_with_warmup") return (k) => warmup(k, warmupSteps) ?? 1;
  const trainingSteps = required(opts.numTrainingSteps, "numTrainingSteps", name);
  const progress = (k: number): number => (k - warmupSteps) / Math.max(1, trainingSteps - warmupSteps);
  switch (name) {
    case "linear":
      return (k) => warmup(k, warmupSteps) ?? Math.max(0, (trainingSteps - k) / Math.max(1, trainingSteps - warmupSteps));
    case "cosine":
      // get_scheduler passes no num_cycles here, so it is a half cosine: cos(pi * 0.5 * 2 * progress).
      return (k) => warmup(k, warmupSteps) ?? Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress(k))));
    case "cosine_with_restarts": {
      const cycles = opts.numCycles ?? 1;
      return (k) => {
        const w = warmup(k, warmupSteps);
        if (w !== null) return w;
        const p = progress(k);
        if (p >= 1) return 0;
        return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((cycles * p) % 1))));
      };
    }
    case "polynomial": {
      const lrEnd = opts.lrEnd ?? 1e-7;
      const power = opts.power ?? 1;
      const lrInit = opts.baseLr;
      if (!(lrInit > lrEnd)) throw new Error(`lr_end (${lrEnd}) must be smaller than the initial lr (${lrInit})`);
      return (k) => {
        const w = warmup(k, warmupSteps);
        if (w !== null) return w;
        if (k > trainingSteps) return lrEnd / lrInit;
        const remaining = 1 - (k - warmupSteps) / (trainingSteps - warmupSteps);
        return ((lrInit - lrEnd) * remaining ** power + lrEnd) / lrInit;
      };
    }
  }
}
