import * as tf from "@tensorflow/tfjs";
import { hostMemory } from "../training/host_memory";

/**
 * GroupNorm as one kernel (and its gradient as another) of plain JS loops over host memory, on
 * the backends that have it (wasm, cpu). As tf ops it is ~60 kernels per forward + backward, and
 * wasm's Mean over the group axes transposes its input first: the fused pair is a few passes over
 * the activations instead. Statistics accumulate in float64. LayerNorm uses it too (one group,
 * one position per sample).
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
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { n, l: size / (n * c), c, g: numGroups, k: c / numGroups };
}

/**
 * One sample's group mean and 1/sqrt(var + eps), copied to each channel of the group, from its
 * channels' sums of x and x^2 over positions. In float64 E[x^2] - E[x]^2 keeps ~1e-16 of
 * (mean^2 + var) / var: exact for float32 activations unless their mean is ~1e6 standard deviations.
 */
function groupStats(sum: Float64Array, sumSq: Float64Array, s: Layout, eps: number, mean: Float64Array, rstd: Float64Array): void {
  const count = s.l * s.k;
  for (let gi = 0; gi < s.g; gi++) {
    let total = 0;
    let totalSq = 0;
    for (let ci = gi * s.k; ci < gi * s.k + s.k; ci++) {
      total += sum[ci];
      totalSq += sumSq[ci];
    }
    const mu = total / count;
    const r = 1 / Math.sqrt(Math.max(totalSq / count - mu * mu, 0) + eps);
    mean.fill(mu, gi * s.k, gi * s.k + s.k);
    rstd.fill(r, gi * s.k, gi * s.k + s.k);
  }
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The named inputs, all present (the op and the gradient pass each one). */
const inputsOf = <K extends string>(args: KernelArgs, ...names: K[]): Record<K, tf.TensorInfo> =>
  Object.fromEntries(names.map((name) => [name, args.inputs[name]!])) as Record<K, tf.TensorInfo>;

/** y = (x - mean) * rstd * gamma + beta, as y = x * scale[c] + shift[c] per sample. */
function forwardKernel(args: KernelArgs): tf.TensorInfo {
  const { numGroups, eps } = args.attrs as unknown as GroupNormAttrs;
  const inputs = inputsOf(args, "x", "gamma", "beta");
  const memory = hostMemory()!;
  const s = layoutOf(inputs.x, numGroups);
  const out = memory.output(inputs.x.shape);
  const [x, gamma, beta, y] = [inputs.x, inputs.gamma, inputs.beta, out].map((t) => memory.view(t)) as Float32Array[];
  const { l, c } = s;
  const [sum, sumSq, mean, rstd, scale, shift] = Array.from({ length: 6 }, () => new Float64Array(c));
  for (let ni = 0; ni < s.n; ni++) {
    const offset = ni * l * c;
    sum.fill(0);
    sumSq.fill(0);
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) {
        const v = x[row + ci];
        sum[ci] += v;
        sumSq[ci] += v * v;
      }
    }
    groupStats(sum, sumSq, s, eps, mean, rstd);
    for (let ci = 0; ci < c; ci++) {
      scale[ci] = rstd[ci] * gamma[ci];
      shift[ci] = beta[ci] - mean[ci] * scale[ci];
    }
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) y[row + ci] = x[row + ci] * scale[ci] + shift[ci];
    }
  }
  return out;
}

/**
 * With xhat = (x - mean) * rstd and per-group averages <.> over its L*K values:
 * dbeta = sum dy, dgamma = sum dy * xhat, dx = rstd * (gamma dy - <gamma dy> - xhat <gamma dy xhat>),
 * which is dx = a[c] dy + b[c] x + d[c] per sample. The group statistics are recomputed from x in
 * the same pass that sums dy and dy * x.
 */
function gradKernel(args: KernelArgs): tf.TensorInfo[] {
  const { numGroups, eps } = args.attrs as unknown as GroupNormAttrs;
  const inputs = inputsOf(args, "dy", "x", "gamma");
  const memory = hostMemory()!;
  const s = layoutOf(inputs.x, numGroups);
  const { n, l, c, g, k } = s;
  const outs = [memory.output(inputs.x.shape), memory.output([c]), memory.output([c])];
  const [dy, x, gamma, dx, dgamma, dbeta] = [inputs.dy, inputs.x, inputs.gamma, ...outs].map((t) => memory.view(t)) as Float32Array[];
  const [sum, sumSq, sumDy, sumDyX, mean, rstd, dgammaSum, dbetaSum, a, b, d] = Array.from({ length: 11 }, () => new Float64Array(c));
  const count = l * k;
  for (let ni = 0; ni < n; ni++) {
    const offset = ni * l * c;
    for (const acc of [sum, sumSq, sumDy, sumDyX]) acc.fill(0);
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) {
        const v = x[row + ci];
        const dv = dy[row + ci];
        sum[ci] += v;
        sumSq[ci] += v * v;
        sumDy[ci] += dv;
        sumDyX[ci] += dv * v;
      }
    }
    groupStats(sum, sumSq, s, eps, mean, rstd);
    for (let gi = 0; gi < g; gi++) {
      const mu = mean[gi * k];
      const r = rstd[gi * k];
      let meanGammaDy = 0;
      let meanGammaDyXhat = 0;
      for (let ci = gi * k; ci < gi * k + k; ci++) {
        const dyXhat = r * (sumDyX[ci] - mu * sumDy[ci]);
        dgammaSum[ci] += dyXhat;
        dbetaSum[ci] += sumDy[ci];
        meanGammaDy += gamma[ci] * sumDy[ci];
        meanGammaDyXhat += gamma[ci] * dyXhat;
      }
      meanGammaDy /= count;
      meanGammaDyXhat /= count;
      for (let ci = gi * k; ci < gi * k + k; ci++) {
        a[ci] = r * gamma[ci];
        b[ci] = -r * r * meanGammaDyXhat;
        d[ci] = -r * meanGammaDy + r * r * mu * meanGammaDyXhat;
      }
    }
    for (let li = 0; li < l; li++) {
      const row = offset + li * c;
      for (let ci = 0; ci < c; ci++) dx[row + ci] = a[ci] * dy[row + ci] + b[ci] * x[row + ci] + d[ci];
    }
  }
  dgamma.set(dgammaSum);
  dbeta.set(dbetaSum);
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
        const inputs = { dy: dy as tf.Tensor, x, gamma };
        const [dx, dgamma, dbeta] = tf.engine().runKernel(GROUP_NORM_GRAD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
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
