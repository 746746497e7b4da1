import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "../training/host_memory";

/**
 * GroupNorm as one kernel (and its gradient as another) of plain JS loops over host memory, on
 * the backends that have it (wasm, cpu). As tf ops it is ~60 kernels per forward + backward, and
 * wasm's Mean over the group axes transposes its input first: the fused pair is a few passes over
 * the activations instead. Statistics accumulate in float64.
 *
 * Inputs: x channels-last ([N, ..., C]), gamma and beta [C]; attrs numGroups, eps.
 */
const GROUP_NORM = "InkstoneGroupNorm";
const GROUP_NORM_GRAD = "InkstoneGroupNormGrad";
/** Backends whose tensors JS can read in place. */
const HOST_BACKENDS = ["wasm", "cpu"];

export interface GroupNormAttrs {
  numGroups: number;
  eps: number;
}

/** x as [N, L, C] with C split into G groups of K channels. */
interface Layout {
  n: number;
  l: number;
  c: number;
  g: number;
  k: number;
}

function layoutOf(x: tf.TensorInfo, numGroups: number): Layout {
  const n = x.shape[0]!;
  const c = x.shape[x.shape.length - 1]!;
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { n, l: size / (n * c), c, g: numGroups, k: c / numGroups };
}

/** Per sample, a per-channel copy of its group's mean and 1/sqrt(var + eps) ([N * C] each). */
function groupStats(x: Float32Array, s: Layout, eps: number): { mean: Float64Array; rstd: Float64Array } {
  const { n, l, c, g, k } = s;
  const mean = new Float64Array(n * c);
  const rstd = new Float64Array(n * c);
  const acc = new Float64Array(c);
  const count = l * k;
  // Sums over positions per channel, folded per group, spread back to the group's channels.
  const perGroup = (out: Float64Array, base: number, f: (channelSum: number, group: number) => number): void => {
    for (let gi = 0; gi < g; gi++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += acc[gi * k + j]!;
      const value = f(sum, gi);
      out.fill(value, base + gi * k, base + gi * k + k);
    }
  };
  for (let ni = 0; ni < n; ni++) {
    const base = ni * c;
    const offset = ni * l * c;
    acc.fill(0);
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) acc[ci] += x[row + ci]!;
    }
    perGroup(mean, base, (sum) => sum / count);
    // Variance from centered values (two passes): exact where E[x^2] - E[x]^2 would cancel.
    acc.fill(0);
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) {
        const d = x[row + ci]! - mean[base + ci]!;
        acc[ci] += d * d;
      }
    }
    perGroup(rstd, base, (sum) => 1 / Math.sqrt(sum / count + eps));
  }
  return { mean, rstd };
}

/** y = (x - mean) * rstd * gamma + beta, as y = x * scale[c] + shift[c] per sample. */
function forwardKernel({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const memory = hostMemory()!;
  const s = layoutOf(inputs.x!, numGroups);
  const out = memory.output(inputs.x!.shape);
  const [x, gamma, beta, y] = [inputs.x!, inputs.gamma!, inputs.beta!, out].map((t) => memory.view(t)) as Float32Array[];
  const { mean, rstd } = groupStats(x!, s, eps);
  const scale = new Float64Array(s.c);
  const shift = new Float64Array(s.c);
  for (let ni = 0; ni < s.n; ni++) {
    for (let ci = 0; ci < s.c; ci++) {
      scale[ci] = rstd[ni * s.c + ci]! * gamma![ci]!;
      shift[ci] = beta![ci]! - mean[ni * s.c + ci]! * scale[ci]!;
    }
    const offset = ni * s.l * s.c;
    for (let li = 0; li < s.l; li++) {
      const row = offset + li * s.c;
      for (let ci = 0; ci < s.c; ci++) y![row + ci] = x![row + ci]! * scale[ci]! + shift[ci]!;
    }
  }
  return out;
}

/**
 * With xhat = (x - mean) * rstd and per-group averages <.> over its L*K values:
 * dbeta = sum dy, dgamma = sum dy * xhat, dx = rstd * (gamma dy - <gamma dy> - xhat <gamma dy xhat>),
 * which is dx = a[c] dy + b[c] x + d[c] per sample. The group statistics are recomputed from x.
 */
function gradKernel({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const memory = hostMemory()!;
  const s = layoutOf(inputs.x!, numGroups);
  const { n, l, c, g, k } = s;
  const outs = [memory.output(inputs.x!.shape), memory.output([c]), memory.output([c])];
  const [dy, x, gamma, dx, dgamma, dbeta] = [inputs.dy!, inputs.x!, inputs.gamma!, ...outs].map((t) => memory.view(t)) as Float32Array[];
  const { mean, rstd } = groupStats(x!, s, eps);
  const dgammaSum = new Float64Array(c);
  const dbetaSum = new Float64Array(c);
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  const d = new Float64Array(c);
  const count = l * k;
  for (let ni = 0; ni < n; ni++) {
    const offset = ni * l * c;
    sumDy.fill(0);
    sumDyX.fill(0);
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) {
        const v = dy![row + ci]!;
        sumDy[ci] += v;
        sumDyX[ci] += v * x![row + ci]!;
      }
    }
    for (let gi = 0; gi < g; gi++) {
      const stat = ni * c + gi * k;
      const mu = mean[stat]!;
      const r = rstd[stat]!;
      let meanGammaDy = 0;
      let meanGammaDyXhat = 0;
      for (let ci = gi * k; ci < gi * k + k; ci++) {
        const dyXhat = r * (sumDyX[ci]! - mu * sumDy[ci]!);
        dgammaSum[ci] += dyXhat;
        dbetaSum[ci] += sumDy[ci]!;
        meanGammaDy += gamma![ci]! * sumDy[ci]!;
        meanGammaDyXhat += gamma![ci]! * dyXhat;
      }
      meanGammaDy /= count;
      meanGammaDyXhat /= count;
      for (let ci = gi * k; ci < gi * k + k; ci++) {
        a[ci] = r * gamma![ci]!;
        b[ci] = -r * r * meanGammaDyXhat;
        d[ci] = -r * meanGammaDy + r * r * mu * meanGammaDyXhat;
      }
    }
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) dx![row + ci] = a[ci]! * dy![row + ci]! + b[ci]! * x![row + ci]! + d[ci]!;
    }
  }
  dgamma!.set(dgammaSum);
  dbeta!.set(dbetaSum);
  return outs;
}

/** Registers both kernels on the host backends and the forward's gradient, once per module load. */
function register(): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(GROUP_NORM, backendName) == null) tf.registerKernel({ kernelName: GROUP_NORM, backendName, kernelFunc: forwardKernel });
    if (tf.getKernel(GROUP_NORM_GRAD, backendName) == null) tf.registerKernel({ kernelName: GROUP_NORM_GRAD, backendName, kernelFunc: gradKernel });
  }
  if (tf.getGradient(GROUP_NORM) == null) {
    tf.registerGradient({
      kernelName: GROUP_NORM,
      inputsToSave: ["x", "gamma"],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma] = saved;
        // One kernel yields all three; the tape asks for each input's gradient separately.
        const [dx, dgamma, dbeta] = tf.engine().runKernel(GROUP_NORM_GRAD, { dy: dy as tf.Tensor, x: x!, gamma: gamma! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
      },
    });
  }
}

register();

/** Whether the active backend runs GroupNorm as one kernel. */
export function hasFusedGroupNorm(): boolean {
  return tf.getKernel(GROUP_NORM, tf.getBackend()) != null;
}

/** The fused GroupNorm; only where hasFusedGroupNorm(). */
export function fusedGroupNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, attrs: GroupNormAttrs): T {
  return tf.engine().runKernel(GROUP_NORM, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as T;
}
